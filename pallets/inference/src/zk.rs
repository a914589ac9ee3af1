//! Zk mode: this pallet's side of [`ZkTasks`], through which `pallet-zk-verifier` reads a
//! Zk-mode task and settles it on a verified proof.
//!
//! A Zk-mode task snapshots its model's verifying key at submission and is sampled and
//! claimed like any other. Its assigned operators then commit to a proof
//! ([`aos_inference_primitives::zk::proof_commitment`]) in the commit phase and reveal it in
//! the reveal phase, so that no operator can submit a proof it saw in the transaction pool: a
//! proof is bound to the operator that committed to it. A round with one assigned operator
//! (k = 1) has no one to copy from: it goes from its claim straight to the proving phase, and
//! its prover, which claimed without doing any work, proves only once it is assigned. The first revealed proof the chain
//! verifies settles the task on the logits the proof's public instances carry, and its prover
//! is paid the fee. A proof accepted before is refused (while the task it settled is
//! retained). A revealed proof that does not verify is an offence (`ZkProofInvalid`) and
//! spends its claim ([`REJECTED`]), so it is reported once. If no valid proof comes, the window's end
//! escalates the task or ends it undecided, and committed operators that revealed nothing are
//! reported as a bad proof would be.

use crate::{pallet::*, types::*};
use aos_inference_primitives::{
	account_bytes, task_hash,
	zk::{proof_commitment, proof_hash, ZkModel, ZkTask, ZkTaskError, ZkTasks},
};
use aos_operators_primitives::OffenceKind;
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
			live_tasks: m.live_tasks,
		})
	}

	fn proof_task(
		task: TaskId,
		who: &T::AccountId,
		proof: &[u8],
		instances: &[[u8; 32]],
	) -> Result<ZkTask, ZkTaskError> {
		let t = Tasks::<T>::get(task).ok_or(ZkTaskError::UnknownTask)?;
		let (VerificationMode::Zk, Some(link)) = (t.mode, t.terms.zk) else {
			return Err(ZkTaskError::NotZkTask);
		};
		let TaskStatus::Proving { round, .. } = t.status else {
			return Err(ZkTaskError::NotAwaitingProof);
		};
		let claims = Claims::<T>::get(task);
		let claim = claims
			.iter()
			.find(|c| &c.operator == who && c.round == round)
			.ok_or(ZkTaskError::NotAssigned)?;
		match (claim.commitment, claim.result) {
			(Some(committed), None) => {
				let expected =
					proof_commitment(&task_hash(task), &account_bytes(who), proof, instances);
				if committed.0 != expected {
					return Err(ZkTaskError::CommitmentMismatch);
				}
			},
			// The round's only prover: no one else may submit a proof of it to copy.
			(None, None) if Pallet::<T>::sole_prover(t.mode, &claims, round) => {},
			_ => return Err(ZkTaskError::NotCommitted),
		}
		if ProvedProofs::<T>::contains_key(proof_hash(proof)) {
			return Err(ZkTaskError::ProofReplayed);
		}
		let TaskInput::Inline(input) = t.input else { return Err(ZkTaskError::NotZkTask) };
		Ok(ZkTask { model: t.model, input: input.into_inner(), link })
	}

	fn settle_proved(id: TaskId, who: &T::AccountId, logits: &[i32], proof: &[u8]) {
		let Some(task) = Tasks::<T>::get(id) else { return };
		let TaskStatus::Proving { .. } = task.status else { return };
		let output = H256(aos_kernel::output_digest(logits));
		let top: BoundedVec<u32, T::MaxTopK> =
			BoundedVec::truncate_from(aos_kernel::sampler::top_k(logits, task.sampling.top_k));
		let proof = proof_hash(proof);
		ProvedProofs::<T>::insert(proof, id);
		Self::deposit_event(Event::TaskProved { task: id, operator: who.clone(), output });
		Self::settle_verified(id, task, who, output, top, Some(proof));
	}

	fn settle_weight() -> frame_support::weights::Weight {
		Self::settled_weight()
	}

	fn reject_proof(id: TaskId, who: &T::AccountId) {
		// The commitment is spent: one commitment, one proof, one report.
		Self::deposit_event(Event::InvalidProofReported { task: id, operator: who.clone() });
		// The window runs on: `submit_invalid_proof`'s weight has no decision in it.
		let _ = Self::reject(id, who, OffenceKind::ZkProofInvalid);
	}
}
