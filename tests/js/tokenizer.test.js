// The JS Tokenizer API: loading, options, errors, memory, hostile inputs. Expected values come
// from the Rust `tokenizers` library (the @anush008/tokenizers binding, a devDependency) on the
// same tokenizer.json, so nothing here needs ../shared. Parity on real text is in
// tokenizer_parity.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { init, Tokenizer, TetraError } from '../../js/index.js';
import { getRuntime } from '../../js/wasm.js';
import { HARD_STRINGS } from './hard_strings.js';
import { corpusLines, SHARED } from './corpora.js';
import { parityTokenizers } from './tokenizer_files.js';

const require = createRequire(import.meta.url);
const rust = require('@anush008/tokenizers');

// A small BERT-style tokenizer.json (the shape of MiniLM's): BertNormalizer, BertPreTokenizer,
// WordPiece, [CLS] $A [SEP] / [CLS] $A [SEP] $B [SEP] templates, WordPiece decoder.
const WORDS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'world', 'the', 'quick', 'brown',
  'fox', 'jump', '##s', '##ing', '##ed', ',', '.', '!', '?', "'", 'a', 'b', 'c', 'e', 'caf', '##e',
  'un', '##believ', '##able', '中', '国', '😀', 'x', '##x', 'it', '##s', 's', 'don', 't'];
const VOCAB = {};
for (const w of WORDS) if (!(w in VOCAB)) VOCAB[w] = Object.keys(VOCAB).length;
const special = (content) => ({ id: VOCAB[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const BERT = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(special),
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
    pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [VOCAB['[CLS]']], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [VOCAB['[SEP]']], tokens: ['[SEP]'] },
    },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: VOCAB },
};
const BERT_TEXT = JSON.stringify(BERT);

let bert;
let reference;
test.before(async () => {
  await init();
  bert = Tokenizer.fromJSON(BERT_TEXT);
  reference = rust.Tokenizer.fromString(BERT_TEXT);
});
test.after(() => bert?.free());

function plain(enc) {
  return {
    ids: Array.from(enc.ids), typeIds: Array.from(enc.typeIds), attentionMask: Array.from(enc.attentionMask),
    specialTokensMask: Array.from(enc.specialTokensMask), wordIds: Array.from(enc.wordIds), offsets: Array.from(enc.offsets),
  };
}
function fromRust(e) {
  return {
    ids: e.getIds(), typeIds: e.getTypeIds(), attentionMask: e.getAttentionMask(), specialTokensMask: e.getSpecialTokensMask(),
    wordIds: e.getWordIds().map((w) => w ?? -1), offsets: e.getOffsets().flat(),
  };
}

test('encode returns typed arrays equal to the Rust library, offsets in UTF-16 units', async () => {
  const text = 'Hello, world! The quick brown fox jumps. Café 中国 😀 unbelievable';
  const enc = bert.encode(text);
  assert.ok(enc.ids instanceof Uint32Array);
  assert.ok(enc.typeIds instanceof Uint32Array);
  assert.ok(enc.attentionMask instanceof Uint8Array);
  assert.ok(enc.specialTokensMask instanceof Uint8Array);
  assert.ok(enc.offsets instanceof Uint32Array);
  assert.ok(enc.wordIds instanceof Int32Array);
  assert.ok(enc.sequenceIds instanceof Int32Array);
  assert.equal(enc.length, enc.ids.length);
  assert.equal(enc.offsets.length, 2 * enc.length);
  // The emoji is two UTF-16 units: Rust counts it as one code point, JS strings as two.
  const theirs = fromRust(await reference.encode(text, null));
  const ours = plain(bert.encode(text, { offsets: 'chars' }));
  assert.deepEqual(ours, theirs);
  const pieces = [];
  for (let i = 0; i < enc.length; i++) pieces.push(text.slice(enc.offsets[2 * i], enc.offsets[2 * i + 1]));
  assert.deepEqual(pieces, ['', 'Hello', ',', 'world', '!', 'The', 'quick', 'brown', 'fox', 'jump', 's', '.', 'Caf', 'é', '中', '国', '😀', 'un', 'believ', 'able', '']);
  const bytes = bert.encode(text, { offsets: 'bytes' });
  const utf8 = new TextEncoder().encode(text);
  assert.equal(new TextDecoder().decode(utf8.subarray(bytes.offsets[2 * 16], bytes.offsets[2 * 16 + 1])), '😀');
});

