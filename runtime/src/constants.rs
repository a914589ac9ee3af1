//! Constants of the AOS runtime: the native token, time and BABE.

/// The native token, AOS.
///
/// - name: AOS, symbol `AOS`, 18 decimals — the same precision as ETH, so that amounts carried
///   over the EigenLayer bridge (slash amounts, stake) convert without rounding.
/// - The smallest unit (10^-18 AOS) is called a *planck*, as on other Substrate chains.
pub mod currency {
	use crate::Balance;

	/// Token symbol, as shown by wallets (chain spec property `tokenSymbol`).
	pub const TOKEN_SYMBOL: &str = "AOS";
	/// Token decimals (chain spec property `tokenDecimals`).
	pub const TOKEN_DECIMALS: u8 = 18;

	/// One AOS, in planck.
	pub const UNITS: Balance = 1_000_000_000_000_000_000;
	/// 0.001 AOS.
	pub const MILLI_UNITS: Balance = UNITS / 1_000;
	/// 0.000_001 AOS.
	pub const MICRO_UNITS: Balance = MILLI_UNITS / 1_000;

	/// The existential deposit: 0.001 AOS. An account whose total balance falls below it is
	/// reaped, so that dust accounts cannot bloat state for free.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNITS;

	/// A deposit for `items` storage items taking `bytes` bytes in all: 0.1 AOS per item plus
	/// 0.0001 AOS per byte.
	pub const fn deposit(items: u32, bytes: u32) -> Balance {
		(items as Balance) * 100 * MILLI_UNITS + (bytes as Balance) * 100 * MICRO_UNITS
	}
}

/// Time, counted in blocks of one 5-second slot each.
pub mod time {
	use crate::BlockNumber;

	/// The AOS spec's block time: one block every 5 seconds.
	///
	/// Changing it on a live chain stalls block production: BABE fixes the slot duration at
	/// genesis.
	pub const MILLISECS_PER_BLOCK: u64 = 5_000;
	/// BABE slot duration, in milliseconds.
	pub const SLOT_DURATION: u64 = MILLISECS_PER_BLOCK;

	/// Blocks per minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;

	/// Production epoch (= session) length: one hour of slots. Chain specs may choose another
	/// length at genesis (see `pallet-chain-timing`).
	pub const EPOCH_DURATION_IN_SLOTS: u64 = HOURS as u64;
	/// Production era length: 6 sessions, that is 6 hours.
	pub const SESSIONS_PER_ERA: u32 = 6;

	/// Epoch length of the `development` and `local_testnet` presets: one minute, so that
	/// sessions and eras turn over within a test.
	pub const DEV_EPOCH_DURATION_IN_SLOTS: u64 = MINUTES as u64;
	/// Sessions per era of the `development` and `local_testnet` presets (a 2-minute era).
	pub const DEV_SESSIONS_PER_ERA: u32 = 2;

	/// The probability of a slot having a primary (VRF-won) author: 1/4. The other slots go to
	/// secondary VRF authors, so every block still carries a VRF output, which later feeds
	/// inference task sampling.
	pub const PRIMARY_PROBABILITY: (u64, u64) = (1, 4);

	/// BABE's epoch configuration at genesis.
	pub const BABE_GENESIS_EPOCH_CONFIG: sp_consensus_babe::BabeEpochConfiguration =
		sp_consensus_babe::BabeEpochConfiguration {
			c: PRIMARY_PROBABILITY,
			allowed_slots: sp_consensus_babe::AllowedSlots::PrimaryAndSecondaryVRFSlots,
		};
}
