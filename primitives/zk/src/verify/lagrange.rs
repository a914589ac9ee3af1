//! The Lagrange stage: xⁿ, (xⁿ − 1)⁻¹, the Lagrange bases the constraints use (l_0, l_last,
//! l_blind) and the instance column's evaluation at x, all stored after the challenges.
//!
//! Lᵢ(x) = ωⁱ·(xⁿ − 1) / (n·(x − ωⁱ)) for the rows ω^-l … ω^-1 (the blinding rows and the
//! last usable one) and 0 … #instances − 1, inverted in one batch.

use ark_ff::Field;

use super::{layout::theta, machine::Machine};
use crate::{
	vka::header,
	word::{addmod, mulmod, submod, Word},
	Error,
};

impl Machine<'_> {
	pub(super) fn lagrange(&mut self) -> Result<(), Error> {
		let k = self.header_word(header::K)?.as_u64().unwrap_or(0);
		let x = self.load_theta(theta::X)?.to_fr();
		let mut x_n = x;
		for _ in 0..k {
			x_n.square_in_place();
		}
		let x_n = Word::from_fr(x_n);
		let x = Word::from_fr(x);
		let omega = self.header_word(header::OMEGA)?;
		// The x − ωⁱ, then the Lᵢ, are laid out from theta's X_N slot on: the l rows before 0
		// first (L_last first), then one per instance (at least one).
		let x_n_mptr = self.theta.add_u64(theta::X_N);
		let mut mptr = x_n_mptr;
		let n_inst = self.header_word(header::NUM_INSTANCES)?;
		let n_neg = self.header_word(header::NUM_NEG_LAGRANGES)?;
		let mut mptr_end = mptr.add(Word::from_u64(0x20).mul(n_inst.add(n_neg)));
		if n_inst.is_zero() {
			mptr_end = mptr_end.add_u64(0x20);
		}
		let mut pow = self.header_word(header::OMEGA_INV_TO_L)?;
		while mptr < mptr_end {
			self.step(1)?;
			self.mstore(mptr, submod(x, pow))?;
			pow = mulmod(pow, omega);
			mptr = mptr.add_u64(0x20);
		}
		let x_n_minus_1 = submod(x_n, Word::from_u64(1));
		self.mstore(mptr_end, x_n_minus_1)?;
		self.batch_invert(x_n_mptr, mptr_end.add_u64(0x20))?;
		mptr = x_n_mptr;
		let l_i_common = mulmod(x_n_minus_1, self.header_word(header::N_INV)?);
		let mut pow = self.header_word(header::OMEGA_INV_TO_L)?;
		while mptr < mptr_end {
			self.step(1)?;
			let v = mulmod(l_i_common, mulmod(self.mload(mptr)?, pow));
			self.mstore(mptr, v)?;
			pow = mulmod(pow, omega);
			mptr = mptr.add_u64(0x20);
		}
		let mut l_blind = self.mload(x_n_mptr.add_u64(0x20))?;
		let mut l_i = x_n_mptr.add_u64(0x40);
		let l_i_end = x_n_mptr.add(Word::from_u64(0x20).mul(n_neg));
		while l_i < l_i_end {
			self.step(1)?;
			l_blind = addmod(l_blind, self.mload(l_i)?);
			l_i = l_i.add_u64(0x20);
		}
		let mut instance_eval = Word::ZERO;
		for i in 0..self.num_instances {
			self.step(1)?;
			let inst = self.calldata_load(Word::from_u64(self.instances_cptr + 32 * i));
			instance_eval = addmod(instance_eval, mulmod(self.mload(l_i)?, inst));
			l_i = l_i.add_u64(0x20);
		}
		let inv = self.mload(mptr_end)?;
		let l_last = self.mload(x_n_mptr)?;
		let l_0 = self.mload(x_n_mptr.add(Word::from_u64(0x20).mul(n_neg)))?;
		self.mstore(x_n_mptr, x_n)?;
		self.store_theta(theta::X_N_MINUS_1_INV, inv)?;
		self.store_theta(theta::L_LAST, l_last)?;
		self.store_theta(theta::L_BLIND, l_blind)?;
		self.store_theta(theta::L_0, l_0)?;
		self.store_theta(theta::INSTANCE_EVAL, instance_eval)?;
		Ok(())
	}
}
