#!/usr/bin/env python3
"""Writes one tiny ONNX graph per benchmark shape for onnxruntime-web's side of bench/gemm.mjs.

Each graph is a single MatMul: Y[M x N] = A[M x K] @ B[K x N], with A a graph input and B an
initializer (weights fixed at load, as in a model), so onnxruntime may pre-pack B once at
session creation the way tetra's gemm_f32_pack_b does. B's values are float32 from a seeded
generator and also written raw (little-endian) beside the model, so the benchmark hands the
identical weights to tetra and can compare the two results.

usage: /usr/bin/python3 bench/make_matmul_onnx.py --out bench/out/onnx M,K,N [M,K,N ...]
Needs Debian's python3-onnx and python3-numpy. Prints a JSON list of what it wrote.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FORMAT = 1  # bump when the files' content changes; bench/gemm.mjs checks it


def make(m, k, n, out):
    name = f"matmul_{m}x{k}x{n}"
    rng = np.random.default_rng(1000003 * m + 1009 * k + n)
    # Uniform in [-1, 1): a typical scale for trained weights times O(1) activations.
    b = rng.uniform(-1.0, 1.0, size=(k, n)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["A", "B"], ["Y"])],
        name,
        [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])],
        initializer=[numpy_helper.from_array(b, "B")],
    )
    # Opset 13 and IR version 7: read by every onnxruntime release of the last years.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="tetra bench/make_matmul_onnx.py")
    model.ir_version = 7
    onnx.checker.check_model(model)
    model_path = os.path.join(out, name + ".onnx")
    b_path = os.path.join(out, name + ".B.f32")
    onnx.save(model, model_path)
    b.astype("<f4").tofile(b_path)
    return {"m": m, "k": k, "n": n, "model": model_path, "b": b_path, "format": FORMAT}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("shapes", nargs="+", help="M,K,N")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    written = []
    for s in args.shapes:
        try:
            m, k, n = (int(v) for v in s.split(","))
        except ValueError:
            sys.exit(f"make_matmul_onnx.py: bad shape {s!r}, expected M,K,N")
        written.append(make(m, k, n, args.out))
    print(json.dumps(written))


if __name__ == "__main__":
    main()
