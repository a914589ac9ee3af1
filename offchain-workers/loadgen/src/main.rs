//! `aos-loadgen`: sustained load on a dev or local AOS network, measured block by block.
//!
//! It funds `--accounts` accounts (`//loadgen//0`, `//loadgen//1`, … of the development
//! phrase) from `--funder`, then, at every new best block for `--blocks` blocks, submits
//! `--per-block` tasks of `--model`, spread over the accounts, each account keeping its own
//! nonces so that many transactions are in flight. It watches every block from the first
//! submission on and reports, per block: its tasks submitted and settled, its fullness (the
//! weight used against the block's maximum), the block time, the finality lag and the
//! operators' lag (their `aos_operator_handled_block` metric, the last block whose work they
//! sent, against the block, when `--operator-metrics` names them). After the last submission it waits at most `--drain`
//! blocks for the tasks to end, and at most `--timeout` seconds in all: it stops by itself.
//!
//! The summary (and `--report`, as JSON) gives the sustained rate: tasks settled per block over
//! the submission window after `--warmup` blocks, the settlement latency in blocks, and how
//! many block times fell within 10 % of `--block-ms`.
//!
//! ```text
//! aos-loadgen --model 0x… --per-block 50 --blocks 120 --fee 0.3 \
//!   --operator-metrics 127.0.0.1:9615,127.0.0.1:9616 --report load.json
//! ```

use aos_client::{
	format_aos, parse_aos,
	runtime::{self, AccountId, Runtime, RuntimeCall, RuntimeEvent},
	Chain, Hash,
};
use clap::Parser;
use codec::Encode;
use pallet_inference::{TaskInput, VerificationMode};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::BoundedVec;
use std::{
	collections::{HashMap, HashSet},
	path::PathBuf,
	process::ExitCode,
	time::{Duration, Instant},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Parser)]
#[command(version, about = "Submit inference tasks at a target rate and measure what settles")]
struct Args {
	/// The node's WebSocket JSON-RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944", env = "AOS_RPC_URL")]
	url: String,
	/// The account that funds the load accounts (a secret URI; `//Alice` on dev chains).
	#[arg(long, default_value = "//Alice")]
	funder: String,
	/// The registered model the tasks run (0x-prefixed content hash).
	#[arg(long)]
	model: H256,
	/// The tasks' inline input: comma-separated int8 values, the model's input width.
	#[arg(long, default_value = "82,56,23,3")]
	input: String,
	/// k: operators per task.
	#[arg(long, default_value_t = 3)]
	redundancy: u8,
	/// The fee of each task, in AOS (at least k times the model's price).
	#[arg(long, default_value = "3")]
	fee: String,
	/// Tasks submitted at each new best block.
	#[arg(long, default_value_t = 10)]
	per_block: u32,
	/// Blocks to submit for.
	#[arg(long, default_value_t = 60)]
	blocks: u32,
	/// Blocks at the start of the window left out of the sustained rate (the first tasks'
	/// latency).
	#[arg(long, default_value_t = 10)]
	warmup: u32,
	/// Blocks to wait after the last submission for the tasks to end.
	#[arg(long, default_value_t = 30)]
	drain: u32,
	/// Accounts the tasks are submitted from.
	#[arg(long, default_value_t = 64)]
	accounts: u32,
	/// AOS given to each account before the run.
	#[arg(long, default_value = "1000")]
	fund: String,
	/// Operators' Prometheus endpoints (host:port, comma-separated), for their lag.
	#[arg(long, value_delimiter = ',')]
	operator_metrics: Vec<String>,
	/// The block time the network targets, in milliseconds.
	#[arg(long, default_value_t = 5_000)]
	block_ms: u64,
	/// Writes the report, with every block's figures, as JSON.
	#[arg(long)]
	report: Option<PathBuf>,
	/// Stops after this many seconds whatever happens.
	#[arg(long, default_value_t = 3_600)]
	timeout: u64,
}

/// What one block showed.
#[derive(Clone, Debug, Default, serde::Serialize)]
struct BlockFigures {
	number: u32,
	/// Milliseconds since the previous block (its timestamp's difference).
	time_ms: Option<u64>,
	/// Transactions sent at this block (signed for it) and refused by the pool.
	sent: u32,
	refused: u32,
	/// Our tasks in this block: submitted, settled, ended undecided.
	submitted: u32,
	settled: u32,
	undecided: u32,
	/// Extrinsics that failed in the block (anyone's).
	failed_extrinsics: u32,
	/// Weight used against the block's maximum, in percent (ref-time).
	fullness_pct: f64,
	/// Best minus finalized when the block was read.
	finality_lag: u32,
	/// The most blocks an operator was behind this block, if they were asked.
	operator_lag: Option<u32>,
}

