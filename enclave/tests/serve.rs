//! `aos-enclave serve --simulated-nsm --tcp 127.0.0.1:0` as the operator service meets it: the
//! real binary, spoken to through `aos-enclave-protocol`'s client. Its attestations verify as the
//! chain verifies them, its kernel results are the native kernel's, its ONNX results tract's,
//! every result's signature verifies under the key it attested, and no request or frame stops
//! it.

use aos_enclave_protocol::{
	read_frame, write_frame, Client, ClientError, Endpoint, ModelFormat, Reply, Request,
	SamplingParams, Timeouts, MAX_FRAME, MAX_NONCE, VERSION,
};
use aos_inference_primitives::{
	task_hash,
	tee::{enclave_binding, input_hash, result_message},
};
use aos_kernel::{golden, model::content_hash, output_digest, sampler::top_k, TaskSeed};
use aos_nitro::{verify_as_made, Error as NitroError, Pure, TrustedRoots};
use sha2::{Digest, Sha384};
use sp_core::{ed25519, Pair, H256};
use std::{
	io::{BufRead, BufReader, Write},
	net::{SocketAddr, TcpStream},
	path::Path,
	process::{Child, ChildStdout, Command, Output, Stdio},
	time::{Duration, SystemTime, UNIX_EPOCH},
};
use tract_onnx::prelude::*;

const BIN: &str = env!("CARGO_BIN_EXE_aos-enclave");

/// A running `aos-enclave serve`, killed when dropped.
struct Server {
	child: Child,
	addr: SocketAddr,
	// Kept open: the server's stdout stays writable.
	_stdout: BufReader<ChildStdout>,
}

impl Server {
	fn start() -> Server {
		let mut child = Command::new(BIN)
			.args(["serve", "--simulated-nsm", "--tcp", "127.0.0.1:0"])
			.stdout(Stdio::piped())
			.spawn()
			.unwrap();
		let mut stdout = BufReader::new(child.stdout.take().unwrap());
		let mut line = String::new();
		stdout.read_line(&mut line).unwrap();
		let addr = line
			.trim_end()
			.strip_prefix("listening on ")
			.unwrap_or_else(|| panic!("not a `listening on` line: {line:?}"))
			.parse()
			.unwrap();
		Server { child, addr, _stdout: stdout }
	}

	fn client(&self) -> Client {
		Client::connect(&Endpoint::Tcp(self.addr), Timeouts::default()).unwrap()
	}

	fn raw(&self) -> TcpStream {
		let s = TcpStream::connect(self.addr).unwrap();
		s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
		s
	}

	/// The server's virtual memory size in KiB (Linux's /proc).
	fn vm_size_kib(&self) -> u64 {
		let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
		let line = status.lines().find(|l| l.starts_with("VmSize:")).unwrap();
		line.split_whitespace().nth(1).unwrap().parse().unwrap()
	}

	/// Whether the process is still running.
	fn alive(&mut self) -> bool {
		self.child.try_wait().unwrap().is_none()
	}
}

impl Drop for Server {
	fn drop(&mut self) {
		let _ = self.child.kill();
		let _ = self.child.wait();
	}
}

fn run(args: &[&str]) -> Output {
	Command::new(BIN).args(args).output().unwrap()
}

/// `aos-enclave measure --simulated`'s PCRs.
fn measured() -> Vec<Vec<u8>> {
	let out = run(&["measure", "--simulated"]);
	assert!(out.status.success(), "{out:?}");
	String::from_utf8(out.stdout)
		.unwrap()
		.lines()
		.enumerate()
		.map(|(i, line)| {
			let hex = line.strip_prefix(&format!("pcr{i} ")).unwrap();
			hex::decode(hex).unwrap()
		})
		.collect()
}

fn signed_by(key: &[u8; 32], signature: &[u8; 64], message: &[u8; 32]) -> bool {
	ed25519::Pair::verify(
		&ed25519::Signature::from_raw(*signature),
		message,
		&ed25519::Public::from_raw(*key),
	)
}

fn refused(result: Result<impl std::fmt::Debug, ClientError>) -> String {
	match result {
		Err(ClientError::Refused(reason)) => reason,
		other => panic!("expected a refusal, got {other:?}"),
	}
}

