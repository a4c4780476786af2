/* Invalid UTF-8 from C callers: every maximal invalid subpart becomes one U+FFFD, exactly as the
 * WHATWG decoder (and so JavaScript's TextDecoder) does, which is also what the Rust library sees
 * when a JS string with lone surrogates crosses into it (TextEncoder writes U+FFFD for each).
 * Offsets must still point into the caller's bytes, so a byte map is kept beside the text. */
#include <string.h>

#include "text/tokenizer_impl.h"
#include "text/unicode.h"

/* Length of a valid sequence starting at s[i] (1 to 4), or 0 when s[i] starts an invalid subpart;
 * *bad receives the length of that maximal invalid subpart (1 to 3). */
static size_t valid_at(const unsigned char *s, size_t n, size_t i, size_t *bad) {
  unsigned char b = s[i];
  if (b < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    if (b == 0xE0) lo = 0xA0;
    if (b == 0xED) hi = 0x9F; /* no surrogates */
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    if (b == 0xF0) lo = 0x90;
    if (b == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
  } else {
    *bad = 1; /* C0, C1, F5..FF, or a stray continuation byte */
    return 0;
  }
  size_t k = 1;
  for (; k <= need; k++) {
    if (i + k >= n) break;
    unsigned char c = s[i + k];
    if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) break;
  }
  if (k > need) return need + 1;
  *bad = k; /* the lead byte and the continuation bytes that were still possible */
  return 0;
}

size_t tt_utf8_valid_prefix(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    /* ASCII runs, 8 bytes at a time */
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    size_t bad = 0, v = valid_at(s, n, i, &bad);
    if (!v) return i;
    i += v;
  }
  return n;
}

size_t tt_utf8_invalid_len(const char *str, size_t n) {
  size_t bad = 1;
  if (!n) return 0;
  if (valid_at((const unsigned char *)str, n, 0, &bad)) return 0;
  return bad;
}

tetra_status tt_utf8_sanitize(tt_scratch *sc, const char *in, size_t n, char **out, size_t *out_len,
                              uint32_t **map, tetra_error *err) {
  const unsigned char *s = (const unsigned char *)in;
  /* Worst case: every byte is its own invalid subpart and becomes 3 bytes. */
  if (n > (UINT32_MAX - 16) / 3) {
    return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer: input of %zu bytes is too large", n);
  }
  /* The exact size first: the map takes 4 bytes a byte, so sizing both for the worst case would
   * cost 15 bytes per input byte for inputs that are nearly all valid. */
  size_t i = 0, w = 0;
  while (i < n) {
    size_t bad = 0, v = valid_at(s, n, i, &bad);
    w += v ? v : 3;
    i += v ? v : bad;
  }
  char *o = tt_scratch_alloc(sc, w + 1);
  uint32_t *m = tt_scratch_alloc(sc, (w + 1) * sizeof(uint32_t));
  if (!o || !m) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory");
  i = 0;
  w = 0;
  while (i < n) {
    size_t bad = 0, v = valid_at(s, n, i, &bad);
    if (v) {
      for (size_t k = 0; k < v; k++) {
        o[w] = (char)s[i + k];
        m[w++] = (uint32_t)i; /* every byte of a character points at its start */
      }
      i += v;
    } else {
      static const char fffd[3] = {(char)0xEF, (char)0xBF, (char)0xBD};
      for (size_t k = 0; k < 3; k++) {
        o[w] = fffd[k];
        m[w++] = (uint32_t)i;
      }
      i += bad;
    }
  }
  o[w] = 0;
  m[w] = (uint32_t)n;
  *out = o;
  *out_len = w;
  *map = m;
  return TETRA_OK;
}

int tt_is_word_char(uint32_t cp) {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           cp == '_';
  }
  if (cp == 0x200C || cp == 0x200D) return 1;
  if (tt_uc_is_alphabetic(cp) || tt_uc_is_mark(cp)) return 1;
  tt_gc gc = tt_uc_category(cp);
  return gc == TT_GC_ND || gc == TT_GC_PC;
}
