/* The pipeline's components, each built from its tokenizer.json object (HF tokenizers' serde
 * format): normalizers, pre-tokenizers, models. Decoders and post-processors live with the
 * tokenizer (tokenizer_impl.h).
 *
 * Every *_from_json gets the JSON value and its path (for example "normalizer.normalizers[1]") and
 * fails with TETRA_ERR_FORMAT naming that path and the field at fault, or TETRA_ERR_UNSUPPORTED
 * naming the component type, e.g. "tokenizer.json: pre_tokenizer.pretokenizers[0]: unsupported
 * pre-tokenizer type \"UnicodeScripts\"". JSON null means "none" and is handled by the caller. */
#ifndef TETRA_TEXT_COMPONENTS_H
#define TETRA_TEXT_COMPONENTS_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"
#include "text/nstr.h"

/* ---- string -> id hash map (vocabularies, merges keys, added tokens) -------------------------- */
typedef struct tt_strmap_entry tt_strmap_entry;
typedef struct tt_strmap {
  const tetra_allocator *alloc;
  tt_strmap_entry *slots; /* open addressing */
  size_t n_slots, count;
  char *keys; /* all key bytes, one block */
  size_t keys_len, keys_cap;
} tt_strmap;
tetra_status tt_strmap_init(tt_strmap *m, const tetra_allocator *a, size_t expected, tetra_error *err);
void tt_strmap_free(tt_strmap *m);
/* Inserts or overwrites (the key bytes are copied). */
tetra_status tt_strmap_put(tt_strmap *m, const char *key, size_t len, uint32_t value, tetra_error *err);
/* 1 and *value when present, 0 when absent. */
int tt_strmap_get(const tt_strmap *m, const char *key, size_t len, uint32_t *value);

/* ---- normalizers ------------------------------------------------------------------------------ */
typedef struct tt_normalizer tt_normalizer;
tetra_status tt_normalizer_from_json(const tetra_json *j, const char *path, const tetra_allocator *a,
                                     tt_normalizer **out, tetra_error *err);
void tt_normalizer_free(tt_normalizer *n);
tetra_status tt_normalizer_apply(const tt_normalizer *n, tt_nstr *ns, tetra_error *err);

/* ---- pre-tokenizers --------------------------------------------------------------------------- */
typedef struct tt_pretokenizer tt_pretokenizer;
tetra_status tt_pretokenizer_from_json(const tetra_json *j, const char *path,
                                       const tetra_allocator *a, tt_pretokenizer **out,
                                       tetra_error *err);
void tt_pretokenizer_free(tt_pretokenizer *p);
/* Splits, in place, every split of pt that has no tokens yet (HF PreTokenizedString::split). */
tetra_status tt_pretokenizer_apply(const tt_pretokenizer *p, tt_pretok *pt, tetra_error *err);
/* Whether p only cuts a split into pieces of its own, unchanged text (Bert, Whitespace,
 * WhitespaceSplit, Digits, CharDelimiterSplit; not a Sequence). For those, the tokenizer skips
 * building a normalized string per piece: tt_pretokenizer_slice_spans appends to m the [start, end)
 * byte ranges of text that tt_pretokenizer_apply would make splits of (non-empty, in order). */
int tt_pretokenizer_only_slices(const tt_pretokenizer *p);
tetra_status tt_pretokenizer_slice_spans(const tt_pretokenizer *p, const char *text, uint32_t len,
                                         tt_matches *m, const tetra_allocator *a,
                                         tetra_error *err);

/* ---- models ----------------------------------------------------------------------------------- */
typedef struct tt_tokens {
  const tetra_allocator *alloc;
  tt_token *items;
  size_t n, cap;
} tt_tokens;
tetra_status tt_tokens_push(tt_tokens *t, uint32_t id, uint32_t start, uint32_t end, tetra_error *err);

typedef struct tt_model tt_model;
tetra_status tt_model_from_json(const tetra_json *j, const char *path, const tetra_allocator *a,
                                tt_model **out, tetra_error *err);
void tt_model_free(tt_model *m);
/* Tokenizes one pre-token (valid UTF-8, len bytes), appending its tokens to out with byte offsets
 * relative to text. Not reentrant for one model (a model may keep a cache): one thread at a time. */
tetra_status tt_model_tokenize(tt_model *m, const char *text, uint32_t len, tt_tokens *out,
                               tetra_error *err);
/* Vocabulary lookups (model vocabulary only; added tokens are the tokenizer's). */
int tt_model_token_to_id(const tt_model *m, const char *token, size_t len, uint32_t *id);
const char *tt_model_id_to_token(const tt_model *m, uint32_t id, size_t *len); /* NULL if none */
uint32_t tt_model_vocab_size(const tt_model *m);
/* "WordPiece", "BPE", "Unigram" or "WordLevel". */
const char *tt_model_type(const tt_model *m);

#endif
