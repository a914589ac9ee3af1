//! `aos-cli`: register a model, submit an inference task and wait for its verified result, and
//! read tasks, models and operators, against an `aos-node` (docs/RPC.md).
//!
//! ```text
//! aos-cli --suri //Alice model register models/iris/iris.aosm --price 1
//! aos-cli --suri //Alice task submit --model 0x… --input 12,-3,127,0 --fee 3 --redundancy 3 --wait
//! aos-cli --suri //Alice zk register-vk vka.bin            # an ezkl verifying key
//! aos-cli --suri //Alice zk link --model 0x… --vk 0x… --input-scale 7
//! aos-cli --suri //Alice task submit --model 0x… --input 82,56,23,3 --fee 3 --mode zk --wait
//! aos-cli --suri //Alice tee allow-image --pcr0 … --pcr1 … --pcr2 … --model 0x…
//! aos-cli --suri //Alice task submit --model 0x… --input 82,56,23,3 --fee 3 --mode tee --wait
//! aos-cli --suri //Alice task submit --model 0x… --input 82,56,23,3 --fee 3 --mode optimistic \
//!   --redundancy 1 --wait
//! aos-cli task show 0
//! aos-cli operator show 5FHneW46…
//! ```

use aos_client::{
	format_aos, parse_aos,
	runtime::{AccountId, Runtime, RuntimeEvent},
	Chain, ModeView, StatusView, TaskView,
};
use clap::{Parser, Subcommand};
use pallet_inference::{LayerCommitment, TaskInput, VerificationMode};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::BoundedVec;
use std::{path::PathBuf, process::ExitCode, time::Duration};

#[derive(Parser)]
#[command(version, about = "Submit inference tasks to AOS and read their verified results")]
struct Cli {
	/// The node's WebSocket JSON-RPC endpoint.
	#[arg(long, global = true, default_value = "ws://127.0.0.1:9944", env = "AOS_RPC_URL")]
	url: String,
	/// The signing account's secret URI (a `0x` seed, a mnemonic, or `//Alice` on dev chains);
	/// needed by the commands that send transactions.
	#[arg(long, global = true, env = "AOS_SURI", hide_env_values = true)]
	suri: Option<String>,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Models.
	#[command(subcommand)]
	Model(ModelCommand),
	/// Inference tasks.
	#[command(subcommand)]
	Task(TaskCommand),
	/// Operators.
	#[command(subcommand)]
	Operator(OperatorCommand),
	/// Zk mode: ezkl verifying keys and their models.
	#[command(subcommand)]
	Zk(ZkCommand),
	/// TEE mode: the enclave images governance allows (sent through `Sudo.sudo`: the dev and
	/// local chains, whose sudo key `--suri` must be; elsewhere a council motion).
	#[command(subcommand)]
	Tee(TeeCommand),
}

#[derive(Subcommand)]
enum TeeCommand {
	/// Allows an enclave image, by its PCR0-2 (`nitro-cli describe-eif`, or `aos-enclave
	/// measure --simulated` for the simulated enclave), to run `--model`s. Prints its id.
	AllowImage {
		#[arg(long, value_parser = pcr)]
		pcr0: [u8; 48],
		#[arg(long, value_parser = pcr)]
		pcr1: [u8; 48],
		#[arg(long, value_parser = pcr)]
		pcr2: [u8; 48],
		/// A model its enclaves may run (repeat for more).
		#[arg(long = "model", required = true)]
		models: Vec<H256>,
	},
	/// Revokes an image: its enclaves' results are refused from the next block on.
	RevokeImage {
		#[arg(long)]
		image: H256,
	},
}

/// A PCR: 48 bytes in hex.
fn pcr(text: &str) -> Result<[u8; 48], String> {
	let bytes = hex::decode(text.trim().trim_start_matches("0x")).map_err(|e| e.to_string())?;
	bytes.try_into().map_err(|b: Vec<u8>| format!("a PCR is 48 bytes, not {}", b.len()))
}

#[derive(Subcommand)]
enum ZkCommand {
	/// Registers an ezkl verifying artifact (the `vka.bin` of `ezkl_helper.py setup`, from
	/// ezkl's create_evm_vka); a deposit is held. Prints the VK's hash.
	RegisterVk { file: PathBuf },
	/// Links a registered VK to a model of yours: the model then takes Zk-mode tasks.
	Link {
		#[arg(long)]
		model: H256,
		#[arg(long)]
		vk: H256,
		/// ezkl's fixed-point scale (log2) of the circuit's inputs: an int8 input q is the
		/// field element q·2^scale.
		#[arg(long, default_value_t = 7)]
		input_scale: u8,
	},
}

