use alloc::{vec, vec::Vec};

use crate::{
	commit::{self, MerkleProof},
	evaluate,
	exec::{activate, infer, requantize},
	golden,
	intermediates::{positions, MAX_INTERMEDIATES},
	model::{
		content_hash, Activation, Layer, LayerOutput, Model, ModelError, Requant, MAX_LAYERS,
		MAX_WIDTH,
	},
	output_digest,
	sampler::{exp2_neg_q32, sample, sample_seed, top_k, SamplingParams},
	TaskSeed, KERNEL_VERSION, MAX_SAMPLES,
};

fn rq(multiplier: u32, shift: u8) -> Requant {
	Requant { multiplier, shift }
}

/// 2 → 2 (ReLU) → 3 logits, small enough to compute by hand.
fn tiny() -> Model {
	Model {
		kernel_version: KERNEL_VERSION,
		inputs: 2,
		layers: vec![
			Layer {
				inputs: 2,
				outputs: 2,
				weights: vec![1, 2, -3, 4],
				biases: vec![10, -100],
				output: LayerOutput::Int8 { requant: rq(1, 1), activation: Activation::Relu },
			},
			Layer {
				inputs: 2,
				outputs: 3,
				weights: vec![1, 0, 0, 1, 2, -1],
				biases: vec![0, 5, -7],
				output: LayerOutput::Logits,
			},
		],
	}
}

fn hex(bytes: &[u8]) -> std::string::String {
	bytes.iter().map(|b| std::format!("{b:02x}")).collect()
}

#[test]
fn requantization_rounds_half_up_and_saturates() {
	// 1.5 → 2, -1.5 → -1, 2.5 → 3, -2.5 → -2, 1.25 → 1, -1.75 → -2.
	assert_eq!(requantize(3, rq(1, 1)), 2);
	assert_eq!(requantize(-3, rq(1, 1)), -1);
	assert_eq!(requantize(5, rq(1, 1)), 3);
	assert_eq!(requantize(-5, rq(1, 1)), -2);
	assert_eq!(requantize(5, rq(1, 2)), 1);
	assert_eq!(requantize(-7, rq(1, 2)), -2);
	// No shift, no rounding term; saturation at both ends.
	assert_eq!(requantize(7, rq(1, 0)), 7);
	assert_eq!(requantize(1000, rq(1, 0)), 127);
	assert_eq!(requantize(-1000, rq(1, 0)), -128);
	// The extremes of the i64 product do not overflow.
	assert_eq!(requantize(i32::MAX, rq(i32::MAX as u32, 62)), 1);
	assert_eq!(requantize(i32::MIN, rq(i32::MAX as u32, 62)), -1);
	assert_eq!(requantize(i32::MIN, rq(i32::MAX as u32, 0)), -128);
	// A real-valued scale: 0.75 · 100 = 75.
	assert_eq!(requantize(100, rq(3 << 20, 22)), 75);
}

#[test]
fn activations_follow_the_spec() {
	assert_eq!(activate(-5, Activation::Identity), -5);
	assert_eq!(activate(-5, Activation::Relu), 0);
	assert_eq!(activate(9, Activation::Relu), 9);
	assert_eq!(activate(120, Activation::ClampedRelu { max: 100 }), 100);
	assert_eq!(activate(-1, Activation::ClampedRelu { max: 100 }), 0);
	assert_eq!(activate(50, Activation::ClampedRelu { max: 100 }), 50);
}

#[test]
fn a_hand_computed_model_runs_exactly() {
	let trace = infer(&tiny(), &[5, 6]).unwrap();
	// Neuron 0: 5 + 12 + 10 = 27 → (27 + 1) >> 1 = 14. Neuron 1: -15 + 24 - 100 = -91 → -45 → ReLU 0.
	assert_eq!(trace.activations, vec![vec![14, 0]]);
	assert_eq!(trace.logits, vec![14, 5, 21]);
	assert_eq!(trace.positions(), 5);
	assert_eq!(trace.value_at(0), Some(14));
	assert_eq!(trace.value_at(4), Some(21));
	assert_eq!(trace.value_at(5), None);
	assert_eq!(top_k(&trace.logits, 2), vec![2, 0]);
}

#[test]
fn accumulation_saturates_only_when_the_bias_overflows() {
	let mut model = tiny();
	model.layers[1].biases = vec![i32::MAX, i32::MIN, 0];
	let trace = infer(&model, &[5, 6]).unwrap();
	assert_eq!(trace.logits, vec![i32::MAX, i32::MIN, 28]);
}

