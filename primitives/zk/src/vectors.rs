//! The committed ezkl 23.0.5 test vectors (`test-vectors/`, made by
//! `offchain-workers/zk-prover/gen-test-vectors.sh`), embedded for `no_std` users: the
//! runtime's benchmarks and the tests. Each is a VKA, one proof ezkl's own `verify` accepted and
//! its public instances (the model's int8 input at scale 2^7, then its logits).

/// One model's verifying artifact and a valid proof.
pub struct Vector {
	pub name: &'static str,
	pub vka: &'static [u8],
	pub proof: &'static [u8],
	/// 32-byte big-endian field elements, concatenated.
	pub instances: &'static [u8],
	/// The model's inputs (the rest of the instances are its outputs).
	pub inputs: u32,
	/// ezkl's fixed-point scale (log2) of the input instances.
	pub input_scale: u8,
}

impl Vector {
	/// The instances, one field element each.
	pub fn instances(&self) -> impl Iterator<Item = [u8; 32]> + '_ {
		self.instances.chunks_exact(32).map(|c| {
			let mut w = [0u8; 32];
			w.copy_from_slice(c);
			w
		})
	}

	/// How many public instances the proof has.
	pub fn num_instances(&self) -> u32 {
		(self.instances.len() / 32) as u32
	}

	/// The int8 input the input instances carry (`q·2^scale` each), if they all do.
	pub fn input(&self) -> Option<alloc::vec::Vec<i8>> {
		let factor = 1i64 << self.input_scale;
		self.instances()
			.take(self.inputs as usize)
			.map(|felt| {
				let v = crate::word::felt_to_int(&felt)?;
				if v % factor != 0 {
					return None;
				}
				i8::try_from(v / factor).ok()
			})
			.collect()
	}
}

macro_rules! vector {
	($name:literal, $inputs:expr) => {
		Vector {
			name: $name,
			vka: include_bytes!(concat!("../test-vectors/", $name, "/vka.bin")),
			proof: include_bytes!(concat!("../test-vectors/", $name, "/proof.bin")),
			instances: include_bytes!(concat!("../test-vectors/", $name, "/instances.bin")),
			inputs: $inputs,
			input_scale: 7,
		}
	};
}

/// Every vector, by instance count ascending.
pub const ALL: [Vector; 6] = [
	vector!("iris", 4),
	vector!("mlp16", 16),
	vector!("conv", 36),
	vector!("mlp64", 64),
	vector!("mlp256", 256),
	vector!("mlp508", 508),
];

/// The vector with the fewest instances no fewer than `n`: the costliest proof a benchmark at
/// `n` instances needs to account for; none if `n` is above all.
pub fn at_least(n: u32) -> Option<&'static Vector> {
	ALL.iter().find(|v| v.num_instances() >= n)
}
