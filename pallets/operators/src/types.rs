//! The pallet's types: share-based stake buckets, operators, stakers' ledgers, parameters and
//! pending slashes.

use aos_operators_primitives::{
	EthAddress, OffenceKind, OffenceReference, SlashPeriods, VrfPublic,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::*, BoundedVec, DefaultNoBound};
use scale_info::TypeInfo;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{AtLeast32BitUnsigned, Zero},
	Perbill, Rounding, SaturatedConversion,
};

/// `a * b / c` rounded as asked, computed in 128 bits; `None` if `c` is zero or the result
/// does not fit.
pub fn mul_div<B: AtLeast32BitUnsigned + Copy>(a: B, b: B, c: B, rounding: Rounding) -> Option<B> {
	let result = multiply_by_rational_with_rounding(
		a.saturated_into::<u128>(),
		b.saturated_into::<u128>(),
		c.saturated_into::<u128>(),
		rounding,
	)?;
	B::try_from(result).ok()
}

/// A holding of shares in a [`Bucket`]: shares issued in an earlier generation of the bucket
/// (before it was slashed to nothing) are worth nothing.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Shares<B> {
	/// Number of shares.
	pub amount: B,
	/// The bucket generation they were issued in.
	pub generation: u32,
}

/// Funds owned in shares: every holder's value is `shares * balance / total shares`, so
/// slashing or rewarding the whole bucket is one write, whatever the number of holders.
///
/// When a slash takes all of a bucket's funds, its shares are worthless; rather than visiting
/// every holder, the bucket starts a new *generation* and old shares count as zero.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Bucket<B> {
	/// Funds in the bucket.
	pub balance: B,
	/// Shares issued against them in the current generation.
	pub shares: B,
	/// Bumped every time the bucket is wiped out.
	pub generation: u32,
}

impl<B: AtLeast32BitUnsigned + Copy> Bucket<B> {
	/// Shares of the current generation in `holding` (zero for an older generation).
	pub fn live(&self, holding: Shares<B>) -> B {
		if holding.generation == self.generation {
			holding.amount.min(self.shares)
		} else {
			Zero::zero()
		}
	}

	/// The value of `holding`, rounded down; all of the bucket's balance for the holder of all
	/// shares, so no dust is stranded.
	pub fn value_of(&self, holding: Shares<B>) -> B {
		let shares = self.live(holding);
		if shares.is_zero() {
			return Zero::zero();
		}
		if shares >= self.shares {
			return self.balance;
		}
		mul_div(shares, self.balance, self.shares, Rounding::Down).unwrap_or_else(Zero::zero)
	}

	/// Shares worth at least `amount` (rounded up), at most `holding`'s live shares.
	pub fn shares_worth(&self, holding: Shares<B>, amount: B) -> B {
		let live = self.live(holding);
		if self.balance.is_zero() {
			return live;
		}
		mul_div(amount, self.shares, self.balance, Rounding::Up).unwrap_or(live).min(live)
	}

	/// Adds `amount` for new shares; returns the holding issued, or `None` if `amount` buys no
	/// share or the numbers overflow. A holding of the current generation can be topped up by
	/// adding the amounts.
	pub fn deposit(&mut self, amount: B) -> Option<Shares<B>> {
		let shares = if self.shares.is_zero() || self.balance.is_zero() {
			// Empty, or wiped out: the old shares (if any) are worthless, start afresh.
			if !self.shares.is_zero() {
				self.wipe();
			}
			amount
		} else {
			mul_div(amount, self.shares, self.balance, Rounding::Down)?
		};
		if shares.is_zero() {
			return None;
		}
		self.balance = self.balance.checked_add(&amount)?;
		self.shares = self.shares.checked_add(&shares)?;
		Some(Shares { amount: shares, generation: self.generation })
	}

