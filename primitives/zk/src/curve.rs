//! BN254 group operations: the two expensive ones (a G1 multi-scalar multiplication and a
//! pairing check) behind [`Bn254Ops`], so a runtime can route them to host functions, and the
//! byte encodings both sides share.

use alloc::vec::Vec;
use ark_bn254::{Bn254, Fq2, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, Zero};

use crate::word::Word;

/// The expensive BN254 operations of a verification.
pub trait Bn254Ops {
	/// Σ scalars[i]·bases[i]. `bases` and `scalars` have the same length.
	fn msm_g1(&self, bases: &[G1Affine], scalars: &[Fr]) -> G1Affine;
	/// Whether Π e(g1[i], g2[i]) = 1. The slices have the same length.
	fn pairing_is_one(&self, g1: &[G1Affine], g2: &[G2Affine]) -> bool;
	/// Keccak-256, the transcript's hash: the node has it as a host function too.
	fn keccak_256(data: &[u8]) -> [u8; 32]
	where
		Self: Sized,
	{
		sp_crypto_hashing::keccak_256(data)
	}
}

/// arkworks, in whatever code is running (native, or the runtime's wasm).
#[derive(Clone, Copy, Default, Debug)]
pub struct Pure;

impl Bn254Ops for Pure {
	fn msm_g1(&self, bases: &[G1Affine], scalars: &[Fr]) -> G1Affine {
		msm_g1(bases, scalars)
	}
	fn pairing_is_one(&self, g1: &[G1Affine], g2: &[G2Affine]) -> bool {
		pairing_is_one(g1, g2)
	}
}

/// The arkworks MSM (what both [`Pure`] and the node's host function run).
pub fn msm_g1(bases: &[G1Affine], scalars: &[Fr]) -> G1Affine {
	let n = bases.len().min(scalars.len());
	let (bases, scalars) = (bases.get(..n).unwrap_or(&[]), scalars.get(..n).unwrap_or(&[]));
	G1Projective::msm_unchecked(bases, scalars).into_affine()
}

/// The arkworks pairing product check (what both [`Pure`] and the node's host function run).
pub fn pairing_is_one(g1: &[G1Affine], g2: &[G2Affine]) -> bool {
	let n = g1.len().min(g2.len());
	let (g1, g2) = (g1.get(..n).unwrap_or(&[]), g2.get(..n).unwrap_or(&[]));
	Bn254::multi_pairing(g1, g2).0.is_one()
}

/// A G1 point from EVM coordinates, as the precompiles take it: canonical coordinates on the
/// curve, (0, 0) meaning the identity.
pub fn g1_from_words(x: Word, y: Word) -> Option<G1Affine> {
	if x.is_zero() && y.is_zero() {
		return Some(G1Affine::identity());
	}
	let p = G1Affine::new_unchecked(x.to_fq()?, y.to_fq()?);
	// BN254's G1 has cofactor 1: on the curve is in the group.
	p.is_on_curve().then_some(p)
}

/// A G2 point from the EVM precompile order (x.c1, x.c0, y.c1, y.c0), checked on the curve and
/// in the prime-order subgroup.
pub fn g2_from_words(w: [Word; 4]) -> Option<G2Affine> {
	g2_on_curve_from_words(w).filter(|p| p.is_in_correct_subgroup_assuming_on_curve())
}

/// [`g2_from_words`] without the subgroup check: for points checked before.
pub fn g2_on_curve_from_words(w: [Word; 4]) -> Option<G2Affine> {
	let x = Fq2::new(w[1].to_fq()?, w[0].to_fq()?);
	let y = Fq2::new(w[3].to_fq()?, w[2].to_fq()?);
	if x.is_zero() && y.is_zero() {
		return None;
	}
	let p = G2Affine::new_unchecked(x, y);
	p.is_on_curve().then_some(p)
}

/// A point's EVM encoding x ‖ y (64 bytes, big-endian; the identity is all zeros).
pub fn g1_to_bytes(p: &G1Affine) -> [u8; 64] {
	let mut out = [0u8; 64];
	if let Some((x, y)) = p.xy() {
		out[..32].copy_from_slice(&Word(ark_ff::PrimeField::into_bigint(x).0).to_be());
		out[32..].copy_from_slice(&Word(ark_ff::PrimeField::into_bigint(y).0).to_be());
	}
	out
}

/// The inverse of [`g1_to_bytes`], checking the point.
pub fn g1_from_bytes(b: &[u8]) -> Option<G1Affine> {
	let (x, y) = (b.get(..32)?, b.get(32..64)?);
	g1_from_words(Word::from_be(x.try_into().ok()?), Word::from_be(y.try_into().ok()?))
}

