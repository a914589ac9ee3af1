//! What an AOS checkpoint commits to, in the bytes Ethereum checks.
//!
//! Every checkpoint period the chain fixes a root over the period's settled task results and
//! applied slashes (the *leaves*), and the operator-set updates the AVS contract applies. The
//! operators sign the checkpoint's digest with their Ethereum keys; a relayer carries it to the
//! contract, which checks the signatures against the operator set it keeps and records the
//! root. Anyone then proves a leaf's inclusion on Ethereum.
//!
//! - **Leaves** ([`Leaf`]) are ABI-encoded (`abi.encode` of static types, 32-byte words), so
//!   that Solidity hashes the same bytes: a leaf's hash is `keccak256(abi.encode(...))`.
//! - **Trees** are polkadot-sdk's `binary-merkle-tree` with keccak-256 (as BEEFY's): leaves in
//!   order, pairs hashed as `keccak256(left ‖ right)`, an odd last node promoted unhashed.
//!   A checkpoint's tree has levels: each block's leaves make a *block root*; the checkpoint
//!   root is the tree over its period's block roots, preceded by the root of the checkpoint
//!   before it if that one failed to reach quorum (its contents roll into this one). A leaf's
//!   proof is a [`Path`]: one [`Step`] per level, folded from the leaf's hash up.
//! - **The digest** ([`CheckpointMessage::digest`]) binds the chain (its genesis hash), the
//!   checkpoint's number and its predecessor's, the root and the hash of the operator-set
//!   updates ([`updates_hash`]). Operators sign it EIP-191 (`personal_sign` of the 32 bytes):
//!   [`CheckpointMessage::signing_hash`], what `ecrecover` takes on Ethereum.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::traits::{Hash as _, Keccak256};

pub use aos_operators_primitives::EthAddress;

/// A checkpoint's number: consecutive from 0 (the bootstrap checkpoint, which only carries
/// the first operator set).
pub type CheckpointId = u64;

/// The kind word of a task-result leaf.
pub const LEAF_RESULT: u8 = 1;
/// The kind word of a slash leaf.
pub const LEAF_SLASH: u8 = 2;

/// The domain string whose keccak-256 opens every digest: a signature over a checkpoint is
/// never a valid signature over anything else this protocol signs.
pub const DOMAIN: &[u8] = b"AOS checkpoint v1";

/// An ABI word holding an unsigned integer (big-endian, left-padded).
pub fn word_uint(value: u128) -> [u8; 32] {
	let mut w = [0u8; 32];
	w[16..].copy_from_slice(&value.to_be_bytes());
	w
}

/// An ABI word holding an address (left-padded).
pub fn word_address(address: &EthAddress) -> [u8; 32] {
	let mut w = [0u8; 32];
	w[12..].copy_from_slice(address.as_bytes());
	w
}

fn keccak(data: &[u8]) -> H256 {
	Keccak256::hash(data)
}

/// One thing a checkpoint records.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Debug,
)]
pub enum Leaf {
	/// A settled task: `abi.encode(uint8 1, uint64 task, bytes32 model, bytes32 output,
	/// bytes32 result, uint32 agreeing, uint32 assigned)`. `result` is the result key
	/// (BLAKE2b-256 of the output digest and the top classes); `agreeing` of `assigned`
	/// operators gave it.
	Result { task: u64, model: H256, output: H256, result: H256, agreeing: u32, assigned: u32 },
	/// An applied slash: `abi.encode(uint8 2, uint64 slash, bytes32 operator, address eth,
	/// uint8 offence, uint128 amount, bool referenced, uint64 reference)`. `operator` is the
	/// offender's account on AOS, `eth` its bound Ethereum address (zero if none), `offence`
	/// the index of its offence kind, `amount` what was taken (in the chain's smallest unit),
	/// `reference` what the offence was about (a task, a dispute) if anything.
	Slash {
		slash: u64,
		operator: H256,
		eth: EthAddress,
		offence: u8,
		amount: u128,
		reference: Option<u64>,
	},
}

