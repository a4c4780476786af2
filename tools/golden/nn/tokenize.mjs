// Tokenizes text for make_encoder_golden.py with the real tokenizers (the Rust library, npm
// @anush008/tokenizers = tokenizers 0.22): reads a JSON request on stdin,
//   {"tokenizer": "minilm" | "roberta" | "sp-unigram", "texts": [...], "pairs": [[a, b], ...]}
// and prints {"file": ..., "vocab_size": n, "pad_id": n, "single": [enc...], "pairs": [enc...]}
// with enc = {"ids", "type_ids", "tokens"}, special tokens added, no truncation, no padding (the
// caller pads). Paths are relative to the repository.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { buildRobertaTokenizer } from './roberta_tokenizer.mjs';

const require = createRequire(import.meta.url);
const T = require('@anush008/tokenizers');
const repo = fileURLToPath(new URL('../../../', import.meta.url));

const SOURCES = {
  minilm: { file: '../shared/models/all-MiniLM-L6-v2/tokenizer.json', pad: '[PAD]' },
  roberta: { file: '../shared/models/gpt2-tokenizer (tools/golden/nn/roberta_tokenizer.mjs)', pad: '<pad>' },
  'sp-unigram': { file: 'tests/golden/text/sp-unigram/tokenizer.json', pad: '<pad>' },
};

function load(which) {
  let json;
  if (which === 'roberta') {
    json = buildRobertaTokenizer(repo + '../shared/models/gpt2-tokenizer');
  } else {
    const path = repo + SOURCES[which].file;
    if (!existsSync(path)) throw new Error(`${path}: missing`);
    json = JSON.parse(readFileSync(path, 'utf8'));
  }
  // The golden inputs are the whole texts; the caller pads to the batch's longest.
  json.truncation = null;
  json.padding = null;
  return T.Tokenizer.fromString(JSON.stringify(json));
}

const request = JSON.parse(readFileSync(0, 'utf8'));
const src = SOURCES[request.tokenizer];
if (!src) throw new Error(`unknown tokenizer ${request.tokenizer}`);
const tok = load(request.tokenizer);
const pick = (e) => ({ ids: e.getIds(), type_ids: e.getTypeIds(), tokens: e.getTokens() });
const single = [];
for (const text of request.texts ?? []) {
  single.push(pick(await tok.encode(text, null, { addSpecialTokens: true })));
}
const pairs = [];
for (const [a, b] of request.pairs ?? []) {
  pairs.push(pick(await tok.encode(a, b, { addSpecialTokens: true })));
}
process.stdout.write(JSON.stringify({
  file: src.file,
  vocab_size: tok.getVocabSize(true),
  pad_id: tok.tokenToId(src.pad),
  single,
  pairs,
}));
