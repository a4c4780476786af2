/* Pre-tokenizers: what pretokenizers.c (JSON, dispatch, most kinds) and pretok_bytelevel.c
 * (ByteLevel, the hot byte-to-unicode path) share. Private to those files. */
#ifndef TETRA_TEXT_PRETOK_IMPL_H
#define TETRA_TEXT_PRETOK_IMPL_H
#include <stddef.h>
#include <stdint.h>

#include "text/components.h"
#include "text/nstr.h"
#include "text/regex.h"

typedef enum tt_pt_kind {
  TT_PT_BERT,
  TT_PT_BYTE_LEVEL,
  TT_PT_METASPACE,
  TT_PT_WHITESPACE,
  TT_PT_WHITESPACE_SPLIT,
  TT_PT_PUNCTUATION,
  TT_PT_DIGITS,
  TT_PT_SPLIT,
  TT_PT_CHAR_DELIMITER,
  TT_PT_UNICODE_SCRIPTS,
  TT_PT_SEQUENCE
} tt_pt_kind;

typedef enum tt_prepend_scheme {
  TT_PREPEND_ALWAYS,
  TT_PREPEND_FIRST,
  TT_PREPEND_NEVER
} tt_prepend_scheme;

struct tt_pretokenizer {
  const tetra_allocator *alloc;
  tt_pt_kind kind;
  /* ByteLevel */
  int add_prefix_space, trim_offsets, use_regex;
  tt_regex *re; /* ByteLevel's GPT-2 pattern (when use_regex), Split's pattern */
  /* Metaspace */
  uint32_t replacement; /* also CharDelimiterSplit's delimiter */
  char rep_utf8[4];
  uint32_t rep_len;
  tt_prepend_scheme prepend;
  int split;
  /* Punctuation, Split */
  tt_split_behavior behavior;
  int invert;
  char *literal; /* Split {"String": ...} (NULL for a regex); lit_len bytes */
  size_t lit_len;
  /* Digits */
  int individual_digits;
  /* Sequence */
  tt_pretokenizer **children;
  size_t n_children;
};

/* Per-apply scratch memory, reused across the splits of one call so that no split costs more
 * than the allocations its output pieces need. */
typedef struct tt_pt_scratch {
  const tetra_allocator *alloc;
  tt_matches matches;
  char *in; /* an edited copy of a split's text (ByteLevel's prefix space) */
  tt_span *in_align;
  size_t in_cap; /* bytes in `in`, entries in in_align */
  char *out;     /* a piece being built (byte characters, Metaspace's text) */
  tt_span *out_align;
  size_t out_cap;
} tt_pt_scratch;

/* Makes room for in_n bytes in `in` and out_n in `out` (with their alignments). */
tetra_status tt_pt_scratch_reserve(tt_pt_scratch *s, size_t in_n, size_t out_n, tetra_error *err);
void tt_pt_scratch_free(tt_pt_scratch *s);

/* GPT-2's split pattern, which ByteLevel uses when use_regex is set. */
const char *tt_pt_gpt2_pattern(size_t *len);

/* ByteLevel on one split: optional prefix space, GPT-2 split, byte-to-unicode mapping; appends
 * the pieces to out (pretok_bytelevel.c). */
tetra_status tt_pt_byte_level(const tt_pretokenizer *p, const tt_nstr *ns, tt_pretok *out,
                              tt_pt_scratch *s, tetra_error *err);

/* HF's punctuation test beyond ASCII (pretok_tables.c, generated): category P* as of Unicode 8.0,
 * the version of the crate HF asks. */
int tt_pt_is_unicode_punct(uint32_t cp);
/* UnicodeScripts' script of a code point (pretok_tables.c, generated): 0 for "Any" (U+0020 and
 * whatever Unicode 9.0 left unassigned), else an id equal for equal scripts. */
uint8_t tt_pt_script(uint32_t cp);

/* Appends a new split with len bytes of text and their alignments, standing for original. */
tetra_status tt_pt_emit_built(tt_pretok *out, const tetra_allocator *a, const char *text,
                              const tt_span *align, uint32_t len, tt_span original,
                              tetra_error *err);
/* Appends normalized bytes [start, end) of ns to out as a new split (nothing when empty). */
tetra_status tt_pt_emit_slice(tt_pretok *out, const tt_nstr *ns, uint32_t start, uint32_t end,
                              tetra_error *err);

#endif
