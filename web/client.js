// Promise-based client for web/worker.js: the Booster and Transformer APIs, one hop away on a
// worker thread.
//   const tetra = await TetraWorker.start();
//   const model = await tetra.loadXGBoost(jsonText, { sha256 });
//   const probabilities = await model.predict(rows);   // rows: Float32Array, number[] or number[][]
//   const encoder = await tetra.loadTransformer({ config, weights, tokenizer }, { transfer: true });
//   const vectors = await encoder.embed(['a text', 'another'], { normalize: true });
//   await model.free(); await encoder.free(); tetra.terminate();
// Results come back as the local methods return them; their typed arrays are moved from the
// worker (transferred), not copied. Errors reject with TetraError and its code, as locally.
import { TetraError, Tokenizer } from '../js/index.js';

// Error classes a worker failure without a TetraError code is rebuilt as (others: Error).
const ERROR_TYPES = { TypeError, RangeError };

export class TetraWorker {
  #worker;
  #pending = new Map();
  #nextId = 1;

  /** Starts web/worker.js (or the given URL) as a module worker. */
  static async start(url = new URL('./worker.js', import.meta.url)) {
    return new TetraWorker(new Worker(url, { type: 'module' }));
  }

  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => {
      const entry = this.#pending.get(data.id);
      if (!entry) return;
      this.#pending.delete(data.id);
      if (data.ok) entry.resolve(data);
      else if (data.error.code) entry.reject(new TetraError(data.error.code, data.error.message));
      else entry.reject(new (ERROR_TYPES[data.error.name] ?? Error)(data.error.message));
    };
    worker.onerror = (event) => {
      const error = new Error(`tetra worker failed: ${event.message || 'could not start (check the URL and that the page is served over http)'}`);
      for (const entry of this.#pending.values()) entry.reject(error);
      this.#pending.clear();
    };
  }

  #call(message, transfer = []) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ ...message, id }, transfer);
      } catch (error) { // e.g. DataCloneError: a value that cannot be cloned, a detached buffer
        this.#pending.delete(id);
        reject(error);
      }
    });
  }

  /** Loads an XGBoost JSON model in the worker; resolves to a RemoteBooster. */
  async loadXGBoost(model, options = {}) {
    const { handle, info } = await this.#call({ op: 'load', model, sha256: options.sha256 });
    return new RemoteBooster(this.#call.bind(this), handle, info);
  }

  /**
   * Loads a BERT-family encoder in the worker (as Transformer.fromHF there); resolves to a
   * RemoteTransformer. files: { config, weights, tokenizer, pooling, normalize, precision,
   * maxLength } as fromHF's, except that tokenizer must be tokenizer.json (text, parsed object or
   * bytes): a Tokenizer lives in this thread's wasm memory and cannot cross.
   * options.transfer: move the weights' ArrayBuffer to the worker instead of copying it (saves a
   * copy of a file that may be hundreds of MB; the caller's buffer is detached afterwards, and
   * with it every view of it, including ones beyond a Uint8Array's own bytes).
   */
  async loadTransformer(files, options = {}) {
    const where = 'TetraWorker.loadTransformer';
    if (files === null || typeof files !== 'object') throw new TypeError(`${where}: expected { config, weights, tokenizer, pooling, precision }, not ${files === null ? 'null' : typeof files}`);
    if (files.tokenizer instanceof Tokenizer) throw new TypeError(`${where}: pass tokenizer.json (text, object or bytes), not a Tokenizer: the worker builds its own`);
    const transfer = [];
    if (options.transfer) {
      const { weights } = files;
      if (weights instanceof ArrayBuffer) transfer.push(weights);
      else if (ArrayBuffer.isView(weights) && weights.buffer instanceof ArrayBuffer) transfer.push(weights.buffer);
      else throw new TypeError(`${where}: transfer: true needs weights as an ArrayBuffer or a view of one`);
    }
    const { handle, info } = await this.#call({ op: 'loadTransformer', files }, transfer);
    return new RemoteTransformer(this.#call.bind(this), handle, info);
  }

  terminate() {
    this.#worker.terminate();
    const error = new Error('tetra worker terminated');
    for (const entry of this.#pending.values()) entry.reject(error);
    this.#pending.clear();
  }
}

class RemoteBooster {
  #call;
  #handle;

  constructor(call, handle, info) {
    this.#call = call;
    this.#handle = handle;
    Object.assign(this, info);
  }

  /** Same arguments and result as Booster.predict. A Float32Array's buffer is copied, not moved. */
  async predict(rows, options = {}) {
    const { result } = await this.#call({ op: 'predict', handle: this.#handle, rows, options });
    return result;
  }

  async free() {
    await this.#call({ op: 'free', handle: this.#handle });
  }
}

/** A Transformer in the worker: the same methods, returning promises. */
class RemoteTransformer {
  #call;
  #handle;

  constructor(call, handle, info) {
    this.#call = call;
    this.#handle = handle;
    Object.freeze(info.labels);
    Object.freeze(info.pooling);
    Object.assign(this, info);
  }

  async #method(method, args) {
    const { result } = await this.#call({ op: 'call', handle: this.#handle, method, args });
    return result;
  }

  /** Sentence embeddings: a Float32Array for one text, one per text for an array. */
  embed(texts, options = {}) {
    return this.#method('embed', [texts, options]);
  }

  /** Sequence classification: [{ label, score }, ...] per text, best first. */
  classify(texts, options = {}) {
    return this.#method('classify', [texts, options]);
  }

  /** Token classification (NER): entities or entity groups per text. */
  classifyTokens(texts, options = {}) {
    return this.#method('classifyTokens', [texts, options]);
  }

  /** Raw logits per text. */
  logits(texts, options = {}) {
    return this.#method('logits', [texts, options]);
  }

  /** The last hidden state [batch, seqLen, hiddenSize] of a padded batch of ids. */
  forward(inputs, options = {}) {
    return this.#method('forward', [inputs, options]);
  }

  /** forward() with a choice of outputs: { lastHiddenState, poolerOutput, logits, embeddings }. */
  run(inputs, options = {}) {
    return this.#method('run', [inputs, options]);
  }

  /** Tokenizes as the worker's model does: plain objects with the Encoding fields. */
  tokenize(texts, options = {}) {
    return this.#method('tokenize', [texts, options]);
  }

  async free() {
    await this.#call({ op: 'free', handle: this.#handle });
  }
}
