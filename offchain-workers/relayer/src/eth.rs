//! The AVS contract as the relayer calls it, and the chain's checkpoints in its types.

use alloy::primitives::{Address, FixedBytes};
use aos_checkpoint_primitives::{CheckpointView, SetUpdate};

alloy::sol! {
	/// `contracts/src/AOSServiceManager.sol`, the functions the relayer uses.
	#[sol(rpc, all_derives)]
	contract AOSServiceManager {
		struct Update {
			address operator;
			uint64 weight;
		}

		struct Signature {
			bytes32 r;
			bytes32 s;
			uint8 v;
		}

		constructor(
			bytes32 chain_,
			address allocationManager_,
			uint32 operatorSetId_,
			uint32 quorum_,
			bytes32 bootstrapRoot,
			Update[] initialSet
		);

		function submitCheckpoint(
			uint64 id,
			uint64 previous,
			bytes32 root,
			Update[] calldata updates,
			Signature[] calldata signatures
		) external;

		struct Step {
			bytes32[] proof;
			uint256 width;
			uint256 index;
		}

		struct ResultLeaf {
			uint64 task;
			bytes32 model;
			bytes32 output;
			bytes32 result;
			uint32 agreeing;
			uint32 assigned;
		}

		function verifyResult(uint64 id, ResultLeaf calldata r, Step[] calldata path)
			external
			view
			returns (bool);

		function digest(uint64 id, uint64 previous, bytes32 root, Update[] calldata updates)
			external
			view
			returns (bytes32);

		function lastId() external view returns (uint64);
		function rootOf(uint64 id) external view returns (bytes32);
		function chain() external view returns (bytes32);
		function totalWeight() external view returns (uint256);

		event CheckpointRecorded(uint64 indexed id, bytes32 root, uint256 signedWeight, uint256 updates);

		error OutOfOrder(uint64 lastId, uint64 id, uint64 previous);
		error BadSignature(uint256 index);
		error SignersNotAscending(uint256 index);
		error NotAMember(address signer);
		error QuorumNotReached(uint256 signed, uint256 total);
	}
}

/// A checkpoint's updates in the contract's types.
pub fn updates(updates: &[SetUpdate]) -> Vec<AOSServiceManager::Update> {
	updates
		.iter()
		.map(|u| AOSServiceManager::Update {
			operator: Address::from(u.operator.0),
			weight: u.weight,
		})
		.collect()
}

/// The chain's signatures (`r ‖ s ‖ v`, `v` 0, 1, 27 or 28) in the contract's order: ascending
/// by signer, `v` 27 or 28.
pub fn signatures(mut signed: Vec<(sp_core::H160, [u8; 65])>) -> Vec<AOSServiceManager::Signature> {
	signed.sort_by_key(|(signer, _)| *signer);
	signed
		.into_iter()
		.map(|(_, sig)| {
			let mut r = [0u8; 32];
			let mut s = [0u8; 32];
			r.copy_from_slice(&sig[..32]);
			s.copy_from_slice(&sig[32..64]);
			let v = if sig[64] < 27 { sig[64] + 27 } else { sig[64] };
			AOSServiceManager::Signature { r: FixedBytes(r), s: FixedBytes(s), v }
		})
		.collect()
}

/// The `submitCheckpoint` arguments for checkpoint `id`.
pub struct Submission {
	pub id: u64,
	pub previous: u64,
	pub root: FixedBytes<32>,
	pub updates: Vec<AOSServiceManager::Update>,
	pub signatures: Vec<AOSServiceManager::Signature>,
}

impl Submission {
	pub fn new(
		id: u64,
		view: &CheckpointView<u32>,
		signed: Vec<(sp_core::H160, [u8; 65])>,
	) -> Submission {
		Submission {
			id,
			previous: view.message.previous,
			root: FixedBytes(view.message.root.0),
			updates: updates(&view.updates),
			signatures: signatures(signed),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn signatures_go_in_ascending_signer_order_with_v_27_or_28() {
		let a = sp_core::H160::repeat_byte(1);
		let b = sp_core::H160::repeat_byte(2);
		let mut sig_a = [1u8; 65];
		sig_a[64] = 0;
		let mut sig_b = [2u8; 65];
		sig_b[64] = 28;
		let out = signatures(vec![(b, sig_b), (a, sig_a)]);
		assert_eq!(out.len(), 2);
		assert_eq!((out[0].r, out[0].v), (FixedBytes([1u8; 32]), 27));
		assert_eq!((out[1].s, out[1].v), (FixedBytes([2u8; 32]), 28));
	}
}
