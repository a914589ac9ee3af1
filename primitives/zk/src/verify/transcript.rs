//! The transcript: the instances and the proof's commitments and evaluations are absorbed into
//! a Keccak-256 transcript, in the phases the VKA's phase table gives, and every challenge
//! (θ, β, γ, y, x, then SHPLONK's ζ, ν and μ) is squeezed from it. This stage also checks the
//! proof's shape: instances and evaluations below r, commitments on the curve, and the
//! transcript ending exactly where the proof does.

use super::{
	layout::{scratch, PROOF_CPTR},
	machine::Machine,
};
use crate::{
	curve::g1_from_words,
	vka::header,
	word::{Word, FQ_MODULUS, FR_MODULUS},
	Error,
};

impl Machine<'_> {
	/// Reads the instances and the proof into the transcript and squeezes every challenge,
	/// from `vka_end + fsm` up to μ.
	pub(super) fn transcript(&mut self) -> Result<(), Error> {
		let state = self.scratch(scratch::TRANSCRIPT_STATE);
		self.mstore(state, self.header_word(header::VK_DIGEST)?)?;
		let mut hash = self.scratch(scratch::TRANSCRIPT_INPUT);
		let mut cptr = Word::from_u64(PROOF_CPTR);
		let mut challenge = self.vka_end.add(self.header_word(header::FSM)?);
		// The phase table: its first byte counts its words; then per phase, 16 bits of the
		// phase's commitment bytes and 8 of its number of challenges.
		let mut len_ptr = Word::from_u64(self.vka.phase_table);
		let mut data = self.mload(len_ptr)?;
		let num_words = data.low8();
		data = data.shr(8);
		let num_evals = self.header_word(header::NUM_EVALS)?.mul(Word::from_u64(0x20));

		for i in 0..self.num_instances {
			self.step(1)?;
			let inst = self.calldata_load(Word::from_u64(self.instances_cptr + 32 * i));
			if inst >= FR_MODULUS {
				return Err(Error::Instances("an instance is not below r"));
			}
			self.mstore(hash, inst)?;
			hash = hash.add_u64(0x20);
		}
		for _ in 0..num_words {
			len_ptr = len_ptr.add_u64(0x20);
			while !data.is_zero() {
				self.step(1)?;
				let end = cptr.add_u64(data.low16());
				data = data.shr(16);
				while cptr < end {
					self.step(1)?;
					self.read_ec_point(&mut cptr, &mut hash)?;
				}
				self.squeeze_challenge(&mut challenge, &mut hash)?;
				// The challenges squeezed: the first always, so at least one.
				let n = data.low8();
				if n == 0 {
					return Err(Error::Vka("a phase without challenges"));
				}
				data = data.shr(8);
				for _ in 1..n {
					self.step(1)?;
					self.squeeze_challenge_cont(&mut challenge)?;
				}
			}
			data = self.mload(len_ptr)?;
		}
		let end = cptr.add(num_evals);
		while cptr < end {
			self.step(1)?;
			let e = self.calldata_load(cptr);
			if e >= FR_MODULUS {
				return Err(Error::Proof("an evaluation is not below r"));
			}
			self.mstore(hash, e)?;
			cptr = cptr.add_u64(0x20);
			hash = hash.add_u64(0x20);
		}
		self.squeeze_challenge(&mut challenge, &mut hash)?; // ζ
		self.squeeze_challenge_cont(&mut challenge)?; // ν
		self.read_ec_point(&mut cptr, &mut hash)?; // W
		self.squeeze_challenge(&mut challenge, &mut hash)?; // μ
		self.read_ec_point(&mut cptr, &mut hash)?; // W'
		if cptr != self.proof_end {
			return Err(Error::Proof("the transcript does not end where the proof does"));
		}
		Ok(())
	}

	/// `read_ec_point`: a proof point, canonical and on the curve (not the identity), absorbed.
	fn read_ec_point(&mut self, cptr: &mut Word, hash: &mut Word) -> Result<(), Error> {
		let x = self.calldata_load(*cptr);
		let y = self.calldata_load(cptr.add_u64(0x20));
		if !(x < FQ_MODULUS && y < FQ_MODULUS)
			|| x.is_zero() && y.is_zero()
			|| g1_from_words(x, y).is_none()
		{
			return Err(Error::Proof("a commitment is not a curve point"));
		}
		self.mstore(*hash, x)?;
		self.mstore(hash.add_u64(0x20), y)?;
		*cptr = cptr.add_u64(0x40);
		*hash = hash.add_u64(0x40);
		Ok(())
	}

	/// `squeeze_challenge`: hashes the state and what was absorbed since; the hash is the new
	/// state, and reduced mod r the next challenge.
	fn squeeze_challenge(&mut self, challenge: &mut Word, hash: &mut Word) -> Result<(), Error> {
		let state = self.scratch(scratch::TRANSCRIPT_STATE);
		let h = Word::from_be(&self.keccak(state, *hash)?);
		self.mstore(*challenge, Word::from_fr(h.to_fr()))?;
		self.mstore(state, h)?;
		*challenge = challenge.add_u64(0x20);
		*hash = self.scratch(scratch::TRANSCRIPT_INPUT);
		Ok(())
	}

	/// `squeeze_challenge_cont`: another challenge with nothing absorbed, the hash of the state
	/// and a byte 1.
	fn squeeze_challenge_cont(&mut self, challenge: &mut Word) -> Result<(), Error> {
		// mstore8(vka_end + 0x20, 1): the top byte of the next word.
		let next = self.scratch(scratch::TRANSCRIPT_INPUT);
		let mut b = self.mload(next)?.to_be();
		b[0] = 1;
		self.mstore(next, Word::from_be(&b))?;
		let state = self.mload(self.scratch(scratch::TRANSCRIPT_STATE))?.to_be();
		let mut input = [0u8; 33];
		input[..32].copy_from_slice(&state);
		input[32] = 1;
		let h = Word::from_be(&(self.keccak_256)(&input));
		self.mstore(*challenge, Word::from_fr(h.to_fr()))?;
		self.mstore(self.scratch(scratch::TRANSCRIPT_STATE), h)?;
		*challenge = challenge.add_u64(0x20);
		Ok(())
	}
}
