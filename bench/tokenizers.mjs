// Tokenizer benchmark: encode throughput of tetra (wasm, this process) against the Rust
// `tokenizers` library (native, through @anush008/tokenizers) and the pure-JS
// @huggingface/tokenizers, side by side in one run, single-threaded, on >= 5 MB of real text
// (SpamAssassin emails + the Pang & Lee sets when ../shared is present; tests/js/corpora.js).
//
//   npm run bench -- tokenizers
//   node bench/tokenizers.mjs [--mb N] [--reps N] [--batch N] [--only minilm|gpt2]
//
// Tokenizers: MiniLM's WordPiece (../shared/models/all-MiniLM-L6-v2/tokenizer.json) and GPT-2's
// byte-level BPE (../shared/models/gpt2-tokenizer, as the tokenizer.json GPT2TokenizerFast uses).
// Truncation and padding are off on every side so that each line is tokenized whole.
// Modes: line by line (one encode per line) and in batches (--batch lines per call, default
// 1000). Rust's per-line encode is its async encode() awaited one at a time; its batch is
// encodeBatch(). The pure-JS library has no batch call. Timed calls include getting the ids into
// JS (tetra returns all fields as typed arrays; Rust's are read with getIds()), except one Rust
// batch row that leaves the encodings in Rust: the native work alone, the target's baseline.
// Ids are checked against Rust's while timing; disagreements are counted and printed.
// Results: a table on stdout and bench/out/tokenizers.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from './lib.mjs';

// Single-threaded native side: these must be set before the Rust library loads (rayon reads
// them once), so the benchmark re-runs itself with them when they are not already set.
const SINGLE_THREAD_ENV = { RAYON_NUM_THREADS: '1', TOKENIZERS_PARALLELISM: 'false', UV_THREADPOOL_SIZE: '1' };
if (Object.entries(SINGLE_THREAD_ENV).some(([k, v]) => process.env[k] !== v)) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit', env: { ...process.env, ...SINGLE_THREAD_ENV },
  });
  process.exit(child.status ?? 1);
}

const { init, Tokenizer, coreVersion } = await import('../js/index.js');
const { corpusSample, SHARED } = await import('../tests/js/corpora.js');
const { parityTokenizers } = await import('../tests/js/tokenizer_files.js');
const { cpuModel, gitCommit } = await import('./lib.mjs');
const require = createRequire(import.meta.url);
const rust = require('@anush008/tokenizers');
const { Tokenizer: HFTokenizer } = await import('@huggingface/tokenizers');

const BENCH = dirname(fileURLToPath(import.meta.url));
const OUT = join(BENCH, 'out');
const TARGET_RUST = 1; // tetra throughput >= native Rust's
const TARGET_JS = 5; // tetra throughput >= 5x the pure-JS library's

function parseArgs(argv) {
  return parseBenchArgs(argv, { mb: 5, reps: 3, batch: 1000, only: null }, {
    mb: ['mb', 'number'], reps: ['reps', 'int'], batch: ['batch', 'int'], only: ['only', ['minilm', 'gpt2']],
  }, 'node bench/tokenizers.mjs [--mb N] [--reps N] [--batch N] [--only minilm|gpt2]');
}

function log(msg) { process.stderr.write(`bench: ${msg}\n`); }

/** Runs fn reps times; returns the best wall time (ms) and fn's last result. */
async function best(reps, fn) {
  let ms = Infinity;
  let result;
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    result = await fn();
    ms = Math.min(ms, performance.now() - start);
  }
  return { ms, result };
}

