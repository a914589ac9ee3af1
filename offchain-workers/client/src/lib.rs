//! # AOS client
//!
//! What the operator service (`aos-operator`) and the command line (`aos-cli`) share to talk to
//! an `aos-node` over WebSocket JSON-RPC:
//!
//! - [`Chain::connect`] checks that the node runs a runtime whose transaction encoding this
//!   client was built for (the runtime's `transaction_version`), and refuses otherwise.
//! - Calls are the runtime's own types ([`aos_runtime::RuntimeCall`]): a client cannot build a
//!   call the runtime would not decode. [`Chain::submit`] signs one with the node's current
//!   spec version, a mortal era and the account's next nonce, and follows it into a block,
//!   returning its events or the dispatch error by name (`Inference::NotSelected`).
//! - Reads: blocks, events ([`Chain::events`]), storage values, and the typed `aos_*` RPC
//!   methods (tasks, models, operators; docs/RPC.md) through [`Chain::rpc`].

use codec::{Decode, Encode};
use jsonrpsee::{
	core::{
		client::{ClientT, Subscription, SubscriptionClientT},
		params::ArrayParams,
	},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sp_core::{sr25519, Pair};
use std::time::Duration;

pub use aos_runtime::{self as runtime, AccountId, Hash, RuntimeCall, RuntimeEvent};
pub use jsonrpsee::core::ClientError;
pub use pallet_inference_rpc::{InferenceApiClient, ModeView, ModelView, StatusView, TaskView};
pub use pallet_operators_rpc::{OperatorState, OperatorsApiClient, StakeState};

/// Block numbers.
pub type BlockNumber = aos_runtime::BlockNumber;
/// A block header.
pub type Header = aos_runtime::Header;
/// An account's record, as `System::Account` stores it.
type AccountInfo = frame_system::AccountInfo<
	aos_runtime::Nonce,
	pallet_balances::AccountData<aos_runtime::Balance>,
>;
/// An event with its phase, as `System::Events` stores it.
pub type EventRecord = frame_system::EventRecord<RuntimeEvent, Hash>;

/// How long a transaction stays valid, in blocks (mortality).
pub const MORTALITY: u64 = 64;

/// What can go wrong talking to the node.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	#[error("cannot connect to the node at {url}: {source}")]
	Connect { url: String, source: ClientError },
	#[error("the node's JSON-RPC failed: {0}")]
	Rpc(#[from] ClientError),
	#[error(
		"the node runs {spec_name} with transaction version {node}, this client was built for \
		 transaction version {ours}: use a client built for the node's runtime"
	)]
	IncompatibleRuntime { spec_name: String, node: u32, ours: u32 },
	#[error("cannot decode {what} from the node: {reason}")]
	Decode { what: &'static str, reason: String },
	#[error("the transaction pool refused the transaction: {0}")]
	Refused(String),
	#[error("the transaction was {0} before it was included in a block")]
	NotIncluded(String),
	#[error("the transaction failed: {0}")]
	Dispatch(String),
}

impl Error {
	/// Whether a submitted transaction certainly did not take effect: the pool refused it as
	/// invalid, or it was included and failed. `false` when it may still be, or have been,
	/// included (a lost connection, a transaction with its nonce already in the pool, one
	/// dropped from the pool): its outcome is for the chain's state to tell.
	pub fn certainly_failed(&self) -> bool {
		match self {
			Error::Dispatch(_) => true,
			// "Already imported" and "priority too low": a transaction with this nonce is in
			// the pool, perhaps this very one.
			Error::Refused(reason) => {
				!(reason.contains("already imported") || reason.contains("Priority is too low"))
			},
			Error::NotIncluded(status) => status.contains("invalid") || status.contains("usurped"),
			_ => false,
		}
	}

	/// Whether the node answered that no task with the id asked for was issued as its best
	/// block has it (`aos_task`'s `UnknownTask`). Just after a submission that can mean the
	/// block with the task was retracted in a reorganization: the pool puts the transaction
	/// back, and a later block includes it again.
	pub fn is_unknown_task(&self) -> bool {
		matches!(self, Error::Rpc(ClientError::Call(e))
			if e.code() == pallet_inference_rpc::Error::UnknownTask as i32)
	}
}

