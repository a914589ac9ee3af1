//! # aos-zk-host: BN254 host functions for the zk verifier
//!
//! A verification of an ezkl proof ([`aos_zk::verify`]) spends almost all its time in two
//! operations: one G1 multi-scalar multiplication and one pairing check. In the runtime's wasm
//! they run several times slower than natively, so the node exposes them as host functions
//! ([`zk_curve`]) and the runtime calls them through [`Host`]. The host side runs exactly the
//! code of [`aos_zk::Pure`] ([`aos_zk::curve::msm_g1`], [`aos_zk::curve::pairing_is_one`]),
//! so the answers are the same whichever runs; `tests` check it on real proofs.
//!
//! Inputs cross the boundary in the EVM's encodings (big-endian 64-byte G1 points, 128-byte G2
//! points in precompile order, 32-byte scalars) and the host checks every point is on the
//! curve: malformed input is answered, never trusted. G2 subgroup membership is the caller's to
//! establish: the only G2 points the verifier pairs are its VKA's, checked in the subgroup when
//! the VKA is registered (`aos_zk::Vka::parse`); checking them again on every call cost 0.3 ms
//! each, more than a tenth of a verification.
//!
//! The node registers [`HostFunctions`] (node/src/service.rs); a runtime built with the
//! `zk-pure-wasm` feature does not call them (the pure-wasm baseline for benchmarks).

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests may).
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

extern crate alloc;

use alloc::vec::Vec;
use aos_zk::{
	curve::{
		fr_from_bytes, fr_to_bytes, g1_from_bytes, g1_to_bytes, g2_on_curve_from_bytes, g2_to_bytes,
	},
	Bn254Ops,
};
use sp_runtime_interface::{
	pass_by::{PassFatPointerAndRead, PassFatPointerAndWrite},
	runtime_interface,
};

/// The host's answer to a malformed argument.
pub const MALFORMED: u32 = u32::MAX;

/// BN254 operations the node runs natively.
#[runtime_interface]
pub trait ZkCurve {
	/// Σ scalars[i]·bases[i] in G1. `bases`: n 64-byte points, `scalars`: n 32-byte scalars;
	/// writes the 64-byte result to `out`. Returns 0, or [`MALFORMED`] (nothing written).
	fn msm_g1(
		bases: PassFatPointerAndRead<&[u8]>,
		scalars: PassFatPointerAndRead<&[u8]>,
		out: PassFatPointerAndWrite<&mut [u8]>,
	) -> u32 {
		host::msm_g1(bases, scalars, out)
	}

	/// Whether Π e(g1[i], g2[i]) = 1: returns 1 if so, 0 if not, [`MALFORMED`] for bad input.
	/// `g1`: n 64-byte points; `g2`: n 128-byte points on the curve, in the subgroup (the
	/// caller's check: see the crate's docs).
	fn pairing_is_one(g1: PassFatPointerAndRead<&[u8]>, g2: PassFatPointerAndRead<&[u8]>) -> u32 {
		host::pairing_is_one(g1, g2)
	}
}

/// What the host functions run (compiled natively into the node).
#[cfg(feature = "std")]
pub mod host {
	use super::*;

	pub fn msm_g1(bases: &[u8], scalars: &[u8], out: &mut [u8]) -> u32 {
		if !bases.len().is_multiple_of(64)
			|| !scalars.len().is_multiple_of(32)
			|| bases.len() / 64 != scalars.len() / 32
			|| out.len() != 64
		{
			return MALFORMED;
		}
		let Some(b) = bases.chunks_exact(64).map(g1_from_bytes).collect::<Option<Vec<_>>>() else {
			return MALFORMED;
		};
		let s: Vec<_> = scalars
			.chunks_exact(32)
			.map(|c| fr_from_bytes(c.try_into().unwrap_or(&[0; 32])))
			.collect();
		out.copy_from_slice(&g1_to_bytes(&aos_zk::curve::msm_g1(&b, &s)));
		0
	}