test('fromJSON takes text, a parsed object, a Uint8Array or an ArrayBuffer', () => {
  const want = plain(bert.encode('hello world'));
  const bytes = new TextEncoder().encode(BERT_TEXT);
  for (const input of [BERT, bytes, bytes.buffer.slice(0)]) {
    const tok = Tokenizer.fromJSON(input);
    assert.deepEqual(plain(tok.encode('hello world')), want);
    tok.free();
  }
});

test('options: special tokens, truncation, padding, pairs, overflow', async () => {
  const text = 'the quick brown fox jumps over the lazy dog';
  const cases = [
    [{ addSpecialTokens: false }, (r) => r, { addSpecialTokens: false }],
    [{ maxLength: 5 }, (r) => r.setTruncation(5)],
    [{ truncation: { maxLength: 6, direction: 'left' } }, (r) => r.setTruncation(6, { direction: 'left' })],
    [{ padding: 'max_length', maxLength: 20 }, (r) => r.setPadding({ maxLength: 20 })],
    [{ padding: { maxLength: 16, direction: 'left' } }, (r) => r.setPadding({ maxLength: 16, direction: 'left' })],
    [{ padding: { padToMultipleOf: 8 } }, (r) => r.setPadding({ padToMultipleOf: 8 })],
    [{ truncation: { maxLength: 7, stride: 2 } }, (r) => r.setTruncation(7, { stride: 2 })],
  ];
  for (const [options, configure, encodeOptions] of cases) {
    const r = rust.Tokenizer.fromString(BERT_TEXT);
    configure(r);
    const theirs = await r.encode(text, null, encodeOptions);
    const ours = bert.encode(text, options);
    assert.deepEqual(plain(ours), fromRust(theirs), JSON.stringify(options));
    const overflow = theirs.getOverflowing();
    assert.equal(ours.overflowing?.length ?? 0, overflow.length, `overflowing windows for ${JSON.stringify(options)}`);
    overflow.forEach((o, k) => assert.deepEqual(plain(ours.overflowing[k]), fromRust(o)));
  }
  // Pairs: encode(text, { pair }) and encodeBatch([[a, b]]).
  const theirs = fromRust(await reference.encode('hello world', 'the fox'));
  assert.deepEqual(plain(bert.encode('hello world', { pair: 'the fox' })), theirs);
  assert.deepEqual(plain(bert.encodeBatch([['hello world', 'the fox']])[0]), theirs);
  assert.deepEqual(Array.from(bert.encode('hello world', { pair: 'the fox' }).sequenceIds), [-1, 0, 0, -1, 1, 1, -1]);
});

test('encodeBatch pads to the longest of the batch in one call', async () => {
  const texts = ['hello', 'the quick brown fox', ['hello world', 'the fox jumps'], '', 'a b c'];
  const ours = bert.encodeBatch(texts, { padding: true });
  // The binding's encodeBatch takes no pairs: encode one by one, then pad to the longest as Rust's
  // encode_batch does.
  const theirs = await Promise.all(texts.map((x) => (typeof x === 'string' ? reference.encode(x, null) : reference.encode(x[0], x[1]))));
  const longest = Math.max(...theirs.map((e) => e.getLength()));
  for (const e of theirs) e.pad(longest, { padId: 0, padToken: '[PAD]' });
  assert.equal(ours.length, texts.length);
  ours.forEach((e, i) => assert.deepEqual(plain(e), fromRust(theirs[i]), `item ${i}`));
  assert.ok(ours.every((e) => e.length === ours[0].length));
  assert.deepEqual(bert.encodeBatch([]), []);
  // Without padding each item keeps its own length and equals encode().
  const single = bert.encodeBatch(texts.filter((t) => typeof t === 'string'));
  single.forEach((e, i) => assert.deepEqual(plain(e), plain(bert.encode(texts.filter((t) => typeof t === 'string')[i]))));
});

