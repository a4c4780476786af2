// A RoBERTa-style tokenizer.json built from the GPT-2 byte-level BPE files in
// ../shared/models/gpt2-tokenizer (encoder.json, vocab.bpe), for the "roberta" nn golden.
//
//   node tools/golden/nn/roberta_tokenizer.mjs OUT.json [GPT2_DIR]
//
// GPT-2's vocabulary has no <s>, <pad>, </s>, <unk> or <mask>. They are placed as in roberta-base:
// <s>=0, <pad>=1, </s>=2, <unk>=3 at the front (every GPT-2 id shifted by +4, so
// <|endoftext|> = 50260) and <mask> last (50261): vocab_size 50262, pad_token_id 1. Putting the
// specials at the end instead would make pad_token_id 50258, and RoBERTa's position ids (which
// start at pad_token_id + 1) would need a 50,000-row position table. The rest is roberta-base's
// tokenizer.json: ByteLevel pre-tokenizer and decoder, BPE without unk, RobertaProcessing
// (<s> A </s> and <s> A </s></s> B </s>, type ids all 0), no normalizer.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROBERTA_SPECIALS = { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3 };
export const ROBERTA_SHIFT = 4;

export function buildRobertaTokenizer(gpt2Dir) {
  const encoder = JSON.parse(readFileSync(join(gpt2Dir, 'encoder.json'), 'utf8'));
  const merges = readFileSync(join(gpt2Dir, 'vocab.bpe'), 'utf8')
    .split('\n')
    .filter((line, i) => line.length > 0 && !(i === 0 && line.startsWith('#version')));
  const vocab = { ...ROBERTA_SPECIALS };
  let maxId = 0;
  for (const [token, id] of Object.entries(encoder)) {
    vocab[token] = id + ROBERTA_SHIFT;
    maxId = Math.max(maxId, id + ROBERTA_SHIFT);
  }
  const maskId = maxId + 1;
  vocab['<mask>'] = maskId;
  const special = (id, content, extra = {}) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true,
    ...extra,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [
      special(0, '<s>'), special(1, '<pad>'), special(2, '</s>'), special(3, '<unk>'),
      special(maskId, '<mask>', { lstrip: true, normalized: false }),
    ],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '',
      end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges,
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node tools/golden/nn/roberta_tokenizer.mjs OUT.json [GPT2_DIR]');
    process.exit(2);
  }
  const dir = process.argv[3] ?? fileURLToPath(new URL('../../../../shared/models/gpt2-tokenizer', import.meta.url));
  writeFileSync(out, JSON.stringify(buildRobertaTokenizer(dir)));
}
