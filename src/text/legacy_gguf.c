/* GGUF (v2, v3) vocabulary metadata: the tokenizer.ggml.* key-values that llama.cpp writes, turned
 * into the tokenizer.json of the Hugging Face tokenizer they were converted from:
 *   "llama" -> SentencePiece BPE with byte fallback (LlamaConverter; merges derived from scores),
 *   "gpt2"  -> byte-level BPE (tokenizer.ggml.pre picks the split regex: GPT-2, Llama 3, Qwen2),
 *   "bert"  -> WordPiece (llama.cpp spells word-initial pieces "▁x" and continuations "x"; mapped
 *              back to "x" and "##x").
 * Only the header and the key-value section are read; tensor data is ignored. Every read is bounds-
 * checked; errors name the key and the byte offset. */
#include <stdio.h>
#include <string.h>

#include "tetra/text.h"
#include "text/legacy.h"

enum {
  G_U8 = 0, G_I8 = 1, G_U16 = 2, G_I16 = 3, G_U32 = 4, G_I32 = 5, G_F32 = 6, G_BOOL = 7,
  G_STRING = 8, G_ARRAY = 9, G_U64 = 10, G_I64 = 11, G_F64 = 12
};
#define G_MAX_DEPTH 8

typedef struct gguf_reader {
  const unsigned char *p;
  size_t len;
  tetra_error *err;
} gguf_reader;

static uint64_t rd_le(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
  return v;
}

static size_t scalar_size(uint32_t type) {
  switch (type) {
  case G_U8: case G_I8: case G_BOOL: return 1;
  case G_U16: case G_I16: return 2;
  case G_U32: case G_I32: case G_F32: return 4;
  case G_U64: case G_I64: case G_F64: return 8;
  default: return 0;
  }
}

static const char *type_name(uint32_t type) {
  static const char *const names[] = {"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
                                      "bool", "string", "array", "uint64", "int64", "float64"};
  return type < 13 ? names[type] : "unknown type";
}

/* A GGUF string at *off: uint64 length, bytes. */
static tetra_status read_string(gguf_reader *r, size_t *off, const char **s, size_t *n,
                                const char *what) {
  if (r->len - *off < 8)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: %s at byte %zu: truncated string length",
                           what, *off);
  uint64_t l = rd_le(r->p + *off, 8);
  if (l > r->len - *off - 8)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT,
                           "GGUF: %s at byte %zu: string length %llu runs past the end of the file",
                           what, *off, (unsigned long long)l);
  *s = (const char *)r->p + *off + 8;
  *n = (size_t)l;
  *off += 8 + (size_t)l;
  return TETRA_OK;
}

static tetra_status skip_value(gguf_reader *r, size_t *off, uint32_t type, int depth,
                               const char *key) {
  size_t sz = scalar_size(type);
  if (sz) {
    if (r->len - *off < sz)
      return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" at byte %zu: truncated %s",
                             key, *off, type_name(type));
    *off += sz;
    return TETRA_OK;
  }
  if (type == G_STRING) {
    const char *s;
    size_t n;
    return read_string(r, off, &s, &n, "string value");
  }
  if (type != G_ARRAY)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" at byte %zu: unknown value type %u",
                           key, *off, (unsigned)type);
  if (depth >= G_MAX_DEPTH)
    return tetra_error_set(r->err, TETRA_ERR_LIMIT, "GGUF: key \"%s\" at byte %zu: arrays nested too deeply",
                           key, *off);
  if (r->len - *off < 12)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" at byte %zu: truncated array header",
                           key, *off);
  uint32_t et = (uint32_t)rd_le(r->p + *off, 4);
  uint64_t count = rd_le(r->p + *off + 4, 8);
  size_t start = *off;
  *off += 12;
  size_t esz = scalar_size(et);
  if (esz) {
    if (count > (r->len - *off) / esz)
      return tetra_error_set(r->err, TETRA_ERR_FORMAT,
                             "GGUF: key \"%s\" at byte %zu: %llu %s items run past the end of the file",
                             key, start, (unsigned long long)count, type_name(et));
    *off += (size_t)count * esz;
    return TETRA_OK;
  }
  /* Strings and arrays take at least 8 bytes each: bound the count before looping. */
  if (count > (r->len - *off) / 8)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT,
                           "GGUF: key \"%s\" at byte %zu: %llu %s items run past the end of the file",
                           key, start, (unsigned long long)count, type_name(et));
  for (uint64_t i = 0; i < count; i++) {
    tetra_status st = skip_value(r, off, et, depth + 1, key);
    if (st != TETRA_OK) return st;
  }
  return TETRA_OK;
}

