//! The game played out: honest and dishonest defenders and challengers, on the kernel's golden
//! model (32 → 64 → 32 → 10).

use crate::{mock::*, *};
use aos_inference_primitives::optimistic::OptimisticTerms;
use aos_kernel::{
	commit::{self, layer_leaves, layer_roots, model_commitment},
	golden, infer,
	trace::{Opening as Open, TraceTree, TreeNode},
	Model,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold, BoundedVec};
use sp_core::H256;

const DEFENDER: AccountId = 1;
const ALICE: AccountId = 2;
const BOB: AccountId = 3;
const CAROL: AccountId = 4;
const TASK: u64 = 7;
const TOP_K: u32 = 3;

fn shapes(model: &Model) -> BoundedVec<LayerShape, <Test as Config>::MaxLayers> {
	let roots = layer_roots(model);
	BoundedVec::truncate_from(
		model
			.layers
			.iter()
			.zip(roots)
			.map(|(l, r)| LayerShape { inputs: l.inputs, outputs: l.outputs, root: H256(r) })
			.collect(),
	)
}

fn terms(model: &Model) -> OptimisticTerms {
	OptimisticTerms {
		model_commitment: H256(model_commitment(model, &layer_roots(model))),
		inputs: model.inputs,
		top_k: TOP_K,
	}
}

/// The honest run of the golden model.
fn honest() -> TraceTree {
	TraceTree::new(&infer(&golden::model(), &golden::input()).unwrap())
}

/// A defender's trace with one value changed and nothing recomputed after it.
fn with_value(layer: usize, neuron: usize, delta: i32) -> TraceTree {
	let mut values = honest().values;
	values[layer][neuron] += delta;
	TraceTree::from_outputs(values)
}

/// A defender's trace that goes wrong at one neuron and computes every later layer from it,
/// as a faulty or lazy kernel would.
fn consistent_from(layer: usize, neuron: usize, delta: i32) -> TraceTree {
	let model = golden::model();
	let mut values = honest().values;
	let int8 = layer + 1 < model.layers.len();
	values[layer][neuron] = if int8 {
		(values[layer][neuron] + delta).clamp(-128, 127)
	} else {
		values[layer][neuron] + delta
	};
	if values[layer][neuron] == honest().values[layer][neuron] {
		values[layer][neuron] += if int8 && values[layer][neuron] == 127 { -1 } else { 1 };
	}
	aos_kernel::trace::recompute_from(&model, &mut values, layer);
	TraceTree::from_outputs(values)
}

fn setup() {
	add_task(TASK, DEFENDER, terms(&golden::model()), golden::input());
}

fn post(tree: &TraceTree) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let roots = tree.roots().into_iter().map(H256).collect::<Vec<_>>();
	Opml::post_result(
		RuntimeOrigin::signed(DEFENDER),
		TASK,
		BoundedVec::truncate_from(tree.values.last().unwrap().clone()),
		BoundedVec::truncate_from(roots),
		shapes(&golden::model()),
	)
}

fn next_block() {
	System::set_block_number(System::block_number() + 1);
}

fn game(challenger: AccountId) -> GameOf<Test> {
	Games::<Test>::get(TASK, challenger).expect("game open")
}

fn open(tree: &TraceTree, g: &GameOf<Test>) -> Opening {
	match tree.opening(g.layer, g.node).unwrap() {
		Open::Children(l, r) => Opening::Children { left: H256(l), right: H256(r) },
		Open::Value(v) => Opening::Value(v),
	}
}

/// The one-step move for the game's neuron, from the registered model and `inputs` (the
/// previous layer's outputs as the challenger has them).
fn one_step_of(g: &GameOf<Test>, inputs: &TraceTree) -> OneStepOf<Test> {
	let model = golden::model();
	let l = g.layer as usize;
	let layer = &model.layers[l];
	let j = g.node.index;
	let proof = commit::prove(&layer_leaves(l as u32, layer), j).unwrap();
	let input =
		if l == 0 { vec![] } else { inputs.values[l - 1].iter().map(|v| *v as i8).collect() };
	OneStep {
		input: BoundedVec::truncate_from(input),
		row: BoundedVec::truncate_from(layer.row(j).unwrap().to_vec()),
		bias: layer.biases[j as usize],
		output: layer.output,
		row_proof: BoundedVec::truncate_from(proof.siblings.into_iter().map(H256).collect()),
	}
}