test('decode, idToToken, tokenToId, vocabSize agree with the Rust library', async () => {
  const enc = bert.encode("Hello, world! It's unbelievable");
  assert.equal(bert.decode(enc.ids), await reference.decode(Array.from(enc.ids), false));
  assert.equal(bert.decode(enc.ids, { skipSpecialTokens: true }), await reference.decode(Array.from(enc.ids), true));
  assert.equal(bert.decode([]), '');
  assert.equal(bert.decode(new Uint32Array([VOCAB.hello, VOCAB.world])), 'hello world');
  assert.equal(bert.vocabSize, reference.getVocabSize(true));
  for (const word of ['[CLS]', 'hello', '##ing', '中', '😀']) {
    assert.equal(bert.tokenToId(word), reference.tokenToId(word), word);
    assert.equal(bert.idToToken(VOCAB[word]), word);
  }
  assert.equal(bert.tokenToId('not-a-token'), null);
  assert.equal(bert.idToToken(1e6), null);
  assert.equal(bert.idToToken(-1), null);
});

test('errors are TetraErrors with the core\'s message; bad arguments are named', () => {
  assert.throws(() => Tokenizer.fromJSON('{"model": '), (e) => e instanceof TetraError && e.code === 'TETRA_ERR_PARSE' && /tokenizer\.json/.test(e.message));
  assert.throws(() => Tokenizer.fromJSON({ ...BERT, model: { type: 'NoSuchModel' } }), (e) => e instanceof TetraError && /model/.test(e.message));
  assert.throws(() => Tokenizer.fromJSON(42), TypeError);
  assert.throws(() => Tokenizer.fromGPT2(null), TypeError);
  assert.throws(() => Tokenizer.fromLlama2c(new Uint8Array(3)), TetraError);
  assert.throws(() => Tokenizer.fromGGUF(new Uint8Array(16)), TetraError);
  assert.throws(() => bert.encode(42), TypeError);
  assert.throws(() => bert.encode('a', { pair: 3 }), TypeError);
  assert.throws(() => bert.encode('a', { truncation: { stride: 1 } }), (e) => e.code === 'TETRA_ERR_INVALID_ARGUMENT' && /maxLength/.test(e.message));
  assert.throws(() => bert.encode('a', { padding: 'max_length' }), (e) => e.code === 'TETRA_ERR_INVALID_ARGUMENT');
  assert.throws(() => bert.encode('a', { padding: 'sideways' }), (e) => e.code === 'TETRA_ERR_INVALID_ARGUMENT');
  assert.throws(() => bert.encode('a', { maxLength: -1 }), (e) => e.code === 'TETRA_ERR_INVALID_ARGUMENT');
  assert.throws(() => bert.encode('a', { offsets: 'utf8' }), (e) => e.code === 'TETRA_ERR_INVALID_ARGUMENT');
  assert.throws(() => bert.encode('a', { truncation: { maxLength: 4, strategy: 'middle' } }), /strategy/);
  assert.throws(() => bert.encodeBatch('a'), TypeError);
  assert.throws(() => bert.encodeBatch(['a', ['b']]), /texts\[1\]/);
  assert.throws(() => bert.decode([1, 1e9]), (e) => e instanceof TetraError && /1/.test(e.message));
  assert.throws(() => bert.decode([0.5]), /ids\[0\]/);
  assert.throws(() => bert.decode('abc'), TypeError);
  assert.throws(() => new Tokenizer(), TypeError);
  // The tokenizer still works after errors.
  assert.deepEqual(Array.from(bert.encode('hello').ids), [VOCAB['[CLS]'], VOCAB.hello, VOCAB['[SEP]']]);
});

