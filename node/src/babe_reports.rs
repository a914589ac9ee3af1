//! Reports BABE equivocations with sealed headers.
//!
//! A validator equivocates in BABE when it authors two blocks for one slot. sc-consensus-babe
//! 0.60 looks for that while importing a block, but by then its verifier has moved the block's
//! seal out of the header (into the post-digests; polkadot-sdk#9147 moved the check there). The
//! proof it submits therefore carries two unsealed headers, and pallet-babe refuses it with
//! `InvalidEquivocationProof`: the offender goes unpunished.
//!
//! This task does the check on the headers as imported, which keep their seals: it remembers who
//! authored each slot of the recent past, and when an author's second header for a slot arrives it
//! checks the proof as the runtime will, takes the unsealed report of the same offence out of the
//! transaction pool (it provides the same tag and would keep ours out) and submits the sealed
//! one. A submission the pool refuses is tried again at the next blocks, for a while.

use aos_runtime::opaque::{Block, Header};
use codec::Encode;
use futures::StreamExt;
use sc_client_api::BlockchainEvents;
use sc_consensus_babe::{find_pre_digest, BabeConfiguration, Epoch};
use sc_consensus_epochs::{descendent_query, SharedEpochChanges};
use sc_transaction_pool_api::{
	InPoolTransaction, LocalTransactionPool, OffchainTransactionPoolFactory, TransactionPool,
	TxInvalidityReportMap,
};
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_consensus::BlockOrigin;
use sp_consensus_babe::{AuthorityId, BabeApi, EquivocationProof, Slot};
use sp_runtime::traits::Header as HeaderT;
use std::{collections::BTreeMap, sync::Arc};

const LOG_TARGET: &str = "babe-reports";

/// Slots of the past remembered: as many as sc-consensus-slots keeps for its own check.
const SLOTS_KEPT: u64 = 1000;
/// Reports waiting for the pool at once; beyond that the oldest is given up.
const MAX_PENDING: usize = 64;
/// Blocks a report is retried for before it is given up (the unsealed report it has to wait for
/// is included in the next block this node authors).
const ATTEMPTS: u32 = 50;

/// The headers seen for the recent slots, by author.
pub struct SlotIndex {
	slots: BTreeMap<Slot, Vec<Authored>>,
}

struct Authored {
	author: AuthorityId,
	first: Header,
	/// The author has been found equivocating at this slot already: later headers add nothing.
	reported: bool,
}

impl SlotIndex {
	pub fn new() -> Self {
		Self { slots: BTreeMap::new() }
	}

	/// Notes that `author` sealed `header` for `slot`. Returns the proof if the author had
	/// already sealed a different header for it (once per author and slot).
	pub fn note(
		&mut self,
		slot: Slot,
		author: AuthorityId,
		header: Header,
	) -> Option<EquivocationProof<Header>> {
		let newest = self.slots.last_key_value().map_or(slot, |(s, _)| (*s).max(slot));
		if u64::from(slot) < u64::from(newest).saturating_sub(SLOTS_KEPT) {
			return None;
		}
		let seen = self.slots.entry(slot).or_default();
		let proof = match seen.iter_mut().find(|a| a.author == author) {
			None => {
				seen.push(Authored { author, first: header, reported: false });
				None
			},
			Some(a) if a.reported || a.first.hash() == header.hash() => None,
			Some(a) => {
				a.reported = true;
				Some(EquivocationProof {
					offender: author,
					slot,
					first_header: a.first.clone(),
					second_header: header,
				})
			},
		};
		let oldest = Slot::from(u64::from(newest).saturating_sub(SLOTS_KEPT));
		self.slots = self.slots.split_off(&oldest);
		proof
	}

	/// Slots remembered.
	#[cfg(test)]
	fn len(&self) -> usize {
		self.slots.len()
	}
}

impl Default for SlotIndex {
	fn default() -> Self {
		Self::new()
	}
}

/// The author of `header`: the authority its BABE pre-digest names, in the epoch its slot falls
/// in on its own fork (looked up as sc-consensus-babe's import does).
fn author_of<C>(
	client: &C,
	epoch_changes: &SharedEpochChanges<Block, Epoch>,
	config: &BabeConfiguration,
	header: &Header,
) -> Result<(Slot, AuthorityId), String>
where
	C: HeaderBackend<Block> + sp_blockchain::HeaderMetadata<Block, Error = sp_blockchain::Error>,
{
	let pre_digest = find_pre_digest::<Block>(header).map_err(|e| e.to_string())?;
	let slot = pre_digest.slot();
	let parent_number = header.number().saturating_sub(1);
	let epoch_changes = epoch_changes.shared_data();
	let descriptor = epoch_changes
		.epoch_descriptor_for_child_of(
			descendent_query(client),
			header.parent_hash(),
			parent_number,
			slot,
		)
		.map_err(|e| format!("epoch lookup: {e}"))?
		.ok_or("no epoch for the block's parent")?;
	let epoch = epoch_changes
		.viable_epoch(&descriptor, |slot| Epoch::genesis(config, slot))
		.ok_or("the block's epoch is not known")?;
	let author = epoch
		.as_ref()
		.authorities
		.get(pre_digest.authority_index() as usize)
		.ok_or("the pre-digest names no authority of the epoch")?
		.0
		.clone();
	Ok((slot, author))
}

