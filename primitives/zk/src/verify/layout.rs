//! The memory map of ezkl's `Halo2VerifierReusable.sol`, which the port keeps: where calldata
//! puts the proof, where the VKA sits in memory, and the slots each stage reads and writes.
//!
//! Memory is words at EVM addresses: `0x40` holds the free memory pointer (`vka_end`), `0x80`
//! the VKA's length and `0xa0` ([`crate::vka::BASE`]) onwards its words. After the VKA comes
//! scratch, which every stage reuses from `vka_end` ([`scratch`]), then the challenges and
//! what is derived from them, from `theta_mptr` ([`theta`]). docs/research/ezkl-vka.md §2.2
//! draws the map.

/// `verifyProof(bytes,uint256[],bytes32[])`: the selector of the calldata the contract reads.
pub const VERIFY_PROOF_SELECTOR: [u8; 4] = [0x34, 0x09, 0xfc, 0x9f];
/// Where the proof starts in the contract's calldata: after the selector, the three ABI
/// offsets and the proof's length.
pub const PROOF_CPTR: u64 = 0x84;
/// The memory the contract may use, in bytes: the VKA, then scratch and challenges, all
/// reachable by 16-bit offsets from the VKA's end.
pub const MEM_LIMIT: u64 = 0x30000;
/// Solidity's free memory pointer (`mload(0x40)`), which the contract reads as `vka_end`.
pub const FREE_MEMORY_POINTER: u64 = 0x40;
/// The `vka` argument's length word, the VKA's words following it from `BASE`.
pub const VKA_LENGTH: u64 = 0x80;

/// Offsets from `theta_mptr`: the challenges in the order the transcript squeezes them (any
/// user challenges lie before theta), then what the Lagrange, quotient and PCS stages derive.
pub mod theta {
	/// θ: folds a lookup's input (or table) expressions into one.
	pub const THETA: u64 = 0x00;
	/// β, γ: the permutation's and logUp's randomisers.
	pub const BETA: u64 = 0x20;
	pub const GAMMA: u64 = 0x40;
	/// y: folds the constraints into the quotient's numerator.
	pub const Y: u64 = 0x60;
	/// x: where the polynomials are evaluated.
	pub const X: u64 = 0x80;
	/// SHPLONK's ζ (combines a set's polynomials), ν (combines the sets) and μ (the opening
	/// point of the combined quotient W').
	pub const ZETA: u64 = 0xa0;
	pub const NU: u64 = 0xc0;
	pub const MU: u64 = 0xe0;
	/// xⁿ: after the Lagrange stage; before it, where its scratch starts.
	pub const X_N: u64 = 0x180;
	/// (xⁿ − 1)⁻¹
	pub const X_N_MINUS_1_INV: u64 = 0x1a0;
	/// The Lagrange bases at the last usable row, summed over the blinding rows, at row 0.
	pub const L_LAST: u64 = 0x1c0;
	pub const L_BLIND: u64 = 0x1e0;
	pub const L_0: u64 = 0x200;
	/// The instance column at x: Σ instanceᵢ·Lᵢ(x).
	pub const INSTANCE_EVAL: u64 = 0x220;
	/// The quotient's evaluation: numerator·(xⁿ − 1)⁻¹.
	pub const QUOTIENT_EVAL: u64 = 0x240;
	/// SHPLONK's combined evaluation, the scalar of −G1 in the pairing input.
	pub const R_EVAL: u64 = 0x2a0;
}

/// Offsets from `vka_end`: scratch, which each stage lays out its own way.
pub mod scratch {
	/// The transcript's state (the last hash; first the VK digest), then the words absorbed
	/// since.
	pub const TRANSCRIPT_STATE: u64 = 0x00;
	pub const TRANSCRIPT_INPUT: u64 = 0x20;

	/// The gates' expressions write their results from here.
	pub const GATE_RESULTS: u64 = 0x00;

	/// The permutation: β·δⁱ·x for the column at hand, the next free result slot (a pointer),
	/// and the results, one per z, summed into the numerator at the end.
	pub const PERMUTATION_BETA_DELTA_X: u64 = 0x00;
	pub const PERMUTATION_NEXT_RESULT: u64 = 0x20;
	pub const PERMUTATION_RESULTS: u64 = 0x40;

	/// The lookups read copies of l_last, l_0, l_blind, θ and β here, and their expressions
	/// write their results from `LOOKUP_RESULTS`.
	pub const LOOKUP_L_LAST: u64 = 0x00;
	pub const LOOKUP_L_0: u64 = 0x20;
	pub const LOOKUP_L_BLIND: u64 = 0x40;
	pub const LOOKUP_THETA: u64 = 0x60;
	pub const LOOKUP_BETA: u64 = 0x80;
	pub const LOOKUP_RESULTS: u64 = 0xa0;

	/// The PCS: diff_0 (the first set's vanishing product), where both batch inversions start;
	/// the 1 a set queried at every rotation has for vanishing product, a slot the
	/// coefficients overwrite from there afterwards.
	pub const DIFF_0: u64 = 0x00;
	pub const VANISHING_ONE: u64 = 0x20;
	pub const FIRST_COEFF: u64 = 0x20;
}