/// Verification modes, as the command line names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Mode {
	Redundancy,
	Zk,
	Tee,
	Optimistic,
}

impl From<Mode> for VerificationMode {
	fn from(m: Mode) -> Self {
		match m {
			Mode::Redundancy => VerificationMode::Redundancy,
			Mode::Zk => VerificationMode::Zk,
			Mode::Tee => VerificationMode::Tee,
			Mode::Optimistic => VerificationMode::Optimistic,
		}
	}
}

#[derive(Subcommand)]
enum ModelCommand {
	/// Registers an AOSM model file (made by aos-model-import); prints its id.
	Register {
		file: PathBuf,
		/// Where operators fetch the file.
		#[arg(long)]
		uri: String,
		/// The least fee per assigned operator, in AOS.
		#[arg(long, default_value = "1")]
		price: String,
		/// The verification modes it allows, comma-separated.
		#[arg(long, value_delimiter = ',', default_value = "redundancy")]
		modes: Vec<Mode>,
	},
	/// Prints a model as JSON.
	Show { id: H256 },
}

#[derive(Subcommand)]
enum TaskCommand {
	/// Submits a task; prints its id, or its result with `--wait`.
	Submit {
		#[arg(long)]
		model: H256,
		/// The int8 input, comma-separated (`12,-3,127,0`).
		#[arg(long, allow_hyphen_values = true)]
		input: String,
		/// The fee, in AOS, held until the task ends.
		#[arg(long)]
		fee: String,
		/// How the result is verified: by PoS+W redundancy; by an ezkl proof verified on chain
		/// (the model needs a linked VK); by an attested enclave's signature; or
		/// optimistically, one operator's result standing unless a dispute overturns it (k = 1).
		#[arg(long, value_enum, default_value_t = Mode::Redundancy)]
		mode: Mode,
		/// k: the operators wanted.
		#[arg(long, default_value_t = 3)]
		redundancy: u8,
		/// Top-k of the sampler (1: argmax).
		#[arg(long, default_value_t = 1)]
		top_k: u32,
		/// Wait for the verified result and print it.
		#[arg(long)]
		wait: bool,
	},
	/// Prints a task as JSON.
	Show { id: u64 },
	/// Waits until a task ends and prints its result.
	Wait {
		id: u64,
		/// Give up after this many seconds.
		#[arg(long, default_value_t = 600)]
		timeout: u64,
	},
}

#[derive(Subcommand)]
enum OperatorCommand {
	/// Prints an operator's state as JSON.
	Show { account: AccountId },
}

#[tokio::main]
async fn main() -> ExitCode {
	let cli = Cli::parse();
	match run(cli).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("aos-cli: {e}");
			ExitCode::FAILURE
		},
	}
}

fn signer(cli: &Cli) -> Result<sr25519::Pair, String> {
	let suri = cli.suri.as_deref().ok_or("this command sends a transaction: give --suri")?;
	sr25519::Pair::from_string(suri, None).map_err(|e| format!("--suri: not a secret key ({e:?})"))
}

fn print_json(value: &impl serde::Serialize) -> Result<(), String> {
	println!("{}", serde_json::to_string_pretty(value).map_err(|e| e.to_string())?);
	Ok(())
}

