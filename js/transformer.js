// Transformer: BERT-family encoders (BERT/MiniLM, RoBERTa, DistilBERT, XLM-RoBERTa) loaded from
// the files a Hugging Face model repository ships (config.json, model.safetensors,
// tokenizer.json, and sentence-transformers' 1_Pooling/config.json), run by the wasm core in
// float32 or int8; and pipeline(), the transformers.js-style convenience around it.
//
// The C core does the numbers (include/tetra/nn.h); this wrapper tokenizes (js/tokenizer.js, in
// the same wasm module), pads batches, moves ids in and results out through one scratch buffer
// per model (so repeated calls never grow the heap), and turns logits into labels.
import { describe, digestOf, expectedDigest, getRuntime, init, invalid, raise, TetraError } from './wasm.js';
import { Tokenizer } from './tokenizer.js';

const PRECISIONS = { auto: 0, fp32: 1, int8: 2 };
const HEADS = ['none', 'sequence', 'token'];
const POOL_MODES = { mean: 0, cls: 1, max: 2, mean_sqrt_len: 3 };
// Words of tetra_wasm_encoder_info (src/wasm/nn_exports.c), in order.
const INFO = {
  modelType: 0, architecture: 1, vocabSize: 2, hiddenSize: 3, numLayers: 4, numHeads: 5,
  intermediateSize: 6, maxPositions: 7, typeVocabSize: 8, head: 9, numLabels: 10, multiLabel: 11,
  hasPooler: 12, int8: 13,
};
const INFO_WORDS = 14;
// sentence-transformers' pooling config keys, in the order its Pooling module concatenates them.
const ST_MODES = [
  ['pooling_mode_cls_token', 'cls'], ['pooling_mode_max_tokens', 'max'],
  ['pooling_mode_mean_tokens', 'mean'], ['pooling_mode_mean_sqrt_len_tokens', 'mean_sqrt_len'],
];
const ST_UNSUPPORTED = ['pooling_mode_weightedmean_tokens', 'pooling_mode_lasttoken'];
// Scratch buffers up to this size stay allocated between calls; bigger requests are one-off.
const SCRATCH_LIMIT_BYTES = 16 << 20;
const DEFAULT_BATCH_SIZE = 32;

const utf8 = new TextEncoder();

// Frees what a forgotten model holds. The tokenizer has its own finalizer.
const finalizer = new FinalizationRegistry(({ rt, state }) => release(rt, state));

function release(rt, state) {
  if (state.model) rt.exports.tetra_encoder_free(state.model);
  rt.free(state.weights);
  rt.free(state.scratch);
  state.model = 0;
  state.weights = 0;
  state.scratch = 0;
  state.scratchBytes = 0;
}

/** JSON text (string, bytes or a parsed object) as [bytes, parsed object]. */
function jsonInput(value, what) {
  let text;
  if (typeof value === 'string') text = value;
  else if (value instanceof Uint8Array || value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    text = new TextDecoder('utf-8').decode(bytes);
  } else if (value !== null && typeof value === 'object') {
    return [utf8.encode(JSON.stringify(value)), value];
  } else {
    throw new TypeError(`${what}: expected JSON text, a parsed object or bytes, not ${describe(value)}`);
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new TetraError('TETRA_ERR_PARSE', `${what}: ${cause.message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TetraError('TETRA_ERR_FORMAT', `${what}: expected a JSON object`);
  return [utf8.encode(text), parsed];
}

function bytesInput(value, what) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`${what}: expected the bytes of a .safetensors file (Uint8Array or ArrayBuffer), not ${describe(value)}`);
}

/** Copies bytes into wasm memory at a 16-byte aligned address; returns [raw pointer, aligned]. */
function copyInAligned(rt, bytes) {
  const raw = rt.alloc(bytes.length + 16);
  const at = (raw + 15) & ~15;
  rt.u8().set(bytes, at);
  return [raw, at];
}

/**
 * Pooling: 'mean', 'cls', 'max', 'mean_sqrt_len', a list of them (concatenated), or a
 * sentence-transformers 1_Pooling/config.json object. Returns the list of modes.
 */
function poolingModes(pooling, hidden, where) {
  if (typeof pooling === 'string') {
    if (!(pooling in POOL_MODES)) throw invalid(`${where}: pooling must be 'mean', 'cls', 'max', 'mean_sqrt_len' or a 1_Pooling/config.json object, not ${JSON.stringify(pooling)}`);
    return [pooling];
  }
  if (Array.isArray(pooling)) {
    if (pooling.length === 0) throw invalid(`${where}: pooling lists no mode`);
    return pooling.flatMap((p) => poolingModes(p, hidden, where));
  }
  if (pooling === null || typeof pooling !== 'object') throw invalid(`${where}: pooling must be a mode name or a 1_Pooling/config.json object, not ${describe(pooling)}`);
  const config = pooling;
  const dim = config.word_embedding_dimension;
  if (dim !== undefined && hidden !== undefined && dim !== hidden) {
    throw new TetraError('TETRA_ERR_FORMAT', `${where}: 1_Pooling/config.json: word_embedding_dimension = ${dim} but the model's hidden_size is ${hidden}`);
  }
  // Newer sentence-transformers also write "pooling_mode": "mean" etc.
  if (typeof config.pooling_mode === 'string') {
    const name = { mean: 'mean', cls: 'cls', max: 'max', mean_sqrt_len_tokens: 'mean_sqrt_len' }[config.pooling_mode];
    if (!name) throw new TetraError('TETRA_ERR_UNSUPPORTED', `${where}: 1_Pooling/config.json: pooling_mode ${JSON.stringify(config.pooling_mode)} is not supported (mean, cls, max, mean_sqrt_len_tokens are)`);
    return [name];
  }
  for (const key of ST_UNSUPPORTED) {
    if (config[key]) throw new TetraError('TETRA_ERR_UNSUPPORTED', `${where}: 1_Pooling/config.json: ${key} is not supported (mean, cls, max and mean_sqrt_len are)`);
  }
  const modes = ST_MODES.filter(([key]) => config[key] === true).map(([, name]) => name);
  if (modes.length === 0) throw new TetraError('TETRA_ERR_FORMAT', `${where}: 1_Pooling/config.json: no pooling_mode_* is true`);
  return modes;
}

/** A list of texts, or one text (then `single` is true). Items: strings or [text, pair]. */
function textList(texts, where) {
  const single = typeof texts === 'string';
  const list = typeof texts === 'string' ? [texts] : texts;
  if (!Array.isArray(list)) throw new TypeError(`${where}: texts must be a string or an array of strings (or [text, pair] arrays), not ${describe(texts)}`);
  for (let i = 0; i < list.length; i++) {
    const t = list[i];
    if (typeof t === 'string') continue;
    if (Array.isArray(t) && t.length === 2 && typeof t[0] === 'string' && typeof t[1] === 'string') continue;
    throw new TypeError(`${where}: texts[${i}] must be a string or a [text, pair] array of two strings, not ${describe(t)}`);
  }
  return [list, single];
}

function softmaxInPlace(x, from, n) {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (x[from + i] > max) max = x[from + i];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(x[from + i] - max);
    x[from + i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) x[from + i] /= sum;
}

function sigmoidInPlace(x, from, n) {
  for (let i = 0; i < n; i++) x[from + i] = 1 / (1 + Math.exp(-x[from + i]));
}

/** The k best (label, score) pairs of scores[from, from + n), best first. */
function topLabels(labels, scores, from, n, k) {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[from + b] - scores[from + a] || a - b);
  return order.slice(0, k).map((i) => ({ label: labels[i], score: scores[from + i] }));
}

