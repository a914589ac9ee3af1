//! The lookups (`mv_lookup_evals`): halo2's logUp argument, folded into the quotient's
//! numerator after the permutation.
//!
//! For each lookup, with φ its running sum, m its multiplicities, t its table and fᵢ its
//! inputs (each an expression, θ-folded, plus β):
//! l_0·φ(x), l_last·φ(x), and (1 − l_last − l_blind)·(lhs − rhs) with
//! lhs = t·Πfᵢ·(φ(ωx) − φ(x)) and rhs = t·Σᵢ Π_{j≠i} fⱼ − m·Πfᵢ.

use super::{
	expression::Cursor,
	layout::{scratch, theta},
	machine::Machine,
};
use crate::{
	vka::header,
	word::{addmod, mulmod, submod, Word},
	Error,
};

impl Machine<'_> {
	/// The lookups' section: a meta word ([end: 16][plookup: 8], nothing above; no meta word,
	/// 0, without lookups), then the lookups up to `end`, where the PCS section begins.
	pub(super) fn lookup_computations(&mut self, y: Word, mut numer: Word) -> Result<Word, Error> {
		// The values the lookup programs read, where they read them.
		let l_last = self.load_theta(theta::L_LAST)?;
		self.store_scratch(scratch::LOOKUP_L_LAST, l_last)?;
		let l_0 = self.load_theta(theta::L_0)?;
		self.store_scratch(scratch::LOOKUP_L_0, l_0)?;
		let l_blind = self.load_theta(theta::L_BLIND)?;
		self.store_scratch(scratch::LOOKUP_L_BLIND, l_blind)?;
		let theta_challenge = self.load_theta(theta::THETA)?;
		self.store_scratch(scratch::LOOKUP_THETA, theta_challenge)?;
		let beta = self.load_theta(theta::BETA)?;
		self.store_scratch(scratch::LOOKUP_BETA, beta)?;
		let len_ptr = self.header_word(header::LOOKUP_LEN_OFFSET)?;
		let mut evals_ptr = len_ptr.add_u64(0x20);
		let meta = self.mload(len_ptr)?;
		if !meta.is_zero() {
			let end = Word::from_u64(meta.low16());
			if meta.shr(16).low8() != 0 {
				return Err(Error::Unsupported("plookup (non-logUp) lookups"));
			}
			if !meta.shr(24).is_zero() || end != self.header_word(header::PCS_LEN_OFFSET)? {
				return Err(Error::Vka("a malformed lookups' meta word"));
			}
			let mut table = Word::ZERO;
			while evals_ptr < end {
				self.step(1)?;
				let (p, t, n) = self.mv_lookup_evals(table, evals_ptr, numer, y)?;
				evals_ptr = p;
				table = t;
				numer = n;
			}
		}
		if evals_ptr != self.header_word(header::PCS_LEN_OFFSET)? {
			return Err(Error::Vka("the lookups do not end where the PCS section begins"));
		}
		Ok(numer)
	}

	/// `lookup_expr_evals_packed` with the logUp `+ β`.
	fn lookup_expression(&mut self, first_slot: Word, at: Cursor) -> Result<(Cursor, Word), Error> {
		let (next, v) = self.expression(first_slot, at)?;
		Ok((next, addmod(v, self.load_scratch(scratch::LOOKUP_BETA)?)))
	}

	/// `mv_lookup_evals`: one lookup at `evals_ptr`, its table the previous lookup's unless it
	/// has its own. Returns where the next lookup starts, the table, and the numerator.
	///
	/// A lookup is a word [new table: 8][φ: 16][φ(ωx): 16][m: 16], then with a new table the
	/// table's expression, then [inputs·0x20: 16] and the inputs' expressions.
	fn mv_lookup_evals(
		&mut self,
		mut table: Word,
		mut evals_ptr: Word,
		mut numer: Word,
		y: Word,
	) -> Result<(Word, Word, Word), Error> {
		let base = self.scratch(scratch::LOOKUP_RESULTS);
		let mut evals = self.mload(evals_ptr)?;
		let new_table = evals.low8();
		evals = evals.shr(8);
		// [new table: 8][φ: 16][φ(ωx): 16][m: 16], nothing above.
		if new_table > 1 || !evals.shr(48).is_zero() {
			return Err(Error::Vka("a malformed lookup word"));
		}
		let phi = self.proof_eval(evals.low16())?;
		let l_0 = self.load_scratch(scratch::LOOKUP_L_0)?;
		let l_last = self.load_scratch(scratch::LOOKUP_L_LAST)?;
		let l_blind = self.load_scratch(scratch::LOOKUP_L_BLIND)?;
		numer = addmod(mulmod(numer, y), mulmod(l_0, phi));
		numer = addmod(mulmod(numer, y), mulmod(l_last, phi));
		evals_ptr = evals_ptr.add_u64(0x20);
		let mut input = self.mload(evals_ptr)?;
		if new_table != 0 {
			let w = self.mload(evals_ptr)?;
			let (next, t) = self.lookup_expression(base, Cursor { ptr: evals_ptr, word: w })?;
			evals_ptr = next.ptr;
			input = next.word;
			table = t;
		}
		// The inputs, each written to its slot from `base`.
		let inputs_len = Word::from_u64(input.low16());
		input = input.shr(16);
		let mut j = base;
		while j < inputs_len.add(base) {
			self.step(1)?;
			let (next, ident) =
				self.lookup_expression(j, Cursor { ptr: evals_ptr, word: input })?;
			evals_ptr = next.ptr;
			input = next.word;
			self.mstore(j, ident)?;
			j = j.add_u64(0x20);
		}
		let (rhs, product) = self.lookup_inputs(base, inputs_len, table)?;
		let m = self.proof_eval(evals.shr(32).low16())?;
		let rhs = submod(rhs, mulmod(m, product));
		let phi_next = self.proof_eval(evals.shr(16).low16())?;
		let lhs = mulmod(mulmod(table, product), submod(phi_next, phi));
		let active = submod(Word::from_u64(1), addmod(l_blind, l_last));
		numer = addmod(mulmod(numer, y), mulmod(active, submod(lhs, rhs)));
		Ok((evals_ptr, table, numer))
	}

	/// Of the inputs fᵢ at `base` (`inputs_len` bytes of them): t·Σᵢ Π_{j≠i} fⱼ (just t for one
	/// input), and Πfᵢ.
	fn lookup_inputs(
		&mut self,
		base: Word,
		inputs_len: Word,
		table: Word,
	) -> Result<(Word, Word), Error> {
		let f = |m: &Self, j: Word| m.mload(j.add(base));
		let mut rhs = Word::ZERO;
		if inputs_len == 0x20u64 {
			rhs = table;
		} else {
			let last_idx = inputs_len.sub_u64(0x20);
			let mut i = Word::ZERO;
			while i < inputs_len {
				let (mut tmp, mut j) = (f(self, Word::ZERO)?, Word::from_u64(0x20));
				if i.is_zero() {
					tmp = f(self, Word::from_u64(0x20))?;
					j = Word::from_u64(0x40);
				}
				while j < inputs_len {
					self.step(1)?;
					if i != j {
						tmp = mulmod(tmp, f(self, j)?);
					}
					j = j.add_u64(0x20);
				}
				rhs = addmod(rhs, tmp);
				if i == last_idx {
					rhs = mulmod(rhs, table);
				}
				i = i.add_u64(0x20);
			}
		}
		let mut product = f(self, Word::ZERO)?;
		let mut j = Word::from_u64(0x20);
		while j < inputs_len {
			self.step(1)?;
			product = mulmod(product, f(self, j)?);
			j = j.add_u64(0x20);
		}
		Ok((rhs, product))
	}
}