/// The result of this crate's calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A transaction in a block.
#[derive(Clone, Debug)]
pub struct Included {
	pub block_hash: Hash,
	pub block_number: BlockNumber,
	/// Its events (the dispatch's own, then the fee's and `ExtrinsicSuccess`).
	pub events: Vec<RuntimeEvent>,
}

/// A connection to an `aos-node`.
pub struct Chain {
	rpc: WsClient,
	genesis: Hash,
	url: String,
}

fn decode<T: Decode>(what: &'static str, bytes: &[u8]) -> Result<T> {
	T::decode(&mut &bytes[..]).map_err(|e| Error::Decode { what, reason: e.to_string() })
}

fn from_json<T: DeserializeOwned>(what: &'static str, value: Value) -> Result<T> {
	serde_json::from_value(value).map_err(|e| Error::Decode { what, reason: e.to_string() })
}

fn hex_bytes(what: &'static str, value: &Value) -> Result<Vec<u8>> {
	let text = value.as_str().ok_or(Error::Decode { what, reason: format!("not hex: {value}") })?;
	sp_core::bytes::from_hex(text).map_err(|e| Error::Decode { what, reason: e.to_string() })
}

/// A submission's error: the pool's refusal by its reason, or the connection's.
fn refusal(e: ClientError) -> Error {
	match e {
		ClientError::Call(e) => {
			Error::Refused(e.data().map_or_else(
				|| e.message().to_string(),
				|d| format!("{}: {}", e.message(), d.get()),
			))
		},
		other => Error::Rpc(other),
	}
}

/// The node's runtime versions.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Versions {
	pub spec_name: String,
	pub spec_version: u32,
	pub transaction_version: u32,
	/// The runtime APIs it implements: each one's id (the BLAKE2b-64 of its name) and version.
	#[serde(default)]
	pub apis: Vec<(sp_core::Bytes, u32)>,
}

impl Versions {
	/// Whether the runtime implements runtime API `name` (e.g. `"CheckpointsApi"`).
	pub fn has_api(&self, name: &str) -> bool {
		let id = sp_crypto_hashing::blake2_64(name.as_bytes());
		self.apis.iter().any(|(api, _)| api.0 == id)
	}
}

impl Chain {
	/// Connects to the node at `url` (`ws://…`) and checks its runtime.
	pub async fn connect(url: &str) -> Result<Chain> {
		let rpc = WsClientBuilder::default()
			.connection_timeout(Duration::from_secs(10))
			.request_timeout(Duration::from_secs(60))
			.max_response_size(64 << 20)
			.build(url)
			.await
			.map_err(|source| Error::Connect { url: url.into(), source })?;
		let genesis: Hash = rpc.request("chain_getBlockHash", rpc_params![0]).await?;
		let chain = Chain { rpc, genesis, url: url.into() };
		chain.versions().await?;
		Ok(chain)
	}

	/// The URL it is connected to.
	pub fn url(&self) -> &str {
		&self.url
	}

	/// Whether the connection is still up.
	pub fn is_connected(&self) -> bool {
		self.rpc.is_connected()
	}

	/// The raw JSON-RPC client, with the typed `aos_*` methods ([`InferenceApiClient`],
	/// [`OperatorsApiClient`]).
	pub fn rpc(&self) -> &WsClient {
		&self.rpc
	}

	/// The genesis hash.
	pub fn genesis(&self) -> Hash {
		self.genesis
	}

	/// The node's runtime versions; an error if its transactions are not encoded as this
	/// client's.
	pub async fn versions(&self) -> Result<Versions> {
		let v: Versions = self.rpc.request("state_getRuntimeVersion", rpc_params![]).await?;
		let ours = aos_runtime::VERSION.transaction_version;
		if v.transaction_version != ours {
			return Err(Error::IncompatibleRuntime {
				spec_name: v.spec_name,
				node: v.transaction_version,
				ours,
			});
		}
		Ok(v)
	}

	/// Task `id` (`aos_task`), or `None` once pruned.
	pub async fn task(&self, id: u64) -> Result<Option<TaskView<AccountId>>> {
		Ok(InferenceApiClient::<Hash, AccountId>::task(&self.rpc, id, None).await?)
	}