#[derive(Debug, Default, serde::Serialize)]
struct Summary {
	sent: u32,
	refused: u32,
	submitted: u32,
	settled: u32,
	undecided: u32,
	/// Submitted but not ended when the run stopped.
	unfinished: u32,
	/// The window the sustained rate is taken over: blocks after the warm-up to the last
	/// submission.
	window_blocks: u32,
	settled_per_block: f64,
	submitted_per_block: f64,
	settled_per_second: f64,
	block_time_mean_ms: f64,
	block_time_max_ms: u64,
	/// Share of the window's block times within 10 % of the target.
	block_time_within_10pct: f64,
	fullness_mean_pct: f64,
	fullness_max_pct: f64,
	finality_lag_max: u32,
	operator_lag_max: Option<u32>,
	latency_blocks_p50: Option<u32>,
	latency_blocks_p95: Option<u32>,
	latency_blocks_max: Option<u32>,
}

#[derive(serde::Serialize)]
struct Report {
	per_block: u32,
	redundancy: u8,
	accounts: u32,
	summary: Summary,
	blocks: Vec<BlockFigures>,
}

#[tokio::main]
async fn main() -> ExitCode {
	let args = Args::parse();
	match run(&args).await {
		Ok(report) => {
			print_summary(&report.summary);
			if let Some(path) = &args.report {
				let json = serde_json::to_string_pretty(&report).unwrap_or_default();
				if let Err(e) = std::fs::write(path, json) {
					eprintln!("error: cannot write {}: {e}", path.display());
					return ExitCode::FAILURE;
				}
			}
			ExitCode::SUCCESS
		},
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::FAILURE
		},
	}
}

/// The load accounts and their next nonces.
struct Accounts {
	pairs: Vec<sr25519::Pair>,
	ids: HashSet<AccountId>,
	nonces: Vec<u32>,
	/// Accounts whose nonce must be asked again (a transaction of theirs was refused).
	stale: HashSet<usize>,
	next: usize,
}

async fn run(args: &Args) -> Result<Report, String> {
	let deadline = Instant::now() + Duration::from_secs(args.timeout);
	let chain = Chain::connect(&args.url).await.map_err(|e| e.to_string())?;
	let input = args
		.input
		.split(',')
		.map(|v| v.trim().parse::<i8>())
		.collect::<Result<Vec<_>, _>>()
		.map_err(|e| format!("--input: comma-separated int8 values: {e}"))?;
	let fee = parse_aos(&args.fee).map_err(|e| format!("--fee: {e}"))?;
	let fund = parse_aos(&args.fund).map_err(|e| format!("--fund: {e}"))?;
	if chain.model(args.model, None).await.map_err(|e| e.to_string())?.is_none() {
		return Err(format!("no model {:?} is registered", args.model));
	}
	let mut accounts = accounts(args.accounts)?;
	fund_accounts(&chain, &args.funder, &accounts.pairs, fund).await?;
	for (i, pair) in accounts.pairs.iter().enumerate() {
		let id = AccountId::from(pair.public());
		accounts.nonces[i] = chain.next_nonce(&id).await.map_err(|e| e.to_string())?;
	}
	eprintln!(
		"{} accounts funded with {} each; submitting {} tasks a block for {} blocks",
		args.accounts,
		format_aos(fund),
		args.per_block,
		args.blocks
	);

	let versions = chain.versions().await.map_err(|e| e.to_string())?;
	let mut heads = chain.subscribe_best_heads().await.map_err(|e| e.to_string())?;
	let max_block = <Runtime as frame_system::Config>::BlockWeights::get().max_block.ref_time();
	let mut tasks: HashMap<u64, u32> = HashMap::new();
	let mut latencies = Vec::new();
	let mut figures: Vec<BlockFigures> = Vec::new();
	let mut sent_at: HashMap<u32, (u32, u32)> = HashMap::new();
	let mut start = None;
	let mut last_seen: Option<u32> = None;
	let mut last_time: Option<u64> = None;
	let mut ended = 0u32;
	let mut rounds = 0;
	loop {
		let left = deadline.saturating_duration_since(Instant::now());
		if left.is_zero() {
			eprintln!("stopping: --timeout reached");
			break;
		}
		let head =
			match tokio::time::timeout(left.min(Duration::from_secs(120)), heads.next()).await {
				Ok(Some(Ok(head))) => head,
				Ok(Some(Err(e))) => return Err(format!("block subscription: {e}")),
				Ok(None) => return Err("the node closed the block subscription".into()),
				Err(_) => return Err("no new block for two minutes".into()),
			};
		let first = *start.get_or_insert(head.number + 1);
		// Read every block since the last one read.
		let from = last_seen.map_or(first, |l| l + 1).max(first);
		for number in from..=head.number {
			let Some(hash) = chain.block_hash(number).await.map_err(|e| e.to_string())? else {
				break;
			};
			let mut o =
				observe(&chain, hash, number, max_block, args, &accounts, &mut tasks).await?;
			if let Some((sent, refused)) = sent_at.remove(&number) {
				(o.figures.sent, o.figures.refused) = (sent, refused);
			}
			let time = timestamp(&chain, hash).await?;
			o.figures.time_ms = last_time.zip(time).map(|(a, b)| b.saturating_sub(a));
			last_time = time.or(last_time);
			for (_, at) in o.ended_tasks.drain(..) {
				latencies.push(number.saturating_sub(at));
				ended += 1;
			}
			let f = &o.figures;
			eprintln!(
				"block {number}: +{} submitted, {} settled, {} undecided, {:.1} % full, \
				 {} ms, finality lag {}{}",
				f.submitted,
				f.settled,
				f.undecided,
				f.fullness_pct,
				f.time_ms.map_or("-".into(), |t| t.to_string()),
				f.finality_lag,
				f.operator_lag.map_or(String::new(), |l| format!(", operators {l} behind"))
			);
			figures.push(o.figures);
			last_seen = Some(number);
		}
		if rounds < args.blocks {
			rounds += 1;
			let (sent, refused) =
				submit_round(&chain, args, &mut accounts, &input, fee, &head, &versions).await;
			// Included at the earliest in the next block.
			sent_at.insert(head.number + 1, (sent, refused));
		} else {
			let all_ended = ended as usize >= tasks.len();
			if all_ended || head.number >= first + args.blocks + args.drain {
				break;
			}
		}
	}
	let summary = summarize(&figures, &latencies, start.unwrap_or(0), args, tasks.len(), ended);
	Ok(Report {
		per_block: args.per_block,
		redundancy: args.redundancy,
		accounts: args.accounts,
		summary,
		blocks: figures,
	})
}

