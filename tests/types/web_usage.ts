// Compiled with tests/types/usage.ts by tests/js/types.test.js: web/client.d.ts (the package
// subpath 'tetra/web/client.js') accepts real usage of the worker client and rejects misuse.
import { TetraWorker } from 'tetra/web/client.js';
import type { RemoteBooster, RemoteTransformer, PlainEncoding } from 'tetra/web/client.js';
import { TetraError } from 'tetra';
import type { LabelScore, EntityGroup, TokenEntity } from 'tetra';

async function workerUsage(): Promise<void> {
  const tetra = await TetraWorker.start();
  await TetraWorker.start(new URL('https://example.com/worker.js'));
  const booster: RemoteBooster = await tetra.loadXGBoost('{}', { sha256: 'ab' });
  const p: Float32Array = await booster.predict([[1, null, 3]], { outputMargin: true });
  const nf: number = booster.numFeatures;
  await booster.free();

  const weights = new Uint8Array(8);
  const model: RemoteTransformer = await tetra.loadTransformer(
    { config: '{}', weights, tokenizer: '{}', pooling: 'mean', precision: 'int8' }, { transfer: true });
  const one: Float32Array = await model.embed('hello', { normalize: true });
  const many: Float32Array[] = await model.embed(['a', ['b', 'c']], { batchSize: 4 });
  const top: LabelScore[] = await model.classify('great', { topK: 2 });
  const tops: LabelScore[][] = await model.classify(['great', 'awful']);
  const ents: Array<TokenEntity | EntityGroup> = await model.classifyTokens('Paris', { aggregation: 'max' });
  const hidden: Float32Array = await model.forward({ inputIds: new Int32Array(4) }, { batch: 2, seqLen: 2 });
  const outs = await model.run({ inputIds: [[101, 102]] }, { outputs: ['embeddings', 'logits'], pooling: 'cls' });
  const emb: Float32Array | undefined = outs.embeddings;
  const encs: PlainEncoding[] = await model.tokenize(['a', 'b']);
  const ids: Uint32Array = encs[0].ids;
  const facts: number = model.hiddenSize + model.numLabels + model.maxPositions;
  const labels: readonly string[] = model.labels;
  const precision: 'fp32' | 'int8' = model.precision;
  const hasTok: boolean = model.hasTokenizer;
  try {
    await model.forward({ inputIds: [30522] });
  } catch (e) {
    if (e instanceof TetraError) console.log(e.code === 'TETRA_ERR_INVALID_ARGUMENT', e.message);
  }
  await model.free();
  tetra.terminate();
  // @ts-expect-error results are promises
  const sync: Float32Array = model.embed('x');
  // @ts-expect-error transfer is a boolean
  await tetra.loadTransformer({ config: '{}', weights }, { transfer: 'yes' });
  // @ts-expect-error weights are bytes
  await tetra.loadTransformer({ config: '{}', weights: 'model.safetensors' });
  // @ts-expect-error hiddenSize is read-only
  model.hiddenSize = 3;
  console.log(p, nf, one, many, top, tops, ents, hidden, emb, ids, facts, labels, precision, hasTok, sync);
}
workerUsage();
