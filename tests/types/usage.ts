// Compiled with `tsc --noEmit` by tests/js/types.test.js: the declarations must accept real usage
// and reject misuse (the @ts-expect-error lines fail the build if they stop being errors).
import { init, Booster, TetraError, coreVersion, simdLevel, hasRelaxedSimd, Tensor, Tokenizer } from 'tetra';
import type { Encoding, EncodeOptions } from 'tetra';

async function main(): Promise<void> {
  await init();
  await init({ wasm: new URL('./tetra.wasm', 'file:///x/') });
  await init({ simd: hasRelaxedSimd() ? 'relaxed' : 'base' });
  const build: 'relaxed' | 'base' = simdLevel();
  // @ts-expect-error simd is 'auto', 'base' or 'relaxed'
  await init({ simd: 'fast' });
  const version: string = coreVersion();
  const booster = Booster.fromXGBoost('{}', { sha256: 'ab' });
  const out: Float32Array = booster.predict(new Float32Array(30), { ncols: 30, outputMargin: true });
  booster.predict([[1, null, 3]]);
  booster.predict([1, 2, null]);
  const n: number = booster.numFeatures + booster.numClasses + booster.numOutputs + booster.numTrees;
  const names: string[] | null = booster.featureNames;
  const v: [number, number, number] | null = booster.xgboostVersion;
  booster.free();
  try {
    Booster.fromXGBoost(new Uint8Array(4));
  } catch (e) {
    if (e instanceof TetraError) console.log(e.code === 'TETRA_ERR_PARSE', e.message);
  }
  // @ts-expect-error predict needs rows
  booster.predict();
  // @ts-expect-error outputMargin is a boolean
  booster.predict(new Float32Array(1), { outputMargin: 'yes' });
  // @ts-expect-error numFeatures is read-only
  booster.numFeatures = 3;
  // @ts-expect-error use fromXGBoost
  new Booster();
  const a = Tensor.from(new Float32Array(6), [2, 3]);
  const b = Tensor.from([1, 2, 3]);
  const c = a.add(b).matmul(a, { transposeB: true }).softmax(-1);
  const shape: readonly number[] = c.shape;
  const values = c.toArray();
  const ids = Tensor.from(new Int32Array([0, 1]), [2]);
  a.gather(ids).dispose();
  // @ts-expect-error shapes are arrays
  Tensor.zeros(3);
  // @ts-expect-error unknown dtype
  a.cast('float64');
  c.dispose();
  const tok = Tokenizer.fromJSON('{}');
  Tokenizer.fromVocabTxt('[PAD]\n[UNK]\n', { lowercase: false }).free();
  Tokenizer.fromGPT2({ encoder: { a: 0 }, merges: '#version: 0.2\n' }).free();
  Tokenizer.fromLlama2c(new Uint8Array(8)).free();
  Tokenizer.fromGGUF(new ArrayBuffer(8)).free();
  const enc: Encoding = tok.encode('Hello', { pair: 'world', truncation: { maxLength: 8, stride: 2, strategy: 'only_second' }, padding: 'max_length', maxLength: 16 });
  const tokenIds: Uint32Array = enc.ids;
  const offsets: Uint32Array = enc.offsets;
  const words: Int32Array = enc.wordIds;
  const mask: Uint8Array = enc.attentionMask;
  const more: Encoding[] | undefined = enc.overflowing;
  const opts: EncodeOptions = { addSpecialTokens: false, padding: { maxLength: 8, direction: 'left' }, offsets: 'chars' };
  const batch: Encoding[] = tok.encodeBatch(['a', ['b', 'c']], { padding: true, truncation: false });
  const text: string = tok.decode(Array.from(tokenIds), { skipSpecialTokens: true });
  const token: string | null = tok.idToToken(0);
  const id: number | null = tok.tokenToId('[CLS]');
  const size: number = tok.vocabSize;
  // @ts-expect-error the pair is an option, not a second argument
  tok.encode('a', 'b');
  // @ts-expect-error encodeBatch items are strings or [text, pair]
  tok.encodeBatch([['a', 'b', 'c']]);
  // @ts-expect-error unknown padding strategy
  tok.encode('a', { padding: 'max' });
  // @ts-expect-error unknown offsets unit
  tok.encode('a', { offsets: 'utf8' });
  // @ts-expect-error vocabSize is read-only
  tok.vocabSize = 3;
  // @ts-expect-error use Tokenizer.fromJSON
  new Tokenizer();
  tok.free();
  console.log(version, out, n, names, v, shape, values, tokenIds, offsets, words, mask, more, opts, batch, text, token, id, size);
}
main();

// Transformer encoders and pipelines (js/transformer.js).
import { Transformer, pipeline } from 'tetra';
import type { FeatureOutput, LabelScore, EntityGroup, TokenEntity } from 'tetra';

async function transformerUsage(): Promise<void> {
  const files = { config: '{}', weights: new Uint8Array(8), tokenizer: '{}', pooling: { pooling_mode_mean_tokens: true }, precision: 'int8' as const };
  const model = Transformer.fromHF(files);
  const checked = Transformer.fromHF({ ...files, sha256: 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' });
  const digest: string = checked.sha256;
  const one: Float32Array = model.embed('hello', { normalize: true });
  const many: Float32Array[] = model.embed(['a', ['b', 'c']], { pooling: 'cls', batchSize: 8 });
  const hidden: Float32Array = model.forward({ inputIds: new Int32Array(4), attentionMask: [1, 1, 1, 0] }, { batch: 2, seqLen: 2 });
  model.forward({ inputIds: [[101, 102], [101, 102]] });
  const top: LabelScore[] = model.classify('great', { topK: 2 });
  const tops: LabelScore[][] = model.classify(['great', 'awful'], { topK: null });
  const ents: Array<TokenEntity | EntityGroup> = model.classifyTokens('Paris', { aggregation: 'first' });
  const int8: Uint8Array = Transformer.quantize({ config: {}, weights: new Uint8Array(8) });
  const labels: readonly string[] = model.labels;
  const h: number = model.hiddenSize + model.maxPositions + model.numLabels;
  const head: 'none' | 'sequence' | 'token' = model.head;
  model.free();
  const extractor = await pipeline('feature-extraction', { config: '{}', weights: new ArrayBuffer(8), tokenizer: {} });
  const feats: FeatureOutput = await extractor(['a', 'b'], { pooling: 'mean', normalize: true });
  const dims: number[] = feats.dims;
  const classifier = await pipeline('text-classification', files);
  const label: LabelScore[] = await classifier('nice');
  await classifier.dispose();
  // @ts-expect-error precision is 'auto', 'fp32' or 'int8'
  Transformer.fromHF({ config: '{}', weights: new Uint8Array(8), precision: 'int4' });
  // @ts-expect-error weights are bytes
  Transformer.fromHF({ config: '{}', weights: 'model.safetensors' });
  // @ts-expect-error unknown task
  await pipeline('translation', files);
  // @ts-expect-error hiddenSize is read-only
  model.hiddenSize = 3;
  console.log(one, many, hidden, top, tops, ents, int8, labels, h, head, dims, label);
}
transformerUsage();
