// The Web Worker host in headless Chromium: a golden model scored on a worker thread gives
// XGBoost's margins bit for bit, and errors cross the thread boundary with their code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

import { serve } from '../../tools/serve.mjs';
import { golden } from '../js/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run'];

test('web/worker.js scores golden models off the main thread', { timeout: 60000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const { server, url } = await serve({ port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  t.after(async () => {
    await browser.close();
    server.close();
  });
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  for (const name of ['digits_softprob', 'categorical', 'breast_cancer_dart']) {
    await page.goto(`${url}/tests/browser/pages/worker.html?model=${name}`);
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
