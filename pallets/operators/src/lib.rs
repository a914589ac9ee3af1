//! # Operators pallet
//!
//! The operators of AOS run AI inference for the chain; their honesty is enforced by stake
//! they can lose. This pallet keeps that stake and decides when it is lost:
//!
//! - **Registration.** An account registers as an operator with a name, an endpoint, an
//!   sr25519 VRF public key (with a proof that it owns it; task sampling uses it), an optional
//!   Ethereum address (for the EigenLayer bridge), a commission and at least
//!   [`Params::min_collateral`] of its own funds. The collateral is *held* on the operator's own
//!   account with [`HoldReason::Collateral`]: it never moves until slashed or withdrawn. Keys
//!   can be rotated; a VRF key records the block it was registered at, so that task sampling
//!   can refuse keys chosen after the randomness they are evaluated on was known.
//! - **Bonding.** Operators add collateral ([`Pallet::bond_extra`]); anyone delegates
//!   ([`Pallet::delegate`]). Delegated funds move to the operator's keyless *delegation pool
//!   account* and are held there with [`HoldReason::Delegation`]. [`Pallet::unbond`] starts the
//!   [`Params::unbonding_period`]; unbonding funds stay slashable until
//!   [`Pallet::withdraw_unbonded`] releases them.
//! - **Shares.** Own collateral and delegations are each a [`StakePool`] of two share
//!   [`Bucket`]s (active and unbonding). A staker's [`Ledger`] holds shares, so slashing or
//!   rewarding an operator changes a bucket's balance in one write, whatever the number of
//!   delegators.
//! - **Rewards** ([`RewardOperator`], used by the task pallets): the operator's commission
//!   first, the rest pro rata between its own active stake (paid to its free balance) and the
//!   delegators' active stake (added to the delegation pool, where it compounds).
//! - **Slashes** ([`SlashOperator`], used by the task pallets, and for being offline): the
//!   amount is the offence kind's [`SlashRule`], capped at its fraction of the operator's
//!   slashable stake. The operator's own collateral (active and unbonding, pro rata) absorbs a
//!   slash first; only what exceeds it falls on the delegators, pro rata. A slash is *deferred*
//!   for [`Params::slash_defer_period`], during which [`Config::GovernanceOrigin`] can cancel
//!   it ([`Pallet::cancel_slash`]); then it is applied and the funds go to
//!   [`Config::OnSlash`]. Each kind's rule says from which block it applies
//!   ([`SlashRule::enabled_from`]): proven misbehaviour from genesis, being offline after the
//!   AOS spec's first year.
//! - **Heartbeats.** Active operators send [`Pallet::heartbeat`] once per
//!   [`Params::heartbeat_period`] (free of fees the first time in a period). Without one for
//!   more than [`Params::offline_grace`] an operator is offline: it is slashed
//!   [`OffenceKind::Offline`] then and once for every further grace period it stays offline,
//!   unless a *mass outage* covers its silence: a heartbeat period in which more than
//!   [`Params::mass_outage_threshold`] of the stake that was live in the previous period
//!   missed its heartbeat is a network fault, not a lazy node, and nobody is slashed for it.
//!   Operators that never heartbeat weigh nothing in that verdict. Planned maintenance is
//!   [`Pallet::chill`]: a chilled operator takes no tasks, is not checked and pays nothing;
//!   [`Pallet::resume`] brings it back.
//! - **Sampling.** Task pallets weigh an operator by the stake that counted when a task's
//!   randomness was fixed: stake bonded later, or a VRF key registered later, waits
//!   [`Config::SelectionDelay`]. The total they divide by leaves out operators found offline
//!   and those below the minimum collateral.
//! - **Leaving.** [`Pallet::leave`] unbonds the operator's own collateral and, one unbonding
//!   period later, lets anyone withdraw its delegators' stake on their behalf
//!   ([`Pallet::withdraw_for`]): no delegator can keep a departed operator registered.
//!   Commission increases take effect one unbonding period after they are set.
//! - **Governance.** Every amount, period and threshold is in storage ([`Parameters`]) and
//!   only [`Config::GovernanceOrigin`] changes them ([`Pallet::set_parameters`]), within
//!   sane bounds ([`Params::validate`]); each change is an event.
//!
//! Liveness checks and deferred slashes are kept in per-block agendas that the pallet's
//! `on_initialize` drains, at most [`Config::MaxLivenessChecksPerBlock`] and
//! [`Config::MaxSlashesPerBlock`] entries per block: no hook iterates over all operators.
//!
//! The operator lifecycle and the slashing rules, as an operator sees them, are in
//! `docs/OPERATORS.md`.