/* The keys we use: where their value starts and its type. */
enum {
  K_MODEL, K_PRE, K_TOKENS, K_SCORES, K_TYPES, K_MERGES, K_BOS, K_EOS, K_UNK, K_SEP, K_SEP2, K_PAD,
  K_CLS, K_MASK, K_ADD_BOS, K_ADD_EOS, K_COUNT
};
static const char *const key_names[K_COUNT] = {
    "tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.scores",
    "tokenizer.ggml.token_type", "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id",
    "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id",
    "tokenizer.ggml.seperator_token_id", /* llama.cpp's spelling */
    "tokenizer.ggml.separator_token_id", "tokenizer.ggml.padding_token_id",
    "tokenizer.ggml.cls_token_id", "tokenizer.ggml.mask_token_id", "tokenizer.ggml.add_bos_token",
    "tokenizer.ggml.add_eos_token"};

typedef struct gguf_keys {
  int present[K_COUNT];
  uint32_t type[K_COUNT];
  size_t off[K_COUNT]; /* value start */
} gguf_keys;

static tetra_status read_keys(gguf_reader *r, gguf_keys *k) {
  memset(k, 0, sizeof(*k));
  if (r->len < 24)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: %zu bytes is too short for the header", r->len);
  if (memcmp(r->p, "GGUF", 4) != 0)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: bad magic at byte 0 (expected \"GGUF\")");
  uint32_t version = (uint32_t)rd_le(r->p + 4, 4);
  if (version == 1)
    return tetra_error_set(r->err, TETRA_ERR_UNSUPPORTED,
                           "GGUF: version 1 (32-bit lengths) is not supported; re-convert to v3");
  if (version != 2 && version != 3) {
    if (version == 0x02000000u || version == 0x03000000u)
      return tetra_error_set(r->err, TETRA_ERR_UNSUPPORTED, "GGUF: big-endian files are not supported");
    return tetra_error_set(r->err, TETRA_ERR_UNSUPPORTED, "GGUF: version %u at byte 4 is not 2 or 3",
                           (unsigned)version);
  }
  uint64_t n_kv = rd_le(r->p + 16, 8);
  /* A key-value takes at least 13 bytes (key length, type, one byte of value). */
  if (n_kv > (r->len - 24) / 13)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT,
                           "GGUF: %llu metadata key-values (byte 16) cannot fit in %zu bytes",
                           (unsigned long long)n_kv, r->len);
  size_t off = 24;
  for (uint64_t i = 0; i < n_kv; i++) {
    const char *key;
    size_t key_len;
    size_t key_off = off;
    tetra_status st = read_string(r, &off, &key, &key_len, "metadata key");
    if (st != TETRA_OK) return st;
    if (r->len - off < 4)
      return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key at byte %zu: truncated value type",
                             key_off);
    uint32_t type = (uint32_t)rd_le(r->p + off, 4);
    off += 4;
    int which = -1;
    for (int j = 0; j < K_COUNT; j++)
      if (strlen(key_names[j]) == key_len && memcmp(key_names[j], key, key_len) == 0) which = j;
    if (which >= 0) {
      if (k->present[which])
        return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" at byte %zu appears twice",
                               key_names[which], key_off);
      k->present[which] = 1;
      k->type[which] = type;
      k->off[which] = off;
    }
    char shown[80];
    size_t sl = key_len < sizeof shown - 1 ? key_len : sizeof shown - 1;
    memcpy(shown, key, sl);
    shown[sl] = '\0';
    for (size_t c = 0; c < sl; c++)
      if ((unsigned char)shown[c] < 0x20 || (unsigned char)shown[c] >= 0x7f) shown[c] = '?';
    if ((st = skip_value(r, &off, type, 0, shown)) != TETRA_OK) return st;
  }
  if (k->present[K_SEP2] && !k->present[K_SEP]) {
    k->present[K_SEP] = 1;
    k->type[K_SEP] = k->type[K_SEP2];
    k->off[K_SEP] = k->off[K_SEP2];
  }
  return TETRA_OK;
}

