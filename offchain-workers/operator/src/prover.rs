//! Zk mode: the operator proves a task's inference with the real ezkl and the chain verifies
//! the proof (`pallet-zk-verifier`).
//!
//! ezkl runs as a subprocess: the pinned helper `offchain-workers/zk-prover/ezkl_helper.py`
//! (`prove`: witness, then proof) under the Python of the venv `setup-venv.sh` makes. Each
//! model's circuit is a directory that `ezkl_helper.py setup` wrote (settings, compiled
//! circuit, SRS, keys, `vka.bin`), found under the configured `circuits` directory by the
//! model's id (`0x…`). Before claiming a Zk task the operator checks that the circuit's VKA is
//! byte for byte the one the chain linked to the model; before submitting it checks the proof
//! itself, with the chain's own verifier ([`aos_zk::verify`]) and input binding: an invalid
//! proof from an assigned operator is slashed, so none is ever sent.

use crate::config::ZkConfig;
use aos_zk::{proof_json, Pure, Vka};
use sp_core::H256;
use std::{
	path::PathBuf,
	process::Stdio,
	time::{Duration, Instant},
};

/// A proof made and checked.
#[derive(Debug, Clone)]
pub struct Proved {
	pub proof: Vec<u8>,
	/// 32-byte big-endian field elements: the input, then the logits.
	pub instances: Vec<[u8; 32]>,
	pub logits: Vec<i32>,
	/// ezkl's own time in `prove` (as the helper measured around the call).
	pub ezkl_prove: Duration,
	/// ezkl's witness generation.
	pub ezkl_witness: Duration,
	/// The whole subprocess, as the operator waited for it.
	pub total: Duration,
}

/// The on-chain verifying key of a model: its VKA and input scale.
#[derive(Debug, Clone)]
pub struct ChainVk {
	pub vka: Vec<u8>,
	pub input_scale: u8,
}

/// Why a model's circuit cannot be used, or a proof was not made.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
	#[error("no circuit for model {model:?}: {path}: {source}")]
	NoCircuit { model: H256, path: PathBuf, source: std::io::Error },
	#[error(
		"{path} is not the verifying key the chain links to model {model:?}: a proof with it \
		 would be rejected (and slashed); run ezkl_helper.py setup for the model's circuit again"
	)]
	WrongVk { model: H256, path: PathBuf },
	/// A file of the task's work directory.
	#[error("{path}: {source}")]
	File { path: PathBuf, source: std::io::Error },
	#[error("ezkl did not prove within {0} s")]
	Timeout(u64),
	#[error("cannot run {python}: {source}")]
	Spawn { python: PathBuf, source: std::io::Error },
	#[error("ezkl_helper.py prove failed ({status}): {stderr}")]
	Failed { status: std::process::ExitStatus, stderr: String },
	#[error("ezkl_helper.py prove printed no {key}: {report}")]
	NoTiming { key: &'static str, report: String },
	#[error("ezkl's proof.json: {0}")]
	ProofFile(String),
	#[error("the chain's VKA: {0}")]
	ChainVka(aos_zk::Error),
	#[error("ezkl made a proof the chain would reject: {0}")]
	Rejected(aos_zk::Error),
	#[error("the proof's instances do not bind the task: {0:?}")]
	Binding(aos_inference_primitives::zk::binding::BindingError),
}

/// Runs ezkl for the models it has circuits of.
pub struct Prover {
	config: ZkConfig,
	work: PathBuf,
}

impl Prover {
	/// A prover that keeps its per-task files under `work`.
	pub fn new(config: ZkConfig, work: PathBuf) -> Prover {
		Prover { config, work }
	}

	/// Where model `id`'s circuit is.
	pub fn circuit_dir(&self, id: &H256) -> PathBuf {
		self.config.circuits.join(format!("0x{}", hex::encode(id.as_bytes())))
	}

	/// Whether this operator can prove tasks of `model`: it has the circuit, and its VKA is the
	/// one the chain links to the model.
	pub fn check_circuit(&self, model: &H256, chain: &ChainVk) -> Result<(), ProveError> {
		let path = self.circuit_dir(model).join("vka.bin");
		let local = match std::fs::read(&path) {
			Ok(local) => local,
			Err(source) => return Err(ProveError::NoCircuit { model: *model, path, source }),
		};
		if local != chain.vka {
			return Err(ProveError::WrongVk { model: *model, path });
		}
		Ok(())
	}

	/// Proves model `model` on `input` for task `task`, and checks the proof as the chain will.
	pub async fn prove(
		&self,
		task: u64,
		model: &H256,
		input: &[i8],
		chain: &ChainVk,
	) -> Result<Proved, ProveError> {
		self.check_circuit(model, chain)?;
		let file_error = |path: &std::path::Path| {
			let path = path.to_path_buf();
			move |source| ProveError::File { path, source }
		};
		let dir = self.work.join(format!("task-{task}"));
		std::fs::create_dir_all(&dir).map_err(file_error(&dir))?;
		let input_path = dir.join("input.json");
		let proof_path = dir.join("proof.json");
		// ezkl's input format; the circuit's input scale makes each value q the felt q·2^s.
		let json = format!(
			"{{\"input_data\": [[{}]]}}",
			input.iter().map(|q| q.to_string()).collect::<Vec<_>>().join(",")
		);
		std::fs::write(&input_path, json).map_err(file_error(&input_path))?;
		let _ = std::fs::remove_file(&proof_path);
		let started = Instant::now();
		let mut cmd = tokio::process::Command::new(&self.config.python);
		cmd.arg(&self.config.helper)
			.arg("prove")
			.arg("--dir")
			.arg(self.circuit_dir(model))
			.arg("--input")
			.arg(&input_path)
			.arg("--proof")
			.arg(&proof_path)
			.stdin(Stdio::null())
			.kill_on_drop(true);
		let out = tokio::time::timeout(Duration::from_secs(self.config.timeout_secs), cmd.output())
			.await
			.map_err(|_| ProveError::Timeout(self.config.timeout_secs))?
			.map_err(|source| ProveError::Spawn { python: self.config.python.clone(), source })?;
		let total = started.elapsed();
		if !out.status.success() {
			return Err(ProveError::Failed {
				status: out.status,
				stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
			});
		}
		let report = String::from_utf8_lossy(&out.stdout);
		let timing = |key: &'static str| {
			report
				.lines()
				.filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
				.find_map(|v| v.get(key).and_then(|t| t.as_u64()))
				.map(Duration::from_millis)
				.ok_or_else(|| ProveError::NoTiming { key, report: report.to_string() })
		};
		let (ezkl_prove, ezkl_witness) = (timing("prove_ms")?, timing("witness_ms")?);
		// ezkl has crashed at exit after good work, and could in principle write a bad file:
		// what counts is the file, checked.
		let bytes = std::fs::read(&proof_path).map_err(file_error(&proof_path))?;
		let file = proof_json::parse(&bytes).map_err(ProveError::ProofFile)?;
		let vka = Vka::parse(&chain.vka).map_err(ProveError::ChainVka)?;
		aos_zk::verify(&vka, &file.proof, &file.instances, &Pure).map_err(ProveError::Rejected)?;
		let logits = aos_inference_primitives::zk::binding::logits(
			input,
			chain.input_scale,
			&file.instances,
		)
		.map_err(ProveError::Binding)?;
		let _ = std::fs::remove_dir_all(&dir);
		Ok(Proved {
			proof: file.proof,
			instances: file.instances,
			logits,
			ezkl_prove,
			ezkl_witness,
			total,
		})
	}
}