#![cfg_attr(not(feature = "std"), no_std)]
// Runtime code never panics: no `unwrap`, no indexing that can go out of bounds (CI's clippy
// denies both; tests and benchmark setups may).
#![cfg_attr(
	not(feature = "runtime-benchmarks"),
	deny(clippy::unwrap_used, clippy::indexing_slicing)
)]

extern crate alloc;

mod agenda;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod hooked_weights;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
mod liveness;
pub mod migrations;
#[cfg(test)]
mod mock;
mod slashing;
mod stake;
#[cfg(test)]
mod tests;
pub mod types;
mod view;
pub mod weights;

pub use aos_operators_primitives::{
	eip191_hash, eth_address_message, eth_address_of, normalized_recovery_id, EligibleOperator,
	EthAddress, EthBinding, OffenceKind, OffenceReference, OffenceReporting, OnOperatorChange,
	OnSlashApplied, OperatorRegistry, OperatorStandings, RewardOperator, SlashId, SlashOperator,
	SlashOutcome, SlashPeriods, Standing, VrfPublic,
};
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use frame_support::traits::fungible;
use frame_system::pallet_prelude::BlockNumberFor;

type AccountIdOf<T> = <T as frame_system::Config>::AccountId;
/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as fungible::Inspect<AccountIdOf<T>>>::Balance;
/// Slashed funds, on their way to [`Config::OnSlash`].
pub type CreditOf<T> = fungible::Credit<AccountIdOf<T>, <T as Config>::Currency>;
/// The pallet's parameters.
pub type ParamsOf<T> = Params<BalanceOf<T>, BlockNumberFor<T>>;
/// One change of the pallet's parameters.
pub type ParameterOf<T> = Parameter<BalanceOf<T>, BlockNumberFor<T>>;
/// An operator's record.
pub type OperatorOf<T> = Operator<
	BalanceOf<T>,
	BlockNumberFor<T>,
	<T as Config>::MaxNameLen,
	<T as Config>::MaxEndpointLen,
>;
/// A staker's position with an operator.
pub type LedgerOf<T> = Ledger<BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxUnlockingChunks>;
/// A deferred slash.
pub type PendingSlashOf<T> = PendingSlash<AccountIdOf<T>, BalanceOf<T>, BlockNumberFor<T>>;

/// Most parameter changes in one [`Pallet::set_parameters`] call.
pub const MAX_PARAMETER_CHANGES: u32 = 16;

/// What an operator's VRF key signs to prove that the operator owns it (shared with the
/// operator service, which signs it).
pub use aos_operators_primitives::{vrf_key_message, VRF_KEY_PROOF_PREFIX};

