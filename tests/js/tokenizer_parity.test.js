// Parity with the Rust `tokenizers` library (0.22, through the @anush008/tokenizers binding) on
// real text: every id, type id, attention mask, special-tokens mask, word id and offset of
// tetra's wasm tokenizer must equal Rust's, for
//   - MiniLM's WordPiece tokenizer.json (../shared; it pads to 128 and truncates at 128),
//   - GPT-2's byte-level BPE (../shared encoder.json + vocab.bpe, as a tokenizer.json and
//     through Tokenizer.fromGPT2),
//   - two SentencePiece-style tokenizers trained on SpamAssassin (tests/golden/text/),
// on >= 100,000 corpus lines (tests/js/corpora.js) plus the hard strings, with the tokenizer's
// own truncation/padding and with both off, then pairs, explicit truncation with overflow and
// batch padding on a subset, and decoding (round trips where lossless; else equal to Rust's).
//
// TETRA_PARITY_LINES=all (or a number) changes how many corpus lines are used (default 100,000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { init, Tokenizer } from '../../js/index.js';
import { corpusLines } from './corpora.js';
import { HARD_STRINGS } from './hard_strings.js';
import { parityTokenizers } from './tokenizer_files.js';

const require = createRequire(import.meta.url);
const rust = require('@anush008/tokenizers');

const LIMIT = process.env.TETRA_PARITY_LINES === 'all' ? Infinity : Number(process.env.TETRA_PARITY_LINES || 100000);
const CHUNK = 2000; // lines per encodeBatch call on both sides
const SUBSET = 3000; // lines for pairs, explicit truncation/padding, decode
const MAX_REPORTED = 8;

const HAS_SURROGATE = /[\ud800-\udfff]/;

/** UTF-16 offsets of `text` to code points (Rust's unit). Lone surrogates count one, as the
 * U+FFFD that replaces them. */
function toCodePoints(text, offsets) {
  if (!HAS_SURROGATE.test(text)) return offsets;
  const map = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) map[++i] = cp; // inside the pair: same code point
    }
    cp++;
  }
  map[text.length] = cp;
  return offsets.map((u) => map[u]);
}

const FIELDS = [
  ['ids', (e) => e.getIds(), (t) => t.ids],
  ['typeIds', (e) => e.getTypeIds(), (t) => t.typeIds],
  ['attentionMask', (e) => e.getAttentionMask(), (t) => t.attentionMask],
  ['specialTokensMask', (e) => e.getSpecialTokensMask(), (t) => t.specialTokensMask],
  ['wordIds', (e) => e.getWordIds().map((w) => (w ?? -1)), (t) => t.wordIds],
];

/** The first difference between a Rust encoding and ours, or null. */
function difference(r, t, text, pair) {
  for (const [name, getR, getT] of FIELDS) {
    const want = getR(r);
    const got = getT(t);
    const at = firstDiff(want, got);
    if (at >= 0) return { field: name, at, want: around(want, at), got: around(got, at) };
  }
  const pairsR = r.getOffsets();
  const want = new Array(2 * pairsR.length);
  for (let i = 0; i < pairsR.length; i++) { want[2 * i] = pairsR[i][0]; want[2 * i + 1] = pairsR[i][1]; }
  let got = t.offsets;
  // Offsets of a pair's second sequence count from the start of the pair text.
  if (pair === undefined) got = toCodePoints(text, got);
  else {
    const seq = t.sequenceIds;
    const a = toCodePoints(text, got);
    const b = toCodePoints(pair, got);
    got = Array.from(got, (_, i) => (seq[i >> 1] === 1 ? b[i] : a[i]));
  }
  const at = firstDiff(want, got);
  if (at >= 0) return { field: 'offsets (code points, flat)', at, want: around(want, at), got: around(got, at) };
  const ro = r.getOverflowing();
  const to = t.overflowing ?? [];
  if (ro.length !== to.length) return { field: 'overflowing.length', at: 0, want: ro.length, got: to.length };
  for (let k = 0; k < ro.length; k++) {
    const d = difference(ro[k], to[k], text, pair);
    if (d) return { ...d, field: `overflowing[${k}].${d.field}` };
  }
  return null;
}

