//! The model registry.

use crate::{pallet::*, *};
use alloc::vec::Vec;
use aos_inference_primitives::zk::ZkModels as _;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, MutateHold},
		tokens::{Fortitude, Precision, Preservation},
	},
};
use sp_core::H256;

/// Every [`VerificationMode::bit`].
const ALL_MODES: u8 = 0b1111;

impl<T: Config> Pallet<T> {
	#[allow(clippy::too_many_arguments)]
	pub(crate) fn do_register_model(
		who: T::AccountId,
		model: ModelId,
		kernel_version: u16,
		inputs: u32,
		layers: BoundedVec<LayerCommitment, T::MaxLayers>,
		uri: BoundedVec<u8, T::MaxUriLen>,
		modes: u8,
		price: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(!Models::<T>::contains_key(model), Error::<T>::ModelExists);
		ensure!(kernel_version == aos_kernel::KERNEL_VERSION, Error::<T>::UnsupportedKernelVersion);
		ensure!(modes != 0, Error::<T>::NoModeAllowed);
		ensure!(modes & !ALL_MODES == 0, Error::<T>::UnknownMode);
		Self::check_shape(inputs, &layers)?;
		let deposit = T::ModelDeposit::get();
		let free = T::Currency::reducible_balance(&who, Preservation::Preserve, Fortitude::Polite);
		ensure!(free >= deposit, Error::<T>::InsufficientFunds);
		T::Currency::hold(&HoldReason::ModelDeposit.into(), &who, deposit)?;
		let commitment = Self::commitment(kernel_version, inputs, &layers);
		Models::<T>::insert(
			model,
			ModelInfo {
				owner: who.clone(),
				kernel_version,
				inputs,
				layers,
				commitment,
				uri,
				modes,
				price,
				deposit,
				status: ModelStatus::Active,
				live_tasks: 0,
			},
		);
		Self::deposit_event(Event::ModelRegistered { model, owner: who, commitment });
		Ok(())
	}

	/// The layers chain from the input width, and every width is within the kernel's limits.
	fn check_shape(inputs: u32, layers: &[LayerCommitment]) -> DispatchResult {
		ensure!(!layers.is_empty(), Error::<T>::NoLayers);
		let mut width = inputs;
		for layer in layers {
			let sane = |w: u32| w > 0 && w <= aos_kernel::model::MAX_WIDTH;
			ensure!(sane(layer.inputs) && sane(layer.outputs), Error::<T>::WidthOutOfRange);
			ensure!(layer.inputs == width, Error::<T>::LayersDoNotChain);
			width = layer.outputs;
		}
		Ok(())
	}

	/// The model commitment (kernel spec §4).
	pub fn commitment(kernel_version: u16, inputs: u32, layers: &[LayerCommitment]) -> H256 {
		let shapes: Vec<(u32, u32, [u8; 32])> =
			layers.iter().map(|l| (l.inputs, l.outputs, l.root.0)).collect();
		H256(aos_kernel::commit::commitment_from_layers(kernel_version, inputs, &shapes))
	}

	pub(crate) fn do_deregister_model(who: T::AccountId, model: ModelId) -> DispatchResult {
		let info = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
		ensure!(info.owner == who, Error::<T>::NotModelOwner);
		ensure!(info.status == ModelStatus::Active, Error::<T>::ModelBanned);
		// Its tasks snapshot what they need, but the id could otherwise be registered again
		// under other terms while they run, confusing everyone reading them.
		ensure!(info.live_tasks == 0, Error::<T>::ModelInUse);
		T::Currency::release(
			&HoldReason::ModelDeposit.into(),
			&who,
			info.deposit,
			Precision::BestEffort,
		)?;
		Models::<T>::remove(model);
		T::ZkModels::model_removed(&model);
		Self::deposit_event(Event::ModelDeregistered { model });
		Ok(())
	}

	pub(crate) fn do_ban_model(model: ModelId) -> DispatchResult {
		Models::<T>::try_mutate(model, |entry| -> DispatchResult {
			let info = entry.as_mut().ok_or(Error::<T>::UnknownModel)?;
			ensure!(info.status == ModelStatus::Active, Error::<T>::ModelBanned);
			T::Currency::release(
				&HoldReason::ModelDeposit.into(),
				&info.owner,
				info.deposit,
				Precision::BestEffort,
			)?;
			info.deposit = Default::default();
			info.status = ModelStatus::Banned;
			Ok(())
		})?;
		T::ZkModels::model_removed(&model);
		Self::deposit_event(Event::ModelBanned { model });
		Ok(())
	}
}