const LOG_TARGET: &str = "runtime::operators";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{BalancedHold, Mutate, MutateHold},
			EnsureOrigin,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_core::sr25519;
	use sp_runtime::Perbill;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The currency collateral and delegations are held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>;

		/// The runtime's hold reasons, of which [`HoldReason`] is part.
		type RuntimeHoldReason: From<HoldReason>;

		/// Who changes the parameters and cancels deferred slashes.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Where slashed funds go (the task pallets' verification reward pools, a treasury, or
		/// `()` to burn them).
		type OnSlash: OnSlashApplied<Self::AccountId, CreditOf<Self>>;

		/// Told when an operator's Ethereum address, stake or status changes (the bridge's
		/// operator set, `pallet-checkpoints`), or `()`.
		type OnChange: OnOperatorChange<Self::AccountId, BalanceOf<Self>>;

		/// The pallets that report offences: how late they report, and how long they route
		/// slashed funds. The slashing periods governance sets must fit them.
		type Reporters: OffenceReporting<BlockNumberFor<Self>>;

		/// How long a new VRF key, or newly bonded stake, waits before it counts for task
		/// sampling (one BABE epoch in the runtime).
		#[pallet::constant]
		type SelectionDelay: Get<BlockNumberFor<Self>>;

		/// Derives the operators' delegation pool accounts.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Longest operator name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// Longest operator endpoint, in bytes.
		#[pallet::constant]
		type MaxEndpointLen: Get<u32>;

		/// Most unbonding chunks a staker has with one operator; chunks unbonded in the same
		/// block merge.
		#[pallet::constant]
		type MaxUnlockingChunks: Get<u32>;

		/// Longest period governance may set (unbonding, heartbeat, grace, deferral).
		#[pallet::constant]
		type MaxPeriod: Get<BlockNumberFor<Self>>;

		/// Most liveness checks `on_initialize` makes in one block; more wait for the next.
		#[pallet::constant]
		type MaxLivenessChecksPerBlock: Get<u32>;

		/// Most deferred slashes `on_initialize` applies in one block; more wait for the next.
		#[pallet::constant]
		type MaxSlashesPerBlock: Get<u32>;

		/// The parameters until governance or genesis sets others.
		type DefaultParams: Get<ParamsOf<Self>>;

		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Why the pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An operator's own collateral, on its own account.
		#[codec(index = 0)]
		Collateral,
		/// Stake delegated to an operator, on the operator's delegation pool account.
		#[codec(index = 1)]
		Delegation,
	}

	/// The parameters governance tunes.
	#[pallet::storage]
	pub type Parameters<T: Config> = StorageValue<_, ParamsOf<T>, ValueQuery, T::DefaultParams>;

	/// Registered operators.
	#[pallet::storage]
	pub type Operators<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, OperatorOf<T>>;

	/// Which operator each VRF key belongs to: no two operators share one.
	#[pallet::storage]
	pub type VrfKeyOwners<T: Config> = StorageMap<_, Blake2_128Concat, VrfPublic, T::AccountId>;

	/// Stakers' positions: (operator, staker) → ledger. The operator's own position is
	/// (operator, operator).
	#[pallet::storage]
	pub type Ledgers<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		LedgerOf<T>,
	>;

	/// Liveness checks to make: (block, operator). Each active operator has exactly one.
	#[pallet::storage]
	pub type LivenessChecks<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Blake2_128Concat, T::AccountId, ()>;

	/// The first block whose liveness checks are not all made yet.
	#[pallet::storage]
	pub type LivenessCursor<T: Config> = StorageValue<_, BlockNumberFor<T>>;

	/// Heartbeats in the current heartbeat period, and recent mass outages.
	#[pallet::storage]
	pub type Liveness<T: Config> =
		StorageValue<_, LivenessState<BalanceOf<T>, BlockNumberFor<T>>, ValueQuery>;

	/// Active operators: their number and active stake.
	#[pallet::storage]
	pub type Active<T: Config> = StorageValue<_, ActiveSet<BalanceOf<T>>, ValueQuery>;

	/// Slashes reported and not yet applied or cancelled.
	#[pallet::storage]
	pub type PendingSlashes<T: Config> = StorageMap<_, Twox64Concat, SlashId, PendingSlashOf<T>>;

	/// Pending slashes by operator: (operator, slash id).
	#[pallet::storage]
	pub type SlashesOf<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, SlashId, ()>;

	/// Pending slashes by the block they are applied at: (block, slash id).
	#[pallet::storage]
	pub type SlashQueue<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, SlashId, ()>;

	/// The first block whose deferred slashes are not all applied yet.
	#[pallet::storage]
	pub type SlashCursor<T: Config> = StorageValue<_, BlockNumberFor<T>>;

	/// The id of the next slash.
	#[pallet::storage]
	pub type NextSlashId<T: Config> = StorageValue<_, SlashId, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters at genesis; [`Config::DefaultParams`] when `None`.
		pub params: Option<ParamsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let params = self.params.unwrap_or_else(T::DefaultParams::get);
			// The reporters' timing is checked against these by the reporters' own genesis,
			// which runs after this one.
			if let Err(e) = Pallet::<T>::check_own_params(&params) {
				panic!("pallet-operators: genesis parameters are invalid: {e:?}");
			}
			Parameters::<T>::put(params);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `operator` registered with `collateral` of its own.
		Registered { operator: T::AccountId, vrf_key: VrfPublic, collateral: BalanceOf<T> },
		/// `operator` changed its name or endpoint.
		MetadataUpdated { operator: T::AccountId },
		/// `operator` rotated its keys.
		KeysRotated { operator: T::AccountId, vrf_key: VrfPublic, eth_address: Option<EthAddress> },
		/// `operator` set its commission, in effect from block `effective_from` (at once for a
		/// decrease, one unbonding period later for an increase).
		CommissionSet {
			operator: T::AccountId,
			commission: Perbill,
			effective_from: BlockNumberFor<T>,
		},
		/// `staker` bonded `amount` with `operator` (its own collateral when they are the same).
		Bonded { operator: T::AccountId, staker: T::AccountId, amount: BalanceOf<T> },
		/// `staker` started unbonding `amount` from `operator`, withdrawable at `unlock_at`.
		Unbonded {
			operator: T::AccountId,
			staker: T::AccountId,
			amount: BalanceOf<T>,
			unlock_at: BlockNumberFor<T>,
		},
		/// `staker` withdrew `amount` of unbonded stake from `operator`.
		Withdrawn { operator: T::AccountId, staker: T::AccountId, amount: BalanceOf<T> },
		/// `operator` is alive.
		Heartbeat { operator: T::AccountId },
		/// `operator` paused for maintenance.
		Chilled { operator: T::AccountId },
		/// `operator` is back from maintenance.
		Resumed { operator: T::AccountId },
		/// `operator` is leaving: its own stake is unbonding.
		Leaving { operator: T::AccountId },
		/// `operator` left and its records are gone.
		Removed { operator: T::AccountId },
		/// `operator` has not heartbeated since `last_heartbeat`, longer than the grace period.
		Offline { operator: T::AccountId, last_heartbeat: BlockNumberFor<T> },
		/// `operator` was offline, but through a mass outage: not slashed.
		OfflineForgiven { operator: T::AccountId },
		/// More than the mass outage threshold of `live_stake`, the stake live in the period
		/// before, missed its heartbeat in heartbeat period `period`: `missed_stake` of it.
		MassOutage { period: u32, missed_stake: BalanceOf<T>, live_stake: BalanceOf<T> },
		/// An offence was reported; slash `slash_id` of up to `amount` is applied at
		/// `apply_at` unless cancelled.
		SlashDeferred {
			slash_id: SlashId,
			operator: T::AccountId,
			kind: OffenceKind,
			amount: BalanceOf<T>,
			apply_at: BlockNumberFor<T>,
		},
		/// An offence was reported but slashes nothing (its kind's rule not in force yet, or a
		/// zero amount).
		OffenceIgnored { operator: T::AccountId, kind: OffenceKind },
		/// Slash `slash_id` took `from_own` of the operator's collateral and `from_delegated`
		/// of its delegations.
		Slashed {
			slash_id: SlashId,
			operator: T::AccountId,
			kind: OffenceKind,
			from_own: BalanceOf<T>,
			from_delegated: BalanceOf<T>,
		},
		/// Governance cancelled slash `slash_id`.
		SlashCancelled { slash_id: SlashId, operator: T::AccountId },
		/// `operator` was paid: `commission` and `own` to its free balance, `delegated` into
		/// its delegation pool.
		Rewarded {
			operator: T::AccountId,
			commission: BalanceOf<T>,
			own: BalanceOf<T>,
			delegated: BalanceOf<T>,
		},
		/// Governance changed a parameter.
		ParameterSet { change: ParameterOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already an operator.
		AlreadyOperator,
		/// The account is not an operator.
		NotOperator,
		/// Another operator has registered this VRF key.
		VrfKeyInUse,
		/// The VRF key's proof of possession does not verify: sign
		/// `VRF_KEY_PROOF_PREFIX ++ SCALE(account id)` with the VRF key.
		VrfKeyProofInvalid,
		/// The Ethereum address's proof does not verify: sign
		/// `ETH_ADDRESS_PROOF_PREFIX ++ SCALE(account id)` with the address's key (EIP-191,
		/// `eth_sign`).
		EthAddressProofInvalid,
		/// The name is longer than `MaxNameLen`.
		NameTooLong,
		/// The endpoint is longer than `MaxEndpointLen`.
		EndpointTooLong,
		/// The operator's own active stake would be below `min_collateral`. To withdraw
		/// everything, `leave`.
		BelowMinCollateral,
		/// The delegation would be below `min_delegation` (unbond all of it instead).
		BelowMinDelegation,
		/// Not enough free balance for this, keeping the account alive.
		InsufficientFunds,
		/// The amount is zero or too small to buy a share of the pool.
		AmountTooSmall,
		/// Operators bond their own collateral with `bond_extra`, not `delegate`.
		CannotDelegateToSelf,
		/// The operator is leaving: it takes no new stake and cannot resume.
		OperatorLeaving,
		/// The operator is chilled: `resume` first.
		OperatorChilled,
		/// The operator is not chilled.
		NotChilled,
		/// The account has no stake with this operator.
		NotStaked,
		/// Nothing to unbond.
		NothingToUnbond,
		/// No unbonding stake has reached the end of its unbonding period.
		NothingToWithdraw,
		/// Too many unbonding chunks: withdraw some first, or wait a block.
		TooManyUnlockingChunks,
		/// No pending slash has this id.
		UnknownSlash,
		/// A minimum balance below the existential deposit.
		ParamBelowExistentialDeposit,
		/// A period of zero blocks.
		ParamZeroPeriod,
		/// A period longer than `MaxPeriod`.
		ParamPeriodTooLong,
		/// `offline_grace` shorter than three heartbeat periods.
		ParamGraceTooShort,
		/// `offline_grace` longer than sixty heartbeat periods.
		ParamGraceTooLong,
		/// `unbonding_period` not longer than `slash_defer_period` plus the longest time an
		/// offence waits to be reported: a slash could miss funds unbonded after the offence.
		ParamUnbondingNotLongerThanDeferral,
		/// `slash_defer_period` not shorter than the time reporters route slashed funds (a
		/// task's retention): a liquidation could no longer reach its task's reward pool.
		ParamDeferralTooLong,
		/// The operator is not leaving: only the staker itself withdraws.
		NotLeaving,
		/// A mass outage threshold of zero would forgive every offline operator.
		ParamZeroOutageThreshold,
		/// A slash rule with an amount but no fraction (or the reverse).
		ParamInconsistentSlashRule,
		/// No parameter changes given.
		NoChanges,
		/// An arithmetic overflow: the amounts are too large.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let params = Parameters::<T>::get();
			let mut weight = T::WeightInfo::on_initialize_base();
			Self::roll_period(now, &params);
			weight.saturating_accrue(Self::apply_due_slashes(now));
			weight.saturating_accrue(Self::check_liveness(now, &params));
			weight
		}

		fn integrity_test() {
			assert!(T::MaxUnlockingChunks::get() > 0, "MaxUnlockingChunks must be positive");
			assert!(T::MaxLivenessChecksPerBlock::get() > 0, "liveness checks must progress");
			assert!(T::MaxSlashesPerBlock::get() > 0, "deferred slashes must progress");
			assert!(
				Pallet::<T>::check_own_params(&T::DefaultParams::get()).is_ok(),
				"DefaultParams must be valid"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers the caller as an operator, holding `collateral` (at least
		/// `min_collateral`) of its free balance, plus one existential deposit that keeps its
		/// delegation pool account alive (returned when the operator is removed).
		///
		/// `vrf_proof` is the VRF key's signature of `VRF_KEY_PROOF_PREFIX ++ SCALE(caller)`;
		/// `eth`, the optional Ethereum address with its EIP-191 signature of
		/// `ETH_ADDRESS_PROOF_PREFIX ++ SCALE(caller)` (`aos_operators_primitives::EthBinding`).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		#[allow(clippy::too_many_arguments)]
		pub fn register(
			origin: OriginFor<T>,
			name: alloc::vec::Vec<u8>,
			endpoint: alloc::vec::Vec<u8>,
			vrf_key: VrfPublic,
			vrf_proof: sr25519::Signature,
			eth: Option<EthBinding>,
			commission: Perbill,
			collateral: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register(who, name, endpoint, vrf_key, vrf_proof, eth, commission, collateral)
		}

		/// Changes the caller's name and endpoint.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::update_metadata())]
		pub fn update_metadata(
			origin: OriginFor<T>,
			name: alloc::vec::Vec<u8>,
			endpoint: alloc::vec::Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (name, endpoint) = Self::bounded_metadata(name, endpoint)?;
			Self::mutate_operator(&who, |op| {
				op.name = name;
				op.endpoint = endpoint;
				Ok(())
			})?;
			Self::deposit_event(Event::MetadataUpdated { operator: who });
			Ok(())
		}

		/// Replaces the caller's VRF key (with a new proof of possession) and Ethereum address.
		/// The new key counts from this block: VRF outputs over randomness revealed earlier are
		/// not accepted with it.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::rotate_keys())]
		pub fn rotate_keys(
			origin: OriginFor<T>,
			vrf_key: VrfPublic,
			vrf_proof: sr25519::Signature,
			eth: Option<EthBinding>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_rotate_keys(who, vrf_key, vrf_proof, eth)
		}

		/// Sets the caller's commission: its cut of rewards before the pro-rata split. A
		/// decrease takes effect at once; an increase one unbonding period later, so that its
		/// delegators can leave first.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_commission())]
		pub fn set_commission(origin: OriginFor<T>, commission: Perbill) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_commission(&who, commission)
		}

		/// Adds `amount` of the caller's free balance to its collateral.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::bond_extra())]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond(&who, &who, amount)
		}

		/// Delegates `amount` of the caller's free balance to `operator`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::delegate())]
		pub fn delegate(
			origin: OriginFor<T>,
			operator: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(who != operator, Error::<T>::CannotDelegateToSelf);
			Self::do_bond(&operator, &who, amount)
		}

		/// Starts unbonding up to `amount` of the caller's active stake with `operator` (its
		/// own collateral when the caller is `operator`). It stays slashable, and can be
		/// withdrawn after `unbonding_period`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::unbond())]
		pub fn unbond(
			origin: OriginFor<T>,
			operator: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unbond(&operator, &who, amount)
		}

		/// Withdraws the caller's stake with `operator` whose unbonding period has passed.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>, operator: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(&operator, &who)
		}

		/// Tells the chain the caller, an active operator, is alive. Free the first time in a
		/// heartbeat period.
		#[pallet::call_index(8)]
		#[pallet::weight((T::WeightInfo::heartbeat(), DispatchClass::Operational))]
		pub fn heartbeat(origin: OriginFor<T>) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let first_in_period = Self::do_heartbeat(&who)?;
			Ok(if first_in_period { Pays::No } else { Pays::Yes }.into())
		}

		/// Pauses the caller for maintenance: no tasks, no liveness checks, no offline
		/// slashes, until `resume`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::chill())]
		pub fn chill(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_chill(&who)
		}

		/// Brings the caller back from maintenance; counts as a heartbeat.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_resume(&who)
		}

		/// Starts leaving: the caller takes no tasks or delegations from now on and all its own
		/// collateral starts unbonding. It is removed once its stake is withdrawn, its
		/// delegators have withdrawn theirs and no slash is pending.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::leave())]
		pub fn leave(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_leave(&who)
		}

		/// Withdraws, on `staker`'s behalf and to its account, its stake with a leaving
		/// `operator` that is past its unbonding period (delegations included, one unbonding
		/// period after the operator left). Anyone may call it, so that a leaving operator is
		/// removed without waiting for its delegators.
		#[pallet::call_index(14)]
		#[pallet::weight(T::WeightInfo::withdraw_for())]
		pub fn withdraw_for(
			origin: OriginFor<T>,
			operator: T::AccountId,
			staker: T::AccountId,
		) -> DispatchResult {
			ensure_signed(origin)?;
			let op = Operators::<T>::get(&operator).ok_or(Error::<T>::NotOperator)?;
			ensure!(op.status == OperatorStatus::Leaving, Error::<T>::NotLeaving);
			Self::do_withdraw(&operator, &staker)
		}

		/// Changes parameters (governance only). The changes are checked together, after all
		/// are made, so that related parameters can move together.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::set_parameters(changes.len() as u32))]
		pub fn set_parameters(
			origin: OriginFor<T>,
			changes: BoundedVec<ParameterOf<T>, ConstU32<MAX_PARAMETER_CHANGES>>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_set_parameters(changes.into_inner())
		}

		/// Cancels a deferred slash (governance only): it moves no funds.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::cancel_slash())]
		pub fn cancel_slash(origin: OriginFor<T>, slash_id: SlashId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::do_cancel_slash(slash_id)
		}
	}
}