function firstDiff(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function around(values, at) {
  const from = Math.max(0, at - 3);
  return `[len ${values.length}] @${from}: ${JSON.stringify(Array.from(values).slice(from, at + 5))}`;
}

function show(text) {
  const s = JSON.stringify(text);
  return s.length > 160 ? `${s.slice(0, 157)}..." (${text.length} chars)` : s;
}

/**
 * Encodes items ([text] or [text, pair]) on both sides in chunks and collects mismatches.
 * `ours(items)` and `theirs(items)` return arrays of encodings.
 */
async function compare(label, items, ours, theirs) {
  const bad = [];
  let count = 0;
  let tokens = 0;
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    const want = await theirs(chunk);
    const got = ours(chunk);
    for (let j = 0; j < chunk.length; j++) {
      count++;
      tokens += got[j].length;
      const [text, pair] = chunk[j];
      const d = difference(want[j], got[j], text, pair);
      if (d) bad.push({ index: i + j, text, pair, ...d });
    }
  }
  if (bad.length) {
    const lines = bad.slice(0, MAX_REPORTED).map((b) => `  item ${b.index} ${show(b.text)}${b.pair !== undefined ? ` + ${show(b.pair)}` : ''}\n    ${b.field} differs at ${b.at}:\n      rust:  ${b.want}\n      tetra: ${b.got}`);
    assert.fail(`${label}: ${bad.length} of ${count} items differ (first ${Math.min(bad.length, MAX_REPORTED)}):\n${lines.join('\n')}`);
  }
  return { count, tokens };
}

const items = (texts) => texts.map((t) => [t]);
const batchOf = (chunk) => chunk.map(([a, b]) => (b === undefined ? a : [a, b]));

/**
 * Rust's encodings of a chunk. The binding's encodeBatch takes single texts only, so pairs go
 * through encode(a, b) one by one; with batch padding (`pad`: the padding options that `r` was
 * given, without maxLength) they are then padded to the longest of the chunk, as Rust's
 * encode_batch would.
 */
async function rustEncode(r, chunk, options, pad) {
  if (chunk.every(([, b]) => b === undefined)) return r.encodeBatch(chunk.map(([a]) => a), options);
  const encs = await Promise.all(chunk.map(([a, b]) => r.encode(a, b ?? null, options)));
  if (pad) {
    const longest = Math.max(...encs.map((e) => e.getLength()));
    for (const e of encs) e.pad(longest, pad);
  }
  return encs;
}

let corpus;
test.before(async () => {
  await init();
  corpus = corpusLines({ limit: LIMIT });
  if (corpus.skipped) console.log(`# ${corpus.skipped}`);
  console.log(`# corpus: ${corpus.lines.length} lines (${corpus.sources.map((s) => `${s.name} ${s.count}`).join(', ')}) + ${HARD_STRINGS.length} hard strings`);
});

