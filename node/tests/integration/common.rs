//! Runs the real `aos-node` binary for tests and talks JSON-RPC (over HTTP) to it.
//!
//! A [`Node`] kills its process and removes its base path when dropped, also when the test
//! panics; the process also gets SIGKILL if the test binary itself dies (`PR_SET_PDEATHSIG`).

#![allow(dead_code)]

use serde_json::{json, Value};
use std::{
	fs,
	io::{Read, Write},
	net::{SocketAddr, TcpStream},
	os::unix::process::CommandExt,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

/// The `aos-node` binary: the one cargo built for the node's own tests, else the one next to
/// the running test's target directory (other packages' tests, after `cargo build -p aos-node`).
pub fn node_binary() -> PathBuf {
	if let Some(path) = option_env!("CARGO_BIN_EXE_aos-node") {
		return PathBuf::from(path);
	}
	let exe = std::env::current_exe().expect("the test's path");
	// target/<profile>/deps/<test> → target/<profile>/aos-node
	let path = exe.parent().and_then(Path::parent).map(|d| d.join("aos-node"));
	match path {
		Some(path) if path.exists() => path,
		_ => panic!(
			"no aos-node next to {}: build it first (cargo build -p aos-node)",
			exe.display()
		),
	}
}

/// The repository root.
pub fn repo_root() -> PathBuf {
	let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
	while !dir.join("Cargo.lock").exists() {
		dir = dir.parent().expect("the repository root has Cargo.lock").to_path_buf();
	}
	dir
}

/// A fresh, empty directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
	let nanos = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_nanos())
		.unwrap_or_default();
	let dir = std::env::temp_dir().join(format!("aos-test-{tag}-{}-{nanos}", std::process::id()));
	fs::create_dir_all(&dir).expect("create temp dir");
	dir
}

/// A running `aos-node`.
pub struct Node {
	child: Child,
	base: PathBuf,
	log: PathBuf,
	/// Address of its JSON-RPC server.
	pub rpc: SocketAddr,
}

impl Node {
	/// Starts `aos-node` with `args`, a fresh base path, and RPC and P2P on free ports; waits
	/// until its RPC server listens.
	pub fn start(tag: &str, args: &[&str]) -> Node {
		let base = temp_dir(tag);
		let log = base.join("node.log");
		let log_file = fs::File::create(&log).expect("create log file");
		let mut cmd = Command::new(node_binary());
		cmd.args(args)
			.args(["--base-path", base.to_str().expect("utf-8 path")])
			.args(["--rpc-port", "0", "--port", "0", "--no-telemetry", "--no-mdns"])
			.stdout(Stdio::null())
			.stderr(log_file);
		// SAFETY: prctl is async-signal-safe; it only asks the kernel to kill the child when the
		// test process dies, so that no node outlives a killed test run.
		unsafe {
			cmd.pre_exec(|| {
				libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
				Ok(())
			});
		}
		let child = cmd.spawn().expect("spawn aos-node");
		let mut node = Node { child, base, log, rpc: "127.0.0.1:0".parse().expect("addr") };
		let line = node.wait_for_log("Running JSON-RPC server: addr=", Duration::from_secs(60));
		node.rpc = parse_first_addr(&line, "addr=");
		node
	}

	/// The node's log so far.
	pub fn log(&self) -> String {
		fs::read_to_string(&self.log).unwrap_or_default()
	}

	/// Waits until a log line contains `needle` and returns that line.
	pub fn wait_for_log(&mut self, needle: &str, timeout: Duration) -> String {
		let start = Instant::now();
		loop {
			if let Some(line) = self.log().lines().find(|l| l.contains(needle)) {
				return line.to_string();
			}
			if let Ok(Some(status)) = self.child.try_wait() {
				panic!("aos-node exited ({status}) before logging {needle:?}:\n{}", self.log());
			}
			assert!(
				start.elapsed() < timeout,
				"aos-node did not log {needle:?} within {timeout:?}:\n{}",
				self.log()
			);
			std::thread::sleep(Duration::from_millis(200));
		}
	}

	/// Calls a JSON-RPC method and returns its result; panics on a JSON-RPC error.
	pub fn rpc(&self, method: &str, params: Value) -> Value {
		match self.try_rpc(method, params) {
			Ok(v) => v,
			Err(e) => panic!("{method} failed: {e}\nnode log:\n{}", self.log()),
		}
	}

	/// Calls a JSON-RPC method; `Err` carries the JSON-RPC error object.
	pub fn try_rpc(&self, method: &str, params: Value) -> Result<Value, Value> {
		rpc_call(self.rpc, method, params)
	}

	/// Number of the best block.
	pub fn best_number(&self) -> u64 {
		header_number(&self.rpc("chain_getHeader", json!([])))
	}

