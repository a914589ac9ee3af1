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
//!   ([`crate::curve::LazyG1`]) and evaluated by one multi-scalar multiplication
//!   ([`Bn254Ops::msm_g1`]), then one pairing check ([`Bn254Ops::pairing_is_one`]) — the two
//!   operations a runtime hands to host functions;
//! - every loop is charged to a step budget proportional to the input's size, so a hostile VKA
//!   cannot make a verification run longer than its size pays for;
//! - what the contract leaves unchecked is checked: the proof's exact length, that the
//!   transcript consumes all of it, unknown opcodes, pointers outside memory.
//!
//! The stages, in the order [`verify`] runs them, one module each:
//!
//! - `layout`: the memory map (constants only);
//! - `machine`: memory, calldata, the step budget and the checked accessors;
//! - `transcript`: the proof read into the Keccak transcript, the challenges squeezed;
//! - `lagrange`: xⁿ, the Lagrange bases and the instances' evaluation;
//! - `quotient`: the quotient's numerator (the gates, through `expression`, and the
//!   permutation), its evaluation and its commitment;
//! - `lookup`: the logUp lookups' share of the numerator;
//! - `pcs`: SHPLONK's points, vanishing products, coefficients and combined evaluation;
//! - `pairing`: the pairing's input, and the last checks of the VKA's layout.
//!
//! Section names follow the contract's comments; docs/research/ezkl-vka.md describes each
//! encoding.

use alloc::vec::Vec;
use ark_bn254::{Fr, G1Affine};

use crate::{curve::Bn254Ops, vka::Vka, Error};

mod expression;
mod lagrange;
mod layout;
mod lookup;
mod machine;
mod pairing;
mod pcs;
mod quotient;
mod transcript;

pub use layout::PROOF_CPTR;
use machine::Machine;

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

impl Machine<'_> {
	/// The stages in order, then the MSM and the pairing check.
	fn run(&mut self, ops: &impl Bn254Ops) -> Result<Stats, Error> {
		self.transcript()?;
		self.lagrange()?;
		self.quotient_eval()?;
		self.quotient_commitment()?;
		let (lhs, rhs) = self.pairing_input()?;
		let (bases, scalars): (Vec<G1Affine>, Vec<Fr>) = lhs.terms.iter().copied().unzip();
		self.step(bases.len() as u64)?;
		let lhs = ops.msm_g1(&bases, &scalars);
		let ok = ops.pairing_is_one(&[lhs, rhs], &[self.vka.g2, self.vka.neg_s_g2]);
		if !ok {
			return Err(Error::PairingFailed);
		}
		Ok(Stats { steps: self.steps, msm_terms: bases.len() as u32 })
	}
}
