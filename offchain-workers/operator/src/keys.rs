//! The operator's keys: its chain account and VRF key (a keystore file), and the signer of its
//! Ethereum address (`signer_key`: a Web3Signer, or a local key).

use aos_client::runtime::AccountId;
use aos_operators_primitives::{eip191_hash, eth_address_message, eth_address_of, EthBinding};
use jsonrpsee::{
	core::client::ClientT,
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use serde::Deserialize;
use sp_core::{sr25519, Pair, H160};
use std::path::{Path, PathBuf};

use crate::config::SignerKey;

/// Why the keystore cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
	#[error("cannot read the keystore {path}: {source}")]
	Read { path: PathBuf, source: std::io::Error },
	#[error("keystore {path}: {source}")]
	Syntax { path: PathBuf, source: Box<serde_saphyr::Error> },
	#[error("keystore {path}: `{key}`: not a secret key ({reason:?})")]
	NotASecret { path: PathBuf, key: &'static str, reason: sp_core::crypto::SecretStringError },
}

/// Why the Ethereum signer does not sign, or not for the operator's address.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
	#[error("signer_key: not a secp256k1 private key: {0}")]
	NotAKey(k256::ecdsa::Error),
	#[error("signer_key is the key of {own:?}, not of node_id {address:?}")]
	OtherKey { own: H160, address: H160 },
	#[error("signing with the local key: {0}")]
	Sign(k256::ecdsa::Error),
	#[error("signer_key: {url}: {source}")]
	Client { url: String, source: jsonrpsee::core::ClientError },
	#[error("signer_key: the Web3Signer at {url} does not answer: {source}")]
	Unreachable { url: String, source: jsonrpsee::core::ClientError },
	#[error(
		"signer_key: the Web3Signer at {url} holds no key for node_id {address:?} (it holds \
		 {accounts:?})"
	)]
	NoKeyFor { url: String, address: H160, accounts: Vec<H160> },
	#[error("eth_sign at the Web3Signer {url}: {source}")]
	EthSign { url: String, source: jsonrpsee::core::ClientError },
	#[error("the Web3Signer {url} returned {signature:?}")]
	NotHex { url: String, signature: String },
	#[error("the Web3Signer {url} returned {signature:?}, not 65 bytes")]
	NotASignature { url: String, signature: String },
	#[error("the Web3Signer {url} signed with the key of {signer:?}, not of {address:?}")]
	SignedByOther { url: String, signer: H160, address: H160 },
	#[error("the Web3Signer {url} returned a signature that recovers no key")]
	Unrecoverable { url: String },
}

/// The keystore file: secret URIs (`0x` seeds, mnemonics, or `//Dev` paths for test chains).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeystoreFile {
	/// The chain account that registers, bonds, claims, commits and reveals.
	account: String,
	/// The sr25519 key the operator proves its task selections with.
	vrf: String,
}

/// The chain-side keys.
pub struct Keys {
	pub account: sr25519::Pair,
	pub vrf: sr25519::Pair,
}

impl Keys {
	/// Reads the keystore at `path`. Warns when others may read it.
	pub fn load(path: &Path) -> Result<Keys, KeysError> {
		let text = std::fs::read_to_string(path)
			.map_err(|source| KeysError::Read { path: path.into(), source })?;
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			if let Ok(meta) = std::fs::metadata(path) {
				if meta.permissions().mode() & 0o077 != 0 {
					tracing::warn!(
						"the keystore {} can be read by other users: chmod 600 it",
						path.display()
					);
				}
			}
		}
		let file: KeystoreFile = crate::config::from_yaml(&text)
			.map_err(|source| KeysError::Syntax { path: path.into(), source })?;
		let pair = |key: &'static str, uri: &str| {
			sr25519::Pair::from_string(uri, None).map_err(|reason| KeysError::NotASecret {
				path: path.into(),
				key,
				reason,
			})
		};
		Ok(Keys { account: pair("account", &file.account)?, vrf: pair("vrf", &file.vrf)? })
	}

	/// The chain account.
	pub fn account_id(&self) -> AccountId {
		self.account.public().into()
	}
}

