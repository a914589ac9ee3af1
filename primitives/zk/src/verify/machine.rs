//! The contract's machine: EVM memory and calldata, the step budget, and the checked accessors
//! every stage reads the VKA's programs and the proof through.
//!
//! Memory holds the VKA's words where the contract has them, and grows as stages write
//! scratch (up to [`MEM_LIMIT`]). The accessors check more than the EVM would: memory
//! pointers must be aligned and in range, and a pointer the VKA gives to the proof must point
//! at one of its evaluations or commitments, not at any calldata.

use alloc::vec::Vec;
use ark_bn254::Fr;
use ark_ff::{Field, Zero};

use super::{
	layout::{
		theta, FREE_MEMORY_POINTER, MEM_LIMIT, PROOF_CPTR, VERIFY_PROOF_SELECTOR, VKA_LENGTH,
	},
	pcs::PcsLayout,
	step_budget,
};
use crate::{
	curve::{g1_from_words, LazyG1},
	vka::{header, Vka, BASE},
	word::{mulmod, Word, FR_MODULUS},
	Error,
};

/// One verification's state: the contract's memory and calldata, and what the port adds (the
/// step count and what the stages check each other against).
pub(super) struct Machine<'a> {
	pub(super) vka: &'a Vka,
	/// The transcript's hash ([`crate::Bn254Ops::keccak_256`]).
	pub(super) keccak_256: fn(&[u8]) -> [u8; 32],
	mem: Vec<Word>,
	calldata: Vec<u8>,
	/// Where the instances start in calldata, their number, and where the proof ends.
	pub(super) instances_cptr: u64,
	pub(super) num_instances: u64,
	pub(super) proof_end: u64,
	/// The proof's evaluations, `[start, end)` in calldata: every evaluation the VKA points at
	/// is one of them, and every commitment it points at lies before them.
	pub(super) proof_evals: (u64, u64),
	/// The VKA's commitments (fixed, then permutation), `[start, end)` in memory: from the end
	/// of the phase table up to the gates (the constants lie in between too).
	pub(super) vka_commitments: (u64, u64),
	pub(super) vka_end: Word,
	/// `vka_end + fsm`, where the challenges start, and theta_mptr, where the user challenges
	/// end and theta, the first of the proof's own, is.
	pub(super) challenges: Word,
	pub(super) theta: Word,
	/// The lowest VKA word an expression reads (a constant), the highest VKA commitment the
	/// opening reads and the number of permutation columns: together they check
	/// num_fixed_comms.
	pub(super) first_constant: u64,
	pub(super) last_vka_commitment: u64,
	pub(super) permutation_columns: u64,
	/// What the PCS sub-sections must agree on.
	pub(super) pcs: PcsLayout,
	pub(super) steps: u64,
	pub(super) budget: u64,
	/// The quotient commitment (the contract's theta_mptr + 0x260/0x280).
	pub(super) quotient: LazyG1,
}

impl<'a> Machine<'a> {
	pub(super) fn new(
		vka: &'a Vka,
		proof: &[u8],
		instances: &[[u8; 32]],
		keccak_256: fn(&[u8]) -> [u8; 32],
	) -> Self {
		let n = vka.words.len();
		let vka_end = BASE + 32 * n as u64;
		// The ABI encoding of verifyProof(proof, instances, vka): selector, three offsets,
		// the proof (its length is a multiple of 32: checked against the VKA), the instances.
		let mut calldata = Vec::with_capacity(4 + 32 * 5 + proof.len() + 32 * instances.len());
		calldata.extend_from_slice(&VERIFY_PROOF_SELECTOR);
		let off_inst = 0x60 + 0x20 + proof.len() as u64;
		let off_vka = off_inst + 0x20 + 32 * instances.len() as u64;
		for v in [0x60, off_inst, off_vka, proof.len() as u64] {
			calldata.extend_from_slice(&Word::from_u64(v).to_be());
		}
		calldata.extend_from_slice(proof);
		calldata.extend_from_slice(&Word::from_u64(instances.len() as u64).to_be());
		for i in instances {
			calldata.extend_from_slice(i);
		}
		let evals_start = vka.word_u64(header::LAST_QUOTIENT_X_CPTR).saturating_add(0x40);
		let evals_end = evals_start.saturating_add(32 * vka.word_u64(header::NUM_EVALS));
		let fsm = vka.word_u64(header::FSM);
		let theta = vka_end + fsm + vka.word_u64(header::CHALLENGES_OFFSET);
		let table = vka.phase_table;
		let table_words = vka.words.get(((table - BASE) / 32) as usize).map_or(0, |w| w.low8());
		let vka_commitments = (table + 32 * table_words, vka.word_u64(header::GATE_LEN_OFFSET));
		let mut mem = alloc::vec![Word::ZERO; (vka_end / 32) as usize];
		let slot = |addr: u64| (addr / 32) as usize;
		if let Some(w) = mem.get_mut(slot(FREE_MEMORY_POINTER)) {
			*w = Word::from_u64(vka_end);
		}
		if let Some(w) = mem.get_mut(slot(VKA_LENGTH)) {
			*w = Word::from_u64(n as u64);
		}
		// The memory ends with the VKA: as many words after BASE as it has.
		for (w, v) in mem.iter_mut().skip(slot(BASE)).zip(&vka.words) {
			*w = *v;
		}
		Machine {
			keccak_256,
			vka,
			mem,
			calldata,
			instances_cptr: PROOF_CPTR + proof.len() as u64 + 0x20,
			num_instances: instances.len() as u64,
			proof_end: PROOF_CPTR + proof.len() as u64,
			proof_evals: (evals_start, evals_end),
			vka_commitments,
			vka_end: Word::from_u64(vka_end),
			challenges: Word::from_u64(vka_end + fsm),
			theta: Word::from_u64(theta),
			first_constant: u64::MAX,
			last_vka_commitment: 0,
			permutation_columns: 0,
			pcs: PcsLayout::default(),
			steps: 0,
			budget: step_budget(n, proof.len(), instances.len()),
			quotient: LazyG1::default(),
		}
	}