/// Plays `challenger`'s game to its end, the defender answering from `defender` and the
/// challenger choosing by `challenger_tree`, one move a block. Returns the moves made.
fn play(challenger: AccountId, defender: &TraceTree, challenger_tree: &TraceTree) -> u32 {
	let mut moves = 0;
	while let Some(g) = Games::<Test>::get(TASK, challenger) {
		next_block();
		moves += 1;
		match g.opened {
			None => {
				assert_ok!(Opml::defend(
					RuntimeOrigin::signed(DEFENDER),
					TASK,
					challenger,
					open(defender, &g)
				));
			},
			Some(Opening::Children { left, .. }) => {
				let right = challenger_tree.choose_right(g.layer, g.node, &left.0);
				assert_ok!(Opml::choose(RuntimeOrigin::signed(challenger), TASK, right));
			},
			Some(Opening::Value(_)) => {
				assert_ok!(Opml::one_step(
					RuntimeOrigin::signed(challenger),
					TASK,
					one_step_of(&g, challenger_tree)
				));
			},
		}
		Opml::do_try_state().unwrap();
	}
	moves
}

/// Challenges the posted result at the first layer `challenger_tree` disagrees with (or at
/// `layer` if it agrees with all) and plays the game out.
fn challenge_and_play(
	challenger: AccountId,
	layer: Option<u32>,
	defender: &TraceTree,
	challenger_tree: &TraceTree,
) -> u32 {
	let layer = challenger_tree.first_disagreement(&defender.roots()).or(layer).unwrap_or(0);
	assert_ok!(Opml::challenge(RuntimeOrigin::signed(challenger), TASK, layer));
	play(challenger, defender, challenger_tree)
}

fn last_end() -> (AccountId, Player, GameEnd) {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Opml(Event::GameEnded { challenger, winner, end, .. }) => {
				Some((challenger, winner, end))
			},
			_ => None,
		})
		.expect("a game ended")
}

fn free(who: AccountId) -> Balance {
	pallet_balances::Pallet::<Test>::free_balance(who)
}

fn held(reason: HoldReason, who: AccountId) -> Balance {
	pallet_balances::Pallet::<Test>::balance_on_hold(&reason.into(), &who)
}

#[test]
fn an_unchallenged_honest_result_stands_after_the_challenge_period() {
	new_test_ext().execute_with(|| {
		setup();
		let tree = honest();
		assert_ok!(post(&tree));
		assert_eq!(held(HoldReason::ResultBond, DEFENDER), RESULT_BOND);
		assert_eq!(task_state(TASK), Some(TaskState::Challenging));
		let result = Results::<Test>::get(TASK).unwrap();
		assert_eq!(result.trace.0, tree.commitment());
		assert_noop!(Opml::finalize(RuntimeOrigin::signed(ALICE), TASK), Error::<Test>::NotFinal);
		System::set_block_number(1 + CHALLENGE_PERIOD);
		assert_noop!(
			Opml::challenge(RuntimeOrigin::signed(ALICE), TASK, 0),
			Error::<Test>::ChallengePeriodOver
		);
		assert_ok!(Opml::finalize(RuntimeOrigin::signed(ALICE), TASK));
		let logits = &tree.values[2];
		let output = H256(aos_kernel::output_digest(logits));
		let top = aos_kernel::sampler::top_k(logits, TOP_K);
		assert_eq!(task_state(TASK), Some(TaskState::Stood(output, top)));
		assert_eq!(held(HoldReason::ResultBond, DEFENDER), 0);
		assert_eq!(free(DEFENDER), START);
		assert!(Results::<Test>::get(TASK).is_none());
		Opml::do_try_state().unwrap();
	});
}

