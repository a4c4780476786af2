/* The normalized-string edits that need Unicode data: strip (Rust char::is_whitespace) and
 * lowercase (Rust char::to_lowercase), as HF's NormalizedString does them. */
#include "text/nstr_internal.h"
#include "text/unicode.h"

tetra_status tt_nstr_strip(tt_nstr *ns, int left, int right, tetra_error *err) {
  tt_cpchange *c = tt_nstr_alloc_changes(ns, tt_nstr_count_chars(ns->text, ns->len), err);
  if (!c) return TETRA_ERR_OUT_OF_MEMORY;
  tetra_status st = TETRA_OK;
  size_t i = 0;
  for (size_t pos = 0; pos < ns->len; i++) {
    size_t used;
    c[i].cp = tt_utf8_decode(ns->text + pos, ns->len - pos, &used);
    c[i].change = 0;
    pos += used ? used : 1;
  }
  size_t total = i;
  size_t leading = 0, trailing = 0;
  if (left) {
    while (leading < total && tt_uc_is_white_space(c[leading].cp)) leading++;
  }
  if (right) {
    while (trailing < total && tt_uc_is_white_space(c[total - 1 - trailing].cp)) trailing++;
  }
  if (leading > 0 || trailing > 0) {
    /* HF lrstrip: keep chars [leading, total - trailing); the last kept one removes the
     * trailing ones; the leading ones are the initial offset. */
    size_t end = total - trailing;
    size_t n = end > leading ? end - leading : 0;
    if (n > 0) c[end - 1].change = -(int32_t)trailing;
    st = tt_nstr_transform(ns, c + (n ? leading : 0), n, (uint32_t)leading, err);
  }
  tetra_free(ns->alloc, c);
  return st;
}

tetra_status tt_nstr_lowercase(tt_nstr *ns, tetra_error *err) {
  if (tt_nstr_transform_is_whole(ns) && tt_nstr_is_ascii(ns)) {
    /* ASCII letters map one for one to ASCII: the transform would keep every alignment. */
    for (uint32_t i = 0; i < ns->len; i++) {
      char ch = ns->text[i];
      if (ch >= 'A' && ch <= 'Z') ns->text[i] = (char)(ch + ('a' - 'A'));
    }
    return TETRA_OK;
  }
  /* Full mappings give at most 3 characters. */
  tt_cpchange *c = tt_nstr_alloc_changes(ns, 3 * tt_nstr_count_chars(ns->text, ns->len), err);
  if (!c) return TETRA_ERR_OUT_OF_MEMORY;
  tetra_status st = TETRA_OK;
  size_t n = 0;
  int changed = 0;
  for (size_t pos = 0; pos < ns->len;) {
    size_t used;
    uint32_t cp = tt_utf8_decode(ns->text + pos, ns->len - pos, &used);
    pos += used ? used : 1;
    uint32_t low[3];
    int k = tt_uc_to_lower(cp, low);
    if (k < 1 || k > 3) {
      low[0] = cp;
      k = 1;
    }
    changed |= k != 1 || low[0] != cp;
    for (int j = 0; j < k; j++) {
      c[n].cp = low[j];
      c[n].change = j > 0; /* extra chars of a full mapping are insertions */
      n++;
    }
  }
  /* Unchanged text: HF's transform would rebuild the same alignments, unless its quirk for
   * leading zero-width bytes or an empty original applies (see tt_nstr_transform). */
  if (changed || !tt_nstr_transform_is_whole(ns)) st = tt_nstr_transform(ns, c, n, 0, err);
  tetra_free(ns->alloc, c);
  return st;
}
