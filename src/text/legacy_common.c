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

/* ---- string map ------------------------------------------------------------------------------- */
static uint64_t lmap_hash(const char *s, size_t len) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h ^ (h >> 29);
}

tetra_status tt_lmap_init(tt_lmap *m, const tetra_allocator *a, size_t expected, tetra_error *err) {
  memset(m, 0, sizeof(*m));
  m->alloc = a;
  size_t n = 16;
  while (n < expected * 2 + 1) {
    if (n > SIZE_MAX / sizeof(tt_lmap_slot) / 4)
      return tetra_error_set(err, TETRA_ERR_LIMIT, "vocabulary of %zu tokens is too large", expected);
    n *= 2;
  }
  m->slots = (tt_lmap_slot *)tetra_alloc(a, n * sizeof(tt_lmap_slot));
  if (!m->slots) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "out of memory (token map)");
  memset(m->slots, 0, n * sizeof(tt_lmap_slot));
  m->n_slots = n;
  return TETRA_OK;
}

void tt_lmap_free(tt_lmap *m) {
  tetra_free(m->alloc, m->slots);
  m->slots = NULL;
  m->n_slots = m->count = 0;
}

int tt_lmap_add(tt_lmap *m, const char *key, uint32_t len, uint32_t value, uint32_t *existing) {
  size_t mask = m->n_slots - 1, i = (size_t)lmap_hash(key, len) & mask;
  for (;;) {
    tt_lmap_slot *s = &m->slots[i];
    if (!s->key) {
      if (m->count + 1 >= m->n_slots) return 0; /* full: never happens with a right-sized init */
      s->key = key ? key : "";
      s->len = len;
      s->value = value;
      m->count++;
      return 1;
    }
    if (s->len == len && memcmp(s->key, key, len) == 0) {
      if (existing) *existing = s->value;
      return 0;
    }
    i = (i + 1) & mask;
  }
}

int tt_lmap_get(const tt_lmap *m, const char *key, size_t len, uint32_t *value) {
  if (!m->n_slots) return 0;
  size_t mask = m->n_slots - 1, i = (size_t)lmap_hash(key, len) & mask;
  for (;;) {
    const tt_lmap_slot *s = &m->slots[i];
    if (!s->key) return 0;
    if (s->len == len && memcmp(s->key, key, len) == 0) {
      *value = s->value;
      return 1;
    }
    i = (i + 1) & mask;
  }
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
