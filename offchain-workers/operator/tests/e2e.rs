//! End to end, for real: `aos-node --dev` and three `aos-operator` processes. A dApp (Alice)
//! registers the Iris model and submits a k = 3 task; the operators are selected by their VRF,
//! run the model in the wasm kernel, commit, reveal, and the chain settles the task by PoS+W.
//!
//! - three honest operators agree and are paid the fee;
//! - one operator configured to cheat loses: the correct result wins, the cheater is liquidated
//!   per the rule and the two honest operators share its collateral;
//! - an operator killed between its commit and its reveal restarts, resumes, and reveals;
//! - Zk mode: the model's owner registers the ezkl VKA of the Iris circuit and links it; an
//!   operator proves a Zk-mode task with the real ezkl and the chain settles it on the proof,
//!   verified natively;
//! - TEE mode: each operator runs a simulated enclave (`aos-enclave serve --simulated-nsm`)
//!   and registers it with its attestation document; governance allows the enclave's image for
//!   the model; a TEE-mode task runs in an enclave and settles on the enclave's signature; a
//!   result held back while governance revokes the image is refused, and the task ends
//!   undecided with its fee refunded;
//! - optimistic mode: every operator is a challenger and lies in a task's first round (one
//!   activation of a hidden layer changed); the first result is challenged, bisected to one
//!   neuron, checked in the runtime and overturned while both players are restarted mid-game;
//!   the task goes to another operator, whose honest result stands and settles;
//! - the bridge: the three operators, registered with their Ethereum addresses, are the first
//!   checkpoint's operator set; they sign the checkpoint that holds a settled task, and the
//!   task's leaf, rebuilt from the events, proves into its root;
//! - the bridge to Ethereum, against a real anvil: the AVS is deployed with the chain's
//!   bootstrap checkpoint; `aos-relayer` records the checkpoints in order, and the contract
//!   verifies a settled task's inclusion; the relayer killed between submission and inclusion
//!   resumes without a second post; a checkpoint short of quorum, with a repeated or forged
//!   signature, or out of order is refused by the contract;
//! - hostile tasks (an input at a local path, an input from a server that drips a byte a
//!   minute, a model whose file is missing) beside honest ones: the honest tasks settle, the
//!   operators keep sending heartbeats, and no one is slashed.
//!
//! Models are served over http by a server in the test: operators never read a location
//! from chain data as a local path.
//!
//! The scenarios run one after another (each with its own node): they time blocks.

#[path = "../../../node/tests/integration/common.rs"]
mod common;
#[path = "../../relayer/tests/support/web3signer.rs"]
mod web3signer;

use aos_client::runtime::{self, AccountId, RuntimeEvent};
use codec::Decode;
use common::{block_hash, hex_decode, hex_encode, submit, Node};
use pallet_inference::{LayerCommitment, TaskInput, VerificationMode};
use serde_json::{json, Value};
use sp_core::{H160, H256};
use sp_keyring::Sr25519Keyring::{self, Alice, Dave, Eve, Ferdie};
use sp_runtime::BoundedVec;
use std::{
	fs,
	os::unix::process::CommandExt,
	path::PathBuf,
	process::{Child, Command, Stdio},
	str::FromStr,
	sync::Mutex,
	time::{Duration, Instant},
};

const UNITS: u128 = runtime::UNITS;
/// An Iris setosa (5.1, 3.5, 1.4, 0.2 cm) at the model's input scale, 0.0622 cm per step.
const SETOSA: [i8; 4] = [82, 56, 23, 3];

static SERIAL: Mutex<()> = Mutex::new(());

/// Spawns `cmd`, which the kernel kills when the test process ends.
fn spawn_tied(cmd: &mut Command, what: &str) -> Child {
	// SAFETY: prctl only asks the kernel to kill the child with the test process.
	unsafe {
		cmd.pre_exec(|| {
			libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
			Ok(())
		});
	}
	cmd.spawn().unwrap_or_else(|e| panic!("spawn {what}: {e}"))
}

/// A running `aos-operator`.
struct Operator {
	who: Sr25519Keyring,
	config: PathBuf,
	log: PathBuf,
	child: Option<Child>,
}

impl Operator {
	fn start(&mut self) {
		let log = fs::OpenOptions::new().create(true).append(true).open(&self.log).expect("log");
		let mut cmd = Command::new(env!("CARGO_BIN_EXE_aos-operator"));
		cmd.arg("-c")
			.arg(&self.config)
			.env("RUST_LOG", "aos_operator=debug")
			.stdout(Stdio::null())
			.stderr(log);
		self.child = Some(spawn_tied(&mut cmd, "aos-operator"));
	}

	fn kill(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}

	fn log(&self) -> String {
		fs::read_to_string(&self.log).unwrap_or_default()
	}

	fn account(&self) -> AccountId {
		self.who.to_account_id()
	}
}

impl Drop for Operator {
	fn drop(&mut self) {
		self.kill();
		if std::thread::panicking() {
			eprintln!("--- aos-operator {:?} log ---\n{}", self.who, self.log());
		}
	}
}

/// A dev chain with the Iris model registered and three operators running.
struct Devnet {
	node: Node,
	model: H256,
	operators: Vec<Operator>,
	web: WebServer,
	/// TEE mode: the operators' simulated enclaves (with their operators).
	_enclaves: Vec<Enclave>,
}

/// A running `aos-enclave serve --simulated-nsm` (the simulated NSM: dev chains trust its CA).
struct Enclave {
	child: Child,
	addr: std::net::SocketAddr,
}

impl Drop for Enclave {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// The `aos-enclave` binary next to this test's target directory (`cargo build --bins`).
fn enclave_binary() -> PathBuf {
	workspace_binary("aos-enclave")
}

/// Another package's binary of this build (`aos_build` makes them all).
fn workspace_binary(name: &str) -> PathBuf {
	let exe = std::env::current_exe().expect("test executable");
	// target/<profile>/deps/<test> → target/<profile>/<name>
	let path = exe.parent().and_then(std::path::Path::parent).map(|d| d.join(name));
	match path {
		Some(p) if p.is_file() => p,
		_ => panic!("no {name} next to {}: build it first (cargo build -p {name})", exe.display()),
	}
}

impl Enclave {
	fn start(log: PathBuf) -> Enclave {
		use std::io::BufRead;
		let log = fs::File::create(log).expect("enclave log");
		let mut cmd = Command::new(enclave_binary());
		cmd.args(["serve", "--simulated-nsm", "--tcp", "127.0.0.1:0"])
			.stdout(Stdio::piped())
			.stderr(log);
		let mut child = spawn_tied(&mut cmd, "aos-enclave");
		let stdout = child.stdout.take().expect("stdout");
		let mut line = String::new();
		std::io::BufReader::new(stdout).read_line(&mut line).expect("aos-enclave's first line");
		let addr = line
			.trim()
			.strip_prefix("listening on ")
			.and_then(|a| a.parse().ok())
			.unwrap_or_else(|| panic!("aos-enclave said {line:?}"));
		Enclave { child, addr }
	}
}

/// The simulated enclave image's PCR0-2 (`aos-enclave measure --simulated`).
fn simulated_pcrs() -> [[u8; 48]; 3] {
	let out = Command::new(enclave_binary()).args(["measure", "--simulated"]).output().unwrap();
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let text = String::from_utf8(out.stdout).unwrap();
	let pcr = |name: &str| -> [u8; 48] {
		let line = text.lines().find_map(|l| l.strip_prefix(&format!("{name} "))).unwrap();
		hex::decode(line.trim()).unwrap().try_into().unwrap()
	};
	[pcr("pcr0"), pcr("pcr1"), pcr("pcr2")]
}

/// What a devnet runs besides redundancy.
#[derive(Default)]
struct Modes {
	/// Zk: the model allows it and the operators can prove the Iris circuit.
	zk: bool,
	/// TEE: the model allows it, each operator has a simulated enclave, governance allows its
	/// image for the model; operators hold signed results this many blocks.
	tee: Option<u32>,
	/// Optimistic: the model allows it; every operator challenges others' results, and lies
	/// in the first round of its own (`testing.wrong_activation`).
	optimistic: bool,
	/// The operators serve Prometheus metrics at these addresses (one each).
	metrics: Option<[std::net::SocketAddr; 3]>,
}

/// Three free local ports.
fn free_addrs() -> [std::net::SocketAddr; 3] {
	let listeners: Vec<_> =
		(0..3).map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free port")).collect();
	let addrs: Vec<_> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
	[addrs[0], addrs[1], addrs[2]]
}

/// What the test's web server answers at a path.
#[derive(Clone)]
enum Route {
	/// A file.
	File(Vec<u8>),
	/// Headers for 100 bytes, then a byte a minute.
	Drip,
}

/// An HTTP server on a local port, as model and input hosts (honest and hostile) are.
struct WebServer {
	addr: std::net::SocketAddr,
	routes: std::sync::Arc<Mutex<std::collections::HashMap<String, Route>>>,
}

impl WebServer {
	fn start() -> WebServer {
		use std::io::{Read, Write};
		let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
		let addr = listener.local_addr().expect("address");
		let routes = std::sync::Arc::new(Mutex::new(std::collections::HashMap::new()));
		let table = routes.clone();
		std::thread::spawn(move || {
			for stream in listener.incoming().flatten() {
				let table = table.clone();
				std::thread::spawn(move || {
					let mut stream = stream;
					let mut buf = [0u8; 2048];
					let n = stream.read(&mut buf).unwrap_or(0);
					let request = String::from_utf8_lossy(&buf[..n]);
					let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
					let route = table.lock().unwrap_or_else(|e| e.into_inner()).get(&path).cloned();
					let _ = match route {
						Some(Route::File(bytes)) => stream
							.write_all(
								format!(
									"HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
									bytes.len()
								)
								.as_bytes(),
							)
							.and_then(|()| stream.write_all(&bytes)),
						Some(Route::Drip) => {
							let _ =
								stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n");
							for _ in 0..100 {
								if stream.write_all(&[1]).is_err() {
									break;
								}
								std::thread::sleep(Duration::from_secs(60));
							}
							Ok(())
						},
						None => {
							stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
						},
					};
				});
			}
		});
		WebServer { addr, routes }
	}

