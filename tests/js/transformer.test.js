// Transformer (js/transformer.js) against the PyTorch goldens in tests/golden/nn/<model>/ (made by
// tools/golden/nn/make_encoder_golden.py; weights rebuilt bit for bit by ./nn_weights.js):
// hidden states, pooler, embeddings and logits in fp32; int8 through Transformer.quantize;
// F16/BF16 and prefix-less files; text in through the wasm tokenizer; bad input; a flat heap over
// 10,000 calls; the pipeline() API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

import { init, Transformer, pipeline, TetraError } from '../../js/index.js';
import { getRuntime } from '../../js/wasm.js';
import { buildSafetensors } from './nn_weights.js';
import {
  AGREE_INT8, COS_FP32, COS_INT8, HIDDEN_TOL, LOGIT_TOL, cosine, f32, loadGolden, maskedMaxAbs, maxAbs, realTokens,
} from './nn_checks.js';
import { ROOT } from './helpers.js';

await init({ simd: process.env.TETRA_TEST_SIMD }); // relaxed_simd.test.js re-runs this file with "relaxed"

const NN = `${ROOT}tests/golden/nn/`;

/** The tokenizer.json a golden model was tokenized with, or null (with the reason) when absent. */
async function tokenizerFor(inputs) {
  if (inputs.tokenizer.includes('roberta_tokenizer.mjs')) {
    const dir = `${ROOT}../shared/models/gpt2-tokenizer`;
    if (!existsSync(dir)) return [null, `${dir} is absent`];
    const { buildRobertaTokenizer } = await import('../../tools/golden/nn/roberta_tokenizer.mjs');
    return [JSON.stringify(buildRobertaTokenizer(dir)), null];
  }
  const path = `${ROOT}${inputs.tokenizer}`;
  if (!existsSync(path)) return [null, `${path} is absent`];
  return [readFileSync(path, 'utf8'), null];
}

const MODELS = existsSync(NN) ? readdirSync(NN).filter((d) => existsSync(`${NN}${d}/golden.json`)).sort() : [];
const weightCache = new Map();
function weightsOf(g, options = {}) {
  const key = `${g.name}:${options.dtype ?? 'F32'}:${options.stripPrefix ? 1 : 0}`;
  if (!weightCache.has(key)) weightCache.set(key, buildSafetensors(g.spec, options));
  return weightCache.get(key);
}

test('golden models are present', () => {
  assert.ok(MODELS.length >= 5, `tests/golden/nn has ${MODELS.length} models: ${MODELS.join(', ')}`);
});

/** The outputs a golden batch carries and run() names. */
function outputsFor(model) {
  const outputs = ['lastHiddenState'];
  if (model.hasPooler) outputs.push('poolerOutput');
  if (model.head !== 'none') outputs.push('logits');
  return outputs;
}

/** Checks the batches (ids from the golden inputs) of one model; returns the worst errors. */
function checkBatches(t, g, model) {
  const worst = { hidden: 0, pooler: 0, logits: 0, cos: 1 };
  g.inputs.batches.forEach((b, k) => {
    const want = g.golden.batches[k];
    const mask = b.attention_mask.flat();
    const r = model.run({ inputIds: b.input_ids, attentionMask: b.attention_mask, tokenTypeIds: b.token_type_ids }, { outputs: outputsFor(model) });
    worst.hidden = Math.max(worst.hidden, maskedMaxAbs(r.lastHiddenState, f32(want.last_hidden_state), mask, model.hiddenSize));
    if (want.pooler_output) worst.pooler = Math.max(worst.pooler, maxAbs(r.poolerOutput, f32(want.pooler_output)));
    if (want.logits) {
      worst.logits = Math.max(worst.logits, model.head === 'token'
        ? maskedMaxAbs(r.logits, f32(want.logits), mask, model.numLabels)
        : maxAbs(r.logits, f32(want.logits)));
    }
    // Pooled embeddings of the batch, each mode.
    for (const [key, pooling, normalize] of [['embeddings_mean', 'mean', false], ['embeddings_cls', 'cls', false],
      ['embeddings_max', 'max', false], ['embeddings_mean_sqrt_len', 'mean_sqrt_len', false],
      ['embeddings_mean_normalized', 'mean', true]]) {
      if (!want[key]) continue;
      const e = model.run({ inputIds: b.input_ids, attentionMask: b.attention_mask, tokenTypeIds: b.token_type_ids }, { outputs: ['embeddings'], pooling, normalize }).embeddings;
      const w = f32(want[key]);
      const H = model.hiddenSize;
      for (let i = 0; i < b.batch; i++) worst.cos = Math.min(worst.cos, cosine(e.subarray(i * H, (i + 1) * H), w.subarray(i * H, (i + 1) * H)));
      assert.ok(maxAbs(e, w) <= HIDDEN_TOL * 10, `${g.name} ${b.name}: ${key} differs by ${maxAbs(e, w)}`);
    }
  });
  t.diagnostic(`${g.name}: hidden max abs ${worst.hidden.toExponential(2)}, pooler ${worst.pooler.toExponential(2)}, logits ${worst.logits.toExponential(2)}, embedding cosine min ${worst.cos.toFixed(7)}`);
  return worst;
}

