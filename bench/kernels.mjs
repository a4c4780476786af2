// Element-wise, row and conversion kernels: tetra's SIMD128 kernels against their scalar
// references (the *_ref functions the tests compare with) and, for the transcendental ops,
// against a plain scalar loop over musl's float functions (expf, logf, tanhf, erff), all in wasm
// in this Node process, single-threaded, on n = 384 x 128 = 49,152 floats (128 rows of 384 for
// the row kernels). Everything also goes to bench/out/kernels.json.
//
//   node bench/kernels.mjs [--reps N] [--min-ms MS] [--rows R] [--cols C]
//
// Build (each run, a few seconds, with Debian's emcc 3.1.6; needs NODE_PATH=/usr/share/nodejs,
// which this script sets for the child): bench/out/kernels/kernels.wasm from the kernel sources
// with the library's own flags (-O3 -msimd128 -ffp-contract=off), plus bench/out/kernels/
// baselines.c, written by this script: the scalar float-libm loops and a scalar f16/bf16
// conversion (the same bit algorithms as convert.c, one value at a time; clang may vectorise
// these loops itself, which is then part of what they measure).
//
// What the figures mean: bench/README.md, section "Element-wise and row kernels".
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiateStandalone, parseBenchArgs, runTool } from './lib.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const OUT = join(BENCH, 'out');
const WORK = join(OUT, 'kernels');

function log(msg) { process.stderr.write(`bench: ${msg}\n`); }

function parseArgs(argv) {
  return parseBenchArgs(argv, { reps: 7, minMs: 40, rows: 128, cols: 384 }, {
    reps: ['reps', 'int'], 'min-ms': ['minMs', 'number'], rows: ['rows', 'int'], cols: ['cols', 'int'],
  }, 'node bench/kernels.mjs [--reps N] [--min-ms MS] [--rows R] [--cols C]');
}

// ---- build --------------------------------------------------------------------------------------
const BASELINES_C = `/* Written by bench/kernels.mjs: scalar baselines for the kernel benchmark. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* op numbers as kernel_unary: 1 exp, 2 log, 4 tanh, 5 erf */
void libm_f32(int op, size_t n, const float *x, float *y) {
  switch (op) {
    case 1: for (size_t i = 0; i < n; i++) y[i] = expf(x[i]); break;
    case 2: for (size_t i = 0; i < n; i++) y[i] = logf(x[i]); break;
    case 4: for (size_t i = 0; i < n; i++) y[i] = tanhf(x[i]); break;
    case 5: for (size_t i = 0; i < n; i++) y[i] = erff(x[i]); break;
    default: break;
  }
}

static uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float flt(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

void scalar_f16_to_f32(size_t n, const uint16_t *x, float *y) {
  for (size_t i = 0; i < n; i++) {
    uint32_t h = x[i], o = (h & 0x7fffu) << 13, e = o & 0x0f800000u;
    o += 0x38000000u;
    if (e == 0x0f800000u) o += 0x38000000u;
    else if (e == 0) o = bits(flt(o + 0x00800000u) - flt(0x38800000u));
    y[i] = flt(o | ((h & 0x8000u) << 16));
  }
}

void scalar_f32_to_f16(size_t n, const float *x, uint16_t *y) {
  for (size_t i = 0; i < n; i++) {
    uint32_t f = bits(x[i]), sign = f & 0x80000000u, r;
    f ^= sign;
    if (f >= 0x47800000u) {
      uint32_t pay = (f >> 13) & 0x3ffu;
      r = f > 0x7f800000u ? 0x7c00u | (pay ? pay : 1u) : 0x7c00u;
    } else if (f < 0x38800000u) {
      r = bits(flt(f) + 0.5f) - 0x3f000000u;
    } else {
      r = (f + 0xC8000FFFu + ((f >> 13) & 1u)) >> 13;
    }
    y[i] = (uint16_t)(r | (sign >> 16));
  }
}

void scalar_bf16_to_f32(size_t n, const uint16_t *x, float *y) {
  for (size_t i = 0; i < n; i++) y[i] = flt((uint32_t)x[i] << 16);
}

void scalar_f32_to_bf16(size_t n, const float *x, uint16_t *y) {
  for (size_t i = 0; i < n; i++) {
    uint32_t f = bits(x[i]);
    y[i] = (f & 0x7fffffffu) > 0x7f800000u ? (uint16_t)((f >> 16) | 0x40u)
                                            : (uint16_t)((f + 0x7fffu + ((f >> 16) & 1u)) >> 16);
  }
}
`;

const KERNEL_FUNCTIONS = [
  'unary_f32', 'unary_f32_ref', 'binary_f32', 'binary_f32_ref', 'binary_f32_scalar_right',
  'bias_act_f32', 'bias_act_f32_ref', 'softmax_f32', 'softmax_f32_ref', 'layernorm_f32',
  'layernorm_f32_ref', 'rmsnorm_f32', 'rmsnorm_f32_ref', 'reduce_sum_f32', 'reduce_sum_f32_ref',
  'reduce_max_f32', 'reduce_max_f32_ref', 'reduce_argmax_f32', 'reduce_argmax_f32_ref',
  'f16_to_f32', 'f32_to_f16', 'bf16_to_f32', 'f32_to_bf16',
  'libm_f32', 'scalar_f16_to_f32', 'scalar_f32_to_f16', 'scalar_bf16_to_f32', 'scalar_f32_to_bf16',
  'malloc', 'free'];

