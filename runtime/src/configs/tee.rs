//! TEE mode's chain side (`pallet-tee`): the Nitro roots and enclave images governance trusts,
//! and operators' enclaves registered by verifying their attestation documents in the runtime.

use crate::{constants::currency::*, Balances, Runtime, RuntimeEvent, RuntimeHoldReason};
use frame_support::{parameter_types, traits::ConstU32};

parameter_types! {
	/// An enclave's entry is one item of about 150 bytes.
	pub const EnclaveDeposit: crate::Balance = deposit(1, 150);
}

/// The registered operators (`pallet-operators`) may register enclaves.
pub struct RegisteredOperators;
impl frame_support::traits::Contains<crate::AccountId> for RegisteredOperators {
	fn contains(who: &crate::AccountId) -> bool {
		pallet_operators::Operators::<Runtime>::contains_key(who)
	}
}

impl pallet_tee::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Currency = Balances;
	type Operators = RegisteredOperators;
	type UnixTime = crate::Timestamp;
	// P-384 in wasm: the benchmarks measure what a registration costs with it.
	type Crypto = aos_nitro::Pure;
	type GovernanceOrigin = crate::GovernanceOrigin;
	type MaxDocumentLen = ConstU32<{ aos_nitro::MAX_DOCUMENT_LEN as u32 }>;
	type MaxModelsPerImage = ConstU32<32>;
	type MaxCachedCertificates = ConstU32<256>;
	type EnclaveDeposit = EnclaveDeposit;
	type WeightInfo = pallet_tee::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkHelper;
}

/// Operators and chain time for the TEE pallet's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_tee::benchmarking::BenchmarkHelper<crate::AccountId> for BenchmarkHelper {
	fn make_operator(who: &crate::AccountId) {
		let collateral = pallet_operators::Parameters::<Runtime>::get().min_collateral;
		let key = aos_operators_primitives::VrfPublic::from_raw([1; 32]);
		if let Err(e) = crate::Operators::benchmark_operator(who, key, collateral) {
			panic!("benchmark operator registration failed: {e:?}");
		}
	}

	fn set_now(ms: u64) {
		pallet_timestamp::Now::<Runtime>::put(ms);
	}
}
