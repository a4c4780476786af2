/* Normalizers from their tokenizer.json objects (HF tokenizers' serde spelling, with HF's
 * defaults for missing fields), and applying them. The transformations are in normalizer_ops.c. */
#include <stdio.h>
#include <string.h>

#include "text/json_fields.h"
#include "text/normalizers_internal.h"
#include "text/precompiled.h"

#define PFX "tokenizer.json: "

/* A required string field, copied (NUL-terminated). */
static tetra_status get_string(const tetra_json *j, const char *path, const char *field,
                               const tetra_allocator *a, char **out, size_t *len,
                               tetra_error *err) {
  const char *v;
  size_t n;
  tetra_status st = tt_json_req_string(j, path, field, &v, &n, err);
  if (st) return st;
  char *s = tetra_alloc(a, n + 1);
  if (!s) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, PFX "%s.%s: out of memory", path, field);
  memcpy(s, v, n);
  s[n] = 0;
  *out = s;
  *len = n;
  return TETRA_OK;
}

/* Replace's pattern: {"String": s} or {"Regex": r}. */
static tetra_status parse_replace(const tetra_json *j, const char *path, tt_normalizer *n,
                                  tetra_error *err) {
  const tetra_json *p = tetra_json_get(j, "pattern");
  if (!p) return tetra_error_set(err, TETRA_ERR_FORMAT, PFX "%s.pattern: missing", path);
  if (p->type != TETRA_JSON_OBJECT || p->len != 1) {
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           PFX "%s.pattern: expected {\"String\": ...} or {\"Regex\": ...}", path);
  }
  const char *kind = p->u.items[0].u.string;
  int is_regex = strcmp(kind, "Regex") == 0;
  if (!is_regex && strcmp(kind, "String") != 0) {
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           PFX "%s.pattern: unknown pattern kind \"%s\" (String or Regex)", path,
                           kind);
  }
  char sub[256];
  snprintf(sub, sizeof sub, "%s.pattern", path);
  tetra_status st = get_string(p, sub, kind, n->alloc, &n->str, &n->str_len, err);
  if (st) return st;
  st = get_string(j, path, "content", n->alloc, &n->content, &n->content_len, err);
  if (st) return st;
  if (is_regex) {
    st = tt_regex_compile(n->str, n->str_len, n->alloc, &n->regex, err);
    if (st) tetra_error_prefix(err, PFX "%s.pattern.Regex", path);
  }
  return st;
}

static tetra_status parse_sequence(const tetra_json *j, const char *path, tt_normalizer *n,
                                   tetra_error *err) {
  const tetra_json *arr = tetra_json_get(j, "normalizers");
  if (!arr) return tetra_error_set(err, TETRA_ERR_FORMAT, PFX "%s.normalizers: missing", path);
  if (arr->type != TETRA_JSON_ARRAY) {
    return tetra_error_set(err, TETRA_ERR_FORMAT, PFX "%s.normalizers: expected an array, got %s",
                           path, tt_json_type_of(arr));
  }
  n->children = tetra_alloc(n->alloc, (arr->len ? arr->len : 1) * sizeof(tt_normalizer *));
  if (!n->children) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, PFX "%s: out of memory", path);
  for (uint32_t i = 0; i < arr->len; i++) {
    char sub[256];
    snprintf(sub, sizeof sub, "%s.normalizers[%u]", path, i);
    const tetra_json *item = &arr->u.items[i];
    if (item->type == TETRA_JSON_NULL) {
      return tetra_error_set(err, TETRA_ERR_FORMAT, PFX "%s: expected a normalizer, got null", sub);
    }
    tetra_status st = tt_normalizer_from_json(item, sub, n->alloc, &n->children[i], err);
    if (st) return st;
    n->n_children = i + 1;
  }
  return TETRA_OK;
}

static tetra_status parse_precompiled(const tetra_json *j, const char *path, tt_normalizer *n,
                                      tetra_error *err) {
  const tetra_json *v = tetra_json_get(j, "precompiled_charsmap");
  /* An absent or empty charsmap normalizes nothing. */
  if (!v || v->type == TETRA_JSON_NULL || (v->type == TETRA_JSON_STRING && v->len == 0)) {
    return TETRA_OK;
  }
  if (v->type != TETRA_JSON_STRING) {
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           PFX "%s.precompiled_charsmap: expected a base64 string, got %s", path,
                           tt_json_type_of(v));
  }
  tt_precompiled *pc = NULL;
  /* (its errors name "tokenizer.json: <path>.precompiled_charsmap") */
  tetra_status st = tt_precompiled_from_base64(v->u.string, v->len, path, n->alloc, &pc, err);
  if (st) return st;
  n->precompiled = pc;
  return TETRA_OK;
}

static const struct {
  const char *name;
  tt_norm_kind kind;
} KINDS[] = {
    {"BertNormalizer", TT_NORM_BERT}, {"NFC", TT_NORM_NFC},
    {"NFD", TT_NORM_NFD},             {"NFKC", TT_NORM_NFKC},
    {"NFKD", TT_NORM_NFKD},           {"Lowercase", TT_NORM_LOWERCASE},
    {"Strip", TT_NORM_STRIP},         {"StripAccents", TT_NORM_STRIP_ACCENTS},
    {"Replace", TT_NORM_REPLACE},     {"Prepend", TT_NORM_PREPEND},
    {"Precompiled", TT_NORM_PRECOMPILED}, {"Nmt", TT_NORM_NMT},
    {"ByteLevel", TT_NORM_BYTE_LEVEL}, {"Sequence", TT_NORM_SEQUENCE},
};

