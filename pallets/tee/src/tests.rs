//! Registration against real AWS documents and the simulated NSM's; governance; revocation.

use crate::{mock::*, *};
use aos_inference_primitives::{account_bytes, tee::enclave_binding};
use aos_nitro::{
	simulated::{AttestationRequest, SimulatedCa},
	Crypto, Pure,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold, BoundedVec};
use sp_runtime::DispatchError;

const AWS_DOCUMENT: &[u8] =
	include_bytes!("../../../primitives/nitro/test-vectors/valid_attestation_2024-07-31.cbor");
const AWS_DOCUMENT_AT_MS: u64 = 1_722_455_771_686;
const AWS_ROOT: &[u8] =
	include_bytes!("../../../primitives/nitro/test-vectors/aws_nitro_root_g1.der");
const MODEL: ModelId = H256([7; 32]);
const OTHER_MODEL: ModelId = H256([8; 32]);
const NOW_MS: u64 = 1_800_000_000_000;

fn pcrs_of(doc: &[u8]) -> [Pcr; 3] {
	let sign1 = aos_nitro::cose::Sign1::parse(doc).unwrap();
	let d = aos_nitro::AttestationDocument::parse(sign1.payload).unwrap();
	[0, 1, 2].map(|i| d.pcrs.get(i).unwrap().try_into().unwrap())
}

fn allow(pcrs: [Pcr; 3], models: Vec<ModelId>) -> ImageId {
	assert_ok!(Tee::allow_image(RuntimeOrigin::root(), pcrs, BoundedVec::truncate_from(models)));
	image_id(&pcrs)
}

fn doc(bytes: &[u8]) -> BoundedVec<u8, <Test as Config>::MaxDocumentLen> {
	BoundedVec::truncate_from(bytes.to_vec())
}

/// The simulated enclave's image.
const PCRS: [Pcr; 3] = [[1; 48], [2; 48], [3; 48]];

/// What an enclave of `PCRS` asks its NSM for, bound to `operator` on the mock chain.
fn request(operator: AccountId, key: [u8; 32]) -> AttestationRequest {
	let genesis = Tee::genesis_hash();
	AttestationRequest {
		module_id: format!("i-0000000000000000{operator}-enc0000000000000000"),
		pcrs: PCRS.iter().enumerate().map(|(i, p)| (i as u8, p.to_vec())).collect(),
		public_key: Some(key.to_vec()),
		user_data: Some(enclave_binding(&genesis, &account_bytes(&operator)).to_vec()),
		nonce: None,
	}
}

fn dev_ca() -> SimulatedCa {
	SimulatedCa::dev().unwrap()
}

fn simulated_ext() -> sp_io::TestExternalities {
	new_test_ext(vec![dev_ca().root_fingerprint()])
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| if let RuntimeEvent::Tee(e) = r.event { Some(e) } else { None })
		.unwrap()
}

#[test]
fn the_real_aws_document_passes_every_attestation_check() {
	new_test_ext(vec![Pure::sha256(AWS_ROOT)]).execute_with(|| {
		set_now(AWS_DOCUMENT_AT_MS + 60_000);
		allow(pcrs_of(AWS_DOCUMENT), vec![MODEL]);
		// The chain, signatures, freshness and PCRs all pass: what stops it is the one rule a
		// document made off this chain cannot meet, the binding of the caller's account.
		assert_noop!(
			Tee::register_enclave(RuntimeOrigin::signed(1), doc(AWS_DOCUMENT)),
			Error::<Test>::BindingMismatch
		);
	});
}

