//! The verifier: ezkl's reusable halo2 verifier (`Halo2VerifierReusable.sol`), run natively.
//!
//! The VKA is a program for that contract: its gate, permutation, lookup and PCS sections are
//! bytecode over EVM memory and calldata pointers. So this module keeps the contract's memory
//! model (words at EVM addresses, calldata laid out as the ABI lays out
//! `verifyProof(bytes proof, uint256[] instances, bytes32[] vka)`) and follows it step by step;
//! what differs is only how the work is done:
//!
//! - field arithmetic runs on arkworks' BN254 scalar field;
//! - `ecMul`/`ecAdd` are not evaluated one by one: points are kept as symbolic combinations
//!   ([`Lc`]) and evaluated by one multi-scalar multiplication ([`Bn254Ops::msm_g1`]), then one
//!   pairing check ([`Bn254Ops::pairing_is_one`]) — the two operations a runtime hands to host
//!   functions;
//! - every loop is charged to a step budget proportional to the input's size, so a hostile VKA
//!   cannot make a verification run longer than its size pays for;
//! - what the contract leaves unchecked is checked: the proof's exact length, that the
//!   transcript consumes all of it, unknown opcodes, pointers outside memory.
//!
//! Section names below follow the contract's comments; docs/research/ezkl-vka.md describes
//! each encoding.

use alloc::vec::Vec;
use ark_bn254::{Fr, G1Affine};
use ark_ff::{Field, Zero};

use crate::{
	curve::{g1_from_words, Bn254Ops, Lc},
	vka::{at, Vka, BASE},
	word::{addmod, fr, mulmod, submod, word, Q, R, W},
	Error,
};

/// Where the proof starts in the contract's calldata.
pub const PROOF_CPTR: u64 = 0x84;
/// The memory the contract may use, in bytes: the VKA, then scratch and challenges, all
/// reachable by 16-bit offsets from the VKA's end.
const MEM_LIMIT: u64 = 0x30000;
/// `DELTA`: the generator of the permutation argument's cosets.
const DELTA: W =
	W([0x870e56bbe533e9a2, 0x5b5f898e5e963f25, 0x64ec26aad4c86e71, 0x09226b6e22c6f0ca]);

/// What a verification cost: the steps taken and the size of the final MSM.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
	pub steps: u64,
	pub msm_terms: u32,
}

/// The step budget for a verification: linear in what the caller pays for (the VKA's and the
/// proof's words and the instances). Real ezkl verifications take about 5 steps per input
/// word (1,213 for the Iris MLP's 260 words); the budget allows 16 and a constant.
pub fn step_budget(vka_words: usize, proof_len: usize, instances: usize) -> u64 {
	16 * (vka_words as u64 + proof_len as u64 / 32 + instances as u64) + 2048
}

/// Verifies `proof` (ezkl's proof bytes) for `instances` (32-byte big-endian field elements,
/// in ezkl's order) against `vka`. `Ok` means valid; any `Err` means the proof is not accepted.
pub fn verify<O: Bn254Ops>(
	vka: &Vka,
	proof: &[u8],
	instances: &[[u8; 32]],
	ops: &O,
) -> Result<Stats, Error> {
	if proof.len() as u64 != vka.proof_len() {
		return Err(Error::Proof("length does not match the VKA"));
	}
	if instances.len() as u64 != u64::from(vka.num_instances()) {
		return Err(Error::Instances("count does not match the VKA"));
	}
	let mut m = Machine::new(vka, proof, instances, O::keccak_256);
	m.run(ops)
}

/// What verifying any proof against `vka` costs, found without a proof: a run over a proof of
/// the right length whose points are all the generator and whose evaluations are small, with
/// zero instances, and no curve arithmetic. Every loop of the verifier is bounded by the VKA's
/// words and the proof's and instances' lengths, which the VKA fixes, and a proof that fails
/// only fails at the pairing, after every step: so a real proof takes exactly these steps and
/// MSM terms, or fewer. Used to price a VKA when it is registered.
///
/// The run stops with [`Error::Budget`] past `max_steps`, so pricing a VKA costs at most that.
pub fn cost(vka: &Vka, max_steps: u64) -> Result<Stats, Error> {
	/// Counts, computes nothing: the MSM and the pairing are the caller's to price.
	struct CostOnly;
	impl Bn254Ops for CostOnly {
		fn msm_g1(&self, _: &[G1Affine], _: &[Fr]) -> G1Affine {
			G1Affine::identity()
		}
		fn pairing_is_one(&self, _: &[G1Affine], _: &[ark_bn254::G2Affine]) -> bool {
			true
		}
	}
	// Points come first in a proof, a whole number of 64-byte points from its start: the
	// generator (1, 2) at every even word is a point wherever one is read.
	let len = usize::try_from(vka.proof_len()).map_err(|_| Error::Proof("too long"))?;
	let mut proof = alloc::vec![0u8; len];
	for (i, word) in proof.chunks_mut(32).enumerate() {
		if let Some(last) = word.last_mut() {
			*last = if i % 2 == 0 { 1 } else { 2 };
		}
	}
	let instances = alloc::vec![[0u8; 32]; vka.num_instances() as usize];
	let mut m = Machine::new(vka, &proof, &instances, CostOnly::keccak_256);
	m.budget = m.budget.min(max_steps);
	m.run(&CostOnly)
}

/// The PCS section's shape as its first sub-sections declare it, which the later ones must
/// follow: one entry per rotation set everywhere, and pointers into the right scratch.
#[derive(Default)]
struct PcsLayout {
	/// The number of sets (vanishing_computations).
	sets: u64,
	/// The rotations of each set (coeff_computations).
	rots: Vec<u64>,
	/// The points and the μ − points, `[start, end)` offsets from vka_end, slot i of one
	/// for slot i of the other (at most 64).
	points: (u64, u64),
	mu_minus: (u64, u64),
	/// The point slots written so far, a bit each.
	written: u64,
	/// Each set's vanishing product: the μ − points of the rotations it lacks, a bit each.
	diffs: Vec<u64>,
	/// Where vanishing_0 (the product for the first set's own rotations) is.
	vanishing_0: u64,
	/// The next coefficient: they are consecutive from vka_end + 0x20.
	next_coeff: u64,
}

impl PcsLayout {
	/// All the slots of the points region, a bit each.
	fn all(&self) -> u64 {
		let n = self.mu_minus.1.saturating_sub(self.mu_minus.0) / 0x20;
		if n >= 64 {
			u64::MAX
		} else {
			(1 << n) - 1
		}
	}

	/// The bit of a μ − point slot.
	fn mu_bit(&self, p: u64) -> Option<u64> {
		let (start, end) = self.mu_minus;
		let d = p.checked_sub(start)?;
		(p < end && d.is_multiple_of(0x20)).then(|| 1u64 << (d / 0x20))
	}
}

struct Machine<'a> {
	vka: &'a Vka,
	/// The transcript's hash ([`Bn254Ops::keccak_256`]).
	keccak_256: fn(&[u8]) -> [u8; 32],
	mem: Vec<W>,
	calldata: Vec<u8>,
	instances_cptr: u64,
	n_instances: u64,
	proof_end: u64,
	/// The proof's evaluations, `[start, end)` in calldata: every evaluation the VKA points at
	/// is one of them, and every commitment it points at lies before them.
	evals: (u64, u64),
	/// The VKA's commitments (fixed, then permutation), `[start, end)` in memory: from the end
	/// of the phase table up to the gates (the constants lie in between too).
	vka_comms: (u64, u64),
	vka_end: W,
	/// `vka_end + fsm`, where the challenges start, and theta_mptr, where they end.
	challenges: W,
	theta: W,
	/// The lowest VKA word an expression reads (a constant), the highest VKA commitment the
	/// opening reads and the number of permutation columns: together they check
	/// num_fixed_comms.
	first_constant: u64,
	last_vka_commitment: u64,
	perm_columns: u64,
	/// What the PCS sub-sections must agree on.
	pcs: PcsLayout,
	steps: u64,
	budget: u64,
	/// The contract's two EC accumulators: `acc` at (vka_end, +0x20), `tmp` at (+0x80, +0xa0).
	acc: Lc,
	tmp: Lc,
	/// The quotient commitment (the contract's theta_mptr + 0x260/0x280).
	quotient: Lc,
}

