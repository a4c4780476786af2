// Type declarations for tetra's ES module entry (js/index.js).

/** Where to find the WebAssembly module: a URL (default: tetra.wasm next to index.js), its bytes, or a compiled module. */
export type WasmSource = string | URL | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/**
 * Loads and instantiates the WebAssembly core. Call once before anything else; later calls wait
 * for the same module (one per realm), and reject if their `simd` names the other build. Works in
 * Node 20+, browsers and Web Workers.
 * `simd` picks between the two builds next to index.js: 'auto' (default) takes tetra-relaxed.wasm
 * (fused multiply-adds in f32 matrix products) where the engine has relaxed SIMD, else
 * tetra.wasm; 'base' always takes tetra.wasm (float results identical on every machine);
 * 'relaxed' requires relaxed SIMD. Ignored when `wasm` is given.
 */
export function init(options?: { wasm?: WasmSource; simd?: 'auto' | 'base' | 'relaxed' }): Promise<void>;

/** Which build init() loaded: 'relaxed' (fused multiply-adds) or 'base'. Requires init(). */
export function simdLevel(): 'relaxed' | 'base';

/** Whether this engine runs relaxed SIMD (Chrome 114+, Node 22+, Node 20 with --experimental-wasm-relaxed-simd). */
export function hasRelaxedSimd(): boolean;

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

/** Truncation of encode(): the longest sequence loses tokens first unless a strategy says otherwise. */
export interface TruncationOptions {
  /** Tokens per encoding, special tokens included. */
  maxLength?: number;
  /** Tokens repeated between consecutive overflowing windows. Default 0. */
  stride?: number;
  strategy?: 'longest_first' | 'only_first' | 'only_second';
  /** Which end loses tokens. Default 'right'. */
  direction?: 'left' | 'right';
}

export interface PaddingOptions {
  /** Pad every encoding to this length; without it, to the longest encoding of the batch. */
  maxLength?: number;
  /** Then round the length up to a multiple of this. */
  padToMultipleOf?: number;
  /** Where the pad tokens go. Default 'right'. */
  direction?: 'left' | 'right';
}

export interface EncodeOptions {
  /** The second sequence of a pair (encode() only; encodeBatch takes [text, pair] items). */
  pair?: string | null;
  /** Add the post-processor's special tokens ([CLS], [SEP], <s>, ...). Default true. */
  addSpecialTokens?: boolean;
  /**
   * Omitted: as tokenizer.json says (on only if it has a "truncation" section, or if maxLength is
   * given). false: off. true: to maxLength, else as tokenizer.json says. An object: those settings.
   */
  truncation?: boolean | TruncationOptions;
  /** Length for `truncation: true` and `padding: 'max_length'`; alone it turns truncation on. */
  maxLength?: number;
  /**
   * Omitted: as tokenizer.json says. false: off. true or 'longest': to the longest encoding of the
   * batch. 'max_length': to maxLength. An object: those settings.
   */
  padding?: boolean | 'longest' | 'max_length' | PaddingOptions;
  /** Unit of `offsets`: UTF-16 code units of the JS string (default), code points, or UTF-8 bytes. */
  offsets?: 'utf16' | 'chars' | 'bytes';
}

/** One encoded text (or pair). Arrays in one batch's results may share an ArrayBuffer. */
export interface Encoding {
  ids: Uint32Array;
  typeIds: Uint32Array;
  /** 1 for real tokens, 0 for padding. */
  attentionMask: Uint8Array;
  /** 1 for tokens the post-processor added ([CLS], [SEP], ...) and padding. */
  specialTokensMask: Uint8Array;
  /**
   * Flat [start0, end0, start1, end1, ...]: token i covers text.slice(offsets[2i], offsets[2i+1])
   * (UTF-16 code units by default; see EncodeOptions.offsets). [0, 0] for special and pad tokens.
   */
  offsets: Uint32Array;
  /** Index of the word (pre-tokenizer split) each token came from; -1 for special and pad tokens. */
  wordIds: Int32Array;
  /** 0 for the first sequence, 1 for the pair; -1 for special and pad tokens. */
  sequenceIds: Int32Array;
  /** Number of tokens (ids.length). */
  length: number;
  /** With truncation and a stride: the windows after this one, each a full encoding. */
  overflowing?: Encoding[];
}

/**
 * A Hugging Face tokenizer (WordPiece, BPE, Unigram, WordLevel) in WebAssembly, with ids and offsets
 * identical to the Rust `tokenizers` library. Call free() when done.
 */
