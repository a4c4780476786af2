/* The normalizer object shared by normalizers.c (JSON, dispatch) and normalizer_*.c (the
 * transformations). Internal to the text module. */
#ifndef TETRA_TEXT_NORMALIZERS_INTERNAL_H
#define TETRA_TEXT_NORMALIZERS_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "text/components.h"
#include "text/regex.h"
#include "text/unicode.h"

typedef enum tt_norm_kind {
  TT_NORM_BERT,
  TT_NORM_NFC,
  TT_NORM_NFD,
  TT_NORM_NFKC,
  TT_NORM_NFKD,
  TT_NORM_LOWERCASE,
  TT_NORM_STRIP,
  TT_NORM_STRIP_ACCENTS,
  TT_NORM_REPLACE,
  TT_NORM_PREPEND,
  TT_NORM_PRECOMPILED,
  TT_NORM_NMT,
  TT_NORM_BYTE_LEVEL,
  TT_NORM_SEQUENCE
} tt_norm_kind;

struct tt_normalizer {
  tt_norm_kind kind;
  const tetra_allocator *alloc;
  /* BertNormalizer (strip_accents already resolved from null to lowercase) */
  int clean_text, handle_chinese_chars, strip_accents, lowercase;
  /* Strip */
  int strip_left, strip_right;
  /* Replace: a literal (pattern {"String"}) or a regex; content. Prepend: str. */
  char *str;
  size_t str_len;
  char *content;
  size_t content_len;
  tt_regex *regex;
  /* Precompiled, NULL for an absent or empty charsmap */
  struct tt_precompiled *precompiled;
  /* Sequence */
  tt_normalizer **children;
  size_t n_children;
};

tetra_status tt_norm_bert(const tt_normalizer *n, tt_nstr *ns, tetra_error *err);
tetra_status tt_norm_unicode(tt_nf form, tt_nstr *ns, tetra_error *err);
tetra_status tt_norm_strip_accents(tt_nstr *ns, tetra_error *err);
tetra_status tt_norm_nmt(tt_nstr *ns, tetra_error *err);
tetra_status tt_norm_byte_level(tt_nstr *ns, tetra_error *err);
tetra_status tt_norm_replace(const tt_normalizer *n, tt_nstr *ns, tetra_error *err);

#endif