for (const name of MODELS) {
  test(`${name}: fp32 matches PyTorch (hidden states, pooler, embeddings, logits; text through the wasm tokenizer)`, async (t) => {
    const g = loadGolden(name);
    const [tokenizer, why] = await tokenizerFor(g.inputs);
    const model = Transformer.fromHF({ config: g.configText, weights: weightsOf(g), tokenizer, precision: 'fp32' });
    try {
      assert.equal(model.precision, 'fp32');
      const worst = checkBatches(t, g, model);
      assert.ok(worst.hidden <= HIDDEN_TOL, `${name}: hidden max abs error ${worst.hidden} > ${HIDDEN_TOL}`);
      assert.ok(worst.pooler <= HIDDEN_TOL, `${name}: pooler max abs error ${worst.pooler}`);
      assert.ok(worst.logits <= LOGIT_TOL, `${name}: logits max abs error ${worst.logits}`);
      assert.ok(worst.cos >= COS_FP32, `${name}: embedding cosine ${worst.cos} < ${COS_FP32}`);

      if (!tokenizer) {
        t.diagnostic(`${name}: text checks skipped: ${why}`);
        return;
      }
      // The same sets through text: our tokenizer's ids must be the goldens', then the outputs.
      for (const [sname, set] of Object.entries(g.inputs.sets)) {
        const encs = model.tokenize(set.texts);
        encs.forEach((e, i) => assert.deepEqual(Array.from(e.ids), set.input_ids[i], `${name}: ${sname}[${i}] token ids`));
        const gs = g.golden.sets[sname];
        if (gs.embeddings_mean_normalized) {
          const emb = model.embed(set.texts, { pooling: 'mean', normalize: true, batchSize: 7 });
          const want = f32(gs.embeddings_mean_normalized);
          const H = model.hiddenSize;
          let cos = 1;
          emb.forEach((e, i) => { cos = Math.min(cos, cosine(e, want.subarray(i * H, (i + 1) * H))); });
          t.diagnostic(`${name}: ${set.texts.length} texts embedded, cosine min ${cos.toFixed(7)}`);
          assert.ok(cos >= COS_FP32, `${name}: text embedding cosine ${cos}`);
        }
        if (gs.logits && model.head === 'sequence') {
          const logits = model.logits(set.texts, { batchSize: 16 });
          const want = f32(gs.logits);
          const L = model.numLabels;
          let d = 0;
          logits.forEach((l, i) => { d = Math.max(d, maxAbs(l, want.subarray(i * L, (i + 1) * L))); });
          const top = model.classify(set.texts);
          const agree = top.filter((r, i) => r[0].label === model.labels[gs.argmax[i]]).length;
          t.diagnostic(`${name}: ${set.texts.length} texts classified, logits max abs ${d.toExponential(2)}, argmax agreement ${agree}/${top.length}`);
          assert.ok(d <= LOGIT_TOL, `${name}: text logits differ by ${d}`);
          assert.equal(agree, top.length);
          // Scores: softmax, or sigmoid for multi-label, as the golden's.
          const scores = f32(gs.scores);
          const all = model.classify(set.texts.slice(0, 5), { topK: null });
          all.forEach((r, i) => {
            for (const { label, score } of r) assert.ok(Math.abs(score - scores[i * L + model.labels.indexOf(label)]) <= 1e-5, `${name}: score of ${label}`);
          });
        }
        if (gs.logits && model.head === 'token') {
          const logits = model.logits(set.texts, { batchSize: 16 });
          const want = f32(gs.logits);
          const flat = new Float32Array(want.length);
          let at = 0;
          logits.forEach((l) => { flat.set(l, at); at += l.length; });
          assert.equal(at, want.length, `${name}: token logits count`);
          const d = maxAbs(flat, want);
          t.diagnostic(`${name}: token logits of ${set.texts.length} texts, max abs ${d.toExponential(2)}`);
          assert.ok(d <= LOGIT_TOL, `${name}: token logits differ by ${d}`);
        }
      }
    } finally {
      model.free();
    }
  });

  test(`${name}: int8 (Transformer.quantize) keeps embeddings (cosine >= ${COS_INT8}) and labels (>= ${AGREE_INT8 * 100}%)`, async (t) => {
    const g = loadGolden(name);
    const weights = weightsOf(g);
    const int8 = Transformer.quantize({ config: g.configText, weights });
    assert.ok(int8.length < weights.length, 'the int8 file is smaller');
    const model = Transformer.fromHF({ config: g.configText, weights: int8 });
    // fromHF quantizing at load gives the same model, bit for bit.
    const atLoad = Transformer.fromHF({ config: JSON.parse(g.configText), weights, precision: 'int8' });
    try {
      assert.equal(model.precision, 'int8');
      assert.equal(atLoad.precision, 'int8');
      assert.throws(() => Transformer.fromHF({ config: g.configText, weights: int8, precision: 'fp32' }), TetraError);
      let cos = 1;
      let cosMeasured = false;
      let hiddenCos = 1;
      let agree = 0;
      let rows = 0;
      let decisionsSame = 0; // multi-label: every (input, label) decision, logit > 0
      let decisions = 0;
      g.inputs.batches.forEach((b, k) => {
        const inputs = { inputIds: b.input_ids, attentionMask: b.attention_mask, tokenTypeIds: b.token_type_ids };
        const a = model.forward(inputs);
        assert.deepEqual(atLoad.forward(inputs), a, `${name}: quantized file and quantize-at-load differ`);
        const want = g.golden.batches[k];
        const H = model.hiddenSize;
        const hw = f32(want.last_hidden_state);
        const real = realTokens(a, b.attention_mask.flat(), H);
        for (let r = 0; r < hw.length / H; r++) hiddenCos = Math.min(hiddenCos, cosine(real.subarray(r * H, (r + 1) * H), hw.subarray(r * H, (r + 1) * H)));
        if (want.embeddings_mean_normalized) {
          const e = model.run(inputs, { outputs: ['embeddings'], pooling: 'mean', normalize: true }).embeddings;
          const w = f32(want.embeddings_mean_normalized);
          for (let i = 0; i < b.batch; i++) cos = Math.min(cos, cosine(e.subarray(i * H, (i + 1) * H), w.subarray(i * H, (i + 1) * H)));
          cosMeasured = true;
        }
      });
      for (const [sname, set] of Object.entries(g.inputs.sets)) {
        const gs = g.golden.sets[sname];
        const L = model.numLabels;
        for (let start = 0; start < set.input_ids.length; start += 20) {
          const part = set.input_ids.slice(start, start + 20);
          const S = Math.max(...part.map((x) => x.length));
          const ids = part.map((x) => [...x, ...new Array(S - x.length).fill(g.inputs.pad_token_id)]);
          const mask = part.map((x) => [...x.map(() => 1), ...new Array(S - x.length).fill(0)]);
          const types = set.token_type_ids.slice(start, start + 20).map((x) => [...x, ...new Array(S - x.length).fill(0)]);
          const inputs = { inputIds: ids, attentionMask: mask, tokenTypeIds: types };
          if (gs.embeddings_mean_normalized) {
            const e = model.run(inputs, { outputs: ['embeddings'], pooling: 'mean', normalize: true }).embeddings;
            const H = model.hiddenSize;
            const w = f32(gs.embeddings_mean_normalized);
            part.forEach((_, i) => { cos = Math.min(cos, cosine(e.subarray(i * H, (i + 1) * H), w.subarray((start + i) * H, (start + i + 1) * H))); });
          }
          if (gs.argmax && model.head === 'sequence') {
            const logits = model.run(inputs, { outputs: ['logits'] }).logits;
            const wantLogits = f32(gs.logits);
            part.forEach((_, i) => {
              let best = 0;
              for (let l = 1; l < L; l++) if (logits[i * L + l] > logits[i * L + best]) best = l;
              agree += best === gs.argmax[start + i] ? 1 : 0;
              rows++;
              if (!model.multiLabel) return;
              for (let l = 0; l < L; l++, decisions++) decisionsSame += (logits[i * L + l] > 0) === (wantLogits[(start + i) * L + l] > 0) ? 1 : 0;
            });
          }
          if (gs.argmax && model.head === 'token') {
            const logits = model.run(inputs, { outputs: ['logits'] }).logits;
            // golden argmax is per real token, concatenated over the texts
            let at = gs.lengths.slice(0, start).reduce((x, y) => x + y, 0);
            part.forEach((x, i) => {
              for (let s = 0; s < x.length; s++, at++) {
                const from = (i * S + s) * L;
                let best = 0;
                for (let l = 1; l < L; l++) if (logits[from + l] > logits[from + best]) best = l;
                agree += best === gs.argmax[at] ? 1 : 0;
                rows++;
              }
            });
          }
        }
      }
      t.diagnostic(`${name}: int8 file ${(int8.length / 1e6).toFixed(2)} MB (fp32 ${(weights.length / 1e6).toFixed(2)} MB); hidden-state cosine per token min ${hiddenCos.toFixed(5)}; embedding cosine min ${cosMeasured ? cos.toFixed(5) : '-'}; argmax agreement ${rows ? `${agree}/${rows} (${(100 * agree / rows).toFixed(1)}%)` : '-'}${decisions ? `; multi-label decisions ${decisionsSame}/${decisions}` : ''}`);
      assert.ok(cos >= COS_INT8, `${name}: int8 embedding cosine ${cos}`);
      if (rows) assert.ok(agree / rows >= AGREE_INT8, `${name}: int8 argmax agreement ${agree}/${rows}`);
      if (decisions) assert.ok(decisionsSame / decisions >= AGREE_INT8, `${name}: int8 multi-label decisions ${decisionsSame}/${decisions}`);
    } finally {
      model.free();
      atLoad.free();
    }
  });
}

