//! Helpers shared by the tests of the AOS pallets and runtime; a dev-dependency only, never
//! built into the runtime.
//!
//! - [`vrf_pair`]: a mock account's deterministic VRF key (the pallets' mock runtimes, whose
//!   account ids are `u128`);
//! - [`dev_vrf_pair`]: a development account's VRF key, `//Alice//vrf` and so on, as the dev
//!   and local networks' operators use it;
//! - [`run_until`]: produces blocks until a condition holds, at most a given number of them;
//! - [`Rng`]: a small deterministic generator for the fuzz harnesses' stable runs (`aos-zk`,
//!   `aos-nitro`), so that a failing input reproduces.
//!
//! What differs between the crates stays in each one's mock or test helpers: which hooks a
//! block runs (`run_to_block`), the genesis, the events of interest, how an operator is
//! registered.

use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;

/// Mock account `who`'s VRF key pair: the sr25519 key whose 32-byte seed is `who`'s
/// little-endian bytes followed by 16 bytes of `version` (another `version`, another key).
pub fn vrf_pair(who: u128, version: u8) -> sr25519::Pair {
	let mut seed = [version; 32];
	seed[..16].copy_from_slice(&who.to_le_bytes());
	sr25519::Pair::from_seed(&seed)
}

/// Development account `who`'s VRF key for task sampling: `//Name//vrf` (`//Alice//vrf`, ...).
pub fn dev_vrf_pair(who: Sr25519Keyring) -> sr25519::Pair {
	sr25519::Pair::from_string(&format!("//{who:?}//vrf"), None)
		.unwrap_or_else(|e| panic!("//{who:?}//vrf: {e:?}"))
}

/// Produces blocks with `next_block` (one block a call) until `done` holds, checking it before
/// every block and after the last; panics, naming `what`, if it does not hold after
/// `max_blocks` blocks.
pub fn run_until(
	max_blocks: u32,
	what: &str,
	mut next_block: impl FnMut(),
	done: impl Fn() -> bool,
) {
	for _ in 0..max_blocks {
		if done() {
			return;
		}
		next_block();
	}
	assert!(done(), "{what}: not reached within {max_blocks} blocks");
}

/// xorshift64*: deterministic pseudo-random numbers, so that a failure reproduces. Not for
/// anything that needs unpredictability.
pub struct Rng(pub u64);

impl Rng {
	/// The next 64 bits.
	pub fn next_u64(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
	}

	/// A number below `n` (0 when `n` is 0).
	pub fn below(&mut self, n: usize) -> usize {
		(self.next_u64() % n.max(1) as u64) as usize
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use core::cell::Cell;

	fn public_hex(pair: &sr25519::Pair) -> String {
		pair.public().0.iter().map(|b| format!("{b:02x}")).collect()
	}

	/// The keys the tests and benchmarks were written against, as `aos-node key inspect`
	/// derives them from the same seed or URI.
	#[test]
	fn keys_are_the_ones_the_tests_were_written_against() {
		// Seed 0x01 00…00.
		assert_eq!(
			public_hex(&vrf_pair(1, 0)),
			"800528c955873e4c78b7df24f71db8f581aa99e3493bf496edf151abc1d72023"
		);
		// Seed 0x02 00…00 01…01.
		assert_eq!(
			public_hex(&vrf_pair(2, 1)),
			"9816bd2ea28e439dd30a4a783123cb02920c9e26fe2069f78a9965c0a25ee446"
		);
		// Seed [42; 32]: pallet-inference's `BENCH_VRF_PUBLIC`.
		assert_eq!(
			public_hex(&vrf_pair(u128::from_le_bytes([42; 16]), 42)),
			"6023d052711f478bc758918bdd26e24ac5d773629fc902dfb09de2588ba4ab08"
		);
		assert_eq!(
			public_hex(&dev_vrf_pair(Sr25519Keyring::Alice)),
			"88d95455da54e63ef50dcf7856d99637b51b5e87d2be90ec9cd89b163efc6d45"
		);
	}

	#[test]
	fn run_until_stops_as_soon_as_done_and_checks_after_the_last_block() {
		let blocks = Cell::new(0u32);
		run_until(10, "three blocks", || blocks.set(blocks.get() + 1), || blocks.get() == 3);
		assert_eq!(blocks.get(), 3);
		// Reached by the last block allowed.
		let blocks = Cell::new(0u32);
		run_until(5, "five blocks", || blocks.set(blocks.get() + 1), || blocks.get() == 5);
		assert_eq!(blocks.get(), 5);
	}

	#[test]
	#[should_panic(expected = "never: not reached within 4 blocks")]
	fn run_until_panics_when_never_done() {
		run_until(4, "never", || {}, || false);
	}
}
