// SIMD ceiling: the multiply-add rate that the wasm SIMD instructions a GEMM is built from really
// deliver on this machine, base SIMD128 and relaxed SIMD, in three runtimes in one run: this Node
// process (default flags), a Node child with --experimental-wasm-relaxed-simd, and Chromium
// (Debian's, headless, through playwright-core).
//
//   node bench/simd_ceiling.mjs [--passes P] [--reps N] [--ms MS] [--warmup-ms MS] [--chains N]
//                               [--unroll U] [--no-browser] [--no-node-relaxed] [--out FILE]
//
// Why: tetra's int8 GEMM (src/tensor/kernels/gemm_i8.c) is built on base SIMD128's
// i32x4.dot_i16x8_s (8 multiply-adds per instruction), its f32 GEMM on f32x4.mul + f32x4.add (4).
// How far int8 can get beyond f32, and what relaxed SIMD would change, depends on what these
// instructions cost once V8 has lowered them to x86; this script measures it.
//
// The wasm modules are assembled here, byte by byte (no wabt or binaryen on this machine). Each
// exports run(n) and its memory; run loads its operands and accumulators from memory (so nothing
// is a constant V8 could fold), loops, and stores the accumulators. Forms (MAC = one multiply-add
// of a scalar pair; p the signed side, q the other):
//   f32_muladd          f32x4.add(f32x4.mul(p, q), c)                              4 MACs
//   f32_relaxed_madd    f32x4.relaxed_madd(p, q, c)                                4 MACs  relaxed
//   i8_dot_i16x8        i32x4.add(i32x4.dot_i16x8_s(p, q), c)                      8 MACs
//   i8_relaxed_dot_add  i32x4.relaxed_dot_i8x16_i7x16_add_s(p, q, c)              16 MACs  relaxed
//   i8_relaxed_dot_i16  i32x4.add(i32x4.extadd_pairwise_i16x8_s(
//                         i16x8.relaxed_dot_i8x16_i7x16_s(p, q)), c)              16 MACs  relaxed
// Two variants of each:
//   reg     operands in locals: N independent chains (13 for f32, 12 for the integer forms: as
//           many as V8 keeps in its 15 xmm registers), each instruction taking a chain's
//           accumulator as multiplicand (see registerModule for why not acc += x * w).
//   kernel  the inner loop of a 4-row x 8-column GEMM register tile, one k step per iteration,
//           operands loaded from linear memory as tetra's kernels load them: A broadcast per row
//           (v128.load32_splat: one float, one int16 pair, or four int8), B as two vectors per
//           step (v128.load; v128.load8x8_s for the i16x8 dot, as in gemm_i8.c), the A and B
//           pointers bumped every step, 8 accumulators acc += fma(B, A). K = 256 steps over A
//           and B (at most 12 KB, in L1), then the pointers restart: run(n) is n such k loops.
// Every module's result is checked against a JS computation of the same arithmetic, once before
// the timing (baseline tier) and once after it (optimized tier). A wrong optimized result is an
// error and withholds the figure; a wrong baseline result is a warning (V8 11.3's Liftoff gets
// the relaxed dot-add wrong). The inputs keep every relaxed instruction inside its deterministic
// range (i7 operands in [0, 127]; f32 values whose products and sums are exact, so fused and
// unfused madd agree).
//
// Timing: per form, warm-up calls (V8 runs wasm in its baseline tier, Liftoff, until TurboFan has
// compiled it, and a call in progress keeps the code it started with) for at least --warmup-ms,
// then n is set so a call lasts about --ms; then --reps rounds in which every form is timed once,
// in turn. The runtimes take turns --passes times. Figures are the best call over all passes
// (GMAC/s = 1e9 multiply-adds per second; the JSON has every sample); ratios are best over best.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuModel, gitCommit, parseBenchArgs } from './lib.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const BENCH = dirname(SCRIPT);
const REPO = dirname(BENCH);
const OUT = join(BENCH, 'out');
const CHROMIUM = process.env.TETRA_CHROMIUM || '/usr/bin/chromium';
// As tests/browser/session.js: no background networking (this machine's network is closed).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