	/// Charges `n` steps to the budget.
	pub(super) fn step(&mut self, n: u64) -> Result<(), Error> {
		self.steps = self.steps.saturating_add(n);
		if self.steps > self.budget {
			return Err(Error::Budget);
		}
		Ok(())
	}

	fn addr(&self, p: Word) -> Result<usize, Error> {
		let p = p.as_u64().filter(|p| *p < MEM_LIMIT).ok_or(Error::Vka("pointer out of memory"))?;
		if p % 32 != 0 {
			return Err(Error::Vka("unaligned memory pointer"));
		}
		Ok((p / 32) as usize)
	}

	/// `mload(p)`: memory nobody wrote reads as 0.
	pub(super) fn mload(&self, p: Word) -> Result<Word, Error> {
		let i = self.addr(p)?;
		Ok(self.mem.get(i).copied().unwrap_or_default())
	}

	/// `mstore(p, v)`
	pub(super) fn mstore(&mut self, p: Word, v: Word) -> Result<(), Error> {
		let i = self.addr(p)?;
		if i >= self.mem.len() {
			self.mem.resize(i + 1, Word::ZERO);
		}
		if let Some(slot) = self.mem.get_mut(i) {
			*slot = v;
		}
		Ok(())
	}

	/// A word of the VKA's header ([`header`]), from memory as the contract reads it.
	pub(super) fn header_word(&self, index: usize) -> Result<Word, Error> {
		self.mload(Word::from_u64(BASE + 32 * index as u64))
	}

	/// The address `vka_end + offset` (a [`super::layout::scratch`] slot, or an offset a PCS
	/// program gives).
	pub(super) fn scratch(&self, offset: u64) -> Word {
		self.vka_end.add_u64(offset)
	}

	/// `mload(add(vka_end, offset))`
	pub(super) fn load_scratch(&self, offset: u64) -> Result<Word, Error> {
		self.mload(self.scratch(offset))
	}

	/// `mstore(add(vka_end, offset), v)`
	pub(super) fn store_scratch(&mut self, offset: u64, v: Word) -> Result<(), Error> {
		self.mstore(self.scratch(offset), v)
	}

	/// `mload(add(theta_mptr, slot))`, `slot` one of [`theta`]'s.
	pub(super) fn load_theta(&self, slot: u64) -> Result<Word, Error> {
		self.mload(self.theta.add_u64(slot))
	}

	/// `mstore(add(theta_mptr, slot), v)`
	pub(super) fn store_theta(&mut self, slot: u64, v: Word) -> Result<(), Error> {
		self.mstore(self.theta.add_u64(slot), v)
	}

	/// `calldataload(p)`: bytes past the end read as 0.
	pub(super) fn calldata_load(&self, p: Word) -> Word {
		let mut b = [0u8; 32];
		if let Some(p) = p.as_u64() {
			for (i, byte) in b.iter_mut().enumerate() {
				let at = p.saturating_add(i as u64);
				if let Some(v) = usize::try_from(at).ok().and_then(|a| self.calldata.get(a)) {
					*byte = *v;
				}
			}
		}
		Word::from_be(&b)
	}

	/// The point at calldata (x, y), checked.
	pub(super) fn calldata_point(&self, x: Word, y: Word) -> Result<LazyG1, Error> {
		g1_from_words(self.calldata_load(x), self.calldata_load(y))
			.map(LazyG1::point)
			.ok_or(Error::Proof("a point is not on the curve"))
	}

	/// The point at memory (x, y), checked.
	fn memory_point(&self, x: Word, y: Word) -> Result<LazyG1, Error> {
		g1_from_words(self.mload(x)?, self.mload(y)?)
			.map(LazyG1::point)
			.ok_or(Error::Vka("a commitment is not on the curve"))
	}

