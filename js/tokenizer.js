// Tokenizer: Hugging Face tokenizers (tokenizer.json, BERT vocab.txt, GPT-2 encoder.json +
// vocab.bpe, llama2.c tokenizer.bin, GGUF vocabularies) run by the wasm core, with ids and
// offsets identical to the Rust `tokenizers` library.
//
// Speed is the point of this wrapper's shape: text goes in through TextEncoder.encodeInto
// straight into a wasm buffer the tokenizer keeps, a whole batch crosses in one call, and the
// results come back as a handful of typed-array copies (no JS object per token).
import { describe, getRuntime, invalid, raise, TetraError } from './wasm.js';

// Batches whose buffers fit in this many bytes reuse the tokenizer's scratch allocation; larger
// ones allocate and free per call so that one huge input does not pin its memory for good.
const SCRATCH_LIMIT_BYTES = 1 << 20;
// Texts longer than this (UTF-16 units) are sized exactly instead of with the 3-bytes-per-unit
// bound, so a 50 MB string needs ~50 MB of wasm memory, not 150 MB.
const EXACT_SIZE_UNITS = 1 << 16;

// tetra_encode_options as uint32 words, in the order src/wasm/text_exports.c reads them.
const OPT = {
  skipSpecial: 0, truncation: 1, padding: 2, offsetUnit: 3, maxLength: 4, stride: 5, strategy: 6,
  truncateLeft: 7, padMode: 8, padLength: 9, padMultiple: 10, padLeft: 11,
};
const OPT_WORDS = 12;
const AS_TOKENIZER = 0;
const OFF = 1;
const ON = 2;
const OFFSET_UNITS = { bytes: 0, utf16: 1, chars: 2 };
const STRATEGIES = { longest_first: 0, only_first: 1, only_second: 2 };
const PAD_LONGEST = 0;
const PAD_FIXED = 1;
// Words of the packed result header (src/wasm/text_exports.c).
// Encodings are listed depth first: an item's encoding, then each overflowing window followed by
// its own windows (`kids` counts the windows directly under each encoding).
const RES = {
  encodings: 0, tokens: 1, lens: 2, kids: 3, ids: 4, typeIds: 5, offsets: 6, wordIds: 7,
  sequenceIds: 8, attention: 9, special: 10,
};
const RES_WORDS = 11;

/** Byte offset of each field in a packed result of m encodings and t tokens: the header, then
 * lens and kids (m each), then ids, typeIds, offsets (2t), wordIds, sequenceIds (32-bit), then
 * attention and special (8-bit), as pack() in src/wasm/text_exports.c lays them out. */
function fieldOffset(field, m, t) {
  const lens = RES_WORDS * 4;
  const ids = lens + 8 * m;
  switch (field) {
    case RES.lens: return lens;
    case RES.kids: return lens + 4 * m;
    case RES.ids: return ids;
    case RES.typeIds: return ids + 4 * t;
    case RES.offsets: return ids + 8 * t;
    case RES.wordIds: return ids + 16 * t;
    case RES.sequenceIds: return ids + 20 * t;
    case RES.attention: return ids + 24 * t;
    case RES.special: return ids + 25 * t;
    default: throw new Error(`tokenizer: no result field ${field}`);
  }
}
function resultBytes(m, t) {
  return fieldOffset(RES.special, m, t) + t;
}

const finalizer = new FinalizationRegistry(({ rt, state }) => {
  rt.free(state.scratch);
  rt.exports.tetra_tokenizer_free(state.ptr);
});

const utf8 = new TextEncoder();
// Decoded text may end inside a UTF-8 sequence (byte-level tokens); like the Rust library,
// invalid bytes become U+FFFD.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true }); // keep a leading U+FEFF, as Rust does