impl<'a> Machine<'a> {
	fn new(
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
		calldata.extend_from_slice(&[0x34, 0x09, 0xfc, 0x9f]);
		let off_inst = 0x60 + 0x20 + proof.len() as u64;
		let off_vka = off_inst + 0x20 + 32 * instances.len() as u64;
		for v in [0x60, off_inst, off_vka, proof.len() as u64] {
			calldata.extend_from_slice(&W::from_u64(v).to_be());
		}
		calldata.extend_from_slice(proof);
		calldata.extend_from_slice(&W::from_u64(instances.len() as u64).to_be());
		for i in instances {
			calldata.extend_from_slice(i);
		}
		let evals_start = vka.small(at::LAST_QUOTIENT_X_CPTR).saturating_add(0x40);
		let evals_end = evals_start.saturating_add(32 * vka.small(at::NUM_EVALS));
		let fsm = vka.small(at::FSM);
		let theta = vka_end + fsm + vka.small(at::CHALLENGES_OFFSET);
		let table = vka.phase_table;
		let table_words = vka.words.get(((table - BASE) / 32) as usize).map_or(0, |w| w.low8());
		let vka_comms = (table + 32 * table_words, vka.small(at::GATE_LEN_OFFSET));
		let mut mem = alloc::vec![W::ZERO; (vka_end / 32) as usize];
		mem[2] = W::from_u64(vka_end); // the free memory pointer
		mem[4] = W::from_u64(n as u64); // the vka array's length
		mem[5..].copy_from_slice(&vka.words);
		Machine {
			keccak_256,
			vka,
			mem,
			calldata,
			instances_cptr: PROOF_CPTR + proof.len() as u64 + 0x20,
			n_instances: instances.len() as u64,
			proof_end: PROOF_CPTR + proof.len() as u64,
			evals: (evals_start, evals_end),
			vka_comms,
			vka_end: W::from_u64(vka_end),
			challenges: W::from_u64(vka_end + fsm),
			theta: W::from_u64(theta),
			first_constant: u64::MAX,
			last_vka_commitment: 0,
			perm_columns: 0,
			pcs: PcsLayout::default(),
			steps: 0,
			budget: step_budget(n, proof.len(), instances.len()),
			acc: Lc::default(),
			tmp: Lc::default(),
			quotient: Lc::default(),
		}
	}

	fn step(&mut self, n: u64) -> Result<(), Error> {
		self.steps = self.steps.saturating_add(n);
		if self.steps > self.budget {
			return Err(Error::Budget);
		}
		Ok(())
	}

	fn addr(&self, p: W) -> Result<usize, Error> {
		let p = p.as_u64().filter(|p| *p < MEM_LIMIT).ok_or(Error::Vka("pointer out of memory"))?;
		if p % 32 != 0 {
			return Err(Error::Vka("unaligned memory pointer"));
		}
		Ok((p / 32) as usize)
	}

	fn mload(&self, p: W) -> Result<W, Error> {
		let i = self.addr(p)?;
		Ok(self.mem.get(i).copied().unwrap_or_default())
	}

	fn mstore(&mut self, p: W, v: W) -> Result<(), Error> {
		let i = self.addr(p)?;
		if i >= self.mem.len() {
			self.mem.resize(i + 1, W::ZERO);
		}
		if let Some(slot) = self.mem.get_mut(i) {
			*slot = v;
		}
		Ok(())
	}

	fn m(&self, p: u64) -> Result<W, Error> {
		self.mload(W::from_u64(p))
	}

	/// `mload(add(vka_end, off))`
	fn mrel(&self, off: W) -> Result<W, Error> {
		self.mload(self.vka_end.add(off))
	}

	fn cload(&self, p: W) -> W {
		let mut b = [0u8; 32];
		if let Some(p) = p.as_u64() {
			for (i, byte) in b.iter_mut().enumerate() {
				let at = p.saturating_add(i as u64);
				if let Some(v) = usize::try_from(at).ok().and_then(|a| self.calldata.get(a)) {
					*byte = *v;
				}
			}
		}
		W::from_be(&b)
	}

	fn cpoint(&self, x: W, y: W) -> Result<Lc, Error> {
		g1_from_words(self.cload(x), self.cload(y))
			.map(Lc::point)
			.ok_or(Error::Proof("a point is not on the curve"))
	}

	fn mpoint(&self, x: W, y: W) -> Result<Lc, Error> {
		g1_from_words(self.mload(x)?, self.mload(y)?)
			.map(Lc::point)
			.ok_or(Error::Vka("a commitment is not on the curve"))
	}

	/// An evaluation the VKA points at: one of the proof's evaluations, not any calldata.
	fn eval(&self, p: u64) -> Result<W, Error> {
		let (start, end) = self.evals;
		if !(start..end).contains(&p) || !(p - start).is_multiple_of(32) {
			return Err(Error::Vka("an evaluation pointer is not one of the proof's evaluations"));
		}
		Ok(self.cload(W::from_u64(p)))
	}

	/// A proof commitment the VKA points at: one of the points before the evaluations, its y
	/// in the word after its x.
	fn commitment(&self, x: u64, y: u64) -> Result<Lc, Error> {
		let slot = (PROOF_CPTR..self.evals.0).contains(&x) && (x - PROOF_CPTR).is_multiple_of(0x40);
		if !slot || y != x + 0x20 {
			return Err(Error::Vka("a commitment pointer is not one of the proof's points"));
		}
		self.cpoint(W::from_u64(x), W::from_u64(y))
	}

	/// A VKA commitment the PCS section points at: one of its points, its y after its x.
	fn vka_commitment(&mut self, x: u64, y: u64) -> Result<Lc, Error> {
		let (start, end) = self.vka_comms;
		if !(start..end).contains(&x) || !(x - start).is_multiple_of(0x40) || y != x + 0x20 {
			return Err(Error::Vka("a commitment pointer is not one of the VKA's points"));
		}
		self.last_vka_commitment = self.last_vka_commitment.max(x);
		self.mpoint(W::from_u64(x), W::from_u64(y))
	}

	/// An expression's memory operand: a constant of the VKA, a slot the expression has
	/// written (from `fsmp`, its first, up to `slot`, the one it writes now), a user challenge
	/// or the instance evaluation. Nothing else: any other scratch holds what an earlier
	/// computation left, and memory nobody wrote reads as 0.
	fn operand(&mut self, p: u64, fsmp: W, slot: W) -> Result<W, Error> {
		let w = W::from_u64(p);
		if (self.vka_comms.0..self.vka_comms.1).contains(&p) {
			self.first_constant = self.first_constant.min(p);
		} else if !(fsmp <= w && w < slot
			|| self.challenges <= w && w < self.theta
			|| w == self.theta.addu(0x220))
		{
			return Err(Error::Vka("an operand is not a constant, a result or a challenge"));
		}
		self.mload(w)
	}

	fn keccak(&self, from: W, to: W) -> Result<[u8; 32], Error> {
		let (a, b) = (self.addr(from)?, self.addr(to)?);
		let mut buf = Vec::with_capacity(32 * b.saturating_sub(a));
		for i in a..b {
			buf.extend_from_slice(&self.mem.get(i).copied().unwrap_or_default().to_be());
		}
		Ok((self.keccak_256)(&buf))
	}

	/// `read_ec_point`: a proof point, canonical and on the curve (not the identity), absorbed.
	fn read_ec_point(&mut self, cptr: &mut W, hash: &mut W) -> Result<(), Error> {
		let x = self.cload(*cptr);
		let y = self.cload(cptr.addu(0x20));
		if !(x < Q && y < Q) || x.is_zero() && y.is_zero() || g1_from_words(x, y).is_none() {
			return Err(Error::Proof("a commitment is not a curve point"));
		}
		self.mstore(*hash, x)?;
		self.mstore(hash.addu(0x20), y)?;
		*cptr = cptr.addu(0x40);
		*hash = hash.addu(0x40);
		Ok(())
	}

	fn squeeze(&mut self, ch: &mut W, hash: &mut W) -> Result<(), Error> {
		let h = W::from_be(&self.keccak(self.vka_end, *hash)?);
		self.mstore(*ch, word(fr(h)))?;
		self.mstore(self.vka_end, h)?;
		*ch = ch.addu(0x20);
		*hash = self.vka_end.addu(0x20);
		Ok(())
	}