impl Leaf {
	/// `abi.encode` of the leaf's fields, as Solidity encodes them.
	pub fn abi_encode(&self) -> Vec<u8> {
		let words: Vec<[u8; 32]> = match self {
			Leaf::Result { task, model, output, result, agreeing, assigned } => alloc::vec![
				word_uint(LEAF_RESULT.into()),
				word_uint((*task).into()),
				model.0,
				output.0,
				result.0,
				word_uint((*agreeing).into()),
				word_uint((*assigned).into()),
			],
			Leaf::Slash { slash, operator, eth, offence, amount, reference } => alloc::vec![
				word_uint(LEAF_SLASH.into()),
				word_uint((*slash).into()),
				operator.0,
				word_address(eth),
				word_uint((*offence).into()),
				word_uint(*amount),
				word_uint(reference.is_some().into()),
				word_uint(reference.unwrap_or_default().into()),
			],
		};
		words.concat()
	}

	/// The leaf's hash in the tree: `keccak256(abi.encode(...))`.
	pub fn hash(&self) -> H256 {
		keccak(&self.abi_encode())
	}
}

/// A change to the operator set the AVS contract keeps: `operator` now weighs `weight` (0
/// removes it). A checkpoint's updates are applied, in order, once its signatures are
/// checked against the set before them.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct SetUpdate {
	/// The operator's Ethereum address.
	pub operator: EthAddress,
	/// Its weight: its stake on AOS in the chain's weight units.
	pub weight: u64,
}

/// `keccak256(abi.encode(updates))` for Solidity's `struct Update { address operator; uint64
/// weight; }` array: the offset word, the length, then each update's two words.
pub fn updates_hash(updates: &[SetUpdate]) -> H256 {
	let mut data = Vec::with_capacity(64usize.saturating_add(updates.len().saturating_mul(64)));
	data.extend_from_slice(&word_uint(32));
	data.extend_from_slice(&word_uint(updates.len() as u128));
	for u in updates {
		data.extend_from_slice(&word_address(&u.operator));
		data.extend_from_slice(&word_uint(u.weight.into()));
	}
	keccak(&data)
}

/// What the operators sign for a checkpoint.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
	Debug,
)]
pub struct CheckpointMessage {
	/// The chain's genesis hash.
	pub chain: H256,
	/// The checkpoint's number.
	pub id: CheckpointId,
	/// The number of the last checkpoint that reached quorum before it (the contract's last).
	pub previous: CheckpointId,
	/// The root over its leaves.
	pub root: H256,
	/// [`updates_hash`] of its operator-set updates.
	pub updates: H256,
}

impl CheckpointMessage {
	/// `keccak256(abi.encode(keccak256(DOMAIN), chain, uint64 id, uint64 previous, root,
	/// updates))`.
	pub fn digest(&self) -> H256 {
		let words = [
			keccak(DOMAIN).0,
			self.chain.0,
			word_uint(self.id.into()),
			word_uint(self.previous.into()),
			self.root.0,
			self.updates.0,
		];
		keccak(&words.concat())
	}

	/// The hash an EIP-191 signature of the digest signs:
	/// `keccak256("\x19Ethereum Signed Message:\n32" ‖ digest)`.
	pub fn signing_hash(&self) -> [u8; 32] {
		aos_operators_primitives::eip191_hash(self.digest().as_bytes())
	}
}

/// The Ethereum address that signed `hash` with `signature` (`r ‖ s ‖ v`, `v` 0, 1, 27 or 28),
/// if it recovers. Signatures with a high `s` are refused, as Ethereum's precompile users do
/// (EIP-2): otherwise each signature would have a second valid form.
pub fn recover_signer(hash: &[u8; 32], signature: &[u8; 65]) -> Option<EthAddress> {
	// The secp256k1 group order divided by two (EIP-2).
	const HALF_ORDER: [u8; 32] = [
		0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b,
		0x20, 0xa0,
	];
	let s: [u8; 32] = signature.get(32..64)?.try_into().ok()?;
	if s > HALF_ORDER {
		return None;
	}
	let sig = aos_operators_primitives::normalized_recovery_id(signature);
	if sig[64] > 1 {
		return None;
	}
	let public = sp_io::crypto::secp256k1_ecdsa_recover(&sig, hash).ok()?;
	Some(aos_operators_primitives::eth_address_of(&public))
}