/// A G2 point's encoding in the precompile order (128 bytes).
pub fn g2_to_bytes(p: &G2Affine) -> [u8; 128] {
	let mut out = [0u8; 128];
	if let Some((x, y)) = p.xy() {
		for (c, bytes) in [x.c1, x.c0, y.c1, y.c0].into_iter().zip(out.chunks_exact_mut(32)) {
			bytes.copy_from_slice(&Word(ark_ff::PrimeField::into_bigint(c).0).to_be());
		}
	}
	out
}

/// The inverse of [`g2_to_bytes`], checking the point.
pub fn g2_from_bytes(b: &[u8]) -> Option<G2Affine> {
	g2_on_curve_from_bytes(b).filter(|p| p.is_in_correct_subgroup_assuming_on_curve())
}

/// [`g2_from_bytes`] without the subgroup check: for points checked before.
pub fn g2_on_curve_from_bytes(b: &[u8]) -> Option<G2Affine> {
	let mut w = [Word::ZERO; 4];
	for (i, wi) in w.iter_mut().enumerate() {
		*wi = Word::from_be(b.get(32 * i..32 * (i + 1))?.try_into().ok()?);
	}
	g2_on_curve_from_words(w)
}

/// A scalar's encoding: 32 bytes big-endian, canonical.
pub fn fr_to_bytes(s: &Fr) -> [u8; 32] {
	Word::from_fr(*s).to_be()
}

/// The inverse of [`fr_to_bytes`] (reducing, as the EVM's `ecMul` does).
pub fn fr_from_bytes(b: &[u8; 32]) -> Fr {
	Word::from_be(b).to_fr()
}

/// A G1 point the verifier has not evaluated yet: Σ sᵢ·Pᵢ. The reusable verifier builds its
/// pairing input with one `ecMul` and one `ecAdd` per commitment; keeping the combination
/// symbolic turns all of them into one MSM at the end.
#[derive(Clone, Default, Debug)]
pub struct LazyG1 {
	/// The (Pᵢ, sᵢ), in the order the contract would have added them.
	pub terms: Vec<(G1Affine, Fr)>,
}

impl LazyG1 {
	/// 1·p.
	pub fn point(p: G1Affine) -> LazyG1 {
		LazyG1 { terms: alloc::vec![(p, Fr::one())] }
	}
	/// `ecMul(self, s)`
	pub fn scale(&mut self, s: Fr) {
		for (_, c) in self.terms.iter_mut() {
			*c *= s;
		}
	}
	/// `ecAdd(self, other)`
	pub fn add(&mut self, other: &LazyG1) {
		self.terms.extend_from_slice(&other.terms);
	}
	/// The number of terms: what the final MSM pays for.
	pub fn len(&self) -> usize {
		self.terms.len()
	}
	pub fn is_empty(&self) -> bool {
		self.terms.is_empty()
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use ark_ec::PrimeGroup;

	#[test]
	fn encodings_round_trip_and_reject_bad_points() {
		let g = (ark_bn254::G1Projective::generator() * Fr::from(7u64)).into_affine();
		assert_eq!(g1_from_bytes(&g1_to_bytes(&g)), Some(g));
		assert_eq!(g1_from_bytes(&[0u8; 64]), Some(G1Affine::identity()));
		let mut off = g1_to_bytes(&g);
		off[63] ^= 1;
		assert_eq!(g1_from_bytes(&off), None);
		let h = (ark_bn254::G2Projective::generator() * Fr::from(9u64)).into_affine();
		assert_eq!(g2_from_bytes(&g2_to_bytes(&h)), Some(h));
		let mut off = g2_to_bytes(&h);
		off[127] ^= 1;
		assert_eq!(g2_from_bytes(&off), None);
	}

	#[test]
	fn lazy_combination_equals_the_direct_one() {
		let g = ark_bn254::G1Projective::generator();
		let (p, q) = ((g * Fr::from(3u64)).into_affine(), (g * Fr::from(5u64)).into_affine());
		// ((p·2 + q)·3) = 6p + 3q = 33g
		let mut acc = LazyG1::point(p);
		acc.scale(Fr::from(2u64));
		acc.add(&LazyG1::point(q));
		acc.scale(Fr::from(3u64));
		let (b, s): (Vec<_>, Vec<_>) = acc.terms.iter().copied().unzip();
		assert_eq!(Pure.msm_g1(&b, &s), (g * Fr::from(33u64)).into_affine());
	}
}
