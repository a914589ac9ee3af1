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
pub struct W(pub [u64; 4]);

impl Ord for W {
	fn cmp(&self, o: &W) -> core::cmp::Ordering {
		// Most significant limb first (a derived Ord would start from the least).
		self.0.iter().rev().cmp(o.0.iter().rev())
	}
}
impl PartialOrd for W {
	fn partial_cmp(&self, o: &W) -> Option<core::cmp::Ordering> {
		Some(self.cmp(o))
	}
}

/// BN254's scalar field modulus r.
pub const R: W =
	W([0x43e1f593f0000001, 0x2833e84879b97091, 0xb85045b68181585d, 0x30644e72e131a029]);
/// BN254's base field modulus q.
pub const Q: W =
	W([0x3c208c16d87cfd47, 0x97816a916871ca8d, 0xb85045b68181585d, 0x30644e72e131a029]);

// `add`, `sub`, `mul` and `shr` are the EVM's opcodes (wrapping, `shr` by 256 giving 0), named
// so the port reads like the contract; `+`, `-`, `*` and `>>` would promise std's semantics.
#[allow(clippy::should_implement_trait)]
impl W {
	pub const ZERO: W = W([0; 4]);

	pub const fn from_u64(v: u64) -> W {
		W([v, 0, 0, 0])
	}

	pub fn from_be(b: &[u8; 32]) -> W {
		let mut l = [0u64; 4];
		for (i, limb) in l.iter_mut().enumerate() {
			let mut c = [0u8; 8];
			c.copy_from_slice(&b[32 - 8 * (i + 1)..32 - 8 * i]);
			*limb = u64::from_be_bytes(c);
		}
		W(l)
	}

