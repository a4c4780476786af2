/* Pre-tokenizers (HF tokenizers/src/pre_tokenizers/, tokenizers 0.22): reading them from
 * tokenizer.json and applying them to a pre-tokenized string.
 *
 * Each kind splits every untokenized split of a tt_pretok into pieces, as HF's
 * PreTokenizedString::split does: splits that already carry tokens (added tokens) pass through
 * untouched, empty pieces are dropped. The kinds that split on character classes (Bert,
 * Whitespace, WhitespaceSplit, Digits, CharDelimiterSplit) scan the text once and cut slices
 * directly, which is what HF's char-predicate and regex splits amount to; Punctuation and Split,
 * whose behaviours are general, go through tt_pretok_split_matches. ByteLevel lives in
 * pretok_bytelevel.c.
 *
 * Missing optional fields take HF's defaults (Default impls); fields HF requires and cannot
 * default (Split's pattern and behavior, Metaspace's replacement, CharDelimiterSplit's delimiter,
 * Sequence's pretokenizers) are format errors naming the path. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text/json_fields.h"
#include "text/pretok_impl.h"
#include "text/unicode.h"

/* ---- errors and JSON fields ----------------------------------------------------------------- */

static tetra_status fail(tetra_error *err, tetra_status code, const char *path, const char *fmt,
                         ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static tetra_status fail(tetra_error *err, tetra_status code, const char *path, const char *fmt,
                         ...) {
  char what[TETRA_ERROR_MESSAGE_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return tetra_error_set(err, code, "tokenizer.json: %s: %s", path, what);
}

/* A Rust `char` field (required): a string of exactly one character, also kept as UTF-8. */
static tetra_status get_char(const tetra_json *obj, const char *path, const char *key, uint32_t *cp,
                             char utf8[4], uint32_t *utf8_len, tetra_error *err) {
  const char *s;
  size_t len;
  tetra_status st = tt_json_req_string(obj, path, key, &s, &len, err);
  if (st != TETRA_OK) return st;
  if (!tt_jv_char(tetra_json_get(obj, key), 0, cp))
    return fail(err, TETRA_ERR_FORMAT, path, "field \"%s\" should be one character, got \"%.40s\"",
                key, s);
  if (utf8) {
    memcpy(utf8, s, len);
    *utf8_len = (uint32_t)len;
  }
  return TETRA_OK;
}

static tetra_status get_behavior(const tetra_json *obj, const char *path, const char *key,
                                 int required, tt_split_behavior dflt, tt_split_behavior *out,
                                 tetra_error *err) {
  static const struct {
    const char *name;
    tt_split_behavior b;
  } names[] = {{"Removed", TT_SPLIT_REMOVED},
               {"Isolated", TT_SPLIT_ISOLATED},
               {"MergedWithPrevious", TT_SPLIT_MERGED_WITH_PREVIOUS},
               {"MergedWithNext", TT_SPLIT_MERGED_WITH_NEXT},
               {"Contiguous", TT_SPLIT_CONTIGUOUS}};
  const char *v;
  *out = dflt;
  tetra_status st = required ? tt_json_req_string(obj, path, key, &v, NULL, err)
                             : tt_json_opt_string(obj, path, key, &v, NULL, err);
  if (st != TETRA_OK || !v) return st;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(v, names[i].name) == 0) {
      *out = names[i].b;
      return TETRA_OK;
    }
  return fail(err, TETRA_ERR_FORMAT, path,
              "field \"%s\" = \"%.40s\" should be one of Removed, Isolated, MergedWithPrevious, "
              "MergedWithNext, Contiguous",
              key, v);
}

/* ---- construction ---------------------------------------------------------------------------- */

void tt_pretokenizer_free(tt_pretokenizer *p) {
  if (!p) return;
  for (size_t i = 0; i < p->n_children; i++) tt_pretokenizer_free(p->children[i]);
  tetra_free(p->alloc, p->children);
  tt_regex_free(p->re);
  tetra_free(p->alloc, p->literal);
  tetra_free(p->alloc, p);
}

static tetra_status compile(tt_pretokenizer *p, const char *path, const char *what,
                            const char *pattern, size_t len, tetra_error *err) {
  tetra_status st = tt_regex_compile(pattern, len, p->alloc, &p->re, err);
  if (st != TETRA_OK) tetra_error_prefix(err, "tokenizer.json: %s: %s", path, what);
  return st;
}

static tetra_status read_byte_level(tt_pretokenizer *p, const tetra_json *j, const char *path,
                                    tetra_error *err) {
  tetra_status st = tt_json_opt_bool(j, path, "add_prefix_space", 1, &p->add_prefix_space, err);
  if (st == TETRA_OK) st = tt_json_opt_bool(j, path, "trim_offsets", 1, &p->trim_offsets, err);
  if (st == TETRA_OK) st = tt_json_opt_bool(j, path, "use_regex", 1, &p->use_regex, err);
  if (st == TETRA_OK && p->use_regex) {
    size_t len;
    const char *pattern = tt_pt_gpt2_pattern(&len);
    st = compile(p, path, "ByteLevel's GPT-2 pattern", pattern, len, err);
  }
  return st;
}

static tetra_status read_metaspace(tt_pretokenizer *p, const tetra_json *j, const char *path,
                                   tetra_error *err) {
  tetra_status st =
      get_char(j, path, "replacement", &p->replacement, p->rep_utf8, &p->rep_len, err);
  if (st != TETRA_OK) return st;
  const char *scheme;
  st = tt_json_opt_string(j, path, "prepend_scheme", &scheme, NULL, err);
  if (st != TETRA_OK) return st;
  p->prepend = TT_PREPEND_ALWAYS;
  if (scheme) {
    if (strcmp(scheme, "always") == 0)
      p->prepend = TT_PREPEND_ALWAYS;
    else if (strcmp(scheme, "first") == 0)
      p->prepend = TT_PREPEND_FIRST;
    else if (strcmp(scheme, "never") == 0)
      p->prepend = TT_PREPEND_NEVER;
    else
      return fail(
          err, TETRA_ERR_FORMAT, path,
          "field \"prepend_scheme\" = \"%.40s\" should be \"always\", \"first\" or \"never\"",
          scheme);
  }
  /* Files written before prepend_scheme existed say add_prefix_space; false means "never" and
   * contradicts any other declared (or defaulted) scheme, as HF's deserializer rules. */
  const tetra_json *aps = tetra_json_get(j, "add_prefix_space");
  if (aps && aps->type != TETRA_JSON_NULL) {
    int add;
    st = tt_json_opt_bool(j, path, "add_prefix_space", 1, &add, err);
    if (st != TETRA_OK) return st;
    if (!add) {
      if (p->prepend != TT_PREPEND_NEVER)
        return fail(err, TETRA_ERR_FORMAT, path,
                    "add_prefix_space = false does not match prepend_scheme \"%s\"",
                    p->prepend == TT_PREPEND_FIRST ? "first" : "always");
      p->prepend = TT_PREPEND_NEVER;
    }
  }
  return tt_json_opt_bool(j, path, "split", 1, &p->split, err);
}

static tetra_status read_split(tt_pretokenizer *p, const tetra_json *j, const char *path,
                               tetra_error *err) {
  const tetra_json *pat = tetra_json_get(j, "pattern");
  if (!pat) return fail(err, TETRA_ERR_FORMAT, path, "missing field \"pattern\"");
  if (pat->type != TETRA_JSON_OBJECT || pat->len != 1)
    return fail(err, TETRA_ERR_FORMAT, path,
                "field \"pattern\" should be {\"String\": ...} or {\"Regex\": ...}");
  const tetra_json *key = &pat->u.items[0], *val = &pat->u.items[1];
  int is_regex = strcmp(key->u.string, "Regex") == 0;
  if ((!is_regex && strcmp(key->u.string, "String") != 0) || val->type != TETRA_JSON_STRING)
    return fail(
        err, TETRA_ERR_FORMAT, path,
        "field \"pattern\" should be {\"String\": ...} or {\"Regex\": ...}, not {\"%.40s\": %s}",
        key->u.string, tt_json_type_of(val));
  tetra_status st = get_behavior(j, path, "behavior", 1, TT_SPLIT_REMOVED, &p->behavior, err);
  if (st == TETRA_OK) st = tt_json_opt_bool(j, path, "invert", 0, &p->invert, err);
  if (st != TETRA_OK) return st;
  if (is_regex) return compile(p, path, "pattern.Regex", val->u.string, val->len, err);
  /* A literal is searched as such (what HF's escaped regex matches); the empty literal, which
   * matches between every pair of characters, is handled by tt_find_literal too. */
  p->literal = tetra_alloc(p->alloc, (size_t)val->len + 1);
  if (!p->literal)
    return fail(err, TETRA_ERR_OUT_OF_MEMORY, path, "out of memory for pattern.String");
  memcpy(p->literal, val->u.string, (size_t)val->len + 1);
  p->lit_len = val->len;
  return TETRA_OK;
}

static tetra_status read_sequence(tt_pretokenizer *p, const tetra_json *j, const char *path,
                                  tetra_error *err) {
  const tetra_json *list = tetra_json_get(j, "pretokenizers");
  if (!list) return fail(err, TETRA_ERR_FORMAT, path, "missing field \"pretokenizers\"");
  if (list->type != TETRA_JSON_ARRAY)
    return fail(err, TETRA_ERR_FORMAT, path, "field \"pretokenizers\" should be an array, not %s",
                tt_json_type_of(list));
  if (list->len == 0) return TETRA_OK;
  p->children = tetra_alloc(p->alloc, list->len * sizeof *p->children);
  if (!p->children)
    return fail(err, TETRA_ERR_OUT_OF_MEMORY, path, "out of memory for %u pre-tokenizers",
                list->len);
  for (uint32_t i = 0; i < list->len; i++) {
    char sub[256];
    snprintf(sub, sizeof sub, "%s.pretokenizers[%u]", path, i);
    tetra_status st = tt_pretokenizer_from_json(&list->u.items[i], sub, p->alloc,
                                                &p->children[p->n_children], err);
    if (st != TETRA_OK) return st;
    p->n_children++;
  }
  return TETRA_OK;
}

tetra_status tt_pretokenizer_from_json(const tetra_json *j, const char *path,
                                       const tetra_allocator *a, tt_pretokenizer **out,
                                       tetra_error *err) {
  if (!j || !out || !path)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "pre-tokenizer: NULL argument");
  if (!a) a = tetra_allocator_default();
  if (j->type != TETRA_JSON_OBJECT)
    return fail(err, TETRA_ERR_FORMAT, path, "a pre-tokenizer should be an object, not %s",
                tt_json_type_of(j));
  const char *type;
  tetra_status st = tt_json_req_string(j, path, "type", &type, NULL, err);
  if (st != TETRA_OK) return st;
  static const struct {
    const char *name;
    tt_pt_kind kind;
  } kinds[] = {{"BertPreTokenizer", TT_PT_BERT},
               {"ByteLevel", TT_PT_BYTE_LEVEL},
               {"Metaspace", TT_PT_METASPACE},
               {"Whitespace", TT_PT_WHITESPACE},
               {"WhitespaceSplit", TT_PT_WHITESPACE_SPLIT},
               {"Punctuation", TT_PT_PUNCTUATION},
               {"Digits", TT_PT_DIGITS},
               {"Split", TT_PT_SPLIT},
               {"CharDelimiterSplit", TT_PT_CHAR_DELIMITER},
               {"UnicodeScripts", TT_PT_UNICODE_SCRIPTS},
               {"Sequence", TT_PT_SEQUENCE}};
  size_t k = 0;
  while (k < sizeof kinds / sizeof kinds[0] && strcmp(type, kinds[k].name) != 0) k++;
  if (k == sizeof kinds / sizeof kinds[0])
    return fail(err, TETRA_ERR_UNSUPPORTED, path, "unsupported pre-tokenizer type \"%.60s\"",
                type);

  tt_pretokenizer *p = tetra_alloc(a, sizeof *p);
  if (!p) return fail(err, TETRA_ERR_OUT_OF_MEMORY, path, "out of memory");
  memset(p, 0, sizeof *p);
  p->alloc = a;
  p->kind = kinds[k].kind;
  switch (p->kind) {
    case TT_PT_BYTE_LEVEL: st = read_byte_level(p, j, path, err); break;
    case TT_PT_METASPACE: st = read_metaspace(p, j, path, err); break;
    case TT_PT_PUNCTUATION:
      st = get_behavior(j, path, "behavior", 0, TT_SPLIT_ISOLATED, &p->behavior, err);
      break;
    case TT_PT_DIGITS:
      st = tt_json_opt_bool(j, path, "individual_digits", 0, &p->individual_digits, err);
      break;
    case TT_PT_SPLIT: st = read_split(p, j, path, err); break;
    case TT_PT_CHAR_DELIMITER:
      st = get_char(j, path, "delimiter", &p->replacement, NULL, NULL, err);
      break;
    case TT_PT_SEQUENCE: st = read_sequence(p, j, path, err); break;
    default: break;
  }
  if (st != TETRA_OK) {
    tt_pretokenizer_free(p);
    return st;
  }
  *out = p;
  return TETRA_OK;
}

