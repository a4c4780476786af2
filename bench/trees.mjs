// Tree-ensemble benchmark: tetra (wasm, in this Node process) against XGBoost's native predictor
// (Debian python3-xgboost, nthread=1, in a subprocess), measured in one run.
//
//   npm run bench                  (tools/run.sh bench: setup, wasm build, then this file)
//   node bench/trees.mjs [--reps N] [--single N] [--regenerate] [--no-xgboost] [--wasm FILE]
//
// --wasm FILE benchmarks another build of tetra.wasm (e.g. a predictor variant) with the same JS.
//
// Model: binary:logistic, 500 trees of depth 6 (bench/make_bench_model.py). Data: 100,000 rows.
// Figures: batch throughput (rows/s) and single-row latency (median, p95) on both sides, the
// ratios tetra/XGBoost (throughput) and XGBoost/tetra (latency), tetra's load time, and tetra's
// agreement with XGBoost's saved probabilities. Everything also goes to bench/out/trees.json.
// What each timing includes, and why: bench/README.md.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Booster, init, coreVersion } from '../js/index.js';
import { getRuntime } from '../js/wasm.js';
import { cpuModel, gitCommit, parseBenchArgs } from './lib.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const OUT = join(BENCH, 'out');
const PYTHON = process.env.TETRA_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const DATA_FORMAT = 1; // make_bench_model.py SETTINGS.format

// Targets from the issue.
const TARGET_BATCH_RATIO = 1; // tetra rows/s >= XGBoost rows/s
const TARGET_LATENCY_RATIO = 5; // XGBoost single-row latency >= 5x tetra's

function parseArgs(argv) {
  return parseBenchArgs(argv, { reps: 5, single: 2000, regenerate: false, xgboost: true, wasm: null }, {
    reps: ['reps', 'int'], single: ['single', 'int'], regenerate: ['regenerate', 'on'],
    'no-xgboost': ['xgboost', 'off'], wasm: ['wasm', 'string'],
  }, 'node bench/trees.mjs [--reps N] [--single N] [--regenerate] [--no-xgboost] [--wasm FILE]');
}

function log(msg) { process.stderr.write(`bench: ${msg}\n`); }

function python(args, what) {
  const r = spawnSync(PYTHON, args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, OMP_NUM_THREADS: '1' }, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`bench: cannot run ${PYTHON} (${r.error.code || r.error.message}); ${what} needs python3 with xgboost (Debian python3-xgboost)`);
  if (r.status !== 0) throw new Error(`bench: ${PYTHON} ${args.join(' ')} failed with status ${r.status}`);
  return r.stdout;
}

function ensureData(regenerate) {
  const files = ['meta.json', 'model.json', 'rows.f32', 'expected.f32'].map((f) => join(OUT, f));
  let fresh = !regenerate && files.every((f) => existsSync(f));
  if (fresh) {
    const meta = JSON.parse(readFileSync(join(OUT, 'meta.json'), 'utf8'));
    fresh = meta.settings?.format === DATA_FORMAT;
  }
  if (!fresh) {
    log('training the benchmark model (bench/make_bench_model.py, ~15 s)');
    python(['bench/make_bench_model.py', '--out', OUT], 'generating the benchmark model');
  }
  return JSON.parse(readFileSync(join(OUT, 'meta.json'), 'utf8'));
}

// ---- timing helpers --------------------------------------------------------------------------
const nowNs = () => process.hrtime.bigint();
const ms = (ns) => Number(ns) / 1e6;

function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function summary(samplesNs, rows) {
  const a = samplesNs.map(Number).sort((x, y) => x - y);
  const out = {
    n: a.length, best_ms: a[0] / 1e6, median_ms: quantile(a, 0.5) / 1e6,
    mean_ms: a.reduce((s, x) => s + x, 0) / a.length / 1e6, max_ms: a[a.length - 1] / 1e6,
  };
  if (rows !== undefined) {
    out.best_rows_per_s = rows / (a[0] / 1e9);
    out.median_rows_per_s = rows / (quantile(a, 0.5) / 1e9);
  }
  return out;
}

function latency(samplesNs) {
  const a = samplesNs.map((x) => Number(x) / 1e3).sort((x, y) => x - y);
  return {
    n: a.length, median_us: quantile(a, 0.5), p95_us: quantile(a, 0.95), p99_us: quantile(a, 0.99),
    min_us: a[0], mean_us: a.reduce((s, x) => s + x, 0) / a.length,
  };
}

