//! AWS's own documents: accepted at their time under AWS's root, and nothing else.

use crate::*;
use aos_nitro::{verify, Crypto, Error, Pure, TrustedRoots};

const DAY_MS: u64 = 24 * 3600 * 1000;

fn aws_root() -> Fingerprint {
	fingerprint(AWS_ROOT_FINGERPRINT)
}

#[test]
fn the_committed_root_is_the_one_aws_publishes() {
	assert_eq!(Pure::sha256(AWS_ROOT), aws_root());
}

#[test]
fn a_real_document_verifies_at_its_own_time_under_the_aws_root() {
	let roots = [aws_root()];
	let verified = verify::<Pure>(VALID, &TrustedRoots(&roots), VALID_AT_MS).unwrap();
	let doc = &verified.document;
	assert_eq!(doc.module_id, "i-0809070ca8037095f-enc01910a5cff6ce304");
	assert_eq!(doc.timestamp_ms, VALID_AT_MS);
	assert_eq!(
		hex::encode(doc.pcrs.get(0).unwrap()),
		"a873085089ae5e3c3c491c8e1e0ab46a713f4314b3c6401abb599ca36060922a3d6fc2a3e84d198a2131e80c60959bb3"
	);
	assert_eq!(
		hex::encode(doc.pcrs.get(1).unwrap()),
		"4b4d5b3661b3efc12920900c80e126e4ce783c522de6c02a2a5bf7af3a2b9327b86776f188e4be1c1c404a129dbda493"
	);
	assert_eq!(
		hex::encode(doc.pcrs.get(2).unwrap()),
		"e1853b9c159778310885479b764c0b277125ceca4688d858e0d9180c26fcc710141220ad7482bd524f3adefd5ff2af0f"
	);
	assert_eq!(
		hex::encode(doc.user_data.unwrap()),
		"12207e991a88fee0f1797486f4520d2a74f6616d94cc6018442fa67e6330ab91e9f5\
		 12200000000000000000000000000000000000000000000000000000000000000000"
	);
	assert_eq!(hex::encode(doc.nonce.unwrap()), "0000000000000000000000000000000000000001");
	assert_eq!(doc.public_key.map(<[u8]>::len), Some(5));
	assert_eq!(doc.cabundle.len(), 4);
	assert_eq!(verified.root, aws_root());
	// The three intermediates were checked, and the leaf bounds the key's life: it was issued
	// at 19:56:08 UTC for three hours.
	assert_eq!(verified.newly_verified.len(), 3);
	assert_eq!(verified.valid_until_ms, 1_722_466_571_000);
}

#[test]
fn a_day_later_the_chain_has_expired() {
	let roots = [aws_root()];
	// The instance's CA (the bundle's last) lives about a day, and is checked before the leaf.
	assert_eq!(
		verify::<Pure>(VALID, &TrustedRoots(&roots), VALID_AT_MS + DAY_MS),
		Err(Error::CertificateNotValid(3))
	);
	// Three hours and a bit later only the leaf has expired.
	assert_eq!(
		verify::<Pure>(VALID, &TrustedRoots(&roots), 1_722_466_571_001),
		Err(Error::CertificateNotValid(4))
	);
	// And before the leaf was issued.
	assert_eq!(
		verify::<Pure>(VALID, &TrustedRoots(&roots), VALID_AT_MS - 3_700_000),
		Err(Error::CertificateNotValid(4))
	);
}

#[test]
fn under_another_root_it_is_refused() {
	let other = [[7u8; 32]];
	assert_eq!(
		verify::<Pure>(VALID, &TrustedRoots(&other), VALID_AT_MS),
		Err(Error::UntrustedRoot)
	);
	assert_eq!(verify::<Pure>(VALID, &TrustedRoots(&[]), VALID_AT_MS), Err(Error::UntrustedRoot));
}