/* ---- character classes ----------------------------------------------------------------------- */

static inline int is_space(uint32_t c) { /* Rust char::is_whitespace */
  if (c < 0x80) return c == ' ' || (c >= 0x09 && c <= 0x0D);
  return tt_uc_is_white_space(c);
}

/* HF's is_bert_punc (also Punctuation's): ASCII punctuation, symbols included, or category P* (of
 * Unicode 8.0, as HF's unicode_categories crate has it). */
static inline int is_punc(uint32_t c) {
  if (c < 0x80)
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
  return tt_pt_is_unicode_punct(c);
}

static inline int is_numeric(uint32_t c) { /* Rust char::is_numeric: Nd, Nl, No */
  if (c < 0x80) return c >= '0' && c <= '9';
  return tt_uc_is_numeric(c);
}

/* \w of the Rust regex crate, which HF's Whitespace uses: Alphabetic, M*, Nd, Pc, Join_Control. */
static inline int is_word(uint32_t c) {
  if (c < 0x80)
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  if (c == 0x200C || c == 0x200D) return 1;
  if (tt_uc_is_alphabetic(c) || tt_uc_is_mark(c)) return 1;
  tt_gc g = tt_uc_category(c);
  return g == TT_GC_ND || g == TT_GC_PC;
}

static inline uint32_t next_cp(const char *s, uint32_t i, uint32_t len, uint32_t *used) {
  unsigned char b = (unsigned char)s[i];
  if (b < 0x80) {
    *used = 1;
    return b;
  }
  size_t u = 0;
  uint32_t c = tt_utf8_decode(s + i, len - i, &u);
  *used = u ? (uint32_t)u : 1;
  return c;
}

