// f32 GEMM benchmark: tetra's packed, cache-blocked SIMD128 kernel against this machine's peak
// f32 SIMD128 multiply-add rate and against onnxruntime-web's wasm MatMul, single-threaded, in
// this Node process, at transformer shapes. Everything also goes to bench/out/gemm.json.
//
//   node bench/gemm.mjs [--reps N] [--min-ms MS] [--shapes M,K,N;...] [--no-ort]
//                       [--cflags "-DGEMM_MR=4 ..."] [--wasm FILE]
//
// --cflags rebuilds tetra's kernel with extra compiler flags (tuning variants); --wasm uses a
// prebuilt bench module with the same exports. What each figure includes: bench/README.md.
//
// Builds (each run, a few seconds, with Debian's emcc 3.1.6; needs NODE_PATH=/usr/share/nodejs,
// which this script sets for the child):
//   bench/out/gemm/peak_f32.wasm   bench/peak_f32.c, the peak microbenchmark
//   bench/out/gemm/tetra_gemm.wasm src/tensor/kernels/gemm_f32.c + gemm_f32_ref.c, exporting the
//                                  GEMM entry points, malloc and free
// and, once, bench/out/gemm/onnx/*.onnx with bench/make_matmul_onnx.py (Debian python3-onnx).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiateStandalone, cpuModel, gitCommit, parseBenchArgs, runTool } from './lib.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const OUT = join(BENCH, 'out');
const WORK = join(OUT, 'gemm');
const PYTHON = process.env.TETRA_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const ONNX_FORMAT = 1; // make_matmul_onnx.py FORMAT

// The issue's shapes: M rows of activations times K x N weights.
const ROWS = [1, 8, 128, 512];
const WEIGHTS = [[384, 384], [384, 1536], [1536, 384], [768, 3072]];
// The issue's targets.
const TARGET_PEAK_FRACTION = 0.7; // tetra packed >= 70% of the measured peak, for M >= 128
const TARGET_ORT_RATIO = 1.2; // tetra packed >= 1.2x onnxruntime-web, every shape

function log(msg) { process.stderr.write(`bench: ${msg}\n`); }

function parseArgs(argv) {
  const shapes = (text) => text.split(';').map((s) => {
    const v = s.split(',').map(Number);
    if (v.length !== 3 || !v.every((x) => Number.isInteger(x) && x > 0)) throw new Error(`bench: bad shape ${s} (want M,K,N)`);
    return v;
  });
  return parseBenchArgs(argv, { reps: 15, minMs: 30, shapes: null, ort: true, cflags: '', wasm: null }, {
    reps: ['reps', 'int'], 'min-ms': ['minMs', 'number'], shapes: ['shapes', shapes], 'no-ort': ['ort', 'off'],
    cflags: ['cflags', 'string'], wasm: ['wasm', 'string'],
  }, 'node bench/gemm.mjs [--reps N] [--min-ms MS] [--shapes M,K,N;...] [--no-ort] [--cflags FLAGS] [--wasm FILE]');
}

// ---- building the two wasm modules -----------------------------------------------------------
const EMCC_COMMON = ['-O3', '-msimd128', '-ffp-contract=off', '--no-entry', '-sSTANDALONE_WASM=1'];

function buildPeak() {
  const out = join(WORK, 'peak_f32.wasm');
  const fns = PEAK_VARIANTS.map((v) => `_${v.name}`).concat('_peak_buffer');
  runTool('emcc', [...EMCC_COMMON, `-sEXPORTED_FUNCTIONS=${fns.join(',')}`, 'bench/peak_f32.c', '-o', out],
    'the peak microbenchmark needs Debian emscripten');
  return out;
}

