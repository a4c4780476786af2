// Golden output of the Rust `tokenizers` library (npm @anush008/tokenizers, tokenizers 0.22) for
// tetra's Unicode layer (src/text/unicode.c), read by tests/native/test_text_unicode.c:
//
//   node tools/golden/text/make_unicode_golden.mjs > tests/golden/text/unicode.json
//
//  - "normalization": hard strings through a tokenizer whose normalizer is NFD, NFKD, NFC or NFKC
//    and whose pre-tokenizer cuts the normalized text into single characters (Split on ""), with a
//    one-token WordLevel model: each token is one normalized character and its offsets (code
//    points of the input) are the alignment HF's NormalizedString::transform gave it from the
//    change values of unicode-normalization-alignments. The test replays those change values.
//  - "blocks": for every form, an FNV-1a hash per 4096 code points of the library's normalization
//    of each single code point (surrogates skipped), so all 1.1M code points are compared in ~10 KB.
//  - "lowercase": every code point that the Lowercase normalizer (Rust char::to_lowercase)
//    changes, with its mapping; "white_space": every code point WhitespaceSplit splits on
//    (Rust char::is_whitespace).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const T = require('@anush008/tokenizers');

const strings = [
  'Café naïve résumé Ångström Ω Å K',       // precomposed, singletons (U+2126 U+212B U+212A)
  'e\u0301 a\u0308\u0301 o\u0302\u0323 q\u0307\u0323 s\u0323\u0307', // combining sequences, reordering
  '\u1e69\u0316 \u1e0b\u0323 \u01c4\u0327',   // decomposition + reorder: inserted marks travel
  'a\u0301\u0301 a\u0305\u0301 a\u0300\u0315\u0301 \u00e0\u0315\u0301', // blocked compositions
  '한국어 조선말 \u1100\u1161\u11a8 \u1100\u1161 \uac00\u11a8 \u1112\u1161\u11ab\u1100\u1173\u11af', // Hangul
  'ﬁﬂ ﬃ ① ㎏ ½ ² Ⅻ ℌ ｶﾞｷﾞ ﾊﾟ \ufdfa \u3300 \u2474', // compatibility
  '\u0958 \u0915\u093c \u09dc \u2adc \u0f73 \u0f75 \u0f81', // composition exclusions, Tibetan
  '\u0cc6\u0cc2 \u0cc6\u0cc2\u0cd5 \u0b47\u0b3e \u0dd9\u0dcf\u0dca \u1025\u102e', // starter pairs
  '\u03b1\u0313\u0345\u0301 \u1f80 \u0390 \u1fe3 \u03d3 \u2126\u0301', // Greek
  '\u0301start \u0327\u0301x \u0345', // leading non-starters
  'a\u0d3b\u0316 a\u0316\u{1133b} \u{11935}\u{11930} \u{1f16c} \ua7f2 \u{1e2ec}\u0316', // newer than 9.0
  'tab\there\nnewline \u00a0nbsp \u3000 \u2028 \u200d\u200c \ufeff', // spaces and controls
  '👨‍👩‍👧‍👦 🇫🇷 é\u0301\u0301\u0301\u0301\u0301\u0301 x',
  '\u0041\u030a\u0327 \u212b\u0327 \u00c5\u0327', // Å with cedilla: reorder then compose
  '\u1e9b\u0323 \u0344 \u0340\u0341 \u0374 \u037e \u0387', // long s dot, singletons to non-starters
];

function tokenizerJson(normalizer) {
  return JSON.stringify({
    version: '1.0', truncation: null, padding: null, added_tokens: [],
    normalizer,
    pre_tokenizer: { type: 'Split', pattern: { String: '' }, behavior: 'Isolated', invert: false },
    post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' },
  });
}

const cps = (s) => [...s].map((c) => c.codePointAt(0));
const forms = ['NFD', 'NFKD', 'NFC', 'NFKC'];

const normalization = [];
const toks = Object.fromEntries(forms.map((f) => [f, T.Tokenizer.fromString(tokenizerJson({ type: f }))]));
for (const s of strings) {
  const entry = { input: cps(s) };
  for (const f of forms) {
    const enc = await toks[f].encode(s, null, { addSpecialTokens: false });
    // the tokens are all [UNK]: the normalized text comes from the standalone normalizer
    const text = cps(T[f.toLowerCase() + 'Normalizer']().normalizeString(s));
    const offsets = enc.getOffsets();
    if (offsets.length !== text.length) throw new Error(`${f}: ${offsets.length} tokens for ${text.length} chars`);
    entry[f] = { output: text, offsets: offsets.map(([a, b]) => [a, b]) };
  }
  normalization.push(entry);
}

// FNV-1a over 32-bit words, per block of 4096 code points: for each code point, the code point,
// the output length, then the output code points.
function fnvWords(h, words) {
  for (const w of words) {
    for (let k = 0; k < 4; k++) {
      h ^= (w >>> (8 * k)) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h;
}
const blocks = {};
for (const f of forms) {
  const n = T[f.toLowerCase() + 'Normalizer']();
  const hashes = [];
  for (let b = 0; b < 0x110000; b += 0x1000) {
    let h = 0x811c9dc5;
    for (let cp = b; cp < b + 0x1000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const out = cps(n.normalizeString(String.fromCodePoint(cp)));
      h = fnvWords(h, [cp, out.length, ...out]);
    }
    hashes.push(h);
  }
  blocks[f] = hashes;
}

const lower = T.lowercase();
const lowercase = [];
const whiteSpace = [];
const ws = T.whitespaceSplitPreTokenizer();
for (let cp = 0; cp < 0x110000; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const s = String.fromCodePoint(cp);
  const l = lower.normalizeString(s);
  if (l !== s) lowercase.push([cp, ...cps(l)]);
  if (ws.preTokenizeString('a' + s + 'b').length === 2) whiteSpace.push(cp);
}

process.stdout.write(JSON.stringify({
  generator: 'tools/golden/text/make_unicode_golden.mjs',
  library: '@anush008/tokenizers (tokenizers 0.22)',
  offsets: 'code points of the input',
  normalization, blocks, lowercase, white_space: whiteSpace,
}) + '\n');
