/* Internals of the tokenizer (include/tetra/text.h): scratch memory, the added vocabulary, the
 * working encoding, post-processors, truncation and padding, decoders.
 *
 * The pipeline reproduces Hugging Face tokenizers 0.22 (tokenizers/src/tokenizer/mod.rs,
 * added_vocabulary.rs, encoding.rs, processors/, utils/truncation.rs, utils/padding.rs,
 * decoders/); comments in the .c files point out where HF's exact behaviour is surprising.
 *
 * Memory: everything an encode or decode call needs lives in the tokenizer's scratch (an arena
 * for small blocks, the heap for large ones, all released at the end of the call), so a call
 * allocates almost nothing after the first, and a failed call leaves nothing behind. The text
 * pipeline of one piece or chunk of input uses a second scratch (work), reset after each, so long
 * inputs need memory for their tokens but not for their normalized strings (tokenizer.c). */
#ifndef TETRA_TEXT_TOKENIZER_IMPL_H
#define TETRA_TEXT_TOKENIZER_IMPL_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/text.h"
#include "text/components.h"
#include "text/nstr.h"
#include "text/regex.h"

/* ---- scratch memory (tokenizer.c) -------------------------------------------------------------- */
typedef struct tt_scratch_big tt_scratch_big;
typedef struct tt_scratch {
  tetra_arena arena;            /* small blocks, reset per call */
  const tetra_allocator *heap;  /* large blocks, freed per call */
  tt_scratch_big *big;          /* live large blocks (doubly linked) */
  tetra_allocator alloc;        /* the allocator interface over both, for the components */
} tt_scratch;
void tt_scratch_init(tt_scratch *s, const tetra_allocator *heap);
/* Frees everything handed out since the last reset (keeps a moderate arena for the next call). */
void tt_scratch_reset(tt_scratch *s);
void tt_scratch_release(tt_scratch *s);
void *tt_scratch_alloc(tt_scratch *s, size_t size);

/* ---- UTF-8 sanitization (utf8_sanitize.c) ------------------------------------------------------ */
/* Length of the maximal invalid subpart at the start of s (0 if s starts with a valid char). */
size_t tt_utf8_invalid_len(const char *s, size_t n);
/* Replaces every maximal invalid subpart by U+FFFD (WHATWG / Unicode "best practice"). *out gets
 * the sanitized text and *map (|out|+1 entries) the caller's byte offset of each of its bytes. */
tetra_status tt_utf8_sanitize(tt_scratch *s, const char *in, size_t n, char **out, size_t *out_len,
                              uint32_t **map, tetra_error *err);
/* Rust regex's \w (Alphabetic, marks, decimal digits, connector punctuation, join controls). */
int tt_is_word_char(uint32_t cp);

/* ---- added vocabulary (added_vocab.c) ---------------------------------------------------------- */
typedef struct tt_added_token {
  char *content;
  uint32_t len;
  uint32_t id;
  uint8_t single_word, lstrip, rstrip, normalized, special;
} tt_added_token;

/* Byte trie of one matching set (leftmost-longest, like HF's aho-corasick sets). */
typedef struct tt_trie_node {
  uint32_t child;   /* first child, 0 = none (node 0 is the root) */
  uint32_t sibling; /* next sibling, 0 = none */
  int32_t id;       /* added token id ending here, -1 = none */
  uint8_t byte;
} tt_trie_node;
typedef struct tt_trie {
  tt_trie_node *nodes;
  uint32_t n, cap;
  uint32_t root_next[256]; /* root's children by first byte (0 = none), for the scan */
  int empty;               /* no patterns */
} tt_trie;

typedef struct tt_added_vocab {
  const tetra_allocator *alloc;
  tt_added_token *defs; /* one per distinct id (the latest definition wins, as in HF) */
  size_t n_defs, cap_defs;
  uint32_t *by_id; /* indices into defs sorted by id */
  tt_strmap content_to_id;
  tt_strmap special_set; /* contents of special tokens (value unused) */
  tt_trie raw;  /* tokens with normalized == false, matched on the input */
  tt_trie norm; /* tokens with normalized == true, matched on normalized text */
  uint32_t max_id_plus_one;
} tt_added_vocab;