/// The root of a binary Merkle tree over `hashes` (keccak-256; zero when there are none).
pub fn merkle_root(hashes: impl IntoIterator<Item = H256>) -> H256 {
	binary_merkle_tree::merkle_root_raw::<Keccak256, _>(hashes)
}

/// One level of a leaf's proof: the sibling hashes from `binary-merkle-tree`, the number of
/// nodes at that level (`width`) and the node's index there.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct Step {
	/// Sibling hashes, bottom up.
	pub proof: Vec<H256>,
	/// How many nodes the level's tree has.
	pub width: u32,
	/// The node's index among them.
	pub index: u32,
}

/// A leaf's proof: its steps, from the leaf's block up to the checkpoint root.
pub type Path = Vec<Step>;

/// The proof of `hashes[index]` in the tree over `hashes`, if `index` is in range.
pub fn step(hashes: &[H256], index: u32) -> Option<Step> {
	if index as usize >= hashes.len() {
		return None;
	}
	let p = binary_merkle_tree::merkle_proof_raw::<Keccak256, _>(hashes.iter().copied(), index);
	Some(Step { proof: p.proof, width: p.number_of_leaves, index })
}

/// The root `node` reaches through `step`, by `binary-merkle-tree`'s verification rule (the
/// one the AVS contract's Solidity repeats): `None` if the index is outside the width.
pub fn fold_step(node: H256, step: &Step) -> Option<H256> {
	if step.index >= step.width {
		return None;
	}
	let mut position = step.index;
	let mut width = step.width;
	let mut hash = node;
	for sibling in &step.proof {
		let (left, right) = if position % 2 == 1 || position.saturating_add(1) == width {
			(sibling, &hash)
		} else {
			(&hash, sibling)
		};
		hash = keccak(&[left.0, right.0].concat());
		position /= 2;
		width = width.saturating_sub(1) / 2 + 1;
	}
	Some(hash)
}

/// The root a leaf hash reaches through every step of `path`.
pub fn fold_path(leaf: H256, path: &[Step]) -> Option<H256> {
	path.iter().try_fold(leaf, fold_step)
}

/// Where a checkpoint stands: as the chain stores it, and as readers get it.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum CheckpointStatus<BlockNumber> {
	/// Operators sign it until `until` (inclusive).
	Signing { until: BlockNumber },
	/// Quorum signed it at `at` (the bootstrap checkpoint: at its close, with no signature);
	/// its operator-set updates are applied.
	Final { at: BlockNumber },
	/// It fell short of quorum at `at`; the next checkpoint carries its root and its updates.
	Failed { at: BlockNumber },
}

/// A closed checkpoint as the relayer and provers read it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct CheckpointView<BlockNumber> {
	/// What the operators sign.
	pub message: CheckpointMessage,
	/// [`CheckpointMessage::digest`] of it.
	pub digest: H256,
	/// Its operator-set updates, in order (the contract's calldata).
	pub updates: Vec<SetUpdate>,
	/// The block it closed at.
	pub closed_at: BlockNumber,
	/// The subtrees its root is over.
	pub batches: u32,
	/// The signed weight it needs and has.
	pub threshold: u128,
	/// The weight signed so far.
	pub signed: u128,
	/// Where it stands.
	pub status: CheckpointStatus<BlockNumber>,
}