function parseArgs(argv) {
  const nonNegative = (text) => {
    const n = Number(text);
    if (!(n >= 0) || !Number.isFinite(n)) throw new Error(`bench: --warmup-ms needs a number >= 0, not ${JSON.stringify(text)}`);
    return n;
  };
  const opts = parseBenchArgs(argv, { passes: 2, reps: 4, ms: 40, warmupMs: 100, chains: null, unroll: 1, browser: true,
    nodeRelaxed: true, out: null, child: false }, {
    passes: ['passes', 'int'], reps: ['reps', 'int'], ms: ['ms', 'number'], 'warmup-ms': ['warmupMs', nonNegative],
    chains: ['chains', 'int'], unroll: ['unroll', 'int'], 'no-browser': ['browser', 'off'],
    'no-node-relaxed': ['nodeRelaxed', 'off'], out: ['out', 'string'],
    'child-json': ['child', 'on'], // internal: the relaxed-SIMD Node child
  }, 'node bench/simd_ceiling.mjs [--passes P] [--reps N] [--ms MS] [--warmup-ms MS] [--chains N] [--unroll U] [--no-browser] [--no-node-relaxed] [--out FILE]');
  if (opts.passes > 100 || opts.reps > 1000) throw new Error('bench: --passes is at most 100, --reps at most 1000');
  if ((opts.chains !== null && opts.chains > 32) || opts.unroll > 64) throw new Error('bench: --chains must be 1..32, --unroll 1..64');
  return opts;
}

function log(msg) { process.stderr.write(`bench: ${msg}\n`); }

// ---- A tiny wasm assembler ------------------------------------------------------------------

// SIMD opcodes, each after the 0xfd prefix as an unsigned LEB128. Base SIMD128: the final
// numbering (WebAssembly/spec proposals/simd/BinarySIMD.md). Relaxed SIMD: the binary format
// table of WebAssembly/relaxed-simd proposals/relaxed-simd/Overview.md (0x100-0x113; not the
// earlier "prototype opcodes").
const OP = {
  v128_load: 0x00, v128_load8x8_s: 0x01, v128_load32_splat: 0x09, v128_store: 0x0b,
  i32x4_extadd_pairwise_i16x8_s: 0x7e, i32x4_add: 0xae, i32x4_dot_i16x8_s: 0xba,
  f32x4_add: 0xe4, f32x4_mul: 0xe6,
  f32x4_relaxed_madd: 0x105, i16x8_relaxed_dot_i8x16_i7x16_s: 0x112,
  i32x4_relaxed_dot_i8x16_i7x16_add_s: 0x113,
};
const I32 = 0x7f, V128 = 0x7b;

function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n) {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) return [...out, b];
    out.push(b | 0x80);
  }
}

const name = (s) => [...uleb(s.length), ...new TextEncoder().encode(s)];
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, body) => [id, ...uleb(body.length), ...body];

/** The body of one function (i32) -> (): locals, and the instructions it is given. */
class Fn {
  constructor() { this.code = []; this.locals = []; } // local 0 is the i32 parameter
  local(type) { this.locals.push(type); return this.locals.length; }
  emit(...bytes) { this.code.push(...bytes); return this; }
  get(i) { return this.emit(0x20, ...uleb(i)); }
  set(i) { return this.emit(0x21, ...uleb(i)); }
  tee(i) { return this.emit(0x22, ...uleb(i)); }
  i32(c) { return this.emit(0x41, ...sleb(c)); }
  simd(op) { return this.emit(0xfd, ...uleb(op)); }
  // Memory access: alignment hint (log2 bytes, at most natural) and constant offset.
  mem(op, align, offset) { return this.emit(0xfd, ...uleb(op), ...uleb(align), ...uleb(offset)); }
  bytes() {
    const groups = []; // runs of equal types, as the binary format declares locals
    for (const t of this.locals) {
      if (groups.length && groups[groups.length - 1][1] === t) groups[groups.length - 1][0]++;
      else groups.push([1, t]);
    }
    const body = [...vec(groups.map(([count, t]) => [...uleb(count), t])), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}
const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_EQZ = 0x45, BLOCK = 0x02, LOOP = 0x03, BR_IF = 0x0d, END = 0x0b, EMPTY = 0x40;

/** A module with one memory page, exporting run: (i32) -> () and the memory as mem. */
function moduleBytes(fn) {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32]]), ...vec([])]])), // type 0: (i32) -> ()
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(5, vec([[0x00, 1]])), // memory 0: min 1 page, no max
    ...section(7, vec([[...name('run'), 0x00, 0], [...name('mem'), 0x02, 0]])),
    ...section(10, vec([fn.bytes()])),
  ]);
}

// ---- The forms ---------------------------------------------------------------------------

