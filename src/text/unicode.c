/* Unicode character data and algorithms over the generated tables (unicode_tables.c).
 * Semantics are documented in unicode.h; the normalization mirrors the crate
 * unicode-normalization-alignments step by step, because HF tokenizers' offsets depend on the exact
 * change value it yields for every output character. That crate's tables are Unicode 9.0 (probed
 * through the Rust library: no combining class or decomposition of a later character), so
 * tt_uc_normalize ignores newer normalization data (TT_UCP_HF_NEW); tt_uc_normalize_ex(latest)
 * uses all of it, for the conformance test. */
#include "text/unicode.h"

#include <string.h>

#include "text/unicode_internal.h"

/* Grapheme_Cluster_Break values, in the order of GCBS in tools/unicode/make_tables.py. */
typedef enum tt_gcb {
  GCB_OTHER, GCB_CR, GCB_LF, GCB_CONTROL, GCB_EXTEND, GCB_ZWJ, GCB_RI, GCB_PREPEND,
  GCB_SPACING_MARK, GCB_L, GCB_V, GCB_T, GCB_LV, GCB_LVT
} tt_gcb;

/* Hangul syllable arithmetic (Unicode 15, section 3.12). */
enum {
  HANGUL_S_BASE = 0xAC00, HANGUL_L_BASE = 0x1100, HANGUL_V_BASE = 0x1161, HANGUL_T_BASE = 0x11A7,
  HANGUL_L_COUNT = 19, HANGUL_V_COUNT = 21, HANGUL_T_COUNT = 28,
  HANGUL_N_COUNT = HANGUL_V_COUNT * HANGUL_T_COUNT,
  HANGUL_S_COUNT = HANGUL_L_COUNT * HANGUL_N_COUNT
};

/* Record index of cp (<= U+10FFFF: callers check). */
static unsigned record(uint32_t cp) {
  uint32_t block = tt_uc_stage1[((uint32_t)tt_uc_stage0[cp >> (TT_UC_SHIFT + TT_UC_CHUNK_SHIFT)]
                                 << TT_UC_CHUNK_SHIFT) |
                                ((cp >> TT_UC_SHIFT) & ((1u << TT_UC_CHUNK_SHIFT) - 1))];
  return tt_uc_stage2[(block << TT_UC_SHIFT) | (cp & ((1u << TT_UC_SHIFT) - 1))];
}

/* Property bits of cp; 0 (Cn, nothing set) above U+10FFFF. Surrogates are Cs in the data, but a
 * tokenizer never sees them (its text is valid UTF-8), so they are reported as Cn too. */
unsigned tt_uc_props(uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return tt_uc_rec_props[record(cp)];
}

tt_gc tt_uc_category(uint32_t cp) { return (tt_gc)(tt_uc_props(cp) & TT_UCP_GC_MASK); }

int tt_uc_is_white_space(uint32_t cp) {
  if (cp < 0x80) return cp == ' ' || (cp >= 0x09 && cp <= 0x0D);
  return (tt_uc_props(cp) & TT_UCP_WHITE) != 0;
}

int tt_uc_is_alphabetic(uint32_t cp) {
  if (cp < 0x80) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return (tt_uc_props(cp) & TT_UCP_ALPHA) != 0;
}

int tt_uc_is_numeric(uint32_t cp) {
  tt_gc gc = tt_uc_category(cp);
  return gc == TT_GC_ND || gc == TT_GC_NL || gc == TT_GC_NO;
}

int tt_uc_is_letter(uint32_t cp) {
  tt_gc gc = tt_uc_category(cp);
  return gc >= TT_GC_LU && gc <= TT_GC_LO;
}

int tt_uc_is_number(uint32_t cp) { return tt_uc_is_numeric(cp); }

int tt_uc_is_mark(uint32_t cp) {
  tt_gc gc = tt_uc_category(cp);
  return gc >= TT_GC_MN && gc <= TT_GC_ME;
}

int tt_uc_is_punctuation(uint32_t cp) {
  tt_gc gc = tt_uc_category(cp);
  return gc >= TT_GC_PC && gc <= TT_GC_PO;
}

uint8_t tt_uc_ccc(uint32_t cp) {
  if (cp < 0x300 || cp > 0x10FFFF) return 0;
  return tt_uc_rec_ccc[record(cp)];
}

