/* What each normalizer does to a normalized string, as HF tokenizers 0.22 does it
 * (tokenizers/src/normalizers/), including its character classes: see normalizer_ages.h for
 * why marks and format characters newer than Unicode 8.0/9.0 are treated as ordinary characters. */
#include <string.h>

#include "text/normalizer_ages.h"
#include "text/normalizers_internal.h"
#include "text/nstr_internal.h"
#include "text/unicode.h"

/* Unicode version (x10) that added cp, when cp is a mark or format character newer than 8.0;
 * 0 otherwise. */
static unsigned newer_mark_age(uint32_t cp) {
  size_t lo = 0, hi = sizeof tt_newer_marks / sizeof tt_newer_marks[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cp < tt_newer_marks[mid][0]) {
      hi = mid;
    } else if (cp > tt_newer_marks[mid][1]) {
      lo = mid + 1;
    } else {
      return tt_newer_marks[mid][2];
    }
  }
  return 0;
}

/* ---- BertNormalizer ------------------------------------------------------------------------ */
/* HF bert.rs is_control: unicode_categories' is_other (Unicode 8.0 data), minus \t \n \r. Its
 * "not assigned" class is empty in practice, so Cn characters are kept. */
static int bert_is_control(uint32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return 0;
  tt_gc gc = tt_uc_category(cp);
  if (gc == TT_GC_CC || gc == TT_GC_CO || gc == TT_GC_CS) return 1;
  return gc == TT_GC_CF && newer_mark_age(cp) == 0;
}

static int bert_is_whitespace(uint32_t cp) {
  return cp == '\t' || cp == '\n' || cp == '\r' || tt_uc_is_white_space(cp);
}

static int bert_keep(uint32_t cp, void *ctx) {
  (void)ctx;
  return !(cp == 0 || cp == 0xFFFD || bert_is_control(cp));
}

static uint32_t bert_space(uint32_t cp, void *ctx) {
  (void)ctx;
  return bert_is_whitespace(cp) ? ' ' : cp;
}

static int is_chinese_char(uint32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

/* unicode_categories' is_mark_nonspacing (Unicode 8.0). */
static int bert_keep_nonmark(uint32_t cp, void *ctx) {
  (void)ctx;
  return !(tt_uc_category(cp) == TT_GC_MN && newer_mark_age(cp) == 0);
}

static tetra_status handle_chinese_chars(tt_nstr *ns, tetra_error *err) {
  uint32_t *cps;
  size_t n;
  tetra_status st = tt_nstr_codepoints(ns, &cps, &n, err);
  if (st) return st;
  size_t n_chinese = 0;
  for (size_t i = 0; i < n; i++) n_chinese += is_chinese_char(cps[i]) != 0;
  if (n_chinese == 0 && tt_nstr_transform_is_whole(ns)) {
    tetra_free(ns->alloc, cps); /* the transform would be the identity */
    return TETRA_OK;
  }
  tt_cpchange *c = tetra_alloc(ns->alloc, (n + 2 * n_chinese + 1) * sizeof(tt_cpchange));
  if (!c) {
    tetra_free(ns->alloc, cps);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "BertNormalizer: out of memory");
  }
  /* 0.22: (' ', 0), (c, 1), (' ', 1): the first space replaces the character, so all three
   * are aligned to it. */
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (is_chinese_char(cps[i])) {
      c[k++] = (tt_cpchange){' ', 0};
      c[k++] = (tt_cpchange){cps[i], 1};
      c[k++] = (tt_cpchange){' ', 1};
    } else {
      c[k++] = (tt_cpchange){cps[i], 0};
    }
  }
  st = tt_nstr_transform(ns, c, k, 0, err);
  tetra_free(ns->alloc, c);
  tetra_free(ns->alloc, cps);
  return st;
}

/* The whole BertNormalizer on ASCII text (most input), in one pass, when the transforms cover the
 * whole string: each step then removes characters or rewrites them one for one into ASCII, which
 * leaves every kept byte with its own alignment (see tt_nstr_transform_is_whole). No CJK, accents
 * or marks are possible, and NFD leaves ASCII as it is. */
