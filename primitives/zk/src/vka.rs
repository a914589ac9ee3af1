//! ezkl's verifying artifact (VKA): what `create_evm_vka` writes, parsed and checked.
//!
//! The file is bincode's `Vec<[u8; 32]>`: a little-endian `u64` word count, then the words, each
//! a big-endian EVM word. Word `i` sits at EVM memory address `0xa0 + 32·i` in the reusable
//! verifier, and every pointer the VKA holds uses that numbering. The first words are named
//! constants ([`header`], docs/research/ezkl-vka.md §1.3); the rest (commitments, constants,
//! the gate, permutation, lookup and PCS programs) is reached through pointers.

use alloc::vec::Vec;
use ark_bn254::{G1Affine, G2Affine};

use crate::{
	curve::{g1_from_words, g2_from_words, g2_on_curve_from_words},
	word::{Word, FR_MODULUS},
	Error,
};

/// Address of word 0.
pub const BASE: u64 = 0xa0;
/// The largest VKA the verifier takes, in words: every pointer it holds is 16 bits wide, so a
/// bigger artifact cannot be addressed.
pub const MAX_WORDS: usize = 2048;
/// The largest circuit: 2^28 rows (BN254's two-adicity bounds it anyway).
pub const MAX_K: u64 = 28;

/// The VKA's header: its named constants, as word indices (word `i` is at memory address
/// `BASE + 32·i`). Names and meanings are those of ezkl's `dummy_vka_constants`
/// (docs/research/ezkl-vka.md §1.3).
pub(crate) mod header {
	/// halo2's transcript representation of the verifying key: the transcript's first input.
	pub const VK_DIGEST: usize = 0;
	/// Free static memory size: the challenges start `fsm` bytes after the VKA's end.
	pub const FSM: usize = 1;
	pub const NUM_INSTANCES: usize = 2;
	/// The number of evaluations in the proof.
	pub const NUM_EVALS: usize = 3;
	/// The bytes of user challenges before theta (`theta_mptr = vka_end + fsm + this`).
	pub const CHALLENGES_OFFSET: usize = 4;
	/// log2 of the circuit's rows.
	pub const K: usize = 5;
	/// 1/2^k mod r.
	pub const N_INV: usize = 6;
	/// ω, the generator of the evaluation domain.
	pub const OMEGA: usize = 7;
	/// ω⁻¹.
	pub const OMEGA_INV: usize = 8;
	/// ω^-l, l = `NUM_NEG_LAGRANGES` (the blinding factors + 1).
	pub const OMEGA_INV_TO_L: usize = 9;
	pub const HAS_ACCUMULATOR: usize = 10;
	/// acc_offset, num_acc_limbs, num_acc_limb_bits: 0 without an accumulator.
	pub const ACCUMULATOR_ENCODING: [usize; 3] = [11, 12, 13];
	/// The SRS's G1 generator (x, then y).
	pub const G1_X: usize = 14;
	/// `[1]₂`, four words in the EVM precompile's order.
	pub const G2: usize = 16;
	/// `−[τ]₂`, likewise.
	pub const NEG_S_G2: usize = 20;
	/// Calldata pointers of the last and the first quotient piece's x.
	pub const LAST_QUOTIENT_X_CPTR: usize = 24;
	pub const FIRST_QUOTIENT_X_CPTR: usize = 25;
	/// Memory addresses of the sections' first words: gates, permutation, lookups, PCS and
	/// rescaling, in that order in the VKA.
	pub const GATE_LEN_OFFSET: usize = 26;
	pub const PERMUTATION_LEN_OFFSET: usize = 27;
	pub const LOOKUP_LEN_OFFSET: usize = 28;
	pub const PCS_LEN_OFFSET: usize = 29;
	pub const RESCALING_LEN_OFFSET: usize = 30;
	/// l = |rotation_last|, the blinding factors + 1: the Lagrange bases at ω^-l … ω^-1.
	pub const NUM_NEG_LAGRANGES: usize = 31;
	/// `num_fixed_comms` in ezkl ≥ 22's layout, where the phase table follows it; older layouts
	/// start the phase table here instead (told apart by [`NUM_FIXED_COMMS_BELOW`]).
	pub const NUM_FIXED_COMMS: usize = 32;
	/// A `NUM_FIXED_COMMS` word is a small count; a phase table's first word is at least 0x4001
	/// (its first bytes count words and phase-0 advices).
	pub const NUM_FIXED_COMMS_BELOW: u64 = 0x4000;
}

/// A parsed, checked VKA.
#[derive(Clone, Debug)]
pub struct Vka {
	pub(crate) words: Vec<Word>,
	/// Address of the phase table (`num_advices_user_challenges_0`).
	pub(crate) phase_table: u64,
	pub(crate) g1: G1Affine,
	pub(crate) g2: G2Affine,
	pub(crate) neg_s_g2: G2Affine,
	/// Where the PCS section ends and ezkl's rescaling section begins (see [`pcs_end`]).
	pub(crate) pcs_end: u64,
}