/// A report not yet accepted by the pool.
struct Pending {
	proof: EquivocationProof<Header>,
	attempts: u32,
}

/// What became of one submission.
enum Submitted {
	Yes,
	/// Try again at a later block.
	Retry(String),
	/// Nothing to report: the offender holds no session keys any more.
	Never(String),
}

/// Watches imported blocks for equivocations and reports them until the node stops.
pub async fn run<C, P>(
	client: Arc<C>,
	pool: Arc<P>,
	epoch_changes: SharedEpochChanges<Block, Epoch>,
	config: BabeConfiguration,
) where
	C: BlockchainEvents<Block>
		+ HeaderBackend<Block>
		+ sp_blockchain::HeaderMetadata<Block, Error = sp_blockchain::Error>
		+ ProvideRuntimeApi<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: BabeApi<Block>,
	P: TransactionPool<Block = Block> + LocalTransactionPool<Block = Block> + 'static,
{
	let offchain_pool = OffchainTransactionPoolFactory::new(pool.clone());
	let mut imports = client.import_notification_stream();
	let mut index = SlotIndex::new();
	let mut pending: Vec<Pending> = Vec::new();
	while let Some(imported) = imports.next().await {
		// Equivocations seen while catching up are stale, as sc-consensus-babe holds too.
		if imported.origin != BlockOrigin::NetworkInitialSync {
			match author_of(&*client, &epoch_changes, &config, &imported.header) {
				Ok((slot, author)) => {
					if let Some(proof) = index.note(slot, author, imported.header.clone()) {
						log::info!(
							target: LOG_TARGET,
							"BABE author {:?} sealed two blocks for slot {}: {:?} and {:?}",
							proof.offender,
							proof.slot,
							proof.first_header.hash(),
							proof.second_header.hash(),
						);
						if !sp_consensus_babe::check_equivocation_proof(proof.clone()) {
							// Cannot happen for imported blocks: both seals were verified.
							log::warn!(target: LOG_TARGET, "the proof does not check; not sent");
						} else {
							if pending.len() >= MAX_PENDING {
								pending.remove(0);
							}
							pending.push(Pending { proof, attempts: 0 });
						}
					}
				},
				Err(e) => log::debug!(
					target: LOG_TARGET,
					"block {:?}: author unknown: {e}",
					imported.hash
				),
			}
		}
		let mut still = Vec::with_capacity(pending.len());
		for mut report in pending.drain(..) {
			match submit(&*client, &*pool, &offchain_pool, &report.proof).await {
				Submitted::Yes => log::info!(
					target: LOG_TARGET,
					"Submitted a sealed BABE equivocation report for {:?} at slot {}",
					report.proof.offender,
					report.proof.slot,
				),
				Submitted::Never(why) => {
					log::info!(target: LOG_TARGET, "Equivocation not reported: {why}")
				},
				Submitted::Retry(why) => {
					report.attempts = report.attempts.saturating_add(1);
					if report.attempts < ATTEMPTS {
						log::debug!(target: LOG_TARGET, "report to retry: {why}");
						still.push(report);
					} else {
						log::warn!(
							target: LOG_TARGET,
							"Gave up reporting {:?} at slot {}: {why}",
							report.proof.offender,
							report.proof.slot,
						);
					}
				},
			}
		}
		pending = still;
	}
}

