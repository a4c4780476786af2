/* Helpers shared by the older-format loaders: a JSON text writer, a borrowed-key string map and a
 * UTF-8 validator. Kept local to the legacy loaders so that they depend on nothing but the core. */
#include <stdio.h>
#include <string.h>

#include "text/legacy.h"

/* ---- JSON text buffer -------------------------------------------------------------------------- */
void tt_jbuf_init(tt_jbuf *b, const tetra_allocator *a) {
  memset(b, 0, sizeof(*b));
  b->alloc = a;
}

void tt_jbuf_free(tt_jbuf *b) {
  tetra_free(b->alloc, b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

static int jbuf_reserve(tt_jbuf *b, size_t extra) {
  if (b->oom) return 0;
  if (b->len + extra + 1 <= b->cap) return 1;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1) {
    if (cap > SIZE_MAX / 2) {
      b->oom = 1;
      return 0;
    }
    cap *= 2;
  }
  char *p = (char *)tetra_alloc(b->alloc, cap);
  if (!p) {
    b->oom = 1;
    return 0;
  }
  if (b->data) memcpy(p, b->data, b->len);
  tetra_free(b->alloc, b->data);
  b->data = p;
  b->cap = cap;
  b->data[b->len] = '\0';
  return 1;
}

void tt_jbuf_bytes(tt_jbuf *b, const char *s, size_t len) {
  if (!jbuf_reserve(b, len)) return;
  memcpy(b->data + b->len, s, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void tt_jbuf_raw(tt_jbuf *b, const char *s) { tt_jbuf_bytes(b, s, strlen(s)); }

void tt_jbuf_str(tt_jbuf *b, const char *s, size_t len) {
  /* Worst case every byte becomes \u00XX (6 bytes). */
  if (len > (SIZE_MAX - 2) / 6 || !jbuf_reserve(b, len * 6 + 2)) {
    b->oom = 1;
    return;
  }
  static const char hex[] = "0123456789abcdef";
  char *o = b->data + b->len;
  *o++ = '"';
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
    } else if (c == '\n') {
      *o++ = '\\';
      *o++ = 'n';
    } else if (c == '\t') {
      *o++ = '\\';
      *o++ = 't';
    } else if (c == '\r') {
      *o++ = '\\';
      *o++ = 'r';
    } else if (c < 0x20 || c == 0x7f) {
      *o++ = '\\';
      *o++ = 'u';
      *o++ = '0';
      *o++ = '0';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    } else {
      *o++ = (char)c;
    }
  }
  *o++ = '"';
  b->len = (size_t)(o - b->data);
  b->data[b->len] = '\0';
}

void tt_jbuf_u32(tt_jbuf *b, uint32_t v) {
  char tmp[16];
  int n = snprintf(tmp, sizeof tmp, "%u", (unsigned)v);
  tt_jbuf_bytes(b, tmp, (size_t)n);
}

void tt_jbuf_f32(tt_jbuf *b, float v) {
  /* %.17g round-trips any double, so the reader gets exactly the float's value; JSON has no
   * infinities or NaN, so those become the most negative float (never chosen by a model). */
  double d = (double)v;
  if (!(d == d) || d > 3.4028234663852886e38 || d < -3.4028234663852886e38) d = -3.4028234663852886e38;
  char tmp[40];
  int n = snprintf(tmp, sizeof tmp, "%.17g", d);
  /* A bare integer such as "-0" or "12" is fine JSON; keep a fraction so readers see a float. */
  tt_jbuf_bytes(b, tmp, (size_t)n);
  if (!strpbrk(tmp, ".eE")) tt_jbuf_raw(b, ".0");
}

tetra_status tt_jbuf_check(const tt_jbuf *b, const char *what, tetra_error *err) {
  if (b->oom)
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY,
                           "%s: out of memory while writing the tokenizer.json document", what);
  return TETRA_OK;
}

/* ---- the token map ---------------------------------------------------------------------------- */
tetra_status tt_lvocab_map(const tt_lvocab *v, int last_wins, const tetra_allocator *a,
                           tt_strmap *m, tetra_error *err) {
  tetra_status st = tt_strmap_init(m, a, v->n, err);
  /* puts overwrite: insert in the order that leaves the winning id last */
  for (size_t k = 0; st == TETRA_OK && k < v->n; k++) {
    size_t i = last_wins ? k : v->n - 1 - k;
    st = tt_strmap_put(m, v->text[i], v->len[i], (uint32_t)i, err);
  }
  if (st != TETRA_OK) tt_strmap_free(m);
  return st;
}

/* ---- UTF-8 ------------------------------------------------------------------------------------ */
size_t tt_legacy_utf8_check(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    unsigned c = p[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c == 0xe0) lo = 0xa0;      /* overlong */
      else if (c == 0xed) hi = 0x9f; /* surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c == 0xf0) lo = 0x90;      /* overlong */
      else if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
    } else {
      return i;
    }
    if (len - i <= n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k <= n; k++)
      if ((p[i + k] & 0xc0) != 0x80) return i;
    i += n + 1;
  }
  return len;
}
