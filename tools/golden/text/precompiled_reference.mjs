// Helper of make_precompiled_golden.py: reads {charsmaps: {name: base64}, strings: [...]} on stdin
// and prints, for every charsmap and string, what the Rust tokenizers library (npm
// @anush008/tokenizers, tokenizers 0.22) makes of it with a Precompiled normalizer: the normalized
// text and, per normalized character, its offsets in the input (code points) — from a tokenizer
// whose pre-tokenizer cuts the text into single characters and whose model gives one token each.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const T = require('@anush008/tokenizers');

const input = JSON.parse(readFileSync(0, 'utf8'));
const out = {};
for (const [name, b64] of Object.entries(input.charsmaps)) {
  const normalizer = T.precompiled([...Buffer.from(b64, 'base64')]);
  const tok = T.Tokenizer.fromString(JSON.stringify({
    version: '1.0', truncation: null, padding: null, added_tokens: [],
    normalizer: { type: 'Precompiled', precompiled_charsmap: b64 },
    pre_tokenizer: { type: 'Split', pattern: { String: '' }, behavior: 'Isolated', invert: false },
    post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' },
  }));
  const cases = [];
  for (const s of input.strings[name]) {
    const normalized = normalizer.normalizeString(s);
    const enc = await tok.encode(s, null, { addSpecialTokens: false });
    const offsets = enc.getOffsets().map(([a, b]) => [a, b]);
    if (offsets.length !== [...normalized].length) throw new Error(`${name}: ${JSON.stringify(s)}: token count`);
    cases.push({ input: s, normalized, offsets });
  }
  out[name] = cases;
}
process.stdout.write(JSON.stringify(out));
