//! # AOS operator primitives
//!
//! What the rest of AOS needs to know about operators, without depending on
//! `pallet-operators` itself:
//!
//! - [`OffenceKind`]: the offences an operator can be slashed for;
//! - [`SlashOperator`]: how the inference, zk, TEE and OPML pallets report an offence, and
//!   [`OnSlashApplied`]: where the slashed funds go;
//! - [`RewardOperator`]: how they pay an operator (and, through it, its delegators);
//! - [`OperatorRegistry`]: who may take tasks, with what stake and VRF key;
//! - [`OperatorStandings`] and [`OnOperatorChange`]: operators' Ethereum addresses and stakes,
//!   for the bridge's operator set;
//! - [`OperatorsApi`]: the runtime API that node RPCs and tools read operator state with;
//! - [`eth_address_message`] and [`vrf_key_message`]: what an operator's Ethereum and VRF keys
//!   sign to bind them to the operator, checked by the runtime and signed by the operator
//!   service alike.
//!
//! One module per concern: `slashing`, `registry`, `bridge`, `views`, `eth`, `vrf`, and
//! `decimal_string` (the JSON form of balances).

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests may).
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

extern crate alloc;

mod bridge;
#[cfg(feature = "std")]
pub mod decimal_string;
mod eth;
mod registry;
mod slashing;
mod views;
mod vrf;

pub use bridge::*;
pub use eth::*;
pub use registry::*;
pub use slashing::*;
pub use views::*;
pub use vrf::*;
