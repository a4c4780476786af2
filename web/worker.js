// A module Web Worker that hosts tetra models off the main thread. Start it with
//   new Worker(new URL('tetra/web/worker.js', import.meta.url), { type: 'module' })
// or use web/client.js, which wraps the message protocol in promises:
//   request  { id, op: 'load', model, sha256? }            -> { id, ok, handle, info }
//            { id, op: 'predict', handle, rows, options }  -> { id, ok, result } (result transferred)
//            { id, op: 'free', handle }                    -> { id, ok }
//   failure  -> { id, ok: false, error: { name, code, message } }
import { init, Booster } from '../js/index.js';

const boosters = new Map();
let nextHandle = 1;

function info(booster) {
  const { numFeatures, numClasses, numOutputs, numTrees, maxDepth, objective, featureNames, xgboostVersion, sha256 } = booster;
  return { numFeatures, numClasses, numOutputs, numTrees, maxDepth, objective, booster: booster.booster, featureNames, xgboostVersion, sha256 };
}

function lookup(handle) {
  const booster = boosters.get(handle);
  if (!booster) throw new Error(`worker: no model with handle ${handle} (freed or never loaded)`);
  return booster;
}

const ready = init();

self.onmessage = async ({ data }) => {
  const { id, op } = data;
  try {
    await ready;
    if (op === 'load') {
      const booster = Booster.fromXGBoost(data.model, { sha256: data.sha256 });
      const handle = nextHandle++;
      boosters.set(handle, booster);
      self.postMessage({ id, ok: true, handle, info: info(booster) });
    } else if (op === 'predict') {
      const result = lookup(data.handle).predict(data.rows, data.options);
      self.postMessage({ id, ok: true, result }, [result.buffer]);
    } else if (op === 'free') {
      lookup(data.handle).free();
      boosters.delete(data.handle);
      self.postMessage({ id, ok: true });
    } else {
      throw new Error(`worker: unknown op ${JSON.stringify(op)}`);
    }
  } catch (error) {
    self.postMessage({ id, ok: false, error: { name: error.name, code: error.code, message: error.message } });
  }
};