#[test]
fn measure_prints_the_simulated_pcrs_of_this_executable() {
	let pcrs = measured();
	assert_eq!(pcrs.len(), 3);
	assert_eq!(pcrs[0], Sha384::digest(std::fs::read(BIN).unwrap()).to_vec());
	assert_eq!(pcrs[1], Sha384::digest(b"aos simulated nitro kernel").to_vec());
	assert_eq!(pcrs[2], Sha384::digest(b"aos simulated nitro application").to_vec());
	let out = run(&["measure"]);
	assert_eq!(out.status.code(), Some(2));
	assert!(String::from_utf8_lossy(&out.stderr).contains("nitro-cli build-enclave"));
}

#[test]
fn tcp_needs_the_simulated_nsm_and_the_real_one_needs_nitro() {
	let out = run(&["serve", "--tcp", "127.0.0.1:0"]);
	assert_eq!(out.status.code(), Some(2), "{out:?}");
	assert!(String::from_utf8_lossy(&out.stderr).contains("--simulated-nsm"), "{out:?}");
	let out = run(&["serve", "--simulated-nsm"]);
	assert_eq!(out.status.code(), Some(2), "{out:?}");
	// This machine has no /dev/nsm: the real enclave refuses to start rather than pretend.
	if !Path::new("/dev/nsm").exists() {
		let out = run(&["serve", "--vsock-port", "5005"]);
		assert_eq!(out.status.code(), Some(1), "{out:?}");
		assert!(String::from_utf8_lossy(&out.stderr).contains("not a Nitro enclave"), "{out:?}");
	}
}

#[test]
fn its_attestation_verifies_as_the_chain_verifies_it() {
	let server = Server::start();
	let mut client = server.client();
	let hello = client.hello().unwrap();
	assert_eq!(hello.version, VERSION);
	assert!(hello.simulated);

	let user_data = enclave_binding(&[0x11; 32], &[0x22; 32]);
	let nonce = b"a fresh nonce from the host";
	let document = client.attest(user_data, nonce).unwrap();
	let roots = [aos_nitro::SIMULATED_DEV_ROOT_FINGERPRINT];
	let verified = verify_as_made::<Pure>(&document, &TrustedRoots(&roots)).unwrap();
	let d = &verified.document;
	assert_eq!(d.public_key, Some(&hello.public_key[..]));
	assert_eq!(d.user_data, Some(&user_data[..]));
	assert_eq!(d.nonce, Some(&nonce[..]));
	assert_eq!(d.module_id, format!("i-simulated-enc{}", hex::encode(&hello.public_key[..8])));
	let pcrs = measured();
	for (i, pcr) in pcrs.iter().enumerate() {
		assert_eq!(d.pcrs.get(i as u8), Some(pcr.as_slice()), "PCR{i}");
	}
	let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
	assert!(d.timestamp_ms <= now && now - d.timestamp_ms < 60_000, "{} vs {now}", d.timestamp_ms);
	// Testnet and production trust only AWS's root: there the simulation is worthless.
	let aws = [aos_nitro::AWS_NITRO_ROOT_G1_FINGERPRINT];
	assert_eq!(
		verify_as_made::<Pure>(&document, &TrustedRoots(&aws)).err(),
		Some(NitroError::UntrustedRoot)
	);

	// An empty nonce asks for none.
	let document = client.attest(user_data, &[]).unwrap();
	let verified = verify_as_made::<Pure>(&document, &TrustedRoots(&roots)).unwrap();
	assert_eq!(verified.document.nonce, None);
	// A nonce over the bound, sent as it is: refused, and the connection goes on.
	let long = Request::Attest { user_data, nonce: vec![7; MAX_NONCE + 1] };
	match client.request(&long).unwrap() {
		Reply::Error(reason) => assert!(reason.contains("nonce"), "{reason}"),
		other => panic!("{other:?}"),
	}
	assert_eq!(client.hello().unwrap(), hello);
	// Another connection meets the same enclave key.
	assert_eq!(server.client().hello().unwrap(), hello);
}

