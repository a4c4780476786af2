// Promise-based client for web/worker.js: the Booster API, one hop away on a worker thread.
//   const tetra = await TetraWorker.start();
//   const model = await tetra.loadXGBoost(jsonText, { sha256 });
//   const probabilities = await model.predict(rows);   // rows: Float32Array, number[] or number[][]
//   await model.free(); tetra.terminate();
import { TetraError } from '../js/index.js';

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
      else entry.reject(data.error.code ? new TetraError(data.error.code, data.error.message) : new Error(data.error.message));
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
      this.#worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Loads an XGBoost JSON model in the worker; resolves to a RemoteBooster. */
  async loadXGBoost(model, options = {}) {
    const { handle, info } = await this.#call({ op: 'load', model, sha256: options.sha256 });
    return new RemoteBooster(this.#call.bind(this), handle, info);
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
