// Validator $1 (whose session keys are //$1's) equivocated in $2 ("babe": two blocks for one
// slot; "grandpa": two votes in one round): pallet-offences holds a report of that kind against
// it, and staking slashed its stash: the slash is among the unapplied ones (every slash waits
// SlashDeferDuration eras, for governance to cancel it if it was wrong). Returns 1 once both
// are seen.
//   alice: js-script ./slashed.js with "Dave,babe" return is 1 within 600 seconds
const { sleep } = require("./lib.js");

async function run(nodeName, networkInfo, args) {
  const { wsUri, userDefinedTypes } = networkInfo.nodesByName[nodeName];
  const api = await zombie.connect(wsUri, userDefinedTypes);
  const keyring = new zombie.Keyring({ type: "sr25519" });
  const babe = keyring.addFromUri(`//${args[0]}`).publicKey;
  // The stash whose BABE key that is.
  const queued = await api.query.session.queuedKeys();
  const found = queued.find(([, keys]) => Buffer.from(keys.babe.toU8a()).equals(Buffer.from(babe)));
  if (!found) throw new Error(`no validator has //${args[0]}'s BABE key`);
  const stash = found[0].toString();
  // The offence kinds, as pallet-babe and pallet-grandpa name them (16 bytes).
  const kinds = { babe: "babe:equivocatio", grandpa: "grandpa:equivoca" };
  const kind = kinds[args[1]];
  if (!kind) throw new Error(`unknown offence kind ${args[1]}: babe or grandpa`);
  console.log(`slashed: //${args[0]}'s BABE key is ${stash}'s`);

  for (;;) {
    const reported = [];
    const unapplied = await api.query.staking.unappliedSlashes.entries();
    for (const [key, slashes] of unapplied) {
      for (const s of slashes) {
        if (s.validator.toString() === stash) reported.push([key.args[0].toNumber(), s.own.toBigInt()]);
      }
    }
    // Reports of this kind against the stash: their ids are indexed by kind and time slot.
    let offences = 0;
    for (const [key, ids] of await api.query.offences.concurrentReportsIndex.entries()) {
      if (Buffer.from(key.args[0].toU8a()).toString("latin1") !== kind) continue;
      for (const id of ids) {
        const report = await api.query.offences.reports(id);
        if (report.isSome && report.unwrap().offender[0].toString() === stash) offences += 1;
      }
    }
    if (reported.length > 0 && offences > 0) {
      const [era, own] = reported[0];
      console.log(`slashed: ${offences} ${args[1]} offence report(s) against ${stash}; to lose ${own} of its own stake, applied in era ${era}`);
      if (own <= 0n) throw new Error("a slash of nothing");
      await api.disconnect();
      return 1;
    }
    await sleep(6000);
  }
}

module.exports = { run };