#[test]
fn a_kernel_model_runs_as_the_native_kernel_and_its_result_is_signed() {
	let server = Server::start();
	let mut client = server.client();
	let key = client.hello().unwrap().public_key;
	let model = golden::model();
	let file = model.to_file();
	let id = content_hash(&file);

	// Not loaded yet; then bytes that are not the model named.
	let sampling = SamplingParams { top_k: 3, inv_temperature_q16: 1 << 16 };
	let input = golden::input();
	assert!(refused(client.run(1, id, &input, sampling)).contains("not loaded"));
	let reason = refused(client.load_model([0; 32], ModelFormat::Kernel, &file));
	assert!(reason.contains("hash"), "{reason}");
	let mut corrupt = file.clone();
	corrupt[0] = b'X';
	let reason = refused(client.load_model(content_hash(&corrupt), ModelFormat::Kernel, &corrupt));
	assert!(reason.contains("BadMagic"), "{reason}");
	client.load_model(id, ModelFormat::Kernel, &file).unwrap();
	// Loading it again is harmless.
	client.load_model(id, ModelFormat::Kernel, &file).unwrap();

	for task in [0u64, 7, u64::MAX] {
		let result = client.run(task, id, &input, sampling).unwrap();
		let native = aos_kernel::evaluate(
			&model,
			&input,
			TaskSeed { task: &task_hash(task), operator: &[] },
			sampling,
			0,
			0,
		)
		.unwrap();
		assert_eq!(result.output, native.output);
		assert_eq!(result.top, native.top);
		assert_eq!(result.output, output_digest(&native.trace.logits));
		assert_eq!(result.top.len(), 3);
		let message =
			result_message(task, &H256(id), &input_hash(&input), &H256(result.output), &result.top);
		assert!(signed_by(&key, &result.signature, &message));
		// Worthless for another task or input.
		let other = result_message(
			task.wrapping_add(1),
			&H256(id),
			&input_hash(&input),
			&H256(result.output),
			&result.top,
		);
		assert!(!signed_by(&key, &result.signature, &other));
	}

	// The kernel's refusals come back as reasons, and the connection goes on.
	let reason = refused(client.run(1, id, &input[1..], sampling));
	assert!(reason.contains("InputLength"), "{reason}");
	let reason = refused(client.run(1, id, &input, SamplingParams { top_k: 0, ..sampling }));
	assert!(reason.contains("Sampling") || reason.contains("top_k"), "{reason}");
	assert_eq!(client.hello().unwrap().public_key, key);
}

/// tract's float logits of the Iris model, as the test computes them on its own.
fn iris_logits(path: &Path, input: &[i8]) -> Vec<f32> {
	let plan = tract_onnx::onnx()
		.model_for_path(path)
		.unwrap()
		.with_input_fact(0, f32::fact([1, 4]).into())
		.unwrap()
		.into_optimized()
		.unwrap()
		.into_runnable()
		.unwrap();
	let x: Vec<f32> = input.iter().map(|v| *v as f32).collect();
	let out = plan.run(tvec!(Tensor::from_shape(&[1, 4], &x).unwrap().into())).unwrap();
	out[0].to_plain_array_view::<f32>().unwrap().iter().copied().collect()
}