/* ---- splitting ------------------------------------------------------------------------------- */

tetra_status tt_pt_emit_slice(tt_pretok *out, const tt_nstr *ns, uint32_t start, uint32_t end,
                              tetra_error *err) {
  if (start >= end) return TETRA_OK;
  tt_nstr piece;
  tetra_status st = tt_nstr_slice(ns, start, end, &piece, err);
  if (st != TETRA_OK) return st;
  st = tt_pretok_push(out, &piece, NULL, 0, err);
  if (st != TETRA_OK) tt_nstr_free(&piece);
  return st;
}

/* Character classes for run splitting: 0 drops the character (a removed delimiter), ISOLATE makes
 * it a piece of its own, any other value joins it to neighbours of the same value. */
#define ISOLATE 0x100

static inline int classify(const tt_pretokenizer *p, uint32_t c) {
  switch (p->kind) {
    case TT_PT_BERT: return is_space(c) ? 0 : is_punc(c) ? ISOLATE : 1;
    case TT_PT_WHITESPACE: return is_space(c) ? 0 : is_word(c) ? 1 : 2; /* \w+|[^\w\s]+ */
    case TT_PT_WHITESPACE_SPLIT: return is_space(c) ? 0 : 1;
    case TT_PT_DIGITS: return is_numeric(c) ? (p->individual_digits ? ISOLATE : 2) : 1;
    case TT_PT_CHAR_DELIMITER: return c == p->replacement ? 0 : 1;
    default: return 1;
  }
}

