//! Benchmarks, each at its worst case: the widest logits, the largest fan-in, the most games.

use crate::{pallet::*, *};
use alloc::{vec, vec::Vec};
use aos_inference_primitives::{
	optimistic::{OptimisticTasks, OptimisticTerms},
	TaskId,
};
use aos_kernel::{
	commit::{self, MerkleProof},
	trace::{activation_leaf, activation_root, TreeNode},
	Activation, LayerOutput, Requant,
};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use sp_core::H256;
use sp_runtime::traits::{Bounded, One, Saturating};

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = BalanceOf::<T>::max_value() / 1_000_000u32.into();
	let _ = T::Currency::set_balance(&who, amount);
	who
}

/// The most layers, every one the widest (the last `last` wide), with arbitrary weight roots.
fn shapes<T: Config>(last: u32) -> Vec<LayerShape> {
	let layers = T::MaxLayers::get();
	let wide = T::MaxWidth::get();
	(0..layers)
		.map(|l| LayerShape {
			inputs: wide,
			outputs: if l + 1 == layers { last } else { wide },
			root: H256::repeat_byte(l as u8),
		})
		.collect()
}

fn commitment(shapes: &[LayerShape]) -> H256 {
	let s: Vec<(u32, u32, [u8; 32])> =
		shapes.iter().map(|l| (l.inputs, l.outputs, l.root.0)).collect();
	let inputs = shapes.first().map_or(0, |l| l.inputs);
	H256(commit::commitment_from_layers(aos_kernel::KERNEL_VERSION, inputs, &s))
}

/// A task waiting for `defender`'s result over `shapes`.
fn task<T: Config>(defender: &T::AccountId, shapes: &[LayerShape]) -> TaskId {
	let inputs = shapes.first().map_or(0, |l| l.inputs);
	let terms =
		OptimisticTerms { model_commitment: commitment(shapes), inputs, top_k: T::MaxTopK::get() };
	T::Tasks::benchmark_task(defender, terms, vec![1; inputs as usize])
}

/// Posts `defender`'s result for a fresh task over `shapes` with `roots` (the last the
/// logits'). Returns the task.
fn posted<T: Config>(
	defender: &T::AccountId,
	shapes: Vec<LayerShape>,
	mut roots: Vec<H256>,
) -> Result<TaskId, BenchmarkError> {
	let id = task::<T>(defender, &shapes);
	let last = shapes.last().map_or(1, |l| l.outputs);
	let logits: Vec<i32> = (0..last as i32).collect();
	let root = activation_root(shapes.len() as u32 - 1, logits.iter().copied());
	if let Some(r) = roots.last_mut() {
		*r = H256(root);
	}
	Pallet::<T>::do_post_result(
		defender.clone(),
		id,
		BoundedVec::truncate_from(logits),
		BoundedVec::truncate_from(roots),
		BoundedVec::truncate_from(shapes),
	)?;
	Ok(id)
}

fn default_roots<T: Config>() -> Vec<H256> {
	(0..T::MaxLayers::get()).map(|l| H256::repeat_byte(0x80 | l as u8)).collect()
}

