/* Internals of the regex engine (regex.h): the compiled program, character sets, and the entry
 * points shared by the parser/compiler (regex_compile.c), the backtracking matcher
 * (regex_match.c), character sets (regex_set.c) and the hand-written scanners (regex_fast.c).
 *
 * A pattern compiles to a small program for a backtracking VM with an explicit stack (no
 * recursion while matching). Single-character items (literal, class, dot) are character sets;
 * a greedy or possessive repetition of one set is one instruction that consumes a whole run and
 * gives characters back one at a time on backtracking, which keeps \p{L}+ or \s+(?!\S) linear. */
#ifndef TETRA_TEXT_REGEX_INTERNAL_H
#define TETRA_TEXT_REGEX_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "text/regex.h"

/* ---- character sets ------------------------------------------------------------------------ */
/* Named properties a set may include (besides general categories and explicit ranges). */
enum {
  TT_RX_PROP_WHITE_SPACE = 1u << 0, /* \s, \p{Space}: PropList White_Space */
  TT_RX_PROP_WORD = 1u << 1,        /* \w: Onig's Word (see regex.h) */
  TT_RX_PROP_ALPHA = 1u << 2,       /* \p{Alpha}: Alphabetic */
  TT_RX_PROP_ANY = 1u << 3,         /* \p{Any}: every code point */
  TT_RX_PROP_ASSIGNED = 1u << 4,    /* \p{Assigned}: general category other than Cn */
  TT_RX_PROP_HEX = 1u << 5,         /* \h: [0-9a-fA-F] */
  TT_RX_PROP_WORD_CLASS = 1u << 6   /* \w inside [...]: Onig's Word without the Latin-1 quirk */
};

typedef struct tt_rx_range {
  uint32_t lo, hi;
} tt_rx_range;

/* A set is (ranges | general categories | properties | union members) & every intersection
 * member, negated when `negated`. ASCII membership is precomputed into `ascii`. */
typedef struct tt_rx_set {
  uint32_t ascii[4];    /* membership of code points 0..127 (final, negation applied) */
  uint32_t gc_mask;     /* bit (1 << tt_gc) for each general category included */
  uint32_t props;       /* TT_RX_PROP_* */
  uint32_t range_first, range_count; /* sorted, merged ranges in tt_regex.ranges */
  uint32_t sub_first, sub_count;     /* union members: set indices in tt_regex.subs */
  uint32_t and_first, and_count;     /* intersection members: set indices in tt_regex.subs */
  uint8_t negated;
  uint8_t nonascii_never; /* no code point >= 128 can be in the set (fast reject) */
} tt_rx_set;

/* ---- program --------------------------------------------------------------------------------- */
typedef enum tt_rx_op {
  TT_RX_MATCH = 0,
  TT_RX_CHAR,        /* a: code point (ASCII or not) */
  TT_RX_SET,         /* a: set index */
  TT_RX_ANY,         /* any code point but \n (a == 1: any at all, (?m) dot) */
  TT_RX_SPLIT,       /* try a first, then b */
  TT_RX_JMP,         /* a */
  TT_RX_ASSERT,      /* a: tt_rx_assert kind */
  TT_RX_REPEAT,      /* a: set index, b: min, c: max (UINT32_MAX = none), d: flags */
  TT_RX_BARRIER,     /* a: tt_rx_barrier kind, b: continuation pc (after the group),
                        c: lookbehind length in code points */
  TT_RX_GROUP_END,   /* end of an atomic group or lookaround body: a: kind */
  TT_RX_SAVE_POS,    /* a: slot; remembers where a loop iteration began */
  TT_RX_EMPTY_CHECK  /* a: slot, b: loop exit pc: leaves a loop whose iteration was empty */
} tt_rx_op;

enum { TT_RX_REPEAT_POSSESSIVE = 1 };

typedef enum tt_rx_assert {
  TT_RX_BOL, TT_RX_EOL, TT_RX_BOS, TT_RX_EOS, TT_RX_EOS_NL, TT_RX_WORDB, TT_RX_NWORDB,
  TT_RX_SEARCH_START
} tt_rx_assert;

typedef enum tt_rx_barrier {
  TT_RX_ATOMIC, TT_RX_AHEAD, TT_RX_NOT_AHEAD, TT_RX_BEHIND, TT_RX_NOT_BEHIND
} tt_rx_barrier;

typedef struct tt_rx_inst {
  uint32_t op, a, b, c, d;
} tt_rx_inst;

