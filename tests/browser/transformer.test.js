// Transformer encoders in headless Chromium, in the page's main thread and through web/worker.js in
// a Web Worker, against the PyTorch goldens of tests/golden/nn/ (the limits of
// tests/js/transformer.test.js): MiniLM fp32 (last hidden state, embeddings of the golden ids and
// of text through the real tokenizer) and int8 quantized at load, DistilBERT classification in the
// worker, an error that crosses the thread boundary as TetraError, and no console errors or failed
// requests. The weights are built in Node (tests/js/nn_weights.js) and served to the page from
// memory by a second local server (page.route cannot carry them: Chromium closes when a 90 MB body
// goes through the DevTools protocol); the text checks need ../shared/models/all-MiniLM-L6-v2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import { ROOT } from '../js/helpers.js';
import { buildSafetensors } from '../js/nn_weights.js';
import { COS_FP32, COS_INT8, HIDDEN_TOL, LOGIT_TOL, cosine, f32, loadGolden, maskedMaxAbs, maxAbs } from '../js/nn_checks.js';
import { openBrowser, watchProblems } from './session.js';

const NN = `${ROOT}tests/golden/nn/`;
const TOKENIZER = `${ROOT}../shared/models/all-MiniLM-L6-v2/tokenizer.json`;

/** Smallest cosine between rows of width H of `got` (flat, or one array per row) and `want`. */
function minCosine(got, want, H) {
  const rows = Array.isArray(got[0]) ? got : Array.from({ length: got.length / H }, (_, i) => got.slice(i * H, (i + 1) * H));
  assert.equal(rows.length * H, want.length, 'rows of embeddings');
  let worst = 1;
  rows.forEach((row, i) => { worst = Math.min(worst, cosine(row, want.subarray(i * H, (i + 1) * H))); });
  return worst;
}

function argmaxRows(logits, L) {
  return Array.from({ length: logits.length / L }, (_, i) => {
    let best = 0;
    for (let l = 1; l < L; l++) if (logits[i * L + l] > logits[i * L + best]) best = l;
    return best;
  });
}

/**
 * Serves files from memory on a free port of 127.0.0.1 (with CORS: the page is on the
 * repository server's port); closed after t. Resolves to the base URL.
 */
async function serveFixtures(t, files) {
  const server = createServer((req, res) => {
    const body = files[decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1))];
    const headers = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
    if (!body) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  t.after(() => {
    server.closeAllConnections();
    return new Promise((done) => server.close(done));
  });
  await new Promise((listening) => server.listen(0, '127.0.0.1', listening));
  return `http://127.0.0.1:${server.address().port}`;
}