sp_api::decl_runtime_apis! {
	/// Reads the bridge's checkpoints (pallet-checkpoints).
	pub trait CheckpointsApi<BlockNumber: codec::Codec> {
		/// Checkpoint `id`, if closed and not pruned.
		fn checkpoint(id: CheckpointId) -> Option<CheckpointView<BlockNumber>>;
		/// The signatures checkpoint `id` counted, by signer.
		fn signatures(id: CheckpointId) -> Vec<(EthAddress, [u8; 65])>;
		/// The last checkpoint closed, and the last that is final.
		fn latest() -> (Option<CheckpointId>, Option<CheckpointId>);
		/// The operator set as the last final checkpoint left it: address and weight.
		fn members() -> Vec<(EthAddress, u64)>;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn h(i: u32) -> H256 {
		keccak(&i.to_be_bytes())
	}

	#[test]
	fn every_leaf_of_every_small_tree_folds_to_its_root() {
		for n in 1..=40u32 {
			let hashes: Vec<H256> = (0..n).map(h).collect();
			let root = merkle_root(hashes.iter().copied());
			for i in 0..n {
				let s = step(&hashes, i).unwrap();
				assert_eq!(fold_step(hashes[i as usize], &s), Some(root), "n {n} i {i}");
				assert!(binary_merkle_tree::verify_proof::<Keccak256, _, _>(
					&root,
					s.proof.clone(),
					n,
					i,
					binary_merkle_tree::Leaf::Hash(hashes[i as usize]),
				));
				// Another leaf, or another index, does not reach it.
				let other = H256::repeat_byte(7);
				assert_ne!(fold_step(other, &s), Some(root));
			}
			assert!(step(&hashes, n).is_none());
		}
	}

	#[test]
	fn a_two_level_path_reaches_the_checkpoint_root() {
		let blocks: Vec<Vec<H256>> =
			(0..5u32).map(|b| (0..(b + 1) * 3).map(|i| h(b * 100 + i)).collect()).collect();
		let block_roots: Vec<H256> =
			blocks.iter().map(|l| merkle_root(l.iter().copied())).collect();
		let root = merkle_root(block_roots.iter().copied());
		let path = alloc::vec![step(&blocks[3], 7).unwrap(), step(&block_roots, 3).unwrap()];
		assert_eq!(fold_path(blocks[3][7], &path), Some(root));
		assert_ne!(fold_path(blocks[3][6], &path), Some(root));
	}

	#[test]
	fn leaves_are_abi_words() {
		let leaf = Leaf::Result {
			task: 0x0102,
			model: H256::repeat_byte(3),
			output: H256::repeat_byte(0xaa),
			result: H256::repeat_byte(0xbb),
			agreeing: 2,
			assigned: 3,
		};
		let abi = leaf.abi_encode();
		assert_eq!(abi.len(), 7 * 32);
		assert_eq!(abi[31], 1);
		assert_eq!(&abi[62..64], &[1, 2]);
		assert_eq!(&abi[64..96], &[3; 32]);
		assert_eq!(&abi[96..128], &[0xaa; 32]);
		let slash = Leaf::Slash {
			slash: 9,
			operator: H256::repeat_byte(1),
			eth: EthAddress::repeat_byte(0xee),
			offence: 5,
			amount: 1_000,
			reference: None,
		};
		let abi = slash.abi_encode();
		assert_eq!(abi.len(), 8 * 32);
		assert_eq!(&abi[96..108], &[0u8; 12]);
		assert_eq!(&abi[108..128], &[0xee; 20]);
		assert_eq!(&abi[192..256], &[0u8; 64]);
	}

	#[test]
	fn the_digest_binds_every_field() {
		let m = CheckpointMessage {
			chain: H256::repeat_byte(1),
			id: 4,
			previous: 3,
			root: H256::repeat_byte(2),
			updates: updates_hash(&[]),
		};
		let d = m.digest();
		assert_ne!(CheckpointMessage { id: 5, ..m }.digest(), d);
		assert_ne!(CheckpointMessage { previous: 2, ..m }.digest(), d);
		assert_ne!(CheckpointMessage { root: H256::zero(), ..m }.digest(), d);
		assert_ne!(CheckpointMessage { chain: H256::zero(), ..m }.digest(), d);
		let u = SetUpdate { operator: EthAddress::repeat_byte(3), weight: 1 };
		assert_ne!(CheckpointMessage { updates: updates_hash(&[u]), ..m }.digest(), d);
	}
}

/// A fixed vector the AVS contract's tests check too (`contracts/test/AOSServiceManager.t.sol`):
/// Rust and Solidity must agree on every byte.
#[cfg(test)]
mod shared_vector {
	use super::*;

	pub fn leaves() -> Vec<Leaf> {
		let result = |task: u64| Leaf::Result {
			task,
			model: H256::repeat_byte(0x22),
			output: H256::repeat_byte(0x33),
			result: H256::repeat_byte(0x44),
			agreeing: 2,
			assigned: 3,
		};
		alloc::vec![
			result(40),
			result(41),
			result(42),
			Leaf::Slash {
				slash: 9,
				operator: H256::repeat_byte(0x55),
				eth: EthAddress::from_low_u64_be(0x0c),
				offence: 5,
				amount: 1_000,
				reference: Some(42),
			},
			result(43),
		]
	}

	pub fn updates() -> Vec<SetUpdate> {
		alloc::vec![
			SetUpdate { operator: EthAddress::from_low_u64_be(0x0a), weight: 7 },
			SetUpdate { operator: EthAddress::from_low_u64_be(0x0b), weight: 0 },
		]
	}

	fn hex(h: &[u8]) -> alloc::string::String {
		h.iter().map(|b| alloc::format!("{b:02x}")).collect()
	}

	#[test]
	fn the_vector_the_contract_checks() {
		let hashes: Vec<H256> = leaves().iter().map(Leaf::hash).collect();
		let (a, b) = hashes.split_at(3);
		let roots = [merkle_root(a.iter().copied()), merkle_root(b.iter().copied())];
		let root = merkle_root(roots.iter().copied());
		let message = CheckpointMessage {
			chain: H256::repeat_byte(0x11),
			id: 5,
			previous: 3,
			root,
			updates: updates_hash(&updates()),
		};
		let path = [step(b, 0).unwrap(), step(&roots, 1).unwrap()];
		assert_eq!(fold_path(hashes[3], &path), Some(root));
		let show = |name: &str, h: &[u8]| std::println!("{name} = 0x{}", hex(h));
		show("result leaf 42", hashes[2].as_bytes());
		show("slash leaf", hashes[3].as_bytes());
		show("updates", message.updates.as_bytes());
		show("root", root.as_bytes());
		show("digest", message.digest().as_bytes());
		for (i, s) in path.iter().enumerate() {
			for p in &s.proof {
				show(
					&alloc::format!("step {i} (width {}, index {})", s.width, s.index),
					p.as_bytes(),
				);
			}
		}
		assert_eq!(
			hex(hashes[2].as_bytes()),
			"15ea10bc6ba6732e7553380da14cba73f7555560ae8c0a288cf4e571b99dce2d"
		);
		assert_eq!(
			hex(hashes[3].as_bytes()),
			"8a4a7fd079dcfd7e2c3970bde272f33931a048dde8fd4bc1d3e44bd83c70d492"
		);
		assert_eq!(
			hex(message.updates.as_bytes()),
			"a423934db20d13f622a1779e8243f67b6d8f46dc3fce1cffecbfc45c71d423bf"
		);
		assert_eq!(
			path.iter().map(|s| s.proof.clone()).collect::<Vec<_>>(),
			[
				alloc::vec![H256(hex_literal(
					"d52d7adb280f212552bb190d98cfbf6b01213ef0f566e75ef22bb48f468731b0"
				))],
				alloc::vec![H256(hex_literal(
					"0056d8237aec8d9e0139eab8a96f1974c3a5f822fa75a5ea7ab79b68cc91c945"
				))],
			]
		);
		assert_eq!(hex(root.as_bytes()), VECTOR_ROOT);
		assert_eq!(hex(message.digest().as_bytes()), VECTOR_DIGEST);
	}

	fn hex_literal(s: &str) -> [u8; 32] {
		let mut out = [0u8; 32];
		for (i, o) in out.iter_mut().enumerate() {
			*o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
		}
		out
	}

	const VECTOR_ROOT: &str = "903bdabe8eecd118fe18cb9fb26c612e17d6219483b9064bc0d6bbdd223f5d1d";
	const VECTOR_DIGEST: &str = "2239227ef4e961f34e957f5679e232646a9bba57785e7d40891a7229f9a425ec";
}