// Operand kinds: how 16 bytes of x (activations) and w (weights) are read by the instruction.
//   f32      4 floats each
//   i16      8 int16 each (int8 values widened, as gemm_i8.c feeds i32x4.dot_i16x8_s)
//   i8       x: 16 int8 in [0, 127] (the i7 operand), w: 16 signed int8
// fma(f, p, q, c) leaves on the stack the form's multiply-add of locals p and q plus local c.
// p is the signed side (the relaxed dot's i8 operand), q the other (its i7 operand).
const FORMS = [
  { id: 'f32_muladd', kind: 'f32', relaxed: false, macs: 4,
    fma: (f, p, q, c) => f.get(p).get(q).simd(OP.f32x4_mul).get(c).simd(OP.f32x4_add) },
  { id: 'f32_relaxed_madd', kind: 'f32', relaxed: true, macs: 4,
    fma: (f, p, q, c) => f.get(p).get(q).get(c).simd(OP.f32x4_relaxed_madd) },
  { id: 'i8_dot_i16x8', kind: 'i16', relaxed: false, macs: 8,
    fma: (f, p, q, c) => f.get(p).get(q).simd(OP.i32x4_dot_i16x8_s).get(c).simd(OP.i32x4_add) },
  { id: 'i8_relaxed_dot_add', kind: 'i8', relaxed: true, macs: 16,
    fma: (f, p, q, c) => f.get(p).get(q).get(c).simd(OP.i32x4_relaxed_dot_i8x16_i7x16_add_s) },
  { id: 'i8_relaxed_dot_i16', kind: 'i8', relaxed: true, macs: 16,
    fma: (f, p, q, c) => f.get(p).get(q).simd(OP.i16x8_relaxed_dot_i8x16_i7x16_s)
      .simd(OP.i32x4_extadd_pairwise_i16x8_s).get(c).simd(OP.i32x4_add) },
];

// Memory layout (one 64 KB page): run() starts its accumulators from INIT and stores them at ACC
// (so every call does the same arithmetic); register operands at X and W; the kernel's A and B
// streams at A and B.
const ACC = 0, INIT = 512, X = 1024, W = 2048, A = 4096, B = 8192;
const K_STEPS = 256; // k steps per pass of the kernel loop
const TILE_ROWS = 4, TILE_VECS = 2; // the kernel's 4 x 8 tile: 4 rows x 2 vectors
// Per kind, the kernel's B load and layout: the two B vectors of a k step, and its byte stride.
const KERNEL_B = {
  f32: { op: OP.v128_load, align: 4, vecBytes: 16, step: 32 }, // 8 floats
  i16: { op: OP.v128_load8x8_s, align: 3, vecBytes: 8, step: 16 }, // 8 channels x 2 k, int8 widened
  i8: { op: OP.v128_load, align: 4, vecBytes: 16, step: 32 }, // 8 channels x 4 k, int8
};
const A_STEP = 16; // 4 rows x 4 bytes (a float, an int16 pair, or four int8) per k step

function loadAccumulators(f, accs) {
  accs.forEach((acc, i) => f.i32(0).mem(OP.v128_load, 4, INIT + 16 * i).set(acc));
}
function storeAccumulators(f, accs) {
  accs.forEach((acc, i) => f.i32(0).get(acc).mem(OP.v128_store, 4, ACC + 16 * i));
}

// Chains of the reg variant: the most that V8 11.3 keeps in its 15 xmm registers (its code
// listing shows no spill): f32 13 accumulators + x + w (the product is formed in place);
// integer 12 + x + the temporaries of the dot (one, two for the relaxed dot-add).
const REG_CHAINS = { f32: 13, i16: 12, i8: 12 };

/**
 * reg variant: N chains, the body unrolled U times. f32: acc_i = fma(acc_i, x, w); integer forms:
 * acc_i = fma(acc_(i+1 mod N), x, acc_i), in order i = 0 .. N-1. Every multiply-add has a chain's
 * accumulator as its multiplicand, so none is loop-invariant: V8 11.3's TurboFan moves a product
 * of loop-invariant locals out of the loop (its code listing shows it), which would leave only the
 * adds of a loop of acc_i += x * w_i. The integer forms add into the accumulator because V8 writes
 * the relaxed dot's result over its addend (a loop-invariant addend costs a register copy per
 * instruction), and take the neighbour chain's value as multiplicand because the same value as
 * multiplicand and addend costs a copy too. f32 adds w: acc * x + acc would grow without bound.
 */
function registerModule(form, N, U) {
  const f = new Fn();
  const n = 0;
  const x = f.local(V128), w = f.local(V128);
  const accs = Array.from({ length: N }, () => f.local(V128));
  f.i32(0).mem(OP.v128_load, 4, X).set(x);
  f.i32(0).mem(OP.v128_load, 4, W).set(w);
  loadAccumulators(f, accs);
  f.emit(BLOCK, EMPTY).get(n).emit(I32_EQZ, BR_IF, 0).emit(LOOP, EMPTY);
  for (let u = 0; u < U; u++) {
    accs.forEach((acc, i) => {
      if (form.kind === 'f32') form.fma(f, acc, x, w).set(acc);
      else form.fma(f, accs[(i + 1) % N], x, acc).set(acc);
    });
  }
  f.get(n).i32(1).emit(I32_SUB).tee(n).emit(BR_IF, 0, END, END);
  storeAccumulators(f, accs);
  return moduleBytes(f);
}