/** Accepts number[] or typed arrays of integers; returns an Int32Array of exactly n values. */
function int32Input(value, n, what) {
  if (value instanceof Int32Array) {
    if (value.length !== n) throw invalid(`${what} has ${value.length} values; batch × seqLen is ${n}`);
    return value;
  }
  if (Array.isArray(value) && value.length > 0 && Array.isArray(value[0])) value = value.flat();
  if (!(Array.isArray(value) || ArrayBuffer.isView(value))) throw new TypeError(`${what} must be an Int32Array, a typed array or an array of integers, not ${describe(value)}`);
  if (value.length !== n) throw invalid(`${what} has ${value.length} values; batch × seqLen is ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = typeof value[i] === 'bigint' ? Number(value[i]) : value[i];
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw invalid(`${what}[${i}] = ${value[i]} is not a 32-bit integer`);
    out[i] = v;
  }
  return out;
}

export class Transformer {
  /** Use Transformer.fromHF(). */
  constructor(token, rt, state, config, tokenizer, ownsTokenizer, pooling, normalize, maxLength) {
    if (token !== Transformer.#token) throw new TypeError('use Transformer.fromHF() to create a Transformer');
    this.#rt = rt;
    this.#state = state;
    this.#config = config;
    this.tokenizer = tokenizer;
    this.#ownsTokenizer = ownsTokenizer;
    finalizer.register(this, { rt, state }, this);

    const words = this.#call(INFO_WORDS * 4, (p) => {
      rt.exports.tetra_wasm_encoder_info(state.model, p, INFO_WORDS);
      return Array.from(new Uint32Array(rt.memory.buffer, p, INFO_WORDS));
    });
    this.modelType = rt.cstring(words[INFO.modelType]);
    this.architecture = rt.cstring(words[INFO.architecture]) || '';
    this.vocabSize = words[INFO.vocabSize];
    this.hiddenSize = words[INFO.hiddenSize];
    this.numLayers = words[INFO.numLayers];
    this.numHeads = words[INFO.numHeads];
    this.intermediateSize = words[INFO.intermediateSize];
    this.maxPositions = words[INFO.maxPositions];
    this.typeVocabSize = words[INFO.typeVocabSize];
    this.head = HEADS[words[INFO.head]] ?? 'none';
    this.numLabels = words[INFO.numLabels];
    this.multiLabel = words[INFO.multiLabel] !== 0;
    this.hasPooler = words[INFO.hasPooler] !== 0;
    this.precision = words[INFO.int8] ? 'int8' : 'fp32';
    const labels = [];
    for (let i = 0; i < this.numLabels; i++) labels.push(rt.cstring(rt.exports.tetra_encoder_label(state.model, i)));
    this.labels = labels;
    this.pooling = poolingModes(pooling ?? 'mean', this.hiddenSize, 'Transformer.fromHF');
    this.normalize = Boolean(normalize);
    this.maxLength = maxLength === undefined ? this.maxPositions : Math.min(maxLength, this.maxPositions);
    const pad = config.pad_token_id;
    this.padTokenId = Number.isInteger(pad) && pad >= 0 ? pad : 0;
    Object.freeze(this.labels);
  }

  static #token = Symbol('Transformer');
  #rt;
  #state;
  #config;
  #ownsTokenizer;

  /**
   * Loads an encoder from Hugging Face files.
   * @param {object} files
   * @param {string|object|Uint8Array} files.config config.json (text, parsed object or bytes)
   * @param {Uint8Array|ArrayBuffer} files.weights model.safetensors (F32, F16 or BF16), or the int8
   *   file Transformer.quantize() writes
   * @param {string|object|Uint8Array|Tokenizer} [files.tokenizer] tokenizer.json, or a Tokenizer
   *   (then the caller keeps ownership). Needed for text input; forward() works without it.
   * @param {string|string[]|object} [files.pooling] 'mean' (default), 'cls', 'max',
   *   'mean_sqrt_len', or sentence-transformers' 1_Pooling/config.json
   * @param {boolean} [files.normalize] L2-normalise embeddings by default (sentence-transformers'
   *   Normalize module, e.g. all-MiniLM-L6-v2); embed()'s option overrides it
   * @param {'auto'|'fp32'|'int8'} [files.precision] 'auto' (default): int8 for tetra's int8 files,
   *   float32 otherwise; 'int8' quantizes float weights at load
   * @param {number} [files.maxLength] tokens per text after truncation (default and limit: the
   *   model's max positions)
   * @param {string} [files.sha256] expected SHA-256 of the weights' bytes, as hex or
   *   "sha256-<base64>" (Subresource Integrity form): a mismatch throws TETRA_ERR_INTEGRITY before
   *   anything is loaded
   */
  static fromHF(files) {
    const where = 'Transformer.fromHF';
    if (files === null || typeof files !== 'object') throw new TypeError(`${where}: expected { config, weights, tokenizer, pooling, precision }, not ${describe(files)}`);
    const { precision = 'auto', maxLength } = files;
    if (!(precision in PRECISIONS)) throw invalid(`${where}: precision must be 'auto', 'fp32' or 'int8', not ${JSON.stringify(precision)}`);
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 1)) throw invalid(`${where}: maxLength must be a positive integer, not ${maxLength}`);
    const [configBytes, config] = jsonInput(files.config, `${where}: config`);
    const weights = bytesInput(files.weights, `${where}: weights`);
    const expected = expectedDigest(files.sha256, where);
    if (files.pooling !== undefined) poolingModes(files.pooling, undefined, where); // fail before loading
    const rt = getRuntime();

    let tokenizer = null;
    let ownsTokenizer = false;
    if (files.tokenizer instanceof Tokenizer) tokenizer = files.tokenizer;
    else if (files.tokenizer !== undefined && files.tokenizer !== null) {
      tokenizer = Tokenizer.fromJSON(files.tokenizer);
      ownsTokenizer = true;
    }

    // weightsAt/weightsLength: the file's bytes in wasm memory, which the C side only reads.
    const state = { model: 0, weights: 0, weightsAt: 0, weightsLength: 0, sha256: null, scratch: 0, scratchBytes: 0 };
    let configPtr = 0;
    try {
      // The weights stay in wasm memory for the model's life: embeddings and norms are used in place.
      const [raw, at] = copyInAligned(rt, weights);
      state.weights = raw;
      state.weightsAt = at;
      state.weightsLength = weights.length;
      if (expected) {
        state.sha256 = digestOf(rt, at, weights.length);
        if (state.sha256 !== expected) {
          throw new TetraError('TETRA_ERR_INTEGRITY', `${where}: the weights' SHA-256 is ${state.sha256}, expected ${expected}`);
        }
      }
      configPtr = rt.copyIn(configBytes);
      state.model = rt.exports.tetra_wasm_encoder_load(configPtr, configBytes.length, at, weights.length, PRECISIONS[precision], rt.err);
      if (!state.model) raise(rt);
      return new Transformer(Transformer.#token, rt, state, config, tokenizer, ownsTokenizer, files.pooling, files.normalize, maxLength);
    } catch (e) {
      release(rt, state);
      if (ownsTokenizer) tokenizer.free();
      throw e;
    } finally {
      rt.free(configPtr);
    }
  }

  /**
   * The int8 converter: every linear layer's weight quantized per output channel (scale =
   * max|w| / 127), scales beside the weights as "<name>_scale", other tensors as float32.
   * Returns the bytes of the new .safetensors file; load them with fromHF().
   * @param {{ config: string|object|Uint8Array, weights: Uint8Array|ArrayBuffer }} files
   */
  static quantize(files) {
    const where = 'Transformer.quantize';
    if (files === null || typeof files !== 'object') throw new TypeError(`${where}: expected { config, weights }, not ${describe(files)}`);
    const [configBytes] = jsonInput(files.config, `${where}: config`);
    const weights = bytesInput(files.weights, `${where}: weights`);
    const rt = getRuntime();
    let raw = 0;
    let configPtr = 0;
    let outWords = 0;
    let result = 0;
    try {
      let at;
      [raw, at] = copyInAligned(rt, weights);
      configPtr = rt.copyIn(configBytes);
      outWords = rt.alloc(8);
      const status = rt.exports.tetra_wasm_encoder_quantize(configPtr, configBytes.length, at, weights.length, outWords, rt.err);
      const out = new Uint32Array(rt.memory.buffer, outWords, 2);
      result = out[0];
      if (status !== 0) raise(rt);
      return new Uint8Array(rt.memory.buffer, result, out[1]).slice();
    } finally {
      rt.free(result);
      rt.free(outWords);
      rt.free(configPtr);
      rt.free(raw);
    }
  }

  /** The parsed config.json. */
  get config() {
    return this.#config;
  }

  /**
   * The SHA-256 (lowercase hex) of the weights file this model was loaded from: the value fromHF
   * checked, or computed from the model's copy of the file on first use (0.4 s for 91 MB here,
   * so loading stays fast when nobody asks).
   */
  get sha256() {
    const state = this.#state;
    this.#model();
    state.sha256 ??= digestOf(this.#rt, state.weightsAt, state.weightsLength);
    return state.sha256;
  }

  /** True once free() has been called. */
  get freed() {
    return this.#state.model === 0;
  }

  /** Releases the model's wasm memory (and the tokenizer, if fromHF created it). Idempotent. */
  free() {
    if (!this.#state.model) return;
    finalizer.unregister(this);
    release(this.#rt, this.#state);
    if (this.#ownsTokenizer && this.tokenizer) this.tokenizer.free();
  }

  #model() {
    if (!this.#state.model) throw new Error('Transformer: this model has been freed');
    return this.#state.model;
  }

  /** Runs fn(pointer) with a wasm buffer of at least `bytes`: the model's scratch when small. */
  #call(bytes, fn) {
    const rt = this.#rt;
    const state = this.#state;
    if (bytes > SCRATCH_LIMIT_BYTES) {
      const p = rt.alloc(bytes + 16);
      try {
        return fn((p + 15) & ~15);
      } finally {
        rt.free(p);
      }
    }
    if (state.scratchBytes < bytes) {
      const size = Math.max(bytes, 4096, Math.min(SCRATCH_LIMIT_BYTES, state.scratchBytes * 2));
      rt.free(state.scratch);
      state.scratch = 0;
      state.scratchBytes = 0;
      state.scratch = rt.alloc(size + 16);
      state.scratchBytes = size;
    }
    return fn((state.scratch + 15) & ~15);
  }

  /**
   * One forward pass on a padded batch and the outputs asked for, copied out of wasm memory.
   * want: { hidden, pooler, logits, pooling: [{ mode, normalize }] }.
   */
  #run(ids, mask, types, batch, seqLen, want) {
    const model = this.#model();
    const rt = this.#rt;
    const e = rt.exports;
    const n = batch * seqLen;
    const H = this.hiddenSize;
    const sizes = {
      hidden: want.hidden ? n * H : 0,
      pooler: want.pooler ? batch * H : 0,
      logits: want.logits ? (this.head === 'token' ? n : batch) * this.numLabels : 0,
      pooled: want.pooling ? batch * H : 0,
    };
    const inputWords = n * (1 + (mask ? 1 : 0) + (types ? 1 : 0));
    // Outputs are written one after the other; only the largest needs room at a time.
    const outFloats = Math.max(sizes.hidden, sizes.pooler, sizes.logits, sizes.pooled);
    return this.#call(4 * (inputWords + outFloats), (base) => {
      const idsPtr = base;
      const maskPtr = mask ? idsPtr + 4 * n : 0;
      const typesPtr = types ? (mask ? maskPtr : idsPtr) + 4 * n : 0;
      const outPtr = base + 4 * inputWords;
      const buf = rt.memory.buffer;
      new Int32Array(buf, idsPtr, n).set(ids);
      if (mask) new Int32Array(buf, maskPtr, n).set(mask);
      if (types) new Int32Array(buf, typesPtr, n).set(types);
      const result = {};
      let st = e.tetra_encoder_forward(model, idsPtr, maskPtr, typesPtr, batch, seqLen, want.hidden ? outPtr : 0, rt.err);
      if (st !== 0) raise(rt);
      if (want.hidden) result.hidden = rt.f32(outPtr, sizes.hidden).slice();
      if (want.pooler) {
        if (!this.hasPooler) throw new TetraError('TETRA_ERR_UNSUPPORTED', `Transformer: this ${this.architecture || this.modelType} model has no pooler`);
        st = e.tetra_encoder_pooler(model, outPtr, rt.err);
        if (st !== 0) raise(rt);
        result.pooler = rt.f32(outPtr, sizes.pooler).slice();
      }
      if (want.logits) {
        if (this.head === 'none') throw new TetraError('TETRA_ERR_UNSUPPORTED', `Transformer: this ${this.architecture || this.modelType} model has no classification head (config.json architectures names no *ForSequenceClassification or *ForTokenClassification)`);
        st = e.tetra_encoder_logits(model, outPtr, rt.err);
        if (st !== 0) raise(rt);
        result.logits = rt.f32(outPtr, sizes.logits).slice();
      }
      if (want.pooling) {
        result.pooled = want.pooling.map(({ mode, normalize }) => {
          st = e.tetra_encoder_pool(model, POOL_MODES[mode], normalize ? 1 : 0, outPtr, rt.err);
          if (st !== 0) raise(rt);
          return rt.f32(outPtr, sizes.pooled).slice();
        });
      }
      return result;
    });
  }

  /** Checks forward()'s inputs and returns [ids, mask|null, types|null, batch, seqLen]. */
  #inputs(inputs, options, where) {
    if (inputs === null || typeof inputs !== 'object') throw new TypeError(`${where}: expected { inputIds, attentionMask, tokenTypeIds }, not ${describe(inputs)}`);
    const { inputIds, attentionMask, tokenTypeIds } = inputs;
    let { batch, seqLen } = options;
    if (Array.isArray(inputIds) && Array.isArray(inputIds[0])) {
      batch ??= inputIds.length;
      seqLen ??= inputIds[0].length;
      for (let b = 0; b < inputIds.length; b++) {
        if (inputIds[b].length !== seqLen) throw invalid(`${where}: inputIds[${b}] has ${inputIds[b].length} tokens, inputIds[0] has ${seqLen}: pad the batch to one length`);
      }
    } else if (batch === undefined && seqLen === undefined && inputIds && inputIds.length !== undefined) {
      batch = 1;
      seqLen = inputIds.length;
    } else if (batch === undefined && seqLen !== undefined && inputIds && inputIds.length !== undefined) {
      batch = inputIds.length / seqLen;
    } else if (seqLen === undefined && batch !== undefined && inputIds && inputIds.length !== undefined) {
      seqLen = inputIds.length / batch;
    }
    if (!Number.isInteger(batch) || batch < 1) throw invalid(`${where}: batch must be a positive integer, not ${batch}`);
    if (!Number.isInteger(seqLen) || seqLen < 1) throw invalid(`${where}: seqLen must be a positive integer, not ${seqLen}`);
    const n = batch * seqLen;
    const ids = int32Input(inputIds, n, `${where}: inputIds`);
    const mask = attentionMask == null ? null : int32Input(attentionMask, n, `${where}: attentionMask`);
    const types = tokenTypeIds == null ? null : int32Input(tokenTypeIds, n, `${where}: tokenTypeIds`);
    return [ids, mask, types, batch, seqLen];
  }

  /**
   * The last hidden state [batch, seqLen, hiddenSize], row-major, for a padded batch of ids.
   * @param {{ inputIds, attentionMask?, tokenTypeIds? }} inputs Int32Array, number[] or number[][]
   *   (attentionMask null = all ones, tokenTypeIds null = zeros)
   * @param {{ batch?: number, seqLen?: number }} [options] needed for flat inputs of more than one row
   */
  forward(inputs, options = {}) {
    const [ids, mask, types, batch, seqLen] = this.#inputs(inputs, options, 'Transformer.forward');
    return this.#run(ids, mask, types, batch, seqLen, { hidden: true }).hidden;
  }

  /**
   * forward() with a choice of outputs: { lastHiddenState, poolerOutput, logits, embeddings }
   * (embeddings: options.pooling / options.normalize, as embed()).
   * @param {object} inputs as forward()
   * @param {{ batch?, seqLen?, outputs?: Array<'lastHiddenState'|'poolerOutput'|'logits'|'embeddings'>, pooling?, normalize? }} [options]
   */
  run(inputs, options = {}) {
    const where = 'Transformer.run';
    const [ids, mask, types, batch, seqLen] = this.#inputs(inputs, options, where);
    const outputs = options.outputs ?? ['lastHiddenState'];
    const known = ['lastHiddenState', 'poolerOutput', 'logits', 'embeddings'];
    for (const o of outputs) if (!known.includes(o)) throw invalid(`${where}: outputs: unknown output ${JSON.stringify(o)} (${known.join(', ')})`);
    const want = { hidden: outputs.includes('lastHiddenState'), pooler: outputs.includes('poolerOutput'), logits: outputs.includes('logits') };
    const plan = outputs.includes('embeddings') ? this.#poolPlan(options, where) : null;
    if (plan) want.pooling = plan.list;
    const r = this.#run(ids, mask, types, batch, seqLen, want);
    const out = {};
    if (r.hidden) out.lastHiddenState = r.hidden;
    if (r.pooler) out.poolerOutput = r.pooler;
    if (r.logits) out.logits = r.logits;
    if (r.pooled) out.embeddings = this.#combine(r.pooled, batch, plan).flat;
    return out;
  }

  /** The pooling modes and normalisation for one call. */
  #poolPlan(options, where) {
    const modes = options.pooling === undefined ? this.pooling : poolingModes(options.pooling, this.hiddenSize, where);
    const normalize = options.normalize ?? this.normalize;
    // One mode: the core normalises. Several (concatenated, as sentence-transformers does): the
    // concatenation is normalised here, as its Normalize module runs after Pooling.
    return { modes, normalize, list: modes.map((mode) => ({ mode, normalize: normalize && modes.length === 1 })) };
  }

  /** Per-mode [batch, H] arrays -> one Float32Array per row (concatenated modes), and flat. */
  #combine(pooled, batch, plan) {
    const H = this.hiddenSize;
    const k = pooled.length;
    const flat = k === 1 ? pooled[0] : new Float32Array(batch * k * H);
    if (k > 1) {
      for (let b = 0; b < batch; b++) {
        for (let m = 0; m < k; m++) flat.set(pooled[m].subarray(b * H, (b + 1) * H), (b * k + m) * H);
        if (plan.normalize) {
          const row = flat.subarray(b * k * H, (b + 1) * k * H);
          let ss = 0;
          for (let i = 0; i < row.length; i++) ss += row[i] * row[i];
          const scale = 1 / Math.max(Math.sqrt(ss), 1e-12);
          for (let i = 0; i < row.length; i++) row[i] *= scale;
        }
      }
    }
    const rows = [];
    for (let b = 0; b < batch; b++) rows.push(flat.slice(b * k * H, (b + 1) * k * H));
    return { flat, rows };
  }

  /**
   * Tokenizes texts (strings or [text, pair]) with truncation to maxLength and no padding.
   * @returns {Encoding[]}
   */
  tokenize(texts, options = {}) {
    const where = 'Transformer.tokenize';
    if (!this.tokenizer) throw new Error(`${where}: this model was loaded without a tokenizer; pass files.tokenizer to fromHF() or use forward() with ids`);
    const [list] = textList(texts, where);
    const maxLength = options.maxLength === undefined ? this.maxLength : Math.min(options.maxLength, this.maxPositions);
    if (!Number.isInteger(maxLength) || maxLength < 1) throw invalid(`${where}: maxLength must be a positive integer, not ${options.maxLength}`);
    return this.tokenizer.encodeBatch(list, { addSpecialTokens: true, truncation: { maxLength }, padding: false });
  }

  /** Pads encodings[i] for i in `order` into one batch (pad_token_id, attention mask 0). */
  #pad(encodings, order) {
    const batch = order.length;
    let seqLen = 1;
    for (const i of order) seqLen = Math.max(seqLen, encodings[i].length);
    const n = batch * seqLen;
    const ids = new Int32Array(n).fill(this.padTokenId);
    const mask = new Int32Array(n);
    const useTypes = this.typeVocabSize > 1;
    const types = useTypes ? new Int32Array(n) : null;
    for (let b = 0; b < batch; b++) {
      const enc = encodings[order[b]];
      const at = b * seqLen;
      ids.set(enc.ids, at);
      mask.fill(1, at, at + enc.length);
      if (useTypes) types.set(enc.typeIds, at);
    }
    return { ids, mask, types, batch, seqLen };
  }

  /**
   * Runs texts through the model in batches of similar length (sorted by token count, so that
   * padding is short), calling visit(index, b, result, padded) for every text.
   */
  #batches(list, options, where, want, visit) {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw invalid(`${where}: batchSize must be a positive integer, not ${batchSize}`);
    const encodings = this.tokenize(list, options);
    const order = Array.from({ length: list.length }, (_, i) => i).sort((a, b) => encodings[b].length - encodings[a].length || a - b);
    for (let start = 0; start < order.length; start += batchSize) {
      const chunk = order.slice(start, start + batchSize);
      const padded = this.#pad(encodings, chunk);
      const r = this.#run(padded.ids, padded.mask, padded.types, padded.batch, padded.seqLen, want);
      for (let b = 0; b < chunk.length; b++) visit(chunk[b], b, r, padded, encodings[chunk[b]]);
    }
    return encodings;
  }

  /**
   * Sentence embeddings: one Float32Array per text (one Float32Array for a single string).
   * @param {string|Array<string|[string,string]>} texts
   * @param {{ pooling?, normalize?: boolean, batchSize?: number, maxLength?: number }} [options]
   *   pooling and normalize default to fromHF()'s
   */
  embed(texts, options = {}) {
    const where = 'Transformer.embed';
    const [list, single] = textList(texts, where);
    const plan = this.#poolPlan(options, where);
    const out = new Array(list.length);
    this.#batches(list, options, where, { pooling: plan.list }, (i, b, r, padded) => {
      const rows = this.#combine(r.pooled, padded.batch, plan).rows;
      out[i] = rows[b];
    });
    return single ? out[0] : out;
  }

  /**
   * Raw classification logits: per text a Float32Array of numLabels (sequence classification) or
   * tokens × numLabels (token classification, for the text's unpadded tokens).
   */
  logits(texts, options = {}) {
    const where = 'Transformer.logits';
    const [list, single] = textList(texts, where);
    const L = this.numLabels;
    const out = new Array(list.length);
    this.#batches(list, options, where, { logits: true }, (i, b, r, padded, enc) => {
      if (this.head === 'token') out[i] = r.logits.slice(b * padded.seqLen * L, (b * padded.seqLen + enc.length) * L);
      else out[i] = r.logits.slice(b * L, (b + 1) * L);
    });
    return single ? out[0] : out;
  }

  /**
   * Sequence classification, as transformers.js' text-classification: per text the topK labels
   * with their scores, best first (softmax over labels; sigmoid per label for multi-label
   * models). One text -> [{ label, score }, ...]; an array -> one such array per text.
   * @param {{ topK?: number|null, batchSize?: number, maxLength?: number }} [options] topK
   *   default 1; null or 0 = all labels
   */
  classify(texts, options = {}) {
    const where = 'Transformer.classify';
    if (this.head !== 'sequence') throw new TetraError('TETRA_ERR_UNSUPPORTED', `${where}: this ${this.architecture || this.modelType} model has no sequence-classification head${this.head === 'token' ? '; use classifyTokens()' : ''}`);
    const [list, single] = textList(texts, where);
    const L = this.numLabels;
    let k = options.topK === undefined ? 1 : options.topK;
    if (k === null || k === 0) k = L;
    if (!Number.isInteger(k) || k < 0) throw invalid(`${where}: topK must be a positive integer or null, not ${k}`);
    const out = new Array(list.length);
    this.#batches(list, options, where, { logits: true }, (i, b, r) => {
      const scores = r.logits.slice(b * L, (b + 1) * L);
      if (this.multiLabel) sigmoidInPlace(scores, 0, L);
      else softmaxInPlace(scores, 0, L);
      out[i] = topLabels(this.labels, scores, 0, L, k);
    });
    return single ? out[0] : out;
  }

  /**
   * Token classification (NER and the like), as transformers' token-classification pipeline.
   * aggregation: 'none' -> one entity per token { entity, score, index, word, start, end };
   * 'simple' (default) -> adjacent tokens of the same entity type merged (B-/I- prefixes),
   * { entityGroup, score (mean), word, start, end }; 'first', 'average', 'max' -> tokens first
   * merged into words (by the tokenizer's word ids), the word's label taken from its first token,
   * the average of its tokens' scores or its best token, then grouped as 'simple'.
   * start/end are UTF-16 offsets into the text and `word` of a group is text.slice(start, end).
   * Entities whose label is in ignoreLabels (default ['O']) are left out.
   * @param {{ aggregation?: 'none'|'simple'|'first'|'average'|'max', ignoreLabels?: string[], batchSize?, maxLength? }} [options]
   */
  classifyTokens(texts, options = {}) {
    const where = 'Transformer.classifyTokens';
    if (this.head !== 'token') throw new TetraError('TETRA_ERR_UNSUPPORTED', `${where}: this ${this.architecture || this.modelType} model has no token-classification head${this.head === 'sequence' ? '; use classify()' : ''}`);
    const aggregation = options.aggregation ?? 'simple';
    if (!['none', 'simple', 'first', 'average', 'max'].includes(aggregation)) throw invalid(`${where}: aggregation must be 'none', 'simple', 'first', 'average' or 'max', not ${JSON.stringify(aggregation)}`);
    const ignore = new Set(options.ignoreLabels ?? ['O']);
    const [list, single] = textList(texts, where);
    const L = this.numLabels;
    const out = new Array(list.length);
    this.#batches(list, options, where, { logits: true }, (i, b, r, padded, enc) => {
      const text = typeof list[i] === 'string' ? list[i] : list[i][0];
      const probs = r.logits.slice(b * padded.seqLen * L, (b * padded.seqLen + enc.length) * L);
      for (let t = 0; t < enc.length; t++) softmaxInPlace(probs, t * L, L);
      out[i] = this.#entities(text, enc, probs, aggregation, ignore);
    });
    return single ? out[0] : out;
  }

  #entities(text, enc, probs, aggregation, ignore) {
    const L = this.numLabels;
    const labels = this.labels;
    const argmax = (scores, from) => {
      let best = 0;
      for (let l = 1; l < L; l++) if (scores[from + l] > scores[from + best]) best = l;
      return best;
    };
    // Tokens of the first sequence that are not special tokens (pairs: the text's tokens only).
    const tokens = [];
    for (let t = 0; t < enc.length; t++) {
      if (enc.specialTokensMask[t] || enc.sequenceIds[t] !== 0) continue;
      tokens.push(t);
    }
    let entities;
    if (aggregation === 'none' || aggregation === 'simple') {
      entities = tokens.map((t) => {
        const best = argmax(probs, t * L);
        return {
          entity: labels[best], score: probs[t * L + best], index: t,
          word: this.tokenizer.idToToken(enc.ids[t]), start: enc.offsets[2 * t], end: enc.offsets[2 * t + 1],
        };
      });
      if (aggregation === 'none') return entities.filter((x) => !ignore.has(x.entity));
    } else {
      // Words: runs of tokens with the same word id (tokens without one stand alone).
      const words = [];
      for (const t of tokens) {
        const last = words[words.length - 1];
        const w = enc.wordIds[t];
        if (last && w >= 0 && enc.wordIds[last[last.length - 1]] === w) last.push(t);
        else words.push([t]);
      }
      entities = words.map((ts) => {
        let scores;
        if (aggregation === 'first') scores = probs.subarray(ts[0] * L, ts[0] * L + L);
        else if (aggregation === 'max') {
          let bestT = ts[0];
          let bestS = -1;
          for (const t of ts) {
            const s = probs[t * L + argmax(probs, t * L)];
            if (s > bestS) { bestS = s; bestT = t; }
          }
          scores = probs.subarray(bestT * L, bestT * L + L);
        } else {
          scores = new Float32Array(L);
          for (const t of ts) for (let l = 0; l < L; l++) scores[l] += probs[t * L + l] / ts.length;
        }
        const best = argmax(scores, 0);
        const start = enc.offsets[2 * ts[0]];
        const end = enc.offsets[2 * ts[ts.length - 1] + 1];
        return { entity: labels[best], score: scores[best], index: ts[0], word: text.slice(start, end), start, end };
      });
    }
    return groupEntities(entities, text).filter((g) => !ignore.has(g.entityGroup));
  }
}

