//! The runtime's integration tests, one binary: each test binary links the native runtime and
//! its executor, so one link instead of six. `common` builds genesis from a preset and produces
//! blocks as the node does.

mod common;
mod genesis;
mod governance;
mod inference;
mod limits;
mod operators;
mod staking;
