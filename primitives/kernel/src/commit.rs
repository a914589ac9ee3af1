//! Merkle commitments to a model, one tree per layer (kernel spec §4).
//!
//! A leaf is one neuron: its layer and index, its weights, its bias and its layer's output rule,
//! so opening one leaf is enough to recompute that neuron in a dispute. Inner nodes hash their
//! two children; an odd node at the end of a level moves up unchanged. Leaves and nodes carry
//! different prefixes so neither can pass for the other.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::{
	hash_parts,
	model::{Layer, LayerOutput, Model},
	Hash,
};

const LEAF: &[u8] = b"aos/kernel/v1/leaf";
const NODE: &[u8] = b"aos/kernel/v1/node";
const MODEL: &[u8] = b"aos/kernel/v1/model";

/// The leaf of neuron `neuron` of layer `layer`.
pub fn leaf_hash(layer: u32, neuron: u32, weights: &[i8], bias: i32, output: &LayerOutput) -> Hash {
	let weights: Vec<u8> = weights.iter().map(|w| *w as u8).collect();
	hash_parts(&[
		LEAF,
		&layer.to_le_bytes(),
		&neuron.to_le_bytes(),
		&(weights.len() as u32).to_le_bytes(),
		&weights,
		&bias.to_le_bytes(),
		&output.encode(),
	])
}

/// An inner node over its two children.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
	hash_parts(&[NODE, left, right])
}

/// The leaves of layer `index` of a layer.
pub fn layer_leaves(index: u32, layer: &Layer) -> Vec<Hash> {
	let width = (layer.inputs as usize).max(1);
	layer
		.weights
		.chunks_exact(width)
		.zip(layer.biases.iter())
		.enumerate()
		.map(|(j, (row, bias))| leaf_hash(index, j as u32, row, *bias, &layer.output))
		.collect()
}

fn next_level(level: &[Hash]) -> Vec<Hash> {
	level
		.chunks(2)
		.map(|pair| match pair {
			[left, right] => node_hash(left, right),
			[single] => *single,
			_ => [0; 32],
		})
		.collect()
}

/// The root over `leaves` (the zero hash for none).
pub fn root(leaves: &[Hash]) -> Hash {
	let mut level = leaves.to_vec();
	while level.len() > 1 {
		level = next_level(&level);
	}
	level.first().copied().unwrap_or([0; 32])
}

/// Every level of the tree over `leaves`, the leaves first and the root last: what a player of
/// a dispute keeps to answer for any node ([`crate::trace::TreeNode`]).
pub fn levels(leaves: &[Hash]) -> Vec<Vec<Hash>> {
	let mut levels = alloc::vec![leaves.to_vec()];
	while let Some(level) = levels.last().filter(|l| l.len() > 1) {
		let next = next_level(level);
		levels.push(next);
	}
	levels
}

/// The root of every layer, in order.
pub fn layer_roots(model: &Model) -> Vec<Hash> {
	model.layers.iter().enumerate().map(|(i, layer)| root(&layer_leaves(i as u32, layer))).collect()
}

/// The model commitment: kernel version, input width, each layer's shape and root.
pub fn model_commitment(model: &Model, roots: &[Hash]) -> Hash {
	let shapes: Vec<(u32, u32, Hash)> =
		model.layers.iter().zip(roots).map(|(l, root)| (l.inputs, l.outputs, *root)).collect();
	commitment_from_layers(model.kernel_version, model.inputs, &shapes)
}

/// The model commitment from the kernel version, the input width and each layer's
/// `(inputs, outputs, root)`: what the chain computes from a registration.
pub fn commitment_from_layers(
	kernel_version: u16,
	inputs: u32,
	layers: &[(u32, u32, Hash)],
) -> Hash {
	let mut data = Vec::with_capacity(MODEL.len() + 6 + layers.len() * 40);
	data.extend_from_slice(MODEL);
	data.extend_from_slice(&kernel_version.to_le_bytes());
	data.extend_from_slice(&inputs.to_le_bytes());
	for (layer_inputs, outputs, root) in layers {
		data.extend_from_slice(&layer_inputs.to_le_bytes());
		data.extend_from_slice(&outputs.to_le_bytes());
		data.extend_from_slice(root);
	}
	sp_crypto_hashing::blake2_256(&data)
}

/// A proof that a leaf is at `index` among `count` leaves. The root does not commit to `count`
/// on its own (the path of a leaf far from the end is the same for several counts): verifiers
/// take it from the layer's shape, which the model commitment binds.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct MerkleProof {
	pub index: u32,
	pub count: u32,
	/// Sibling hashes from the leaf's level up.
	pub siblings: Vec<Hash>,
}

/// The proof for leaf `index`, if it exists.
pub fn prove(leaves: &[Hash], index: u32) -> Option<MerkleProof> {
	if index as usize >= leaves.len() {
		return None;
	}
	let mut siblings = Vec::new();
	let mut level = leaves.to_vec();
	let mut i = index as usize;
	while level.len() > 1 {
		let sibling = if i % 2 == 1 { level.get(i - 1) } else { level.get(i + 1) };
		if let Some(s) = sibling {
			siblings.push(*s);
		}
		level = next_level(&level);
		i /= 2;
	}
	Some(MerkleProof { index, count: leaves.len() as u32, siblings })
}

/// Whether `proof` shows `leaf` under `root`. Every sibling must be used.
pub fn verify(root: &Hash, leaf: &Hash, proof: &MerkleProof) -> bool {
	root_of(leaf, proof).is_some_and(|r| r == *root)
}

/// The root `proof` makes of `leaf`, if the proof has the shape its index and count need.
pub fn root_of(leaf: &Hash, proof: &MerkleProof) -> Option<Hash> {
	if proof.index >= proof.count {
		return None;
	}
	let mut siblings = proof.siblings.iter();
	let (mut i, mut count, mut node) = (proof.index, proof.count, *leaf);
	while count > 1 {
		if i % 2 == 1 {
			node = node_hash(siblings.next()?, &node);
		} else if i + 1 < count {
			node = node_hash(&node, siblings.next()?);
		}
		i /= 2;
		count = count.div_ceil(2);
	}
	siblings.next().is_none().then_some(node)
}