	fn squeeze_cont(&mut self, ch: &mut W) -> Result<(), Error> {
		// mstore8(vka_end + 0x20, 1): the top byte of the next word.
		let next = self.vka_end.addu(0x20);
		let mut b = self.mload(next)?.to_be();
		b[0] = 1;
		self.mstore(next, W::from_be(&b))?;
		let state = self.mload(self.vka_end)?.to_be();
		let mut input = [0u8; 33];
		input[..32].copy_from_slice(&state);
		input[32] = 1;
		let h = W::from_be(&(self.keccak_256)(&input));
		self.mstore(*ch, word(fr(h)))?;
		self.mstore(self.vka_end, h)?;
		*ch = ch.addu(0x20);
		Ok(())
	}

	/// `batch_invert(mptr_start, mptr_end)`, with its scratch writes.
	fn batch_invert(&mut self, start: W, end: W) -> Result<(), Error> {
		let mut gp_mptr = end;
		let mut gp = self.mload(start)?;
		let mut mptr = start.addu(0x20);
		while mptr < end.subu(0x20) {
			self.step(1)?;
			gp = mulmod(gp, self.mload(mptr)?);
			self.mstore(gp_mptr, gp)?;
			mptr = mptr.addu(0x20);
			gp_mptr = gp_mptr.addu(0x20);
		}
		gp = mulmod(gp, self.mload(mptr)?);
		for (i, v) in [W::from_u64(0x20), W::from_u64(0x20), W::from_u64(0x20), gp, R.subu(2), R]
			.into_iter()
			.enumerate()
		{
			self.mstore(gp_mptr.addu(0x20 * i as u64), v)?;
		}
		// The modexp precompile: gp^(r-2), 0 for 0.
		let mut all_inv = word(fr(gp).inverse().unwrap_or_else(Fr::zero));
		self.mstore(gp_mptr, all_inv)?;
		let first = start;
		let second = first.addu(0x20);
		gp_mptr = gp_mptr.subu(0x20);
		while second < mptr {
			self.step(1)?;
			let inv = mulmod(all_inv, self.mload(gp_mptr)?);
			all_inv = mulmod(all_inv, self.mload(mptr)?);
			self.mstore(mptr, inv)?;
			mptr = mptr.subu(0x20);
			gp_mptr = gp_mptr.subu(0x20);
		}
		let inv_first = mulmod(all_inv, self.mload(second)?);
		let inv_second = mulmod(all_inv, self.mload(first)?);
		self.mstore(first, inv_first)?;
		self.mstore(second, inv_second)?;
		Ok(())
	}

	fn run(&mut self, ops: &impl Bn254Ops) -> Result<Stats, Error> {
		let theta = self.transcript()?;
		self.lagrange(theta)?;
		self.quotient_eval(theta)?;
		self.quotient_commitment(theta)?;
		let (lhs, rhs) = self.pairing_input(theta)?;
		let (bases, scalars): (Vec<G1Affine>, Vec<Fr>) = lhs.terms.iter().copied().unzip();
		self.step(bases.len() as u64)?;
		let lhs = ops.msm_g1(&bases, &scalars);
		let ok = ops.pairing_is_one(&[lhs, rhs], &[self.vka.g2, self.vka.neg_s_g2]);
		if !ok {
			return Err(Error::PairingFailed);
		}
		Ok(Stats { steps: self.steps, msm_terms: bases.len() as u32 })
	}

	/// Reads the instances and the proof into the transcript and squeezes every challenge.
	/// Returns theta_mptr.
	fn transcript(&mut self) -> Result<W, Error> {
		let vka_end = self.vka_end;
		self.mstore(vka_end, self.m(BASE)?)?;
		let mut hash = vka_end.addu(0x20);
		let mut cptr = W::from_u64(PROOF_CPTR);
		let mut ch = vka_end.add(self.m(BASE + 32 * at::FSM as u64)?);
		let theta = ch.add(self.m(BASE + 32 * at::CHALLENGES_OFFSET as u64)?);
		let mut len_ptr = W::from_u64(self.vka.phase_table);
		let mut data = self.mload(len_ptr)?;
		let num_words = data.low8();
		data = data.shr(8);
		let num_evals = self.m(BASE + 32 * at::NUM_EVALS as u64)?.mul(W::from_u64(0x20));

		for i in 0..self.n_instances {
			self.step(1)?;
			let inst = self.cload(W::from_u64(self.instances_cptr + 32 * i));
			if inst >= R {
				return Err(Error::Instances("an instance is not below r"));
			}
			self.mstore(hash, inst)?;
			hash = hash.addu(0x20);
		}
		for _ in 0..num_words {
			len_ptr = len_ptr.addu(0x20);
			while !data.is_zero() {
				self.step(1)?;
				let end = cptr.addu(data.low16());
				data = data.shr(16);
				while cptr < end {
					self.step(1)?;
					self.read_ec_point(&mut cptr, &mut hash)?;
				}
				self.squeeze(&mut ch, &mut hash)?;
				// The challenges squeezed: the first always, so at least one.
				let n = data.low8();
				if n == 0 {
					return Err(Error::Vka("a phase without challenges"));
				}
				data = data.shr(8);
				for _ in 1..n {
					self.step(1)?;
					self.squeeze_cont(&mut ch)?;
				}
			}
			data = self.mload(len_ptr)?;
		}
		let end = cptr.add(num_evals);
		while cptr < end {
			self.step(1)?;
			let e = self.cload(cptr);
			if e >= R {
				return Err(Error::Proof("an evaluation is not below r"));
			}
			self.mstore(hash, e)?;
			cptr = cptr.addu(0x20);
			hash = hash.addu(0x20);
		}
		self.squeeze(&mut ch, &mut hash)?; // zeta
		self.squeeze_cont(&mut ch)?; // nu
		self.read_ec_point(&mut cptr, &mut hash)?; // W
		self.squeeze(&mut ch, &mut hash)?; // mu
		self.read_ec_point(&mut cptr, &mut hash)?; // W'
		if cptr != self.proof_end {
			return Err(Error::Proof("the transcript does not end where the proof does"));
		}
		Ok(theta)
	}

	fn lagrange(&mut self, theta: W) -> Result<(), Error> {
		let k = self.m(BASE + 32 * at::K as u64)?.as_u64().unwrap_or(0);
		let x = fr(self.mload(theta.addu(0x80))?);
		let mut x_n = x;
		for _ in 0..k {
			x_n.square_in_place();
		}
		let x_n = word(x_n);
		let x = word(x);
		let omega = self.m(0x180)?;
		let x_n_mptr = theta.addu(0x180);
		let mut mptr = x_n_mptr;
		let n_inst = self.m(0xe0)?;
		let n_neg = self.m(0x480)?;
		let mut mptr_end = mptr.add(W::from_u64(0x20).mul(n_inst.add(n_neg)));
		if n_inst.is_zero() {
			mptr_end = mptr_end.addu(0x20);
		}
		let mut pow = self.m(0x1c0)?;
		while mptr < mptr_end {
			self.step(1)?;
			self.mstore(mptr, submod(x, pow))?;
			pow = mulmod(pow, omega);
			mptr = mptr.addu(0x20);
		}
		let x_n_minus_1 = submod(x_n, W::from_u64(1));
		self.mstore(mptr_end, x_n_minus_1)?;
		self.batch_invert(x_n_mptr, mptr_end.addu(0x20))?;
		mptr = x_n_mptr;
		let l_i_common = mulmod(x_n_minus_1, self.m(0x160)?);
		let mut pow = self.m(0x1c0)?;
		while mptr < mptr_end {
			self.step(1)?;
			let v = mulmod(l_i_common, mulmod(self.mload(mptr)?, pow));
			self.mstore(mptr, v)?;
			pow = mulmod(pow, omega);
			mptr = mptr.addu(0x20);
		}
		let mut l_blind = self.mload(x_n_mptr.addu(0x20))?;
		let mut l_i = x_n_mptr.addu(0x40);
		let l_i_end = x_n_mptr.add(W::from_u64(0x20).mul(n_neg));
		while l_i < l_i_end {
			self.step(1)?;
			l_blind = addmod(l_blind, self.mload(l_i)?);
			l_i = l_i.addu(0x20);
		}
		let mut instance_eval = W::ZERO;
		for i in 0..self.n_instances {
			self.step(1)?;
			let inst = self.cload(W::from_u64(self.instances_cptr + 32 * i));
			instance_eval = addmod(instance_eval, mulmod(self.mload(l_i)?, inst));
			l_i = l_i.addu(0x20);
		}
		let inv = self.mload(mptr_end)?;
		let l_last = self.mload(x_n_mptr)?;
		let l_0 = self.mload(x_n_mptr.add(W::from_u64(0x20).mul(n_neg)))?;
		self.mstore(x_n_mptr, x_n)?;
		self.mstore(theta.addu(0x1a0), inv)?;
		self.mstore(theta.addu(0x1c0), l_last)?;
		self.mstore(theta.addu(0x1e0), l_blind)?;
		self.mstore(theta.addu(0x200), l_0)?;
		self.mstore(theta.addu(0x220), instance_eval)?;
		Ok(())
	}

