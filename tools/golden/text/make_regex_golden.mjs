// Golden matches of Oniguruma (through the Rust `tokenizers` library, npm @anush008/tokenizers,
// tokenizers 0.22, which compiles Split patterns with the onig crate) for the regex engine's test
// (tests/native/test_text_regex.c):
//
//   node tools/golden/text/make_regex_golden.mjs > tests/golden/text/regex.json
//
// The library does not expose its regex, so each pattern is loaded as a Split pre-tokenizer
// {"Regex": pattern} and run twice: behavior "Isolated" yields every match and every gap as a
// piece, "Removed" only the gaps; the pieces of the first that are not in the second are the
// non-empty matches. Empty matches leave no piece, so the test compares non-empty matches only.
// Offsets are converted from code points to UTF-8 bytes. A pattern Onig rejects is recorded with
// "error": true.
//
// Layout (kept small): one entry per pattern in "patterns", {"pattern", "texts", "matches"}, where
// texts[i] is an index into the shared "texts" list, a string of its own (the random texts) or
// null (the classes text, stored once as code point ranges in "classes_text"), and matches[i] the
// byte offsets of its matches, flat: [start0, end0, start1, end1, ...].
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('@anush008/tokenizers');

function splitter(pattern, behavior) {
  const json = {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: { type: 'Split', pattern: { Regex: pattern }, behavior, invert: false },
    post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' },
  };
  return Tokenizer.fromString(JSON.stringify(json)).getPreTokenizer();
}

// Byte offset of every code point index of s (one more entry for the end).
function byteOffsets(s) {
  const out = [0];
  let b = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0);
    b += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    out.push(b);
  }
  return out;
}

function matches(pattern, text) {
  let iso, rem;
  try {
    iso = splitter(pattern, 'Isolated').preTokenizeString(text);
    rem = splitter(pattern, 'Removed').preTokenizeString(text);
  } catch (e) {
    return null;
  }
  const gaps = new Set(rem.map(([, o]) => o.join(',')));
  const off = byteOffsets(text);
  return iso.filter(([, o]) => !gaps.has(o.join(','))).map(([, [a, b]]) => [off[a], off[b]]);
}

const GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
const CL100K = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const O200K = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
// DeepSeek-V3's Sequence of Split pre-tokenizers (tokenizer.json of deepseek-ai/DeepSeek-V3).
const DEEPSEEK = [
  '\\p{N}{1,3}',
  '[一-龥぀-ゟ゠-ヿ]+',
  "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];

const texts = [
  "Hello, world! How's it going? I'm you're they've he'll she'd it's don't",
  "'S 'LL 'Re 'VE 'M 'D 'T 'ſ ’s ‘q’ o'clock ''s '''",
  '  leading and  trailing  ',
  'tabs\tand\nnewlines\r\n\u00a0nbsp\u3000ideo\u2028ls\u2029ps\u0085nel\u000bvt\u000cff',
  'a \n\n b\r\n\r\n  c \t\r\n\t d\n \n',
  '   \n',
  'x   ',
  'Café naïve e\u0301\u0302 a\u0308 Ω\u0301 \u0301\u0301x',
  '北京是中国的首都。東京、ソウル どこで生れ。Yes ひらがなカタカナ한국어',
  '👨‍👩‍👧‍👦 family 👍🏽ok 🏳️‍🌈 ✨✨ x🙂y',
  'مرحبا بالعالم! שלום, עולם. ك\u061cل',
  'a\u0000b\u0007c\u200bd\u200ce\u200df\ufeffg\u00adh\ufffd',
  '12345 ٣٤٥ ½² Ⅻ 1,000.50 ①x9 1234567 a1b22c333',
  '¿Qué? ¡Sí! «g» „q“ 。、「」 ‹›—–…※ ///a//b\n/',
  '$100 + 5% = <tag> ^_^ `c` |p| ~t @u #h',
  '▁already▁there ▁x  ▁',
  'ABCdef DEFGhi jklMNO ǅungla ǄABC ʰmod ƻx',
  'CamelCaseWord HTTPServer iPhone Éclair ÀÉÎ',
  'e\u0301e\u0301e\u0301 \u0915\u094d\u0937 \u0e01\u0e34',
  ' \u00a0\u00a0x\u2003\u2003y \u3000\u3000z',
  '',
  ' ',
  '\n',
  "'",
];

// Real tokenizer patterns run over every text; the feature patterns over a few.
const realPatterns = [GPT2, CL100K, QWEN2, O200K, ...DEEPSEEK, '\\w+|[^\\w\\s]+', ' ', '\\s+', '▁'];
const fewTexts = [0, 1, 3, 4, 7, 8, 12, 13, 16, 19].map((i) => texts[i]);
const patterns = [
  '\\s', '\\w+', '[\\w]+', '\\W+', '[\\W]+', '[^\\W]+', '\\p{Word}+', '[[:word:]]+', '\\d+', '\\p{L}+', '\\p{N}+', '\\p{P}+', '\\p{S}+',
  '\\p{M}+', '\\p{Lu}+', '\\p{Ll}+', '\\p{Lo}+', '\\p{Z}+', '\\p{Alpha}+', '\\P{L}+', '[^\\s\\p{L}\\p{N}]+',
  '.', '.+', '(?m:.+)', '^\\s*', '\\s*$', '\\A\\p{L}', '\\p{L}\\z', '\\p{L}\\Z', '\\b\\w', '\\B\\w+',
  '(?i)s+', '(?i:[a-f])+', '(?i:[^k])', '(?i)ǆ', '(?i)σ', 'a|ab|abc', 'x*', 'x*?y', '\\p{L}{2,3}', '\\p{L}{2}?',
  '\\p{L}{1,2}+', '(?:\\p{L}\\p{N})+', '(?>\\p{L}+)\\p{L}', '\\p{L}++\\p{N}', '\\p{L}+?', '\\s+?(?=\\S)',
  '(?<=\\s)\\p{L}+', '(?<!\\p{L})\\p{N}+', '(?<=a|bc)d', '(?<![ab]c)\\w', '[\\p{L}&&[^a-z]]+', '[a-z&&[^aeiou]]+',
  '[[:alpha:]]+', '[[:digit:][:space:]]+', '[\\x{4e00}-\\x{9fff}]+', '\\u00e9|\\x41', '[\\-.]+', 'a{,2}', 'a{1,2}+',
  '\\p{L}(?!\\p{L})', '(\\p{L})(\\p{N})?', '(?<name>\\d)+', '(?#comment)\\d', '(?x) \\d + # digits', '(?i)Ǆ', '\\h+',
  '(?=\\p{L})', 'a|', '(|a)+', '(a*)*b', 'a{3,1}a', 'a{3,1}?', '\\q\\E', '\\xA0', '(', 'a{2,1}', '[z-a]', '\\p{Foo}',
];

const cases = [];
for (const pattern of [...realPatterns, ...patterns]) {
  for (const text of realPatterns.includes(pattern) ? texts : fewTexts) {
    const m = matches(pattern, text);
    if (m === null) {
      cases.push({ pattern, error: true });
      break;
    }
    cases.push({ pattern, text, matches: m });
  }
}
// Random strings of characters from every class the real patterns distinguish.
const palette = ['a', 'Z', 's', 'S', 't', 'T', 'r', 'e', 'E', 'v', 'l', 'L', 'd', 'D', 'm', 'M', "'", "'", 'ſ',
  'é', 'É', 'ǅ', 'ʰ', '中', 'か', ' ', ' ', ' ', '\t', '\n', '\r', '\r\n', '\u00a0', '\u3000', '\u2028',
  '\u0085', '\u000b', '1', '2', '٣', '½', 'Ⅻ', '!', '.', '/', '"', '-', '’', '🙂', '\u0301', '\u200d',
  '\ufeff', '\u0001', 'क', '्', '_', '$', 'ا', 'ǈ'];
let seed = 7;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
for (const pattern of [GPT2, CL100K, O200K, '\\w+|[^\\w\\s]+']) {
  for (let i = 0; i < 25; i++) {
    let text = '';
    for (let k = 1 + rnd(30); k > 0; k--) {
      const p = palette[rnd(palette.length)];
      text += rnd(8) === 0 ? p.repeat(1 + rnd(5)) : p;
    }
    cases.push({ pattern, text, matches: matches(pattern, text) });
  }
}

// Every code point below U+3000 assigned in the Unicode version of tetra's tables (Debian's
// unicode-data, /usr/share/unicode/UnicodeData.txt; Onig in the Rust binding knows a newer one,
// so characters added since would differ) in one text, for the classes themselves.
const assigned = new Set();
for (const line of readFileSync('/usr/share/unicode/UnicodeData.txt', 'utf8').split('\n')) {
  const f = line.split(';');
  if (f.length > 2) assigned.add(parseInt(f[0], 16)); // no First/Last ranges below U+3000
}
let all = '';
const allRanges = [];
for (let c = 1; c < 0x3000; c++) {
  const ch = String.fromCodePoint(c);
  if (!assigned.has(c) || (c >= 0xd800 && c <= 0xdfff)) continue;
  all += ch;
  const last = allRanges[allRanges.length - 1];
  if (last && last[1] + 1 === c) last[1] = c;
  else allRanges.push([c, c]);
}
// (Not \p{Alpha}: Unicode 16.0 made U+0363..U+036F and others Other_Alphabetic.)
// The text is stored once, as code point ranges ("classes_text"); these cases have "text": null.
for (const pattern of ['\\w+', '\\s+', '\\d+', '\\p{L}+', '\\p{N}+', '\\p{P}+', '\\p{S}+', '\\p{M}+',
  '\\p{Lu}+', '(?i)[a-z]+'])
  cases.push({ pattern, text: null, matches: matches(pattern, all) });

// One entry per pattern, in order of first appearance.
const byPattern = new Map();
for (const c of cases) {
  if (!byPattern.has(c.pattern)) {
    byPattern.set(c.pattern, c.error ? { pattern: c.pattern, error: true } : { pattern: c.pattern, texts: [], matches: [] });
  }
  const e = byPattern.get(c.pattern);
  if (c.error) continue;
  const shared = texts.indexOf(c.text);
  e.texts.push(c.text === null ? null : shared >= 0 ? shared : c.text);
  e.matches.push(c.matches.flat());
}
process.stdout.write('{"generator": "tools/golden/text/make_regex_golden.mjs",\n"classes_text": ' +
  JSON.stringify(allRanges) + ',\n"texts": ' + JSON.stringify(texts) + ',\n"patterns": [\n' +
  [...byPattern.values()].map((e) => JSON.stringify(e)).join(',\n') + '\n]}\n');
