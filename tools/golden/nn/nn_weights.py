"""Deterministic test weights for the nn goldens (the scheme of /work/notes/issue5.md, also in
tools/golden/nn/README.md): every element is a pure function of (seed, tensor name, index), so
this module, tests/native/nn_weights.c and tests/js/nn_weights.js build bit-identical
safetensors files from the same spec.json without torch's RNG. NumPy only.

    fnv1a32(utf8(name)); mix32(x) = murmur3's fmix32
    h   = mix32((i * 0x9E3779B1 + (fnv1a32(name) ^ seed)) mod 2^32)
    u   = (h >> 8) - 2^23                         integer in [-2^23, 2^23)
    v   = f32(f32(u) * f32(amp / 2^23))           exact: amp is a power of two
    val = f32(offset + v)                         one float32 rounding

A tensor in the spec may instead carry its values: "values" = base64 of its little-endian float32
elements (row-major); the trained classification heads of the goldens are stored so
(make_encoder_golden.py, train_heads.py), a few hundred floats each.

The safetensors layout is the one the Rust safetensors library writes (so the files look like the
ones Hugging Face ships): tensors sorted by name (all have one dtype), header
{"__metadata__":{"format":"pt"},"<name>":{"dtype":..,"shape":[..],"data_offsets":[b,e]},...} as
compact JSON, padded with spaces so that the data starts at a multiple of 8.
"""
import base64
import hashlib
import json
import math
import struct

import numpy as np

M32 = np.uint32(0xFFFFFFFF)


def fnv1a32(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def _mix32(x: np.ndarray) -> np.ndarray:
    # uint32 arrays: multiplication wraps modulo 2^32, as in C and Math.imul
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    x = x ^ (x >> np.uint32(16))
    return x


def tensor_values(seed: int, name: str, count: int, amp: float, offset: float) -> np.ndarray:
    """The float32 values of a tensor's `count` elements in row-major order."""
    base = np.uint32((fnv1a32(name.encode("utf-8")) ^ seed) & 0xFFFFFFFF)
    with np.errstate(over="ignore"):
        i = np.arange(count, dtype=np.uint32)
        h = _mix32(i * np.uint32(0x9E3779B1) + base)
    u = (h >> np.uint32(8)).astype(np.int32) - np.int32(8388608)
    scale = np.float32(amp / 8388608.0)
    assert float(scale) == amp / 8388608.0, "amp must be a power of two"
    v = u.astype(np.float32) * scale
    return (np.float32(offset) + v).astype(np.float32)


def spec_tensor_values(seed: int, t: dict) -> np.ndarray:
    """The float32 values of spec tensor t (flat): its stored "values", or the hash scheme's."""
    count = int(np.prod(t["shape"], dtype=np.int64))
    if "values" in t:
        vals = np.frombuffer(base64.b64decode(t["values"]), dtype="<f4").astype(np.float32)
        assert vals.size == count, "%s: %d values for shape %s" % (t["name"], vals.size, t["shape"])
        return vals
    return tensor_values(seed, t["name"], count, t["amp"], t["offset"])


def values_base64(a: np.ndarray) -> str:
    """float32 values for a spec tensor's "values"."""
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def pow2_near(x: float) -> float:
    """The power of two nearest to x on a log scale."""
    return 2.0 ** math.floor(math.log2(x) + 0.5)


def linear_amp(fan_in: int) -> float:
    return pow2_near(2.0 / math.sqrt(fan_in))


def f32_to_f16_bits(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float16).view(np.uint16)  # IEEE round to nearest even, subnormals kept


def f32_to_bf16_bits(a: np.ndarray) -> np.ndarray:
    u = a.view(np.uint32).astype(np.uint64)  # no NaNs here: plain round to nearest even
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def file_name(spec: dict, name: str, strip_prefix: bool) -> str:
    prefix = spec.get("prefix", "")
    if strip_prefix and prefix and name.startswith(prefix):
        return name[len(prefix):]
    return name


def build_safetensors(spec: dict, dtype: str = None, strip_prefix: bool = False) -> bytes:
    """The safetensors bytes for spec (dtype "F32", "F16", "BF16"; None = spec["dtype"])."""
    dtype = dtype or spec.get("dtype", "F32")
    size = {"F32": 4, "F16": 2, "BF16": 2}[dtype]
    seed = spec["seed"]
    entries = []
    for t in spec["tensors"]:
        entries.append((file_name(spec, t["name"], strip_prefix), t))
    entries.sort(key=lambda e: e[0].encode("utf-8"))
    header = ['{"__metadata__":{"format":"pt"}']
    chunks = []
    pos = 0
    for fname, t in entries:
        count = int(np.prod(t["shape"], dtype=np.int64))
        vals = spec_tensor_values(seed, t)
        if dtype == "F32":
            data = vals.astype("<f4").tobytes()
        elif dtype == "F16":
            data = f32_to_f16_bits(vals).astype("<u2").tobytes()
        else:
            data = f32_to_bf16_bits(vals).astype("<u2").tobytes()
        assert len(data) == count * size
        shape = ",".join(str(int(d)) for d in t["shape"])
        header.append('"%s":{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}'
                      % (fname, dtype, shape, pos, pos + len(data)))
        chunks.append(data)
        pos += len(data)
    text = (",".join(header) + "}").encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def weights_dict(spec: dict) -> dict:
    """name -> float32 ndarray of the tensor's shape (the F32 values)."""
    out = {}
    for t in spec["tensors"]:
        out[t["name"]] = spec_tensor_values(spec["seed"], t).reshape(t["shape"])
    return out


def read_safetensors(data: bytes) -> dict:
    """A minimal reader (self-check): name -> (dtype, shape, raw bytes)."""
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = (info["dtype"], info["shape"], data[8 + n + b:8 + n + e])
    return out