static tetra_status get_string(gguf_reader *r, const gguf_keys *k, int which, const char **s,
                               size_t *n) {
  if (k->type[which] != G_STRING)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" at byte %zu: expected a string, found %s",
                           key_names[which], k->off[which], type_name(k->type[which]));
  size_t off = k->off[which];
  return read_string(r, &off, s, n, key_names[which]);
}

/* An integer id key, or TT_LNONE when absent (negative ids, which llama.cpp writes as -1 for "none"
 * in some converters, also mean absent). */
static tetra_status get_id(gguf_reader *r, const gguf_keys *k, int which, uint32_t *id) {
  *id = TT_LNONE;
  if (!k->present[which]) return TETRA_OK;
  uint32_t t = k->type[which];
  const unsigned char *p = r->p + k->off[which];
  int64_t v;
  switch (t) {
  case G_U8: v = p[0]; break;
  case G_I8: v = (int8_t)p[0]; break;
  case G_U16: v = (int64_t)rd_le(p, 2); break;
  case G_I16: v = (int16_t)rd_le(p, 2); break;
  case G_U32: v = (int64_t)rd_le(p, 4); break;
  case G_I32: v = (int32_t)rd_le(p, 4); break;
  case G_U64: {
    uint64_t u = rd_le(p, 8);
    v = u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u;
    break;
  }
  case G_I64: v = (int64_t)rd_le(p, 8); break;
  default:
    return tetra_error_set(r->err, TETRA_ERR_FORMAT,
                           "GGUF: key \"%s\" at byte %zu: expected an integer token id, found %s",
                           key_names[which], k->off[which], type_name(t));
  }
  if (v >= 0 && v < (int64_t)TT_LNONE) *id = (uint32_t)v;
  return TETRA_OK;
}

static tetra_status get_bool(gguf_reader *r, const gguf_keys *k, int which, int dflt, int *out) {
  *out = dflt;
  if (!k->present[which]) return TETRA_OK;
  if (k->type[which] != G_BOOL)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" at byte %zu: expected a bool, found %s",
                           key_names[which], k->off[which], type_name(k->type[which]));
  *out = r->p[k->off[which]] != 0;
  return TETRA_OK;
}

/* An array key's element type, count and first element offset. */
static tetra_status get_array(gguf_reader *r, const gguf_keys *k, int which, uint32_t *et,
                              uint64_t *count, size_t *first) {
  if (k->type[which] != G_ARRAY)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" at byte %zu: expected an array, found %s",
                           key_names[which], k->off[which], type_name(k->type[which]));
  size_t off = k->off[which];
  *et = (uint32_t)rd_le(r->p + off, 4); /* bounds were checked by skip_value */
  *count = rd_le(r->p + off + 4, 8);
  *first = off + 12;
  return TETRA_OK;
}

