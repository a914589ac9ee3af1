//! The PCS section: SHPLONK's multi-opening, up to the combined evaluation.
//!
//! The polynomials are opened in rotation sets (the rotations they are queried at). With the
//! points x·ωʳ of every rotation, μ the opening point, and per set its vanishing product (of
//! μ − the points it is *not* queried at), the sub-sections compute, in order:
//!
//! 1. point_computations: the points, from x, ω and ω⁻¹;
//! 2. vanishing_computations: the μ − points, vanishing_0 (the first set's own rotations) and
//!    each set's vanishing product (diff);
//! 3. coeff_computations: each set's Lagrange coefficients at μ;
//! 4. normalized_coeff_computations: the coefficients inverted, the diffs divided by diff_0
//!    (one batch inversion);
//! 5. r_evals_computations: each set's interpolated evaluation at μ, its polynomials folded
//!    with ζ;
//! 6. coeff_sums_computation, r_eval_computation: those folded with ν into r_eval;
//! 7. pairing_input_computations ([`super::pairing`]): the commitments, folded the same way.
//!
//! The VKA encodes each sub-section as packed pointers into scratch. [`PcsLayout`] records
//! what the first sub-sections declare, so that every later one is checked to follow it: one
//! entry per set, pointers into the right region, each slot written once.

use alloc::vec::Vec;
use ark_bn254::G1Affine;

use super::{
	layout::{scratch, theta},
	machine::Machine,
};
use crate::{
	curve::LazyG1,
	vka::header,
	word::{addmod, mulmod, submod, Word},
	Error,
};

/// The PCS section's shape as its first sub-sections declare it, which the later ones must
/// follow: one entry per rotation set everywhere, and pointers into the right scratch.
#[derive(Default)]
pub(super) struct PcsLayout {
	/// The number of sets (vanishing_computations).
	pub(super) sets: u64,
	/// The number of rotations of each set (coeff_computations).
	rotations: Vec<u64>,
	/// The points and the μ − points, `[start, end)` offsets from vka_end, slot i of one
	/// for slot i of the other (at most 64).
	points: (u64, u64),
	mu_minus: (u64, u64),
	/// The point slots written so far, a bit each.
	points_written: u64,
	/// Each set's vanishing product: the μ − points of the rotations it lacks, a bit each.
	diffs: Vec<u64>,
	/// Where vanishing_0 (the product for the first set's own rotations) is.
	pub(super) vanishing_0: u64,
	/// The next coefficient: they are consecutive from vka_end + 0x20.
	next_coeff: u64,
}

impl PcsLayout {
	/// All the slots of the points region, a bit each.
	fn all_slots(&self) -> u64 {
		let n = self.mu_minus.1.saturating_sub(self.mu_minus.0) / 0x20;
		if n >= 64 {
			u64::MAX
		} else {
			(1 << n) - 1
		}
	}

	/// The bit of a μ − point slot.
	fn mu_minus_bit(&self, p: u64) -> Option<u64> {
		let (start, end) = self.mu_minus;
		let d = p.checked_sub(start)?;
		(p < end && d.is_multiple_of(0x20)).then(|| 1u64 << (d / 0x20))
	}
}

