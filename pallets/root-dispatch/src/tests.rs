use crate::{mock::*, Event, WeightInfo};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{GetDispatchInfo, Pays},
	weights::Weight,
};
use sp_runtime::{traits::Dispatchable, DispatchError};

fn set_heap_pages(pages: u64) -> Box<RuntimeCall> {
	Box::new(RuntimeCall::System(frame_system::Call::set_heap_pages { pages }))
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

#[test]
fn root_origin_dispatches_a_root_only_call() {
	new_test_ext().execute_with(|| {
		// set_heap_pages requires root: it fails from the governor directly...
		assert_noop!(
			System::set_heap_pages(RuntimeOrigin::signed(GOVERNOR), 64),
			DispatchError::BadOrigin
		);
		// ...and succeeds through the pallet.
		assert_ok!(RootDispatch::dispatch_as_root(
			RuntimeOrigin::signed(GOVERNOR),
			set_heap_pages(64)
		));
		assert_eq!(
			last_event(),
			RuntimeEvent::RootDispatch(Event::DispatchedAsRoot { result: Ok(()) })
		);
		assert_eq!(
			sp_io::storage::get(sp_core::storage::well_known_keys::HEAP_PAGES),
			Some(64u64.to_le_bytes().to_vec().into())
		);
	});
}

#[test]
fn other_origins_are_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			RootDispatch::dispatch_as_root(RuntimeOrigin::signed(2), set_heap_pages(64)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			RootDispatch::dispatch_as_root(RuntimeOrigin::none(), set_heap_pages(64)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_failing_inner_call_is_reported_not_propagated() {
	new_test_ext().execute_with(|| {
		// `remark_with_event` needs a signed origin: as root it fails with BadOrigin.
		let call = Box::new(RuntimeCall::System(frame_system::Call::remark_with_event {
			remark: vec![1],
		}));
		assert_ok!(RootDispatch::dispatch_as_root(RuntimeOrigin::signed(GOVERNOR), call));
		assert_eq!(
			last_event(),
			RuntimeEvent::RootDispatch(Event::DispatchedAsRoot {
				result: Err(DispatchError::BadOrigin)
			})
		);
	});
}

#[test]
fn weight_is_overhead_plus_inner_call() {
	new_test_ext().execute_with(|| {
		let inner = set_heap_pages(64);
		let inner_weight = inner.get_dispatch_info().call_weight;
		let call = RuntimeCall::RootDispatch(crate::Call::dispatch_as_root { call: inner });
		let info = call.get_dispatch_info();
		let overhead = <() as WeightInfo>::dispatch_as_root();
		assert_eq!(info.call_weight, overhead + inner_weight);
		assert!(inner_weight.any_gt(Weight::zero()));

		let post = call.dispatch(RuntimeOrigin::signed(GOVERNOR)).expect("dispatches");
		assert_eq!(post.actual_weight, Some(overhead + inner_weight));
		assert_eq!(post.pays_fee, Pays::Yes);
	});
}
