// Booster: an XGBoost tree ensemble loaded into the wasm core.
import { describe, digestOf, expectedDigest, getRuntime, raise, TetraError } from './wasm.js';

const PREDICT_MARGIN = 1;
// Inputs up to this size reuse one buffer per booster, so repeated small calls (one row as the
// user types) never touch the allocator; larger batches allocate and free per call.
const SCRATCH_LIMIT_BYTES = 1 << 20;

const finalizer = new FinalizationRegistry(({ rt, state }) => {
  rt.free(state.scratch);
  rt.exports.tetra_trees_free(state.ptr);
});

function modelBytes(json) {
  if (typeof json === 'string') return new TextEncoder().encode(json);
  if (json instanceof Uint8Array) return json;
  if (json instanceof ArrayBuffer) return new Uint8Array(json);
  if (ArrayBuffer.isView(json)) return new Uint8Array(json.buffer, json.byteOffset, json.byteLength);
  if (json !== null && typeof json === 'object') return new TextEncoder().encode(JSON.stringify(json));
  throw new TypeError(`Booster.fromXGBoost: expected the model's JSON text, its parsed object or its bytes, not ${describe(json)}`);
}

/**
 * Normalises the accepted row layouts to one Float32Array and its column count.
 * Accepted: Float32Array (used as is), other typed arrays or number[] (converted), and
 * number[][] (one inner array per row). null/undefined/NaN mean missing.
 */
function toRows(rows, ncols, numFeatures) {
  if (rows instanceof Float32Array) return { data: rows, ncols: ncols ?? numFeatures };
  if (Array.isArray(rows) && rows.length > 0 && (Array.isArray(rows[0]) || ArrayBuffer.isView(rows[0]))) {
    const width = ncols ?? rows[0].length;
    const data = new Float32Array(rows.length * width);
    rows.forEach((row, i) => {
      if (row == null || row.length !== width) {
        throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', `predict: row ${i} has ${row == null ? 'no' : row.length} values; expected ${width}`);
      }
      for (let j = 0; j < width; j++) data[i * width + j] = row[j] ?? NaN;
    });
    return { data, ncols: width };
  }
  if (Array.isArray(rows) || ArrayBuffer.isView(rows)) {
    const data = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) data[i] = rows[i] ?? NaN;
    return { data, ncols: ncols ?? numFeatures };
  }
  throw new TypeError(`predict: rows should be a Float32Array (row-major), a number[] or a number[][], not ${describe(rows)}`);
}

