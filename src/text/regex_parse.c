/* Parser for the Oniguruma (Ruby syntax) patterns of tokenizer.json files: builds the AST of
 * regex_ast.h and the character sets of regex_internal.h. What is accepted and what each escape
 * means is documented in regex.h; everything else is an error naming the construct and its
 * byte offset in the pattern. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regex_ast.h"
#include "text/unicode.h"

#define RX_MAX_DEPTH 200      /* group and class nesting */
#define RX_MAX_REPEAT 100000  /* Onig's ONIG_MAX_REPEAT_NUM */

enum { F_FOLD = 1, F_DOTALL = 2, F_EXTENDED = 4 };

typedef struct parser {
  tt_regex *re;
  const char *pat;
  size_t len, i;
  rx_ast *ast;
  uint32_t cap_sets, cap_ranges, cap_subs;
  int depth;
  tetra_error *err;
  tetra_status status;
} parser;

/* A set under construction: ranges and members are collected here, then copied into re. */
typedef struct set_builder {
  tt_rx_range *ranges;
  uint32_t n_ranges, cap_ranges;
  uint32_t *subs;
  uint32_t n_subs, cap_subs;
  uint32_t gc_mask, props;
} set_builder;

tetra_status tt_rx_error(tetra_error *err, tetra_status code, const char *pattern, size_t len,
                         const char *fmt, ...) {
  char what[TETRA_ERROR_MESSAGE_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  int shown = len > 80 ? 77 : (int)len;
  return tetra_error_set(err, code, "regex \"%.*s%s\": %s", shown, pattern ? pattern : "",
                         len > 80 ? "..." : "", what);
}

int tt_rx_grow(const tetra_allocator *a, void **p, uint32_t *cap, uint32_t need, size_t elem) {
  if (need <= *cap) return 1;
  uint32_t fresh = *cap ? *cap : 8;
  while (fresh < need) {
    if (fresh > UINT32_MAX / 2) return 0;
    fresh *= 2;
  }
  void *q = tetra_alloc(a, (size_t)fresh * elem);
  if (!q) return 0;
  if (*p) {
    memcpy(q, *p, (size_t)*cap * elem);
    tetra_free(a, *p);
  }
  *p = q;
  *cap = fresh;
  return 1;
}

static uint32_t fail(parser *P, tetra_status code, size_t at, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static uint32_t fail(parser *P, tetra_status code, size_t at, const char *fmt, ...) {
  if (P->status != TETRA_OK) return UINT32_MAX; /* keep the first error */
  char what[TETRA_ERROR_MESSAGE_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  P->status = tt_rx_error(P->err, code, P->pat, P->len, "%s at offset %zu", what, at);
  return UINT32_MAX;
}

static uint32_t oom(parser *P) {
  return fail(P, TETRA_ERR_OUT_OF_MEMORY, P->i, "out of memory");
}

static uint32_t new_node(parser *P, uint8_t type, size_t pos) {
  rx_ast *A = P->ast;
  if (!tt_rx_grow(P->re->alloc, (void **)&A->nodes, &A->cap_nodes, A->n_nodes + 1, sizeof(rx_node)))
    return oom(P);
  rx_node *n = &A->nodes[A->n_nodes];
  memset(n, 0, sizeof *n);
  n->type = type;
  n->pos = (uint32_t)pos;
  return A->n_nodes++;
}

/* ---- sets ------------------------------------------------------------------------------------ */
static void builder_free(parser *P, set_builder *b) {
  tetra_free(P->re->alloc, b->ranges);
  tetra_free(P->re->alloc, b->subs);
  memset(b, 0, sizeof *b);
}

static int add_range(parser *P, set_builder *b, uint32_t lo, uint32_t hi) {
  if (!tt_rx_grow(P->re->alloc, (void **)&b->ranges, &b->cap_ranges, b->n_ranges + 1,
                  sizeof(tt_rx_range))) {
    oom(P);
    return 0;
  }
  b->ranges[b->n_ranges].lo = lo;
  b->ranges[b->n_ranges].hi = hi;
  b->n_ranges++;
  return 1;
}

static int add_sub(parser *P, set_builder *b, uint32_t set) {
  if (!tt_rx_grow(P->re->alloc, (void **)&b->subs, &b->cap_subs, b->n_subs + 1, sizeof(uint32_t))) {
    oom(P);
    return 0;
  }
  b->subs[b->n_subs++] = set;
  return 1;
}

static int cmp_range(const void *x, const void *y) {
  const tt_rx_range *a = x, *b = y;
  return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static void sort_merge(set_builder *b) {
  if (b->n_ranges < 2) return;
  qsort(b->ranges, b->n_ranges, sizeof(tt_rx_range), cmp_range);
  uint32_t w = 0;
  for (uint32_t r = 1; r < b->n_ranges; r++) {
    if (b->ranges[r].lo <= b->ranges[w].hi + 1 || b->ranges[w].hi == UINT32_MAX) {
      if (b->ranges[r].hi > b->ranges[w].hi) b->ranges[w].hi = b->ranges[r].hi;
    } else {
      b->ranges[++w] = b->ranges[r];
    }
  }
  b->n_ranges = w + 1;
}

static int ranges_have(const set_builder *b, uint32_t cp) {
  uint32_t lo = 0, hi = b->n_ranges;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (b->ranges[mid].hi < cp)
      lo = mid + 1;
    else if (b->ranges[mid].lo > cp)
      hi = mid;
    else
      return 1;
  }
  return 0;
}

static int cmp_u32(const void *x, const void *y) {
  uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
  return a < b ? -1 : a > b;
}

/* Case-insensitive closure of the explicit ranges: every code point whose simple case folding
 * equals that of a member joins the set (so (?i)s also matches U+017F and k U+212A). */
static int fold_close(parser *P, set_builder *b) {
  sort_merge(b);
  uint32_t n_targets = 0;
  uint32_t *targets = tetra_alloc(P->re->alloc, tt_rx_casefold_count * sizeof(uint32_t) + 1);
  if (!targets) {
    oom(P);
    return 0;
  }
  for (size_t k = 0; k < tt_rx_casefold_count; k++) {
    uint32_t s = tt_rx_casefold_pairs[k][0], t = tt_rx_casefold_pairs[k][1];
    if (ranges_have(b, s) || ranges_have(b, t)) targets[n_targets++] = t;
  }
  qsort(targets, n_targets, sizeof(uint32_t), cmp_u32);
  int ok = 1;
  for (size_t k = 0; ok && k < tt_rx_casefold_count; k++) {
    uint32_t s = tt_rx_casefold_pairs[k][0], t = tt_rx_casefold_pairs[k][1];
    if (bsearch(&t, targets, n_targets, sizeof(uint32_t), cmp_u32))
      ok = add_range(P, b, s, s) && add_range(P, b, t, t);
  }
  tetra_free(P->re->alloc, targets);
  sort_merge(b);
  return ok;
}

/* Copies a builder into a new set of re; returns its index (UINT32_MAX on error). */
static uint32_t finish_set(parser *P, set_builder *b, int negated, const uint32_t *ands,
                           uint32_t n_ands) {
  tt_regex *re = P->re;
  const tetra_allocator *a = re->alloc;
  sort_merge(b);
  if (!tt_rx_grow(a, (void **)&re->sets, &P->cap_sets, re->n_sets + 1, sizeof(tt_rx_set)) ||
      !tt_rx_grow(a, (void **)&re->ranges, &P->cap_ranges, re->n_ranges + b->n_ranges,
                  sizeof(tt_rx_range)) ||
      !tt_rx_grow(a, (void **)&re->subs, &P->cap_subs, re->n_subs + b->n_subs + n_ands,
                  sizeof(uint32_t)))
    return oom(P);
  tt_rx_set *s = &re->sets[re->n_sets];
  memset(s, 0, sizeof *s);
  s->gc_mask = b->gc_mask;
  s->props = b->props;
  s->negated = (uint8_t)(negated != 0);
  s->range_first = re->n_ranges;
  s->range_count = b->n_ranges;
  if (b->n_ranges) memcpy(re->ranges + re->n_ranges, b->ranges, b->n_ranges * sizeof(tt_rx_range));
  re->n_ranges += b->n_ranges;
  s->sub_first = re->n_subs;
  s->sub_count = b->n_subs;
  if (b->n_subs) memcpy(re->subs + re->n_subs, b->subs, b->n_subs * sizeof(uint32_t));
  re->n_subs += b->n_subs;
  s->and_first = re->n_subs;
  s->and_count = n_ands;
  if (n_ands) memcpy(re->subs + re->n_subs, ands, n_ands * sizeof(uint32_t));
  re->n_subs += n_ands;
  /* A positive set of ASCII ranges only never matches beyond ASCII: the matcher skips the
   * Unicode lookups for it. */
  int never = !negated && !b->gc_mask && !(b->props & ~(uint32_t)TT_RX_PROP_HEX) &&
              (!b->n_ranges || b->ranges[b->n_ranges - 1].hi < 128);
  for (uint32_t k = 0; never && k < b->n_subs; k++) never = re->sets[b->subs[k]].nonascii_never;
  s->nonascii_never = (uint8_t)never;
  tt_rx_set_finish(re, s);
  return re->n_sets++;
}

/* A set holding one code point (with its case variants under (?i)). */
static uint32_t char_set(parser *P, uint32_t cp, int flags) {
  set_builder b;
  memset(&b, 0, sizeof b);
  uint32_t idx = UINT32_MAX;
  if (add_range(P, &b, cp, cp) && (!(flags & F_FOLD) || fold_close(P, &b)))
    idx = finish_set(P, &b, 0, NULL, 0);
  builder_free(P, &b);
  return idx;
}

/* ---- properties ---------------------------------------------------------------------------- */
#define GC(x) (1u << TT_GC_##x)
#define GC_L (GC(LU) | GC(LL) | GC(LT) | GC(LM) | GC(LO))
#define GC_M (GC(MN) | GC(MC) | GC(ME))
#define GC_N (GC(ND) | GC(NL) | GC(NO))
#define GC_P (GC(PC) | GC(PD) | GC(PS) | GC(PE) | GC(PI) | GC(PF) | GC(PO))
#define GC_S (GC(SM) | GC(SC) | GC(SK) | GC(SO))
#define GC_Z (GC(ZS) | GC(ZL) | GC(ZP))
#define GC_C (GC(CC) | GC(CF) | GC(CS) | GC(CO) | GC(CN))

typedef struct prop_name {
  const char *name; /* lower case, without spaces, '_' and '-' (Onig's loose matching) */
  uint32_t gc, props;
} prop_name;

static const prop_name PROPS[] = {
    {"l", GC_L, 0}, {"letter", GC_L, 0},
    {"lu", GC(LU), 0}, {"uppercaseletter", GC(LU), 0},
    {"ll", GC(LL), 0}, {"lowercaseletter", GC(LL), 0},
    {"lt", GC(LT), 0}, {"titlecaseletter", GC(LT), 0},
    {"lm", GC(LM), 0}, {"modifierletter", GC(LM), 0},
    {"lo", GC(LO), 0}, {"otherletter", GC(LO), 0},
    {"lc", GC(LU) | GC(LL) | GC(LT), 0}, {"l&", GC(LU) | GC(LL) | GC(LT), 0},
    {"casedletter", GC(LU) | GC(LL) | GC(LT), 0},
    {"m", GC_M, 0}, {"mark", GC_M, 0}, {"combiningmark", GC_M, 0},
    {"mn", GC(MN), 0}, {"nonspacingmark", GC(MN), 0},
    {"mc", GC(MC), 0}, {"spacingmark", GC(MC), 0},
    {"me", GC(ME), 0}, {"enclosingmark", GC(ME), 0},
    {"n", GC_N, 0}, {"number", GC_N, 0},
    {"nd", GC(ND), 0}, {"decimalnumber", GC(ND), 0}, {"digit", GC(ND), 0},
    {"nl", GC(NL), 0}, {"letternumber", GC(NL), 0},
    {"no", GC(NO), 0}, {"othernumber", GC(NO), 0},
    {"p", GC_P, 0}, {"punctuation", GC_P, 0},
    {"pc", GC(PC), 0}, {"connectorpunctuation", GC(PC), 0},
    {"pd", GC(PD), 0}, {"dashpunctuation", GC(PD), 0},
    {"ps", GC(PS), 0}, {"openpunctuation", GC(PS), 0},
    {"pe", GC(PE), 0}, {"closepunctuation", GC(PE), 0},
    {"pi", GC(PI), 0}, {"initialpunctuation", GC(PI), 0},
    {"pf", GC(PF), 0}, {"finalpunctuation", GC(PF), 0},
    {"po", GC(PO), 0}, {"otherpunctuation", GC(PO), 0},
    {"s", GC_S, 0}, {"symbol", GC_S, 0},
    {"sm", GC(SM), 0}, {"mathsymbol", GC(SM), 0},
    {"sc", GC(SC), 0}, {"currencysymbol", GC(SC), 0},
    {"sk", GC(SK), 0}, {"modifiersymbol", GC(SK), 0},
    {"so", GC(SO), 0}, {"othersymbol", GC(SO), 0},
    {"z", GC_Z, 0}, {"separator", GC_Z, 0},
    {"zs", GC(ZS), 0}, {"spaceseparator", GC(ZS), 0},
    {"zl", GC(ZL), 0}, {"lineseparator", GC(ZL), 0},
    {"zp", GC(ZP), 0}, {"paragraphseparator", GC(ZP), 0},
    {"c", GC_C, 0}, {"other", GC_C, 0},
    {"cc", GC(CC), 0}, {"control", GC(CC), 0},
    {"cf", GC(CF), 0}, {"format", GC(CF), 0},
    {"cs", GC(CS), 0}, {"surrogate", GC(CS), 0},
    {"co", GC(CO), 0}, {"privateuse", GC(CO), 0},
    {"cn", GC(CN), 0}, {"unassigned", GC(CN), 0},
    {"any", 0, TT_RX_PROP_ANY}, {"assigned", 0, TT_RX_PROP_ASSIGNED},
    {"alpha", 0, TT_RX_PROP_ALPHA}, {"alphabetic", 0, TT_RX_PROP_ALPHA},
    {"space", 0, TT_RX_PROP_WHITE_SPACE}, {"whitespace", 0, TT_RX_PROP_WHITE_SPACE},
    {"word", 0, TT_RX_PROP_WORD}, {"xdigit", 0, TT_RX_PROP_HEX},
    {"alnum", GC(ND), TT_RX_PROP_ALPHA},
};

static const prop_name *find_prop(const char *s, size_t n) {
  char key[40];
  size_t k = 0;
  for (size_t j = 0; j < n; j++) {
    char c = s[j];
    if (c == ' ' || c == '_' || c == '-') continue;
    if (k + 1 >= sizeof key) return NULL;
    key[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  key[k] = 0;
  for (size_t j = 0; j < sizeof PROPS / sizeof PROPS[0]; j++)
    if (strcmp(PROPS[j].name, key) == 0) return &PROPS[j];
  return NULL;
}

/* ---- escapes --------------------------------------------------------------------------------- */
/* What one escape or literal in a class or outside stands for. */
typedef struct atom {
  int is_char;       /* a single code point (can end a range) */
  uint32_t cp;
  uint32_t gc, props; /* otherwise a class: these, negated when neg */
  int neg;
  int ascii_range;   /* \h: ASCII hex digits (as a range set) */
} atom;

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses \p{..} / \P{..} after the 'p' or 'P' (P->i at the brace). */
static int parse_prop(parser *P, size_t at, int negated, atom *out) {
  if (P->i >= P->len || P->pat[P->i] != '{') {
    fail(P, TETRA_ERR_UNSUPPORTED, at, "\\%c without {name} (write \\%c{...})", negated ? 'P' : 'p',
         negated ? 'P' : 'p');
    return 0;
  }
  size_t start = ++P->i;
  while (P->i < P->len && P->pat[P->i] != '}') P->i++;
  if (P->i >= P->len) {
    fail(P, TETRA_ERR_PARSE, at, "unterminated property name");
    return 0;
  }
  size_t end = P->i++;
  if (start < end && P->pat[start] == '^') {
    negated = !negated;
    start++;
  }
  const prop_name *p = find_prop(P->pat + start, end - start);
  if (!p) {
    fail(P, TETRA_ERR_UNSUPPORTED, at, "unsupported property \\p{%.*s} (general categories, Any, "
         "Assigned, Alpha, Space, Word, Alnum, XDigit are supported; scripts are not)",
         (int)(end - start), P->pat + start);
    return 0;
  }
  out->gc = p->gc;
  out->props = p->props;
  out->neg = negated;
  return 1;
}

/* Parses the escape at P->i (just after the backslash). in_class selects \b = backspace. */
static int parse_escape(parser *P, int in_class, atom *out) {
  size_t at = P->i - 1;
  memset(out, 0, sizeof *out);
  if (P->i >= P->len) {
    fail(P, TETRA_ERR_PARSE, at, "pattern ends with a backslash");
    return 0;
  }
  unsigned char c = (unsigned char)P->pat[P->i++];
  out->is_char = 1;
  switch (c) {
    case 't': out->cp = '\t'; return 1;
    case 'n': out->cp = '\n'; return 1;
    case 'r': out->cp = '\r'; return 1;
    case 'f': out->cp = '\f'; return 1;
    case 'v': out->cp = '\v'; return 1;
    case 'a': out->cp = 7; return 1;
    case 'e': out->cp = 27; return 1;
    case 'x': {
      uint32_t v = 0;
      if (P->i < P->len && P->pat[P->i] == '{') {
        size_t j = P->i + 1;
        int digits = 0;
        while (j < P->len && hexval(P->pat[j]) >= 0 && digits < 8) v = v * 16 + (uint32_t)hexval(P->pat[j++]), digits++;
        if (!digits || j >= P->len || P->pat[j] != '}') {
          fail(P, TETRA_ERR_PARSE, at, "invalid \\x{...} escape");
          return 0;
        }
        P->i = j + 1;
      } else {
        int digits = 0;
        while (P->i < P->len && digits < 2 && hexval(P->pat[P->i]) >= 0)
          v = v * 16 + (uint32_t)hexval(P->pat[P->i++]), digits++;
        if (v >= 0x80) {
          /* Onig reads \xHH as one byte of the encoding: above 0x7F that is not a character. */
          fail(P, TETRA_ERR_PARSE, at, "invalid code point value \\x%02X (a byte escape; write \\x{%X})",
               v, v);
          return 0;
        }
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        fail(P, TETRA_ERR_PARSE, at, "invalid code point value 0x%X", v);
        return 0;
      }
      out->cp = v;
      return 1;
    }
    case 'u': {
      uint32_t v = 0;
      for (int k = 0; k < 4; k++) {
        if (P->i >= P->len || hexval(P->pat[P->i]) < 0) {
          fail(P, TETRA_ERR_PARSE, at, "\\u needs four hexadecimal digits");
          return 0;
        }
        v = v * 16 + (uint32_t)hexval(P->pat[P->i++]);
      }
      if (v >= 0xD800 && v <= 0xDFFF) {
        fail(P, TETRA_ERR_PARSE, at, "invalid code point value \\u%04X (a surrogate)", v);
        return 0;
      }
      out->cp = v;
      return 1;
    }
    case '0': {
      uint32_t v = 0;
      for (int k = 0; k < 2 && P->i < P->len && P->pat[P->i] >= '0' && P->pat[P->i] <= '7'; k++)
        v = v * 8 + (uint32_t)(P->pat[P->i++] - '0');
      out->cp = v;
      return 1;
    }
    case 'b':
      if (in_class) {
        out->cp = 8;
        return 1;
      }
      break;
    default: break;
  }
  out->is_char = 0;
  switch (c) {
    case 's': out->props = TT_RX_PROP_WHITE_SPACE; return 1;
    case 'S': out->props = TT_RX_PROP_WHITE_SPACE; out->neg = 1; return 1;
    case 'w': out->props = TT_RX_PROP_WORD; return 1;
    case 'W': out->props = TT_RX_PROP_WORD; out->neg = 1; return 1;
    case 'd': out->gc = GC(ND); return 1;
    case 'D': out->gc = GC(ND); out->neg = 1; return 1;
    case 'h': out->props = TT_RX_PROP_HEX; return 1;
    case 'H': out->props = TT_RX_PROP_HEX; out->neg = 1; return 1;
    case 'p': return parse_prop(P, at, 0, out);
    case 'P': return parse_prop(P, at, 1, out);
    default: break;
  }
  if ((c >= '1' && c <= '9') || c == 'k' || c == 'g') {
    fail(P, TETRA_ERR_UNSUPPORTED, at, "unsupported backreference or subexpression call \\%c", c);
    return 0;
  }
  /* Escapes Onig gives a meaning tetra does not implement; other letters stand for themselves
   * (Onig reads an unknown escape such as \\q as the letter). */
  if (c && strchr(in_class ? "cCMo" : "KRXNOyYcCMo", c)) {
    fail(P, TETRA_ERR_UNSUPPORTED, at, "unsupported escape \\%c", c);
    return 0;
  }
  if (c >= 0x80) { /* an escaped non-ASCII character is itself */
    size_t n;
    out->cp = tt_rx_decode((const unsigned char *)P->pat, P->len, P->i - 1, &n);
    P->i += n - 1;
  } else {
    out->cp = c;
  }
  out->is_char = 1;
  return 1;
}

/* \w inside a bracket class is Onig's Unicode Word without the Latin-1 table (regex_set.c). */
static uint32_t class_props(uint32_t props) {
  return props & TT_RX_PROP_WORD ? (props & ~(uint32_t)TT_RX_PROP_WORD) | TT_RX_PROP_WORD_CLASS : props;
}

/* Adds a class atom (not a single character) to a builder. */
static int add_class_atom(parser *P, set_builder *b, const atom *t) {
  if (!t->neg) {
    b->gc_mask |= t->gc;
    b->props |= class_props(t->props);
    return 1;
  }
  set_builder nb;
  memset(&nb, 0, sizeof nb);
  nb.gc_mask = t->gc;
  nb.props = class_props(t->props);
  uint32_t idx = finish_set(P, &nb, 1, NULL, 0);
  builder_free(P, &nb);
  return idx != UINT32_MAX && add_sub(P, b, idx);
}

static uint32_t atom_set(parser *P, const atom *t) {
  set_builder b;
  memset(&b, 0, sizeof b);
  b.gc_mask = t->gc;
  b.props = t->props;
  uint32_t idx = finish_set(P, &b, t->neg, NULL, 0);
  builder_free(P, &b);
  return idx;
}

/* Reads one literal character of the pattern (UTF-8). */
static uint32_t read_char(parser *P) {
  size_t n;
  uint32_t cp = tt_rx_decode((const unsigned char *)P->pat, P->len, P->i, &n);
  P->i += n;
  return cp;
}

static const struct {
  const char *name;
  uint32_t gc, props;
  uint32_t lo, hi; /* or an ASCII range */
} POSIX[] = {
    {"alpha", 0, TT_RX_PROP_ALPHA, 1, 0},  {"digit", GC(ND), 0, 1, 0},
    {"alnum", GC(ND), TT_RX_PROP_ALPHA, 1, 0}, {"space", 0, TT_RX_PROP_WHITE_SPACE, 1, 0},
    {"word", 0, TT_RX_PROP_WORD, 1, 0},    {"xdigit", 0, TT_RX_PROP_HEX, 1, 0},
    {"ascii", 0, 0, 0, 127},
};

/* [...] with P->i just after the '['. Returns the set index. */
static uint32_t parse_class(parser *P, int flags) {
  size_t open = P->i - 1;
  if (++P->depth > RX_MAX_DEPTH) return fail(P, TETRA_ERR_LIMIT, open, "classes nested too deeply");
  int negated = 0;
  if (P->i < P->len && P->pat[P->i] == '^') {
    negated = 1;
    P->i++;
  }
  set_builder b;
  memset(&b, 0, sizeof b);
  uint32_t ands[16];
  uint32_t n_ands = 0;
  int first = 1, ok = 1;
  uint32_t result = UINT32_MAX;
  while (ok) {
    if (P->i >= P->len) {
      fail(P, TETRA_ERR_PARSE, open, "unterminated character class");
      ok = 0;
      break;
    }
    char c = P->pat[P->i];
    if (c == ']' && !first) {
      P->i++;
      break;
    }
    first = 0;
    if (c == '[' && P->i + 1 < P->len && P->pat[P->i + 1] == ':') {
      size_t at = P->i, j = P->i + 2;
      int pneg = 0;
      if (j < P->len && P->pat[j] == '^') pneg = 1, j++;
      size_t name = j;
      while (j < P->len && P->pat[j] >= 'a' && P->pat[j] <= 'z') j++;
      if (j + 1 < P->len && P->pat[j] == ':' && P->pat[j + 1] == ']') {
        size_t k, n = j - name;
        for (k = 0; k < sizeof POSIX / sizeof POSIX[0]; k++)
          if (strlen(POSIX[k].name) == n && memcmp(POSIX[k].name, P->pat + name, n) == 0) break;
        if (k == sizeof POSIX / sizeof POSIX[0]) {
          fail(P, TETRA_ERR_UNSUPPORTED, at, "unsupported POSIX bracket [:%.*s:]", (int)n, P->pat + name);
          ok = 0;
          break;
        }
        P->i = j + 2;
        if (POSIX[k].lo <= POSIX[k].hi) {
          set_builder nb;
          memset(&nb, 0, sizeof nb);
          uint32_t idx = add_range(P, &nb, POSIX[k].lo, POSIX[k].hi) ? finish_set(P, &nb, pneg, NULL, 0)
                                                                     : UINT32_MAX;
          builder_free(P, &nb);
          ok = idx != UINT32_MAX && add_sub(P, &b, idx);
        } else {
          atom t = {0, 0, POSIX[k].gc, POSIX[k].props, pneg, 0};
          ok = add_class_atom(P, &b, &t);
        }
        continue;
      }
    }
    if (c == '[') {
      P->i++;
      uint32_t idx = parse_class(P, flags);
      ok = idx != UINT32_MAX && add_sub(P, &b, idx);
      continue;
    }
    if (c == '&' && P->i + 1 < P->len && P->pat[P->i + 1] == '&') {
      if (n_ands == sizeof ands / sizeof ands[0]) {
        fail(P, TETRA_ERR_LIMIT, P->i, "too many && in one class");
        ok = 0;
        break;
      }
      P->i += 2;
      if (!b.n_ranges && !b.n_subs && !b.gc_mask && !b.props) b.props = TT_RX_PROP_ANY;
      if ((flags & F_FOLD) && !fold_close(P, &b)) {
        ok = 0;
        break;
      }
      uint32_t idx = finish_set(P, &b, 0, NULL, 0);
      builder_free(P, &b);
      if (idx == UINT32_MAX) {
        ok = 0;
        break;
      }
      ands[n_ands++] = idx;
      continue;
    }
    /* one atom, maybe the start of a range */
    atom lo;
    memset(&lo, 0, sizeof lo);
    if (c == '\\') {
      P->i++;
      if (!parse_escape(P, 1, &lo)) {
        ok = 0;
        break;
      }
    } else {
      lo.is_char = 1;
      lo.cp = read_char(P);
    }
    if (!lo.is_char) {
      ok = add_class_atom(P, &b, &lo);
      continue;
    }
    uint32_t hi = lo.cp;
    if (P->i + 1 < P->len && P->pat[P->i] == '-' && P->pat[P->i + 1] != ']') {
      size_t dash = P->i++;
      atom up;
      memset(&up, 0, sizeof up);
      if (P->pat[P->i] == '\\') {
        P->i++;
        if (!parse_escape(P, 1, &up)) {
          ok = 0;
          break;
        }
      } else if (P->pat[P->i] == '[') {
        fail(P, TETRA_ERR_UNSUPPORTED, dash, "a range that ends with a class");
        ok = 0;
        break;
      } else {
        up.is_char = 1;
        up.cp = read_char(P);
      }
      if (!up.is_char) {
        fail(P, TETRA_ERR_PARSE, dash, "char-class value at end of range");
        ok = 0;
        break;
      }
      if (up.cp < lo.cp) {
        fail(P, TETRA_ERR_PARSE, dash, "empty range in char class");
        ok = 0;
        break;
      }
      hi = up.cp;
    }
    ok = add_range(P, &b, lo.cp, hi);
  }
  if (ok) {
    if (n_ands && !b.n_ranges && !b.n_subs && !b.gc_mask && !b.props) b.props = TT_RX_PROP_ANY;
    if (!(flags & F_FOLD) || fold_close(P, &b)) result = finish_set(P, &b, negated, ands, n_ands);
  }
  builder_free(P, &b);
  P->depth--;
  return result;
}

/* ---- expressions ----------------------------------------------------------------------------- */
static uint32_t parse_alt(parser *P, int flags);

static void skip_extended(parser *P, int flags) {
  if (!(flags & F_EXTENDED)) return;
  while (P->i < P->len) {
    char c = P->pat[P->i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      P->i++;
    } else if (c == '#') {
      while (P->i < P->len && P->pat[P->i] != '\n') P->i++;
    } else {
      break;
    }
  }
}

static uint32_t literal_node(parser *P, uint32_t cp, size_t at, int flags) {
  if (flags & F_FOLD) {
    uint32_t set = char_set(P, cp, flags);
    if (set == UINT32_MAX) return UINT32_MAX;
    const tt_rx_set *s = &P->re->sets[set];
    if (!(s->range_count == 1 && P->re->ranges[s->range_first].lo == cp &&
          P->re->ranges[s->range_first].hi == cp)) {
      uint32_t n = new_node(P, RX_SET, at);
      if (n != UINT32_MAX) P->ast->nodes[n].a = set;
      return n;
    }
  }
  uint32_t n = new_node(P, RX_CHAR, at);
  if (n != UINT32_MAX) P->ast->nodes[n].a = cp;
  return n;
}

static uint32_t group_node(parser *P, uint8_t type, uint8_t kind, uint32_t child, size_t at) {
  if (child == UINT32_MAX) return UINT32_MAX;
  uint32_t n = new_node(P, type, at);
  if (n == UINT32_MAX) return n;
  P->ast->nodes[n].kind = kind;
  P->ast->nodes[n].a = child;
  return n;
}

/* Reads "imx-imx" option letters; returns 0 when something else is there. */
static int parse_options(parser *P, int *flags) {
  int on = 1;
  while (P->i < P->len) {
    char c = P->pat[P->i];
    int bit = c == 'i' ? F_FOLD : c == 'm' ? F_DOTALL : c == 'x' ? F_EXTENDED : 0;
    if (c == '-') {
      on = 0;
    } else if (bit) {
      *flags = on ? (*flags | bit) : (*flags & ~bit);
    } else {
      return 1;
    }
    P->i++;
  }
  return 1;
}

/* After '(' : the group, through its ')'. *rest_of_group is set for "(?i)" (which applies to
 * the remainder of the enclosing group, alternatives included, as Onig parses it). */
static uint32_t parse_group(parser *P, int flags, int *new_flags) {
  size_t at = P->i - 1;
  if (++P->depth > RX_MAX_DEPTH) return fail(P, TETRA_ERR_LIMIT, at, "groups nested too deeply");
  uint32_t result = UINT32_MAX;
  uint8_t type = RX_CAT, kind = 0;
  int inner = flags;
  if (P->i < P->len && P->pat[P->i] == '?') {
    P->i++;
    char c = P->i < P->len ? P->pat[P->i] : 0;
    if (c == ':') {
      P->i++;
    } else if (c == '>') {
      P->i++, type = RX_ATOMIC;
    } else if (c == '=') {
      P->i++, type = RX_LOOK, kind = TT_RX_AHEAD;
    } else if (c == '!') {
      P->i++, type = RX_LOOK, kind = TT_RX_NOT_AHEAD;
    } else if (c == '<' && P->i + 1 < P->len && P->pat[P->i + 1] == '=') {
      P->i += 2, type = RX_LOOK, kind = TT_RX_BEHIND;
    } else if (c == '<' && P->i + 1 < P->len && P->pat[P->i + 1] == '!') {
      P->i += 2, type = RX_LOOK, kind = TT_RX_NOT_BEHIND;
    } else if (c == '<' || c == '\'') { /* named group: only the whole match matters */
      char close = c == '<' ? '>' : '\'';
      size_t j = P->i + 1;
      while (j < P->len && P->pat[j] != close && P->pat[j] != ')') j++;
      if (j >= P->len || P->pat[j] != close || j == P->i + 1) {
        P->depth--;
        return fail(P, TETRA_ERR_PARSE, at, "invalid group name");
      }
      P->i = j + 1;
    } else if (c == '#') {
      while (P->i < P->len && P->pat[P->i] != ')') P->i++;
      if (P->i >= P->len) {
        P->depth--;
        return fail(P, TETRA_ERR_PARSE, at, "end pattern in group");
      }
      P->i++;
      P->depth--;
      return new_node(P, RX_EMPTY, at);
    } else if (c == 'i' || c == 'm' || c == 'x' || c == '-') {
      parse_options(P, &inner);
      if (P->i < P->len && P->pat[P->i] == ')') { /* (?i): the rest of the enclosing group */
        P->i++;
        *new_flags = inner;
        P->depth--;
        return UINT32_MAX - 1;
      }
      if (P->i >= P->len || P->pat[P->i] != ':') {
        P->depth--;
        return fail(P, TETRA_ERR_UNSUPPORTED, at, "unsupported group option (?%c", c);
      }
      P->i++;
    } else {
      P->depth--;
      return fail(P, TETRA_ERR_UNSUPPORTED, at, "unsupported group syntax (?%c", c ? c : ' ');
    }
  }
  uint32_t body = parse_alt(P, inner);
  if (body != UINT32_MAX) {
    if (P->i >= P->len || P->pat[P->i] != ')') {
      fail(P, TETRA_ERR_PARSE, at, "end pattern with unmatched parenthesis");
    } else {
      P->i++;
      result = type == RX_CAT ? body : group_node(P, type, kind, body, at);
    }
  }
  P->depth--;
  return result;
}

/* A single atom (no quantifier). Returns UINT32_MAX - 1 for an option switch "(?i)". */
static uint32_t parse_atom(parser *P, int flags, int *new_flags) {
  size_t at = P->i;
  char c = P->pat[P->i];
  switch (c) {
    case '(':
      P->i++;
      return parse_group(P, flags, new_flags);
    case '[': {
      P->i++;
      uint32_t set = parse_class(P, flags);
      if (set == UINT32_MAX) return set;
      uint32_t n = new_node(P, RX_SET, at);
      if (n != UINT32_MAX) P->ast->nodes[n].a = set;
      return n;
    }
    case '.': {
      P->i++;
      uint32_t n = new_node(P, RX_ANY, at);
      if (n != UINT32_MAX) P->ast->nodes[n].kind = (flags & F_DOTALL) ? 1 : 0;
      return n;
    }
    case '^':
    case '$': {
      P->i++;
      uint32_t n = new_node(P, RX_ASSERT, at);
      if (n != UINT32_MAX) P->ast->nodes[n].kind = c == '^' ? TT_RX_BOL : TT_RX_EOL;
      return n;
    }
    case '\\': {
      P->i++;
      if (P->i < P->len) {
        int kind = -1;
        switch (P->pat[P->i]) {
          case 'A': kind = TT_RX_BOS; break;
          case 'z': kind = TT_RX_EOS; break;
          case 'Z': kind = TT_RX_EOS_NL; break;
          case 'b': kind = TT_RX_WORDB; break;
          case 'B': kind = TT_RX_NWORDB; break;
          case 'G': kind = TT_RX_SEARCH_START; break;
          default: break;
        }
        if (kind >= 0) {
          P->i++;
          uint32_t n = new_node(P, RX_ASSERT, at);
          if (n != UINT32_MAX) P->ast->nodes[n].kind = (uint8_t)kind;
          return n;
        }
      }
      atom t;
      if (!parse_escape(P, 0, &t)) return UINT32_MAX;
      if (t.is_char) return literal_node(P, t.cp, at, flags);
      uint32_t set = atom_set(P, &t);
      if (set == UINT32_MAX) return set;
      uint32_t n = new_node(P, RX_SET, at);
      if (n != UINT32_MAX) P->ast->nodes[n].a = set;
      return n;
    }
    case '*':
    case '+':
    case '?':
      return fail(P, TETRA_ERR_PARSE, at, "target of repeat operator is not specified");
    default:
      return literal_node(P, read_char(P), at, flags);
  }
}

/* Reads an interval {n}, {n,}, {,m}, {n,m} at P->i; returns 0 (position unchanged) when the
 * text is not an interval (then '{' is a literal, as in Onig). */
static int parse_interval(parser *P, uint32_t *min, uint32_t *max, int *exact, int *possessive) {
  size_t j = P->i + 1;
  uint64_t lo = 0, hi = 0;
  int have_lo = 0, have_hi = 0, comma = 0;
  while (j < P->len && P->pat[j] >= '0' && P->pat[j] <= '9') {
    lo = lo * 10 + (uint64_t)(P->pat[j++] - '0');
    if (lo > RX_MAX_REPEAT) lo = RX_MAX_REPEAT + 1;
    have_lo = 1;
  }
  if (j < P->len && P->pat[j] == ',') {
    comma = 1;
    j++;
    while (j < P->len && P->pat[j] >= '0' && P->pat[j] <= '9') {
      hi = hi * 10 + (uint64_t)(P->pat[j++] - '0');
      if (hi > RX_MAX_REPEAT) hi = RX_MAX_REPEAT + 1;
      have_hi = 1;
    }
  }
  if (j >= P->len || P->pat[j] != '}' || (!have_lo && !have_hi)) return 0;
  if (lo > RX_MAX_REPEAT || hi > RX_MAX_REPEAT) {
    fail(P, TETRA_ERR_LIMIT, P->i, "too big number for repeat range (at most %d)", RX_MAX_REPEAT);
    return -1;
  }
  *exact = !comma;
  *possessive = 0;
  if (comma && have_hi && hi < lo) { /* Onig: {n,m} with n > m is a possessive {m,n} */
    uint64_t t = lo;
    lo = hi, hi = t;
    *possessive = 1;
  }
  *min = (uint32_t)lo;
  *max = !comma ? (uint32_t)lo : have_hi ? (uint32_t)hi : RX_INF;
  P->i = j + 1;
  return 1;
}

static uint32_t parse_quantified(parser *P, int flags, int *new_flags) {
  uint32_t node = parse_atom(P, flags, new_flags);
  if (node >= UINT32_MAX - 1) return node;
  for (;;) {
    skip_extended(P, flags);
    if (P->i >= P->len) break;
    size_t at = P->i;
    char c = P->pat[P->i];
    uint32_t min, max;
    int exact = 0, lazy_ok = 1, possessive = 0;
    if (c == '*') {
      min = 0, max = RX_INF, P->i++;
    } else if (c == '+') {
      min = 1, max = RX_INF, P->i++;
    } else if (c == '?') {
      min = 0, max = 1, P->i++;
    } else if (c == '{') {
      int r = parse_interval(P, &min, &max, &exact, &possessive);
      if (r < 0) return UINT32_MAX;
      if (r == 0) break;
      /* Ruby syntax: {n}? is an optional {n}, and {n,m}+ is not possessive. */
      lazy_ok = !exact && !possessive;
    } else {
      break;
    }
    uint8_t kind = possessive ? RX_POSSESSIVE : RX_GREEDY;
    if (P->i < P->len && P->pat[P->i] == '?' && lazy_ok) {
      kind = RX_LAZY;
      P->i++;
    } else if (P->i < P->len && P->pat[P->i] == '+' && c != '{') {
      kind = RX_POSSESSIVE;
      P->i++;
    }
    uint32_t n = new_node(P, RX_REPEAT, at);
    if (n == UINT32_MAX) return n;
    rx_node *q = &P->ast->nodes[n];
    q->a = node;
    q->min = min;
    q->max = max;
    q->kind = kind;
    node = n;
  }
  return node;
}

static uint32_t make_list(parser *P, uint8_t type, const uint32_t *items, uint32_t count, size_t at) {
  if (count == 1) return items[0];
  if (count == 0) return new_node(P, RX_EMPTY, at);
  rx_ast *A = P->ast;
  if (!tt_rx_grow(P->re->alloc, (void **)&A->kids, &A->cap_kids, A->n_kids + count, sizeof(uint32_t)))
    return oom(P);
  uint32_t n = new_node(P, type, at);
  if (n == UINT32_MAX) return n;
  A->nodes[n].first = A->n_kids;
  A->nodes[n].count = count;
  memcpy(A->kids + A->n_kids, items, count * sizeof(uint32_t));
  A->n_kids += count;
  return n;
}

/* A sequence up to '|' or ')' or the end. */
static uint32_t parse_seq(parser *P, int flags) {
  size_t at = P->i;
  uint32_t *items = NULL, n = 0, cap = 0, result = UINT32_MAX;
  for (;;) {
    skip_extended(P, flags);
    if (P->i >= P->len || P->pat[P->i] == '|' || P->pat[P->i] == ')') break;
    int new_flags = flags;
    uint32_t node = parse_quantified(P, flags, &new_flags);
    if (node == UINT32_MAX - 1) {
      /* (?i) etc.: the rest of the group, alternatives included, under the new options */
      node = parse_alt(P, new_flags);
      if (node == UINT32_MAX) goto done;
      if (!tt_rx_grow(P->re->alloc, (void **)&items, &cap, n + 1, sizeof(uint32_t))) {
        oom(P);
        goto done;
      }
      items[n++] = node;
      break;
    }
    if (node == UINT32_MAX) goto done;
    if (!tt_rx_grow(P->re->alloc, (void **)&items, &cap, n + 1, sizeof(uint32_t))) {
      oom(P);
      goto done;
    }
    items[n++] = node;
  }
  result = make_list(P, RX_CAT, items, n, at);
done:
  tetra_free(P->re->alloc, items);
  return result;
}

static uint32_t parse_alt(parser *P, int flags) {
  size_t at = P->i;
  uint32_t *items = NULL, n = 0, cap = 0, result = UINT32_MAX;
  for (;;) {
    uint32_t node = parse_seq(P, flags);
    if (node == UINT32_MAX) goto done;
    if (!tt_rx_grow(P->re->alloc, (void **)&items, &cap, n + 1, sizeof(uint32_t))) {
      oom(P);
      goto done;
    }
    items[n++] = node;
    if (P->i < P->len && P->pat[P->i] == '|') {
      P->i++;
      continue;
    }
    break;
  }
  result = make_list(P, RX_ALT, items, n, at);
done:
  tetra_free(P->re->alloc, items);
  return result;
}

void tt_rx_ast_free(const tetra_allocator *a, rx_ast *ast) {
  tetra_free(a, ast->nodes);
  tetra_free(a, ast->kids);
  memset(ast, 0, sizeof *ast);
}

tetra_status tt_rx_parse(tt_regex *re, const char *pattern, size_t len, rx_ast *ast,
                         tetra_error *err) {
  parser P;
  memset(&P, 0, sizeof P);
  memset(ast, 0, sizeof *ast);
  P.re = re;
  P.pat = pattern;
  P.len = len;
  P.ast = ast;
  P.err = err;
  P.cap_sets = re->n_sets;
  P.cap_ranges = re->n_ranges;
  P.cap_subs = re->n_subs;
  uint32_t root = parse_alt(&P, 0);
  if (root != UINT32_MAX && P.i < len) /* only a ')' stops the top level early */
    fail(&P, TETRA_ERR_PARSE, P.i, "unmatched close parenthesis");
  if (P.status != TETRA_OK || root == UINT32_MAX) {
    if (P.status == TETRA_OK) oom(&P);
    tt_rx_ast_free(re->alloc, ast);
    return P.status;
  }
  ast->root = root;
  return TETRA_OK;
}
