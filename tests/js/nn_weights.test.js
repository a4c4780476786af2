// The deterministic nn test weights in JS (tests/js/nn_weights.js) must build the very safetensors
// bytes that tools/golden/nn/make_encoder_golden.py built: spec.json holds their sha256 (F32 for
// every model; F16, BF16 and prefix-stripped too for the small ones).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  NN_GOLDEN, NN_MODELS, buildSafetensors, f32BitsToBF16, f32BitsToF16, goldenArray, nnGolden,
  weightValue,
} from './nn_weights.js';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const bitsOf = (f) => new Uint32Array(new Float32Array([f]).buffer)[0];

test('nn_weights: single elements and conversions', () => {
  assert.equal(weightValue(1234, 'classifier.bias', 3, 2 ** -5, 0), -0.01958020031452179);
  assert.equal(weightValue(1234, 'embeddings.LayerNorm.weight', 7, 2 ** -3, 1), 1.0042073726654053);
  assert.equal(weightValue(0, 'x', 123456, 0.25, 0), 0.2441854178905487);
  const f16 = [[1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65519, 0x7bff], [65520, 0x7c00],
    [2 ** -24, 1], [2 ** -25, 0], [3 * 2 ** -26, 1], [1.5 * 2 ** -24, 2], [2 ** -14, 0x400],
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [-0, 0x8000], [0.1, 0x2e66]];
  for (const [f, h] of f16) assert.equal(f32BitsToF16(bitsOf(f)), h, `f16(${f})`);
  for (const [f, h] of [[1, 0x3f80], [1 + 2 ** -8, 0x3f80], [1 + 3 * 2 ** -8, 0x3f82], [-0.1, 0xbdcd]])
    assert.equal(f32BitsToBF16(bitsOf(f)), h, `bf16(${f})`);
});

for (const model of NN_MODELS) {
  test(`nn_weights: ${model} builds the Python generator's bytes`, () => {
    const spec = JSON.parse(readFileSync(`${NN_GOLDEN}${model}/spec.json`, 'utf8'));
    const variants = [['sha256_f32', 'F32', false], ['sha256_f16', 'F16', false],
      ['sha256_bf16', 'BF16', false], ['sha256_f32_stripped', 'F32', true]];
    for (const [key, dtype, stripPrefix] of variants) {
      if (!spec[key]) {
        assert.notEqual(key, 'sha256_f32');
        continue;
      }
      const bytes = buildSafetensors(spec, { dtype, stripPrefix });
      if (key === 'sha256_f32') assert.equal(bytes.length, spec.bytes_f32);
      assert.equal(sha256(bytes), spec[key], `${model} ${key}`);
    }
  });

  test(`nn_weights: ${model} golden arrays match inputs.json`, () => {
    const { inputs, golden } = nnGolden(model);
    assert.equal(inputs.batches.length, golden.batches.length);
    golden.batches.forEach((g, b) => {
      const tokens = inputs.batches[b].attention_mask.flat().reduce((a, m) => a + m, 0);
      const h = goldenArray(g.last_hidden_state);
      assert.equal(h.shape[0], tokens);
      assert.equal(h.length, h.shape[0] * h.shape[1]);
      assert.ok(h.every(Number.isFinite));
    });
  });
}
