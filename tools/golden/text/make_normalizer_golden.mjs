// Golden outputs of every normalizer of the Rust tokenizers library (npm @anush008/tokenizers,
// tokenizers 0.22.2) over a set of hard strings: the normalized text and, for every normalized
// character, the byte range of the input it is aligned to.
//
// How the alignments are read: the binding's Normalizer.normalizeString gives only the text, so
// each normalizer goes into a tokenizer.json whose pre-tokenizer isolates every character
// (Split on [\s\S]) and whose model is a WordLevel with only [UNK]: one token per normalized
// character, and the token offsets (code points of the input) are that character's alignment.
// They are written as UTF-8 byte offsets, what tetra's tt_nstr keeps.
//
// Usage: node tools/golden/text/make_normalizer_golden.mjs > tests/golden/text/normalizers.json
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('@anush008/tokenizers');

const NORMALIZERS = {
  bert_default: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  bert_cased: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false },
  bert_strip_only: { type: 'BertNormalizer', clean_text: false, handle_chinese_chars: false, strip_accents: true, lowercase: false },
  bert_clean_only: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: false, strip_accents: false, lowercase: false },
  nfc: { type: 'NFC' },
  nfd: { type: 'NFD' },
  nfkc: { type: 'NFKC' },
  nfkd: { type: 'NFKD' },
  lowercase: { type: 'Lowercase' },
  strip: { type: 'Strip', strip_left: true, strip_right: true },
  strip_left: { type: 'Strip', strip_left: true, strip_right: false },
  strip_right: { type: 'Strip', strip_left: false, strip_right: true },
  strip_accents: { type: 'StripAccents' },
  nfkd_strip_accents_lower: { type: 'Sequence', normalizers: [{ type: 'NFKD' }, { type: 'StripAccents' }, { type: 'Lowercase' }] },
  replace_string: { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' },
  replace_string_long: { type: 'Replace', pattern: { String: 'ab' }, content: 'XYZ' },
  replace_regex_spaces: { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
  replace_regex_delete: { type: 'Replace', pattern: { Regex: '[aeiou]' }, content: '' },
  prepend: { type: 'Prepend', prepend: '\u2581' },
  llama: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '\u2581' }, { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }] },
  nmt: { type: 'Nmt' },
  byte_level: { type: 'ByteLevel' },
  nfc_lower_strip: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Lowercase' }, { type: 'Strip', strip_left: true, strip_right: true }] },
  // The nmt_nfkc Precompiled charsmap is 300 KB: the golden file names the tokenizer.json it
  // comes from (and which item of its Sequence) instead of copying it.
  sp_unigram_precompiled: { from: 'tests/golden/text/sp-unigram/tokenizer.json', index: 0 },
  sp_unigram_sequence: { from: 'tests/golden/text/sp-unigram/tokenizer.json' },
  bert_then_nfkc: { type: 'Sequence', normalizers: [{ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: true }, { type: 'NFKC' }] },
};

// Hard strings: accents precomposed and combining, CJK, emoji ZWJ sequences, RTL, control and
// zero-width characters, U+FFFD, U+0130, ligatures, full-width forms, Hangul, mixed white space,
// characters newer than the old Unicode tables HF's crates use.
const STRINGS = [
  '',
  '   ',
  'Héllo Wörld',
  'e\u0301 a\u0308\u0304 o\u0316\u0301\u0301',
  'ậ… Cụ thể',
  '野口 No 中文字 a中b',
  'カタカナ ひらがな',
  '👨\u200D👩\u200D👧 hi 🏳\uFE0F\u200D🌈!',
  'שָׁלוֹם مرحبا',
  'a\u0000b\u0007c\u0085d\u200Be\u200Df\uFEFFg\u00ADh',
  'bad\uFFFDbyte',
  'İstanbul İ ǅ ẞ Σ',
  'ﬁnancial ﬃ',
  'ＦＵＬＬ　ｗｉｄｔｈ１２',
  '한국어 \u1100\u1161\u11A8',
  '  a\u00A0b\u3000c\r\nd\te \u2028 ',
  '㍿ ﷺ Å \u0344',
  'ำน\u0e49ำ3ลำ',
  'a\u08D4b\u1DF6c\u0D00d\u0890e\u1AB0f',
  'abab aab \u2581x',
  'AEIOU aeiou',
];

function tokenizerJson(normalizer) {
  return JSON.stringify({
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer,
    pre_tokenizer: { type: 'Split', pattern: { Regex: '[\\s\\S]' }, behavior: 'Isolated', invert: false },
    post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' },
  });
}

// Code point index -> UTF-8 byte offset in s.
function byteOffsets(s) {
  const out = [0];
  let b = 0;
  for (const ch of s) {
    b += Buffer.byteLength(ch, 'utf8');
    out.push(b);
  }
  return out;
}

const root = new URL('../../../', import.meta.url);
function resolve(spec) {
  if (!spec.from) return spec;
  const n = JSON.parse(readFileSync(new URL(spec.from, root), 'utf8')).normalizer;
  return spec.index === undefined ? n : n.normalizers[spec.index];
}

const cases = [];
for (const [name, spec] of Object.entries(NORMALIZERS)) {
  const normalizer = resolve(spec);
  const tok = Tokenizer.fromString(tokenizerJson(normalizer));
  const results = [];
  for (const input of STRINGS) {
    const normalized = tok.getNormalizer().normalizeString(input);
    const enc = await tok.encode(input, null, { addSpecialTokens: false });
    const offs = enc.getOffsets();
    const nChars = [...normalized].length;
    if (offs.length !== nChars) {
      throw new Error(`${name} on ${JSON.stringify(input)}: ${offs.length} tokens for ${nChars} chars`);
    }
    const toByte = byteOffsets(input);
    const flat = [];
    for (const [s, e] of offs) flat.push(toByte[s], toByte[e]);
    results.push({ input, normalized, offsets: flat });
  }
  if (spec.from) {
    cases.push({ name, normalizer_from: spec.from, normalizer_index: spec.index ?? -1, results });
  } else {
    cases.push({ name, normalizer, results });
  }
}

process.stdout.write(JSON.stringify({
  generator: 'tools/golden/text/make_normalizer_golden.mjs',
  reference: '@anush008/tokenizers (tokenizers 0.22.2)',
  note: 'offsets: for each normalized character, start and end byte offsets into input',
  cases,
}) + '\n');
