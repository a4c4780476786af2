// Golden outputs of whole tokenizers (pipeline, added tokens, post-processors, truncation,
// padding, pairs, batches, decoders) from the Rust tokenizers library (npm @anush008/tokenizers,
// tokenizers 0.22), for tests/native/test_text_tokenizer.c.
//
//   node tools/golden/text/make_tokenizer_golden.mjs
//
// Writes tests/golden/text/tokenizer_cases.json. Small tokenizer.json documents are built here (one
// per feature); the real MiniLM tokenizer (../shared) and the SentencePiece-style ones in
// tests/golden/text/sp-* are referenced by path, only their outputs are stored. Offsets are in code
// points (what the binding reports); the test derives the UTF-16 and byte offsets from them.
//
// Compact layout: type ids, masks, word ids and sequence ids are strings of one character per
// token ('0'..'9', '-' for none) when every value fits, else arrays (-1 for none); offsets are
// flat [start0, end0, start1, end1, ...]; a decode of an encode's ids names it ("encode": index
// into the case's encodes) instead of repeating the ids.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const T = require('@anush008/tokenizers');
const root = new URL('../../../', import.meta.url);

const TEXTS = [
  'Hello, world!',
  '  leading and   trailing  ',
  'Héllo naïve café RÉSUMÉ',
  '中文字符 and 日本語',
  'emoji 👍🏽 family 👨‍👩‍👧 done',
  "don't stop, it's fine",
  '',
  'a',
  'line1\nline2\t\ttab\r\nend',
  'ﬁ ligature and Ⅸ',
  'Yesterday I met ANTHONY <MiXeD> [MASK] there',
  'x<mask> y <mask>z <mask>',
  'unaffable yesterday ony anthony ony.',
  'zero\u200bwidth and\u00a0nbsp',
];
// the hardest texts, for the cases that test something other than the pipeline itself
const SOME_TEXTS = [0, 1, 3, 4, 6, 10, 11].map((i) => TEXTS[i]);
const PAIRS = [
  ['Hello, world!', 'How are you?'],
  ['a b c d e f g h i j k l', 'm n o'],
  ['short', 'a much longer second sequence with many words in it'],
  ['', 'only pair'],
];

// ---- small documents ----------------------------------------------------------------------------
function wordpieceVocab() {
  const v = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789') v.push(c, '##' + c);
  v.push(...'.,!?\'-<>[]'.split(''), 'hello', 'world', 'the', 'un', '##aff', '##able', 'and', 'ing',
    '##ing', '中', '文', '字', '符', '日', '本', '語', '👍', 'fi');
  return Object.fromEntries([...new Set(v)].map((t, i) => [t, i]));
}
const WP_VOCAB = wordpieceVocab();
const id = (t) => WP_VOCAB[t];
const added = (tid, content, o = {}) => ({
  id: tid, content, single_word: false, lstrip: false, rstrip: false, normalized: !o.special,
  special: false, ...o,
});
const specialsWP = [
  added(id('[PAD]'), '[PAD]', { special: true }), added(id('[UNK]'), '[UNK]', { special: true }),
  added(id('[CLS]'), '[CLS]', { special: true }), added(id('[SEP]'), '[SEP]', { special: true }),
  added(id('[MASK]'), '[MASK]', { special: true }),
];
const n = Object.keys(WP_VOCAB).length;
const extraAdded = [
  added(n, 'yesterday'), // normalized: matched after lowercasing
  added(n + 1, '<MiXeD>', { normalized: false }),
  added(n + 2, 'ony', { single_word: true }),
  added(n + 3, '<mask>', { special: true, lstrip: true, rstrip: false }),
  added(n + 4, 'anthony', { lstrip: true, rstrip: true }),
];
const bertTemplate = {
  type: 'TemplateProcessing',
  single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
    { SpecialToken: { id: '[SEP]', type_id: 0 } }],
  pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
    { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } },
    { SpecialToken: { id: '[SEP]', type_id: 1 } }],
  special_tokens: {
    '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
    '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
  },
};
function bertDoc(extra = {}) {
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [...specialsWP, ...extraAdded],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true,
      strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: bertTemplate,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##',
      max_input_chars_per_word: 100, vocab: WP_VOCAB },
    ...extra,
  };
}
const bertProcessing = { type: 'BertProcessing', sep: ['[SEP]', id('[SEP]')], cls: ['[CLS]', id('[CLS]')] };

