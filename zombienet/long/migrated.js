// After the upgrade: the migrations ran on the live chain's state.
// - pallet-operators is at storage version 1, and its parameters decode with the sixth slash
//   rule, `checkpointEquivocation`, which the migration set to the rule of a wrong result;
// - pallet-checkpoints, new in this runtime, has every active operator with an Ethereum
//   address marked for its first checkpoint (SeedOperatorSet), and there is at least one;
// - its parameters are stored and their equivocation report window ends before the operators'
//   stake unbonds (InitParameters: this chain's operators unbond in 1,000 blocks, too soon for
//   the production default).
// Returns 1 when all hold; throws saying which does not.
//   alice: js-script ./migrated.js return is 1 within 120 seconds

async function run(nodeName, networkInfo) {
  const { wsUri, userDefinedTypes } = networkInfo.nodesByName[nodeName];
  const api = await zombie.connect(wsUri, userDefinedTypes);

  const version = (await api.query.operators.palletVersion()).toNumber();
  if (version !== 1) throw new Error(`pallet-operators at storage version ${version}, not 1`);
  const operatorParams = await api.query.operators.parameters();
  const rules = operatorParams.slashRules;
  if (!rules.checkpointEquivocation.eq(rules.wrongResult)) {
    throw new Error(`checkpointEquivocation ${rules.checkpointEquivocation} != wrongResult`);
  }

  const stored = await api.rpc.state.getStorage(api.query.checkpoints.parameters.key());
  if (stored.isNone) throw new Error("pallet-checkpoints has no stored parameters");
  const p = await api.query.checkpoints.parameters();
  const window = (p.period.toNumber() + p.signingWindow.toNumber()) * p.retention.toNumber();
  const defer = operatorParams.slashDeferPeriod.toNumber();
  const unbonding = operatorParams.unbondingPeriod.toNumber();
  console.log(`migrated: reports within ${window} blocks, slashes deferred ${defer}, unbonding ${unbonding}`);
  if (window + defer >= unbonding) {
    throw new Error(`the report window ${window} + deferral ${defer} outlasts unbonding ${unbonding}`);
  }

  const operators = await api.query.operators.operators.entries();
  const wanted = operators
    .filter(([, op]) => op.unwrap().ethAddress.isSome && op.unwrap().status.isActive)
    .map(([key]) => key.args[0].toString());
  const dirty = new Set((await api.query.checkpoints.dirty.keys()).map((k) => k.args[0].toString()));
  const members = (await api.query.checkpoints.memberCount()).toNumber();
  console.log(
    `migrated: ${operators.length} operators, ${wanted.length} with an Ethereum address; ` +
      `${dirty.size} marked for the first checkpoint, ${members} members`,
  );
  if (wanted.length === 0) throw new Error("no operator with an Ethereum address to carry over");
  const missing = wanted.filter((who) => !dirty.has(who));
  // Marked, or already in the set if the first checkpoint has closed since.
  if (missing.length > 0 && members < wanted.length) {
    throw new Error(`not in the operator set nor marked for it: ${missing.join(", ")}`);
  }
  await api.disconnect();
  return 1;
}

module.exports = { run };
