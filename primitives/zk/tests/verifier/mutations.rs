//! The verifier rejects every mutation of a proof, of its instances and of the VKA: a corpus
//! built systematically from the two real ezkl vectors, not one flipped byte.
//!
//! Every case must give `Err` (any error: a parse error, a malformed-input error or the
//! failed pairing). A case that would not change its input (zeroing a word that is already
//! zero, swapping two equal instances) is skipped, not counted. The counts are printed
//! (`cargo test --release -p aos-zk --test verifier mutations -- --nocapture`).
//!
//! What is accepted by design, and pinned down as such (an acceptance missing from the list
//! fails the test as much as one not on it):
//! - the VKA's trailing rescaling section (`Vka::verified_words()` onwards), which only tells
//!   an EVM caller how to print instances as decimals
//!   ([`rescaling_words_are_not_verified_by_design`]);
//! - the few VKA words whose mutations leave the verified relation unchanged, listed with
//!   their reasons in [`EQUIVALENT`].
//!
//! Accepting those is safe because the chain never takes a VKA by content: it registers one
//! under the hash of all its bytes, so a mutated VKA is a different VK, registered by whoever
//! vouches for it, and verifying under it checks the same relation.

use aos_zk::{
	proof_json, verify,
	word::{Word, FQ_MODULUS, FR_MODULUS},
	Error, Pure, Stats, Vka,
};
use std::{collections::BTreeMap, path::PathBuf};

struct Vector {
	name: &'static str,
	vka_bytes: Vec<u8>,
	vka: Vka,
	proof: Vec<u8>,
	instances: Vec<[u8; 32]>,
}

fn vector(name: &'static str) -> Vector {
	let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors").join(name);
	let vka_bytes = std::fs::read(dir.join("vka.bin")).unwrap();
	let vka = Vka::parse(&vka_bytes).unwrap();
	let p = proof_json::parse(&std::fs::read(dir.join("proof.json")).unwrap()).unwrap();
	let v = Vector { name, vka_bytes, vka, proof: p.proof, instances: p.instances };
	// The corpus only means something if the unmutated inputs verify.
	verify(&v.vka, &v.proof, &v.instances, &Pure).unwrap_or_else(|e| panic!("{name}: {e}"));
	v
}

fn vectors() -> [Vector; 2] {
	[vector("iris"), vector("conv")]
}

/// Runs the cases of one test, counting them per category and collecting every acceptance.
#[derive(Default)]
struct Corpus {
	ran: BTreeMap<&'static str, usize>,
	skipped: BTreeMap<&'static str, usize>,
	accepted: Vec<String>,
}

impl Corpus {
	/// One case: `changed` is false when the mutation is a no-op on this input.
	fn case(
		&mut self,
		category: &'static str,
		what: impl FnOnce() -> String,
		changed: bool,
		run: impl FnOnce() -> Result<Stats, Error>,
	) {
		if !changed {
			*self.skipped.entry(category).or_default() += 1;
			return;
		}
		*self.ran.entry(category).or_default() += 1;
		if let Ok(stats) = run() {
			self.accepted.push(format!("{category}: {} accepted ({stats:?})", what()));
		}
	}

	/// Prints the counts and fails listing every accepted mutation.
	fn finish(self, test: &str) {
		let total: usize = self.ran.values().sum();
		println!("{test}: {total} mutations");
		for (category, n) in &self.ran {
			let skipped = self.skipped.get(category).copied().unwrap_or(0);
			println!("  {category:<44} {n:>6}  (no-ops skipped: {skipped})");
		}
		assert!(
			self.accepted.is_empty(),
			"{test}: {} mutations accepted:\n{}",
			self.accepted.len(),
			self.accepted.join("\n")
		);
	}
}

fn word_at(b: &[u8], i: usize) -> Word {
	Word::from_be(b[32 * i..32 * (i + 1)].try_into().unwrap())
}

fn with_word(b: &[u8], i: usize, f: impl Fn(Word) -> Word) -> Vec<u8> {
	let mut out = b.to_vec();
	out[32 * i..32 * (i + 1)].copy_from_slice(&f(word_at(b, i)).to_be());
	out
}

fn flip(byte: usize, mask: u8) -> impl Fn(Word) -> Word {
	move |w| {
		let mut b = w.to_be();
		b[byte] ^= mask;
		Word::from_be(&b)
	}
}

