// Encoder benchmark: the MiniLM-L6-shaped BERT (all-MiniLM-L6-v2's config, the deterministic
// weights of tests/golden/nn/minilm/spec.json) in one Node process, single-threaded:
//   forward   tetra fp32 and tetra int8 against onnxruntime-web (wasm, numThreads 1) running the
//             same weights exported with torch.onnx.export, at batch x sequence 1x128, 1x512, 8x128
//   load      bytes in memory -> ready: tetra fp32, tetra int8 (tetra's int8 file, and quantizing
//             at load), onnxruntime-web's InferenceSession.create
//   end to end  feature extraction (tokenize, infer, mean-pool, normalize) with tetra's pipeline()
//             against @huggingface/transformers' pipeline('feature-extraction') on the same local
//             model folder, made to run onnxruntime-web (not onnxruntime-node)
// Outputs are compared (cosine) while timing. Everything also goes to bench/out/encoder.json
// (encoder-relaxed.json for the relaxed-SIMD build: --simd relaxed, or auto where the engine has
// relaxed SIMD; Node 20: node --experimental-wasm-relaxed-simd bench/encoder.mjs).
//
//   node bench/encoder.mjs [--reps N] [--min-ms MS] [--shapes 1x128,1x512,8x128] [--no-ort]
//                          [--no-e2e] [--no-int8]
//
// Builds once, into bench/out/encoder/ (gitignored): model.safetensors (tests/js/nn_weights.js),
// hf/{config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx} (bench/make_encoder_onnx.py,
// Debian python3-torch; the tokenizer files from ../shared/models/all-MiniLM-L6-v2). What each
// figure includes: bench/README.md.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuModel, gitCommit, parseBenchArgs, batchShapes, runTool, loadWarning } from './lib.mjs';
import { compareWithOrt, race, randomIds, rowsCosine, timeOnce } from './encoder_measure.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const OUT = join(BENCH, 'out');
const WORK = join(OUT, 'encoder');
const HF = join(WORK, 'hf');
const GOLDEN = join(REPO, 'tests', 'golden', 'nn', 'minilm');
const SHARED_MODEL = join(REPO, '..', 'shared', 'models', 'all-MiniLM-L6-v2');
const PYTHON = process.env.TETRA_PYTHON || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const ONNX_FORMAT = 1; // make_encoder_onnx.py FORMAT
const SHAPES = [[1, 128], [1, 512], [8, 128]];
// The issue's targets.
const TARGET_FP32 = 1.5; // tetra fp32 >= 1.5x onnxruntime-web
const TARGET_INT8 = 3; // tetra int8 >= 3x onnxruntime-web fp32
const TARGET_LOAD_MS = 50; // fp32 model, bytes in memory -> ready

function log(msg) { process.stderr.write(`bench: ${msg}\n`); }