impl Vka {
	/// Parses ezkl's `vka.bin` and checks what can be checked without a proof: framing, the
	/// layout version, the curve points and the bounds of the named constants.
	pub fn parse(bytes: &[u8]) -> Result<Vka, Error> {
		Self::parse_with(bytes, true)
	}

	/// [`Vka::parse`] for bytes that it accepted before — the runtime's registered VKAs, stored
	/// under the hash of their bytes — without the two G2 subgroup checks, most of a parse's
	/// time. Every other check still runs, and the points must still be on the curve.
	pub fn parse_registered(bytes: &[u8]) -> Result<Vka, Error> {
		Self::parse_with(bytes, false)
	}

	fn parse_with(bytes: &[u8], subgroup_checks: bool) -> Result<Vka, Error> {
		let (count, body) =
			bytes.split_at_checked(8).ok_or(Error::Vka("shorter than its count"))?;
		let count = u64::from_le_bytes(count.try_into().map_err(|_| Error::Vka("count"))?);
		if count > MAX_WORDS as u64 {
			return Err(Error::Vka("more words than 16-bit pointers can address"));
		}
		if body.len() as u64 != count * 32 {
			return Err(Error::Vka("length does not match its word count"));
		}
		let words: Vec<Word> = body
			.chunks_exact(32)
			.map(|c| Word::from_be(c.try_into().unwrap_or(&[0; 32])))
			.collect();
		if words.len() < 40 {
			return Err(Error::Vka("too few words for the constants"));
		}
		let w = |i: usize| words.get(i).copied().unwrap_or_default();
		// ezkl ≥ 22 stores num_fixed_comms in word 32, a small count; older versions put the
		// packed phase table there, whose first bytes make it at least 0x4001.
		let phase_word = if w(header::NUM_FIXED_COMMS) < header::NUM_FIXED_COMMS_BELOW {
			header::NUM_FIXED_COMMS + 1
		} else {
			header::NUM_FIXED_COMMS
		};
		let phase_table = BASE + 32 * phase_word as u64;
		if w(header::HAS_ACCUMULATOR) != 0u64 {
			return Err(Error::Unsupported("aggregation (accumulator) proofs"));
		}
		if header::ACCUMULATOR_ENCODING.iter().any(|&i| w(i) != 0u64) {
			return Err(Error::Vka("an accumulator encoding without an accumulator"));
		}
		if w(header::K) > MAX_K || w(header::K) == 0u64 {
			return Err(Error::Vka("k out of range"));
		}
		for i in [
			header::VK_DIGEST,
			header::N_INV,
			header::OMEGA,
			header::OMEGA_INV,
			header::OMEGA_INV_TO_L,
		] {
			if w(i) >= FR_MODULUS {
				return Err(Error::Vka("a scalar constant is not below r"));
			}
		}
		// The program and scratch pointers must stay inside 16-bit addressing.
		let vka_end = BASE + 32 * words.len() as u64;
		for i in [
			header::FSM,
			header::NUM_INSTANCES,
			header::NUM_EVALS,
			header::CHALLENGES_OFFSET,
			header::NUM_NEG_LAGRANGES,
		] {
			if w(i) > 0xffffu64 {
				return Err(Error::Vka("a size constant is out of range"));
			}
		}
		for i in header::LAST_QUOTIENT_X_CPTR..=header::RESCALING_LEN_OFFSET {
			let p = w(i).as_u64().filter(|p| *p <= 0xffff);
			let p = p.ok_or(Error::Vka("pointer out of range"))?;
			let word = (BASE..vka_end).contains(&p) && (p - BASE).is_multiple_of(32);
			if i >= header::GATE_LEN_OFFSET && !word {
				return Err(Error::Vka("program pointer outside the VKA's words"));
			}
		}
		let pcs_end = pcs_end(&words).ok_or(Error::Vka("the PCS section runs past the VKA"))?;
		// What follows is ezkl's rescaling section, its first byte counting its words: the VKA
		// ends with it, and with nothing else.
		let rescaling = ((pcs_end - BASE) / 32) as usize;
		if words.get(rescaling).map(|r| r.low8() as usize) != words.len().checked_sub(rescaling) {
			return Err(Error::Vka("the PCS section is not followed by one rescaling section"));
		}
		let g1 = g1_from_words(w(header::G1_X), w(header::G1_X + 1))
			.ok_or(Error::Vka("G1 generator"))?;
		let g2_at = |i: usize| {
			let words = [w(i), w(i + 1), w(i + 2), w(i + 3)];
			if subgroup_checks {
				g2_from_words(words)
			} else {
				g2_on_curve_from_words(words)
			}
		};
		let g2 = g2_at(header::G2).ok_or(Error::Vka("G2 generator"))?;
		let neg_s_g2 = g2_at(header::NEG_S_G2).ok_or(Error::Vka("-s·G2"))?;
		Ok(Vka { words, phase_table, g1, g2, neg_s_g2, pcs_end })
	}

