//! EVM words: 256-bit unsigned integers with the EVM's wrapping arithmetic, and their meeting
//! point with BN254's fields.
//!
//! The reusable verifier mixes packed bytecode, pointers and field elements in one kind of word;
//! porting it faithfully needs the EVM's integer semantics (wrapping `add`/`sub`, `shr` by 256 or
//! more giving 0, `addmod`/`mulmod` reducing full 256-bit operands).

use ark_bn254::{Fq, Fr};
use ark_ff::{BigInt, PrimeField};

/// A 256-bit word, little-endian 64-bit limbs.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct Word(pub [u64; 4]);

impl Ord for Word {
	fn cmp(&self, o: &Word) -> core::cmp::Ordering {
		// Most significant limb first (a derived Ord would start from the least).
		self.0.iter().rev().cmp(o.0.iter().rev())
	}
}
impl PartialOrd for Word {
	fn partial_cmp(&self, o: &Word) -> Option<core::cmp::Ordering> {
		Some(self.cmp(o))
	}
}

/// BN254's scalar field modulus r (the contract's `R`).
pub const FR_MODULUS: Word =
	Word([0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029]);
/// BN254's base field modulus q (the contract's `Q`).
pub const FQ_MODULUS: Word =
	Word([0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029]);

// `add`, `sub`, `mul` and `shr` are the EVM's opcodes (wrapping, `shr` by 256 giving 0), named
// so the port reads like the contract; `+`, `-`, `*` and `>>` would promise std's semantics.
#[allow(clippy::should_implement_trait)]
impl Word {
	pub const ZERO: Word = Word([0; 4]);

	pub const fn from_u64(v: u64) -> Word {
		Word([v, 0, 0, 0])
	}

	pub fn from_be(b: &[u8; 32]) -> Word {
		let mut l = [0u64; 4];
		// The least significant limb is the last eight bytes.
		for (limb, bytes) in l.iter_mut().zip(b.rchunks_exact(8)) {
			let mut c = [0u8; 8];
			c.copy_from_slice(bytes);
			*limb = u64::from_be_bytes(c);
		}
		Word(l)
	}

	pub fn to_be(self) -> [u8; 32] {
		let mut b = [0u8; 32];
		for (limb, bytes) in self.0.iter().zip(b.rchunks_exact_mut(8)) {
			bytes.copy_from_slice(&limb.to_be_bytes());
		}
		b
	}

	pub fn is_zero(&self) -> bool {
		self.0 == [0; 4]
	}

	/// The value as a `u64` if it fits.
	pub fn as_u64(&self) -> Option<u64> {
		(self.0[1] == 0 && self.0[2] == 0 && self.0[3] == 0).then_some(self.0[0])
	}

	/// The low `bits` bits (at most 64).
	pub fn low(&self, bits: u32) -> u64 {
		if bits >= 64 {
			self.0[0]
		} else {
			self.0[0] & ((1u64 << bits) - 1)
		}
	}

	/// `and(w, 0xFF)`
	pub fn low8(&self) -> u64 {
		self.low(8)
	}

	/// `and(w, 0xFFFF)`
	pub fn low16(&self) -> u64 {
		self.low(16)
	}

	/// `shr(n, w)`: 0 once `n` reaches 256.
	pub fn shr(self, n: u64) -> Word {
		if n >= 256 {
			return Word::ZERO;
		}
		let (limbs, bits) = ((n / 64) as usize, (n % 64) as u32);
		let mut out = [0u64; 4];
		for (i, o) in out.iter_mut().enumerate() {
			let src = i + limbs;
			let lo = self.0.get(src).copied().unwrap_or(0);
			let hi = self.0.get(src + 1).copied().unwrap_or(0);
			*o = if bits == 0 { lo } else { (lo >> bits) | (hi << (64 - bits)) };
		}
		Word(out)
	}

	/// `and(w, mask)` for a mask of the low `bits` bits (at most 128).
	pub fn mask(self, bits: u32) -> Word {
		let mut out = self;
		for (i, limb) in out.0.iter_mut().enumerate() {
			let start = 64 * i as u32;
			if bits <= start {
				*limb = 0;
			} else if bits < start + 64 {
				*limb &= (1u64 << (bits - start)) - 1;
			}
		}
		out
	}