/* Cuts text into maximal runs of one class (see classify), in one pass, appending their ranges. */
static tetra_status runs_spans(const tt_pretokenizer *p, const char *s, uint32_t len,
                               tt_matches *m, const tetra_allocator *a, tetra_error *err) {
  uint32_t i = 0, start = 0;
  int cur = 0; /* class of the open run, 0 when none */
  tetra_status st = TETRA_OK;
  while (i < len && st == TETRA_OK) {
    uint32_t used;
    uint32_t c = next_cp(s, i, len, &used);
    int k = classify(p, c);
    if (k != cur || k == ISOLATE) {
      if (cur) st = tt_matches_push(m, a, start, i, err);
      start = i;
      cur = k;
    }
    i += used;
  }
  if (cur && st == TETRA_OK) st = tt_matches_push(m, a, start, len, err);
  return st;
}

static tetra_status split_runs(const tt_pretokenizer *p, const tt_nstr *ns, tt_pretok *out,
                               tt_pt_scratch *s, tetra_error *err) {
  s->matches.n = 0;
  tetra_status st = runs_spans(p, ns->text, ns->len, &s->matches, s->alloc, err);
  for (size_t i = 0; i < s->matches.n && st == TETRA_OK; i++)
    st = tt_pt_emit_slice(out, ns, s->matches.spans[i].start, s->matches.spans[i].end, err);
  return st;
}

