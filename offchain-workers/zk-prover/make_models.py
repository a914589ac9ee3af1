#!/usr/bin/env python3
"""Makes the ONNX models AOS proves with ezkl, and their calibration inputs.

  make_models.py OUT_DIR

  make_models.py OUT_DIR [NAME...]

writes OUT_DIR/NAME/{model.onnx,calibration.json,input.json} for each model (all by default):

- iris: models/iris/iris.onnx (4 -> 16 -> 16 -> 3 MLP) taking the *quantized* int8 input a task
  carries (x_cm = q * input_scale from models/iris/model.json): the input scale is folded into
  the first layer's weights. With ezkl's input_scale 0 an input felt is then exactly the task's
  int8 value, which is how the chain binds a proof to a task's input.
- conv: a different shape, seeded random weights: a 1x6x6 int input, a 3x3 convolution to 2
  channels, ReLU, flatten, a dense layer to 4 logits.
- mlp16, mlp64, mlp256, mlp508: width -> 16 -> 4 MLPs, the pallet's benchmark vectors (mlp508
  has 512 public instances, the runtime's most).
"""

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def iris(out):
    meta = json.load(open(os.path.join(ROOT, "models/iris/model.json")))
    scale = meta["input_scale"]
    m = onnx.load(os.path.join(ROOT, "models/iris/iris.onnx"))
    for init in m.graph.initializer:
        if init.name == "fc1.weight":
            w = numpy_helper.to_array(init).astype(np.float32) * np.float32(scale)
            init.CopyFrom(numpy_helper.from_array(w, "fc1.weight"))
    # ezkl wants a fixed batch of 1.
    for v in list(m.graph.input) + list(m.graph.output):
        v.type.tensor_type.shape.dim[0].dim_value = 1
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, "model.onnx"))
    rows = np.loadtxt(os.path.join(ROOT, "models/iris/calibration.csv"), delimiter=",")
    q = np.clip(np.round(rows / scale), -127, 127).astype(int)
    json.dump({"input_data": [q[:40].flatten().tolist()]}, open(os.path.join(out, "calibration.json"), "w"))
    json.dump({"input_data": [[82, 56, 23, 3]]}, open(os.path.join(out, "input.json"), "w"))


def conv(out):
    rng = np.random.default_rng(7)
    w1 = (rng.standard_normal((2, 1, 3, 3)) * 0.05).astype(np.float32)
    b1 = (rng.standard_normal(2) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal((4, 32)) * 0.05).astype(np.float32)
    b2 = (rng.standard_normal(4) * 0.1).astype(np.float32)
    g = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w1", "b1"], ["c"], kernel_shape=[3, 3], strides=[1, 1], pads=[0, 0, 0, 0], dilations=[1, 1]),
            helper.make_node("Relu", ["c"], ["r"]),
            helper.make_node("Flatten", ["r"], ["f"], axis=1),
            helper.make_node("Gemm", ["f", "w2", "b2"], ["y"], transB=1),
        ],
        "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [numpy_helper.from_array(a, n) for a, n in [(w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2")]],
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, "model.onnx"))
    cal = rng.integers(-127, 128, size=(8, 36))
    json.dump({"input_data": [cal.flatten().tolist()]}, open(os.path.join(out, "calibration.json"), "w"))
    x = rng.integers(-127, 128, size=36)
    json.dump({"input_data": [x.tolist()]}, open(os.path.join(out, "input.json"), "w"))


def mlp(width):
    """A width -> 16 -> 4 ReLU MLP with seeded weights: the benchmark vectors, whose instance
    count (width + 4) spans the range the pallet's weights are fitted over."""

    def make(out):
        rng = np.random.default_rng(width)
        w1 = (rng.standard_normal((16, width)) * 0.02).astype(np.float32)
        b1 = (rng.standard_normal(16) * 0.1).astype(np.float32)
        w2 = (rng.standard_normal((4, 16)) * 0.1).astype(np.float32)
        b2 = (rng.standard_normal(4) * 0.1).astype(np.float32)
        g = helper.make_graph(
            [
                helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], transB=1),
                helper.make_node("Relu", ["h"], ["r"]),
                helper.make_node("Gemm", ["r", "w2", "b2"], ["y"], transB=1),
            ],
            f"mlp{width}",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, width])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
            [numpy_helper.from_array(a, n) for a, n in [(w1, "w1"), (b1, "b1"), (w2, "w2"), (b2, "b2")]],
        )
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        onnx.checker.check_model(m)
        onnx.save(m, os.path.join(out, "model.onnx"))
        cal = rng.integers(-127, 128, size=(8, width))
        json.dump({"input_data": [cal.flatten().tolist()]}, open(os.path.join(out, "calibration.json"), "w"))
        json.dump({"input_data": [rng.integers(-127, 128, size=width).tolist()]}, open(os.path.join(out, "input.json"), "w"))

    return make


MODELS = [("iris", iris), ("conv", conv), ("mlp16", mlp(16)), ("mlp64", mlp(64)), ("mlp256", mlp(256)), ("mlp508", mlp(508))]


def main():
    out = sys.argv[1]
    only = sys.argv[2:]
    for name, make in MODELS:
        if only and name not in only:
            continue
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        make(d)
        print(f"{d}/model.onnx")


if __name__ == "__main__":
    main()
