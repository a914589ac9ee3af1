//! The Nitro Secure Module, behind a trait: [`NitroNsm`], the real one (`/dev/nsm`, only inside
//! a Nitro enclave), or [`SimulatedNsm`], a **SIMULATED** one for machines without Nitro
//! hardware, whose documents are signed by the published dev CA
//! (`aos_nitro::simulated::SimulatedCa::dev`) and which only the dev and local chain specs
//! trust.

use aos_nitro::simulated::{AttestationRequest, SimulatedCa};
use sha2::{Digest, Sha384};
use std::time::{SystemTime, UNIX_EPOCH};

/// What the enclave needs of an NSM: attestation documents for its key.
pub trait Nsm: Send + Sync {
	/// Whether this is the simulated NSM.
	fn simulated(&self) -> bool;

	/// A document whose `public_key` is `public_key`, `user_data` is `user_data`, and `nonce` is
	/// `nonce` (none if `None`).
	fn attest(
		&self,
		public_key: &[u8; 32],
		user_data: &[u8; 32],
		nonce: Option<&[u8]>,
	) -> Result<Vec<u8>, String>;
}

/// The real NSM, through AWS's driver API (`aws-nitro-enclaves-nsm-api`): documents signed by
/// the enclave's own leaf certificate, chaining to the AWS Nitro Enclaves Root-G1.
#[cfg(target_os = "linux")]
pub struct NitroNsm {
	fd: i32,
}

#[cfg(target_os = "linux")]
impl NitroNsm {
	/// Opens `/dev/nsm`; fails outside a Nitro enclave.
	pub fn open() -> Result<NitroNsm, String> {
		let fd = aws_nitro_enclaves_nsm_api::driver::nsm_init();
		if fd < 0 {
			return Err("cannot open /dev/nsm: this is not a Nitro enclave (--simulated-nsm runs \
			            with a simulated NSM elsewhere)"
				.into());
		}
		Ok(NitroNsm { fd })
	}
}

#[cfg(target_os = "linux")]
impl Drop for NitroNsm {
	fn drop(&mut self) {
		aws_nitro_enclaves_nsm_api::driver::nsm_exit(self.fd);
	}
}

#[cfg(target_os = "linux")]
impl Nsm for NitroNsm {
	fn simulated(&self) -> bool {
		false
	}

	fn attest(
		&self,
		public_key: &[u8; 32],
		user_data: &[u8; 32],
		nonce: Option<&[u8]>,
	) -> Result<Vec<u8>, String> {
		use aws_nitro_enclaves_nsm_api::api::{Request, Response};
		use serde_bytes::ByteBuf;
		let request = Request::Attestation {
			user_data: Some(ByteBuf::from(user_data.to_vec())),
			nonce: nonce.map(|n| ByteBuf::from(n.to_vec())),
			public_key: Some(ByteBuf::from(public_key.to_vec())),
		};
		match aws_nitro_enclaves_nsm_api::driver::nsm_process_request(self.fd, request) {
			Response::Attestation { document } => Ok(document),
			Response::Error(code) => Err(format!("the NSM refused the attestation: {code:?}")),
			_ => Err("the NSM answered an attestation request with something else".into()),
		}
	}
}

/// A SIMULATED NSM: documents in AWS's format, signed by the dev CA whose keys are public. It
/// proves nothing about the hardware; only dev and local chain specs trust its root.
pub struct SimulatedNsm {
	ca: SimulatedCa,
	module_id: String,
	pcrs: Vec<(u8, Vec<u8>)>,
}

/// PCR1 of the simulated NSM: SHA-384 of this label (a real enclave's PCR1 measures its kernel
/// and boot ramfs).
pub const SIMULATED_PCR1_LABEL: &[u8] = b"aos simulated nitro kernel";
/// PCR2 of the simulated NSM: SHA-384 of this label (a real enclave's measures its application).
pub const SIMULATED_PCR2_LABEL: &[u8] = b"aos simulated nitro application";

/// The simulated NSM's PCR0 to PCR2: PCR0 is SHA-384 of the running executable's bytes, so a
/// dev chain can allow exactly this build (`aos-enclave measure --simulated`).
pub fn simulated_pcrs() -> Result<[[u8; 48]; 3], String> {
	let exe = std::env::current_exe()
		.map_err(|e| format!("cannot find the running executable to measure it: {e}"))?;
	let bytes = std::fs::read(&exe)
		.map_err(|e| format!("cannot read {} to measure it: {e}", exe.display()))?;
	Ok([
		Sha384::digest(&bytes).into(),
		Sha384::digest(SIMULATED_PCR1_LABEL).into(),
		Sha384::digest(SIMULATED_PCR2_LABEL).into(),
	])
}

impl SimulatedNsm {
	/// The simulated NSM of an enclave whose key is `public_key`: the dev CA, the PCRs of
	/// [`simulated_pcrs`] (PCR3 to PCR15 zero, as in AWS's documents of an enclave without
	/// them), and module id `i-simulated-enc` followed by 16 hex digits of the key.
	pub fn new(public_key: &[u8; 32]) -> Result<SimulatedNsm, String> {
		let ca = SimulatedCa::dev().map_err(|e| e.to_string())?;
		let [pcr0, pcr1, pcr2] = simulated_pcrs()?;
		let mut pcrs = vec![(0, pcr0.to_vec()), (1, pcr1.to_vec()), (2, pcr2.to_vec())];
		pcrs.extend((3..16).map(|i| (i, vec![0; 48])));
		let module_id = format!("i-simulated-enc{}", hex::encode(&public_key[..8]));
		Ok(SimulatedNsm { ca, module_id, pcrs })
	}
}

impl Nsm for SimulatedNsm {
	fn simulated(&self) -> bool {
		true
	}

	fn attest(
		&self,
		public_key: &[u8; 32],
		user_data: &[u8; 32],
		nonce: Option<&[u8]>,
	) -> Result<Vec<u8>, String> {
		let now_ms = SystemTime::now()
			.duration_since(UNIX_EPOCH)
			.map_err(|_| "the clock is before 1970".to_string())?
			.as_millis();
		let request = AttestationRequest {
			module_id: self.module_id.clone(),
			pcrs: self.pcrs.clone(),
			public_key: Some(public_key.to_vec()),
			user_data: Some(user_data.to_vec()),
			nonce: nonce.map(<[u8]>::to_vec),
		};
		self.ca
			.attest(&request, u64::try_from(now_ms).unwrap_or(u64::MAX))
			.map_err(|e| e.to_string())
	}
}
