#!/usr/bin/python3
"""Write tests/golden/kernels/numpy_cases.json: a handful of kernel cases computed by NumPy.

    /usr/bin/python3 tools/golden/make_kernel_golden.py [--out FILE]

Needs only Debian's python3-numpy (1.24; no scipy: erf comes from Python's math.erf/math.erfc,
accurate to about an ulp of double). Deterministic: every input is written out below or drawn
from a fixed-seed generator, so a rerun with the same NumPy rewrites the file byte for byte.

Every input is a float32 value. For each case the file holds
  * "y64": the result computed in float64 from the float32 inputs (the yardstick; the C test
    checks the kernels against it with the tolerances stated in tests/native/test_kernels_rows.c
    and test_kernels_unary.c), and
  * "y32": what NumPy itself gives when it computes in float32 (np.float32 arrays throughout), so
    that the C test can also show how far tetra is from a NumPy float32 pipeline.
float32 values are written with their shortest float32 text (which a double parser followed by a
rounding to float gives back exactly; checked when writing), float64 values in full, and the
non-finite values as the strings "nan", "inf" and "-inf" (JSON has no literal for them).
LayerNorm follows PyTorch's definition: biased variance, (x - mean) / sqrt(var + eps) * w + b.
"""
import argparse
import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUT = os.path.join(REPO, "tests", "golden", "kernels", "numpy_cases.json")


class Short(float):
    """A float32 value written with its shortest float32 text (e.g. 0.1 rather than
    0.10000000149011612); the C reader's double -> float rounding gets the same float back
    (checked when it is written)."""

    def __repr__(self):
        text = repr(np.float32(self))
        assert np.float32(float(text)) == np.float32(self), text
        return text


