/* Editing a normalized string the way HF's NormalizedString methods do (filter, map, prepend,
 * append, replace), each expressed as the transformation HF builds so that alignments match.
 * No Unicode tables here: strip and lowercase, which need them, are in nstr_unicode.c. */
#include <string.h>

#include "text/nstr.h"

static uint32_t lead_len(unsigned char b) {
  if (b < 0x80) return 1;
  if (b >= 0xF0) return 4;
  if (b >= 0xE0) return 3;
  if (b >= 0xC0) return 2;
  return 1;
}

/* Decodes the character at pos of a valid UTF-8 text of len bytes. */
static uint32_t next_cp(const char *s, uint32_t len, uint32_t *pos) {
  const unsigned char *p = (const unsigned char *)s + *pos;
  uint32_t n = lead_len(p[0]);
  if (*pos + n > len) n = len - *pos;
  *pos += n;
  switch (n) {
    case 1: return p[0];
    case 2: return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3: return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
      return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
             ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  }
}

static size_t count_chars(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
  return n;
}

/* Whether HF's transform() covers the whole text, so that a one-for-one rebuild of the same
 * characters is the identity and can be skipped (see tt_nstr_transform for when it does not). */
static int transform_covers_all(const tt_nstr *ns) {
  if (ns->len == 0) return 1;
  return ns->original.start != ns->original.end && ns->align[0].start != ns->align[0].end;
}

static tt_cpchange *alloc_changes(const tt_nstr *ns, size_t n, tetra_error *err) {
  tt_cpchange *c = tetra_alloc(ns->alloc, (n ? n : 1) * sizeof(tt_cpchange));
  if (!c) tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "normalized string: out of memory");
  return c;
}

tetra_status tt_nstr_filter(tt_nstr *ns, tt_cp_pred keep, void *ctx, tetra_error *err) {
  tt_cpchange *c = alloc_changes(ns, count_chars(ns->text, ns->len), err);
  if (!c) return err ? err->code : TETRA_ERR_OUT_OF_MEMORY;
  /* A kept character carries the count of removed characters that follow it (-k); removed
   * characters before the first kept one are the initial offset. */
  size_t n = 0;
  uint32_t initial = 0;
  int changed = 0;
  for (uint32_t pos = 0; pos < ns->len;) {
    uint32_t cp = next_cp(ns->text, ns->len, &pos);
    if (keep(cp, ctx)) {
      c[n].cp = cp;
      c[n].change = 0;
      n++;
    } else if (n > 0) {
      c[n - 1].change--;
      changed = 1;
    } else {
      initial++;
      changed = 1;
    }
  }
  tetra_status st = TETRA_OK;
  /* Nothing removed: HF's transform would rebuild the same string and alignments. */
  if (changed || !transform_covers_all(ns)) st = tt_nstr_transform(ns, c, n, initial, err);
  tetra_free(ns->alloc, c);
  return st;
}

tetra_status tt_nstr_map(tt_nstr *ns, tt_cp_map map, void *ctx, tetra_error *err) {
  tt_cpchange *c = alloc_changes(ns, count_chars(ns->text, ns->len), err);
  if (!c) return err ? err->code : TETRA_ERR_OUT_OF_MEMORY;
  size_t n = 0;
  int changed = 0;
  for (uint32_t pos = 0; pos < ns->len;) {
    uint32_t cp = next_cp(ns->text, ns->len, &pos);
    c[n].cp = map(cp, ctx);
    c[n].change = 0;
    changed |= c[n].cp != cp;
    n++;
  }
  tetra_status st = TETRA_OK;
  if (changed || !transform_covers_all(ns)) st = tt_nstr_transform(ns, c, n, 0, err);
  tetra_free(ns->alloc, c);
  return st;
}

/* Decodes s into changes: the first gets first_change, the others rest_change. */
static size_t decode_into(const char *s, size_t len, tt_cpchange *c, int32_t first_change,
                          int32_t rest_change) {
  size_t n = 0;
  for (uint32_t pos = 0; pos < len;) {
    c[n].cp = next_cp(s, (uint32_t)len, &pos);
    c[n].change = n == 0 ? first_change : rest_change;
    n++;
  }
  return n;
}