function parseArgs(argv) {
  return parseBenchArgs(argv, { reps: 5, minMs: 150, shapes: SHAPES, ort: true, e2e: true, int8: true, simd: 'auto' }, {
    reps: ['reps', 'int'], 'min-ms': ['minMs', 'number'], shapes: ['shapes', batchShapes], 'no-ort': ['ort', 'off'],
    'no-e2e': ['e2e', 'off'], 'no-int8': ['int8', 'off'], simd: ['simd', ['auto', 'base', 'relaxed']],
  }, 'node bench/encoder.mjs [--reps N] [--min-ms MS] [--shapes 1x128,...] [--no-ort] [--no-e2e] [--no-int8] [--simd auto|base|relaxed]');
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// ---- the model files ---------------------------------------------------------------------------
async function ensureFiles() {
  mkdirSync(join(HF, 'onnx'), { recursive: true });
  const specText = readFileSync(join(GOLDEN, 'spec.json'), 'utf8');
  const spec = JSON.parse(specText);
  const configText = readFileSync(join(GOLDEN, 'config.json'), 'utf8');
  const want = spec.sha256_f32;

  const stPath = join(WORK, 'model.safetensors');
  let weights = existsSync(stPath) ? new Uint8Array(readFileSync(stPath)) : null;
  if (!weights || sha256(weights) !== want) {
    log('building bench/out/encoder/model.safetensors from tests/golden/nn/minilm/spec.json (tests/js/nn_weights.js)');
    const { buildSafetensors } = await import('../tests/js/nn_weights.js');
    weights = buildSafetensors(spec, { dtype: 'F32' });
    if (want && sha256(weights) !== want) throw new Error(`bench: the rebuilt weights' sha256 ${sha256(weights)} is not spec.json's ${want}`);
    writeFileSync(stPath, weights);
  }

  const onnxPath = join(HF, 'onnx', 'model.onnx');
  const stamp = join(HF, 'onnx', 'model.format');
  const stampWant = `${ONNX_FORMAT} ${want}`;
  if (!existsSync(onnxPath) || !existsSync(stamp) || readFileSync(stamp, 'utf8').trim() !== stampWant) {
    log('exporting bench/out/encoder/hf/onnx/model.onnx (bench/make_encoder_onnx.py, torch.onnx.export)');
    const out = runTool(PYTHON, ['bench/make_encoder_onnx.py', '--spec', join(GOLDEN, 'spec.json'), '--config', join(GOLDEN, 'config.json'), '--out', onnxPath],
      'the ONNX export needs Debian python3-torch and python3-numpy');
    log(out.trim().split('\n').pop());
    writeFileSync(stamp, `${stampWant}\n`);
  }
  writeFileSync(join(HF, 'config.json'), configText);
  let tokenizer = null;
  if (existsSync(join(SHARED_MODEL, 'tokenizer.json'))) {
    for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(SHARED_MODEL, f), join(HF, f));
    tokenizer = readFileSync(join(HF, 'tokenizer.json'), 'utf8');
  }
  return { spec, configText, weights, onnx: new Uint8Array(readFileSync(onnxPath)), tokenizer };
}

