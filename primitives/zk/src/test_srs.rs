//! A *test* SRS: KZG parameters made from a secret τ that everyone knows, because it is derived
//! from a public seed. Anyone can forge proofs for a VKA made with it, so no production network
//! may trust it; development chains do, so that the devnet's circuits are made with the same
//! SRS on every machine and the dev presets can name its G2 points ([`srs_g2`]).
//!
//! [`write_params`] writes the file ezkl's `setup` and `prove` read: halo2's `ParamsKZG` in its
//! raw format (`k` as a little-endian u32; 2^k G1 powers `[τ^i]₁`; 2^k G1 Lagrange points
//! `[L_i(τ)]₁` over the domain of 2^k-th roots of unity; `[1]₂`; `[τ]₂`; coordinates as four
//! little-endian Montgomery limbs, x then y, an Fq2 as c0 then c1). It is what
//! `ezkl.gen_srs` writes, with a chosen τ instead of a random one.

#[cfg(feature = "std")]
use ark_bn254::{Fq, Fq2, G1Affine, G1Projective};
use ark_bn254::{Fr, G2Affine};
#[cfg(feature = "std")]
use ark_ec::PrimeGroup;
use ark_ec::{AffineRepr, CurveGroup};
#[cfg(feature = "std")]
use ark_ff::AdditiveGroup;
use ark_ff::{Field, PrimeField, Zero};

use crate::curve::g2_to_bytes;

/// The seed of the devnet's test SRS. Its secret is public: never trust it on a real network.
pub const DEVNET_SEED: &[u8] = b"aos/zk/test-srs: devnet, the secret is public, never trust it";

/// The largest `k` of a test SRS (2^20 rows).
pub const MAX_K: u32 = 20;

/// halo2curves' 2^28-th root of unity of the BN254 scalar field (7^((r-1)/2^28)), whose powers
/// halo2's evaluation domains use.
#[cfg(feature = "std")]
const ROOT_OF_UNITY_BE: [u8; 32] = [
	0x03, 0xdd, 0xb9, 0xf5, 0x16, 0x6d, 0x18, 0xb7, 0x98, 0x86, 0x5e, 0xa9, 0x3d, 0xd3, 0x1f, 0x74,
	0x32, 0x15, 0xcf, 0x6d, 0xd3, 0x93, 0x29, 0xc8, 0xd3, 0x4f, 0x1e, 0xd9, 0x60, 0xc3, 0x7c, 0x9c,
];

/// The secret τ of the test SRS made from `seed`.
pub fn tau(seed: &[u8]) -> Fr {
	let half = |tag: &[u8]| {
		let mut data = alloc::vec::Vec::from(seed);
		data.extend_from_slice(tag);
		sp_crypto_hashing::blake2_256(&data)
	};
	let wide = [half(b"/0"), half(b"/1")].concat();
	let t = Fr::from_le_bytes_mod_order(&wide);
	// Zero (or a root of unity, with probability ~2^-230) would make a degenerate SRS.
	if t.is_zero() {
		Fr::ONE
	} else {
		t
	}
}

/// The G2 points a VKA made with the test SRS of `seed` carries ([`crate::Vka::srs_g2`]):
/// `[1]₂` and `−[τ]₂`, in the EVM precompile's order.
pub fn srs_g2(seed: &[u8]) -> [u8; 256] {
	let g2 = G2Affine::generator();
	let neg_s_g2 = (g2 * tau(seed)).into_affine();
	let neg_s_g2 = -neg_s_g2;
	let mut out = [0u8; 256];
	out[..128].copy_from_slice(&g2_to_bytes(&g2));
	out[128..].copy_from_slice(&g2_to_bytes(&neg_s_g2));
	out
}

/// The 2^k-th root of unity halo2 uses for a domain of 2^k rows.
#[cfg(feature = "std")]
fn omega(k: u32) -> Fr {
	let mut w = Fr::from_be_bytes_mod_order(&ROOT_OF_UNITY_BE);
	for _ in k..28 {
		w.square_in_place();
	}
	w
}

/// An Fq as halo2curves writes it raw: its Montgomery form's four limbs, little-endian.
#[cfg(feature = "std")]
fn fq_raw(x: &Fq) -> [u8; 32] {
	let mut out = [0u8; 32];
	for (chunk, limb) in out.chunks_mut(8).zip(x.0 .0.iter()) {
		chunk.copy_from_slice(&limb.to_le_bytes());
	}
	out
}

