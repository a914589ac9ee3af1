//! # aos-operator
//!
//! The AOS operator service. Configured by a YAML file that keeps the AOS operator's keys
//! (`node_id`, `signer_key`), it connects to an `aos-node` over WebSocket JSON-RPC, registers and
//! bonds when asked to, sends heartbeats, and for every task: evaluates its VRF, claims the
//! task when selected, runs the model in the kernel's wasm sandbox (checked against the native
//! kernel), commits, reveals, and collects its reward; in Zk mode it proves the inference with
//! ezkl instead and submits the proof. See docs/OPERATORS.md.
//!
//! - [`config`]: `config.yaml`; [`keys`]: the keystore and the Ethereum signer (Web3Signer or
//!   local key);
//! - [`store`]: the embedded database of results and salts; [`models`]: the content-addressed
//!   model store; [`sandbox`]: the kernel in wasmtime (the `aos-sandbox` crate, which the
//!   enclave shares); [`prover`]: ezkl proofs (Zk mode);
//! - [`worker`]: the loop; [`metrics`]: Prometheus.

pub mod config;
pub mod keys;
pub mod metrics;
pub mod models;
pub mod prover;
pub use aos_sandbox as sandbox;
pub mod store;
pub mod worker;