	/// Tasks `ids` as block `at` (the best block without it) has them, in their order
	/// (`aos_tasks`, a page of at most [`MAX_TASKS_PAGE`](pallet_inference_rpc::MAX_TASKS_PAGE)
	/// ids a call).
	pub async fn tasks(
		&self,
		ids: &[u64],
		at: Option<Hash>,
	) -> Result<Vec<Option<TaskView<AccountId>>>> {
		let mut views = Vec::with_capacity(ids.len());
		for page in ids.chunks(pallet_inference_rpc::MAX_TASKS_PAGE as usize) {
			views.extend(
				InferenceApiClient::<Hash, AccountId>::tasks(&self.rpc, page.to_vec(), at).await?,
			);
		}
		Ok(views)
	}

	/// Model `id` (`aos_model`) at block `at` (the best block without it).
	pub async fn model(
		&self,
		id: sp_core::H256,
		at: Option<Hash>,
	) -> Result<Option<ModelView<AccountId>>> {
		Ok(InferenceApiClient::<Hash, AccountId>::model(&self.rpc, id, at).await?)
	}

	/// `who`'s operator state (`aos_operator`), if it is an operator.
	pub async fn operator(
		&self,
		who: &AccountId,
	) -> Result<Option<OperatorState<aos_runtime::Balance, BlockNumber>>> {
		Ok(OperatorsApiClient::<Hash, AccountId, aos_runtime::Balance, BlockNumber>::operator(
			&self.rpc,
			who.clone(),
			None,
		)
		.await?)
	}

	/// `who`'s stake as task sampling weighs it for randomness from block `from` (stake
	/// bonded too late to count for it left out), if `who` may take tasks at block `at` (the
	/// best block without it) (`OperatorsApi_selection_stake`: the runtime's own rule, not a
	/// copy of it).
	pub async fn selection_stake(
		&self,
		who: &AccountId,
		from: u64,
		at: Option<Hash>,
	) -> Result<Option<u128>> {
		let from = BlockNumber::try_from(from).unwrap_or(BlockNumber::MAX);
		self.runtime_call("OperatorsApi_selection_stake", (who, from), at).await
	}

	/// The operators' heartbeat period at the best block (`OperatorsApi_heartbeat_period`).
	pub async fn heartbeat_period(&self) -> Result<BlockNumber> {
		self.runtime_call("OperatorsApi_heartbeat_period", (), None).await
	}

	/// The VKA bytes of verifying key `vk`, if registered (`ZkVerifierApi_verifying_key`).
	pub async fn verifying_key(&self, vk: sp_core::H256) -> Result<Option<Vec<u8>>> {
		self.runtime_call("ZkVerifierApi_verifying_key", vk, None).await
	}

	/// Checkpoint `id` of the bridge at block `at` (the best block without it), if closed and
	/// not pruned (`CheckpointsApi_checkpoint`).
	pub async fn checkpoint(
		&self,
		id: aos_checkpoint_primitives::CheckpointId,
		at: Option<Hash>,
	) -> Result<Option<aos_checkpoint_primitives::CheckpointView<BlockNumber>>> {
		self.runtime_call("CheckpointsApi_checkpoint", id, at).await
	}

	/// The signatures checkpoint `id` counted, by signer (`CheckpointsApi_signatures`).
	pub async fn checkpoint_signatures(
		&self,
		id: aos_checkpoint_primitives::CheckpointId,
		at: Option<Hash>,
	) -> Result<Vec<(sp_core::H160, [u8; 65])>> {
		self.runtime_call("CheckpointsApi_signatures", id, at).await
	}

	/// The runtime versions at block `at` (the best block if `None`), whatever its transaction
	/// version: what that block's runtime implements.
	pub async fn versions_at(&self, at: Option<Hash>) -> Result<Versions> {
		Ok(self.rpc.request("state_getRuntimeVersion", rpc_params![at]).await?)
	}

	/// The last checkpoint closed and the last final one (`CheckpointsApi_latest`).
	pub async fn checkpoints_latest(
		&self,
		at: Option<Hash>,
	) -> Result<(
		Option<aos_checkpoint_primitives::CheckpointId>,
		Option<aos_checkpoint_primitives::CheckpointId>,
	)> {
		self.runtime_call("CheckpointsApi_latest", (), at).await
	}

