/* Older vocabulary formats (BERT vocab.txt, GPT-2 encoder.json + vocab.bpe, llama2.c tokenizer.bin,
 * GGUF metadata) turned into the tokenizer.json document that the Hugging Face converters would
 * write for them, then loaded by tetra_tokenizer_from_json. Going through tokenizer.json text keeps
 * one pipeline and one set of semantics; the cost is one extra parse at load time.
 *
 * Internal to the text module (legacy_*.c). */
#ifndef TETRA_TEXT_LEGACY_H
#define TETRA_TEXT_LEGACY_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"
#include "text/components.h"

/* ---- a growing JSON text buffer ---------------------------------------------------------------
 * Out of memory is sticky (oom = 1, later appends do nothing) so that builders check once, at the
 * end, with tt_jbuf_check. */
typedef struct tt_jbuf {
  const tetra_allocator *alloc;
  char *data; /* NUL-terminated while !oom */
  size_t len, cap;
  int oom;
} tt_jbuf;
void tt_jbuf_init(tt_jbuf *b, const tetra_allocator *a);
void tt_jbuf_free(tt_jbuf *b);
void tt_jbuf_raw(tt_jbuf *b, const char *s); /* appended as is */
void tt_jbuf_bytes(tt_jbuf *b, const char *s, size_t len);
/* A JSON string literal with quotes; s must be valid UTF-8 (checked by the callers' loaders). */
void tt_jbuf_str(tt_jbuf *b, const char *s, size_t len);
void tt_jbuf_u32(tt_jbuf *b, uint32_t v);
/* A float32 value written so that reading it back as a double gives exactly (double)v. */
void tt_jbuf_f32(tt_jbuf *b, float v);
tetra_status tt_jbuf_check(const tt_jbuf *b, const char *what, tetra_error *err);

/* Byte offset of the first invalid UTF-8 sequence in s (overlongs, surrogates, > U+10FFFF
 * included), or len when s is valid. */
size_t tt_legacy_utf8_check(const char *s, size_t len);

/* ---- a vocabulary in a neutral form, and the documents built from it -------------------------- */
enum {
  TT_LTOK_NORMAL = 0,
  TT_LTOK_SPECIAL = 1, /* an added token with special = true (control and unknown tokens) */
  TT_LTOK_USER = 2     /* an added token with special = false (SentencePiece user-defined) */
};
typedef struct tt_lvocab {
  size_t n;
  const char **text; /* token i's bytes (valid UTF-8) and length; borrowed */
  uint32_t *len;
  float *score;  /* NULL when the format has none */
  uint8_t *kind; /* TT_LTOK_*; NULL: all normal */
} tt_lvocab;

/* Token string -> id over v->text (keys copied). For a string that appears twice the id is the
 * last one when last_wins, else the first. */
tetra_status tt_lvocab_map(const tt_lvocab *v, int last_wins, const tetra_allocator *a,
                           tt_strmap *m, tetra_error *err);

/* Which pieces of the pipeline each document gets. A "NONE" id is UINT32_MAX. */
#define TT_LNONE UINT32_MAX
typedef struct tt_lwordpiece {
  int lowercase;
  uint32_t unk, cls, sep; /* ids; cls/sep NONE: no post-processor */
} tt_lwordpiece;
typedef struct tt_lmerge {
  const char *left, *right; /* borrowed, valid UTF-8 */
  uint32_t left_len, right_len;
} tt_lmerge;
typedef struct tt_lbytelevel {
  const tt_lmerge *merges;
  size_t n_merges;
  const char *split_regex; /* NULL: ByteLevel's own GPT-2 regex; else Split + ByteLevel(no regex) */
  int nfc;                 /* NFC normalizer (Qwen2) */
  uint32_t bos;            /* NONE: ByteLevel post-processor; else a "bos $A" template */
  int added_normalized;    /* "normalized" of the added tokens (GPT2TokenizerFast: true) */
} tt_lbytelevel;
typedef struct tt_lspm {
  uint32_t unk, bos, eos; /* NONE when absent */
  int add_bos, add_eos;
  int byte_fallback;
} tt_lspm;

/* Each appends a whole tokenizer.json document to out; the message of a failure starts with what
 * (e.g. "vocab.txt" or "GGUF"). */
tetra_status tt_legacy_wordpiece_doc(const tt_lvocab *v, const tt_lwordpiece *o, const char *what,
                                     tt_jbuf *out, tetra_error *err);
tetra_status tt_legacy_bytelevel_doc(const tt_lvocab *v, const tt_lbytelevel *o, const char *what,
                                     tt_jbuf *out, tetra_error *err);
/* SentencePiece BPE as LlamaConverter writes it, with merges derived from the scores (every split
 * of a token into two tokens, best score first), which reproduces SentencePiece's and llama2.c's
 * greedy best-score pair merging. */
tetra_status tt_legacy_spm_doc(const tt_lvocab *v, const tt_lspm *o, const char *what, tt_jbuf *out,
                               tetra_error *err);

/* The documents the public loaders build, without loading them (for tests and tools). The text is
 * allocated with a (tetra_free(a, *json)). */
tetra_status tt_legacy_vocab_txt_json(const char *vocab, size_t len, int lowercase,
                                      const tetra_allocator *a, char **json, size_t *json_len,
                                      tetra_error *err);
tetra_status tt_legacy_gpt2_json(const char *encoder_json, size_t encoder_len, const char *vocab_bpe,
                                 size_t vocab_len, const tetra_allocator *a, char **json,
                                 size_t *json_len, tetra_error *err);
tetra_status tt_legacy_llama2c_json(const void *bin, size_t len, const tetra_allocator *a,
                                    char **json, size_t *json_len, tetra_error *err);
tetra_status tt_legacy_gguf_json(const void *gguf, size_t len, const tetra_allocator *a, char **json,
                                 size_t *json_len, tetra_error *err);

#endif
