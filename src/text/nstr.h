/* Normalized strings with alignments, and pre-tokenized strings: the data that flows through the
 * tokenizer pipeline (HF tokenizers' NormalizedString and PreTokenizedString; read
 * tokenizers/src/tokenizer/normalizer.rs and pre_tokenizer.rs for the semantics kept here).
 *
 * All text is valid UTF-8 (the tokenizer replaces invalid input with U+FFFD before anything else).
 * Offsets are byte offsets. A tt_nstr's alignments are ABSOLUTE: for every byte of the normalized
 * text, the [start, end) byte range of the tokenizer's original input that it came from, so a
 * slice or a split needs no "original shift" bookkeeping.
 *
 * Memory: every buffer comes from the allocator the string was created with; tt_nstr_free and
 * tt_pretok_free release everything. Functions leave their output untouched on failure. */
#ifndef TETRA_TEXT_NSTR_H
#define TETRA_TEXT_NSTR_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"

typedef struct tt_span {
  uint32_t start, end;
} tt_span;

/* One output character of a transformation and how it relates to the input (HF's (char, isize)):
 *  change == 0: replaces one input character;
 *  change == 1: inserted (takes the alignment HF gives an insertion);
 *  change == -k: replaces one input character and removes the k that follow. */
typedef struct tt_cpchange {
  uint32_t cp;
  int32_t change;
} tt_cpchange;

typedef struct tt_nstr {
  const tetra_allocator *alloc;
  char *text;      /* normalized UTF-8, len bytes, NUL-terminated for convenience */
  tt_span *align;  /* len entries: absolute original range of each normalized byte */
  uint32_t len, cap;
  tt_span original; /* the absolute original range this string stands for (kept for empty strings) */
} tt_nstr;

/* A normalized string equal to original[start, end) of the input, identity-aligned. */
tetra_status tt_nstr_init(tt_nstr *ns, const tetra_allocator *a, const char *text, uint32_t len,
                          uint32_t original_start, tetra_error *err);
/* A normalized string with the given text and alignments (both copied), standing for original:
 * what a component that builds a piece's text and alignments itself hands on. */
tetra_status tt_nstr_init_aligned(tt_nstr *ns, const tetra_allocator *a, const char *text,
                                  const tt_span *align, uint32_t len, tt_span original,
                                  tetra_error *err);
void tt_nstr_free(tt_nstr *ns);
/* Original range of normalized bytes [start, end) (HF convert_offsets Normalized -> Original).
 * An empty range maps to an empty range at the matching original position. */
tt_span tt_nstr_original_span(const tt_nstr *ns, uint32_t start, uint32_t end);
/* Copy of normalized bytes [start, end) with their alignments (HF slice on a normalized range). */
tetra_status tt_nstr_slice(const tt_nstr *ns, uint32_t start, uint32_t end, tt_nstr *out,
                           tetra_error *err);
/* Replaces the whole text by n transformed characters (HF transform(dest, initial_offset)):
 * initial_offset input characters are removed before the first output character. */
tetra_status tt_nstr_transform(tt_nstr *ns, const tt_cpchange *chars, size_t n,
                               uint32_t initial_offset, tetra_error *err);
/* The text as code points (allocated; caller frees with tetra_free(ns->alloc, *out)). */
tetra_status tt_nstr_codepoints(const tt_nstr *ns, uint32_t **out, size_t *n, tetra_error *err);
/* tt_nstr_transform restricted to normalized bytes [start, end) (HF transform_range on a
 * Normalized range): the rest of the text and its alignments stay as they are. */
tetra_status tt_nstr_transform_range(tt_nstr *ns, uint32_t start, uint32_t end,
                                     const tt_cpchange *chars, size_t n, uint32_t initial_offset,
                                     tetra_error *err);