struct tetra_tokenizer;
/* Parses tokenizer.json's added_tokens (may be NULL) and builds the matching sets. */
tetra_status tt_added_load(struct tetra_tokenizer *tok, const tetra_json *arr, tetra_error *err);
void tt_added_free(tt_added_vocab *av);
const tt_added_token *tt_added_by_id(const tt_added_vocab *av, uint32_t id);
/* One piece of an added-token split: a token id, or -1 for text between tokens. */
typedef struct tt_added_piece {
  int64_t id;
  uint32_t start, end;
} tt_added_piece;
/* HF AddedVocabulary::find_matches over text with one matching set; pieces cover the text. */
tetra_status tt_added_find(const tt_added_vocab *av, const tt_trie *trie, const char *text,
                           uint32_t len, tt_scratch *s, tt_added_piece **out, size_t *n,
                           tetra_error *err);

/* ---- the working encoding (encoding.c) --------------------------------------------------------- */
typedef struct tt_seqrange {
  uint32_t seq, start, end;
} tt_seqrange;

typedef struct tt_enc tt_enc;
struct tt_enc {
  uint32_t len, cap;
  uint32_t *ids;
  uint32_t *type_ids;
  int32_t *words;
  uint32_t *offsets; /* 2 per token, already in the caller's unit */
  uint8_t *special;
  uint8_t *attn;
  uint32_t *trim; /* (leading << 16) | trailing white space chars of the token's text */
  tt_seqrange *ranges;
  uint32_t n_ranges, cap_ranges;
  tt_enc **over;
  uint32_t n_over, cap_over;
};

tt_enc *tt_enc_new(tt_scratch *s, uint32_t cap);
tetra_status tt_enc_reserve(tt_scratch *s, tt_enc *e, uint32_t extra, tetra_error *err);
/* Grows the capacity to exactly cap tokens (nothing when it is already that large). */
tetra_status tt_enc_grow(tt_scratch *s, tt_enc *e, uint32_t cap, tetra_error *err);
/* Gives e's token arrays back to the scratch as soon as e is dead (e becomes empty); its
 * overflowing encodings are left alone. For big encodings, whose copies would otherwise pile up
 * until the end of the call. */
void tt_enc_release(tt_scratch *s, tt_enc *e);
/* Appends one token (capacity must have been reserved). */
void tt_enc_put(tt_enc *e, uint32_t id, uint32_t type_id, int32_t word, uint32_t start,
                uint32_t end, uint8_t special, uint8_t attn, uint32_t trim);
tt_enc *tt_enc_clone(tt_scratch *s, const tt_enc *e);
tetra_status tt_enc_set_sequence_id(tt_scratch *s, tt_enc *e, uint32_t seq, tetra_error *err);
void tt_enc_set_type_ids(tt_enc *e, uint32_t type_id);
tetra_status tt_enc_add_over(tt_scratch *s, tt_enc *e, tt_enc *o, tetra_error *err);
/* HF Encoding::merge_with(pair, growing_offsets = false), overflowing combinations included. */
tetra_status tt_enc_merge_with(tt_scratch *s, tt_enc *self, const tt_enc *pair, tetra_error *err);
/* HF Encoding::truncate. */
tetra_status tt_enc_truncate(tt_scratch *s, tt_enc *e, uint32_t max_len, uint32_t stride, int left,
                             tetra_error *err);
/* HF Encoding::pad (overflowing encodings first). */
tetra_status tt_enc_pad(tt_scratch *s, tt_enc *e, uint32_t target, uint32_t pad_id,
                        uint32_t pad_type_id, int left, tetra_error *err);
/* Copies e (and its overflowing encodings) out of the scratch into a caller-owned encoding. */
tetra_status tt_enc_export(const tt_enc *e, const tetra_allocator *a, tetra_encoding **out,
                           tetra_error *err);

/* ---- post-processors (postprocess.c) ----------------------------------------------------------- */
typedef struct tt_postproc tt_postproc;
tetra_status tt_postproc_from_json(const tetra_json *j, const char *path, struct tetra_tokenizer *tok,
                                   tt_postproc **out, tetra_error *err);