/* Reads an array of strings (tokens, merges) as pointers into the file, UTF-8 checked. */
static tetra_status get_strings(gguf_reader *r, const gguf_keys *k, int which,
                                const tetra_allocator *a, const char ***s, uint32_t **lens,
                                size_t *n) {
  uint32_t et;
  uint64_t count;
  size_t off;
  tetra_status st = get_array(r, k, which, &et, &count, &off);
  if (st != TETRA_OK) return st;
  if (et != G_STRING)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" at byte %zu: expected strings, found %s",
                           key_names[which], k->off[which], type_name(et));
  if (count >= TT_LNONE)
    return tetra_error_set(r->err, TETRA_ERR_LIMIT, "GGUF: key \"%s\": too many items", key_names[which]);
  *s = (const char **)tetra_alloc(a, (size_t)(count ? count : 1) * sizeof(char *));
  *lens = (uint32_t *)tetra_alloc(a, (size_t)(count ? count : 1) * sizeof(uint32_t));
  if (!*s || !*lens)
    return tetra_error_set(r->err, TETRA_ERR_OUT_OF_MEMORY, "GGUF: out of memory reading \"%s\"",
                           key_names[which]);
  for (uint64_t i = 0; i < count; i++) {
    size_t at = off, len;
    char what[96];
    snprintf(what, sizeof what, "key \"%s\"[%llu]", key_names[which], (unsigned long long)i);
    if ((st = read_string(r, &off, &(*s)[i], &len, what)) != TETRA_OK) return st;
    if (len > UINT32_MAX / 2)
      return tetra_error_set(r->err, TETRA_ERR_LIMIT, "GGUF: %s at byte %zu: string too long", what, at);
    size_t bad = tt_legacy_utf8_check((*s)[i], len);
    if (bad != len)
      return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: %s at byte %zu: invalid UTF-8", what,
                             at + 8 + bad);
    (*lens)[i] = (uint32_t)len;
  }
  *n = (size_t)count;
  return TETRA_OK;
}

/* A numeric array of exactly n items (scores as float32, token types as integers). */
static tetra_status get_numbers(gguf_reader *r, const gguf_keys *k, int which, size_t n,
                                float *as_float, uint8_t *as_kind) {
  uint32_t et;
  uint64_t count;
  size_t off;
  tetra_status st = get_array(r, k, which, &et, &count, &off);
  if (st != TETRA_OK) return st;
  if (count != n)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT,
                           "GGUF: key \"%s\" at byte %zu: %llu items for %zu tokens", key_names[which],
                           k->off[which], (unsigned long long)count, n);
  size_t esz = scalar_size(et);
  int ok = as_float ? (et == G_F32 || et == G_F64) : (esz && et != G_F32 && et != G_F64 && et != G_BOOL);
  if (!ok)
    return tetra_error_set(r->err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" at byte %zu: unexpected item type %s",
                           key_names[which], k->off[which], type_name(et));
  for (size_t i = 0; i < n; i++) {
    const unsigned char *p = r->p + off + i * esz;
    if (as_float) {
      if (et == G_F32) {
        uint32_t u = (uint32_t)rd_le(p, 4);
        memcpy(&as_float[i], &u, 4);
      } else {
        uint64_t u = rd_le(p, 8);
        double d;
        memcpy(&d, &u, 8);
        as_float[i] = (float)d;
      }
    } else {
      uint64_t t = rd_le(p, (int)esz);
      /* llama.cpp token types: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte. */
      as_kind[i] = t == 2 || t == 3 ? TT_LTOK_SPECIAL : t == 4 ? TT_LTOK_USER : TT_LTOK_NORMAL;
    }
  }
  return TETRA_OK;
}