#[test]
fn the_invalid_signature_document_is_refused() {
	let roots = [aws_root()];
	assert_eq!(
		verify::<Pure>(INVALID_SIGNATURE, &TrustedRoots(&roots), INVALID_SIGNATURE_AT_MS),
		Err(Error::Signature)
	);
}

/// One flipped bit in every byte of the document (bit `i % 8` of byte `i`): in the COSE
/// structure, the protected header, the payload (module id, PCRs, every certificate, the keys)
/// or the signature. Every one is refused; none panics.
#[test]
fn a_flipped_bit_anywhere_is_refused() {
	let roots = [aws_root()];
	let trust = TrustedRoots(&roots);
	let mut reasons: HashMap<String, usize> = HashMap::new();
	for i in 0..VALID.len() {
		let mut doc = VALID.to_vec();
		doc[i] ^= 1 << (i % 8);
		match verify::<Pure>(&doc, &trust, VALID_AT_MS) {
			Ok(_) => panic!("byte {i} flipped, and the document still verifies"),
			Err(e) => *reasons.entry(format!("{e:?}")).or_default() += 1,
		}
	}
	// The flips land everywhere: parsing, the root's fingerprint, each certificate's signature
	// and the document's signature each refuse some.
	for reason in ["MalformedCose", "UntrustedRoot", "Signature", "CertificateSignature(4)"] {
		assert!(reasons.contains_key(reason), "no flip refused as {reason}: {reasons:?}");
	}
}

#[test]
fn cached_intermediates_are_not_checked_again() {
	let mut cache = Cache::trusting(aws_root());
	let first = verify::<Pure>(VALID, &cache, VALID_AT_MS).unwrap();
	for c in &first.newly_verified {
		cache.certificates.insert(c.fingerprint, *c);
	}
	let second = verify::<Pure>(VALID, &cache, VALID_AT_MS).unwrap();
	assert!(second.newly_verified.is_empty());
	assert_eq!(second.valid_until_ms, first.valid_until_ms);
	assert_eq!(second.document, first.document);

	// The cache only vouches for what it says: an entry for another root, or past its window,
	// is not used (everything is checked again).
	let mut other_root = Cache::trusting(aws_root());
	for c in &first.newly_verified {
		other_root.certificates.insert(c.fingerprint, CachedCertificate { root: [9; 32], ..*c });
	}
	assert_eq!(verify::<Pure>(VALID, &other_root, VALID_AT_MS).unwrap().newly_verified.len(), 3);
	let mut expired = Cache::trusting(aws_root());
	for c in &first.newly_verified {
		expired
			.certificates
			.insert(c.fingerprint, CachedCertificate { not_after_ms: VALID_AT_MS - 1, ..*c });
	}
	assert_eq!(verify::<Pure>(VALID, &expired, VALID_AT_MS).unwrap().newly_verified.len(), 3);
	// Nor does a cache make an untrusted root trusted.
	let untrusted = Cache { certificates: cache.certificates.clone(), ..Cache::default() };
	assert_eq!(verify::<Pure>(VALID, &untrusted, VALID_AT_MS), Err(Error::UntrustedRoot));
}

#[test]
fn truncated_and_oversized_documents_are_refused() {
	let roots = [aws_root()];
	let trust = TrustedRoots(&roots);
	for len in [0, 1, 10, 100, VALID.len() / 2, VALID.len() - 1] {
		assert!(verify::<Pure>(&VALID[..len], &trust, VALID_AT_MS).is_err(), "{len} bytes");
	}
	let mut longer = VALID.to_vec();
	longer.push(0);
	assert_eq!(verify::<Pure>(&longer, &trust, VALID_AT_MS), Err(Error::MalformedCose));
	let huge = vec![0u8; aos_nitro::MAX_DOCUMENT_LEN + 1];
	assert_eq!(verify::<Pure>(&huge, &trust, VALID_AT_MS), Err(Error::TooLarge));
}