	/// Serves `route` at `path`; returns its URL.
	fn serve(&self, path: &str, route: Route) -> String {
		self.routes.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), route);
		self.url(path)
	}

	fn url(&self, path: &str) -> String {
		format!("http://{}{path}", self.addr)
	}
}

fn wait(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
	let start = Instant::now();
	while !done() {
		assert!(start.elapsed() < timeout, "{what}: not within {timeout:?}");
		std::thread::sleep(Duration::from_millis(500));
	}
}

/// The Iris circuit (offchain-workers/zk-prover/circuit.sh: the pinned ezkl in its venv, the
/// circuit made once and cached), and the venv's Python.
fn iris_circuit() -> (PathBuf, PathBuf) {
	let script = common::repo_root().join("offchain-workers/zk-prover");
	let run = |cmd: &str, args: &[&str]| {
		let out = Command::new(script.join(cmd)).args(args).output().expect(cmd);
		assert!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
		PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
	};
	(run("circuit.sh", &["iris"]), run("setup-venv.sh", &[]))
}

fn devnet(tag: &str, cheater: Option<Sr25519Keyring>) -> Devnet {
	devnet_with(tag, cheater, Modes::default())
}

fn devnet_with(tag: &str, cheater: Option<Sr25519Keyring>, modes: Modes) -> Devnet {
	let zk = modes.zk;
	let node = Node::start(tag, &["--dev"]);
	node.wait_until("block 1", Duration::from_secs(60), |n| n.best_number() >= 1);
	let dir = common::temp_dir(&format!("{tag}-operators"));

	let model_path = common::repo_root().join("models/iris/iris.aosm");
	let file = fs::read(&model_path).expect("models/iris/iris.aosm");
	let model = aos_kernel::Model::from_file(&file).expect("the Iris model");
	let id = H256(aos_kernel::model::content_hash(&file));
	let web = WebServer::start();
	let uri = web.serve("/iris.aosm", Route::File(file.clone()));
	submit(
		&node,
		&Alice.pair(),
		pallet_inference::Call::register_model {
			model: id,
			kernel_version: model.kernel_version,
			inputs: model.inputs,
			layers: BoundedVec::truncate_from(LayerCommitment::of_model(&model)),
			uri: BoundedVec::truncate_from(uri.into_bytes()),
			modes: VerificationMode::Redundancy.bit()
				| if zk { VerificationMode::Zk.bit() } else { 0 }
				| if modes.tee.is_some() { VerificationMode::Tee.bit() } else { 0 }
				| if modes.optimistic { VerificationMode::Optimistic.bit() } else { 0 },
			price: UNITS,
		}
		.into(),
	);
	let zk_config = if zk {
		let (circuit, python) = iris_circuit();
		let circuits = dir.join("circuits");
		fs::create_dir_all(&circuits).unwrap();
		std::os::unix::fs::symlink(&circuit, circuits.join(format!("0x{}", hex::encode(id))))
			.unwrap();
		let helper = common::repo_root().join("offchain-workers/zk-prover/ezkl_helper.py");
		format!(
			"zk:\n  python: {}\n  helper: {}\n  circuits: {}\n",
			python.display(),
			helper.display(),
			circuits.display()
		)
	} else {
		String::new()
	};

	let mut enclaves = Vec::new();
	if modes.tee.is_some() {
		// Governance (sudo, on the dev chain) allows the simulated image for the model.
		let pcrs = simulated_pcrs();
		sudo(
			&node,
			pallet_tee::Call::allow_image { pcrs, models: BoundedVec::truncate_from(vec![id]) }
				.into(),
		);
		let key =
			pallet_tee::Images::<runtime::Runtime>::hashed_key_for(pallet_tee::image_id(&pcrs));
		node.wait_until("the image allowed", Duration::from_secs(60), |n| {
			!n.rpc("state_getStorage", json!([hex_encode(&key)])).is_null()
		});
	}
	let mut operators = Vec::new();
	for (i, who) in [Dave, Eve, Ferdie].into_iter().enumerate() {
		let name = format!("{who:?}").to_lowercase();
		let keystore = dir.join(format!("{name}-keys.yaml"));
		fs::write(&keystore, format!("account: \"//{who:?}\"\nvrf: \"//{who:?}//vrf\"\n")).unwrap();
		let secret = [i as u8 + 0x31; 32];
		let key = k256::ecdsa::SigningKey::from_slice(&secret).unwrap();
		let address = aos_operator::keys::address_of(&key);
		let config = dir.join(format!("{name}.yaml"));
		let cheat = cheater == Some(who);
		let tee_config = match modes.tee {
			Some(delay) => {
				let enclave = Enclave::start(dir.join(format!("{name}-enclave.log")));
				let config = format!("enclave:\n  tcp: {}\n", enclave.addr);
				enclaves.push(enclave);
				(config, delay)
			},
			None => (String::new(), 0),
		};
		let metrics = modes.metrics.map_or(String::new(), |m| format!("metrics: {}\n", m[i]));
		fs::write(
			&config,
			format!(
				"{metrics}node_id: \"{address:?}\"\nsigner_key: \"0x{}\"\nnode_url: ws://{}\n\
				 keystore: {name}-keys.yaml\ndata_dir: {name}-data\n\
				 register:\n  name: {name}\n  collateral: \"1000\"\n  commission_percent: 5\n\
				 testing:\n  wrong_results: {cheat}\n  attest_delay_blocks: {}\n{}{zk_config}{}",
				hex::encode(secret),
				node.rpc,
				tee_config.1,
				if modes.optimistic {
					"  wrong_activation: { layer: 1, rounds: 1 }\nchallenger: true\n"
				} else {
					""
				},
				tee_config.0,
			),
		)
		.unwrap();
		let mut operator =
			Operator { who, config, log: dir.join(format!("{name}.log")), child: None };
		operator.start();
		operators.push(operator);
	}
	let mut registered = 0;
	for operator in &operators {
		let account = operator.account().to_string();
		wait(&format!("{:?} registered", operator.who), Duration::from_secs(120), || {
			node.rpc("aos_operator", json!([account]))["status"] == "Active"
		});
		let since = node.rpc("aos_operator", json!([account]))["vrfKeySince"].as_u64();
		registered = registered.max(since.unwrap_or(0));
	}
	assert!(!node.rpc("aos_model", json!([hex_encode(id.as_bytes())])).is_null());
	// A new VRF key counts for task sampling one epoch (12 blocks here) after its
	// registration.
	node.wait_until("the operators' VRF keys count", Duration::from_secs(120), |n| {
		n.best_number() > registered + 12
	});
	Devnet { node, model: id, operators, web, _enclaves: enclaves }
}

impl Devnet {
	/// Alice submits the setosa task with k = 3 and a fee of 3 AOS; returns its id.
	fn submit_task(&self) -> u64 {
		self.submit_task_in(VerificationMode::Redundancy, 3)
	}

	/// Alice submits the setosa task in `mode` with k = `redundancy`, a fee of 3 AOS.
	fn submit_task_in(&self, mode: VerificationMode, redundancy: u8) -> u64 {
		let input = TaskInput::Inline(BoundedVec::truncate_from(SETOSA.to_vec()));
		self.submit_with(self.model, input, mode, redundancy)
	}

	/// Alice submits a task of `model` on `input` in `mode` with k = `redundancy`, a fee of 3
	/// AOS; returns its id.
	fn submit_with(
		&self,
		model: H256,
		input: pallet_inference::TaskInputOf<runtime::Runtime>,
		mode: VerificationMode,
		redundancy: u8,
	) -> u64 {
		let before = self.node.rpc("aos_tasksOf", json!([Alice.to_account_id().to_string()]));
		submit(
			&self.node,
			&Alice.pair(),
			pallet_inference::Call::submit_task {
				model,
				input,
				fee: 3 * UNITS,
				mode,
				redundancy,
				sampling: aos_kernel::SamplingParams { top_k: 1, inv_temperature_q16: 1 << 16 },
			}
			.into(),
		);
		let mut id = None;
		wait("task submitted", Duration::from_secs(60), || {
			let now = self.node.rpc("aos_tasksOf", json!([Alice.to_account_id().to_string()]));
			id = now
				.as_array()
				.into_iter()
				.flatten()
				.find(|t| !before.as_array().unwrap().contains(t))
				.and_then(Value::as_u64);
			id.is_some()
		});
		id.unwrap()
	}