	/// Redeems `holding` (at most all live shares); returns their value.
	pub fn redeem(&mut self, holding: Shares<B>) -> B {
		let shares = self.live(holding);
		let value = self.value_of(Shares { amount: shares, generation: self.generation });
		self.shares = self.shares.saturating_sub(shares);
		self.balance = self.balance.saturating_sub(value);
		if self.shares.is_zero() && !self.balance.is_zero() {
			// Cannot happen: the last holder redeems the whole balance. Kept as a guard so
			// that funds are never left without an owner.
			self.balance = Zero::zero();
		}
		value
	}

	/// Takes `amount` (at most the balance) from the bucket, for a slash; returns what it took.
	pub fn take(&mut self, amount: B) -> B {
		let taken = amount.min(self.balance);
		self.balance = self.balance.saturating_sub(taken);
		if self.balance.is_zero() && !self.shares.is_zero() {
			self.wipe();
		}
		taken
	}

	/// Adds `amount` to the bucket without issuing shares: a reward for all holders. Returns
	/// `false` (and adds nothing) when there are no holders.
	pub fn add(&mut self, amount: B) -> bool {
		if self.shares.is_zero() {
			return false;
		}
		match self.balance.checked_add(&amount) {
			Some(balance) => {
				self.balance = balance;
				true
			},
			None => false,
		}
	}

	fn wipe(&mut self) {
		self.shares = Zero::zero();
		self.balance = Zero::zero();
		self.generation = self.generation.wrapping_add(1);
	}
}

/// Funds of one kind with an operator (its own collateral, or the delegations it receives):
/// active stake, and stake being unbonded, which stays slashable until withdrawn.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct StakePool<B> {
	/// Bonded stake: counts for task sampling, earns rewards.
	pub active: Bucket<B>,
	/// Stake on its way out: earns nothing, still slashable.
	pub unbonding: Bucket<B>,
}

impl<B: AtLeast32BitUnsigned + Copy> StakePool<B> {
	/// Everything a slash can reach.
	pub fn slashable(&self) -> B {
		self.active.balance.saturating_add(self.unbonding.balance)
	}

	/// Moves `shares` of active stake to the unbonding bucket; returns (value moved, unbonding
	/// holding issued). `None` if the value is zero or too small to buy an unbonding share;
	/// nothing changes then.
	pub fn unbond(&mut self, shares: Shares<B>) -> Option<(B, Shares<B>)> {
		let mut next = *self;
		let value = next.active.redeem(shares);
		let unbonding = next.unbonding.deposit(value)?;
		*self = next;
		Some((value, unbonding))
	}

	/// Takes `amount` (at most what is slashable) pro rata from the active and unbonding
	/// buckets; returns (taken from active, taken from unbonding).
	pub fn slash(&mut self, amount: B) -> (B, B) {
		let [from_active, from_unbonding] =
			pro_rata(amount, [self.active.balance, self.unbonding.balance]);
		(self.active.take(from_active), self.unbonding.take(from_unbonding))
	}
}

/// Splits `amount` over `parts` pro rata to their sizes (rounded down, the remainder given to
/// the first parts with room). Never gives a part more than its size, so the sum of the result
/// is `amount` capped at the sum of `parts`.
pub fn pro_rata<B: AtLeast32BitUnsigned + Copy, const N: usize>(
	amount: B,
	parts: [B; N],
) -> [B; N] {
	let total = parts.iter().fold(B::zero(), |acc, p| acc.saturating_add(*p));
	let amount = amount.min(total);
	let mut cuts = [B::zero(); N];
	if total.is_zero() {
		return cuts;
	}
	let mut given = B::zero();
	for (cut, part) in cuts.iter_mut().zip(parts.iter()) {
		*cut = mul_div(amount, *part, total, Rounding::Down).unwrap_or_else(Zero::zero).min(*part);
		given = given.saturating_add(*cut);
	}
	let mut rest = amount.saturating_sub(given);
	for (cut, part) in cuts.iter_mut().zip(parts.iter()) {
		if rest.is_zero() {
			break;
		}
		let extra = part.saturating_sub(*cut).min(rest);
		*cut = cut.saturating_add(extra);
		rest = rest.saturating_sub(extra);
	}
	cuts
}

