// Encoder benchmark in headless Chromium: bench/encoder.mjs's forward and load comparison (tetra
// fp32 and int8 against onnxruntime-web's wasm backend, numThreads 1, the same MiniLM-L6-shaped
// weights) run in a web page's main thread, where most of tetra's users run it and where init()
// picks js/tetra-relaxed.wasm. Each tetra build gets a fresh page (init() loads one module per
// realm): first init() as users call it (relaxed SIMD in Chromium), then init({ simd: 'base' });
// onnxruntime-web runs in both pages, in turn with tetra within every round.
//
//   node bench/encoder_browser.mjs [--reps N] [--min-ms MS] [--shapes 1x128,1x512,8x128]
//                                  [--simd both|auto|base] [--no-int8]
//
// The page is bench/pages/encoder.html (+ encoder.js), served with the repository by
// tools/serve.mjs; it fetches bench/out/encoder/model.safetensors and hf/onnx/model.onnx, which
// bench/encoder.mjs builds (run here when they are missing or stale). Chromium is Debian's
// (/usr/bin/chromium, or TETRA_CHROMIUM) through npm playwright-core, launched as the browser
// tests launch it. Writes bench/out/encoder-browser.json. What each figure includes: bench/README.md.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../tools/serve.mjs';
import { COS_FP32, COS_INT8 } from '../tests/js/nn_checks.js';
import { cpuModel, gitCommit, parseBenchArgs, batchShapes, loadWarning } from './lib.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const OUT = join(BENCH, 'out');
const WORK = join(OUT, 'encoder');
const GOLDEN = join(REPO, 'tests', 'golden', 'nn', 'minilm');
const CHROMIUM = process.env.TETRA_CHROMIUM || '/usr/bin/chromium';
// As tests/browser/session.js: no background networking (the machine's network is closed).
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];
const SHAPES = [[1, 128], [1, 512], [8, 128]];
// The issue's targets, as bench/encoder.mjs.
const TARGET_FP32 = 1.5;
const TARGET_INT8 = 3;
const TARGET_LOAD_MS = 50;
// tetra fp32 against ORT: the Node runs give cosine 1.0000000 and max abs diff 5-7e-6 for both
// builds (float sums in another order); 5e-5 leaves room for that and nothing structural.
const FP32_MAX_ABS = 5e-5;

function log(msg) { process.stderr.write(`bench: ${msg}\n`); }