async fn run(cli: Cli) -> Result<(), String> {
	let chain = Chain::connect(&cli.url).await.map_err(|e| e.to_string())?;
	match &cli.command {
		Command::Model(ModelCommand::Register { file, uri, price, modes }) => {
			let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
			let model = aos_kernel::Model::from_file(&bytes)
				.map_err(|e| format!("{}: not an AOSM model: {e:?}", file.display()))?;
			let id = H256(aos_kernel::model::content_hash(&bytes));
			let call = pallet_inference::Call::<Runtime>::register_model {
				model: id,
				kernel_version: model.kernel_version,
				inputs: model.inputs,
				layers: BoundedVec::truncate_from(LayerCommitment::of_model(&model)),
				uri: BoundedVec::truncate_from(uri.clone().into_bytes()),
				modes: modes.iter().fold(0, |m, mode| m | VerificationMode::from(*mode).bit()),
				price: parse_aos(price).map_err(|e| format!("--price: {e}"))?,
			};
			chain.submit(&signer(&cli)?, call.into()).await.map_err(|e| e.to_string())?;
			println!("{id:?}");
		},
		Command::Model(ModelCommand::Show { id }) => {
			match chain.model(*id, None).await.map_err(|e| e.to_string())? {
				Some(model) => print_json(&model)?,
				None => return Err(format!("no model {id:?}")),
			}
		},
		Command::Task(TaskCommand::Submit { model, input, fee, mode, redundancy, top_k, wait }) => {
			let values = input
				.split(',')
				.map(|v| v.trim().parse::<i8>())
				.collect::<Result<Vec<_>, _>>()
				.map_err(|e| format!("--input: comma-separated int8 values (-128..=127): {e}"))?;
			let call = pallet_inference::Call::<Runtime>::submit_task {
				model: *model,
				input: TaskInput::Inline(BoundedVec::truncate_from(values)),
				fee: parse_aos(fee).map_err(|e| format!("--fee: {e}"))?,
				mode: (*mode).into(),
				redundancy: *redundancy,
				sampling: aos_kernel::SamplingParams {
					top_k: *top_k,
					inv_temperature_q16: 1 << 16,
				},
			};
			let signer = signer(&cli)?;
			let included = chain.submit(&signer, call.into()).await.map_err(|e| e.to_string())?;
			let id = included
				.events
				.iter()
				.find_map(|e| match e {
					RuntimeEvent::Inference(pallet_inference::Event::TaskSubmitted {
						task,
						..
					}) => Some(*task),
					_ => None,
				})
				.ok_or("the task was included but no TaskSubmitted event was found")?;
			eprintln!("task {id} submitted in block {}", included.block_number);
			if *wait {
				let owner = AccountId::from(signer.public());
				let task = wait_for(&chain, id, 600, Some(&owner)).await?;
				print_result(&task);
			} else {
				println!("{id}");
			}
		},
		Command::Task(TaskCommand::Show { id }) => {
			match chain.task(*id).await.map_err(|e| e.to_string())? {
				Some(task) => print_json(&task)?,
				None => return Err(format!("task {id} was pruned")),
			}
		},
		Command::Task(TaskCommand::Wait { id, timeout }) => {
			let task = wait_for(&chain, *id, *timeout, None).await?;
			print_result(&task);
		},
		Command::Zk(ZkCommand::RegisterVk { file }) => {
			let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
			// The chain's own parser: a file it would refuse is refused here, with the reason.
			let vka = aos_zk::Vka::parse(&bytes)
				.map_err(|e| format!("{}: not a VKA the chain accepts: {e}", file.display()))?;
			let call = pallet_zk_verifier::Call::<Runtime>::register_vk {
				vka: BoundedVec::truncate_from(bytes.clone()),
			};
			chain.submit(&signer(&cli)?, call.into()).await.map_err(|e| e.to_string())?;
			eprintln!("registered: {} public instances, k = {}", vka.num_instances(), vka.k());
			println!("{:?}", H256(sp_crypto_hashing::blake2_256(&bytes)));
		},
		Command::Zk(ZkCommand::Link { model, vk, input_scale }) => {
			let call = pallet_zk_verifier::Call::<Runtime>::link_model {
				model: *model,
				vk: *vk,
				input_scale: *input_scale,
			};
			chain.submit(&signer(&cli)?, call.into()).await.map_err(|e| e.to_string())?;
			eprintln!("model {model:?} takes Zk-mode tasks, verified with VK {vk:?}");
		},
		Command::Tee(TeeCommand::AllowImage { pcr0, pcr1, pcr2, models }) => {
			let pcrs = [*pcr0, *pcr1, *pcr2];
			let call = pallet_tee::Call::<Runtime>::allow_image {
				pcrs,
				models: BoundedVec::try_from(models.clone())
					.map_err(|_| "--model: more models than an image may run".to_string())?,
			};
			sudo(&chain, &signer(&cli)?, call.into()).await?;
			println!("{:?}", pallet_tee::image_id(&pcrs));
		},
		Command::Tee(TeeCommand::RevokeImage { image }) => {
			let call = pallet_tee::Call::<Runtime>::revoke_image { image: *image };
			sudo(&chain, &signer(&cli)?, call.into()).await?;
			eprintln!("image {image:?} revoked");
		},
		Command::Operator(OperatorCommand::Show { account }) => {
			match chain.operator(account).await.map_err(|e| e.to_string())? {
				Some(state) => print_json(&state)?,
				None => return Err(format!("{account} is not an operator")),
			}
		},
	}
	Ok(())
}

