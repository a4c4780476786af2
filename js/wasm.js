// Loads and instantiates tetra.wasm once per realm, in Node and in browsers, with no bundler
// configuration: the module is located next to this file through import.meta.url.
// The wasm is a standalone reactor (no Emscripten JS glue); it needs one import.

let ready = null; // Promise<Runtime>
let runtime = null; // Runtime once ready

const isNode = typeof process !== 'undefined' && process.versions != null && process.versions.node != null;

async function loadSource(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const url = source === undefined ? new URL('./tetra.wasm', import.meta.url) : new URL(String(source), import.meta.url);
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    let bytes;
    try {
      bytes = await readFile(url);
    } catch (cause) {
      throw new Error(`tetra: cannot read ${url.pathname} (${cause.code || cause.message}); run \`npm run build\` first`, { cause });
    }
    return WebAssembly.compile(bytes);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`tetra: fetching ${url} failed with HTTP ${response.status}`);
  if (typeof WebAssembly.compileStreaming === 'function' && (response.headers.get('content-type') || '').startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** The instantiated module plus small helpers for moving data across the boundary. */
class Runtime {
  constructor(instance) {
    this.exports = instance.exports;
    this.memory = instance.exports.memory;
    this.decoder = new TextDecoder('utf-8');
    this.encoder = new TextEncoder();
    this.err = this.exports.tetra_wasm_error_create();
  }

  alloc(bytes) {
    const ptr = this.exports.tetra_wasm_alloc(bytes);
    if (!ptr) throw new RangeError(`tetra: out of wasm memory allocating ${bytes} bytes`);
    return ptr;
  }

  free(ptr) {
    if (ptr) this.exports.tetra_wasm_free(ptr);
  }

  // Views are recreated on every use: memory growth detaches the old buffer.
  u8() { return new Uint8Array(this.memory.buffer); }
  f32(ptr, length) { return new Float32Array(this.memory.buffer, ptr, length); }
  i32(ptr, length) { return new Int32Array(this.memory.buffer, ptr, length); }

  cstring(ptr) {
    if (!ptr) return null;
    const bytes = this.u8();
    let end = ptr;
    while (bytes[end] !== 0) end++;
    return this.decoder.decode(bytes.subarray(ptr, end));
  }

  /** Copies bytes into a fresh wasm allocation; returns its pointer. */
  copyIn(bytes) {
    const ptr = this.alloc(bytes.length);
    this.u8().set(bytes, ptr);
    return ptr;
  }

  errorCode() { return this.exports.tetra_wasm_error_code(this.err); }
  errorMessage() { return this.cstring(this.exports.tetra_wasm_error_message(this.err)); }
}

// tetra_status values in order; JS adds 'TETRA_ERR_INTEGRITY' (a SHA-256 mismatch).
const STATUS_NAMES = [
  'TETRA_OK', 'TETRA_ERR_INVALID_ARGUMENT', 'TETRA_ERR_OUT_OF_MEMORY', 'TETRA_ERR_PARSE',
  'TETRA_ERR_FORMAT', 'TETRA_ERR_UNSUPPORTED', 'TETRA_ERR_LIMIT',
];

/** An error reported by the C core; `code` is the status name, e.g. 'TETRA_ERR_FORMAT'. */
export class TetraError extends Error {
  /** @param {number|string} code a tetra_status value or a status name */
  constructor(code, message) {
    super(message);
    this.name = 'TetraError';
    this.code = typeof code === 'string' ? code : STATUS_NAMES[code] || `TETRA_ERR_${code}`;
  }
}

/** Throws the runtime's pending error. */
/** How a value reads in an error message: "null", "an array", "a Map", "a number". */
export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `a ${value.constructor?.name || 'object'}` : `a ${typeof value}`;
}

/** A TetraError for a bad argument from JS (the C side reports its own). */
export function invalid(message) {
  return new TetraError('TETRA_ERR_INVALID_ARGUMENT', message);
}

export function raise(rt) {
  throw new TetraError(rt.errorCode(), rt.errorMessage());
}

/**
 * Loads the WebAssembly module. Safe to call many times; later calls return the same promise.
 * @param {{ wasm?: string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module }} [options]
 *   where to find tetra.wasm (default: next to this file), or its bytes or compiled module.
 */
export function init(options = {}) {
  if (!ready) {
    ready = (async () => {
      const module = await loadSource(options.wasm);
      const instance = await WebAssembly.instantiate(module, {
        env: { emscripten_notify_memory_growth() { /* views are rebuilt on each access */ } },
      });
      if (!instance.exports.memory) throw new Error('tetra: the wasm module exports no memory');
      instance.exports._initialize();
      runtime = new Runtime(instance);
      return runtime;
    })();
    ready.catch(() => { ready = null; }); // allow a retry after a failed load
  }
  return ready.then(() => undefined);
}

/** The runtime, or a clear error when init() has not finished. */
export function getRuntime() {
  if (!runtime) throw new Error('tetra: call `await init()` before using the library');
  return runtime;
}

/** The version of the C core, e.g. '0.1.0'. Requires init(). */
export function coreVersion() {
  const rt = getRuntime();
  return rt.cstring(rt.exports.tetra_wasm_version());
}
