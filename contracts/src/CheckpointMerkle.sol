// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// Verification of AOS checkpoint proofs: polkadot-sdk's `binary-merkle-tree` with keccak-256
/// (leaves in order, pairs hashed as `keccak256(left ‖ right)`, an odd last node promoted),
/// folded level by level: a leaf's batch, then the checkpoint's subtrees (and, for a leaf of a
/// checkpoint that failed to reach quorum, its root within the next). Mirrors
/// `aos_checkpoint_primitives::fold_step`.
library CheckpointMerkle {
    /// One level of a proof: sibling hashes bottom up, the level's node count and the node's
    /// index.
    struct Step {
        bytes32[] proof;
        uint256 width;
        uint256 index;
    }

    error IndexOutOfRange();

    /// The root `node` reaches through `step`.
    function foldStep(bytes32 node, Step calldata step) internal pure returns (bytes32) {
        if (step.index >= step.width) revert IndexOutOfRange();
        uint256 position = step.index;
        uint256 width = step.width;
        bytes32 hash = node;
        for (uint256 i = 0; i < step.proof.length; i++) {
            bytes32 sibling = step.proof[i];
            if (position % 2 == 1 || position + 1 == width) {
                hash = keccak256(abi.encodePacked(sibling, hash));
            } else {
                hash = keccak256(abi.encodePacked(hash, sibling));
            }
            position /= 2;
            width = (width - 1) / 2 + 1;
        }
        return hash;
    }

    /// The root a leaf hash reaches through every step of `path`.
    function foldPath(bytes32 leaf, Step[] calldata path) internal pure returns (bytes32 hash) {
        hash = leaf;
        for (uint256 i = 0; i < path.length; i++) {
            hash = foldStep(hash, path[i]);
        }
    }
}
