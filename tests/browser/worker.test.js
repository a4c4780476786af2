// The Web Worker host in headless Chromium: a golden model scored on a worker thread gives
// XGBoost's margins bit for bit, and errors cross the thread boundary with their code.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { golden } from '../js/helpers.js';
import { openBrowser, watchProblems } from './session.js';

test('web/worker.js scores golden models off the main thread', { timeout: 60000 }, async (t) => {
  const session = await openBrowser(t);
  if (!session) return;
  const page = await session.browser.newPage();
  const problems = watchProblems(page);
  for (const name of ['digits_softprob', 'categorical', 'breast_cancer_dart']) {
    await page.goto(`${session.url}/tests/browser/pages/worker.html?model=${name}`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 20000 });
    const result = await page.evaluate(() => window.result);
    assert.equal(result.error, undefined, result.error);
    const g = golden(name);
    assert.equal(result.numFeatures, g.meta.ncols);
    const got = Float32Array.from(result.margin);
    assert.equal(got.length, g.margin.length);
    for (let i = 0; i < got.length; i++) assert.ok(Object.is(got[i], g.margin[i]), `${name}: margin[${i}] ${got[i]} vs ${g.margin[i]}`);
    assert.equal(result.failure.code, 'TETRA_ERR_INVALID_ARGUMENT');
    assert.match(result.failure.message, /not a whole number of rows/);
  }
  assert.deepEqual(problems, []);
});
