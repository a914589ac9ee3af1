//! # aos-sandbox: the AOS kernel in wasmtime
//!
//! `offchain-workers/kernel-wasm`, compiled to `wasm32v1-none` by this crate's build script,
//! run with fuel metering in a deterministic configuration (NaN canonicalization, no threads,
//! deterministic relaxed SIMD, bounded memory) and a fresh instance per evaluation (from a pool
//! whose memory stays mapped and is zeroed between uses). The native kernel (`aos_kernel`) can
//! check every answer.
//!
//! The operator service (`aos-operator`) and the TEE-mode enclave (`aos-enclave serve`) both run
//! kernel models here, so a model costs the same fuel and gives the same answer in either.

use aos_kernel::abi::{Reply, Request};
use codec::{Decode, Encode};
use wasmtime::{
	Config, Engine, Instance, InstanceAllocationStrategy, Module, PoolingAllocationConfig, Store,
	StoreLimits, StoreLimitsBuilder,
};

/// The kernel's wasm module.
pub const KERNEL_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/aos_kernel.wasm"));

/// The most memory an evaluation may use.
const MAX_MEMORY: usize = 512 << 20;

/// Evaluations that may run at once (the operator runs one at a time; the enclave serves at
/// most this many connections).
pub const SLOTS: u32 = 4;

/// Memory a slot keeps mapped between evaluations, zeroed rather than unmapped: a fresh
/// instance then takes no page faults for it (they were half the time of a large model's run).
const KEEP_RESIDENT: usize = 32 << 20;

/// Why the sandbox gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
	#[error("the kernel ran out of fuel ({0} units)")]
	OutOfFuel(u64),
	#[error("the wasm kernel failed: {0}")]
	Trap(String),
	#[error("the wasm kernel answered what the native kernel did not: {0}")]
	Mismatch(String),
}

/// Why the kernel's module could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
	#[error("wasmtime: {0}")]
	Engine(wasmtime::Error),
	#[error("the kernel's wasm: {0}")]
	Module(wasmtime::Error),
}

/// The compiled kernel.
pub struct WasmKernel {
	engine: Engine,
	module: Module,
	fuel: u64,
}

/// An answer and the fuel it took.
pub struct Metered {
	pub reply: Reply,
	pub fuel: u64,
}

impl WasmKernel {
	/// Compiles the kernel's module; each evaluation may use `fuel`.
	pub fn new(fuel: u64) -> Result<WasmKernel, CompileError> {
		let mut config = Config::new();
		config
			.consume_fuel(true)
			.cranelift_nan_canonicalization(true)
			.relaxed_simd_deterministic(true)
			.wasm_threads(false);
		let mut pool = PoolingAllocationConfig::default();
		pool.total_core_instances(SLOTS)
			.total_memories(SLOTS)
			.total_tables(SLOTS)
			.max_memory_size(MAX_MEMORY)
			.linear_memory_keep_resident(KEEP_RESIDENT);
		config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
		let engine = Engine::new(&config).map_err(CompileError::Engine)?;
		let module = Module::new(&engine, KERNEL_WASM).map_err(CompileError::Module)?;
		Ok(WasmKernel { engine, module, fuel })
	}

