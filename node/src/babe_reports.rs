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
//! checks the proof as the runtime will and submits it. The unsealed report of the same offence
//! provides the same pool tag, so whichever a view saw first keeps the other out until it is
//! included: for some blocks after, the task takes out of the pool every report of that offence
//! whose proof does not check. A submission the runtime refuses is tried again at the next
//! blocks, for a while.

use aos_runtime::opaque::{Block, Header};
use codec::{Decode, Encode};
use futures::StreamExt;
use sc_client_api::{BlockImportNotification, BlockchainEvents};
use sc_consensus_babe::{find_pre_digest, BabeConfiguration, Epoch};
use sc_consensus_epochs::{descendent_query, SharedEpochChanges};
use sc_transaction_pool_api::{
	InPoolTransaction, LocalTransactionPool, OffchainTransactionPoolFactory, TransactionPool,
	TxInvalidityReportMap,
};
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_consensus::BlockOrigin;
use sp_consensus_babe::{
	digests::CompatibleDigestItem, AuthorityId, BabeApi, EquivocationProof, Slot,
};
use sp_runtime::traits::{Block as BlockT, Header as HeaderT};
use std::{collections::BTreeMap, sync::Arc, time::Duration};

const LOG_TARGET: &str = "babe-reports";

/// Slots of the past remembered: as many as sc-consensus-slots keeps for its own check.
const SLOTS_KEPT: u64 = 1000;
/// Reports being followed at once; beyond that the oldest is given up.
const MAX_PENDING: usize = 64;
/// Blocks a report is followed for: submitted (retried while the runtime refuses it) and the
/// unsealed reports of its offence taken out of the pool.
const FOLLOW_BLOCKS: u32 = 50;
/// Blocks the pool is swept for unsealed reports after ours went in, if none was found before.
const SWEEP_BLOCKS: u32 = 10;
/// How long to wait for the pool's view at the best block before searching what it has.
const POOL_VIEW_WAIT: Duration = Duration::from_secs(2);

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
			// The same block, or its content sealed again: sc-consensus-slots' check does not
			// count that either (sr25519 seals differ at each signing).
			Some(a) if a.reported || pre_hash(&a.first) == pre_hash(&header) => None,
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
		while let Some(entry) = self.slots.first_entry() {
			if *entry.key() >= oldest {
				break;
			}
			entry.remove();
		}
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

/// The hash of `header` without its BABE seal (the hash the seal signs).
fn pre_hash(header: &Header) -> <Block as BlockT>::Hash {
	let mut pre = header.clone();
	if pre.digest().logs().last().and_then(|d| d.as_babe_seal()).is_some() {
		pre.digest_mut().pop();
	}
	pre.hash()
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

/// A report being followed.
struct Pending {
	proof: EquivocationProof<Header>,
	/// Blocks seen since the equivocation was found.
	blocks: u32,
	/// The block count at which the runtime took our report.
	submitted_at: Option<u32>,
	/// An unsealed report of the offence was taken out of the pool.
	swept: bool,
}

impl Pending {
	/// Whether the report still needs following.
	fn open(&self) -> bool {
		let swept_enough = self.swept
			|| self.submitted_at.is_some_and(|at| self.blocks.saturating_sub(at) >= SWEEP_BLOCKS);
		self.blocks < FOLLOW_BLOCKS && !(self.submitted_at.is_some() && swept_enough)
	}
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
		let found = (imported.origin != BlockOrigin::NetworkInitialSync)
			.then(|| equivocation(&*client, &epoch_changes, &config, &mut index, &imported))
			.flatten();
		if let Some(proof) = found {
			if pending.len() >= MAX_PENDING {
				pending.remove(0);
			}
			pending.push(Pending { proof, blocks: 0, submitted_at: None, swept: false });
		}
		for report in pending.iter_mut() {
			follow(&*client, &*pool, &offchain_pool, report).await;
		}
		pending.retain(Pending::open);
	}
}

/// The equivocation `imported` completes, if any, with a proof that checks.
fn equivocation<C>(
	client: &C,
	epoch_changes: &SharedEpochChanges<Block, Epoch>,
	config: &BabeConfiguration,
	index: &mut SlotIndex,
	imported: &BlockImportNotification<Block>,
) -> Option<EquivocationProof<Header>>
where
	C: HeaderBackend<Block> + sp_blockchain::HeaderMetadata<Block, Error = sp_blockchain::Error>,
{
	let (slot, author) = author_of(client, epoch_changes, config, &imported.header)
		.map_err(
			|e| log::debug!(target: LOG_TARGET, "block {:?}: author unknown: {e}", imported.hash),
		)
		.ok()?;
	let proof = index.note(slot, author, imported.header.clone())?;
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
		return None;
	}
	Some(proof)
}