test('F16 and BF16 files and names without the architecture prefix load and agree with F32', (t) => {
  for (const name of MODELS) {
    const g = loadGolden(name);
    if (g.spec.bytes_f32 > 64 << 20) continue; // the large model is covered in F32
    const b = g.inputs.batches[0];
    const inputs = { inputIds: b.input_ids, attentionMask: b.attention_mask, tokenTypeIds: b.token_type_ids };
    const want = f32(g.golden.batches[0].last_hidden_state);
    const mask = b.attention_mask.flat();
    const variants = [{ dtype: 'F16' }, { dtype: 'BF16' }];
    if (g.spec.prefix) variants.push({ dtype: 'F32', stripPrefix: true });
    for (const v of variants) {
      const model = Transformer.fromHF({ config: g.configText, weights: weightsOf(g, v) });
      try {
        const h = model.forward(inputs);
        const d = maskedMaxAbs(h, want, mask, model.hiddenSize);
        const tol = v.dtype === 'F32' ? HIDDEN_TOL : v.dtype === 'F16' ? 0.05 : 0.3;
        t.diagnostic(`${name} ${v.dtype}${v.stripPrefix ? ' (no prefix)' : ''}: hidden max abs vs the F32 golden ${d.toExponential(2)}`);
        assert.ok(d <= tol, `${name} ${JSON.stringify(v)}: ${d}`);
      } finally {
        model.free();
      }
    }
  }
});