/// Signs EIP-191 messages for the operator's Ethereum address.
pub enum EthSigner {
	/// A secp256k1 key held here.
	Local { key: k256::ecdsa::SigningKey, address: H160 },
	/// A Web3Signer (its `eth_sign` JSON-RPC method).
	Web3Signer { client: Box<HttpClient>, url: String, address: H160 },
}

/// The Ethereum address of a secp256k1 key.
pub fn address_of(key: &k256::ecdsa::SigningKey) -> H160 {
	address_of_public(key.verifying_key())
}

/// The EIP-191 signature (`r ‖ s ‖ v`, v = 27/28) of `message` by `key`, as `eth_sign` makes it.
pub fn sign_eip191(key: &k256::ecdsa::SigningKey, message: &[u8]) -> Result<[u8; 65], SignerError> {
	let (signature, recovery) =
		key.sign_prehash_recoverable(&eip191_hash(message)).map_err(SignerError::Sign)?;
	let mut out = [0u8; 65];
	out[..64].copy_from_slice(&signature.to_bytes());
	out[64] = 27 + recovery.to_byte();
	Ok(out)
}

/// The address whose key made the EIP-191 `signature` (`r ‖ s ‖ v`) of `message`.
pub fn recover_address(message: &[u8], signature: &[u8; 65]) -> Option<H160> {
	let (rs, v) = signature.split_at(64);
	let v = v.first().copied()?;
	let recovery = k256::ecdsa::RecoveryId::from_byte(if v >= 27 { v - 27 } else { v })?;
	let signature = k256::ecdsa::Signature::from_slice(rs).ok()?;
	let key = k256::ecdsa::VerifyingKey::recover_from_prehash(
		&eip191_hash(message),
		&signature,
		recovery,
	)
	.ok()?;
	Some(address_of_public(&key))
}

fn address_of_public(key: &k256::ecdsa::VerifyingKey) -> H160 {
	let point = key.to_encoded_point(false);
	let mut public = [0u8; 64];
	public.copy_from_slice(&point.as_bytes()[1..]);
	eth_address_of(&public)
}

impl EthSigner {
	/// The signer `key` for `address`; an error if it does not sign for that address.
	pub async fn new(key: SignerKey, address: H160) -> Result<EthSigner, SignerError> {
		match key {
			SignerKey::Local(secret) => {
				let key =
					k256::ecdsa::SigningKey::from_slice(&secret).map_err(SignerError::NotAKey)?;
				let own = address_of(&key);
				if own != address {
					return Err(SignerError::OtherKey { own, address });
				}
				Ok(EthSigner::Local { key, address })
			},
			SignerKey::Web3Signer(url) => {
				let client = match HttpClientBuilder::default().build(&url) {
					Ok(client) => client,
					Err(source) => return Err(SignerError::Client { url, source }),
				};
				let accounts: Vec<H160> = match client.request("eth_accounts", rpc_params![]).await
				{
					Ok(accounts) => accounts,
					Err(source) => return Err(SignerError::Unreachable { url, source }),
				};
				if !accounts.contains(&address) {
					return Err(SignerError::NoKeyFor { url, address, accounts });
				}
				Ok(EthSigner::Web3Signer { client: Box::new(client), url, address })
			},
		}
	}

	/// The address it signs for.
	pub fn address(&self) -> H160 {
		match self {
			EthSigner::Local { address, .. } | EthSigner::Web3Signer { address, .. } => *address,
		}
	}