function buildTetra(cflags) {
  const out = join(WORK, 'tetra_gemm.wasm');
  const fns = ['gemm_f32_pack_b', 'gemm_f32_packed', 'gemm_f32', 'gemm_f32_packed_size',
    'gemm_f32_workspace_size', 'malloc', 'free'].map((f) => `_${f}`);
  // The library's own flags (CMakeLists.txt: -O3 -msimd128 -ffp-contract=off), as a reactor
  // module with a growable heap, like js/tetra.wasm.
  runTool('emcc', [...EMCC_COMMON, '-sALLOW_MEMORY_GROWTH=1', '-sINITIAL_MEMORY=64MB',
    `-sEXPORTED_FUNCTIONS=${fns.join(',')}`, '-Isrc/tensor/kernels',
    ...cflags.split(/\s+/).filter(Boolean),
    'src/tensor/kernels/gemm_f32.c', 'src/tensor/kernels/gemm_f32_ref.c',
    'src/tensor/kernels/activation.c', '-o', out],
  'tetra\'s bench module needs Debian emscripten');
  return out;
}

// ---- timing -------------------------------------------------------------------------------------
// Each sample runs the call back to back for at least minMs and divides; the first rounds of
// every contender are discarded warm-up (V8 runs wasm in its baseline tier until it has
// optimized the hot functions). Contenders of one shape take turns within every round, so a
// burst of load from elsewhere on the machine hits all of them alike.
async function sample(fn, minMs) {
  let n = 0;
  const t0 = performance.now();
  let t;
  do {
    const r = fn();
    if (r instanceof Promise) await r; // only onnxruntime's run is asynchronous
    n++;
    t = performance.now();
  } while (t - t0 < minMs);
  return (t - t0) / n; // ms per call
}

function stats(msPerCall, flops) {
  const sorted = [...msPerCall].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return { median_ms: median, best_ms: sorted[0], gflops_median: flops / median / 1e6,
    gflops_best: flops / sorted[0] / 1e6, samples_ms: msPerCall };
}

// ---- the peak -----------------------------------------------------------------------------------
// bench/peak_f32.c: three shapes of independent mul+add chains at several chain counts; the
// machine's peak is the best of them (see the comment at the top of that file).
const PEAK_VARIANTS = [
  { name: 'peak_chain_8', n: 8, kind: 'chain' }, { name: 'peak_chain_10', n: 10, kind: 'chain' },
  { name: 'peak_chain_12', n: 12, kind: 'chain' }, { name: 'peak_pair_6', n: 6, kind: 'pair' },
  { name: 'peak_pair_7', n: 7, kind: 'pair' }, { name: 'peak_stream_8', n: 8, kind: 'stream' },
  { name: 'peak_stream_12', n: 12, kind: 'stream' },
];

async function measurePeak(file, reps) {
  const e = await instantiateStandalone(file);
  const buf = e.peak_buffer();
  const results = [];
  for (const v of PEAK_VARIANTS) {
    const f = e[v.name];
    const call = (iters) => (v.kind === 'stream' ? f(iters, buf, 1e-3)
      : v.kind === 'pair' ? f(iters, -1, 0) : f(iters, 0.9999, 1e-4));
    call(2e5); // tier-up
    call(2e6);
    const iters = 4e6;
    const flops = iters * v.n * 8; // n chains x 4 lanes x (mul + add)
    let best = 0;
    for (let r = 0; r < Math.max(5, reps); r++) {
      const t0 = performance.now();
      call(iters);
      best = Math.max(best, flops / ((performance.now() - t0) * 1e6));
    }
    results.push({ variant: v.name, chains: v.n, gflops: best });
  }
  const top = results.reduce((a, b) => (b.gflops > a.gflops ? b : a));
  // The best variant, as a contender that takes its turn in every round of every shape.
  const v = PEAK_VARIANTS.find((x) => x.name === top.variant);
  const f = e[v.name];
  const iters = 2e5;
  const probe = { key: 'peak', flops: iters * v.n * 8, fn: () => (v.kind === 'stream' ? f(iters, buf, 1e-3)
    : v.kind === 'pair' ? f(iters, -1, 0) : f(iters, 0.9999, 1e-4)) };
  return { gflops: top.gflops, best_variant: top.variant, variants: results, probe };
}