/* Binary search over a sorted table of `count` rows of `stride` uint32_t keyed by the first. */
static const uint32_t *find_row(const uint32_t *rows, size_t count, size_t stride, uint32_t key) {
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint32_t k = rows[mid * stride];
    if (k == key) return rows + mid * stride;
    if (k < key) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

int tt_uc_to_lower(uint32_t cp, uint32_t out[3]) {
  if (cp < 0x80) {
    out[0] = (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    return 1;
  }
  out[0] = cp;
  if (!(tt_uc_props(cp) & TT_UCP_LOWER)) return 1;
  /* the last run starting at or before cp */
  size_t lo = 0, hi = tt_uc_lower_run_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (tt_uc_lower_runs[3 * mid] <= cp) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0) {
    const uint32_t *run = tt_uc_lower_runs + 3 * (lo - 1);
    uint32_t stride = (run[1] & 1) + 1, k = (cp - run[0]) / stride;
    if (k < (run[1] >> 1) && (cp - run[0]) % stride == 0) {
      out[0] = cp + run[2]; /* the delta is two's complement: wraps as intended */
      return 1;
    }
  }
  const uint32_t *row = find_row(tt_uc_lower_special, tt_uc_lower_special_count, 4, cp);
  if (!row) return 1;
  int n = 0;
  for (int i = 1; i <= 3 && row[i] != 0; i++) out[n++] = row[i];
  return n;
}

/* ---- decomposition and composition ------------------------------------------------------------ */

/* Appends the full decomposition of cp to out[*n] (recursively; the data holds single-level
 * mappings). Capacity is TT_UC_MAX_DECOMP, which the longest mapping (U+FDFA, 18) fits. */
static void decompose_into(uint32_t cp, int compat, int latest, uint32_t *out, int *n) {
  if (cp >= HANGUL_S_BASE && cp < HANGUL_S_BASE + HANGUL_S_COUNT) {
    uint32_t s = cp - HANGUL_S_BASE;
    if (*n + 3 > TT_UC_MAX_DECOMP) return;
    out[(*n)++] = HANGUL_L_BASE + s / HANGUL_N_COUNT;
    out[(*n)++] = HANGUL_V_BASE + (s % HANGUL_N_COUNT) / HANGUL_T_COUNT;
    if (s % HANGUL_T_COUNT != 0) out[(*n)++] = HANGUL_T_BASE + s % HANGUL_T_COUNT;
    return;
  }
  unsigned p = tt_uc_props(cp);
  if ((p & TT_UCP_DECOMP) && (latest || !(p & TT_UCP_HF_NEW))) {
    size_t lo = 0, hi = tt_uc_decomp_count;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      uint32_t k = tt_uc_decomp_key[mid] >> 8;
      if (k == cp) {
        uint32_t key = tt_uc_decomp_key[mid];
        if (!(key & 1) || compat) {
          size_t off = tt_uc_decomp_offset[mid / TT_UC_DECOMP_SAMPLE];
          for (size_t j = mid - mid % TT_UC_DECOMP_SAMPLE; j < mid; j++)
            off += (tt_uc_decomp_key[j] >> 1) & 0x7F;
          const uint16_t *u = tt_uc_decomp_blob + off;
          uint32_t len = (key >> 1) & 0x7F;
          for (uint32_t i = 0; i < len; i++) {
            uint32_t c = u[i];
            if (c >= 0xD800 && c < 0xDC00 && i + 1 < len) {
              c = 0x10000 + ((c - 0xD800) << 10) + (u[i + 1] - 0xDC00u);
              i++;
            }
            decompose_into(c, compat, latest, out, n);
          }
          return;
        }
        break;
      }
      if (k < cp) lo = mid + 1;
      else hi = mid;
    }
  }
  if (*n < TT_UC_MAX_DECOMP) out[(*n)++] = cp;
}

int tt_uc_decompose(uint32_t cp, int compat, uint32_t out[TT_UC_MAX_DECOMP]) {
  int n = 0;
  decompose_into(cp, compat, 1, out, &n);
  return n;
}