function parseArgs(argv) {
  return parseBenchArgs(argv, { reps: 5, minMs: 150, shapes: SHAPES, int8: true, simd: 'both' }, {
    reps: ['reps', 'int'], 'min-ms': ['minMs', 'number'], shapes: ['shapes', batchShapes], 'no-int8': ['int8', 'off'],
    simd: ['simd', ['both', 'auto', 'base']],
  }, 'node bench/encoder_browser.mjs [--reps N] [--min-ms MS] [--shapes 1x128,...] [--simd both|auto|base] [--no-int8]');
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// ---- the model files: bench/encoder.mjs's, checked as it checks them ----------------------------
function filesCurrent() {
  const want = JSON.parse(readFileSync(join(GOLDEN, 'spec.json'), 'utf8')).sha256_f32;
  const weights = join(WORK, 'model.safetensors');
  const onnx = join(WORK, 'hf', 'onnx', 'model.onnx');
  const stamp = join(WORK, 'hf', 'onnx', 'model.format');
  if (!existsSync(weights) || !existsSync(onnx) || !existsSync(stamp)) return false;
  if (sha256(readFileSync(weights)) !== want) return false;
  // The stamp is "<export format> <weights sha256>"; the format number lives in encoder.mjs.
  const format = readFileSync(join(BENCH, 'encoder.mjs'), 'utf8').match(/const ONNX_FORMAT = (\d+)/)?.[1];
  const [haveFormat, haveSha] = readFileSync(stamp, 'utf8').trim().split(' ');
  return haveSha === want && (format === undefined || haveFormat === format);
}

function ensureFiles() {
  if (filesCurrent()) return;
  // encoder.mjs builds the files as part of a run, whose (here meaningless) figures would replace
  // bench/out/encoder.json: keep the previous report.
  log('bench/out/encoder/ is missing or stale: building it with bench/encoder.mjs (a short tetra-only run)');
  const report = join(OUT, 'encoder.json');
  const saved = `${report}.saved-by-encoder-browser`;
  const had = existsSync(report);
  if (had) copyFileSync(report, saved);
  try {
    const r = spawnSync(process.execPath, ['bench/encoder.mjs', '--no-ort', '--no-e2e', '--no-int8', '--reps', '1', '--shapes', '1x128', '--min-ms', '1', '--simd', 'base'],
      { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`bench: node bench/encoder.mjs (building bench/out/encoder/) failed:\n${(r.stderr || String(r.error)).slice(-3000)}`);
  } finally {
    if (had) {
      copyFileSync(saved, report);
      rmSync(saved);
    }
  }
  if (!filesCurrent()) throw new Error('bench: bench/encoder.mjs ran but bench/out/encoder/ is still not current');
}

// ---- the browser ------------------------------------------------------------------------------
async function launch() {
  if (!existsSync(CHROMIUM)) throw new Error(`bench: Chromium not found at ${CHROMIUM} (install Debian's chromium or set TETRA_CHROMIUM)`);
  const playwright = await import('playwright-core').catch((cause) => {
    throw new Error('bench: npm playwright-core is missing; run `npm install --ignore-scripts` (it is a devDependency)', { cause });
  });
  return playwright.chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * One tetra build in a fresh page: setup, load times, then the forward races shape by shape.
 * Console messages, page errors and failed requests are kept; a failing step throws with them.
 */
async function runPage(browser, url, simd, opts) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const messages = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') messages.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => messages.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => messages.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) messages.push(`HTTP ${r.status()}: ${r.url()}`); });
  const step = async (what, fn, arg) => {
    try {
      return await page.evaluate(fn, arg);
    } catch (error) {
      throw new Error(`bench: the page failed at ${what} (init({ simd: '${simd}' })): ${error.message.split('\n')[0]}`
        + (messages.length ? `\npage messages:\n  ${messages.join('\n  ')}` : '\n(no console messages)'));
    }
  };
  try {
    await page.goto(`${url}/bench/pages/encoder.html`);
    await step('loading bench/pages/encoder.html', () => new Promise((ok, fail) => {
      const t0 = performance.now();
      const poll = () => (window.bench ? ok() : performance.now() - t0 > 10_000 ? fail(new Error('window.bench not set after 10 s')) : setTimeout(poll, 20));
      poll();
    }));
    const info = await step('setup', (o) => window.bench.setup(o), { simd });
    log(`${simd}: tetra ${info.tetra_build} build, onnxruntime-web ${info.onnxruntime_web}; load times`);
    const { load, int8_bytes } = await step('load', (o) => window.bench.load(o), { int8: opts.int8 });
    await step('prepare', () => window.bench.prepare());
    const forward = [];
    for (const [batch, seq] of opts.shapes) {
      log(`${simd}: forward ${batch}x${seq}`);
      forward.push(await step(`forward ${batch}x${seq}`, (o) => window.bench.forward(o), { batch, seq, reps: opts.reps, minMs: opts.minMs }));
    }
    await step('teardown', () => window.bench.teardown());
    return { simd_requested: simd, ...info, int8_bytes, load, forward, page_messages: messages };
  } finally {
    await context.close();
  }
}

// ---- checks and targets -------------------------------------------------------------------------
function wrongness(r) {
  const why = [];
  const f = r.check.fp32_vs_ort;
  if (!(f.min_token_cosine >= COS_FP32)) why.push(`tetra fp32 / ORT token cosine ${f.min_token_cosine} < ${COS_FP32}`);
  if (!(f.max_abs_diff <= FP32_MAX_ABS)) why.push(`tetra fp32 / ORT max abs diff ${f.max_abs_diff} > ${FP32_MAX_ABS}`);
  const q = r.check.int8_vs_ort;
  if (q && !(q.min_token_cosine >= COS_INT8)) why.push(`tetra int8 / ORT token cosine ${q.min_token_cosine} < ${COS_INT8}`);
  return why;
}

function targetsOf(run) {
  const low = (key) => (run.forward.length && run.forward.every((r) => r[key] !== undefined) ? Math.min(...run.forward.map((r) => r[key])) : null);
  const t = {
    fp32_vs_ort: { target: TARGET_FP32, min_speedup: low('fp32_speedup'), min_speedup_median: low('fp32_speedup_median') },
    int8_vs_ort: { target: TARGET_INT8, min_speedup: low('int8_speedup'), min_speedup_median: low('int8_speedup_median') },
    load: { target_ms: TARGET_LOAD_MS, fp32_best_ms: run.load.tetra_fp32.best_ms },
  };
  for (const x of [t.fp32_vs_ort, t.int8_vs_ort]) x.met = x.min_speedup === null ? null : x.min_speedup >= x.target;
  t.load.met = t.load.fp32_best_ms <= TARGET_LOAD_MS;
  return t;
}

// ---- report -------------------------------------------------------------------------------------
function fmt(x, digits = 1) { return x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(digits); }

function describeBuild(build) {
  return build === 'relaxed' ? 'tetra-relaxed.wasm (relaxed SIMD: fused multiply-adds)' : 'tetra.wasm (SIMD128)';
}

function runLines(run) {
  const lines = [];
  const L = run.load;
  lines.push(`== init(${run.simd_requested === 'auto' ? '' : `{ simd: '${run.simd_requested}' }`}) -> ${describeBuild(run.tetra_build)}`);
  lines.push(`load (bytes in memory -> ready), best (median) ms: tetra fp32 ${fmt(L.tetra_fp32.best_ms)} (${fmt(L.tetra_fp32.median_ms)})`
    + (L.tetra_int8_file ? `; tetra int8 file ${fmt(L.tetra_int8_file.best_ms)} (${fmt(L.tetra_int8_file.median_ms)}); tetra fp32 quantized at load ${fmt(L.tetra_int8_at_load.best_ms)}; Transformer.quantize ${fmt(L.tetra_quantize_file.best_ms)}` : '')
    + `; onnxruntime-web session ${fmt(L.ort.best_ms)} (${fmt(L.ort.median_ms)}) -> ${fmt(L.ort.best_ms / L.tetra_fp32.best_ms)}x`);
  lines.push('forward (ids in, last hidden state out, copies included), ms per call, best (median); speedup = ORT / tetra, best (median):');
  const head = ['B x S', 'tetra fp32', 'tetra int8', 'ORT fp32', 'fp32 speedup', 'int8 speedup', 'cos fp32/ORT', 'max|d| fp32/ORT', 'cos int8/ORT'];
  const bm = (x) => (x ? `${fmt(x.best_ms, 2)} (${fmt(x.median_ms, 2)})` : '-');
  const rows = run.forward.map((r) => [`${r.batch} x ${r.seq}`, bm(r.tetra_fp32), bm(r.tetra_int8), bm(r.ort),
    `${fmt(r.fp32_speedup, 2)}x (${fmt(r.fp32_speedup_median, 2)}x)`,
    r.int8_speedup ? `${fmt(r.int8_speedup, 2)}x (${fmt(r.int8_speedup_median, 2)}x)` : '-',
    r.check.fp32_vs_ort.min_token_cosine.toFixed(7), r.check.fp32_vs_ort.max_abs_diff.toExponential(1),
    r.check.int8_vs_ort ? r.check.int8_vs_ort.min_token_cosine.toFixed(4) : '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  lines.push(line(head));
  for (const row of rows) lines.push(line(row));
  const t = run.targets;
  const verdict = (x) => (x.met === null ? 'not measured' : x.met ? 'met' : 'NOT met');
  lines.push(`target: tetra fp32 >= ${TARGET_FP32}x onnxruntime-web: lowest ${fmt(t.fp32_vs_ort.min_speedup, 2)}x (median-based ${fmt(t.fp32_vs_ort.min_speedup_median, 2)}x) -> ${verdict(t.fp32_vs_ort)}`);
  lines.push(`target: tetra int8 >= ${TARGET_INT8}x onnxruntime-web fp32: lowest ${fmt(t.int8_vs_ort.min_speedup, 2)}x (median-based ${fmt(t.int8_vs_ort.min_speedup_median, 2)}x) -> ${verdict(t.int8_vs_ort)}`);
  lines.push(`target: fp32 load <= ${TARGET_LOAD_MS} ms: ${fmt(t.load.fp32_best_ms)} ms -> ${verdict(t.load)}`);
  for (const r of run.forward) for (const why of r.wrong) lines.push(`WRONG: ${r.batch}x${r.seq}: ${why}`);
  for (const m of run.page_messages) lines.push(`page: ${m}`);
  return lines;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const loadStart = os.loadavg();
  ensureFiles();
  const builds = opts.simd === 'both' ? ['auto', 'base'] : [opts.simd];
  const { server, url } = await serve({ port: 0 });
  let browser = null;
  const runs = [];
  let chromium;
  try {
    browser = await launch();
    chromium = browser.version();
    log(`Chromium ${chromium}, page ${url}/bench/pages/encoder.html`);
    for (const simd of builds) {
      const run = await runPage(browser, url, simd, opts);
      for (const r of run.forward) r.wrong = wrongness(r);
      run.targets = targetsOf(run);
      runs.push(run);
    }
  } finally {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }

  const first = runs[0];
  const machine = { cpu: cpuModel(), logical_cpus: os.cpus().length, node: process.versions.node, chromium,
    user_agent: first.user_agent, onnxruntime_web: first.onnxruntime_web, tetra_core: first.tetra_core,
    playwright_core: JSON.parse(readFileSync(join(REPO, 'node_modules', 'playwright-core', 'package.json'), 'utf8')).version,
    git_commit: gitCommit(), cross_origin_isolated: first.cross_origin_isolated };
  const lines = [];
  lines.push(`machine: ${machine.cpu}, ${machine.logical_cpus} logical CPUs, load avg ${loadStart.map((x) => x.toFixed(2)).join(' ')} at start; headless Chromium ${chromium} (playwright-core ${machine.playwright_core}), page main thread; onnxruntime-web ${machine.onnxruntime_web} (ort.wasm.min.mjs, wasm EP, numThreads 1)`);
  lines.push(`model: MiniLM-L6 shape (6 layers, hidden 384, 12 heads, FFN 1536, vocab 30522), deterministic weights; fp32 file ${(first.weights_bytes / 1e6).toFixed(1)} MB${first.int8_bytes ? `, int8 file ${(first.int8_bytes / 1e6).toFixed(1)} MB` : ''}; single thread everywhere`);
  for (const run of runs) lines.push(...runLines(run));
  const warning = loadWarning(loadStart);
  if (warning) lines.push(warning);
  const totalS = (performance.now() - started) / 1e3;
  lines.push(`total ${totalS.toFixed(0)} s`);
  console.log(lines.join('\n'));
  const outFile = join(OUT, 'encoder-browser.json');
  writeFileSync(outFile, JSON.stringify({ machine: { ...machine, load_average_start: loadStart, load_average_end: os.loadavg() },
    options: opts, runs, total_seconds: totalS }, null, 1) + '\n');
  log(`wrote ${relative(REPO, outFile)}`);
  if (runs.some((run) => run.forward.some((r) => r.wrong.length))) {
    console.error('bench: tetra and onnxruntime-web disagree (WRONG lines above): the timings are not a valid comparison');
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(err.stack || err.message);
  process.exit(1);
});
