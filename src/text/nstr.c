/* Normalized strings: text plus, for every byte, the absolute original range it came from.
 * The rules for alignments follow HF tokenizers' NormalizedString (normalizer.rs) so that token
 * offsets in the original input come out identical, quirks included (see tt_nstr_transform). */
#include <string.h>

#include "text/nstr_internal.h"

static int encoded_len(uint32_t cp) {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  if (cp < 0x10000) return 3;
  if (cp <= 0x10FFFF) return 4;
  return 0;
}

static void encode(uint32_t cp, char *out) {
  unsigned char *o = (unsigned char *)out;
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
  } else if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
  } else {
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  }
}

static int is_boundary(const tt_nstr *ns, uint32_t pos) {
  return pos == 0 || pos >= ns->len || ((unsigned char)ns->text[pos] & 0xC0) != 0x80;
}

tetra_status tt_nstr_alloc_buffers(const tetra_allocator *a, uint32_t len, char **text,
                                   tt_span **align, tetra_error *err) {
  *text = tetra_alloc(a, (size_t)len + 1);
  *align = tetra_alloc(a, (len ? len : 1) * sizeof(tt_span));
  if (!*text || !*align) {
    tetra_free(a, *text);
    tetra_free(a, *align);
    *text = NULL;
    *align = NULL;
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY,
                           "normalized string: out of memory for %u bytes", len);
  }
  return TETRA_OK;
}

tt_cpchange *tt_nstr_alloc_changes(const tt_nstr *ns, size_t n, tetra_error *err) {
  tt_cpchange *c = NULL;
  if (n < SIZE_MAX / sizeof *c) c = tetra_alloc(ns->alloc, (n ? n : 1) * sizeof *c);
  if (!c) tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "normalized string: out of memory");
  return c;
}

void tt_nstr_adopt(tt_nstr *ns, char *text, tt_span *align, uint32_t len) {
  tetra_free(ns->alloc, ns->text);
  tetra_free(ns->alloc, ns->align);
  ns->text = text;
  ns->align = align;
  ns->len = len;
  ns->cap = len;
}

tetra_status tt_nstr_init(tt_nstr *ns, const tetra_allocator *a, const char *text, uint32_t len,
                          uint32_t original_start, tetra_error *err) {
  if (!ns || (!text && len)) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tt_nstr_init: NULL argument");
  }
  if ((uint64_t)original_start + len > UINT32_MAX) {
    return tetra_error_set(err, TETRA_ERR_LIMIT, "normalized string: input beyond 4 GiB");
  }
  char *t;
  tt_span *al;
  tetra_status st = tt_nstr_alloc_buffers(a, len, &t, &al, err);
  if (st) return st;
  if (len) memcpy(t, text, len);
  t[len] = 0;
  /* Every byte of a character maps to the whole character, as HF's From<String> does. */
  for (uint32_t pos = 0; pos < len;) {
    uint32_t n = tt_nstr_char_len(t, pos, len);
    for (uint32_t k = 0; k < n; k++) {
      al[pos + k].start = original_start + pos;
      al[pos + k].end = original_start + pos + n;
    }
    pos += n;
  }
  ns->alloc = a;
  ns->text = t;
  ns->align = al;
  ns->len = len;
  ns->cap = len;
  ns->original.start = original_start;
  ns->original.end = original_start + len;
  return TETRA_OK;
}

tetra_status tt_nstr_init_aligned(tt_nstr *ns, const tetra_allocator *a, const char *text,
                                  const tt_span *align, uint32_t len, tt_span original,
                                  tetra_error *err) {
  char *t;
  tt_span *al;
  tetra_status st = tt_nstr_alloc_buffers(a, len, &t, &al, err);
  if (st) return st;
  if (len) {
    memcpy(t, text, len);
    memcpy(al, align, len * sizeof(tt_span));
  }
  t[len] = 0;
  ns->alloc = a;
  ns->text = t;
  ns->align = al;
  ns->len = len;
  ns->cap = len;
  ns->original = original;
  return TETRA_OK;
}

void tt_nstr_free(tt_nstr *ns) {
  if (!ns) return;
  tetra_free(ns->alloc, ns->text);
  tetra_free(ns->alloc, ns->align);
  ns->text = NULL;
  ns->align = NULL;
  ns->len = ns->cap = 0;
}