uint32_t tt_uc_compose(uint32_t a, uint32_t b) {
  if (b < 0x300 || !(tt_uc_props(b) & TT_UCP_COMPOSE_SECOND)) return 0; /* the common case */
  /* Hangul: L + V -> LV, LV + T -> LVT. */
  if (a >= HANGUL_L_BASE && a < HANGUL_L_BASE + HANGUL_L_COUNT && b >= HANGUL_V_BASE &&
      b < HANGUL_V_BASE + HANGUL_V_COUNT)
    return HANGUL_S_BASE +
           ((a - HANGUL_L_BASE) * HANGUL_V_COUNT + (b - HANGUL_V_BASE)) * HANGUL_T_COUNT;
  if (a >= HANGUL_S_BASE && a < HANGUL_S_BASE + HANGUL_S_COUNT &&
      (a - HANGUL_S_BASE) % HANGUL_T_COUNT == 0 && b > HANGUL_T_BASE &&
      b < HANGUL_T_BASE + HANGUL_T_COUNT)
    return a + (b - HANGUL_T_BASE);
  size_t lo = 0, hi = tt_uc_compose_count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const uint32_t *row = tt_uc_compose_pairs + mid * 3;
    if (row[0] == a && row[1] == b) return row[2];
    if (row[0] < a || (row[0] == a && row[1] < b)) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

/* ---- normalization forms ---------------------------------------------------------------------- */

typedef struct nf_item {
  uint32_t cp;
  int32_t change;
  uint8_t ccc;
} nf_item;

/* Stable sort of a run of non-starters by combining class (what the crate's sort_by_key does to
 * the pending buffer). Runs are almost always a few characters: insertion sort, with a merge sort
 * for long runs so adversarial input stays O(n log n). */
static void merge_sort_ccc(nf_item *v, nf_item *tmp, size_t n) {
  if (n <= 16) {
    for (size_t i = 1; i < n; i++) {
      nf_item x = v[i];
      size_t j = i;
      while (j > 0 && v[j - 1].ccc > x.ccc) {
        v[j] = v[j - 1];
        j--;
      }
      v[j] = x;
    }
    return;
  }
  size_t h = n / 2;
  merge_sort_ccc(v, tmp, h);
  merge_sort_ccc(v + h, tmp, n - h);
  size_t i = 0, j = h, k = 0;
  while (i < h && j < n) tmp[k++] = (v[j].ccc < v[i].ccc) ? v[j++] : v[i++];
  while (i < h) tmp[k++] = v[i++];
  while (j < n) tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof *v);
}

static tetra_status oom(tetra_error *err, const char *what) {
  return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "Unicode normalization: out of memory for %s",
                         what);
}

/* NFD or NFKD with the crate's change values: the first character of each input character's
 * decomposition replaces it (0), the others are insertions (1); then every run of non-starters
 * is stably sorted by combining class, change values travelling with their characters. */
static int decompose_one(uint32_t cp, int compat, int latest, uint32_t buf[TT_UC_MAX_DECOMP]) {
  if (cp < 0xA0) { /* nothing below U+00A0 decomposes */
    buf[0] = cp;
    return 1;
  }
  int n = 0;
  decompose_into(cp, compat, latest, buf, &n);
  return n;
}

/* Combining class as the chosen data sees it. */
static uint8_t norm_ccc(uint32_t cp, int latest) {
  if (cp < 0x300 || cp > 0x10FFFF) return 0;
  unsigned r = record(cp);
  if (!latest && (tt_uc_rec_props[r] & TT_UCP_HF_NEW)) return 0;
  return tt_uc_rec_ccc[r];
}

static tetra_status decompose_all(int compat, int latest, const uint32_t *cps, size_t n,
                                  const tetra_allocator *a, nf_item **out, size_t *out_len,
                                  tetra_error *err) {
  uint32_t buf[TT_UC_MAX_DECOMP];
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += (size_t)decompose_one(cps[i], compat, latest, buf);
  nf_item *items = tetra_alloc(a, (total ? total : 1) * sizeof *items);
  if (!items) return oom(err, "the decomposition");
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int m = decompose_one(cps[i], compat, latest, buf);
    for (int j = 0; j < m; j++) {
      items[k].cp = buf[j];
      items[k].change = j == 0 ? 0 : 1;
      items[k].ccc = norm_ccc(buf[j], latest);
      k++;
    }
  }
  nf_item *tmp = NULL;
  for (size_t i = 0; i < total;) {
    if (items[i].ccc == 0) {
      i++;
      continue;
    }
    size_t j = i + 1;
    while (j < total && items[j].ccc != 0) j++;
    if (j - i > 16 && !tmp) {
      tmp = tetra_alloc(a, total * sizeof *tmp);
      if (!tmp) {
        tetra_free(a, items);
        return oom(err, "the decomposition");
      }
    }
    if (j - i > 1) merge_sort_ccc(items + i, tmp, j - i);
    i = j;
  }
  tetra_free(a, tmp);
  *out = items;
  *out_len = total;
  return TETRA_OK;
}