#[cfg(feature = "std")]
fn write_g1<W: std::io::Write>(w: &mut W, p: &G1Affine) -> std::io::Result<()> {
	match p.xy() {
		Some((x, y)) => {
			w.write_all(&fq_raw(&x))?;
			w.write_all(&fq_raw(&y))
		},
		None => w.write_all(&[0u8; 64]),
	}
}

#[cfg(feature = "std")]
fn write_g2<W: std::io::Write>(w: &mut W, p: &G2Affine) -> std::io::Result<()> {
	let (x, y) = p.xy().unwrap_or((Fq2::ZERO, Fq2::ZERO));
	for c in [x.c0, x.c1, y.c0, y.c1] {
		w.write_all(&fq_raw(&c))?;
	}
	Ok(())
}

/// Writes the test SRS of `seed` for circuits of up to 2^`k` rows, in the format ezkl reads.
#[cfg(feature = "std")]
pub fn write_params<W: std::io::Write>(seed: &[u8], k: u32, w: &mut W) -> std::io::Result<()> {
	if k == 0 || k > MAX_K {
		return Err(std::io::Error::other(format!("k must be 1 to {MAX_K}, not {k}")));
	}
	let n = 1usize << k;
	let t = tau(seed);
	let g1 = G1Projective::generator();
	// [τ^i]₁
	let mut powers = Vec::with_capacity(n);
	let mut p = Fr::ONE;
	for _ in 0..n {
		powers.push(p);
		p *= t;
	}
	// [L_i(τ)]₁, L_i(τ) = ω^i (τ^n − 1) / (n (τ − ω^i)).
	let w_k = omega(k);
	let n_inv = Fr::from(n as u64).inverse().ok_or_else(|| std::io::Error::other("n = 0"))?;
	let common = (t.pow([n as u64]) - Fr::ONE) * n_inv;
	let mut omegas = Vec::with_capacity(n);
	let mut denominators = Vec::with_capacity(n);
	let mut wi = Fr::ONE;
	for _ in 0..n {
		omegas.push(wi);
		denominators.push(t - wi);
		wi *= w_k;
	}
	ark_ff::batch_inversion(&mut denominators);
	let lagrange: Vec<Fr> =
		omegas.iter().zip(&denominators).map(|(wi, d)| *wi * common * d).collect();
	let to_points = |scalars: &[Fr]| {
		let projective: Vec<G1Projective> = scalars.iter().map(|s| g1 * s).collect();
		G1Projective::normalize_batch(&projective)
	};
	w.write_all(&k.to_le_bytes())?;
	for point in to_points(&powers) {
		write_g1(w, &point)?;
	}
	for point in to_points(&lagrange) {
		write_g1(w, &point)?;
	}
	let g2 = G2Affine::generator();
	write_g2(w, &g2)?;
	write_g2(w, &(g2 * t).into_affine())?;
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_root_of_unity_has_order_two_to_the_28() {
		let w = omega(28);
		let mut x = w;
		for _ in 0..27 {
			x.square_in_place();
		}
		assert_eq!(x, -Fr::ONE, "w^(2^27) = -1");
		assert_eq!(x.square(), Fr::ONE);
	}

	#[test]
	fn the_generator_is_written_in_montgomery_form() {
		// halo2curves' raw encoding of (1, 2): Montgomery(1) and Montgomery(2).
		let mut out = Vec::new();
		write_g1(&mut out, &G1Affine::generator()).unwrap();
		let expected = "9d0d8fc58d435dd33d0bc7f528eb780a2c4679786fa36e662fdf079ac1770a0e\
		                3a1b1e8b1b87baa67b168eeb51d6f114588cf2f0de46ddcc5ebe0f3483ef141c";
		let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
		assert_eq!(hex, expected);
	}

	#[test]
	fn lagrange_points_interpolate_the_powers() {
		// Σ_i L_i(τ)·ω^(ij) = τ^j: the Lagrange basis reproduces each power.
		let k = 3;
		let n = 1usize << k;
		let t = tau(b"test");
		let w = omega(k);
		let common = (t.pow([n as u64]) - Fr::ONE) * Fr::from(n as u64).inverse().unwrap();
		let l: Vec<Fr> = (0..n)
			.map(|i| {
				let wi = w.pow([i as u64]);
				wi * common * (t - wi).inverse().unwrap()
			})
			.collect();
		for j in 0..n {
			let sum: Fr = (0..n).map(|i| l[i] * w.pow([(i * j) as u64])).sum();
			assert_eq!(sum, t.pow([j as u64]), "power {j}");
		}
		let mut file = Vec::new();
		write_params(b"test", k, &mut file).unwrap();
		assert_eq!(file.len(), 4 + 128 * n + 256);
		assert_eq!(&file[..4], &k.to_le_bytes());
	}
}