int tt_pretokenizer_only_slices(const tt_pretokenizer *p) {
  switch (p->kind) {
    case TT_PT_BERT:
    case TT_PT_WHITESPACE:
    case TT_PT_WHITESPACE_SPLIT:
    case TT_PT_DIGITS:
    case TT_PT_CHAR_DELIMITER: return 1;
    default: return 0;
  }
}

tetra_status tt_pretokenizer_slice_spans(const tt_pretokenizer *p, const char *text, uint32_t len,
                                         tt_matches *m, const tetra_allocator *a,
                                         tetra_error *err) {
  if (!tt_pretokenizer_only_slices(p))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "pre-tokenizer: slice_spans on a pre-tokenizer that edits its text");
  return runs_spans(p, text, len, m, a, err);
}

/* Punctuation: every punctuation character is a match, then HF's split with the behaviour. */
static tetra_status split_punctuation(const tt_pretokenizer *p, const tt_nstr *ns, tt_pretok *out,
                                      tt_pt_scratch *s, tetra_error *err) {
  s->matches.n = 0;
  for (uint32_t i = 0; i < ns->len;) {
    uint32_t used;
    uint32_t c = next_cp(ns->text, i, ns->len, &used);
    if (is_punc(c)) {
      tetra_status st = tt_matches_push(&s->matches, s->alloc, i, i + used, err);
      if (st != TETRA_OK) return st;
    }
    i += used;
  }
  return tt_pretok_split_matches(out, ns, &s->matches, p->behavior, 0, err);
}

