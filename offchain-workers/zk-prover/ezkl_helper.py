#!/usr/bin/env python3
"""AOS's driver of the real ezkl (PyPI wheel, pinned in offchain-workers/zk-prover/requirements.txt).

Used by the operator service (which runs `prove` as a subprocess) and by
offchain-workers/zk-prover/gen-test-vectors.sh (which runs `setup` then `prove`). Commands:

  setup  --onnx M --dir D --calibration DATA.json [--scale S] [--logrows K] [--test-srs AOS_ZK_CLI]
         settings (inputs and outputs public, weights fixed in the circuit: the verifying key
         IS the model; check_mode SAFE, never UNSAFE) -> calibrated -> compiled circuit ->
         a local test SRS made offline -> keys -> the VKA (create_evm_vka). The SRS is
         ezkl's gen_srs's (a random secret), or with --test-srs the devnet's fixed test SRS
         that `AOS_ZK_CLI test-srs` writes (the aos-zk-cli binary: its secret is public, and the
         development chains trust it).
         Writes D/{model.onnx,settings.json,network.ezkl,kzg.srs,vk.key,pk.key,vka.bin}.
  prove  --dir D --input X.json --proof OUT.json
         witness + proof (+ ezkl's own verify, which SAFE mode implies) for one input;
         prints one JSON line {"prove_ms": .., "witness_ms": .., "instances": n}.
  verify --dir D --proof P.json      ezkl's own verify; exit status 0 iff valid.
  raw    --proof P.json --out D       writes D/proof.bin (the proof bytes) and D/instances.bin
         (the instances as 32-byte big-endian field elements, as the chain takes them).

Input JSON is ezkl's: {"input_data": [[x0, x1, ...]]}. Every output file is checked after it is
written (ezkl's create_evm_vka has been seen to crash the interpreter at exit after writing a
correct file, so this script checks outputs, not exit codes).
"""

import argparse
import asyncio
import inspect
import json
import os
import struct
import subprocess
import sys
import time

import ezkl

EZKL_VERSION = "23.0.5"


def fail(msg):
    print(f"ezkl_helper: {msg}", file=sys.stderr)
    sys.exit(2)


def call(f, *args, **kwargs):
    """Calls an ezkl binding whether it is sync or async in this version (both inside a loop)."""

    async def go():
        r = f(*args, **kwargs)
        if inspect.isawaitable(r):
            r = await r
        return r

    return asyncio.run(go())


def check_version():
    v = getattr(ezkl, "__version__", None)
    if v is not None and v != EZKL_VERSION:
        fail(f"ezkl {v} installed, {EZKL_VERSION} required (pip install -r offchain-workers/zk-prover/requirements.txt)")


def check_file(path, what):
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        fail(f"{what} was not written: {path}")


def check_vka(path):
    check_file(path, "the VKA")
    data = open(path, "rb").read()
    if len(data) < 8:
        fail(f"VKA too short: {path}")
    (count,) = struct.unpack("<Q", data[:8])
    if 8 + 32 * count != len(data):
        fail(f"VKA {path}: {count} words declared, {len(data) - 8} bytes follow")
    return count