impl Machine<'_> {
	/// The PCS section: SHPLONK's points, vanishing products, coefficients, the combined
	/// evaluation and the pairing's left input. Returns (lhs, rhs = W').
	pub(super) fn pairing_input(&mut self) -> Result<(LazyG1, G1Affine), Error> {
		let pcs_ptr = self.header_word(header::PCS_LEN_OFFSET)?;
		let pcs_ptr = self.point_computations(pcs_ptr)?;
		let pcs_ptr = self.vanishing_computations(pcs_ptr)?;
		let pcs_ptr = self.coeff_computations(pcs_ptr)?;
		let pcs_ptr = self.normalized_coeff_computations(pcs_ptr)?;
		let pcs_ptr = self.r_evals_computations(pcs_ptr)?;
		let pcs_ptr = self.coeff_sums_computation(pcs_ptr)?;
		let (pcs_ptr, nu) = self.r_eval_computation(pcs_ptr)?;
		self.pairing_input_computations(pcs_ptr, nu)
	}

	/// point_computations: a word of the positive rotations' slots, x·ω, x·ω², … (after a
	/// byte counting them), then a word with x's slot and the negative rotations', x·ω⁻¹, …
	/// The region is laid out by vanishing_computations' header, two words on: the points and
	/// the μ − points, two disjoint runs of the same length, at most 64 slots.
	fn point_computations(&mut self, mut pcs_ptr: Word) -> Result<Word, Error> {
		let regions = self.mload(pcs_ptr.add_u64(0x40))?;
		let (m0, m1, p0) = (regions.low16(), regions.shr(16).low16(), regions.shr(32).low16());
		let size = m1.saturating_sub(m0);
		let overlap = p0 < m1 && m0 < p0 + size;
		if size == 0 || !size.is_multiple_of(0x20) || size > 0x20 * 64 || overlap {
			return Err(Error::Vka("a malformed points region"));
		}
		self.pcs.mu_minus = (m0, m1);
		self.pcs.points = (p0, p0 + size);
		let slots = self.mload(pcs_ptr)?;
		let x = self.load_theta(theta::X)?;
		let omega = self.header_word(header::OMEGA)?;
		let omega_inv = self.header_word(header::OMEGA_INV)?;
		let p = self.point_rotations(slots, pcs_ptr, 8, mulmod(x, omega), omega)?;
		pcs_ptr = p.add_u64(0x20);
		let mut slots = self.mload(pcs_ptr)?;
		self.point_slot(slots.low16())?;
		self.mstore(self.scratch(slots.low16()), x)?;
		slots = slots.shr(16);
		let p = self.point_rotations(slots, pcs_ptr, 24, mulmod(x, omega_inv), omega_inv)?;
		pcs_ptr = p.add_u64(0x20);
		if self.pcs.points_written != self.pcs.all_slots() {
			return Err(Error::Vka("a point slot is not written"));
		}
		Ok(pcs_ptr)
	}

	/// One direction of point_computations: `slots` (after its first `shift` bits) counts the
	/// rotations in a byte, then gives each point's slot in 16 bits, continued on the next
	/// words. Returns the pointer of the last word read.
	fn point_rotations(
		&mut self,
		mut slots: Word,
		mut pcs_ptr: Word,
		mut shift: u64,
		mut xp: Word,
		omega: Word,
	) -> Result<Word, Error> {
		let max_rot = slots.low8();
		slots = slots.shr(8);
		for i in 0..max_rot {
			self.step(1)?;
			// A rotation between the ones queried has no slot (0: the contract writes the point
			// to scratch at vka_end, unread); the last one, the farthest, is queried.
			if slots.low16() != 0 || i == max_rot - 1 {
				self.point_slot(slots.low16())?;
			}
			self.mstore(self.scratch(slots.low16()), xp)?;
			if i == max_rot - 1 {
				break;
			}
			xp = mulmod(xp, omega);
			shift += 16;
			slots = slots.shr(16);
			if shift == 256 {
				shift = 0;
				pcs_ptr = pcs_ptr.add_u64(0x20);
				slots = self.mload(pcs_ptr)?;
			}
		}
		if !(if max_rot == 0 { slots } else { slots.shr(16) }).is_zero() {
			return Err(Error::Vka("unused bits of a point word are set"));
		}
		Ok(pcs_ptr)
	}

	/// Marks a slot point_computations writes: one of the points region, written once.
	fn point_slot(&mut self, p: u64) -> Result<(), Error> {
		let (start, end) = self.pcs.points;
		let bit = match p.checked_sub(start) {
			Some(d) if p < end && d.is_multiple_of(0x20) => 1u64 << (d / 0x20),
			_ => 0,
		};
		if bit == 0 || self.pcs.points_written & bit != 0 {
			return Err(Error::Vka("a point slot outside the points, or written twice"));
		}
		self.pcs.points_written |= bit;
		Ok(())
	}

	/// vanishing_computations: a header [μ − points: start 16, end 16][points: start 16]
	/// [extra words: 8], then vanishing_0's factors (16 bits each, over the extra words), its
	/// slot and the number of sets; then a word per set, its factors.
	fn vanishing_computations(&mut self, mut pcs_ptr: Word) -> Result<Word, Error> {
		let vka_end = self.vka_end;
		let mu = self.load_theta(theta::MU)?;
		let mut factors = self.mload(pcs_ptr)?;
		self.store_scratch(scratch::VANISHING_ONE, Word::from_u64(1))?;
		let mut mptr = Word::from_u64(factors.low16());
		factors = factors.shr(16);
		let end = Word::from_u64(factors.low16());
		factors = factors.shr(16);
		let mut point = Word::from_u64(factors.low16());
		while mptr < end {
			self.step(1)?;
			let v = submod(mu, self.mload(point.add(vka_end))?);
			self.mstore(mptr.add(vka_end), v)?;
			mptr = mptr.add_u64(0x20);
			point = point.add_u64(0x20);
		}
		factors = factors.shr(16);
		let num_words = factors.low8();
		factors = factors.shr(8);
		// vanishing_0's factors: the μ − points of the first set's rotations, each once.
		let mut own = 0u64;
		let mut factor = |pcs: &PcsLayout, p: u64| match pcs.mu_minus_bit(p) {
			Some(bit) if own & bit == 0 => {
				own |= bit;
				Ok(())
			},
			_ => Err(Error::Vka("a vanishing factor is not a μ − point, or repeats")),
		};
		factor(&self.pcs, factors.low16())?;
		let mut s = self.load_scratch(factors.low16())?;
		factors = factors.shr(16);
		for _ in 0..num_words {
			while !factors.is_zero() {
				self.step(1)?;
				factor(&self.pcs, factors.low16())?;
				s = mulmod(s, self.load_scratch(factors.low16())?);
				factors = factors.shr(16);
			}
			pcs_ptr = pcs_ptr.add_u64(0x20);
			factors = self.mload(pcs_ptr)?;
		}
		self.pcs.vanishing_0 = factors.low16();
		let diff_ptr = self.scratch(factors.low16());
		self.mstore(diff_ptr, s)?;
		factors = factors.shr(16);
		let sets = factors.low16();
		if !factors.shr(16).is_zero() {
			return Err(Error::Vka("unused bits of a vanishing word are set"));
		}
		self.pcs.sets = sets;
		self.pcs.next_coeff = scratch::FIRST_COEFF;
		pcs_ptr = self.set_vanishing_products(pcs_ptr.add_u64(0x20), diff_ptr, sets)?;
		if self.pcs.diffs.first().map(|d| self.pcs.all_slots() & !d) != Some(own) {
			return Err(Error::Vka("vanishing_0 is not the first set's vanishing product"));
		}
		Ok(pcs_ptr)
	}

	/// Each set's vanishing product (diff), stored after vanishing_0; the first also as
	/// diff_0.
	fn set_vanishing_products(
		&mut self,
		mut pcs_ptr: Word,
		mut diff_ptr: Word,
		sets: u64,
	) -> Result<Word, Error> {
		let mut factors = self.mload(pcs_ptr)?;
		for i in 0..sets {
			self.step(1)?;
			// The μ − points of the rotations the set lacks, each once, or the 1 at
			// vka_end + 0x20 alone for a set at every rotation.
			let mut lacks = 0u64;
			let mut factor = |pcs: &PcsLayout, p: u64, alone: bool| match pcs.mu_minus_bit(p) {
				Some(bit) if lacks & bit == 0 => {
					lacks |= bit;
					Ok(())
				},
				None if p == scratch::VANISHING_ONE && alone => Ok(()),
				_ => Err(Error::Vka("a set's vanishing factor is not a μ − point, or repeats")),
			};
			factor(&self.pcs, factors.low16(), factors.shr(16).is_zero())?;
			let mut diff = self.load_scratch(factors.low16())?;
			factors = factors.shr(16);
			while !factors.is_zero() {
				self.step(1)?;
				factor(&self.pcs, factors.low16(), false)?;
				diff = mulmod(diff, self.load_scratch(factors.low16())?);
				factors = factors.shr(16);
			}
			self.pcs.diffs.push(lacks);
			diff_ptr = diff_ptr.add_u64(0x20);
			self.mstore(diff_ptr, diff)?;
			if i == 0 {
				self.store_scratch(scratch::DIFF_0, diff)?;
			}
			pcs_ptr = pcs_ptr.add_u64(0x20);
			factors = self.mload(pcs_ptr)?;
		}
		Ok(pcs_ptr)
	}

	/// coeff_computations: a header (its first byte counts its words) with a byte per set,
	/// the set's number of rotations, then a word per set ([`Self::set_coefficients`]).
	fn coeff_computations(&mut self, mut pcs_ptr: Word) -> Result<Word, Error> {
		let mut set_lens = self.mload(pcs_ptr)?;
		let end = pcs_ptr.add(Word::from_u64(0x20 * set_lens.low8()));
		set_lens = set_lens.shr(8);
		let mut i = pcs_ptr;
		pcs_ptr = end;
		while i < end {
			while !set_lens.is_zero() {
				self.step(1)?;
				let set_word = self.mload(pcs_ptr)?;
				set_lens = self.set_coefficients(set_lens, set_word)?;
				pcs_ptr = pcs_ptr.add_u64(0x20);
			}
			set_lens = self.mload(i.add_u64(0x20))?;
			i = i.add_u64(0x20);
		}
		if self.pcs.rotations.len() as u64 != self.pcs.sets {
			return Err(Error::Vka("the coefficients are not one word per rotation set"));
		}
		Ok(pcs_ptr)
	}

	/// One set's Lagrange coefficients at μ, coefficient i = Π_{j≠i}(pointᵢ − pointⱼ)·(μ −
	/// pointᵢ) (inverted later), or the μ − point itself for a single rotation. `set_lens` is the
	/// header's rest, its low byte this set's number of rotations; returns what is left of it.
	fn set_coefficients(&mut self, set_lens: Word, set_word: Word) -> Result<Word, Error> {
		let vka_end = self.vka_end;
		let len = set_lens.low8();
		let rest = set_lens.shr(8);
		// A set of 1..=5 rotations, 16 bits a pointer: [points, if len > 1][μ − points][coeffs].
		let bits = if len == 1 { 32 } else { 48 * len };
		if !(1..=5).contains(&len) || !set_word.shr(bits).is_zero() {
			return Err(Error::Vka("a malformed coefficient word"));
		}
		// Its pointers: the set's rotations (the μ − points its vanishing product lacks, in
		// order, and the points in the same slots) and the coefficients next in line.
		let set = self.pcs.rotations.len();
		let field = |k: u64| set_word.shr(16 * k).low16();
		let points = if len == 1 { 0 } else { len };
		let (mut own, mut previous) = (0u64, 0u64);
		for k in 0..len {
			let mu = field(points + k);
			let same_slot = len == 1
				|| field(k).checked_sub(self.pcs.points.0) == mu.checked_sub(self.pcs.mu_minus.0);
			let next = field(points + len + k) == self.pcs.next_coeff;
			match self.pcs.mu_minus_bit(mu) {
				Some(bit) if mu > previous && same_slot && next => own |= bit,
				_ => return Err(Error::Vka("a coefficient word does not match its set")),
			}
			previous = mu;
			self.pcs.next_coeff += 0x20;
		}
		if self.pcs.diffs.get(set).map(|d| self.pcs.all_slots() & !d) != Some(own) {
			return Err(Error::Vka("a set's coefficients are not its rotations"));
		}
		self.pcs.rotations.push(len);
		let p = |m: &Self, shift: u64| {
			m.mload(Word::from_u64(set_word.shr(shift).low16()).add(vka_end))
		};
		if len == 1 {
			let v = Word::from_fr(p(self, 0)?.to_fr());
			self.mstore(Word::from_u64(set_word.shr(16).low16()).add(vka_end), v)?;
		} else {
			let mut coeff = Word::ZERO;
			let aggr = len * 16;
			for i in 0..len {
				let mut first = true;
				let mut off = i * 16;
				let point_i = p(self, off)?;
				for j in 0..len {
					self.step(1)?;
					if j == i {
						continue;
					}
					let d = submod(point_i, p(self, j * 16)?);
					coeff = if first { d } else { mulmod(coeff, d) };
					first = false;
				}
				off += aggr;
				coeff = mulmod(coeff, p(self, off)?);
				off += aggr;
				self.mstore(Word::from_u64(set_word.shr(off).low16()).add(vka_end), coeff)?;
			}
		}
		Ok(rest)
	}

	/// normalized_coeff_computations: inverts diff_0 and the coefficients in one batch, then
	/// divides the sets' diffs (after vanishing_0) by diff_0, the first set's slot taking
	/// diff_0⁻¹ itself. A word: [end of the coefficients: 16][first diff: 16][the diffs'
	/// bytes: 16].
	fn normalized_coeff_computations(&mut self, pcs_ptr: Word) -> Result<Word, Error> {
		let mut pointers = self.mload(pcs_ptr)?;
		// The coefficients (after diff_0) and the diffs after vanishing_0, one per set.
		let pcs = &self.pcs;
		if pointers.low16() != pcs.next_coeff
			|| pointers.shr(16).low16() != pcs.vanishing_0 + 0x20
			|| pointers.shr(32).low16() != 0x20 * pcs.sets
		{
			return Err(Error::Vka("the normalization is not over the coefficients and diffs"));
		}
		self.batch_invert(self.scratch(scratch::DIFF_0), self.scratch(pointers.low16()))?;
		pointers = pointers.shr(16);
		let diff_0_inv = self.load_scratch(scratch::DIFF_0)?;
		let mptr0 = self.scratch(pointers.low16());
		pointers = pointers.shr(16);
		if !pointers.shr(16).is_zero() {
			return Err(Error::Vka("unused bits of a normalization word are set"));
		}
		self.mstore(mptr0, diff_0_inv)?;
		let end = mptr0.add_u64(pointers.low16());
		let mut mptr = mptr0.add_u64(0x20);
		while mptr < end {
			self.step(1)?;
			let v = mulmod(self.mload(mptr)?, diff_0_inv);
			self.mstore(mptr, v)?;
			mptr = mptr.add_u64(0x20);
		}
		Ok(pcs_ptr.add_u64(0x20))
	}

	/// r_evals_computations: a header (its first byte counts its words) with [set
	/// coefficients: 16][r_evals: 16] and a byte per set (its rotations' bytes), then each
	/// set's words ([`Self::r_eval_of_set`]). Each set's r_eval but the first is multiplied by
	/// its set coefficient.
	fn r_evals_computations(&mut self, mut pcs_ptr: Word) -> Result<Word, Error> {
		let mut coeff_ptr = self.scratch(scratch::FIRST_COEFF);
		let mut meta = self.mload(pcs_ptr)?;
		let end = pcs_ptr.add(Word::from_u64(0x20 * meta.low8()));
		meta = meta.shr(8);
		let mut set_coeff = self.scratch(meta.low16());
		meta = meta.shr(16);
		let mut r_eval_mptr = self.scratch(meta.low16());
		meta = meta.shr(16);
		let mut i = pcs_ptr;
		pcs_ptr = end;
		let zeta = self.load_theta(theta::ZETA)?;
		let qe = self.load_theta(theta::QUOTIENT_EVAL)?;
		let mut not_first = false;
		let mut set = 0;
		while i < end {
			while !meta.is_zero() {
				self.step(1)?;
				let rot_len = meta.low8();
				self.check_set_rotations(set, rot_len)?;
				set += 1;
				let (mut r, p) = self.r_eval_of_set(rot_len, pcs_ptr, zeta, qe, coeff_ptr)?;
				pcs_ptr = p;
				coeff_ptr = coeff_ptr.add_u64(rot_len);
				meta = meta.shr(8);
				if not_first {
					r = mulmod(r, self.mload(set_coeff)?);
					set_coeff = set_coeff.add_u64(0x20);
				}
				not_first = true;
				self.mstore(r_eval_mptr, r)?;
				r_eval_mptr = r_eval_mptr.add_u64(0x20);
			}
			meta = self.mload(i.add_u64(0x20))?;
			i = i.add_u64(0x20);
		}
		self.check_one_per_set(set)?;
		Ok(pcs_ptr)
	}

	/// One set's r_eval: Σ over its polynomials (Horner in ζ) of Σ over its rotations of
	/// coefficient·evaluation. The set's words (their first byte counting them) hold 16-bit
	/// evaluation pointers. A single-rotation set also takes the quotient's evaluation, after
	/// its first, and packs its pointers in groups: a count then that many pointers, or 0 then
	/// a run of consecutive evaluations (from a pointer down to another).
	fn r_eval_of_set(
		&mut self,
		rot_len: u64,
		mut ptr: Word,
		zeta: Word,
		qe: Word,
		coeff_ptr: Word,
	) -> Result<(Word, Word), Error> {
		let mut data = self.mload(ptr)?;
		let num_words = data.low8();
		data = data.shr(8);
		let mut r = Word::ZERO;
		if rot_len == 0 || !rot_len.is_multiple_of(0x20) || rot_len > 0xa0 {
			return Err(Error::Vka("a malformed rotation set"));
		}
		if rot_len == 0x20 {
			let coeff = self.mload(coeff_ptr)?;
			r = addmod(r, mulmod(coeff, self.proof_eval(data.low16())?));
			data = data.shr(16);
			r = mulmod(r, zeta);
			r = addmod(r, mulmod(coeff, qe));
			for _ in 0..num_words {
				while !data.is_zero() {
					self.step(1)?;
					let group_len = data.low8();
					data = data.shr(8);
					if group_len != 0 {
						for _ in 0..group_len {
							self.step(1)?;
							let e = self.proof_eval(data.low16())?;
							r = addmod(mulmod(r, zeta), mulmod(coeff, e));
							data = data.shr(16);
						}
					} else {
						let mut mptr = data.low16();
						data = data.shr(16);
						let end = data.low16();
						// A run of consecutive evaluations, from mptr down to (not including) end.
						if mptr <= end || !(mptr - end).is_multiple_of(0x20) {
							return Err(Error::Vka("a malformed run of evaluations"));
						}
						while end < mptr {
							self.step(1)?;
							r = addmod(mulmod(r, zeta), mulmod(coeff, self.proof_eval(mptr)?));
							mptr -= 0x20;
						}
						data = data.shr(16);
					}
				}
				ptr = ptr.add_u64(0x20);
				data = self.mload(ptr)?;
			}
		} else {
			for i in 0..num_words {
				while !data.is_zero() {
					// Charged here too: a rotation length of 0 consumes nothing of `data`.
					self.step(1)?;
					let mut j = 0u64;
					while j < rot_len {
						self.step(1)?;
						let c = self.mload(coeff_ptr.add_u64(j))?;
						r = addmod(r, mulmod(c, self.proof_eval(data.low16())?));
						data = data.shr(16);
						j += 0x20;
					}
					if !data.is_zero() || i + 1 < num_words {
						r = mulmod(r, zeta);
					}
				}
				ptr = ptr.add_u64(0x20);
				data = self.mload(ptr)?;
			}
		}
		Ok((r, ptr))
	}

	/// coeff_sums_computation: a header (its first byte counts its words) with, per set, its
	/// rotations' bytes (8 bits) and where its coefficients' sum goes (16).
	fn coeff_sums_computation(&mut self, mut pcs_ptr: Word) -> Result<Word, Error> {
		let mut sums = self.mload(pcs_ptr)?;
		let end = pcs_ptr.add(Word::from_u64(0x20 * sums.low8()));
		sums = sums.shr(8);
		let mut coeff_ptr = self.scratch(scratch::FIRST_COEFF);
		let mut i = pcs_ptr;
		pcs_ptr = end;
		let mut set = 0;
		while i < end {
			while !sums.is_zero() {
				self.step(1)?;
				let mut sum = self.mload(coeff_ptr)?;
				let len = sums.low8();
				self.check_set_rotations(set, len)?;
				set += 1;
				sums = sums.shr(8);
				let mut j = 0x20;
				while j < len {
					self.step(1)?;
					sum = addmod(sum, self.mload(coeff_ptr.add_u64(j))?);
					j += 0x20;
				}
				coeff_ptr = coeff_ptr.add_u64(len);
				self.mstore(self.scratch(sums.low16()), sum)?;
				sums = sums.shr(16);
			}
			sums = self.mload(i.add_u64(0x20))?;
			i = i.add_u64(0x20);
		}
		self.check_one_per_set(set)?;
		Ok(pcs_ptr)
	}

	/// r_eval_computation: r_eval = Σⱼ νʲ·r_evalⱼ / sumⱼ (Horner from the last set), stored
	/// for the pairing. A word: [end: 16][the sums: 16][the r_evals: 16]; the sums are copied
	/// to scratch from vka_end and inverted there. Returns ν too.
	fn r_eval_computation(&mut self, pcs_ptr: Word) -> Result<(Word, Word), Error> {
		let vka_end = self.vka_end;
		let nu = self.load_theta(theta::NU)?;
		let mut pointers = self.mload(pcs_ptr)?;
		let end = self.scratch(pointers.low16());
		let mut mptr = vka_end;
		pointers = pointers.shr(16);
		let mut sum_mptr = self.scratch(pointers.low16());
		while mptr < end {
			self.step(1)?;
			let v = self.mload(sum_mptr)?;
			self.mstore(mptr, v)?;
			mptr = mptr.add_u64(0x20);
			sum_mptr = sum_mptr.add_u64(0x20);
		}
		pointers = pointers.shr(16);
		self.batch_invert(vka_end, end)?;
		let r_eval_ptr = self.scratch(pointers.low16());
		if !pointers.shr(16).is_zero() {
			return Err(Error::Vka("unused bits of the r_eval word are set"));
		}
		let mut r_eval = mulmod(self.mload(end.sub_u64(0x20))?, self.mload(r_eval_ptr)?);
		let mut sum_inv = end.sub_u64(0x40);
		let stop = vka_end.sub_u64(0x20);
		let mut r_eval_mptr = r_eval_ptr.sub_u64(0x20);
		while sum_inv > stop {
			self.step(1)?;
			r_eval = mulmod(r_eval, nu);
			r_eval = addmod(r_eval, mulmod(self.mload(sum_inv)?, self.mload(r_eval_mptr)?));
			sum_inv = sum_inv.sub_u64(0x20);
			r_eval_mptr = r_eval_mptr.sub_u64(0x20);
		}
		self.store_theta(theta::R_EVAL, r_eval)?;
		Ok((pcs_ptr.add_u64(0x20), nu))
	}

	/// A per-set length (in bytes, 0x20 per rotation) of the `set`-th set: what
	/// coeff_computations declared.
	pub(super) fn check_set_rotations(&self, set: usize, len: u64) -> Result<(), Error> {
		match self.pcs.rotations.get(set) {
			Some(rots) if 0x20 * rots == len => Ok(()),
			_ => Err(Error::Vka("a rotation set differs from its coefficients")),
		}
	}

	/// A per-set list ended after `n` entries: one per set.
	pub(super) fn check_one_per_set(&self, n: usize) -> Result<(), Error> {
		if n as u64 != self.pcs.sets {
			return Err(Error::Vka("a PCS list is not one entry per rotation set"));
		}
		Ok(())
	}
}