// Byte-level BPE over the 256 byte characters and a few merges.
function byteLevelModel() {
  const alphabet = T.byteLevelAlphabet().sort();
  const vocab = {};
  for (const c of alphabet) vocab[c] = Object.keys(vocab).length;
  const merges = [['Ġ', 't'], ['h', 'e'], ['Ġt', 'he'], ['Ġ', 'w'], ['o', 'r'], ['Ġw', 'or'],
    ['l', 'd'], ['Ġwor', 'ld'], ['l', 'l'], ['e', 'll'], ['H', 'ell'], ['Hell', 'o'], ['Ġ', 'Ġ'],
    ['ĠĠ', 'Ġ'], ['i', 'n'], ['Ġ', 'in'], ['Ã', '©']];
  for (const [a, b] of merges) vocab[a + b] = Object.keys(vocab).length;
  for (const s of ['<s>', '</s>', '<pad>', '<mask>']) vocab[s] = Object.keys(vocab).length;
  return { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null,
    end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab,
    merges: merges.map(([a, b]) => `${a} ${b}`) };
}
const BL = byteLevelModel();
const blId = (t) => BL.vocab[t];
const blSpecials = [
  added(blId('<s>'), '<s>', { special: true }), added(blId('</s>'), '</s>', { special: true }),
  added(blId('<pad>'), '<pad>', { special: true }),
  added(blId('<mask>'), '<mask>', { special: true, lstrip: true }),
];
function byteLevelDoc(extra = {}) {
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: blSpecials, normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', blId('</s>')], cls: ['<s>', blId('<s>')],
      trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: BL, ...extra,
  };
}
const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

function wordLevelDoc(vocabList, extra = {}) {
  const vocab = Object.fromEntries(vocabList.map((t, i) => [t, i]));
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' }, post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '[UNK]' }, ...extra,
  };
}

