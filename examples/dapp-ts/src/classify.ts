// A dApp on AOS, with @polkadot/api: classify an Iris flower with verifiable inference.
//
//   npm start -- [--url ws://127.0.0.1:9944] [--suri //Alice] [--model-dir ../../models/iris]
//                [--model-uri http://127.0.0.1:9980/iris.aosm]
//                [--measurements 5.1,3.5,1.4,0.2] [--fee 3] [--redundancy 3]
//
// It registers the model from its aos-model-import sidecar (model.json) unless it is already
// registered, at --model-uri: where operators fetch the file, over http(s) (they never read a
// location from chain data as a local path; the default is where scripts/devnet.sh serves
// it). Then it submits a task (PoS+W redundancy mode) as a signed extrinsic over JSON-RPC, waits
// until operators chosen by VRF have computed it and the chain has verified it, and prints the
// verified class. Reads go through AOS's own JSON-RPC methods (docs/RPC.md).

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const UNIT = 10n ** 18n;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** AOS's JSON-RPC methods, for @polkadot/api (answers are plain JSON). */
const aosRpc = {
  aos: {
    task: {
      description: 'A task with its assigned operators',
      params: [{ name: 'id', type: 'u64' }, { name: 'at', type: 'Hash', isOptional: true }],
      type: 'Json',
    },
    tasksOf: {
      description: "An owner's task ids",
      params: [
        { name: 'owner', type: 'AccountId' },
        { name: 'after', type: 'Option<u64>', isOptional: true },
        { name: 'limit', type: 'Option<u32>', isOptional: true },
        { name: 'at', type: 'Hash', isOptional: true },
      ],
      type: 'Json',
    },
    model: {
      description: 'A registered model',
      params: [{ name: 'id', type: 'H256' }, { name: 'at', type: 'Hash', isOptional: true }],
      type: 'Json',
    },
  },
};

interface Sidecar {
  kernel_version: number;
  inputs: number;
  input_scale: number;
  layers: { inputs: number; outputs: number; root: string }[];
  content_hash: string;
  labels: string[];
}

interface TaskJson {
  id: number;
  status: { phase: string };
  result: null | { output: string; top: number[]; agreeing: number; conflicting: number; assigned: number };
  pool: string;
  claims: { operator: string }[];
}

/** Signs, submits and waits for inclusion; throws the dispatch error by name. */
async function send(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair) {
  return new Promise<{ blockHash: string; events: any[] }>((resolvePromise, reject) => {
    let unsubscribe: (() => void) | undefined;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (dispatchError) {
        unsubscribe?.();
        if (dispatchError.isModule) {
          const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
          reject(new Error(`${section}.${name}: ${docs.join(' ')}`));
        } else {
          reject(new Error(dispatchError.toString()));
        }
      } else if (status.isInBlock) {
        unsubscribe?.();
        resolvePromise({ blockHash: status.asInBlock.toHex(), events });
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        unsubscribe?.();
        reject(new Error(`the transaction was ${status.type}`));
      }
    })
      .then((u) => (unsubscribe = u))
      .catch(reject);
  });
}

async function main() {
  const url = arg('url', 'ws://127.0.0.1:9944');
  const modelDir = resolve(arg('model-dir', join(import.meta.dirname ?? '.', '../../../models/iris')));
  const measurements = arg('measurements', '5.1,3.5,1.4,0.2').split(',').map(Number);
  const fee = BigInt(arg('fee', '3')) * UNIT;
  const redundancy = Number(arg('redundancy', '3'));

  const api = await ApiPromise.create({ provider: new WsProvider(url), rpc: aosRpc, noInitWarn: true });
  const dapp = new Keyring({ type: 'sr25519' }).addFromUri(arg('suri', '//Alice'));
  const sidecar: Sidecar = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
  const rpc = (api.rpc as any).aos;
  console.log(`connected to ${(await api.rpc.system.chain()).toString()} at ${url} as ${dapp.address}`);

  // The model: registered once, by its content hash.
  const model = sidecar.content_hash;
  if ((await rpc.model(model)).toJSON() === null) {
    const tx = api.tx.inference.registerModel(
      model,
      sidecar.kernel_version,
      sidecar.inputs,
      sidecar.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, root: l.root })),
      arg('model-uri', 'http://127.0.0.1:9980/iris.aosm'),
      1, // the PoS+W redundancy mode
      UNIT,
    );
    await send(api, tx, dapp);
    console.log(`registered model ${model}`);
  } else {
    console.log(`model ${model} is registered`);
  }

  // The input, quantized as the importer calibrated the model.
  if (measurements.length !== sidecar.inputs || measurements.some(Number.isNaN)) {
    throw new Error(`--measurements: ${sidecar.inputs} numbers, comma-separated`);
  }
  const input = measurements.map((x) => Math.max(-127, Math.min(127, Math.round(x / sidecar.input_scale))));
  const submit = api.tx.inference.submitTask(
    model,
    { Inline: input },
    fee,
    'Redundancy',
    redundancy,
    { topK: 1, invTemperatureQ16: 1 << 16 },
  );
  const { events } = await send(api, submit, dapp);
  const submitted = events.find(({ event }) => api.events.inference.TaskSubmitted.is(event));
  if (!submitted) throw new Error('no TaskSubmitted event');
  const taskId = Number(submitted.event.data[0].toString());
  console.log(`task ${taskId} submitted: input ${JSON.stringify(input)}, k = ${redundancy}, fee ${fee / UNIT} AOS`);

  // Wait for the operators and the chain.
  let task: TaskJson;
  let phase = '';
  for (;;) {
    task = (await rpc.task(taskId)).toJSON() as TaskJson;
    if (task.status.phase !== phase) {
      phase = task.status.phase;
      console.log(`  ${phase}${task.claims.length ? ` (${task.claims.length} operators assigned)` : ''}`);
    }
    if (phase === 'settled' || phase === 'undecided') break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  if (task.result === null) {
    console.log(`task ${taskId} is undecided: no result won, the fee was refunded`);
  } else {
    const [cls] = task.result.top;
    console.log(`verified result: class ${cls} = ${sidecar.labels[cls]}`);
    console.log(
      `  ${task.result.agreeing} of ${task.result.assigned} operators agreed, ${task.result.conflicting} disagreed; output digest ${task.result.output}`,
    );
  }
  await api.disconnect();
}

main().catch((e) => {
  console.error(`error: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
