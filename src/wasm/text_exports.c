/* The tokenizer part of the C ABI for js/tokenizer.js. Thin: loaders return the handle (NULL with
 * err set), encode runs tetra_tokenizer_encode_batch as it is (JS lays out the pointer and length
 * arrays in wasm memory) and then packs the n encodings, with their overflowing windows, into
 * one flat block so that JS copies each field with one typed-array slice instead of walking
 * structs. Options cross as an array of uint32 so JS does not depend on the struct's layout.
 * Decoding and the vocabulary calls (tetra_tokenizer_decode, tetra_text_free,
 * tetra_tokenizer_vocab_size, _token_to_id, _id_to_token, _free) are exported as they are. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tetra/text.h"

tetra_tokenizer *tetra_wasm_tokenizer_from_json(const char *json, size_t len, tetra_error *err) {
  tetra_tokenizer *tok = NULL;
  tetra_tokenizer_from_json(json, len, NULL, &tok, err);
  return tok;
}
tetra_tokenizer *tetra_wasm_tokenizer_from_vocab_txt(const char *vocab, size_t len, int lowercase,
                                                     tetra_error *err) {
  tetra_tokenizer *tok = NULL;
  tetra_tokenizer_from_vocab_txt(vocab, len, lowercase, NULL, &tok, err);
  return tok;
}
tetra_tokenizer *tetra_wasm_tokenizer_from_gpt2(const char *encoder, size_t encoder_len,
                                                const char *merges, size_t merges_len,
                                                tetra_error *err) {
  tetra_tokenizer *tok = NULL;
  tetra_tokenizer_from_gpt2(encoder, encoder_len, merges, merges_len, NULL, &tok, err);
  return tok;
}
tetra_tokenizer *tetra_wasm_tokenizer_from_llama2c(const void *bin, size_t len, tetra_error *err) {
  tetra_tokenizer *tok = NULL;
  tetra_tokenizer_from_llama2c(bin, len, NULL, &tok, err);
  return tok;
}
tetra_tokenizer *tetra_wasm_tokenizer_from_gguf(const void *gguf, size_t len, tetra_error *err) {
  tetra_tokenizer *tok = NULL;
  tetra_tokenizer_from_gguf(gguf, len, NULL, &tok, err);
  return tok;
}

/* Option words, in this order (js/tokenizer.js writes them): */
enum {
  OPT_SKIP_SPECIAL, OPT_TRUNCATION, OPT_PADDING, OPT_OFFSET_UNIT, OPT_MAX_LENGTH, OPT_STRIDE,
  OPT_STRATEGY, OPT_TRUNCATE_LEFT, OPT_PAD_MODE, OPT_PAD_LENGTH, OPT_PAD_MULTIPLE, OPT_PAD_LEFT,
  OPT_COUNT
};

static void read_options(const uint32_t *w, tetra_encode_options *opt) {
  tetra_encode_options_default(opt);
  if (!w) return;
  opt->skip_special_tokens = (int)w[OPT_SKIP_SPECIAL];
  opt->truncation = (int)w[OPT_TRUNCATION];
  opt->padding = (int)w[OPT_PADDING];
  opt->offset_unit = (tetra_offset_unit)w[OPT_OFFSET_UNIT];
  opt->max_length = w[OPT_MAX_LENGTH];
  opt->stride = w[OPT_STRIDE];
  opt->strategy = (tetra_truncation_strategy)w[OPT_STRATEGY];
  opt->truncate_left = (int)w[OPT_TRUNCATE_LEFT];
  opt->pad_mode = (tetra_padding_mode)w[OPT_PAD_MODE];
  opt->pad_length = w[OPT_PAD_LENGTH];
  opt->pad_to_multiple_of = w[OPT_PAD_MULTIPLE];
  opt->pad_left = (int)w[OPT_PAD_LEFT];
}

/* The packed result. Encodings are listed depth first: each item's encoding, then its
 * overflowing windows, each followed by its own (a pair's windows have windows of their own, as in
 * the Rust library). JS reads the header as uint32 words: */
enum {
  RES_ENCODINGS,    /* m: encodings in all, overflowing windows included */
  RES_TOKENS,       /* tokens over all m encodings */
  RES_LENS,         /* uint32[m]: tokens per encoding */
  RES_KIDS,         /* uint32[m]: overflowing windows directly under each encoding */
  RES_IDS,          /* uint32[tokens] */
  RES_TYPE_IDS,     /* uint32[tokens] */
  RES_OFFSETS,      /* uint32[2 * tokens] */
  RES_WORD_IDS,     /* int32[tokens] */
  RES_SEQUENCE_IDS, /* int32[tokens] */
  RES_ATTENTION,    /* uint8[tokens] */
  RES_SPECIAL,      /* uint8[tokens] */
  RES_WORDS
};

typedef struct packer {
  uint32_t *lens, *kids, *ids, *type_ids, *offsets;
  int32_t *word_ids, *sequence_ids;
  uint8_t *attention, *special;
  size_t e, t; /* encodings and tokens written */
} packer;

static void count(const tetra_encoding *enc, size_t *m, size_t *tokens) {
  *m += 1;
  *tokens += enc->len;
  for (uint32_t k = 0; k < enc->n_overflowing; k++) count(enc->overflowing[k], m, tokens);
}

