//! Attestation documents for the benchmarks, from the simulated NSM (`aos_nitro::simulated`):
//! AWS's format and cryptography, with chains from the root alone up to the longest the
//! verifier accepts. Made, and checked to be current, by the test
//! `benchmark_vectors_are_what_the_simulated_nsm_makes` (`AOS_WRITE_VECTORS=1` rewrites them).
//!
//! Each is bound ([`aos_inference_primitives::tee::enclave_binding`]) to the account decoded
//! from 32 bytes of [`ACCOUNT_BYTE`] on a chain whose genesis hash is [`GENESIS`]: one file for
//! 8-byte account ids (the mock's `u64`), one for 32-byte ones (the runtime's).

use crate::Pcr;

/// When the documents were made, Unix ms.
pub const TIME_MS: u64 = 1_800_000_000_000;
/// The genesis hash they are bound to.
pub const GENESIS: [u8; 32] = [0x42; 32];
/// The operator they are bound to: the account decoded from `[ACCOUNT_BYTE; 32]`.
pub const ACCOUNT_BYTE: u8 = 1;
/// The image they attest.
pub const PCRS: [Pcr; 3] = [[0xb0; 48], [0xb1; 48], [0xb2; 48]];
/// The enclave key they carry.
pub const KEY: [u8; 32] = [0xed; 32];
/// The seed of their CAs (one per chain length).
pub const SEED: &[u8] = b"aos pallet-tee benchmarks";

macro_rules! table {
	($($n:literal),*) => {
		/// The document with a CA bundle of `n` certificates (1 to 8), bound to an account id
		/// of `account_len` bytes (8 or 32).
		pub fn document(n: u32, account_len: usize) -> Option<&'static [u8]> {
			match (n, account_len) {
				$(
					($n, 8) => Some(include_bytes!(concat!("benchmark-vectors/chain", $n, "-account8.cbor"))),
					($n, 32) => Some(include_bytes!(concat!("benchmark-vectors/chain", $n, "-account32.cbor"))),
				)*
				_ => None,
			}
		}
	};
}

table!(1, 2, 3, 4, 5, 6, 7, 8);