#[test]
fn tampered_stale_and_foreign_real_documents_are_refused_earlier() {
	new_test_ext(vec![Pure::sha256(AWS_ROOT)]).execute_with(|| {
		set_now(AWS_DOCUMENT_AT_MS + 60_000);
		let register = |bytes: &[u8]| Tee::register_enclave(RuntimeOrigin::signed(1), doc(bytes));
		// Its PCRs are not allowed yet.
		assert_noop!(register(AWS_DOCUMENT), Error::<Test>::ImageNotAllowed);
		allow(pcrs_of(AWS_DOCUMENT), vec![MODEL]);
		let mut signature = AWS_DOCUMENT.to_vec();
		*signature.last_mut().unwrap() ^= 1;
		assert_noop!(register(&signature), Error::<Test>::BadSignature);
		let mut cut = AWS_DOCUMENT.to_vec();
		cut.truncate(1000);
		assert_noop!(register(&cut), Error::<Test>::MalformedDocument);
		// A day later it is stale (its chain was valid when it was made).
		set_now(AWS_DOCUMENT_AT_MS + 24 * 3_600_000);
		assert_noop!(register(AWS_DOCUMENT), Error::<Test>::StaleDocument);
		// Before it was made, by more than the clock skew.
		set_now(AWS_DOCUMENT_AT_MS - MAX_CLOCK_SKEW_MS - 1);
		assert_noop!(register(AWS_DOCUMENT), Error::<Test>::FutureDocument);
		// Under another root.
		set_now(AWS_DOCUMENT_AT_MS + 60_000);
		assert_ok!(Tee::set_trusted_roots(
			RuntimeOrigin::root(),
			BoundedVec::truncate_from(vec![dev_ca().root_fingerprint()])
		));
		assert_noop!(register(AWS_DOCUMENT), Error::<Test>::UntrustedRoot);
	});
}

#[test]
fn an_enclave_registers_and_serves_its_images_models() {
	simulated_ext().execute_with(|| {
		set_now(NOW_MS);
		let image = allow(PCRS, vec![MODEL]);
		let key = [0xed; 32];
		let document = dev_ca().attest(&request(1, key), NOW_MS - 1000).unwrap();
		assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(1), doc(&document)));
		let expires_at_ms = (NOW_MS - 1000) / 1000 * 1000 + 3 * 3_600_000;
		assert_eq!(
			last_event(),
			Event::EnclaveRegistered {
				operator: 1,
				key: ed25519::Public::from_raw(key),
				image,
				expires_at_ms,
				newly_verified: 3,
			}
		);
		assert_eq!(Balances::balance_on_hold(&HoldReason::EnclaveDeposit.into(), &1), 500);
		assert_eq!(Tee::enclave_for(&1, &MODEL), Some(ed25519::Public::from_raw(key)));
		assert_eq!(Tee::enclave_for(&1, &OTHER_MODEL), None);
		assert_eq!(Tee::enclave_for(&2, &MODEL), None);
		// When its chain expires, so does the key.
		set_now(expires_at_ms + 1);
		assert_eq!(Tee::enclave_for(&1, &MODEL), None);
		Tee::do_try_state().unwrap();
	});
}

#[test]
fn a_later_registration_checks_only_the_new_certificates() {
	simulated_ext().execute_with(|| {
		set_now(NOW_MS);
		allow(PCRS, vec![MODEL]);
		let first = dev_ca().attest(&request(1, [1; 32]), NOW_MS).unwrap();
		assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(1), doc(&first)));
		assert_eq!(CachedCertificates::<Test>::count(), 3);
		// Renewal, and another operator's enclave from the same CA: only the leaf is new.
		set_now(NOW_MS + 3_600_000);
		for who in [1, 2] {
			let renewal = dev_ca().attest(&request(who, [who as u8; 32]), NOW_MS + 3_599_000);
			assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(who), doc(&renewal.unwrap())));
			assert!(matches!(last_event(), Event::EnclaveRegistered { newly_verified: 0, .. }));
		}
		// A renewal holds no second deposit.
		assert_eq!(Balances::balance_on_hold(&HoldReason::EnclaveDeposit.into(), &1), 500);
		assert_eq!(CachedCertificates::<Test>::count(), 3);
		Tee::do_try_state().unwrap();
	});
}

