//! # Checkpoints pallet
//!
//! The chain side of the bridge to Ethereum, where AOS is an EigenLayer AVS. Every checkpoint
//! period the runtime fixes a Merkle root over what the period settled, the operators sign it
//! with their bound Ethereum keys, and a relayer carries root and signatures to the AVS
//! contract, which checks them against the operator set it keeps. The encodings are
//! `aos-checkpoint-primitives`': ABI-encoded leaves, keccak trees of polkadot-sdk's
//! `binary-merkle-tree`, an EIP-191 signed digest.
//!
//! - **Leaves.** Settled task results and applied slashes ([`Pallet::record`], called by the
//!   runtime from pallet-inference's and pallet-operators' hooks) are hashed into the block's
//!   batch ([`Batch`]). At the end of the block the batch's root joins the period's list
//!   ([`Batches`]); a batch that fills within a block is sealed early. Every leaf is also an
//!   event ([`Event::LeafRecorded`]), and every sealed batch ([`Event::BatchSealed`]), which is
//!   all a prover needs to rebuild a leaf's path.
//! - **Closing.** When the period is over and no checkpoint is being signed,
//!   `on_initialize` closes one: its root is the tree over the period's batch roots, preceded
//!   by the root of the checkpoint before it if that one failed; its operator-set updates are
//!   the changes since the last final checkpoint of the operators' Ethereum addresses, weights
//!   (active stake in [`Config::WeightUnit`]s) and status ([`Dirty`], fed by pallet-operators
//!   through [`aos_operators_primitives::OnOperatorChange`]). A period with nothing to record
//!   and nothing to update makes no checkpoint.
//! - **Signing.** Anyone submits an operator's signature of the checkpoint's digest
//!   ([`Pallet::sign`], free when it counts); it counts if it recovers to a member of the
//!   operator set as the contract holds it ([`Members`]), once per member. When the weight
//!   signed reaches the quorum snapshotted at the close, the checkpoint is final and its
//!   updates are applied to [`Members`], as the contract will apply them. Short of quorum
//!   after the signing window it fails: the next checkpoint carries its root and updates.
//! - **Bootstrap.** The first checkpoint is final without signatures: it carries the first
//!   operator set, which the contract is deployed with.
//! - **Equivocation.** A signature by a member over any other digest for a checkpoint number
//!   the chain has closed could get a false checkpoint recorded on Ethereum: anyone reports
//!   it ([`Pallet::report_equivocation`]) and the signer is reported to pallet-operators for
//!   `CheckpointEquivocation`. Operators sign only checkpoints in finalized blocks, so a
//!   checkpoint of an abandoned fork is never theirs.
//!
//! Storage is bounded: a batch by [`Config::MaxBatchLeaves`], a period's batches by
//! [`Config::MaxBatches`] (the period and the signing window fit in it), a checkpoint's updates
//! by [`Config::MaxUpdates`] (further changes wait for the next), and checkpoints with their
//! signatures are pruned after `retention` more.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests and benchmark setups may).
#![cfg_attr(
	not(feature = "runtime-benchmarks"),
	deny(clippy::unwrap_used, clippy::indexing_slicing)
)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod migrations;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use aos_checkpoint_primitives::{CheckpointId, CheckpointMessage, EthAddress, Leaf, SetUpdate};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::{collections::BTreeMap, vec::Vec};
use aos_checkpoint_primitives::{merkle_root, recover_signer, updates_hash};
use aos_operators_primitives::{
	OffenceKind, OperatorStandings, SlashOperator, SlashPeriods, Standing,
};
use frame_support::{dispatch::PostDispatchInfo, pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::*;
use sp_core::H256;
use sp_runtime::{
	traits::{Saturating, UniqueSaturatedInto, Zero},
	Perbill,
};

pub(crate) const LOG_TARGET: &str = "runtime::checkpoints";

/// A checkpoint as stored.
pub type CheckpointOf<T> = Checkpoint<
	<T as frame_system::Config>::AccountId,
	BlockNumberFor<T>,
	<T as Config>::MaxUpdates,
>;
/// What a failed checkpoint hands on.
pub type CarriedOf<T> =
	Carried<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, <T as Config>::MaxUpdates>;
/// The pallet's parameters.
pub type ParamsOf<T> = Params<BlockNumberFor<T>>;
/// A checkpoint's updates with their accounts.
pub type ChangesOf<T> =
	BoundedVec<(<T as frame_system::Config>::AccountId, SetUpdate), <T as Config>::MaxUpdates>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The operators' balance type.
		type Balance: Parameter + Copy + MaxEncodedLen + UniqueSaturatedInto<u128>;

		/// Operators' Ethereum addresses, stakes and status (pallet-operators).
		type Operators: aos_operators_primitives::OperatorStandings<Self::AccountId, Self::Balance>;

		/// Where equivocating signers are reported (pallet-operators).
		type Slashing: SlashOperator<Self::AccountId>;

		/// The operators' slashing periods (pallet-operators): an equivocation is reported
		/// within [`Pallet::report_window`], which must end while the signer's stake, however
		/// it unbonds, is still there to slash.
		type SlashPeriods: Get<SlashPeriods<BlockNumberFor<Self>>>;

		/// Who changes the parameters.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The stake one unit of weight in the operator set stands for: an operator weighs its
		/// active stake divided by it. Coarse enough that rewards rarely change a weight (each
		/// change is an update to sign and relay), fine enough to tell stakes apart.
		#[pallet::constant]
		type WeightUnit: Get<u128>;

		/// The most leaves in one batch; a block with more seals its batch early.
		#[pallet::constant]
		type MaxBatchLeaves: Get<u32>;

		/// The most batches a checkpoint's root is over. The period and the signing window
		/// together may not exceed half of it (the rest is room for batches sealed early); if
		/// it fills anyway, the batches so far are folded into one.
		#[pallet::constant]
		type MaxBatches: Get<u32>;

		/// The most operator-set updates in one checkpoint.
		#[pallet::constant]
		type MaxUpdates: Get<u32>;

		/// The most members the operator set has (the contract's set alike): an operator
		/// beyond it joins when another leaves. Bounds the signatures of a checkpoint.
		#[pallet::constant]
		type MaxMembers: Get<u32>;

		/// Parameters when genesis sets none.
		type DefaultParams: Get<ParamsOf<Self>>;

		/// Weights of the pallet's calls and hooks.
		type WeightInfo: WeightInfo;

		/// Makes operators for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId>;
	}

	/// The parameters.
	#[pallet::storage]
	pub type Parameters<T: Config> = StorageValue<_, ParamsOf<T>, ValueQuery, T::DefaultParams>;

	/// This block's leaf hashes, in order.
	#[pallet::storage]
	pub type Batch<T: Config> = StorageValue<_, BoundedVec<H256, T::MaxBatchLeaves>, ValueQuery>;

	/// The roots of the open period's sealed batches, after the carried root of a failed
	/// checkpoint if any.
	#[pallet::storage]
	pub type Batches<T: Config> = StorageValue<_, BoundedVec<H256, T::MaxBatches>, ValueQuery>;

	/// The first block of the open period.
	#[pallet::storage]
	pub type PeriodStart<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// What the last failed checkpoint hands on to the next.
	#[pallet::storage]
	pub type Carry<T: Config> = StorageValue<_, CarriedOf<T>, OptionQuery>;

	/// Closed checkpoints, until pruned.
	#[pallet::storage]
	pub type Closed<T: Config> = StorageMap<_, Twox64Concat, CheckpointId, CheckpointOf<T>>;

	/// The number of the next checkpoint.
	#[pallet::storage]
	pub type NextId<T: Config> = StorageValue<_, CheckpointId, ValueQuery>;

	/// The last final checkpoint: the one the contract holds last, once relayed.
	#[pallet::storage]
	pub type LastFinal<T: Config> = StorageValue<_, CheckpointId, OptionQuery>;

	/// The checkpoint being signed.
	#[pallet::storage]
	pub type Signing<T: Config> = StorageValue<_, CheckpointId, OptionQuery>;

	/// The signatures a checkpoint counted, by signer.
	#[pallet::storage]
	pub type Signatures<T: Config> =
		StorageDoubleMap<_, Twox64Concat, CheckpointId, Blake2_128Concat, EthAddress, [u8; 65]>;

	/// The operator set as the last final checkpoint left it (the contract's): each member's
	/// account and weight.
	#[pallet::storage]
	pub type Members<T: Config> = StorageMap<_, Blake2_128Concat, EthAddress, (T::AccountId, u64)>;

	/// Each member account's address in [`Members`].
	#[pallet::storage]
	pub type MemberOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, EthAddress>;

	/// The number of [`Members`].
	#[pallet::storage]
	pub type MemberCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The sum of [`Members`]' weights.
	#[pallet::storage]
	pub type TotalWeight<T: Config> = StorageValue<_, u128, ValueQuery>;

	/// Operators whose address, weight or status may differ from [`Members`]: the next
	/// checkpoint's updates are drawn from them.
	#[pallet::storage]
	pub type Dirty<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// Equivocations reported, by checkpoint and signer: each is reported once.
	#[pallet::storage]
	pub type Reported<T: Config> =
		StorageDoubleMap<_, Twox64Concat, CheckpointId, Blake2_128Concat, EthAddress, ()>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters; [`Config::DefaultParams`] if none.
		pub params: Option<ParamsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// Against the slashing periods as genesis sets them: the runtime builds
			// pallet-operators' genesis first (it comes first in the runtime).
			let p = self.params.unwrap_or_else(T::DefaultParams::get);
			if let Err(e) = Pallet::<T>::check_params(&p) {
				panic!("checkpoint parameters: {e:?}");
			}
			if let Some(p) = self.params {
				Parameters::<T>::put(p);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A leaf joined the block's batch, at `index`.
		LeafRecorded { leaf: Leaf, index: u32 },
		/// A batch of `leaves` leaves was sealed with `root`, as subtree `position` of the open
		/// period.
		BatchSealed { root: H256, leaves: u32, position: u32 },
		/// The open period's batches were folded into one subtree (its batch list was full).
		BatchesFolded { root: H256, batches: u32 },
		/// Checkpoint `id` closed, its root over `batches` subtrees; operators sign `digest`
		/// until `until`.
		CheckpointClosed {
			id: CheckpointId,
			root: H256,
			digest: H256,
			updates: u32,
			batches: u32,
			until: BlockNumberFor<T>,
		},
		/// An operator's signature of checkpoint `id` counted.
		CheckpointSigned { id: CheckpointId, signer: EthAddress, signed: u128, threshold: u128 },
		/// Checkpoint `id` is final: quorum signed it (or it is the bootstrap checkpoint).
		CheckpointFinal { id: CheckpointId, root: H256, digest: H256 },
		/// Checkpoint `id` fell short of quorum; the next carries its contents.
		CheckpointFailed { id: CheckpointId, signed: u128, threshold: u128 },
		/// An operator signed a false checkpoint and was reported.
		EquivocationReported { id: CheckpointId, signer: EthAddress, operator: T::AccountId },
		/// Checkpoint `id` and its signatures were pruned.
		CheckpointPruned { id: CheckpointId },
		/// The parameters changed.
		ParametersChanged { params: ParamsOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No such checkpoint (never closed, or pruned).
		UnknownCheckpoint,
		/// The checkpoint failed: it takes no signatures.
		NotSigning,
		/// The signature does not recover to an address.
		BadSignature,
		/// The signer is not in the operator set.
		NotMember,
		/// The signer's signature of this checkpoint counted already.
		AlreadySigned,
		/// The message is for another chain.
		WrongChain,
		/// The message is the checkpoint's own: signing it is no offence.
		NotEquivocation,
		/// This signer's equivocation over this checkpoint was reported already.
		AlreadyReported,
		/// The checkpoint closed longer ago than equivocations are reported
		/// ([`Pallet::report_window`]): the signer's stake may be gone.
		ReportTooLate,
		/// Parameters with a zero or too long period or signing window.
		ParamPeriod,
		/// A quorum of half the weight or less.
		ParamQuorum,
		/// No checkpoint retained.
		ParamRetention,
		/// A report window ([`Params::report_window`]) that outlasts the operators' unbonding
		/// period less their slash deferral: an equivocating signer could unbond before its
		/// slash.
		ParamReportOutlivesUnbonding,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let mut weight = T::WeightInfo::on_initialize_base();
			let params = Parameters::<T>::get();
			if let Some(id) = Signing::<T>::get() {
				weight.saturating_accrue(T::WeightInfo::fail());
				Self::expire(id, now);
			}
			if Signing::<T>::get().is_none()
				&& now >= PeriodStart::<T>::get().saturating_add(params.period)
			{
				weight.saturating_accrue(T::WeightInfo::close(
					T::MaxBatches::get(),
					T::MaxUpdates::get() / 2,
				));
				weight.saturating_accrue(T::WeightInfo::prune(T::MaxMembers::get()));
				Self::close(now, &params);
			}
			// Sealing the block's batch: its leaves paid for their hashing when recorded.
			weight.saturating_add(T::WeightInfo::seal(0))
		}

		fn on_finalize(_: BlockNumberFor<T>) {
			Self::seal();
		}

		fn integrity_test() {
			assert!(T::MaxBatches::get() >= 4, "MaxBatches too small");
			assert!(T::MaxBatchLeaves::get() >= 1, "MaxBatchLeaves too small");
			assert!(T::WeightUnit::get() > 0, "WeightUnit must be positive");
			if let Err(e) = T::DefaultParams::get().validate(Self::max_span()) {
				panic!("DefaultParams: {e:?}");
			}
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Submits an operator's EIP-191 signature (`r ‖ s ‖ v`) of checkpoint `id`'s digest,
		/// while it is signed or final (not failed). Anyone may submit it; it is free when it
		/// counts. The signature that brings the signed weight to the quorum makes the
		/// checkpoint final.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::sign().saturating_add(T::WeightInfo::finalize(T::MaxUpdates::get())))]
		pub fn sign(
			origin: OriginFor<T>,
			id: CheckpointId,
			signature: [u8; 65],
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let mut cp = Closed::<T>::get(id).ok_or(Error::<T>::UnknownCheckpoint)?;
			// A final checkpoint still takes its members' signatures: operators who sign in the
			// same block as the quorum are not refused, and the record is the stronger.
			ensure!(!matches!(cp.status, Status::Failed { .. }), Error::<T>::NotSigning);
			let signer = recover_signer(&cp.message.signing_hash(), &signature)
				.ok_or(Error::<T>::BadSignature)?;
			let (_, weight) = Members::<T>::get(signer).ok_or(Error::<T>::NotMember)?;
			ensure!(!Signatures::<T>::contains_key(id, signer), Error::<T>::AlreadySigned);
			Signatures::<T>::insert(id, signer, signature);
			cp.signed = cp.signed.saturating_add(weight.into());
			Self::deposit_event(Event::CheckpointSigned {
				id,
				signer,
				signed: cp.signed,
				threshold: cp.threshold,
			});
			let mut actual = T::WeightInfo::sign();
			if cp.signed >= cp.threshold && matches!(cp.status, Status::Signing { .. }) {
				actual.saturating_accrue(T::WeightInfo::finalize(cp.changes.len() as u32));
				let now = frame_system::Pallet::<T>::block_number();
				Self::finalize(id, cp, now);
				Signing::<T>::kill();
			} else {
				Closed::<T>::insert(id, cp);
			}
			Ok(PostDispatchInfo { actual_weight: Some(actual), pays_fee: Pays::No })
		}

		/// Reports a member's signature over `message`, a digest other than the chain's for
		/// checkpoint `message.id`: the signer is reported for `CheckpointEquivocation`. Free
		/// when the report holds.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::report_equivocation())]
		pub fn report_equivocation(
			origin: OriginFor<T>,
			message: CheckpointMessage,
			signature: [u8; 65],
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			ensure!(message.chain == Self::chain(), Error::<T>::WrongChain);
			let cp = Closed::<T>::get(message.id).ok_or(Error::<T>::UnknownCheckpoint)?;
			ensure!(cp.message != message, Error::<T>::NotEquivocation);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				now <= cp.closed_at.saturating_add(Self::report_window()),
				Error::<T>::ReportTooLate
			);
			let signer = recover_signer(&message.signing_hash(), &signature)
				.ok_or(Error::<T>::BadSignature)?;
			let (operator, _) = Members::<T>::get(signer).ok_or(Error::<T>::NotMember)?;
			ensure!(!Reported::<T>::contains_key(message.id, signer), Error::<T>::AlreadyReported);
			Reported::<T>::insert(message.id, signer, ());
			if let Err(e) = T::Slashing::report_offence(
				&operator,
				OffenceKind::CheckpointEquivocation,
				Some(message.id),
			) {
				log::warn!(target: LOG_TARGET, "equivocation of {operator:?} not slashable: {e:?}");
			}
			Self::deposit_event(Event::EquivocationReported { id: message.id, signer, operator });
			Ok(Pays::No.into())
		}

		/// Sets the parameters (governance). A checkpoint being signed keeps the quorum and
		/// window it closed with.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_parameters())]
		pub fn set_parameters(origin: OriginFor<T>, params: ParamsOf<T>) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::check_params(&params)?;
			Parameters::<T>::put(params);
			Self::deposit_event(Event::ParametersChanged { params });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The longest the period and the signing window may be together: half of
	/// [`Config::MaxBatches`], a batch a block, the rest for batches sealed early.
	pub fn max_span() -> BlockNumberFor<T> {
		(T::MaxBatches::get() / 2).into()
	}

	/// How long after a checkpoint closed a signature over a false one is reported: as long
	/// as `retention` checkpoints take at the least, a period and a signing window each
	/// (pallet-operators keeps stake bonded longer than that).
	pub fn report_window() -> BlockNumberFor<T> {
		Parameters::<T>::get().report_window()
	}

	/// Checks parameters on their own and against the operators' slashing periods.
	pub fn check_params(p: &ParamsOf<T>) -> Result<(), Error<T>> {
		p.validate(Self::max_span()).map_err(|e| match e {
			ParamsError::Period => Error::<T>::ParamPeriod,
			ParamsError::Quorum => Error::<T>::ParamQuorum,
			ParamsError::Retention => Error::<T>::ParamRetention,
		})?;
		ensure!(
			T::SlashPeriods::get().admit_report_delay(p.report_window()),
			Error::<T>::ParamReportOutlivesUnbonding
		);
		Ok(())
	}

	/// The chain's genesis hash, which every digest binds.
	pub fn chain() -> H256 {
		let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		H256::decode(&mut hash.encode().as_slice()).unwrap_or_default()
	}

	/// Adds `leaf` to the block's batch, sealing the batch first if it is full. Charged to
	/// the caller: [`Self::record_weight`].
	pub fn record(leaf: Leaf) {
		let hash = leaf.hash();
		if Batch::<T>::try_append(hash).is_err() {
			Self::seal();
			if Batch::<T>::try_append(hash).is_err() {
				log::error!(target: LOG_TARGET, "a leaf did not fit an empty batch: {leaf:?}");
				return;
			}
		}
		let index = (Batch::<T>::decode_len().unwrap_or(1) as u32).saturating_sub(1);
		Self::deposit_event(Event::LeafRecorded { leaf, index });
	}

	/// What [`Self::record`] costs, its share of sealing the batch included.
	pub fn record_weight() -> Weight {
		T::WeightInfo::record()
			.saturating_add(T::WeightInfo::seal(1).saturating_sub(T::WeightInfo::seal(0)))
	}

	/// Seals the block's batch into the open period's list (folding the list into one subtree
	/// first if it is full).
	fn seal() {
		let batch = Batch::<T>::take();
		if batch.is_empty() {
			return;
		}
		let root = merkle_root(batch.iter().copied());
		let mut batches = Batches::<T>::get();
		if batches.is_full() {
			let folded = merkle_root(batches.iter().copied());
			Self::deposit_event(Event::BatchesFolded {
				root: folded,
				batches: batches.len() as u32,
			});
			batches = BoundedVec::truncate_from(alloc::vec![folded]);
		}
		let position = batches.len() as u32;
		if batches.try_push(root).is_err() {
			log::error!(target: LOG_TARGET, "a batch root did not fit a folded list");
		}
		Batches::<T>::put(batches);
		Self::deposit_event(Event::BatchSealed { root, leaves: batch.len() as u32, position });
	}

	/// Fails checkpoint `id` if its signing window is over.
	fn expire(id: CheckpointId, now: BlockNumberFor<T>) {
		let Some(mut cp) = Closed::<T>::get(id) else {
			Signing::<T>::kill();
			return;
		};
		let Status::Signing { until } = cp.status else {
			Signing::<T>::kill();
			return;
		};
		if now <= until {
			return;
		}
		cp.status = Status::Failed { at: now };
		// Its root leads the next checkpoint's subtrees; its updates lead the next's updates.
		let mut batches = Batches::<T>::get();
		let mut carried = alloc::vec![cp.message.root];
		carried.extend(batches.iter().copied());
		if carried.len() > T::MaxBatches::get() as usize {
			let rest = merkle_root(batches.iter().copied());
			Self::deposit_event(Event::BatchesFolded { root: rest, batches: batches.len() as u32 });
			carried = alloc::vec![cp.message.root, rest];
		}
		batches = BoundedVec::truncate_from(carried);
		Batches::<T>::put(batches);
		Carry::<T>::put(Carried { changes: cp.changes.clone(), from: cp.from });
		Signing::<T>::kill();
		Self::deposit_event(Event::CheckpointFailed {
			id,
			signed: cp.signed,
			threshold: cp.threshold,
		});
		Closed::<T>::insert(id, cp);
	}

	/// Closes the open period into a checkpoint, if it has anything to record or update.
	fn close(now: BlockNumberFor<T>, params: &ParamsOf<T>) {
		let carry = Carry::<T>::get();
		let mut changes: Vec<(T::AccountId, SetUpdate)> =
			carry.as_ref().map(|c| c.changes.to_vec()).unwrap_or_default();
		Self::draw_updates(&mut changes);
		let batches = Batches::<T>::get();
		if batches.is_empty() && changes.is_empty() {
			PeriodStart::<T>::put(now);
			return;
		}
		let total = TotalWeight::<T>::get();
		let bootstrap = LastFinal::<T>::get().is_none();
		if bootstrap && changes.is_empty() {
			// No operator set to sign yet: the leaves wait for the first one.
			PeriodStart::<T>::put(now);
			return;
		}
		let id = NextId::<T>::get();
		let updates: Vec<SetUpdate> = changes.iter().map(|(_, u)| *u).collect();
		let message = CheckpointMessage {
			chain: Self::chain(),
			id,
			previous: LastFinal::<T>::get().unwrap_or_default(),
			root: merkle_root(batches.iter().copied()),
			updates: updates_hash(&updates),
		};
		let until = now.saturating_add(params.signing_window);
		let cp = CheckpointOf::<T> {
			message,
			changes: BoundedVec::truncate_from(changes),
			from: carry.map(|c| c.from).unwrap_or_else(PeriodStart::<T>::get),
			closed_at: now,
			batches: batches.len() as u32,
			total_weight: total,
			threshold: threshold(params.quorum, total),
			signed: 0,
			status: Status::Signing { until },
		};
		Batches::<T>::kill();
		Carry::<T>::kill();
		NextId::<T>::put(id.saturating_add(1));
		PeriodStart::<T>::put(now);
		Self::deposit_event(Event::CheckpointClosed {
			id,
			root: message.root,
			digest: message.digest(),
			updates: updates.len() as u32,
			batches: batches.len() as u32,
			until,
		});
		if bootstrap {
			Self::finalize(id, cp, now);
		} else {
			Closed::<T>::insert(id, cp);
			Signing::<T>::put(id);
		}
		if let Some(old) = id.checked_sub(params.retention.into()) {
			Self::prune(old);
		}
	}

	/// Appends to `changes` the updates of operators marked [`Dirty`], as many as fit. The set
	/// they describe stays consistent: an address is held by one account at a time, so an
	/// operator taking an address another still holds waits (stays dirty) until it is free.
	fn draw_updates(changes: &mut Vec<(T::AccountId, SetUpdate)>) {
		let max = T::MaxUpdates::get() as usize;
		// The set as the members and the changes so far leave it.
		let mut holders: BTreeMap<EthAddress, Option<(T::AccountId, u64)>> = BTreeMap::new();
		let mut addresses: BTreeMap<T::AccountId, Option<EthAddress>> = BTreeMap::new();
		let mut count = MemberCount::<T>::get();
		fn apply<T: Config>(
			who: &T::AccountId,
			u: &SetUpdate,
			holders: &mut BTreeMap<EthAddress, Option<(T::AccountId, u64)>>,
			addresses: &mut BTreeMap<T::AccountId, Option<EthAddress>>,
			count: &mut u32,
		) {
			let held = holders
				.get(&u.operator)
				.cloned()
				.unwrap_or_else(|| Members::<T>::get(u.operator))
				.is_some();
			match (held, u.weight > 0) {
				(false, true) => *count = count.saturating_add(1),
				(true, false) => *count = count.saturating_sub(1),
				_ => {},
			}
			if u.weight == 0 {
				holders.insert(u.operator, None);
				addresses.insert(who.clone(), None);
			} else {
				holders.insert(u.operator, Some((who.clone(), u.weight)));
				addresses.insert(who.clone(), Some(u.operator));
			}
		}
		for (who, u) in changes.iter() {
			apply::<T>(who, u, &mut holders, &mut addresses, &mut count);
		}
		// Each operator takes at most two updates: leaving one address, taking another.
		let room = max.saturating_sub(changes.len()) / 2;
		let dirty: Vec<T::AccountId> = Dirty::<T>::iter_keys().take(room).collect();
		for who in dirty {
			Dirty::<T>::remove(&who);
			let holder =
				|a: &EthAddress, holders: &BTreeMap<EthAddress, Option<(T::AccountId, u64)>>| {
					holders.get(a).cloned().unwrap_or_else(|| Members::<T>::get(a))
				};
			let current = addresses.get(&who).cloned().unwrap_or_else(|| MemberOf::<T>::get(&who));
			let current_weight =
				current.and_then(|a| holder(&a, &holders)).map(|(_, w)| w).unwrap_or_default();
			let (want, weight) = Self::wanted(T::Operators::standing(&who).as_ref());
			let mut updates = Vec::new();
			match (current, want.filter(|_| weight > 0)) {
				(None, None) => {},
				(Some(old), None) => updates.push(SetUpdate { operator: old, weight: 0 }),
				(Some(old), Some(new)) if old == new => {
					if current_weight != weight {
						updates.push(SetUpdate { operator: new, weight });
					}
				},
				(old, Some(new)) => {
					let joins = old.is_none() && holder(&new, &holders).is_none();
					if holder(&new, &holders).is_some_and(|(h, _)| h != who)
						|| (joins && count >= T::MaxMembers::get())
					{
						Dirty::<T>::insert(&who, ());
						continue;
					}
					if let Some(old) = old {
						updates.push(SetUpdate { operator: old, weight: 0 });
					}
					updates.push(SetUpdate { operator: new, weight });
				},
			}
			for u in updates {
				apply::<T>(&who, &u, &mut holders, &mut addresses, &mut count);
				changes.push((who.clone(), u));
			}
		}
	}

	/// The address and weight `standing` earns in the set: none unless active with an address.
	pub fn wanted(standing: Option<&Standing<T::Balance>>) -> (Option<EthAddress>, u64) {
		match standing {
			Some(Standing { eth: Some(eth), stake, active: true }) => {
				let stake: u128 = (*stake).unique_saturated_into();
				let weight = stake / T::WeightUnit::get().max(1);
				(Some(*eth), weight.min(u64::MAX.into()) as u64)
			},
			_ => (None, 0),
		}
	}

	/// Makes checkpoint `id` final and applies its updates to [`Members`].
	fn finalize(id: CheckpointId, mut cp: CheckpointOf<T>, now: BlockNumberFor<T>) {
		for (who, u) in cp.changes.iter() {
			let previous = Members::<T>::get(u.operator);
			let old_weight = previous.as_ref().map(|(_, w)| *w).unwrap_or_default();
			let was_member = previous.is_some();
			TotalWeight::<T>::mutate(|t| {
				*t = t.saturating_sub(old_weight.into()).saturating_add(u.weight.into())
			});
			if let Some((holder, _)) = previous {
				if MemberOf::<T>::get(&holder) == Some(u.operator) {
					MemberOf::<T>::remove(&holder);
				}
			}
			match (was_member, u.weight > 0) {
				(false, true) => MemberCount::<T>::mutate(|c| *c = c.saturating_add(1)),
				(true, false) => MemberCount::<T>::mutate(|c| *c = c.saturating_sub(1)),
				_ => {},
			}
			if u.weight == 0 {
				Members::<T>::remove(u.operator);
			} else {
				Members::<T>::insert(u.operator, (who.clone(), u.weight));
				MemberOf::<T>::insert(who, u.operator);
			}
		}
		cp.status = Status::Final { at: now };
		LastFinal::<T>::put(id);
		Self::deposit_event(Event::CheckpointFinal {
			id,
			root: cp.message.root,
			digest: cp.message.digest(),
		});
		Closed::<T>::insert(id, cp);
	}

	/// Removes checkpoint `id` with its signatures and reports.
	fn prune(id: CheckpointId) {
		if Closed::<T>::take(id).is_none() {
			return;
		}
		// At most one of each per member.
		let _ = Signatures::<T>::clear_prefix(id, T::MaxMembers::get(), None);
		let _ = Reported::<T>::clear_prefix(id, T::MaxMembers::get(), None);
		Self::deposit_event(Event::CheckpointPruned { id });
	}

	/// Checks the pallet's invariants.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		Self::check_params(&Parameters::<T>::get())
			.map_err(|_| "stored parameters are invalid or outlast the operators' unbonding")?;
		let mut total: u128 = 0;
		for (address, (who, weight)) in Members::<T>::iter() {
			ensure!(weight > 0, "a member with no weight");
			ensure!(MemberOf::<T>::get(&who) == Some(address), "MemberOf out of step with Members");
			total = total.saturating_add(weight.into());
		}
		ensure!(total == TotalWeight::<T>::get(), "TotalWeight is not the members' sum");
		ensure!(
			Members::<T>::iter_keys().count() as u32 == MemberCount::<T>::get(),
			"MemberCount is not the members' number"
		);
		for (who, address) in MemberOf::<T>::iter() {
			ensure!(
				Members::<T>::get(address).is_some_and(|(h, _)| h == who),
				"MemberOf points at an address its account does not hold"
			);
		}
		if let Some(id) = Signing::<T>::get() {
			ensure!(
				Closed::<T>::get(id).is_some_and(|c| matches!(c.status, Status::Signing { .. })),
				"the checkpoint being signed is not signing"
			);
		}
		let signing = Closed::<T>::iter_values()
			.filter(|c| matches!(c.status, Status::Signing { .. }))
			.count();
		ensure!(signing <= 1, "more than one checkpoint signing");
		ensure!(
			Closed::<T>::iter_keys().all(|id| id < NextId::<T>::get()),
			"a checkpoint beyond NextId"
		);
		Ok(())
	}
}