	/// `expression_evals_packed`: runs one expression's ops, results in slots from `fsmp`.
	/// Returns (next code pointer, next word, last slot offset or the lookup accumulator).
	fn expression(&mut self, fsmp: W, code_ptr: W, mut w: W) -> Result<(W, W, W), Error> {
		let n = W::from_u64(0x20).mul(W::from_u64(w.low8())).addu(0x20);
		w = w.shr(8);
		let mut acc = W::ZERO;
		let mut ret0 = W::ZERO;
		let mut i = W::from_u64(0x20);
		while i < n {
			while !w.is_zero() {
				self.step(1)?;
				let dst = fsmp.add(acc);
				match w.low8() {
					0x00 => {
						w = w.shr(8);
						let v = self.eval(w.low16())?;
						self.mstore(dst, v)?;
						w = w.shr(16);
					},
					0x01 => {
						w = w.shr(8);
						let v = R.sub(self.operand(w.low16(), fsmp, dst)?);
						self.mstore(dst, v)?;
						w = w.shr(16);
					},
					op @ (0x02 | 0x03) => {
						w = w.shr(8);
						let a = self.operand(w.low16(), fsmp, dst)?;
						let b = self.operand(w.shr(16).low16(), fsmp, dst)?;
						self.mstore(dst, if op == 0x02 { addmod(a, b) } else { mulmod(a, b) })?;
						w = w.shr(32);
					},
					0x04 => {
						// It ends the expression, on its last word as the expression's length says.
						let (ret0, w, a) = self.lookup_accum(w, i, code_ptr, fsmp, dst)?;
						if ret0 != code_ptr.add(n).subu(0x20) {
							return Err(Error::Vka(
								"a lookup expression is not as long as it says",
							));
						}
						return Ok((ret0, w, a));
					},
					_ => return Err(Error::Vka("unknown expression opcode")),
				}
				acc = acc.addu(0x20);
			}
			ret0 = code_ptr.add(i);
			w = self.mload(ret0)?;
			i = i.addu(0x20);
		}
		Ok((ret0, w, acc.subu(0x20)))
	}

	/// `lookup_input_accum`: the θ-fold that ends a lookup expression.
	fn lookup_accum(
		&mut self,
		mut w: W,
		i: W,
		code_ptr: W,
		fsmp: W,
		slot: W,
	) -> Result<(W, W, W), Error> {
		w = w.shr(8);
		let n = W::from_u64(0x20).mul(W::from_u64(w.low8()));
		w = w.shr(8);
		let mut a = self.operand(w.low16(), fsmp, slot)?;
		w = w.shr(16);
		let theta = self.mrel(W::from_u64(0x60))?;
		let mut ret0 = W::ZERO;
		let mut j = W::ZERO;
		while j < n {
			while !w.is_zero() {
				self.step(1)?;
				a = addmod(mulmod(a, theta), self.operand(w.low16(), fsmp, slot)?);
				w = w.shr(16);
			}
			ret0 = code_ptr.add(i.add(j));
			w = self.mload(ret0)?;
			j = j.addu(0x20);
		}
		Ok((ret0, w, a))
	}

	fn quotient_eval(&mut self, theta: W) -> Result<(), Error> {
		let vka_end = self.vka_end;
		let y = self.mload(theta.addu(0x60))?;
		let mut numer = W::ZERO;
		// Gate computations.
		{
			let len_ptr = self.m(0x3e0)?;
			let mut ptr = len_ptr.addu(0x20);
			let len = self.mload(len_ptr)?;
			let mut w = self.mload(ptr)?;
			let mut block = W::ZERO;
			while block < len {
				self.step(1)?;
				let (p, nw, last) = self.expression(vka_end, ptr, w)?;
				ptr = p;
				w = nw;
				let v = self.mload(vka_end.add(last))?;
				numer = if block.is_zero() { v } else { addmod(mulmod(numer, y), v) };
				block = block.addu(0x20);
			}
			// Each section ends where the next one begins: no word between them goes unread.
			if ptr != self.m(0x400)? {
				return Err(Error::Vka("the gates do not end where the permutation begins"));
			}
		}
		// Permutation computations.
		{
			let mut pz_ptr = self.m(0x400)?;
			let mut pz = self.mload(pz_ptr)?;
			let last_idx = W::from_u64(pz.low8());
			pz = pz.shr(8);
			if !pz.shr(32).is_zero() {
				return Err(Error::Vka("unused bits of the permutation's meta word are set"));
			}
			let num_words = pz.mask(32);
			pz_ptr = pz_ptr.addu(0x20);
			pz = self.mload(pz_ptr)?;
			let l_0 = self.mload(theta.addu(0x200))?;
			let z0 = self.eval(pz.low16())?;
			numer = addmod(mulmod(numer, y), submod(l_0, mulmod(l_0, z0)));
			let z_last_ptr = last_idx.mul(W::from_u64(num_words.low16())).add(pz_ptr);
			let z_last = self.eval(self.mload(z_last_ptr)?.low16())?;
			let l_last = self.mload(theta.addu(0x1c0))?;
			numer =
				addmod(mulmod(numer, y), mulmod(l_last, submod(mulmod(z_last, z_last), z_last)));
			let beta_x = mulmod(self.mload(theta.addu(0x20))?, self.mload(theta.addu(0x80))?);
			self.mstore(vka_end, beta_x)?;
			numer = self.z_evals(pz, num_words, z_last_ptr, pz_ptr, theta, l_0, y, numer)?;
		}
		// MV lookup computations.
		{
			self.mstore(vka_end, self.mload(theta.addu(0x1c0))?)?; // l_last
			self.mstore(vka_end.addu(0x20), self.mload(theta.addu(0x200))?)?; // l_0
			self.mstore(vka_end.addu(0x40), self.mload(theta.addu(0x1e0))?)?; // l_blind
			self.mstore(vka_end.addu(0x60), self.mload(theta)?)?; // theta
			self.mstore(vka_end.addu(0x80), self.mload(theta.addu(0x20))?)?; // beta
			let len_ptr = self.m(0x420)?;
			let mut evals_ptr = len_ptr.addu(0x20);
			let meta = self.mload(len_ptr)?;
			if !meta.is_zero() {
				let end = W::from_u64(meta.low16());
				if meta.shr(16).low8() != 0 {
					return Err(Error::Unsupported("plookup (non-logUp) lookups"));
				}
				if !meta.shr(24).is_zero() || end != self.m(0x440)? {
					return Err(Error::Vka("a malformed lookups' meta word"));
				}
				let mut table = W::ZERO;
				while evals_ptr < end {
					self.step(1)?;
					let (p, t, n) = self.mv_lookup(table, evals_ptr, numer, y)?;
					evals_ptr = p;
					table = t;
					numer = n;
				}
			}
			if evals_ptr != self.m(0x440)? {
				return Err(Error::Vka("the lookups do not end where the PCS section begins"));
			}
		}
		let inv = self.mload(theta.addu(0x1a0))?;
		self.mstore(theta.addu(0x240), mulmod(numer, inv))?;
		Ok(())
	}