#[test]
fn the_cache_stays_within_its_bound() {
	simulated_ext().execute_with(|| {
		MaxCachedCertificates::set(2);
		set_now(NOW_MS);
		allow(PCRS, vec![MODEL]);
		let document = dev_ca().attest(&request(1, [1; 32]), NOW_MS).unwrap();
		assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(1), doc(&document)));
		assert_eq!(CachedCertificates::<Test>::count(), 2);
		Tee::do_try_state().unwrap();
	});
}

#[test]
fn a_document_bound_to_another_account_is_refused() {
	simulated_ext().execute_with(|| {
		set_now(NOW_MS);
		allow(PCRS, vec![MODEL]);
		let for_two = dev_ca().attest(&request(2, [2; 32]), NOW_MS).unwrap();
		assert_noop!(
			Tee::register_enclave(RuntimeOrigin::signed(1), doc(&for_two)),
			Error::<Test>::BindingMismatch
		);
		// Bound to account 10 on this chain, but 10 is not an operator.
		let for_ten = dev_ca().attest(&request(10, [3; 32]), NOW_MS).unwrap();
		assert_noop!(
			Tee::register_enclave(RuntimeOrigin::signed(10), doc(&for_ten)),
			Error::<Test>::NotAnOperator
		);
		// No user data, or a key that is not ed25519.
		let mut unbound = request(1, [1; 32]);
		unbound.user_data = None;
		let unbound = dev_ca().attest(&unbound, NOW_MS).unwrap();
		assert_noop!(
			Tee::register_enclave(RuntimeOrigin::signed(1), doc(&unbound)),
			Error::<Test>::BindingMismatch
		);
		let mut long_key = request(1, [1; 32]);
		long_key.public_key = Some(vec![1; 33]);
		let long_key = dev_ca().attest(&long_key, NOW_MS).unwrap();
		assert_noop!(
			Tee::register_enclave(RuntimeOrigin::signed(1), doc(&long_key)),
			Error::<Test>::NotAnEd25519Key
		);
	});
}

#[test]
fn a_simulated_document_is_refused_where_only_aws_is_trusted() {
	new_test_ext(vec![Pure::sha256(AWS_ROOT)]).execute_with(|| {
		set_now(NOW_MS);
		allow(PCRS, vec![MODEL]);
		let document = dev_ca().attest(&request(1, [1; 32]), NOW_MS).unwrap();
		assert_noop!(
			Tee::register_enclave(RuntimeOrigin::signed(1), doc(&document)),
			Error::<Test>::UntrustedRoot
		);
	});
}

#[test]
fn revoked_images_and_keys_stop_serving() {
	simulated_ext().execute_with(|| {
		set_now(NOW_MS);
		let image = allow(PCRS, vec![MODEL]);
		let d1 = dev_ca().attest(&request(1, [1; 32]), NOW_MS).unwrap();
		let d2 = dev_ca().attest(&request(2, [2; 32]), NOW_MS).unwrap();
		assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(1), doc(&d1)));
		assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(2), doc(&d2)));

		// A revoked key: the enclave is gone, its deposit back, and its document refused.
		assert_ok!(Tee::revoke_enclave(RuntimeOrigin::root(), 1));
		assert_eq!(Tee::enclave_for(&1, &MODEL), None);
		assert_eq!(Balances::balance_on_hold(&HoldReason::EnclaveDeposit.into(), &1), 0);
		assert_noop!(
			Tee::register_enclave(RuntimeOrigin::signed(1), doc(&d1)),
			Error::<Test>::KeyRevoked
		);
		// A new enclave (a new key) registers.
		let fresh = dev_ca().attest(&request(1, [11; 32]), NOW_MS).unwrap();
		assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(1), doc(&fresh)));

		// A revoked image: no enclave of it serves or registers.
		assert_ok!(Tee::revoke_image(RuntimeOrigin::root(), image));
		assert_eq!(Tee::enclave_for(&1, &MODEL), None);
		assert_eq!(Tee::enclave_for(&2, &MODEL), None);
		assert_noop!(
			Tee::register_enclave(RuntimeOrigin::signed(2), doc(&d2)),
			Error::<Test>::ImageRevoked
		);
		// Allowed again, by governance's explicit act.
		allow(PCRS, vec![MODEL]);
		assert!(Tee::enclave_for(&2, &MODEL).is_some());
		Tee::do_try_state().unwrap();
	});
}