/// Submits `proof` at the best block through the runtime's BABE API, after taking out of the pool
/// any report of the same offence (the unsealed one).
async fn submit<C, P>(
	client: &C,
	pool: &P,
	offchain_pool: &OffchainTransactionPoolFactory<Block>,
	proof: &EquivocationProof<Header>,
) -> Submitted
where
	C: HeaderBackend<Block> + ProvideRuntimeApi<Block>,
	C::Api: BabeApi<Block>,
	P: TransactionPool<Block = Block>,
{
	let best = client.info().best_hash;
	let owner_proof_at = |at| {
		client.runtime_api().generate_key_ownership_proof(at, proof.slot, proof.offender.clone())
	};
	// At the parent the offender's session is the one it equivocated in; if that was the first
	// block of a session, the best block may still know its keys.
	let key_owner_proof = match owner_proof_at(*proof.first_header.parent_hash()) {
		Ok(Some(p)) => p,
		_ => match owner_proof_at(best) {
			Ok(Some(p)) => p,
			Ok(None) => return Submitted::Never("the offender holds no session keys".into()),
			Err(e) => return Submitted::Retry(format!("key ownership proof: {e}")),
		},
	};

	// pallet-babe's tag for a report: the offender and the slot.
	let tag = (proof.offender.clone(), proof.slot).encode();
	let mut same_offence = TxInvalidityReportMap::default();
	for tx in pool.ready() {
		if tx.provides().contains(&tag) {
			same_offence.insert(tx.hash().clone(), None);
		}
	}
	if !same_offence.is_empty() {
		let removed = pool.report_invalid(None, same_offence).await;
		log::debug!(target: LOG_TARGET, "took {} unsealed report(s) out of the pool", removed.len());
	}

	let mut api = client.runtime_api();
	api.register_extension(offchain_pool.offchain_transaction_pool(best));
	match api.submit_report_equivocation_unsigned_extrinsic(best, proof.clone(), key_owner_proof) {
		Ok(Some(())) => Submitted::Yes,
		Ok(None) => Submitted::Retry("the pool refused the report".into()),
		Err(e) => Submitted::Retry(format!("runtime API: {e}")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_consensus_babe::digests::{CompatibleDigestItem, PreDigest, SecondaryPlainPreDigest};
	use sp_core::{Pair, H256};
	use sp_keyring::Sr25519Keyring;
	use sp_runtime::{Digest, DigestItem};

	/// A header for `slot` sealed by `who` as BABE seals it; `salt` makes distinct blocks.
	fn sealed(who: Sr25519Keyring, slot: u64, salt: u8) -> Header {
		let pre = PreDigest::SecondaryPlain(SecondaryPlainPreDigest {
			authority_index: 0,
			slot: slot.into(),
		});
		let mut header = Header::new(
			7,
			H256::repeat_byte(salt),
			H256::zero(),
			H256::repeat_byte(1),
			Digest { logs: vec![<DigestItem as CompatibleDigestItem>::babe_pre_digest(pre)] },
		);
		let signature = who.pair().sign(header.hash().as_ref());
		header.digest_mut().push(<DigestItem as CompatibleDigestItem>::babe_seal(signature.into()));
		header
	}

	fn id(who: Sr25519Keyring) -> AuthorityId {
		who.public().into()
	}

	#[test]
	fn two_sealed_headers_for_a_slot_make_a_proof_the_runtime_accepts() {
		let mut index = SlotIndex::new();
		assert!(index
			.note(10.into(), id(Sr25519Keyring::Dave), sealed(Sr25519Keyring::Dave, 10, 1))
			.is_none());
		let proof = index
			.note(10.into(), id(Sr25519Keyring::Dave), sealed(Sr25519Keyring::Dave, 10, 2))
			.expect("a second header for the slot is an equivocation");
		assert_eq!(proof.slot, Slot::from(10));
		assert_ne!(proof.first_header.hash(), proof.second_header.hash());
		assert!(sp_consensus_babe::check_equivocation_proof(proof.clone()));

		// The proof sc-consensus-babe 0.60 builds: the same headers with their seals taken off.
		let mut unsealed = proof;
		unsealed.first_header.digest_mut().pop();
		unsealed.second_header.digest_mut().pop();
		assert!(!sp_consensus_babe::check_equivocation_proof(unsealed));
	}

	#[test]
	fn a_header_seen_twice_or_another_author_is_no_equivocation() {
		let mut index = SlotIndex::new();
		let header = sealed(Sr25519Keyring::Dave, 10, 1);
		assert!(index.note(10.into(), id(Sr25519Keyring::Dave), header.clone()).is_none());
		assert!(index.note(10.into(), id(Sr25519Keyring::Dave), header).is_none());
		// Two authors may both claim a slot (primary and secondary): no offence.
		assert!(index
			.note(10.into(), id(Sr25519Keyring::Bob), sealed(Sr25519Keyring::Bob, 10, 2))
			.is_none());
		// Another slot, another header: no offence.
		assert!(index
			.note(11.into(), id(Sr25519Keyring::Dave), sealed(Sr25519Keyring::Dave, 11, 3))
			.is_none());
	}

	#[test]
	fn an_equivocation_is_reported_once() {
		let mut index = SlotIndex::new();
		let dave = || id(Sr25519Keyring::Dave);
		assert!(index.note(10.into(), dave(), sealed(Sr25519Keyring::Dave, 10, 1)).is_none());
		assert!(index.note(10.into(), dave(), sealed(Sr25519Keyring::Dave, 10, 2)).is_some());
		assert!(index.note(10.into(), dave(), sealed(Sr25519Keyring::Dave, 10, 3)).is_none());
	}

	#[test]
	fn old_slots_are_forgotten_and_ignored() {
		let mut index = SlotIndex::new();
		let dave = || id(Sr25519Keyring::Dave);
		assert!(index.note(10.into(), dave(), sealed(Sr25519Keyring::Dave, 10, 1)).is_none());
		assert!(index.note(2000.into(), dave(), sealed(Sr25519Keyring::Dave, 2000, 2)).is_none());
		assert_eq!(index.len(), 1, "slot 10 is more than {SLOTS_KEPT} slots old");
		// A header for a forgotten slot is not remembered, so cannot pair up later.
		assert!(index.note(10.into(), dave(), sealed(Sr25519Keyring::Dave, 10, 3)).is_none());
		assert_eq!(index.len(), 1);
	}
}