/** B-/I- tag of a label; labels without a prefix continue a group (as transformers does). */
function splitTag(label) {
  if (label.startsWith('B-')) return ['B', label.slice(2)];
  if (label.startsWith('I-')) return ['I', label.slice(2)];
  return ['I', label];
}

function groupEntities(entities, text) {
  const groups = [];
  let current = [];
  const close = () => {
    if (!current.length) return;
    const first = current[0];
    const last = current[current.length - 1];
    let sum = 0;
    for (const x of current) sum += x.score;
    groups.push({
      entityGroup: splitTag(first.entity)[1], score: sum / current.length,
      word: text.slice(first.start, last.end), start: first.start, end: last.end,
    });
    current = [];
  };
  for (const x of entities) {
    if (current.length) {
      const [bi, tag] = splitTag(x.entity);
      const lastTag = splitTag(current[current.length - 1].entity)[1];
      if (!(tag === lastTag && bi !== 'B')) close();
    }
    current.push(x);
  }
  close();
  return groups;
}

/** A small tensor-like result ({ data, dims }), as transformers.js' Tensor exposes them. */
class Output {
  constructor(data, dims) {
    this.data = data;
    this.dims = dims;
    this.type = 'float32';
    this.size = data.length;
  }

  /** Nested arrays of numbers, like transformers.js' Tensor.tolist(). */
  tolist() {
    const build = (axis, at) => {
      if (axis === this.dims.length - 1) return Array.from(this.data.subarray(at, at + this.dims[axis]));
      const stride = this.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.dims[axis] }, (_, i) => build(axis + 1, at + i * stride));
    };
    return this.dims.length === 0 ? [] : build(0, 0);
  }
}