#[test]
fn malformed_models_and_inputs_are_refused() {
	let ok = tiny();
	assert_eq!(ok.validate(), Ok(()));
	let check = |f: &dyn Fn(&mut Model), e: ModelError| {
		let mut m = ok.clone();
		f(&mut m);
		assert_eq!(m.validate(), Err(e));
		assert_eq!(infer(&m, &[5, 6]).unwrap_err(), e);
	};
	check(&|m| m.kernel_version = 2, ModelError::UnsupportedKernelVersion { found: 2 });
	check(&|m| m.layers.clear(), ModelError::LayerCount);
	check(
		&|m| {
			let hidden = m.layers[0].clone();
			m.layers = vec![hidden; MAX_LAYERS + 1];
		},
		ModelError::LayerCount,
	);
	check(&|m| m.inputs = 3, ModelError::Shape { layer: 0 });
	check(&|m| m.layers[1].inputs = 3, ModelError::Shape { layer: 1 });
	check(
		&|m| m.layers[0].weights.pop().map(drop).unwrap_or(()),
		ModelError::ParameterCount { layer: 0 },
	);
	check(&|m| m.layers[1].biases.push(0), ModelError::ParameterCount { layer: 1 });
	check(&|m| m.layers[0].output = LayerOutput::Logits, ModelError::LogitsPlacement { layer: 0 });
	check(
		&|m| {
			m.layers[1].output =
				LayerOutput::Int8 { requant: rq(1, 1), activation: Activation::Relu }
		},
		ModelError::LogitsPlacement { layer: 1 },
	);
	check(
		&|m| {
			m.layers[0].output =
				LayerOutput::Int8 { requant: rq(0, 1), activation: Activation::Relu }
		},
		ModelError::Requant { layer: 0 },
	);
	check(
		&|m| {
			m.layers[0].output =
				LayerOutput::Int8 { requant: rq(1 << 31, 1), activation: Activation::Relu }
		},
		ModelError::Requant { layer: 0 },
	);
	check(
		&|m| {
			m.layers[0].output =
				LayerOutput::Int8 { requant: rq(1, 63), activation: Activation::Relu }
		},
		ModelError::Requant { layer: 0 },
	);
	check(
		&|m| {
			m.layers[0].output = LayerOutput::Int8 {
				requant: rq(1, 1),
				activation: Activation::ClampedRelu { max: 0 },
			}
		},
		ModelError::Activation { layer: 0 },
	);
	let mut wide = ok.clone();
	wide.inputs = MAX_WIDTH + 1;
	wide.layers[0].inputs = MAX_WIDTH + 1;
	assert_eq!(wide.validate(), Err(ModelError::Width { layer: 0 }));
	assert_eq!(infer(&ok, &[5]).unwrap_err(), ModelError::InputLength { expected: 2, found: 1 });
}

#[test]
fn model_files_round_trip_and_bad_files_are_refused() {
	let model = golden::model();
	let file = model.to_file();
	assert_eq!(Model::from_file(&file), Ok(model.clone()));
	assert_eq!(content_hash(&file), sp_crypto_hashing::blake2_256(&file));
	assert_eq!(Model::from_file(&file[1..]), Err(ModelError::BadMagic));
	assert_eq!(Model::from_file(&file[..file.len() - 1]), Err(ModelError::Undecodable));
	let mut trailing = file.clone();
	trailing.push(0);
	assert_eq!(Model::from_file(&trailing), Err(ModelError::TrailingBytes));
	let mut bad = model;
	bad.layers[0].biases.pop();
	assert_eq!(Model::from_file(&bad.to_file()), Err(ModelError::ParameterCount { layer: 0 }));
	// A length prefix claiming far more weights than the file holds is an error, not an allocation.
	let mut huge = Vec::from(&b"AOSM"[..]);
	huge.extend_from_slice(&[1, 0, 2, 0, 0, 0, 4]);
	huge.extend_from_slice(&[0xff; 8]);
	assert_eq!(Model::from_file(&huge), Err(ModelError::Undecodable));
}