	/// The bridge's checkpoint parameters (`Checkpoints::Parameters`): the quorum the AVS
	/// contract must use too.
	pub async fn checkpoint_params(
		&self,
		at: Option<Hash>,
	) -> Result<pallet_checkpoints::ParamsOf<aos_runtime::Runtime>> {
		let key = pallet_checkpoints::Parameters::<aos_runtime::Runtime>::hashed_key();
		Ok(self
			.storage("Checkpoints::Parameters", &key, at)
			.await?
			.unwrap_or_else(aos_runtime::configs::checkpoints::production_params))
	}

	/// The bridge's operator set: address and weight (`CheckpointsApi_members`).
	pub async fn checkpoint_members(&self, at: Option<Hash>) -> Result<Vec<(sp_core::H160, u64)>> {
		self.runtime_call("CheckpointsApi_members", (), at).await
	}

	/// Calls runtime API `method` with SCALE-encoded `args` at block `at` (the best block
	/// without it) (`state_call`) and decodes its answer.
	async fn runtime_call<T: Decode>(
		&self,
		method: &'static str,
		args: impl Encode,
		at: Option<Hash>,
	) -> Result<T> {
		let bytes: sp_core::Bytes = self
			.rpc
			.request("state_call", rpc_params![method, sp_core::Bytes(args.encode()), at])
			.await?;
		decode(method, &bytes.0)
	}

	/// The best block's header.
	pub async fn best_header(&self) -> Result<Header> {
		Ok(self.rpc.request("chain_getHeader", rpc_params![]).await?)
	}

	/// The header of block `hash`.
	pub async fn header(&self, hash: Hash) -> Result<Option<Header>> {
		Ok(self.rpc.request("chain_getHeader", rpc_params![hash]).await?)
	}

	/// The hash of block `number` on the best chain.
	pub async fn block_hash(&self, number: BlockNumber) -> Result<Option<Hash>> {
		Ok(self.rpc.request("chain_getBlockHash", rpc_params![number]).await?)
	}

	/// The last finalized block's hash.
	pub async fn finalized_hash(&self) -> Result<Hash> {
		Ok(self.rpc.request("chain_getFinalizedHead", rpc_params![]).await?)
	}

	/// New best blocks' headers, as they are imported.
	pub async fn subscribe_best_heads(&self) -> Result<Subscription<Header>> {
		Ok(self
			.rpc
			.subscribe("chain_subscribeNewHeads", rpc_params![], "chain_unsubscribeNewHeads")
			.await?)
	}

	/// The raw value at storage `key` at block `at` (the best block without it).
	pub async fn storage_raw(&self, key: &[u8], at: Option<Hash>) -> Result<Option<Vec<u8>>> {
		let value: Option<sp_core::Bytes> = self
			.rpc
			.request("state_getStorage", rpc_params![sp_core::Bytes(key.to_vec()), at])
			.await?;
		Ok(value.map(|b| b.0))
	}

	/// The decoded value at storage `key`.
	pub async fn storage<T: Decode>(
		&self,
		what: &'static str,
		key: &[u8],
		at: Option<Hash>,
	) -> Result<Option<T>> {
		self.storage_raw(key, at).await?.map(|bytes| decode(what, &bytes)).transpose()
	}

	/// Optimistic task `task`'s posted result, while it is in its challenge period or disputes
	/// (`Opml::Results`).
	pub async fn opml_result(
		&self,
		task: u64,
	) -> Result<Option<pallet_opml::PostedResultOf<aos_runtime::Runtime>>> {
		let key = pallet_opml::Results::<aos_runtime::Runtime>::hashed_key_for(task);
		self.storage("Opml::Results", &key, None).await
	}

	/// The games open against optimistic task `task`'s result, by challenger (`Opml::Games`; at
	/// most `MaxChallengers`).
	pub async fn opml_games(
		&self,
		task: u64,
	) -> Result<Vec<(AccountId, pallet_opml::GameOf<aos_runtime::Runtime>)>> {
		use frame_support::storage::StoragePrefixedMap;
		let mut prefix = pallet_opml::Games::<aos_runtime::Runtime>::final_prefix().to_vec();
		let encoded = task.encode();
		prefix.extend_from_slice(&sp_crypto_hashing::twox_64(&encoded));
		prefix.extend_from_slice(&encoded);
		let keys: Vec<sp_core::Bytes> = self
			.rpc
			.request(
				"state_getKeysPaged",
				rpc_params![
					sp_core::Bytes(prefix.clone()),
					1000u32,
					Option::<sp_core::Bytes>::None
				],
			)
			.await?;
		let mut games = Vec::with_capacity(keys.len());
		for key in keys {
			// Blake2_128Concat: 16 bytes of hash, then the account itself.
			let Some(account) = key.0.get(prefix.len() + 16..) else { continue };
			let who = decode::<AccountId>("Opml::Games key", account)?;
			if let Some(game) = self.storage("Opml::Games", &key.0, None).await? {
				games.push((who, game));
			}
		}
		Ok(games)
	}