/// What an operator has chosen to do.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum OperatorStatus {
	/// Taking tasks, checked for liveness.
	Active,
	/// Paused for maintenance: no tasks, no liveness checks, no offline slashes.
	Chilled,
	/// Left: own stake unbonding, no tasks, no new delegations; removed once its own stake is
	/// withdrawn, its delegators are gone and no slash is pending.
	Leaving,
}

/// A registered operator.
#[derive(
	CloneNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo, DebugNoBound,
)]
#[scale_info(skip_type_params(NameLen, EndpointLen))]
pub struct Operator<B, BN, NameLen: Get<u32>, EndpointLen: Get<u32>>
where
	B: Clone + PartialEq + Eq + core::fmt::Debug,
	BN: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Human-readable name.
	pub name: BoundedVec<u8, NameLen>,
	/// Where the operator's service is reached (URL).
	pub endpoint: BoundedVec<u8, EndpointLen>,
	/// The sr25519 key it evaluates task-sampling VRFs with.
	pub vrf_key: VrfPublic,
	/// When `vrf_key` was registered.
	pub vrf_key_since: BN,
	/// Its Ethereum address, for the EigenLayer bridge.
	pub eth_address: Option<EthAddress>,
	/// Its cut of rewards, taken before the pro-rata split.
	pub commission: Perbill,
	/// Active, chilled or leaving.
	pub status: OperatorStatus,
	/// When it registered.
	pub registered_at: BN,
	/// Its last heartbeat (or registration, or return from chill).
	pub last_heartbeat: BN,
	/// The heartbeat period whose heartbeat count includes this operator, if the current or
	/// a recent one.
	pub last_heartbeat_period: Option<u32>,
	/// The heartbeat period in which it was last slashed (or forgiven) for being offline, if
	/// it has been since its last heartbeat.
	pub last_offline_period: Option<u32>,
	/// The block its next liveness check is scheduled for (`None` unless active).
	pub liveness_check_at: Option<BN>,
	/// Its own collateral, held on its own account.
	pub own: StakePool<B>,
	/// Delegated stake, held on the operator's delegation pool account.
	pub delegated: StakePool<B>,
	/// Number of delegators (ledgers other than the operator's own).
	pub delegators: u32,
	/// Slashes reported against it and not yet applied or cancelled.
	pub pending_slashes: u32,
	/// Its stake as task sampling weighs it: stake bonded after a task's randomness was known
	/// does not count for that task.
	pub selection: SelectionStake<B, BN>,
	/// What it adds to [`ActiveSet::selection_stake`]: its active stake while it is active,
	/// not found offline and holding the minimum collateral (as of its last change); else zero.
	pub counted_selection: B,
	/// The stake its last counted heartbeat added to the live stake of that heartbeat period.
	pub heartbeat_stake: B,
	/// The part of the previous period's live stake it carried into the current period by
	/// heartbeating in both (its `heartbeat_stake` of the previous period), else zero.
	pub continued_stake: B,
	/// When it started leaving: its delegators' active stake can be withdrawn one unbonding
	/// period later, by anyone on their behalf.
	pub left_at: Option<BN>,
	/// A commission increase, and the block it takes effect at (one unbonding period after it
	/// was set, so that delegators can leave first).
	pub pending_commission: Option<(Perbill, BN)>,
}

/// An operator's stake as task sampling sees it. Stake bonded at block `b` counts for
/// randomness from block `b + SelectionDelay` on: an operator that sees a task's randomness
/// cannot raise its odds for that task by bonding more. Decreases count at once.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct SelectionStake<B, BN> {
	/// Counts for randomness from any block.
	pub settled: B,
	/// A recent increase: the stake that counts for randomness from this block on.
	pub pending: Option<(BN, B)>,
}

impl<B: AtLeast32BitUnsigned + Copy, BN: PartialOrd + Copy> SelectionStake<B, BN> {
	/// The stake that counts for randomness from block `from`.
	pub fn at(&self, from: BN) -> B {
		match self.pending {
			Some((at, value)) if at <= from => value,
			_ => self.settled,
		}
	}