/// The proof's word mutations: bit flips, zero, +1, and the two field negations (r − v turns
/// an evaluation into its negative; q − v turns a point's y into the point's negative, which
/// stays on the curve).
#[allow(clippy::type_complexity)]
fn proof_word_mutations() -> Vec<(&'static str, Box<dyn Fn(Word) -> Word>)> {
	vec![
		("proof word: flip lowest bit", Box::new(flip(31, 0x01))),
		("proof word: flip top bit", Box::new(flip(0, 0x80))),
		("proof word: flip lowest bit of top byte", Box::new(flip(0, 0x01))),
		("proof word: zero", Box::new(|_| Word::ZERO)),
		("proof word: +1", Box::new(|w: Word| w.add_u64(1))),
		("proof word: r - v", Box::new(|w: Word| FR_MODULUS.sub(w))),
		("proof word: q - v", Box::new(|w: Word| FQ_MODULUS.sub(w))),
	]
}

#[test]
fn proof_mutations_are_rejected() {
	let mut c = Corpus::default();
	for v in vectors() {
		let run = |p: &[u8]| verify(&v.vka, p, &v.instances, &Pure);
		for (category, f) in proof_word_mutations() {
			for i in 0..v.proof.len() / 32 {
				let p = with_word(&v.proof, i, &f);
				c.case(category, || format!("{} word {i}", v.name), p != v.proof, || run(&p));
			}
		}
		// Two points swapped: every commitment is still on the curve.
		for i in 0..v.proof.len() / 64 - 1 {
			let mut p = v.proof.clone();
			let (a, b) = p.split_at_mut(64 * (i + 1));
			a[64 * i..].swap_with_slice(&mut b[..64]);
			c.case(
				"proof: swap adjacent 64-byte points",
				|| format!("{} {i}", v.name),
				p != v.proof,
				|| run(&p),
			);
		}
		for cut in [1, 31, 32, 64, 96, v.proof.len() / 2, v.proof.len()] {
			let p = &v.proof[..v.proof.len() - cut];
			c.case("proof: truncated", || format!("{} by {cut}", v.name), true, || run(p));
		}
		for (extra, fill) in [(1, 0u8), (32, 0), (32, 0xab), (64, 0), (96, 0x11)] {
			let mut p = v.proof.clone();
			p.extend(std::iter::repeat_n(fill, extra));
			c.case(
				"proof: extended",
				|| format!("{} by {extra}×{fill:#x}", v.name),
				true,
				|| run(&p),
			);
		}
		// A word inserted at the front (the length then matches only if one is cut at the end).
		let mut p = vec![0u8; 32];
		p.extend_from_slice(&v.proof[..v.proof.len() - 32]);
		c.case("proof: shifted by a word", || v.name.into(), true, || run(&p));
	}
	c.finish("proof mutations");
}