for (const spec of parityTokenizers()) {
  test(`parity with Rust tokenizers: ${spec.name}`, async (t) => {
    if (!spec.json) {
      t.skip(spec.missing);
      console.log(`# skipped ${spec.name}: ${spec.missing}`);
      return;
    }
    const reference = rust.Tokenizer.fromString(spec.json);
    const plain = rust.Tokenizer.fromString(spec.json); // truncation and padding off
    plain.disablePadding();
    plain.disableTruncation();
    const loaders = [['fromJSON', () => Tokenizer.fromJSON(spec.json)]];
    if (spec.gpt2) loaders.push(['fromGPT2', () => Tokenizer.fromGPT2(spec.gpt2)]);
    const all = items([...corpus.lines, ...HARD_STRINGS.map(([, s]) => s)]);
    const subset = all.filter((_, i) => i % Math.ceil(all.length / SUBSET) === 0).concat(items(HARD_STRINGS.map(([, s]) => s)));
    const jsonSpec = JSON.parse(spec.json);
    const ownSettings = jsonSpec.padding != null || jsonSpec.truncation != null;

    // The corpus runs once per tokenizer; a second loader of the same tokenizer (fromGPT2) must
    // give tetra's fromJSON results on every line, and Rust's on the subset.
    let firstOutputs = null;
    for (const [how, load] of loaders) {
      const tok = load();
      try {
        const main = firstOutputs === null;
        const lines = main ? all : subset;
        // Padding every line to a fixed length multiplies the tokens to compare (MiniLM: 128 per
        // line): with the tokenizer.json's own settings, a quarter of the lines; with them off, all.
        const ownLines = ownSettings ? lines.filter((_, i) => i % 4 === 0 || i >= lines.length - HARD_STRINGS.length) : lines;
        await t.test(`${how}: as tokenizer.json says`, async () => {
          const started = performance.now();
          const r = await compare(`${spec.name} ${how}`, ownLines, (c) => tok.encodeBatch(batchOf(c)), (c) => rustEncode(reference, c));
          console.log(`# ${spec.name} ${how}: ${r.count} items, ${r.tokens} tokens identical (${((performance.now() - started) / 1000).toFixed(1)} s)`);
        });
        if (ownSettings) {
          await t.test(`${how}: truncation and padding off`, async () => {
            const started = performance.now();
            const r = await compare(`${spec.name} ${how} (no truncation/padding)`, lines,
              (c) => tok.encodeBatch(batchOf(c), { truncation: false, padding: false }), (c) => rustEncode(plain, c));
            console.log(`# ${spec.name} ${how} without truncation/padding: ${r.count} items, ${r.tokens} tokens identical (${((performance.now() - started) / 1000).toFixed(1)} s)`);
          });
        }
        if (main) {
          firstOutputs = [];
          for (let i = 0; i < all.length; i += CHUNK) {
            for (const e of tok.encodeBatch(all.slice(i, i + CHUNK).map(([a]) => a), { truncation: false, padding: false })) firstOutputs.push(e);
          }
        } else {
          await t.test(`${how}: equals fromJSON on every line`, () => {
            const bad = [];
            for (let i = 0; i < all.length; i += CHUNK) {
              const got = tok.encodeBatch(all.slice(i, i + CHUNK).map(([a]) => a), { truncation: false, padding: false });
              got.forEach((e, j) => {
                const want = firstOutputs[i + j];
                for (const field of ['ids', 'typeIds', 'attentionMask', 'specialTokensMask', 'wordIds', 'offsets']) {
                  const at = firstDiff(want[field], e[field]);
                  if (at >= 0) { bad.push(`  item ${i + j} ${show(all[i + j][0])}: ${field} differs at ${at}: fromJSON ${around(want[field], at)}, ${how} ${around(e[field], at)}`); break; }
                }
              });
            }
            assert.equal(bad.length, 0, `${spec.name} ${how} vs fromJSON: ${bad.length} items differ:\n${bad.slice(0, MAX_REPORTED).join('\n')}`);
            console.log(`# ${spec.name} ${how}: ${all.length} items identical to fromJSON's`);
          });
        }
        await t.test(`${how}: single encode() equals the batch`, async () => {
          await compare(`${spec.name} ${how} encode()`, subset, (c) => c.map(([s]) => tok.encode(s)), (c) => rustEncode(reference, c));
        });
        await t.test(`${how}: offsets in code points`, async () => {
          const hard = items(HARD_STRINGS.map(([, s]) => s));
          for (const [s] of hard) {
            const ours = tok.encode(s, { offsets: 'chars' });
            const theirs = await reference.encode(s, null);
            assert.deepEqual(Array.from(ours.offsets), theirs.getOffsets().flat(), `offsets of ${show(s)}`);
          }
        });
        await t.test(`${how}: without special tokens`, async () => {
          await compare(`${spec.name} ${how} addSpecialTokens false`, subset,
            (c) => tok.encodeBatch(batchOf(c), { addSpecialTokens: false }),
            (c) => rustEncode(reference, c, { addSpecialTokens: false }));
        });
        await t.test(`${how}: pairs`, async () => {
          const pairs = [];
          for (let i = 0; i + 1 < subset.length; i += 2) pairs.push([subset[i][0], subset[i + 1][0]]);
          const r = await compare(`${spec.name} ${how} pairs`, pairs, (c) => tok.encodeBatch(batchOf(c)), (c) => rustEncode(reference, c));
          console.log(`# ${spec.name} ${how}: ${r.count} pairs identical`);
          const single = pairs.slice(0, 200);
          await compare(`${spec.name} ${how} encode(text, { pair })`, single, (c) => c.map(([a, b]) => tok.encode(a, { pair: b })), (c) => rustEncode(reference, c));
        });
        await t.test(`${how}: explicit truncation with stride and batch padding`, async () => {
          const settings = [
            [{ maxLength: 16, stride: 4 }, { direction: 'right' }],
            [{ maxLength: 9, stride: 2, direction: 'left', strategy: 'longest_first' }, { direction: 'left', padToMultipleOf: 8 }],
          ];
          for (const [trunc, pad] of settings) {
            const other = rust.Tokenizer.fromString(spec.json);
            const strategy = { longest_first: 'LongestFirst', only_first: 'OnlyFirst', only_second: 'OnlySecond' }[trunc.strategy ?? 'longest_first'];
            other.setTruncation(trunc.maxLength, { stride: trunc.stride, direction: trunc.direction ?? 'right', strategy });
            // Pad token as tokenizer.json has it, else the library's defaults (id 0, "[PAD]").
            const own = jsonSpec.padding ?? {};
            const padding = { direction: pad.direction, padToMultipleOf: pad.padToMultipleOf, padId: own.pad_id ?? 0, padTypeId: own.pad_type_id ?? 0, padToken: own.pad_token ?? '[PAD]' };
            other.setPadding(padding);
            const label = `${spec.name} ${how} truncation ${JSON.stringify(trunc)} padding ${JSON.stringify(pad)}`;
            await compare(label, subset, (c) => tok.encodeBatch(batchOf(c), { truncation: trunc, padding: pad }), (c) => rustEncode(other, c, undefined, padding));
            const pairs = [];
            for (let i = 0; i + 1 < 600; i += 2) pairs.push([subset[i][0], subset[i + 1][0]]);
            await compare(`${label} pairs`, pairs, (c) => tok.encodeBatch(batchOf(c), { truncation: trunc, padding: pad }), (c) => rustEncode(other, c, undefined, padding));
          }
        });
        await t.test(`${how}: decode`, async () => {
          const texts = subset.map(([s]) => s);
          const encs = tok.encodeBatch(texts, { truncation: false, padding: false });
          const lossless = spec.name.startsWith('gpt2');
          let roundTrips = 0;
          const bad = [];
          for (const skip of [false, true]) {
            const want = await reference.decodeBatch(encs.map((e) => Array.from(e.ids)), skip);
            for (let i = 0; i < texts.length; i++) {
              const got = tok.decode(encs[i].ids, { skipSpecialTokens: skip });
              if (got !== want[i] && bad.length < MAX_REPORTED) bad.push(`  ${show(texts[i])} skip=${skip}\n    rust:  ${show(want[i])}\n    tetra: ${show(got)}`);
              if (lossless && !skip) {
                if (got === texts[i].replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')) roundTrips++;
                else if (bad.length < MAX_REPORTED) bad.push(`  round trip of ${show(texts[i])} gave ${show(got)}`);
              }
            }
          }
          assert.equal(bad.length, 0, `${spec.name} ${how} decode:\n${bad.join('\n')}`);
          if (lossless) console.log(`# ${spec.name} ${how}: decode(encode(x)) === x for ${roundTrips} of ${texts.length} texts`);
        });
      } finally {
        tok.free();
      }
    }
  });
}