	/// Folds a pending increase that has taken effect by `now` into the settled stake.
	pub fn settle(&mut self, now: BN) {
		if let Some((at, value)) = self.pending {
			if at <= now {
				self.settled = value;
				self.pending = None;
			}
		}
	}

	/// The stake grew to `total` by bonding at `now`: it counts from `effective` on. An
	/// increase not yet in effect is postponed with it (never brought forward).
	pub fn bonded(&mut self, now: BN, total: B, effective: BN) {
		self.settle(now);
		if total > self.settled {
			self.pending = Some((effective, total));
		}
	}

	/// The stake grew by `amount` that nobody chose to bond now (a reward): it counts at once.
	pub fn rewarded(&mut self, amount: B) {
		self.settled = self.settled.saturating_add(amount);
		if let Some((_, value)) = &mut self.pending {
			*value = value.saturating_add(amount);
		}
	}

	/// The stake is now `total`: no more than that counts, from any block.
	pub fn cap(&mut self, total: B) {
		self.settled = self.settled.min(total);
		if let Some((_, value)) = &mut self.pending {
			*value = (*value).min(total);
		}
	}
}

impl<B, BN, NameLen: Get<u32>, EndpointLen: Get<u32>> Operator<B, BN, NameLen, EndpointLen>
where
	B: AtLeast32BitUnsigned + Copy + core::fmt::Debug,
	BN: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Active stake, own and delegated: what task sampling weighs.
	pub fn active_stake(&self) -> B {
		self.own.active.balance.saturating_add(self.delegated.active.balance)
	}

	/// Everything a slash can reach.
	pub fn slashable(&self) -> B {
		self.own.slashable().saturating_add(self.delegated.slashable())
	}

	/// The pool `staker` holds shares in: its own for the operator, the delegation pool for
	/// anyone else.
	pub fn pool_mut(&mut self, own: bool) -> &mut StakePool<B> {
		if own {
			&mut self.own
		} else {
			&mut self.delegated
		}
	}

	/// See [`Self::pool_mut`].
	pub fn pool(&self, own: bool) -> &StakePool<B> {
		if own {
			&self.own
		} else {
			&self.delegated
		}
	}
}

/// Part of a staker's stake being unbonded.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct UnlockChunk<B, BN> {
	/// From this block it can be withdrawn.
	pub unlock_at: BN,
	/// Shares of the pool's unbonding bucket.
	pub shares: Shares<B>,
}

/// A staker's position with one operator (the operator's own position too).
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	DebugNoBound,
	DefaultNoBound,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct Ledger<B, BN, MaxChunks: Get<u32>>
where
	B: Clone + PartialEq + Eq + core::fmt::Debug + Default,
	BN: Clone + PartialEq + Eq + core::fmt::Debug,
{
	/// Shares of the pool's active bucket.
	pub active: Shares<B>,
	/// Unbonding chunks, oldest first.
	pub unlocking: BoundedVec<UnlockChunk<B, BN>, MaxChunks>,
}

/// How much an offence of one kind costs.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct SlashRule<B, BN> {
	/// The amount slashed; zero slashes nothing.
	pub amount: B,
	/// At most this fraction of the operator's slashable stake (own and delegated, active and
	/// unbonding) is taken, whatever `amount` says.
	pub max_fraction: Perbill,
	/// Offences of this kind reported before this block are not slashed: a grace period per
	/// kind (the AOS spec's first year for being offline; proven misbehaviour from genesis).
	pub enabled_from: BN,
}

/// A slash rule for every offence kind.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct SlashRules<B, BN> {
	/// Offline beyond the grace period, for each further grace period.
	pub offline: SlashRule<B, BN>,
	/// A wrong inference result, or a committed result withheld (not revealed).
	pub wrong_result: SlashRule<B, BN>,
	/// An invalid zk proof.
	pub zk_proof_invalid: SlashRule<B, BN>,
	/// An invalid TEE attestation.
	pub attestation_invalid: SlashRule<B, BN>,
	/// A lost OPML dispute.
	pub dispute_lost: SlashRule<B, BN>,
	/// An Ethereum signature over a false checkpoint (pallet-checkpoints).
	pub checkpoint_equivocation: SlashRule<B, BN>,
}