/* Canonical composition over a decomposed sequence, as the crate's Recompositions iterator:
 * a "composee" (the last starter) absorbs each following character that composes with it and is
 * not blocked; the absorbed character's change is folded into the composee's (k + c - 1: the
 * composite stands for both, one fewer output character). Characters that do not compose wait in
 * `pending` until the composee is emitted before them. Writes to out (at most n items). */
static size_t compose_all(const nf_item *in, size_t n, int latest, nf_item *pending,
                          tt_cpchange *out) {
  size_t n_out = 0, n_pending = 0;
  int have_composee = 0;
  nf_item composee = {0, 0, 0};
  int have_last_ccc = 0;
  uint8_t last_ccc = 0;
  for (size_t i = 0; i < n; i++) {
    nf_item ch = in[i];
    if (!have_composee) {
      if (ch.ccc != 0) {
        out[n_out].cp = ch.cp;
        out[n_out++].change = ch.change;
        continue;
      }
      composee = ch;
      have_composee = 1;
      continue;
    }
    if (have_last_ccc && last_ccc >= ch.ccc) {
      /* blocked from the composee */
      if (ch.ccc == 0) {
        out[n_out].cp = composee.cp;
        out[n_out++].change = composee.change;
        for (size_t p = 0; p < n_pending; p++) {
          out[n_out].cp = pending[p].cp;
          out[n_out++].change = pending[p].change;
        }
        n_pending = 0;
        composee = ch;
        have_last_ccc = 0;
        continue;
      }
      pending[n_pending++] = ch;
      last_ccc = ch.ccc;
      continue;
    }
    uint32_t r = tt_uc_compose(composee.cp, ch.cp);
    if (r && !latest && (tt_uc_props(r) & TT_UCP_HF_NEW)) r = 0; /* a composite the crate lacks */
    if (r) {
      composee.cp = r;
      composee.change = composee.change + ch.change - 1;
      continue;
    }
    if (!have_last_ccc && ch.ccc == 0) {
      out[n_out].cp = composee.cp;
      out[n_out++].change = composee.change;
      composee = ch;
      continue;
    }
    pending[n_pending++] = ch;
    last_ccc = ch.ccc;
    have_last_ccc = 1;
  }
  if (have_composee) {
    out[n_out].cp = composee.cp;
    out[n_out++].change = composee.change;
  }
  for (size_t p = 0; p < n_pending; p++) {
    out[n_out].cp = pending[p].cp;
    out[n_out++].change = pending[p].change;
  }
  return n_out;
}

tetra_status tt_uc_normalize_ex(tt_nf form, int latest, const uint32_t *cps, size_t n,
                                const tetra_allocator *a, tt_cpchange **out, size_t *out_len,
                                tetra_error *err) {
  if ((!cps && n) || !out || !out_len)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tt_uc_normalize: NULL argument");
  int compat = form == TT_NFKD || form == TT_NFKC;
  /* Fast path: below U+00A0 nothing decomposes, and below U+0300 (where combining marks start)
   * nothing canonical changes either, so such text is its own normal form. */
  uint32_t quick = form == TT_NFC ? 0x300 : 0xA0;
  size_t k = 0;
  while (k < n && cps[k] < quick) k++;
  if (k == n) {
    tt_cpchange *same = tetra_alloc(a, (n ? n : 1) * sizeof *same);
    if (!same) return oom(err, "the result");
    for (size_t i = 0; i < n; i++) {
      same[i].cp = cps[i];
      same[i].change = 0;
    }
    *out = same;
    *out_len = n;
    return TETRA_OK;
  }
  nf_item *items = NULL;
  size_t m = 0;
  tetra_status st = decompose_all(compat, latest, cps, n, a, &items, &m, err);
  if (st != TETRA_OK) return st;
  tt_cpchange *res = tetra_alloc(a, (m ? m : 1) * sizeof *res);
  if (!res) {
    tetra_free(a, items);
    return oom(err, "the result");
  }
  if (form == TT_NFD || form == TT_NFKD) {
    for (size_t i = 0; i < m; i++) {
      res[i].cp = items[i].cp;
      res[i].change = items[i].change;
    }
  } else {
    nf_item *pending = tetra_alloc(a, (m ? m : 1) * sizeof *pending);
    if (!pending) {
      tetra_free(a, items);
      tetra_free(a, res);
      return oom(err, "the composition");
    }
    m = compose_all(items, m, latest, pending, res);
    tetra_free(a, pending);
  }
  tetra_free(a, items);
  *out = res;
  *out_len = m;
  return TETRA_OK;
}