// ---- bad input ---------------------------------------------------------------------------------

function smallGolden() {
  return loadGolden(MODELS.includes('bert-multilabel') ? 'bert-multilabel' : MODELS[0]);
}

function throwsWith(fn, code, pattern, what) {
  let error = null;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${what}: no error`);
  assert.ok(error instanceof TetraError, `${what}: ${error}`);
  if (code) assert.equal(error.code, code, `${what}: ${error.message}`);
  assert.match(error.message, pattern, `${what}: the message names the culprit`);
  return error;
}

test('a config that does not match the tensors, or a broken file, is refused with the tensor, field or byte named', (t) => {
  const g = smallGolden();
  const config = JSON.parse(g.configText);
  const weights = weightsOf(g);
  const load = (c, w = weights) => Transformer.fromHF({ config: c, weights: w });
  const messages = [];
  // wrong shape: the config's hidden size disagrees with every tensor
  messages.push(throwsWith(() => load({ ...config, hidden_size: config.hidden_size * 2, num_attention_heads: config.num_attention_heads }), null, /embeddings|weight|shape/, 'hidden_size').message);
  // intermediate size: names a layer's intermediate tensor
  messages.push(throwsWith(() => load({ ...config, intermediate_size: config.intermediate_size + 1 }), null, /intermediate|shape/, 'intermediate_size').message);
  // a missing tensor
  const dropped = g.spec.tensors.find((x) => x.name.endsWith('encoder.layer.1.attention.self.key.weight'));
  const missing = buildSafetensors({ ...g.spec, tensors: g.spec.tensors.filter((x) => x !== dropped) });
  messages.push(throwsWith(() => load(config, missing), null, /layer\.1\.attention\.self\.key/, 'missing tensor').message);
  // unknown model_type, unsupported activation
  messages.push(throwsWith(() => load({ ...config, model_type: 'gpt2' }), null, /model_type/, 'model_type').message);
  messages.push(throwsWith(() => load({ ...config, hidden_act: 'swish' }), null, /hidden_act|swish/, 'hidden_act').message);
  // truncated and corrupted files
  messages.push(throwsWith(() => load(config, weights.subarray(0, weights.length - 1000)), null, /safetensors|data|offset|truncat|bytes/i, 'truncated').message);
  messages.push(throwsWith(() => load(config, weights.subarray(0, 6)), null, /safetensors|header|bytes|truncat/i, 'header cut').message);
  const bad = weights.slice();
  bad[0] = 0xff; bad[1] = 0xff; bad[2] = 0xff; bad[3] = 0x7f;
  messages.push(throwsWith(() => load(config, bad), null, /header|length|safetensors/i, 'header length').message);
  // config syntax
  throwsWith(() => load('{"model_type": "bert",'), 'TETRA_ERR_PARSE', /config/, 'config syntax');
  for (const m of messages) t.diagnostic(m);
});

test('ids out of range and sequences that are too long are errors naming the position or limit, and the model stays usable', (t) => {
  const g = smallGolden();
  const model = Transformer.fromHF({ config: g.configText, weights: weightsOf(g) });
  try {
    const b = g.inputs.batches[0];
    const inputs = { inputIds: b.input_ids, attentionMask: b.attention_mask, tokenTypeIds: b.token_type_ids };
    const before = model.forward(inputs);
    const ids = b.input_ids.map((r) => r.slice());
    ids[1][3] = model.vocabSize;
    const e1 = throwsWith(() => model.forward({ ...inputs, inputIds: ids }), null, new RegExp(`${model.vocabSize}|vocab`), 'id out of range');
    const ids2 = b.input_ids.map((r) => r.slice());
    ids2[0][2] = -5;
    throwsWith(() => model.forward({ ...inputs, inputIds: ids2 }), null, /-5|range|vocab/, 'negative id');
    const types = b.token_type_ids.map((r) => r.slice());
    types[0][1] = 7;
    throwsWith(() => model.forward({ ...inputs, tokenTypeIds: types }), null, /type/, 'token type out of range');
    const S = model.maxPositions + 1;
    const e2 = throwsWith(() => model.forward({ inputIds: new Int32Array(S).fill(101) }, { batch: 1, seqLen: S }), null, new RegExp(`${model.maxPositions}`), 'too long');
    throwsWith(() => model.forward({ inputIds: new Int32Array(5) }, { batch: 2, seqLen: 3 }), 'TETRA_ERR_INVALID_ARGUMENT', /inputIds has 5 values/, 'wrong length');
    throwsWith(() => model.forward({ inputIds: [1.5, 2] }), 'TETRA_ERR_INVALID_ARGUMENT', /inputIds\[0\] = 1.5/, 'not an integer');
    t.diagnostic(e1.message);
    t.diagnostic(e2.message);
    assert.deepEqual(model.forward(inputs), before, 'the model gives the same result after the failed calls');
    // Text longer than the model allows is truncated to its limit, not refused.
    if (model.tokenizer || true) {
      const [tokText] = [readTokenizer(g)];
      if (tokText) {
        const m2 = Transformer.fromHF({ config: g.configText, weights: weightsOf(g), tokenizer: tokText, maxLength: 64 });
        try {
          const long = 'word '.repeat(5000);
          assert.equal(m2.tokenize([long])[0].length, 64);
          assert.equal(m2.embed(long).length, m2.hiddenSize);
          const full = Transformer.fromHF({ config: g.configText, weights: weightsOf(g), tokenizer: tokText });
          try {
            assert.equal(full.tokenize([long])[0].length, full.maxPositions);
            assert.equal(full.embed([long, 'short'])[0].length, full.hiddenSize);
          } finally {
            full.free();
          }
        } finally {
          m2.free();
        }
      }
    }
  } finally {
    model.free();
  }
});

function readTokenizer(g) {
  const path = `${ROOT}${g.inputs.tokenizer}`;
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

test('misuse from JavaScript: bad options, heads the model lacks, use after free', () => {
  const g = smallGolden();
  assert.throws(() => Transformer.fromHF({ config: g.configText, weights: weightsOf(g), precision: 'int4' }), /precision/);
  assert.throws(() => Transformer.fromHF({ config: g.configText, weights: 'model.safetensors' }), /weights/);
  assert.throws(() => Transformer.fromHF({ config: g.configText, weights: weightsOf(g), pooling: 'median' }), /pooling/);
  assert.throws(() => Transformer.fromHF({ config: g.configText, weights: weightsOf(g), pooling: { pooling_mode_lasttoken: true } }), /pooling_mode_lasttoken/);
  const model = Transformer.fromHF({ config: g.configText, weights: weightsOf(g) });
  assert.throws(() => model.embed('no tokenizer'), /tokenizer/);
  assert.throws(() => model.classifyTokens(['x']), /token-classification head/);
  model.free();
  model.free();
  assert.equal(model.freed, true);
  assert.throws(() => model.forward({ inputIds: [101, 102] }), /freed/);
});

test('weights checked against an expected SHA-256 (hex or SRI); model.sha256 is the file\'s', () => {
  const g = smallGolden();
  const weights = weightsOf(g);
  const want = createHash('sha256').update(weights).digest();
  assert.equal(want.toString('hex'), g.spec.sha256_f32, 'the rebuilt weights are the golden file');

  const lazy = Transformer.fromHF({ config: g.configText, weights });
  assert.equal(lazy.sha256, want.toString('hex'), 'computed on first use from the model\'s copy');
  const out = lazy.forward({ inputIds: [101, 102] });
  assert.equal(lazy.sha256, want.toString('hex'), 'unchanged by a forward pass');
  lazy.free();
  assert.throws(() => lazy.sha256, /freed/);

  for (const sha256 of [want.toString('hex').toUpperCase(), `sha256-${want.toString('base64')}`]) {
    const m = Transformer.fromHF({ config: g.configText, weights, sha256 });
    assert.equal(m.sha256, want.toString('hex'));
    assert.deepEqual(m.forward({ inputIds: [101, 102] }), out);
    m.free();
  }
  const heap = getRuntime().memory.buffer.byteLength; // after loads of this size: room for another
  const wrong = `${want.toString('hex').slice(0, 63)}${want.toString('hex')[63] === '0' ? '1' : '0'}`;
  throwsWith(() => Transformer.fromHF({ config: g.configText, weights, sha256: wrong }), 'TETRA_ERR_INTEGRITY',
    new RegExp(`Transformer\\.fromHF: the weights' SHA-256 is ${want.toString('hex')}, expected ${wrong}`), 'a wrong digest');
  throwsWith(() => Transformer.fromHF({ config: g.configText, weights, sha256: 'abc' }), 'TETRA_ERR_INVALID_ARGUMENT',
    /Transformer\.fromHF: sha256 should be 64 hex digits or "sha256-<base64>", not "abc"/, 'a malformed digest');
  // A refused load keeps nothing: the heap did not grow, and the next load still fits in it.
  assert.equal(getRuntime().memory.buffer.byteLength, heap);
  const again = Transformer.fromHF({ config: g.configText, weights, sha256: want.toString('hex') });
  assert.deepEqual(again.forward({ inputIds: [101, 102] }), out);
  again.free();
  assert.equal(getRuntime().memory.buffer.byteLength, heap);
});