impl<B: Copy, BN: Copy> SlashRules<B, BN> {
	/// The rule for `kind`.
	pub fn get(&self, kind: OffenceKind) -> SlashRule<B, BN> {
		match kind {
			OffenceKind::Offline => self.offline,
			OffenceKind::WrongResult => self.wrong_result,
			OffenceKind::ZkProofInvalid => self.zk_proof_invalid,
			OffenceKind::AttestationInvalid => self.attestation_invalid,
			OffenceKind::DisputeLost => self.dispute_lost,
			OffenceKind::CheckpointEquivocation => self.checkpoint_equivocation,
		}
	}

	/// Sets the rule for `kind`.
	pub fn set(&mut self, kind: OffenceKind, rule: SlashRule<B, BN>) {
		let slot = match kind {
			OffenceKind::Offline => &mut self.offline,
			OffenceKind::WrongResult => &mut self.wrong_result,
			OffenceKind::ZkProofInvalid => &mut self.zk_proof_invalid,
			OffenceKind::AttestationInvalid => &mut self.attestation_invalid,
			OffenceKind::DisputeLost => &mut self.dispute_lost,
			OffenceKind::CheckpointEquivocation => &mut self.checkpoint_equivocation,
		};
		*slot = rule;
	}
}

/// The parameters governance tunes. Periods are in blocks.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct Params<B, BN> {
	/// Least own active stake an operator needs to register and to take tasks.
	pub min_collateral: B,
	/// Least stake a delegator keeps with an operator (or zero, when it leaves).
	pub min_delegation: B,
	/// How long unbonding stake waits before it can be withdrawn. Longer than
	/// `slash_defer_period`, so that a slash reported before unbonding always finds the funds.
	pub unbonding_period: BN,
	/// How often operators heartbeat; the share of operators that missed the last period is
	/// measured at every multiple of it.
	pub heartbeat_period: BN,
	/// Without a heartbeat for longer than this an operator is offline; it is slashed once
	/// then, and once for every further `offline_grace` it stays offline.
	pub offline_grace: BN,
	/// When more than this fraction of active operators missed their heartbeat in a period,
	/// that period is a network fault: nobody is slashed for being offline through it.
	pub mass_outage_threshold: Perbill,
	/// How long a reported slash waits, cancellable by governance, before it is applied.
	pub slash_defer_period: BN,
	/// What each offence costs, and from when.
	pub slash_rules: SlashRules<B, BN>,
}

/// One change to [`Params`], as governance makes it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum Parameter<B, BN> {
	/// Sets [`Params::min_collateral`].
	MinCollateral(B),
	/// Sets [`Params::min_delegation`].
	MinDelegation(B),
	/// Sets [`Params::unbonding_period`].
	UnbondingPeriod(BN),
	/// Sets [`Params::heartbeat_period`].
	HeartbeatPeriod(BN),
	/// Sets [`Params::offline_grace`].
	OfflineGrace(BN),
	/// Sets [`Params::mass_outage_threshold`].
	MassOutageThreshold(Perbill),
	/// Sets [`Params::slash_defer_period`].
	SlashDeferPeriod(BN),
	/// Sets the slash rule of one offence kind: its amount, cap and the block from which it
	/// applies.
	SlashRule(OffenceKind, SlashRule<B, BN>),
}

impl<B: Copy, BN: Copy> Params<B, BN> {
	/// These parameters with `change` made.
	pub fn with(mut self, change: Parameter<B, BN>) -> Self {
		match change {
			Parameter::MinCollateral(v) => self.min_collateral = v,
			Parameter::MinDelegation(v) => self.min_delegation = v,
			Parameter::UnbondingPeriod(v) => self.unbonding_period = v,
			Parameter::HeartbeatPeriod(v) => self.heartbeat_period = v,
			Parameter::OfflineGrace(v) => self.offline_grace = v,
			Parameter::MassOutageThreshold(v) => self.mass_outage_threshold = v,
			Parameter::SlashDeferPeriod(v) => self.slash_defer_period = v,
			Parameter::SlashRule(kind, rule) => self.slash_rules.set(kind, rule),
		}
		self
	}
}