/// The development phrase's `//loadgen//i`.
fn accounts(n: u32) -> Result<Accounts, String> {
	let pairs = (0..n)
		.map(|i| sr25519::Pair::from_string(&format!("//loadgen//{i}"), None))
		.collect::<Result<Vec<_>, _>>()
		.map_err(|e| format!("cannot derive the load accounts: {e:?}"))?;
	let ids = pairs.iter().map(|p| AccountId::from(p.public())).collect();
	Ok(Accounts { nonces: vec![0; pairs.len()], pairs, ids, stale: HashSet::new(), next: 0 })
}

/// Tops every account up to `amount` from `funder`, 100 transfers a transaction.
async fn fund_accounts(
	chain: &Chain,
	funder: &str,
	pairs: &[sr25519::Pair],
	amount: u128,
) -> Result<(), String> {
	let funder = sr25519::Pair::from_string(funder, None)
		.map_err(|e| format!("--funder: not a secret URI: {e:?}"))?;
	let mut transfers = Vec::new();
	for pair in pairs {
		let who = AccountId::from(pair.public());
		let have = chain.free_balance(&who).await.map_err(|e| e.to_string())?;
		if have < amount {
			transfers.push(RuntimeCall::from(
				pallet_balances::Call::<Runtime>::transfer_keep_alive {
					dest: who.into(),
					value: amount - have,
				},
			));
		}
	}
	for chunk in transfers.chunks(100) {
		let call = pallet_utility::Call::<Runtime>::batch_all { calls: chunk.to_vec() };
		chain.submit(&funder, call.into()).await.map_err(|e| format!("funding: {e}"))?;
	}
	Ok(())
}