test('sentence-transformers pooling configs: 1_Pooling/config.json objects and concatenated modes', (t) => {
  const name = MODELS.includes('minilm') ? 'minilm' : MODELS[0];
  const g = loadGolden(name);
  const b = g.inputs.batches[0];
  const inputs = { inputIds: b.input_ids, attentionMask: b.attention_mask, tokenTypeIds: b.token_type_ids };
  const stPath = `${ROOT}../shared/models/all-MiniLM-L6-v2/1_Pooling/config.json`;
  const pooling = existsSync(stPath) ? JSON.parse(readFileSync(stPath, 'utf8'))
    : { word_embedding_dimension: 384, pooling_mode_mean_tokens: true };
  if (!existsSync(stPath)) t.diagnostic(`${stPath} is absent: using an equivalent object`);
  const model = Transformer.fromHF({ config: g.configText, weights: weightsOf(g), pooling, normalize: true });
  try {
    assert.deepEqual([...model.pooling], ['mean']);
    const e = model.run(inputs, { outputs: ['embeddings'] }).embeddings;
    const want = f32(g.golden.batches[0].embeddings_mean_normalized);
    assert.ok(maxAbs(e, want) <= 1e-5);
    // cls + mean concatenated (sentence-transformers' order: cls, max, mean, mean_sqrt_len)
    const both = model.run(inputs, { outputs: ['embeddings'], pooling: { pooling_mode_cls_token: true, pooling_mode_mean_tokens: true }, normalize: false }).embeddings;
    const H = model.hiddenSize;
    const cls = f32(g.golden.batches[0].embeddings_cls);
    const mean = f32(g.golden.batches[0].embeddings_mean);
    assert.equal(both.length, b.batch * 2 * H);
    for (let i = 0; i < b.batch; i++) {
      assert.ok(maxAbs(both.subarray(2 * i * H, (2 * i + 1) * H), cls.subarray(i * H, (i + 1) * H)) <= 1e-4);
      assert.ok(maxAbs(both.subarray((2 * i + 1) * H, (2 * i + 2) * H), mean.subarray(i * H, (i + 1) * H)) <= 1e-4);
    }
    assert.throws(() => Transformer.fromHF({ config: g.configText, weights: weightsOf(g), pooling: { word_embedding_dimension: H + 1, pooling_mode_mean_tokens: true } }), /word_embedding_dimension/);
  } finally {
    model.free();
  }
});

