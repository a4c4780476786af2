// Tensor: n-dimensional arrays in wasm memory, with NumPy-style broadcasting.
// Every operation returns a new Tensor that owns wasm memory: call dispose() when done (a
// FinalizationRegistry frees forgotten ones eventually, but garbage collection is lazy).
import { getRuntime, raise, TetraError } from './wasm.js';

const DTYPES = ['float32', 'float16', 'bfloat16', 'int8', 'int32', 'int64'];
const CODE = Object.fromEntries(DTYPES.map((name, i) => [name, i]));
const BYTES = { float32: 4, float16: 2, bfloat16: 2, int8: 1, int32: 4, int64: 8 };
const BINARY = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
const UNARY = { neg: 0, exp: 1, log: 2, sqrt: 3, tanh: 4, erf: 5, sigmoid: 6, gelu: 7, geluTanh: 8, silu: 9, relu: 10, abs: 11 };
const REDUCE = { sum: 0, mean: 1, max: 2, argmax: 3 };

const finalizer = new FinalizationRegistry(({ rt, ptr }) => rt.exports.tetra_tensor_free(ptr));

function dtypeOf(data, requested) {
  if (requested !== undefined) {
    if (!(requested in CODE)) throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', `Tensor: unknown dtype ${JSON.stringify(requested)} (use ${DTYPES.join(', ')})`);
    return requested;
  }
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint16Array) {
    throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', 'Tensor.from: a Uint16Array needs { dtype: "float16" } or { dtype: "bfloat16" }');
  }
  if (Array.isArray(data) || data instanceof Float64Array) return 'float32';
  throw new TypeError(`Tensor.from: expected a typed array or number[], not ${data?.constructor?.name ?? typeof data}`);
}

// Converts data to the typed array that holds dtype's bytes.
function storage(data, dtype) {
  const Type = { float32: Float32Array, float16: Uint16Array, bfloat16: Uint16Array, int8: Int8Array, int32: Int32Array, int64: BigInt64Array }[dtype];
  if (data instanceof Type) return data;
  if (dtype === 'int64') return BigInt64Array.from(data, (x) => BigInt(x));
  return Type.from(data);
}

function shapeString(shape) {
  return `[${shape.join(', ')}]`;
}

function checkShape(shape, what) {
  if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) throw new TypeError(`${what}: shape must be an array of integers`);
  for (const d of shape) {
    if (!Number.isSafeInteger(Number(d))) throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', `${what}: shape ${shapeString(Array.from(shape))} has a non-integer dimension`);
  }
  if (shape.length > 8) throw new TetraError('TETRA_ERR_LIMIT', `${what}: rank ${shape.length} exceeds the maximum of 8`);
}

// Runs fn with int64 values written to a temporary wasm array; frees it afterwards.
function withInt64s(rt, values, fn) {
  const ptr = rt.alloc(Math.max(values.length, 1) * 8);
  try {
    new BigInt64Array(rt.memory.buffer, ptr, values.length).set(Array.from(values, (v) => BigInt(v)));
    return fn(ptr);
  } finally {
    rt.free(ptr);
  }
}

export class Tensor {
  #rt;
  #ptr;
  #shape;
  #dtype;

  /** Internal: wraps a tensor handle. Use Tensor.from or Tensor.zeros. */
  constructor(token, rt, ptr) {
    if (token !== Tensor.#token) throw new TypeError('use Tensor.from() or Tensor.zeros() to create a Tensor');
    this.#rt = rt;
    this.#ptr = ptr;
    const e = rt.exports;
    this.#dtype = DTYPES[e.tetra_wasm_tensor_dtype(ptr)];
    const rank = e.tetra_wasm_tensor_rank(ptr);
    this.#shape = Object.freeze(Array.from({ length: rank }, (_, i) => e.tetra_wasm_tensor_dim(ptr, i)));
    finalizer.register(this, { rt, ptr }, this);
  }

  static #token = Symbol('Tensor');

  static #wrap(rt, ptr) {
    if (!ptr) raise(rt);
    return new Tensor(Tensor.#token, rt, ptr);
  }

  /**
   * A tensor holding a copy of data with the given shape (default: [data.length]).
   * dtype follows the array type (Float32Array: float32, Int32Array: int32, BigInt64Array: int64,
   * Int8Array: int8, number[]: float32); Uint16Array needs { dtype: 'float16' | 'bfloat16' }.
   */
  static from(data, shape, options = {}) {
    const rt = getRuntime();
    const dtype = dtypeOf(data, options.dtype);
    const values = storage(data, dtype);
    const dims = shape ?? [values.length];
    checkShape(dims, 'Tensor.from');
    const numel = dims.reduce((a, b) => a * Number(b), 1);
    if (numel !== values.length) {
      throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', `Tensor.from: ${values.length} values do not fill shape ${shapeString(dims)} (${numel} elements)`);
    }
    const bytes = values.length * BYTES[dtype];
    const data_ = rt.alloc(Math.max(bytes, 1));
    try {
      rt.u8().set(new Uint8Array(values.buffer, values.byteOffset, bytes), data_);
      return withInt64s(rt, dims, (shapePtr) => Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_from(CODE[dtype], dims.length, shapePtr, data_, bytes, rt.err)));
    } finally {
      rt.free(data_);
    }
  }

