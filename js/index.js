// tetra: tensors, trees, tokenizers and transformers in WebAssembly.
// Package entry (ES module). Usage:
//   import { init, Booster } from 'tetra';
//   await init();
//   const booster = Booster.fromXGBoost(modelJsonText);
//   const probabilities = booster.predict(new Float32Array(rows), { ncols: booster.numFeatures });
export { init, coreVersion, simdLevel, hasRelaxedSimd, TetraError } from './wasm.js';
export { Booster } from './booster.js';
export { Tensor } from './tensor.js';
export { Tokenizer } from './tokenizer.js';
export { Transformer, pipeline } from './transformer.js';
