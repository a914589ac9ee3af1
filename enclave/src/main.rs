//! `aos-enclave`: the AOS program for AWS Nitro enclaves (TEE mode), and the tools around it.
//!
//! ```text
//! aos-enclave verify-attestation --doc FILE --root FILE [--at UNIX_MS] [--pcr0 HEX]
//! ```
//!
//! `verify-attestation` checks an attestation document with the code the chain runs
//! (`aos-nitro`): the COSE_Sign1 structure, the ES384 signature, the certificate chain to the
//! root given (DER or PEM), every certificate valid at the document's own timestamp unless
//! `--at` says another instant. It prints the module id, the timestamp, PCR0 to PCR2 and the
//! public key, then the verdict, for scripts:
//!
//! - `valid`, exit code 0;
//! - `invalid: <reason>`, exit code 1: the document parses and fails a check (or its PCR0 is
//!   not `--pcr0`);
//! - a message naming the file on stderr, exit code 2: a file that cannot be read, a root that
//!   is not a certificate, or a document that is not a COSE_Sign1 attestation document at all
//!   (2 is also clap's code for bad arguments).

mod verify_attestation;

use clap::{Parser, Subcommand};
use std::{path::PathBuf, process::ExitCode};

#[derive(Parser)]
#[command(version, about = "The AOS program for AWS Nitro enclaves, and its tools")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Verifies a Nitro attestation document against a root certificate; prints its fields and
	/// `valid` (exit code 0) or `invalid: <reason>` (exit code 1).
	VerifyAttestation {
		/// The attestation document: COSE_Sign1 bytes, as the NSM returns them.
		#[arg(long)]
		doc: PathBuf,
		/// The trusted root certificate, DER or PEM (AWS's: the Nitro Enclaves Root-G1).
		#[arg(long)]
		root: PathBuf,
		/// Verify at this instant (Unix milliseconds) instead of the document's timestamp.
		#[arg(long, value_name = "UNIX_MS")]
		at: Option<u64>,
		/// Also require PCR0 (the enclave image's measurement) to be this, in hex.
		#[arg(long, value_name = "HEX")]
		pcr0: Option<String>,
	},
}

fn main() -> ExitCode {
	match Cli::parse().command {
		Command::VerifyAttestation { doc, root, at, pcr0 } => {
			verify_attestation::run(&verify_attestation::Args { doc, root, at, pcr0 })
		},
	}
}