	/// The EIP-191 signature (`r ‖ s ‖ v`, v = 27/28) of `message`.
	pub async fn sign(&self, message: &[u8]) -> Result<[u8; 65], SignerError> {
		match self {
			EthSigner::Local { key, .. } => sign_eip191(key, message),
			EthSigner::Web3Signer { client, url, address } => {
				let data = format!("0x{}", hex::encode(message));
				let signature: String = client
					.request("eth_sign", rpc_params![address, data])
					.await
					.map_err(|source| SignerError::EthSign { url: url.clone(), source })?;
				let Ok(bytes) = hex::decode(signature.trim_start_matches("0x")) else {
					return Err(SignerError::NotHex { url: url.clone(), signature });
				};
				let Ok(signature) = <[u8; 65]>::try_from(bytes) else {
					return Err(SignerError::NotASignature { url: url.clone(), signature });
				};
				// Checked here so that a misbehaving signer is named, rather than the chain
				// refusing the registration with EthAddressProofInvalid.
				match recover_address(message, &signature) {
					Some(signer) if signer == *address => Ok(signature),
					Some(signer) => Err(SignerError::SignedByOther {
						url: url.clone(),
						signer,
						address: *address,
					}),
					None => Err(SignerError::Unrecoverable { url: url.clone() }),
				}
			},
		}
	}

