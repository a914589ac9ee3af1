//! `aos-enclave verify-attestation`: one document, one root, the chain's own verifier.

use aos_nitro::{cose::Sign1, verify, AttestationDocument, Crypto, Pure, TrustedRoots};
use std::{path::PathBuf, process::ExitCode, time::Duration};
use x509_cert::der::{Decode, DecodePem, Encode};

pub struct Args {
	pub doc: PathBuf,
	pub root: PathBuf,
	pub at: Option<u64>,
	pub pcr0: Option<String>,
}

/// Why the verdict is not `valid`.
enum Failure {
	/// The document parses and fails a check.
	Invalid(String),
	/// A file cannot be read or is not what it should be.
	Input(String),
}

pub fn run(args: &Args) -> ExitCode {
	match check(args) {
		Ok(()) => {
			println!("valid");
			ExitCode::SUCCESS
		},
		Err(Failure::Invalid(reason)) => {
			println!("invalid: {reason}");
			ExitCode::from(1)
		},
		Err(Failure::Input(message)) => {
			eprintln!("aos-enclave: {message}");
			ExitCode::from(2)
		},
	}
}

fn check(args: &Args) -> Result<(), Failure> {
	let read = |path: &PathBuf| {
		std::fs::read(path)
			.map_err(|e| Failure::Input(format!("{}: cannot read it: {e}", path.display())))
	};
	let root = root_der(&read(&args.root)?)
		.map_err(|e| Failure::Input(format!("{}: not a certificate: {e}", args.root.display())))?;
	let pcr0 = args
		.pcr0
		.as_deref()
		.map(|h| hex::decode(h.trim_start_matches("0x")))
		.transpose()
		.map_err(|e| Failure::Input(format!("--pcr0: not hex: {e}")))?;
	let bytes = read(&args.doc)?;
	let not_a_document =
		|e: aos_nitro::Error| Failure::Input(format!("{}: {e}", args.doc.display()));
	if bytes.len() > aos_nitro::MAX_DOCUMENT_LEN {
		return Err(not_a_document(aos_nitro::Error::TooLarge));
	}
	let document = Sign1::parse(&bytes)
		.and_then(|sign1| AttestationDocument::parse(sign1.payload))
		.map_err(not_a_document)?;

	println!("module_id:  {}", document.module_id);
	println!("timestamp:  {} ({})", document.timestamp_ms, utc(document.timestamp_ms));
	for i in 0..3 {
		println!("pcr{i}:       {}", document.pcrs.get(i).map(hex::encode).unwrap_or_default());
	}
	match document.public_key {
		Some(key) => println!("public_key: {}", hex::encode(key)),
		None => println!("public_key: (none)"),
	}
	let at = args.at.unwrap_or(document.timestamp_ms);
	println!("checked at: {at} ({})", utc(at));

	let roots = [Pure::sha256(&root)];
	let verified = verify::<Pure>(&bytes, &TrustedRoots(&roots), at)
		.map_err(|e| Failure::Invalid(e.to_string()))?;
	if let Some(expected) = pcr0 {
		if verified.document.pcrs.get(0) != Some(expected.as_slice()) {
			return Err(Failure::Invalid("PCR0 is not the one given with --pcr0".into()));
		}
	}
	println!("valid until: {} ({})", verified.valid_until_ms, utc(verified.valid_until_ms));
	Ok(())
}

/// The root's DER bytes, from a DER or PEM file; checked to be one certificate.
fn root_der(file: &[u8]) -> Result<Vec<u8>, String> {
	let certificate = if file.starts_with(b"-----BEGIN") {
		x509_cert::Certificate::from_pem(file).map_err(|e| e.to_string())?
	} else {
		x509_cert::Certificate::from_der(file).map_err(|e| e.to_string())?
	};
	certificate.to_der().map_err(|e| e.to_string())
}

/// `YYYY-MM-DD hh:mm:ss.mmm UTC` for Unix milliseconds (der's calendar, which the
/// certificates' times use too); the bare number past year 9999.
fn utc(ms: u64) -> String {
	let Ok(t) = x509_cert::der::DateTime::from_unix_duration(Duration::from_millis(ms)) else {
		return format!("{ms} ms");
	};
	format!(
		"{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC",
		t.year(),
		t.month(),
		t.day(),
		t.hour(),
		t.minutes(),
		t.seconds(),
		ms % 1000
	)
}

#[cfg(test)]
mod tests {
	#[test]
	fn utc_reads_like_the_documents_readme() {
		assert_eq!(super::utc(1_722_455_771_686), "2024-07-31 19:56:11.686 UTC");
		assert_eq!(super::utc(0), "1970-01-01 00:00:00.000 UTC");
		assert_eq!(super::utc(951_782_400_000), "2000-02-29 00:00:00.000 UTC");
	}
}
