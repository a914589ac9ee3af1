//! `aos-enclave verify-attestation` as a script runs it: the real AWS document and root
//! (`primitives/nitro/test-vectors/`), its verdicts and exit codes.

use std::{
	path::{Path, PathBuf},
	process::{Command, Output},
};

const VALID_AT_MS: u64 = 1_722_455_771_686;

fn vector(name: &str) -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("../primitives/nitro/test-vectors").join(name)
}

fn verify_attestation(doc: &Path, root: &Path, extra: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_aos-enclave"))
		.arg("verify-attestation")
		.arg("--doc")
		.arg(doc)
		.arg("--root")
		.arg(root)
		.args(extra)
		.output()
		.unwrap()
}

fn stdout(o: &Output) -> String {
	String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A copy of the real document with `edit` applied, in a file of its own.
fn edited(name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
	let mut bytes = std::fs::read(vector("valid_attestation_2024-07-31.cbor")).unwrap();
	edit(&mut bytes);
	let dir = std::env::temp_dir().join(format!("aos-enclave-cli-{}", std::process::id()));
	std::fs::create_dir_all(&dir).unwrap();
	let path = dir.join(name);
	std::fs::write(&path, bytes).unwrap();
	path
}

#[test]
fn the_real_document_is_valid_at_its_own_time() {
	for root in ["aws_nitro_root_g1.der", "aws_nitro_root_g1.pem"] {
		let o =
			verify_attestation(&vector("valid_attestation_2024-07-31.cbor"), &vector(root), &[]);
		let out = stdout(&o);
		assert_eq!(o.status.code(), Some(0), "{root}: {out}");
		assert!(out.contains("module_id:  i-0809070ca8037095f-enc01910a5cff6ce304"), "{out}");
		assert!(out.contains("timestamp:  1722455771686 (2024-07-31 19:56:11.686 UTC)"), "{out}");
		assert!(out.contains("pcr0:       a873085089ae5e3c"), "{out}");
		assert!(out.lines().last() == Some("valid"), "{out}");
	}
}

#[test]
fn a_day_later_or_with_another_pcr0_it_is_invalid() {
	let doc = vector("valid_attestation_2024-07-31.cbor");
	let root = vector("aws_nitro_root_g1.der");
	let later = (VALID_AT_MS + 24 * 3600 * 1000).to_string();
	let o = verify_attestation(&doc, &root, &["--at", &later]);
	assert_eq!(o.status.code(), Some(1));
	assert!(stdout(&o).contains("invalid: certificate 3 is not valid"), "{}", stdout(&o));

	let pcr0 = "a873085089ae5e3c3c491c8e1e0ab46a713f4314b3c6401abb599ca36060922a3d6fc2a3e84d198a2131e80c60959bb3";
	assert_eq!(verify_attestation(&doc, &root, &["--pcr0", pcr0]).status.code(), Some(0));
	let o = verify_attestation(&doc, &root, &["--pcr0", &"00".repeat(48)]);
	assert_eq!(o.status.code(), Some(1));
	assert!(stdout(&o).contains("invalid: PCR0"), "{}", stdout(&o));
}

#[test]
fn tampered_and_badly_signed_documents_are_invalid() {
	let root = vector("aws_nitro_root_g1.der");
	let signature = edited("signature.cbor", |b| *b.last_mut().unwrap() ^= 1);
	let o = verify_attestation(&signature, &root, &[]);
	assert_eq!(o.status.code(), Some(1));
	assert!(stdout(&o).contains("invalid: the COSE signature does not verify"), "{}", stdout(&o));

	let o =
		verify_attestation(&vector("invalid_signature_attestation_2024-07-23.cbor"), &root, &[]);
	assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
	assert!(stdout(&o).contains("pcr0:       000000"), "{}", stdout(&o));
}

#[test]
fn unreadable_or_unparsable_files_exit_2() {
	let doc = vector("valid_attestation_2024-07-31.cbor");
	let root = vector("aws_nitro_root_g1.der");
	let missing = verify_attestation(Path::new("/nonexistent/doc.cbor"), &root, &[]);
	assert_eq!(missing.status.code(), Some(2));
	assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read it"));

	let garbage = edited("garbage.cbor", |b| b.truncate(100));
	assert_eq!(verify_attestation(&garbage, &root, &[]).status.code(), Some(2));
	// A document is not a root certificate.
	assert_eq!(verify_attestation(&doc, &doc, &[]).status.code(), Some(2));
	assert_eq!(verify_attestation(&doc, &root, &["--pcr0", "xyz"]).status.code(), Some(2));
}