function sameIds(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function benchOne(spec, lines, bytes, opts) {
  const rows = [];
  const chunks = [];
  for (let i = 0; i < lines.length; i += opts.batch) chunks.push(lines.slice(i, i + opts.batch));
  const json = JSON.parse(spec.json);

  const ours = Tokenizer.fromJSON(spec.json);
  const native = rust.Tokenizer.fromString(spec.json);
  native.disablePadding();
  native.disableTruncation();
  const pure = new HFTokenizer(json, {});
  const off = { truncation: false, padding: false };

  // Rust's batch, twice: as a JS user gets it (ids read with getIds(), which builds a JS array
  // element by element through N-API) and the native work alone (encodings left in Rust), the
  // stricter comparison. The first also gives the reference ids.
  const rustBatch = await best(opts.reps, async () => {
    const ids = [];
    for (const chunk of chunks) for (const e of await native.encodeBatch(chunk)) ids.push(e.getIds());
    return ids;
  });
  const want = rustBatch.result;
  const rustBatchNative = await best(opts.reps, async () => {
    let n = 0;
    for (const chunk of chunks) n += (await native.encodeBatch(chunk)).length;
    return n;
  });
  const tokens = want.reduce((n, ids) => n + ids.length, 0);
  const disagree = (got) => {
    let bad = 0;
    let first = null;
    for (let i = 0; i < lines.length; i++) {
      if (!sameIds(got[i], want[i])) {
        bad++;
        first ??= { line: i, text: lines[i].slice(0, 120), rust: Array.from(want[i]).slice(0, 12), other: Array.from(got[i]).slice(0, 12) };
      }
    }
    return { bad, first };
  };

  // tetra's timed passes keep nothing (retaining 100,000 results would time the garbage
  // collector too); an untimed pass of each kind checks the ids.
  const tetraLine = await best(opts.reps, () => {
    let n = 0;
    for (const line of lines) n += ours.encode(line, off).length;
    return n;
  });
  tetraLine.result = lines.map((line) => ours.encode(line, off).ids);
  const tetraBatch = await best(opts.reps, () => {
    let n = 0;
    for (const chunk of chunks) for (const e of ours.encodeBatch(chunk, off)) n += e.length;
    return n;
  });
  tetraBatch.result = [];
  for (const chunk of chunks) for (const e of ours.encodeBatch(chunk, off)) tetraBatch.result.push(e.ids.slice());
  const rustLine = await best(Math.min(opts.reps, 2), async () => {
    const ids = [];
    for (const line of lines) ids.push((await native.encode(line, null)).getIds());
    return ids;
  });
  const pureLine = await best(Math.min(opts.reps, 2), () => lines.map((line) => pure.encode(line).ids));

  const add = (library, mode, r) => {
    const check = Array.isArray(r.result) ? disagree(r.result) : { bad: 0, first: null };
    rows.push({ tokenizer: spec.name, library, mode, ms: r.ms, mbPerS: bytes / 1e6 / (r.ms / 1000), tokensPerS: tokens / (r.ms / 1000), linesDisagreeingWithRust: check.bad, firstDisagreement: check.first });
  };
  add('tetra-wasm', 'line', tetraLine);
  add('tetra-wasm', `batch ${opts.batch}`, tetraBatch);
  add('rust-native', 'line (async encode)', rustLine);
  add('rust-native', `batch ${opts.batch} (encodeBatch + getIds)`, rustBatch);
  add('rust-native', `batch ${opts.batch} (encodeBatch, ids left in Rust)`, rustBatchNative);
  add('hf-tokenizers-js', 'line', pureLine);
  ours.free();
  return { rows, tokens };
}

function pad(s, n) { return String(s).padEnd(n); }
function num(x, digits = 1) { return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }); }

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  await init();
  const lines = corpusSample(opts.mb * 1e6);
  const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l, 'utf8'), 0);
  log(`${lines.length} lines, ${num(bytes / 1e6, 2)} MB of UTF-8 (SpamAssassin${existsSync(`${SHARED}datasets`) ? ' + Pang & Lee' : ''}); best of ${opts.reps} (Rust per-line and pure JS: best of ${Math.min(opts.reps, 2)})`);
  const specs = parityTokenizers().filter((s) => s.name === 'minilm-wordpiece' || s.name === 'gpt2-bytelevel-bpe')
    .filter((s) => !opts.only || s.name.startsWith(opts.only));
  const results = [];
  for (const spec of specs) {
    if (!spec.json) { log(`skipping ${spec.name}: ${spec.missing}`); continue; }
    log(`${spec.name} ...`);
    results.push({ name: spec.name, ...(await benchOne(spec, lines, bytes, opts)) });
  }
  if (!results.length) { log('no tokenizer files (../shared is absent); nothing to measure'); return; }

  const out = [];
  out.push(`| tokenizer | library | mode | MB/s | tokens/s | ms | lines ≠ Rust |`);
  out.push('|---|---|---|---:|---:|---:|---:|');
  for (const { rows } of results) {
    for (const r of rows) out.push(`| ${r.tokenizer} | ${r.library} | ${r.mode} | ${num(r.mbPerS, 2)} | ${num(r.tokensPerS / 1e6, 2)} M | ${num(r.ms, 0)} | ${r.linesDisagreeingWithRust} |`);
  }
  out.push('');
  out.push('| tokenizer | tetra / Rust (line) | tetra / Rust (batch) | tetra / Rust (batch, ids left in Rust) | tetra / pure JS (line) | tetra batch / pure JS |');
  out.push('|---|---:|---:|---:|---:|---:|');
  const ratios = [];
  for (const { name, rows } of results) {
    const get = (lib, mode) => rows.find((r) => r.library === lib && r.mode.startsWith(mode)).mbPerS;
    const r = {
      tokenizer: name,
      vsRustLine: get('tetra-wasm', 'line') / get('rust-native', 'line'),
      vsRustBatch: get('tetra-wasm', 'batch') / get('rust-native', `batch ${opts.batch} (encodeBatch + getIds)`),
      vsRustBatchNative: get('tetra-wasm', 'batch') / get('rust-native', `batch ${opts.batch} (encodeBatch, ids left`),
      vsPureJsLine: get('tetra-wasm', 'line') / get('hf-tokenizers-js', 'line'),
      vsPureJsBatch: get('tetra-wasm', 'batch') / get('hf-tokenizers-js', 'line'),
    };
    ratios.push(r);
    out.push(`| ${name} | ${num(r.vsRustLine, 2)}x | ${num(r.vsRustBatch, 2)}x | ${num(r.vsRustBatchNative, 2)}x | ${num(r.vsPureJsLine, 1)}x | ${num(r.vsPureJsBatch, 1)}x |`);
  }
  console.log(out.join('\n'));
  const misses = [];
  for (const r of ratios) {
    if (r.vsRustBatchNative < TARGET_RUST) misses.push(`${r.tokenizer}: batch ${num(r.vsRustBatchNative, 2)}x Rust's native encodeBatch (target >= ${TARGET_RUST}x)`);
    if (r.vsPureJsLine < TARGET_JS) misses.push(`${r.tokenizer}: ${num(r.vsPureJsLine, 1)}x pure JS (target >= ${TARGET_JS}x)`);
  }
  for (const { rows } of results) {
    for (const r of rows) if (r.firstDisagreement) log(`${r.tokenizer} ${r.library}: ${r.linesDisagreeingWithRust} lines differ from Rust, first: ${JSON.stringify(r.firstDisagreement)}`);
  }
  log(misses.length ? `targets missed: ${misses.join('; ')}` : 'targets met: tetra >= Rust and >= 5x pure JS on both tokenizers');

  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'tokenizers.json'), `${JSON.stringify({
    date: new Date().toISOString(), commit: gitCommit(), cpu: cpuModel(), cores: os.cpus().length, node: process.version,
    core: coreVersion(), lines: lines.length, bytes, reps: opts.reps, batch: opts.batch, env: SINGLE_THREAD_ENV,
    results: results.map(({ name, tokens, rows }) => ({ name, tokens, rows })), ratios,
  }, null, 2)}\n`);
  log(`wrote ${join(OUT, 'tokenizers.json')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
