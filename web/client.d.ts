// Type declarations for tetra's Web Worker client (web/client.js, package subpath
// 'tetra/web/client.js'): the Booster and Transformer APIs of js/index.d.ts as promises.
import type {
  Aggregation, Booster, EmbedOptions, EntityGroup, Encoding, LabelScore, ModelInputs, Pooling,
  PredictOptions, Rows, TextBatchOptions, TextInput, TokenEntity, Transformer, TransformerFiles,
} from '../js/index.js';

/** Starts web/worker.js in a module Web Worker and talks to it. */
export class TetraWorker {
  /** Starts web/worker.js (or the worker at `url`) as a module worker. */
  static start(url?: string | URL): Promise<TetraWorker>;
  /** Wraps a worker already running web/worker.js. */
  constructor(worker: Worker);
  /** Loads an XGBoost JSON model in the worker (as Booster.fromXGBoost). */
  loadXGBoost(model: string | object | Uint8Array | ArrayBuffer | ArrayBufferView, options?: { sha256?: string | null }): Promise<RemoteBooster>;
  /**
   * Loads a BERT-family encoder in the worker (as Transformer.fromHF). The tokenizer must be
   * tokenizer.json (text, object or bytes), not a Tokenizer. options.transfer moves the weights'
   * ArrayBuffer to the worker instead of copying it; the caller's buffer is detached afterwards.
   */
  loadTransformer(files: RemoteTransformerFiles, options?: { transfer?: boolean }): Promise<RemoteTransformer>;
  /** Stops the worker; pending calls reject. */
  terminate(): void;
}

/** Transformer.fromHF's files, with tokenizer.json only (a Tokenizer cannot cross threads). */
export type RemoteTransformerFiles = Omit<TransformerFiles, 'tokenizer'> & {
  tokenizer?: string | object | Uint8Array | ArrayBuffer | null;
};

/** A Booster in the worker: predict as a promise, the Booster's facts as fields (baseMargin aside). */
export interface RemoteBooster extends Pick<Booster, 'numFeatures' | 'numClasses' | 'numOutputs'
  | 'numTrees' | 'maxDepth' | 'objective' | 'booster' | 'featureNames' | 'xgboostVersion' | 'sha256'> {
  /** Same arguments and result as Booster.predict. */
  predict(rows: Rows, options?: PredictOptions): Promise<Float32Array>;
  free(): Promise<void>;
}

/** An Encoding's fields as plain data (what tokenize() answers from the worker). */
export type PlainEncoding = Pick<Encoding, 'ids' | 'typeIds' | 'attentionMask' | 'specialTokensMask' | 'offsets' | 'wordIds' | 'sequenceIds' | 'length'> & {
  overflowing?: PlainEncoding[];
};

/** The facts of a Transformer that a RemoteTransformer carries as fields. */
export type TransformerFacts = Pick<Transformer, 'config' | 'modelType' | 'architecture' | 'vocabSize'
  | 'hiddenSize' | 'numLayers' | 'numHeads' | 'intermediateSize' | 'maxPositions' | 'maxLength'
  | 'typeVocabSize' | 'head' | 'numLabels' | 'labels' | 'multiLabel' | 'hasPooler' | 'precision'
  | 'pooling' | 'normalize' | 'padTokenId'>;

/** A Transformer in the worker: its methods as promises, its facts as fields. */
export interface RemoteTransformer extends TransformerFacts {
  embed(texts: string, options?: EmbedOptions): Promise<Float32Array>;
  embed(texts: ReadonlyArray<TextInput>, options?: EmbedOptions): Promise<Float32Array[]>;
  classify(texts: string, options?: TextBatchOptions & { topK?: number | null }): Promise<LabelScore[]>;
  classify(texts: ReadonlyArray<TextInput>, options?: TextBatchOptions & { topK?: number | null }): Promise<LabelScore[][]>;
  classifyTokens(texts: string, options?: TextBatchOptions & { aggregation?: Aggregation; ignoreLabels?: string[] }): Promise<Array<TokenEntity | EntityGroup>>;
  classifyTokens(texts: ReadonlyArray<TextInput>, options?: TextBatchOptions & { aggregation?: Aggregation; ignoreLabels?: string[] }): Promise<Array<Array<TokenEntity | EntityGroup>>>;
  logits(texts: string, options?: TextBatchOptions): Promise<Float32Array>;
  logits(texts: ReadonlyArray<TextInput>, options?: TextBatchOptions): Promise<Float32Array[]>;
  /** Last hidden state [batch, seqLen, hiddenSize], row-major. */
  forward(inputs: ModelInputs, options?: { batch?: number; seqLen?: number }): Promise<Float32Array>;
  run(inputs: ModelInputs, options?: { batch?: number; seqLen?: number; outputs?: ReadonlyArray<'lastHiddenState' | 'poolerOutput' | 'logits' | 'embeddings'>; pooling?: Pooling; normalize?: boolean }): Promise<{ lastHiddenState?: Float32Array; poolerOutput?: Float32Array; logits?: Float32Array; embeddings?: Float32Array }>;
  tokenize(texts: TextInput | ReadonlyArray<TextInput>, options?: { maxLength?: number }): Promise<PlainEncoding[]>;
  /** Releases the model in the worker. */
  free(): Promise<void>;
  /** Whether the model was loaded with a tokenizer (text input needs one). */
  readonly hasTokenizer: boolean;
  /** The build the worker loaded: 'relaxed' (fused multiply-adds) or 'base'. */
  readonly simd: 'relaxed' | 'base';
}