	/// EVM `add`: wrapping.
	pub fn add(self, o: Word) -> Word {
		let mut out = [0u64; 4];
		let mut carry = false;
		for ((limb, a), b) in out.iter_mut().zip(self.0).zip(o.0) {
			let (s1, c1) = a.overflowing_add(b);
			let (s2, c2) = s1.overflowing_add(u64::from(carry));
			*limb = s2;
			carry = c1 || c2;
		}
		Word(out)
	}

	/// EVM `sub`: wrapping.
	pub fn sub(self, o: Word) -> Word {
		let mut out = [0u64; 4];
		let mut borrow = false;
		for ((limb, a), b) in out.iter_mut().zip(self.0).zip(o.0) {
			let (d1, b1) = a.overflowing_sub(b);
			let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
			*limb = d2;
			borrow = b1 || b2;
		}
		Word(out)
	}

	/// EVM `mul`: wrapping.
	#[allow(clippy::indexing_slicing, reason = "i + j < 4 and i < 4 index four-limb arrays")]
	pub fn mul(self, o: Word) -> Word {
		let mut out = [0u64; 4];
		for i in 0..4 {
			let mut carry: u128 = 0;
			for j in 0..(4 - i) {
				let cur =
					u128::from(out[i + j]) + u128::from(self.0[i]) * u128::from(o.0[j]) + carry;
				out[i + j] = cur as u64;
				carry = cur >> 64;
			}
		}
		Word(out)
	}

	/// EVM `add` of a small constant (a pointer step, an offset).
	pub fn add_u64(self, v: u64) -> Word {
		self.add(Word::from_u64(v))
	}

	/// EVM `sub` of a small constant.
	pub fn sub_u64(self, v: u64) -> Word {
		self.sub(Word::from_u64(v))
	}

	/// The scalar-field element the word denotes (the word reduced mod r).
	pub fn to_fr(self) -> Fr {
		let w = self.reduce(&FR_MODULUS);
		// Below the modulus by construction.
		Fr::from_bigint(BigInt(w.0)).unwrap_or_default()
	}

	/// A scalar-field element as a word in `[0, r)`.
	pub fn from_fr(f: Fr) -> Word {
		Word(f.into_bigint().0)
	}

	/// The base-field element, if the word is canonical (below q).
	pub fn to_fq(self) -> Option<Fq> {
		if self >= FQ_MODULUS {
			return None;
		}
		Fq::from_bigint(BigInt(self.0))
	}

	fn reduce(mut self, m: &Word) -> Word {
		// 2^256 / r < 6, so a few subtractions reduce any word.
		while self >= *m {
			self = self.sub(*m);
		}
		self
	}
}

impl PartialOrd<u64> for Word {
	fn partial_cmp(&self, o: &u64) -> Option<core::cmp::Ordering> {
		Some(self.cmp(&Word::from_u64(*o)))
	}
}
impl PartialEq<u64> for Word {
	fn eq(&self, o: &u64) -> bool {
		*self == Word::from_u64(*o)
	}
}

/// The field element ezkl uses for the integer `v`: v, or r − |v| for a negative v
/// (big-endian bytes).
pub fn felt(v: i64) -> [u8; 32] {
	let m = Word::from_u64(v.unsigned_abs());
	if v < 0 { FR_MODULUS.sub(m) } else { m }.to_be()
}

/// The integer a field element encodes (the inverse of [`felt`]), if it is within i64; none for
/// a word at or above r.
pub fn felt_to_int(b: &[u8; 32]) -> Option<i64> {
	let w = Word::from_be(b);
	if w >= FR_MODULUS {
		return None;
	}
	if w <= FR_MODULUS.shr(1) {
		w.as_u64().and_then(|v| i64::try_from(v).ok())
	} else {
		FR_MODULUS.sub(w).as_u64().and_then(|v| i64::try_from(v).ok()).map(|v| -v)
	}
}

/// `addmod(a, b, R)`: on the words themselves, without the two conversions into Montgomery
/// form and the one out of it that going through [`Fr`] costs.
pub fn addmod(a: Word, b: Word) -> Word {
	// Both below r < 2^254, so the sum does not wrap.
	a.reduce(&FR_MODULUS).add(b.reduce(&FR_MODULUS)).reduce(&FR_MODULUS)
}

