//! The node's integration tests, one binary (each test binary links the runtime and the
//! client stack: one link instead of three). They run the real `aos-node` (`common`).

mod aos_rpc;
mod chain_specs;
mod common;
mod dev_node;