#[test]
fn every_leaf_proves_against_its_root_and_nothing_else_does() {
	for count in 1u32..=9 {
		let leaves: Vec<_> =
			(0..count).map(|i| sp_crypto_hashing::blake2_256(&i.to_le_bytes())).collect();
		let root = commit::root(&leaves);
		for index in 0..count {
			let proof = commit::prove(&leaves, index).unwrap();
			assert!(
				commit::verify(&root, &leaves[index as usize], &proof),
				"count {count} index {index}"
			);
			// Another leaf, another index, a missing or an extra sibling, an index past the end: refused.
			let other = sp_crypto_hashing::blake2_256(b"other");
			assert!(!commit::verify(&root, &other, &proof));
			if count > 1 {
				let moved = MerkleProof { index: (index + 1) % count, ..proof.clone() };
				assert!(!commit::verify(&root, &leaves[index as usize], &moved));
				let mut short = proof.clone();
				short.siblings.pop();
				assert!(!commit::verify(&root, &leaves[index as usize], &short));
			}
			let mut long = proof.clone();
			long.siblings.push(other);
			assert!(!commit::verify(&root, &leaves[index as usize], &long));
			assert!(!commit::verify(
				&root,
				&leaves[index as usize],
				&MerkleProof { index: count, ..proof }
			));
		}
		assert!(commit::prove(&leaves, count).is_none());
	}
}

#[test]
fn a_neuron_opens_against_its_layer_commitment() {
	let model = golden::model();
	let roots = commit::layer_roots(&model);
	assert_eq!(roots.len(), 3);
	let layer = &model.layers[1];
	let leaves = commit::layer_leaves(1, layer);
	assert_eq!(leaves.len(), 32);
	let leaf = commit::leaf_hash(1, 7, layer.row(7).unwrap(), layer.biases[7], &layer.output);
	assert_eq!(leaf, leaves[7]);
	assert!(commit::verify(&roots[1], &leaf, &commit::prove(&leaves, 7).unwrap()));
	// The same neuron claimed for another layer, or with one weight changed, does not open.
	let elsewhere = commit::leaf_hash(0, 7, layer.row(7).unwrap(), layer.biases[7], &layer.output);
	assert!(!commit::verify(&roots[1], &elsewhere, &commit::prove(&leaves, 7).unwrap()));
	let mut row = layer.row(7).unwrap().to_vec();
	row[0] = row[0].wrapping_add(1);
	let changed = commit::leaf_hash(1, 7, &row, layer.biases[7], &layer.output);
	assert!(!commit::verify(&roots[1], &changed, &commit::prove(&leaves, 7).unwrap()));
	// Any change of a weight changes the model commitment.
	let mut other = model.clone();
	other.layers[2].weights[3] ^= 1;
	assert_ne!(
		commit::model_commitment(&model, &roots),
		commit::model_commitment(&other, &commit::layer_roots(&other))
	);
}

#[test]
fn exp2_table_is_accurate_to_a_thousandth() {
	for d in (0u64..(33 << 16)).step_by(97) {
		let exact = 2f64.powf(32.0 - d as f64 / 65536.0);
		let got = exp2_neg_q32(d) as f64;
		if d >> 16 >= 32 {
			assert_eq!(got, 0.0);
		} else {
			assert!((got - exact).abs() <= exact * 1e-3 + 1.0, "d = {d}: {got} vs {exact}");
		}
	}
	assert_eq!(exp2_neg_q32(0), 1 << 32);
	assert_eq!(exp2_neg_q32(1 << 16), 1 << 31);
}

#[test]
fn the_sampler_is_reproducible_per_operator_and_differs_between_them() {
	let logits = [100, 90, 80, 70, 60, 50, 40, 30];
	let params = SamplingParams { top_k: 6, inv_temperature_q16: 1 << 12 };
	let task = golden::task();
	let [alice, bob] = golden::operators();
	let draws = |op: &[u8]| -> Vec<u32> {
		(0..32).map(|i| sample(&logits, params, sample_seed(&task, op, i)).unwrap()).collect()
	};
	assert_eq!(draws(&alice), draws(&alice));
	assert_ne!(draws(&alice), draws(&bob));
	assert!(draws(&alice).iter().all(|c| *c < 6));
}

