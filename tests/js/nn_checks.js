// What the encoder tests (tests/js/transformer.test.js in Node, tests/browser/transformer.test.js
// in Chromium) compare against the PyTorch goldens of tests/golden/nn/<model>/, and how: the
// issue's limits, the golden files, and the error measures.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { NN_GOLDEN } from './nn_weights.js';

export const HIDDEN_TOL = 1e-4; // fp32 hidden states: max abs error
export const LOGIT_TOL = 1e-4; // fp32 logits and pooler: max abs error
export const COS_FP32 = 0.99999; // fp32 embeddings: cosine
export const COS_INT8 = 0.99; // int8 embeddings: cosine
export const AGREE_INT8 = 0.99; // int8: share of inputs with the golden's argmax

/** A golden array ({ shape, f32: base64 of little-endian float32 }) as a Float32Array. */
export const f32 = (o) => {
  const bytes = Buffer.from(o.f32, 'base64');
  return new Float32Array(new Uint8Array(bytes).buffer);
};

/** config.json (text), spec.json, inputs.json and golden.json of tests/golden/nn/<name>. */
export function loadGolden(name) {
  const dir = `${NN_GOLDEN}${name}/`;
  return {
    name,
    configText: readFileSync(`${dir}config.json`, 'utf8'),
    spec: JSON.parse(readFileSync(`${dir}spec.json`, 'utf8')),
    inputs: JSON.parse(readFileSync(`${dir}inputs.json`, 'utf8')),
    golden: JSON.parse(readFileSync(`${dir}golden.json`, 'utf8')),
  };
}

export function cosine(a, b) {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** The rows (of width `width`) of a padded per-token output whose mask is 1, as the goldens
 * store per-token outputs. */
export function realTokens(full, mask, width) {
  const n = mask.reduce((a, m) => a + (m ? 1 : 0), 0);
  const out = new Float32Array(n * width);
  let at = 0;
  for (let r = 0; r < mask.length; r++) {
    if (!mask[r]) continue;
    out.set(full.subarray(r * width, (r + 1) * width), at);
    at += width;
  }
  return out;
}

export function maxAbs(got, want) {
  assert.equal(got.length, want.length, 'output length');
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

/** Largest |got - want| between a padded per-token output and the golden's real-token rows. */
export function maskedMaxAbs(got, want, mask, width) {
  return maxAbs(realTokens(Float32Array.from(got), mask, width), want);
}