static tetra_status split_pattern(const tt_pretokenizer *p, const tt_nstr *ns, tt_pretok *out,
                                  tt_pt_scratch *s, tetra_error *err) {
  s->matches.n = 0;
  tetra_status st =
      p->literal
          ? tt_find_literal(ns->text, ns->len, p->literal, p->lit_len, s->alloc, &s->matches, err)
          : tt_regex_find_all(p->re, ns->text, ns->len, s->alloc, &s->matches, err);
  if (st != TETRA_OK) return st;
  return tt_pretok_split_matches(out, ns, &s->matches, p->behavior, p->invert, err);
}

/* Metaspace: every ' ' becomes the replacement (aligned like the space it replaces), the
 * replacement is prepended per the scheme (HF prepend: aligned like the first character), then
 * each replacement character starts a new piece (HF's MergedWithNext on a one-char delimiter). */
static tetra_status split_metaspace(const tt_pretokenizer *p, const tt_nstr *ns, tt_pretok *out,
                                    tt_pt_scratch *s, tetra_error *err) {
  const char *t = ns->text;
  uint32_t len = ns->len, spaces = 0;
  for (uint32_t i = 0; i < len; i++) spaces += t[i] == ' ';
  int starts_with_rep =
      (len > 0 && t[0] == ' ') || (len >= p->rep_len && memcmp(t, p->rep_utf8, p->rep_len) == 0);
  int prepend = len > 0 && !starts_with_rep &&
                (p->prepend == TT_PREPEND_ALWAYS ||
                 (p->prepend == TT_PREPEND_FIRST && ns->original.start == 0));
  uint64_t out_len =
      (uint64_t)len + (uint64_t)spaces * (p->rep_len - 1) + (prepend ? p->rep_len : 0);
  if (out_len > UINT32_MAX - 1)
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "Metaspace pre-tokenizer: a %u-byte split is too long", len);
  tetra_status st = tt_pt_scratch_reserve(s, 0, (size_t)out_len, err);
  if (st != TETRA_OK) return st;
  char *o = s->out;
  tt_span *oa = s->out_align;
  uint32_t n = 0, i = 0;
  if (prepend) {
    uint32_t first = (uint32_t)tt_utf8_len((unsigned char)t[0]);
    if (first > len) first = len;
    for (uint32_t k = 0; k < p->rep_len; k++) {
      o[n] = p->rep_utf8[k];
      oa[n++] = ns->align[0];
    }
    for (uint32_t k = 0; k < first; k++) {
      o[n] = t[k];
      oa[n++] = ns->align[first - 1];
    }
    i = first;
  }
  for (; i < len; i++) {
    if (t[i] == ' ') {
      for (uint32_t k = 0; k < p->rep_len; k++) {
        o[n] = p->rep_utf8[k];
        oa[n++] = ns->align[i];
      }
    } else {
      o[n] = t[i];
      oa[n++] = ns->align[i];
    }
  }
  if (!p->split) return tt_pt_emit_built(out, ns->alloc, o, oa, n, ns->original, err);
  uint32_t start = 0;
  for (uint32_t k = 0; k <= n && st == TETRA_OK; k++) {
    int cut = k == n || (k > start && o[k] == p->rep_utf8[0] && n - k >= p->rep_len &&
                         memcmp(o + k, p->rep_utf8, p->rep_len) == 0);
    if (!cut) continue;
    if (k > start) {
      tt_span orig = {oa[start].start, oa[k - 1].end};
      st = tt_pt_emit_built(out, ns->alloc, o + start, oa + start, k - start, orig, err);
    }
    start = k;
  }
  return st;
}

/* UnicodeScripts: a piece starts wherever the script changes, "Any" characters (spaces) joining
 * the piece they are in. As in HF, the text before the first non-Any character is dropped (HF
 * cuts at the script changes and keeps only what lies between cuts). */