#[test]
fn instance_mutations_are_rejected() {
	let mut c = Corpus::default();
	for v in vectors() {
		let run = |inst: &[[u8; 32]]| verify(&v.vka, &v.proof, inst, &Pure);
		let one = Word::from_u64(1);
		#[allow(clippy::type_complexity)]
		let muts: [(&'static str, Box<dyn Fn(Word) -> Word>); 5] = [
			// The instances are canonical, so v + 1 and v − 1 wrap mod r only at the ends.
			(
				"instance: +1 mod r",
				Box::new(
					move |w: Word| if w.add_u64(1) == FR_MODULUS { Word::ZERO } else { w.add(one) },
				),
			),
			(
				"instance: -1 mod r",
				Box::new(
					move |w: Word| if w.is_zero() { FR_MODULUS.sub_u64(1) } else { w.sub(one) },
				),
			),
			("instance: replaced by r (non-canonical)", Box::new(|_| FR_MODULUS)),
			("instance: v + r (non-canonical alias)", Box::new(|w: Word| w.add(FR_MODULUS))),
			("instance: zero", Box::new(|_| Word::ZERO)),
		];
		for (category, f) in &muts {
			for i in 0..v.instances.len() {
				let mut inst = v.instances.clone();
				inst[i] = f(Word::from_be(&inst[i])).to_be();
				c.case(category, || format!("{} {i}", v.name), inst != v.instances, || run(&inst));
			}
		}
		for i in 0..v.instances.len() {
			for j in i + 1..v.instances.len() {
				let mut inst = v.instances.clone();
				inst.swap(i, j);
				c.case(
					"instance: two swapped",
					|| format!("{} {i}<->{j}", v.name),
					inst != v.instances,
					|| run(&inst),
				);
			}
		}
		let mut inst = v.instances.clone();
		inst.pop();
		c.case("instance: count", || format!("{} one fewer", v.name), true, || run(&inst));
		let mut inst = v.instances.clone();
		inst.push([0; 32]);
		c.case("instance: count", || format!("{} one more", v.name), true, || run(&inst));
		c.case("instance: count", || format!("{} none", v.name), true, || run(&[]));
		let mut inst = v.instances.clone();
		inst.reverse();
		c.case("instance: reversed", || v.name.into(), inst != v.instances, || run(&inst));
	}
	c.finish("instance mutations");
}

fn parse_and_verify(vka: &[u8], v: &Vector) -> Result<Stats, Error> {
	verify(&Vka::parse(vka)?, &v.proof, &v.instances, &Pure)
}

/// The VKA's word mutations: flips in the low, middle and top bytes, zero, and a flip of bit
/// 5, which moves a pointer by one word.
#[allow(clippy::type_complexity)]
fn vka_word_mutations() -> Vec<(&'static str, Box<dyn Fn(Word) -> Word>)> {
	vec![
		("vka word: flip lowest bit", Box::new(flip(31, 0x01))),
		("vka word: flip a bit of byte 15", Box::new(flip(15, 0x01))),
		("vka word: flip the top byte", Box::new(flip(0, 0xff))),
		("vka word: zero", Box::new(|_| Word::ZERO)),
		("vka word: flip bit 5 (a pointer moves a word)", Box::new(flip(31, 0x20))),
	]
}

/// The VKA mutations of the corpus that verify anyway, in both vectors (whose first 156
/// words share their layout), and why that is right.
///
/// A sweep of every single-bit flip of every verified word (78,000 cases, not run here)
/// finds the same classes and no other: fsm (word 1, any value that leaves room for the
/// scratch below the challenges), word 30, and edits of ezkl's programs that keep the
/// relation: inside gates 9–11 (words 100–105), which are multiplied by an all-zero selector;
/// the operand of gates 12–15 (words 106–109), which is multiplied by the constant 0; an
/// operand of `x + 0` read in place of `x` (word 94); the `(1 − q)·0` default term of the
/// iris lookups (words 117–118, 120–121); and, in conv, a lookup selector swapped for its
/// identical twin column. Rejecting those would mean proving two programs equal.
const EQUIVALENT: [(usize, &str, &str); 4] = [
	(
		1,
		"vka word: flip bit 5 (a pointer moves a word)",
		"fsm (0x620 → 0x600): it only places the challenges in scratch, and 0x600 bytes still \
		 hold everything below them; the math does not depend on where they are",
	),
	(
		30,
		"vka word: flip bit 5 (a pointer moves a word)",
		"rescaling_computations_len_offset: read by nothing (ezkl 23.0.5 sets it four words \
		 short of the rescaling section; the verifier finds that section by walking the PCS \
		 one); Vka::parse only checks that it is a word of the VKA",
	),
	(
		101,
		"vka word: flip a bit of byte 15",
		"turns an add into a mul in gate 9, whose selector is a fixed column that is the zero \
		 polynomial (its evaluation, at calldata 0x824, is 0; two of the VKA's fixed \
		 commitments are the identity): q·(…) = 0 whatever (…) computes",
	),
	(
		105,
		"vka word: flip a bit of byte 15",
		"the same in gate 11, whose selector is that column too",
	),
];

#[test]
fn vka_mutations_are_rejected() {
	let mut c = Corpus::default();
	let mut equivalent = Vec::new();
	for v in vectors() {
		let (head, body) = v.vka_bytes.split_at(8);
		for (category, f) in vka_word_mutations() {
			for i in 0..v.vka.verified_words() {
				let mut bytes = head.to_vec();
				bytes.extend(with_word(body, i, &f));
				if EQUIVALENT.iter().any(|(w, cat, _)| *w == i && *cat == category) {
					// Counted apart: these must verify.
					let verdict = parse_and_verify(&bytes, &v);
					equivalent.push(format!("{} word {i}, {category}: {verdict:?}", v.name));
					assert!(verdict.is_ok(), "{}: word {i}, {category} no longer verifies", v.name);
					continue;
				}
				c.case(
					category,
					|| format!("{} word {i}", v.name),
					bytes != v.vka_bytes,
					|| parse_and_verify(&bytes, &v),
				);
			}
		}
	}
	println!("accepted by design (EQUIVALENT): {}", equivalent.len());
	for e in &equivalent {
		println!("  {e}");
	}
	c.finish("VKA mutations");
}

/// The VKA file's framing: a bincode `u64` word count, then the words.
#[test]
fn vka_framing_is_checked() {
	let mut c = Corpus::default();
	for v in vectors() {
		let n = v.vka.len() as u64;
		let body = &v.vka_bytes[8..];
		let framed = |count: u64, body: &[u8]| {
			let mut b = count.to_le_bytes().to_vec();
			b.extend_from_slice(body);
			b
		};
		for count in [0, 1, n - 1, n + 1, 2 * n, n | 1 << 32, u64::MAX] {
			let b = framed(count, body);
			c.case(
				"vka framing: wrong count",
				|| format!("{} {count}", v.name),
				true,
				|| parse_and_verify(&b, &v),
			);
		}
		for cut in [1, 31, 32, 64, body.len() / 2, body.len(), body.len() + 1, body.len() + 8] {
			let b = &v.vka_bytes[..v.vka_bytes.len() - cut];
			c.case(
				"vka framing: truncated",
				|| format!("{} by {cut}", v.name),
				true,
				|| parse_and_verify(b, &v),
			);
		}
		// Truncated by whole words with the count to match: the sections then point past the end.
		for words in [1, 2, 8, v.vka.len() - v.vka.verified_words(), v.vka.len() / 2] {
			let b = framed(n - words as u64, &body[..body.len() - 32 * words]);
			c.case(
				"vka framing: fewer words, count to match",
				|| format!("{} -{words}", v.name),
				true,
				|| parse_and_verify(&b, &v),
			);
		}
		for (extra, fill) in [(1, 0u8), (31, 0), (32, 0), (32, 0xcd), (33, 0)] {
			let mut b = v.vka_bytes.clone();
			b.extend(std::iter::repeat_n(fill, extra));
			c.case(
				"vka framing: extra bytes",
				|| format!("{} +{extra}×{fill:#x}", v.name),
				true,
				|| parse_and_verify(&b, &v),
			);
		}
		// Whole words appended with the count to match: vka_end moves, and with it every scratch
		// slot the gate and lookup programs address absolutely.
		for words in [1usize, 2, 16] {
			let mut b = body.to_vec();
			b.extend(std::iter::repeat_n(0u8, 32 * words));
			let b = framed(n + words as u64, &b);
			c.case(
				"vka framing: more words, count to match",
				|| format!("{} +{words}", v.name),
				true,
				|| parse_and_verify(&b, &v),
			);
		}
		c.case("vka framing: empty", || v.name.into(), true, || parse_and_verify(&[], &v));
		c.case(
			"vka framing: count only",
			|| v.name.into(),
			true,
			|| parse_and_verify(&framed(0, &[]), &v),
		);
	}
	c.finish("VKA framing");
}

/// The words from `Vka::verified_words()` to the end are ezkl's rescaling section: how an EVM
/// caller turns instances into decimals. Verification does not read them, so mutating them is
/// accepted, by design. That is safe because the chain never takes a VKA by content: it
/// addresses a registered VKA by the hash of all its bytes, so a VKA with a changed rescaling
/// word is a different VK with its own hash, and whoever registers it vouches for that data
/// like for any other. Only the section's framing is checked: its first byte counts its words,
/// up to the end of the VKA. This test pins both down: if the verifier ever starts to read the
/// section, these mutations stop verifying and this test says so.
#[test]
fn rescaling_words_are_not_verified_by_design() {
	let (mut accepted, mut framing) = (0, 0);
	for v in vectors() {
		let (head, body) = v.vka_bytes.split_at(8);
		let first = v.vka.verified_words();
		assert!(first < v.vka.len(), "{}: no rescaling section", v.name);
		let mutations = vka_word_mutations().into_iter().chain([
			("vka word: flip bit 8", Box::new(flip(30, 0x01)) as Box<dyn Fn(Word) -> Word>),
			("vka word: flip a bit of byte 20", Box::new(flip(11, 0x10))),
		]);
		for (category, f) in mutations {
			for i in first..v.vka.len() {
				let mut bytes = head.to_vec();
				bytes.extend(with_word(body, i, &f));
				if bytes == v.vka_bytes {
					continue;
				}
				let verdict = parse_and_verify(&bytes, &v);
				// The count byte: the lowest byte of the section's first word.
				if i == first && with_word(body, i, &f)[32 * i + 31] != body[32 * i + 31] {
					assert!(
						verdict.is_err(),
						"{}: {category} of the rescaling count verifies",
						v.name
					);
					framing += 1;
				} else {
					verdict.unwrap_or_else(|e| {
						panic!("{}: {category} of rescaling word {i}: {e}", v.name)
					});
					accepted += 1;
				}
			}
		}
	}
	println!("rescaling-section mutations accepted by design: {accepted}; of its count, rejected: {framing}");
}