tetra_status tt_nstr_prepend(tt_nstr *ns, const char *s, size_t len, tetra_error *err) {
  if (ns->len == 0) return TETRA_OK;
  size_t n_s = count_chars(s, len);
  tt_cpchange *c = alloc_changes(ns, n_s + 1, err);
  if (!c) return err ? err->code : TETRA_ERR_OUT_OF_MEMORY;
  /* HF: the first prepended char replaces the first char, the rest (and the first char
   * itself, re-emitted) are insertions. */
  size_t n = decode_into(s, len, c, 0, 1);
  uint32_t first_end = 0;
  c[n].cp = next_cp(ns->text, ns->len, &first_end);
  c[n].change = 1;
  n++;
  tetra_status st = tt_nstr_transform_range(ns, 0, first_end, c, n, 0, err);
  tetra_free(ns->alloc, c);
  return st;
}

tetra_status tt_nstr_append(tt_nstr *ns, const char *s, size_t len, tetra_error *err) {
  if (ns->len == 0) return TETRA_OK;
  size_t n_s = count_chars(s, len);
  tt_cpchange *c = alloc_changes(ns, n_s + 1, err);
  if (!c) return err ? err->code : TETRA_ERR_OUT_OF_MEMORY;
  uint32_t last = ns->len - 1;
  while (last > 0 && ((unsigned char)ns->text[last] & 0xC0) == 0x80) last--;
  uint32_t pos = last;
  c[0].cp = next_cp(ns->text, ns->len, &pos);
  c[0].change = 0;
  size_t n = 1 + decode_into(s, len, c + 1, 1, 1);
  tetra_status st = tt_nstr_transform_range(ns, last, ns->len, c, n, 0, err);
  tetra_free(ns->alloc, c);
  return st;
}

tetra_status tt_nstr_replace(tt_nstr *ns, const tt_matches *m, const char *content, size_t len,
                             tetra_error *err) {
  if (!m || m->n == 0) return TETRA_OK;
  /* HF replaces match after match with transform_range (content chars are insertions, the
   * matched chars the initial offset), which is quadratic; one pass gives the same result:
   * inserted bytes take the alignment of the match's last byte or, for an empty match, of the
   * byte written just before (an empty span at the start when there is none). */
  uint64_t new_len = ns->len;
  uint32_t prev = 0;
  for (size_t i = 0; i < m->n; i++) {
    tt_span s = m->spans[i];
    if (s.start < prev || s.end < s.start || s.end > ns->len) {
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "replace: match %zu [%u, %u) is out of order or beyond the text's "
                             "%u bytes",
                             i, s.start, s.end, ns->len);
    }
    prev = s.end;
    new_len = new_len - (s.end - s.start) + len;
  }
  if (new_len >= UINT32_MAX) return tetra_error_set(err, TETRA_ERR_LIMIT, "replace: text beyond 4 GiB");
  char *t = tetra_alloc(ns->alloc, (size_t)new_len + 1);
  tt_span *al = tetra_alloc(ns->alloc, (new_len ? (size_t)new_len : 1) * sizeof(tt_span));
  if (!t || !al) {
    tetra_free(ns->alloc, t);
    tetra_free(ns->alloc, al);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "replace: out of memory");
  }
  uint32_t o = 0;
  prev = 0;
  for (size_t i = 0; i <= m->n; i++) {
    uint32_t gap_end = i < m->n ? m->spans[i].start : ns->len;
    memcpy(t + o, ns->text + prev, gap_end - prev);
    memcpy(al + o, ns->align + prev, (gap_end - prev) * sizeof(tt_span));
    o += gap_end - prev;
    if (i == m->n) break;
    tt_span s = m->spans[i];
    tt_span a;
    if (s.end > s.start) {
      a = ns->align[s.end - 1];
    } else if (o > 0) {
      a = al[o - 1];
    } else {
      a.start = a.end = ns->original.start;
    }
    memcpy(t + o, content, len);
    for (size_t k = 0; k < len; k++) al[o + k] = a;
    o += (uint32_t)len;
    prev = s.end;
  }
  t[o] = 0;
  tetra_free(ns->alloc, ns->text);
  tetra_free(ns->alloc, ns->align);
  ns->text = t;
  ns->align = al;
  ns->len = o;
  ns->cap = o;
  return TETRA_OK;
}