#[test]
fn a_posted_result_must_match_the_model_and_its_own_logits() {
	new_test_ext().execute_with(|| {
		setup();
		let tree = honest();
		let roots = || BoundedVec::truncate_from(tree.roots().into_iter().map(H256).collect());
		let logits = || BoundedVec::truncate_from(tree.values[2].clone());
		let signed = RuntimeOrigin::signed;
		let mut wrong_layers = shapes(&golden::model());
		wrong_layers[1].root = H256::repeat_byte(9);
		assert_noop!(
			Opml::post_result(signed(DEFENDER), TASK, logits(), roots(), wrong_layers),
			Error::<Test>::ModelMismatch
		);
		let mut wrong_logits = tree.values[2].clone();
		wrong_logits[0] += 1;
		assert_noop!(
			Opml::post_result(
				signed(DEFENDER),
				TASK,
				BoundedVec::truncate_from(wrong_logits),
				roots(),
				shapes(&golden::model())
			),
			Error::<Test>::TraceMismatch
		);
		assert_noop!(
			Opml::post_result(
				signed(DEFENDER),
				TASK,
				BoundedVec::truncate_from(tree.values[2][..9].to_vec()),
				roots(),
				shapes(&golden::model())
			),
			Error::<Test>::LogitsMismatch
		);
		let mut short = tree.roots();
		short.remove(0);
		assert_noop!(
			Opml::post_result(
				signed(DEFENDER),
				TASK,
				logits(),
				BoundedVec::truncate_from(short.into_iter().map(H256).collect()),
				shapes(&golden::model())
			),
			Error::<Test>::TraceMismatch
		);
		assert_noop!(
			Opml::post_result(signed(ALICE), TASK, logits(), roots(), shapes(&golden::model())),
			Error::<Test>::NotAssigned
		);
		assert_noop!(
			Opml::post_result(signed(DEFENDER), 99, logits(), roots(), shapes(&golden::model())),
			Error::<Test>::UnknownTask
		);
		assert_ok!(post(&tree));
		assert_noop!(post(&tree), Error::<Test>::NotPosting);
	});
}

#[test]
fn a_challenger_of_an_honest_result_loses_its_bond_at_every_layer() {
	let model = golden::model();
	for layer in 0..model.layers.len() as u32 {
		new_test_ext().execute_with(|| {
			setup();
			let tree = honest();
			assert_ok!(post(&tree));
			// The challenger disputes a layer it has no reason to: it still has to play.
			let moves = challenge_and_play(ALICE, Some(layer), &tree, &tree);
			let (who, winner, end) = last_end();
			assert_eq!((who, winner), (ALICE, Player::Defender));
			assert!(matches!(end, GameEnd::OneStep { computed, claimed } if computed == claimed));
			// 26 at most: two per level of a 64-wide tree, the leaf's value and the check.
			assert!(moves <= 2 * 6 + 2, "{moves} moves");
			assert_eq!(free(ALICE), START - CHALLENGE_BOND);
			assert_eq!(free(DEFENDER), START - RESULT_BOND + CHALLENGE_BOND * 9 / 10);
			assert_eq!(held(HoldReason::ChallengeBond, ALICE), 0);
			System::set_block_number(1 + CHALLENGE_PERIOD);
			assert_ok!(Opml::finalize(RuntimeOrigin::signed(DEFENDER), TASK));
			assert!(matches!(task_state(TASK), Some(TaskState::Stood(..))));
			Opml::do_try_state().unwrap();
		});
	}
}

/// Posts `defender`'s trace, lets an honest challenger play, and checks that it won.
fn assert_overturned(defender: &TraceTree, case: &str) {
	new_test_ext().execute_with(|| {
		setup();
		assert_ok!(post(defender));
		challenge_and_play(ALICE, None, defender, &honest());
		let (who, winner, end) = last_end();
		assert_eq!((who, winner), (ALICE, Player::Challenger), "{case}: {end:?}");
		assert_eq!(task_state(TASK), Some(TaskState::Overturned), "{case}");
		assert_eq!(free(ALICE), START + RESULT_BOND * 9 / 10, "{case}");
		assert_eq!(held(HoldReason::ResultBond, DEFENDER), 0, "{case}");
		assert_eq!(free(DEFENDER), START - RESULT_BOND, "{case}");
		assert!(Results::<Test>::get(TASK).is_none());
		Opml::do_try_state().unwrap();
	});
}