	#[allow(clippy::too_many_arguments)]
	fn z_evals(
		&mut self,
		mut z: W,
		packed: W,
		z_last_ptr: W,
		mut pz_ptr: W,
		theta: W,
		l_0: W,
		y: W,
		mut numer: W,
	) -> Result<W, Error> {
		let vka_end = self.vka_end;
		let num_words = W::from_u64(packed.low16());
		self.mstore(vka_end.addu(0x20), vka_end.addu(0x40))?;
		while pz_ptr < z_last_ptr {
			self.step(1)?;
			let next = pz_ptr.add(num_words);
			let z_j = self.mload(next)?;
			let d = submod(self.eval(z_j.low16())?, self.eval(z.shr(32).low16())?);
			numer = addmod(mulmod(numer, y), mulmod(l_0, d));
			self.col_evals(z, num_words, pz_ptr, theta)?;
			pz_ptr = next;
			z = z_j;
		}
		let last_words = W::from_u64(packed.shr(16).low16());
		if pz_ptr != z_last_ptr || z_last_ptr.add(last_words) != self.m(0x420)? {
			return Err(Error::Vka("the permutation does not end where the lookups begin"));
		}
		self.col_evals(z, last_words, pz_ptr, theta)?;
		let end = self.mload(vka_end.addu(0x20))?;
		let mut j = vka_end.addu(0x40);
		while j < end {
			self.step(1)?;
			numer = addmod(mulmod(numer, y), self.mload(j)?);
			j = j.addu(0x20);
		}
		Ok(numer)
	}

	fn col_evals(&mut self, mut z: W, num_words: W, pz_ptr: W, theta: W) -> Result<(), Error> {
		let vka_end = self.vka_end;
		let gamma = fr(self.mload(theta.addu(0x40))?);
		let beta = fr(self.mload(theta.addu(0x20))?);
		let l_last = self.mload(theta.addu(0x1c0))?;
		let l_blind = self.mload(theta.addu(0x1e0))?;
		let i_eval = self.mload(theta.addu(0x220))?;
		// A z's evaluations at x, ωx and ω^-l·x are consecutive (the last z has no third, and
		// its pointer, unread, still points past the second).
		if z.shr(16).low16() != z.low16() + 0x20 || z.shr(32).low16() != z.low16() + 0x40 {
			return Err(Error::Vka("a permutation z's evaluations are not consecutive"));
		}
		let mut lhs = fr(self.eval(z.shr(16).low16())?);
		let mut rhs = fr(self.eval(z.low16())?);
		z = z.shr(48);
		let mut j = W::ZERO;
		while j < num_words {
			self.step(1)?;
			while !z.is_zero() {
				self.step(1)?;
				// A column is an evaluation in the proof (flag 0) or the instance column (flag 1,
				// no pointer).
				let eval = match (z.low8(), z.shr(8).low16()) {
					(0, p) => fr(self.eval(p)?),
					(1, 0) => fr(i_eval),
					_ => return Err(Error::Vka("a malformed permutation column")),
				};
				self.perm_columns += 1;
				let sigma = fr(self.eval(z.shr(24).low16())?);
				lhs *= eval + beta * sigma + gamma;
				let running = self.mload(vka_end)?;
				rhs *= eval + fr(running) + gamma;
				z = z.shr(40);
				self.mstore(vka_end, mulmod(running, DELTA))?;
			}
			z = self.mload(pz_ptr.add(j).addu(0x20))?;
			j = j.addu(0x20);
		}
		let lsr = word(lhs - rhs);
		let fsm_ptr = self.mload(vka_end.addu(0x20))?;
		self.mstore(fsm_ptr, submod(lsr, mulmod(lsr, addmod(l_last, l_blind))))?;
		self.mstore(vka_end.addu(0x20), fsm_ptr.addu(0x20))?;
		Ok(())
	}

	/// `lookup_expr_evals_packed` with the logUp `+ β`.
	fn lookup_expr(&mut self, fsmp: W, code_ptr: W, w: W) -> Result<(W, W, W), Error> {
		let (p, nw, v) = self.expression(fsmp, code_ptr, w)?;
		Ok((p, nw, addmod(v, self.mrel(W::from_u64(0x80))?)))
	}

	/// `mv_lookup_evals`
	fn mv_lookup(
		&mut self,
		mut table: W,
		mut evals_ptr: W,
		mut numer: W,
		y: W,
	) -> Result<(W, W, W), Error> {
		let base = self.vka_end.addu(0xa0);
		let mut evals = self.mload(evals_ptr)?;
		let new_table = evals.low8();
		evals = evals.shr(8);
		// [new table: 8][φ: 16][φ(ωx): 16][m: 16], nothing above.
		if new_table > 1 || !evals.shr(48).is_zero() {
			return Err(Error::Vka("a malformed lookup word"));
		}
		let phi = self.eval(evals.low16())?;
		let l_0 = self.mrel(W::from_u64(0x20))?;
		let l_last = self.mrel(W::ZERO)?;
		let l_blind = self.mrel(W::from_u64(0x40))?;
		numer = addmod(mulmod(numer, y), mulmod(l_0, phi));
		numer = addmod(mulmod(numer, y), mulmod(l_last, phi));
		evals_ptr = evals_ptr.addu(0x20);
		let mut input = self.mload(evals_ptr)?;
		if new_table != 0 {
			let w = self.mload(evals_ptr)?;
			let (p, nw, t) = self.lookup_expr(base, evals_ptr, w)?;
			evals_ptr = p;
			input = nw;
			table = t;
		}
		let outer = W::from_u64(input.low16());
		input = input.shr(16);
		let mut j = base;
		while j < outer.add(base) {
			self.step(1)?;
			let (p, nw, ident) = self.lookup_expr(j, evals_ptr, input)?;
			evals_ptr = p;
			input = nw;
			self.mstore(j, ident)?;
			j = j.addu(0x20);
		}
		let f = |m: &Self, j: W| m.mload(j.add(base));
		let mut rhs = W::ZERO;
		if outer == 0x20u64 {
			rhs = table;
		} else {
			let last_idx = outer.subu(0x20);
			let mut i = W::ZERO;
			while i < outer {
				let (mut tmp, mut j) = (f(self, W::ZERO)?, W::from_u64(0x20));
				if i.is_zero() {
					tmp = f(self, W::from_u64(0x20))?;
					j = W::from_u64(0x40);
				}
				while j < outer {
					self.step(1)?;
					if i != j {
						tmp = mulmod(tmp, f(self, j)?);
					}
					j = j.addu(0x20);
				}
				rhs = addmod(rhs, tmp);
				if i == last_idx {
					rhs = mulmod(rhs, table);
				}
				i = i.addu(0x20);
			}
		}
		let mut tmp = f(self, W::ZERO)?;
		let mut j = W::from_u64(0x20);
		while j < outer {
			self.step(1)?;
			tmp = mulmod(tmp, f(self, j)?);
			j = j.addu(0x20);
		}
		let m = self.eval(evals.shr(32).low16())?;
		rhs = submod(rhs, mulmod(m, tmp));
		let phi_next = self.eval(evals.shr(16).low16())?;
		let lhs = mulmod(mulmod(table, tmp), submod(phi_next, phi));
		let active = submod(W::from_u64(1), addmod(l_blind, l_last));
		numer = addmod(mulmod(numer, y), mulmod(active, submod(lhs, rhs)));
		Ok((evals_ptr, table, numer))
	}

	fn quotient_commitment(&mut self, theta: W) -> Result<(), Error> {
		let last = self.vka.small(at::LAST_QUOTIENT_X_CPTR);
		let first = self.vka.small(at::FIRST_QUOTIENT_X_CPTR);
		// The pieces h_0 (first) … h_last are whole points apart.
		if first > last || !(last - first).is_multiple_of(0x40) {
			return Err(Error::Vka("the quotient pointers are not whole points apart"));
		}
		let mut acc = self.commitment(last, last + 0x20)?;
		let x_n = fr(self.mload(theta.addu(0x180))?);
		let mut cptr = last;
		while first < cptr {
			cptr -= 0x40;
			self.step(1 + acc.len() as u64)?;
			acc.scale(x_n);
			acc.add(&self.commitment(cptr, cptr + 0x20)?);
		}
		self.quotient = acc;
		Ok(())
	}