#[test]
fn an_operator_deregisters_and_gets_its_deposit_back() {
	simulated_ext().execute_with(|| {
		set_now(NOW_MS);
		allow(PCRS, vec![MODEL]);
		let d = dev_ca().attest(&request(3, [3; 32]), NOW_MS).unwrap();
		assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(3), doc(&d)));
		assert_ok!(Tee::deregister_enclave(RuntimeOrigin::signed(3)));
		assert_eq!(Balances::balance_on_hold(&HoldReason::EnclaveDeposit.into(), &3), 0);
		assert_noop!(
			Tee::deregister_enclave(RuntimeOrigin::signed(3)),
			Error::<Test>::UnknownEnclave
		);
	});
}

#[test]
fn only_governance_manages_roots_images_and_keys() {
	simulated_ext().execute_with(|| {
		let signed = RuntimeOrigin::signed(1);
		assert_noop!(
			Tee::set_trusted_roots(signed.clone(), BoundedVec::default()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Tee::allow_image(signed.clone(), PCRS, BoundedVec::default()),
			DispatchError::BadOrigin
		);
		assert_noop!(Tee::revoke_image(signed.clone(), image_id(&PCRS)), DispatchError::BadOrigin);
		assert_noop!(Tee::revoke_enclave(signed.clone(), 2), DispatchError::BadOrigin);
		assert_noop!(Tee::set_max_document_age(signed, 1), DispatchError::BadOrigin);
		assert_noop!(
			Tee::set_trusted_roots(
				RuntimeOrigin::root(),
				BoundedVec::truncate_from(vec![[1; 32]; 2])
			),
			Error::<Test>::DuplicateRoot
		);
		assert_noop!(
			Tee::revoke_image(RuntimeOrigin::root(), image_id(&PCRS)),
			Error::<Test>::UnknownImage
		);
	});
}

/// The committed benchmark documents are what the simulated NSM makes from their parameters
/// (`AOS_WRITE_VECTORS=1` rewrites them), and each verifies.
#[test]
fn benchmark_vectors_are_what_the_simulated_nsm_makes() {
	use crate::benchmark_vectors as v;
	let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/benchmark-vectors");
	let write = std::env::var_os("AOS_WRITE_VECTORS").is_some();
	for n in 1..=aos_nitro::MAX_CHAIN_LEN as u32 {
		let ca = SimulatedCa::with_intermediates(v::SEED, n as usize - 1).unwrap();
		for account in [&[v::ACCOUNT_BYTE; 8][..], &[v::ACCOUNT_BYTE; 32][..]] {
			// As large as the parser allows where the pallet does not fix the field: the
			// longest module id and nonce, 32 PCRs (the three of the image, 48 bytes, and 29
			// more of 64).
			let request = AttestationRequest {
				module_id: "i".repeat(aos_nitro::document::bounds::MAX_MODULE_ID_LEN),
				pcrs: v::PCRS
					.iter()
					.map(|p| p.to_vec())
					.chain((3..32).map(|i| vec![i; 64]))
					.enumerate()
					.map(|(i, p)| (i as u8, p))
					.collect(),
				public_key: Some(v::KEY.to_vec()),
				user_data: Some(enclave_binding(&v::GENESIS, account).to_vec()),
				nonce: Some(vec![0x5a; aos_nitro::document::bounds::MAX_USER_DATA_LEN]),
			};
			let made = ca.attest(&request, v::TIME_MS).unwrap();
			let path = dir.join(format!("chain{n}-account{}.cbor", account.len()));
			if write {
				std::fs::write(&path, &made).unwrap();
			} else {
				let current = v::document(n, account.len()) == Some(&made[..]);
				assert!(current, "{} is stale", path.display());
			}
			let roots = [ca.root_fingerprint()];
			let verified =
				aos_nitro::verify::<Pure>(&made, &aos_nitro::TrustedRoots(&roots), v::TIME_MS)
					.unwrap();
			assert_eq!(verified.document.cabundle.len(), n as usize);
		}
	}
}

#[test]
fn a_result_is_accepted_only_under_a_live_enclave_key() {
	use aos_inference_primitives::tee::result_message;
	use sp_core::Pair;
	simulated_ext().execute_with(|| {
		set_now(NOW_MS);
		let image = allow(PCRS, vec![MODEL]);
		let enclave = sp_core::ed25519::Pair::from_seed(&[0x11; 32]);
		let document = dev_ca().attest(&request(1, enclave.public().0), NOW_MS).unwrap();
		assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(1), doc(&document)));

		let (input, output, top) = (H256([3; 32]), H256([4; 32]), vec![2, 0, 1]);
		let signature = enclave.sign(&result_message(9, &MODEL, &input, &output, &top));
		let check = |who, model: &ModelId, task, top: &[u32], sig: &ed25519::Signature| {
			Tee::check_result(&who, model, task, &input, &output, top, sig)
		};
		assert_eq!(check(1, &MODEL, 9, &top, &signature), Ok(()));
		// Another task, top list or operator: refused.
		assert_eq!(check(1, &MODEL, 10, &top, &signature), Err(ResultRejection::BadSignature));
		assert_eq!(check(1, &MODEL, 9, &[2, 1, 0], &signature), Err(ResultRejection::BadSignature));
		assert_eq!(check(2, &MODEL, 9, &top, &signature), Err(ResultRejection::NoEnclave));
		// A model the image may not run.
		let other = enclave.sign(&result_message(9, &OTHER_MODEL, &input, &output, &top));
		assert_eq!(check(1, &OTHER_MODEL, 9, &top, &other), Err(ResultRejection::NoEnclave));
		// Another key's signature.
		let stranger = sp_core::ed25519::Pair::from_seed(&[0x22; 32])
			.sign(&result_message(9, &MODEL, &input, &output, &top));
		assert_eq!(check(1, &MODEL, 9, &top, &stranger), Err(ResultRejection::BadSignature));
		// Once the image is revoked, results under it are refused.
		assert_ok!(Tee::revoke_image(RuntimeOrigin::root(), image));
		assert_eq!(check(1, &MODEL, 9, &top, &signature), Err(ResultRejection::NoEnclave));
	});
}

