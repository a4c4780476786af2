// Loads and instantiates tetra.wasm once per realm, in Node and in browsers, with no bundler
// configuration: the module is located next to this file through import.meta.url.
// The wasm is a standalone reactor (no Emscripten JS glue); it needs one import.
//
// Two builds sit side by side: tetra.wasm (SIMD128) and tetra-relaxed.wasm, the same module with
// fused multiply-adds in the f32 GEMM (relaxed SIMD's f32x4.relaxed_madd; 20-25% faster f32
// matrix products on the development machine). init() takes the relaxed one where the engine
// validates relaxed SIMD (Chrome 114+, Node 22+, Node 20 with --experimental-wasm-relaxed-simd)
// unless told otherwise; its float results differ from tetra.wasm's by rounding (fused
// products), so init({ simd: 'base' }) is there for bit-for-bit reproducibility across machines.

let ready = null; // Promise<Runtime>
let runtime = null; // Runtime once ready

const isNode = typeof process !== 'undefined' && process.versions != null && process.versions.node != null;

// (module (func (param v128) (result v128) local.get 0 local.get 0 local.get 0 f32x4.relaxed_madd))
const RELAXED_PROBE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x06, 0x01, 0x60, 0x01, 0x7b, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00,
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x00, 0x20, 0x00, 0xfd, 0x85, 0x02, 0x0b]);

/** Whether this engine runs relaxed SIMD (it validates f32x4.relaxed_madd). */
export function hasRelaxedSimd() {
  return WebAssembly.validate(RELAXED_PROBE);
}

const SIMD_CHOICES = ['auto', 'base', 'relaxed'];

async function loadSource(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const url = new URL(String(source), import.meta.url);
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

/**
 * An expected SHA-256 as lowercase hex: accepts 64 hex digits or the Subresource Integrity form
 * "sha256-<base64>"; null when absent. `where` names the call in the error.
 */
export function expectedDigest(value, where) {
  if (value === undefined || value === null) return null;
  const text = String(value).trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return text.toLowerCase();
  const sri = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(text);
  if (sri) return hex(Uint8Array.from(atob(sri[1]), (c) => c.charCodeAt(0)));
  throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', `${where}: sha256 should be 64 hex digits or "sha256-<base64>", not ${JSON.stringify(value)}`);
}

function hex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** The SHA-256 (lowercase hex) of `length` bytes of wasm memory at `ptr`, by the C core. */
export function digestOf(rt, ptr, length) {
  const out = rt.alloc(32);
  try {
    rt.exports.tetra_sha256(ptr, length, out);
    return hex(rt.u8().subarray(out, out + 32));
  } finally {
    rt.free(out);
  }
}

/** Throws the runtime's pending error. */
export function raise(rt) {
  throw new TetraError(rt.errorCode(), rt.errorMessage());
}

/** The module init() loads: options.wasm as given, else one of the two builds next to this file. */
async function chooseModule(options) {
  const simd = options.simd ?? 'auto';
  if (!SIMD_CHOICES.includes(simd)) {
    throw new TypeError(`tetra: init({ simd }) must be one of ${SIMD_CHOICES.map((c) => `'${c}'`).join(', ')}, not ${JSON.stringify(simd)}`);
  }
  if (options.wasm !== undefined) return loadSource(options.wasm);
  const relaxed = hasRelaxedSimd();
  if (simd === 'relaxed' && !relaxed) {
    throw new Error("tetra: init({ simd: 'relaxed' }): this engine has no relaxed SIMD "
      + '(Chrome 114+, Node 22+; Node 20 needs --experimental-wasm-relaxed-simd)');
  }
  if (simd === 'base' || !relaxed) return loadSource('./tetra.wasm');
  if (simd === 'relaxed') return loadSource('./tetra-relaxed.wasm');
  try {
    return await loadSource('./tetra-relaxed.wasm');
  } catch {
    // 'auto' and the relaxed build is not deployed next to tetra.wasm (a bundler that copied only
    // tetra.wasm, say): the base build does everything, only its f32 GEMM is slower.
    return loadSource('./tetra.wasm');
  }
}

/**
 * Loads the WebAssembly module. Safe to call many times; later calls wait for the same module
 * (and reject if they ask for the other build by `simd`).
 * @param {{ wasm?: string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module,
 *           simd?: 'auto' | 'base' | 'relaxed' }} [options]
 *   wasm: where to find the module, or its bytes or compiled module (default: a build next to
 *   this file). simd: which of the two builds next to this file: 'auto' (default: the relaxed-SIMD
 *   build where the engine supports it), 'base' (tetra.wasm everywhere: the same float results on
 *   every machine) or 'relaxed' (an error where unsupported). Ignored when wasm is given.
 */
export function init(options = {}) {
  if (!ready) {
    ready = (async () => {
      const module = await chooseModule(options);
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
  return ready.then((rt) => {
    // One module per realm: a later call that names the other build must not pass silently.
    const level = rt.exports.tetra_wasm_relaxed_simd?.() ? 'relaxed' : 'base';
    if ((options.simd === 'base' || options.simd === 'relaxed') && options.simd !== level) {
      throw new Error(`tetra: init({ simd: '${options.simd}' }): this page or process has loaded the ${level} build already `
        + '(one per realm); make that call the first init()');
    }
  });
}

/** The runtime, or a clear error when init() has not finished. */
export function getRuntime() {
  if (!runtime) throw new Error('tetra: call `await init()` before using the library');
  return runtime;
}

/** Which build init() loaded: 'relaxed' (fused multiply-adds) or 'base'. Requires init(). */
export function simdLevel() {
  const rt = getRuntime();
  return rt.exports.tetra_wasm_relaxed_simd?.() ? 'relaxed' : 'base';
}

/** The version of the C core, e.g. '0.1.0'. Requires init(). */
export function coreVersion() {
  const rt = getRuntime();
  return rt.cstring(rt.exports.tetra_wasm_version());
}