#[test]
fn the_sampler_follows_its_temperature() {
	let logits = [10, 40, 30, 20];
	let seeds = |n: u32| (0..n).map(move |i| sample_seed(&[7; 32], b"op", i));
	// Greedy: always the argmax.
	let greedy = SamplingParams { top_k: 1, inv_temperature_q16: 0 };
	assert!(seeds(100).all(|s| sample(&logits, greedy, s) == Ok(1)));
	// Zero inverse temperature: uniform over the candidates.
	let uniform = SamplingParams { top_k: 4, inv_temperature_q16: 0 };
	let mut counts = [0u32; 4];
	for s in seeds(4000) {
		counts[sample(&logits, uniform, s).unwrap() as usize] += 1;
	}
	assert!(counts.iter().all(|c| (900..1100).contains(c)), "{counts:?}");
	// One halving per 10 logit units: weights 1, 1/2, 1/4 among the top 3 → 4/7, 2/7, 1/7.
	let halving = SamplingParams { top_k: 3, inv_temperature_q16: 65536 / 10 + 1 };
	let mut counts = [0u32; 4];
	for s in seeds(7000) {
		counts[sample(&logits, halving, s).unwrap() as usize] += 1;
	}
	assert_eq!(counts[0], 0, "index 0 is not a candidate");
	assert!(
		(3800..4200).contains(&counts[1])
			&& (1800..2200).contains(&counts[2])
			&& (850..1150).contains(&counts[3]),
		"{counts:?}"
	);
	// Ties share the top weight; a candidate 32 halvings down is never drawn.
	let tied = [5, 5, -1_000_000];
	let sharp = SamplingParams { top_k: 3, inv_temperature_q16: 1 << 16 };
	let drawn: Vec<u32> = seeds(200).map(|s| sample(&tied, sharp, s).unwrap()).collect();
	assert!(drawn.contains(&0) && drawn.contains(&1) && !drawn.contains(&2));
	// Out-of-range parameters are refused.
	assert_eq!(
		sample(&logits, SamplingParams { top_k: 0, inv_temperature_q16: 0 }, [0; 32]),
		Err(ModelError::Sampling)
	);
	assert_eq!(
		sample(&logits, SamplingParams { top_k: 5, inv_temperature_q16: 0 }, [0; 32]),
		Err(ModelError::Sampling)
	);
}

#[test]
fn intermediates_are_distinct_in_range_and_per_operator() {
	let model = golden::model();
	let task = golden::task();
	let [alice, bob] = golden::operators();
	let run = |op: &[u8]| {
		evaluate(
			&model,
			&golden::input(),
			TaskSeed { task: &task, operator: op },
			golden::sampling(),
			4,
			16,
		)
		.unwrap()
	};
	let (a, b) = (run(&alice), run(&bob));
	assert_eq!(a.output, b.output);
	assert_eq!(a.top, b.top);
	assert_ne!(a.intermediates, b.intermediates);
	for e in [&a, &b] {
		assert_eq!(e.intermediates.len(), 16);
		let mut seen: Vec<u64> = e.intermediates.iter().map(|(p, _)| *p).collect();
		seen.sort();
		seen.dedup();
		assert_eq!(seen.len(), 16);
		for (p, v) in &e.intermediates {
			assert!(*p < 64 + 32 + 10);
			assert_eq!(e.trace.value_at(*p), Some(*v));
		}
	}
	// Fewer positions than asked: all of them, in order; never more than the maximum.
	assert_eq!(positions([1; 32], 5, 16), vec![0, 1, 2, 3, 4]);
	assert_eq!(positions([1; 32], 1_000_000, 1000).len(), MAX_INTERMEDIATES as usize);
	let too_many = evaluate(
		&model,
		&golden::input(),
		TaskSeed { task: &task, operator: &alice },
		golden::sampling(),
		MAX_SAMPLES + 1,
		0,
	);
	assert_eq!(too_many.unwrap_err(), ModelError::Sampling);
}

