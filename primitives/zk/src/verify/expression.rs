//! The expression interpreter (`expression_evals_packed`): the gates and the lookups are
//! programs of packed words over the proof's evaluations, the VKA's constants and the
//! challenges, each op writing its result to the next scratch slot.
//!
//! An expression's first byte counts its words. Then ops, low bits first, until a word runs
//! out: [`OP_EVAL`] a proof evaluation (16-bit pointer), [`OP_NEG`] the negation of an operand,
//! [`OP_ADD`] and [`OP_MUL`] of two operands (16 bits each), and [`OP_LOOKUP_FOLD`], which ends
//! a lookup expression by folding its results with θ.

use super::{layout::scratch, machine::Machine};
use crate::{
	word::{addmod, mulmod, Word, FR_MODULUS},
	Error,
};

/// `slot = eval`
const OP_EVAL: u64 = 0x00;
/// `slot = r − operand`
const OP_NEG: u64 = 0x01;
/// `slot = a + b`, `slot = a·b` (mod r)
const OP_ADD: u64 = 0x02;
const OP_MUL: u64 = 0x03;
/// `lookup_input_accum`: a count of words, then operands folded as `acc·θ + operand`.
const OP_LOOKUP_FOLD: u64 = 0x04;

/// A position in a VKA program: a word's address, and what is left of the word to decode.
#[derive(Clone, Copy)]
pub(super) struct Cursor {
	pub(super) ptr: Word,
	pub(super) word: Word,
}

impl Machine<'_> {
	/// Runs the expression at `at`, its results in slots from `first_slot`. Returns where the
	/// next program starts, and the offset from `first_slot` of the last result (for a lookup
	/// expression, the θ-fold's value itself).
	pub(super) fn expression(
		&mut self,
		first_slot: Word,
		at: Cursor,
	) -> Result<(Cursor, Word), Error> {
		let Cursor { ptr: code_ptr, word: mut w } = at;
		let n = Word::from_u64(0x20).mul(Word::from_u64(w.low8())).add_u64(0x20);
		w = w.shr(8);
		let mut acc = Word::ZERO;
		let mut ret0 = Word::ZERO;
		let mut i = Word::from_u64(0x20);
		while i < n {
			while !w.is_zero() {
				self.step(1)?;
				let dst = first_slot.add(acc);
				match w.low8() {
					OP_EVAL => {
						w = w.shr(8);
						let v = self.proof_eval(w.low16())?;
						self.mstore(dst, v)?;
						w = w.shr(16);
					},
					OP_NEG => {
						w = w.shr(8);
						let v = FR_MODULUS.sub(self.operand(w.low16(), first_slot, dst)?);
						self.mstore(dst, v)?;
						w = w.shr(16);
					},
					op @ (OP_ADD | OP_MUL) => {
						w = w.shr(8);
						let a = self.operand(w.low16(), first_slot, dst)?;
						let b = self.operand(w.shr(16).low16(), first_slot, dst)?;
						self.mstore(dst, if op == OP_ADD { addmod(a, b) } else { mulmod(a, b) })?;
						w = w.shr(32);
					},
					OP_LOOKUP_FOLD => {
						// It ends the expression, on its last word as the expression's length says.
						let (end, folded) =
							self.lookup_input_fold(w, i, code_ptr, first_slot, dst)?;
						if end.ptr != code_ptr.add(n).sub_u64(0x20) {
							return Err(Error::Vka(
								"a lookup expression is not as long as it says",
							));
						}
						return Ok((end, folded));
					},
					_ => return Err(Error::Vka("unknown expression opcode")),
				}
				acc = acc.add_u64(0x20);
			}
			ret0 = code_ptr.add(i);
			w = self.mload(ret0)?;
			i = i.add_u64(0x20);
		}
		Ok((Cursor { ptr: ret0, word: w }, acc.sub_u64(0x20)))
	}

	/// `lookup_input_accum`: the θ-fold that ends a lookup expression, `w` its op's word, on
	/// the expression's `i`-th byte.
	fn lookup_input_fold(
		&mut self,
		mut w: Word,
		i: Word,
		code_ptr: Word,
		first_slot: Word,
		slot: Word,
	) -> Result<(Cursor, Word), Error> {
		w = w.shr(8);
		let n = Word::from_u64(0x20).mul(Word::from_u64(w.low8()));
		w = w.shr(8);
		let mut a = self.operand(w.low16(), first_slot, slot)?;
		w = w.shr(16);
		let theta = self.load_scratch(scratch::LOOKUP_THETA)?;
		let mut ret0 = Word::ZERO;
		let mut j = Word::ZERO;
		while j < n {
			while !w.is_zero() {
				self.step(1)?;
				a = addmod(mulmod(a, theta), self.operand(w.low16(), first_slot, slot)?);
				w = w.shr(16);
			}
			ret0 = code_ptr.add(i.add(j));
			w = self.mload(ret0)?;
			j = j.add_u64(0x20);
		}
		Ok((Cursor { ptr: ret0, word: w }, a))
	}
}
