//! The fuzz harnesses of `fuzz/` (src/lib.rs) on stable Rust: a few thousand deterministic
//! pseudo-random mutations of the real vectors for each, so CI runs what the cargo-fuzz targets
//! run (which need nightly). A harness fails by panicking.

#[path = "../../fuzz/src/lib.rs"]
mod harness;

use aos_test_utils::Rng;
use aos_zk::word::{FQ_MODULUS, FR_MODULUS};
use std::path::PathBuf;

/// How many inputs each harness gets.
const RUNS: usize = 4000;

/// One to four edits of `seed`: bit flips, byte sets, 32-byte words overwritten with the
/// values verifiers trip on (0, r, q, all ones, a neighbour word), cuts, insertions (random
/// bytes, or a two-byte UTF-8 character, which JSON parsers pass through to strings),
/// deletions and duplicated ranges.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
	let mut b = seed.to_vec();
	for _ in 0..1 + rng.below(4) {
		let at = rng.below(b.len());
		match rng.below(9) {
			0 if !b.is_empty() => b[at] ^= 1 << rng.below(8),
			1 if !b.is_empty() => b[at] = rng.next_u64() as u8,
			2 if b.len() >= 32 => {
				let w = 32 * rng.below(b.len() / 32);
				let value = match rng.below(5) {
					0 => [0; 32],
					1 => FR_MODULUS.to_be(),
					2 => FQ_MODULUS.to_be(),
					3 => [0xff; 32],
					_ => {
						let from = 32 * rng.below(b.len() / 32);
						b[from..from + 32].try_into().unwrap()
					},
				};
				b[w..w + 32].copy_from_slice(&value);
			},
			3 => b.truncate(at),
			4 => {
				let n = 1 + rng.below(64);
				let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
				b.splice(at..at, bytes);
			},
			5 => {
				let c = char::from_u32(0x80 + rng.below(0x780) as u32).unwrap_or('é');
				let mut buf = [0; 4];
				b.splice(at..at, c.encode_utf8(&mut buf).bytes());
			},
			6 => {
				let end = (at + 1 + rng.below(64)).min(b.len());
				b.drain(at..end);
			},
			7 => {
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

fn vector_files(file: &str) -> Vec<Vec<u8>> {
	let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors");
	let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
	names.sort();
	names.iter().map(|d| std::fs::read(d.join(file)).unwrap()).collect()
}

/// Runs `harness` on the seeds and on `RUNS` mutations of them.
fn run(name: &str, seed: u64, seeds: &[Vec<u8>], harness: fn(&[u8])) {
	let mut rng = Rng(seed);
	for s in seeds {
		harness(s);
	}
	for _ in 0..RUNS {
		let s = &seeds[rng.below(seeds.len())];
		harness(&mutate(&mut rng, s));
	}
	println!("{name}: {} seeds, {RUNS} mutations, no panic", seeds.len());
}

#[test]
fn vka_parse_harness() {
	assert_eq!(harness::iris().parsed.len(), harness::iris().vka.len() / 32);
	run("vka_parse", 0x5eed_0001, &vector_files("vka.bin"), harness::vka_parse);
}

#[test]
fn proof_json_harness() {
	assert!(!harness::iris().proof_json.is_empty());
	run("proof_json", 0x5eed_0002, &vector_files("proof.json"), harness::proof_json);
}

#[test]
fn verify_harness() {
	let iris = harness::iris();
	assert_eq!(iris.instances.len(), 7);
	run("verify", 0x5eed_0003, std::slice::from_ref(&iris.proof), harness::verify_proof);
}
