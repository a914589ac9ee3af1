//! The fuzz harness: what the target does with its input. The cargo-fuzz target
//! (`fuzz_targets/document.rs`) calls it under libFuzzer on nightly; aos-nitro's
//! `tests/attestation/fuzz_harness.rs` includes this file and calls it on pseudo-random
//! mutations of the real AWS document and a simulated one, on stable, so CI runs it too.
//!
//! It fails only by panicking: the verifier must turn every input into `Ok` or `Err`, and
//! must accept nothing but the real document under AWS's root.

use aos_nitro::{verify, AttestationDocument, Crypto, Pure, TrustedRoots};

/// AWS's real document, the time it verifies at and AWS's root.
pub const AWS_DOCUMENT: &[u8] =
	include_bytes!("../../test-vectors/valid_attestation_2024-07-31.cbor");
pub const AWS_DOCUMENT_AT_MS: u64 = 1_722_455_771_686;
pub const AWS_ROOT: &[u8] = include_bytes!("../../test-vectors/aws_nitro_root_g1.der");

/// Arbitrary bytes as an attestation document: verified under AWS's root at the real
/// document's time (accepted only if they are the real document, byte for byte), and its
/// payload parser run on them directly.
pub fn document(data: &[u8]) {
	let roots = [Pure::sha256(AWS_ROOT)];
	if verify::<Pure>(data, &TrustedRoots(&roots), AWS_DOCUMENT_AT_MS).is_ok() {
		assert_eq!(data, AWS_DOCUMENT, "bytes other than AWS's document were accepted");
	}
	let _ = AttestationDocument::parse(data);
}