#[test]
fn an_onnx_model_runs_through_tract_and_its_result_is_signed() {
	let server = Server::start();
	let mut client = server.client();
	let key = client.hello().unwrap().public_key;
	let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../models/iris/iris.onnx");
	let bytes = std::fs::read(&path).unwrap();
	let id = content_hash(&bytes);
	// A kernel file is not ONNX, nor ONNX a kernel file.
	let kernel = golden::model().to_file();
	let reason = refused(client.load_model(content_hash(&kernel), ModelFormat::Onnx, &kernel));
	assert!(reason.contains("ONNX"), "{reason}");
	let reason = refused(client.load_model(id, ModelFormat::Kernel, &bytes));
	assert!(reason.contains("BadMagic"), "{reason}");
	client.load_model(id, ModelFormat::Onnx, &bytes).unwrap();

	let sampling = SamplingParams { top_k: 3, inv_temperature_q16: 1 << 16 };
	// Measurements in whole cm: a setosa's (5.1, 3.5, 1.4, 0.2) and a virginica's (6.3, 3.3,
	// 6.0, 2.5), and an input far outside the data.
	for (task, input) in [(1u64, [5i8, 3, 1, 0]), (2, [6, 3, 6, 2]), (3, [-128, 127, -128, 127])] {
		let result = client.run(task, id, &input, sampling).unwrap();
		let logits: Vec<i32> = iris_logits(&path, &input)
			.iter()
			.map(|v| (f64::from(*v) * 65536.0).round() as i32)
			.collect();
		assert_eq!(logits.len(), 3);
		assert_eq!(result.output, output_digest(&logits));
		assert_eq!(result.top, top_k(&logits, 3));
		let message =
			result_message(task, &H256(id), &input_hash(&input), &H256(result.output), &result.top);
		assert!(signed_by(&key, &result.signature, &message));
		match task {
			1 => assert_eq!(result.top[0], 0, "a setosa"),
			2 => assert_eq!(result.top[0], 2, "a virginica"),
			_ => {},
		}
	}
	let reason = refused(client.run(1, id, &[5, 3, 1], sampling));
	assert!(reason.contains("takes 4"), "{reason}");
	let reason = refused(client.run(1, id, &[5, 3, 1, 0], SamplingParams { top_k: 4, ..sampling }));
	assert!(reason.contains("top_k 4"), "{reason}");
}

#[test]
fn frames_that_break_the_protocol_close_only_their_connection() {
	let mut server = Server::start();

	// A length above the cap: refused with a reason, before anything is read, and closed.
	let mut raw = server.raw();
	raw.write_all(&u32::MAX.to_le_bytes()).unwrap();
	match read_frame::<Reply>(&mut raw).unwrap() {
		Reply::Error(reason) => assert!(reason.contains("longer than the cap"), "{reason}"),
		other => panic!("{other:?}"),
	}
	assert!(matches!(read_frame::<Reply>(&mut raw), Err(aos_enclave_protocol::FrameError::Closed)));

	// A frame that is no request: refused, and the same connection goes on.
	let mut raw = server.raw();
	raw.write_all(&[3, 0, 0, 0, 0xff, 0xfe, 0xfd]).unwrap();
	match read_frame::<Reply>(&mut raw).unwrap() {
		Reply::Error(reason) => assert!(reason.contains("not a request"), "{reason}"),
		other => panic!("{other:?}"),
	}
	write_frame(&mut raw, &Request::Hello).unwrap();
	assert!(matches!(read_frame::<Reply>(&mut raw).unwrap(), Reply::Hello { .. }));

	// A frame claiming the cap and sending ten bytes costs ten bytes: on the connection's own
	// thread (already running), the server's address space does not grow by the claim.
	let before = server.vm_size_kib();
	let mut claim = MAX_FRAME.to_le_bytes().to_vec();
	claim.extend_from_slice(&[0; 10]);
	raw.write_all(&claim).unwrap();
	std::thread::sleep(Duration::from_millis(300));
	let grown = server.vm_size_kib().saturating_sub(before);
	assert!(grown < 32 * 1024, "the server grew by {grown} KiB for a frame it did not receive");
	// The rest never comes: the connection is dropped, and the server goes on.
	drop(raw);

	let mut client = server.client();
	assert!(client.hello().is_ok());
	assert!(server.alive());
}

#[test]
fn connections_beyond_the_bound_are_told_to_come_back() {
	let server = Server::start();
	let mut open: Vec<Client> = (0..4).map(|_| server.client()).collect();
	for client in &mut open {
		client.hello().unwrap();
	}
	// The fifth is answered without being read, and closed.
	let mut raw = server.raw();
	match read_frame::<Reply>(&mut raw).unwrap() {
		Reply::Error(reason) => assert!(reason.starts_with("busy"), "{reason}"),
		other => panic!("{other:?}"),
	}
	// Once one closes, there is room again (its thread ends when it sees the connection close).
	open.pop();
	let mut served = false;
	for _ in 0..100 {
		let mut client = server.client();
		if client.hello().is_ok() {
			served = true;
			break;
		}
		std::thread::sleep(Duration::from_millis(20));
	}
	assert!(served, "no slot came free");
	for client in &mut open {
		client.hello().unwrap();
	}
}
