//! The simulated NSM's documents: AWS's format, verified by the same code, trusted only where its
//! root is.

use crate::*;
use aos_nitro::{
	simulated::{AttestationRequest, SimulatedCa},
	verify, Crypto, Error, Pure, TrustedRoots,
};

const NOW_MS: u64 = 1_800_000_000_000;

fn request() -> AttestationRequest {
	AttestationRequest {
		module_id: "i-0123456789abcdef0-enc0123456789abcdef".into(),
		pcrs: (0..3).map(|i| (i, vec![i + 1; 48])).chain([(4, vec![0; 48])]).collect(),
		public_key: Some(vec![0xed; 32]),
		user_data: Some(b"operator account".to_vec()),
		nonce: None,
	}
}

#[test]
fn a_simulated_document_round_trips() {
	let ca = SimulatedCa::dev().unwrap();
	assert_eq!(Pure::sha256(ca.root_der()), ca.root_fingerprint());
	let doc = ca.attest(&request(), NOW_MS).unwrap();
	let roots = [ca.root_fingerprint()];
	let verified = verify::<Pure>(&doc, &TrustedRoots(&roots), NOW_MS).unwrap();
	let req = request();
	let d = &verified.document;
	assert_eq!(d.module_id, req.module_id);
	assert_eq!(d.timestamp_ms, NOW_MS);
	assert_eq!(d.pcrs.iter().map(|(i, v)| (i, v.to_vec())).collect::<Vec<_>>(), req.pcrs);
	assert_eq!(d.public_key, req.public_key.as_deref());
	assert_eq!(d.user_data, req.user_data.as_deref());
	assert_eq!(d.nonce, None);
	// AWS's shape: root and three intermediates in the bundle, a three-hour leaf.
	assert_eq!(d.cabundle.len(), 4);
	assert_eq!(verified.newly_verified.len(), 3);
	assert_eq!(verified.valid_until_ms, NOW_MS / 1000 * 1000 + 3 * 3600 * 1000);
	// Three hours later it has expired.
	assert_eq!(
		verify::<Pure>(&doc, &TrustedRoots(&roots), NOW_MS + 3 * 3600 * 1000 + 1000),
		Err(Error::CertificateNotValid(4))
	);
}

#[test]
fn the_dev_ca_is_reproducible_and_another_seed_is_not_trusted() {
	let dev = SimulatedCa::dev().unwrap();
	assert_eq!(SimulatedCa::dev().unwrap().root_fingerprint(), dev.root_fingerprint());
	let other = SimulatedCa::from_seed(b"someone else's CA").unwrap();
	assert_ne!(other.root_fingerprint(), dev.root_fingerprint());
	let doc = other.attest(&request(), NOW_MS).unwrap();
	let roots = [dev.root_fingerprint()];
	assert_eq!(verify::<Pure>(&doc, &TrustedRoots(&roots), NOW_MS), Err(Error::UntrustedRoot));
	// Nor does the AWS root trust the simulation.
	let aws = [fingerprint(AWS_ROOT_FINGERPRINT)];
	let dev_doc = dev.attest(&request(), NOW_MS).unwrap();
	assert_eq!(verify::<Pure>(&dev_doc, &TrustedRoots(&aws), NOW_MS), Err(Error::UntrustedRoot));
}

#[test]
fn the_longest_chain_verifies_and_a_longer_one_is_refused() {
	let longest = aos_nitro::MAX_CHAIN_LEN - 1;
	let ca = SimulatedCa::with_intermediates(b"deep", longest).unwrap();
	let doc = ca.attest(&request(), NOW_MS).unwrap();
	let roots = [ca.root_fingerprint()];
	let verified = verify::<Pure>(&doc, &TrustedRoots(&roots), NOW_MS).unwrap();
	assert_eq!(verified.document.cabundle.len(), aos_nitro::MAX_CHAIN_LEN);
	assert_eq!(verified.newly_verified.len(), longest);

	let too_deep = SimulatedCa::with_intermediates(b"deeper", longest + 1).unwrap();
	let doc = too_deep.attest(&request(), NOW_MS).unwrap();
	let roots = [too_deep.root_fingerprint()];
	assert_eq!(verify::<Pure>(&doc, &TrustedRoots(&roots), NOW_MS), Err(Error::ChainLength));
}

#[test]
fn the_published_fingerprints_are_the_roots() {
	assert_eq!(
		SimulatedCa::dev().unwrap().root_fingerprint(),
		aos_nitro::SIMULATED_DEV_ROOT_FINGERPRINT
	);
	assert_eq!(Pure::sha256(AWS_ROOT), aos_nitro::AWS_NITRO_ROOT_G1_FINGERPRINT);
}
