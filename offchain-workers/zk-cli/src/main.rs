//! `aos-zk-cli`: verifies an ezkl proof against its verifying artifact (VKA) natively, with
//! the verifier the AOS runtime runs (the `aos-zk` library, arkworks in place of the node's
//! host functions).
//!
//! ```text
//! aos-zk-cli verify --vka vka.bin --proof proof.json
//! aos-zk-cli test-srs --k 15 --out kzg.srs
//! ```
//!
//! `vka.bin` is what `ezkl.create_evm_vka` writes; `proof.json` is ezkl's proof with its public
//! instances. The answer is on stdout and in the exit code, for scripts:
//!
//! - `valid`, exit code 0;
//! - `invalid: <reason>`, exit code 1: the files parse and the proof does not verify against
//!   the VKA (a false proof, or one for another circuit or other instances);
//! - a message naming the file on stderr, exit code 2: a file that cannot be read, or is not a
//!   VKA or a proof.json at all (2 is also clap's code for bad arguments).
//!
//! The verifier's steps, the size of its multi-scalar multiplication and the time taken go to
//! stderr.
//!
//! `test-srs` writes the devnet's *test* SRS (`aos_zk::test_srs`), in the format
//! `ezkl.setup` and `ezkl.prove` read, in place of `ezkl.gen_srs`'s random one: the same on
//! every machine, so that the development chains can trust its G2 points. Its secret is
//! public: anyone can forge proofs for circuits made with it. It prints the G2 points a VKA
//! made with it carries (hex) on stdout.

use aos_zk::{proof_json, verify, Pure, Vka};
use clap::{Parser, Subcommand};
use std::{
	path::{Path, PathBuf},
	process::ExitCode,
	time::Instant,
};

#[derive(Parser)]
#[command(version, about = "Verify ezkl proofs natively, with the verifier AOS runs on chain")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Verifies a proof and its instances (ezkl's proof.json) against a VKA (ezkl's vka.bin);
	/// prints `valid` (exit code 0) or `invalid: <reason>` (exit code 1).
	Verify {
		/// The verifying artifact, as `ezkl.create_evm_vka` writes it.
		#[arg(long)]
		vka: PathBuf,
		/// ezkl's proof.json: the proof and its public instances.
		#[arg(long)]
		proof: PathBuf,
	},
	/// Writes the devnet's test SRS for circuits of up to 2^k rows (never for production: its
	/// secret is public); prints the G2 points its VKAs carry.
	TestSrs {
		/// log2 of the rows: the circuit's logrows.
		#[arg(long)]
		k: u32,
		/// Where to write it.
		#[arg(long)]
		out: PathBuf,
	},
}

/// Why `verify` did not print `valid`.
enum Failure {
	/// The inputs parse and the proof does not verify.
	Invalid(aos_zk::Error),
	/// An input file cannot be read or is not what it should be.
	Input(String),
}

fn main() -> ExitCode {
	let (vka, proof) = match Cli::parse().command {
		Command::Verify { vka, proof } => (vka, proof),
		Command::TestSrs { k, out } => return test_srs(k, &out),
	};
	match run(&vka, &proof) {
		Ok(()) => {
			println!("valid");
			ExitCode::SUCCESS
		},
		Err(Failure::Invalid(e)) => {
			println!("invalid: {e}");
			ExitCode::from(1)
		},
		Err(Failure::Input(message)) => {
			eprintln!("aos-zk-cli: {message}");
			ExitCode::from(2)
		},
	}
}

fn run(vka: &Path, proof: &Path) -> Result<(), Failure> {
	let read = |path: &Path| {
		std::fs::read(path)
			.map_err(|e| Failure::Input(format!("{}: cannot read it: {e}", path.display())))
	};
	let vka_bytes = read(vka)?;
	let proof_bytes = read(proof)?;
	let parsed = Vka::parse(&vka_bytes)
		.map_err(|e| Failure::Input(format!("{}: not an ezkl VKA: {e}", vka.display())))?;
	let file = proof_json::parse(&proof_bytes)
		.map_err(|e| Failure::Input(format!("{}: not an ezkl proof.json: {e}", proof.display())))?;
	let start = Instant::now();
	let result = verify(&parsed, &file.proof, &file.instances, &Pure);
	let elapsed = start.elapsed();
	let stats = result.map_err(Failure::Invalid)?;
	eprintln!(
		"{} steps, a {}-term MSM, {:.1} ms",
		stats.steps,
		stats.msm_terms,
		elapsed.as_secs_f64() * 1e3
	);
	Ok(())
}

fn test_srs(k: u32, out: &Path) -> ExitCode {
	let write = || -> std::io::Result<()> {
		let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
		aos_zk::test_srs::write_params(aos_zk::test_srs::DEVNET_SEED, k, &mut file)?;
		std::io::Write::flush(&mut file)
	};
	match write() {
		Ok(()) => {
			let g2 = aos_zk::test_srs::srs_g2(aos_zk::test_srs::DEVNET_SEED);
			println!("0x{}", g2.iter().map(|b| format!("{b:02x}")).collect::<String>());
			ExitCode::SUCCESS
		},
		Err(e) => {
			eprintln!("aos-zk-cli: cannot write {}: {e}", out.display());
			ExitCode::from(2)
		},
	}
}
