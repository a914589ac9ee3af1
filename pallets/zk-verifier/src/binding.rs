//! How a proof's public instances bind it to a task: the first instances are the task's int8
//! input in ezkl's fixed point, the rest are the logits.
//!
//! ezkl maps a real value x at scale s to the field element round(x·2^s), negative values to
//! r − |v|. An int8 input q at the link's scale is therefore q·2^s exactly; a logit instance is
//! read back as the signed integer it encodes (at the circuit's output scale, which is the
//! model's business: the chain compares and ranks logits, it does not rescale them).

use crate::Rejection;
use alloc::vec::Vec;

pub use aos_zk::word::felt;

/// The integer a field element encodes, if it is within i32.
pub fn int(b: &[u8; 32]) -> Option<i32> {
	aos_zk::word::felt_to_int(b).and_then(|v| i32::try_from(v).ok())
}

/// The logits the instances carry, if their first part is `input` at `scale`.
pub fn logits(input: &[i8], scale: u8, instances: &[[u8; 32]]) -> Result<Vec<i32>, Rejection> {
	if instances.len() < input.len() || scale > 32 {
		return Err(Rejection::InputMismatch);
	}
	let (ins, outs) = instances.split_at(input.len());
	let factor = 1i64 << scale;
	if !input.iter().zip(ins).all(|(q, i)| felt(i64::from(*q) * factor) == *i) {
		return Err(Rejection::InputMismatch);
	}
	outs.iter().map(|o| int(o).ok_or(Rejection::OutputOutOfRange)).collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use aos_zk::word::FR_MODULUS;

	#[test]
	fn felts_round_trip_and_bind() {
		for v in [0i64, 1, -1, 127 * 128, -128 * 128, i32::MAX as i64, i32::MIN as i64] {
			assert_eq!(int(&felt(v)), Some(v as i32));
		}
		assert_eq!(int(&felt(i64::from(i32::MAX) + 1)), None);
		assert_eq!(int(&FR_MODULUS.to_be()), None);
		let ins = [felt(82 * 128), felt(-3 * 128), felt(1057), felt(-195)];
		assert_eq!(logits(&[82, -3], 7, &ins), Ok(alloc::vec![1057, -195]));
		assert_eq!(logits(&[82, -2], 7, &ins), Err(Rejection::InputMismatch));
		assert_eq!(logits(&[82, -3], 6, &ins), Err(Rejection::InputMismatch));
		assert_eq!(logits(&[82, -3, 1, 1, 1], 7, &ins), Err(Rejection::InputMismatch));
	}
}
