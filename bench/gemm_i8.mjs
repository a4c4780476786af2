// int8 GEMM benchmark: tetra's gemm_i8 (dynamic per-row activation quantization + int8 kernel
// + float epilogue) and gemm_i8_accumulate (the integer kernel alone) against tetra's own f32
// GEMM (gemm_f32_packed) on the same shapes, single-threaded wasm in this Node process.
//
//   node bench/gemm_i8.mjs [--reps N] [--min-ms MS] [--shapes quick] [--cflags "-DX=Y ..."]
//                          [--wasm FILE] [--no-build] [--out FILE]
//
// The bench wasm (bench/out/gemm_i8/gemm_i8.wasm) is built here with emcc straight from the kernel
// sources (src/tensor/kernels/gemm_i8.c, gemm_f32.c): a standalone reactor exporting the kernels
// plus malloc/free. --cflags passes extra defines (tile-shape experiments) and builds into a
// separate file; --wasm runs a prebuilt variant. If gemm_f32.c is missing or does not build, the
// int8 figures are still measured and the comparison is reported as pending.
//
// What is timed (wall clock, performance.now(), after warm-up calls so V8 has optimized the
// code): one call of the kernel on operands already in wasm memory, weights already packed.
//   i8 gemm   gemm_i8(M, N, K, A f32, packed int8 B, scales, bias, act NONE, C f32): includes the
//             per-row quantization of A into the workspace and the float epilogue
//   i8 accum  gemm_i8_accumulate on A already quantized: int32 C, no scaling
//   f32       gemm_f32_packed(M, N, K, A, packed f32 B, bias, act NONE, C)
// Ops = 2 M N K for all three (a multiply and an add per product); GOP/s = ops / time.
// Reps: each rep times a batch of calls lasting at least --min-ms; the median and best per-call
// times over --reps reps are reported, the three kernels interleaved rep by rep so that machine
// noise falls on all of them alike. The ratio int8/f32 is the median over reps of the paired
// ratio (f32 time / int8 time of the same rep); best-over-best is in the JSON too.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiateStandalone, cpuModel, gitCommit, parseBenchArgs } from './lib.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const OUT = join(BENCH, 'out');
const WORK = join(OUT, 'gemm_i8'); // build products
const KERNELS = join(REPO, 'src/tensor/kernels');
const TARGET_RATIO = 2; // the issue: int8 GEMM >= 2x tetra's own f32 GEMM

const MS = [1, 8, 128, 512];
const KN = [[384, 384], [384, 1536], [1536, 384], [768, 3072]];

function parseArgs(argv) {
  const quick = (text) => {
    if (text !== 'quick' && text !== 'all') throw new Error(`bench: --shapes takes quick or all, not ${JSON.stringify(text)}`);
    return text === 'quick';
  };
  return parseBenchArgs(argv, { reps: 11, minMs: 40, quick: false, cflags: '', wasm: null, build: true, out: null }, {
    reps: ['reps', 'int'], 'min-ms': ['minMs', 'number'], shapes: ['quick', quick], cflags: ['cflags', 'string'],
    wasm: ['wasm', 'string'], 'no-build': ['build', 'off'], out: ['out', 'string'],
  }, 'node bench/gemm_i8.mjs [--reps N] [--min-ms MS] [--shapes quick|all] [--cflags "..."] [--wasm FILE] [--no-build] [--out FILE]');
}

function log(msg) { process.stderr.write(`bench: ${msg}\n`); }

const I8_EXPORTS = ['gemm_i8', 'gemm_i8_accumulate', 'gemm_i8_pack_b', 'gemm_i8_packed_size',
  'gemm_i8_workspace_size', 'quantize_rows_i8'];
const F32_EXPORTS = ['gemm_f32_packed', 'gemm_f32_pack_b', 'gemm_f32_packed_size'];

// Builds the bench wasm with emcc; returns { file, f32: bool, f32Error }.
function build(opts) {
  mkdirSync(WORK, { recursive: true });
  const tag = opts.cflags ? `-${createHash('sha256').update(opts.cflags).digest('hex').slice(0, 12)}` : '';
  const file = join(WORK, `gemm_i8${tag}.wasm`);
  const emcc = (sources, exports) => {
    const list = [...exports, 'malloc', 'free'].map((s) => `_${s}`).join(',');
    const args = ['-std=c11', '-O3', '-msimd128', '-ffp-contract=off', '-Wall', '-Wextra',
      ...opts.cflags.split(/\s+/).filter(Boolean), ...sources.map((s) => join(KERNELS, s)),
      '--no-entry', '-sSTANDALONE_WASM=1', '-sALLOW_MEMORY_GROWTH=1', '-sINITIAL_MEMORY=64MB',
      '-sTOTAL_STACK=1MB', '-sFILESYSTEM=0', `-sEXPORTED_FUNCTIONS=${list}`, '-o', file];
    try {
      execFileSync('emcc', args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' } });
    } catch (e) {
      if (e.code === 'ENOENT') throw new Error('bench: emcc not found (Debian: apt-get install emscripten)');
      throw e;
    }
  };
  if (existsSync(join(KERNELS, 'gemm_f32.c'))) {
    try {
      emcc(['gemm_i8.c', 'gemm_f32.c', 'activation.c'], [...I8_EXPORTS, ...F32_EXPORTS]);
      return { file, f32: true };
    } catch (e) {
      const why = String(e.stderr || e.message).split('\n').slice(0, 6).join('\n');
      log(`gemm_f32.c does not build yet; measuring int8 alone:\n${why}`);
      emcc(['gemm_i8.c', 'activation.c'], I8_EXPORTS);
      return { file, f32: false, f32Error: why };
    }
  }
  emcc(['gemm_i8.c', 'activation.c'], I8_EXPORTS);
  return { file, f32: false, f32Error: 'src/tensor/kernels/gemm_f32.c not present' };
}

// Deterministic pseudo-random normal values (xorshift + Box-Muller): the same data every run.
function randn(n, seed) {
  let s = seed >>> 0 || 1;
  const u = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return (s + 0.5) / 4294967296; };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; }