	/// The proof, for pallet-operators, that `operator` owns this address.
	pub async fn binding(&self, operator: &AccountId) -> Result<EthBinding, SignerError> {
		let signature = self.sign(&eth_address_message(operator)).await?;
		Ok(EthBinding { address: self.address(), signature })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use aos_operators_primitives::normalized_recovery_id;

	/// The address pallet-operators recovers from `binding` (sp-io's secp256k1 recovery).
	fn runtime_recovers(binding: &EthBinding, operator: &AccountId) -> H160 {
		let hash = eip191_hash(&eth_address_message(operator));
		let public = sp_io::crypto::secp256k1_ecdsa_recover(
			&normalized_recovery_id(&binding.signature),
			&hash,
		)
		.unwrap_or_else(|_| panic!("the signature recovers"));
		eth_address_of(&public)
	}

	#[tokio::test]
	async fn a_local_key_signs_what_the_runtime_recovers() {
		let secret = [0x4c; 32];
		let key = k256::ecdsa::SigningKey::from_slice(&secret).unwrap();
		let address = address_of(&key);
		let signer = EthSigner::new(SignerKey::Local(secret), address).await.unwrap();
		let operator = AccountId::from([7u8; 32]);
		let binding = signer.binding(&operator).await.unwrap();
		assert!(binding.signature[64] == 27 || binding.signature[64] == 28);
		assert_eq!(runtime_recovers(&binding, &operator), address);
		// Another address is refused.
		let err = EthSigner::new(SignerKey::Local(secret), H160::repeat_byte(1)).await.err();
		assert!(err.unwrap().to_string().contains("not of node_id"));
	}

	/// A stand-in for Web3Signer's Ethereum JSON-RPC over HTTP: `eth_accounts`, and `eth_sign`
	/// (params `[address, 0x-data]`, the EIP-191 signature as 0x-hex, an error for an address
	/// it holds no key for). `signs_with`, when set, is the key it really signs with: a faulty
	/// signer.
	async fn web3signer(
		key: k256::ecdsa::SigningKey,
		signs_with: Option<k256::ecdsa::SigningKey>,
	) -> (String, jsonrpsee::server::ServerHandle) {
		use jsonrpsee::{
			server::{RpcModule, Server},
			types::ErrorObjectOwned,
		};
		let address = address_of(&key);
		let signing = signs_with.unwrap_or(key);
		let mut module = RpcModule::new(());
		module.register_method("eth_accounts", move |_, _, _| vec![address]).unwrap();
		module
			.register_method("eth_sign", move |params, _, _| {
				let (who, data): (H160, String) = params.parse()?;
				if who != address {
					return Err(ErrorObjectOwned::owned(
						-32000,
						format!("no key for {who:?}"),
						None::<()>,
					));
				}
				let data = hex::decode(data.trim_start_matches("0x"))
					.map_err(|_| ErrorObjectOwned::owned(-32602, "data is not hex", None::<()>))?;
				let signature = sign_eip191(&signing, &data).unwrap();
				Ok::<_, ErrorObjectOwned>(format!("0x{}", hex::encode(signature)))
			})
			.unwrap();
		let server = Server::builder().build("127.0.0.1:0").await.unwrap();
		let url = format!("http://{}", server.local_addr().unwrap());
		(url, server.start(module))
	}

	#[tokio::test]
	async fn a_web3signer_signs_what_the_runtime_recovers() {
		let key = k256::ecdsa::SigningKey::from_slice(&[0x5d; 32]).unwrap();
		let address = address_of(&key);
		let (url, server) = web3signer(key, None).await;
		let signer = EthSigner::new(SignerKey::Web3Signer(url.clone()), address).await.unwrap();
		let operator = AccountId::from([9u8; 32]);
		let binding = signer.binding(&operator).await.unwrap();
		assert_eq!(binding.address, address);
		assert_eq!(runtime_recovers(&binding, &operator), address);

		// A node_id the signer holds no key for is refused at start, naming both.
		let err = EthSigner::new(SignerKey::Web3Signer(url), H160::repeat_byte(3)).await.err();
		let err = err.unwrap().to_string();
		assert!(err.contains("holds no key for node_id"), "{err}");
		server.stop().unwrap();
	}

	#[tokio::test]
	async fn a_web3signer_signing_with_another_key_is_named() {
		let key = k256::ecdsa::SigningKey::from_slice(&[0x5d; 32]).unwrap();
		let other = k256::ecdsa::SigningKey::from_slice(&[0x6e; 32]).unwrap();
		let address = address_of(&key);
		let (url, server) = web3signer(key, Some(other.clone())).await;
		let signer = EthSigner::new(SignerKey::Web3Signer(url), address).await.unwrap();
		let err = signer.binding(&AccountId::from([9u8; 32])).await.err().unwrap().to_string();
		assert!(err.contains(&format!("signed with the key of {:?}", address_of(&other))), "{err}");
		server.stop().unwrap();
	}

	#[tokio::test]
	async fn an_absent_web3signer_is_named() {
		// A port nothing listens on: bind one, then free it.
		let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
		let url = format!("http://127.0.0.1:{port}");
		let err = EthSigner::new(SignerKey::Web3Signer(url.clone()), H160::repeat_byte(3))
			.await
			.err()
			.unwrap()
			.to_string();
		assert!(err.contains(&format!("the Web3Signer at {url} does not answer")), "{err}");
	}

	#[test]
	fn keystores_load() {
		let dir = std::env::temp_dir().join(format!("aos-keystore-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let path = dir.join("keys.yaml");
		// As scripts/devnet.sh and the end-to-end tests write it.
		std::fs::write(&path, "account: \"//Dave\"\nvrf: \"//Dave//vrf\"\n").unwrap();
		let keys = Keys::load(&path).unwrap();
		assert_eq!(
			keys.account.public(),
			sr25519::Pair::from_string("//Dave", None).unwrap().public()
		);
		std::fs::write(&path, "account: //Dave\nvrf: not a key\n").unwrap();
		let err = Keys::load(&path).err().unwrap();
		assert!(matches!(err, KeysError::NotASecret { key: "vrf", .. }), "{err}");
		std::fs::write(&path, "account: //Dave\n").unwrap();
		let err = Keys::load(&path).err().unwrap().to_string();
		assert!(err.contains("missing field `vrf`"), "{err}");
		let _ = std::fs::remove_dir_all(&dir);
	}

	#[test]
	fn the_well_known_test_key_has_its_well_known_address() {
		// Anvil's first account.
		let secret =
			hex::decode("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
				.unwrap();
		let key = k256::ecdsa::SigningKey::from_slice(&secret).unwrap();
		assert_eq!(
			address_of(&key),
			H160::from_slice(&hex::decode("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266").unwrap())
		);
	}
}