	pub fn pairing_is_one(g1: &[u8], g2: &[u8]) -> u32 {
		if !g1.len().is_multiple_of(64)
			|| !g2.len().is_multiple_of(128)
			|| g1.len() / 64 != g2.len() / 128
		{
			return MALFORMED;
		}
		let Some(a) = g1.chunks_exact(64).map(g1_from_bytes).collect::<Option<Vec<_>>>() else {
			return MALFORMED;
		};
		let Some(b) = g2.chunks_exact(128).map(g2_on_curve_from_bytes).collect::<Option<Vec<_>>>()
		else {
			return MALFORMED;
		};
		u32::from(aos_zk::curve::pairing_is_one(&a, &b))
	}
}

/// [`Bn254Ops`] through the node's host functions.
#[derive(Clone, Copy, Default, Debug)]
pub struct Host;

impl Bn254Ops for Host {
	fn msm_g1(
		&self,
		bases: &[ark_bn254::G1Affine],
		scalars: &[ark_bn254::Fr],
	) -> ark_bn254::G1Affine {
		let b: Vec<u8> = bases.iter().flat_map(g1_to_bytes).collect();
		let s: Vec<u8> = scalars.iter().flat_map(fr_to_bytes).collect();
		let mut out = [0u8; 64];
		// Our own encodings of checked points: the host only refuses what it cannot decode,
		// and an identity result makes the pairing check fail, never pass.
		if zk_curve::msm_g1(&b, &s, &mut out) != 0 {
			return Default::default();
		}
		g1_from_bytes(&out).unwrap_or_default()
	}

	fn pairing_is_one(&self, g1: &[ark_bn254::G1Affine], g2: &[ark_bn254::G2Affine]) -> bool {
		let a: Vec<u8> = g1.iter().flat_map(g1_to_bytes).collect();
		let b: Vec<u8> = g2.iter().flat_map(g2_to_bytes).collect();
		zk_curve::pairing_is_one(&a, &b) == 1
	}

	fn keccak_256(data: &[u8]) -> [u8; 32] {
		sp_io::hashing::keccak_256(data)
	}
}

/// The host functions the node registers.
#[cfg(feature = "std")]
pub type HostFunctions = zk_curve::HostFunctions;

#[cfg(test)]
mod tests {
	use super::*;
	use aos_zk::{proof_json, verify, Pure, Vka};

	/// The host path and the pure path agree on real proofs, valid and not.
	#[test]
	fn host_and_pure_give_the_same_answers() {
		let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../zk/test-vectors/");
		for name in ["iris", "conv"] {
			let vka = Vka::parse(&std::fs::read(format!("{dir}{name}/vka.bin")).unwrap()).unwrap();
			let p = proof_json::parse(&std::fs::read(format!("{dir}{name}/proof.json")).unwrap())
				.unwrap();
			assert_eq!(
				verify(&vka, &p.proof, &p.instances, &Host),
				verify(&vka, &p.proof, &p.instances, &Pure)
			);
			assert!(verify(&vka, &p.proof, &p.instances, &Host).is_ok());
			let mut bad = p.instances.clone();
			bad[0][31] ^= 1;
			let (h, q) = (verify(&vka, &p.proof, &bad, &Host), verify(&vka, &p.proof, &bad, &Pure));
			assert_eq!(h, q);
			assert_eq!(h, Err(aos_zk::Error::PairingFailed));
		}
	}

	#[test]
	fn malformed_arguments_are_refused() {
		let mut out = [0u8; 64];
		assert_eq!(host::msm_g1(&[1u8; 64], &[0u8; 32], &mut out), MALFORMED);
		assert_eq!(host::msm_g1(&[0u8; 64], &[0u8; 31], &mut out), MALFORMED);
		assert_eq!(host::pairing_is_one(&[0u8; 64], &[0u8; 128]), MALFORMED);
	}
}