function build() {
  mkdirSync(WORK, { recursive: true });
  const baselines = join(WORK, 'baselines.c');
  writeFileSync(baselines, BASELINES_C);
  const out = join(WORK, 'kernels.wasm');
  const sources = ['unary.c', 'unary_ref.c', 'binary.c', 'softmax.c', 'norm.c', 'reduce.c', 'convert.c']
    .map((f) => `src/tensor/kernels/${f}`);
  runTool('emcc', ['-O3', '-msimd128', '-ffp-contract=off', '-std=c11', '--no-entry', '-sSTANDALONE_WASM=1',
    '-sALLOW_MEMORY_GROWTH=1', '-sINITIAL_MEMORY=32MB',
    `-sEXPORTED_FUNCTIONS=${KERNEL_FUNCTIONS.map((f) => `_${f}`).join(',')}`,
    ...sources, baselines, '-o', out], 'the kernel benchmark needs Debian emscripten');
  return out;
}

// ---- timing -------------------------------------------------------------------------------------
// A sample repeats one call for at least minMs and divides. Every contender of a kernel gets one
// sample per round, in turn, so load from elsewhere hits them alike; the first two rounds are
// warm-up (V8 tiers wasm up from its baseline compiler); the figure is the median of the rest.
function sample(fn, minMs) {
  let n = 0;
  const t0 = performance.now();
  let t;
  do {
    fn();
    n++;
    t = performance.now();
  } while (t - t0 < minMs);
  return (t - t0) / n;
}