#[test]
fn a_full_cache_drops_its_expired_certificates_when_idle() {
	use frame_support::{traits::Hooks, weights::Weight};
	simulated_ext().execute_with(|| {
		MaxCachedCertificates::set(3);
		set_now(NOW_MS);
		allow(PCRS, vec![MODEL]);
		let document = dev_ca().attest(&request(1, [1; 32]), NOW_MS).unwrap();
		assert_ok!(Tee::register_enclave(RuntimeOrigin::signed(1), doc(&document)));
		assert_eq!(CachedCertificates::<Test>::count(), 3);
		// Full, but nothing has expired: nothing is dropped.
		Tee::on_idle(1, Weight::MAX);
		assert_eq!(CachedCertificates::<Test>::count(), 3);
		// Past the intermediates' validity (the dev CA's end in 2049): all three go, and not
		// when the block has no weight to spare.
		let expired = CachedCertificates::<Test>::iter_values().map(|c| c.not_after_ms).max();
		set_now(expired.unwrap() + 1);
		Tee::on_idle(1, Weight::zero());
		assert_eq!(CachedCertificates::<Test>::count(), 3);
		Tee::on_idle(1, Weight::MAX);
		assert_eq!(CachedCertificates::<Test>::count(), 0);
		Tee::do_try_state().unwrap();
	});
}