	fn task(&self, id: u64) -> Value {
		self.node.rpc("aos_task", json!([id]))
	}

	fn wait_settled(&self, id: u64) -> Value {
		wait(&format!("task {id} ended"), Duration::from_secs(400), || {
			let phase = self.task(id)["status"]["phase"].clone();
			phase == "settled" || phase == "undecided"
		});
		self.task(id)
	}

	/// Every event of the best chain's blocks `from ..= to`.
	fn events(&self, from: u64, to: u64) -> Vec<RuntimeEvent> {
		let key = [sp_crypto_hashing::twox_128(b"System"), sp_crypto_hashing::twox_128(b"Events")]
			.concat();
		let mut events = Vec::new();
		for n in from..=to {
			let hash = block_hash(&self.node, n);
			let raw = self.node.rpc("state_getStorage", json!([hex_encode(&key), hash]));
			let Some(raw) = raw.as_str() else { continue };
			let records: Vec<aos_client::EventRecord> =
				Decode::decode(&mut &hex_decode(raw)[..]).expect("events");
			events.extend(records.into_iter().map(|r| r.event));
		}
		events
	}

	/// The `wanted` leaf in checkpoint `n` (`view`) and its path to the root, rebuilt from the
	/// events of blocks `from ..= view.closed_at` as a prover would.
	fn leaf_path(
		&self,
		from: u64,
		n: u64,
		view: &aos_checkpoint_primitives::CheckpointView<u32>,
		wanted: impl Fn(&aos_checkpoint_primitives::Leaf) -> bool,
	) -> (aos_checkpoint_primitives::Leaf, Vec<aos_checkpoint_primitives::Step>) {
		use aos_checkpoint_primitives::{merkle_root, step};
		let mut open = Vec::new();
		let mut batches: Vec<(H256, Vec<H256>)> = Vec::new();
		let mut found = None;
		for e in self.events(from, u64::from(view.closed_at)) {
			let RuntimeEvent::Checkpoints(e) = e else { continue };
			match e {
				pallet_checkpoints::Event::LeafRecorded { leaf, index } => {
					assert_eq!(index as usize, open.len());
					if wanted(&leaf) {
						found = Some((batches.len(), open.len(), leaf.clone()));
					}
					open.push(leaf.hash());
				},
				pallet_checkpoints::Event::BatchSealed { root, .. } => {
					assert_eq!(merkle_root(open.iter().copied()), root);
					batches.push((root, std::mem::take(&mut open)));
				},
				// The batches before it are the previous checkpoint's.
				pallet_checkpoints::Event::CheckpointClosed { id, .. } if id < n => {
					batches.clear();
					found = None;
				},
				pallet_checkpoints::Event::CheckpointFailed { .. } => {
					panic!("a checkpoint failed: its root would lead the next one's subtrees")
				},
				_ => {},
			}
		}
		let (batch, index, leaf) = found.expect("the leaf was recorded in the checkpoint");
		let roots: Vec<H256> = batches.iter().map(|(r, _)| *r).collect();
		assert_eq!(merkle_root(roots.iter().copied()), view.message.root);
		let path = vec![
			step(&batches[batch].1, index as u32).unwrap(),
			step(&roots, batch as u32).unwrap(),
		];
		(leaf, path)
	}

	/// The first final checkpoint that closed after block `after`, waiting for it.
	fn final_checkpoint_after(
		&self,
		after: u64,
	) -> (u64, aos_checkpoint_primitives::CheckpointView<u32>) {
		let mut found = None;
		wait("a final checkpoint", Duration::from_secs(300), || {
			let (_, last_final): (Option<u64>, Option<u64>) =
				runtime_call(&self.node, "CheckpointsApi_latest", ());
			found = (1..=last_final.unwrap_or(0)).find_map(|n| {
				let view: Option<aos_checkpoint_primitives::CheckpointView<u32>> =
					runtime_call(&self.node, "CheckpointsApi_checkpoint", n);
				view.filter(|v| u64::from(v.closed_at) > after).map(|v| (n, v))
			});
			found.is_some()
		});
		found.unwrap()
	}

	fn paid(&self, events: &[RuntimeEvent], task: u64) -> Vec<(AccountId, u128)> {
		events
			.iter()
			.filter_map(|e| match e {
				RuntimeEvent::Inference(pallet_inference::Event::OperatorPaid {
					task: t,
					operator,
					amount,
				}) if *t == task => Some((operator.clone(), *amount)),
				_ => None,
			})
			.collect()
	}
}

/// Submits `call` through `Sudo.sudo` as Alice (the dev chain's sudo key).
fn sudo(node: &Node, call: runtime::RuntimeCall) {
	submit(node, &Alice.pair(), pallet_sudo::Call::sudo { call: Box::new(call) }.into());
}

/// The class the kernel gives the setosa input.
fn expected_class() -> u32 {
	let file = fs::read(common::repo_root().join("models/iris/iris.aosm")).unwrap();
	let model = aos_kernel::Model::from_file(&file).unwrap();
	let trace = aos_kernel::infer(&model, &SETOSA).unwrap();
	let (best, _) =
		trace.logits.iter().enumerate().max_by_key(|(i, v)| (**v, -(*i as i64))).unwrap();
	best as u32
}

#[test]
fn three_honest_operators_agree_and_are_paid() {
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let net = devnet("e2e-honest", None);
	let from = net.node.best_number();
	let id = net.submit_task();
	let task = net.wait_settled(id);
	assert_eq!(task["status"]["phase"], "settled", "{task}");
	// Claims carry their commitments and every phase ends once complete: the randomness's two
	// blocks, the claims' block, the tranche's close, the reveals.
	let blocks = task["endedAt"].as_u64().unwrap() - task["submittedAt"].as_u64().unwrap();
	assert!(blocks <= 6, "settled {blocks} blocks after its submission: {task}");
	let result = &task["result"];
	assert_eq!((result["agreeing"].as_u64(), result["conflicting"].as_u64()), (Some(3), Some(0)));
	assert_eq!(result["top"], json!([expected_class()]), "setosa is class 0: {task}");
	// The fee is shared by the three.
	let events = net.events(from, net.node.best_number());
	let mut paid = net.paid(&events, id);
	paid.sort();
	let mut expected: Vec<_> = net.operators.iter().map(|o| (o.account(), UNITS)).collect();
	expected.sort();
	assert_eq!(paid, expected);
	for operator in &net.operators {
		let log = operator.log();
		for step in ["registered", "claimed", "computed", "committed", "revealed"] {
			assert!(log.contains(step), "{:?} did not log {step}:\n{log}", operator.who);
		}
	}
}

/// Runtime API `method` with SCALE `args` at the best block, decoded.
fn runtime_call<T: Decode>(node: &Node, method: &str, args: impl codec::Encode) -> T {
	let raw = node.rpc("state_call", json!([method, hex_encode(&args.encode()), Value::Null]));
	T::decode(&mut &hex_decode(raw.as_str().expect("state_call answers hex"))[..]).expect(method)
}

#[test]
fn the_operators_sign_the_checkpoint_that_proves_a_settled_task() {
	use aos_checkpoint_primitives::{fold_path, CheckpointStatus};
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let net = devnet("e2e-checkpoints", None);
	let from = net.node.best_number();
	let id = net.submit_task();
	let task = net.wait_settled(id);
	assert_eq!(task["status"]["phase"], "settled", "{task}");
	let settled_at = task["endedAt"].as_u64().unwrap();
	// A checkpoint a minute on the dev chain: the first to close after the task settled holds it.
	let (n, view) = net.final_checkpoint_after(settled_at);
	assert!(n >= 1, "checkpoint 0 is the bootstrap and holds no settled task");
	assert!(matches!(view.status, CheckpointStatus::Final { .. }), "{view:?}");
	assert!(view.signed >= view.threshold, "{view:?}");
	// The operators' addresses are the set; each signature recovers to a member over the digest.
	let members: Vec<(H160, u64)> = runtime_call(&net.node, "CheckpointsApi_members", ());
	assert_eq!(members.len(), 3, "{members:?}");
	let signatures: Vec<(H160, [u8; 65])> = runtime_call(&net.node, "CheckpointsApi_signatures", n);
	assert!(signatures.len() >= 2, "two thirds of three equal operators: {signatures:?}");
	let hash = aos_operators_primitives::eip191_hash(view.digest.as_bytes());
	for (signer, signature) in &signatures {
		assert_eq!(aos_checkpoint_primitives::recover_signer(&hash, signature), Some(*signer));
		assert!(members.iter().any(|(a, _)| a == signer));
	}
	// The task's leaf, from the events of the blocks the checkpoint covers, proves into its root.
	let (leaf, path) = net.leaf_path(
		from,
		n,
		&view,
		|l| matches!(l, aos_checkpoint_primitives::Leaf::Result { task, .. } if *task == id),
	);
	let result = &task["result"];
	let aos_checkpoint_primitives::Leaf::Result { output, agreeing, assigned, .. } = &leaf else {
		unreachable!()
	};
	assert_eq!(format!("{output:?}"), result["output"].as_str().unwrap());
	assert_eq!((*agreeing, *assigned), (3, 3));
	assert_eq!(fold_path(leaf.hash(), &path), Some(view.message.root));
	// The operators' services signed it (those that saw it still signing once finalized).
	let signers = net.operators.iter().filter(|o| o.log().contains("checkpoint signed")).count();
	assert!(signers >= 2, "{signers} operators signed");
}

