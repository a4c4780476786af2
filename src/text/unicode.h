/* Unicode character data and algorithms for the text module, generated from Debian's unicode-data
 * (/usr/share/unicode/) by tools/unicode/make_tables.py into unicode_tables.c (committed).
 *
 * Semantics follow what the Rust tokenizers library sees through Rust's std and its crates, because
 * tokenizer parity is the goal:
 *  - is_white_space = Rust char::is_whitespace (PropList White_Space)
 *  - is_alphabetic  = Rust char::is_alphabetic (DerivedCoreProperties Alphabetic)
 *  - is_numeric     = Rust char::is_numeric (general category Nd, Nl or No)
 *  - to_lower       = Rust char::to_lowercase (UnicodeData simple mapping + unconditional
 *                     SpecialCasing entries, e.g. U+0130 -> "i\u0307"; no context such as final sigma)
 *  - normalization  = the crate unicode-normalization-alignments (NFD/NFKD/NFC/NFKC with a change
 *                     count per output character, see tt_cpchange in nstr.h)
 * Code points are uint32_t; anything above 0x10FFFF or a surrogate is treated as unassigned (Cn). */
#ifndef TETRA_TEXT_UNICODE_H
#define TETRA_TEXT_UNICODE_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"
#include "text/nstr.h"

/* General categories, in UnicodeData.txt's spelling. */
typedef enum tt_gc {
  TT_GC_CN = 0, /* unassigned: the default */
  TT_GC_LU, TT_GC_LL, TT_GC_LT, TT_GC_LM, TT_GC_LO,
  TT_GC_MN, TT_GC_MC, TT_GC_ME,
  TT_GC_ND, TT_GC_NL, TT_GC_NO,
  TT_GC_PC, TT_GC_PD, TT_GC_PS, TT_GC_PE, TT_GC_PI, TT_GC_PF, TT_GC_PO,
  TT_GC_SM, TT_GC_SC, TT_GC_SK, TT_GC_SO,
  TT_GC_ZS, TT_GC_ZL, TT_GC_ZP,
  TT_GC_CC, TT_GC_CF, TT_GC_CS, TT_GC_CO
} tt_gc;

tt_gc tt_uc_category(uint32_t cp);
int tt_uc_is_white_space(uint32_t cp);
int tt_uc_is_alphabetic(uint32_t cp);
int tt_uc_is_numeric(uint32_t cp);
/* Letter: general category L* (regex \p{L}); number: N* (\p{N}); mark: M*; punctuation: P*. */
int tt_uc_is_letter(uint32_t cp);
int tt_uc_is_number(uint32_t cp);
int tt_uc_is_mark(uint32_t cp);
int tt_uc_is_punctuation(uint32_t cp);
/* Canonical combining class (0 for starters). */
uint8_t tt_uc_ccc(uint32_t cp);
/* Full lowercase mapping: writes 1 to 3 code points to out, returns how many. */
int tt_uc_to_lower(uint32_t cp, uint32_t out[3]);
/* Full recursive decomposition (canonical, or compatibility when compat != 0), Hangul included.
 * Writes at most TT_UC_MAX_DECOMP code points; returns the count (1 and cp itself when none). */
#define TT_UC_MAX_DECOMP 18
int tt_uc_decompose(uint32_t cp, int compat, uint32_t out[TT_UC_MAX_DECOMP]);
/* Primary composite of a starter and a following character (Hangul included), or 0. */
uint32_t tt_uc_compose(uint32_t a, uint32_t b);

/* Normalization forms over a whole code point sequence, with a change count per output code point
 * exactly as unicode-normalization-alignments reports it (the input of tt_nstr_transform). */
typedef enum tt_nf { TT_NFD, TT_NFKD, TT_NFC, TT_NFKC } tt_nf;
/* On success *out (allocated from a, caller frees with tetra_free) holds *out_len entries. */
tetra_status tt_uc_normalize(tt_nf form, const uint32_t *cps, size_t n, const tetra_allocator *a,
                             tt_cpchange **out, size_t *out_len, tetra_error *err);

/* Extended grapheme cluster boundaries (UAX #29, as Rust's unicode-segmentation graphemes(true)):
 * returns the index of the code point after the cluster that starts at cps[start]. */
size_t tt_uc_grapheme_end(const uint32_t *cps, size_t n, size_t start);

/* ---- UTF-8 helpers (shared by every text file) -------------------------------------------- */
/* Decodes one code point from valid UTF-8 at s (len > 0 bytes left); sets *used to its length. */
uint32_t tt_utf8_decode(const char *s, size_t len, size_t *used);
/* Encodes cp (<= 0x10FFFF, not a surrogate) into out[4]; returns 1 to 4. */
int tt_utf8_encode(uint32_t cp, char out[4]);
/* Length of the UTF-8 sequence that starts with byte b (1 for continuation bytes too). */
int tt_utf8_len(unsigned char b);
/* Length of the longest valid (strict: no overlongs, surrogates or values above U+10FFFF) UTF-8
 * prefix of s, n when all of it is valid (utf8_sanitize.c). */
size_t tt_utf8_valid_prefix(const char *s, size_t n);

#endif