/** kernel variant: per k step, 2 B loads, 4 A broadcasts, 8 multiply-add forms; K_STEPS per pass. */
function kernelModule(form) {
  const f = new Fn();
  const n = 0;
  const a = f.local(I32), b = f.local(I32), k = f.local(I32);
  const bv = Array.from({ length: TILE_VECS }, () => f.local(V128));
  const av = f.local(V128);
  const accs = Array.from({ length: TILE_ROWS * TILE_VECS }, () => f.local(V128));
  const lb = KERNEL_B[form.kind];
  loadAccumulators(f, accs);
  f.emit(BLOCK, EMPTY).get(n).emit(I32_EQZ, BR_IF, 0).emit(LOOP, EMPTY); // n passes
  f.i32(A).set(a).i32(B).set(b).i32(K_STEPS).set(k);
  f.emit(LOOP, EMPTY); // k steps
  bv.forEach((v, c) => f.get(b).mem(lb.op, lb.align, lb.vecBytes * c).set(v));
  for (let r = 0; r < TILE_ROWS; r++) {
    f.get(a).mem(OP.v128_load32_splat, 2, 4 * r).set(av);
    for (let c = 0; c < TILE_VECS; c++) form.fma(f, bv[c], av, accs[r * TILE_VECS + c]).set(accs[r * TILE_VECS + c]);
  }
  f.get(a).i32(A_STEP).emit(I32_ADD).set(a);
  f.get(b).i32(lb.step).emit(I32_ADD).set(b);
  f.get(k).i32(1).emit(I32_SUB).tee(k).emit(BR_IF, 0, END);
  f.get(n).i32(1).emit(I32_SUB).tee(n).emit(BR_IF, 0, END, END);
  storeAccumulators(f, accs);
  return moduleBytes(f);
}

// ---- Data and the JS reference ------------------------------------------------------------

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

// Random operand bytes, per kind: x (the reg variant's q operand, the kernel's A), w (the reg
// variant's f32 addend and every reg variant's initial accumulators), B (the kernel's weights).
//   f32  multiples of 1/8 in [-1, 1] (w: not 0), so every product and sum in the check runs is
//        exact, fused or not, in any order
//   i16  int16 lanes holding int8 values; the kernel's B is raw int8 that v128.load8x8_s widens
//   i8   x: int8 in [0, 127] (the relaxed dot's i7 operand), w and B: any int8
const X_DATA = { f32: 'f32', i16: 'i16', i8: 'u7' };
const W_DATA = { f32: 'f32nz', i16: 'i16', i8: 'i8' };
const B_DATA = { f32: 'f32', i16: 'i8', i8: 'i8' }; // the kernel's B stream

function randomBytes(data, count, rand) {
  const bytes = new Uint8Array(count);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  if (data === 'f32' || data === 'f32nz') {
    const v = new Float32Array(bytes.buffer);
    for (let i = 0; i < v.length; i++) {
      do v[i] = int(-8, 8) / 8; while (data === 'f32nz' && v[i] === 0);
    }
  } else if (data === 'i16') {
    const v = new Int16Array(bytes.buffer);
    for (let i = 0; i < v.length; i++) v[i] = int(-128, 127);
  } else if (data === 'u7') {
    for (let i = 0; i < count; i++) bytes[i] = int(0, 127);
  } else if (data === 'i8') {
    const v = new Int8Array(bytes.buffer);
    for (let i = 0; i < count; i++) v[i] = int(-128, 127);
  } else throw new Error(`bench: unknown operand data ${data}`);
  return bytes;
}

// The JS reference of fma: p and q 16 bytes each, c 4 lanes (Float32Array or Int32Array); returns
// the 4 result lanes in a new array of c's type.
function referenceFma(kind, p, q, c) {
  const out = new c.constructor(4);
  if (kind === 'f32') {
    const pv = new Float32Array(p.buffer, p.byteOffset, 4), qv = new Float32Array(q.buffer, q.byteOffset, 4);
    for (let l = 0; l < 4; l++) out[l] = Math.fround(Math.fround(pv[l] * qv[l]) + c[l]);
  } else if (kind === 'i16') {
    const pv = new Int16Array(p.buffer, p.byteOffset, 8), qv = new Int16Array(q.buffer, q.byteOffset, 8);
    for (let l = 0; l < 4; l++) out[l] = (pv[2 * l] * qv[2 * l] + pv[2 * l + 1] * qv[2 * l + 1] + c[l]) | 0;
  } else {
    const pv = new Int8Array(p.buffer, p.byteOffset, 16); // q: the i7 side, read as unsigned
    for (let l = 0; l < 4; l++) {
      let s = c[l];
      for (let t = 0; t < 4; t++) s += pv[4 * l + t] * q[4 * l + t];
      out[l] = s | 0;
    }
  }
  return out;
}

