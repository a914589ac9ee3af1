//! The pairing's input (pairing_input_computations and the contract's final step): each
//! set's commitments folded with ζ like its evaluations were, the sets folded with ν and
//! their coefficients, then
//!
//! lhs = Σ (sets) − r_eval·G1 − vanishing_0·W + μ·W',  rhs = W',
//!
//! checked as e(lhs, [1]₂)·e(rhs, −[τ]₂) = 1. The combinations stay symbolic ([`LazyG1`]):
//! [`super::verify`] evaluates lhs with one MSM.
//!
//! This stage also closes the checks on the VKA's layout: the commitments it reads against
//! num_fixed_comms, the PCS section's end against the rescaling section, and W and W' against
//! the proof's last two points.

use ark_bn254::G1Affine;

use super::{layout::theta, machine::Machine};
use crate::{
	curve::{g1_from_words, LazyG1},
	vka::{header, BASE},
	word::Word,
	Error,
};

/// Where a commitment of a set is: in the VKA, in the proof, or the quotient computed from
/// the proof's pieces.
const LOCATION_VKA: u64 = 0;
const LOCATION_PROOF: u64 = 1;
const LOCATION_QUOTIENT: u64 = 2;

impl Machine<'_> {
	/// pairing_input_computations: a header (its first byte counts its words) with [set
	/// coefficients: 16], the W/W' word (80 bits) and a byte per set (its words' bytes), then
	/// each set's words ([`Self::set_commitment`]). Returns (lhs, W').
	pub(super) fn pairing_input_computations(
		&mut self,
		mut pcs_ptr: Word,
		nu: Word,
	) -> Result<(LazyG1, G1Affine), Error> {
		let mut nu_acc = nu.to_fr();
		let mut meta = self.mload(pcs_ptr)?;
		let end = pcs_ptr.add(Word::from_u64(0x20 * meta.low8()));
		meta = meta.shr(8);
		let mut set_coeff = self.scratch(meta.low16());
		meta = meta.shr(16);
		let w_ptrs = meta.mask(80);
		meta = meta.shr(80);
		let mut i = pcs_ptr;
		pcs_ptr = end;
		// The first set's combination is the accumulator (the contract's at vka_end), each
		// other set's (at vka_end + 0x80) is scaled by its coefficient and νʲ and added to it.
		let mut lhs = LazyG1::default();
		let mut first = true;
		let mut sets = 0;
		while i < end {
			while !meta.is_zero() {
				self.step(1)?;
				sets += 1;
				let len = meta.low8();
				meta = meta.shr(8);
				let data = self.mload(pcs_ptr)?;
				if first {
					first = false;
					lhs = self.set_commitment(len, pcs_ptr, data)?;
					pcs_ptr = pcs_ptr.add_u64(len);
					continue;
				}
				let mut set = self.set_commitment(len, pcs_ptr, data)?;
				pcs_ptr = pcs_ptr.add_u64(len);
				let s = nu_acc * self.mload(set_coeff)?.to_fr();
				self.step(set.len() as u64)?;
				set.scale(s);
				set_coeff = set_coeff.add_u64(0x20);
				lhs.add(&set);
				nu_acc *= nu.to_fr();
			}
			meta = self.mload(i.add_u64(0x20))?;
			i = i.add_u64(0x20);
		}
		self.check_one_per_set(sets)?;
		self.check_vka_commitments()?;
		// What follows the PCS section is the rescaling section, which verification does not read.
		if pcs_ptr != Word::from_u64(self.vka.pcs_end) {
			return Err(Error::Vka("the PCS section does not end where the rescaling begins"));
		}
		self.opening(lhs, w_ptrs)
	}

	/// pairing_input_computations(_first): one set's commitments, Horner in ζ. `data` (its
	/// first word) starts with the first commitment's x and y pointers, then groups of
	/// [location: 8][count: 8] and their pointers, over `len` bytes of words.
	fn set_commitment(
		&mut self,
		len: u64,
		mut pcs_ptr: Word,
		mut data: Word,
	) -> Result<LazyG1, Error> {
		let zeta = self.load_theta(theta::ZETA)?.to_fr();
		let mut combination = self.proof_commitment(data.low16(), data.shr(16).low16())?;
		data = data.shr(32);
		let mut i = 0u64;
		while i < len {
			while !data.is_zero() {
				self.step(1)?;
				let location = data.low8();
				data = data.shr(8);
				let count = data.low8();
				data = data.shr(8);
				let push =
					|m: &mut Self, p: LazyG1, combination: &mut LazyG1| -> Result<(), Error> {
						m.step(1 + combination.len() as u64)?;
						combination.scale(zeta);
						combination.add(&p);
						Ok(())
					};
				let point = |m: &mut Self, location: u64, x: u64, y: u64| {
					if location == LOCATION_VKA {
						m.vka_commitment(x, y)
					} else {
						m.proof_commitment(x, y)
					}
				};
				// ezkl writes a count of 1 or 2 points, or 0 for a run of 3 or more, and the
				// quotient alone.
				match (location, count) {
					(LOCATION_VKA | LOCATION_PROOF, 0) => {
						let mut mptr = data.low16();
						data = data.shr(16);
						let end = data.low16();
						if mptr <= end || !(mptr - end).is_multiple_of(0x40) {
							return Err(Error::Vka("a malformed run of commitments"));
						}
						while end < mptr {
							let p = point(self, location, mptr, mptr + 0x20)?;
							push(self, p, &mut combination)?;
							mptr -= 0x40;
						}
						data = data.shr(16);
					},
					(LOCATION_VKA | LOCATION_PROOF, 1 | 2) => {
						for n in 0..count {
							if n == 1 {
								data = data.shr(32);
							}
							let p = point(self, location, data.low16(), data.shr(16).low16())?;
							push(self, p, &mut combination)?;
						}
						data = data.shr(32);
					},
					(LOCATION_QUOTIENT, 1) => {
						let q = self.quotient.clone();
						push(self, q, &mut combination)?;
					},
					_ => return Err(Error::Vka("a malformed commitment group")),
				}
			}
			pcs_ptr = pcs_ptr.add_u64(0x20);
			data = self.mload(pcs_ptr)?;
			i += 0x20;
		}
		Ok(combination)
	}

	/// ezkl ≥ 22's num_fixed_comms: the VKA's commitments are that many fixed ones, then one
	/// per permutation column. The opening reads the last of them (a permutation column's:
	/// each is opened) and the constants the expressions read follow them.
	fn check_vka_commitments(&self) -> Result<(), Error> {
		if self.vka.phase_table == BASE + 32 * (header::NUM_FIXED_COMMS as u64 + 1) {
			let fixed = self.vka.word_u64(header::NUM_FIXED_COMMS);
			let end = self.vka_commitments.0 + 0x40 * (fixed + self.permutation_columns);
			if self.last_vka_commitment + 0x40 != end || self.first_constant < end {
				return Err(Error::Vka("num_fixed_comms does not match the commitments used"));
			}
		}
		Ok(())
	}

	/// The opening's terms after the sets': −r_eval·G1, −vanishing_0·W and μ·W'. `w_ptrs` is
	/// [W: x 16, y 16][vanishing_0: 16][W': x 16, y 16], which must be the proof's last two
	/// points and the slot vanishing_computations declared.
	fn opening(&mut self, mut lhs: LazyG1, mut w_ptrs: Word) -> Result<(LazyG1, G1Affine), Error> {
		// W and W' are the proof's last two points, after the evaluations.
		let w_at = self.proof_evals.1;
		if w_ptrs.low16() != w_at || w_ptrs.shr(16).low16() != w_at + 0x20 {
			return Err(Error::Vka("W is not where the proof has it"));
		}
		if w_ptrs.shr(48).low16() != w_at + 0x40 || w_ptrs.shr(64).low16() != w_at + 0x60 {
			return Err(Error::Vka("W' is not where the proof has it"));
		}
		if w_ptrs.shr(32).low16() != self.pcs.vanishing_0 {
			return Err(Error::Vka("W's factor is not vanishing_0"));
		}
		// −r_eval·G1
		let r_eval = self.load_theta(theta::R_EVAL)?.to_fr();
		lhs.terms.push((self.vka.g1, -r_eval));
		// −vanishing_0·W
		let w = self.calldata_point(
			Word::from_u64(w_ptrs.low16()),
			Word::from_u64(w_ptrs.shr(16).low16()),
		)?;
		w_ptrs = w_ptrs.shr(32);
		let vanishing = self.load_scratch(w_ptrs.low16())?.to_fr();
		w_ptrs = w_ptrs.shr(16);
		for (p, c) in w.terms {
			lhs.terms.push((p, -(c * vanishing)));
		}
		// μ·W'
		let wx = self.calldata_load(Word::from_u64(w_ptrs.low16()));
		let wy = self.calldata_load(Word::from_u64(w_ptrs.shr(16).low16()));
		let w_prime = g1_from_words(wx, wy).ok_or(Error::Proof("W' is not on the curve"))?;
		let mu = self.load_theta(theta::MU)?.to_fr();
		lhs.terms.push((w_prime, mu));
		Ok((lhs, w_prime))
	}
}
