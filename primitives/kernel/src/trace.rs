//! Commitments to a run's activations (kernel spec §4.1): what an optimistic result commits to,
//! and what its disputes walk down.
//!
//! Layer `l`'s outputs (int8 activations widened to i32, or the logits of the last layer) are
//! committed by a tree with one leaf per neuron, [`activation_leaf`], built as the weight trees
//! are (§4). The **trace commitment** is the tree over those layer roots, in layer order. A
//! dispute names the first layer whose root is wrong, then walks down that layer's tree to one
//! neuron; [`TreeNode`] is a position in such a tree, and [`TraceTree`] what a player keeps to
//! answer for any node, shared by the chain's tests and the players so that all take the same
//! steps.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{
	commit::{levels, root},
	exec::Trace,
	hash_parts, Hash,
};

const ACTIVATION: &[u8] = b"aos/kernel/v1/act";

/// The leaf of neuron `neuron`'s output `value` in layer `layer`.
pub fn activation_leaf(layer: u32, neuron: u32, value: i32) -> Hash {
	hash_parts(&[ACTIVATION, &layer.to_le_bytes(), &neuron.to_le_bytes(), &value.to_le_bytes()])
}

/// The leaves of layer `layer`'s outputs.
pub fn activation_leaves(layer: u32, values: impl IntoIterator<Item = i32>) -> Vec<Hash> {
	values.into_iter().enumerate().map(|(j, v)| activation_leaf(layer, j as u32, v)).collect()
}

/// The root of layer `layer`'s outputs.
pub fn activation_root(layer: u32, values: impl IntoIterator<Item = i32>) -> Hash {
	root(&activation_leaves(layer, values))
}

/// Every layer's outputs as i32, in layer order: the hidden activations, then the logits.
pub fn layer_outputs(trace: &Trace) -> Vec<Vec<i32>> {
	let mut layers: Vec<Vec<i32>> =
		trace.activations.iter().map(|a| a.iter().map(|v| i32::from(*v)).collect()).collect();
	layers.push(trace.logits.clone());
	layers
}

/// The trees of a run: each layer's activation tree and the trace tree over their roots, every
/// level kept, so that a player can open any node a dispute reaches.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TraceTree {
	/// Per layer, its outputs.
	pub values: Vec<Vec<i32>>,
	/// Per layer, the levels of its activation tree (leaves first).
	pub layers: Vec<Vec<Vec<Hash>>>,
	/// The levels of the tree over the layer roots (leaves first).
	pub trace: Vec<Vec<Hash>>,
}

impl TraceTree {
	/// Builds the trees of `trace`.
	pub fn new(trace: &Trace) -> Self {
		Self::from_outputs(layer_outputs(trace))
	}

	/// Builds the trees of every layer's outputs (`values`, in layer order).
	pub fn from_outputs(values: Vec<Vec<i32>>) -> Self {
		let layers: Vec<Vec<Vec<Hash>>> = values
			.iter()
			.enumerate()
			.map(|(l, values)| levels(&activation_leaves(l as u32, values.iter().copied())))
			.collect();
		let roots: Vec<Hash> = layers
			.iter()
			.map(|l| l.last().and_then(|r| r.first()).copied().unwrap_or([0; 32]))
			.collect();
		TraceTree { trace: levels(&roots), layers, values }
	}

	/// Every layer's activation root, in order.
	pub fn roots(&self) -> Vec<Hash> {
		self.trace.first().cloned().unwrap_or_default()
	}

	/// The first layer whose root in `theirs` differs from ours: what a challenger disputes.
	pub fn first_disagreement(&self, theirs: &[Hash]) -> Option<u32> {
		let ours = self.roots();
		if ours.len() != theirs.len() {
			return Some(0);
		}
		ours.iter().zip(theirs).position(|(a, b)| a != b).map(|l| l as u32)
	}

	/// What a defender opens at `node` of layer `layer`'s tree: its children, or its value at
	/// a leaf.
	pub fn opening(&self, layer: u32, node: TreeNode) -> Option<Opening> {
		if node.is_leaf() {
			let value = self.values.get(layer as usize)?.get(node.index as usize)?;
			return Some(Opening::Value(*value));
		}
		let left = self.hash(Some(layer), node.child(false)?)?;
		let right = self.hash(Some(layer), node.child(true)?)?;
		Some(Opening::Children(left, right))
	}