const lanes = (kind, bytes) => (kind === 'f32' ? new Float32Array(bytes.buffer, bytes.byteOffset, 4)
  : new Int32Array(bytes.buffer, bytes.byteOffset, 4));
const asBytes = (v) => new Uint8Array(v.buffer, v.byteOffset, 16);

function registerReference(form, N, U, initBytes, xBytes, wBytes, n) {
  const accs = Array.from({ length: N }, (_, i) => lanes(form.kind, initBytes.slice(16 * i, 16 * i + 16)));
  const w = lanes(form.kind, wBytes);
  for (let it = 0; it < n * U; it++) {
    for (let i = 0; i < N; i++) {
      accs[i] = form.kind === 'f32' ? referenceFma(form.kind, asBytes(accs[i]), xBytes, w)
        : referenceFma(form.kind, asBytes(accs[(i + 1) % N]), xBytes, accs[i]);
    }
  }
  const out = new Uint8Array(16 * N);
  accs.forEach((acc, i) => out.set(asBytes(acc), 16 * i));
  return out;
}

function kernelReference(form, aBytes, bBytes, n) {
  const lb = KERNEL_B[form.kind];
  const accs = Array.from({ length: TILE_ROWS * TILE_VECS }, () => lanes(form.kind, new Uint8Array(16)));
  const av = new Uint8Array(16), bv = Array.from({ length: TILE_VECS }, () => new Uint8Array(16));
  for (let pass = 0; pass < n; pass++) {
    for (let k = 0; k < K_STEPS; k++) {
      for (let c = 0; c < TILE_VECS; c++) {
        const src = bBytes.subarray(k * lb.step + lb.vecBytes * c, k * lb.step + lb.vecBytes * (c + 1));
        if (form.kind === 'i16') { // v128.load8x8_s: 8 int8 sign-extended to int16
          const wide = new Int16Array(bv[c].buffer);
          for (let i = 0; i < 8; i++) wide[i] = (src[i] << 24) >> 24;
        } else bv[c].set(src);
      }
      for (let r = 0; r < TILE_ROWS; r++) {
        const lane = aBytes.subarray(k * A_STEP + 4 * r, k * A_STEP + 4 * r + 4);
        for (let i = 0; i < 4; i++) av.set(lane, 4 * i); // v128.load32_splat
        for (let c = 0; c < TILE_VECS; c++) {
          const i = r * TILE_VECS + c;
          accs[i] = referenceFma(form.kind, bv[c], av, accs[i]);
        }
      }
    }
  }
  const out = new Uint8Array(16 * accs.length);
  accs.forEach((acc, i) => out.set(asBytes(acc), 16 * i));
  return out;
}

/**
 * Every module of the run, with its memory contents, check and multiply-adds per run(1), as
 * plain data that can be handed to a child process or a browser page.
 */
function buildCases(opts) {
  const U = opts.unroll;
  const cases = [];
  // The check runs: few enough reg steps that the f32 recurrence stays exact (each step adds the
  // 3 fraction bits of x: 4 steps need at most 14 significant bits).
  const checkReg = Math.max(1, Math.floor(4 / U)), checkKernel = 2;
  for (const form of FORMS) {
    const N = opts.chains ?? REG_CHAINS[form.kind];
    const rand = rng(0x5eed + cases.length);
    const xBytes = randomBytes(X_DATA[form.kind], 16, rand), wBytes = randomBytes(W_DATA[form.kind], 16, rand);
    const initBytes = randomBytes(W_DATA[form.kind], 16 * N, rand);
    cases.push({
      id: `${form.id}/reg`, form: form.id, variant: 'reg', relaxed: form.relaxed, chains: N,
      bytes: [...registerModule(form, N, U)],
      init: [[INIT, [...initBytes]], [X, [...xBytes]], [W, [...wBytes]]],
      acc: [ACC, 16 * N],
      macsPerRun: form.macs * N * U,
      check: { n: checkReg, expected: [...registerReference(form, N, U, initBytes, xBytes, wBytes, checkReg)] },
    });
  }
  for (const form of FORMS) {
    const rand = rng(0xbeef + cases.length);
    const lb = KERNEL_B[form.kind];
    // A: per k step 4 rows x 4 bytes, each broadcast by load32_splat; B: lb.step bytes per step.
    const aBytes = randomBytes(X_DATA[form.kind], A_STEP * K_STEPS, rand);
    const bBytes = randomBytes(B_DATA[form.kind], lb.step * K_STEPS, rand);
    cases.push({
      id: `${form.id}/kernel`, form: form.id, variant: 'kernel', relaxed: form.relaxed,
      bytes: [...kernelModule(form)],
      init: [[A, [...aBytes]], [B, [...bBytes]]],
      acc: [ACC, 16 * TILE_ROWS * TILE_VECS],
      macsPerRun: form.macs * TILE_ROWS * TILE_VECS * K_STEPS,
      check: { n: checkKernel, expected: [...kernelReference(form, aBytes, bBytes, checkKernel)] },
    });
  }
  return cases;
}