	pub fn to_be(self) -> [u8; 32] {
		let mut b = [0u8; 32];
		for (i, limb) in self.0.iter().enumerate() {
			b[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
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
	pub fn shr(self, n: u64) -> W {
		if n >= 256 {
			return W::ZERO;
		}
		let (limbs, bits) = ((n / 64) as usize, (n % 64) as u32);
		let mut out = [0u64; 4];
		for (i, o) in out.iter_mut().enumerate() {
			let src = i + limbs;
			let lo = self.0.get(src).copied().unwrap_or(0);
			let hi = self.0.get(src + 1).copied().unwrap_or(0);
			*o = if bits == 0 { lo } else { (lo >> bits) | (hi << (64 - bits)) };
		}
		W(out)
	}

	/// `and(w, mask)` for a mask of the low `bits` bits (at most 128).
	pub fn mask(self, bits: u32) -> W {
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
	pub fn add(self, o: W) -> W {
		let mut out = [0u64; 4];
		let mut carry = false;
		for (i, limb) in out.iter_mut().enumerate() {
			let (s1, c1) = self.0[i].overflowing_add(o.0[i]);
			let (s2, c2) = s1.overflowing_add(u64::from(carry));
			*limb = s2;
			carry = c1 || c2;
		}
		W(out)
	}

	/// EVM `sub`: wrapping.
	pub fn sub(self, o: W) -> W {
		let mut out = [0u64; 4];
		let mut borrow = false;
		for (i, limb) in out.iter_mut().enumerate() {
			let (d1, b1) = self.0[i].overflowing_sub(o.0[i]);
			let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
			*limb = d2;
			borrow = b1 || b2;
		}
		W(out)
	}

	/// EVM `mul`: wrapping.
	pub fn mul(self, o: W) -> W {
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
		W(out)
	}

	pub fn addu(self, v: u64) -> W {
		self.add(W::from_u64(v))
	}

	pub fn subu(self, v: u64) -> W {
		self.sub(W::from_u64(v))
	}

	fn reduce(mut self, m: &W) -> W {
		// 2^256 / r < 6, so a few subtractions reduce any word.
		while self >= *m {
			self = self.sub(*m);
		}
		self
	}
}

impl PartialOrd<u64> for W {
	fn partial_cmp(&self, o: &u64) -> Option<core::cmp::Ordering> {
		Some(self.cmp(&W::from_u64(*o)))
	}
}
impl PartialEq<u64> for W {
	fn eq(&self, o: &u64) -> bool {
		*self == W::from_u64(*o)
	}
}

/// The scalar-field element a word denotes (the word reduced mod r).
pub fn fr(w: W) -> Fr {
	let w = w.reduce(&R);
	// Below the modulus by construction.
	Fr::from_bigint(BigInt(w.0)).unwrap_or_default()
}

/// A scalar-field element as a word in `[0, r)`.
pub fn word(f: Fr) -> W {
	W(f.into_bigint().0)
}

/// A base-field element, if the word is canonical (below q).
pub fn fq(w: W) -> Option<Fq> {
	if w >= Q {
		return None;
	}
	Fq::from_bigint(BigInt(w.0))
}

/// The field element ezkl uses for the integer `v`: v, or r − |v| for a negative v
/// (big-endian bytes).
pub fn felt(v: i64) -> [u8; 32] {
	let m = W::from_u64(v.unsigned_abs());
	if v < 0 { R.sub(m) } else { m }.to_be()
}

/// The integer a field element encodes (the inverse of [`felt`]), if it is within i64; none for
/// a word at or above r.
pub fn felt_to_int(b: &[u8; 32]) -> Option<i64> {
	let w = W::from_be(b);
	if w >= R {
		return None;
	}
	if w <= R.shr(1) {
		w.as_u64().and_then(|v| i64::try_from(v).ok())
	} else {
		R.sub(w).as_u64().and_then(|v| i64::try_from(v).ok()).map(|v| -v)
	}
}

/// `addmod(a, b, R)`: on the words themselves, without the two conversions into Montgomery
/// form and the one out of it that going through [`Fr`] costs.
pub fn addmod(a: W, b: W) -> W {
	// Both below r < 2^254, so the sum does not wrap.
	a.reduce(&R).add(b.reduce(&R)).reduce(&R)
}

/// R² mod r, arkworks' Montgomery constant.
const R2: BigInt<4> = <ark_bn254::FrConfig as ark_ff::MontConfig<4>>::R2;

/// `mulmod(a, b, R)` in two Montgomery multiplications instead of four: treating the reduced
/// words as Montgomery representations, their product is a·b·2⁻²⁵⁶, and a product with
/// 2⁵¹² mod r (R²) brings it back to a·b, canonical.
pub fn mulmod(a: W, b: W) -> W {
	let a = Fr::new_unchecked(BigInt(a.reduce(&R).0));
	let b = Fr::new_unchecked(BigInt(b.reduce(&R).0));
	W((a * b * Fr::new_unchecked(R2)).0 .0)
}

/// `addmod(a, sub(R, b), R)`, what the verifier writes for a − b (b may exceed r by the wrap).
pub fn submod(a: W, b: W) -> W {
	addmod(a, R.sub(b))
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
		let w = W::from_be(&b);
		assert_eq!(w.to_be(), b);
		assert_eq!(w.low8(), 32);
		assert_eq!(w.low16(), 0x1f20);
		assert_eq!(w.shr(8).low8(), 31);
		assert_eq!(w.shr(64 + 4).low8(), 0x71);
		assert_eq!(w.shr(256), W::ZERO);
		assert_eq!(w.shr(248).low8(), 1);
		assert_eq!(w.mask(80).shr(72).low8(), u64::from(b[32 - 10]));
		assert_eq!(w.mask(80).shr(80), W::ZERO);
	}

	#[test]
	fn wrapping_arithmetic_matches_the_evm() {
		let max = W([u64::MAX; 4]);
		assert_eq!(max.addu(1), W::ZERO);
		assert_eq!(W::ZERO.subu(1), max);
		assert_eq!(W::from_u64(0x20).mul(W::from_u64(7)), W::from_u64(0xe0));
		assert_eq!(max.mul(W::from_u64(2)), max.subu(1));
		assert!(W([0, 0, 0, 1]) > W([u64::MAX, 0, 0, 0]));
		assert!(R < Q && Q.subu(1) < Q);
		// sub(R, 0) = R is reduced by the modular ops.
		assert_eq!(addmod(R, W::from_u64(5)), W::from_u64(5));
		assert_eq!(mulmod(max, W::from_u64(1)), word(fr(max)));
		assert_eq!(submod(W::from_u64(3), W::from_u64(5)), R.subu(2));
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
		let mut words =
			vec![W::ZERO, W::from_u64(1), R.subu(1), R, R.addu(1), R.add(R), Q, W([u64::MAX; 4])];
		for _ in 0..200 {
			words.push(W([next(), next(), next(), next()]));
		}
		for a in &words {
			for b in &words {
				assert_eq!(addmod(*a, *b), word(fr(*a) + fr(*b)), "{a:?} + {b:?}");
				assert_eq!(mulmod(*a, *b), word(fr(*a) * fr(*b)), "{a:?} * {b:?}");
			}
		}
	}
}