	fn point_rots(
		&mut self,
		mut pc: W,
		mut pcs_ptr: W,
		mut shift: u64,
		mut xp: W,
		omega: W,
	) -> Result<(W, W), Error> {
		let max_rot = pc.low8();
		pc = pc.shr(8);
		for i in 0..max_rot {
			self.step(1)?;
			// A rotation between the ones queried has no slot (0: the contract writes the point
			// to scratch at vka_end, unread); the last one, the farthest, is queried.
			if pc.low16() != 0 || i == max_rot - 1 {
				self.point_slot(pc.low16())?;
			}
			self.mstore(self.vka_end.addu(pc.low16()), xp)?;
			if i == max_rot - 1 {
				break;
			}
			xp = mulmod(xp, omega);
			shift += 16;
			pc = pc.shr(16);
			if shift == 256 {
				shift = 0;
				pcs_ptr = pcs_ptr.addu(0x20);
				pc = self.mload(pcs_ptr)?;
			}
		}
		if !(if max_rot == 0 { pc } else { pc.shr(16) }).is_zero() {
			return Err(Error::Vka("unused bits of a point word are set"));
		}
		Ok((xp, pcs_ptr))
	}

	/// Marks a slot point_computations writes: one of the points region, written once.
	fn point_slot(&mut self, p: u64) -> Result<(), Error> {
		let (start, end) = self.pcs.points;
		let bit = match p.checked_sub(start) {
			Some(d) if p < end && d.is_multiple_of(0x20) => 1u64 << (d / 0x20),
			_ => 0,
		};
		if bit == 0 || self.pcs.written & bit != 0 {
			return Err(Error::Vka("a point slot outside the points, or written twice"));
		}
		self.pcs.written |= bit;
		Ok(())
	}

	/// A per-set length (in bytes, 0x20 per rotation) of the `set`-th set: what
	/// coeff_computations declared.
	fn set_rots(&self, set: usize, len: u64) -> Result<(), Error> {
		match self.pcs.rots.get(set) {
			Some(rots) if 0x20 * rots == len => Ok(()),
			_ => Err(Error::Vka("a rotation set differs from its coefficients")),
		}
	}

	/// A per-set list ended after `n` entries: one per set.
	fn all_sets(&self, n: usize) -> Result<(), Error> {
		if n as u64 != self.pcs.sets {
			return Err(Error::Vka("a PCS list is not one entry per rotation set"));
		}
		Ok(())
	}