	/// Evaluates `request` in a fresh instance.
	pub fn evaluate(&self, request: &Request) -> Result<Metered, SandboxError> {
		let trap = |e: wasmtime::Error| {
			if matches!(e.downcast_ref::<wasmtime::Trap>(), Some(wasmtime::Trap::OutOfFuel)) {
				SandboxError::OutOfFuel(self.fuel)
			} else {
				SandboxError::Trap(format!("{e:#}"))
			}
		};
		let limits = StoreLimitsBuilder::new().memory_size(MAX_MEMORY).instances(1).build();
		let mut store: Store<StoreLimits> = Store::new(&self.engine, limits);
		store.limiter(|limits| limits);
		store.set_fuel(self.fuel).map_err(trap)?;
		let instance = Instance::new(&mut store, &self.module, &[]).map_err(trap)?;
		let memory = instance
			.get_memory(&mut store, "memory")
			.ok_or_else(|| SandboxError::Trap("the module exports no memory".into()))?;
		let alloc = instance.get_typed_func::<u32, u32>(&mut store, "aos_alloc").map_err(trap)?;
		let evaluate =
			instance.get_typed_func::<(u32, u32), u64>(&mut store, "aos_evaluate").map_err(trap)?;
		let bytes = request.encode();
		let len = u32::try_from(bytes.len())
			.map_err(|_| SandboxError::Trap("the request is larger than 4 GiB".into()))?;
		let ptr = alloc.call(&mut store, len).map_err(trap)?;
		if ptr == 0 {
			return Err(SandboxError::Trap("the kernel could not allocate the request".into()));
		}
		memory
			.write(&mut store, ptr as usize, &bytes)
			.map_err(|e| SandboxError::Trap(e.to_string()))?;
		let packed = evaluate.call(&mut store, (ptr, len)).map_err(trap)?;
		let (out_ptr, out_len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
		let mut out = vec![0u8; out_len];
		memory.read(&store, out_ptr, &mut out).map_err(|e| SandboxError::Trap(e.to_string()))?;
		let reply = Reply::decode(&mut &out[..])
			.map_err(|e| SandboxError::Trap(format!("undecodable reply: {e}")))?;
		let fuel = self.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
		Ok(Metered { reply, fuel })
	}

	/// Evaluates `request` in wasm and natively; an error if they differ.
	pub fn evaluate_checked(&self, request: &Request) -> Result<Metered, SandboxError> {
		let metered = self.evaluate(request)?;
		let native = aos_kernel::abi::run(request);
		if native != metered.reply {
			return Err(SandboxError::Mismatch(format!(
				"wasm {:?} vs native {:?}",
				metered.reply.as_ref().map(|r| r.output),
				native.as_ref().map(|r| r.output)
			)));
		}
		Ok(metered)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use aos_kernel::golden;

	fn request(operator: &[u8]) -> Request {
		Request {
			model_file: golden::model().to_file(),
			input: golden::input(),
			task: [3; 32],
			operator: operator.to_vec(),
			sampling: golden::sampling(),
			samples: 4,
			intermediates: 8,
		}
	}

	#[test]
	fn the_wasm_kernel_answers_as_the_native_one() {
		let kernel = WasmKernel::new(10_000_000_000).unwrap();
		for operator in [&b"alice"[..], b"bob"] {
			let metered = kernel.evaluate_checked(&request(operator)).unwrap();
			assert!(metered.fuel > 0);
			let run = metered.reply.unwrap();
			assert_eq!(run, aos_kernel::abi::run(&request(operator)).unwrap());
			assert_eq!(run.samples.len(), 4);
		}
		// The kernel's errors come through the sandbox as they are.
		let mut bad = request(b"alice");
		bad.input.pop();
		let reply = kernel.evaluate(&bad).unwrap().reply;
		assert!(matches!(reply, Err(aos_kernel::ModelError::InputLength { .. })), "{reply:?}");
	}

	#[test]
	fn widths_off_the_simd_step_and_extreme_products_agree() {
		let kernel = WasmKernel::new(10_000_000_000).unwrap();
		// Widths that are not multiples of 16 (the wasm dot product's step): chunks and tails.
		let odd = golden::mlp(b"aos/test/odd", &[37, 53, 19, 5]);
		// Every product at -128 · -128 = 2^14: the most an i16 lane holds before widening.
		let mut extreme = golden::mlp(b"aos/test/extreme", &[4096, 3]);
		for layer in &mut extreme.layers {
			layer.weights.iter_mut().for_each(|w| *w = i8::MIN);
		}
		for (model, input) in
			[(&odd, golden::input_of(b"aos/test/odd-input", 37)), (&extreme, vec![i8::MIN; 4096])]
		{
			let mut req = request(b"alice");
			req.model_file = model.to_file();
			req.input = input;
			req.sampling.top_k = 1;
			let metered = kernel.evaluate_checked(&req).unwrap();
			assert!(metered.reply.is_ok(), "{:?}", metered.reply);
		}
	}

	#[test]
	fn fuel_bounds_an_evaluation() {
		let kernel = WasmKernel::new(1_000).unwrap();
		assert!(matches!(kernel.evaluate(&request(b"alice")), Err(SandboxError::OutOfFuel(1_000))));
	}
}