void tt_postproc_free(const tetra_allocator *a, tt_postproc *p);
/* HF PostProcessor::added_tokens. */
uint32_t tt_postproc_added(const tt_postproc *p, int is_pair);
/* Whether any part trims offsets (then encodings carry the white space counts of their tokens). */
int tt_postproc_needs_trim(const tt_postproc *p);
/* HF PostProcessor::process: encodings[0] and optionally encodings[1] in, one encoding out. */
tetra_status tt_postproc_process(const tt_postproc *p, tt_scratch *s, tt_enc *a, tt_enc *b,
                                 int add_special, tt_enc **out, tetra_error *err);
/* Leading/trailing white space chars of a token's text as ByteLevel's trim counts them. */
uint32_t tt_trim_counts(const char *s, size_t len);

/* ---- truncation and padding (truncate_pad.c) --------------------------------------------------- */
typedef struct tt_trunc {
  uint32_t max_length, stride;
  tetra_truncation_strategy strategy;
  int left;
} tt_trunc;
typedef struct tt_pad {
  tetra_padding_mode mode;
  uint32_t length;      /* for TETRA_PAD_FIXED */
  uint32_t multiple_of; /* 0: none */
  int left;
  uint32_t pad_id, pad_type_id;
} tt_pad;
tetra_status tt_trunc_from_json(const tetra_json *j, tt_trunc *out, tetra_error *err);
tetra_status tt_pad_from_json(const tetra_json *j, tt_pad *out, tetra_error *err);
/* HF truncate_encodings (b may be NULL). */
tetra_status tt_truncate(tt_scratch *s, tt_enc *a, tt_enc *b, const tt_trunc *t, tetra_error *err);
/* HF pad_encodings. */
tetra_status tt_pad_all(tt_scratch *s, tt_enc **encs, size_t n, const tt_pad *p, tetra_error *err);

/* ---- decoders (decoders.c) --------------------------------------------------------------------- */
typedef struct tt_decoder tt_decoder;
tetra_status tt_decoder_from_json(const tetra_json *j, const char *path, const tetra_allocator *a,
                                  tt_decoder **out, tetra_error *err);
void tt_decoder_free(const tetra_allocator *a, tt_decoder *d);
/* A list of strings in one buffer (the tokens a decoder chain transforms). */
typedef struct tt_strlist {
  char *buf;
  size_t len, cap;
  size_t *ends; /* ends[i]: end of string i in buf; string i starts at ends[i-1] (or 0) */
  size_t n, cap_n;
} tt_strlist;
tetra_status tt_strlist_push(tt_scratch *s, tt_strlist *l, const char *str, size_t len,
                             tetra_error *err);
/* Decodes tokens to one string in *out (scratch memory). */
tetra_status tt_decoder_decode(const tt_decoder *d, tt_scratch *s, const tt_strlist *tokens,
                               char **out, size_t *out_len, tetra_error *err);

/* ---- long texts in chunks (chunking.c) --------------------------------------------------------- */
/* Whether this tokenizer's pipeline gives the same result on a text cut into chunks at the places
 * tt_chunk_cut finds as on the whole text (decided once, at load). */
int tt_chunk_allowed(const struct tetra_tokenizer *tok);
/* The first place at or after start + target where text[start, end) may be cut (see chunking.c),
 * or end when there is none or what is left is short. */
uint32_t tt_chunk_cut(const char *text, uint32_t start, uint32_t end, uint32_t target);

/* ---- the tokenizer (tokenizer.c) --------------------------------------------------------------- */
struct tetra_tokenizer {
  tetra_allocator alloc_copy;
  const tetra_allocator *alloc; /* &alloc_copy */
  tt_normalizer *normalizer;
  tt_pretokenizer *pretokenizer;
  tt_model *model;
  tt_postproc *post;
  tt_decoder *decoder;
  tt_added_vocab added;
  int has_trunc, has_pad;
  tt_trunc trunc;
  tt_pad pad;
  int needs_trim;
  uint32_t chunk_bytes; /* long texts run in chunks of this size or so (0: whole; chunking.c) */
  tt_scratch scratch;
  tt_scratch work; /* one chunk's normalized strings and pre-tokens, reset after each chunk */
};

#endif