test('10,000 consecutive small calls leave the wasm heap flat', (t) => {
  const g = smallGolden();
  const tokenizer = readTokenizer(g);
  const model = Transformer.fromHF({ config: g.configText, weights: weightsOf(g), tokenizer });
  const memory = getRuntime().memory;
  try {
    const ids = new Int32Array([101, 7592, 2088, 999, 102]);
    const run = (i) => (tokenizer && i % 2 ? model.classify(`call number ${i % 97}`) : model.forward({ inputIds: ids }));
    for (let i = 0; i < 200; i++) run(i); // scratch buffers reach their size
    const before = memory.buffer.byteLength;
    const t0 = performance.now();
    for (let i = 0; i < 10000; i++) run(i);
    const ms = performance.now() - t0;
    t.diagnostic(`10,000 calls in ${ms.toFixed(0)} ms (${(ms / 10).toFixed(1)} µs each); wasm memory ${before} -> ${memory.buffer.byteLength} bytes`);
    assert.equal(memory.buffer.byteLength, before, 'wasm memory grew');
    // and loading/freeing models repeatedly does not leak either
    const w = weightsOf(g);
    Transformer.fromHF({ config: g.configText, weights: w }).free();
    const before2 = memory.buffer.byteLength;
    for (let i = 0; i < 20; i++) Transformer.fromHF({ config: g.configText, weights: w }).free();
    assert.equal(memory.buffer.byteLength, before2, 'load/free cycles grew wasm memory');
  } finally {
    model.free();
  }
});

