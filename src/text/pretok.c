/* Pre-tokenized strings: a list of normalized pieces (HF PreTokenizedString), and splitting one
 * normalized string by a pattern's matches (HF NormalizedString::split with its five
 * SplitDelimiterBehaviors; empty pieces are dropped, as PreTokenizedString::split drops them). */
#include <string.h>

#include "text/nstr.h"

void tt_pretok_init(tt_pretok *pt, const tetra_allocator *a) {
  pt->alloc = a;
  pt->splits = NULL;
  pt->n = pt->cap = 0;
}

static void split_free(const tetra_allocator *a, tt_split *s) {
  tt_nstr_free(&s->ns);
  tetra_free(a, s->tokens);
  s->tokens = NULL;
  s->n_tokens = 0;
}

void tt_pretok_free(tt_pretok *pt) {
  if (!pt) return;
  for (size_t i = 0; i < pt->n; i++) split_free(pt->alloc, &pt->splits[i]);
  tetra_free(pt->alloc, pt->splits);
  pt->splits = NULL;
  pt->n = pt->cap = 0;
}

static tetra_status reserve(tt_pretok *pt, size_t extra, tetra_error *err) {
  if (pt->n + extra <= pt->cap) return TETRA_OK;
  size_t cap = pt->cap ? pt->cap : 8;
  while (cap < pt->n + extra) cap *= 2;
  tt_split *s = tetra_alloc(pt->alloc, cap * sizeof(tt_split));
  if (!s) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "pre-tokenized string: out of memory");
  if (pt->n) memcpy(s, pt->splits, pt->n * sizeof(tt_split));
  tetra_free(pt->alloc, pt->splits);
  pt->splits = s;
  pt->cap = cap;
  return TETRA_OK;
}

tetra_status tt_pretok_push(tt_pretok *pt, tt_nstr *ns, tt_token *tokens, uint32_t n_tokens,
                            tetra_error *err) {
  tetra_status st = reserve(pt, 1, err);
  if (st) return st;
  tt_split *s = &pt->splits[pt->n++];
  s->ns = *ns;
  s->tokens = tokens;
  s->n_tokens = n_tokens;
  /* ownership moved: the caller's copy must not be freed again */
  ns->text = NULL;
  ns->align = NULL;
  ns->len = ns->cap = 0;
  return TETRA_OK;
}

/* One piece of HF's find_matches output: a range and whether it is a match (or, after the
 * behavior is applied, whether it is to be removed). */
typedef struct piece {
  uint32_t start, end;
  int flag;
} piece;

static int on_boundary(const tt_nstr *ns, uint32_t pos) {
  return pos == 0 || pos >= ns->len || ((unsigned char)ns->text[pos] & 0xC0) != 0x80;
}

tetra_status tt_pretok_split_matches(tt_pretok *out, const tt_nstr *ns, const tt_matches *m,
                                     tt_split_behavior behavior, int invert, tetra_error *err) {
  const tetra_allocator *a = out->alloc;
  size_t n_matches = m ? m->n : 0;
  uint32_t prev = 0;
  for (size_t i = 0; i < n_matches; i++) {
    tt_span s = m->spans[i];
    if (s.start < prev || s.end < s.start || s.end > ns->len || !on_boundary(ns, s.start) ||
        !on_boundary(ns, s.end)) {
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "split: match %zu [%u, %u) is out of order, out of the text's %u "
                             "bytes or not on character boundaries",
                             i, s.start, s.end, ns->len);
    }
    prev = s.end;
  }
  if (behavior > TT_SPLIT_CONTIGUOUS) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "split: unknown behavior %d",
                           (int)behavior);
  }

  /* find_matches: every match (empty ones included) and every non-empty gap, in order; an
   * empty text is one non-matching empty piece. */
  piece *p = tetra_alloc(a, (2 * n_matches + 1) * sizeof(piece));
  if (!p) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "split: out of memory");
  size_t np = 0;
  if (ns->len == 0) {
    p[np++] = (piece){0, 0, 0};
  } else {
    prev = 0;
    for (size_t i = 0; i < n_matches; i++) {
      if (prev != m->spans[i].start) p[np++] = (piece){prev, m->spans[i].start, 0};
      p[np++] = (piece){m->spans[i].start, m->spans[i].end, 1};
      prev = m->spans[i].end;
    }
    if (prev != ns->len) p[np++] = (piece){prev, ns->len, 0};
  }
  if (invert) {
    for (size_t i = 0; i < np; i++) p[i].flag = !p[i].flag;
  }

  /* Apply the behavior in place: afterwards flag means "remove". */
  size_t nk = 0;
  int previous_match = 0;
  switch (behavior) {
    case TT_SPLIT_REMOVED:
      nk = np;
      break;
    case TT_SPLIT_ISOLATED:
      for (size_t i = 0; i < np; i++) p[i].flag = 0;
      nk = np;
      break;
    case TT_SPLIT_CONTIGUOUS:
      for (size_t i = 0; i < np; i++) {
        int is_match = p[i].flag;
        if (is_match == previous_match && nk > 0) {
          p[nk - 1].end = p[i].end;
        } else {
          p[nk++] = (piece){p[i].start, p[i].end, 0};
        }
        previous_match = is_match;
      }
      break;
    case TT_SPLIT_MERGED_WITH_PREVIOUS:
      for (size_t i = 0; i < np; i++) {
        int is_match = p[i].flag;
        if (is_match && !previous_match && nk > 0) {
          p[nk - 1].end = p[i].end;
        } else {
          p[nk++] = (piece){p[i].start, p[i].end, 0};
        }
        previous_match = is_match;
      }
      break;
    case TT_SPLIT_MERGED_WITH_NEXT: {
      /* Walk backwards, compacting towards the end of the array, then read it forwards. */
      size_t w = np; /* kept pieces live in p[w, np) */
      for (size_t i = np; i-- > 0;) {
        piece cur = p[i];
        if (cur.flag && !previous_match && w < np) {
          p[w].start = cur.start;
        } else {
          p[--w] = (piece){cur.start, cur.end, 0};
        }
        previous_match = cur.flag;
      }
      memmove(p, p + w, (np - w) * sizeof(piece));
      nk = np - w;
      break;
    }
  }

  size_t n_before = out->n;
  tetra_status st = TETRA_OK;
  for (size_t i = 0; i < nk && st == TETRA_OK; i++) {
    if (p[i].flag || p[i].start == p[i].end) continue;
    tt_nstr piece_ns;
    st = tt_nstr_slice(ns, p[i].start, p[i].end, &piece_ns, err);
    if (st) break;
    st = tt_pretok_push(out, &piece_ns, NULL, 0, err);
    if (st) tt_nstr_free(&piece_ns);
  }
  tetra_free(a, p);
  if (st) {
    while (out->n > n_before) split_free(out->alloc, &out->splits[--out->n]);
  }
  return st;
}
