// Browser test of demos/xgboost/: the page, scored by tetra's wasm in Chromium, must show XGBoost's
// own probabilities. Needs Debian chromium at /usr/bin/chromium (or TETRA_CHROMIUM) and npm
// playwright-core; skipped with a visible message where either is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openBrowser, watchProblems } from './session.js';

const ROOT = new URL('../../', import.meta.url);
const BUNDLE = new URL('models/breast-cancer/1.0.0/', ROOT);
const GOLDEN = new URL('tests/golden/trees/breast_cancer_logistic/', ROOT);
const TOLERANCE = 1e-6;

async function json(url) {
  return JSON.parse(await readFile(url, 'utf8'));
}

async function f32(url) {
  const buf = await readFile(url);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** The shortest decimal that a browser parses back to exactly this float32 (what a person would type). */
function decimal(value) {
  for (let digits = 1; digits <= 9; digits++) {
    const text = String(Number(value.toPrecision(digits)));
    if (Math.fround(Number(text)) === value) return text;
  }
  throw new Error(`no 9-digit decimal for ${value}`);
}

test('demos/xgboost in Chromium matches XGBoost', { timeout: 60_000 }, async (t) => {
  const manifest = await json(new URL('manifest.json', BUNDLE));
  const { examples } = await json(new URL('examples.json', BUNDLE));
  const meta = await json(new URL('meta.json', GOLDEN));
  const rows = await f32(new URL('rows.f32', GOLDEN));
  const preds = await f32(new URL('pred.f32', GOLDEN));

  const session = await openBrowser(t);
  if (!session) return;
  const { browser, url } = session;

  const page = await browser.newPage();
  const problems = watchProblems(page);

  await page.goto(`${url}/demos/xgboost/`);
  await page.waitForSelector('#status[data-state="ready"], #status[data-state="error"]', { timeout: 15_000 });
  const state = await page.getAttribute('#status', 'data-state');
  assert.equal(state, 'ready', `demo did not load: ${await page.textContent('#status')}`);

  const shown = async () => {
    const value = await page.getAttribute('#probability', 'data-value');
    assert.ok(value !== null && value !== '', 'the demo shows no probability');
    return Number(value);
  };

  await t.test('model card shows the verified bundle', async () => {
    assert.equal(await page.textContent('#sha256'), manifest.files['model.json'].sha256);
    assert.match(await page.textContent('#verified'), /verified/);
    const card = await page.textContent('.model-card');
    assert.match(card, new RegExp(`${manifest.version}`));
    assert.match(card, /60 trees/);
    assert.match(card, /1\.7\.4/);
    const cells = await page.$$eval('#metrics tbody tr', (trs) => trs.map((tr) => tr.textContent));
    assert.equal(cells.length, 3, 'metrics table rows: ROC AUC, accuracy, log loss');
    const header = await page.textContent('#metrics thead');
    assert.match(header, /Logistic regression/);
    assert.match(header, /Prior/);
  });

  await t.test('the prefilled first example scores like XGBoost', async () => {
    const p = await shown();
    assert.ok(Math.abs(p - examples[0].xgboost_probability) <= TOLERANCE,
      `first example: demo ${p}, XGBoost ${examples[0].xgboost_probability}`);
  });

  await t.test('every bundled example matches XGBoost', async () => {
    for (const [i, e] of examples.entries()) {
      await page.selectOption('#example', String(i));
      const p = await shown();
      assert.ok(Math.abs(p - e.xgboost_probability) <= TOLERANCE,
        `example ${e.id} (row ${e.row}): demo ${p}, XGBoost ${e.xgboost_probability}`);
      const label = await page.textContent('#predicted-label');
      assert.match(label, new RegExp(p >= 0.5 ? 'benign' : 'malignant'));
      const pMal = Number(await page.getAttribute('#probability-malignant', 'data-value'));
      assert.ok(Math.abs(pMal - (1 - p)) <= 1e-12, 'P(malignant) = 1 - P(benign)');
    }
  });

  await t.test('typing a held-out row with missing values, field by field, matches XGBoost', async (st) => {
    const ncols = meta.ncols;
    const used = new Set(examples.map((e) => e.row));
    let row = -1;
    for (let r = 0; r < meta.nrows && row < 0; r++) {
      if (used.has(r)) continue;
      const values = rows.subarray(r * ncols, (r + 1) * ncols);
      if (values.filter(Number.isNaN).length >= 3) row = r;
    }
    assert.ok(row >= 0, 'no golden row with missing values outside the examples');
    const values = Array.from(rows.subarray(row * ncols, (row + 1) * ncols));
    const expected = preds[row];
    st.diagnostic(`golden row ${row}: ${values.filter(Number.isNaN).length} missing, XGBoost P(benign) ${expected}`);

    // Start from a different, complete example so every field really changes.
    await page.selectOption('#example', '0');
    for (const [j, v] of values.entries()) {
      await page.fill(`#f${j}`, Number.isNaN(v) ? '' : decimal(v));
    }
    assert.equal(await page.inputValue('#example'), '__custom__', 'editing marks the values as your own');
    const p = await shown();
    assert.ok(Math.abs(p - expected) <= TOLERANCE, `typed row ${row}: demo ${p}, XGBoost ${expected}`);
    st.diagnostic(`demo ${p}${Math.fround(p) === expected ? ' (same float32 as XGBoost)' : ''}`);

    // An unparseable entry is reported instead of being scored as missing.
    await page.fill('#f0', '12,5');
    assert.equal(await page.getAttribute('#probability', 'data-value'), '');
    assert.match(await page.textContent('#form-message'), /Not a number: mean radius/);
    await page.fill('#f0', Number.isNaN(values[0]) ? '' : decimal(values[0]));
    assert.ok(Math.abs((await shown()) - expected) <= TOLERANCE);
  });

  await t.test('no console errors or failed requests', () => {
    assert.deepEqual(problems, []);
  });

  await t.test('a model that fails its SHA-256 check shows an error, not a blank page', async () => {
    const bad = await browser.newPage();
    try {
      await bad.route('**/models/breast-cancer/1.0.0/model.json', async (route) => {
        const response = await route.fetch();
        const body = await response.body();
        body[body.length >> 1] ^= 1; // one flipped bit
        await route.fulfill({ response, body });
      });
      bad.on('console', () => {}); // the demo logs the error; expected here
      await bad.goto(`${url}/demos/xgboost/`);
      await bad.waitForSelector('#status[data-state="error"]', { timeout: 15_000 });
      const text = await bad.textContent('#status');
      assert.match(text, /does not match its manifest/);
      assert.ok(await bad.isVisible('#status'));
    } finally {
      await bad.close();
    }
  });
});