/// Signs `per_block` tasks for the block after `head` and sends them all at once, without
/// following them. Returns how many were sent and how many the pool refused.
async fn submit_round(
	chain: &Chain,
	args: &Args,
	accounts: &mut Accounts,
	input: &[i8],
	fee: u128,
	head: &runtime::Header,
	versions: &aos_client::Versions,
) -> (u32, u32) {
	for i in std::mem::take(&mut accounts.stale) {
		if let Some(pair) = accounts.pairs.get(i) {
			if let Ok(n) = chain.next_nonce(&AccountId::from(pair.public())).await {
				accounts.nonces[i] = n;
			}
		}
	}
	let mut signed = Vec::new();
	for _ in 0..args.per_block {
		let i = accounts.next % accounts.pairs.len();
		accounts.next += 1;
		let nonce = accounts.nonces[i];
		accounts.nonces[i] += 1;
		let call = pallet_inference::Call::<Runtime>::submit_task {
			model: args.model,
			input: TaskInput::Inline(BoundedVec::truncate_from(input.to_vec())),
			fee,
			mode: VerificationMode::Redundancy,
			redundancy: args.redundancy,
			sampling: aos_kernel::SamplingParams { top_k: 1, inv_temperature_q16: 1 << 16 },
		};
		let extension =
			runtime::tx_extension(nonce, 0, aos_client::MORTALITY, u64::from(head.number));
		let xt = runtime::sign_extrinsic_for(
			call.into(),
			&accounts.pairs[i],
			extension,
			chain.genesis(),
			head.hash(),
			(versions.spec_version, versions.transaction_version),
		);
		signed.push((i, xt.encode()));
	}
	let sent = signed.len() as u32;
	let outcomes = futures::future::join_all(
		signed.into_iter().map(|(i, xt)| async move { (i, chain.send_extrinsic(xt).await) }),
	)
	.await;
	let mut refused = 0;
	for (i, outcome) in outcomes {
		if let Err(e) = outcome {
			refused += 1;
			if refused == 1 {
				eprintln!("the pool refused a task: {e}");
			}
			accounts.stale.insert(i);
		}
	}
	(sent, refused)
}

/// One block's figures, and the tasks of ours that ended in it (with their submission block).
struct Observed {
	figures: BlockFigures,
	ended_tasks: Vec<(u64, u32)>,
}

async fn observe(
	chain: &Chain,
	hash: Hash,
	number: u32,
	max_block: u64,
	args: &Args,
	accounts: &Accounts,
	tasks: &mut HashMap<u64, u32>,
) -> Result<Observed, String> {
	let mut f = BlockFigures { number, ..Default::default() };
	let mut ended_tasks = Vec::new();
	for record in chain.events(hash).await.map_err(|e| e.to_string())? {
		match record.event {
			RuntimeEvent::Inference(pallet_inference::Event::TaskSubmitted {
				task, owner, ..
			}) if accounts.ids.contains(&owner) => {
				f.submitted += 1;
				tasks.insert(task, number);
			},
			RuntimeEvent::Inference(pallet_inference::Event::TaskSettled { task, .. }) => {
				if let Some(at) = tasks.get(&task) {
					f.settled += 1;
					ended_tasks.push((task, *at));
				}
			},
			RuntimeEvent::Inference(pallet_inference::Event::TaskUndecided { task }) => {
				if let Some(at) = tasks.get(&task) {
					f.undecided += 1;
					ended_tasks.push((task, *at));
				}
			},
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { .. }) => {
				f.failed_extrinsics += 1;
			},
			_ => {},
		}
	}
	let key = frame_system::BlockWeight::<Runtime>::hashed_key();
	let used: Option<frame_support::dispatch::PerDispatchClass<sp_runtime::Weight>> =
		chain.storage("System::BlockWeight", &key, Some(hash)).await.map_err(|e| e.to_string())?;
	let used = used.map_or(0, |w| w.total().ref_time());
	f.fullness_pct = 100.0 * used as f64 / max_block.max(1) as f64;
	let finalized = chain.finalized_hash().await.map_err(|e| e.to_string())?;
	let finalized =
		chain.header(finalized).await.map_err(|e| e.to_string())?.map_or(0, |h| h.number);
	let best = chain.best_header().await.map_err(|e| e.to_string())?.number;
	f.finality_lag = best.saturating_sub(finalized);
	if !args.operator_metrics.is_empty() {
		let mut lag = 0;
		for endpoint in &args.operator_metrics {
			let seen = operator_best(endpoint).await.unwrap_or(0);
			lag = lag.max(number.saturating_sub(seen));
		}
		f.operator_lag = Some(lag);
	}
	Ok(Observed { figures: f, ended_tasks })
}

/// The block's timestamp, in milliseconds.
async fn timestamp(chain: &Chain, hash: Hash) -> Result<Option<u64>, String> {
	let key = frame_support::storage::storage_prefix(b"Timestamp", b"Now");
	chain.storage("Timestamp::Now", &key, Some(hash)).await.map_err(|e| e.to_string())
}