tetra_status tt_uc_normalize(tt_nf form, const uint32_t *cps, size_t n, const tetra_allocator *a,
                             tt_cpchange **out, size_t *out_len, tetra_error *err) {
  return tt_uc_normalize_ex(form, 0, cps, n, a, out, out_len, err);
}

/* ---- grapheme clusters ------------------------------------------------------------------------ */

static tt_gcb gcb_of(uint32_t cp) {
  if (cp < 0x20) return cp == '\r' ? GCB_CR : cp == '\n' ? GCB_LF : GCB_CONTROL;
  if (cp < 0x7F) return GCB_OTHER;
  return (tt_gcb)((tt_uc_props(cp) >> TT_UCP_GCB_SHIFT) & 0xF);
}

static int is_ext_pict(uint32_t cp) {
  return cp >= 0xA9 && (tt_uc_props(cp) & TT_UCP_EXTPICT) != 0;
}

/* UAX #29 extended grapheme clusters (rules GB3..GB13; GB9c, Unicode 15.1's Indic conjunct
 * rule, needs data newer than Debian's 15.0 and is not applied). */
size_t tt_uc_grapheme_end(const uint32_t *cps, size_t n, size_t start) {
  if (start >= n) return n;
  tt_gcb prev = gcb_of(cps[start]);
  /* GB11 state: 1 after ExtPict Extend*, 2 after ExtPict Extend* ZWJ, else 0 */
  int emoji = is_ext_pict(cps[start]) ? 1 : 0;
  size_t ri_count = prev == GCB_RI ? 1 : 0; /* regional indicators ending at prev (GB12/13) */
  for (size_t i = start + 1; i < n; i++) {
    tt_gcb cur = gcb_of(cps[i]);
    int pict = is_ext_pict(cps[i]);
    int brk;
    if (prev == GCB_CR && cur == GCB_LF) brk = 0;                                          /* GB3 */
    else if (prev == GCB_CR || prev == GCB_LF || prev == GCB_CONTROL) brk = 1;             /* GB4 */
    else if (cur == GCB_CR || cur == GCB_LF || cur == GCB_CONTROL) brk = 1;                /* GB5 */
    else if (prev == GCB_L && (cur == GCB_L || cur == GCB_V || cur == GCB_LV || cur == GCB_LVT))
      brk = 0;                                                                             /* GB6 */
    else if ((prev == GCB_LV || prev == GCB_V) && (cur == GCB_V || cur == GCB_T)) brk = 0; /* GB7 */
    else if ((prev == GCB_LVT || prev == GCB_T) && cur == GCB_T) brk = 0;                  /* GB8 */
    else if (cur == GCB_EXTEND || cur == GCB_ZWJ) brk = 0;                                 /* GB9 */
    else if (cur == GCB_SPACING_MARK) brk = 0;                                             /* GB9a */
    else if (prev == GCB_PREPEND) brk = 0;                                                 /* GB9b */
    else if (emoji == 2 && pict) brk = 0;                                                  /* GB11 */
    else if (prev == GCB_RI && cur == GCB_RI) brk = (ri_count % 2) == 0;                   /* GB12/13 */
    else brk = 1;                                                                          /* GB999 */
    if (brk) return i;
    if (pict) emoji = 1;
    else if (emoji == 1 && cur == GCB_EXTEND) emoji = 1;
    else if (emoji == 1 && cur == GCB_ZWJ) emoji = 2;
    else emoji = 0;
    ri_count = cur == GCB_RI ? ri_count + 1 : 0;
    prev = cur;
  }
  return n;
}

/* ---- UTF-8 ------------------------------------------------------------------------------------ */

int tt_utf8_len(unsigned char b) {
  if (b < 0xC0) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  return b < 0xF8 ? 4 : 1;
}

uint32_t tt_utf8_decode(const char *s, size_t len, size_t *used) {
  const unsigned char *u = (const unsigned char *)s;
  size_t need = (size_t)tt_utf8_len(u[0]);
  if (need == 1 || need > len) {
    *used = 1;
    return u[0] < 0x80 ? u[0] : 0xFFFD; /* never crash on text that broke the contract */
  }
  uint32_t cp = u[0] & (0x7F >> need);
  for (size_t i = 1; i < need; i++) {
    if ((u[i] & 0xC0) != 0x80) {
      *used = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (u[i] & 0x3F);
  }
  *used = need;
  return cp;
}

int tt_utf8_encode(uint32_t cp, char out[4]) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}