export class Booster {
  /** Use Booster.fromXGBoost(). */
  constructor(token, rt, ptr, sha256) {
    if (token !== Booster.#token) throw new TypeError('use Booster.fromXGBoost() to create a Booster');
    this.#rt = rt;
    this.#state = { ptr, scratch: 0, scratchBytes: 0 };
    const e = rt.exports;
    this.numFeatures = e.tetra_trees_num_features(ptr);
    this.numClasses = e.tetra_trees_num_groups(ptr);
    this.numOutputs = e.tetra_trees_output_width(ptr, 0);
    this.numTrees = e.tetra_trees_num_trees(ptr);
    this.maxDepth = e.tetra_trees_max_depth(ptr);
    this.objective = rt.cstring(e.tetra_trees_objective_name(ptr));
    this.booster = rt.cstring(e.tetra_trees_booster_name(ptr));
    this.baseMargin = Float32Array.from({ length: this.numClasses }, (_, g) => e.tetra_trees_base_margin(ptr, g));
    const names = [];
    for (let i = 0; i < this.numFeatures; i++) {
      const p = e.tetra_trees_feature_name(ptr, i);
      if (!p) break;
      names.push(rt.cstring(p));
    }
    this.featureNames = names.length === this.numFeatures && names.length > 0 ? names : null;
    const v = rt.alloc(12);
    e.tetra_trees_xgboost_version(ptr, v);
    const version = Array.from(rt.i32(v, 3));
    rt.free(v);
    this.xgboostVersion = version.some((x) => x !== 0) ? version : null;
    this.sha256 = sha256;
    Object.freeze(this.baseMargin.buffer);
    finalizer.register(this, { rt, state: this.#state }, this);
  }

  static #token = Symbol('Booster');
  #rt;
  #state;

  /**
   * Loads a model saved by XGBoost's `Booster.save_model("model.json")`.
   * @param {string | object | Uint8Array | ArrayBuffer} json the JSON text, its parsed object, or its bytes
   * @param {{ sha256?: string }} [options] expected SHA-256 of the bytes, as hex or "sha256-<base64>"
   *   (Subresource Integrity form): a mismatch throws TETRA_ERR_INTEGRITY. Needs text or bytes.
   */
  static fromXGBoost(json, options = {}) {
    const rt = getRuntime();
    const expected = expectedDigest(options.sha256, 'Booster.fromXGBoost');
    if (expected && !(typeof json === 'string' || json instanceof ArrayBuffer || ArrayBuffer.isView(json))) {
      // A parsed object has lost the file's bytes (JSON.stringify re-spells numbers and NaN).
      throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', 'Booster.fromXGBoost: sha256 can only be checked against the model\'s bytes or text, not a parsed object');
    }
    const bytes = modelBytes(json);
    const ptr = rt.copyIn(bytes);
    let forest = 0;
    let digest;
    try {
      digest = digestOf(rt, ptr, bytes.length);
      if (expected && expected !== digest) {
        throw new TetraError('TETRA_ERR_INTEGRITY', `Booster.fromXGBoost: the model's SHA-256 is ${digest}, expected ${expected}`);
      }
      forest = rt.exports.tetra_wasm_trees_load_xgboost_json(ptr, bytes.length, rt.err);
      if (!forest) raise(rt);
    } finally {
      rt.free(ptr);
    }
    return new Booster(Booster.#token, rt, forest, digest);
  }

  #ptr() {
    if (!this.#state.ptr) throw new Error('Booster: this booster has been freed');
    return this.#state.ptr;
  }

  /**
   * Scores rows. Returns a Float32Array of nrows × numClasses margins or probabilities
   * (nrows values for binary, regression and multi:softmax's class index).
   * @param {Float32Array | number[] | number[][]} rows row-major values, NaN (or null) = missing
   * @param {{ ncols?: number, outputMargin?: boolean }} [options]
   */
  predict(rows, options = {}) {
    const ptr = this.#ptr();
    const rt = this.#rt;
    const { ncols: given, outputMargin = false } = options;
    if (given !== undefined && (!Number.isInteger(given) || given < 0)) {
      throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', `predict: ncols must be a non-negative integer, not ${given}`);
    }
    const { data, ncols } = toRows(rows, given, this.numFeatures);
    if (ncols !== this.numFeatures) {
      throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', `predict: rows have ${ncols} columns but the model has ${this.numFeatures} features`);
    }
    if (ncols === 0 ? data.length !== 0 : data.length % ncols !== 0) {
      throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', `predict: ${data.length} values are not a whole number of rows of ${ncols} columns`);
    }
    const nrows = ncols === 0 ? 0 : data.length / ncols;
    const flags = outputMargin ? PREDICT_MARGIN : 0;
    const width = outputMargin ? this.numClasses : this.numOutputs;
    const inBytes = data.length * 4;
    const outBytes = nrows * width * 4;
    const need = inBytes + outBytes;
    const state = this.#state;
    let base;
    const reuse = need <= SCRATCH_LIMIT_BYTES;
    if (reuse) {
      if (state.scratchBytes < need) {
        rt.free(state.scratch);
        state.scratch = 0;
        state.scratchBytes = 0;
        state.scratch = rt.alloc(Math.max(need, 256));
        state.scratchBytes = Math.max(need, 256);
      }
      base = state.scratch;
    } else {
      base = rt.alloc(need);
    }
    try {
      const rowsPtr = base;
      const outPtr = base + inBytes;
      rt.f32(rowsPtr, data.length).set(data);
      const status = rt.exports.tetra_trees_predict(ptr, rowsPtr, nrows, ncols, flags, outPtr, nrows * width, rt.err);
      if (status !== 0) raise(rt);
      return rt.f32(outPtr, nrows * width).slice();
    } finally {
      if (!reuse) rt.free(base);
    }
  }

  /** Releases the model's wasm memory. Further calls throw. Safe to call twice. */
  free() {
    const state = this.#state;
    if (!state.ptr) return;
    finalizer.unregister(this);
    this.#rt.free(state.scratch);
    this.#rt.exports.tetra_trees_free(state.ptr);
    state.ptr = 0;
    state.scratch = 0;
    state.scratchBytes = 0;
  }
}