/// One block's work on a report: take the unsealed reports of its offence out of the pool, and
/// submit it if the runtime has not taken it yet.
async fn follow<C, P>(
	client: &C,
	pool: &P,
	offchain_pool: &OffchainTransactionPoolFactory<Block>,
	report: &mut Pending,
) where
	C: HeaderBackend<Block> + ProvideRuntimeApi<Block>,
	C::Api: BabeApi<Block>,
	P: TransactionPool<Block = Block>,
{
	let best = client.info().best_hash;
	if !report.swept {
		let removed = remove_unsealed(pool, best, &report.proof).await;
		if removed > 0 {
			report.swept = true;
			log::info!(
				target: LOG_TARGET,
				"Took {removed} unsealed BABE equivocation report(s) for slot {} out of the pool",
				report.proof.slot,
			);
		}
	}
	if report.submitted_at.is_none() {
		match submit(client, offchain_pool, best, &report.proof) {
			Submitted::Yes => {
				report.submitted_at = Some(report.blocks);
				log::info!(
					target: LOG_TARGET,
					"Submitted a sealed BABE equivocation report for {:?} at slot {}",
					report.proof.offender,
					report.proof.slot,
				);
			},
			Submitted::Never(why) => {
				log::info!(target: LOG_TARGET, "Equivocation not reported: {why}");
				report.blocks = FOLLOW_BLOCKS;
				return;
			},
			Submitted::Retry(why) => log::debug!(target: LOG_TARGET, "report to retry: {why}"),
		}
	}
	report.blocks = report.blocks.saturating_add(1);
	if report.submitted_at.is_none() && report.blocks >= FOLLOW_BLOCKS {
		log::warn!(
			target: LOG_TARGET,
			"Gave up reporting {:?} at slot {}: the runtime refused the report",
			report.proof.offender,
			report.proof.slot,
		);
	}
}

/// Takes out of the pool the reports of `proof`'s offence whose own proof does not check (those
/// sc-consensus-babe built from unsealed headers). Returns how many it removed.
async fn remove_unsealed<P>(
	pool: &P,
	best: <Block as BlockT>::Hash,
	proof: &EquivocationProof<Header>,
) -> usize
where
	P: TransactionPool<Block = Block>,
{
	let ready: Vec<_> = pool.ready_at_with_timeout(best, POOL_VIEW_WAIT).await.collect();
	let futures = pool.futures();
	let mut unsealed = TxInvalidityReportMap::default();
	let candidates = ready
		.iter()
		.map(|tx| (tx.hash(), tx.data()))
		.chain(futures.iter().map(|tx| (tx.hash(), tx.data())));
	for (hash, xt) in candidates {
		if is_unsealed_report_of(xt, proof) {
			unsealed.insert(hash.clone(), None);
		}
	}
	log::debug!(
		target: LOG_TARGET,
		"pool at {best:?}: {} ready, {} future, {} unsealed report(s) of slot {}",
		ready.len(),
		futures.len(),
		unsealed.len(),
		proof.slot,
	);
	if unsealed.is_empty() {
		return 0;
	}
	pool.report_invalid(None, unsealed).await.len()
}

/// Whether `xt` reports the offence `proof` proves with a proof the runtime will refuse.
fn is_unsealed_report_of(
	xt: &<Block as BlockT>::Extrinsic,
	proof: &EquivocationProof<Header>,
) -> bool {
	let Ok(xt) = aos_runtime::UncheckedExtrinsic::decode(&mut &xt.encode()[..]) else {
		return false;
	};
	match xt.function {
		aos_runtime::RuntimeCall::Babe(pallet_babe::Call::report_equivocation_unsigned {
			equivocation_proof,
			..
		}) => {
			equivocation_proof.offender == proof.offender
				&& equivocation_proof.slot == proof.slot
				&& !sp_consensus_babe::check_equivocation_proof(*equivocation_proof)
		},
		_ => false,
	}
}

