/* Editing a normalized string the way HF's NormalizedString methods do (filter, map, prepend,
 * append, replace), each expressed as the transformation HF builds so that alignments match.
 * No Unicode tables here: strip and lowercase, which need them, are in nstr_unicode.c. */
#include <string.h>

#include "text/nstr_internal.h"

/* Filter when the transform covers the whole text: a kept character keeps its first byte's
 * alignment (which all its bytes share: every constructor and edit aligns a character's bytes
 * alike, as HF does) and a removed one vanishes, so compacting the text in place is what the
 * transform would build, without the change list and the new buffers. */
static void filter_in_place(tt_nstr *ns, tt_cp_pred keep, void *ctx) {
  uint32_t o = 0;
  for (uint32_t pos = 0; pos < ns->len;) {
    uint32_t at = pos;
    uint32_t cp = tt_nstr_next_cp(ns->text, ns->len, &pos);
    if (!keep(cp, ctx)) continue;
    for (uint32_t k = at; k < pos; k++, o++) { /* o <= k: copying forward is safe */
      ns->text[o] = ns->text[k];
      ns->align[o] = ns->align[k];
    }
  }
  ns->text[o] = 0;
  ns->len = o;
}

tetra_status tt_nstr_filter(tt_nstr *ns, tt_cp_pred keep, void *ctx, tetra_error *err) {
  if (tt_nstr_transform_is_whole(ns)) {
    filter_in_place(ns, keep, ctx);
    return TETRA_OK;
  }
  tt_cpchange *c = tt_nstr_alloc_changes(ns, tt_nstr_count_chars(ns->text, ns->len), err);
  if (!c) return err ? err->code : TETRA_ERR_OUT_OF_MEMORY;
  /* A kept character carries the count of removed characters that follow it (-k); removed
   * characters before the first kept one are the initial offset. */
  size_t n = 0;
  uint32_t initial = 0;
  int changed = 0;
  for (uint32_t pos = 0; pos < ns->len;) {
    uint32_t cp = tt_nstr_next_cp(ns->text, ns->len, &pos);
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
  if (changed || !tt_nstr_transform_is_whole(ns)) st = tt_nstr_transform(ns, c, n, initial, err);
  tetra_free(ns->alloc, c);
  return st;
}

tetra_status tt_nstr_map(tt_nstr *ns, tt_cp_map map, void *ctx, tetra_error *err) {
  tt_cpchange *c = tt_nstr_alloc_changes(ns, tt_nstr_count_chars(ns->text, ns->len), err);
  if (!c) return err ? err->code : TETRA_ERR_OUT_OF_MEMORY;
  size_t n = 0;
  int changed = 0;
  for (uint32_t pos = 0; pos < ns->len;) {
    uint32_t cp = tt_nstr_next_cp(ns->text, ns->len, &pos);
    c[n].cp = map(cp, ctx);
    c[n].change = 0;
    changed |= c[n].cp != cp;
    n++;
  }
  tetra_status st = TETRA_OK;
  if (changed || !tt_nstr_transform_is_whole(ns)) st = tt_nstr_transform(ns, c, n, 0, err);
  tetra_free(ns->alloc, c);
  return st;
}

/* Decodes s into changes: the first gets first_change, the others rest_change. */
static size_t decode_into(const char *s, size_t len, tt_cpchange *c, int32_t first_change,
                          int32_t rest_change) {
  size_t n = 0;
  for (uint32_t pos = 0; pos < len;) {
    c[n].cp = tt_nstr_next_cp(s, (uint32_t)len, &pos);
    c[n].change = n == 0 ? first_change : rest_change;
    n++;
  }
  return n;
}

tetra_status tt_nstr_prepend(tt_nstr *ns, const char *s, size_t len, tetra_error *err) {
  if (ns->len == 0) return TETRA_OK;
  size_t n_s = tt_nstr_count_chars(s, len);
  tt_cpchange *c = tt_nstr_alloc_changes(ns, n_s + 1, err);
  if (!c) return err ? err->code : TETRA_ERR_OUT_OF_MEMORY;
  /* HF: the first prepended char replaces the first char, the rest (and the first char
   * itself, re-emitted) are insertions. */
  size_t n = decode_into(s, len, c, 0, 1);
  uint32_t first_end = 0;
  c[n].cp = tt_nstr_next_cp(ns->text, ns->len, &first_end);
  c[n].change = 1;
  n++;
  tetra_status st = tt_nstr_transform_range(ns, 0, first_end, c, n, 0, err);
  tetra_free(ns->alloc, c);
  return st;
}

tetra_status tt_nstr_append(tt_nstr *ns, const char *s, size_t len, tetra_error *err) {
  if (ns->len == 0) return TETRA_OK;
  size_t n_s = tt_nstr_count_chars(s, len);
  tt_cpchange *c = tt_nstr_alloc_changes(ns, n_s + 1, err);
  if (!c) return err ? err->code : TETRA_ERR_OUT_OF_MEMORY;
  uint32_t last = ns->len - 1;
  while (last > 0 && ((unsigned char)ns->text[last] & 0xC0) == 0x80) last--;
  uint32_t pos = last;
  c[0].cp = tt_nstr_next_cp(ns->text, ns->len, &pos);
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
  char *t;
  tt_span *al;
  tetra_status st = tt_nstr_alloc_buffers(ns->alloc, (uint32_t)new_len, &t, &al, err);
  if (st) return st;
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
  tt_nstr_adopt(ns, t, al, o);
  return TETRA_OK;
}