	/// The number of words.
	pub fn len(&self) -> usize {
		self.words.len()
	}

	pub fn is_empty(&self) -> bool {
		self.words.is_empty()
	}

	/// Word `i` as a `u64`: 0 if it is wider (the header's sizes and pointers, bounded by
	/// [`Vka::parse`]).
	pub(crate) fn word_u64(&self, i: usize) -> u64 {
		self.words.get(i).and_then(|w| w.as_u64()).unwrap_or(0)
	}

	/// How many public instances a proof carries.
	pub fn num_instances(&self) -> u32 {
		self.word_u64(header::NUM_INSTANCES) as u32
	}

	/// log2 of the circuit's rows.
	pub fn k(&self) -> u32 {
		self.word_u64(header::K) as u32
	}

	/// The proof's length in bytes that this VKA implies: the commitments up to the last
	/// quotient piece, the evaluations, and the two SHPLONK opening points.
	pub fn proof_len(&self) -> u64 {
		let last = self.word_u64(header::LAST_QUOTIENT_X_CPTR);
		(last + 0x40).saturating_sub(crate::verify::PROOF_CPTR)
			+ 32 * self.word_u64(header::NUM_EVALS)
			+ 0x80
	}

	/// halo2's transcript representation of the verifying key (the transcript's first input).
	pub fn vk_digest(&self) -> [u8; 32] {
		self.words.first().copied().unwrap_or_default().to_be()
	}

	/// The KZG G2 points of the SRS the VKA was made with: [1]₂ and −[τ]₂, 128 bytes each in
	/// the EVM precompile's order (words 16 to 23). Whoever knows τ can forge proofs for any
	/// VKA with these points, so a chain accepts VKAs only for an SRS it trusts.
	pub fn srs_g2(&self) -> [u8; 256] {
		let mut out = [0u8; 256];
		for (chunk, word) in out.chunks_mut(32).zip(self.words.iter().skip(header::G2).take(8)) {
			chunk.copy_from_slice(&word.to_be());
		}
		out
	}

	/// The words the verifier reads: everything before the rescaling section (which only
	/// tells an EVM caller how to display instances as decimals).
	pub fn verified_words(&self) -> usize {
		((self.pcs_end - BASE) / 32) as usize
	}
}

/// Where the PCS section ends, from its sub-sections' own counts, advancing as the verifier's
/// walk through them does (`verify::pcs`, which checks that it stops here).
/// Not `rescaling_computations_len_offset` (word 30): ezkl 23.0.5 sets that from a draft of
/// the PCS section, four words short in every VKA we have, and nothing reads it.
fn pcs_end(words: &[Word]) -> Option<u64> {
	let word = |p: u64| -> Option<Word> {
		let i = p.checked_sub(BASE)?;
		if !i.is_multiple_of(32) {
			return None;
		}
		words.get(usize::try_from(i / 32).ok()?).copied()
	};
	// A header of n words (n its first byte) packing a byte per item after `skip` bits, each
	// word read until what is left of it is 0; the items follow it, `size(byte, at)` bytes each.
	let items = |p: u64, skip: u64, size: &dyn Fn(u64, u64) -> Option<u64>| -> Option<u64> {
		let header = word(p)?;
		let n = header.low8();
		let mut at = p.checked_add(0x20 * n)?;
		let mut rest = header.shr(skip);
		for k in 0..n {
			if k > 0 {
				rest = word(p + 0x20 * k)?;
			}
			while !rest.is_zero() {
				at = at.checked_add(size(rest.low8(), at)?)?;
				rest = rest.shr(8);
			}
		}
		Some(at)
	};
	// point_computations: a word of positive rotations, a word of x and the negative ones.
	let mut p = word(BASE + 32 * header::PCS_LEN_OFFSET as u64)?.as_u64()?.checked_add(0x40)?;
	// vanishing_computations: a header and its num_words more, then (in the header itself
	// when there are none) the word with the number of sets, then a word per set.
	let header = word(p)?;
	let num_words = header.shr(48).low8();
	p += 0x20 * num_words;
	let sets = if num_words == 0 { header.shr(72) } else { word(p)? }.shr(16).low16();
	p += 0x20 * (1 + sets);
	// coeff_computations: a word per set.
	p = items(p, 8, &|_, _| Some(0x20))?;
	// normalized_coeff_computations: a word.
	p += 0x20;
	// r_evals_computations: per set, the words its first byte counts.
	p = items(p, 40, &|_, at| Some(0x20 * word(at)?.low8()))?;
	// coeff_sums_computation: the header only.
	p = p.checked_add(0x20 * word(p)?.low8())?;
	// r_eval_computations: a word.
	p += 0x20;
	// pairing_input_computations: per set, the bytes its length gives.
	items(p, 104, &|len, _| Some(len))
}
