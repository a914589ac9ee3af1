//! TEE mode: results computed inside attested enclaves (`pallet-tee`), settled on the
//! enclave's signature.
//!
//! A TEE-mode task is sampled and claimed like any other, but only operators with a live
//! enclave allowed for the task's model may claim it ([`TeeEnclaves::may_run`]). There is no
//! commit phase: an enclave's signature binds its result to that enclave, so a result seen in
//! the transaction pool is worthless to anyone else. Once assigned, the claimants submit the
//! results their enclaves signed until the resolution window's end; the first whose signature
//! is its enclave's over the task, the model, the input's hash and the result settles the task
//! and is paid the fee. A result that fails that check, once the claimant's enclave is live, is
//! an offence (`AttestationInvalid`) reported at once; so is silence to the window's end (the
//! claim was the commitment). With no valid result, the task is reassigned: the next round
//! samples further operators, as an escalation does, at once when every claimant of the round
//! has failed. A result whose enclave is gone (expired, revoked by governance, its image
//! revoked or no longer allowed for the model) is refused; its claimant can only stay silent.

use crate::{pallet::*, *};
use aos_inference_primitives::tee::{input_hash, ResultRejection, TeeEnclaves};
use aos_operators_primitives::OffenceKind;
use frame_support::{ensure, pallet_prelude::*};
use sp_core::H256;

/// What a submitted TEE-mode result came to.
pub(crate) enum Attested {
	/// It settled the task over this many claims.
	Settled(u32),
	/// It was refused and reported; the task was decided at once over this many claims if
	/// nothing was left to wait for.
	Rejected(Option<u32>),
}

impl<T: Config> Pallet<T> {
	/// The hash a TEE-mode result names the task's input by.
	pub(crate) fn task_input_hash(input: &TaskInputOf<T>) -> H256 {
		match input {
			TaskInput::Inline(values) => input_hash(values),
			TaskInput::Remote { hash, .. } => *hash,
		}
	}

	pub(crate) fn do_submit_attested_result(
		who: T::AccountId,
		id: TaskId,
		output: H256,
		top: BoundedVec<u32, T::MaxTopK>,
		signature: [u8; 64],
	) -> Result<Attested, DispatchError> {
		let task = Tasks::<T>::get(id).ok_or(Error::<T>::UnknownTask)?;
		ensure!(task.mode == VerificationMode::Tee, Error::<T>::NotTeeTask);
		let TaskStatus::Attesting { round, .. } = task.status else {
			return Err(Error::<T>::NotAttesting.into());
		};
		let claims = Claims::<T>::get(id);
		let claim = claims.iter().find(|c| c.operator == who).ok_or(Error::<T>::NotAssigned)?;
		// An earlier round's claim had its round to answer; it is judged as silent.
		ensure!(claim.round == round, Error::<T>::WrongRound);
		ensure!(claim.result.is_none(), Error::<T>::NothingToReveal);
		ensure!(top.len() as u32 == task.sampling.top_k, Error::<T>::RevealShapeMismatch);
		let input = Self::task_input_hash(&task.input);
		match T::Enclaves::check_result(&who, &task.model, id, &input, &output, &top, &signature) {
			Ok(()) => {
				let count = claims.len() as u32;
				Self::deposit_event(Event::ResultAttested {
					task: id,
					operator: who.clone(),
					output,
				});
				Self::settle_verified(id, task, &who, output, top, None);
				Ok(Attested::Settled(count))
			},
			// Not the claimant's fault alone (governance may have revoked its image), and
			// nothing to judge: refused, and silence is judged at the deadline.
			Err(ResultRejection::NoEnclave) => Err(Error::<T>::NoEnclave.into()),
			Err(ResultRejection::BadSignature) => {
				Self::deposit_event(Event::AttestationRejected { task: id, operator: who.clone() });
				let decided = Self::reject(id, &who, OffenceKind::AttestationInvalid)
					.then(|| Self::decide(id));
				Ok(Attested::Rejected(decided))
			},
		}
	}
}
