// The Tokenizer in headless Chromium: the hard strings (tests/js/hard_strings.js) encoded and
// decoded in a page give exactly what the same code gives in Node (ids, offsets, type ids, word
// ids, batch padding), and errors arrive as TetraError. Uses the SentencePiece-style tokenizers of
// tests/golden/text/, so it needs no ../shared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

import { init, Tokenizer } from '../../js/index.js';
import { ROOT } from '../js/helpers.js';
import { HARD_STRINGS } from '../js/hard_strings.js';
import { openBrowser, watchProblems } from './session.js';

const NAMES = ['sp-unigram', 'sp-bpe'];

test('Tokenizer in Chromium equals Tokenizer in Node', { timeout: 180_000 }, async (t) => {
  const present = NAMES.filter((n) => existsSync(`${ROOT}tests/golden/text/${n}/tokenizer.json`));
  if (!present.length) {
    t.skip('tests/golden/text/sp-*/tokenizer.json are absent');
    return;
  }
  const session = await openBrowser(t);
  if (!session) return;
  await init();
  const page = await session.browser.newPage();
  const problems = watchProblems(page);
  const texts = HARD_STRINGS.map(([, s]) => s);
  const plain = (e) => ({ ids: Array.from(e.ids), offsets: Array.from(e.offsets), typeIds: Array.from(e.typeIds), wordIds: Array.from(e.wordIds) });
  for (const name of present) {
    await page.goto(`${session.url}/tests/browser/pages/tokenizer.html?tokenizer=${name}`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 120_000 });
    const result = await page.evaluate(() => window.result);
    assert.equal(result.error, undefined, result.error);
    const tok = Tokenizer.fromJSON(readFileSync(`${ROOT}tests/golden/text/${name}/tokenizer.json`));
    try {
      texts.forEach((s, i) => {
        const want = plain(tok.encode(s));
        assert.deepEqual(result.single[i], want, `${name}: ${HARD_STRINGS[i][0]}`);
        assert.equal(result.decoded[i], tok.decode(want.ids), `${name}: decode of ${HARD_STRINGS[i][0]}`);
      });
      const batch = tok.encodeBatch(texts, { padding: true }).map(plain);
      assert.deepEqual(result.batch, batch, `${name}: padded batch`);
    } finally {
      tok.free();
    }
    assert.equal(result.failure?.name, 'TetraError');
    assert.equal(result.failure?.code, 'TETRA_ERR_INVALID_ARGUMENT');
  }
  assert.deepEqual(problems, []);
});