const TASKS = ['feature-extraction', 'text-classification', 'sentiment-analysis', 'token-classification', 'ner'];

/**
 * transformers.js-style pipelines over local files (no downloads): awaits init(), loads the
 * model, and returns an async function with the pipeline's call signature.
 *   'feature-extraction': (texts, { pooling = 'none'|'mean'|'cls'|'max', normalize }) ->
 *      { data: Float32Array, dims } ([n, hidden] pooled; [n, seqLen, hidden] for 'none', padded
 *      to the longest text), plus tolist().
 *   'text-classification' ('sentiment-analysis'): (texts, { topK = 1 }) -> for a string
 *      [{ label, score }...]; for an array with topK 1 one { label, score } per text, with topK
 *      > 1 one array per text.
 *   'token-classification' ('ner'): (texts, { ignoreLabels, aggregationStrategy }) -> entities
 *      of the text (an array of such arrays for an array of texts).
 * The function carries .model (the Transformer) and .dispose().
 * @param {string} task
 * @param {{ config, weights, tokenizer, pooling?, precision?, normalize?, maxLength? }} files
 */
export async function pipeline(task, files, options = {}) {
  if (!TASKS.includes(task)) throw invalid(`pipeline: unknown task ${JSON.stringify(task)} (${TASKS.join(', ')})`);
  await init(options.wasm === undefined ? {} : { wasm: options.wasm });
  const model = Transformer.fromHF(files);
  if (!model.tokenizer) {
    model.free();
    throw invalid('pipeline: files.tokenizer (tokenizer.json) is required');
  }
  let run;
  if (task === 'feature-extraction') {
    run = async (texts, opts = {}) => {
      const [list] = textList(texts, 'feature-extraction');
      const pooling = opts.pooling ?? (files.pooling === undefined ? 'none' : undefined);
      if (pooling === 'none') return tokenEmbeddings(model, list, opts);
      const rows = model.embed(list, { ...opts, pooling: pooling ?? model.pooling });
      const dim = rows.length ? rows[0].length : model.hiddenSize;
      const data = new Float32Array(rows.length * dim);
      rows.forEach((r, i) => data.set(r, i * dim));
      return new Output(data, [rows.length, dim]);
    };
  } else if (task === 'text-classification' || task === 'sentiment-analysis') {
    run = async (texts, opts = {}) => {
      const topK = 'topK' in opts ? opts.topK : 'top_k' in opts ? opts.top_k : 1;
      const r = model.classify(texts, { ...opts, topK });
      if (typeof texts === 'string') return r;
      return topK === 1 ? r.map((x) => x[0]) : r;
    };
  } else {
    run = async (texts, opts = {}) => model.classifyTokens(texts, {
      ...opts,
      aggregation: opts.aggregation ?? opts.aggregationStrategy ?? opts.aggregation_strategy ?? 'simple',
      ignoreLabels: opts.ignoreLabels ?? opts.ignore_labels,
    });
  }
  run.task = task;
  run.model = model;
  run.tokenizer = model.tokenizer;
  run.dispose = async () => model.free();
  return run;
}