	/// The events of block `at`.
	pub async fn events(&self, at: Hash) -> Result<Vec<EventRecord>> {
		// `frame_system::Events` is private: its key is built as FRAME builds it.
		let key = [sp_crypto_hashing::twox_128(b"System"), sp_crypto_hashing::twox_128(b"Events")]
			.concat();
		Ok(self.storage("System::Events", &key, Some(at)).await?.unwrap_or_default())
	}

	/// `who`'s account record (nonce and balances) at the best block; none if it has none.
	async fn account(&self, who: &AccountId) -> Result<Option<AccountInfo>> {
		self.account_at(who, None).await
	}

	async fn account_at(&self, who: &AccountId, at: Option<Hash>) -> Result<Option<AccountInfo>> {
		let key = frame_system::Account::<aos_runtime::Runtime>::hashed_key_for(who);
		self.storage("System::Account", &key, at).await
	}

	/// `who`'s free balance at the best block.
	pub async fn free_balance(&self, who: &AccountId) -> Result<aos_runtime::Balance> {
		Ok(self.account(who).await?.map_or(0, |i| i.data.free))
	}

	/// `who`'s next nonce, counting its transactions in the node's pool.
	pub async fn next_nonce(&self, who: &AccountId) -> Result<aos_runtime::Nonce> {
		Ok(self.rpc.request("system_accountNextIndex", rpc_params![who.to_string()]).await?)
	}

	/// `who`'s nonce in the state of block `at` (the best block without it): transactions with
	/// a lower nonce are in blocks (or can never be), whatever the pool holds.
	pub async fn account_nonce(
		&self,
		who: &AccountId,
		at: Option<Hash>,
	) -> Result<aos_runtime::Nonce> {
		Ok(self.account_at(who, at).await?.map_or(0, |i| i.nonce))
	}

	/// Signs `call` as `signer` for the node's current runtime, mortal for 64 blocks from
	/// [`Chain::era_anchor`].
	pub async fn sign(
		&self,
		signer: &sr25519::Pair,
		call: RuntimeCall,
	) -> Result<aos_runtime::UncheckedExtrinsic> {
		let account = AccountId::from(signer.public());
		let nonce = self.next_nonce(&account).await?;
		self.sign_with_nonce(signer, call, nonce).await
	}

	/// [`Chain::sign`] with a nonce the caller keeps (several transactions in flight at once).
	pub async fn sign_with_nonce(
		&self,
		signer: &sr25519::Pair,
		call: RuntimeCall,
		nonce: aos_runtime::Nonce,
	) -> Result<aos_runtime::UncheckedExtrinsic> {
		let versions = self.versions().await?;
		let anchor = self.era_anchor().await?;
		let extension = aos_runtime::tx_extension(nonce, 0, MORTALITY, u64::from(anchor.number));
		Ok(aos_runtime::sign_extrinsic_for(
			call,
			signer,
			extension,
			self.genesis,
			anchor.hash(),
			(versions.spec_version, versions.transaction_version),
		))
	}

	/// The block a transaction's mortality starts from: the last finalized one while it is
	/// less than half of [`MORTALITY`] behind the best, else the best. A transaction signed
	/// against a best block that a reorg then retracts fails its signature check on the new
	/// fork ("invalid" in the pool); a finalized block is never retracted. (BABE forks at
	/// equal slots are routine: one such reorg lost three operators' claims in a test.)
	pub async fn era_anchor(&self) -> Result<Header> {
		let best = self.best_header().await?;
		let finalized = self.finalized_hash().await?;
		Ok(era_anchor_of(best, self.header(finalized).await?))
	}

