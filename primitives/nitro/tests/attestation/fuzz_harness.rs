//! The fuzz harness of `fuzz/` (src/lib.rs) on stable Rust: deterministic pseudo-random
//! mutations of the real AWS document and of a simulated one, so CI runs what the cargo-fuzz
//! target runs (which needs nightly). The harness fails by panicking.

#[path = "../../fuzz/src/lib.rs"]
mod harness;

use aos_nitro::simulated::{AttestationRequest, SimulatedCa};
use aos_test_utils::Rng;

/// How many inputs each seed gets.
const RUNS: usize = 1500;

/// CBOR initial bytes parsers trip on: wide lengths, indefinite lengths, break, null, tags,
/// empty containers.
const CBOR_BYTES: [u8; 14] =
	[0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x5f, 0x7f, 0x9f, 0xbf, 0xff, 0xf6, 0xc0];

/// One to four edits of `seed`: bit flips, bytes set to random or CBOR-significant values,
/// cuts, insertions, deletions and duplicated ranges.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
	let mut b = seed.to_vec();
	for _ in 0..1 + rng.below(4) {
		let at = rng.below(b.len());
		match rng.below(7) {
			0 if !b.is_empty() => b[at] ^= 1 << rng.below(8),
			1 if !b.is_empty() => b[at] = rng.next_u64() as u8,
			2 if !b.is_empty() => b[at] = CBOR_BYTES[rng.below(CBOR_BYTES.len())],
			3 => b.truncate(at),
			4 => {
				let n = 1 + rng.below(16);
				let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
				b.splice(at..at, bytes);
			},
			5 => {
				let end = (at + 1 + rng.below(64)).min(b.len());
				b.drain(at..end);
			},
			6 => {
				let end = (at + 1 + rng.below(256)).min(b.len());
				let copy = b[at..end].to_vec();
				let to = rng.below(b.len());
				b.splice(to..to, copy);
			},
			_ => {},
		}
	}
	b
}

#[test]
fn the_document_harness_survives_mutations_of_the_real_document() {
	harness::document(harness::AWS_DOCUMENT);
	let mut rng = Rng(0x6e69_7472_6f21);
	for _ in 0..RUNS {
		harness::document(&mutate(&mut rng, harness::AWS_DOCUMENT));
	}
}

#[test]
fn the_document_harness_survives_mutations_of_a_simulated_document() {
	let ca = SimulatedCa::dev().unwrap();
	let request = AttestationRequest {
		module_id: "i-fuzz-enc".into(),
		pcrs: vec![(0, vec![1; 48]), (1, vec![2; 48]), (2, vec![3; 48])],
		public_key: Some(vec![4; 32]),
		user_data: Some(vec![5; 32]),
		nonce: Some(vec![6; 20]),
	};
	let seed = ca.attest(&request, super::VALID_AT_MS).unwrap();
	let mut rng = Rng(0x7369_6d75_6c61);
	for _ in 0..RUNS {
		harness::document(&mutate(&mut rng, &seed));
	}
}