static void put(const tetra_encoding *enc, packer *p) {
  size_t len = enc->len, t = p->t;
  p->lens[p->e] = (uint32_t)len;
  p->kids[p->e] = enc->n_overflowing;
  p->e++;
  if (len) {
    memcpy(p->ids + t, enc->ids, len * 4);
    memcpy(p->type_ids + t, enc->type_ids, len * 4);
    memcpy(p->offsets + 2 * t, enc->offsets, len * 8);
    memcpy(p->word_ids + t, enc->word_ids, len * 4);
    memcpy(p->sequence_ids + t, enc->sequence_ids, len * 4);
    memcpy(p->attention + t, enc->attention_mask, len);
    memcpy(p->special + t, enc->special_tokens_mask, len);
    p->t += len;
  }
  for (uint32_t k = 0; k < enc->n_overflowing; k++) put(enc->overflowing[k], p);
}

/* One allocation: the header, then the arrays (32-bit ones first, so all stay aligned), so that JS
 * copies the whole result with one slice. */
static uint32_t *pack(tetra_encoding *const *encs, size_t n, tetra_error *err) {
  size_t m = 0, tokens = 0;
  for (size_t i = 0; i < n; i++) count(encs[i], &m, &tokens);
  if (tokens > (SIZE_MAX / 4 - RES_WORDS) / 8 || m > (SIZE_MAX / 4 - RES_WORDS) / 4 ||
      tokens > UINT32_MAX / 2 || m > UINT32_MAX) {
    tetra_error_set(err, TETRA_ERR_LIMIT, "encode: %zu tokens do not fit in wasm memory", tokens);
    return NULL;
  }
  size_t bytes = (RES_WORDS + 2 * m + 6 * tokens) * 4 + 2 * tokens;
  uint32_t *h = malloc(bytes);
  if (!h) {
    tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "encode: cannot allocate %zu bytes for %zu tokens",
                    bytes, tokens);
    return NULL;
  }
  packer p;
  p.lens = h + RES_WORDS;
  p.kids = p.lens + m;
  p.ids = p.kids + m;
  p.type_ids = p.ids + tokens;
  p.offsets = p.type_ids + tokens;
  p.word_ids = (int32_t *)(p.offsets + 2 * tokens);
  p.sequence_ids = p.word_ids + tokens;
  p.attention = (uint8_t *)(p.sequence_ids + tokens);
  p.special = p.attention + tokens;
  p.e = p.t = 0;
  h[RES_ENCODINGS] = (uint32_t)m;
  h[RES_TOKENS] = (uint32_t)tokens;
  h[RES_LENS] = (uint32_t)(uintptr_t)p.lens;
  h[RES_KIDS] = (uint32_t)(uintptr_t)p.kids;
  h[RES_IDS] = (uint32_t)(uintptr_t)p.ids;
  h[RES_TYPE_IDS] = (uint32_t)(uintptr_t)p.type_ids;
  h[RES_OFFSETS] = (uint32_t)(uintptr_t)p.offsets;
  h[RES_WORD_IDS] = (uint32_t)(uintptr_t)p.word_ids;
  h[RES_SEQUENCE_IDS] = (uint32_t)(uintptr_t)p.sequence_ids;
  h[RES_ATTENTION] = (uint32_t)(uintptr_t)p.attention;
  h[RES_SPECIAL] = (uint32_t)(uintptr_t)p.special;
  for (size_t i = 0; i < n; i++) put(encs[i], &p);
  return h;
}

/* Encodes n items: texts[i]/lens[i], with pairs[i]/pair_lens[i] when pairs != NULL and
 * pairs[i] != NULL (in wasm32, size_t and pointers are both uint32, so JS fills these arrays
 * directly). Returns the packed result (free with tetra_wasm_free) or NULL with err set. */
uint32_t *tetra_wasm_tokenizer_encode(tetra_tokenizer *tok, size_t n, const char *const *texts,
                                      const size_t *lens, const char *const *pairs,
                                      const size_t *pair_lens, const uint32_t *options,
                                      tetra_error *err) {
  tetra_encode_options opt;
  read_options(options, &opt);
  tetra_encoding *one = NULL;
  tetra_encoding **encs = &one;
  if (n > 1) {
    encs = calloc(n, sizeof *encs);
    if (!encs) {
      tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "encode: cannot allocate a batch of %zu", n);
      return NULL;
    }
  }
  uint32_t *result = NULL;
  tetra_status st = TETRA_OK;
  if (n == 0) {
    /* nothing to encode: an empty result */
  } else if (n == 1) {
    /* One item: the single-encode entry point (no batch bookkeeping). */
    const char *pair = pairs ? pairs[0] : NULL;
    st = tetra_tokenizer_encode(tok, texts[0], lens[0], pair, pair ? pair_lens[0] : 0, &opt, encs,
                                err);
  } else {
    st = tetra_tokenizer_encode_batch(tok, n, texts, lens, pairs, pair_lens, &opt, encs, err);
  }
  if (st == TETRA_OK) {
    result = pack(encs, n, err);
    for (size_t i = 0; i < n; i++) tetra_encoding_free(encs[i]);
  }
  if (encs != &one) free(encs);
  return result;
}