  /** A tensor of zeros. */
  static zeros(shape, dtype = 'float32') {
    const rt = getRuntime();
    checkShape(shape, 'Tensor.zeros');
    dtypeOf(null, dtype);
    return withInt64s(rt, shape, (shapePtr) => Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_from(CODE[dtype], shape.length, shapePtr, 0, 0, rt.err)));
  }

  /** Joins tensors along an axis. */
  static concat(tensors, axis = 0) {
    const rt = getRuntime();
    if (!Array.isArray(tensors) || tensors.length === 0) throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', 'concat: needs a non-empty array of tensors');
    const handles = tensors.map((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`concat: item ${i} is not a Tensor`);
      return t.#handle();
    });
    const list = rt.alloc(handles.length * 4);
    try {
      new Uint32Array(rt.memory.buffer, list, handles.length).set(handles);
      return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_concat(list, handles.length, axis, rt.err));
    } finally {
      rt.free(list);
    }
  }

  /** cond ? a : b element-wise, with broadcasting (a and b may be numbers). */
  static where(cond, a, b) {
    const rt = getRuntime();
    const [ta, tb] = [a, b].map((x) => (x instanceof Tensor ? x : Tensor.from([Number(x)], [])));
    try {
      return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_where(cond.#handle(), ta.#handle(), tb.#handle(), rt.err));
    } finally {
      if (ta !== a) ta.dispose();
      if (tb !== b) tb.dispose();
    }
  }

  #handle() {
    if (!this.#ptr) throw new Error('Tensor: this tensor has been disposed');
    return this.#ptr;
  }

  get shape() { return this.#shape; }
  get dtype() { return this.#dtype; }
  get rank() { return this.#shape.length; }
  get size() { return this.#shape.reduce((a, b) => a * b, 1); }
  get disposed() { return this.#ptr === 0; }

  /** A typed-array copy in row-major order (float16/bfloat16 come back widened to Float32Array). */
  toArray() {
    const rt = this.#rt;
    const ptr = this.#handle();
    const wide = this.#dtype === 'float16' || this.#dtype === 'bfloat16';
    const source = wide ? rt.exports.tetra_wasm_tensor_cast(ptr, CODE.float32, rt.err) : ptr;
    if (!source) raise(rt);
    const dtype = wide ? 'float32' : this.#dtype;
    const n = this.size;
    const bytes = n * BYTES[dtype];
    const dst = rt.alloc(Math.max(bytes, 1));
    try {
      if (rt.exports.tetra_wasm_tensor_read(source, dst, bytes, rt.err) !== 0) raise(rt);
      const Type = { float32: Float32Array, int8: Int8Array, int32: Int32Array, int64: BigInt64Array }[dtype];
      return new Type(rt.memory.buffer.slice(dst, dst + bytes));
    } finally {
      rt.free(dst);
      if (wide) rt.exports.tetra_tensor_free(source);
    }
  }

  #binary(op, other) {
    const rt = this.#rt;
    if (typeof other === 'number') {
      return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_binary_scalar(BINARY[op], this.#handle(), other, 0, rt.err));
    }
    if (!(other instanceof Tensor)) throw new TypeError(`${op}: expected a Tensor or a number`);
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_binary(BINARY[op], this.#handle(), other.#handle(), rt.err));
  }

  add(other) { return this.#binary('add', other); }
  sub(other) { return this.#binary('sub', other); }
  mul(other) { return this.#binary('mul', other); }
  div(other) { return this.#binary('div', other); }
  maximum(other) { return this.#binary('maximum', other); }
  minimum(other) { return this.#binary('minimum', other); }

  #unary(op) {
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_unary(UNARY[op], this.#handle(), rt.err));
  }

  neg() { return this.#unary('neg'); }
  exp() { return this.#unary('exp'); }
  log() { return this.#unary('log'); }
  sqrt() { return this.#unary('sqrt'); }
  tanh() { return this.#unary('tanh'); }
  erf() { return this.#unary('erf'); }
  sigmoid() { return this.#unary('sigmoid'); }
  /** GELU, exact (erf) form; { approximate: 'tanh' } for the tanh form. */
  gelu({ approximate = 'none' } = {}) { return this.#unary(approximate === 'tanh' ? 'geluTanh' : 'gelu'); }
  silu() { return this.#unary('silu'); }
  relu() { return this.#unary('relu'); }
  abs() { return this.#unary('abs'); }

  /** Batched matrix product: [..., M, K] x [..., K, N]; batch axes broadcast. */
  matmul(other, { transposeA = false, transposeB = false } = {}) {
    if (!(other instanceof Tensor)) throw new TypeError('matmul: expected a Tensor');
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_matmul(this.#handle(), other.#handle(), transposeA ? 1 : 0, transposeB ? 1 : 0, rt.err));
  }

  #reduce(op, axis, keepdims) {
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_reduce(REDUCE[op], this.#handle(), axis, keepdims ? 1 : 0, rt.err));
  }

  sum(axis = -1, { keepdims = false } = {}) { return this.#reduce('sum', axis, keepdims); }
  mean(axis = -1, { keepdims = false } = {}) { return this.#reduce('mean', axis, keepdims); }
  max(axis = -1, { keepdims = false } = {}) { return this.#reduce('max', axis, keepdims); }
  /** Index of the first maximum along axis (int64). */
  argmax(axis = -1, { keepdims = false } = {}) { return this.#reduce('argmax', axis, keepdims); }

  /** Numerically stable softmax along axis. */
  softmax(axis = -1) {
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_softmax(this.#handle(), axis, rt.err));
  }

  /** Layer normalisation over the last axis (PyTorch semantics, biased variance). */
  layerNorm({ gamma = null, beta = null, eps = 1e-5 } = {}) {
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_norm(0, this.#handle(), gamma ? gamma.#handle() : 0, beta ? beta.#handle() : 0, eps, rt.err));
  }

  /** RMS normalisation over the last axis. */
  rmsNorm({ gamma = null, eps = 1e-6 } = {}) {
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_norm(1, this.#handle(), gamma ? gamma.#handle() : 0, 0, eps, rt.err));
  }

  /** A view with a new shape (one dimension may be -1); copies only when the strides require it. */
  reshape(shape) {
    checkShape(shape, 'reshape');
    const rt = this.#rt;
    return withInt64s(rt, shape, (p) => Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_reshape(this.#handle(), shape.length, p, rt.err)));
  }

  /** A view with the axes reordered. */
  permute(axes) {
    const rt = this.#rt;
    if (!Array.isArray(axes) || axes.length !== this.rank) {
      throw new TetraError('TETRA_ERR_INVALID_ARGUMENT', `permute: needs ${this.rank} axes for shape ${shapeString(this.#shape)}`);
    }
    return withInt64s(rt, axes, (p) => Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_permute(this.#handle(), p, rt.err)));
  }

  /** A view with two axes swapped (default: the last two). */
  transpose(axis0 = -2, axis1 = -1) {
    const n = this.rank;
    const a = axis0 < 0 ? axis0 + n : axis0;
    const b = axis1 < 0 ? axis1 + n : axis1;
    const axes = Array.from({ length: n }, (_, i) => i);
    if (a >= 0 && a < n && b >= 0 && b < n) [axes[a], axes[b]] = [axes[b], axes[a]];
    else axes[0] = a >= 0 && a < n ? b : a; // let the core report the bad axis
    return this.permute(axes);
  }

  /** A view of start:stop:step along axis (Python semantics). */
  slice(axis, start = 0, stop = Infinity, step = 1) {
    const rt = this.#rt;
    const big = 2 ** 53;
    const clamp = (v) => (v === Infinity ? big : v === -Infinity ? -big : v);
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_slice(this.#handle(), axis, clamp(start), clamp(stop), step, rt.err));
  }

  /** A broadcast view (stride 0 on expanded axes; -1 keeps a dimension). */
  expand(shape) {
    checkShape(shape, 'expand');
    const rt = this.#rt;
    return withInt64s(rt, shape, (p) => Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_expand(this.#handle(), shape.length, p, rt.err)));
  }

  contiguous() {
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_contiguous(this.#handle(), rt.err));
  }

  cast(dtype) {
    dtypeOf(null, dtype);
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_cast(this.#handle(), CODE[dtype], rt.err));
  }

  /** This tensor with value wherever mask (broadcast to this shape) is non-zero. */
  maskedFill(mask, value) {
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_masked_fill(this.#handle(), mask.#handle(), value, rt.err));
  }

  /** Embedding lookup: this is a [V, D] table, ids an int32/int64 tensor; gives ids.shape + [D]. */
  gather(ids) {
    const rt = this.#rt;
    return Tensor.#wrap(rt, rt.exports.tetra_wasm_tensor_gather_rows(this.#handle(), ids.#handle(), rt.err));
  }

  /** Frees the tensor's wasm memory (views keep the shared data alive). Idempotent. */
  dispose() {
    if (!this.#ptr) return;
    finalizer.unregister(this);
    this.#rt.exports.tetra_tensor_free(this.#ptr);
    this.#ptr = 0;
  }

  toString() {
    return `Tensor(${this.#dtype}, ${shapeString(this.#shape)})`;
  }
}