// ---- The runner: self-contained, so that it runs unchanged in a browser page ------------------

/**
 * Validates, checks and times every case; returns { results: { [id]: ... } } with the GMAC/s of
 * every timed call. Uses nothing from the enclosing module (page.evaluate sends its source text
 * to the browser).
 */
function runCases({ cases, reps, ms, warmupMs }) {
  const now = () => performance.now();
  const results = {};
  const live = [];
  const check = (c, inst, phase) => {
    const mem = new Uint8Array(inst.exports.mem.buffer);
    mem.fill(0, c.acc[0], c.acc[0] + c.acc[1]);
    inst.exports.run(c.check.n);
    const got = mem.subarray(c.acc[0], c.acc[0] + c.acc[1]);
    const bad = c.check.expected.findIndex((v, i) => got[i] !== v);
    if (bad < 0) return null;
    const lane = bad >> 2;
    const view = (arr) => new DataView(Uint8Array.from(arr.slice(4 * lane, 4 * lane + 4)).buffer);
    const show = (arr) => (c.form.startsWith('f32') ? view(arr).getFloat32(0, true) : view(arr).getInt32(0, true));
    return `${phase}: accumulator ${lane >> 2} lane ${lane & 3} is ${show(got)}, the JS reference says ${show(c.check.expected)}`;
  };
  for (const c of cases) {
    const bytes = new Uint8Array(c.bytes);
    if (!WebAssembly.validate(bytes)) {
      let reason = 'WebAssembly.validate is false';
      try { new WebAssembly.Module(bytes); } catch (e) { reason = e.message; }
      results[c.id] = { available: false, reason };
      continue;
    }
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const mem = new Uint8Array(inst.exports.mem.buffer);
    for (const [offset, data] of c.init) mem.set(data, offset);
    // A wrong result in the baseline tier is reported, but the optimized code that the timing
    // runs is checked on its own after the timing: only that one decides whether the figure stands.
    results[c.id] = { available: true, gmacs: [] };
    const baselineError = check(c, inst, 'first call (baseline tier)');
    if (baselineError) results[c.id].baselineError = baselineError;
    live.push({ c, inst, n: 1 });
  }
  const call = (l) => {
    const t0 = now();
    l.inst.exports.run(l.n);
    return now() - t0;
  };
  // Warm-up: calls that grow until one lasts 5 ms, for warmupMs and at least 8 calls, so that
  // V8's optimized code is in place; then n for calls of about ms.
  for (const l of live) {
    const t0 = now();
    let calls = 0, dt = 0;
    while (calls < 8 || now() - t0 < warmupMs) {
      dt = call(l);
      calls++;
      if (dt < 5) l.n *= 2;
    }
    l.n = Math.max(1, Math.round(l.n * ms / Math.max(dt, 0.01)));
  }
  for (let r = 0; r < reps; r++) {
    for (const l of live) results[l.c.id].gmacs.push(l.n * l.c.macsPerRun / call(l) / 1e6);
  }
  for (const l of live) {
    const error = check(l.c, l.inst, 'after timing (optimized tier)');
    if (error) results[l.c.id].error = error;
  }
  return { results };
}

// ---- The three runtimes --------------------------------------------------------------------

function runNodeRelaxed(opts) {
  const args = [RELAXED_FLAG, SCRIPT, '--child-json', '--reps', String(opts.reps), '--ms', String(opts.ms),
    '--warmup-ms', String(opts.warmupMs), '--unroll', String(opts.unroll),
    ...(opts.chains === null ? [] : ['--chains', String(opts.chains)])];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) {
    return { error: `node ${RELAXED_FLAG} exited with ${child.status ?? child.signal}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}` };
  }
  return JSON.parse(child.stdout);
}