tt_span tt_nstr_original_span(const tt_nstr *ns, uint32_t start, uint32_t end) {
  tt_span r;
  if (end > ns->len) end = ns->len;
  if (start > end) start = end;
  if (start == end) {
    /* HF returns an empty range unconverted; "the matching position" here is where the next
     * normalized byte came from, or where the last one ended. With identity alignments this
     * is the same number HF gives. */
    uint32_t at = ns->original.start;
    if (start < ns->len) {
      at = ns->align[start].start;
    } else if (ns->len > 0) {
      at = ns->align[ns->len - 1].end;
    }
    r.start = r.end = at;
    return r;
  }
  /* HF expand_alignments: first byte's start, last byte's end (not a min/max). */
  r.start = ns->align[start].start;
  r.end = ns->align[end - 1].end;
  return r;
}

tetra_status tt_nstr_slice(const tt_nstr *ns, uint32_t start, uint32_t end, tt_nstr *out,
                           tetra_error *err) {
  if (start > end || end > ns->len || !is_boundary(ns, start) || !is_boundary(ns, end)) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "normalized string: slice [%u, %u) of %u bytes is not on character "
                           "boundaries",
                           start, end, ns->len);
  }
  return tt_nstr_init_aligned(out, ns->alloc, ns->text + start, ns->align + start, end - start,
                              tt_nstr_original_span(ns, start, end), err);
}

tetra_status tt_nstr_transform_range(tt_nstr *ns, uint32_t start, uint32_t end,
                                     const tt_cpchange *chars, size_t n, uint32_t initial_offset,
                                     tetra_error *err) {
  if (end > ns->len) end = ns->len;
  if (start > end) start = end;
  if (!is_boundary(ns, start) || !is_boundary(ns, end)) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "normalized string: transform range [%u, %u) of %u bytes is not on "
                           "character boundaries",
                           start, end, ns->len);
  }
  uint64_t out_bytes = 0;
  for (size_t i = 0; i < n; i++) {
    int w = encoded_len(chars[i].cp);
    if (!w) {
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "normalized string: transform output %zu is U+%04X, not a Unicode "
                             "scalar value",
                             i, (unsigned)chars[i].cp);
    }
    out_bytes += (uint64_t)w;
  }
  uint64_t new_len64 = (uint64_t)start + out_bytes + (ns->len - end);
  if (new_len64 >= UINT32_MAX) {
    return tetra_error_set(err, TETRA_ERR_LIMIT, "normalized string: text beyond 4 GiB");
  }
  uint32_t new_len = (uint32_t)new_len64;
  char *t;
  tt_span *al;
  tetra_status st = tt_nstr_alloc_buffers(ns->alloc, new_len, &t, &al, err);
  if (st) return st;

  const char *old = ns->text;
  const tt_span *old_al = ns->align;
  const uint32_t len = ns->len;
  const tt_span at_origin = {ns->original.start, ns->original.start};
  memcpy(t, old, start);
  memcpy(al, old_al, start * sizeof(tt_span));
  uint32_t o = start;

  /* pos walks the replaced characters (HF's `offset`); it never leaves [start, end): characters
   * asked for beyond the range simply are not there, as in HF's exhausted iterator. */
  uint32_t pos = start;
  for (uint32_t k = 0; k < initial_offset && pos < end; k++) pos += tt_nstr_char_len(old, pos, end);
  for (size_t i = 0; i < n; i++) {
    tt_span a;
    if (chars[i].change > 0) {
      /* An insertion shares the alignment of the byte before it; at the very start, HF's
       * (0, 0) relative to this string's original, i.e. an empty span at its start. */
      a = pos >= 1 ? old_al[pos - 1] : at_origin;
    } else {
      /* HF indexes alignments[offset] here (and panics past the end): fall back gracefully. */
      a = pos < len ? old_al[pos] : (pos >= 1 ? old_al[pos - 1] : at_origin);
      if (pos < end) pos += tt_nstr_char_len(old, pos, end);
      for (int64_t k = 0; k < -(int64_t)chars[i].change && pos < end; k++) {
        pos += tt_nstr_char_len(old, pos, end);
      }
    }
    int w = encoded_len(chars[i].cp);
    encode(chars[i].cp, t + o);
    for (int k = 0; k < w; k++) al[o + (uint32_t)k] = a;
    o += (uint32_t)w;
  }
  memcpy(t + o, old + end, len - end);
  memcpy(al + o, old_al + end, (len - end) * sizeof(tt_span));
  t[new_len] = 0;
  tt_nstr_adopt(ns, t, al, new_len);
  return TETRA_OK;
}