// Per-call seconds of fn over a batch lasting at least minMs.
function timeBatch(fn, calls) {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return (performance.now() - t0) / 1000 / calls;
}

function calibrate(fn, minMs) {
  for (let i = 0; i < 3; i++) fn(); // V8 tiers a wasm function up after its first calls
  let calls = 1;
  for (;;) {
    const t = timeBatch(fn, calls);
    if (t * calls * 1000 >= minMs / 4 || calls > 1e6) return Math.max(1, Math.ceil((minMs / 1000) / t));
    calls *= 4;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let built;
  if (opts.wasm) built = { file: opts.wasm, f32: null };
  else if (!opts.build) built = { file: join(WORK, 'gemm_i8.wasm'), f32: null };
  else {
    log(`building the bench wasm with emcc${opts.cflags ? ` (${opts.cflags})` : ''}`);
    built = build(opts);
  }
  const ex = await instantiateStandalone(built.file);
  const hasF32 = typeof ex.gemm_f32_packed === 'function';
  const mem = () => ex.memory.buffer;
  // Every buffer 64-byte aligned, as bench/gemm.mjs does for the f32 side: the bench module's
  // own malloc gives 8, which would split a quarter of the f32 kernel's v128 loads of packed B
  // across cache lines (tetra's allocator gives 16).
  const raw = new Map();
  const malloc = (bytes) => {
    const p = ex.malloc(bytes + 64);
    if (!p) throw new Error(`bench: wasm malloc(${bytes}) failed`);
    const aligned = (p + 63) & ~63;
    raw.set(aligned, p);
    return aligned;
  };
  const free = (p) => { ex.free(raw.get(p)); raw.delete(p); };
  const load = os.loadavg();
  log(`wasm ${relative(REPO, built.file)}; f32 GEMM ${hasF32 ? 'present' : 'MISSING: comparison pending'}; load average ${load.map((x) => x.toFixed(2)).join(' ')}`);

  const shapes = opts.quick ? [[1, 384, 384], [128, 768, 3072], [512, 384, 1536]]
    : KN.flatMap(([K, N]) => MS.map((M) => [M, K, N]));
  const results = [];
  for (const [M, K, N] of shapes) {
    // Operands: A ~ N(0, 1); B ~ N(0, 1) / sqrt(K) (the scale of a trained Linear layer).
    const A = randn(M * K, 1 + M * 7 + K), B = randn(K * N, 99 + N);
    for (let i = 0; i < B.length; i++) B[i] /= Math.sqrt(K);
    const bias = randn(N, 5);
    const pA = malloc(A.byteLength), pB = malloc(B.byteLength), pBias = malloc(bias.byteLength);
    new Float32Array(mem(), pA, A.length).set(A);
    new Float32Array(mem(), pB, B.length).set(B);
    new Float32Array(mem(), pBias, N).set(bias);
    const pBi8 = malloc(ex.gemm_i8_packed_size(K, N)), pScales = malloc(4 * N);
    ex.gemm_i8_pack_b(K, N, pB, N, 0, pBi8, pScales);
    const pWs = malloc(ex.gemm_i8_workspace_size(M, K));
    const pQa = malloc(M * K), pQs = malloc(4 * M);
    ex.quantize_rows_i8(M, K, pA, K, pQa, K, pQs);
    const pCi8 = malloc(4 * M * N), pCacc = malloc(4 * M * N), pCf32 = malloc(4 * M * N);
    let pBf32 = 0;
    if (hasF32) {
      pBf32 = malloc(4 * ex.gemm_f32_packed_size(K, N));
      ex.gemm_f32_pack_b(K, N, pB, N, 0, pBf32);
    }
    const fns = {
      i8: () => ex.gemm_i8(M, N, K, pA, K, pBi8, pScales, pBias, 0, pCi8, N, pWs),
      acc: () => ex.gemm_i8_accumulate(M, N, K, pQa, K, pBi8, pCacc, N),
    };
    if (hasF32) fns.f32 = () => ex.gemm_f32_packed(M, N, K, pA, K, pBf32, pBias, 0, pCf32, N);

    // Sanity: the int8 result against the f32 one (quantization error, about 1% relative).
    let relErr = null;
    if (hasF32) {
      fns.i8(); fns.f32();
      const ci = new Float32Array(mem(), pCi8, M * N), cf = new Float32Array(mem(), pCf32, M * N);
      let num = 0, den = 0;
      for (let i = 0; i < M * N; i++) { num += (ci[i] - cf[i]) ** 2; den += cf[i] ** 2; }
      relErr = Math.sqrt(num / den);
      if (!(relErr < 0.05)) log(`WARNING: M=${M} K=${K} N=${N}: int8 vs f32 relative error ${relErr}`);
    }

    const calls = Object.fromEntries(Object.entries(fns).map(([k, fn]) => [k, calibrate(fn, opts.minMs)]));
    const times = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
    for (let r = 0; r < opts.reps; r++) {
      for (const [k, fn] of Object.entries(fns)) times[k].push(timeBatch(fn, calls[k]));
    }
    const ops = 2 * M * N * K;
    const row = { M, K, N, ops, relErrVsF32: relErr };
    for (const k of Object.keys(fns)) {
      const med = median(times[k]), best = Math.min(...times[k]);
      row[k] = { medianMs: med * 1e3, bestMs: best * 1e3, gops: ops / med / 1e9, bestGops: ops / best / 1e9 };
    }
    if (hasF32) {
      // Paired: rep r of each kernel ran back to back, so a burst of machine noise tends to hit
      // both; the median of the per-rep ratios is steadier than a ratio of medians.
      const paired = (k) => median(times.f32.map((t, r) => t / times[k][r]));
      row.ratio = paired('i8');
      row.ratioAccumulate = paired('acc');
      row.ratioBest = row.i8.bestGops / row.f32.bestGops;
    }
    results.push(row);
    const f = (x) => x.toFixed(1).padStart(6);
    log(`M=${String(M).padStart(3)} K=${String(K).padStart(4)} N=${String(N).padStart(4)}: i8 ${f(row.i8.gops)}  acc ${f(row.acc.gops)}  f32 ${hasF32 ? f(row.f32.gops) : '   n/a'} GOP/s` +
      (hasF32 ? `   ratio ${row.ratio.toFixed(2)}x (acc ${row.ratioAccumulate.toFixed(2)}x)` : ''));
    for (const p of [pA, pB, pBias, pBi8, pScales, pWs, pQa, pQs, pCi8, pCacc, pCf32, pBf32]) if (p) free(p);
  }

  const geo = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
  const summary = hasF32 ? {
    targetRatio: TARGET_RATIO,
    minRatio: Math.min(...results.map((r) => r.ratio)),
    geomeanRatio: geo(results.map((r) => r.ratio)),
    geomeanRatioAccumulate: geo(results.map((r) => r.ratioAccumulate)),
    shapesMeetingTarget: results.filter((r) => r.ratio >= TARGET_RATIO).length,
    shapes: results.length,
  } : { pending: `f32 comparison pending: ${built.f32Error || 'no gemm_f32 in the wasm'}` };
  if (hasF32) summary.met = summary.minRatio >= TARGET_RATIO;

  // Table on stdout.
  const lines = ['| M | K x N | int8 gemm_i8 GOP/s | int8 accumulate GOP/s | f32 gemm_f32_packed GFLOP/s | ratio i8/f32 (accumulate/f32) |', '|---:|---|---:|---:|---:|---:|'];
  for (const r of results) {
    lines.push(`| ${r.M} | ${r.K} x ${r.N} | ${r.i8.gops.toFixed(1)} | ${r.acc.gops.toFixed(1)} | ${hasF32 ? r.f32.gops.toFixed(1) : 'pending'} | ${hasF32 ? `${r.ratio.toFixed(2)}x (${r.ratioAccumulate.toFixed(2)}x)` : 'pending'} |`);
  }
  console.log(lines.join('\n'));
  if (hasF32) {
    console.log(`\nint8/f32: min ${summary.minRatio.toFixed(2)}x, geometric mean ${summary.geomeanRatio.toFixed(2)}x over ${results.length} shapes; ${summary.shapesMeetingTarget} of ${results.length} at or above the ${TARGET_RATIO}x target.`);
  } else console.log(`\n${summary.pending}`);

  const out = {
    machine: {
      node: process.versions.node, v8: process.versions.v8, cpu: cpuModel(), logicalCpus: os.cpus().length,
      loadAverageStart: load, loadAverageEnd: os.loadavg(), commit: gitCommit(), date: new Date().toISOString(),
    },
    wasm: relative(REPO, built.file), cflags: opts.cflags || null, reps: opts.reps, minMs: opts.minMs,
    results, summary,
  };
  const outFile = opts.out || (opts.cflags || opts.wasm || opts.quick ? null : join(OUT, 'gemm_i8.json'));
  if (outFile) {
    writeFileSync(outFile, `${JSON.stringify(out, null, 2)}\n`);
    log(`wrote ${relative(REPO, outFile)}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