/** Launches Chromium; returns { run(), info, close() } or { error }. */
async function openChromium(cases, opts) {
  if (!existsSync(CHROMIUM)) return { error: `Chromium not found at ${CHROMIUM} (set TETRA_CHROMIUM)` };
  let playwright;
  try {
    playwright = await import('playwright-core');
  } catch {
    return { error: 'npm playwright-core is not installed (npm install --ignore-scripts)' };
  }
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const info = { browserVersion: browser.version(), v8: null };
  const page = await browser.newPage();
  // The V8 inside this Chromium, from its own about page.
  try {
    await page.goto('chrome://version', { timeout: 5000 });
    info.v8 = (await page.evaluate(() => document.body.innerText)).match(/V8\s+([\d.]+)/)?.[1] || null;
  } catch { /* not available: reported as null */ }
  await page.close();
  const run = async () => {
    const tab = await browser.newPage(); // a fresh page: new instances, compiled anew
    const problems = [];
    tab.on('pageerror', (e) => problems.push(e.message));
    try {
      const out = await tab.evaluate(runCases, { cases, reps: opts.reps, ms: opts.ms, warmupMs: opts.warmupMs });
      if (problems.length) out.error = `page errors: ${problems.join('; ')}`;
      return out;
    } finally {
      await tab.close();
    }
  };
  return { run, info, close: () => browser.close() };
}

// ---- Report --------------------------------------------------------------------------------

const RATIOS = [
  ['i8_dot_i16x8', 'f32_muladd', 'int8 base dot / f32 mul+add'],
  ['i8_relaxed_dot_add', 'i8_dot_i16x8', 'relaxed dot-add / base dot'],
  ['i8_relaxed_dot_i16', 'i8_dot_i16x8', 'relaxed dot-i16 + extadd / base dot'],
  ['f32_relaxed_madd', 'f32_muladd', 'relaxed madd / mul+add'],
  ['i8_relaxed_dot_add', 'f32_muladd', 'relaxed dot-add / f32 mul+add'],
  ['i8_relaxed_dot_i16', 'f32_muladd', 'relaxed dot-i16 + extadd / f32 mul+add'],
  ['i8_relaxed_dot_i16', 'f32_relaxed_madd', 'relaxed dot-i16 + extadd / relaxed madd'],
];

function cpuFlags() {
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:\s*(.*)$/m);
    if (!m) return null;
    return m[1].split(/\s+/).filter((f) => /avx|vnni|fma|f16c|amx/.test(f)).sort();
  } catch { return null; }
}

function ratios(results) {
  const out = {};
  for (const variant of ['reg', 'kernel']) {
    for (const [num, den, label] of RATIOS) {
      const a = results?.[`${num}/${variant}`], b = results?.[`${den}/${variant}`];
      out[`${num}/${den}/${variant}`] = { label, variant,
        value: a?.bestGmacs && b?.bestGmacs && !a.error && !b.error ? a.bestGmacs / b.bestGmacs : null };
    }
  }
  return out;
}

function cell(res) {
  if (!res) return 'not run';
  if (res.available === false) return 'not available';
  if (res.error) return 'WRONG RESULT';
  return res.bestGmacs.toFixed(1);
}