/* ---- splitting (HF SplitDelimiterBehavior) ---------------------------------------------------- */
typedef enum tt_split_behavior {
  TT_SPLIT_REMOVED,
  TT_SPLIT_ISOLATED,
  TT_SPLIT_MERGED_WITH_PREVIOUS,
  TT_SPLIT_MERGED_WITH_NEXT,
  TT_SPLIT_CONTIGUOUS
} tt_split_behavior;

/* A pattern's matches over a normalized text: ordered, non-overlapping [start, end) ranges. */
typedef struct tt_matches {
  tt_span *spans;
  size_t n, cap;
} tt_matches;

/* ---- editing helpers (HF NormalizedString methods; nstr_edit.c) ------------------------------ */
typedef int (*tt_cp_pred)(uint32_t cp, void *ctx);
typedef uint32_t (*tt_cp_map)(uint32_t cp, void *ctx);
/* Keeps the characters for which keep() is nonzero (HF filter). */
tetra_status tt_nstr_filter(tt_nstr *ns, tt_cp_pred keep, void *ctx, tetra_error *err);
/* Replaces every character c by map(c) (HF map). */
tetra_status tt_nstr_map(tt_nstr *ns, tt_cp_map map, void *ctx, tetra_error *err);
/* HF prepend/append: no-op on an empty string. */
tetra_status tt_nstr_prepend(tt_nstr *ns, const char *s, size_t len, tetra_error *err);
tetra_status tt_nstr_append(tt_nstr *ns, const char *s, size_t len, tetra_error *err);
/* Removes leading (left) and/or trailing (right) white space (Rust char::is_whitespace). */
tetra_status tt_nstr_strip(tt_nstr *ns, int left, int right, tetra_error *err);
/* Full lowercase mapping per character (Rust char::to_lowercase; extra chars are insertions). */
tetra_status tt_nstr_lowercase(tt_nstr *ns, tetra_error *err);
/* Replaces each match of m (found in ns's current text) by content (HF replace). */
tetra_status tt_nstr_replace(tt_nstr *ns, const tt_matches *m, const char *content, size_t len,
                             tetra_error *err);

/* ---- matches ---------------------------------------------------------------------------------- */
tetra_status tt_matches_push(tt_matches *m, const tetra_allocator *a, uint32_t start, uint32_t end,
                             tetra_error *err);
void tt_matches_free(tt_matches *m, const tetra_allocator *a);
/* Non-overlapping occurrences of a literal, left to right (what HF gets from an escaped regex);
 * an empty literal matches the empty string at every character boundary (as Oniguruma's empty
 * pattern does). */
tetra_status tt_find_literal(const char *text, size_t len, const char *lit, size_t lit_len,
                             const tetra_allocator *a, tt_matches *m, tetra_error *err);

/* ---- pre-tokenized strings ------------------------------------------------------------------- */
typedef struct tt_token {
  uint32_t id;
  uint32_t start, end; /* byte offsets in the split's normalized text */
} tt_token;

typedef struct tt_split {
  tt_nstr ns;
  tt_token *tokens; /* NULL until the split is tokenized (an added token or the model) */
  uint32_t n_tokens;
} tt_split;

typedef struct tt_pretok {
  const tetra_allocator *alloc;
  tt_split *splits;
  size_t n, cap;
} tt_pretok;

void tt_pretok_init(tt_pretok *pt, const tetra_allocator *a);
void tt_pretok_free(tt_pretok *pt);
/* Appends a split, taking ownership of ns (and of tokens, allocated from pt->alloc, may be NULL). */
tetra_status tt_pretok_push(tt_pretok *pt, tt_nstr *ns, tt_token *tokens, uint32_t n_tokens,
                            tetra_error *err);
/* Splits ns by the given matches with the given behavior (HF NormalizedString::split), appending
 * the pieces to out. When invert != 0, the matches are the parts to keep (HF Split's invert). */
tetra_status tt_pretok_split_matches(tt_pretok *out, const tt_nstr *ns, const tt_matches *m,
                                     tt_split_behavior behavior, int invert, tetra_error *err);

#endif
