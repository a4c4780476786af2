// The page side of bench/encoder_browser.mjs: bench/encoder.mjs's forward and load comparison
// (tetra fp32 and int8 against onnxruntime-web's wasm backend, one thread, same weights) run in
// the page's main thread. Node calls these functions one step at a time through page.evaluate;
// only timings and agreement figures go back (hidden states stay in the page). Timing, sampling,
// ids and checks mirror bench/encoder.mjs, so the two reports compare figure for figure.
import { init, Transformer, coreVersion, hasRelaxedSimd, simdLevel } from '../../js/index.js';
import { compareWithOrt, race, randomIds, timeOnce } from '../encoder_measure.mjs';

// The wasm-only ESM build (no WebGPU/WebGL/WebNN), which loads ort-wasm-simd-threaded.{mjs,wasm}
// from env.wasm.wasmPaths: the same wasm binary as onnxruntime-web's Node build.
const ORT_DIST = new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url).href;
const ORT_MODULE = `${ORT_DIST}ort.wasm.min.mjs`;
const CONFIG = new URL('../../tests/golden/nn/minilm/config.json', import.meta.url);
const WEIGHTS = new URL('../out/encoder/model.safetensors', import.meta.url);
const ONNX = new URL('../out/encoder/hf/onnx/model.onnx', import.meta.url);

let ort = null;
const files = {}; // config (text), weights, onnx (Uint8Array)
const models = {}; // fp32, int8 (Transformer), session (ort.InferenceSession)
const sessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`bench page: fetching ${url} failed with HTTP ${r.status} (build it: node bench/encoder.mjs)`);
  return new Uint8Array(await r.arrayBuffer());
}

/** init() with { simd }, onnxruntime-web set up as bench/encoder.mjs does, the model files fetched. */
export async function setup({ simd }) {
  await init({ simd });
  try {
    ort = await import(ORT_MODULE);
  } catch (cause) {
    throw new Error(`bench page: cannot import ${ORT_MODULE} (${cause.message}); run npm install --ignore-scripts`);
  }
  ort.env.wasm.numThreads = 1; // single-threaded, like tetra
  ort.env.wasm.wasmPaths = ORT_DIST; // the served copy in node_modules, never a CDN
  ort.env.logLevel = 'error';
  const [config, weights, onnx] = await Promise.all([
    fetch(CONFIG).then((r) => { if (!r.ok) throw new Error(`bench page: ${CONFIG}: HTTP ${r.status}`); return r.text(); }),
    fetchBytes(WEIGHTS), fetchBytes(ONNX)]);
  Object.assign(files, { config, weights, onnx });
  return {
    tetra_build: simdLevel(), has_relaxed_simd: hasRelaxedSimd(), tetra_core: coreVersion(),
    onnxruntime_web: ort.env.versions?.web ?? null, user_agent: navigator.userAgent,
    cross_origin_isolated: globalThis.crossOriginIsolated === true,
    weights_bytes: weights.length, onnx_bytes: onnx.length,
  };
}

// ---- steps ------------------------------------------------------------------------------------
/** Bytes in memory -> ready, each model freed before the next load (as bench/encoder.mjs). */
export async function load({ int8 }) {
  const { config, weights, onnx } = files;
  const out = {};
  out.tetra_fp32 = await timeOnce(5, () => Transformer.fromHF({ config, weights }), (m) => m.free());
  if (int8) {
    out.tetra_quantize_file = await timeOnce(1, () => Transformer.quantize({ config, weights }));
    files.int8 = Transformer.quantize({ config, weights });
    out.tetra_int8_file = await timeOnce(5, () => Transformer.fromHF({ config, weights: files.int8 }), (m) => m.free());
    out.tetra_int8_at_load = await timeOnce(3, () => Transformer.fromHF({ config, weights, precision: 'int8' }), (m) => m.free());
  }
  // The first create also fetches and compiles onnxruntime's 14 MB wasm; best of 3 leaves it out.
  out.ort = await timeOnce(3, () => ort.InferenceSession.create(onnx, sessionOptions), (s) => s.release());
  return { load: out, int8_bytes: files.int8?.length ?? null };
}

/** The models the forward races use. */
export async function prepare() {
  models.fp32 = Transformer.fromHF({ config: files.config, weights: files.weights });
  models.int8 = files.int8 ? Transformer.fromHF({ config: files.config, weights: files.int8 }) : null;
  models.session = await ort.InferenceSession.create(files.onnx, sessionOptions);
  return { hidden: models.fp32.hiddenSize, vocab: models.fp32.vocabSize };
}

/** One shape: the contenders raced, and their last outputs compared with ORT's. */
export async function forward({ batch: B, seq: S, reps, minMs }) {
  const { fp32, int8, session } = models;
  const ids = randomIds(B, S, fp32.vocabSize, B * 7919 + S);
  const mask = new Int32Array(B * S).fill(1);
  const types = new Int32Array(B * S);
  const inputs = { inputIds: ids, attentionMask: mask, tokenTypeIds: types };
  const i64 = (a) => new ort.Tensor('int64', BigInt64Array.from(a, (x) => BigInt(x)), [B, S]);
  const feeds = { input_ids: i64(ids), attention_mask: i64(mask), token_type_ids: i64(types) };
  const outs = {};
  const contenders = [{ key: 'tetra_fp32', fn: () => { outs.tetra_fp32 = fp32.forward(inputs, { batch: B, seqLen: S }); } }];
  if (int8) contenders.push({ key: 'tetra_int8', fn: () => { outs.tetra_int8 = int8.forward(inputs, { batch: B, seqLen: S }); } });
  contenders.push({ key: 'ort', fn: async () => { outs.ort = (await session.run(feeds)).last_hidden_state.data; } });

  const r = { batch: B, seq: S, ...(await race(contenders, { reps, minMs })) };
  const H = fp32.hiddenSize;
  compareWithOrt(r, outs, H);
  return r;
}

export async function teardown() {
  models.fp32?.free();
  models.int8?.free();
  await models.session?.release();
}
