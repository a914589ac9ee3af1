//! Benchmarked weights with [`Config::OnChange`]'s added: the benchmarks measure this pallet
//! alone, and the hook (the bridge's operator set) may write once for every operator record a
//! call or hook writes. The runtime uses `WithOnChange<Runtime, SubstrateWeight<Runtime>>`.

use crate::{pallet::Config, weights::WeightInfo, OnOperatorChange};
use core::marker::PhantomData;
use frame_support::weights::Weight;

/// `W` with `T::OnChange`'s weight added wherever an operator record may change.
pub struct WithOnChange<T, W>(PhantomData<(T, W)>);

impl<T: Config, W: WeightInfo> WithOnChange<T, W> {
	fn hook() -> Weight {
		<T::OnChange as OnOperatorChange<_, _>>::on_operator_change_weight()
	}
}

impl<T: Config, W: WeightInfo> WeightInfo for WithOnChange<T, W> {
	fn register() -> Weight {
		W::register().saturating_add(Self::hook())
	}
	// Metadata, commission and parameters are none of the hook's business.
	fn update_metadata() -> Weight {
		W::update_metadata()
	}
	fn rotate_keys() -> Weight {
		W::rotate_keys().saturating_add(Self::hook())
	}
	fn set_commission() -> Weight {
		W::set_commission()
	}
	fn bond_extra() -> Weight {
		W::bond_extra().saturating_add(Self::hook())
	}
	fn delegate() -> Weight {
		W::delegate().saturating_add(Self::hook())
	}
	fn unbond() -> Weight {
		W::unbond().saturating_add(Self::hook())
	}
	fn withdraw_unbonded() -> Weight {
		W::withdraw_unbonded().saturating_add(Self::hook())
	}
	fn withdraw_for() -> Weight {
		W::withdraw_for().saturating_add(Self::hook())
	}
	fn heartbeat() -> Weight {
		W::heartbeat().saturating_add(Self::hook())
	}
	fn chill() -> Weight {
		W::chill().saturating_add(Self::hook())
	}
	fn resume() -> Weight {
		W::resume().saturating_add(Self::hook())
	}
	fn leave() -> Weight {
		W::leave().saturating_add(Self::hook())
	}
	fn set_parameters(n: u32) -> Weight {
		W::set_parameters(n)
	}
	fn cancel_slash() -> Weight {
		W::cancel_slash().saturating_add(Self::hook())
	}
	fn on_initialize_base() -> Weight {
		W::on_initialize_base()
	}
	fn liveness_check() -> Weight {
		W::liveness_check().saturating_add(Self::hook())
	}
	fn apply_slash(d: u32) -> Weight {
		W::apply_slash(d).saturating_add(Self::hook())
	}
	fn apply_slash_reaping() -> Weight {
		W::apply_slash_reaping().saturating_add(Self::hook())
	}
	fn report_offence() -> Weight {
		W::report_offence()
	}
	fn reward() -> Weight {
		W::reward().saturating_add(Self::hook())
	}
}