/// An operator's `aos_operator_handled_block` from its Prometheus endpoint: a plain HTTP GET,
/// two seconds and 1 MiB at most.
async fn operator_best(endpoint: &str) -> Option<u32> {
	let fetch = async {
		let mut stream = tokio::net::TcpStream::connect(endpoint).await.ok()?;
		let request = format!("GET /metrics HTTP/1.0\r\nHost: {endpoint}\r\n\r\n");
		stream.write_all(request.as_bytes()).await.ok()?;
		let mut body = Vec::new();
		stream.take(1 << 20).read_to_end(&mut body).await.ok()?;
		let text = String::from_utf8_lossy(&body);
		text.lines()
			.find_map(|l| l.strip_prefix("aos_operator_handled_block "))
			.and_then(|v| v.trim().parse::<f64>().ok())
			.map(|v| v as u32)
	};
	tokio::time::timeout(Duration::from_secs(2), fetch).await.ok().flatten()
}

fn percentile(sorted: &[u32], p: f64) -> Option<u32> {
	if sorted.is_empty() {
		return None;
	}
	let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
	sorted.get(rank - 1).copied()
}

fn summarize(
	figures: &[BlockFigures],
	latencies: &[u32],
	start: u32,
	args: &Args,
	submitted: usize,
	ended: u32,
) -> Summary {
	let window_from = start + args.warmup;
	let window_to = start + args.blocks;
	let window: Vec<&BlockFigures> =
		figures.iter().filter(|f| f.number >= window_from && f.number < window_to).collect();
	let n = window.len().max(1) as f64;
	let times: Vec<u64> = window.iter().filter_map(|f| f.time_ms).collect();
	let target = args.block_ms as f64;
	let within = times.iter().filter(|t| (**t as f64 - target).abs() <= 0.1 * target).count();
	let mut sorted = latencies.to_vec();
	sorted.sort_unstable();
	let sum = |g: fn(&BlockFigures) -> u32| figures.iter().map(g).sum::<u32>();
	let settled_window: u32 = window.iter().map(|f| f.settled).sum();
	let time_mean = times.iter().sum::<u64>() as f64 / times.len().max(1) as f64;
	Summary {
		sent: sum(|f| f.sent),
		refused: sum(|f| f.refused),
		submitted: submitted as u32,
		settled: sum(|f| f.settled),
		undecided: sum(|f| f.undecided),
		unfinished: (submitted as u32).saturating_sub(ended),
		window_blocks: window.len() as u32,
		settled_per_block: settled_window as f64 / n,
		submitted_per_block: window.iter().map(|f| f.submitted).sum::<u32>() as f64 / n,
		settled_per_second: if time_mean > 0.0 {
			settled_window as f64 / n / (time_mean / 1000.0)
		} else {
			0.0
		},
		block_time_mean_ms: time_mean,
		block_time_max_ms: times.iter().copied().max().unwrap_or(0),
		block_time_within_10pct: within as f64 / times.len().max(1) as f64,
		fullness_mean_pct: window.iter().map(|f| f.fullness_pct).sum::<f64>() / n,
		fullness_max_pct: window.iter().map(|f| f.fullness_pct).fold(0.0, f64::max),
		finality_lag_max: figures.iter().map(|f| f.finality_lag).max().unwrap_or(0),
		operator_lag_max: figures.iter().filter_map(|f| f.operator_lag).max(),
		latency_blocks_p50: percentile(&sorted, 0.5),
		latency_blocks_p95: percentile(&sorted, 0.95),
		latency_blocks_max: sorted.last().copied(),
	}
}

fn print_summary(s: &Summary) {
	println!("tasks sent {}, refused by the pool {}, submitted {}", s.sent, s.refused, s.submitted);
	println!("settled {}, undecided {}, unfinished {}", s.settled, s.undecided, s.unfinished);
	println!(
		"sustained over {} blocks: {:.1} settled a block ({:.2}/s), {:.1} submitted a block",
		s.window_blocks, s.settled_per_block, s.settled_per_second, s.submitted_per_block
	);
	println!(
		"block time: mean {:.0} ms, max {} ms, {:.0} % within 10 % of the target",
		s.block_time_mean_ms,
		s.block_time_max_ms,
		100.0 * s.block_time_within_10pct
	);
	println!(
		"fullness: mean {:.1} %, max {:.1} %; finality lag max {} blocks; operators' lag max {}",
		s.fullness_mean_pct,
		s.fullness_max_pct,
		s.finality_lag_max,
		s.operator_lag_max.map_or("-".into(), |l| l.to_string())
	);
	println!(
		"latency from submission to settlement: p50 {} blocks, p95 {}, max {}",
		s.latency_blocks_p50.map_or("-".into(), |l| l.to_string()),
		s.latency_blocks_p95.map_or("-".into(), |l| l.to_string()),
		s.latency_blocks_max.map_or("-".into(), |l| l.to_string()),
	);
}
