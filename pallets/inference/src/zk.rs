//! Zk mode: this pallet's side of [`ZkTasks`], through which `pallet-zk-verifier` reads a
//! Zk-mode task and settles it on a verified proof.
//!
//! A Zk-mode task is sampled and claimed like any other; then, instead of commit and reveal,
//! its claimants have one window (the commit period plus the resolution window) to submit a
//! proof. The first proof the chain verifies settles the task on the logits the proof's public
//! instances carry, and its prover is paid the fee. An assigned operator's invalid proof is an
//! offence (`ZkProofInvalid`). If no valid proof comes, the window's end escalates the task or
//! ends it undecided, as for a task no one revealed.

use crate::{pallet::*, types::*};
use aos_inference_primitives::zk::{ZkModel, ZkTask, ZkTaskError, ZkTasks};
use aos_operators_primitives::{OffenceKind, SlashOperator};
use sp_core::H256;
use sp_runtime::BoundedVec;

impl<T: Config> ZkTasks<T::AccountId> for Pallet<T> {
	fn model(model: &ModelId) -> Option<ZkModel<T::AccountId>> {
		let m = Models::<T>::get(model)?;
		Some(ZkModel {
			inputs: m.inputs,
			outputs: m.outputs(),
			zk_allowed: m.modes & VerificationMode::Zk.bit() != 0
				&& m.status == ModelStatus::Active,
			owner: m.owner,
		})
	}

	fn proof_task(task: TaskId, who: &T::AccountId) -> Result<ZkTask, ZkTaskError> {
		let t = Tasks::<T>::get(task).ok_or(ZkTaskError::UnknownTask)?;
		if t.mode != VerificationMode::Zk {
			return Err(ZkTaskError::NotZkTask);
		}
		if !matches!(t.status, TaskStatus::Revealing { .. }) {
			return Err(ZkTaskError::NotAwaitingProof);
		}
		if !Claims::<T>::get(task).iter().any(|c| &c.operator == who) {
			return Err(ZkTaskError::NotAssigned);
		}
		let TaskInput::Inline(input) = t.input else { return Err(ZkTaskError::NotZkTask) };
		Ok(ZkTask { model: t.model, input: input.into_inner() })
	}

	fn settle_proved(id: TaskId, who: &T::AccountId, logits: &[i32]) {
		let Some(task) = Tasks::<T>::get(id) else { return };
		let TaskStatus::Revealing { until, .. } = task.status else { return };
		Agenda::<T>::remove(until, id);
		let now = frame_system::Pallet::<T>::block_number();
		let output = H256(aos_kernel::output_digest(logits));
		let top: BoundedVec<u32, T::MaxTopK> =
			BoundedVec::truncate_from(aos_kernel::sampler::top_k(logits, task.sampling.top_k));
		let key = result_key(&output, &top);
		let mut claims = Claims::<T>::get(id);
		for c in claims.iter_mut() {
			if &c.operator == who {
				c.result = Some(key);
			}
		}
		let assigned = claims.len() as u32;
		Claims::<T>::insert(id, claims);
		// The proved output stands where a reveal would: readers find results in one place.
		Reveals::<T>::insert(
			id,
			who,
			Reveal {
				output,
				top: top.clone(),
				samples: Default::default(),
				intermediates: Default::default(),
				pow_nonce: 0,
			},
		);
		Self::deposit_event(Event::TaskProved { task: id, operator: who.clone(), output });
		let result = TaskResult { output, top, agreeing: 1, conflicting: 0, assigned };
		Self::conclude(id, task, core::slice::from_ref(who), result, now);
	}

	fn report_invalid_proof(id: TaskId, who: &T::AccountId) {
		let _ = T::Operators::report_offence(who, OffenceKind::ZkProofInvalid, Some(id));
		Self::deposit_event(Event::InvalidProofReported { task: id, operator: who.clone() });
	}
}