	/// Signs and submits `call`, and waits until it is in a best block: its events, or the
	/// reason it failed.
	pub async fn submit(&self, signer: &sr25519::Pair, call: RuntimeCall) -> Result<Included> {
		let xt = self.sign(signer, call).await?;
		self.submit_extrinsic(xt.encode()).await
	}

	/// Submits an encoded extrinsic without following it: its hash, or the pool's refusal.
	pub async fn send_extrinsic(&self, encoded: Vec<u8>) -> Result<Hash> {
		self.rpc
			.request("author_submitExtrinsic", rpc_params![sp_core::Bytes(encoded)])
			.await
			.map_err(refusal)
	}

	/// Submits an encoded extrinsic and waits until it is in a best block.
	pub async fn submit_extrinsic(&self, encoded: Vec<u8>) -> Result<Included> {
		let mut params = ArrayParams::new();
		params.insert(sp_core::Bytes(encoded.clone())).map_err(ClientError::ParseError)?;
		let mut status: Subscription<Value> = self
			.rpc
			.subscribe("author_submitAndWatchExtrinsic", params, "author_unwatchExtrinsic")
			.await
			.map_err(refusal)?;
		while let Some(update) = status.next().await {
			let update = update
				.map_err(|e| Error::Decode { what: "transaction status", reason: e.to_string() })?;
			if let Some(block) = update.get("inBlock").or_else(|| update.get("finalized")) {
				let block: Hash = from_json("block hash", block.clone())?;
				return self.outcome(block, &encoded).await;
			}
			// "future", "ready" and "broadcast" are on the way; anything else ends it.
			let waiting = update.as_str().is_some_and(|s| ["future", "ready"].contains(&s))
				|| update.get("broadcast").is_some();
			if !waiting {
				return Err(Error::NotIncluded(update.to_string()));
			}
		}
		Err(Error::NotIncluded("lost (the node closed the subscription)".into()))
	}

	/// The events of extrinsic `encoded` in block `block`, or its dispatch error.
	async fn outcome(&self, block: Hash, encoded: &[u8]) -> Result<Included> {
		let signed: Value = self.rpc.request("chain_getBlock", rpc_params![block]).await?;
		let extrinsics = signed["block"]["extrinsics"].as_array().cloned().unwrap_or_default();
		let mut index = None;
		for (i, xt) in extrinsics.iter().enumerate() {
			if hex_bytes("extrinsic", xt)? == encoded {
				index = Some(i as u32);
			}
		}
		let index = index.ok_or(Error::NotIncluded("reported in a block that lacks it".into()))?;
		let number: BlockNumber =
			from_json::<Header>("header", signed["block"]["header"].clone())?.number;
		let mut events = Vec::new();
		for record in self.events(block).await? {
			if record.phase != frame_system::Phase::ApplyExtrinsic(index) {
				continue;
			}
			if let RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error,
				..
			}) = &record.event
			{
				return Err(Error::Dispatch(describe(dispatch_error)));
			}
			events.push(record.event);
		}
		Ok(Included { block_hash: block, block_number: number, events })
	}
}

/// A dispatch error by name: `Inference::NotSelected` for a pallet's error.
pub fn describe(error: &sp_runtime::DispatchError) -> String {
	match aos_runtime::RuntimeError::from_dispatch_error(*error) {
		Some(e) => {
			let text = format!("{e:?}");
			// `Inference(NotSelected)` → `Inference::NotSelected`.
			match text.split_once('(') {
				Some((pallet, rest)) => format!("{pallet}::{}", rest.trim_end_matches(')')),
				None => text,
			}
		},
		None => format!("{error:?}"),
	}
}

/// Text that [`parse_aos`] does not read as an amount of AOS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an amount of AOS (like \"1000\" or \"0.5\")")]
pub struct NotAnAmount(pub String);

/// A decimal amount of AOS (18 decimals) in the smallest unit.
pub fn parse_aos(text: &str) -> Result<u128, NotAnAmount> {
	let bad = || NotAnAmount(text.to_string());
	let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
	if whole.is_empty() && fraction.is_empty() || fraction.len() > 18 {
		return Err(bad());
	}
	let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
	if !digits(whole) || !digits(fraction) {
		return Err(bad());
	}
	let whole: u128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
	let fraction: u128 = if fraction.is_empty() {
		0
	} else {
		format!("{fraction:0<18}").parse().map_err(|_| bad())?
	};
	whole.checked_mul(aos_runtime::UNITS).and_then(|w| w.checked_add(fraction)).ok_or_else(bad)
}

