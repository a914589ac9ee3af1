//! # The AOS inference kernel
//!
//! A deterministic integer inference engine for quantized feed-forward models, shared by the
//! runtime, the operator service and the enclave. Every operation is integer arithmetic with
//! exactly specified rounding and saturation, so every machine — x86 or ARM, native or inside
//! the wasm runtime — computes bit-identical results. The rules are the versioned specification
//! in `docs/KERNEL.md`; this crate implements version [`KERNEL_VERSION`].
//!
//! - [`model`]: the model format ([`Model`]): dense int8 layers, per-layer requantization,
//!   activations, a content hash and validation against the spec's limits.
//! - [`exec`]: running a model on an int8 input ([`infer`]), keeping every activation
//!   ([`Trace`]).
//! - [`commit`]: Merkle commitments per layer (one leaf per neuron: its weights, bias and
//!   requantization) and their proofs, which the OPML disputes open.
//! - [`trace`]: commitments to a run's activations (one tree per layer, one leaf per neuron,
//!   and a tree over the layers' roots), the trace an optimistic result is disputed over.
//! - [`sampler`]: ASLI-style top-k sampling from integer logits, driven by ChaCha20 seeded with
//!   H(task, operator, index): any node reproduces any other node's draw, and draws differ per
//!   operator.
//! - [`intermediates`]: activations at positions chosen by H(task, operator), reported with a
//!   result as evidence that the operator ran the model itself.
//! - [`evaluate`]: all of the above for one task and one operator; [`abi`]: the same as a
//!   function of SCALE bytes, for sandboxes.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests may).
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

extern crate alloc;

pub mod abi;
pub mod commit;
pub mod exec;
pub mod intermediates;
pub mod model;
pub mod sampler;
pub mod trace;

mod evaluation;
#[cfg(feature = "std")]
pub mod golden;
#[cfg(test)]
mod tests;

pub use evaluation::{evaluate, output_digest, Evaluation, TaskSeed, MAX_SAMPLES};
pub use exec::{infer, neuron, requantize, Trace};
pub use model::{Activation, Layer, LayerOutput, Model, ModelError, Requant};
pub use sampler::SamplingParams;

/// The version of the kernel specification this crate implements. A model records the version it
/// was built for; a kernel refuses models of any other version.
pub const KERNEL_VERSION: u16 = 1;

/// A 32-byte BLAKE2b-256 digest, the kernel's only hash.
pub type Hash = [u8; 32];

/// BLAKE2b-256 of the concatenation of `parts`.
pub fn hash_parts(parts: &[&[u8]]) -> Hash {
	use alloc::vec::Vec;
	let len = parts.iter().map(|p| p.len()).sum();
	let mut buf = Vec::with_capacity(len);
	for part in parts {
		buf.extend_from_slice(part);
	}
	sp_crypto_hashing::blake2_256(&buf)
}