impl<T: Config> aos_operators_primitives::OnOperatorChange<T::AccountId, T::Balance> for Pallet<T> {
	fn on_operator_change(
		who: &T::AccountId,
		before: Option<&Standing<T::Balance>>,
		after: Option<&Standing<T::Balance>>,
	) {
		if Self::wanted(before) != Self::wanted(after) {
			Dirty::<T>::insert(who, ());
		}
	}

	fn on_operator_change_weight() -> Weight {
		T::DbWeight::get().writes(1)
	}
}

impl<T: Config> aos_operators_primitives::OffenceReporting<BlockNumberFor<T>> for Pallet<T> {
	fn max_report_delay() -> BlockNumberFor<T> {
		Self::report_window()
	}
	fn min_routing_window() -> BlockNumberFor<T> {
		// Slashed funds are not routed anywhere by this pallet.
		sp_runtime::traits::Bounded::max_value()
	}
}

impl<T: Config> Pallet<T> {
	/// Checkpoint `id` for readers (the runtime API).
	pub fn view(
		id: CheckpointId,
	) -> Option<aos_checkpoint_primitives::CheckpointView<BlockNumberFor<T>>> {
		let cp = Closed::<T>::get(id)?;
		Some(aos_checkpoint_primitives::CheckpointView {
			message: cp.message,
			digest: cp.message.digest(),
			updates: cp.changes.iter().map(|(_, u)| *u).collect(),
			closed_at: cp.closed_at,
			batches: cp.batches,
			threshold: cp.threshold,
			signed: cp.signed,
			status: cp.status,
		})
	}

	/// The signatures checkpoint `id` counted.
	pub fn signatures_of(id: CheckpointId) -> Vec<(EthAddress, [u8; 65])> {
		Signatures::<T>::iter_prefix(id).collect()
	}

	/// The last checkpoint closed and the last final one.
	pub fn latest() -> (Option<CheckpointId>, Option<CheckpointId>) {
		(NextId::<T>::get().checked_sub(1), LastFinal::<T>::get())
	}

	/// The operator set: address and weight.
	pub fn members() -> Vec<(EthAddress, u64)> {
		Members::<T>::iter().map(|(a, (_, w))| (a, w)).collect()
	}
}

/// The quorum a weight needs, as the contract computes it: `ceil(quorum · total)`.
pub fn threshold(quorum: Perbill, total: u128) -> u128 {
	quorum.mul_ceil(total).max(1)
}