// ---- cases --------------------------------------------------------------------------------------
const cases = [
  { name: 'bert_template_added_tokens', doc: bertDoc(), pairs: true, decode: true },
  { name: 'bert_processing_longest_first_stride', pairs: true,
    texts: ['Hello, world!', 'unaffable yesterday ony anthony ony.', 'a'],
    doc: bertDoc({ post_processor: bertProcessing,
      truncation: { direction: 'Right', max_length: 11, strategy: 'LongestFirst', stride: 2 } }) },
  { name: 'only_first_left_fixed_pad_left', texts: SOME_TEXTS, pairs: true,
    doc: bertDoc({ truncation: { direction: 'Left', max_length: 10, strategy: 'OnlyFirst', stride: 1 },
      padding: { strategy: { Fixed: 16 }, direction: 'Left', pad_to_multiple_of: null, pad_id: 0,
        pad_type_id: 1, pad_token: '[PAD]' } }) },
  { name: 'only_second_batch_longest_multiple', pairs: true, pairsOnly: true, batch: true,
    doc: bertDoc({ truncation: { direction: 'Right', max_length: 12, strategy: 'OnlySecond', stride: 0 },
      padding: { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: 8, pad_id: 0,
        pad_type_id: 0, pad_token: '[PAD]' } }) },
  { name: 'batch_longest_no_truncation', texts: SOME_TEXTS, batch: true,
    doc: bertDoc({ padding: { strategy: 'BatchLongest', direction: 'Right', pad_to_multiple_of: null,
      pad_id: 0, pad_type_id: 0, pad_token: '[PAD]' } }) },
  { name: 'truncation_zero_length', texts: SOME_TEXTS, doc: bertDoc({ post_processor: null,
    truncation: { direction: 'Right', max_length: 0, strategy: 'LongestFirst', stride: 0 } }) },
  { name: 'roberta_bytelevel', doc: byteLevelDoc(), pairs: true, decode: true },
  { name: 'roberta_prefix_space', texts: SOME_TEXTS, doc: byteLevelDoc({
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', blId('</s>')], cls: ['<s>', blId('<s>')],
      trim_offsets: true, add_prefix_space: true } }), pairs: true },
  { name: 'bytelevel_trim_post', texts: SOME_TEXTS, doc: byteLevelDoc({
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true } }),
  pairs: true },
  { name: 'llama3_style_sequence', texts: SOME_TEXTS, decode: true, pairs: true, doc: byteLevelDoc({
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: GPT2_PATTERN }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] },
    post_processor: { type: 'Sequence', processors: [
      { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      { type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
        special_tokens: { '<s>': { id: '<s>', ids: [blId('<s>')], tokens: ['<s>'] } } }] } }) },
  { name: 'wordlevel_lowercase_added_flags', decode: true, doc: wordLevelDoc(
    ['[UNK]', 'hello', 'world', 'my', 'name', 'is', 'a', '<mask>'], {
      normalizer: { type: 'Lowercase' },
      added_tokens: [
        added(0, '[UNK]', { special: true }),
        added(8, 'My', { lstrip: true, rstrip: true }),
        added(9, 'name'),
        added(10, 'ony', { single_word: true }),
        added(11, '<mask>', { single_word: true, lstrip: true, rstrip: true, normalized: false }),
        added(12, '[CLS]', { special: true }), added(13, '[SEP]', { special: true })],
    }), texts: ['[CLS] My name is Anthony [SEP]', '<mask> My name <mask> A<mask> <mask>ony <mask>',
    '<mask>, <mask>- ◌̰<mask>', 'Hi <mask> there\t<mask>\t<mask>\u2000', 'MYname myname my name'] },
  { name: 'decoders_sequence', decodeOnly: true, doc: wordLevelDoc(
    ['[UNK]', '▁Hello', '▁wor', 'ld', '<0xE4>', '<0xB8>', '<0xAD>', '▁', '<0x41>', '__x__', '▁▁a', 'b▁'], {
      decoder: { type: 'Sequence', decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' },
        { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] } }),
    decodes: [[1, 2, 3], [4, 5, 6, 1], [4, 5, 1, 8], [7, 7, 1], [10, 11, 1]] },
  { name: 'decoders_metaspace', decodeOnly: true, doc: wordLevelDoc(
    ['[UNK]', '▁Hello', '▁wor', 'ld', '▁▁a', 'b▁', '▁'], {
      decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true } }),
    decodes: [[1, 2, 3], [4, 5, 1], [6, 6], [3, 1]] },
  { name: 'decoders_metaspace_never', decodeOnly: true, doc: wordLevelDoc(
    ['[UNK]', '▁Hello', '▁wor', 'ld', '▁▁a', 'b▁', '▁'], {
      decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'never', split: true } }),
    decodes: [[1, 2, 3], [4, 5, 1], [6, 6]] },
  { name: 'decoders_bpe_suffix', decodeOnly: true, doc: wordLevelDoc(
    ['[UNK]', 'he', 'llo</w>', 'wor</w>ld</w>', 'x'], { decoder: { type: 'BPEDecoder', suffix: '</w>' } }),
    decodes: [[1, 2, 3], [3, 1], [4]] },
  { name: 'decoders_ctc', decodeOnly: true, doc: wordLevelDoc(
    ['<pad>', 'h', 'e', 'l', 'o', '|', 'w', 'r', 'd', "'", 's'], {
      decoder: { type: 'CTC', pad_token: '<pad>', word_delimiter_token: '|', cleanup: true } }),
    decodes: [[0, 1, 1, 2, 0, 3, 3, 0, 3, 4, 5, 6, 4, 7, 3, 8], [9, 10, 5, 1]] },
  { name: 'decoders_replace_regex', decodeOnly: true, doc: wordLevelDoc(
    ['[UNK]', 'a--b', 'c---d', 'e'], {
      decoder: { type: 'Replace', pattern: { Regex: '-+' }, content: '+' } }),
    decodes: [[1, 2, 3]] },
  { name: 'no_decoder_joins_with_spaces', decodeOnly: true, doc: wordLevelDoc(
    ['[UNK]', 'hello', 'world', '[SEP]'], {
      added_tokens: [added(3, '[SEP]', { special: true })] }),
    decodes: [[1, 2, 3, 1], [3]] },
  { name: 'wordpiece_decoder_cleanup', decodeOnly: true, doc: wordLevelDoc(
    ['[UNK]', 'hello', ',', '##x', 'do', 'not', '.', "'", 's', 'n', "##'", '##t'], {
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true } }),
    decodes: [[1, 2, 3, 4, 5, 6, 7, 8], [9, 10, 11]] },
  { name: 'sp_bpe', file: 'tests/golden/text/sp-bpe/tokenizer.json', pairs: true, decode: true },
  { name: 'sp_unigram', file: 'tests/golden/text/sp-unigram/tokenizer.json', pairs: true, decode: true },
  { name: 'minilm', file: '../shared/models/all-MiniLM-L6-v2/tokenizer.json', pairs: true,
    decode: true, optional: true,
    texts: ['Héllo naïve café RÉSUMÉ, 中文字符 and 日本語 👍🏽 family 👨‍👩‍👧 done', '',
      "don't stop, it's fine: unaffable [MASK] [SEP]x zero\u200bwidth and\u00a0nbsp"] },
];

// ---- outputs ------------------------------------------------------------------------------------
// Small integers (-1 for none) as one character each when they all fit, else as they are.
function small(values) {
  const v = values.map((w) => (w === null || w === undefined ? -1 : w));
  return v.every((x) => x >= -1 && x <= 9) ? v.map((x) => (x < 0 ? '-' : String(x))).join('') : v;
}