/// A local anvil (`contracts/node_modules`, installed by `./scripts/test-contracts.sh`).
struct Anvil {
	child: Child,
	url: String,
	/// Its funded dev accounts' private keys (hex), as it prints them.
	keys: Vec<String>,
}

impl Anvil {
	fn start(log: PathBuf) -> Anvil {
		let bin = common::repo_root().join("contracts/node_modules/.bin/anvil");
		assert!(bin.exists(), "no {}: run ./scripts/test-contracts.sh first", bin.display());
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let mut cmd = Command::new(bin);
		cmd.args(["--port", &port.to_string()])
			.stdout(fs::File::create(&log).expect("anvil log"))
			.stderr(Stdio::null());
		let child = spawn_tied(&mut cmd, "anvil");
		let url = format!("http://127.0.0.1:{port}");
		wait("anvil listening", Duration::from_secs(60), || {
			std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
		});
		let mut keys = Vec::new();
		wait("anvil's accounts", Duration::from_secs(30), || {
			let text = fs::read_to_string(&log).unwrap_or_default();
			let Some(listed) = text.split("Private Keys").nth(1) else { return false };
			keys = listed
				.lines()
				.filter_map(|l| l.trim().split_once(") 0x").map(|(_, k)| k.trim().to_string()))
				.take_while(|k| k.len() == 64)
				.collect();
			keys.len() >= 5
		});
		Anvil { child, url, keys }
	}

	/// A raw JSON-RPC call.
	fn rpc(&self, method: &str, params: Value) -> Value {
		let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
		let out = Command::new("curl")
			.args(["-s", "-X", "POST", "-H", "Content-Type: application/json", "--data"])
			.arg(body.to_string())
			.arg(&self.url)
			.output()
			.expect("curl");
		let answer: Value = serde_json::from_slice(&out.stdout).expect("JSON-RPC answer");
		answer["result"].clone()
	}
}

impl Drop for Anvil {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

/// A running `aos-relayer run`.
struct Relayer {
	child: Option<Child>,
	args: Vec<String>,
	log: PathBuf,
}

impl Relayer {
	fn start(&mut self) {
		let log = fs::OpenOptions::new().create(true).append(true).open(&self.log).expect("log");
		let mut cmd = Command::new(workspace_binary("aos-relayer"));
		cmd.args(&self.args).env("RUST_LOG", "aos_relayer=debug").stdout(Stdio::null()).stderr(log);
		self.child = Some(spawn_tied(&mut cmd, "aos-relayer"));
	}

	fn kill(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}

impl Drop for Relayer {
	fn drop(&mut self) {
		self.kill();
		if std::thread::panicking() {
			eprintln!(
				"--- aos-relayer log ---\n{}",
				fs::read_to_string(&self.log).unwrap_or_default()
			);
		}
	}
}

/// The AVS contract's functions the relayer does not call (`aos_relayer::eth` has those it
/// does): proving and forwarding slashes, and the AllocationManager stand-in's registration.
mod avs_extra {
	alloy::sol! {
		#[sol(rpc)]
		contract SlashProofs {
			struct Step {
				bytes32[] proof;
				uint256 width;
				uint256 index;
			}

			struct SlashLeaf {
				uint64 slash;
				bytes32 operator;
				address eth;
				uint8 offence;
				uint128 amount;
				bool referenced;
				uint64 reference_;
			}

			function slashLeafHash(SlashLeaf calldata s) external pure returns (bytes32);
			function verifyLeaf(uint64 id, bytes32 leaf, Step[] calldata path) external view returns (bool);
			function forwardSlash(uint64 id, SlashLeaf calldata s, Step[] calldata path)
				external
				returns (uint256 slashId);
			function setSlashing(address[] calldata strategies_, uint8[] calldata offences, uint256[] calldata wads)
				external;

			error NotIncluded();
			error AlreadyForwarded();
		}

		#[sol(rpc)]
		contract AllocationManagerStandIn {
			function registerForOperatorSet(address avs, uint32 id, bytes calldata data) external;
			function slashCount() external view returns (uint256);
		}
	}
}

/// The bridge's Ethereum side for a devnet: anvil, the contracts deployed from the chain's
/// bootstrap checkpoint (`aos-relayer deploy`, a key file), and `aos-relayer run`, whose key is
/// held by a Web3Signer stand-in (the remote-signer path, `--web3signer`).
struct Bridge {
	anvil: Anvil,
	avs: alloy::primitives::Address,
	allocation_manager: alloy::primitives::Address,
	relayer: Relayer,
	/// The relayer's state file.
	state: PathBuf,
	rt: tokio::runtime::Runtime,
	_signer: jsonrpsee::server::ServerHandle,
}

impl Bridge {
	fn start(net: &Devnet, tag: &str) -> Bridge {
		// The contracts, compiled by forge with solcjs.
		let contracts = common::repo_root().join("contracts");
		let forge = contracts.join("node_modules/.bin/forge");
		assert!(forge.exists(), "no {}: run ./scripts/test-contracts.sh first", forge.display());
		let built = Command::new(&forge)
			.args(["build", "--use", "./tools/solc"])
			.current_dir(&contracts)
			.env("NODE_PATH", contracts.join("node_modules"))
			.output()
			.expect("forge build");
		assert!(built.status.success(), "forge build: {}", String::from_utf8_lossy(&built.stderr));
		let dir = common::temp_dir(tag);
		let anvil = Anvil::start(dir.join("anvil.log"));
		// anvil's dev account 0 deploys, from a key file.
		let deployer = dir.join("deployer.key");
		fs::write(&deployer, &anvil.keys[0]).unwrap();
		// The bootstrap checkpoint is final once the operators registered and a period passed.
		net.node.wait_until("the bootstrap checkpoint", Duration::from_secs(180), |n| {
			let finalized = n.rpc("chain_getFinalizedHead", json!([]));
			let raw = n.rpc("state_call", json!(["CheckpointsApi_latest", "0x", finalized]));
			let latest: (Option<u64>, Option<u64>) =
				Decode::decode(&mut &hex_decode(raw.as_str().unwrap())[..]).unwrap();
			latest.1.is_some()
		});
		let node_url = format!("ws://{}", net.node.rpc);
		let deployed = Command::new(workspace_binary("aos-relayer"))
			.args(["deploy", "--node", &node_url, "--eth", &anvil.url, "--key-file"])
			.arg(&deployer)
			.arg("--artifacts")
			.arg(contracts.join("out"))
			.output()
			.expect("aos-relayer deploy");
		assert!(deployed.status.success(), "deploy: {}", String::from_utf8_lossy(&deployed.stderr));
		let deployed: Value = serde_json::from_slice(&deployed.stdout).expect("deploy's JSON");
		assert_eq!(deployed["operators"], 3, "{deployed}");
		let address = |field: &str| -> alloy::primitives::Address {
			deployed[field].as_str().unwrap().parse().unwrap()
		};
		let (avs, allocation_manager) = (address("avs"), address("allocationManager"));
		// anvil's dev account 4 relays; a Web3Signer stand-in holds its key (chain id 31337).
		let rt = tokio::runtime::Runtime::new().unwrap();
		aos_relayer::install_crypto_provider();
		let key = alloy::signers::local::PrivateKeySigner::from_str(&anvil.keys[4]).unwrap();
		let address = key.address().to_string();
		let (signer_url, signer) =
			rt.block_on(web3signer::start(web3signer::SignerSetup::honest(key, 31337)));
		let state = dir.join("relayer-state.json");
		let mut relayer = Relayer {
			child: None,
			args: [
				"run",
				"--node",
				&node_url,
				"--eth",
				&anvil.url,
				"--contract",
				&avs.to_string(),
				"--web3signer",
				&signer_url,
				"--address",
				&address,
				"--state",
				state.to_str().unwrap(),
				"--poll-ms",
				"500",
				"--inclusion-timeout",
				"4",
			]
			.map(String::from)
			.to_vec(),
			log: dir.join("relayer.log"),
		};
		relayer.start();
		Bridge { anvil, avs, allocation_manager, relayer, state, rt, _signer: signer }
	}