static int str_is(const char *s, size_t n, const char *lit) {
  return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* tokenizer.ggml.pre -> the split regex of the tokenizer.json it came from (NULL: GPT-2's own). */
static const char llama3_regex[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char qwen2_regex[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

tetra_status tt_legacy_gguf_json(const void *gguf, size_t len, const tetra_allocator *a, char **json,
                                 size_t *json_len, tetra_error *err) {
  gguf_reader r = {(const unsigned char *)gguf, len, err};
  if (!gguf && len) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "GGUF: NULL data");
  gguf_keys k;
  tetra_status st = read_keys(&r, &k);
  if (st != TETRA_OK) return st;
  if (!k.present[K_MODEL] || !k.present[K_TOKENS])
    return tetra_error_set(err, TETRA_ERR_FORMAT, "GGUF: no tokenizer (key \"%s\" missing)",
                           key_names[k.present[K_MODEL] ? K_TOKENS : K_MODEL]);
  const char *model, *pre = "default";
  size_t model_len, pre_len = 7;
  if ((st = get_string(&r, &k, K_MODEL, &model, &model_len)) != TETRA_OK) return st;
  if (k.present[K_PRE] && (st = get_string(&r, &k, K_PRE, &pre, &pre_len)) != TETRA_OK) return st;

  tt_lvocab v = {0};
  const char **mstr = NULL;
  uint32_t *mlen = NULL;
  tt_lmerge *merges = NULL;
  char *bert_text = NULL;
  size_t n_merges = 0;
  tt_jbuf b;
  tt_jbuf_init(&b, a);
  if ((st = get_strings(&r, &k, K_TOKENS, a, &v.text, &v.len, &v.n)) != TETRA_OK) goto done;
  if (v.n == 0) {
    st = tetra_error_set(err, TETRA_ERR_FORMAT, "GGUF: key \"%s\" is empty", key_names[K_TOKENS]);
    goto done;
  }
  v.kind = (uint8_t *)tetra_alloc(a, v.n);
  if (!v.kind) {
    st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "GGUF: out of memory");
    goto done;
  }
  memset(v.kind, TT_LTOK_NORMAL, v.n);
  if (k.present[K_TYPES] && (st = get_numbers(&r, &k, K_TYPES, v.n, NULL, v.kind)) != TETRA_OK) goto done;

  uint32_t bos, eos, unk, sep, cls;
  if ((st = get_id(&r, &k, K_BOS, &bos)) != TETRA_OK || (st = get_id(&r, &k, K_EOS, &eos)) != TETRA_OK ||
      (st = get_id(&r, &k, K_UNK, &unk)) != TETRA_OK || (st = get_id(&r, &k, K_SEP, &sep)) != TETRA_OK ||
      (st = get_id(&r, &k, K_CLS, &cls)) != TETRA_OK)
    goto done;

  if (str_is(model, model_len, "llama")) {
    if (!k.present[K_SCORES]) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT, "GGUF: llama vocabulary without \"%s\"",
                           key_names[K_SCORES]);
      goto done;
    }
    v.score = (float *)tetra_alloc(a, v.n * sizeof(float));
    if (!v.score) {
      st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "GGUF: out of memory");
      goto done;
    }
    if ((st = get_numbers(&r, &k, K_SCORES, v.n, v.score, NULL)) != TETRA_OK) goto done;
    int add_bos, add_eos;
    if ((st = get_bool(&r, &k, K_ADD_BOS, 1, &add_bos)) != TETRA_OK ||
        (st = get_bool(&r, &k, K_ADD_EOS, 0, &add_eos)) != TETRA_OK)
      goto done;
    /* llama.cpp's defaults when the ids are absent. */
    if (!k.present[K_UNK] && v.n > 0) unk = 0;
    if (!k.present[K_BOS] && v.n > 1) bos = 1;
    if (!k.present[K_EOS] && v.n > 2) eos = 2;
    int byte_fallback = 0;
    for (size_t i = 0; i < v.n && !byte_fallback; i++)
      byte_fallback = v.len[i] == 6 && memcmp(v.text[i], "<0x", 3) == 0;
    tt_lspm o = {unk, bos, eos, add_bos, add_eos, byte_fallback};
    st = tt_legacy_spm_doc(&v, &o, "GGUF", &b, err);
  } else if (str_is(model, model_len, "gpt2")) {
    if (!k.present[K_MERGES]) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT, "GGUF: gpt2 vocabulary without \"%s\"",
                           key_names[K_MERGES]);
      goto done;
    }
    if ((st = get_strings(&r, &k, K_MERGES, a, &mstr, &mlen, &n_merges)) != TETRA_OK) goto done;
    merges = (tt_lmerge *)tetra_alloc(a, (n_merges ? n_merges : 1) * sizeof(tt_lmerge));
    if (!merges) {
      st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "GGUF: out of memory");
      goto done;
    }
    for (size_t i = 0; i < n_merges; i++) {
      /* "left right": split at the first space after the first byte, as llama.cpp does. */
      const char *s = mstr[i];
      uint32_t l = mlen[i], sp = 1;
      while (sp < l && s[sp] != ' ') sp++;
      if (l < 3 || sp >= l - 1) {
        st = tetra_error_set(err, TETRA_ERR_FORMAT,
                             "GGUF: key \"%s\"[%zu]: \"%.*s\" is not two tokens separated by a space",
                             key_names[K_MERGES], i, (int)(l > 100 ? 100 : l), s);
        goto done;
      }
      merges[i].left = s;
      merges[i].left_len = sp;
      merges[i].right = s + sp + 1;
      merges[i].right_len = l - sp - 1;
    }
    int add_bos;
    if ((st = get_bool(&r, &k, K_ADD_BOS, 0, &add_bos)) != TETRA_OK) goto done;
    tt_lbytelevel o = {merges, n_merges, NULL, 0, add_bos ? bos : TT_LNONE, 0};
    if (str_is(pre, pre_len, "default") || str_is(pre, pre_len, "gpt-2") || str_is(pre, pre_len, "gpt2")) {
      o.added_normalized = 1; /* GPT2TokenizerFast's tokenizer.json */
    } else if (str_is(pre, pre_len, "llama-bpe") || str_is(pre, pre_len, "llama3")) {
      o.split_regex = llama3_regex;
    } else if (str_is(pre, pre_len, "qwen2")) {
      o.split_regex = qwen2_regex;
      o.nfc = 1;
    } else {
      st = tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                           "GGUF: key \"%s\": pre-tokenizer \"%.*s\" is not supported (supported: "
                           "default, gpt-2, llama-bpe, qwen2)",
                           key_names[K_PRE], (int)(pre_len > 64 ? 64 : pre_len), pre);
      goto done;
    }
    st = tt_legacy_bytelevel_doc(&v, &o, "GGUF", &b, err);
  } else if (str_is(model, model_len, "bert")) {
    /* Undo llama.cpp's spelling: "▁x" -> "x", "[X]" stays, anything else was "##x". */
    size_t total = 0;
    for (size_t i = 0; i < v.n; i++) total += v.len[i] + 2;
    bert_text = (char *)tetra_alloc(a, total + 1);
    if (!bert_text) {
      st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "GGUF: out of memory");
      goto done;
    }
    size_t t = 0;
    for (size_t i = 0; i < v.n; i++) {
      const char *s = v.text[i];
      uint32_t l = v.len[i];
      char *d = bert_text + t;
      if (v.kind[i] != TT_LTOK_NORMAL || (l >= 2 && s[0] == '[' && s[l - 1] == ']')) {
        memcpy(d, s, l);
      } else if (l >= 3 && memcmp(s, "\xe2\x96\x81", 3) == 0) {
        l -= 3;
        memcpy(d, s + 3, l);
      } else {
        memcpy(d, "##", 2);
        memcpy(d + 2, s, l);
        l += 2;
      }
      v.text[i] = d;
      v.len[i] = l;
      t += l;
    }
    tt_lwordpiece o = {1, unk, cls, sep}; /* llama.cpp's WPM tokenizer always lowercases */
    st = tt_legacy_wordpiece_doc(&v, &o, "GGUF", &b, err);
  } else {
    st = tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                         "GGUF: key \"%s\": tokenizer model \"%.*s\" is not supported (llama, gpt2, bert)",
                         key_names[K_MODEL], (int)(model_len > 64 ? 64 : model_len), model);
  }
  if (st == TETRA_OK) {
    *json = b.data;
    *json_len = b.len;
    b.data = NULL;
  }
done:
  tt_jbuf_free(&b);
  tetra_free(a, bert_text);
  tetra_free(a, merges);
  tetra_free(a, (void *)mstr);
  tetra_free(a, mlen);
  tetra_free(a, (void *)v.text);
  tetra_free(a, v.len);
  tetra_free(a, v.score);
  tetra_free(a, v.kind);
  return st;
}

tetra_status tetra_tokenizer_from_gguf(const void *gguf, size_t len,
                                       const tetra_allocator *allocator, tetra_tokenizer **out,
                                       tetra_error *err) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "GGUF: out is NULL");
  *out = NULL;
  char *json = NULL;
  size_t json_len = 0;
  tetra_status st = tt_legacy_gguf_json(gguf, len, allocator, &json, &json_len, err);
  if (st != TETRA_OK) return st;
  st = tetra_tokenizer_from_json(json, json_len, allocator, out, err);
  if (st != TETRA_OK) tetra_error_prefix(err, "GGUF (as tokenizer.json)");
  tetra_free(allocator, json);
  return st;
}