// ---- pipelines ---------------------------------------------------------------------------------

test("pipeline('feature-extraction') returns transformers.js-shaped tensors", async (t) => {
  const name = MODELS.includes('minilm') ? 'minilm' : null;
  const g = name && loadGolden(name);
  const tokenizer = g && readTokenizer(g);
  if (!tokenizer) {
    t.skip('the MiniLM golden or ../shared/models/all-MiniLM-L6-v2/tokenizer.json is absent');
    return;
  }
  const extractor = await pipeline('feature-extraction', { config: g.configText, weights: weightsOf(g), tokenizer });
  try {
    const texts = g.inputs.batches[0].texts;
    const pooled = await extractor(texts, { pooling: 'mean', normalize: true });
    assert.deepEqual(pooled.dims, [texts.length, 384]);
    const want = f32(g.golden.batches[0].embeddings_mean_normalized);
    let cos = 1;
    for (let i = 0; i < texts.length; i++) cos = Math.min(cos, cosine(pooled.data.subarray(i * 384, (i + 1) * 384), want.subarray(i * 384, (i + 1) * 384)));
    assert.ok(cos >= COS_FP32, `cosine ${cos}`);
    assert.equal(pooled.tolist().length, texts.length);
    const tokens = await extractor(texts.slice(0, 2));
    const S = Math.max(...g.inputs.batches[0].tokens.slice(0, 2).map((x) => x.length));
    assert.deepEqual(tokens.dims, [2, S, 384]);
    const hidden = f32(g.golden.batches[0].last_hidden_state);
    const S0 = g.inputs.batches[0].seq_len;
    // first text's tokens equal the golden's
    assert.ok(maxAbs(tokens.data.subarray(0, 3 * 384), hidden.subarray(0, 3 * 384)) <= HIDDEN_TOL);
    assert.ok(S <= S0);
  } finally {
    await extractor.dispose();
  }
});

