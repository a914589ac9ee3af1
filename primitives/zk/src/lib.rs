//! # aos-zk: native verification of ezkl proofs
//!
//! ezkl proves a model's inference with halo2 (PLONKish arithmetization, KZG commitments on
//! BN254, SHPLONK multi-opening, a Keccak transcript) and describes each circuit to its EVM
//! verifier by a *verifying artifact* (VKA, `ezkl.create_evm_vka`): the verifying key plus the
//! circuit's gate, permutation, lookup and opening programs as bytecode for ezkl's reusable
//! Solidity verifier. This crate verifies the same proofs against the same VKA without an EVM,
//! `no_std`, for the AOS runtime, its off-chain workers and the `aos-zk-cli` binary.
//!
//! - [`Vka::parse`] reads `vka.bin` and checks its constants and curve points;
//! - [`verify`] checks a proof and its public instances against it: the transcript, the
//!   quotient identity (gates, permutation, logUp lookups) and the SHPLONK opening with one
//!   pairing check. Its two heavy operations go through [`Bn254Ops`]: [`Pure`] runs arkworks
//!   in place; the runtime routes them to the node's host functions (`aos-zk-host`).
//! - [`proof_json`] (with `std`) reads ezkl's `proof.json`;
//! - `vectors` (with `std`, or feature `test-vectors` for `no_std` benchmark builds) embeds the
//!   committed ezkl test vectors. Native builds always have it (the linker drops it where
//!   unused), so that tests need no feature of their own: `cargo build --workspace` and
//!   `cargo test --workspace` then build this crate, and all that depends on it, alike.
//!
//! The layout of the VKA and the verifier's algorithm are written up in
//! `docs/research/ezkl-vka.md`; `docs/ZK.md` describes how AOS uses it.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests may).
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

extern crate alloc;

pub mod curve;
#[cfg(feature = "std")]
pub mod proof_json;
pub mod test_srs;
#[cfg(any(feature = "std", feature = "test-vectors"))]
pub mod vectors;
pub mod verify;
pub mod vka;
pub mod word;

pub use curve::{Bn254Ops, Pure};
pub use verify::{cost, step_budget, verify, Stats};
pub use vka::Vka;

/// Why a proof was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
	/// The VKA is malformed (or not one this verifier reads).
	Vka(&'static str),
	/// The proof bytes are malformed.
	Proof(&'static str),
	/// The public instances do not fit the VKA.
	Instances(&'static str),
	/// A feature of halo2 circuits that ezkl's VKA format does not carry, or that ezkl does not
	/// use.
	Unsupported(&'static str),
	/// The verification took more steps than its input's size allows (a hostile VKA).
	Budget,
	/// Everything parsed, and the final pairing check failed: the proof is false.
	PairingFailed,
}

impl core::fmt::Display for Error {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			Error::Vka(m) => write!(f, "malformed VKA: {m}"),
			Error::Proof(m) => write!(f, "malformed proof: {m}"),
			Error::Instances(m) => write!(f, "bad instances: {m}"),
			Error::Unsupported(m) => write!(f, "unsupported: {m}"),
			Error::Budget => write!(f, "verification exceeded its step budget"),
			Error::PairingFailed => write!(f, "the pairing check failed: the proof is invalid"),
		}
	}
}
