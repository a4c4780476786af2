/* tetra text: tokenizers that load a Hugging Face tokenizer.json (WordPiece, BPE, Unigram,
 * WordLevel) and encode and decode exactly as the Rust `tokenizers` library does.
 *
 * Input text is UTF-8. Invalid sequences are replaced by U+FFFD (one per maximal invalid subpart,
 * as WHATWG's decoder and JavaScript's TextEncoder on lone surrogates do) before anything else;
 * offsets still refer to the caller's original bytes.
 *
 * A tokenizer is immutable after loading except for internal caches and scratch memory, so one
 * tokenizer must not be used by two threads at the same time. */
#ifndef TETRA_TEXT_H
#define TETRA_TEXT_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tetra_tokenizer tetra_tokenizer;

/* Loads a tokenizer.json document. Errors name the JSON path at fault ("tokenizer.json: model.vocab:
 * ...") or the unsupported component. */
tetra_status tetra_tokenizer_from_json(const char *json, size_t len, const tetra_allocator *allocator,
                                       tetra_tokenizer **out, tetra_error *err);
/* Older formats that models still ship, loaded into the same pipeline as the tokenizer.json that the
 * Hugging Face converters would write for them:
 *  - BERT vocab.txt (one token per line): BertNormalizer(lowercase) + BertPreTokenizer + WordPiece
 *    + BertProcessing, as BertTokenizerFast; lowercase != 0 for uncased vocabularies;
 *  - GPT-2 encoder.json + vocab.bpe: ByteLevel BPE, as GPT2TokenizerFast;
 *  - llama2.c tokenizer.bin (scores, SentencePiece BPE with byte fallback);
 *  - GGUF vocabulary metadata (tokenizer.ggml.*: llama, gpt2 and bert models). */
tetra_status tetra_tokenizer_from_vocab_txt(const char *vocab, size_t len, int lowercase,
                                            const tetra_allocator *allocator, tetra_tokenizer **out,
                                            tetra_error *err);
tetra_status tetra_tokenizer_from_gpt2(const char *encoder_json, size_t encoder_len,
                                       const char *vocab_bpe, size_t vocab_len,
                                       const tetra_allocator *allocator, tetra_tokenizer **out,
                                       tetra_error *err);
tetra_status tetra_tokenizer_from_llama2c(const void *bin, size_t len,
                                          const tetra_allocator *allocator, tetra_tokenizer **out,
                                          tetra_error *err);
tetra_status tetra_tokenizer_from_gguf(const void *gguf, size_t len,
                                       const tetra_allocator *allocator, tetra_tokenizer **out,
                                       tetra_error *err);
void tetra_tokenizer_free(tetra_tokenizer *tok);

typedef enum tetra_offset_unit {
  TETRA_OFFSETS_BYTES = 0, /* UTF-8 bytes of the input */
  TETRA_OFFSETS_UTF16 = 1, /* UTF-16 code units (JavaScript string indices) */
  TETRA_OFFSETS_CHARS = 2  /* code points (what the Rust library's bindings report) */
} tetra_offset_unit;

typedef enum tetra_truncation_strategy {
  TETRA_TRUNCATE_LONGEST_FIRST = 0,
  TETRA_TRUNCATE_ONLY_FIRST = 1,
  TETRA_TRUNCATE_ONLY_SECOND = 2
} tetra_truncation_strategy;

typedef enum tetra_padding_mode {
  TETRA_PAD_LONGEST = 0, /* to the longest encoding of the batch */
  TETRA_PAD_FIXED = 1    /* to max_length */
} tetra_padding_mode;

/* Options for one encode or batch. Zero-initialise, then set what you need: the zero value means
 * "as tokenizer.json says" for truncation and padding, special tokens on, byte offsets.
 * (tetra_encode_options_default gives exactly that.) */
typedef struct tetra_encode_options {
  int skip_special_tokens;  /* nonzero: no post-processor special tokens (add_special_tokens=false) */
  int truncation;           /* TETRA_ENCODE_AS_TOKENIZER, _OFF or _ON (then the fields below) */
  int padding;              /* likewise */
  tetra_offset_unit offset_unit;
  /* Used when truncation == TETRA_ENCODE_ON: */
  uint32_t max_length;
  uint32_t stride;
  tetra_truncation_strategy strategy;
  int truncate_left; /* nonzero: drop tokens from the start */
  /* Used when padding == TETRA_ENCODE_ON: */
  tetra_padding_mode pad_mode;
  uint32_t pad_length;          /* for TETRA_PAD_FIXED */
  uint32_t pad_to_multiple_of;  /* 0: none */
  int pad_left;
} tetra_encode_options;
/* truncation and padding fields: 0 = as tokenizer.json, 1 = off, 2 = on with the fields below. */
#define TETRA_ENCODE_AS_TOKENIZER 0
#define TETRA_ENCODE_OFF 1
#define TETRA_ENCODE_ON 2
void tetra_encode_options_default(tetra_encode_options *opt);

/* One encoded sequence (or pair). Arrays have len entries; offsets has 2*len (start, end) in the
 * unit asked for, (0, 0) for special and padding tokens as in the Rust library. word_ids and
 * sequence_ids are -1 where the Rust library has None. */
typedef struct tetra_encoding {
  uint32_t len;
  uint32_t *ids;
  uint32_t *type_ids;
  uint8_t *attention_mask;
  uint8_t *special_tokens_mask;
  int32_t *word_ids;
  int32_t *sequence_ids;
  uint32_t *offsets;
  /* Truncation with overflow: the windows after the first, each a full encoding. */
  uint32_t n_overflowing;
  struct tetra_encoding **overflowing;
} tetra_encoding;

/* Encodes text (and pair, when pair != NULL). *out is freed with tetra_encoding_free. */
tetra_status tetra_tokenizer_encode(tetra_tokenizer *tok, const char *text, size_t len,
                                    const char *pair, size_t pair_len,
                                    const tetra_encode_options *opt, tetra_encoding **out,
                                    tetra_error *err);
/* Encodes n texts (pairs[i]/pair_lens[i] when pairs != NULL and pairs[i] != NULL), padding them
 * together when padding is on. out[n] receives n encodings; on failure none is returned and the
 * error names the failing item. */
tetra_status tetra_tokenizer_encode_batch(tetra_tokenizer *tok, size_t n, const char *const *texts,
                                          const size_t *lens, const char *const *pairs,
                                          const size_t *pair_lens, const tetra_encode_options *opt,
                                          tetra_encoding **out, tetra_error *err);
void tetra_encoding_free(tetra_encoding *enc);

/* Decodes ids to UTF-8 text (allocated with the tokenizer's allocator; free with tetra_text_free).
 * Ids out of range are an error naming the position. */
tetra_status tetra_tokenizer_decode(tetra_tokenizer *tok, const uint32_t *ids, size_t n,
                                    int skip_special_tokens, char **out, size_t *out_len,
                                    tetra_error *err);
void tetra_text_free(const tetra_tokenizer *tok, char *text);

/* Vocabulary, added tokens included. */
uint32_t tetra_tokenizer_vocab_size(const tetra_tokenizer *tok);
int tetra_tokenizer_token_to_id(const tetra_tokenizer *tok, const char *token, size_t len,
                                uint32_t *id);
const char *tetra_tokenizer_id_to_token(const tetra_tokenizer *tok, uint32_t id, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
