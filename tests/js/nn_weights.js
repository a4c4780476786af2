// Deterministic test weights for the nn tests: the JS twin of tools/golden/nn/nn_weights.py and
// tests/native/nn_weights.c (scheme: tools/golden/nn/README.md). From a spec.json in
// tests/golden/nn/<model>/ it builds the very safetensors bytes the Python golden generator built
// (spec.json records their sha256): tensors sorted by name, compact JSON header
// {"__metadata__":{"format":"pt"},"<name>":{"dtype":..,"shape":[..],"data_offsets":[b,e]},...}
// padded with spaces to a multiple of 8, as the Rust safetensors library writes them. A spec tensor
// with "values" (base64 of its little-endian float32 elements: the goldens' trained classifier
// heads) takes those instead of the hash scheme's.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const NN_GOLDEN = fileURLToPath(new URL('../golden/nn/', import.meta.url));
export const NN_MODELS = ['minilm', 'distilbert', 'roberta', 'bert-multilabel', 'xlm-roberta'];

function fnv1a32(name) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(name)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

function mix32(x) {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Fills out (a Float32Array of the tensor's size) with the tensor's values. */
export function tensorValues(seed, name, amp, offset, out) {
  const base = (fnv1a32(name) ^ seed) >>> 0;
  const scale = Math.fround(amp / 8388608); // exact: amp is a power of two
  const off = Math.fround(offset);
  for (let i = 0; i < out.length; i++) {
    const h = mix32((Math.imul(i, 0x9e3779b1) + base) >>> 0);
    const u = (h >>> 8) - 8388608;
    const v = Math.fround(u * scale); // exact product, as float32
    out[i] = off + v; // the store rounds the exact double sum once to float32
  }
  return out;
}

/** The float32 values of spec tensor t (count elements): its "values", or the hash scheme's. */
export function specTensorValues(seed, t, count) {
  if (t.values === undefined) return tensorValues(seed, t.name, t.amp, t.offset, new Float32Array(count));
  const bytes = Buffer.from(t.values, 'base64');
  if (bytes.length !== 4 * count) throw new Error(`buildSafetensors: ${t.name}: ${bytes.length / 4} values for ${count} elements`);
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(bytes); // little-endian hosts (x86, wasm)
  return out;
}

/** One element (index < 2^32): the scheme itself. */
export function weightValue(seed, name, index, amp, offset) {
  const one = new Float32Array(1);
  const base = (fnv1a32(name) ^ seed) >>> 0;
  const h = mix32((Math.imul(index, 0x9e3779b1) + base) >>> 0);
  one[0] = Math.fround(offset) + Math.fround(((h >>> 8) - 8388608) * Math.fround(amp / 8388608));
  return one[0];
}

/** float32 bits -> float16 / bfloat16 bits, round to nearest even (as numpy and torch). */
export function f32BitsToF16(x) {
  const sign = (x >>> 16) & 0x8000;
  const ax = x & 0x7fffffff;
  if (ax > 0x7f800000) return sign | 0x7e00;
  const e = (ax >>> 23) - 127;
  const mant = ax & 0x7fffff;
  if (e >= 16) return sign | 0x7c00;
  if (e >= -14) {
    let q = ((e + 15) << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (q & 1))) q++;
    return sign | q;
  }
  const shift = -(e + 1);
  if (shift > 24) return sign;
  const m = mant | 0x800000;
  let q = m >>> shift;
  const rem = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rem > half || (rem === half && (q & 1))) q++;
  return sign | q;
}

export function f32BitsToBF16(x) {
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * The safetensors bytes for a spec (object or JSON text). dtype: 'F32', 'F16', 'BF16' (default:
 * the spec's); stripPrefix: drop spec.prefix ("bert.", ...) from the names that carry it.
 */
export function buildSafetensors(spec, { dtype, stripPrefix = false } = {}) {
  if (typeof spec === 'string') spec = JSON.parse(spec);
  dtype = dtype ?? spec.dtype ?? 'F32';
  const size = { F32: 4, F16: 2, BF16: 2 }[dtype];
  if (!size) throw new Error(`buildSafetensors: dtype ${dtype}: not F32, F16 or BF16`);
  const prefix = spec.prefix ?? '';
  const entries = spec.tensors.map((t) => ({
    t,
    name: stripPrefix && prefix && t.name.startsWith(prefix) ? t.name.slice(prefix.length) : t.name,
    count: t.shape.reduce((a, b) => a * b, 1),
  }));
  // Rust's byte order on names; the names are ASCII, where UTF-16 order is the same.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let header = '{"__metadata__":{"format":"pt"}';
  let pos = 0;
  for (const e of entries) {
    if (!/^[A-Za-z0-9._-]+$/.test(e.name)) throw new Error(`buildSafetensors: bad name ${e.name}`);
    const bytes = e.count * size;
    header += `,"${e.name}":{"dtype":"${dtype}","shape":[${e.t.shape.join(',')}],"data_offsets":[${pos},${pos + bytes}]}`;
    pos += bytes;
  }
  header += '}';
  header += ' '.repeat((8 - (header.length % 8)) % 8);
  const out = new Uint8Array(8 + header.length + pos);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(header.length), true);
  for (let i = 0; i < header.length; i++) out[8 + i] = header.charCodeAt(i);
  let at = 8 + header.length;
  for (const e of entries) {
    const vals = specTensorValues(spec.seed, e.t, e.count);
    if (size === 4) {
      out.set(new Uint8Array(vals.buffer), at); // little-endian hosts (x86, wasm)
    } else {
      const bits = new Uint32Array(vals.buffer);
      const conv = dtype === 'F16' ? f32BitsToF16 : f32BitsToBF16;
      for (let i = 0; i < bits.length; i++) view.setUint16(at + 2 * i, conv(bits[i]), true);
    }
    at += e.count * size;
  }
  return out;
}

/** A golden array {shape, f32: base64} from golden.json as a Float32Array (with .shape). */
export function goldenArray(value) {
  const bytes = Buffer.from(value.f32, 'base64');
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  out.shape = value.shape;
  return out;
}

/** config (text), spec, inputs and golden of tests/golden/nn/<model>. */
export function nnGolden(model) {
  const dir = `${NN_GOLDEN}${model}/`;
  const read = (f) => readFileSync(dir + f, 'utf8');
  return {
    dir,
    configText: read('config.json'),
    spec: JSON.parse(read('spec.json')),
    inputs: JSON.parse(read('inputs.json')),
    golden: JSON.parse(read('golden.json')),
  };
}