test('free releases the tokenizer; later calls throw; free twice is harmless', () => {
  const tok = Tokenizer.fromJSON(BERT_TEXT);
  tok.encode('hello');
  assert.equal(tok.freed, false);
  tok.free();
  tok.free();
  assert.equal(tok.freed, true);
  assert.throws(() => tok.encode('hello'), /freed/);
  assert.throws(() => tok.decode([1]), /freed/);
  assert.throws(() => tok.vocabSize, /freed/);
});

test('wasm memory stays flat over many encodes, batches, decodes and loads', () => {
  const rt = getRuntime();
  const { lines } = corpusLines({ limit: 2000 });
  const run = () => {
    for (let i = 0; i < 2000; i++) bert.encode(lines[i % lines.length], { truncation: false });
    for (let i = 0; i < 20; i++) bert.encodeBatch(lines.slice(i * 100, i * 100 + 100), { padding: true });
    for (let i = 0; i < 500; i++) bert.decode(bert.encode(lines[i]).ids);
    for (let i = 0; i < 20; i++) Tokenizer.fromJSON(BERT_TEXT).free();
    for (let i = 0; i < 50; i++) assert.throws(() => bert.decode([1e9]));
  };
  // Warm-up: scratch buffers, caches and the allocator's free lists reach their steady size
  // (the heap settles after two or three rounds; a leak keeps growing).
  for (let k = 0; k < 3; k++) run();
  const probe = rt.alloc(1 << 20);
  rt.free(probe);
  const before = rt.memory.buffer.byteLength;
  for (let k = 0; k < 6; k++) run();
  const probeAfter = rt.alloc(1 << 20);
  rt.free(probeAfter);
  assert.equal(rt.memory.buffer.byteLength, before, 'wasm memory grew');
  // A leak would push fresh allocations upward in the heap.
  assert.ok(probeAfter <= probe + (1 << 16), `heap top moved from ${probe} to ${probeAfter}`);
});

test('lone surrogates and every hard string encode like the Rust library', async () => {
  for (const [name, text] of HARD_STRINGS) {
    const ours = bert.encode(text, { offsets: 'chars' });
    const theirs = await reference.encode(text, null);
    assert.deepEqual(plain(ours), fromRust(theirs), name);
    // UTF-16 offsets stay inside the JS string.
    const u = bert.encode(text).offsets;
    for (let i = 0; i < u.length; i += 2) assert.ok(u[i] <= u[i + 1] && u[i + 1] <= text.length, `${name}: offsets ${u[i]}..${u[i + 1]}`);
  }
  const enc = bert.encode('a\ud800b c');
  const pieces = [];
  for (let i = 1; i < enc.length - 1; i++) pieces.push('a\ud800b c'.slice(enc.offsets[2 * i], enc.offsets[2 * i + 1]));
  // U+FFFD (for the lone surrogate) is neither space nor punctuation: one unknown word.
  assert.deepEqual(pieces, ['a\ud800b', 'c']);
  assert.equal(enc.ids[1], VOCAB['[UNK]']);
});