function timeEach(items, fn) {
  const samples = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const t0 = nowNs();
    fn(items[i]);
    samples[i] = nowNs() - t0;
  }
  return samples;
}

// ---- machine ---------------------------------------------------------------------------------
function machine(xgb, wasmPath) {
  const cpu = cpuModel();
  const commit = gitCommit();
  const wasm = readFileSync(wasmPath);
  return {
    node: process.version, v8: process.versions.v8, cpu, logical_cpus: os.cpus().length,
    platform: `${os.type()} ${os.release()} ${os.arch()}`, load_average_end: os.loadavg(),
    xgboost: xgb?.xgboost_version ?? null, python: xgb?.python_version ?? null,
    tetra_core: coreVersion(), git_commit: commit,
    wasm_file: relative(REPO, wasmPath), wasm_bytes: wasm.length, wasm_sha256: createHash('sha256').update(wasm).digest('hex'),
    date: new Date().toISOString(),
  };
}

// ---- tetra -----------------------------------------------------------------------------------
function benchTetra({ text, rows, ncols, expected, opts }) {
  const nrows = rows.length / ncols;
  const r = {};

  // Load: JSON text in memory -> a Booster ready to predict (UTF-8 encode, copy into wasm,
  // SHA-256, parse, build the flat node arrays).
  const loadNs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = nowNs();
    const b = Booster.fromXGBoost(text);
    loadNs.push(nowNs() - t0);
    b.free();
  }
  r.load = summary(loadNs);

  const booster = Booster.fromXGBoost(text);
  r.model = { trees: booster.numTrees, max_depth: booster.maxDepth, features: booster.numFeatures, objective: booster.objective };

  // The first batch call of the process: V8 compiles wasm functions lazily and runs them in its
  // baseline tier until they are hot, so this call is slower than the steady state below.
  let t0 = nowNs();
  const first = booster.predict(rows);
  r.batch_first_call_ms = ms(nowNs() - t0);

  // Parity: the batch path's first rows against XGBoost's saved probabilities.
  const compare = (got) => {
    let maxAbs = 0;
    let equal = 0;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(got[i] - expected[i]);
      if (!(d <= maxAbs)) maxAbs = d; // NaN-safe: a NaN answer makes maxAbs NaN
      if (got[i] === expected[i]) equal++;
    }
    return { rows: expected.length, max_abs_diff: maxAbs, bit_equal: equal };
  };
  r.parity = compare(first);
  booster.predict(rows); // warm-up
  const apiNs = [];
  for (let i = 0; i < opts.reps; i++) {
    t0 = nowNs();
    booster.predict(rows);
    apiNs.push(nowNs() - t0);
  }
  r.batch_api = summary(apiNs, nrows);

  // The same through the raw exports, to split the wasm kernel from the boundary costs: the rows
  // are copied into wasm memory once, outside the timing.
  const rt = getRuntime();
  const e = rt.exports;
  const bytes = new TextEncoder().encode(text);
  const jsonPtr = rt.copyIn(bytes);
  const forest = e.tetra_wasm_trees_load_xgboost_json(jsonPtr, bytes.length, rt.err);
  rt.free(jsonPtr);
  if (!forest) throw new Error(`bench: raw load failed: ${rt.errorMessage()}`);
  const rowsPtr = rt.alloc(rows.length * 4);
  const outPtr = rt.alloc(nrows * 4);
  t0 = nowNs();
  rt.f32(rowsPtr, rows.length).set(rows);
  r.batch_copy_in_ms = ms(nowNs() - t0);
  const kernel = (ptr, n, out) => {
    const status = e.tetra_trees_predict(forest, ptr, n, ncols, 0, out, n, rt.err);
    if (status !== 0) throw new Error(`bench: predict failed: ${rt.errorMessage()}`);
  };
  kernel(rowsPtr, nrows, outPtr);
  const kernelNs = [];
  for (let i = 0; i < opts.reps; i++) {
    t0 = nowNs();
    kernel(rowsPtr, nrows, outPtr);
    kernelNs.push(nowNs() - t0);
  }
  r.batch_kernel = summary(kernelNs, nrows);
  t0 = nowNs();
  rt.f32(outPtr, nrows).slice();
  r.batch_copy_out_ms = ms(nowNs() - t0);

  // Single row: booster.predict(Float32Array(ncols)), one call per row, distinct rows in order.
  const nSingle = Math.min(opts.single, nrows);
  const singles = Array.from({ length: nSingle }, (_, i) => rows.slice(i * ncols, (i + 1) * ncols));
  for (let k = 0; k < 3; k++) for (const row of singles.slice(0, 500)) booster.predict(row); // warm-up
  const singleOut = new Float32Array(nSingle);
  r.single_api = latency(timeEach(singles, (row) => booster.predict(row)));
  for (let i = 0; i < Math.min(nSingle, expected.length); i++) singleOut[i] = booster.predict(singles[i])[0];
  if (nSingle >= expected.length) r.parity_single_row = compare(singleOut);

  // The same rows straight through the export (row already in wasm memory): the wasm call plus
  // the kernel, no JS wrapper, no copies.
  const rowPtrs = singles.map((_, i) => rowsPtr + i * ncols * 4);
  for (const p of rowPtrs.slice(0, 500)) kernel(p, 1, outPtr);
  r.single_kernel = latency(timeEach(rowPtrs, (p) => kernel(p, 1, outPtr)));

  // Amortised: many calls timed together (no per-call timer overhead).
  const loops = Math.max(5, Math.ceil(20000 / nSingle));
  t0 = nowNs();
  for (let k = 0; k < loops; k++) for (const row of singles) booster.predict(row);
  r.single_api_amortised_us = Number(nowNs() - t0) / 1e3 / (loops * nSingle);
  t0 = nowNs();
  for (let k = 0; k < loops; k++) for (const p of rowPtrs) kernel(p, 1, outPtr);
  r.single_kernel_amortised_us = Number(nowNs() - t0) / 1e3 / (loops * nSingle);

  rt.free(rowsPtr);
  rt.free(outPtr);
  e.tetra_trees_free(forest);
  booster.free();
  return r;
}

