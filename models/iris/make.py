#!/usr/bin/env python3
"""Builds the AOS demo classifier: a 4 -> 16 -> 16 -> 3 ReLU MLP on the Iris data set.

Writes, next to this script:

- iris.onnx        the float model (Gemm + Relu nodes, opset 13), raw measurements in cm as input
                   (the standardisation the network was trained with is folded into the first
                   layer), the three class logits as output;
- calibration.csv  the training inputs, one sample per row (sepal length, sepal width, petal
                   length, petal width, in cm), no header: the importer's calibration set;
- labels.txt       the class names, one per line, in logit order.

Everything is seeded: with the versions in requirements.txt a rerun writes the same files. The
data set is the copy bundled with scikit-learn (nothing is downloaded).

Then quantize with the importer (see README.md):

    cargo run -p aos-model-import -- models/iris/iris.onnx \
        --calibration models/iris/calibration.csv --labels-file models/iris/labels.txt \
        --out models/iris/iris.aosm
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

SEED = 0
HIDDEN = (16, 16)
HERE = os.path.dirname(os.path.abspath(__file__))


def train():
    iris = load_iris()
    x_train, x_test, y_train, y_test = train_test_split(
        iris.data, iris.target, test_size=0.2, stratify=iris.target, random_state=SEED
    )
    scaler = StandardScaler().fit(x_train)
    mlp = MLPClassifier(
        hidden_layer_sizes=HIDDEN,
        activation="relu",
        solver="adam",
        alpha=1e-3,
        max_iter=3000,
        random_state=SEED,
    )
    mlp.fit(scaler.transform(x_train), y_train)
    return iris, scaler, mlp, (x_train, y_train), (x_test, y_test)


def layers_of(scaler, mlp):
    """The network as float32 (weights [out, in], biases [out]) on raw inputs.

    The scaler is folded into the first layer, (x - mean) / scale then W, so the model takes the
    measurements as they are: W' = W / scale, b' = b - W' . mean.
    """
    layers = []
    for i, (w, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        w = w.T.astype(np.float64)  # scikit-learn stores [in, out]
        b = b.astype(np.float64)
        if i == 0:
            w = w / scaler.scale_
            b = b - w @ scaler.mean_
        layers.append((w.astype(np.float32), b.astype(np.float32)))
    return layers


def export(layers, path):
    initializers, nodes = [], []
    current = "input"
    for i, (w, b) in enumerate(layers, start=1):
        initializers.append(numpy_helper.from_array(w, name=f"fc{i}.weight"))
        initializers.append(numpy_helper.from_array(b, name=f"fc{i}.bias"))
        last = i == len(layers)
        out = "logits" if last else f"fc{i}.out"
        nodes.append(
            helper.make_node(
                "Gemm",
                [current, f"fc{i}.weight", f"fc{i}.bias"],
                [out],
                name=f"fc{i}",
                transB=1,
            )
        )
        current = out
        if not last:
            nodes.append(helper.make_node("Relu", [current], [f"relu{i}.out"], name=f"relu{i}"))
            current = f"relu{i}.out"
    inputs = layers[0][0].shape[1]
    outputs = layers[-1][0].shape[0]
    graph = helper.make_graph(
        nodes,
        "iris_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", inputs])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", outputs])],
        initializer=initializers,
    )
    model = helper.make_model(
        graph,
        producer_name="aos models/iris/make.py",
        opset_imports=[helper.make_opsetid("", 13)],
        ir_version=8,
    )
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)
    return model


def forward(layers, x):
    h = x.astype(np.float64)
    for i, (w, b) in enumerate(layers):
        h = h @ w.astype(np.float64).T + b.astype(np.float64)
        if i + 1 < len(layers):
            h = np.maximum(h, 0.0)
    return h


def main():
    iris, scaler, mlp, (x_train, y_train), (x_test, y_test) = train()
    layers = layers_of(scaler, mlp)
    model = export(layers, os.path.join(HERE, "iris.onnx"))

    # The exported graph must compute what scikit-learn computes.
    logits = ReferenceEvaluator(model).run(None, {"input": x_train.astype(np.float32)})[0]
    sk = mlp.predict(scaler.transform(x_train))
    assert (logits.argmax(axis=1) == sk).all(), "ONNX export disagrees with scikit-learn"
    assert (forward(layers, x_train).argmax(axis=1) == sk).all()

    with open(os.path.join(HERE, "calibration.csv"), "w") as f:
        for row in x_train:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    with open(os.path.join(HERE, "labels.txt"), "w") as f:
        for name in iris.target_names:
            f.write(f"{name}\n")

    train_acc = (forward(layers, x_train).argmax(axis=1) == y_train).mean()
    test_acc = (forward(layers, x_test).argmax(axis=1) == y_test).mean()
    print(f"iris MLP 4 -> {' -> '.join(map(str, HIDDEN))} -> 3, {mlp.n_iter_} epochs")
    print(f"float accuracy: train {train_acc:.4f} ({len(y_train)} samples), "
          f"test {test_acc:.4f} ({len(y_test)} samples)")


if __name__ == "__main__":
    main()
