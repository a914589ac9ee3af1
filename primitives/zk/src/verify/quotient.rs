//! The quotient: the numerator of the quotient identity evaluated at x, folded with y over
//! every constraint (the gates, the permutation, then the lookups, in [`super::lookup`]),
//! divided by xⁿ − 1; and the quotient's commitment, its pieces folded with xⁿ.
//!
//! Each VKA section ends where the next one begins, and that is checked: no word between
//! them goes unread.

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

/// `DELTA`: the generator of the permutation argument's cosets.
const DELTA: Word =
	Word([0x870e56bbe533e9a2, 0x5b5f898e5e963f25, 0x64ec26aad4c86e71, 0x09226b6e22c6f0ca]);

impl Machine<'_> {
	/// Stores the quotient's evaluation at x.
	pub(super) fn quotient_eval(&mut self) -> Result<(), Error> {
		let y = self.load_theta(theta::Y)?;
		let numer = self.gate_computations(y)?;
		let numer = self.permutation_computations(y, numer)?;
		let numer = self.lookup_computations(y, numer)?;
		let inv = self.load_theta(theta::X_N_MINUS_1_INV)?;
		self.store_theta(theta::QUOTIENT_EVAL, mulmod(numer, inv))?;
		Ok(())
	}

	/// The gates: a length (in bytes, a word per gate), then one expression per gate.
	fn gate_computations(&mut self, y: Word) -> Result<Word, Error> {
		let results = self.scratch(scratch::GATE_RESULTS);
		let mut numer = Word::ZERO;
		let len_ptr = self.header_word(header::GATE_LEN_OFFSET)?;
		let ptr = len_ptr.add_u64(0x20);
		let len = self.mload(len_ptr)?;
		let mut at = Cursor { ptr, word: self.mload(ptr)? };
		let mut block = Word::ZERO;
		while block < len {
			self.step(1)?;
			let (next, last) = self.expression(results, at)?;
			at = next;
			let v = self.mload(results.add(last))?;
			numer = if block.is_zero() { v } else { addmod(mulmod(numer, y), v) };
			block = block.add_u64(0x20);
		}
		if at.ptr != self.header_word(header::PERMUTATION_LEN_OFFSET)? {
			return Err(Error::Vka("the gates do not end where the permutation begins"));
		}
		Ok(numer)
	}

	/// The permutation: l_0·(1 − z_0) and l_last·(z_last² − z_last), each z's link to the
	/// next (l_0·(z_{j+1} − z_j(ω^-l·x))), and each z's product constraint
	/// ([`Self::permutation_product`]).
	///
	/// The section is a meta word, [index of the last z: 8][bytes of a z's words: 16][bytes of
	/// the last z's: 16], then the z's words, consecutive.
	fn permutation_computations(&mut self, y: Word, mut numer: Word) -> Result<Word, Error> {
		let mut z_ptr = self.header_word(header::PERMUTATION_LEN_OFFSET)?;
		let mut z_word = self.mload(z_ptr)?;
		let last_idx = Word::from_u64(z_word.low8());
		z_word = z_word.shr(8);
		if !z_word.shr(32).is_zero() {
			return Err(Error::Vka("unused bits of the permutation's meta word are set"));
		}
		let packed = z_word.mask(32);
		z_ptr = z_ptr.add_u64(0x20);
		z_word = self.mload(z_ptr)?;
		let l_0 = self.load_theta(theta::L_0)?;
		let z0 = self.proof_eval(z_word.low16())?;
		numer = addmod(mulmod(numer, y), submod(l_0, mulmod(l_0, z0)));
		let z_last_ptr = last_idx.mul(Word::from_u64(packed.low16())).add(z_ptr);
		let z_last = self.proof_eval(self.mload(z_last_ptr)?.low16())?;
		let l_last = self.load_theta(theta::L_LAST)?;
		numer = addmod(mulmod(numer, y), mulmod(l_last, submod(mulmod(z_last, z_last), z_last)));
		let beta_x = mulmod(self.load_theta(theta::BETA)?, self.load_theta(theta::X)?);
		self.store_scratch(scratch::PERMUTATION_BETA_DELTA_X, beta_x)?;

		// z_evals: each z but the last, linked to the next.
		let mut z = z_word;
		let num_words = Word::from_u64(packed.low16());
		let results = self.scratch(scratch::PERMUTATION_RESULTS);
		self.store_scratch(scratch::PERMUTATION_NEXT_RESULT, results)?;
		while z_ptr < z_last_ptr {
			self.step(1)?;
			let next = z_ptr.add(num_words);
			let z_j = self.mload(next)?;
			let d = submod(self.proof_eval(z_j.low16())?, self.proof_eval(z.shr(32).low16())?);
			numer = addmod(mulmod(numer, y), mulmod(l_0, d));
			self.permutation_product(z, num_words, z_ptr)?;
			z_ptr = next;
			z = z_j;
		}
		let last_words = Word::from_u64(packed.shr(16).low16());
		if z_ptr != z_last_ptr
			|| z_last_ptr.add(last_words) != self.header_word(header::LOOKUP_LEN_OFFSET)?
		{
			return Err(Error::Vka("the permutation does not end where the lookups begin"));
		}
		self.permutation_product(z, last_words, z_ptr)?;
		let end = self.load_scratch(scratch::PERMUTATION_NEXT_RESULT)?;
		let mut j = results;
		while j < end {
			self.step(1)?;
			numer = addmod(mulmod(numer, y), self.mload(j)?);
			j = j.add_u64(0x20);
		}
		Ok(numer)
	}

	/// One z's product constraint, (1 − l_last − l_blind)·(lhs − rhs) with
	/// lhs = z(ωx)·Π(vᵢ + β·σᵢ + γ) and rhs = z(x)·Π(vᵢ + β·δⁱ·x + γ) over its columns, stored
	/// in the next result slot.
	///
	/// `z` is the z's first word: [z(x): 16][z(ωx): 16][z(ω^-l·x): 16], then 40 bits a column
	/// ([flag: 8][eval: 16][σ eval: 16]), continued on its next words (`num_words` bytes).
	fn permutation_product(
		&mut self,
		mut z: Word,
		num_words: Word,
		z_ptr: Word,
	) -> Result<(), Error> {
		let gamma = self.load_theta(theta::GAMMA)?.to_fr();
		let beta = self.load_theta(theta::BETA)?.to_fr();
		let l_last = self.load_theta(theta::L_LAST)?;
		let l_blind = self.load_theta(theta::L_BLIND)?;
		let i_eval = self.load_theta(theta::INSTANCE_EVAL)?;
		// A z's evaluations at x, ωx and ω^-l·x are consecutive (the last z has no third, and
		// its pointer, unread, still points past the second).
		if z.shr(16).low16() != z.low16() + 0x20 || z.shr(32).low16() != z.low16() + 0x40 {
			return Err(Error::Vka("a permutation z's evaluations are not consecutive"));
		}
		let mut lhs = self.proof_eval(z.shr(16).low16())?.to_fr();
		let mut rhs = self.proof_eval(z.low16())?.to_fr();
		z = z.shr(48);
		let mut j = Word::ZERO;
		while j < num_words {
			self.step(1)?;
			while !z.is_zero() {
				self.step(1)?;
				// A column is an evaluation in the proof (flag 0) or the instance column (flag 1,
				// no pointer).
				let eval = match (z.low8(), z.shr(8).low16()) {
					(0, p) => self.proof_eval(p)?.to_fr(),
					(1, 0) => i_eval.to_fr(),
					_ => return Err(Error::Vka("a malformed permutation column")),
				};
				self.permutation_columns += 1;
				let sigma = self.proof_eval(z.shr(24).low16())?.to_fr();
				lhs *= eval + beta * sigma + gamma;
				let running = self.load_scratch(scratch::PERMUTATION_BETA_DELTA_X)?;
				rhs *= eval + running.to_fr() + gamma;
				z = z.shr(40);
				self.store_scratch(scratch::PERMUTATION_BETA_DELTA_X, mulmod(running, DELTA))?;
			}
			z = self.mload(z_ptr.add(j).add_u64(0x20))?;
			j = j.add_u64(0x20);
		}
		let lsr = Word::from_fr(lhs - rhs);
		let result = self.load_scratch(scratch::PERMUTATION_NEXT_RESULT)?;
		self.mstore(result, submod(lsr, mulmod(lsr, addmod(l_last, l_blind))))?;
		self.store_scratch(scratch::PERMUTATION_NEXT_RESULT, result.add_u64(0x20))?;
		Ok(())
	}

	/// The quotient's commitment h_0 + xⁿ·h_1 + … (Horner from the last piece), for the
	/// opening.
	pub(super) fn quotient_commitment(&mut self) -> Result<(), Error> {
		let last = self.vka.word_u64(header::LAST_QUOTIENT_X_CPTR);
		let first = self.vka.word_u64(header::FIRST_QUOTIENT_X_CPTR);
		// The pieces h_0 (first) … h_last are whole points apart.
		if first > last || !(last - first).is_multiple_of(0x40) {
			return Err(Error::Vka("the quotient pointers are not whole points apart"));
		}
		let mut acc = self.proof_commitment(last, last + 0x20)?;
		let x_n = self.load_theta(theta::X_N)?.to_fr();
		let mut cptr = last;
		while first < cptr {
			cptr -= 0x40;
			self.step(1 + acc.len() as u64)?;
			acc.scale(x_n);
			acc.add(&self.proof_commitment(cptr, cptr + 0x20)?);
		}
		self.quotient = acc;
		Ok(())
	}
}