// Long texts run chunk by chunk in the C core (src/text/chunking.c) where that changes nothing:
// a 300 KB text (about ten chunks) of real lines with every hard string mixed in, as the Rust
// library encodes it whole.
test('long texts encode like the Rust library (chunked in the core)', async (t) => {
  const { lines } = corpusLines({ limit: 4000 });
  const hard = HARD_STRINGS.map(([, s]) => s);
  const parts = [];
  for (let i = 0; i < lines.length; i++) parts.push(i % 40 === 0 ? `${lines[i]} ${hard[(i / 40) % hard.length]} x` : lines[i]);
  const text = parts.join('\n').slice(0, 300000);
  const specs = [{ name: 'bert (inline)', json: BERT_TEXT }, ...parityTokenizers()];
  for (const spec of specs) {
    if (!spec.json) {
      t.diagnostic(`skipped ${spec.name}: ${spec.missing}`);
      continue;
    }
    const reference = rust.Tokenizer.fromString(spec.json);
    reference.disablePadding();
    reference.disableTruncation();
    const theirs = fromRust(await reference.encode(text, null));
    const tok = Tokenizer.fromJSON(spec.json);
    try {
      const ours = plain(tok.encode(text, { offsets: 'chars', truncation: false, padding: false }));
      assert.ok(ours.ids.length > 50000, `${spec.name}: ${ours.ids.length} tokens`);
      for (const field of Object.keys(theirs)) {
        const at = theirs[field].findIndex((v, i) => v !== ours[field][i]);
        assert.ok(at < 0 && ours[field].length === theirs[field].length,
          `${spec.name}: ${field}[${at}] is ${ours[field][at]}, the Rust library says ${theirs[field][at]} (lengths ${ours[field].length}, ${theirs[field].length})`);
      }
      t.diagnostic(`${spec.name}: ${ours.ids.length} tokens identical`);
    } finally {
      tok.free();
    }
  }
});

// A 50 MB string: it encodes (the C pipeline runs long texts chunk by chunk, see
// src/text/chunking.c, so wasm memory holds little more than the input and two copies of the token
// arrays), in about 10x the time of 5 MB, with the same tokens as smaller runs, and the heap is
// reused afterwards. MiniLM's WordPiece and GPT-2's byte-level BPE from ../shared (the small
// BERT tokenizer above stands in for MiniLM when ../shared is absent).
function bigTokenizers() {
  const list = [];
  const minilm = `${SHARED}models/all-MiniLM-L6-v2/tokenizer.json`;
  list.push(existsSync(minilm)
    ? { name: 'minilm', load: () => Tokenizer.fromJSON(readFileSync(minilm, 'utf8')) }
    : { name: 'bert (MiniLM absent)', load: () => Tokenizer.fromJSON(BERT_TEXT), note: `${minilm} is absent` });
  const gpt2 = `${SHARED}models/gpt2-tokenizer/`;
  list.push(existsSync(`${gpt2}encoder.json`)
    ? { name: 'gpt2', load: () => Tokenizer.fromGPT2({ encoder: readFileSync(`${gpt2}encoder.json`, 'utf8'), merges: readFileSync(`${gpt2}vocab.bpe`, 'utf8') }) }
    : { name: 'gpt2', missing: `${gpt2} is absent` });
  return list;
}

/** Index of the first token whose start offset is >= pos (offsets grow along these encodings, but
 * for the special tokens at the end, which have [0, 0)). */