def enc(v):
    """One float as JSON: a number or "nan"/"inf"/"-inf". float32 values are written with their
    shortest float32 text, float64 values in full."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return Short(v) if isinstance(v, np.float32) else float(v)


def encs(a):
    return [enc(v) for v in np.asarray(a).ravel()]


def f32(values):
    return np.asarray(values, dtype=np.float32)


# ---- row kernels -----------------------------------------------------------------------------

def softmax64(x):
    x = x.astype(np.float64)
    m = np.max(x)  # NaN propagates, as in the kernel
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(x - m)
        return e / np.sum(e)


def softmax32(x):
    m = np.max(x)
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(x - m)
        return e / np.sum(e, dtype=np.float32)


def layernorm(x, gamma, beta, eps, dtype):
    x = x.astype(dtype)
    mean = np.mean(x, dtype=dtype)
    var = np.mean((x - mean) ** 2, dtype=dtype)  # biased, as torch.nn.LayerNorm
    y = (x - mean) / np.sqrt(var + dtype(eps))
    if gamma is not None:
        y = y * gamma.astype(dtype)
    if beta is not None:
        y = y + beta.astype(dtype)
    return y


def rmsnorm(x, gamma, eps, dtype):
    x = x.astype(dtype)
    y = x / np.sqrt(np.mean(x * x, dtype=dtype) + dtype(eps))
    return y * gamma.astype(dtype) if gamma is not None else y


def row_cases():
    rng = np.random.default_rng(20240611)
    softmax_rows = {
        "small": f32([1.0, 2.0, 3.0]),
        "large_logits": f32([1000.0, 1001.0, 1002.0, 999.5]),
        "very_negative": f32([-1000.0, -1000.5, -1003.0, -1100.0, -1200.0]),
        "wide_range": f32([80.0, -80.0, 0.0, 40.0, -40.0, 87.0, -103.0]),
        "with_neg_inf": f32([-np.inf, 0.0, -np.inf, 1.0, -2.0]),
        "all_neg_inf": f32([-np.inf, -np.inf, -np.inf]),
        "with_pos_inf": f32([np.inf, 0.0, 1.0]),
        "with_nan": f32([0.0, np.nan, 1.0, 2.0, 3.0]),
        "single": f32([-7.5]),
        "ties": f32([2.0] * 9),
        "random_17": rng.normal(0.0, 3.0, 17).astype(np.float32),
        "random_65": rng.normal(0.0, 5.0, 65).astype(np.float32),
    }
    softmax = []
    for name, x in softmax_rows.items():
        with np.errstate(invalid="ignore"):
            softmax.append({"name": name, "x": encs(x), "y64": encs(softmax64(x)),
                            "y32": encs(softmax32(x))})

    layer = []
    specs = [
        ("plain_7", rng.normal(0.5, 2.0, 7), False, False, 1e-5),
        ("affine_33", rng.normal(-1.0, 0.3, 33), True, True, 1e-5),
        ("gamma_only_64", rng.normal(0.0, 1.0, 64), True, False, 1e-12),
        ("offset_mean_65", 1000.0 + rng.normal(0.0, 0.5, 65), True, True, 1e-5),
        ("constant_row_9", np.full(9, 3.25), True, True, 1e-5),
        ("tiny_values_16", rng.normal(0.0, 1e-4, 16), False, True, 1e-5),
        ("hidden_128", rng.normal(0.1, 1.3, 128), True, True, 1e-12),
    ]
    for name, x, g, b, eps in specs:
        x = x.astype(np.float32)
        gamma = rng.normal(1.0, 0.2, x.size).astype(np.float32) if g else None
        beta = rng.normal(0.0, 0.2, x.size).astype(np.float32) if b else None
        layer.append({
            "name": name, "x": encs(x), "eps": float(np.float32(eps)),
            "gamma": encs(gamma) if gamma is not None else None,
            "beta": encs(beta) if beta is not None else None,
            "y64": encs(layernorm(x, gamma, beta, np.float32(eps), np.float64)),
            "y32": encs(layernorm(x, gamma, beta, np.float32(eps), np.float32)),
        })

    rms = []
    for name, x, g, eps in [("plain_5", rng.normal(0, 1, 5), False, 1e-5),
                            ("llama_96", rng.normal(0, 0.7, 96), True, 1e-5),
                            ("large_63", rng.normal(0, 1e3, 63), True, 1e-6)]:
        x = x.astype(np.float32)
        gamma = rng.normal(1.0, 0.1, x.size).astype(np.float32) if g else None
        rms.append({"name": name, "x": encs(x), "eps": float(np.float32(eps)),
                    "gamma": encs(gamma) if gamma is not None else None,
                    "y64": encs(rmsnorm(x, gamma, np.float32(eps), np.float64)),
                    "y32": encs(rmsnorm(x, gamma, np.float32(eps), np.float32))})

    reduce_rows = {
        "ties": f32([1.0, 3.0, 2.0, 3.0, 3.0, -1.0]),
        "nan_later": f32([0.0, 5.0, np.nan, 7.0, np.nan]),
        "nan_first": f32([np.nan, 1.0, 2.0]),
        "neg_inf_only": f32([-np.inf, -np.inf]),
        "inf_and_ties": f32([-1.0, np.inf, 2.0, np.inf]),
        "zeros": f32([-0.0, 0.0, -0.0]),
        "cancel": f32([1e8, 1.0, -1e8, 1.0, 0.5]),
        "long_tie_at_end": f32(list(range(40)) + [39.0]),
        "random_127": rng.normal(0, 10, 127).astype(np.float32),
    }
    reduce = []
    for name, x in reduce_rows.items():
        with np.errstate(invalid="ignore"):
            reduce.append({"name": name, "x": encs(x),
                           "argmax": int(np.argmax(x)),
                           "max": enc(np.max(x)),
                           "sum64": enc(np.sum(x.astype(np.float64))),
                           "sum32": enc(np.sum(x))})
    return softmax, layer, rms, reduce


# ---- element-wise --------------------------------------------------------------------------------

def gelu_cases():
    x = f32([-10.0, -6.0, -5.5, -4.0, -3.0, -2.0, -1.5, -1.0, -0.5, -0.1, -1e-3, -1e-20, 0.0,
             1e-20, 1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0, 100.0])
    xd = x.astype(np.float64)
    erf = np.vectorize(math.erf)
    erfc = np.vectorize(math.erfc)
    k = math.sqrt(2.0 / math.pi)
    gelu_erf64 = 0.5 * xd * erfc(-xd / math.sqrt(2.0))
    # (1 + tanh(v)) / 2 = 1 / (1 + exp(-2v)): the same function without cancellation for x << 0
    v = k * (xd + 0.044715 * xd ** 3)
    gelu_tanh64 = xd / (1.0 + np.exp(-2.0 * v))
    # PyTorch's float32 formulas, in NumPy float32
    h = np.float32(0.5)
    gelu_erf32 = h * x * (np.float32(1) + erf(x * np.float32(1 / math.sqrt(2))).astype(np.float32))
    gelu_tanh32 = h * x * (np.float32(1) + np.tanh(np.float32(k) * (x + np.float32(0.044715) * x * x * x)))
    with np.errstate(over="ignore"):
        sig64 = 1.0 / (1.0 + np.exp(-xd))
        silu32 = x / (np.float32(1) + np.exp(-x))
    return {
        "x": encs(x),
        "gelu_erf": {"y64": encs(gelu_erf64), "y32": encs(gelu_erf32)},
        "gelu_tanh": {"y64": encs(gelu_tanh64), "y32": encs(gelu_tanh32)},
        "silu": {"y64": encs(xd * sig64), "y32": encs(silu32)},
        "sigmoid": {"y64": encs(sig64)},
        "erf": {"y64": encs(erf(xd))},
        "tanh": {"y64": encs(np.tanh(xd))},
    }


def exp_log_cases():
    x = f32([-np.inf, -104.0, -103.97, -103.0, -95.0, -87.34, -87.3, -10.0, -1.0, -1e-30, -0.0,
             0.0, 1e-30, 1e-7, 0.5, 1.0, 2.0, 10.0, 50.0, 88.0, 88.72, 88.7228, 88.723, 89.0,
             np.inf, np.nan])
    xd = x.astype(np.float64)
    with np.errstate(over="ignore"):
        e64, e32 = np.exp(xd), np.exp(x)
    lx = f32([0.0, -0.0, 1e-45, 1e-40, 1.17549435e-38, 1e-30, 0.1, 0.5, 0.99999994, 1.0,
              1.0000001, 2.0, 10.0, 1e10, 3.4028235e38, np.inf, -1.0, -np.inf, np.nan])
    with np.errstate(divide="ignore", invalid="ignore"):
        l64, l32 = np.log(lx.astype(np.float64)), np.log(lx)
    return {"exp": {"x": encs(x), "y64": encs(e64), "y32": encs(e32)},
            "log": {"x": encs(lx), "y64": encs(l64), "y32": encs(l32)}}


def f16_cases():
    """float32 -> float16 by NumPy (astype, round to nearest even), bit patterns as integers."""
    vals = f32([0.0, -0.0, 1.0, -2.5, 65504.0, 65519.996, 65520.0, 1e6, -1e6, 5.960464477539063e-08,
                2.9802322387695312e-08, 2.98023259e-08, 8.940697e-08, 6.1035156e-05, 6.1035152e-05,
                1.00048828125, 1.000732421875, 1.0009765625, 0.333333343, np.inf, -np.inf, 1e-10])
    bits = vals.view(np.uint32).tolist()
    # NaNs with payloads: quiet, signalling, payload only in the low 13 bits, negative
    bits += [0x7FC00000, 0x7FA00000, 0x7F800001, 0xFFC00001, 0x7FFFFFFF, 0x7F802000]
    f = np.array(bits, dtype=np.uint32).view(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        h = f.astype(np.float16).view(np.uint16)
    return {"f32_bits": [int(b) for b in bits], "f16_bits": [int(v) for v in h]}


def dumps(doc):
    """Compact but diffable: one line per case (or per small object), arrays inline."""
    def compact(v):
        if isinstance(v, dict):
            return "{" + ",".join(f"{json.dumps(k)}:{compact(x)}" for k, x in v.items()) + "}"
        if isinstance(v, (list, tuple)):
            return "[" + ",".join(compact(x) for x in v) + "]"
        if isinstance(v, float):
            return repr(v)  # Short's repr for float32 values; full repr for float64
        return json.dumps(v)
    lines = ["{"]
    items = list(doc.items())
    for i, (key, value) in enumerate(items):
        end = "," if i + 1 < len(items) else ""
        if isinstance(value, list):
            lines.append(f" {compact(key)}:[")
            lines += [f"  {compact(v)}{',' if j + 1 < len(value) else ''}" for j, v in enumerate(value)]
            lines.append(f" ]{end}")
        elif isinstance(value, dict):
            sub = list(value.items())
            lines.append(f" {compact(key)}:{{")
            lines += [f"  {compact(k)}:{compact(v)}{',' if j + 1 < len(sub) else ''}"
                      for j, (k, v) in enumerate(sub)]
            lines.append(f" }}{end}")
        else:
            lines.append(f" {compact(key)}:{compact(value)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    args = ap.parse_args()
    softmax, layer, rms, reduce = row_cases()
    doc = {
        "generator": "tools/golden/make_kernel_golden.py",
        "numpy": np.__version__,
        "softmax": softmax,
        "layernorm": layer,
        "rmsnorm": rms,
        "reduce": reduce,
        "activations": gelu_cases(),
        "exp_log": exp_log_cases(),
        "f16": f16_cases(),
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as fh:
        fh.write(dumps(doc))
    print(f"wrote {os.path.relpath(args.out, REPO)} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
