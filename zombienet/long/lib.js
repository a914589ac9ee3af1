// Helpers for the long suite's js-scripts (required, not run by zombienet).

// Signs and sends `tx` as `signer`; resolves with { block, events } once it is in a block,
// rejects with the module error (`section.Name`) if it failed.
function send(api, tx, signer) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, dispatchError, events }) => {
      if (dispatchError) {
        const e = dispatchError.isModule
          ? api.registry.findMetaError(dispatchError.asModule)
          : { section: "", name: dispatchError.toString() };
        reject(new Error(`${e.section}.${e.name}`));
      } else if (status.isInBlock) {
        resolve({ block: status.asInBlock.toHex(), events });
      }
    }).catch(reject);
  });
}

// The first event `section.method` among `events` (records of an extrinsic), or throws.
function eventOf(events, section, method) {
  const found = events.find(({ event }) => event.section === section && event.method === method);
  if (!found) {
    const seen = events.map(({ event }) => `${event.section}.${event.method}`).join(", ");
    throw new Error(`no ${section}.${method} event (saw ${seen})`);
  }
  return found.event;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A JSON-RPC call over HTTP to the node at `wsUri` (its RPC port serves both), for methods
// newer than this @polkadot/api's definitions; resolves with the result, rejects with the error.
async function rpc(wsUri, method, params = []) {
  const response = await fetch(wsUri.replace(/^ws/, "http"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(30000),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

module.exports = { send, eventOf, sleep, rpc };
