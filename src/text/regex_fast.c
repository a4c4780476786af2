/* Hand-written scanners for the two split patterns that dominate tokenizer.json files, giving the
 * same matches as the general engine on the same pattern (tests/native/test_text_regex.c compares
 * them on a large corpus):
 *
 *  GPT-2 / ByteLevel:  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 *  Llama-3 / cl100k:   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 *                      ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *  (and Qwen2's variant of the latter with \p{N} instead of \p{N}{1,3}).
 *
 * Every character is a letter (\p{L}), a number (\p{N}), white space (\s) or "other", and each
 * pattern matches any non-empty text at its first character, so a match always starts where
 * the search starts; the alternatives reduce to a few run scans without backtracking. */
#include "regex_internal.h"
#include "text/unicode.h"

enum { K_OTHER = 0, K_LETTER, K_NUMBER, K_SPACE };

/* ASCII classes: letters, digits, White_Space (\t \n \v \f \r and space), the rest other. */
static const uint8_t ASCII_KIND[128] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};

static int kind_of(uint32_t cp) {
  if (cp < 128) return ASCII_KIND[cp];
  tt_gc g = tt_uc_category(cp);
  if (g >= TT_GC_LU && g <= TT_GC_LO) return K_LETTER;
  if (g >= TT_GC_ND && g <= TT_GC_NO) return K_NUMBER;
  if ((g == TT_GC_ZS || g == TT_GC_ZL || g == TT_GC_ZP || g == TT_GC_CC) && tt_uc_is_white_space(cp))
    return K_SPACE;
  return K_OTHER;
}

/* Kind of the character at i (i < len) and its byte length. */
static int kind_at(const unsigned char *s, size_t len, size_t i, size_t *n) {
  if (s[i] < 0x80) {
    *n = 1;
    return ASCII_KIND[s[i]];
  }
  return kind_of(tt_rx_decode(s, len, i, n));
}

/* End of the run of characters of one kind starting at i. */
static size_t run_end(const unsigned char *s, size_t len, size_t i, int kind) {
  size_t n;
  while (i < len) {
    if (s[i] < 0x80) {
      if (ASCII_KIND[s[i]] != kind) break;
      i++;
    } else {
      if (kind_of(tt_rx_decode(s, len, i, &n)) != kind) break;
      i += n;
    }
  }
  return i;
}

/* \s+(?!\S)|\s+ over the white-space run [p, r): the run minus its last character when a
 * non-space follows and the run has two or more characters, else the whole run. */
static size_t space_tail(const unsigned char *s, size_t len, size_t p, size_t r) {
  if (r == len) return r;
  size_t last = tt_rx_prev(s, r);
  return last > p ? last : r;
}

static size_t gpt2_at(const unsigned char *s, size_t len, size_t p) {
  if (s[p] == '\'' && p + 1 < len) {
    unsigned char b = s[p + 1];
    if (b == 's' || b == 't' || b == 'm' || b == 'd') return p + 2;
    if (p + 2 < len && ((b == 'r' && s[p + 2] == 'e') || (b == 'v' && s[p + 2] == 'e') ||
                        (b == 'l' && s[p + 2] == 'l')))
      return p + 3;
  }
  size_t n;
  int kind = kind_at(s, len, p, &n);
  size_t q = p;
  if (s[p] == ' ' && p + 1 < len) {
    size_t n1;
    int k1 = kind_at(s, len, p + 1, &n1);
    if (k1 != K_SPACE) q = p + 1, kind = k1;
  }
  if (kind != K_SPACE) return run_end(s, len, q, kind);
  return space_tail(s, len, p, run_end(s, len, p, K_SPACE));
}

static int fold_is(unsigned char b, char lower) { return (b | 0x20) == (unsigned char)lower; }

static size_t cl100k_at(const unsigned char *s, size_t len, size_t p, uint32_t max_digits) {
  if (s[p] == '\'' && p + 1 < len) {
    unsigned char b = s[p + 1];
    if (fold_is(b, 's') || fold_is(b, 't') || fold_is(b, 'm') || fold_is(b, 'd')) return p + 2;
    /* U+017F LATIN SMALL LETTER LONG S folds to s */
    if (b == 0xC5 && p + 2 < len && s[p + 2] == 0xBF) return p + 3;
    if (p + 2 < len && ((fold_is(b, 'r') && fold_is(s[p + 2], 'e')) ||
                        (fold_is(b, 'v') && fold_is(s[p + 2], 'e')) ||
                        (fold_is(b, 'l') && fold_is(s[p + 2], 'l'))))
      return p + 3;
  }
  size_t n0;
  int k0 = kind_at(s, len, p, &n0);
  if (k0 == K_LETTER) return run_end(s, len, p, K_LETTER);
  /* [^\r\n\p{L}\p{N}]?\p{L}+ with the optional character taken */
  if (k0 != K_NUMBER && s[p] != '\r' && s[p] != '\n' && p + n0 < len) {
    size_t n1;
    if (kind_at(s, len, p + n0, &n1) == K_LETTER) return run_end(s, len, p + n0, K_LETTER);
  }
  if (k0 == K_NUMBER) {
    size_t q = p, n;
    for (uint32_t k = 0; k < max_digits && q < len && kind_at(s, len, q, &n) == K_NUMBER; k++) q += n;
    return q;
  }
  /* ' ?[^\s\p{L}\p{N}]+[\r\n]*' */
  size_t q = p;
  int kind = k0;
  if (s[p] == ' ' && p + 1 < len) {
    size_t n1;
    if (kind_at(s, len, p + 1, &n1) == K_OTHER) q = p + 1, kind = K_OTHER;
  }
  if (kind == K_OTHER) {
    size_t e = run_end(s, len, q, K_OTHER);
    while (e < len && (s[e] == '\r' || s[e] == '\n')) e++;
    return e;
  }
  /* white space: \s*[\r\n]+ ends after the run's last line break; else \s+(?!\S)|\s+ */
  size_t r = run_end(s, len, p, K_SPACE);
  for (size_t i = r; i > p; i--)
    if (s[i - 1] == '\n' || s[i - 1] == '\r') return i; /* non-ASCII bytes are never 0x0A/0x0D */
  return space_tail(s, len, p, r);
}

int tt_rx_fast_search(const struct tt_regex *re, const char *text, size_t len, size_t from,
                      size_t *start, size_t *end) {
  if (from >= len) return 0;
  const unsigned char *s = (const unsigned char *)text;
  *start = from;
  *end = re->fast == TT_RX_FAST_GPT2 ? gpt2_at(s, len, from) : cl100k_at(s, len, from, re->fast_digits);
  return 1;
}