function tokenAt(enc, pos) {
  let lo = 0;
  let hi = enc.length;
  while (hi > 0 && enc.specialTokensMask[hi - 1]) hi--;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (enc.offsets[2 * mid] < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A line start at or after pos that both tokenizers treat as a clean cut: "x\ny" (no white
 * space on either side of the newline, so no token spans it, GPT-2's included). */
function lineStart(text, pos) {
  const isSpace = (c) => /\s/.test(c);
  for (let i = Math.max(pos, 2); i < text.length - 1; i++) {
    if (text[i - 1] === '\n' && !isSpace(text[i - 2]) && !isSpace(text[i])) return i;
  }
  throw new Error(`no clean line start after ${pos}`);
}

/** big's tokens over text[from, to) equal those of the slice encoded alone (offsets shifted by
 * from, word ids by a constant). */
function assertSameWindow(tok, text, big, from, to, what) {
  const piece = tok.encode(text.slice(from, to), { addSpecialTokens: false, truncation: false, padding: false });
  const i0 = tokenAt(big, from);
  const i1 = tokenAt(big, to);
  assert.equal(i1 - i0, piece.length, `${what}: ${piece.length} tokens alone, ${i1 - i0} in the 50 MB run`);
  const shift = big.wordIds[i0] - piece.wordIds[0];
  for (let k = 0; k < piece.length; k++) {
    const i = i0 + k;
    if (big.ids[i] !== piece.ids[k] || big.offsets[2 * i] !== piece.offsets[2 * k] + from ||
        big.offsets[2 * i + 1] !== piece.offsets[2 * k + 1] + from || big.wordIds[i] !== piece.wordIds[k] + shift) {
      assert.fail(`${what}: token ${i} is ${big.ids[i]} [${big.offsets[2 * i]}, ${big.offsets[2 * i + 1]}) word ${big.wordIds[i]}, ` +
        `alone ${piece.ids[k]} [${piece.offsets[2 * k] + from}, ${piece.offsets[2 * k + 1] + from}) word ${piece.wordIds[k] + shift}`);
    }
  }
}

test('a 50 MB string encodes, in time linear in its length, with the tokens of smaller runs', async (t) => {
  const rt = getRuntime();
  const { lines } = corpusLines({ limit: 200000 });
  const build = (chars) => {
    const parts = [];
    let n = 0;
    for (let i = 0; n < chars; i++) {
      const line = lines[i % lines.length];
      parts.push(line);
      n += line.length + 1;
    }
    return parts.join('\n').slice(0, chars);
  };
  const big = build(50e6);
  const small = big.slice(0, 5e6); // build() is deterministic: the 5 MB text is a prefix
  const opts = { truncation: false, padding: false };
  for (const entry of bigTokenizers()) {
    await t.test(entry.name, (tt) => {
      if (entry.missing) {
        tt.skip(entry.missing);
        return;
      }
      if (entry.note) tt.diagnostic(entry.note);
      const tok = entry.load();
      try {
        const probe = 'Hello world, this is a probe.';
        const before = Array.from(tok.encode(probe).ids);
        tok.encode(small.slice(0, 100000), opts); // warm-up
        const time = (text) => {
          const start = performance.now();
          const enc = tok.encode(text, opts);
          return { enc, ms: performance.now() - start };
        };
        const m0 = rt.memory.buffer.byteLength;
        const a = time(small);
        const m1 = rt.memory.buffer.byteLength;
        const b = time(big);
        const m2 = rt.memory.buffer.byteLength;
        tt.diagnostic(`5 MB: ${a.enc.length} tokens in ${a.ms.toFixed(0)} ms; 50 MB: ${b.enc.length} tokens in ${b.ms.toFixed(0)} ms ` +
          `(ratio ${(b.ms / a.ms).toFixed(1)}); wasm memory ${(m0 / 1e6).toFixed(0)} -> ${(m1 / 1e6).toFixed(0)} -> ${(m2 / 1e6).toFixed(0)} MB`);
        assert.ok(b.enc.length > 9 * a.enc.length && b.enc.length < 11 * a.enc.length, 'token count scales with the text');
        assert.ok(b.ms / a.ms < 20, `50 MB took ${(b.ms / a.ms).toFixed(1)}x as long as 5 MB (linear is 10x)`);
        assert.ok(m2 < 1.8e9, `wasm memory reached ${(m2 / 1e6).toFixed(0)} MB`);
        // The start: the 5 MB run's tokens, but for the last ones (cut mid-word), are the first
        // ones of the 50 MB run, ids, offsets and word ids alike.
        const cut = tokenAt(a.enc, lineStart(small, small.length - 2000));
        for (const [field, width] of [['ids', 1], ['offsets', 2], ['wordIds', 1], ['specialTokensMask', 1]]) {
          const x = a.enc[field].subarray(0, width * cut);
          const y = b.enc[field].subarray(0, width * cut);
          const at = x.findIndex((v, i) => v !== y[i]);
          assert.equal(at, -1, `start: ${field}[${at}] is ${y[at]} in the 50 MB run, ${x[at]} in the 5 MB one`);
        }
        // The middle and the end: windows of the text encoded alone.
        assertSameWindow(tok, big, b.enc, lineStart(big, 25e6), lineStart(big, 25e6 + 200000), 'middle');
        const endFrom = lineStart(big, big.length - 200000);
        assertSameWindow(tok, big, b.enc, endFrom, big.length, 'end');
        // The heap is reused: the 5 MB text again needs no more wasm memory and gives the same.
        const smallTokens = a.enc.length;
        const smallLast = a.enc.ids[cut - 1];
        a.enc = null;
        b.enc = null;
        const again = tok.encode(small, opts);
        assert.equal(rt.memory.buffer.byteLength, m2, 'wasm memory grew on a smaller text after the 50 MB one');
        assert.ok(again.length === smallTokens && again.ids[cut - 1] === smallLast, 'the 5 MB text encodes as before');
        assert.deepEqual(Array.from(tok.encode(probe).ids), before, 'the tokenizer works as before');
      } finally {
        tok.free();
      }
    });
  }
});

test('legacy loaders through JS: GGUF vocabularies pass llama.cpp\'s tests; vocab.txt equals tokenizer.json', (t) => {
  const dir = `${SHARED}models/llamacpp-vocab-tests/`;
  if (!existsSync(dir)) {
    t.skip(`${dir} is absent`);
    return;
  }
  // .inp: strings separated by "\n__ggml_vocab_test__\n" (the last one followed by it too);
  // .out: the expected ids, one line per string, without special tokens.
  for (const name of ['bert-bge', 'gpt-2', 'llama-spm']) {
    const tok = Tokenizer.fromGGUF(readFileSync(`${dir}ggml-vocab-${name}.gguf`));
    try {
      const inputs = readFileSync(`${dir}ggml-vocab-${name}.gguf.inp`, 'utf8').split('\n__ggml_vocab_test__\n');
      const last = inputs.length - 1;
      inputs[last] = inputs[last].replace(/\n__ggml_vocab_test__\n?$/, '');
      const expected = readFileSync(`${dir}ggml-vocab-${name}.gguf.out`, 'utf8').split('\n');
      inputs.forEach((text, i) => {
        assert.equal(Array.from(tok.encode(text, { addSpecialTokens: false }).ids).join(' '), expected[i].trim(), `${name} #${i} ${JSON.stringify(text)}`);
      });
    } finally {
      tok.free();
    }
  }
  const minilm = `${SHARED}models/all-MiniLM-L6-v2/`;
  const fromJson = Tokenizer.fromJSON(readFileSync(`${minilm}tokenizer.json`));
  const fromVocab = Tokenizer.fromVocabTxt(readFileSync(`${minilm}vocab.txt`, 'utf8'), { lowercase: true });
  try {
    const { lines } = corpusLines({ limit: 2000 });
    for (const line of [...lines, ...HARD_STRINGS.map(([, s]) => s)]) {
      const a = fromJson.encode(line, { truncation: false, padding: false });
      const b = fromVocab.encode(line);
      assert.deepEqual(plain(b), plain(a), JSON.stringify(line.slice(0, 100)));
    }
  } finally {
    fromJson.free();
    fromVocab.free();
  }
  const llama = Tokenizer.fromLlama2c(readFileSync(`${SHARED}models/llama2c-tokenizer-32k/tokenizer.bin`));
  try {
    assert.equal(llama.vocabSize, 32000);
    assert.equal(llama.decode(llama.encode('Hello world').ids, { skipSpecialTokens: true }), 'Hello world');
  } finally {
    llama.free();
  }
});