/// R² mod r, arkworks' Montgomery constant.
const R2: BigInt<4> = <ark_bn254::FrConfig as ark_ff::MontConfig<4>>::R2;

/// `mulmod(a, b, R)` in two Montgomery multiplications instead of four: treating the reduced
/// words as Montgomery representations, their product is a·b·2⁻²⁵⁶, and a product with
/// 2⁵¹² mod r (R²) brings it back to a·b, canonical.
pub fn mulmod(a: Word, b: Word) -> Word {
	let a = Fr::new_unchecked(BigInt(a.reduce(&FR_MODULUS).0));
	let b = Fr::new_unchecked(BigInt(b.reduce(&FR_MODULUS).0));
	Word((a * b * Fr::new_unchecked(R2)).0 .0)
}

/// `addmod(a, sub(R, b), R)`, what the verifier writes for a − b (b may exceed r by the wrap).
pub fn submod(a: Word, b: Word) -> Word {
	addmod(a, FR_MODULUS.sub(b))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn be_round_trip_and_shifts() {
		let mut b = [0u8; 32];
		for (i, x) in b.iter_mut().enumerate() {
			*x = i as u8 + 1;
		}
		let w = Word::from_be(&b);
		assert_eq!(w.to_be(), b);
		assert_eq!(w.low8(), 32);
		assert_eq!(w.low16(), 0x1f20);
		assert_eq!(w.shr(8).low8(), 31);
		assert_eq!(w.shr(64 + 4).low8(), 0x71);
		assert_eq!(w.shr(256), Word::ZERO);
		assert_eq!(w.shr(248).low8(), 1);
		assert_eq!(w.mask(80).shr(72).low8(), u64::from(b[32 - 10]));
		assert_eq!(w.mask(80).shr(80), Word::ZERO);
	}

	#[test]
	fn wrapping_arithmetic_matches_the_evm() {
		let max = Word([u64::MAX; 4]);
		assert_eq!(max.add_u64(1), Word::ZERO);
		assert_eq!(Word::ZERO.sub_u64(1), max);
		assert_eq!(Word::from_u64(0x20).mul(Word::from_u64(7)), Word::from_u64(0xe0));
		assert_eq!(max.mul(Word::from_u64(2)), max.sub_u64(1));
		assert!(Word([0, 0, 0, 1]) > Word([u64::MAX, 0, 0, 0]));
		assert!(FR_MODULUS < FQ_MODULUS && FQ_MODULUS.sub_u64(1) < FQ_MODULUS);
		// sub(R, 0) = R is reduced by the modular ops.
		assert_eq!(addmod(FR_MODULUS, Word::from_u64(5)), Word::from_u64(5));
		assert_eq!(mulmod(max, Word::from_u64(1)), Word::from_fr(max.to_fr()));
		assert_eq!(submod(Word::from_u64(3), Word::from_u64(5)), FR_MODULUS.sub_u64(2));
	}

	/// The word-level addmod and mulmod are the field's, on every kind of operand: small,
	/// near r, at and above r (up to 2^256 − 1), pseudo-random.
	#[test]
	fn modular_ops_are_the_fields() {
		let mut x = 0x9e37_79b9_7f4a_7c15u64;
		let mut next = || {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			x
		};
		let mut words = vec![
			Word::ZERO,
			Word::from_u64(1),
			FR_MODULUS.sub_u64(1),
			FR_MODULUS,
			FR_MODULUS.add_u64(1),
			FR_MODULUS.add(FR_MODULUS),
			FQ_MODULUS,
			Word([u64::MAX; 4]),
		];
		for _ in 0..200 {
			words.push(Word([next(), next(), next(), next()]));
		}
		for a in &words {
			for b in &words {
				assert_eq!(addmod(*a, *b), Word::from_fr(a.to_fr() + b.to_fr()), "{a:?} + {b:?}");
				assert_eq!(mulmod(*a, *b), Word::from_fr(a.to_fr() * b.to_fr()), "{a:?} * {b:?}");
			}
		}
	}
}
