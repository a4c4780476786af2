// The tokenizers that the parity tests and the benchmark use, as tokenizer.json text (plus the
// GPT-2 source files for Tokenizer.fromGPT2). Files from ../shared are optional: each entry has
// `missing` (a message to print when skipping) instead of `json` when they are absent.
import { existsSync, readFileSync } from 'node:fs';
import { ROOT } from './helpers.js';
import { SHARED } from './corpora.js';

const MINILM = `${SHARED}models/all-MiniLM-L6-v2/tokenizer.json`;
const GPT2_DIR = `${SHARED}models/gpt2-tokenizer/`;
const SP_DIR = `${ROOT}tests/golden/text/`;

/**
 * GPT-2's tokenizer.json as transformers' GPT2Converter writes it for GPT2TokenizerFast (the
 * file on the Hub for "gpt2" has this shape): ByteLevel pre-tokenizer without a prefix space,
 * BPE over encoder.json with vocab.bpe's merges (after its "#version" line), ByteLevel
 * post-processor (trim_offsets false) and decoder, and <|endoftext|> as an added special token.
 */
export function gpt2TokenizerJson(encoderText, mergesText) {
  const vocab = JSON.parse(encoderText);
  const merges = [];
  for (const line of mergesText.split('\n')) {
    if (line.startsWith('#version') || line.trim() === '') continue;
    merges.push(line);
  }
  const eot = vocab['<|endoftext|>'];
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: eot === undefined ? [] : [{
      id: eot, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false, normalized: true, special: true,
    }],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
    },
  });
}

/** { name, json?, missing?, gpt2?: { encoder, merges } } for each tokenizer of the parity tests. */
export function parityTokenizers() {
  const list = [];
  list.push(existsSync(MINILM)
    ? { name: 'minilm-wordpiece', json: readFileSync(MINILM, 'utf8') }
    : { name: 'minilm-wordpiece', missing: `${MINILM} is absent` });
  if (existsSync(`${GPT2_DIR}encoder.json`)) {
    const encoder = readFileSync(`${GPT2_DIR}encoder.json`, 'utf8');
    const merges = readFileSync(`${GPT2_DIR}vocab.bpe`, 'utf8');
    list.push({ name: 'gpt2-bytelevel-bpe', json: gpt2TokenizerJson(encoder, merges), gpt2: { encoder, merges } });
  } else {
    list.push({ name: 'gpt2-bytelevel-bpe', missing: `${GPT2_DIR} is absent` });
  }
  // SentencePiece-style models trained on SpamAssassin (tools/golden/text/make_sp_tokenizers.py).
  for (const name of ['sp-unigram', 'sp-bpe']) {
    const path = `${SP_DIR}${name}/tokenizer.json`;
    list.push(existsSync(path)
      ? { name, json: readFileSync(path, 'utf8') }
      : { name, missing: `${path} is absent (tools/golden/text/make_sp_tokenizers.py writes it)` });
  }
  return list;
}