static int bert_ascii(const tt_normalizer *n, tt_nstr *ns) {
  if (!tt_nstr_transform_is_whole(ns) || !tt_nstr_is_ascii(ns)) return 0;
  uint32_t o = 0;
  for (uint32_t i = 0; i < ns->len; i++) {
    char ch = ns->text[i];
    if (n->clean_text) {
      /* bert_keep: NUL and control characters (category Cc) other than \t \n \r go */
      if (ch == 0x7F || ((unsigned char)ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r'))
        continue;
      if (ch == '\t' || ch == '\n' || ch == '\r') ch = ' '; /* bert_space */
    }
    if (n->lowercase && ch >= 'A' && ch <= 'Z') ch = (char)(ch + ('a' - 'A'));
    ns->text[o] = ch;
    ns->align[o++] = ns->align[i];
  }
  ns->text[o] = 0;
  ns->len = o;
  return 1;
}

tetra_status tt_norm_bert(const tt_normalizer *n, tt_nstr *ns, tetra_error *err) {
  if (bert_ascii(n, ns)) return TETRA_OK;
  tetra_status st = TETRA_OK;
  if (n->clean_text) {
    st = tt_nstr_filter(ns, bert_keep, NULL, err);
    if (!st) st = tt_nstr_map(ns, bert_space, NULL, err);
  }
  if (!st && n->handle_chinese_chars) st = handle_chinese_chars(ns, err);
  if (!st && n->strip_accents) {
    st = tt_norm_unicode(TT_NFD, ns, err);
    if (!st) st = tt_nstr_filter(ns, bert_keep_nonmark, NULL, err);
  }
  if (!st && n->lowercase) st = tt_nstr_lowercase(ns, err);
  return st;
}

/* ---- NFC, NFD, NFKC, NFKD -------------------------------------------------------------------- */
tetra_status tt_norm_unicode(tt_nf form, tt_nstr *ns, tetra_error *err) {
  if (ns->len == 0) return TETRA_OK;
  /* ASCII is invariant under all four forms, and rebuilding it would be the identity. */
  if (tt_nstr_transform_is_whole(ns) && tt_nstr_is_ascii(ns)) return TETRA_OK;
  uint32_t *cps;
  size_t n;
  tetra_status st = tt_nstr_codepoints(ns, &cps, &n, err);
  if (st) return st;
  tt_cpchange *c = NULL;
  size_t nc = 0;
  st = tt_uc_normalize(form, cps, n, ns->alloc, &c, &nc, err);
  if (!st) st = tt_nstr_transform(ns, c, nc, 0, err);
  tetra_free(ns->alloc, c);
  tetra_free(ns->alloc, cps);
  return st;
}

/* ---- StripAccents ---------------------------------------------------------------------------- */
/* unicode-normalization-alignments' is_combining_mark: general category M*, Unicode 9.0 data. */
static int keep_noncombining(uint32_t cp, void *ctx) {
  (void)ctx;
  if (!tt_uc_is_mark(cp)) return 1;
  unsigned age = newer_mark_age(cp);
  return age > 90;
}

tetra_status tt_norm_strip_accents(tt_nstr *ns, tetra_error *err) {
  return tt_nstr_filter(ns, keep_noncombining, NULL, err);
}

/* ---- Nmt ------------------------------------------------------------------------------------ */
static int nmt_keep(uint32_t cp, void *ctx) {
  (void)ctx;
  return !((cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || cp == 0x7F ||
           cp == 0x8F || cp == 0x9F);
}

static uint32_t nmt_space(uint32_t cp, void *ctx) {
  (void)ctx;
  switch (cp) {
    case 0x9: case 0xA: case 0xC: case 0xD: case 0x1680: case 0x2028: case 0x2029:
    case 0x2581: case 0xFEFF: case 0xFFFD:
      return ' ';
    default:
      return cp >= 0x200B && cp <= 0x200F ? ' ' : cp;
  }
}

tetra_status tt_norm_nmt(tt_nstr *ns, tetra_error *err) {
  tetra_status st = tt_nstr_filter(ns, nmt_keep, NULL, err);
  if (!st) st = tt_nstr_map(ns, nmt_space, NULL, err);
  return st;
}

/* ---- ByteLevel ------------------------------------------------------------------------------- */
/* GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others for 256 + k. */
static uint32_t byte_char(unsigned char b) {
  if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) return b;
  unsigned k;
  if (b <= 32) {
    k = b; /* 0..32 */
  } else if (b <= 160) {
    k = 33 + (b - 127); /* 127..160 -> 33..66 */
  } else {
    k = 67; /* 173 */
  }
  return 256 + k;
}

tetra_status tt_norm_byte_level(tt_nstr *ns, tetra_error *err) {
  if (ns->len == 0) return TETRA_OK;
  tt_cpchange *c = tetra_alloc(ns->alloc, ns->len * sizeof(tt_cpchange));
  if (!c) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "ByteLevel: out of memory");
  /* Each byte becomes a char; the bytes after a character's first are insertions. */
  for (uint32_t i = 0; i < ns->len; i++) {
    unsigned char b = (unsigned char)ns->text[i];
    c[i].cp = byte_char(b);
    c[i].change = (b & 0xC0) == 0x80;
  }
  tetra_status st = tt_nstr_transform(ns, c, ns->len, 0, err);
  tetra_free(ns->alloc, c);
  return st;
}

/* ---- Replace --------------------------------------------------------------------------------- */
tetra_status tt_norm_replace(const tt_normalizer *n, tt_nstr *ns, tetra_error *err) {
  tt_matches m = {0};
  tetra_status st;
  if (n->regex) {
    st = tt_regex_find_all(n->regex, ns->text, ns->len, ns->alloc, &m, err);
  } else {
    st = tt_find_literal(ns->text, ns->len, n->str, n->str_len, ns->alloc, &m, err);
  }
  if (!st) st = tt_nstr_replace(ns, &m, n->content, n->content_len, err);
  tt_matches_free(&m, ns->alloc);
  return st;
}