/// A result whose layer-0 root is the hash of two known children, challenged at that layer:
/// (defender, challenger, task, the defender's opening of the root).
#[allow(clippy::type_complexity)]
fn challenged_at_root<T: Config>(
) -> Result<(T::AccountId, T::AccountId, TaskId, Opening), BenchmarkError> {
	let defender = funded::<T>("defender", 0);
	let (left, right) = ([1u8; 32], [2u8; 32]);
	let mut roots = default_roots::<T>();
	roots[0] = H256(commit::node_hash(&left, &right));
	let id = posted::<T>(&defender, shapes::<T>(T::MaxTopK::get()), roots)?;
	let challenger = funded::<T>("challenger", 0);
	Pallet::<T>::do_challenge(challenger.clone(), id, 0)?;
	Ok((defender, challenger, id, Opening::Children { left: H256(left), right: H256(right) }))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Posting `n` logits: their root, digest and top classes, and the model commitment over
	/// the most layers.
	#[benchmark]
	fn post_result(n: Linear<1, { T::MaxWidth::get() }>) -> Result<(), BenchmarkError> {
		let defender = funded::<T>("defender", 0);
		let n = n.max(T::MaxTopK::get());
		let shapes = shapes::<T>(n);
		let id = task::<T>(&defender, &shapes);
		let logits: Vec<i32> = (0..n as i32).collect();
		let mut roots = default_roots::<T>();
		if let Some(r) = roots.last_mut() {
			*r = H256(activation_root(shapes.len() as u32 - 1, logits.iter().copied()));
		}
		#[extrinsic_call]
		_(
			RawOrigin::Signed(defender),
			id,
			BoundedVec::truncate_from(logits),
			BoundedVec::truncate_from(roots),
			BoundedVec::truncate_from(shapes),
		);
		assert!(Results::<T>::contains_key(id));
		Ok(())
	}

	#[benchmark]
	fn challenge() -> Result<(), BenchmarkError> {
		let defender = funded::<T>("defender", 0);
		let id = posted::<T>(&defender, shapes::<T>(T::MaxTopK::get()), default_roots::<T>())?;
		let challenger = funded::<T>("challenger", 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(challenger.clone()), id, 0);
		assert!(Games::<T>::contains_key(id, challenger));
		Ok(())
	}

	#[benchmark]
	fn defend() -> Result<(), BenchmarkError> {
		let (defender, challenger, id, opening) = challenged_at_root::<T>()?;
		#[extrinsic_call]
		_(RawOrigin::Signed(defender), id, challenger.clone(), opening);
		assert!(Games::<T>::get(id, challenger).is_some_and(|g| g.opened.is_some()));
		Ok(())
	}

	#[benchmark]
	fn choose() -> Result<(), BenchmarkError> {
		let (defender, challenger, id, opening) = challenged_at_root::<T>()?;
		let Opening::Children { right, .. } = opening else {
			return Err(BenchmarkError::Stop("an inner node's opening"));
		};
		Pallet::<T>::do_defend(defender, id, challenger.clone(), opening)?;
		#[extrinsic_call]
		_(RawOrigin::Signed(challenger.clone()), id, true);
		assert!(Games::<T>::get(id, challenger).is_some_and(|g| g.hash == right));
		Ok(())
	}

	/// The one-step check over fan-in `w`, in a layer after the first (the input's root is
	/// recomputed), at the last neuron of the widest layer (the longest weight proof). The
	/// defender's value is right, so the challenger loses: what the defender's loss adds is
	/// charged apart ([`Pallet::defender_lost_weight`]).
	#[benchmark]
	fn one_step(w: Linear<1, { T::MaxWidth::get() }>) -> Result<(), BenchmarkError> {
		let defender = funded::<T>("defender", 0);
		let width = T::MaxWidth::get();
		let input: Vec<i8> = (0..w).map(|i| (i % 251) as i8).collect();
		let row: Vec<i8> = (0..w).map(|i| (i % 127) as i8 - 63).collect();
		let output = LayerOutput::Int8 {
			requant: Requant { multiplier: 1 << 20, shift: 30 },
			activation: Activation::Relu,
		};
		let (layer, neuron) = (1u32, width - 1);
		let leaf = commit::leaf_hash(layer, neuron, &row, 7, &output);
		let proof = MerkleProof {
			index: neuron,
			count: width,
			siblings: (0..TreeNode::root(width).level).map(|i| [i; 32]).collect(),
		};
		let weight_root = commit::root_of(&leaf, &proof).ok_or(BenchmarkError::Stop("proof"))?;
		let mut shapes = shapes::<T>(T::MaxTopK::get());
		shapes[0].outputs = w;
		shapes[1] = LayerShape { inputs: w, outputs: width, root: H256(weight_root) };
		let value = aos_kernel::neuron(&row, 7, output, &input);
		let mut roots = default_roots::<T>();
		roots[0] = H256(activation_root(0, input.iter().map(|v| i32::from(*v))));
		let id = posted::<T>(&defender, shapes, roots)?;
		let challenger = funded::<T>("challenger", 0);
		Pallet::<T>::do_challenge(challenger.clone(), id, layer)?;
		// Stand the game at the neuron, its value opened.
		Games::<T>::mutate(id, &challenger, |g| {
			if let Some(g) = g {
				g.node = TreeNode { count: width, level: 0, index: neuron };
				g.hash = H256(activation_leaf(layer, neuron, value));
				g.opened = Some(Opening::Value(value));
			}
		});
		let step = OneStep {
			input: BoundedVec::truncate_from(input),
			row: BoundedVec::truncate_from(row),
			bias: 7,
			output,
			row_proof: BoundedVec::truncate_from(proof.siblings.into_iter().map(H256).collect()),
		};
		#[extrinsic_call]
		_(RawOrigin::Signed(challenger.clone()), id, step);
		assert!(!Games::<T>::contains_key(id, &challenger));
		assert!(Results::<T>::contains_key(id));
		Ok(())
	}

	/// The challenger ran out of time: its bond is paid to the defender. What the defender's
	/// loss adds is charged apart.
	#[benchmark]
	fn timeout() -> Result<(), BenchmarkError> {
		let defender = funded::<T>("defender", 0);
		let (left, right) = ([1u8; 32], [2u8; 32]);
		let mut roots = default_roots::<T>();
		roots[0] = H256(commit::node_hash(&left, &right));
		let id = posted::<T>(&defender, shapes::<T>(T::MaxTopK::get()), roots)?;
		let challenger = funded::<T>("challenger", 0);
		Pallet::<T>::do_challenge(challenger.clone(), id, 0)?;
		let opening = Opening::Children { left: H256(left), right: H256(right) };
		Pallet::<T>::do_defend(defender.clone(), id, challenger.clone(), opening)?;
		let clock = Parameters::<T>::get().clock;
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(
			now.saturating_add(clock).saturating_add(One::one()),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(defender), id, challenger.clone());
		assert!(!Games::<T>::contains_key(id, challenger));
		Ok(())
	}

	/// The result stands: its bond returned. What settling the task costs is charged apart.
	#[benchmark]
	fn finalize() -> Result<(), BenchmarkError> {
		let defender = funded::<T>("defender", 0);
		let id = posted::<T>(&defender, shapes::<T>(T::MaxTopK::get()), default_roots::<T>())?;
		let period = Parameters::<T>::get().challenge_period;
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(now.saturating_add(period));
		#[extrinsic_call]
		_(RawOrigin::Signed(defender), id);
		assert!(!Results::<T>::contains_key(id));
		Ok(())
	}

	/// Closing `c` games when another overturned the result.
	#[benchmark]
	fn close_games(c: Linear<0, { T::MaxChallengers::get() }>) -> Result<(), BenchmarkError> {
		let defender = funded::<T>("defender", 0);
		let id = posted::<T>(&defender, shapes::<T>(T::MaxTopK::get()), default_roots::<T>())?;
		Results::<T>::mutate(id, |r| {
			if let Some(r) = r {
				r.terms.max_challengers = T::MaxChallengers::get();
			}
		});
		for i in 0..c {
			let challenger = funded::<T>("challenger", i);
			Pallet::<T>::do_challenge(challenger, id, 0)?;
		}
		#[block]
		{
			Pallet::<T>::close_games(id);
		}
		assert_eq!(Games::<T>::iter_prefix(id).count(), 0);
		Ok(())
	}

	#[benchmark]
	fn set_parameters() -> Result<(), BenchmarkError> {
		let params = Parameters::<T>::get();
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