	/// Which child a challenger disputes when the defender opened `left` at `node` of layer
	/// `layer`'s tree: the left one if it differs from ours (the first wrong neuron is under
	/// it), else the right one.
	pub fn choose_right(&self, layer: u32, node: TreeNode, left: &Hash) -> bool {
		node.child(false).and_then(|l| self.hash(Some(layer), l)).is_some_and(|ours| ours == *left)
	}

	/// The trace commitment.
	pub fn commitment(&self) -> Hash {
		self.trace.last().and_then(|r| r.first()).copied().unwrap_or([0; 32])
	}

	/// The hash at `node` of the trace tree (`layer` `None`) or of layer `layer`'s tree.
	pub fn hash(&self, layer: Option<u32>, node: TreeNode) -> Option<Hash> {
		let levels = match layer {
			None => &self.trace,
			Some(l) => self.layers.get(l as usize)?,
		};
		levels.get(usize::from(node.level))?.get(node.index as usize).copied()
	}
}

/// What a defender opens of a node.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Opening {
	/// An inner node's children.
	Children(Hash, Hash),
	/// A leaf's value.
	Value(i32),
}

/// Recomputes every layer after `layer` from `outputs[layer]`, as the kernel would from a value
/// changed there: what a faulty or lying run that goes wrong at one layer reports.
pub fn recompute_from(model: &crate::Model, outputs: &mut [Vec<i32>], layer: usize) {
	for l in layer.saturating_add(1)..model.layers.len() {
		let (Some(spec), Some(previous)) = (model.layers.get(l), l.checked_sub(1)) else { break };
		let x: Vec<i8> = outputs
			.get(previous)
			.map(|v| v.iter().map(|v| (*v).clamp(-128, 127) as i8).collect())
			.unwrap_or_default();
		let values: Vec<i32> = (0..spec.outputs)
			.map(|j| {
				let bias = spec.biases.get(j as usize).copied().unwrap_or(0);
				spec.row(j).map_or(0, |row| crate::exec::neuron(row, bias, spec.output, &x))
			})
			.collect();
		if let Some(slot) = outputs.get_mut(l) {
			*slot = values;
		}
	}
}

/// The trace commitment of a run.
pub fn trace_commitment(trace: &Trace) -> Hash {
	TraceTree::new(trace).commitment()
}

/// A node of a tree of `count` leaves built as in §4: `level` 0 is the leaves, and a level has
/// `⌈count / 2^level⌉` nodes. A node's children are the nodes `2·index` and `2·index + 1` one
/// level down; the last node of a level with an odd count has one child, its own hash moved up.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct TreeNode {
	pub count: u32,
	pub level: u8,
	pub index: u32,
}

impl TreeNode {
	/// The root of a tree of `count` leaves (at least one).
	pub fn root(count: u32) -> Self {
		let count = count.max(1);
		let mut level = 0u8;
		while Self::width(count, level) > 1 {
			level = level.saturating_add(1);
		}
		TreeNode { count, level, index: 0 }.skip_single()
	}

	/// Nodes at `level`.
	fn width(count: u32, level: u8) -> u32 {
		if level >= 32 {
			return 1;
		}
		count.div_ceil(1u32 << level).max(1)
	}

	/// Whether this is a leaf.
	pub fn is_leaf(&self) -> bool {
		self.level == 0
	}

	/// The child on `right` or left, if the node has two children (after
	/// [`TreeNode::skip_single`], every inner node has).
	pub fn child(&self, right: bool) -> Option<Self> {
		let level = self.level.checked_sub(1)?;
		let index = self.index.checked_mul(2)?.checked_add(u32::from(right))?;
		(index < Self::width(self.count, level))
			.then_some(TreeNode { count: self.count, level, index })
			.map(Self::skip_single)
	}

	/// Moves down through nodes with one child (their hash is their child's): the node with the
	/// same hash that is a leaf or has two children.
	pub fn skip_single(mut self) -> Self {
		while self.level > 0 {
			let left = self.index.saturating_mul(2);
			if left.saturating_add(1) < Self::width(self.count, self.level - 1) {
				break;
			}
			self = TreeNode { count: self.count, level: self.level - 1, index: left };
		}
		self
	}
}