	/// Number of the last finalized block.
	pub fn finalized_number(&self) -> u64 {
		let hash = self.rpc("chain_getFinalizedHead", json!([]));
		header_number(&self.rpc("chain_getHeader", json!([hash])))
	}

	/// Polls `done` every half second until it holds or `timeout` passes (then panics).
	pub fn wait_until(&self, what: &str, timeout: Duration, mut done: impl FnMut(&Node) -> bool) {
		let start = Instant::now();
		while !done(self) {
			assert!(
				start.elapsed() < timeout,
				"{what}: not within {timeout:?}\nnode log:\n{}",
				self.log()
			);
			std::thread::sleep(Duration::from_millis(500));
		}
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
		if std::thread::panicking() {
			eprintln!("--- aos-node log ({}) ---\n{}", self.log.display(), self.log());
		}
		let _ = fs::remove_dir_all(&self.base);
	}
}

/// Bytes from `0x`-hex.
pub fn hex_decode(s: &str) -> Vec<u8> {
	let s = s.trim_start_matches("0x");
	(0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

/// `0x`-hex of bytes.
pub fn hex_encode(bytes: &[u8]) -> String {
	let mut s = String::from("0x");
	for b in bytes {
		s.push_str(&format!("{b:02x}"));
	}
	s
}

/// A hash from its JSON `0x`-hex.
pub fn hash_from(value: &Value) -> aos_runtime::Hash {
	let bytes = hex_decode(value.as_str().expect("hash string"));
	aos_runtime::Hash::from_slice(&bytes)
}

/// The JSON hash of block `number`.
pub fn block_hash(node: &Node, number: u64) -> Value {
	node.rpc("chain_getBlockHash", json!([number]))
}

/// Signs `call` as `who` with its next nonce, mortal for 64 blocks, and submits it; returns its
/// hex.
pub fn submit(node: &Node, who: &sp_core::sr25519::Pair, call: aos_runtime::RuntimeCall) -> String {
	use codec::Encode;
	use sp_core::Pair;
	let account: aos_runtime::AccountId = who.public().into();
	let nonce =
		node.rpc("system_accountNextIndex", json!([account.to_string()])).as_u64().expect("nonce");
	let genesis = hash_from(&block_hash(node, 0));
	let best = node.best_number();
	let checkpoint = hash_from(&block_hash(node, best));
	let xt = aos_runtime::sign_extrinsic(
		call,
		who,
		aos_runtime::tx_extension(nonce as u32, 0, 64, best),
		genesis,
		checkpoint,
	);
	let hex = hex_encode(&xt.encode());
	node.rpc("author_submitExtrinsic", json!([hex]));
	hex
}

/// The first `ip:port` after `marker` in a log line.
pub fn parse_first_addr(line: &str, marker: &str) -> SocketAddr {
	let rest = line.split(marker).nth(1).unwrap_or_else(|| panic!("no {marker} in {line}"));
	let addr = rest.split([',', ' ']).next().unwrap_or_default();
	addr.parse().unwrap_or_else(|e| panic!("bad address {addr:?} in {line:?}: {e}"))
}

fn header_number(header: &Value) -> u64 {
	let hex = header["number"].as_str().unwrap_or_else(|| panic!("no number in {header}"));
	u64::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex block number")
}

/// A plain HTTP/1.1 request; returns the status code and the body.
pub fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
	let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
	stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
	let body = body.unwrap_or("");
	let request = format!(
		"{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
		 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	);
	stream.write_all(request.as_bytes()).expect("send request");
	let mut response = String::new();
	stream.read_to_string(&mut response).expect("read response");
	let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
	let status = head
		.split_whitespace()
		.nth(1)
		.and_then(|s| s.parse().ok())
		.unwrap_or_else(|| panic!("bad HTTP response: {head}"));
	let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
		dechunk(body)
	} else {
		body.to_string()
	};
	(status, body)
}

fn dechunk(mut body: &str) -> String {
	let mut out = String::new();
	while let Some((size, rest)) = body.split_once("\r\n") {
		let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
		if size == 0 || rest.len() < size {
			break;
		}
		out.push_str(&rest[..size]);
		body = rest[size..].trim_start_matches("\r\n");
	}
	out
}

/// One JSON-RPC call over HTTP.
pub fn rpc_call(addr: SocketAddr, method: &str, params: Value) -> Result<Value, Value> {
	let request = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
	let (status, body) = http(addr, "POST", "/", Some(&request.to_string()));
	let response: Value = serde_json::from_str(&body)
		.unwrap_or_else(|e| panic!("{method}: HTTP {status}, body is not JSON ({e}): {body}"));
	match response.get("error") {
		Some(error) => Err(error.clone()),
		None => Ok(response["result"].clone()),
	}
}
