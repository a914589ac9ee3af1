//! `aos-enclave`: the AOS program for AWS Nitro enclaves (TEE mode), and the tools around it.
//!
//! ```text
//! aos-enclave serve --vsock-port PORT [--fuel N]
//! aos-enclave serve --simulated-nsm (--tcp ADDR | --vsock-port PORT) [--fuel N]
//! aos-enclave measure --simulated
//! aos-enclave verify-attestation --doc FILE --root FILE [--at UNIX_MS] [--pcr0 HEX]
//! ```
//!
//! `serve` is the enclave: it makes an ed25519 key that never leaves it, has the NSM attest the
//! key, loads models (kernel files, run in the kernel's wasm sandbox; ONNX models, run with
//! tract) and signs their results, answering the operator service over vsock with the protocol
//! of `aos-enclave-protocol` (docs/TEE.md). It prints `listening on <addr>` once bound. With
//! `--simulated-nsm` the NSM is a **SIMULATED** one, whose documents only dev and local chains
//! trust; only then may it listen on TCP.
//!
//! `measure --simulated` prints the simulated NSM's PCR0 to PCR2 for this executable, for a dev
//! chain to allow the image (`tee.allow_image`); a real image's PCRs come from
//! `nitro-cli build-enclave`.
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

mod models;
mod nsm;
mod server;
mod verify_attestation;

use clap::{ArgGroup, Args, Parser, Subcommand};
use sp_core::{ed25519, Pair};
use std::{net::SocketAddr, path::PathBuf, process::ExitCode, sync::Arc};

/// The operator service's default fuel for a kernel run (its `kernel.fuel`).
const DEFAULT_FUEL: u64 = 20_000_000_000;

#[derive(Parser)]
#[command(version, about = "The AOS program for AWS Nitro enclaves, and its tools")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Serves the operator service: attests the enclave's key, loads models, runs them and signs
	/// their results. Prints `listening on <addr>` once bound.
	Serve(ServeArgs),
	/// Prints the SIMULATED NSM's PCR0 to PCR2 for this executable (`pcrN <hex>` lines), for a
	/// dev chain's `tee.allow_image`.
	Measure {
		/// The simulated NSM's measurements (the only ones computed here: a real image's come
		/// from `nitro-cli build-enclave`).
		#[arg(long)]
		simulated: bool,
	},
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

#[derive(Args)]
#[command(group(ArgGroup::new("listen").required(true).args(["vsock_port", "tcp"])))]
struct ServeArgs {
	/// Listen on this vsock port, any CID: the real enclave (Linux).
	#[arg(long, value_name = "PORT")]
	vsock_port: Option<u32>,
	/// Listen on this TCP address (port 0 picks a free one). Only with --simulated-nsm: a real
	/// enclave has no network, and a TCP enclave is a test's.
	#[arg(long, value_name = "ADDR", requires = "simulated_nsm")]
	tcp: Option<SocketAddr>,
	/// Use a SIMULATED NSM instead of /dev/nsm: documents in AWS's format signed by the
	/// published dev CA, which proves nothing about hardware; only dev and local chains trust it.
	#[arg(long)]
	simulated_nsm: bool,
	/// The fuel each kernel model's run may use in the sandbox.
	#[arg(long, default_value_t = DEFAULT_FUEL)]
	fuel: u64,
}

fn main() -> ExitCode {
	match Cli::parse().command {
		Command::Serve(args) => match serve(&args) {
			Ok(()) => ExitCode::SUCCESS,
			Err(e) => {
				eprintln!("aos-enclave serve: {e}");
				ExitCode::FAILURE
			},
		},
		Command::Measure { simulated } => measure(simulated),
		Command::VerifyAttestation { doc, root, at, pcr0 } => {
			verify_attestation::run(&verify_attestation::Args { doc, root, at, pcr0 })
		},
	}
}

fn serve(args: &ServeArgs) -> Result<(), String> {
	// Made here from OS randomness; it never leaves this process.
	let (key, _) = ed25519::Pair::generate();
	let public_key = key.public().0;
	let nsm: Box<dyn nsm::Nsm> = if args.simulated_nsm {
		eprintln!(
			"aos-enclave: SIMULATED NSM: attestation documents are signed by the published dev \
			 CA; they prove nothing about hardware and only dev and local chains trust them"
		);
		Box::new(nsm::SimulatedNsm::new(&public_key)?)
	} else {
		real_nsm()?
	};
	let listen = match (args.tcp, args.vsock_port) {
		(Some(addr), _) => server::Listen::Tcp(addr),
		(None, Some(port)) => server::Listen::Vsock { port },
		(None, None) => return Err("--vsock-port or --tcp is required".into()),
	};
	eprintln!("aos-enclave: enclave key {}", hex::encode(public_key));
	let enclave = server::Enclave::new(key, nsm, args.fuel)?;
	server::serve(Arc::new(enclave), listen)
}

#[cfg(target_os = "linux")]
fn real_nsm() -> Result<Box<dyn nsm::Nsm>, String> {
	Ok(Box::new(nsm::NitroNsm::open()?))
}

#[cfg(not(target_os = "linux"))]
fn real_nsm() -> Result<Box<dyn nsm::Nsm>, String> {
	Err("the Nitro Secure Module exists only in a Nitro enclave, on Linux".into())
}

fn measure(simulated: bool) -> ExitCode {
	if !simulated {
		eprintln!(
			"aos-enclave measure: only --simulated is measured here; a real image's PCRs are \
			 printed by `nitro-cli build-enclave` (docs/TEE.md)"
		);
		return ExitCode::from(2);
	}
	match nsm::simulated_pcrs() {
		Ok(pcrs) => {
			for (i, pcr) in pcrs.iter().enumerate() {
				println!("pcr{i} {}", hex::encode(pcr));
			}
			ExitCode::SUCCESS
		},
		Err(e) => {
			eprintln!("aos-enclave measure: {e}");
			ExitCode::FAILURE
		},
	}
}