/// Submits `call` through `Sudo.sudo`; fails if the call itself failed.
async fn sudo(
	chain: &Chain,
	signer: &sp_core::sr25519::Pair,
	call: aos_client::runtime::RuntimeCall,
) -> Result<(), String> {
	let wrapped = pallet_sudo::Call::<Runtime>::sudo { call: Box::new(call) };
	let included = chain.submit(signer, wrapped.into()).await.map_err(|e| e.to_string())?;
	for event in &included.events {
		if let RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result: Err(e) }) = event {
			return Err(format!("the call failed: {}", aos_client::describe(e)));
		}
	}
	Ok(())
}

/// Polls task `id` until it ends. `submitted_by`: the account that has just submitted it, whose
/// task it must stay.
async fn wait_for(
	chain: &Chain,
	id: u64,
	timeout: u64,
	submitted_by: Option<&AccountId>,
) -> Result<TaskView<AccountId>, String> {
	let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
	let mut last_phase = None;
	// Once the task was on the node's best chain, losing it is a reorganization, not a typo.
	let mut seen = submitted_by.is_some();
	loop {
		let phase = match chain.task(id).await {
			// A reorganization moved the submission to a later block, under another id.
			Ok(Some(task)) if submitted_by.is_some_and(|owner| *owner != task.owner) => {
				return Err(format!(
					"task {id} is another account's now: a reorganization included yours again \
					 under another id (aos_tasksOf lists your tasks)"
				))
			},
			Ok(Some(task)) if task.status.is_final() => return Ok(task),
			Ok(Some(task)) => {
				seen = true;
				serde_json::to_value(task.status)
					.ok()
					.and_then(|v| v["phase"].as_str().map(String::from))
			},
			Ok(None) => return Err(format!("task {id} was pruned")),
			// The block with the task was retracted: the pool includes it again later.
			Err(e) if seen && e.is_unknown_task() => {
				Some("not on the best chain (reorganized)".into())
			},
			Err(e) => return Err(e.to_string()),
		};
		if phase != last_phase {
			eprintln!("task {id}: {}", phase.as_deref().unwrap_or("?"));
			last_phase = phase;
		}
		if tokio::time::Instant::now() > deadline {
			return Err(format!("task {id} did not end within {timeout} s"));
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
}

fn print_result(task: &TaskView<AccountId>) {
	let latency = task.ended_at.map(|end| {
		format!(
			"  submitted in block {}, ended in block {end}: {} blocks",
			task.submitted_at,
			end.saturating_sub(task.submitted_at)
		)
	});
	match (&task.status, &task.result) {
		(StatusView::Settled, Some(result)) => {
			println!("task {}: settled", task.id);
			println!("  top classes: {:?}", result.top);
			println!("  output digest: {:?}", result.output);
			// The operator whose result the task settled on (an overturned optimistic result,
			// or a losing reveal, has a result of its own).
			let key = aos_inference_primitives::result_key(&result.output, &result.top);
			let answered = task.claims.iter().find(|c| c.result == Some(key));
			let by = answered.map_or("?".into(), |c| c.operator.to_string());
			if task.mode == ModeView::Zk {
				println!("  verified on chain: an ezkl proof by {by}");
			} else if task.mode == ModeView::Tee {
				println!("  verified on chain: signed by the attested enclave of {by}");
			} else if task.mode == ModeView::Optimistic {
				println!(
					"  verified optimistically: posted by {by}, undisputed or every dispute lost"
				);
			} else {
				println!(
					"  verified by PoS+W: {} of {} assigned operators agreed, {} disagreed",
					result.agreeing, result.assigned, result.conflicting
				);
			}
			if task.pool > 0 {
				println!("  liquidated collateral paid to the honest: {}", format_aos(task.pool));
			}
		},
		_ => println!("task {}: undecided (no result won; the fee was refunded)", task.id),
	}
	if let Some(latency) = latency {
		println!("{latency}");
	}
}