/// Why a set of parameters is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamsError {
	/// `min_collateral` or `min_delegation` below the existential deposit.
	BelowExistentialDeposit,
	/// A period is zero.
	ZeroPeriod,
	/// A period exceeds the pallet's `MaxPeriod`.
	PeriodTooLong,
	/// `offline_grace` shorter than `MIN_GRACE_PERIODS` heartbeat periods.
	GraceTooShort,
	/// `offline_grace` longer than `MAX_GRACE_PERIODS` heartbeat periods.
	GraceTooLong,
	/// `unbonding_period` not longer than `slash_defer_period` plus the reporters' longest
	/// report delay.
	UnbondingNotLongerThanDeferral,
	/// `slash_defer_period` not shorter than the reporters' routing window.
	DeferralTooLong,
	/// `mass_outage_threshold` is zero: every missed heartbeat would be a network fault.
	ZeroOutageThreshold,
	/// A slash rule's `max_fraction` is zero while its amount is not, or an amount is set
	/// with a fraction that takes nothing.
	InconsistentSlashRule,
}

/// `offline_grace` spans at least this many heartbeat periods. An honest operator heartbeats
/// in every period, so when a network fault silences it, at least one whole period of the
/// fault — long enough to be measured as a mass outage — lies inside its grace period, before
/// its first offline slash.
pub const MIN_GRACE_PERIODS: u32 = 3;

/// `offline_grace` spans at most this many heartbeat periods: the mass-outage history kept on
/// chain covers [`OUTAGE_HISTORY`] periods, and every offline check looks back over at most
/// one grace period plus one.
pub const MAX_GRACE_PERIODS: u32 = 60;

/// Heartbeat periods whose mass-outage flag is kept (bits of a `u64`).
pub const OUTAGE_HISTORY: u32 = 64;

impl<B: AtLeast32BitUnsigned + Copy, BN: AtLeast32BitUnsigned + Copy> Params<B, BN> {
	/// The slashing periods the offence reporters fit in.
	pub fn slash_periods(&self) -> SlashPeriods<BN> {
		SlashPeriods { defer: self.slash_defer_period, unbonding: self.unbonding_period }
	}

	/// Checks the parameters against each other and against the given bounds: offences are
	/// reported at most `report_delay` after they happen, and reporters route slashed funds for
	/// `routing_window` after a report.
	pub fn validate(
		&self,
		existential_deposit: B,
		max_period: BN,
		report_delay: BN,
		routing_window: BN,
	) -> Result<(), ParamsError> {
		if self.min_collateral < existential_deposit || self.min_delegation < existential_deposit {
			return Err(ParamsError::BelowExistentialDeposit);
		}
		let periods = [self.unbonding_period, self.heartbeat_period, self.offline_grace];
		if periods.iter().any(|p| p.is_zero()) {
			return Err(ParamsError::ZeroPeriod);
		}
		if periods.iter().chain(core::iter::once(&self.slash_defer_period)).any(|p| *p > max_period)
		{
			return Err(ParamsError::PeriodTooLong);
		}
		let heartbeat = self.heartbeat_period;
		if self.offline_grace < heartbeat.saturating_mul(MIN_GRACE_PERIODS.into()) {
			return Err(ParamsError::GraceTooShort);
		}
		if self.offline_grace > heartbeat.saturating_mul(MAX_GRACE_PERIODS.into()) {
			return Err(ParamsError::GraceTooLong);
		}
		if !self.slash_periods().admit_report_delay(report_delay) {
			return Err(ParamsError::UnbondingNotLongerThanDeferral);
		}
		if self.slash_defer_period >= routing_window {
			return Err(ParamsError::DeferralTooLong);
		}
		if self.mass_outage_threshold.is_zero() {
			return Err(ParamsError::ZeroOutageThreshold);
		}
		let inconsistent = OffenceKind::ALL.iter().any(|kind| {
			let rule = self.slash_rules.get(*kind);
			rule.amount.is_zero() != rule.max_fraction.is_zero()
		});
		if inconsistent {
			return Err(ParamsError::InconsistentSlashRule);
		}
		Ok(())
	}
}