test('Transformer encoders in a page and in web/worker.js match PyTorch', { timeout: 120_000 }, async (t) => {
  if (!existsSync(`${NN}minilm/golden.json`) || !existsSync(`${NN}distilbert/golden.json`)) {
    t.skip('tests/golden/nn/minilm or distilbert is absent');
    return;
  }
  const session = await openBrowser(t);
  if (!session) return;
  const withTokenizer = existsSync(TOKENIZER);
  if (!withTokenizer) t.diagnostic(`text checks skipped: ${TOKENIZER} is absent (the golden ids are used alone)`);

  const started = performance.now();
  const minilm = loadGolden('minilm');
  const distilbert = loadGolden('distilbert');
  // One build of each file serves the page and the worker (the page caches what it fetches).
  const fixtures = {
    'minilm.safetensors': buildSafetensors(minilm.spec),
    'distilbert.safetensors': buildSafetensors(distilbert.spec),
    'tokenizer.json': withTokenizer ? readFileSync(TOKENIZER) : null,
  };
  t.diagnostic(`weights built in ${(performance.now() - started).toFixed(0)} ms (MiniLM ${(fixtures['minilm.safetensors'].length / 1e6).toFixed(1)} MB)`);

  const page = await session.browser.newPage();
  const problems = watchProblems(page);
  const fixtureUrl = await serveFixtures(t, fixtures);
  await page.goto(`${session.url}/tests/browser/pages/transformer.html`);
  await page.waitForFunction(() => window.ready === true, null, { timeout: 20_000 });
  const check = async (args) => {
    const r = await page.evaluate((a) => window.check(a), { fixtures: fixtureUrl, withTokenizer, ...args });
    t.diagnostic(`${args.name} ${args.precision} in the ${args.where}: load ${r.timings.load.toFixed(0)} ms, golden ids ${r.timings.ids.toFixed(0)} ms, texts ${r.timings.texts.toFixed(0)} ms`);
    return r;
  };

  const H = 384;
  const { batches } = minilm.golden;
  const embedSet = minilm.golden.sets.embed;
  for (const where of ['page', 'worker']) {
    // fp32: the last hidden state and the embeddings within the Node tests' limits.
    const r = await check({ name: 'minilm', where, precision: 'fp32', transfer: true, wants: ['hidden', 'embeddings', 'texts', 'error'] });
    assert.equal(r.info.precision, 'fp32');
    assert.deepEqual([r.info.modelType, r.info.hiddenSize, r.info.vocabSize, r.info.head], ['bert', H, 30522, 'none']);
    // init()'s default takes tetra-relaxed.wasm where the browser has relaxed SIMD (Chromium does
    // since 114), so the goldens below hold for the build browsers actually run.
    t.diagnostic(`minilm fp32 in the ${where}: ${r.simd.build} build (relaxed SIMD available: ${r.simd.relaxedAvailable})`);
    assert.equal(r.simd.build, r.simd.relaxedAvailable ? 'relaxed' : 'base');
    let hidden = 0;
    let cos = 1;
    minilm.inputs.batches.forEach((b, k) => {
      hidden = Math.max(hidden, maskedMaxAbs(r.hidden[k], f32(batches[k].last_hidden_state), b.attention_mask.flat(), H));
      cos = Math.min(cos, minCosine(r.embeddings[k], f32(batches[k].embeddings_mean_normalized), H));
    });
    const textCos = withTokenizer ? minCosine(r.texts, f32(embedSet.embeddings_mean_normalized), H) : null;
    t.diagnostic(`minilm fp32 in the ${where}: hidden max abs ${hidden.toExponential(2)}, embedding cosine min ${cos.toFixed(7)}${withTokenizer ? `, ${r.texts.length} texts cosine min ${textCos.toFixed(7)}` : ''}`);
    assert.ok(hidden <= HIDDEN_TOL, `${where}: hidden max abs error ${hidden} > ${HIDDEN_TOL}`);
    assert.ok(cos >= COS_FP32, `${where}: embedding cosine ${cos} < ${COS_FP32}`);
    if (withTokenizer) assert.ok(textCos >= COS_FP32, `${where}: text embedding cosine ${textCos} < ${COS_FP32}`);
    // The error: a TetraError with its code and the position, on either side of the boundary.
    assert.ok(r.error, `${where}: an id beyond the vocabulary was accepted`);
    assert.deepEqual([r.error.name, r.error.code, r.error.isTetraError], ['TetraError', 'TETRA_ERR_INVALID_ARGUMENT', true], `${where}: ${JSON.stringify(r.error)}`);
    assert.match(r.error.message, /input_ids\[1\]\[3\] = 30522 is outside the vocabulary/);
    assert.equal(r.sameAfterError, true, `${where}: the model gives another result after the failed call`);
    if (where === 'worker') {
      assert.equal(r.weightsAfterLoad, 0, 'transfer: true moves the weights (the sender\'s buffer is detached)');
      assert.match(r.afterFree, /no model with handle/);
    }

    // int8 quantized at load: embeddings within cosine 0.99.
    const q = await check({ name: 'minilm', where, precision: 'int8', wants: ['embeddings', 'texts'] });
    assert.equal(q.info.precision, 'int8');
    let qcos = 1;
    minilm.inputs.batches.forEach((b, k) => { qcos = Math.min(qcos, minCosine(q.embeddings[k], f32(batches[k].embeddings_mean_normalized), H)); });
    if (withTokenizer) qcos = Math.min(qcos, minCosine(q.texts, f32(embedSet.embeddings_mean_normalized), H));
    t.diagnostic(`minilm int8 in the ${where}: embedding cosine min ${qcos.toFixed(5)}`);
    assert.ok(qcos >= COS_INT8, `${where}: int8 embedding cosine ${qcos} < ${COS_INT8}`);
    if (where === 'worker') assert.ok(q.weightsAfterLoad > 0, 'without transfer the weights are copied');
  }

  // A classification model in the worker: logits of the golden ids and labels of the text set.
  const d = await check({ name: 'distilbert', where: 'worker', precision: 'fp32', wants: ['logits', 'classify', 'extras'] });
  const L = d.info.numLabels;
  const config = JSON.parse(readFileSync(`${NN}distilbert/config.json`, 'utf8'));
  assert.deepEqual(d.info.labels, Object.keys(config.id2label).map((k) => config.id2label[k]));
  assert.equal(d.info.head, 'sequence');
  let logitDiff = 0;
  distilbert.golden.batches.forEach((gb, k) => {
    const want = f32(gb.logits);
    logitDiff = Math.max(logitDiff, maxAbs(d.logits[k], want));
    assert.deepEqual(argmaxRows(d.logits[k], L), argmaxRows(want, L), `distilbert batch ${gb.name}: argmax`);
  });
  assert.ok(logitDiff <= LOGIT_TOL, `distilbert: logits differ by ${logitDiff}`);
  if (withTokenizer) {
    const want = distilbert.golden.sets.classify.argmax.map((i) => d.info.labels[i]);
    assert.deepEqual(d.classified, want, 'distilbert: labels of the text set');
    const set = distilbert.inputs.sets.classify;
    assert.deepEqual(d.tokenIds, set.input_ids.slice(0, 3), 'distilbert: tokenize() in the worker');
    const wantLogits = f32(distilbert.golden.sets.classify.logits);
    d.textLogits.forEach((l, i) => { logitDiff = Math.max(logitDiff, maxAbs(l, wantLogits.subarray(i * L, (i + 1) * L))); });
    assert.ok(logitDiff <= LOGIT_TOL, `distilbert: text logits differ by ${logitDiff}`);
    assert.equal(d.tokenError?.code, 'TETRA_ERR_UNSUPPORTED');
    assert.match(d.tokenError.message, /no token-classification head; use classify\(\)/);
  }
  t.diagnostic(`distilbert in the worker: logits max abs ${logitDiff.toExponential(2)}${withTokenizer ? `, ${d.classified.length} texts classified as the golden's argmax` : ''}`);

  await page.evaluate(() => window.finish());
  assert.deepEqual(problems, []);
  t.diagnostic(`whole check ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