#[test]
fn one_wrong_activation_in_any_layer_is_overturned_every_time() {
	let model = golden::model();
	for (l, layer) in model.layers.iter().enumerate() {
		for j in 0..layer.outputs as usize {
			// Left alone (the later layers not matching it) or carried through them.
			assert_overturned(&with_value(l, j, 1), &format!("layer {l} neuron {j} alone"));
			assert_overturned(&consistent_from(l, j, -3), &format!("layer {l} neuron {j} carried"));
		}
	}
}

#[test]
fn a_result_computed_with_a_wrong_weight_is_overturned() {
	let model = golden::model();
	for (l, layer) in model.layers.iter().enumerate() {
		for (j, i) in
			[(0usize, 0usize), (layer.outputs as usize - 1, layer.inputs as usize - 1), (3, 5)]
		{
			let mut wrong = model.clone();
			let w = &mut wrong.layers[l].weights[j * layer.inputs as usize + i];
			*w = if *w == 127 { 0 } else { 127 };
			let run = infer(&wrong, &golden::input()).unwrap();
			let tree = TraceTree::new(&run);
			if tree.roots() == honest().roots() {
				// The change did not reach any output (a ReLU cut it): nothing to dispute.
				continue;
			}
			assert_overturned(&tree, &format!("weight {l}/{j}/{i}"));
		}
	}
}

#[test]
fn the_player_out_of_time_loses_and_anyone_may_call_it() {
	// The defender does not answer.
	new_test_ext().execute_with(|| {
		setup();
		assert_ok!(post(&honest()));
		assert_ok!(Opml::challenge(RuntimeOrigin::signed(ALICE), TASK, 1));
		System::set_block_number(1 + CLOCK);
		assert_noop!(
			Opml::timeout(RuntimeOrigin::signed(BOB), TASK, ALICE),
			Error::<Test>::NotTimedOut
		);
		System::set_block_number(2 + CLOCK);
		let g = game(ALICE);
		assert_noop!(
			Opml::defend(RuntimeOrigin::signed(DEFENDER), TASK, ALICE, open(&honest(), &g)),
			Error::<Test>::OutOfTime
		);
		assert_ok!(Opml::timeout(RuntimeOrigin::signed(BOB), TASK, ALICE));
		assert_eq!(last_end(), (ALICE, Player::Challenger, GameEnd::Timeout));
		assert_eq!(task_state(TASK), Some(TaskState::Overturned));
		Opml::do_try_state().unwrap();
	});
	// The challenger does not answer; the clock counts its moves together.
	new_test_ext().execute_with(|| {
		setup();
		let tree = honest();
		assert_ok!(post(&tree));
		assert_ok!(Opml::challenge(RuntimeOrigin::signed(ALICE), TASK, 0));
		next_block();
		assert_ok!(Opml::defend(
			RuntimeOrigin::signed(DEFENDER),
			TASK,
			ALICE,
			open(&tree, &game(ALICE))
		));
		System::set_block_number(System::block_number() + CLOCK - 5);
		assert_ok!(Opml::choose(RuntimeOrigin::signed(ALICE), TASK, false));
		next_block();
		assert_ok!(Opml::defend(
			RuntimeOrigin::signed(DEFENDER),
			TASK,
			ALICE,
			open(&tree, &game(ALICE))
		));
		// 5 blocks left of its clock.
		System::set_block_number(System::block_number() + 5);
		assert_noop!(
			Opml::timeout(RuntimeOrigin::signed(DEFENDER), TASK, ALICE),
			Error::<Test>::NotTimedOut
		);
		next_block();
		assert_noop!(
			Opml::choose(RuntimeOrigin::signed(ALICE), TASK, false),
			Error::<Test>::OutOfTime
		);
		assert_ok!(Opml::timeout(RuntimeOrigin::signed(DEFENDER), TASK, ALICE));
		assert_eq!(last_end(), (ALICE, Player::Defender, GameEnd::Timeout));
		assert_eq!(free(DEFENDER), START - RESULT_BOND + CHALLENGE_BOND * 9 / 10);
		assert_eq!(task_state(TASK), Some(TaskState::Challenging));
		Opml::do_try_state().unwrap();
	});
}