	fn provider(&self) -> impl alloy::providers::Provider + Clone {
		alloy::providers::ProviderBuilder::new().connect_http(self.anvil.url.parse().unwrap())
	}

	/// A provider that signs with the hex private key `key`.
	fn provider_as(&self, key: &str) -> impl alloy::providers::Provider + Clone {
		let key = alloy::signers::local::PrivateKeySigner::from_str(key).unwrap();
		alloy::providers::ProviderBuilder::new()
			.wallet(alloy::network::EthereumWallet::from(key))
			.connect_http(self.anvil.url.parse().unwrap())
	}

	/// The contract's last recorded checkpoint.
	fn last_id(&self) -> u64 {
		let provider = self.provider();
		let avs = aos_relayer::eth::AOSServiceManager::new(self.avs, &provider);
		self.rt.block_on(async { avs.lastId().call().await }).unwrap()
	}

	fn wait_recorded(&self, n: u64) {
		wait(&format!("checkpoint {n} recorded on anvil"), Duration::from_secs(180), || {
			self.last_id() >= n
		})
	}
}

/// A path in the contract's types.
fn as_steps<
	S: From<(
		Vec<alloy::primitives::FixedBytes<32>>,
		alloy::primitives::U256,
		alloy::primitives::U256,
	)>,
>(
	path: &[aos_checkpoint_primitives::Step],
) -> Vec<S> {
	use alloy::primitives::{FixedBytes, U256};
	path.iter()
		.map(|s| {
			S::from((
				s.proof.iter().map(|p| FixedBytes(p.0)).collect(),
				U256::from(s.width),
				U256::from(s.index),
			))
		})
		.collect()
}

#[test]
fn the_relayer_records_checkpoints_on_anvil_once_each_and_the_contract_checks_them() {
	use alloy::{
		primitives::{Address, FixedBytes},
		providers::Provider,
	};
	use aos_relayer::eth::AOSServiceManager;
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let net = devnet("e2e-bridge", None);
	let mut bridge = Bridge::start(&net, "e2e-bridge-eth");
	let provider = bridge.provider();
	let avs = AOSServiceManager::new(bridge.avs, &provider);
	let rt = &bridge.rt;

	// A settled task's checkpoint is recorded, and the contract proves the task's result.
	let from = net.node.best_number();
	let id = net.submit_task();
	let task = net.wait_settled(id);
	let (n, view) = net.final_checkpoint_after(task["endedAt"].as_u64().unwrap());
	bridge.wait_recorded(n);
	let root = rt.block_on(async { avs.rootOf(n).call().await }).unwrap();
	assert_eq!(root.0, view.message.root.0);
	let (leaf, path) = net.leaf_path(
		from,
		n,
		&view,
		|l| matches!(l, aos_checkpoint_primitives::Leaf::Result { task, .. } if *task == id),
	);
	let aos_checkpoint_primitives::Leaf::Result {
		task: t,
		model,
		output,
		result,
		agreeing,
		assigned,
	} = leaf
	else {
		unreachable!()
	};
	let leaf = AOSServiceManager::ResultLeaf {
		task: t,
		model: FixedBytes(model.0),
		output: FixedBytes(output.0),
		result: FixedBytes(result.0),
		agreeing,
		assigned,
	};
	let steps = as_steps::<AOSServiceManager::Step>(&path);
	assert!(rt
		.block_on(async { avs.verifyResult(n, leaf.clone(), steps.clone()).call().await })
		.unwrap());
	let mut other = leaf.clone();
	other.agreeing = 2;
	assert!(!rt.block_on(async { avs.verifyResult(n, other, steps).call().await }).unwrap());

	// Killed between submission and inclusion: anvil stops mining, the relayer sends the next
	// checkpoint and is killed; restarted, it sends it again with the same nonce; anvil mines.
	bridge.anvil.rpc("evm_setAutomine", json!([false]));
	let id2 = net.submit_task();
	let task2 = net.wait_settled(id2);
	let (m, _) = net.final_checkpoint_after(task2["endedAt"].as_u64().unwrap());
	wait("the relayer's transaction in flight", Duration::from_secs(180), || {
		let s: Value = fs::read(&bridge.state)
			.ok()
			.and_then(|b| serde_json::from_slice(&b).ok())
			.unwrap_or(Value::Null);
		s["id"].as_u64() == Some(m) && !s["tx"].is_null()
	});
	bridge.relayer.kill();
	assert!(bridge.last_id() < m, "mined while automine was off");
	bridge.relayer.start();
	// Past the inclusion timeout: the restarted relayer has sent its replacement.
	std::thread::sleep(Duration::from_secs(8));
	bridge.anvil.rpc("evm_setAutomine", json!([true]));
	bridge.anvil.rpc("evm_mine", json!([]));
	bridge.wait_recorded(m);
	std::thread::sleep(Duration::from_secs(3));
	// One transaction per recorded checkpoint from the relayer's account: none twice.
	let relayer_address: Address =
		alloy::signers::local::PrivateKeySigner::from_str(&bridge.anvil.keys[4]).unwrap().address();
	let nonce =
		rt.block_on(async { provider.get_transaction_count(relayer_address).await }).unwrap();
	let recorded = rt
		.block_on(provider.get_logs(
			&alloy::rpc::types::Filter::new()
				.address(bridge.avs)
				.event_signature(<AOSServiceManager::CheckpointRecorded as alloy::sol_types::SolEvent>::SIGNATURE_HASH)
				.from_block(0),
		))
		.unwrap();
	// The constructor's record of checkpoint 0 is not the relayer's.
	let relayed = recorded.len() as u64 - 1;
	assert_eq!(
		nonce, relayed,
		"the relayer's transactions ({nonce}) against checkpoints recorded ({relayed})"
	);
	let log = fs::read_to_string(&bridge.relayer.log).unwrap();
	assert!(log.contains("attempt=1"), "the restarted relayer resent the checkpoint:\n{log}");

	// What the contract refuses, on anvil: signatures made with the operators' Ethereum keys
	// over digests the chain never closed (a quorum that signed one would be slashed on AOS).
	let last = bridge.last_id();
	let root = FixedBytes([7u8; 32]);
	let keys: Vec<k256::ecdsa::SigningKey> = (0..3)
		.map(|i| k256::ecdsa::SigningKey::from_slice(&[0x31 + i as u8; 32]).unwrap())
		.collect();
	let sign = |key: &k256::ecdsa::SigningKey, id: u64, previous: u64| {
		let digest =
			rt.block_on(async { avs.digest(id, previous, root, vec![]).call().await }).unwrap();
		let signed = aos_operator::keys::sign_eip191(key, digest.as_slice()).unwrap();
		(aos_operator::keys::address_of(key), signed)
	};
	use AOSServiceManager::AOSServiceManagerErrors as Refused;
	let submit = |id: u64, previous: u64, sigs: Vec<(H160, [u8; 65])>| -> Refused {
		let sigs = aos_relayer::eth::signatures(sigs);
		match rt
			.block_on(async { avs.submitCheckpoint(id, previous, root, vec![], sigs).call().await })
		{
			Ok(_) => panic!("checkpoint {id} after {previous} accepted"),
			Err(e) => e
				.as_decoded_interface_error::<Refused>()
				.unwrap_or_else(|| panic!("not the contract's error: {e}")),
		}
	};
	let all = |id, previous| keys.iter().map(|k| sign(k, id, previous)).collect::<Vec<_>>();
	let short = submit(last + 1, last, all(last + 1, last)[..1].to_vec());
	assert!(matches!(short, Refused::QuorumNotReached(_)), "{short:?}");
	let one = all(last + 1, last)[0];
	let repeated = submit(last + 1, last, vec![one, one]);
	assert!(matches!(repeated, Refused::SignersNotAscending(_)), "{repeated:?}");
	let outsider = k256::ecdsa::SigningKey::from_slice(&[0x77; 32]).unwrap();
	let forged = submit(last + 1, last, vec![sign(&outsider, last + 1, last)]);
	assert!(matches!(forged, Refused::NotAMember(_)), "{forged:?}");
	let again = submit(last, last, all(last, last));
	assert!(matches!(again, Refused::OutOfOrder(_)), "{again:?}");
	// The same quorum over the next number is accepted (checked without sending it).
	let quorum = aos_relayer::eth::signatures(all(last + 1, last));
	rt.block_on(async { avs.submitCheckpoint(last + 1, last, root, vec![], quorum).call().await })
		.expect("a quorum's checkpoint, in order");
}

#[test]
fn a_slash_on_aos_is_proven_on_ethereum_and_forwarded_once() {
	use alloy::primitives::{Address, FixedBytes, U256};
	use avs_extra::{AllocationManagerStandIn, SlashProofs};
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	// Ferdie answers wrongly and is liquidated: a slash the checkpoints carry.
	let net = devnet("e2e-bridge-slash", Some(Ferdie));
	let bridge = Bridge::start(&net, "e2e-bridge-slash-eth");
	let rt = &bridge.rt;
	// Ferdie's Ethereum key (the devnet's third operator) registers to the AVS's operator set
	// at the AllocationManager stand-in, as an operator does on EigenLayer.
	let ferdie_key = format!("0x{}", hex::encode([0x33u8; 32]));
	let ferdie_eth =
		alloy::signers::local::PrivateKeySigner::from_str(&ferdie_key).unwrap().address();
	bridge.anvil.rpc("anvil_setBalance", json!([ferdie_eth, "0xde0b6b3a7640000"]));
	let as_ferdie = bridge.provider_as(&ferdie_key);
	let manager = AllocationManagerStandIn::new(bridge.allocation_manager, &as_ferdie);
	rt.block_on(async {
		manager
			.registerForOperatorSet(bridge.avs, 0, Default::default())
			.send()
			.await
			.expect("sent")
			.get_receipt()
			.await
	})
	.expect("Ferdie registers to the operator set");

	let from = net.node.best_number();
	let id = net.submit_task();
	net.wait_settled(id);
	// The liquidation is applied after its veto window; its slash is a leaf of that block.
	let ferdie = H256(Ferdie.to_account_id().into());
	let mut next = from;
	let mut slashed_at = None;
	wait("Ferdie's slash recorded for the bridge", Duration::from_secs(240), || {
		while slashed_at.is_none() && next <= net.node.best_number() {
			let recorded = net.events(next, next).into_iter().any(|e| {
				matches!(e, RuntimeEvent::Checkpoints(pallet_checkpoints::Event::LeafRecorded {
					leaf: aos_checkpoint_primitives::Leaf::Slash { operator, .. }, ..
				}) if operator == ferdie)
			});
			slashed_at = recorded.then_some(next);
			next += 1;
		}
		slashed_at.is_some()
	});
	let slashed_at = slashed_at.unwrap();
	let (n, view) = net.final_checkpoint_after(slashed_at);
	bridge.wait_recorded(n);
	let (leaf, path) = net.leaf_path(
		from,
		n,
		&view,
		|l| matches!(l, aos_checkpoint_primitives::Leaf::Slash { operator, .. } if *operator == ferdie),
	);
	let aos_checkpoint_primitives::Leaf::Slash { slash, operator, eth, offence, amount, reference } =
		leaf.clone()
	else {
		unreachable!()
	};
	assert_eq!(Address::from(eth.0), ferdie_eth, "the slash names Ferdie's Ethereum address");
	assert!(amount > 0, "{leaf:?}");
	let s = SlashProofs::SlashLeaf {
		slash,
		operator: FixedBytes(operator.0),
		eth: Address::from(eth.0),
		offence,
		amount,
		referenced: reference.is_some(),
		reference_: reference.unwrap_or_default(),
	};
	let provider = bridge.provider();
	let proofs = SlashProofs::new(bridge.avs, &provider);
	// The contract hashes the leaf as the runtime did, and proves it in the recorded root.
	let hashed = rt.block_on(async { proofs.slashLeafHash(s.clone()).call().await }).unwrap();
	assert_eq!(hashed.0, leaf.hash().0);
	let steps = as_steps::<SlashProofs::Step>(&path);
	assert!(rt
		.block_on(async { proofs.verifyLeaf(n, hashed, steps.clone()).call().await })
		.unwrap());
	let mut forged = s.clone();
	forged.amount += 1;
	let forged_hash = rt.block_on(async { proofs.slashLeafHash(forged).call().await }).unwrap();
	assert!(!rt
		.block_on(async { proofs.verifyLeaf(n, forged_hash, steps.clone()).call().await })
		.unwrap());

	// The owner sets what the offence takes; anyone forwards the proven slash, once.
	let as_owner = bridge.provider_as(&bridge.anvil.keys[0]);
	let owned = SlashProofs::new(bridge.avs, &as_owner);
	let strategy = Address::repeat_byte(0x51);
	rt.block_on(async {
		owned
			.setSlashing(
				vec![strategy],
				vec![offence],
				vec![U256::from(10u64).pow(U256::from(17u64))],
			)
			.send()
			.await
			.expect("sent")
			.get_receipt()
			.await
	})
	.expect("setSlashing");
	let as_anyone = bridge.provider_as(&bridge.anvil.keys[2]);
	let anyone = SlashProofs::new(bridge.avs, &as_anyone);
	let receipt = rt
		.block_on(async {
			anyone
				.forwardSlash(n, s.clone(), steps.clone())
				.send()
				.await
				.expect("sent")
				.get_receipt()
				.await
		})
		.expect("forwardSlash");
	assert!(receipt.status(), "{receipt:?}");
	let manager = AllocationManagerStandIn::new(bridge.allocation_manager, &provider);
	assert_eq!(rt.block_on(async { manager.slashCount().call().await }).unwrap(), U256::from(1));
	let again = rt.block_on(async { anyone.forwardSlash(n, s, steps).call().await });
	let again = again.expect_err("a slash forwarded twice");
	assert!(
		matches!(
			again.as_decoded_interface_error::<SlashProofs::SlashProofsErrors>(),
			Some(SlashProofs::SlashProofsErrors::AlreadyForwarded(_))
		),
		"{again:?}"
	);
}

#[test]
fn a_cheating_operator_is_liquidated_and_the_honest_share_its_collateral() {
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let net = devnet("e2e-cheat", Some(Ferdie));
	let from = net.node.best_number();
	let stake_before = net.node.rpc("aos_operator", json!([Ferdie.to_account_id().to_string()]))
		["ownStake"]
		.as_str()
		.unwrap()
		.parse::<u128>()
		.unwrap();
	let id = net.submit_task();
	let task = net.wait_settled(id);
	assert_eq!(task["status"]["phase"], "settled", "{task}");
	let result = &task["result"];
	// n = 2, m = 1, A = 3: 2 > 10·1 fails, 100·2 > 66·3 holds.
	assert_eq!(
		(result["agreeing"].as_u64(), result["conflicting"].as_u64(), result["assigned"].as_u64()),
		(Some(2), Some(1), Some(3))
	);
	assert_eq!(result["top"], json!([expected_class()]));
	// The liquidation is applied after the slash's veto window and funds the task's pool.
	wait("the pool is funded and paid", Duration::from_secs(180), || {
		net.task(id)["pool"].as_str().is_some_and(|p| p != "0")
	});
	let pool: u128 = net.task(id)["pool"].as_str().unwrap().parse().unwrap();
	let stake_after = net.node.rpc("aos_operator", json!([Ferdie.to_account_id().to_string()]))
		["ownStake"]
		.as_str()
		.unwrap()
		.parse::<u128>()
		.unwrap();
	assert_eq!(stake_before - stake_after, pool, "the cheater's loss is the pool");
	let mut events = Vec::new();
	wait("the pool is paid out", Duration::from_secs(60), || {
		events = net.events(from, net.node.best_number());
		net.paid(&events, id).iter().map(|(_, a)| a).sum::<u128>() == 3 * UNITS + pool
	});
	assert!(events.iter().any(|e| matches!(e,
		RuntimeEvent::Inference(pallet_inference::Event::OperatorLiquidated { task, operator })
			if *task == id && *operator == Ferdie.to_account_id())));
	let paid = net.paid(&events, id);
	assert!(paid.iter().all(|(who, _)| *who != Ferdie.to_account_id()), "{paid:?}");
	let dave: u128 = paid.iter().filter(|(w, _)| *w == Dave.to_account_id()).map(|(_, a)| a).sum();
	let eve: u128 = paid.iter().filter(|(w, _)| *w == Eve.to_account_id()).map(|(_, a)| a).sum();
	assert!(dave.abs_diff(eve) <= 1, "equal shares: {dave} vs {eve}");
}

#[test]
fn an_operator_killed_between_commit_and_reveal_resumes_and_reveals() {
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let mut net = devnet("e2e-restart", None);
	let id = net.submit_task();
	let needle = format!("committed task={id}");
	{
		let dave = &net.operators[0];
		wait("Dave committed", Duration::from_secs(200), || dave.log().contains(&needle));
	}
	net.operators[0].kill();
	let killed_at = net.operators[0].log().len();
	std::thread::sleep(Duration::from_secs(3));
	net.operators[0].start();
	let task = net.wait_settled(id);
	assert_eq!(task["status"]["phase"], "settled", "{task}");
	assert_eq!(task["result"]["agreeing"], 3, "Dave's reveal counted: {task}");
	let after = net.operators[0].log()[killed_at..].to_string();
	assert!(
		after.contains(&format!("revealed task={id}")),
		"Dave revealed after restarting:\n{after}"
	);
	assert!(!after.contains(&needle), "Dave did not commit twice:\n{after}");
}

#[test]
fn the_typescript_dapp_registers_submits_and_prints_the_verified_result() {
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let example = common::repo_root().join("examples/dapp-ts");
	let tsx = example.join("node_modules/.bin/tsx");
	assert!(tsx.exists(), "run `npm ci` in {} first (scripts/test.sh does)", example.display());
	let net = devnet("e2e-ts", None);
	// The dApp uses its own account (Bob) and registers the model itself when it is not there:
	// here Alice has registered it already, so it reads it and goes on.
	let out = Command::new(&tsx)
		.arg("src/classify.ts")
		.args(["--url", &format!("ws://{}", net.node.rpc), "--suri", "//Bob"])
		.args(["--measurements", "5.1,3.5,1.4,0.2", "--fee", "3", "--redundancy", "3"])
		.current_dir(&example)
		.output()
		.expect("run the TypeScript example");
	let stdout = String::from_utf8_lossy(&out.stdout);
	let stderr = String::from_utf8_lossy(&out.stderr);
	assert!(out.status.success(), "the example failed:\n{stdout}\n{stderr}");
	assert!(stdout.contains("model 0x") && stdout.contains("is registered"), "{stdout}");
	assert!(stdout.contains("verified result: class 0 = setosa"), "{stdout}");
	assert!(stdout.contains("3 of 3 operators agreed, 0 disagreed"), "{stdout}");
	// The chain agrees with what it printed.
	let tasks = net
		.node
		.rpc("aos_tasksOf", json!([sp_keyring::Sr25519Keyring::Bob.to_account_id().to_string()]));
	let id = tasks[0].as_u64().expect("Bob's task");
	assert_eq!(net.task(id)["status"]["phase"], "settled");
}

#[test]
fn a_zk_task_is_proved_with_ezkl_and_settled_by_the_native_verifier() {
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let net = devnet_with("e2e-zk", None, Modes { zk: true, ..Modes::default() });
	let (circuit, _) = iris_circuit();
	let vka = fs::read(circuit.join("vka.bin")).unwrap();
	let vk = H256(sp_crypto_hashing::blake2_256(&vka));
	submit(
		&net.node,
		&Alice.pair(),
		pallet_zk_verifier::Call::register_vk { vka: BoundedVec::truncate_from(vka) }.into(),
	);
	submit(
		&net.node,
		&Alice.pair(),
		pallet_zk_verifier::Call::link_model { model: net.model, vk, input_scale: 7 }.into(),
	);
	let from = net.node.best_number();
	let id = net.submit_task_in(VerificationMode::Zk, 1);
	let task = net.wait_settled(id);
	assert_eq!(task["status"]["phase"], "settled", "{task}");
	assert_eq!(task["mode"], "zk", "{task}");
	// Proved before it was claimed, the claim carrying the proof's commitment.
	let blocks = task["endedAt"].as_u64().unwrap() - task["submittedAt"].as_u64().unwrap();
	eprintln!("the Zk task settled {blocks} blocks after its submission");
	let claims = task["claims"].as_array().expect("claims");
	assert_eq!(claims.len(), 1, "one prover: {task}");
	assert!(claims[0]["commitment"].is_null(), "proved without committing: {task}");
	// ezkl's circuit computes the Iris MLP in its own fixed point: the class is the kernel's.
	assert_eq!(task["result"]["top"], json!([expected_class()]), "{task}");
	let events = net.events(from, net.node.best_number());
	let accepted: Vec<_> = events
		.iter()
		.filter_map(|e| match e {
			RuntimeEvent::ZkVerifier(pallet_zk_verifier::Event::ProofAccepted {
				task,
				operator,
				vk: v,
			}) if *task == id && *v == vk => Some(operator.clone()),
			_ => None,
		})
		.collect();
	assert_eq!(accepted.len(), 1, "one proof accepted: {events:?}");
	let prover = &accepted[0];
	assert!(!events.iter().any(|e| matches!(
		e,
		RuntimeEvent::ZkVerifier(pallet_zk_verifier::Event::ProofRejected { .. })
	)));
	assert!(events.iter().any(|e| matches!(e,
		RuntimeEvent::Inference(pallet_inference::Event::TaskProved { task, operator, .. })
			if *task == id && operator == prover)));
	let paid = net.paid(&events, id);
	assert_eq!(paid.iter().map(|(w, _)| w.clone()).collect::<Vec<_>>(), vec![prover.clone()]);
	let log = net.operators.iter().find(|o| o.account() == *prover).unwrap().log();
	for step in ["claimed", "proved", "proof accepted"] {
		assert!(log.contains(&format!("{step} task={id}")), "no `{step}` in:\n{log}");
	}
	// k = 1: the first tranche targets three selections (`MinSelections`), so every operator
	// of the three is selected; they claim at once without working, the best-ranked is
	// assigned and, the round's only prover, proves and submits without a commit phase:
	// randomness 2 blocks after the submission, claims the next, the proving phase the next,
	// the proof 2 blocks later while ezkl takes less than about 8 s. A slower proof (a loaded
	// machine) may add a block per 5 s slot beyond that, measured by the prover itself: the
	// protocol's latency is asserted, not the machine's speed.
	let proved_ms = log
		.lines()
		.find(|l| l.contains(&format!("proved task={id}")))
		.and_then(|l| l.split("total_ms=").nth(1))
		.and_then(|v| v.split_whitespace().next())
		.and_then(|v| v.parse::<u64>().ok())
		.unwrap_or_else(|| panic!("the prover logged no proving time:\n{log}"));
	let slow_slots = proved_ms.saturating_sub(8_000).div_ceil(5_000);
	eprintln!("ezkl proved in {proved_ms} ms");
	assert!(
		blocks <= 6 + slow_slots,
		"settled {blocks} blocks after its submission, the proof taking {proved_ms} ms: {task}"
	);
	assert!(!log.contains(&format!("computed task={id}")), "a Zk task is proved, not computed");
}

#[test]
fn hostile_tasks_stop_no_operator_and_slash_no_one() {
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let net = devnet("e2e-hostile", None);
	let from = net.node.best_number();
	let remote = |uri: &str| TaskInput::Remote {
		hash: H256(sp_crypto_hashing::blake2_256(&SETOSA.map(|v| v as u8))),
		uri: BoundedVec::truncate_from(uri.as_bytes().to_vec()),
	};
	// A model whose file is not there (404) but whose registration is fine.
	let other = aos_kernel::golden::model();
	let other_id = H256(aos_kernel::model::content_hash(&other.to_file()));
	submit(
		&net.node,
		&Alice.pair(),
		pallet_inference::Call::register_model {
			model: other_id,
			kernel_version: other.kernel_version,
			inputs: other.inputs,
			layers: BoundedVec::truncate_from(LayerCommitment::of_model(&other)),
			uri: BoundedVec::truncate_from(net.web.url("/missing.aosm").into_bytes()),
			modes: VerificationMode::Redundancy.bit(),
			price: UNITS,
		}
		.into(),
	);
	wait("the second model is registered", Duration::from_secs(60), || {
		!net.node.rpc("aos_model", json!([hex_encode(other_id.as_bytes())])).is_null()
	});
	let inline = |values: Vec<i8>| TaskInput::Inline(BoundedVec::truncate_from(values));

	let submit = |model, input| net.submit_with(model, input, VerificationMode::Redundancy, 3);
	let honest_1 = submit(net.model, inline(SETOSA.to_vec()));
	let local_path = submit(net.model, remote("/dev/zero"));
	let drip = submit(net.model, remote(&net.web.serve("/drip", Route::Drip)));
	let missing_model = submit(other_id, inline(aos_kernel::golden::input()));
	let honest_2 = submit(net.model, inline(SETOSA.to_vec()));

	for id in [honest_1, honest_2] {
		let task = net.wait_settled(id);
		assert_eq!(task["status"]["phase"], "settled", "{task}");
		assert_eq!(task["result"]["agreeing"], 3, "{task}");
		assert_eq!(task["result"]["top"], json!([expected_class()]), "{task}");
	}
	for id in [local_path, drip, missing_model] {
		let task = net.wait_settled(id);
		assert_eq!(
			task["status"]["phase"], "undecided",
			"nobody claims what it cannot run: {task}"
		);
	}
	let to = net.node.best_number();
	let events = net.events(from, to);
	// Nobody was slashed, or found offline.
	assert!(
		!events.iter().any(|e| matches!(
			e,
			RuntimeEvent::Operators(
				pallet_operators::Event::SlashDeferred { .. }
					| pallet_operators::Event::Offline { .. }
			)
		)),
		"{events:?}"
	);
	// Heartbeats went on through it all: each operator heartbeated in the last periods.
	let period = 4;
	for operator in &net.operators {
		let state = net.node.rpc("aos_operator", json!([operator.account().to_string()]));
		let last = state["lastHeartbeat"].as_u64().unwrap_or(0);
		assert!(last + 3 * period >= to, "{:?} last heartbeated at {last}, now {to}", operator.who);
		let log = operator.log();
		assert!(log.contains("skipping the task"), "{:?} skipped nothing:\n{log}", operator.who);
	}
}

#[test]
fn a_tee_task_runs_in_the_simulated_enclave_and_a_revoked_image_is_refused() {
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	// Signed results are held 4 blocks: time for governance to revoke the image meanwhile.
	let net = devnet_with("e2e-tee", None, Modes { tee: Some(4), ..Modes::default() });
	for operator in &net.operators {
		let key = pallet_tee::Enclaves::<runtime::Runtime>::hashed_key_for(operator.account());
		wait(&format!("{:?}'s enclave registered", operator.who), Duration::from_secs(120), || {
			!net.node.rpc("state_getStorage", json!([hex_encode(&key)])).is_null()
		});
	}
	let from = net.node.best_number();
	let id = net.submit_task_in(VerificationMode::Tee, 1);
	let task = net.wait_settled(id);
	assert_eq!(task["status"]["phase"], "settled", "{task}");
	assert_eq!(task["mode"], "tee", "{task}");
	assert_eq!(task["result"]["top"], json!([expected_class()]), "{task}");
	let events = net.events(from, net.node.best_number());
	let attested: Vec<AccountId> = events
		.iter()
		.filter_map(|e| match e {
			RuntimeEvent::Inference(pallet_inference::Event::ResultAttested {
				task,
				operator,
				..
			}) if *task == id => Some(operator.clone()),
			_ => None,
		})
		.collect();
	assert_eq!(attested.len(), 1, "one attested result: {events:?}");
	let worker = &attested[0];
	assert_eq!(
		net.paid(&events, id).into_iter().map(|(w, _)| w).collect::<Vec<_>>(),
		vec![worker.clone()]
	);
	let log = net.operators.iter().find(|o| o.account() == *worker).unwrap().log();
	for step in ["claimed", "computed in the enclave", "result attested"] {
		assert!(log.contains(&format!("{step} task={id}")), "no `{step}` in:\n{log}");
	}
	assert!(!log.contains(&format!("computed task={id}")), "a TEE task runs in the enclave");

	// Governance revokes the image while a signed result is held back: it is refused.
	let id = net.submit_task_in(VerificationMode::Tee, 1);
	wait("the task takes attested results", Duration::from_secs(300), || {
		net.task(id)["status"]["phase"] == "attesting"
	});
	let image = pallet_tee::image_id(&simulated_pcrs());
	sudo(&net.node, pallet_tee::Call::revoke_image { image }.into());
	let task = net.wait_settled(id);
	assert_eq!(task["status"]["phase"], "undecided", "{task}");
	let events = net.events(from, net.node.best_number());
	assert!(!events.iter().any(|e| matches!(e,
		RuntimeEvent::Inference(pallet_inference::Event::ResultAttested { task, .. }) if *task == id)));
	let silent: Vec<AccountId> = events
		.iter()
		.filter_map(|e| match e {
			RuntimeEvent::Inference(pallet_inference::Event::RevealWithheld { task, operator })
				if *task == id =>
			{
				Some(operator.clone())
			},
			_ => None,
		})
		.collect();
	assert_eq!(silent.len(), 1, "its claimant's silence is reported: {events:?}");
	let log = net.operators.iter().find(|o| o.account() == silent[0]).unwrap().log();
	assert!(log.contains(&format!("attested result refused task={id}")), "{log}");
	assert!(events.iter().any(|e| matches!(e,
		RuntimeEvent::Inference(pallet_inference::Event::TaskUndecided { task }) if *task == id)));
}

#[test]
fn a_wrong_optimistic_result_is_disputed_and_overturned_and_the_next_one_stands() {
	use pallet_opml::{Event as Opml, GameEnd, Player};
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let modes = Modes { optimistic: true, ..Default::default() };
	let mut net = devnet_with("e2e-opml", None, modes);
	let start = net.node.best_number();
	let id = net.submit_task_in(VerificationMode::Optimistic, 1);

	// The first result is posted and challenged; once the defender has made a move, both
	// players are restarted in the middle of the game.
	let mut players = None;
	wait("a game under way", Duration::from_secs(300), || {
		let events = net.events(start, net.node.best_number());
		let defender = events.iter().find_map(|e| match e {
			RuntimeEvent::Opml(Opml::ResultPosted { task, defender, .. }) if *task == id => {
				Some(defender.clone())
			},
			_ => None,
		});
		let challenger = events.iter().find_map(|e| match e {
			RuntimeEvent::Opml(Opml::Defended { task, challenger, .. }) if *task == id => {
				Some(challenger.clone())
			},
			_ => None,
		});
		players = defender.zip(challenger);
		players.is_some()
	});
	let (defender, _) = players.unwrap();
	let d = net.operators.iter().position(|o| o.account() == defender).unwrap();
	// Both others challenge (each its own game); the defender first, then they restart.
	let challengers: Vec<usize> = (0..3).filter(|i| *i != d).collect();
	let mut restarted_at = [0; 3];
	for i in std::iter::once(d).chain(challengers.iter().copied()) {
		net.operators[i].kill();
		restarted_at[i] = net.operators[i].log().len();
		std::thread::sleep(Duration::from_secs(3));
		net.operators[i].start();
	}

	let task = net.wait_settled(id);
	assert_eq!(task["status"]["phase"], "settled", "{task}");
	assert_eq!(task["result"]["top"], json!([expected_class()]), "{task}");
	let events = net.events(start, net.node.best_number());
	let posted: Vec<AccountId> = events
		.iter()
		.filter_map(|e| match e {
			RuntimeEvent::Opml(Opml::ResultPosted { task, defender, .. }) if *task == id => {
				Some(defender.clone())
			},
			_ => None,
		})
		.collect();
	assert_eq!(posted.len(), 2, "a result in each round: {posted:?}");
	assert_eq!(posted[0], defender);
	assert_ne!(posted[1], defender, "the task went to another operator");
	// The wrong result lost on the one-step check: the neuron recomputed in the runtime is not
	// what it claimed.
	let won = events.iter().any(|e| {
		matches!(e, RuntimeEvent::Opml(Opml::GameEnded {
			task, winner: Player::Challenger, end: GameEnd::OneStep { computed, claimed }, ..
		}) if *task == id && computed != claimed)
	});
	assert!(won, "a challenger won by the one-step check");
	assert!(events.iter().any(|e| matches!(e,
		RuntimeEvent::Opml(Opml::ResultOverturned { task, defender: d, .. }) if *task == id && *d == defender)));
	assert!(events.iter().any(|e| matches!(e,
		RuntimeEvent::Opml(Opml::ResultStood { task, defender: d, .. }) if *task == id && *d == posted[1])));
	let slashed = events.iter().any(|e| {
		matches!(e, RuntimeEvent::Operators(pallet_operators::Event::SlashDeferred {
			operator, kind: aos_operators_primitives::OffenceKind::DisputeLost, ..
		}) if *operator == defender)
	});
	assert!(slashed, "the lying defender was reported for DisputeLost");
	let paid = net.paid(&events, id);
	assert_eq!(paid.iter().map(|(w, _)| w.clone()).collect::<Vec<_>>(), vec![posted[1].clone()]);
	// Both players went on after their restart.
	let after = |i: usize| net.operators[i].log()[restarted_at[i]..].to_string();
	assert!(after(d).contains("dispute: opening"), "the defender played on:\n{}", after(d));
	let played_on = challengers.iter().any(|i| {
		let log = after(*i);
		log.contains("dispute: choosing") || log.contains("dispute: the one-step check")
	});
	assert!(played_on, "a challenger played on after its restart");
	for i in challengers {
		assert!(!after(i).contains("dispute: challenging"), "no challenge twice:\n{}", after(i));
	}
}

#[test]
fn the_load_generator_runs_and_every_task_it_submits_settles() {
	let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
	let metrics = free_addrs();
	let net = devnet_with("e2e-load", None, Modes { metrics: Some(metrics), ..Modes::default() });
	let report = common::temp_dir("e2e-load-report").join("load.json");
	let endpoints = metrics.map(|m| m.to_string()).join(",");
	let status = Command::new(workspace_binary("aos-loadgen"))
		.args(["--url", &format!("ws://{}", net.node.rpc), "--model", &format!("{:?}", net.model)])
		.args(["--fee", "3", "--per-block", "4", "--blocks", "8", "--warmup", "0", "--drain", "24"])
		.args(["--accounts", "8", "--fund", "100", "--operator-metrics", &endpoints])
		.arg("--report")
		.arg(&report)
		.args(["--timeout", "400"])
		.status()
		.expect("run aos-loadgen");
	assert!(status.success(), "aos-loadgen failed");
	let report: Value = serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
	let summary = &report["summary"];
	assert_eq!(summary["submitted"], 32, "{summary}");
	assert_eq!(summary["settled"], 32, "{summary}");
	assert_eq!(summary["unfinished"], 0, "{summary}");
	assert!(summary["latency_blocks_max"].as_u64().unwrap() <= 8, "{summary}");
	assert!(summary["operator_lag_max"].as_u64().is_some(), "the operators were asked: {summary}");
	assert!(report["blocks"].as_array().unwrap().iter().any(|b| b["settled"].as_u64() > Some(0)));
	// Each operator's claims, commitments and reveals went out a block's worth at a time.
	for operator in &net.operators {
		let log = operator.log();
		let sent = log.matches("sending work").count();
		let claimed = log.matches("claimed task=").count();
		let revealed = log.matches("revealed task=").count();
		assert!(
			claimed + revealed > sent,
			"{:?}: {claimed} claims, {revealed} reveals in {sent} transactions",
			operator.who
		);
	}
}
