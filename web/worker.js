// A module Web Worker that hosts tetra models off the main thread. Start it with
//   new Worker(new URL('tetra/web/worker.js', import.meta.url), { type: 'module' })
// or use web/client.js, which wraps the message protocol in promises.
//
// Protocol: every request carries an id that its one reply repeats. Handles number the models
// loaded in this worker (boosters and transformers share one sequence); 'free' releases either.
//   XGBoost boosters
//   request  { id, op: 'load', model, sha256? }            -> { id, ok, handle, info }
//            { id, op: 'predict', handle, rows, options }  -> { id, ok, result } (result transferred)
//   Transformer encoders (js/transformer.js; arguments and results as the local methods')
//            { id, op: 'loadTransformer', files }          -> { id, ok, handle, info }
//              files: { config, weights, tokenizer?, pooling?, normalize?, precision?, maxLength? }
//              as Transformer.fromHF's, except that tokenizer must be tokenizer.json (text, object
//              or bytes), not a Tokenizer. The sender may transfer weights' buffer.
//            { id, op: 'call', handle, method, args }      -> { id, ok, result }
//              method: 'embed' | 'classify' | 'classifyTokens' | 'logits' | 'forward' | 'run' |
//              'tokenize'; args: the method's argument list. Every typed array in the result
//              (embeddings, hidden states, logits; tokenize()'s fields) is transferred, not copied;
//              tokenize() answers with each Encoding's toJSON().
//   Both
//            { id, op: 'free', handle }                    -> { id, ok }
//   failure  -> { id, ok: false, error: { name, code, message } }
//              (code: the TetraError code, e.g. TETRA_ERR_INVALID_ARGUMENT; absent for other errors)
// A failed request leaves every loaded model as it was.
import { init, Booster, Transformer, simdLevel } from '../js/index.js';

const models = new Map();
let nextHandle = 1;

// The methods a RemoteTransformer may call: the Transformer's public, side-effect-free API.
const TRANSFORMER_METHODS = new Set(['embed', 'classify', 'classifyTokens', 'logits', 'forward', 'run', 'tokenize']);

function boosterInfo(booster) {
  const { numFeatures, numClasses, numOutputs, numTrees, maxDepth, objective, featureNames, xgboostVersion, sha256 } = booster;
  return { numFeatures, numClasses, numOutputs, numTrees, maxDepth, objective, booster: booster.booster, featureNames, xgboostVersion, sha256 };
}

function transformerInfo(model) {
  const {
    modelType, architecture, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
    maxLength, typeVocabSize, head, numLabels, multiLabel, hasPooler, precision, normalize, padTokenId, config,
  } = model;
  return {
    modelType, architecture, vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
    maxLength, typeVocabSize, head, numLabels, labels: [...model.labels], multiLabel, hasPooler, precision,
    pooling: [...model.pooling], normalize, padTokenId, config, hasTokenizer: model.tokenizer !== null,
    simd: simdLevel(), // the build this worker loaded: 'relaxed' or 'base'
  };
}

function lookup(handle, type, what) {
  const model = models.get(handle);
  if (!model) throw new Error(`worker: no model with handle ${handle} (freed or never loaded)`);
  if (!(model instanceof type)) throw new Error(`worker: ${what}: model ${handle} is not a ${type.name}`);
  return model;
}

/** The buffers of every typed array in a result (once each), so they move rather than copy. */
function transferables(value, found = new Set()) {
  if (ArrayBuffer.isView(value)) found.add(value.buffer);
  else if (Array.isArray(value)) for (const v of value) transferables(v, found);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) transferables(v, found);
  return [...found];
}

const ready = init();

self.onmessage = async ({ data }) => {
  const { id, op } = data;
  try {
    await ready;
    if (op === 'load') {
      const booster = Booster.fromXGBoost(data.model, { sha256: data.sha256 });
      const handle = nextHandle++;
      models.set(handle, booster);
      self.postMessage({ id, ok: true, handle, info: boosterInfo(booster) });
    } else if (op === 'predict') {
      const result = lookup(data.handle, Booster, 'predict').predict(data.rows, data.options);
      self.postMessage({ id, ok: true, result }, [result.buffer]);
    } else if (op === 'loadTransformer') {
      const model = Transformer.fromHF(data.files);
      const handle = nextHandle++;
      models.set(handle, model);
      self.postMessage({ id, ok: true, handle, info: transformerInfo(model) });
    } else if (op === 'call') {
      const { method, args = [] } = data;
      if (!TRANSFORMER_METHODS.has(method)) throw new Error(`worker: unknown Transformer method ${JSON.stringify(method)} (${[...TRANSFORMER_METHODS].join(', ')})`);
      const model = lookup(data.handle, Transformer, method);
      let result = model[method](...args);
      // Encodings keep their fields in getters; toJSON() gives them as views of the call's one buffer.
      if (method === 'tokenize') result = result.map((e) => e.toJSON());
      self.postMessage({ id, ok: true, result }, transferables(result));
    } else if (op === 'free') {
      const model = models.get(data.handle);
      if (!model) throw new Error(`worker: no model with handle ${data.handle} (freed or never loaded)`);
      model.free();
      models.delete(data.handle);
      self.postMessage({ id, ok: true });
    } else {
      throw new Error(`worker: unknown op ${JSON.stringify(op)}`);
    }
  } catch (error) {
    self.postMessage({ id, ok: false, error: { name: error.name, code: error.code, message: error.message } });
  }
};
