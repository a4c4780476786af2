// Golden output of the Rust `tokenizers` library (npm @anush008/tokenizers, tokenizers 0.22) for
// every pre-tokenizer tetra reads, over a set of hard strings: the pieces' text and their offsets
// in the original string (code points), as PreTokenizer.preTokenizeString reports them.
//
//   node tools/golden/text/make_pretok_golden.mjs
//
// writes tests/golden/text/pretokenizers.json, and tests/golden/text/punctuation.json: every code
// point that the Punctuation pre-tokenizer isolates (HF's is_bert_punc, also BertPreTokenizer's),
// found by running it over "a" + c + "a" for every code point c.
//
// Each pre-tokenizer is given as the JSON object that tokenizer.json carries and loaded through a
// whole tokenizer (a one-token WordLevel model), so the library's own deserializer reads exactly
// what tetra reads. Sequences ending in Split {"String": ""} cut every piece into single
// characters, which exposes the per-character alignments inside pieces (what token offsets use).
//
// Layout: the strings once ("inputs"), then per pre-tokenizer its pieces for each input, flat:
// [text0, start0, end0, text1, start1, end1, ...].
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('@anush008/tokenizers');

const strings = [
  "Hello, world! How's it going?",
  '  leading and  trailing  ',
  'tabs\tand\nnewlines\r\n\u00a0nbsp\u3000ideo\u2028ls\u2029ps\u0085nel\u000bvt\u000cff',
  'Café naïve e\u0301\u0302 a\u0308 Ω\u0301',
  '北京是中国的首都。東京、ソウル どこで生れ。Yes',
  '👨‍👩‍👧‍👦 family 👍🏽ok 🏳️‍🌈',
  'مرحبا بالعالم! שלום, עולם.',
  'a\u0000b\u0007c\u200bd\u200ce\u200df\ufeffg\u00adh\ufffd',
  '12345 ٣٤٥ ½² Ⅻ 1,000.50 ①x9',
  '¿Qué? ¡Sí! «g» „q“ 。、「」 ‹›—–…※',
  "I'm you're they've he'll she'd it's don't ’s ‘q’ o'clock 'S 'LL",
  '$100 + 5% = <tag> ^_^ `c` |p| ~t @u #h',
  '▁already▁there ▁x  ▁',
  ' Καλη αβ abc ԱԲ\u0589 ك\u061cل क\u0953 どこで生れ。ヤー\u30fcYes \u{1FAE8}x ᚠ\u16ebᚢ',
  'x  y   z    ',
  '   ',
  '',
];

const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const LLAMA3 =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const chars = { type: 'Split', pattern: { String: '' }, behavior: 'Isolated', invert: false };
const seq = (...pretokenizers) => ({ type: 'Sequence', pretokenizers });
const behaviors = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

const configs = [
  { type: 'BertPreTokenizer' },
  { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: false },
  seq({ type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }, chars),
  { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
  { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true },
  { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: false },
  { type: 'Metaspace', replacement: '_', add_prefix_space: true },
  seq({ type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }, chars),
  seq({ type: 'WhitespaceSplit' }, { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true }),
  seq({ type: 'WhitespaceSplit' }, { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true }),
  { type: 'Whitespace' },
  { type: 'WhitespaceSplit' },
  ...behaviors.map((behavior) => ({ type: 'Punctuation', behavior })),
  { type: 'Punctuation' },
  { type: 'Digits', individual_digits: true },
  { type: 'Digits', individual_digits: false },
  { type: 'CharDelimiterSplit', delimiter: ' ' },
  { type: 'CharDelimiterSplit', delimiter: '、' },
  ...behaviors.map((behavior) => ({ type: 'Split', pattern: { String: ' ' }, behavior, invert: false })),
  { type: 'Split', pattern: { String: '' }, behavior: 'Removed', invert: false },
  { type: 'Split', pattern: { String: 'l' }, behavior: 'Removed', invert: true },
  { type: 'Split', pattern: { Regex: '\\s+' }, behavior: 'Removed', invert: false },
  { type: 'Split', pattern: { Regex: '\\w+|[^\\w\\s]+' }, behavior: 'MergedWithNext', invert: true },
  { type: 'Split', pattern: { Regex: GPT2 }, behavior: 'Isolated', invert: false },
  seq(
    { type: 'Split', pattern: { Regex: LLAMA3 }, behavior: 'Isolated', invert: false },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
  ),
  seq({ type: 'Punctuation', behavior: 'Isolated' }, { type: 'Whitespace' }, { type: 'Digits', individual_digits: true }),
  { type: 'UnicodeScripts' },
  seq({ type: 'Whitespace' }, { type: 'UnicodeScripts' }),
  seq(),
];

function preTokenizer(config) {
  const json = {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: config, post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' },
  };
  return Tokenizer.fromString(JSON.stringify(json)).getPreTokenizer();
}

const cases = configs.map((config) => {
  const pt = preTokenizer(config);
  return {
    pre_tokenizer: config,
    pieces: strings.map((input) =>
      pt.preTokenizeString(input).flatMap(([text, [start, end]]) => [text, start, end])),
  };
});

const out = (name) => new URL(`../../../tests/golden/text/${name}`, import.meta.url);
writeFileSync(
  out('pretokenizers.json'),
  JSON.stringify({
    generator: 'tools/golden/text/make_pretok_golden.mjs',
    library: '@anush008/tokenizers (tokenizers 0.22)',
    offsets: 'code points of the original string',
    inputs: strings,
    cases,
  }) + '\n',
);

const punctuation = [];
const punct = preTokenizer({ type: 'Punctuation', behavior: 'Isolated' });
for (let base = 0; base < 0x110000; base += 20000) {
  const cps = [];
  let text = '';
  for (let c = base; c < Math.min(base + 20000, 0x110000); c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    cps.push(c);
    text += 'a' + String.fromCodePoint(c) + 'a';
  }
  for (const [, [start, end]] of punct.preTokenizeString(text))
    if (end - start === 1 && start % 3 === 1) punctuation.push(cps[(start - 1) / 3]);
}
writeFileSync(
  out('punctuation.json'),
  JSON.stringify({
    generator: 'tools/golden/text/make_pretok_golden.mjs',
    library: '@anush008/tokenizers (tokenizers 0.22)',
    what: 'code points the Punctuation pre-tokenizer isolates in "a" + c + "a"',
    code_points: punctuation,
  }) + '\n',
);