function measure(contenders, opts) {
  const times = contenders.map(() => []);
  for (let r = 0; r < opts.reps + 2; r++) {
    contenders.forEach((c, i) => {
      const ms = sample(c.fn, opts.minMs);
      if (r >= 2) times[i].push(ms);
    });
  }
  return times.map((t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

// ---- main ---------------------------------------------------------------------------------------
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  log('building bench/out/kernels/kernels.wasm');
  const e = await instantiateStandalone(build());
  const rows = opts.rows, cols = opts.cols, n = rows * cols;
  const F = 4;
  const alloc = (bytes) => e.malloc(bytes);
  const px = alloc(n * F), py = alloc(n * F), pb = alloc(n * F), pbias = alloc(cols * F);
  const pg = alloc(cols * F), pbeta = alloc(cols * F), pout = alloc(rows * 8), ph = alloc(n * 2);
  const f32 = () => new Float32Array(e.memory.buffer);
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const fillX = (lo, hi) => { const m = f32(); for (let i = 0; i < n; i++) m[px / 4 + i] = lo + (hi - lo) * rnd(); };
  {
    const m = f32();
    for (let i = 0; i < n; i++) m[pb / 4 + i] = rnd() * 4 - 2;
    for (let j = 0; j < cols; j++) {
      m[pbias / 4 + j] = rnd() - 0.5;
      m[pg / 4 + j] = 0.8 + 0.4 * rnd();
      m[pbeta / 4 + j] = rnd() - 0.5;
    }
    const h = new Uint16Array(e.memory.buffer);
    for (let i = 0; i < n; i++) h[ph / 2 + i] = (Math.imul(i, 2654435761) >>> 16) & 0x7bff; // finite halves
  }

  const results = [];
  const bench = (name, inputRange, simd, ref, extra = [], overhead = null) => {
    if (inputRange) fillX(...inputRange);
    const contenders = [{ label: 'simd', fn: simd }, { label: 'ref', fn: ref }, ...extra];
    if (overhead) contenders.push({ label: 'overhead', fn: overhead });
    const ms = measure(contenders, opts);
    if (overhead) {
      const o = ms.pop();
      contenders.pop();
      for (let i = 0; i < ms.length; i++) ms[i] -= o;
    }
    const row = { kernel: name, ns_per_element: {}, speedup_vs_ref: ms[1] / ms[0] };
    contenders.forEach((c, i) => { row.ns_per_element[c.label] = (ms[i] * 1e6) / n; });
    if (extra.length) row.speedup_vs_libm = ms[2] / ms[0];
    results.push(row);
    const libm = extra.length ? `  ${(ms[2] / ms[0]).toFixed(1).padStart(5)}x vs ${extra[0].label}` : '';
    console.log(`${name.padEnd(22)} simd ${(row.ns_per_element.simd).toFixed(3).padStart(7)} ns/elt   ` +
      `ref ${(row.ns_per_element.ref).toFixed(3).padStart(7)} ns/elt   ${row.speedup_vs_ref.toFixed(1).padStart(5)}x${libm}`);
  };

  console.log(`tetra kernels, wasm SIMD128 vs scalar reference, n = ${rows} x ${cols} = ${n}, Node ${process.versions.node}`);
  const UNARY = [['neg', 0], ['exp', 1], ['log', 2], ['sqrt', 3], ['tanh', 4], ['erf', 5], ['sigmoid', 6],
    ['gelu_erf', 7], ['gelu_tanh', 8], ['silu', 9], ['relu', 10], ['abs', 11]];
  for (const [name, op] of UNARY) {
    const range = op === 1 ? [-80, 80] : op === 2 || op === 3 ? [1e-3, 1e3] : [-8, 8];
    const extra = [1, 2, 4, 5].includes(op) ? [{ label: 'musl float libm', fn: () => e.libm_f32(op, n, px, py) }] : [];
    bench(`unary ${name}`, range, () => e.unary_f32(op, n, px, py), () => e.unary_f32_ref(op, n, px, py), extra);
  }
  const BINARY = [['add', 0], ['mul', 2], ['div', 3], ['max', 4]];
  for (const [name, op] of BINARY)
    bench(`binary ${name}`, [-8, 8], () => e.binary_f32(op, n, px, pb, py), () => e.binary_f32_ref(op, n, px, pb, py));
  const ACTS = [['relu', 1], ['gelu_erf', 2], ['gelu_tanh', 3], ['silu', 4]];
  // bias_act works in place: y is refilled from x before every call, because repeated
  // activations drive y into subnormals, whose arithmetic is many times slower on x86 and would
  // dominate the figure. The copy is timed on its own in the same rounds and subtracted.
  const reset = () => new Uint8Array(e.memory.buffer).copyWithin(py, px, px + n * F);
  for (const [name, act] of ACTS) {
    bench(`bias_act ${name}`, [-4, 4], () => { reset(); e.bias_act_f32(rows, cols, py, cols, pbias, act); },
      () => { reset(); e.bias_act_f32_ref(rows, cols, py, cols, pbias, act); }, [], reset);
  }
  bench('softmax', [-8, 8], () => e.softmax_f32(rows, cols, px, cols, py, cols),
    () => e.softmax_f32_ref(rows, cols, px, cols, py, cols));
  // a causal-mask-like row: the second half -inf (exp of those lanes must not take x86's slow
  // subnormal path)
  fillX(-8, 8);
  { const m = f32(); for (let r = 0; r < rows; r++) m.fill(-Infinity, px / 4 + r * cols + (cols >> 1), px / 4 + (r + 1) * cols); }
  bench('softmax, half masked', null, () => e.softmax_f32(rows, cols, px, cols, py, cols),
    () => e.softmax_f32_ref(rows, cols, px, cols, py, cols));
  bench('layernorm', [-3, 5], () => e.layernorm_f32(rows, cols, px, cols, pg, pbeta, 1e-5, py, cols),
    () => e.layernorm_f32_ref(rows, cols, px, cols, pg, pbeta, 1e-5, py, cols));
  bench('rmsnorm', [-3, 5], () => e.rmsnorm_f32(rows, cols, px, cols, pg, 1e-5, py, cols),
    () => e.rmsnorm_f32_ref(rows, cols, px, cols, pg, 1e-5, py, cols));
  bench('reduce_sum', [-3, 5], () => e.reduce_sum_f32(rows, cols, px, cols, pout),
    () => e.reduce_sum_f32_ref(rows, cols, px, cols, pout));
  bench('reduce_max', [-3, 5], () => e.reduce_max_f32(rows, cols, px, cols, pout),
    () => e.reduce_max_f32_ref(rows, cols, px, cols, pout));
  bench('reduce_argmax', [-3, 5], () => e.reduce_argmax_f32(rows, cols, px, cols, pout),
    () => e.reduce_argmax_f32_ref(rows, cols, px, cols, pout));
  // conversions have no *_ref in the library: the scalar loops of baselines.c stand in for it
  bench('f16_to_f32', null, () => e.f16_to_f32(n, ph, py), () => e.scalar_f16_to_f32(n, ph, py));
  bench('f32_to_f16', [-70000, 70000], () => e.f32_to_f16(n, px, ph), () => e.scalar_f32_to_f16(n, px, ph));
  bench('bf16_to_f32', null, () => e.bf16_to_f32(n, ph, py), () => e.scalar_bf16_to_f32(n, ph, py));
  bench('f32_to_bf16', [-8, 8], () => e.f32_to_bf16(n, px, ph), () => e.scalar_f32_to_bf16(n, px, ph));

  const report = {
    machine: { node: process.versions.node, v8: process.versions.v8, cpu: os.cpus()[0]?.model,
      logical_cpus: os.cpus().length, load_average: os.loadavg() },
    settings: { rows, cols, n, reps: opts.reps, min_ms: opts.minMs },
    results,
  };
  writeFileSync(join(OUT, 'kernels.json'), `${JSON.stringify(report, null, 1)}\n`);
  log('wrote bench/out/kernels.json');
}

main().catch((err) => {
  console.error(err.message || err);
  process.exit(1);
});