function asBytes(value, what, allowObject) {
  if (typeof value === 'string') return utf8.encode(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (allowObject && value !== null && typeof value === 'object') return utf8.encode(JSON.stringify(value));
  throw new TypeError(`${what}: expected ${allowObject ? 'text, a parsed object' : 'text'} or bytes, not ${describe(value)}`);
}

/** Bytes to reserve for a string's UTF-8: 3 per UTF-16 unit, or exact for long strings. */
function sizeBound(s) {
  return s.length > EXACT_SIZE_UNITS ? utf8Length(s) : 3 * s.length;
}

/** UTF-8 length of a JS string (lone surrogates count 3, as TextEncoder writes U+FFFD). */
function utf8Length(s) {
  if (typeof Buffer === 'function' && Buffer.byteLength) return Buffer.byteLength(s, 'utf8');
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) { n += 1; continue; }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { n += 2; i++; continue; } // 4 bytes for 2 units
    }
    n += 2;
  }
  return n;
}

function positiveInt(value, what) {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw invalid(`${what} must be a non-negative integer, not ${value}`);
  return value;
}

/** Translates encode options into the option words. */
function optionWords(options, where) {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object, not ${describe(options)}`);
  const w = new Uint32Array(OPT_WORDS);
  const { addSpecialTokens = true, truncation, padding, maxLength, offsets = 'utf16' } = options;
  w[OPT.skipSpecial] = addSpecialTokens ? 0 : 1;
  if (!(offsets in OFFSET_UNITS)) throw invalid(`${where}: offsets must be 'utf16', 'chars' or 'bytes', not ${JSON.stringify(offsets)}`);
  w[OPT.offsetUnit] = OFFSET_UNITS[offsets];
  if (maxLength !== undefined) positiveInt(maxLength, `${where}: maxLength`);

  // truncation: undefined/true without a length = as tokenizer.json says; false = off; true or an
  // object with a length = on. A bare maxLength also turns truncation on.
  let t = truncation;
  if (t === undefined && maxLength !== undefined) t = true;
  if (t === false) w[OPT.truncation] = OFF;
  else if (t === true || (t !== null && typeof t === 'object')) {
    const o = t === true ? {} : t;
    const length = o.maxLength ?? maxLength;
    if (length === undefined) {
      if (t !== true) throw invalid(`${where}: truncation needs maxLength`);
      w[OPT.truncation] = AS_TOKENIZER;
    } else {
      w[OPT.truncation] = ON;
      w[OPT.maxLength] = positiveInt(length, `${where}: truncation.maxLength`);
      w[OPT.stride] = positiveInt(o.stride ?? 0, `${where}: truncation.stride`);
      const strategy = o.strategy ?? 'longest_first';
      if (!(strategy in STRATEGIES)) throw invalid(`${where}: truncation.strategy must be 'longest_first', 'only_first' or 'only_second', not ${JSON.stringify(strategy)}`);
      w[OPT.strategy] = STRATEGIES[strategy];
      const direction = o.direction ?? 'right';
      if (direction !== 'left' && direction !== 'right') throw invalid(`${where}: truncation.direction must be 'left' or 'right', not ${JSON.stringify(direction)}`);
      w[OPT.truncateLeft] = direction === 'left' ? 1 : 0;
    }
  } else if (t !== undefined && t !== null) {
    throw invalid(`${where}: truncation must be true, false or { maxLength, stride, strategy, direction }, not ${describe(t)}`);
  }

  // padding: undefined = as tokenizer.json says; false = off; true/'longest' = to the longest of
  // the batch; 'max_length' = to maxLength; an object { maxLength?, direction?, padToMultipleOf? }.
  const p = padding;
  if (p === false) w[OPT.padding] = OFF;
  else if (p === true || p === 'longest' || p === 'max_length' || (p !== null && typeof p === 'object')) {
    const o = typeof p === 'object' ? p : {};
    w[OPT.padding] = ON;
    const length = o.maxLength ?? (p === 'max_length' ? maxLength : undefined);
    if (p === 'max_length' && length === undefined) throw invalid(`${where}: padding 'max_length' needs maxLength`);
    if (length !== undefined) {
      w[OPT.padMode] = PAD_FIXED;
      w[OPT.padLength] = positiveInt(length, `${where}: padding.maxLength`);
    } else {
      w[OPT.padMode] = PAD_LONGEST;
    }
    w[OPT.padMultiple] = positiveInt(o.padToMultipleOf ?? 0, `${where}: padding.padToMultipleOf`);
    const direction = o.direction ?? 'right';
    if (direction !== 'left' && direction !== 'right') throw invalid(`${where}: padding.direction must be 'left' or 'right', not ${JSON.stringify(direction)}`);
    w[OPT.padLeft] = direction === 'left' ? 1 : 0;
  } else if (p !== undefined && p !== null) {
    throw invalid(`${where}: padding must be true, false, 'longest', 'max_length' or { maxLength, direction, padToMultipleOf }, not ${describe(p)}`);
  }
  return w;
}

export class Tokenizer {
  /** Use Tokenizer.fromJSON() and the other loaders. */
  constructor(token, rt, ptr) {
    if (token !== Tokenizer.#token) throw new TypeError('use Tokenizer.fromJSON() (or fromVocabTxt, fromGPT2, fromLlama2c, fromGGUF) to create a Tokenizer');
    this.#rt = rt;
    this.#state = { ptr, scratch: 0, scratchBytes: 0, heapBuffer: null, u8: null, u32: null };
    finalizer.register(this, { rt, state: this.#state }, this);
  }

  static #token = Symbol('Tokenizer');
  #rt;
  #state;

  // Copies each input into wasm memory, calls the loader with (ptr0, len0, ptr1, len1, ..., err)
  // plus any extra arguments placed before err.
  static #load(inputs, call) {
    const rt = getRuntime();
    const ptrs = [];
    let tok = 0;
    try {
      for (const bytes of inputs) ptrs.push(rt.copyIn(bytes));
      tok = call(rt, ptrs);
      if (!tok) raise(rt);
    } finally {
      for (const p of ptrs) rt.free(p);
    }
    return new Tokenizer(Tokenizer.#token, rt, tok);
  }

  /**
   * Loads a Hugging Face tokenizer.json.
   * @param {string | object | Uint8Array | ArrayBuffer} json its text, parsed object or bytes
   */
  static fromJSON(json) {
    const bytes = asBytes(json, 'Tokenizer.fromJSON', true);
    return Tokenizer.#load([bytes], (rt, [p]) => rt.exports.tetra_wasm_tokenizer_from_json(p, bytes.length, rt.err));
  }

  /**
   * Loads a BERT vocab.txt (one token per line) as BertTokenizerFast would.
   * @param {string | Uint8Array | ArrayBuffer} vocab
   * @param {{ lowercase?: boolean }} [options] lowercase (and strip accents) for uncased models; default true
   */
  static fromVocabTxt(vocab, options = {}) {
    const bytes = asBytes(vocab, 'Tokenizer.fromVocabTxt', false);
    const lowercase = options.lowercase ?? true;
    return Tokenizer.#load([bytes], (rt, [p]) => rt.exports.tetra_wasm_tokenizer_from_vocab_txt(p, bytes.length, lowercase ? 1 : 0, rt.err));
  }

  /**
   * Loads GPT-2's byte-level BPE from encoder.json and vocab.bpe (merges), as GPT2TokenizerFast.
   * @param {{ encoder: string | object | Uint8Array | ArrayBuffer, merges: string | Uint8Array | ArrayBuffer }} files
   */
  static fromGPT2(files) {
    if (files === null || typeof files !== 'object') throw new TypeError(`Tokenizer.fromGPT2: expected { encoder, merges }, not ${describe(files)}`);
    const encoder = asBytes(files.encoder, 'Tokenizer.fromGPT2: encoder', true);
    const merges = asBytes(files.merges, 'Tokenizer.fromGPT2: merges', false);
    return Tokenizer.#load([encoder, merges], (rt, [e, m]) => rt.exports.tetra_wasm_tokenizer_from_gpt2(e, encoder.length, m, merges.length, rt.err));
  }

  /** Loads a llama2.c tokenizer.bin (SentencePiece BPE with byte fallback). */
  static fromLlama2c(bytes) {
    const b = asBytes(bytes, 'Tokenizer.fromLlama2c', false);
    return Tokenizer.#load([b], (rt, [p]) => rt.exports.tetra_wasm_tokenizer_from_llama2c(p, b.length, rt.err));
  }

  /** Loads the vocabulary of a GGUF file (tokenizer.ggml.*: llama, gpt2 and bert models). */
  static fromGGUF(bytes) {
    const b = asBytes(bytes, 'Tokenizer.fromGGUF', false);
    return Tokenizer.#load([b], (rt, [p]) => rt.exports.tetra_wasm_tokenizer_from_gguf(p, b.length, rt.err));
  }

  #ptr() {
    if (!this.#state.ptr) throw new Error('Tokenizer: this tokenizer has been freed');
    return this.#state.ptr;
  }

  /** The tokenizer's scratch buffer, grown to at least `bytes` (<= SCRATCH_LIMIT_BYTES). */
  #scratch(bytes) {
    const state = this.#state;
    if (state.scratchBytes < bytes) {
      const rt = this.#rt;
      const size = Math.max(bytes, 4096, Math.min(SCRATCH_LIMIT_BYTES, state.scratchBytes * 2));
      rt.free(state.scratch);
      state.scratch = 0;
      state.scratchBytes = 0;
      state.scratch = rt.alloc(size);
      state.scratchBytes = size;
    }
    return state.scratch;
  }

  /** A wasm buffer of at least `bytes`; the scratch one when small enough. Returns [ptr, owned]. */
  #buffer(bytes) {
    if (bytes > SCRATCH_LIMIT_BYTES) return [this.#rt.alloc(bytes), true];
    return [this.#scratch(bytes), false];
  }

  /** Views over the whole wasm memory, remade only when memory has grown. */
  #heap() {
    const state = this.#state;
    const buffer = this.#rt.memory.buffer;
    if (state.heapBuffer !== buffer) {
      state.heapBuffer = buffer;
      state.u8 = new Uint8Array(buffer);
      state.u32 = new Uint32Array(buffer);
    }
    return state;
  }

  /**
   * Runs the core on n items (texts[i], pairs[i] or null) and returns the packed result copied
   * out of wasm memory: { block, m, t } (m encodings, overflowing windows included, and t tokens
   * over all of them; the layout of block is resultLayout's). The per-line path matters: one
   * encode per line should cost little more than the core's own work.
   */
  #run(texts, pairs, words) {
    const tok = this.#ptr();
    const rt = this.#rt;
    const n = texts.length;
    const hasPairs = pairs !== null;
    // Layout: options (12 words), text pointers and lengths (and pair ones), then UTF-8 bytes.
    const headWords = OPT_WORDS + n * (hasPairs ? 4 : 2);
    let bound = 0;
    for (let i = 0; i < n; i++) {
      bound += sizeBound(texts[i]);
      if (hasPairs && pairs[i] !== null) bound += sizeBound(pairs[i]);
    }
    const bytesNeeded = headWords * 4 + bound;
    const owned = bytesNeeded > SCRATCH_LIMIT_BYTES;
    const base = owned ? rt.alloc(bytesNeeded) : this.#scratch(bytesNeeded);
    let result = 0;
    try {
      let { u8, u32 } = this.#heap();
      const head = base >>> 2;
      u32.set(words, head);
      const textPtrs = head + OPT_WORDS;
      const textLens = textPtrs + n;
      const pairPtrs = textLens + n;
      const pairLens = pairPtrs + n;
      let at = base + headWords * 4;
      for (let i = 0; i < n; i++) {
        const t = texts[i];
        const written = utf8.encodeInto(t, u8.subarray(at, at + sizeBound(t))).written;
        u32[textPtrs + i] = at;
        u32[textLens + i] = written;
        at += written;
        if (hasPairs) {
          const p = pairs[i];
          if (p === null) {
            u32[pairPtrs + i] = 0;
            u32[pairLens + i] = 0;
          } else {
            const w = utf8.encodeInto(p, u8.subarray(at, at + sizeBound(p))).written;
            u32[pairPtrs + i] = at;
            u32[pairLens + i] = w;
            at += w;
          }
        }
      }
      result = rt.exports.tetra_wasm_tokenizer_encode(tok, n, 4 * textPtrs, 4 * textLens,
        hasPairs ? 4 * pairPtrs : 0, hasPairs ? 4 * pairLens : 0, base, rt.err);
      if (!result) raise(rt);
      // The call may have grown memory: take fresh views. One copy of the whole packed block;
      // the encodings make views into it only for the fields a caller reads.
      ({ u32 } = this.#heap());
      const m = u32[result >>> 2];
      const t = u32[(result >>> 2) + 1];
      return { block: rt.memory.buffer.slice(result, result + resultBytes(m, t)), m, t };
    } finally {
      if (result) rt.exports.tetra_wasm_free(result);
      if (owned) rt.free(base);
    }
  }

  /**
   * Encodes one text (or a pair). Offsets are [start, end) pairs, flat, in UTF-16 code units of
   * the input string by default (`offsets: 'chars'` for code points, 'bytes' for UTF-8).
   * @param {string} text
   * @param {object} [options] { pair, addSpecialTokens, truncation, maxLength, padding, offsets }
   */
  encode(text, options = {}) {
    const where = 'Tokenizer.encode';
    if (typeof text !== 'string') throw new TypeError(`${where}: text must be a string, not ${describe(text)}`);
    const words = optionWords(options, where);
    const pair = options.pair ?? null;
    if (pair !== null && typeof pair !== 'string') throw new TypeError(`${where}: pair must be a string, not ${describe(pair)}`);
    const r = this.#run([text], pair === null ? null : [pair], words);
    return split(r, 1)[0];
  }

  /**
   * Encodes many texts in one call; items are strings or [text, pair]. With padding true (or
   * 'longest') all encodings are padded to the longest of the batch.
   * @param {Array<string | [string, string]>} texts
   * @param {object} [options] as encode(), without pair
   */
  encodeBatch(texts, options = {}) {
    const where = 'Tokenizer.encodeBatch';
    if (!Array.isArray(texts)) throw new TypeError(`${where}: texts must be an array of strings or [text, pair] arrays, not ${describe(texts)}`);
    const words = optionWords(options, where);
    const n = texts.length;
    const firsts = new Array(n);
    let seconds = null;
    for (let i = 0; i < n; i++) {
      const item = texts[i];
      if (typeof item === 'string') {
        firsts[i] = item;
        if (seconds) seconds[i] = null;
      } else if (Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string') {
        firsts[i] = item[0];
        if (!seconds) seconds = new Array(n).fill(null);
        seconds[i] = item[1];
      } else {
        throw new TypeError(`${where}: texts[${i}] must be a string or a [text, pair] array of two strings, not ${describe(item)}`);
      }
    }
    return split(this.#run(firsts, seconds, words), n);
  }

  /**
   * Turns ids back into text.
   * @param {ArrayLike<number>} ids
   * @param {{ skipSpecialTokens?: boolean }} [options]
   */
  decode(ids, options = {}) {
    const where = 'Tokenizer.decode';
    const tok = this.#ptr();
    const rt = this.#rt;
    if (!(Array.isArray(ids) || ArrayBuffer.isView(ids))) throw new TypeError(`${where}: ids must be an array or typed array of integers, not ${describe(ids)}`);
    const n = ids.length;
    const [base, owned] = this.#buffer(8 + 4 * n);
    let text = 0;
    try {
      const view = new Uint32Array(rt.memory.buffer, base, 2 + n);
      for (let i = 0; i < n; i++) {
        const id = ids[i];
        if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw invalid(`${where}: ids[${i}] = ${id} is not a token id`);
        view[2 + i] = id;
      }
      view[0] = 0;
      view[1] = 0;
      const status = rt.exports.tetra_tokenizer_decode(tok, base + 8, n, options.skipSpecialTokens ? 1 : 0, base, base + 4, rt.err);
      if (status !== 0) raise(rt);
      const out = new Uint32Array(rt.memory.buffer, base, 2);
      text = out[0];
      const len = out[1];
      return text ? decoder.decode(new Uint8Array(rt.memory.buffer, text, len)) : '';
    } finally {
      if (text) rt.exports.tetra_text_free(tok, text);
      if (owned) rt.free(base);
    }
  }

  /** The token string of an id (added tokens included), or null when the id is out of range. */
  idToToken(id) {
    const tok = this.#ptr();
    const rt = this.#rt;
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) return null;
    const [base] = this.#buffer(8);
    const p = rt.exports.tetra_tokenizer_id_to_token(tok, id, base);
    if (!p) return null;
    const len = new Uint32Array(rt.memory.buffer, base, 1)[0];
    return decoder.decode(new Uint8Array(rt.memory.buffer, p, len));
  }

  /** The id of a token string (added tokens included), or null when it is not in the vocabulary. */
  tokenToId(token) {
    const tok = this.#ptr();
    const rt = this.#rt;
    if (typeof token !== 'string') throw new TypeError(`Tokenizer.tokenToId: token must be a string, not ${describe(token)}`);
    const size = token.length > EXACT_SIZE_UNITS ? utf8Length(token) : 3 * token.length;
    const [base, owned] = this.#buffer(8 + size);
    try {
      const { written } = utf8.encodeInto(token, new Uint8Array(rt.memory.buffer, base + 8, size));
      const found = rt.exports.tetra_tokenizer_token_to_id(tok, base + 8, written, base);
      return found ? new Uint32Array(rt.memory.buffer, base, 1)[0] : null;
    } finally {
      if (owned) rt.free(base);
    }
  }

  /** Vocabulary size, added tokens included. */
  get vocabSize() {
    return this.#rt.exports.tetra_tokenizer_vocab_size(this.#ptr());
  }

  /** True once free() has been called. */
  get freed() {
    return this.#state.ptr === 0;
  }

  /** Releases the tokenizer's wasm memory. Further calls throw. Safe to call twice. */
  free() {
    const state = this.#state;
    if (!state.ptr) return;
    finalizer.unregister(this);
    this.#rt.free(state.scratch);
    this.#rt.exports.tetra_tokenizer_free(state.ptr);
    state.ptr = 0;
    state.scratch = 0;
    state.scratchBytes = 0;
  }
}

/**
 * One encoded text (or pair): typed-array fields made on first read, as views into the one copy
 * of the call's packed result, so an encode costs one copy however many fields and texts it
 * has, and a caller that reads only `ids` never pays for the other six views.
 */
class Encoding {
  #block;
  #m;
  #t;
  #start;
  #views = null;

  constructor(block, m, t, start, length) {
    this.#block = block;
    this.#m = m;
    this.#t = t;
    this.#start = start;
    /** Number of tokens. */
    this.length = length;
  }

  #view(field, Type, width) {
    const views = this.#views ?? (this.#views = [null, null, null, null, null, null, null, null, null, null, null]);
    return views[field] ?? (views[field] = new Type(this.#block,
      fieldOffset(field, this.#m, this.#t) + this.#start * width * Type.BYTES_PER_ELEMENT, this.length * width));
  }

  get ids() { return this.#view(RES.ids, Uint32Array, 1); }
  get typeIds() { return this.#view(RES.typeIds, Uint32Array, 1); }
  get attentionMask() { return this.#view(RES.attention, Uint8Array, 1); }
  get specialTokensMask() { return this.#view(RES.special, Uint8Array, 1); }
  get offsets() { return this.#view(RES.offsets, Uint32Array, 2); }
  get wordIds() { return this.#view(RES.wordIds, Int32Array, 1); }
  get sequenceIds() { return this.#view(RES.sequenceIds, Int32Array, 1); }

  /** The fields as a plain object (also what JSON.stringify and console.log show). */
  toJSON() {
    const o = {
      ids: this.ids, typeIds: this.typeIds, attentionMask: this.attentionMask,
      specialTokensMask: this.specialTokensMask, offsets: this.offsets, wordIds: this.wordIds,
      sequenceIds: this.sequenceIds, length: this.length,
    };
    if (this.overflowing) o.overflowing = this.overflowing.map((e) => e.toJSON());
    return o;
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toJSON();
  }
}

/** Splits a packed result into n encodings (with their overflowing windows, depth first). */
function split({ block, m, t }, n) {
  // One text without overflowing windows: the whole result is its encoding.
  if (n === 1 && m === 1) return [new Encoding(block, m, t, 0, t)];
  const kids = new Uint32Array(block, fieldOffset(RES.kids, m, t), m);
  const lens = new Uint32Array(block, fieldOffset(RES.lens, m, t), m);
  let e = 0;
  let at = 0;
  const next = () => {
    const len = lens[e];
    const k = kids[e++];
    const enc = new Encoding(block, m, t, at, len);
    at += len;
    if (k > 0) {
      enc.overflowing = new Array(k);
      for (let j = 0; j < k; j++) enc.overflowing[j] = next();
    }
    return enc;
  };
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = next();
  return out;
}