test("pipeline('text-classification') and ('token-classification') follow transformers.js' output shapes", async (t) => {
  for (const name of ['distilbert', 'roberta']) {
    if (!MODELS.includes(name)) continue;
    const g = loadGolden(name);
    const [tokenizer, why] = await tokenizerFor(g.inputs);
    if (!tokenizer) {
      t.diagnostic(`${name}: skipped: ${why}`);
      continue;
    }
    const files = { config: g.configText, weights: weightsOf(g), tokenizer };
    const set = Object.values(g.inputs.sets)[0];
    const gs = Object.values(g.golden.sets)[0];
    if (name === 'distilbert') {
      const classifier = await pipeline('text-classification', files);
      try {
        const one = await classifier(set.texts[0]);
        assert.equal(one.length, 1);
        assert.equal(one[0].label, classifier.model.labels[gs.argmax[0]]);
        const many = await classifier(set.texts.slice(0, 4));
        assert.equal(many.length, 4);
        assert.ok(many.every((x) => typeof x.label === 'string' && x.score > 0 && x.score <= 1));
        const top2 = await classifier(set.texts.slice(0, 3), { topK: 2 });
        assert.ok(top2.every((x) => x.length === 2 && x[0].score >= x[1].score));
        const all = await classifier(set.texts[1], { topK: null });
        assert.ok(Math.abs(all.reduce((s, x) => s + x.score, 0) - 1) < 1e-5, 'softmax sums to 1');
      } finally {
        await classifier.dispose();
      }
    } else {
      const ner = await pipeline('token-classification', files);
      const model = ner.model;
      try {
        const L = model.numLabels;
        const text = set.texts[0];
        const logits = f32(gs.logits).subarray(0, gs.lengths[0] * L);
        const enc = model.tokenize([text])[0];
        // aggregation 'none': one entity per non-special token whose argmax is not 'O'
        const none = await ner(text, { aggregationStrategy: 'none' });
        const expected = [];
        for (let i = 0; i < enc.length; i++) {
          if (enc.specialTokensMask[i]) continue;
          let best = 0;
          for (let l = 1; l < L; l++) if (logits[i * L + l] > logits[i * L + best]) best = l;
          if (model.labels[best] !== 'O') expected.push([i, model.labels[best]]);
        }
        assert.deepEqual(none.map((x) => [x.index, x.entity]), expected);
        for (const x of none) assert.ok(x.score > 0 && x.score <= 1 && x.end >= x.start);
        // 'simple': groups of adjacent same-type tokens; word = the text it covers
        for (const strategy of ['simple', 'first', 'average', 'max']) {
          const groups = await ner(text, { aggregationStrategy: strategy });
          for (const x of groups) {
            assert.equal(x.word, text.slice(x.start, x.end));
            assert.ok(model.labels.some((l) => l.slice(2) === x.entityGroup && l !== 'O'), x.entityGroup);
          }
          t.diagnostic(`roberta '${strategy}': ${groups.length} groups, e.g. ${JSON.stringify(groups[0] ?? null)}`);
        }
        const batch = await ner(set.texts.slice(0, 3));
        assert.equal(batch.length, 3);
      } finally {
        await ner.dispose();
      }
    }
  }
});