	/// An evaluation the VKA points at: one of the proof's evaluations, not any calldata.
	pub(super) fn proof_eval(&self, p: u64) -> Result<Word, Error> {
		let (start, end) = self.proof_evals;
		if !(start..end).contains(&p) || !(p - start).is_multiple_of(32) {
			return Err(Error::Vka("an evaluation pointer is not one of the proof's evaluations"));
		}
		Ok(self.calldata_load(Word::from_u64(p)))
	}

	/// A proof commitment the VKA points at: one of the points before the evaluations, its y
	/// in the word after its x.
	pub(super) fn proof_commitment(&self, x: u64, y: u64) -> Result<LazyG1, Error> {
		let slot =
			(PROOF_CPTR..self.proof_evals.0).contains(&x) && (x - PROOF_CPTR).is_multiple_of(0x40);
		if !slot || y != x + 0x20 {
			return Err(Error::Vka("a commitment pointer is not one of the proof's points"));
		}
		self.calldata_point(Word::from_u64(x), Word::from_u64(y))
	}

	/// A VKA commitment the PCS section points at: one of its points, its y after its x.
	pub(super) fn vka_commitment(&mut self, x: u64, y: u64) -> Result<LazyG1, Error> {
		let (start, end) = self.vka_commitments;
		if !(start..end).contains(&x) || !(x - start).is_multiple_of(0x40) || y != x + 0x20 {
			return Err(Error::Vka("a commitment pointer is not one of the VKA's points"));
		}
		self.last_vka_commitment = self.last_vka_commitment.max(x);
		self.memory_point(Word::from_u64(x), Word::from_u64(y))
	}

	/// An expression's memory operand: a constant of the VKA, a slot the expression has
	/// written (from `first_slot` up to `slot`, the one it writes now), a user challenge or the
	/// instance evaluation. Nothing else: any other scratch holds what an earlier computation
	/// left, and memory nobody wrote reads as 0.
	pub(super) fn operand(&mut self, p: u64, first_slot: Word, slot: Word) -> Result<Word, Error> {
		let w = Word::from_u64(p);
		if (self.vka_commitments.0..self.vka_commitments.1).contains(&p) {
			self.first_constant = self.first_constant.min(p);
		} else if !(first_slot <= w && w < slot
			|| self.challenges <= w && w < self.theta
			|| w == self.theta.add_u64(theta::INSTANCE_EVAL))
		{
			return Err(Error::Vka("an operand is not a constant, a result or a challenge"));
		}
		self.mload(w)
	}

	/// `keccak256` of the memory `[from, to)`.
	pub(super) fn keccak(&self, from: Word, to: Word) -> Result<[u8; 32], Error> {
		let (a, b) = (self.addr(from)?, self.addr(to)?);
		let mut buf = Vec::with_capacity(32 * b.saturating_sub(a));
		for i in a..b {
			buf.extend_from_slice(&self.mem.get(i).copied().unwrap_or_default().to_be());
		}
		Ok((self.keccak_256)(&buf))
	}

	/// `batch_invert(mptr_start, mptr_end)`: inverts the words of `[start, end)` in place
	/// (Montgomery's trick), with the contract's scratch writes from `end` on.
	pub(super) fn batch_invert(&mut self, start: Word, end: Word) -> Result<(), Error> {
		let mut gp_mptr = end;
		let mut gp = self.mload(start)?;
		let mut mptr = start.add_u64(0x20);
		while mptr < end.sub_u64(0x20) {
			self.step(1)?;
			gp = mulmod(gp, self.mload(mptr)?);
			self.mstore(gp_mptr, gp)?;
			mptr = mptr.add_u64(0x20);
			gp_mptr = gp_mptr.add_u64(0x20);
		}
		gp = mulmod(gp, self.mload(mptr)?);
		// The modexp precompile's input: three lengths, base, exponent r − 2, modulus r.
		let modexp_input = [
			Word::from_u64(0x20),
			Word::from_u64(0x20),
			Word::from_u64(0x20),
			gp,
			FR_MODULUS.sub_u64(2),
			FR_MODULUS,
		];
		for (i, v) in modexp_input.into_iter().enumerate() {
			self.mstore(gp_mptr.add_u64(0x20 * i as u64), v)?;
		}
		// The modexp precompile: gp^(r-2), 0 for 0.
		let mut all_inv = Word::from_fr(gp.to_fr().inverse().unwrap_or_else(Fr::zero));
		self.mstore(gp_mptr, all_inv)?;
		let first = start;
		let second = first.add_u64(0x20);
		gp_mptr = gp_mptr.sub_u64(0x20);
		while second < mptr {
			self.step(1)?;
			let inv = mulmod(all_inv, self.mload(gp_mptr)?);
			all_inv = mulmod(all_inv, self.mload(mptr)?);
			self.mstore(mptr, inv)?;
			mptr = mptr.sub_u64(0x20);
			gp_mptr = gp_mptr.sub_u64(0x20);
		}
		let inv_first = mulmod(all_inv, self.mload(second)?);
		let inv_second = mulmod(all_inv, self.mload(first)?);
		self.mstore(first, inv_first)?;
		self.mstore(second, inv_second)?;
		Ok(())
	}
}