	fn coeff_computation(&mut self, cld: W, cd: W) -> Result<W, Error> {
		let vka_end = self.vka_end;
		let len = cld.low8();
		let rest = cld.shr(8);
		// A set of 1..=5 rotations, 16 bits a pointer: [points, if len > 1][μ − points][coeffs].
		let bits = if len == 1 { 32 } else { 48 * len };
		if !(1..=5).contains(&len) || !cd.shr(bits).is_zero() {
			return Err(Error::Vka("a malformed coefficient word"));
		}
		// Its pointers: the set's rotations (the μ − points its vanishing product lacks, in
		// order, and the points in the same slots) and the coefficients next in line.
		let set = self.pcs.rots.len();
		let field = |k: u64| cd.shr(16 * k).low16();
		let points = if len == 1 { 0 } else { len };
		let (mut own, mut previous) = (0u64, 0u64);
		for k in 0..len {
			let mu = field(points + k);
			let same_slot = len == 1
				|| field(k).checked_sub(self.pcs.points.0) == mu.checked_sub(self.pcs.mu_minus.0);
			let next = field(points + len + k) == self.pcs.next_coeff;
			match self.pcs.mu_bit(mu) {
				Some(bit) if mu > previous && same_slot && next => own |= bit,
				_ => return Err(Error::Vka("a coefficient word does not match its set")),
			}
			previous = mu;
			self.pcs.next_coeff += 0x20;
		}
		if self.pcs.diffs.get(set).map(|d| self.pcs.all() & !d) != Some(own) {
			return Err(Error::Vka("a set's coefficients are not its rotations"));
		}
		self.pcs.rots.push(len);
		let p = |m: &Self, shift: u64| m.mload(W::from_u64(cd.shr(shift).low16()).add(vka_end));
		if len == 1 {
			let v = word(fr(p(self, 0)?));
			self.mstore(W::from_u64(cd.shr(16).low16()).add(vka_end), v)?;
		} else {
			let mut coeff = W::ZERO;
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
				self.mstore(W::from_u64(cd.shr(off).low16()).add(vka_end), coeff)?;
			}
		}
		Ok(rest)
	}

	#[allow(clippy::too_many_arguments)]
	fn r_evals_set(
		&mut self,
		rot_len: u64,
		mut ptr: W,
		zeta: W,
		qe: W,
		coeff_ptr: W,
	) -> Result<(W, W), Error> {
		let mut data = self.mload(ptr)?;
		let num_words = data.low8();
		data = data.shr(8);
		let mut r = W::ZERO;
		if rot_len == 0 || !rot_len.is_multiple_of(0x20) || rot_len > 0xa0 {
			return Err(Error::Vka("a malformed rotation set"));
		}
		if rot_len == 0x20 {
			let coeff = self.mload(coeff_ptr)?;
			r = addmod(r, mulmod(coeff, self.eval(data.low16())?));
			data = data.shr(16);
			r = mulmod(r, zeta);
			r = addmod(r, mulmod(coeff, qe));
			for _ in 0..num_words {
				while !data.is_zero() {
					self.step(1)?;
					let gl = data.low8();
					data = data.shr(8);
					if gl != 0 {
						for _ in 0..gl {
							self.step(1)?;
							r = addmod(mulmod(r, zeta), mulmod(coeff, self.eval(data.low16())?));
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
							r = addmod(mulmod(r, zeta), mulmod(coeff, self.eval(mptr)?));
							mptr -= 0x20;
						}
						data = data.shr(16);
					}
				}
				ptr = ptr.addu(0x20);
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
						let c = self.mload(coeff_ptr.addu(j))?;
						r = addmod(r, mulmod(c, self.eval(data.low16())?));
						data = data.shr(16);
						j += 0x20;
					}
					if !data.is_zero() || i + 1 < num_words {
						r = mulmod(r, zeta);
					}
				}
				ptr = ptr.addu(0x20);
				data = self.mload(ptr)?;
			}
		}
		Ok((r, ptr))
	}

	/// `pairing_input_computations(_first)`: one set's commitments, Horner in ζ, into `acc`
	/// (the first set) or `tmp`.
	fn pairing_set(
		&mut self,
		first: bool,
		len: u64,
		mut pcs_ptr: W,
		mut data: W,
		theta: W,
	) -> Result<(), Error> {
		let zeta = fr(self.mload(theta.addu(0xa0))?);
		let mut lc = self.commitment(data.low16(), data.shr(16).low16())?;
		data = data.shr(32);
		let mut i = 0u64;
		while i < len {
			while !data.is_zero() {
				self.step(1)?;
				let loc = data.low8();
				data = data.shr(8);
				let cnt = data.low8();
				data = data.shr(8);
				let push = |m: &mut Self, p: Lc, lc: &mut Lc| -> Result<(), Error> {
					m.step(1 + lc.len() as u64)?;
					lc.scale(zeta);
					lc.add(&p);
					Ok(())
				};
				// A VKA commitment (location 0) or a proof commitment (1).
				let point = |m: &mut Self, loc: u64, x: u64, y: u64| {
					if loc == 0 {
						m.vka_commitment(x, y)
					} else {
						m.commitment(x, y)
					}
				};
				// ezkl writes a count of 1 or 2 points, or 0 for a run of 3 or more, and the
				// quotient (location 2) alone.
				match (loc, cnt) {
					(0 | 1, 0) => {
						let mut mptr = data.low16();
						data = data.shr(16);
						let end = data.low16();
						if mptr <= end || !(mptr - end).is_multiple_of(0x40) {
							return Err(Error::Vka("a malformed run of commitments"));
						}
						while end < mptr {
							let p = point(self, loc, mptr, mptr + 0x20)?;
							push(self, p, &mut lc)?;
							mptr -= 0x40;
						}
						data = data.shr(16);
					},
					(0 | 1, 1 | 2) => {
						for n in 0..cnt {
							if n == 1 {
								data = data.shr(32);
							}
							let p = point(self, loc, data.low16(), data.shr(16).low16())?;
							push(self, p, &mut lc)?;
						}
						data = data.shr(32);
					},
					(2, 1) => {
						let q = self.quotient.clone();
						push(self, q, &mut lc)?;
					},
					_ => return Err(Error::Vka("a malformed commitment group")),
				}
			}
			pcs_ptr = pcs_ptr.addu(0x20);
			data = self.mload(pcs_ptr)?;
			i += 0x20;
		}
		if first {
			self.acc = lc;
		} else {
			self.tmp = lc;
		}
		Ok(())
	}

	/// The PCS section: SHPLONK's points, vanishing products, coefficients, the combined
	/// evaluation and the pairing's left input. Returns (lhs, rhs = W').
	fn pairing_input(&mut self, theta: W) -> Result<(Lc, G1Affine), Error> {
		let vka_end = self.vka_end;
		let rel = |p: W| p.add(vka_end);
		// point_computations
		let mut pcs_ptr = self.m(0x440)?;
		{
			// vanishing_computations' header (after the two point words) lays out the points
			// and the μ − points: two disjoint runs of the same length, at most 64 slots.
			let vh = self.mload(pcs_ptr.addu(0x40))?;
			let (m0, m1, p0) = (vh.low16(), vh.shr(16).low16(), vh.shr(32).low16());
			let size = m1.saturating_sub(m0);
			let overlap = p0 < m1 && m0 < p0 + size;
			if size == 0 || !size.is_multiple_of(0x20) || size > 0x20 * 64 || overlap {
				return Err(Error::Vka("a malformed points region"));
			}
			self.pcs.mu_minus = (m0, m1);
			self.pcs.points = (p0, p0 + size);
			let pc = self.mload(pcs_ptr)?;
			let x = self.mload(theta.addu(0x80))?;
			let omega = self.m(0x180)?;
			let omega_inv = self.m(0x1a0)?;
			let (_, p) = self.point_rots(pc, pcs_ptr, 8, mulmod(x, omega), omega)?;
			pcs_ptr = p.addu(0x20);
			let mut pc = self.mload(pcs_ptr)?;
			self.point_slot(pc.low16())?;
			self.mstore(rel(W::from_u64(pc.low16())), x)?;
			pc = pc.shr(16);
			let (_, p) = self.point_rots(pc, pcs_ptr, 24, mulmod(x, omega_inv), omega_inv)?;
			pcs_ptr = p.addu(0x20);
			if self.pcs.written != self.pcs.all() {
				return Err(Error::Vka("a point slot is not written"));
			}
		}
		// vanishing_computations
		{
			let mu = self.mload(theta.addu(0xe0))?;
			let mut vc = self.mload(pcs_ptr)?;
			self.mstore(vka_end.addu(0x20), W::from_u64(1))?;
			let mut mptr = W::from_u64(vc.low16());
			vc = vc.shr(16);
			let end = W::from_u64(vc.low16());
			vc = vc.shr(16);
			let mut point = W::from_u64(vc.low16());
			while mptr < end {
				self.step(1)?;
				let v = submod(mu, self.mload(rel(point))?);
				self.mstore(rel(mptr), v)?;
				mptr = mptr.addu(0x20);
				point = point.addu(0x20);
			}
			vc = vc.shr(16);
			let num_words = vc.low8();
			vc = vc.shr(8);
			// vanishing_0's factors: the μ − points of the first set's rotations, each once.
			let mut own = 0u64;
			let mut factor = |pcs: &PcsLayout, p: u64| match pcs.mu_bit(p) {
				Some(bit) if own & bit == 0 => {
					own |= bit;
					Ok(())
				},
				_ => Err(Error::Vka("a vanishing factor is not a μ − point, or repeats")),
			};
			factor(&self.pcs, vc.low16())?;
			let mut s = self.mload(rel(W::from_u64(vc.low16())))?;
			vc = vc.shr(16);
			for _ in 0..num_words {
				while !vc.is_zero() {
					self.step(1)?;
					factor(&self.pcs, vc.low16())?;
					s = mulmod(s, self.mload(rel(W::from_u64(vc.low16())))?);
					vc = vc.shr(16);
				}
				pcs_ptr = pcs_ptr.addu(0x20);
				vc = self.mload(pcs_ptr)?;
			}
			self.pcs.vanishing_0 = vc.low16();
			let mut diff_ptr = rel(W::from_u64(vc.low16()));
			self.mstore(diff_ptr, s)?;
			vc = vc.shr(16);
			let sets = vc.low16();
			if !vc.shr(16).is_zero() {
				return Err(Error::Vka("unused bits of a vanishing word are set"));
			}
			self.pcs.sets = sets;
			self.pcs.next_coeff = 0x20;
			pcs_ptr = pcs_ptr.addu(0x20);
			vc = self.mload(pcs_ptr)?;
			for i in 0..sets {
				self.step(1)?;
				// The μ − points of the rotations the set lacks, each once, or the 1 at
				// vka_end + 0x20 alone for a set at every rotation.
				let mut lacks = 0u64;
				let mut factor = |pcs: &PcsLayout, p: u64, alone: bool| match pcs.mu_bit(p) {
					Some(bit) if lacks & bit == 0 => {
						lacks |= bit;
						Ok(())
					},
					None if p == 0x20 && alone => Ok(()),
					_ => Err(Error::Vka("a set's vanishing factor is not a μ − point, or repeats")),
				};
				factor(&self.pcs, vc.low16(), vc.shr(16).is_zero())?;
				let mut diff = self.mload(rel(W::from_u64(vc.low16())))?;
				vc = vc.shr(16);
				while !vc.is_zero() {
					self.step(1)?;
					factor(&self.pcs, vc.low16(), false)?;
					diff = mulmod(diff, self.mload(rel(W::from_u64(vc.low16())))?);
					vc = vc.shr(16);
				}
				self.pcs.diffs.push(lacks);
				diff_ptr = diff_ptr.addu(0x20);
				self.mstore(diff_ptr, diff)?;
				if i == 0 {
					self.mstore(vka_end, diff)?;
				}
				pcs_ptr = pcs_ptr.addu(0x20);
				vc = self.mload(pcs_ptr)?;
			}
			if self.pcs.diffs.first().map(|d| self.pcs.all() & !d) != Some(own) {
				return Err(Error::Vka("vanishing_0 is not the first set's vanishing product"));
			}
		}
		// coeff_computations
		{
			let mut cld = self.mload(pcs_ptr)?;
			let end = pcs_ptr.add(W::from_u64(0x20 * cld.low8()));
			cld = cld.shr(8);
			let mut i = pcs_ptr;
			pcs_ptr = end;
			while i < end {
				while !cld.is_zero() {
					self.step(1)?;
					let cd = self.mload(pcs_ptr)?;
					cld = self.coeff_computation(cld, cd)?;
					pcs_ptr = pcs_ptr.addu(0x20);
				}
				cld = self.mload(i.addu(0x20))?;
				i = i.addu(0x20);
			}
			if self.pcs.rots.len() as u64 != self.pcs.sets {
				return Err(Error::Vka("the coefficients are not one word per rotation set"));
			}
		}
		// normalized_coeff_computations
		{
			let mut d = self.mload(pcs_ptr)?;
			// The coefficients (after diff_0) and the diffs after vanishing_0, one per set.
			let pcs = &self.pcs;
			if d.low16() != pcs.next_coeff
				|| d.shr(16).low16() != pcs.vanishing_0 + 0x20
				|| d.shr(32).low16() != 0x20 * pcs.sets
			{
				return Err(Error::Vka("the normalization is not over the coefficients and diffs"));
			}
			self.batch_invert(vka_end, rel(W::from_u64(d.low16())))?;
			d = d.shr(16);
			let diff_0_inv = self.mload(vka_end)?;
			let mptr0 = rel(W::from_u64(d.low16()));
			d = d.shr(16);
			if !d.shr(16).is_zero() {
				return Err(Error::Vka("unused bits of a normalization word are set"));
			}
			self.mstore(mptr0, diff_0_inv)?;
			let end = mptr0.addu(d.low16());
			let mut mptr = mptr0.addu(0x20);
			while mptr < end {
				self.step(1)?;
				let v = mulmod(self.mload(mptr)?, diff_0_inv);
				self.mstore(mptr, v)?;
				mptr = mptr.addu(0x20);
			}
			pcs_ptr = pcs_ptr.addu(0x20);
		}
		let mut coeff_ptr = vka_end.addu(0x20);
		// r_evals_computations
		{
			let mut md = self.mload(pcs_ptr)?;
			let end = pcs_ptr.add(W::from_u64(0x20 * md.low8()));
			md = md.shr(8);
			let mut set_coeff = rel(W::from_u64(md.low16()));
			md = md.shr(16);
			let mut r_eval_mptr = rel(W::from_u64(md.low16()));
			md = md.shr(16);
			let mut i = pcs_ptr;
			pcs_ptr = end;
			let zeta = self.mload(theta.addu(0xa0))?;
			let qe = self.mload(theta.addu(0x240))?;
			let mut not_first = false;
			let mut set = 0;
			while i < end {
				while !md.is_zero() {
					self.step(1)?;
					let rot_len = md.low8();
					self.set_rots(set, rot_len)?;
					set += 1;
					let (mut r, p) = self.r_evals_set(rot_len, pcs_ptr, zeta, qe, coeff_ptr)?;
					pcs_ptr = p;
					coeff_ptr = coeff_ptr.addu(rot_len);
					md = md.shr(8);
					if not_first {
						r = mulmod(r, self.mload(set_coeff)?);
						set_coeff = set_coeff.addu(0x20);
					}
					not_first = true;
					self.mstore(r_eval_mptr, r)?;
					r_eval_mptr = r_eval_mptr.addu(0x20);
				}
				md = self.mload(i.addu(0x20))?;
				i = i.addu(0x20);
			}
			self.all_sets(set)?;
		}
		// coeff_sums_computation
		{
			let mut d = self.mload(pcs_ptr)?;
			let end = pcs_ptr.add(W::from_u64(0x20 * d.low8()));
			d = d.shr(8);
			coeff_ptr = vka_end.addu(0x20);
			let mut i = pcs_ptr;
			pcs_ptr = end;
			let mut set = 0;
			while i < end {
				while !d.is_zero() {
					self.step(1)?;
					let mut sum = self.mload(coeff_ptr)?;
					let len = d.low8();
					self.set_rots(set, len)?;
					set += 1;
					d = d.shr(8);
					let mut j = 0x20;
					while j < len {
						self.step(1)?;
						sum = addmod(sum, self.mload(coeff_ptr.addu(j))?);
						j += 0x20;
					}
					coeff_ptr = coeff_ptr.addu(len);
					self.mstore(rel(W::from_u64(d.low16())), sum)?;
					d = d.shr(16);
				}
				d = self.mload(i.addu(0x20))?;
				i = i.addu(0x20);
			}
			self.all_sets(set)?;
		}
		// r_eval_computation
		let nu = self.mload(theta.addu(0xc0))?;
		{
			let mut d = self.mload(pcs_ptr)?;
			let end = rel(W::from_u64(d.low16()));
			let mut mptr = vka_end;
			d = d.shr(16);
			let mut sum_mptr = rel(W::from_u64(d.low16()));
			while mptr < end {
				self.step(1)?;
				let v = self.mload(sum_mptr)?;
				self.mstore(mptr, v)?;
				mptr = mptr.addu(0x20);
				sum_mptr = sum_mptr.addu(0x20);
			}
			d = d.shr(16);
			self.batch_invert(vka_end, end)?;
			let r_eval_ptr = rel(W::from_u64(d.low16()));
			if !d.shr(16).is_zero() {
				return Err(Error::Vka("unused bits of the r_eval word are set"));
			}
			let mut r_eval = mulmod(self.mload(end.subu(0x20))?, self.mload(r_eval_ptr)?);
			let mut sum_inv = end.subu(0x40);
			let stop = vka_end.subu(0x20);
			let mut r_eval_mptr = r_eval_ptr.subu(0x20);
			while sum_inv > stop {
				self.step(1)?;
				r_eval = mulmod(r_eval, nu);
				r_eval = addmod(r_eval, mulmod(self.mload(sum_inv)?, self.mload(r_eval_mptr)?));
				sum_inv = sum_inv.subu(0x20);
				r_eval_mptr = r_eval_mptr.subu(0x20);
			}
			self.mstore(theta.addu(0x2a0), r_eval)?;
			pcs_ptr = pcs_ptr.addu(0x20);
		}
		// pairing_input_computations
		let mut nu_acc = fr(nu);
		let mut md = self.mload(pcs_ptr)?;
		let end = pcs_ptr.add(W::from_u64(0x20 * md.low8()));
		md = md.shr(8);
		let mut set_coeff = rel(W::from_u64(md.low16()));
		md = md.shr(16);
		let mut ec = md.mask(80);
		md = md.shr(80);
		let mut i = pcs_ptr;
		pcs_ptr = end;
		let mut first = true;
		let mut sets = 0;
		while i < end {
			while !md.is_zero() {
				self.step(1)?;
				sets += 1;
				let len = md.low8();
				md = md.shr(8);
				let data = self.mload(pcs_ptr)?;
				if first {
					first = false;
					self.pairing_set(true, len, pcs_ptr, data, theta)?;
					pcs_ptr = pcs_ptr.addu(len);
					continue;
				}
				self.pairing_set(false, len, pcs_ptr, data, theta)?;
				pcs_ptr = pcs_ptr.addu(len);
				let s = nu_acc * fr(self.mload(set_coeff)?);
				self.step(self.tmp.len() as u64)?;
				self.tmp.scale(s);
				set_coeff = set_coeff.addu(0x20);
				let tmp = core::mem::take(&mut self.tmp);
				self.acc.add(&tmp);
				nu_acc *= fr(nu);
			}
			md = self.mload(i.addu(0x20))?;
			i = i.addu(0x20);
		}
		self.all_sets(sets)?;
		// ezkl ≥ 22's num_fixed_comms (word 32): the VKA's commitments are that many fixed ones,
		// then one per permutation column. The opening reads the last of them (a permutation
		// column's: each is opened) and the constants the expressions read follow them.
		if self.vka.phase_table == BASE + 32 * (at::WORD_32 as u64 + 1) {
			let fixed = self.vka.small(at::WORD_32);
			let end = self.vka_comms.0 + 0x40 * (fixed + self.perm_columns);
			if self.last_vka_commitment + 0x40 != end || self.first_constant < end {
				return Err(Error::Vka("num_fixed_comms does not match the commitments used"));
			}
		}
		// What follows the PCS section is the rescaling section, which verification does not read.
		if pcs_ptr != W::from_u64(self.vka.pcs_end) {
			return Err(Error::Vka("the PCS section does not end where the rescaling begins"));
		}
		// W and W' are the proof's last two points, after the evaluations.
		let w_at = self.evals.1;
		if ec.low16() != w_at || ec.shr(16).low16() != w_at + 0x20 {
			return Err(Error::Vka("W is not where the proof has it"));
		}
		if ec.shr(48).low16() != w_at + 0x40 || ec.shr(64).low16() != w_at + 0x60 {
			return Err(Error::Vka("W' is not where the proof has it"));
		}
		if ec.shr(32).low16() != self.pcs.vanishing_0 {
			return Err(Error::Vka("W's factor is not vanishing_0"));
		}
		let mut acc = core::mem::take(&mut self.acc);
		// −r_eval·G1
		let r_eval = fr(self.mload(theta.addu(0x2a0))?);
		acc.terms.push((self.vka.g1, -r_eval));
		// −vanishing_0·W
		let w = self.cpoint(W::from_u64(ec.low16()), W::from_u64(ec.shr(16).low16()))?;
		ec = ec.shr(32);
		let vanishing = fr(self.mload(rel(W::from_u64(ec.low16())))?);
		ec = ec.shr(16);
		for (p, c) in w.terms {
			acc.terms.push((p, -(c * vanishing)));
		}
		// μ·W'
		let wx = self.cload(W::from_u64(ec.low16()));
		let wy = self.cload(W::from_u64(ec.shr(16).low16()));
		let w_prime = g1_from_words(wx, wy).ok_or(Error::Proof("W' is not on the curve"))?;
		let mu = fr(self.mload(theta.addu(0xe0))?);
		acc.terms.push((w_prime, mu));
		Ok((acc, w_prime))
	}
}