/// Submits `proof` at the best block through the runtime's BABE API.
fn submit<C>(
	client: &C,
	offchain_pool: &OffchainTransactionPoolFactory<Block>,
	best: <Block as BlockT>::Hash,
	proof: &EquivocationProof<Header>,
) -> Submitted
where
	C: ProvideRuntimeApi<Block>,
	C::Api: BabeApi<Block>,
{
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
	let mut api = client.runtime_api();
	api.register_extension(offchain_pool.offchain_transaction_pool(best));
	match api.submit_report_equivocation_unsigned_extrinsic(best, proof.clone(), key_owner_proof) {
		Ok(Some(())) => Submitted::Yes,
		Ok(None) => Submitted::Retry("the runtime refused the report".into()),
		Err(e) => Submitted::Retry(format!("runtime API: {e}")),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_consensus_babe::digests::{PreDigest, SecondaryPlainPreDigest};
	use sp_core::{Pair, H256};
	use sp_keyring::Sr25519Keyring::{self, Bob, Dave};
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

	/// `who` seals a header for `slot` (`salt` tells its headers apart) and `index` notes it.
	fn seals(
		index: &mut SlotIndex,
		who: Sr25519Keyring,
		slot: u64,
		salt: u8,
	) -> Option<EquivocationProof<Header>> {
		index.note(slot.into(), id(who), sealed(who, slot, salt))
	}

	/// A proof that Dave sealed two headers for slot 10.
	fn dave_equivocates() -> EquivocationProof<Header> {
		let mut index = SlotIndex::new();
		assert!(seals(&mut index, Dave, 10, 1).is_none());
		seals(&mut index, Dave, 10, 2).expect("a second header for the slot is an equivocation")
	}

	/// `call` as the pool holds it.
	fn in_pool(call: aos_runtime::RuntimeCall) -> <Block as BlockT>::Extrinsic {
		let xt = aos_runtime::UncheckedExtrinsic::new_bare(call);
		<Block as BlockT>::Extrinsic::try_from_encoded_extrinsic(&xt.encode()).expect("encoded")
	}

	/// The report pallet-babe puts in the pool for `proof`.
	fn report(proof: EquivocationProof<Header>) -> <Block as BlockT>::Extrinsic {
		in_pool(aos_runtime::RuntimeCall::Babe(pallet_babe::Call::report_equivocation_unsigned {
			equivocation_proof: Box::new(proof),
			// A membership proof (session, trie nodes, validator count): its content is not
			// looked at here.
			key_owner_proof: Decode::decode(&mut &(0u32, Vec::<Vec<u8>>::new(), 4u32).encode()[..])
				.expect("a membership proof's encoding"),
		}))
	}

	#[test]
	fn two_sealed_headers_for_a_slot_make_a_proof_the_runtime_accepts() {
		let proof = dave_equivocates();
		assert_eq!(proof.slot, Slot::from(10));
		assert_eq!(proof.offender, id(Dave));
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
		let header = sealed(Dave, 10, 1);
		assert!(index.note(10.into(), id(Dave), header.clone()).is_none());
		assert!(index.note(10.into(), id(Dave), header).is_none(), "the same block again");
		assert!(seals(&mut index, Dave, 10, 1).is_none(), "its content sealed again");
		// Two authors may both claim a slot (primary and secondary): no offence.
		assert!(seals(&mut index, Bob, 10, 2).is_none());
		assert!(seals(&mut index, Dave, 11, 3).is_none(), "another slot");
	}

	#[test]
	fn an_equivocation_is_reported_once() {
		let mut index = SlotIndex::new();
		assert!(seals(&mut index, Dave, 10, 1).is_none());
		assert!(seals(&mut index, Dave, 10, 2).is_some());
		assert!(seals(&mut index, Dave, 10, 3).is_none());
	}

	#[test]
	fn only_reports_that_cannot_pass_are_taken_out_of_the_pool() {
		let proof = dave_equivocates();
		assert!(!is_unsealed_report_of(&report(proof.clone()), &proof), "a sealed report stays");

		let mut unsealed = proof.clone();
		unsealed.first_header.digest_mut().pop();
		unsealed.second_header.digest_mut().pop();
		assert!(is_unsealed_report_of(&report(unsealed.clone()), &proof));

		// An unsealed report of another offence is not ours to judge.
		let mut other_slot = proof.clone();
		other_slot.slot = 11.into();
		assert!(!is_unsealed_report_of(&report(unsealed.clone()), &other_slot));
		let mut other_author = proof.clone();
		other_author.offender = id(Bob);
		assert!(!is_unsealed_report_of(&report(unsealed), &other_author));

		let remark = in_pool(aos_runtime::RuntimeCall::System(frame_system::Call::remark {
			remark: vec![1],
		}));
		assert!(!is_unsealed_report_of(&remark, &proof), "other calls stay");
	}

	#[test]
	fn a_report_is_followed_until_submitted_and_swept_or_for_a_while() {
		let pending = |blocks, submitted_at, swept| Pending {
			proof: dave_equivocates(),
			blocks,
			submitted_at,
			swept,
		};
		assert!(pending(1, None, true).open(), "not submitted yet");
		assert!(!pending(1, Some(0), true).open(), "submitted, the unsealed one gone");
		assert!(pending(5, Some(0), false).open(), "submitted, still sweeping");
		assert!(!pending(SWEEP_BLOCKS, Some(0), false).open(), "nothing found to sweep");
		assert!(!pending(FOLLOW_BLOCKS, None, false).open(), "given up");
	}

	#[test]
	fn old_slots_are_forgotten_and_ignored() {
		let mut index = SlotIndex::new();
		assert!(seals(&mut index, Dave, 10, 1).is_none());
		assert!(seals(&mut index, Dave, 2000, 2).is_none());
		assert_eq!(index.len(), 1, "slot 10 is more than {SLOTS_KEPT} slots old");
		// A header for a forgotten slot is not remembered, so cannot pair up later.
		assert!(seals(&mut index, Dave, 10, 3).is_none());
		assert_eq!(index.len(), 1);
	}
}