tetra_status tt_nstr_transform(tt_nstr *ns, const tt_cpchange *chars, size_t n,
                               uint32_t initial_offset, tetra_error *err) {
  /* HF's transform() is transform_range(Range::Original(..)), and converting the whole original
   * range to a normalized one starts at the first byte whose alignment is not empty: leading
   * bytes aligned to an empty span (characters inserted at the very start) stay outside the
   * range and are kept in front of the output. The end is the end of the text, or, when every
   * byte is zero-width, the range is empty at the end; an empty original gives [0, 0). */
  uint32_t start = 0, end = ns->len;
  if (ns->original.start != ns->original.end && ns->len > 0) {
    while (start < ns->len && ns->align[start].start == ns->align[start].end) start++;
  }
  if (ns->original.start == ns->original.end) end = 0;
  return tt_nstr_transform_range(ns, start, end, chars, n, initial_offset, err);
}

tetra_status tt_nstr_codepoints(const tt_nstr *ns, uint32_t **out, size_t *n, tetra_error *err) {
  uint32_t *cps = tetra_alloc(ns->alloc, (ns->len ? ns->len : 1) * sizeof(uint32_t));
  if (!cps) {
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY,
                           "normalized string: out of memory for %u code points", ns->len);
  }
  size_t k = 0;
  for (uint32_t pos = 0; pos < ns->len;) {
    cps[k++] = tt_nstr_next_cp(ns->text, ns->len, &pos);
  }
  *out = cps;
  *n = k;
  return TETRA_OK;
}

/* ---- matches ---------------------------------------------------------------------------------- */
tetra_status tt_matches_push(tt_matches *m, const tetra_allocator *a, uint32_t start, uint32_t end,
                             tetra_error *err) {
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 16;
    tt_span *s = tetra_alloc(a, cap * sizeof(tt_span));
    if (!s) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "matches: out of memory");
    if (m->n) memcpy(s, m->spans, m->n * sizeof(tt_span));
    tetra_free(a, m->spans);
    m->spans = s;
    m->cap = cap;
  }
  m->spans[m->n].start = start;
  m->spans[m->n].end = end;
  m->n++;
  return TETRA_OK;
}

void tt_matches_free(tt_matches *m, const tetra_allocator *a) {
  if (!m) return;
  tetra_free(a, m->spans);
  m->spans = NULL;
  m->n = m->cap = 0;
}

tetra_status tt_find_literal(const char *text, size_t len, const char *lit, size_t lit_len,
                             const tetra_allocator *a, tt_matches *m, tetra_error *err) {
  if (len >= UINT32_MAX) return tetra_error_set(err, TETRA_ERR_LIMIT, "matches: text beyond 4 GiB");
  if (lit_len == 0) {
    /* An empty pattern matches at every character boundary, the end included. */
    for (uint32_t pos = 0;; pos += tt_nstr_char_len(text, pos, (uint32_t)len)) {
      tetra_status st = tt_matches_push(m, a, pos, pos, err);
      if (st) return st;
      if (pos >= len) break;
    }
    return TETRA_OK;
  }
  size_t pos = 0;
  while (pos + lit_len <= len) {
    const char *hit = memchr(text + pos, (unsigned char)lit[0], len - pos - lit_len + 1);
    if (!hit) break;
    size_t at = (size_t)(hit - text);
    if (memcmp(hit, lit, lit_len) == 0) {
      tetra_status st = tt_matches_push(m, a, (uint32_t)at, (uint32_t)(at + lit_len), err);
      if (st) return st;
      pos = at + lit_len;
    } else {
      pos = at + 1;
    }
  }
  return TETRA_OK;
}