static tetra_status split_scripts(const tt_nstr *ns, tt_pretok *out, tetra_error *err) {
  const char *t = ns->text;
  uint32_t len = ns->len, i = 0;
  int last = -1;      /* no script yet */
  int64_t start = -1; /* start of the open piece, -1 before the first cut */
  tetra_status st = TETRA_OK;
  while (i < len && st == TETRA_OK) {
    uint32_t used;
    uint32_t c = next_cp(t, i, len, &used);
    int sc = tt_pt_script(c);
    if (sc != 0 && last != sc) {
      if (start >= 0) st = tt_pt_emit_slice(out, ns, (uint32_t)start, i, err);
      start = i;
    }
    if (sc != 0) last = sc;
    i += used;
  }
  if (start >= 0 && st == TETRA_OK) st = tt_pt_emit_slice(out, ns, (uint32_t)start, len, err);
  return st;
}

static tetra_status split_one(const tt_pretokenizer *p, const tt_nstr *ns, tt_pretok *out,
                              tt_pt_scratch *s, tetra_error *err) {
  switch (p->kind) {
    case TT_PT_BYTE_LEVEL: return tt_pt_byte_level(p, ns, out, s, err);
    case TT_PT_METASPACE: return split_metaspace(p, ns, out, s, err);
    case TT_PT_PUNCTUATION: return split_punctuation(p, ns, out, s, err);
    case TT_PT_SPLIT: return split_pattern(p, ns, out, s, err);
    case TT_PT_UNICODE_SCRIPTS: return split_scripts(ns, out, err);
    default: return split_runs(p, ns, out, s, err);
  }
}

/* ---- applying -------------------------------------------------------------------------------- */

/* One non-Sequence pre-tokenizer over every split of pt. The new list is built aside and adopted
 * only on success, so that a failure leaves pt as it was. Splits with tokens are moved (a shallow
 * copy shared by both lists until the end). */
static tetra_status apply_one(const tt_pretokenizer *p, tt_pretok *pt, tetra_error *err) {
  tt_pretok next;
  tt_pretok_init(&next, pt->alloc);
  tt_pt_scratch s;
  memset(&s, 0, sizeof s);
  s.alloc = pt->alloc;
  tetra_status st = TETRA_OK;
  for (size_t i = 0; i < pt->n && st == TETRA_OK; i++) {
    tt_split *sp = &pt->splits[i];
    if (sp->tokens) {
      tt_nstr shared = sp->ns;
      st = tt_pretok_push(&next, &shared, sp->tokens, sp->n_tokens, err);
    } else if (sp->ns.len > 0) {
      st = split_one(p, &sp->ns, &next, &s, err);
    }
  }
  tt_pt_scratch_free(&s);
  /* Whichever list is dropped gives up its claim on the shared (tokenized) splits first. */
  tt_pretok *drop = st == TETRA_OK ? pt : &next;
  for (size_t i = 0; i < drop->n; i++)
    if (drop->splits[i].tokens) {
      memset(&drop->splits[i].ns, 0, sizeof drop->splits[i].ns);
      drop->splits[i].tokens = NULL;
      drop->splits[i].n_tokens = 0;
    }
  tt_pretok_free(drop);
  if (st == TETRA_OK) *pt = next;
  return st;
}

tetra_status tt_pretokenizer_apply(const tt_pretokenizer *p, tt_pretok *pt, tetra_error *err) {
  if (!p || !pt)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "pre-tokenizer: NULL argument");
  if (p->kind != TT_PT_SEQUENCE) return apply_one(p, pt, err);
  for (size_t i = 0; i < p->n_children; i++) {
    tetra_status st = tt_pretokenizer_apply(p->children[i], pt, err);
    if (st != TETRA_OK) return st;
  }
  return TETRA_OK;
}