function dump(enc, text, pair) {
  const out = {
    ids: enc.getIds(), type_ids: small(enc.getTypeIds()), attention_mask: small(enc.getAttentionMask()),
    special_tokens_mask: small(enc.getSpecialTokensMask()), word_ids: small(enc.getWordIds()),
    sequence_ids: small(enc.getSequenceIds()), offsets: enc.getOffsets().flat(),
  };
  const over = enc.getOverflowing();
  if (over.length) out.overflowing = over.map((o) => dump(o, text, pair));
  return out;
}

const result = { generator: 'tools/golden/text/make_tokenizer_golden.mjs',
  library: '@anush008/tokenizers (tokenizers 0.22.2)', cases: [] };
for (const c of cases) {
  let jsonText;
  if (c.file) {
    const path = new URL(c.file, root);
    if (!existsSync(path)) {
      if (c.optional) console.warn(`skipping ${c.name}: ${c.file} is absent`);
      else throw new Error(`${c.file} is missing`);
      if (c.optional) continue;
    }
    jsonText = readFileSync(path, 'utf8');
  } else {
    jsonText = JSON.stringify(c.doc);
  }
  const tok = T.Tokenizer.fromString(jsonText);
  const rec = { name: c.name };
  if (c.file) rec.file = c.file;
  else rec.tokenizer_json = jsonText;
  rec.encodes = [];
  const texts = c.texts ?? TEXTS;
  const inputs = [];
  if (!c.decodeOnly && !c.pairsOnly) for (const t of texts) inputs.push([t, null]);
  if (c.pairs) for (const p of c.optional ? PAIRS.slice(0, 2) : PAIRS) inputs.push(p);
  for (const [text, pair] of inputs) {
    for (const addSpecialTokens of [true, false]) {
      let enc;
      try {
        enc = await tok.encode(text, pair, { addSpecialTokens });
      } catch (e) {
        rec.encodes.push({ text, pair, add_special_tokens: addSpecialTokens, error: String(e.message) });
        continue;
      }
      rec.encodes.push({ text, pair, add_special_tokens: addSpecialTokens, ...dump(enc, text, pair) });
    }
  }
  if (c.batch) {
    let items = c.pairsOnly ? PAIRS : texts.slice(0, 6);
    let encs;
    if (!c.pairsOnly) {
      encs = await tok.encodeBatch(items, { addSpecialTokens: true });
    } else {
      // the binding's encodeBatch takes single texts only: encode each pair (padded alone, as HF
      // does first), then pad all to the longest with HF's own Encoding.pad, as pad_encodings does
      encs = [];
      const ok = [];
      for (const [a, b] of items) {
        try {
          encs.push(await tok.encode(a, b, { addSpecialTokens: true }));
          ok.push([a, b]);
        } catch { /* that pair fails alone too (see encodes) */ }
      }
      items = ok;
      const pad = c.doc.padding;
      let target = Math.max(...encs.map((e) => e.getLength()));
      const m = pad.pad_to_multiple_of;
      if (m && target % m) target += m - (target % m);
      for (const e of encs) {
        e.pad(target, { padId: pad.pad_id, padTypeId: pad.pad_type_id, padToken: pad.pad_token,
          direction: pad.direction.toLowerCase() });
      }
    }
    rec.batch = {
      texts: items.map((x) => (Array.isArray(x) ? x[0] : x)),
      pairs: c.pairsOnly ? items.map((x) => x[1]) : null,
      encodings: encs.map((e, i) => dump(e, Array.isArray(items[i]) ? items[i][0] : items[i],
        Array.isArray(items[i]) ? items[i][1] : null)),
    };
  }
  rec.decodes = [];
  const idLists = (c.decodes ?? []).map((ids) => ({ ids }));
  if (c.decode) {
    rec.encodes.forEach((e, k) => { if (e.ids && e.add_special_tokens) idLists.push({ encode: k, ids: e.ids }); });
  }
  for (const { encode, ids } of idLists) {
    for (const skip of [false, true]) {
      const text = await tok.decode(ids, skip);
      rec.decodes.push(encode === undefined ? { ids, skip_special_tokens: skip, text }
        : { encode, skip_special_tokens: skip, text });
    }
  }
  result.cases.push(rec);
}
const outPath = new URL('tests/golden/text/tokenizer_cases.json', root);
writeFileSync(outPath, JSON.stringify(result) + '\n');
console.log(`wrote ${outPath.pathname}: ${result.cases.length} cases`);
