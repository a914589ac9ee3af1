// A runtime upgrade through governance, as docs/UPGRADES.md tells the council to make one:
// 1. a council motion, rootDispatch.dispatchAsRoot(system.authorizeUpgrade(hash)): Alice
//    proposes it with a threshold of 3 (all three members: the three quarters RootOrigin
//    needs), Bob and Charlie vote aye, and it is closed;
// 2. anyone applies the code (system.applyAuthorizedUpgrade): it must hash to what was
//    authorized, and is free when it does.
// In the block that applies the code Bob also submits an inference task, so that a task is
// pending when the new runtime takes over; its id goes to <network>/pending-task. Returns the
// new spec version once the chain runs the new code.
//   alice: js-script ./upgrade-by-council.js return is greater than 112 within 600 seconds
const fs = require("fs");
const path = require("path");
const { send, eventOf, sleep } = require("./lib.js");

async function run(nodeName, networkInfo) {
  const { wsUri, userDefinedTypes } = networkInfo.nodesByName[nodeName];
  const api = await zombie.connect(wsUri, userDefinedTypes);
  const keyring = new zombie.Keyring({ type: "sr25519" });
  const [alice, bob, charlie] = ["//Alice", "//Bob", "//Charlie"].map((s) => keyring.addFromUri(s));

  const code = fs.readFileSync(process.env.AOS_RUNTIME_WASM);
  const hash = zombie.util.blake2AsHex(code, 256);
  const before = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();
  console.log(`upgrade: running spec ${before}; new code ${code.length} bytes, hash ${hash}`);

  // 1. The motion.
  const proposal = api.tx.rootDispatch.dispatchAsRoot(api.tx.system.authorizeUpgrade(hash));
  const members = (await api.query.council.members()).length;
  const proposed = await send(
    api,
    api.tx.council.propose(members, proposal, proposal.method.encodedLength),
    alice,
  );
  const [, index, proposalHash] = eventOf(proposed.events, "council", "Proposed").data;
  console.log(`upgrade: motion #${index} ${proposalHash} proposed by Alice`);
  for (const member of [alice, bob, charlie]) {
    const votes = (await api.query.council.voting(proposalHash)).unwrap();
    if (votes.ayes.some((a) => a.toString() === member.address)) continue;
    await send(api, api.tx.council.vote(proposalHash, index, true), member);
    console.log(`upgrade: ${member.address} voted aye`);
  }
  const closed = await send(
    api,
    api.tx.council.close(
      proposalHash,
      index,
      { refTime: 10_000_000_000n, proofSize: 1_000_000n },
      proposal.method.encodedLength,
    ),
    alice,
  );
  const executed = eventOf(closed.events, "council", "Executed").data[1];
  if (!executed.isOk) throw new Error(`the motion's call failed: ${executed.toString()}`);
  const dispatched = eventOf(closed.events, "rootDispatch", "DispatchedAsRoot").data[0];
  if (!dispatched.isOk) throw new Error(`authorizeUpgrade failed: ${dispatched.toString()}`);
  eventOf(closed.events, "system", "UpgradeAuthorized");
  console.log(`upgrade: the council authorized ${hash}`);

  // 2. The code, and a task in the same block.
  const model = fs.readFileSync(path.join(networkInfo.tmpDir, "operators", "model"), "utf8").trim();
  const decimals = api.registry.chainDecimals[0];
  const task = api.tx.inference.submitTask(
    model,
    { Inline: [82, 56, 23, 3] },
    3n * 10n ** BigInt(decimals),
    "Redundancy",
    3,
    { topK: 1, invTemperatureQ16: 65536 },
  );
  const [taskIn, upgradeIn] = await Promise.all([
    send(api, task, bob),
    send(api, api.tx.system.applyAuthorizedUpgrade(`0x${code.toString("hex")}`), alice),
  ]);
  const id = eventOf(taskIn.events, "inference", "TaskSubmitted").data[0].toString();
  fs.writeFileSync(path.join(networkInfo.tmpDir, "pending-task"), `${id}\n`);
  eventOf(upgradeIn.events, "system", "CodeUpdated");
  console.log(`upgrade: code applied in ${upgradeIn.block}; task ${id} submitted in ${taskIn.block}`);

  // The new code runs from the next block.
  for (;;) {
    const now = (await api.rpc.state.getRuntimeVersion()).specVersion.toNumber();
    if (now !== before) {
      console.log(`upgrade: the chain runs spec ${now}`);
      await api.disconnect();
      return now;
    }
    await sleep(2000);
  }
}

module.exports = { run };