#[test]
fn a_second_challengers_game_goes_on_after_the_first_ends() {
	// Against an honest result: both lose, one after the other, and the result stands.
	new_test_ext().execute_with(|| {
		setup();
		let tree = honest();
		assert_ok!(post(&tree));
		assert_ok!(Opml::challenge(RuntimeOrigin::signed(ALICE), TASK, 0));
		assert_ok!(Opml::challenge(RuntimeOrigin::signed(BOB), TASK, 2));
		play(ALICE, &tree, &tree);
		assert_eq!(last_end().0, ALICE);
		assert_eq!(Results::<Test>::get(TASK).unwrap().open_games, 1);
		System::set_block_number(1 + CHALLENGE_PERIOD);
		assert_noop!(Opml::finalize(RuntimeOrigin::signed(CAROL), TASK), Error::<Test>::NotFinal);
		play(BOB, &tree, &tree);
		assert_eq!(last_end(), (BOB, Player::Defender, last_end().2));
		assert_ok!(Opml::finalize(RuntimeOrigin::signed(CAROL), TASK));
		assert_eq!(free(DEFENDER), START + 2 * (CHALLENGE_BOND * 9 / 10));
		Opml::do_try_state().unwrap();
	});
	// Against a wrong one: the first honest challenger to finish wins; the other game closes
	// with its bond returned.
	new_test_ext().execute_with(|| {
		setup();
		let wrong = consistent_from(1, 7, 5);
		assert_ok!(post(&wrong));
		// A challenger that disputes the wrong layer loses on its own…
		assert_ok!(Opml::challenge(RuntimeOrigin::signed(CAROL), TASK, 2));
		play(CAROL, &wrong, &wrong);
		assert_eq!(last_end(), (CAROL, Player::Defender, last_end().2));
		// …and does not stop the next.
		assert_ok!(Opml::challenge(RuntimeOrigin::signed(ALICE), TASK, 1));
		assert_ok!(Opml::challenge(RuntimeOrigin::signed(BOB), TASK, 1));
		play(ALICE, &wrong, &honest());
		assert_eq!(last_end().1, Player::Challenger);
		assert!(Games::<Test>::get(TASK, BOB).is_none());
		assert_eq!(free(BOB), START);
		assert_eq!(free(CAROL), START - CHALLENGE_BOND);
		assert_eq!(task_state(TASK), Some(TaskState::Overturned));
		Opml::do_try_state().unwrap();
	});
}