tetra_status tt_normalizer_from_json(const tetra_json *j, const char *path, const tetra_allocator *a,
                                     tt_normalizer **out, tetra_error *err) {
  if (!j || !path || !out) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "tt_normalizer_from_json: NULL argument");
  }
  if (j->type != TETRA_JSON_OBJECT) {
    return tetra_error_set(err, TETRA_ERR_FORMAT, PFX "%s: expected a normalizer object, got %s",
                           path, tt_json_type_of(j));
  }
  const tetra_json *type = tetra_json_get(j, "type");
  if (!type) return tetra_error_set(err, TETRA_ERR_FORMAT, PFX "%s.type: missing", path);
  if (type->type != TETRA_JSON_STRING) {
    return tetra_error_set(err, TETRA_ERR_FORMAT, PFX "%s.type: expected a string, got %s", path,
                           tt_json_type_of(type));
  }
  size_t k = 0, n_kinds = sizeof KINDS / sizeof KINDS[0];
  while (k < n_kinds && strcmp(KINDS[k].name, type->u.string) != 0) k++;
  if (k == n_kinds) {
    return tetra_error_set(err, TETRA_ERR_UNSUPPORTED, PFX "%s: unsupported normalizer type \"%s\"",
                           path, type->u.string);
  }
  tt_normalizer *n = tetra_alloc(a, sizeof *n);
  if (!n) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, PFX "%s: out of memory", path);
  memset(n, 0, sizeof *n);
  n->kind = KINDS[k].kind;
  n->alloc = a;
  tetra_status st = TETRA_OK;
  switch (n->kind) {
    case TT_NORM_BERT: {
      /* strip_accents: null (or absent) means "as lowercase" */
      int strip = -1;
      st = tt_json_opt_bool(j, path, "clean_text", 1, &n->clean_text, err);
      if (!st) st = tt_json_opt_bool(j, path, "handle_chinese_chars", 1, &n->handle_chinese_chars, err);
      if (!st) st = tt_json_opt_bool(j, path, "lowercase", 1, &n->lowercase, err);
      if (!st) st = tt_json_opt_bool(j, path, "strip_accents", -1, &strip, err);
      n->strip_accents = strip < 0 ? n->lowercase : strip;
      break;
    }
    case TT_NORM_STRIP:
      st = tt_json_opt_bool(j, path, "strip_left", 1, &n->strip_left, err);
      if (!st) st = tt_json_opt_bool(j, path, "strip_right", 1, &n->strip_right, err);
      break;
    case TT_NORM_REPLACE:
      st = parse_replace(j, path, n, err);
      break;
    case TT_NORM_PREPEND:
      st = get_string(j, path, "prepend", a, &n->str, &n->str_len, err);
      break;
    case TT_NORM_PRECOMPILED:
      st = parse_precompiled(j, path, n, err);
      break;
    case TT_NORM_SEQUENCE:
      st = parse_sequence(j, path, n, err);
      break;
    default:
      break;
  }
  if (st) {
    tt_normalizer_free(n);
    return st;
  }
  *out = n;
  return TETRA_OK;
}

void tt_normalizer_free(tt_normalizer *n) {
  if (!n) return;
  for (size_t i = 0; i < n->n_children; i++) tt_normalizer_free(n->children[i]);
  tetra_free(n->alloc, n->children);
  tetra_free(n->alloc, n->str);
  tetra_free(n->alloc, n->content);
  tt_regex_free(n->regex);
  tt_precompiled_free(n->precompiled);
  tetra_free(n->alloc, n);
}

tetra_status tt_normalizer_apply(const tt_normalizer *n, tt_nstr *ns, tetra_error *err) {
  switch (n->kind) {
    case TT_NORM_BERT: return tt_norm_bert(n, ns, err);
    case TT_NORM_NFC: return tt_norm_unicode(TT_NFC, ns, err);
    case TT_NORM_NFD: return tt_norm_unicode(TT_NFD, ns, err);
    case TT_NORM_NFKC: return tt_norm_unicode(TT_NFKC, ns, err);
    case TT_NORM_NFKD: return tt_norm_unicode(TT_NFKD, ns, err);
    case TT_NORM_LOWERCASE: return tt_nstr_lowercase(ns, err);
    case TT_NORM_STRIP: return tt_nstr_strip(ns, n->strip_left, n->strip_right, err);
    case TT_NORM_STRIP_ACCENTS: return tt_norm_strip_accents(ns, err);
    case TT_NORM_REPLACE: return tt_norm_replace(n, ns, err);
    case TT_NORM_PREPEND: return tt_nstr_prepend(ns, n->str, n->str_len, err);
    case TT_NORM_PRECOMPILED:
      if (n->precompiled) return tt_precompiled_apply(n->precompiled, ns, err);
      return TETRA_OK;
    case TT_NORM_NMT: return tt_norm_nmt(ns, err);
    case TT_NORM_BYTE_LEVEL: return tt_norm_byte_level(ns, err);
    case TT_NORM_SEQUENCE:
      for (size_t i = 0; i < n->n_children; i++) {
        tetra_status st = tt_normalizer_apply(n->children[i], ns, err);
        if (st) return st;
      }
      return TETRA_OK;
  }
  return TETRA_OK;
}