/// A reported slash waiting for its veto window to end.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct PendingSlash<AccountId, B, BN> {
	/// The operator.
	pub operator: AccountId,
	/// The offence.
	pub kind: OffenceKind,
	/// What the offence was about, in the reporter's terms.
	pub reference: Option<OffenceReference>,
	/// The amount asked for (the kind's amount when reported).
	pub amount: B,
	/// The most it may take, as a fraction of the operator's slashable stake when applied.
	pub max_fraction: Perbill,
	/// When it was reported.
	pub reported_at: BN,
	/// When it is applied.
	pub apply_at: BN,
}

/// Liveness across all operators in the current heartbeat period, and which recent periods
/// were network faults. Outages are judged by stake, against the operators that were live in
/// the previous period: operators that never heartbeat (idle or Sybil registrations) weigh
/// nothing in the verdict.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct LivenessState<B, BN> {
	/// The current heartbeat period's number. Periods are numbered in sequence, so numbers
	/// stay unique when governance changes the heartbeat period.
	pub period: u32,
	/// The first block after the current period: a multiple of the heartbeat period.
	pub ends_at: BN,
	/// Stake of the active operators that heartbeated (or registered, or resumed) in it, each
	/// counted at its first heartbeat of the period.
	pub live_stake: B,
	/// The part of `prev_live_stake` that heartbeated again in this period.
	pub continuing_stake: B,
	/// The previous period's live stake (less operators that stopped since, by chilling or
	/// leaving): what this period's verdict measures the missed stake against.
	pub prev_live_stake: B,
	/// Bit `i` is set when period `period - 1 - i` was a mass outage.
	pub outages: u64,
}

impl<B: AtLeast32BitUnsigned + Copy, BN> LivenessState<B, BN> {
	/// The stake live in the previous period that has not heartbeated in this one.
	pub fn missed_stake(&self) -> B {
		self.prev_live_stake.saturating_sub(self.continuing_stake)
	}

	/// Whether any period in `from..=to` is known to have been a mass outage. Only finished
	/// periods have a verdict; periods older than [`OUTAGE_HISTORY`] are forgotten.
	pub fn outage_between(&self, from: u32, to: u32) -> bool {
		let Some(last_finished) = self.period.checked_sub(1) else { return false };
		let to = to.min(last_finished);
		if from > to {
			return false;
		}
		// Period p is bit (last_finished - p).
		let lo = last_finished.saturating_sub(to);
		if lo >= OUTAGE_HISTORY {
			return false;
		}
		let hi = last_finished.saturating_sub(from).min(OUTAGE_HISTORY - 1);
		let width = hi.saturating_sub(lo).saturating_add(1);
		let mask = if width >= 64 { u64::MAX } else { ((1u64 << width) - 1) << lo };
		self.outages & mask != 0
	}

	/// Closes the current period with the given verdict and opens `next` (skipped periods
	/// have no verdict, and no live stake to judge the next one by).
	pub fn roll(&mut self, outage: bool, next: u32) {
		let gap = next.saturating_sub(self.period).max(1);
		let shifted = if gap >= 64 { 0 } else { self.outages << gap };
		// The closed period is bit `gap - 1` as seen from `next`.
		let bit = if gap > 64 { 0 } else { u64::from(outage) << gap.saturating_sub(1) };
		self.outages = shifted | bit;
		self.period = next;
		self.prev_live_stake = if gap == 1 { self.live_stake } else { Zero::zero() };
		self.live_stake = Zero::zero();
		self.continuing_stake = Zero::zero();
	}
}

/// Active operators: how many, and their active stake.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct ActiveSet<B> {
	/// Operators with status `Active`.
	pub count: u32,
	/// Their active stake, own and delegated.
	pub stake: B,
	/// The active stake of those that may take tasks: not found offline, with the minimum
	/// collateral (each as of its last change). Task sampling divides by it.
	pub selection_stake: B,
}