#[test]
fn malformed_moves_and_proofs_are_refused_and_change_nothing() {
	new_test_ext().execute_with(|| {
		setup();
		let wrong = with_value(1, 20, 1);
		assert_ok!(post(&wrong));
		let signed = RuntimeOrigin::signed;
		assert_noop!(Opml::challenge(signed(DEFENDER), TASK, 1), Error::<Test>::OwnResult);
		assert_noop!(Opml::challenge(signed(ALICE), TASK, 3), Error::<Test>::NoSuchLayer);
		assert_noop!(Opml::challenge(signed(ALICE), 99, 1), Error::<Test>::NoResult);
		assert_ok!(Opml::challenge(signed(ALICE), TASK, 1));
		assert_noop!(Opml::challenge(signed(ALICE), TASK, 1), Error::<Test>::AlreadyChallenged);
		assert_ok!(Opml::challenge(signed(BOB), TASK, 1));
		assert_ok!(Opml::challenge(signed(CAROL), TASK, 1));
		assert_noop!(Opml::challenge(signed(5), TASK, 1), Error::<Test>::TooManyChallengers);
		let g = game(ALICE);
		let Opening::Children { left, right } = open(&wrong, &g) else { panic!("inner node") };
		// Wrong hashes, a value at an inner node, the wrong player, the wrong turn.
		for bad in [
			Opening::Children { left: right, right: left },
			Opening::Children { left, right: H256::zero() },
			Opening::Value(3),
		] {
			assert_noop!(
				Opml::defend(signed(DEFENDER), TASK, ALICE, bad),
				Error::<Test>::BadOpening
			);
		}
		let good = Opening::Children { left, right };
		assert_noop!(Opml::defend(signed(BOB), TASK, ALICE, good), Error::<Test>::NotPlayer);
		assert_noop!(Opml::defend(signed(DEFENDER), TASK, 5, good), Error::<Test>::NoGame);
		assert_noop!(Opml::choose(signed(ALICE), TASK, true), Error::<Test>::NotYourTurn);
		// Walk ALICE's game down to the leaf.
		while !game(ALICE).node.is_leaf() || game(ALICE).opened.is_none() {
			let g = game(ALICE);
			match g.opened {
				None => {
					assert_noop!(
						Opml::one_step(signed(ALICE), TASK, one_step_of(&g, &honest())),
						Error::<Test>::NotYourTurn
					);
					assert_ok!(Opml::defend(signed(DEFENDER), TASK, ALICE, open(&wrong, &g)));
				},
				Some(Opening::Children { left, .. }) => {
					assert_noop!(
						Opml::defend(signed(DEFENDER), TASK, ALICE, open(&wrong, &g)),
						Error::<Test>::NotYourTurn
					);
					let right = honest().choose_right(g.layer, g.node, &left.0);
					assert_ok!(Opml::choose(signed(ALICE), TASK, right));
				},
				Some(Opening::Value(_)) => unreachable!(),
			}
		}
		let g = game(ALICE);
		assert_eq!(g.node.index, 20);
		assert_noop!(Opml::choose(signed(ALICE), TASK, true), Error::<Test>::NotYourTurn);
		let step = one_step_of(&g, &honest());
		// An input that is not the defender's previous layer.
		let mut bad = step.clone();
		bad.input[0] = bad.input[0].wrapping_add(1);
		assert_noop!(Opml::one_step(signed(ALICE), TASK, bad), Error::<Test>::BadInput);
		let mut bad = step.clone();
		bad.input.pop();
		assert_noop!(Opml::one_step(signed(ALICE), TASK, bad), Error::<Test>::BadInput);
		// Weights, bias or output rule that are not the registered neuron's.
		let mut bad = step.clone();
		bad.row[3] = bad.row[3].wrapping_add(1);
		assert_noop!(Opml::one_step(signed(ALICE), TASK, bad), Error::<Test>::BadWeights);
		let mut bad = step.clone();
		bad.bias += 1;
		assert_noop!(Opml::one_step(signed(ALICE), TASK, bad), Error::<Test>::BadWeights);
		let mut bad = step.clone();
		bad.output = aos_kernel::LayerOutput::Logits;
		assert_noop!(Opml::one_step(signed(ALICE), TASK, bad), Error::<Test>::BadWeights);
		let mut bad = step.clone();
		bad.row_proof.pop();
		assert_noop!(Opml::one_step(signed(ALICE), TASK, bad), Error::<Test>::BadWeights);
		assert_noop!(Opml::one_step(signed(BOB), TASK, step.clone()), Error::<Test>::NotYourTurn);
		assert_ok!(Opml::one_step(signed(ALICE), TASK, step));
		assert_eq!(last_end().1, Player::Challenger);
		// The other games closed, their bonds returned.
		assert_eq!((free(BOB), free(CAROL)), (START, START));
		Opml::do_try_state().unwrap();
	});
}

#[test]
fn parameters_are_checked_against_each_other_and_the_unbonding_period() {
	new_test_ext().execute_with(|| {
		let p = DefaultParams::get();
		let set = |p| Opml::set_parameters(RuntimeOrigin::root(), p);
		assert_noop!(
			Opml::set_parameters(RuntimeOrigin::signed(ALICE), p),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(set(Params { clock: 0, ..p }), Error::<Test>::ParamZeroPeriod);
		assert_noop!(set(Params { challenge_bond: 0, ..p }), Error::<Test>::ParamZeroBond);
		assert_noop!(
			set(Params { max_challengers: 5, ..p }),
			Error::<Test>::ParamChallengersOutOfRange
		);
		// Unbonding 1,000, deferral 10: 500 + 2·250 + 10 does not fit.
		assert_noop!(
			set(Params { challenge_period: 500, clock: 250, ..p }),
			Error::<Test>::ParamDisputeOutlivesUnbonding
		);
		assert_ok!(set(Params { challenge_period: 500, clock: 240, ..p }));
		// A result posted before keeps its terms.
		assert_eq!(Parameters::<Test>::get().clock, 240);
	});
}

#[test]
fn a_walk_reaches_every_neuron_of_the_widest_layer_in_twelve_choices() {
	let node = TreeNode::root(aos_kernel::model::MAX_WIDTH);
	assert_eq!(node.level, 12);
}
