// Checks the script table of the UnicodeScripts pre-tokenizer (src/text/pretok_tables.c, made by
// tools/unicode/make_pretok_tables.py) against the Rust tokenizers library (npm @anush008/tokenizers,
// tokenizers 0.22) over every code point.
//
//   node tools/golden/text/check_unicode_scripts.mjs
//
// The library only shows where pieces start, so the table is probed by strings whose cuts depend on
// each code point's script: all code points in order (a cut wherever the script changes), and every
// code point after an anchor character of a given script (cuts around it unless it has the anchor's
// script or is "Any"). The table's cuts, simulated here as HF's pre_tokenize computes them, must
// equal the library's in every probe. Prints the mismatches and exits 1 when there are any.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('@anush008/tokenizers');

const source = readFileSync(new URL('../../../src/text/pretok_tables.c', import.meta.url), 'utf8');
const array = (name) =>
  source.match(new RegExp(`${name}\\[N_RUNS\\] = \\{([^}]*)\\}`))[1].split(',').map((s) => s.trim())
    .filter(Boolean).map(Number);
const runStart = array('RUN_START');
const runScript = array('RUN_SCRIPT');
function script(cp) {
  let lo = 0, hi = runStart.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (runStart[mid] <= cp) lo = mid; else hi = mid;
  }
  return runScript[lo];
}

const json = {
  version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
  pre_tokenizer: { type: 'UnicodeScripts' }, post_processor: null, decoder: null,
  model: { type: 'WordLevel', vocab: { '[UNK]': 0 }, unk_token: '[UNK]' },
};
const pt = Tokenizer.fromString(JSON.stringify(json)).getPreTokenizer();

const cps = [];
for (let c = 0; c < 0x110000; c++) if (c < 0xd800 || c > 0xdfff) cps.push(c);

// HF's cut rule over one string: a cut before every character whose script is not Any and differs
// from the last non-Any script seen (the first non-Any character included).
function cutsOf(seq) {
  const cuts = [];
  let last = -1;
  seq.forEach((c, i) => {
    const s = script(c);
    if (s !== 0 && s !== last) cuts.push(i);
    if (s !== 0) last = s;
  });
  return cuts;
}

let failures = 0;
const CHUNK = 50000;
const anchors = [null, 0x61, 0x30, 0x4e00, 0x300, 0x627, 0x915, 0x430, 0x3b1, 0xc95, 0xa90a, 0x10d0];
for (const anchor of anchors) {
  let bad = 0;
  for (let i = 0; i < cps.length; i += CHUNK) {
    const seq = [];
    for (const c of cps.slice(i, i + CHUNK)) {
      if (anchor !== null) seq.push(anchor);
      seq.push(c);
    }
    let text = '';
    for (const c of seq) text += String.fromCodePoint(c);
    const want = pt.preTokenizeString(text).map(([, [start]]) => start);
    const got = cutsOf(seq);
    const w = new Set(want), g = new Set(got);
    for (const k of want) if (!g.has(k)) { bad++; if (bad < 10) console.log(`anchor ${anchor}: missing cut before U+${seq[k].toString(16)}`); }
    for (const k of got) if (!w.has(k)) { bad++; if (bad < 10) console.log(`anchor ${anchor}: extra cut before U+${seq[k].toString(16)}`); }
  }
  console.log(`anchor ${anchor === null ? 'none (all code points in order)' : 'U+' + anchor.toString(16)}: ${bad} mismatches`);
  failures += bad;
}
process.exit(failures ? 1 : 0);