/// An amount in the smallest unit as AOS, without trailing zeros: `1.5 AOS`.
pub fn format_aos(amount: u128) -> String {
	let unit = aos_runtime::UNITS;
	let fraction = format!("{:018}", amount % unit);
	let fraction = fraction.trim_end_matches('0');
	if fraction.is_empty() {
		format!("{} AOS", amount / unit)
	} else {
		format!("{}.{fraction} AOS", amount / unit)
	}
}

/// [`Chain::era_anchor`]'s choice between the best and the last finalized header.
fn era_anchor_of(best: Header, finalized: Option<Header>) -> Header {
	match finalized {
		Some(f) if u64::from(best.number.saturating_sub(f.number)) < MORTALITY / 2 => f,
		_ => best,
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn runtime_apis_are_found_by_name() {
		// As the node reports them: this runtime's APIs, by id.
		let json = serde_json::json!({
			"specName": "aos",
			"specVersion": 1,
			"transactionVersion": 1,
			"apis": aos_runtime::VERSION
				.apis
				.iter()
				.map(|(id, v)| (sp_core::Bytes(id.to_vec()), v))
				.collect::<Vec<_>>(),
		});
		let versions: Versions = serde_json::from_value(json).expect("versions");
		assert!(versions.has_api("CheckpointsApi"));
		assert!(versions.has_api("Core"));
		assert!(!versions.has_api("NoSuchApi"));
		// A runtime before the bridge: no CheckpointsApi.
		let older = Versions {
			apis: versions
				.apis
				.iter()
				.filter(|(id, _)| id.0 != sp_crypto_hashing::blake2_64(b"CheckpointsApi"))
				.cloned()
				.collect(),
			..versions.clone()
		};
		assert!(!older.has_api("CheckpointsApi") && older.has_api("Core"));
	}

	#[test]
	fn an_unknown_task_is_told_from_other_failures() {
		let call = |code: i32| {
			Error::Rpc(ClientError::Call(jsonrpsee::types::ErrorObject::owned(
				code,
				"as the node says it",
				None::<()>,
			)))
		};
		assert!(call(pallet_inference_rpc::Error::UnknownTask as i32).is_unknown_task());
		assert!(!call(pallet_inference_rpc::Error::PageTooLarge as i32).is_unknown_task());
		assert!(!Error::Dispatch("inference.UnknownTask".into()).is_unknown_task());
	}

	#[test]
	fn amounts_of_aos() {
		let unit = aos_runtime::UNITS;
		assert_eq!(parse_aos("1000"), Ok(1000 * unit));
		assert_eq!(parse_aos("0.5"), Ok(unit / 2));
		assert_eq!(parse_aos("1.000000000000000001"), Ok(unit + 1));
		for bad in ["", ".", "1.0000000000000000001", "-1", "1e3", "one"] {
			assert!(parse_aos(bad).is_err(), "{bad}");
		}
		assert_eq!(
			parse_aos("lots").unwrap_err().to_string(),
			r#""lots" is not an amount of AOS (like "1000" or "0.5")"#
		);
		assert_eq!(format_aos(1000 * unit), "1000 AOS");
		assert_eq!(format_aos(unit / 2 + 3 * unit), "3.5 AOS");
		assert_eq!(format_aos(1), "0.000000000000000001 AOS");
	}

	#[test]
	fn transactions_are_anchored_to_a_recent_finalized_block() {
		let header = |number: BlockNumber| Header {
			parent_hash: Default::default(),
			number,
			state_root: Default::default(),
			extrinsics_root: Default::default(),
			digest: Default::default(),
		};
		// Finality close behind the best: the finalized block, which no reorg retracts.
		assert_eq!(era_anchor_of(header(40), Some(header(37))).number, 37);
		assert_eq!(era_anchor_of(header(40), Some(header(40))).number, 40);
		// Finality stalled half a mortality behind: the best, so the transaction lives on.
		assert_eq!(era_anchor_of(header(40), Some(header(8))).number, 40);
		assert_eq!(era_anchor_of(header(40), Some(header(9))).number, 9);
		assert_eq!(era_anchor_of(header(40), None).number, 40);
	}
}
