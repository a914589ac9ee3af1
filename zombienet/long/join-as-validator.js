// A new validator joins through staking, as docs/VALIDATORS.md §3-4 tells an operator to:
// session keys generated in the node's own keystore with a proof of ownership
// (author_rotateKeysWithOwner), then from its stash (//Eve, endowed on the local chain)
// staking.bond, session.setKeys and staking.validate in one batch; governance (sudo on the
// local chain) makes room for a fifth validator. Returns 1 once Eve's stash is in the
// session's validator set (the era after the election it won).
//   eve: js-script ./join-as-validator.js return is 1 within 900 seconds

const { send, rpc } = require("./lib.js");

async function run(nodeName, networkInfo) {
  const { wsUri, userDefinedTypes } = networkInfo.nodesByName[nodeName];
  const api = await zombie.connect(wsUri, userDefinedTypes);
  const keyring = new zombie.Keyring({ type: "sr25519" });
  const stash = keyring.addFromUri("//Eve");
  const alice = keyring.addFromUri("//Alice");

  // Newer than this @polkadot/api's RPC definitions: sent as is; the answer is { keys, proof }
  // (author_* methods are unsafe: zombienet starts its nodes with --rpc-methods unsafe).
  const owner = "0x" + Buffer.from(stash.publicKey).toString("hex");
  const { keys, proof } = await rpc(wsUri, "author_rotateKeysWithOwner", [owner]);
  console.log(`eve: session keys ${keys}`);

  const decimals = api.registry.chainDecimals[0];
  const bond = 100000n * 10n ** BigInt(decimals);
  await send(
    api,
    api.tx.utility.batchAll([
      api.tx.staking.bond(bond, "Staked"),
      api.tx.session.setKeys(keys, proof),
      api.tx.staking.validate({ commission: 0, blocked: false }),
    ]),
    stash,
  );
  const count = (await api.query.staking.validatorCount()).toNumber();
  await send(api, api.tx.sudo.sudo(api.tx.staking.setValidatorCount(count + 1)), alice);
  console.log(`eve: bonded and validating; validatorCount ${count + 1}`);

  // Elected at the end of an era, in the set at the next session after it.
  for (;;) {
    const validators = (await api.query.session.validators()).map((v) => v.toString());
    if (validators.includes(stash.address)) {
      console.log(`eve: in the validator set of session ${await api.query.session.currentIndex()}`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 6000));
  }
}

module.exports = { run };