// ---- main ---------------------------------------------------------------------------------------
function fmt(x, digits = 1) { return x === undefined || x === null || Number.isNaN(x) ? '-' : x.toFixed(digits); }

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const loadStart = os.loadavg();
  const files = await ensureFiles();
  const { init, Transformer, pipeline, simdLevel } = await import('../js/index.js');
  await init({ simd: opts.simd });
  const build = simdLevel();

  let ort = null;
  if (opts.ort || opts.e2e) {
    ort = await import('onnxruntime-web').catch((cause) => {
      throw new Error('bench: onnxruntime-web is missing; run `npm install --ignore-scripts` (it is a devDependency)', { cause });
    });
    ort.env.wasm.numThreads = 1; // single-threaded, like tetra
    ort.env.wasm.wasmPaths = join(REPO, 'node_modules', 'onnxruntime-web', 'dist') + '/'; // local files only
    ort.env.logLevel = 'error';
  }
  const sessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  const config = files.configText;
  const report = { load: {}, forward: [], e2e: [] };

  // ---- load: bytes in memory -> ready
  log('load times');
  report.weights_bytes = files.weights.length;
  report.load.tetra_fp32 = await timeOnce(5, () => Transformer.fromHF({ config, weights: files.weights }), (m) => m.free());
  let int8 = null;
  if (opts.int8) {
    const q = await timeOnce(1, () => Transformer.quantize({ config, weights: files.weights }));
    int8 = Transformer.quantize({ config, weights: files.weights });
    report.int8_bytes = int8.length;
    report.load.tetra_quantize_file = q;
    report.load.tetra_int8_file = await timeOnce(5, () => Transformer.fromHF({ config, weights: int8 }), (m) => m.free());
    report.load.tetra_int8_at_load = await timeOnce(3, () => Transformer.fromHF({ config, weights: files.weights, precision: 'int8' }), (m) => m.free());
  }
  if (ort) report.load.ort = await timeOnce(3, () => ort.InferenceSession.create(files.onnx, sessionOptions), (s) => s.release());

  // ---- forward: ids in, last hidden state out
  const fp32 = Transformer.fromHF({ config, weights: files.weights });
  const q8 = int8 ? Transformer.fromHF({ config, weights: int8 }) : null;
  const session = opts.ort ? await ort.InferenceSession.create(files.onnx, sessionOptions) : null;
  for (const [B, S] of opts.shapes) {
    log(`forward ${B}x${S}`);
    const ids = randomIds(B, S, fp32.vocabSize, B * 7919 + S);
    const mask = new Int32Array(B * S).fill(1);
    const types = new Int32Array(B * S);
    const inputs = { inputIds: ids, attentionMask: mask, tokenTypeIds: types };
    const outs = {};
    const contenders = [{ key: 'tetra_fp32', fn: () => { outs.tetra_fp32 = fp32.forward(inputs, { batch: B, seqLen: S }); } }];
    if (q8) contenders.push({ key: 'tetra_int8', fn: () => { outs.tetra_int8 = q8.forward(inputs, { batch: B, seqLen: S }); } });
    if (session) {
      const i64 = (a) => new ort.Tensor('int64', BigInt64Array.from(a, (x) => BigInt(x)), [B, S]);
      const feeds = { input_ids: i64(ids), attention_mask: i64(mask), token_type_ids: i64(types) };
      contenders.push({ key: 'ort', fn: async () => { outs.ort = (await session.run(feeds)).last_hidden_state.data; } });
    }
    const r = { batch: B, seq: S, ...(await race(contenders, opts)) };
    const H = fp32.hiddenSize;
    r.check = {};
    if (outs.ort) compareWithOrt(r, outs, H);
    report.forward.push(r);
  }
  if (session) await session.release();

  // ---- end to end: feature extraction of real sentences
  let tjsVersion = null;
  if (opts.e2e && !files.tokenizer) log(`end-to-end skipped: ${SHARED_MODEL}/tokenizer.json is absent`);
  if (opts.e2e && files.tokenizer) {
    log('end to end: feature extraction');
    globalThis[Symbol.for('onnxruntime')] = ort; // transformers.js then uses onnxruntime-web, not -node
    const T = await import('@huggingface/transformers').catch((cause) => {
      throw new Error('bench: @huggingface/transformers is missing; run `npm install --ignore-scripts` (it is a devDependency)', { cause });
    });
    tjsVersion = T.env.version;
    T.env.allowRemoteModels = false;
    T.env.allowLocalModels = true;
    T.env.localModelPath = WORK + '/';
    T.env.useFSCache = false;
    T.env.useBrowserCache = false;
    const tjsOptions = { dtype: 'fp32', device: 'auto', session_options: { executionProviders: ['wasm'] } };
    const t0 = performance.now();
    const tjs = await T.pipeline('feature-extraction', 'hf', tjsOptions);
    report.load.transformers_js_pipeline_from_disk = { best_ms: performance.now() - t0 };
    const ours = await pipeline('feature-extraction', { config, weights: files.weights, tokenizer: files.tokenizer });
    const ours8 = int8 ? await pipeline('feature-extraction', { config, weights: int8, tokenizer: files.tokenizer }) : null;
    const inputs = JSON.parse(readFileSync(join(GOLDEN, 'inputs.json'), 'utf8'));
    const texts = inputs.sets.embed.texts;
    const cases = [{ name: `1 text x ${Math.min(8, texts.length)} calls`, calls: texts.slice(0, 8).map((t) => [t]) },
      { name: `${texts.length} texts in one call`, calls: [texts] }];
    const po = { pooling: 'mean', normalize: true };
    for (const c of cases) {
      const outs = {};
      const contenders = [
        { key: 'tetra_fp32', fn: async () => { outs.tetra_fp32 = []; for (const x of c.calls) outs.tetra_fp32.push((await ours(x, po)).data); } },
        { key: 'transformers_js', fn: async () => { outs.transformers_js = []; for (const x of c.calls) outs.transformers_js.push((await tjs(x, po)).data); } },
      ];
      if (ours8) contenders.splice(1, 0, { key: 'tetra_int8', fn: async () => { outs.tetra_int8 = []; for (const x of c.calls) outs.tetra_int8.push((await ours8(x, po)).data); } });
      const r = { case: c.name, texts: c.calls.reduce((n, x) => n + x.length, 0), ...(await race(contenders, { ...opts, reps: Math.max(3, opts.reps - 2) })) };
      const cat = (list) => { const n = list.reduce((s, a) => s + a.length, 0); const o = new Float32Array(n); let at = 0; for (const a of list) { o.set(a, at); at += a.length; } return o; };
      const a = cat(outs.tetra_fp32);
      const b = cat(outs.transformers_js);
      r.check = { fp32_vs_transformers_js_min_cosine: rowsCosine(a, b, 384) };
      if (outs.tetra_int8) r.check.int8_vs_transformers_js_min_cosine = rowsCosine(cat(outs.tetra_int8), b, 384);
      r.fp32_speedup = r.transformers_js.best_ms / r.tetra_fp32.best_ms;
      if (r.tetra_int8) r.int8_speedup = r.transformers_js.best_ms / r.tetra_int8.best_ms;
      report.e2e.push(r);
    }
    await ours.dispose();
    if (ours8) await ours8.dispose();
    await tjs.dispose();
  }
  fp32.free();
  if (q8) q8.free();

  // ---- report
  const targets = {};
  const withOrt = report.forward.filter((r) => r.ort);
  const low = (key) => (withOrt.length && withOrt.every((r) => r[key] !== undefined) ? Math.min(...withOrt.map((r) => r[key])) : null);
  targets.fp32_vs_ort = { target: TARGET_FP32, min_speedup: low('fp32_speedup'), min_speedup_median: low('fp32_speedup_median') };
  targets.int8_vs_ort = { target: TARGET_INT8, min_speedup: low('int8_speedup'), min_speedup_median: low('int8_speedup_median') };
  targets.load = { target_ms: TARGET_LOAD_MS, fp32_best_ms: report.load.tetra_fp32.best_ms };
  for (const t of [targets.fp32_vs_ort, targets.int8_vs_ort]) t.met = t.min_speedup === null ? null : t.min_speedup >= t.target;
  targets.load.met = targets.load.fp32_best_ms <= TARGET_LOAD_MS;

  const lines = [];
  const machine = { cpu: cpuModel(), logical_cpus: os.cpus().length, node: process.versions.node, v8: process.versions.v8,
    onnxruntime_web: ort ? ort.env.versions?.web ?? null : null, transformers_js: tjsVersion, git_commit: gitCommit(),
    tetra_build: build, tetra_wasm_bytes: readFileSync(join(REPO, 'js', build === 'relaxed' ? 'tetra-relaxed.wasm' : 'tetra.wasm')).length };
  lines.push(`machine: ${machine.cpu}, ${machine.logical_cpus} logical CPUs, load avg ${loadStart.map((x) => x.toFixed(2)).join(' ')} at start; Node ${machine.node}; tetra ${build === 'relaxed' ? 'tetra-relaxed.wasm (relaxed SIMD: fused multiply-adds)' : 'tetra.wasm (SIMD128)'}; onnxruntime-web ${machine.onnxruntime_web ?? '(not run)'}; transformers.js ${tjsVersion ?? '(not run)'}`);
  lines.push(`model: MiniLM-L6 shape (6 layers, hidden 384, 12 heads, FFN 1536, vocab 30522), deterministic weights; fp32 file ${(files.weights.length / 1e6).toFixed(1)} MB${int8 ? `, int8 file ${(int8.length / 1e6).toFixed(1)} MB` : ''}; single thread everywhere`);
  const L = report.load;
  lines.push(`load (bytes in memory -> ready), best (median) ms: tetra fp32 ${fmt(L.tetra_fp32.best_ms)} (${fmt(L.tetra_fp32.median_ms)})`
    + (L.tetra_int8_file ? `; tetra int8 file ${fmt(L.tetra_int8_file.best_ms)} (${fmt(L.tetra_int8_file.median_ms)}); tetra fp32 quantized at load ${fmt(L.tetra_int8_at_load.best_ms)}; Transformer.quantize ${fmt(L.tetra_quantize_file.best_ms)}` : '')
    + (L.ort ? `; onnxruntime-web session ${fmt(L.ort.best_ms)} (${fmt(L.ort.median_ms)}) -> ${fmt(L.ort.best_ms / L.tetra_fp32.best_ms)}x` : ''));
  lines.push('forward (ids in, last hidden state out, copies included), ms per call, best (median); speedup = ORT / tetra, best (median):');
  const head = ['B x S', 'tetra fp32', 'tetra int8', 'ORT fp32', 'fp32 speedup', 'int8 speedup', 'cos fp32/ORT', 'max|d| fp32/ORT', 'cos int8/ORT'];
  const bm = (x) => (x ? `${fmt(x.best_ms, 2)} (${fmt(x.median_ms, 2)})` : '-');
  const rows = report.forward.map((r) => [`${r.batch} x ${r.seq}`, bm(r.tetra_fp32), bm(r.tetra_int8), bm(r.ort),
    r.fp32_speedup ? `${fmt(r.fp32_speedup, 2)}x (${fmt(r.fp32_speedup_median, 2)}x)` : '-',
    r.int8_speedup ? `${fmt(r.int8_speedup, 2)}x (${fmt(r.int8_speedup_median, 2)}x)` : '-',
    r.check.fp32_vs_ort ? r.check.fp32_vs_ort.min_token_cosine.toFixed(7) : '-',
    r.check.fp32_vs_ort ? r.check.fp32_vs_ort.max_abs_diff.toExponential(1) : '-',
    r.check.int8_vs_ort ? r.check.int8_vs_ort.min_token_cosine.toFixed(4) : '-']);
  const table = (hd, rs) => {
    const widths = hd.map((h, i) => Math.max(h.length, ...rs.map((row) => String(row[i]).length)));
    const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
    lines.push(line(hd));
    for (const row of rs) lines.push(line(row));
  };
  table(head, rows);
  if (report.e2e.length) {
    lines.push('end to end, feature extraction (tokenize, infer, mean pool, normalize), ms per case, best (median); speedup = transformers.js / tetra:');
    table(['case', 'tetra fp32', 'tetra int8', 'transformers.js', 'fp32 speedup', 'int8 speedup', 'cos fp32/tjs', 'cos int8/tjs'],
      report.e2e.map((r) => [r.case, bm(r.tetra_fp32), bm(r.tetra_int8), bm(r.transformers_js), `${fmt(r.fp32_speedup, 2)}x`,
        r.int8_speedup ? `${fmt(r.int8_speedup, 2)}x` : '-', r.check.fp32_vs_transformers_js_min_cosine.toFixed(7),
        r.check.int8_vs_transformers_js_min_cosine ? r.check.int8_vs_transformers_js_min_cosine.toFixed(4) : '-']));
  }
  const verdict = (t) => (t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met');
  lines.push(`target: tetra fp32 >= ${TARGET_FP32}x onnxruntime-web: lowest ${fmt(targets.fp32_vs_ort.min_speedup, 2)}x (median-based ${fmt(targets.fp32_vs_ort.min_speedup_median, 2)}x) -> ${verdict(targets.fp32_vs_ort)}`);
  lines.push(`target: tetra int8 >= ${TARGET_INT8}x onnxruntime-web fp32: lowest ${fmt(targets.int8_vs_ort.min_speedup, 2)}x (median-based ${fmt(targets.int8_vs_ort.min_speedup_median, 2)}x) -> ${verdict(targets.int8_vs_ort)}`);
  lines.push(`target: fp32 load <= ${TARGET_LOAD_MS} ms: ${fmt(targets.load.fp32_best_ms)} ms -> ${verdict(targets.load)}`);
  for (const r of report.forward) {
    if (r.check.fp32_vs_ort && !(r.check.fp32_vs_ort.min_token_cosine >= 0.99999)) lines.push(`WARNING: ${r.batch}x${r.seq}: tetra fp32 and ORT disagree (token cosine ${r.check.fp32_vs_ort.min_token_cosine})`);
  }
  for (const r of report.e2e) {
    if (!(r.check.fp32_vs_transformers_js_min_cosine >= 0.99999)) lines.push(`WARNING: ${r.case}: tetra and transformers.js embeddings disagree (cosine ${r.check.fp32_vs_transformers_js_min_cosine})`);
  }
  const warning = loadWarning(loadStart);
  if (warning) lines.push(warning);
  const totalS = (performance.now() - started) / 1e3;
  lines.push(`total ${totalS.toFixed(0)} s`);
  console.log(lines.join('\n'));
  const outFile = join(OUT, build === 'relaxed' ? 'encoder-relaxed.json' : 'encoder.json');
  writeFileSync(outFile, JSON.stringify({ machine: { ...machine, load_average_start: loadStart, load_average_end: os.loadavg() },
    options: opts, ...report, targets, total_seconds: totalS }, null, 1) + '\n');
  log(`wrote ${relative(REPO, outFile)}`);
}

main().catch((err) => {
  console.error(err.stack || err.message);
  process.exit(1);
});
