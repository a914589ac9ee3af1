// After the upgrade the bridge works on the upgraded chain: pallet-checkpoints, new in this
// runtime, closes checkpoints at the period InitParameters chose for this chain's operators,
// and the operators (this tree's aos-operator, which signs once the runtime has the bridge)
// sign one to quorum. Checkpoint 0 is the bootstrap one, final without signatures: this waits
// for a later one to be final. Returns its id.
//   alice: js-script ./signed-checkpoint.js return is greater than 0 within 300 seconds

async function run(nodeName, networkInfo) {
  const { wsUri, userDefinedTypes } = networkInfo.nodesByName[nodeName];
  const api = await zombie.connect(wsUri, userDefinedTypes);
  const p = await api.query.checkpoints.parameters();
  console.log(
    `checkpoints: a period of ${p.period} blocks, ${p.signingWindow} to sign, ${p.retention} kept`,
  );
  for (;;) {
    const last = await api.query.checkpoints.lastFinal();
    const id = last.isSome ? last.unwrap().toNumber() : 0;
    if (id > 0) {
      const signatures = (await api.query.checkpoints.signatures.keys(id)).length;
      console.log(`checkpoint ${id} is final with ${signatures} operators' signatures`);
      if (signatures === 0) throw new Error(`checkpoint ${id} is final with no signature`);
      await api.disconnect();
      return id;
    }
    await new Promise((r) => setTimeout(r, 6000));
  }
}

module.exports = { run };
