//! The pallet's stored and event types.

use crate::{BalanceOf, Config};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use scale_info::TypeInfo;
use sp_core::H256;

/// A registered verifying key.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct VkInfo<T: Config> {
	pub owner: T::AccountId,
	pub deposit: BalanceOf<T>,
	/// Its public instances.
	pub num_instances: u32,
	/// log2 of its circuit's rows.
	pub k: u8,
	/// Its size in bytes.
	pub len: u32,
	/// Models linked to it.
	pub links: u32,
	/// Tasks not ended that were submitted under it.
	pub tasks: u32,
	/// The verifier's steps for any proof of it (its dry run).
	pub steps: u32,
	/// The terms of its final MSM.
	pub msm_terms: u32,
}

/// The KZG G2 points of an SRS: [1]₂ and −[τ]₂, as a VKA carries them
/// ([`aos_zk::Vka::srs_g2`]).
pub type SrsG2 = [u8; 256];

/// Most SRSs trusted at once.
pub const MAX_ACCEPTED_SRS: u32 = 8;

/// A model's link to its verifying key.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct ModelVk {
	pub vk: H256,
	/// ezkl's fixed-point scale (log2) of the circuit's input instances.
	pub input_scale: u8,
}

/// Why a submitted proof was rejected.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub enum Rejection {
	/// The instances do not carry the task's input.
	InputMismatch,
	/// An output instance is not an i32 logit.
	OutputOutOfRange,
	/// The proof does not verify.
	Invalid,
}

impl From<aos_inference_primitives::zk::binding::BindingError> for Rejection {
	fn from(e: aos_inference_primitives::zk::binding::BindingError) -> Self {
		use aos_inference_primitives::zk::binding::BindingError;
		match e {
			BindingError::InputMismatch => Rejection::InputMismatch,
			BindingError::OutputOutOfRange => Rejection::OutputOutOfRange,
		}
	}
}