def setup(args):
    d = args.dir
    os.makedirs(d, exist_ok=True)
    model = os.path.join(d, "model.onnx")
    if os.path.abspath(args.onnx) != os.path.abspath(model):
        with open(args.onnx, "rb") as src, open(model, "wb") as dst:
            dst.write(src.read())
    settings = os.path.join(d, "settings.json")
    ra = ezkl.PyRunArgs()
    ra.input_visibility = "public"
    ra.output_visibility = "public"
    # Weights in fixed columns: they are part of the verifying key, so a VK names one model.
    ra.param_visibility = "fixed"
    ra.check_mode = "safe"
    ra.input_scale = args.scale
    ra.param_scale = args.scale
    if not ezkl.gen_settings(model, settings, py_run_args=ra):
        fail("gen_settings failed")
    # Calibration picks the lookup range and logrows at the given fixed-point scale.
    ok = call(ezkl.calibrate_settings, args.calibration, model, settings, "resources", scales=[args.scale])
    if not ok:
        fail("calibrate_settings failed")
    s = json.load(open(settings))
    if args.logrows is not None:
        s["run_args"]["logrows"] = args.logrows
    # Never UNSAFE: calibration must not have relaxed it.
    s["run_args"]["check_mode"] = "SAFE"
    json.dump(s, open(settings, "w"))
    logrows = s["run_args"]["logrows"]
    compiled = os.path.join(d, "network.ezkl")
    if not ezkl.compile_circuit(model, compiled, settings):
        fail("compile_circuit failed")
    srs = os.path.join(d, "kzg.srs")
    # A local, insecure test SRS made offline: fine for tests and the devnet, never production.
    if args.test_srs:
        subprocess.run([args.test_srs, "test-srs", "--k", str(logrows), "--out", srs],
                       check=True, stdout=subprocess.DEVNULL)
    else:
        ezkl.gen_srs(srs, logrows)
    check_file(srs, "the SRS")
    vk, pk = os.path.join(d, "vk.key"), os.path.join(d, "pk.key")
    if not ezkl.setup(compiled, vk, pk, srs_path=srs):
        fail("setup failed")
    check_file(vk, "the verifying key")
    check_file(pk, "the proving key")
    vka = os.path.join(d, "vka.bin")
    call(ezkl.create_evm_vka, vk, settings, vka, srs_path=srs, decimals=0)
    words = check_vka(vka)
    print(json.dumps({"logrows": logrows, "vka_words": words}))


def prove(args):
    d = args.dir
    compiled = os.path.join(d, "network.ezkl")
    witness = args.proof + ".witness.json"
    t0 = time.monotonic()
    call(ezkl.gen_witness, args.input, compiled, witness)
    check_file(witness, "the witness")
    t1 = time.monotonic()
    ezkl.prove(witness, compiled, os.path.join(d, "pk.key"), args.proof, srs_path=os.path.join(d, "kzg.srs"))
    t2 = time.monotonic()
    check_file(args.proof, "the proof")
    os.remove(witness)
    proof = json.load(open(args.proof))
    n = sum(len(col) for col in proof["instances"])
    print(json.dumps({"witness_ms": round((t1 - t0) * 1000), "prove_ms": round((t2 - t1) * 1000), "instances": n}))


def verify(args):
    d = args.dir
    try:
        ok = ezkl.verify(args.proof, os.path.join(d, "settings.json"), os.path.join(d, "vk.key"),
                         srs_path=os.path.join(d, "kzg.srs"))
    except Exception as e:  # ezkl raises on a malformed or invalid proof
        print(f"invalid: {e}")
        sys.exit(1)
    print("valid" if ok else "invalid")
    sys.exit(0 if ok else 1)


def raw(args):
    p = json.load(open(args.proof))
    if "hex_proof" in p and p["hex_proof"]:
        proof = bytes.fromhex(p["hex_proof"].removeprefix("0x"))
    else:
        proof = bytes(p["proof"])
    # proof.json holds each instance as the hex of its little-endian bytes.
    inst = b"".join(bytes.fromhex(e)[::-1] for col in p["instances"] for e in col)
    open(os.path.join(args.out, "proof.bin"), "wb").write(proof)
    open(os.path.join(args.out, "instances.bin"), "wb").write(inst)
    print(json.dumps({"proof_bytes": len(proof), "instances": len(inst) // 32}))


def main():
    check_version()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--onnx", required=True)
    s.add_argument("--dir", required=True)
    s.add_argument("--calibration", required=True)
    s.add_argument("--scale", type=int, default=7, help="fixed-point scale (log2) of inputs and weights")
    s.add_argument("--logrows", type=int)
    s.add_argument("--test-srs", help="the aos-zk-cli binary: use the devnet's fixed test SRS")
    s.set_defaults(func=setup)
    s = sub.add_parser("prove")
    s.add_argument("--dir", required=True)
    s.add_argument("--input", required=True)
    s.add_argument("--proof", required=True)
    s.set_defaults(func=prove)
    s = sub.add_parser("verify")
    s.add_argument("--dir", required=True)
    s.add_argument("--proof", required=True)
    s.set_defaults(func=verify)
    s = sub.add_parser("raw")
    s.add_argument("--proof", required=True)
    s.add_argument("--out", required=True)
    s.set_defaults(func=raw)
    args = p.parse_args()
    args.func(args)
    sys.stdout.flush()
    # Skip interpreter teardown: ezkl's native runtime has crashed there after correct work.
    os._exit(0)


if __name__ == "__main__":
    main()