// ---- data -------------------------------------------------------------------------------------
function ensureOnnx(shapes) {
  const dir = join(WORK, 'onnx');
  const missing = shapes.filter(([m, k, n]) => {
    const base = join(dir, `matmul_${m}x${k}x${n}`);
    return !existsSync(`${base}.onnx`) || !existsSync(`${base}.B.f32`) || !existsSync(`${base}.format`)
      || readFileSync(`${base}.format`, 'utf8').trim() !== String(ONNX_FORMAT);
  });
  if (missing.length) {
    log(`writing ${missing.length} MatMul graphs (bench/make_matmul_onnx.py)`);
    const written = JSON.parse(runTool(PYTHON, ['bench/make_matmul_onnx.py', '--out', dir,
      ...missing.map((s) => s.join(','))], 'the ONNX graphs need Debian python3-onnx and python3-numpy'));
    for (const w of written) writeFileSync(join(dir, `matmul_${w.m}x${w.k}x${w.n}.format`), `${w.format}\n`);
  }
  return dir;
}

// A's values: uniform in [-1, 1) from a fixed linear congruential sequence, the same every run.
function activations(count, seed) {
  const a = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

// max |x - y| / max |y|: the largest difference relative to the result's scale. (An element-
// wise relative error is meaningless where products cancel and C is near zero.)
function compare(x, y) {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return { max_abs_diff: diff, max_abs: scale, rel: scale > 0 ? diff / scale : diff };
}

function bitEqual(x, y) {
  const a = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const b = new Uint32Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---- one shape ----------------------------------------------------------------------------------
async function benchShape(tetra, ort, onnxDir, [M, K, N], opts, probe) {
  const flops = 2 * M * K * N;
  const base = join(onnxDir, `matmul_${M}x${K}x${N}`);
  const bBytes = readFileSync(`${base}.B.f32`);
  const B = new Float32Array(bBytes.buffer, bBytes.byteOffset, K * N);
  const A = activations(M * K, M * 7919 + K * 31 + N);

  // tetra: operands in wasm memory; B packed once (weights are packed at model load).
  // Buffers are 64-byte aligned: the bench module's malloc (dlmalloc) gives only 8-byte
  // alignment, which splits one v128 load of packed B in four across cache lines, while
  // tetra's own allocator gives 16 (v128 loads then never straddle a line).
  const e = tetra;
  const raw = [];
  const alloc = (floats) => {
    const p = e.malloc(floats * 4 + 64);
    if (!p) throw new Error('bench: out of wasm memory');
    raw.push(p);
    return (p + 63) & ~63;
  };
  const pA = alloc(M * K);
  const pB = alloc(K * N);
  const pC = alloc(M * N);
  const pC2 = alloc(M * N);
  const pP = alloc(e.gemm_f32_packed_size(K, N));
  const pW = alloc(e.gemm_f32_workspace_size(K, N));
  const view = (p, n) => new Float32Array(e.memory.buffer, p, n); // re-made: growth detaches
  view(pA, M * K).set(A);
  view(pB, K * N).set(B);
  const tPack0 = performance.now();
  e.gemm_f32_pack_b(K, N, pB, N, 0, pP);
  const packMs = performance.now() - tPack0;

  const contenders = [
    { key: 'tetra_packed', fn: () => e.gemm_f32_packed(M, N, K, pA, K, pP, 0, 0, pC, N) },
    { key: 'tetra_unpacked', fn: () => e.gemm_f32(M, N, K, pA, K, pB, N, 0, 0, 0, pC2, N, pW) },
    // What a JS caller pays around the packed kernel: A copied into wasm memory, C copied out.
    { key: 'tetra_packed_with_copies', fn: () => {
      view(pA, M * K).set(A);
      e.gemm_f32_packed(M, N, K, pA, K, pP, 0, 0, pC, N);
      return view(pC, M * N).slice();
    } },
  ];
  let session = null;
  let ortOut = null;
  if (ort) {
    const t0 = performance.now();
    session = await ort.InferenceSession.create(readFileSync(`${base}.onnx`),
      { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const createMs = performance.now() - t0;
    const feeds = { A: new ort.Tensor('float32', A, [M, K]) };
    const outName = session.outputNames[0];
    contenders.push({ key: 'ort', createMs, fn: async () => {
      const r = await session.run(feeds);
      ortOut = r[outName].data;
      return ortOut;
    } });
  }

  // The peak loop takes its turn in the same rounds: when other processes slow the machine
  // down, the shape's percentage of the peak compares figures measured under the same load.
  contenders.push(probe);
  const samples = Object.fromEntries(contenders.map((c) => [c.key, []]));
  const warm = 2;
  for (let round = 0; round < warm + opts.reps; round++) {
    for (const c of contenders) {
      const ms = await sample(c.fn, round < warm ? Math.max(opts.minMs, 100) : opts.minMs);
      if (round >= warm) samples[c.key].push(ms);
    }
  }
  const result = { m: M, k: K, n: N, flops, pack_b_ms: packMs };
  for (const c of contenders) {
    result[c.key] = stats(samples[c.key], c.flops ?? flops);
    if (c.createMs !== undefined) result[c.key].session_create_ms = c.createMs;
  }

  // Agreement: packed and unpacked must be bit-identical (same operations in the same order);
  // tetra against onnxruntime (different summation orders) within float rounding.
  const cPacked = view(pC, M * N).slice();
  result.check = { packed_equals_unpacked: bitEqual(cPacked, view(pC2, M * N)) };
  if (ortOut) Object.assign(result.check, { vs_ort: compare(cPacked, ortOut) });
  for (const p of raw) e.free(p);
  if (session) await session.release();
  return result;
}

// ---- report -------------------------------------------------------------------------------------
function machine(ortVersion, tetraWasm) {
  const cpu = cpuModel();
  const commit = gitCommit();
  const emcc = spawnSync('emcc', ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' } });
  return {
    cpu, logical_cpus: os.cpus().length, node: process.versions.node, v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`, onnxruntime_web: ortVersion,
    emcc: emcc.status === 0 ? emcc.stdout.split('\n')[0] : null, git_commit: commit,
    tetra_wasm: relative(REPO, tetraWasm), tetra_wasm_bytes: readFileSync(tetraWasm).length,
  };
}

function fmt(x, digits = 1) { return x === undefined || x === null ? '-' : x.toFixed(digits); }

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const loadStart = os.loadavg();
  mkdirSync(WORK, { recursive: true });
  const shapes = opts.shapes ?? ROWS.flatMap((m) => WEIGHTS.map(([k, n]) => [m, k, n]));

  log('building bench/out/gemm/peak_f32.wasm and tetra_gemm.wasm (emcc)');
  const peakWasm = buildPeak();
  const tetraWasm = opts.wasm ?? buildTetra(opts.cflags);

  let ort = null;
  if (opts.ort) {
    ort = await import('onnxruntime-web').catch((cause) => {
      throw new Error('bench: onnxruntime-web is missing; run `npm install --ignore-scripts` (it is a devDependency)', { cause });
    });
    ort.env.wasm.numThreads = 1; // single-threaded, like tetra
    ort.env.wasm.wasmPaths = join(REPO, 'node_modules', 'onnxruntime-web', 'dist') + '/'; // local files only
    ort.env.logLevel = 'error';
  }
  const onnxDir = ensureOnnx(shapes);

  // The peak: all variants before and after the shapes, and the best variant again in every
  // round of every shape; the run's peak is the highest of all.
  log('measuring the peak f32x4 mul+add rate');
  const peakBefore = await measurePeak(peakWasm, opts.reps);
  const tetra = await instantiateStandalone(tetraWasm);

  const results = [];
  for (const shape of shapes) {
    log(`M=${shape[0]} K=${shape[1]} N=${shape[2]}`);
    const r = await benchShape(tetra, ort, onnxDir, shape, opts, peakBefore.probe);
    results.push(r);
  }
  log('measuring the peak again');
  const peakAfter = await measurePeak(peakWasm, opts.reps);
  const inRounds = Math.max(...results.map((r) => r.peak.gflops_best));
  const peak = { ...(peakAfter.gflops > peakBefore.gflops ? peakAfter : peakBefore) };
  delete peak.probe;
  peak.before_gflops = peakBefore.gflops;
  peak.after_gflops = peakAfter.gflops;
  peak.in_rounds_best_gflops = inRounds;
  peak.gflops = Math.max(peak.gflops, inRounds);
  // Headline figures are best samples: load from elsewhere on the machine only ever slows a
  // sample down, so the best of several is the steadiest estimate of what each side can do
  // (the peak is a best too). Medians are kept beside them.
  // % of peak: against the peak loop's best in the same rounds (the same load), and against the
  // machine's best peak of the whole run beside it.
  for (const r of results) {
    r.percent_of_peak = 100 * r.tetra_packed.gflops_best / r.peak.gflops_best;
    r.percent_of_peak_median = 100 * r.tetra_packed.gflops_median / r.peak.gflops_median;
    r.percent_of_run_peak = 100 * r.tetra_packed.gflops_best / peak.gflops;
    if (r.ort) {
      r.ratio_vs_ort = r.tetra_packed.gflops_best / r.ort.gflops_best;
      r.ratio_vs_ort_median = r.tetra_packed.gflops_median / r.ort.gflops_median;
      r.ratio_vs_ort_with_copies = r.tetra_packed_with_copies.gflops_best / r.ort.gflops_best;
    }
  }

  // targets
  const lowest = (list, key) => (list.length ? Math.min(...list.map((r) => r[key])) : null);
  const big = results.filter((r) => r.m >= 128);
  const withOrt = results.filter((r) => r.ort);
  const minPeak = lowest(big, 'percent_of_peak');
  const minRatio = lowest(withOrt, 'ratio_vs_ort');
  const targets = {
    peak_fraction: { target_percent: 100 * TARGET_PEAK_FRACTION, min_percent_for_m_ge_128: minPeak,
      min_percent_for_m_ge_128_median: lowest(big, 'percent_of_peak_median'),
      min_percent_of_run_peak_for_m_ge_128: lowest(big, 'percent_of_run_peak'),
      met: minPeak === null ? null : minPeak >= 100 * TARGET_PEAK_FRACTION },
    vs_ort: { target_ratio: TARGET_ORT_RATIO, min_ratio: minRatio,
      min_ratio_median: lowest(withOrt, 'ratio_vs_ort_median'),
      min_ratio_with_copies: lowest(withOrt, 'ratio_vs_ort_with_copies'),
      met: minRatio === null ? null : minRatio >= TARGET_ORT_RATIO },
  };

  const m = machine(ort ? ort.env.versions?.web ?? null : null, tetraWasm);
  const lines = [];
  lines.push(`machine: ${m.cpu}, ${m.logical_cpus} logical CPUs, load avg ${loadStart.map((x) => x.toFixed(2)).join(' ')} at start, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at end; Node ${m.node} (V8 ${m.v8}); onnxruntime-web ${m.onnxruntime_web ?? '(not run)'}; ${m.emcc}`);
  lines.push(`peak f32x4 mul+add: ${fmt(peak.gflops)} GFLOP/s (${peak.best_variant}; before the shapes ${fmt(peak.before_gflops)}, after ${fmt(peak.after_gflops)}, in their rounds ${fmt(peak.in_rounds_best_gflops)}; ${peak.variants.map((v) => `${v.variant.replace('peak_', '')} ${fmt(v.gflops)}`).join(', ')})`);
  lines.push('GFLOP/s (2 flops per multiply-add), best sample (median in parentheses); single thread; "packed": B packed beforehand;');
  lines.push('% of peak: against the peak loop run in the same rounds, best/best (median/median); "of run peak": against the run\'s best peak;');
  lines.push('vs ORT: best/best (median/median); "copies": A copied in and C out around the call');
  const head = ['M', 'K', 'N', 'tetra packed', '% of peak', 'of run peak', 'unpacked', 'packed+copies', 'ORT', 'vs ORT', 'vs ORT, copies', 'rel diff vs ORT'];
  const both = (x) => `${fmt(x.gflops_best)} (${fmt(x.gflops_median)})`;
  const rows = results.map((r) => [r.m, r.k, r.n, both(r.tetra_packed),
    `${fmt(r.percent_of_peak, 0)}% (${fmt(r.percent_of_peak_median, 0)}%)`, `${fmt(r.percent_of_run_peak, 0)}%`,
    fmt(r.tetra_unpacked.gflops_best), fmt(r.tetra_packed_with_copies.gflops_best),
    r.ort ? both(r.ort) : '-', r.ort ? `${fmt(r.ratio_vs_ort, 2)}x (${fmt(r.ratio_vs_ort_median, 2)}x)` : '-',
    r.ort ? fmt(r.ratio_vs_ort_with_copies, 2) + 'x' : '-',
    r.check.vs_ort ? r.check.vs_ort.rel.toExponential(1) : '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  lines.push(line(head));
  for (const row of rows) lines.push(line(row));
  const verdict = (t) => (t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met');
  lines.push(`target: tetra packed >= ${100 * TARGET_PEAK_FRACTION}% of peak for M >= 128: lowest ${fmt(minPeak, 0)}% (median-based ${fmt(targets.peak_fraction.min_percent_for_m_ge_128_median, 0)}%; of the run's peak ${fmt(targets.peak_fraction.min_percent_of_run_peak_for_m_ge_128, 0)}%) -> ${verdict(targets.peak_fraction)}`);
  lines.push(`target: tetra packed >= ${TARGET_ORT_RATIO}x onnxruntime-web on every shape: lowest ${fmt(minRatio, 2)}x (median-based ${fmt(targets.vs_ort.min_ratio_median, 2)}x; with copies ${fmt(targets.vs_ort.min_ratio_with_copies, 2)}x) -> ${verdict(targets.vs_ort)}`);
  const unequal = results.filter((r) => !r.check.packed_equals_unpacked);
  const far = results.filter((r) => r.check.vs_ort && !(r.check.vs_ort.rel < 1e-5));
  lines.push(`checks: packed and unpacked bit-identical on ${results.length - unequal.length} of ${results.length} shapes; `
    + (withOrt.length ? `tetra vs ORT max relative difference ${Math.max(...withOrt.map((r) => r.check.vs_ort.rel)).toExponential(1)}` : 'ORT not run'));
  for (const r of unequal) lines.push(`WARNING: ${r.m}x${r.k}x${r.n}: packed and unpacked results differ`);
  for (const r of far) lines.push(`WARNING: ${r.m}x${r.k}x${r.n}: tetra and ORT differ by ${r.check.vs_ort.rel.toExponential(2)} (relative to max |C|)`);
  // The 1-minute load average at the end includes this benchmark itself (about 1).
  const loadEnd = os.loadavg()[0];
  if (loadStart[0] > 0.7 || loadEnd > 1.7) {
    lines.push(`WARNING: load average ${loadStart[0].toFixed(2)} at start, ${loadEnd.toFixed(2)} at end: other processes were competing for this machine's ${os.cpus().length} CPUs `
      + '(and its shared caches); absolute figures and % of peak are unreliable, the same-round ratios less so. Re-run when idle.');
  }
  const totalS = (performance.now() - started) / 1e3;
  lines.push(`total ${totalS.toFixed(0)} s`);
  console.log(lines.join('\n'));

  const report = { machine: { ...m, load_average_start: loadStart, load_average_end: os.loadavg() },
    options: { ...opts, shapes }, peak, results, targets, total_seconds: totalS };
  writeFileSync(join(OUT, 'gemm.json'), JSON.stringify(report, null, 1) + '\n');
  log(`wrote ${relative(REPO, join(OUT, 'gemm.json'))}`);
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