export class Tokenizer {
  private constructor();
  /** A tokenizer.json as text, parsed object or bytes. */
  static fromJSON(json: string | object | Uint8Array | ArrayBuffer | ArrayBufferView): Tokenizer;
  /** A BERT vocab.txt, loaded as BertTokenizerFast would; lowercase (default true) for uncased models. */
  static fromVocabTxt(vocab: string | Uint8Array | ArrayBuffer | ArrayBufferView, options?: { lowercase?: boolean }): Tokenizer;
  /** GPT-2 byte-level BPE from encoder.json (text, object or bytes) and vocab.bpe. */
  static fromGPT2(files: { encoder: string | object | Uint8Array | ArrayBuffer; merges: string | Uint8Array | ArrayBuffer }): Tokenizer;
  /** A llama2.c tokenizer.bin. */
  static fromLlama2c(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Tokenizer;
  /** The tokenizer stored in a GGUF file's metadata (llama, gpt2 and bert vocabularies). */
  static fromGGUF(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Tokenizer;
  encode(text: string, options?: EncodeOptions): Encoding;
  /** Many texts (or [text, pair] items) in one call; padding true pads to the longest of the batch. */
  encodeBatch(texts: ReadonlyArray<string | readonly [string, string]>, options?: Omit<EncodeOptions, 'pair'>): Encoding[];
  decode(ids: ArrayLike<number>, options?: { skipSpecialTokens?: boolean }): string;
  idToToken(id: number): string | null;
  tokenToId(token: string): number | null;
  /** Vocabulary size, added tokens included. */
  readonly vocabSize: number;
  readonly freed: boolean;
  /** Releases the tokenizer's wasm memory; later calls throw. Idempotent. */
  free(): void;
}

// ---- Transformer encoders (js/transformer.js) --------------------------------------------------

/** Pooling: a mode, a list of modes (concatenated), or sentence-transformers' 1_Pooling/config.json. */
export type PoolingMode = 'mean' | 'cls' | 'max' | 'mean_sqrt_len';
export type Pooling = PoolingMode | readonly PoolingMode[] | Record<string, unknown>;

/** The files of a Hugging Face model repository, as bytes, text or parsed objects. */
export interface TransformerFiles {
  /** config.json: text, parsed object or bytes. */
  config: string | object | Uint8Array | ArrayBuffer;
  /** model.safetensors (F32, F16 or BF16), or the int8 file Transformer.quantize() writes. */
  weights: Uint8Array | ArrayBuffer | ArrayBufferView;
  /** tokenizer.json, or a Tokenizer (which the caller then keeps and frees). Needed for text input. */
  tokenizer?: string | object | Uint8Array | ArrayBuffer | Tokenizer | null;
  /** Default pooling for embed(): 'mean' unless given. */
  pooling?: Pooling;
  /** L2-normalise embeddings by default (sentence-transformers' Normalize module). */
  normalize?: boolean;
  /** 'auto' (default): int8 for tetra's int8 files, else float32; 'int8' quantizes at load. */
  precision?: 'auto' | 'fp32' | 'int8';
  /** Tokens per text after truncation (default and limit: the model's max positions). */
  maxLength?: number;
  /** Expected SHA-256 of the weights' bytes, hex or "sha256-<base64>": a mismatch throws TETRA_ERR_INTEGRITY. */
  sha256?: string;
}

/** Token ids of a padded batch: Int32Array, number[] (flat, row-major) or number[][]. */
export type IdsInput = Int32Array | ArrayLike<number> | ArrayLike<bigint> | ReadonlyArray<ReadonlyArray<number>>;

export interface ModelInputs {
  inputIds: IdsInput;
  /** null or absent: all ones. */
  attentionMask?: IdsInput | null;
  /** null or absent: zeros. */
  tokenTypeIds?: IdsInput | null;
}

/** A text, or a [text, pair] couple for models trained on pairs. */
export type TextInput = string | readonly [string, string];

export interface TextBatchOptions {
  /** Texts per forward pass (texts are sorted by length first). Default 32. */
  batchSize?: number;
  /** Truncate texts to this many tokens (at most the model's max positions). */
  maxLength?: number;
}

export interface EmbedOptions extends TextBatchOptions {
  pooling?: Pooling;
  normalize?: boolean;
}

export interface LabelScore {
  label: string;
  score: number;
}

/** One token of token classification with aggregation 'none'. */
export interface TokenEntity {
  entity: string;
  score: number;
  index: number;
  word: string;
  start: number;
  end: number;
}

/** A group of tokens (or words) of one entity type. start/end: UTF-16 offsets into the text. */
export interface EntityGroup {
  entityGroup: string;
  score: number;
  word: string;
  start: number;
  end: number;
}

export type Aggregation = 'none' | 'simple' | 'first' | 'average' | 'max';

/** A BERT-family encoder (BERT/MiniLM, RoBERTa, DistilBERT, XLM-RoBERTa) in WebAssembly. */
export class Transformer {
  private constructor();
  /** Loads config.json + model.safetensors (+ tokenizer.json). Errors name the tensor, field or limit. */
  static fromHF(files: TransformerFiles): Transformer;
  /** The int8 converter: returns the bytes of an int8 .safetensors file for fromHF(). */
  static quantize(files: { config: string | object | Uint8Array | ArrayBuffer; weights: Uint8Array | ArrayBuffer | ArrayBufferView }): Uint8Array;
  /** Last hidden state [batch, seqLen, hiddenSize], row-major. */
  forward(inputs: ModelInputs, options?: { batch?: number; seqLen?: number }): Float32Array;
  /** forward() with a choice of outputs. */
  run(inputs: ModelInputs, options?: { batch?: number; seqLen?: number; outputs?: ReadonlyArray<'lastHiddenState' | 'poolerOutput' | 'logits' | 'embeddings'>; pooling?: Pooling; normalize?: boolean }): { lastHiddenState?: Float32Array; poolerOutput?: Float32Array; logits?: Float32Array; embeddings?: Float32Array };
  /** Tokenizes with truncation to maxLength, without padding. */
  tokenize(texts: TextInput | ReadonlyArray<TextInput>, options?: { maxLength?: number }): Encoding[];
  /** Sentence embeddings: one Float32Array per text. */
  embed(texts: string, options?: EmbedOptions): Float32Array;
  embed(texts: ReadonlyArray<TextInput>, options?: EmbedOptions): Float32Array[];
  /** Raw logits: numLabels per text, or tokens × numLabels for token classification. */
  logits(texts: string, options?: TextBatchOptions): Float32Array;
  logits(texts: ReadonlyArray<TextInput>, options?: TextBatchOptions): Float32Array[];
  /** The topK labels (default 1; null = all), best first: softmax, or sigmoid for multi-label models. */
  classify(texts: string, options?: TextBatchOptions & { topK?: number | null }): LabelScore[];
  classify(texts: ReadonlyArray<TextInput>, options?: TextBatchOptions & { topK?: number | null }): LabelScore[][];
  /** Token classification with aggregation ('simple' by default) and ignoreLabels (default ['O']). */
  classifyTokens(texts: ReadonlyArray<TextInput>, options?: TextBatchOptions & { aggregation?: Aggregation; ignoreLabels?: string[] }): Array<Array<TokenEntity | EntityGroup>>;
  classifyTokens(texts: string, options?: TextBatchOptions & { aggregation?: Aggregation; ignoreLabels?: string[] }): Array<TokenEntity | EntityGroup>;
  /** Releases the wasm memory (and the tokenizer if fromHF created it). Idempotent. */
  free(): void;
  /** SHA-256 (hex) of the weights file loaded: the one checked, or computed on first use. */
  readonly sha256: string;
  readonly freed: boolean;
  readonly config: Record<string, unknown>;
  readonly tokenizer: Tokenizer | null;
  readonly modelType: 'bert' | 'roberta' | 'distilbert' | 'xlm-roberta' | string;
  readonly architecture: string;
  readonly vocabSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly intermediateSize: number;
  /** Longest sequence the model accepts (RoBERTa: max_position_embeddings - pad_token_id - 1). */
  readonly maxPositions: number;
  readonly maxLength: number;
  /** 0 when the model has no token types (DistilBERT). */
  readonly typeVocabSize: number;
  readonly head: 'none' | 'sequence' | 'token';
  readonly numLabels: number;
  /** id2label in index order ("LABEL_<i>" where config.json has none). */
  readonly labels: readonly string[];
  readonly multiLabel: boolean;
  readonly hasPooler: boolean;
  readonly precision: 'fp32' | 'int8';
  readonly pooling: readonly PoolingMode[];
  readonly normalize: boolean;
  readonly padTokenId: number;
}

/** A tensor-like result of feature extraction, as transformers.js returns. */
export interface FeatureOutput {
  data: Float32Array;
  /** [n, hidden] pooled, or [n, seqLen, hidden] with pooling 'none'. */
  dims: number[];
  type: 'float32';
  size: number;
  tolist(): number[][] | number[][][];
}

interface PipelineBase {
  readonly task: string;
  readonly model: Transformer;
  readonly tokenizer: Tokenizer;
  dispose(): Promise<void>;
}
export interface FeatureExtractionPipeline extends PipelineBase {
  (texts: TextInput | ReadonlyArray<TextInput>, options?: { pooling?: 'none' | Pooling; normalize?: boolean; maxLength?: number; batchSize?: number }): Promise<FeatureOutput>;
}
export interface TextClassificationPipeline extends PipelineBase {
  (texts: string, options?: { topK?: number | null }): Promise<LabelScore[]>;
  (texts: ReadonlyArray<TextInput>, options?: { topK?: number | null }): Promise<LabelScore[] | LabelScore[][]>;
}
export interface TokenClassificationPipeline extends PipelineBase {
  (texts: string, options?: { aggregationStrategy?: Aggregation; ignoreLabels?: string[] }): Promise<Array<TokenEntity | EntityGroup>>;
  (texts: ReadonlyArray<string>, options?: { aggregationStrategy?: Aggregation; ignoreLabels?: string[] }): Promise<Array<Array<TokenEntity | EntityGroup>>>;
}
export type PipelineFiles = TransformerFiles & { tokenizer: NonNullable<TransformerFiles['tokenizer']> };

/** transformers.js-style pipelines over local files; awaits init() itself. */
export function pipeline(task: 'feature-extraction', files: PipelineFiles, options?: { wasm?: WasmSource }): Promise<FeatureExtractionPipeline>;
export function pipeline(task: 'text-classification' | 'sentiment-analysis', files: PipelineFiles, options?: { wasm?: WasmSource }): Promise<TextClassificationPipeline>;
export function pipeline(task: 'token-classification' | 'ner', files: PipelineFiles, options?: { wasm?: WasmSource }): Promise<TokenClassificationPipeline>;