typedef enum tt_rx_fast {
  TT_RX_FAST_NONE = 0,
  TT_RX_FAST_GPT2,    /* 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ */
  TT_RX_FAST_CL100K,  /* Llama-3 / cl100k (\p{N}{1,3}) and Qwen2 (\p{N}) */
  TT_RX_FAST_LITERAL  /* a plain string: byte search */
} tt_rx_fast;

struct tt_regex {
  const tetra_allocator *alloc;
  tt_rx_inst *prog;
  uint32_t n_prog;
  tt_rx_set *sets;
  uint32_t n_sets;
  tt_rx_range *ranges;
  uint32_t n_ranges;
  uint32_t *subs;
  uint32_t n_subs;
  uint32_t n_slots;      /* SAVE_POS slots */
  uint32_t first_ascii[4]; /* bytes < 128 a match can start with */
  uint8_t first_nonascii;  /* a match may start with a code point >= 128 */
  uint8_t first_any;       /* no first-character filter (nullable pattern, lookaround first) */
  uint8_t fast;          /* tt_rx_fast */
  uint8_t fast_enabled;  /* tests turn the hand-written scanners off to compare */
  uint32_t fast_digits;  /* TT_RX_FAST_CL100K: longest digit run in one match (3 or 1) */
  char *literal;         /* TT_RX_FAST_LITERAL: the bytes */
  size_t literal_len;
};

/* Membership of a code point in a set (cp < 128 through the bitmap). */
int tt_rx_set_has(const struct tt_regex *re, const tt_rx_set *s, uint32_t cp);

/* Fills the ASCII bitmap of a finished set (its members must be finished already). */
void tt_rx_set_finish(const struct tt_regex *re, tt_rx_set *s);

/* Onig's \w for one code point (documented in regex.h); tt_rx_is_word_class is \w inside a
 * bracket class, which Onig builds from its Unicode table alone. */
int tt_rx_is_word(uint32_t cp);
int tt_rx_is_word_class(uint32_t cp);

/* Simple case folding (generated table, regex_casefold.c). */
extern const uint32_t tt_rx_casefold_pairs[][2];
extern const size_t tt_rx_casefold_count;
uint32_t tt_rx_fold(uint32_t cp);

/* Decodes the code point at s[i] (i < len) without ever reading past len; invalid bytes decode
 * to themselves as one-byte characters in 0xDC80..0xDCFF (no class matches them but negations,
 * \W, \S, ...) so bad input cannot crash or loop. Sets *n to the byte length. */
static inline uint32_t tt_rx_decode(const unsigned char *s, size_t len, size_t i, size_t *n) {
  unsigned c = s[i];
  if (c < 0x80) {
    *n = 1;
    return c;
  }
  if (c >= 0xC2 && c < 0xE0 && i + 1 < len && (s[i + 1] & 0xC0) == 0x80) {
    *n = 2;
    return ((uint32_t)(c & 0x1F) << 6) | (s[i + 1] & 0x3F);
  }
  if (c >= 0xE0 && c < 0xF0 && i + 2 < len && (s[i + 1] & 0xC0) == 0x80 &&
      (s[i + 2] & 0xC0) == 0x80) {
    uint32_t cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
      *n = 3;
      return cp;
    }
  } else if (c >= 0xF0 && c < 0xF5 && i + 3 < len && (s[i + 1] & 0xC0) == 0x80 &&
             (s[i + 2] & 0xC0) == 0x80 && (s[i + 3] & 0xC0) == 0x80) {
    uint32_t cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
                  ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      *n = 4;
      return cp;
    }
  }
  *n = 1;
  return 0xDC00 + c;
}

/* Start of the character before byte i (i > 0), consistent with tt_rx_decode on valid UTF-8. */
static inline size_t tt_rx_prev(const unsigned char *s, size_t i) {
  size_t j = i - 1;
  size_t stop = i >= 4 ? i - 4 : 0;
  while (j > stop && (s[j] & 0xC0) == 0x80) j--;
  size_t n;
  /* Only accept the lead byte if it really spans up to i; otherwise step back one byte. */
  (void)tt_rx_decode(s, i, j, &n);
  return j + n == i ? j : i - 1;
}

/* The hand-written scanners: the match at or after `from` (always at `from` for these patterns
 * on non-empty remaining text). Return 1 and set *start and *end, or 0 at the end of the text. */
int tt_rx_fast_search(const struct tt_regex *re, const char *text, size_t len, size_t from,
                      size_t *start, size_t *end);

/* Tests: turn the hand-written scanners off (0) or on (1, the default when one applies). */
void tt_regex_set_fast(tt_regex *re, int enabled);
/* Which scanner the pattern selected (tt_rx_fast). */
int tt_regex_fast_kind(const tt_regex *re);

#endif