// Folds one pass of a runtime into its running totals: every sample, every error.
function merge(into, pass) {
  if (pass.error) into.errors.push(pass.error);
  for (const [id, res] of Object.entries(pass.results || {})) {
    const r = (into.results[id] ??= { available: res.available, gmacs: [] });
    if (res.available === false) { r.available = false; r.reason = res.reason; continue; }
    r.gmacs.push(...res.gmacs);
    if (res.baselineError) r.baselineError ??= res.baselineError;
    if (res.error) r.error ??= res.error;
  }
  for (const r of Object.values(into.results)) {
    if (!r.gmacs?.length) continue;
    const sorted = [...r.gmacs].sort((p, q) => p - q);
    r.bestGmacs = sorted[sorted.length - 1];
    r.medianGmacs = sorted[sorted.length >> 1];
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const cases = buildCases(opts);
  if (opts.child) { // the Node child: measure, print JSON, nothing else on stdout
    process.stdout.write(JSON.stringify(runCases({ cases, ...opts })));
    return;
  }
  const load = os.loadavg();
  const flags = cpuFlags();
  log(`${cases.length} modules (${cases.reduce((s, c) => s + c.bytes.length, 0)} bytes); register variant ${opts.chains ?? 'f32 13, integer 12'} chains, unrolled ${opts.unroll}; load average ${load.map((x) => x.toFixed(2)).join(' ')}`);
  log(`CPU: ${cpuModel()}; flags: ${flags ? flags.join(' ') : 'unknown'}`);
  const t0 = performance.now();
  const node = `Node ${process.versions.node}`;
  const runtimes = [{ id: 'node', label: `${node} default`, v8: process.versions.v8, flags: [],
    run: async () => runCases({ cases, ...opts }) }];
  if (opts.nodeRelaxed) {
    runtimes.push({ id: 'node_relaxed', label: `${node} ${RELAXED_FLAG}`, v8: process.versions.v8,
      flags: [RELAXED_FLAG], run: async () => runNodeRelaxed(opts) });
  }
  let chromium = null;
  if (opts.browser) {
    chromium = await openChromium(cases, opts);
    if (chromium.error) log(`Chromium skipped: ${chromium.error}`); // absent is not a failure
    else {
      runtimes.push({ id: 'chromium', label: `Chromium ${chromium.info.browserVersion}`, v8: chromium.info.v8,
        flags: CHROMIUM_ARGS, run: chromium.run });
    }
  }
  // Passes: every runtime in turn, --passes times, so that a stretch of load from elsewhere on
  // this shared machine does not fall on one runtime only; each figure is the best of all passes.
  for (const rt of runtimes) Object.assign(rt, { results: {}, errors: [] });
  try {
    for (let pass = 0; pass < opts.passes; pass++) {
      for (const rt of runtimes) {
        log(`pass ${pass + 1}/${opts.passes}: ${rt.label}${rt.v8 ? ` (V8 ${rt.v8})` : ''}`);
        merge(rt, await rt.run());
      }
    }
  } finally {
    await chromium?.close?.();
  }
  const seconds = (performance.now() - t0) / 1000;

  // Problems first, loudly.
  for (const rt of runtimes) {
    for (const e of new Set(rt.errors)) log(`ERROR ${rt.label}: ${e}`);
    for (const [id, res] of Object.entries(rt.results || {})) {
      if (res.error) log(`ERROR ${rt.label} ${id}: ${res.error}`);
      if (res.baselineError) log(`WARNING ${rt.label} ${id}: wrong result in V8's baseline tier (Liftoff): ${res.baselineError}`);
    }
  }
  for (const rt of runtimes) rt.ratios = ratios(rt.results);

  const lines = [];
  lines.push(`| form | MACs/instr | variant | ${runtimes.map((rt) => `${rt.label} GMAC/s`).join(' | ')} |`);
  lines.push(`|---|---:|---|${runtimes.map(() => '---:').join('|')}|`);
  for (const variant of ['reg', 'kernel']) {
    for (const form of FORMS) {
      lines.push(`| ${form.id}${form.relaxed ? ' (relaxed)' : ''} | ${form.macs} | ${variant} | ${runtimes.map((rt) => cell(rt.results?.[`${form.id}/${variant}`])).join(' | ')} |`);
    }
  }
  lines.push('');
  lines.push(`| ratio (best / best) | variant | ${runtimes.map((rt) => rt.label).join(' | ')} |`);
  lines.push(`|---|---|${runtimes.map(() => '---:').join('|')}|`);
  for (const variant of ['reg', 'kernel']) {
    for (const [num, den, label] of RATIOS) {
      lines.push(`| ${label} | ${variant} | ${runtimes.map((rt) => {
        const v = rt.ratios[`${num}/${den}/${variant}`].value;
        return v == null ? '-' : `${v.toFixed(2)}x`;
      }).join(' | ')} |`);
    }
  }
  console.log(lines.join('\n'));
  const unavailable = runtimes.flatMap((rt) => Object.entries(rt.results || {})
    .filter(([, r]) => r.available === false).map(([id, r]) => `${rt.label}: ${id}: ${r.reason}`));
  if (unavailable.length) {
    console.log(`\nnot available (the module does not validate): ${unavailable.length} modules, e.g.\n  ${unavailable[0]}`);
  }
  for (const rt of runtimes) if (rt.v8) console.log(`${rt.label}: V8 ${rt.v8}`);
  console.log(`total ${seconds.toFixed(1)} s`);

  const out = {
    machine: {
      cpu: cpuModel(), cpuFlags: flags, logicalCpus: os.cpus().length, node: process.versions.node,
      v8: process.versions.v8, loadAverageStart: load, loadAverageEnd: os.loadavg(), commit: gitCommit(),
      date: new Date().toISOString(),
    },
    options: { passes: opts.passes, reps: opts.reps, ms: opts.ms, warmupMs: opts.warmupMs, registerChains: opts.chains ?? REG_CHAINS,
      unroll: opts.unroll, kernelTile: [TILE_ROWS, 4 * TILE_VECS], kernelSteps: K_STEPS },
    forms: FORMS.map(({ id, kind, relaxed, macs }) => ({ id, kind, relaxed, macsPerInstruction: macs })),
    modules: cases.map(({ id, bytes, macsPerRun, chains }) => ({ id, bytes: bytes.length, macsPerRun, chains })),
    runtimes: runtimes.map(({ run, ...rest }) => rest),
    seconds,
  };
  mkdirSync(OUT, { recursive: true });
  const outFile = opts.out || join(OUT, 'simd_ceiling.json');
  writeFileSync(outFile, `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote ${relative(REPO, outFile)}`);
  const failed = runtimes.some((rt) => rt.errors.length || Object.values(rt.results).some((r) => r.error));
  if (failed) process.exitCode = 1;
}

await main();