/** feature-extraction without pooling: [n, longest, hidden], zeros past each text's end. */
function tokenEmbeddings(model, list, opts) {
  const encodings = model.tokenize(list, opts);
  const seqLen = Math.max(1, ...encodings.map((e) => e.length));
  const n = list.length;
  const batch = n;
  const ids = new Int32Array(batch * seqLen).fill(model.padTokenId);
  const mask = new Int32Array(batch * seqLen);
  const types = model.typeVocabSize > 1 ? new Int32Array(batch * seqLen) : null;
  encodings.forEach((enc, b) => {
    ids.set(enc.ids, b * seqLen);
    mask.fill(1, b * seqLen, b * seqLen + enc.length);
    if (types) types.set(enc.typeIds, b * seqLen);
  });
  const H = model.hiddenSize;
  const hidden = n ? model.forward({ inputIds: ids, attentionMask: mask, tokenTypeIds: types }, { batch, seqLen }) : new Float32Array(0);
  for (let b = 0; b < n; b++) hidden.fill(0, (b * seqLen + encodings[b].length) * H, (b + 1) * seqLen * H);
  if (opts.normalize) {
    for (let t = 0; t < n * seqLen; t++) {
      const row = hidden.subarray(t * H, (t + 1) * H);
      let ss = 0;
      for (let i = 0; i < H; i++) ss += row[i] * row[i];
      if (ss > 0) for (let i = 0; i < H; i++) row[i] /= Math.max(Math.sqrt(ss), 1e-12);
    }
  }
  return new Output(hidden, [n, seqLen, H]);
}