/// The pinned outputs of the golden vectors. If this fails, the kernel's arithmetic changed:
/// that is a new kernel version (docs/KERNEL.md), not a test to update.
#[test]
fn golden_vectors() {
	let model = golden::model();
	let file = model.to_file();
	let task = golden::task();
	let [alice, bob] = golden::operators();
	let a = evaluate(
		&model,
		&golden::input(),
		TaskSeed { task: &task, operator: &alice },
		golden::sampling(),
		8,
		8,
	)
	.unwrap();
	let b = evaluate(
		&model,
		&golden::input(),
		TaskSeed { task: &task, operator: &bob },
		golden::sampling(),
		8,
		8,
	)
	.unwrap();
	assert_eq!(
		hex(&content_hash(&file)),
		"8773a4cc6d9b6975dd7d5053a53dadf3e5795efc687dbee2935860e72e49bdd1"
	);
	assert_eq!(
		hex(&commit::model_commitment(&model, &commit::layer_roots(&model))),
		"0d0564e7015d72baa48fc9affec8aee3c5f179f6090d673b7f85a98e4e8d543b"
	);
	assert_eq!(
		a.trace.logits,
		vec![10521, -4791, 13609, -15870, -21248, 24632, 3364, -2133, 14831, 14632]
	);
	assert_eq!(hex(&a.output), "a2f7cf1cc6ac1778e144616cd343a92959ee19af58e8214c9013373cbbacd9b3");
	assert_eq!(a.output, output_digest(&a.trace.logits));
	assert_eq!(a.top, vec![5, 8, 9, 2]);
	assert_eq!(a.samples, vec![5, 5, 5, 5, 8, 5, 2, 5]);
	assert_eq!(
		a.intermediates,
		vec![(65, 59), (0, 0), (3, 127), (85, 35), (55, 0), (36, 127), (105, 14632), (67, 0)]
	);
	assert_eq!(b.output, a.output);
	assert_eq!(b.samples, vec![9, 9, 5, 8, 5, 8, 5, 9]);
	assert_eq!(
		b.intermediates,
		vec![(2, 23), (61, 0), (70, 0), (7, 63), (29, 0), (94, 0), (88, 0), (52, 0)]
	);
}

mod trace {
	use super::*;
	use crate::{
		exec::neuron,
		trace::{activation_leaf, activation_root, layer_outputs, TraceTree, TreeNode},
	};

	/// Walks from the root to leaf `target` choosing children as its index bits say; checks that
	/// every two-child node hashes its children. Returns the moves taken.
	fn walk(levels: &[Vec<[u8; 32]>], target: u32) -> usize {
		let count = levels[0].len() as u32;
		let mut node = TreeNode::root(count);
		let at = |n: TreeNode| levels[n.level as usize][n.index as usize];
		let mut moves = 0;
		while !node.is_leaf() {
			let (l, r) = (node.child(false).unwrap(), node.child(true).unwrap());
			assert_eq!(commit::node_hash(&at(l), &at(r)), at(node), "{node:?}");
			// The leaves under the right child start at its index shifted down to the leaves.
			let right_start = r.index << r.level;
			node = if target >= right_start { r } else { l };
			moves += 1;
		}
		assert_eq!(node.index, target);
		moves
	}

	#[test]
	fn every_leaf_of_every_tree_shape_is_reached_through_two_child_nodes() {
		for count in 1..=70u32 {
			let leaves: Vec<_> = (0..count).map(|j| activation_leaf(0, j, j as i32)).collect();
			let levels = commit::levels(&leaves);
			assert_eq!(levels.last().unwrap()[0], commit::root(&leaves));
			let depth = (count as f64).log2().ceil() as usize;
			for target in 0..count {
				assert!(walk(&levels, target) <= depth);
			}
		}
		// The widest layer: 12 moves at most.
		let leaves: Vec<_> = (0..MAX_WIDTH).map(|j| activation_leaf(1, j, 0)).collect();
		assert_eq!(walk(&commit::levels(&leaves), MAX_WIDTH - 1), 12);
	}

	#[test]
	fn the_trace_commits_every_activation_and_recomputes_neuron_by_neuron() {
		let model = golden::model();
		let run = infer(&model, &golden::input()).unwrap();
		let tree = TraceTree::new(&run);
		let outputs = layer_outputs(&run);
		assert_eq!(outputs.len(), model.layers.len());
		for (l, (layer, values)) in model.layers.iter().zip(&outputs).enumerate() {
			let root = tree.hash(None, TreeNode { count: 3, level: 0, index: l as u32 }).unwrap();
			assert_eq!(root, activation_root(l as u32, values.iter().copied()));
			// Each neuron is what the one-step check recomputes from the layer's input.
			let input: Vec<i8> = if l == 0 {
				golden::input()
			} else {
				outputs[l - 1].iter().map(|v| *v as i8).collect()
			};
			for (j, value) in values.iter().enumerate() {
				let row = layer.row(j as u32).unwrap();
				assert_eq!(neuron(row, layer.biases[j], layer.output, &input), *value);
			}
		}
		// One activation changed anywhere changes the commitment.
		let mut changed = run.clone();
		changed.activations[1][5] ^= 1;
		assert_ne!(TraceTree::new(&changed).commitment(), tree.commitment());
		let mut changed = run.clone();
		changed.logits[0] += 1;
		assert_ne!(TraceTree::new(&changed).commitment(), tree.commitment());
		assert_eq!(crate::trace::trace_commitment(&run), tree.commitment());
	}
}
