//! Base weights of the AOS runtime measured on the reference machine by
//! `scripts/bench-overhead.sh` (`aos-node benchmark overhead`): the cost of an empty block and of
//! the lightest signed extrinsic. Pallet weights live with their pallets.

pub mod block_weights;
pub mod extrinsic_weights;

pub use block_weights::BlockExecutionWeight;
pub use extrinsic_weights::ExtrinsicBaseWeight;