// ---- report ----------------------------------------------------------------------------------
const fmtInt = (x) => (x == null ? '-' : Math.round(x).toLocaleString('en-US'));
const fmt = (x, d = 1) => (x == null ? '-' : x.toFixed(d));
const pad = (s, n) => String(s).padStart(n);

function table(rows, widths) {
  return rows.map((r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[0]) : pad(c, widths[i]))).join('  ')).join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = nowNs();
  const loadStart = os.loadavg();
  const meta = ensureData(opts.regenerate);
  const ncols = meta.num_features;

  let xgb = null;
  if (opts.xgboost) {
    log(`XGBoost ${meta.xgboost_version} native predictor, nthread=1 (bench/xgb_native.py, ~20 s)`);
    xgb = JSON.parse(python(['bench/xgb_native.py', '--dir', OUT, '--reps', String(opts.reps), '--single', String(opts.single)], 'the XGBoost side'));
  }

  log('tetra (wasm) in this process');
  let t0 = nowNs();
  const wasmPath = opts.wasm ? resolve(opts.wasm) : join(REPO, 'js', 'tetra.wasm');
  await init(opts.wasm ? { wasm: readFileSync(wasmPath) } : {});
  const initMs = ms(nowNs() - t0);
  const text = readFileSync(join(OUT, 'model.json'), 'utf8');
  const buf = readFileSync(join(OUT, 'rows.f32'));
  const rows = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const eb = readFileSync(join(OUT, 'expected.f32'));
  const expected = new Float32Array(eb.buffer.slice(eb.byteOffset, eb.byteOffset + eb.byteLength));
  const tetra = benchTetra({ text, rows, ncols, expected, opts });
  tetra.init_ms = initMs;

  const nrows = rows.length / ncols;
  const ratios = {};
  if (xgb) {
    const xb = xgb.batch;
    ratios.batch_throughput_tetra_over_xgboost = {
      vs_dmatrix_predict_median: tetra.batch_api.median_rows_per_s / xb.dmatrix_predict.median_rows_per_s,
      vs_dmatrix_predict_best: tetra.batch_api.best_rows_per_s / xb.dmatrix_predict.best_rows_per_s,
      vs_inplace_predict_median: tetra.batch_api.median_rows_per_s / xb.inplace_predict.median_rows_per_s,
      vs_inplace_predict_best: tetra.batch_api.best_rows_per_s / xb.inplace_predict.best_rows_per_s,
    };
    const xs = xgb.single;
    ratios.single_latency_xgboost_over_tetra = {
      inplace_median: xs.inplace_predict.median_us / tetra.single_api.median_us,
      inplace_p95: xs.inplace_predict.p95_us / tetra.single_api.p95_us,
      dmatrix_median: xs.dmatrix_construct_plus_predict.median_us / tetra.single_api.median_us,
      dmatrix_p95: xs.dmatrix_construct_plus_predict.p95_us / tetra.single_api.p95_us,
    };
  }

  const m = machine(xgb, wasmPath);
  const T = tetra;
  const X = xgb;
  const lines = [];
  lines.push('');
  lines.push(`tetra trees benchmark: ${meta.tree_stats.trees} trees, depth ${meta.tree_stats.depth_max} (${meta.tree_stats.nodes_total.toLocaleString('en-US')} nodes), ${meta.settings.objective ?? 'binary:logistic'}, ${nrows.toLocaleString('en-US')} rows x ${ncols} features, ${(meta.eval_missing_fraction * 100).toFixed(1)}% NaN; single thread on both sides`);
  lines.push(`machine: ${m.cpu}, ${m.logical_cpus} logical CPUs, load avg ${loadStart.map((x) => x.toFixed(2)).join(' ')} at start, ${m.load_average_end.map((x) => x.toFixed(2)).join(' ')} at end; Node ${m.node} (V8 ${m.v8}); XGBoost ${m.xgboost ?? '(not run)'}; tetra ${m.tetra_core} ${m.git_commit ?? ''} (${m.wasm_file}, ${m.wasm_bytes} B)`);
  lines.push(`data: ${meta.source.startsWith('/') ? relative(REPO, meta.source.split(' ')[0]) : meta.source}`);
  lines.push('');
  lines.push(`Batch, ${nrows.toLocaleString('en-US')} rows (best / median of ${opts.reps} after warm-up)`);
  const batchRows = [['', 'best rows/s', 'median rows/s', 'median ms']];
  batchRows.push(['tetra  booster.predict(Float32Array)', fmtInt(T.batch_api.best_rows_per_s), fmtInt(T.batch_api.median_rows_per_s), fmt(T.batch_api.median_ms)]);
  batchRows.push(['tetra  raw export, rows already in wasm', fmtInt(T.batch_kernel.best_rows_per_s), fmtInt(T.batch_kernel.median_rows_per_s), fmt(T.batch_kernel.median_ms)]);
  if (X) {
    const b = X.batch;
    batchRows.push(['XGBoost predict(DMatrix built beforehand)', fmtInt(b.dmatrix_predict.best_rows_per_s), fmtInt(b.dmatrix_predict.median_rows_per_s), fmt(b.dmatrix_predict.median_ms)]);
    batchRows.push(['XGBoost inplace_predict(numpy)', fmtInt(b.inplace_predict.best_rows_per_s), fmtInt(b.inplace_predict.median_rows_per_s), fmt(b.inplace_predict.median_ms)]);
    batchRows.push(['XGBoost DMatrix construction alone', fmtInt(b.dmatrix_construct.best_rows_per_s), fmtInt(b.dmatrix_construct.median_rows_per_s), fmt(b.dmatrix_construct.median_ms)]);
    batchRows.push(['XGBoost DMatrix construction + predict', fmtInt(b.dmatrix_construct_plus_predict.best_rows_per_s), fmtInt(b.dmatrix_construct_plus_predict.median_rows_per_s), fmt(b.dmatrix_construct_plus_predict.median_ms)]);
  }
  lines.push(table(batchRows, [44, 13, 14, 10]));
  lines.push(`  tetra first call (cold wasm code): ${fmt(T.batch_first_call_ms)} ms; copy in ${fmt(T.batch_copy_in_ms)} ms, copy out ${fmt(T.batch_copy_out_ms, 2)} ms`);
  lines.push('');
  lines.push(`Single row (${T.single_api.n} distinct rows, one call each, after warm-up)`);
  const singleRows = [['', 'median us', 'p95 us', 'p99 us', 'mean us']];
  const L = (name, l) => [name, fmt(l.median_us, 2), fmt(l.p95_us, 2), fmt(l.p99_us, 2), fmt(l.mean_us, 2)];
  singleRows.push(L('tetra  booster.predict(Float32Array(28))'.replace('28', ncols), T.single_api));
  singleRows.push(L('tetra  raw export, row already in wasm', T.single_kernel));
  if (X) {
    singleRows.push(L('XGBoost inplace_predict((1, n) numpy)', X.single.inplace_predict));
    singleRows.push(L('XGBoost DMatrix(1 row) + predict', X.single.dmatrix_construct_plus_predict));
  }
  lines.push(table(singleRows, [44, 10, 10, 10, 10]));
  lines.push(`  amortised over ${T.single_api.n * Math.max(5, Math.ceil(20000 / T.single_api.n))} back-to-back calls: tetra API ${fmt(T.single_api_amortised_us, 2)} us, raw export ${fmt(T.single_kernel_amortised_us, 2)} us per row`);
  lines.push('');
  lines.push(`Load (model JSON text in memory -> ready, ${(meta.model_bytes / 1e6).toFixed(1)} MB): tetra best ${fmt(T.load.best_ms)} ms / median ${fmt(T.load.median_ms)} ms` +
    (X ? `; XGBoost Booster.load_model(bytearray) best ${fmt(X.load.best_ms)} / median ${fmt(X.load.median_ms)} ms` : '') + `; wasm init ${fmt(T.init_ms)} ms`);
  const ps = T.parity_single_row;
  lines.push(`Parity: tetra vs XGBoost's saved probabilities, first ${T.parity.rows} rows: batch max abs diff ${T.parity.max_abs_diff.toExponential(2)} (${T.parity.bit_equal}/${T.parity.rows} bit-equal)` +
    (ps ? `; single-row calls max abs diff ${ps.max_abs_diff.toExponential(2)} (${ps.bit_equal}/${ps.rows} bit-equal)` : ''));
  if (X) {
    const rb = ratios.batch_throughput_tetra_over_xgboost;
    const rl = ratios.single_latency_xgboost_over_tetra;
    lines.push('');
    lines.push('Ratios (> 1 means tetra is better)');
    lines.push(`  batch throughput tetra/XGBoost: ${fmt(rb.vs_dmatrix_predict_median, 2)}x vs predict(DMatrix) (best ${fmt(rb.vs_dmatrix_predict_best, 2)}x), ${fmt(rb.vs_inplace_predict_median, 2)}x vs inplace_predict (best ${fmt(rb.vs_inplace_predict_best, 2)}x)` +
      `   target >= ${TARGET_BATCH_RATIO}x: ${rb.vs_dmatrix_predict_median >= TARGET_BATCH_RATIO ? 'MET' : 'MISSED'}`);
    lines.push(`  single-row latency XGBoost/tetra: median ${fmt(rl.inplace_median, 1)}x, p95 ${fmt(rl.inplace_p95, 1)}x vs inplace_predict; median ${fmt(rl.dmatrix_median, 1)}x, p95 ${fmt(rl.dmatrix_p95, 1)}x vs DMatrix + predict` +
      `   target >= ${TARGET_LATENCY_RATIO}x: ${rl.inplace_median >= TARGET_LATENCY_RATIO ? 'MET' : 'MISSED'}`);
    ratios.targets = {
      batch_throughput: { target: TARGET_BATCH_RATIO, measured: rb.vs_dmatrix_predict_median, met: rb.vs_dmatrix_predict_median >= TARGET_BATCH_RATIO },
      single_latency: { target: TARGET_LATENCY_RATIO, measured: rl.inplace_median, met: rl.inplace_median >= TARGET_LATENCY_RATIO },
    };
  }
  if (!(T.parity.max_abs_diff <= 1e-6) || (ps && !(ps.max_abs_diff <= 1e-6))) lines.push(`WARNING: tetra's probabilities differ from XGBoost's by up to ${Math.max(T.parity.max_abs_diff, ps?.max_abs_diff ?? 0)}`);
  const totalS = ms(nowNs() - started) / 1e3;
  lines.push(`(total ${totalS.toFixed(1)} s; figures in ${relative(process.cwd(), join(OUT, 'trees.json')) || join(OUT, 'trees.json')})`);
  console.log(lines.join('\n'));

  m.load_average_start = loadStart;
  const report = { machine: m, model: { ...meta, settings: meta.settings }, options: opts, tetra, xgboost: xgb, ratios, total_seconds: totalS };
  writeFileSync(join(OUT, 'trees.json'), `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
