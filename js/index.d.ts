// Type declarations for tetra's ES module entry (js/index.js).

/** Where to find the WebAssembly module: a URL (default: tetra.wasm next to index.js), its bytes, or a compiled module. */
export type WasmSource = string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/**
 * Loads and instantiates the WebAssembly core. Call once before anything else; later calls
 * return the same promise. Works in Node 20+, browsers and Web Workers.
 */
export function init(options?: { wasm?: WasmSource }): Promise<void>;

/** The version of the C core, e.g. "0.1.0". Requires init(). */
export function coreVersion(): string;

/** Status names of the C core, plus TETRA_ERR_INTEGRITY for a SHA-256 mismatch. */
export type TetraErrorCode =
  | 'TETRA_ERR_INVALID_ARGUMENT'
  | 'TETRA_ERR_OUT_OF_MEMORY'
  | 'TETRA_ERR_PARSE'
  | 'TETRA_ERR_FORMAT'
  | 'TETRA_ERR_UNSUPPORTED'
  | 'TETRA_ERR_LIMIT'
  | 'TETRA_ERR_INTEGRITY';

/** An error from the core. The message names the field, JSON path or byte offset at fault. */
export class TetraError extends Error {
  constructor(code: number | TetraErrorCode, message: string);
  readonly code: TetraErrorCode;
}

/** Rows to score: row-major Float32Array (NaN = missing), number[] or number[][] (null = missing). */
export type Rows = Float32Array | ArrayLike<number | null> | ArrayLike<ArrayLike<number | null>>;

export interface PredictOptions {
  /** Columns per row; must equal numFeatures. Default: numFeatures (or the inner length of number[][]). */
  ncols?: number;
  /** Return raw margins (sums of leaf values plus the base margin) instead of the objective's output. */
  outputMargin?: boolean;
}

/** An XGBoost tree ensemble (gbtree or dart) scored in WebAssembly with XGBoost's exact arithmetic. */
export class Booster {
  private constructor();
  /**
   * Loads a model saved by XGBoost's `Booster.save_model("model.json")` (1.x, 2.x and 3.x).
   * @param json the JSON text, its parsed object, or its bytes
   * @param options.sha256 expected SHA-256 of the bytes, hex or "sha256-<base64>" (SRI form); a
   *   mismatch throws TETRA_ERR_INTEGRITY. Only with text or bytes: a parsed object has lost them.
   */
  static fromXGBoost(json: string | object | Uint8Array | ArrayBuffer | ArrayBufferView, options?: { sha256?: string | null }): Booster;
  /**
   * Scores rows. Returns nrows × numOutputs values (nrows × numClasses with outputMargin):
   * probabilities for binary:logistic, class probabilities for multi:softprob, the class index
   * for multi:softmax, values for regression and ranking.
   */
  predict(rows: Rows, options?: PredictOptions): Float32Array;
  /** Releases the model's wasm memory; later calls throw. Idempotent. */
  free(): void;
  /** Features per row the model expects. */
  readonly numFeatures: number;
  /** Margins per row: the model's num_class for multi-class models, 1 otherwise. */
  readonly numClasses: number;
  /** Values per row of predict() without outputMargin (1 for multi:softmax). */
  readonly numOutputs: number;
  readonly numTrees: number;
  /** Edges on the longest root-to-leaf path of any tree. */
  readonly maxDepth: number;
  /** The objective as written in the model, e.g. "binary:logistic". */
  readonly objective: string;
  /** "gbtree" or "dart". */
  readonly booster: string;
  /** Per-class starting margin (base_score through the objective's link). */
  readonly baseMargin: Float32Array;
  /** Feature names stored in the model, or null. */
  readonly featureNames: string[] | null;
  /** XGBoost version that wrote the model, e.g. [1, 7, 4], or null if absent. */
  readonly xgboostVersion: [number, number, number] | null;
  /** SHA-256 (hex) of the model bytes that were loaded (of JSON.stringify's output for an object). */
  readonly sha256: string;
}

export type DType = 'float32' | 'float16' | 'bfloat16' | 'int8' | 'int32' | 'int64';
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Int8Array | Uint16Array | number[];

/**
 * An n-dimensional array in wasm memory with NumPy-style broadcasting. Every operation returns a
 * new Tensor owning wasm memory: call dispose() when done. Errors for mismatched shapes name both.
 */
export class Tensor {
  private constructor();
  /** A copy of data with the given shape (default [data.length]); Uint16Array needs dtype float16/bfloat16. */
  static from(data: TensorData, shape?: readonly number[], options?: { dtype?: DType }): Tensor;
  static zeros(shape: readonly number[], dtype?: DType): Tensor;
  static concat(tensors: readonly Tensor[], axis?: number): Tensor;
  /** cond ? a : b element-wise, with broadcasting; cond non-zero (or NaN) means true. */
  static where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly rank: number;
  readonly size: number;
  readonly disposed: boolean;
  /** Row-major copy; float16/bfloat16 are widened to Float32Array, int64 gives BigInt64Array. */
  toArray(): Float32Array | Int32Array | BigInt64Array | Int8Array;
  add(other: Tensor | number): Tensor;
  sub(other: Tensor | number): Tensor;
  mul(other: Tensor | number): Tensor;
  div(other: Tensor | number): Tensor;
  maximum(other: Tensor | number): Tensor;
  minimum(other: Tensor | number): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  tanh(): Tensor;
  erf(): Tensor;
  sigmoid(): Tensor;
  gelu(options?: { approximate?: 'none' | 'tanh' }): Tensor;
  silu(): Tensor;
  relu(): Tensor;
  abs(): Tensor;
  matmul(other: Tensor, options?: { transposeA?: boolean; transposeB?: boolean }): Tensor;
  sum(axis?: number, options?: { keepdims?: boolean }): Tensor;
  mean(axis?: number, options?: { keepdims?: boolean }): Tensor;
  max(axis?: number, options?: { keepdims?: boolean }): Tensor;
  argmax(axis?: number, options?: { keepdims?: boolean }): Tensor;
  softmax(axis?: number): Tensor;
  layerNorm(options?: { gamma?: Tensor | null; beta?: Tensor | null; eps?: number }): Tensor;
  rmsNorm(options?: { gamma?: Tensor | null; eps?: number }): Tensor;
  reshape(shape: readonly number[]): Tensor;
  permute(axes: readonly number[]): Tensor;
  transpose(axis0?: number, axis1?: number): Tensor;
  slice(axis: number, start?: number, stop?: number, step?: number): Tensor;
  expand(shape: readonly number[]): Tensor;
  contiguous(): Tensor;
  cast(dtype: DType): Tensor;
  maskedFill(mask: Tensor, value: number): Tensor;
  /** Embedding lookup: this is a [V, D] table; ids int32/int64 of any shape. */
  gather(ids: Tensor): Tensor;
  dispose(): void;
}
