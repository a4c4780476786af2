/* Decoders (HF tokenizers/src/decoders/): each transforms the list of token strings (HF's
 * decode_chain) and the tokenizer joins the final list without separator. */
#include <stdio.h>
#include <string.h>

#include "text/json_fields.h"
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

typedef enum dec_type {
  DEC_WORDPIECE,
  DEC_BYTELEVEL,
  DEC_METASPACE,
  DEC_BYTEFALLBACK,
  DEC_FUSE,
  DEC_STRIP,
  DEC_REPLACE,
  DEC_BPE,
  DEC_CTC,
  DEC_SEQUENCE
} dec_type;

struct tt_decoder {
  dec_type type;
  char *s1; /* prefix, suffix, content (Strip/Replace), pad token */
  size_t s1_len;
  char *s2; /* Replace's content, CTC's word delimiter */
  size_t s2_len;
  uint32_t cp;        /* Metaspace replacement, Strip content */
  int flag;           /* WordPiece/CTC cleanup; Metaspace: prepend scheme is not "never" */
  uint32_t start, stop;
  tt_regex *re;       /* Replace with a Regex pattern */
  tt_decoder **children;
  uint32_t n_children;
};

#define PATH_MAX_LEN 256

static tetra_status fail(tetra_error *err, tetra_status code, const char *path, const char *what) {
  return tetra_error_set(err, code, "tokenizer.json: %s: %s", path, what);
}

void tt_decoder_free(const tetra_allocator *a, tt_decoder *d) {
  if (!d) return;
  tetra_free(a, d->s1);
  tetra_free(a, d->s2);
  tt_regex_free(d->re);
  for (uint32_t i = 0; i < d->n_children; i++) tt_decoder_free(a, d->children[i]);
  tetra_free(a, d->children);
  tetra_free(a, d);
}

static char *dup_str(const tetra_allocator *a, const char *s, size_t len) {
  char *c = tetra_alloc(a, len + 1);
  if (c) {
    memcpy(c, s, len);
    c[len] = 0;
  }
  return c;
}

/* A string field with a default; 0 when present with the wrong type or out of memory. */
static int str_field(const tetra_json *j, const char *key, const char *dflt, const tetra_allocator *a,
                     char **out, size_t *len) {
  const tetra_json *v = tetra_json_get(j, key);
  const char *s = dflt;
  size_t n = dflt ? strlen(dflt) : 0;
  if (v && v->type != TETRA_JSON_NULL) {
    if (v->type != TETRA_JSON_STRING) return 0;
    s = v->u.string;
    n = v->len;
  }
  if (!s) {
    *out = NULL;
    *len = 0;
    return 1;
  }
  *out = dup_str(a, s, n);
  *len = n;
  return *out != NULL;
}

tetra_status tt_decoder_from_json(const tetra_json *j, const char *path, const tetra_allocator *a,
                                  tt_decoder **out, tetra_error *err) {
  if (j->type != TETRA_JSON_OBJECT) return fail(err, TETRA_ERR_FORMAT, path, "should be an object");
  const tetra_json *type = tetra_json_get(j, "type");
  if (!type || type->type != TETRA_JSON_STRING)
    return fail(err, TETRA_ERR_FORMAT, path, "missing string field \"type\"");
  const char *t = type->u.string;
  tt_decoder *d = tetra_alloc(a, sizeof(tt_decoder));
  if (!d) return fail(err, TETRA_ERR_OUT_OF_MEMORY, path, "out of memory");
  memset(d, 0, sizeof *d);
  tetra_status st = TETRA_OK;
  const char *bad = NULL;
  if (!strcmp(t, "WordPiece")) {
    d->type = DEC_WORDPIECE;
    if (!str_field(j, "prefix", "##", a, &d->s1, &d->s1_len)) bad = "prefix should be a string";
    else if (!tt_jv_bool(tetra_json_get(j, "cleanup"), 1, &d->flag))
      bad = "cleanup should be a boolean";
  } else if (!strcmp(t, "ByteLevel")) {
    d->type = DEC_BYTELEVEL;
  } else if (!strcmp(t, "Metaspace")) {
    d->type = DEC_METASPACE;
    d->flag = 1;
    if (!tt_jv_char(tetra_json_get(j, "replacement"), 0x2581, &d->cp)) {
      bad = "replacement should be one character";
    } else {
      const tetra_json *ps = tetra_json_get(j, "prepend_scheme");
      const tetra_json *aps = tetra_json_get(j, "add_prefix_space");
      if (ps && ps->type == TETRA_JSON_STRING) {
        if (!strcmp(ps->u.string, "never")) d->flag = 0;
        else if (strcmp(ps->u.string, "always") && strcmp(ps->u.string, "first"))
          bad = "prepend_scheme should be \"always\", \"first\" or \"never\"";
      } else if (ps && ps->type != TETRA_JSON_NULL) {
        bad = "prepend_scheme should be a string";
      } else if (!tt_jv_bool(aps, 1, &d->flag)) {
        bad = "add_prefix_space should be a boolean";
      }
    }
  } else if (!strcmp(t, "ByteFallback")) {
    d->type = DEC_BYTEFALLBACK;
  } else if (!strcmp(t, "Fuse")) {
    d->type = DEC_FUSE;
  } else if (!strcmp(t, "Strip")) {
    d->type = DEC_STRIP;
    const tetra_json *start = tetra_json_get(j, "start"), *stop = tetra_json_get(j, "stop");
    if (!tt_jv_char(tetra_json_get(j, "content"), ' ', &d->cp))
      bad = "content should be one character";
    else if ((start && !tt_jv_u32(start, &d->start)) || (stop && !tt_jv_u32(stop, &d->stop)))
      bad = "start and stop should be unsigned integers";
  } else if (!strcmp(t, "Replace")) {
    d->type = DEC_REPLACE;
    const tetra_json *pat = tetra_json_get(j, "pattern");
    if (!str_field(j, "content", NULL, a, &d->s2, &d->s2_len) || !d->s2) {
      bad = "content should be a string";
    } else if (!pat || pat->type != TETRA_JSON_OBJECT || pat->len != 1 ||
               pat->u.items[1].type != TETRA_JSON_STRING) {
      bad = "pattern should be {\"String\": s} or {\"Regex\": r}";
    } else if (!strcmp(pat->u.items[0].u.string, "String")) {
      d->s1 = dup_str(a, pat->u.items[1].u.string, pat->u.items[1].len);
      d->s1_len = pat->u.items[1].len;
      if (!d->s1) bad = "out of memory";
    } else if (!strcmp(pat->u.items[0].u.string, "Regex")) {
      st = tt_regex_compile(pat->u.items[1].u.string, pat->u.items[1].len, a, &d->re, err);
      if (st) tetra_error_prefix(err, "tokenizer.json: %s.pattern.Regex", path);
    } else {
      bad = "pattern should be {\"String\": s} or {\"Regex\": r}";
    }
  } else if (!strcmp(t, "BPEDecoder")) {
    d->type = DEC_BPE;
    if (!str_field(j, "suffix", "</w>", a, &d->s1, &d->s1_len)) bad = "suffix should be a string";
  } else if (!strcmp(t, "CTC")) {
    d->type = DEC_CTC;
    if (!str_field(j, "pad_token", "<pad>", a, &d->s1, &d->s1_len))
      bad = "pad_token should be a string";
    else if (!str_field(j, "word_delimiter_token", "|", a, &d->s2, &d->s2_len))
      bad = "word_delimiter_token should be a string";
    else if (!tt_jv_bool(tetra_json_get(j, "cleanup"), 1, &d->flag))
      bad = "cleanup should be a boolean";
  } else if (!strcmp(t, "Sequence")) {
    d->type = DEC_SEQUENCE;
    const tetra_json *list = tetra_json_get(j, "decoders");
    if (!list || list->type != TETRA_JSON_ARRAY) {
      bad = "field \"decoders\" should be an array";
    } else {
      d->children = tetra_alloc(a, (list->len ? list->len : 1) * sizeof(tt_decoder *));
      if (!d->children) bad = "out of memory";
      for (uint32_t i = 0; !bad && i < list->len; i++) {
        char p[PATH_MAX_LEN];
        snprintf(p, sizeof p, "%.150s.decoders[%u]", path, i);
        st = tt_decoder_from_json(&list->u.items[i], p, a, &d->children[i], err);
        if (st) break;
        d->n_children = i + 1;
      }
    }
  } else {
    char what[160];
    snprintf(what, sizeof what, "unsupported decoder type \"%.100s\"", t);
    tt_decoder_free(a, d);
    return fail(err, TETRA_ERR_UNSUPPORTED, path, what);
  }
  if (bad) st = fail(err, TETRA_ERR_FORMAT, path, bad);
  if (st) {
    tt_decoder_free(a, d);
    return st;
  }
  *out = d;
  return TETRA_OK;
}

/* ---- string lists ----------------------------------------------------------------------------- */

static tetra_status oom(tetra_error *err) {
  return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "decode: out of memory");
}

static tetra_status grow_buf(tt_scratch *s, tt_strlist *l, size_t extra, tetra_error *err) {
  if (l->len + extra <= l->cap) return TETRA_OK;
  size_t cap = l->cap ? l->cap : 64;
  while (cap < l->len + extra) cap *= 2;
  char *b = tt_scratch_alloc(s, cap);
  if (!b) return oom(err);
  if (l->len) memcpy(b, l->buf, l->len);
  l->buf = b;
  l->cap = cap;
  return TETRA_OK;
}

/* Appends to the last string (which must exist). */
static tetra_status strlist_append(tt_scratch *s, tt_strlist *l, const char *str, size_t len,
                                   tetra_error *err) {
  tetra_status st = grow_buf(s, l, len, err);
  if (st) return st;
  if (len) memcpy(l->buf + l->len, str, len);
  l->len += len;
  l->ends[l->n - 1] = l->len;
  return TETRA_OK;
}

tetra_status tt_strlist_push(tt_scratch *s, tt_strlist *l, const char *str, size_t len,
                             tetra_error *err) {
  if (l->n == l->cap_n) {
    size_t cap = l->cap_n ? 2 * l->cap_n : 16;
    size_t *e = tt_scratch_alloc(s, cap * sizeof(size_t));
    if (!e) return oom(err);
    if (l->n) memcpy(e, l->ends, l->n * sizeof(size_t));
    l->ends = e;
    l->cap_n = cap;
  }
  l->ends[l->n++] = l->len;
  return strlist_append(s, l, str, len, err);
}

static const char *item(const tt_strlist *l, size_t i, size_t *len) {
  size_t start = i ? l->ends[i - 1] : 0;
  *len = l->ends[i] - start;
  return l->buf + start;
}

/* ---- the decoders ----------------------------------------------------------------------------- */

/* Appends str with every occurrence of pat replaced by rep. */
static tetra_status append_replaced(tt_scratch *s, tt_strlist *o, const char *str, size_t len,
                                    const char *pat, size_t pat_len, const char *rep, size_t rep_len,
                                    tetra_error *err) {
  tetra_status st;
  if (!pat_len) return strlist_append(s, o, str, len, err);
  size_t i = 0, from = 0;
  while (i + pat_len <= len) {
    if (!memcmp(str + i, pat, pat_len)) {
      if ((st = strlist_append(s, o, str + from, i - from, err))) return st;
      if ((st = strlist_append(s, o, rep, rep_len, err))) return st;
      i += pat_len;
      from = i;
    } else {
      i++;
    }
  }
  return strlist_append(s, o, str + from, len - from, err);
}

/* HF wordpiece::cleanup: the replacements BERT's detokenizer makes, in this order. */
static tetra_status cleanup(tt_scratch *s, const char *str, size_t len, char **out, size_t *out_len,
                            tetra_error *err) {
  static const char *const pairs[][2] = {
      {" .", "."},   {" ?", "?"},   {" !", "!"},       {" ,", ","},         {" ' ", "'"},
      {" n't", "n't"}, {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"},
      {" 're", "'re"}};
  const char *cur = str;
  size_t cur_len = len;
  for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
    if (cur_len < strlen(pairs[k][0])) continue;
    tt_strlist tmp;
    memset(&tmp, 0, sizeof tmp);
    tetra_status st = tt_strlist_push(s, &tmp, "", 0, err);
    if (!st)
      st = append_replaced(s, &tmp, cur, cur_len, pairs[k][0], strlen(pairs[k][0]), pairs[k][1],
                           strlen(pairs[k][1]), err);
    if (st) return st;
    cur = tmp.buf;
    cur_len = tmp.len;
  }
  *out = (char *)cur;
  *out_len = cur_len;
  return TETRA_OK;
}

/* ByteLevel's char -> byte table: printable Latin-1 maps to itself, the rest to U+0100.. */
static int bytelevel_byte(uint32_t cp) {
  if ((cp >= 0x21 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xAC) || (cp >= 0xAE && cp <= 0xFF))
    return (int)cp;
  if (cp < 0x100 || cp >= 0x100 + 68) return -1;
  uint32_t k = cp - 0x100; /* the k-th byte outside the printable ranges */
  if (k <= 0x20) return (int)k;            /* 0x00..0x20: 33 bytes */
  if (k <= 0x20 + 34) return (int)(0x7F + (k - 33)); /* 0x7F..0xA0: 34 bytes */
  return 0xAD;
}

static tetra_status append_lossy(tt_scratch *s, tt_strlist *o, const char *b, size_t n,
                                 tetra_error *err);

static tetra_status dec_bytelevel(tt_scratch *s, const tt_strlist *in, tt_strlist *o,
                                  tetra_error *err) {
  /* every token's chars to bytes (a token with a char outside the table keeps its UTF-8 bytes),
   * then one lossy UTF-8 conversion of the whole */
  tt_strlist raw;
  memset(&raw, 0, sizeof raw);
  tetra_status st = tt_strlist_push(s, &raw, "", 0, err);
  if (st) return st;
  for (size_t i = 0; i < in->n; i++) {
    size_t len;
    const char *t = item(in, i, &len);
    if ((st = grow_buf(s, &raw, len, err))) return st;
    size_t start = raw.len, k = 0;
    int ok = 1;
    while (k < len) {
      size_t used;
      uint32_t cp = tt_utf8_decode(t + k, len - k, &used);
      int b = bytelevel_byte(cp);
      if (b < 0) {
        ok = 0;
        break;
      }
      raw.buf[raw.len++] = (char)b;
      k += used;
    }
    if (!ok) {
      raw.len = start;
      memcpy(raw.buf + raw.len, t, len);
      raw.len += len;
    }
    raw.ends[0] = raw.len;
  }
  if ((st = tt_strlist_push(s, o, "", 0, err))) return st;
  return append_lossy(s, o, raw.buf, raw.len, err);
}

/* String::from_utf8_lossy: maximal invalid subparts become U+FFFD. */
static tetra_status append_lossy(tt_scratch *s, tt_strlist *o, const char *b, size_t n,
                                 tetra_error *err) {
  size_t i = 0;
  while (i < n) {
    size_t v = tt_utf8_valid_prefix(b + i, n - i);
    tetra_status st = strlist_append(s, o, b + i, v, err);
    if (st) return st;
    i += v;
    if (i < n) {
      if ((st = strlist_append(s, o, "\xEF\xBF\xBD", 3, err))) return st;
      i += tt_utf8_invalid_len(b + i, n - i);
    }
  }
  return TETRA_OK;
}

static tetra_status dec_bytefallback(tt_scratch *s, const tt_strlist *in, tt_strlist *o,
                                     tetra_error *err) {
  tetra_status st;
  char bytes[256];
  size_t nb = 0;
  char *pending = NULL; /* big runs go to the scratch */
  size_t pending_len = 0, pending_cap = 0;
  for (size_t i = 0; i <= in->n; i++) {
    size_t len = 0;
    const char *t = i < in->n ? item(in, i, &len) : NULL;
    int byte = -1;
    if (t && len == 6 && !memcmp(t, "<0x", 3) && t[5] == '>') {
      int v = 0, ok = 1;
      for (int k = 3; k < 5; k++) {
        char c = t[k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else ok = 0;
      }
      if (ok) byte = v;
    }
    if (byte >= 0) {
      if (nb < sizeof bytes) {
        bytes[nb++] = (char)byte;
      } else {
        if (pending_len == pending_cap) {
          size_t cap = pending_cap ? 2 * pending_cap : 1024;
          char *p = tt_scratch_alloc(s, cap);
          if (!p) return oom(err);
          if (pending_len) memcpy(p, pending, pending_len);
          pending = p;
          pending_cap = cap;
        }
        pending[pending_len++] = (char)byte;
      }
      continue;
    }
    if (nb) {
      /* the run: valid UTF-8 as one string, else one U+FFFD per byte (HF) */
      size_t total = nb + pending_len;
      char *run = bytes;
      if (pending_len) {
        run = tt_scratch_alloc(s, total);
        if (!run) return oom(err);
        memcpy(run, bytes, nb);
        memcpy(run + nb, pending, pending_len);
      }
      if (tt_utf8_valid_prefix(run, total) == total) {
        if ((st = tt_strlist_push(s, o, run, total, err))) return st;
      } else {
        for (size_t k = 0; k < total; k++) {
          if ((st = tt_strlist_push(s, o, "\xEF\xBF\xBD", 3, err))) return st;
        }
      }
      nb = 0;
      pending_len = 0;
    }
    if (t && (st = tt_strlist_push(s, o, t, len, err))) return st;
  }
  return TETRA_OK;
}

static tetra_status decode_chain(const tt_decoder *d, tt_scratch *s, const tt_strlist *in,
                                 tt_strlist *o, tetra_error *err);

static tetra_status dec_each(const tt_decoder *d, tt_scratch *s, const tt_strlist *in, tt_strlist *o,
                             tetra_error *err) {
  tetra_status st;
  for (size_t i = 0; i < in->n; i++) {
    size_t len;
    const char *t = item(in, i, &len);
    switch (d->type) {
    case DEC_WORDPIECE: {
      /* not the first token: drop the prefix, or add a space */
      if ((st = tt_strlist_push(s, o, "", 0, err))) return st;
      size_t mark = o->len;
      if (i != 0) {
        if (d->s1_len && len >= d->s1_len && !memcmp(t, d->s1, d->s1_len)) {
          t += d->s1_len;
          len -= d->s1_len;
        } else if ((st = strlist_append(s, o, " ", 1, err))) {
          return st;
        }
      }
      if ((st = strlist_append(s, o, t, len, err))) return st;
      if (d->flag) {
        char *c;
        size_t clen;
        size_t cur_len = o->len - mark;
        char *cur = tt_scratch_alloc(s, cur_len + 1);
        if (!cur) return oom(err);
        memcpy(cur, o->buf + mark, cur_len);
        if ((st = cleanup(s, cur, cur_len, &c, &clen, err))) return st;
        o->len = mark;
        o->ends[o->n - 1] = mark;
        if ((st = strlist_append(s, o, c, clen, err))) return st;
      }
      break;
    }
    case DEC_METASPACE: {
      /* every replacement char becomes a space, except in the first token where it is dropped
       * (unless the prepend scheme is "never") */
      if ((st = tt_strlist_push(s, o, "", 0, err))) return st;
      char enc[4];
      int elen = tt_utf8_encode(d->cp, enc);
      size_t k = 0, from = 0;
      while (k + (size_t)elen <= len) {
        if (!memcmp(t + k, enc, (size_t)elen)) {
          if ((st = strlist_append(s, o, t + from, k - from, err))) return st;
          if (!(i == 0 && d->flag) && (st = strlist_append(s, o, " ", 1, err))) return st;
          k += (size_t)elen;
          from = k;
        } else {
          k += (size_t)tt_utf8_len((uint8_t)t[k]);
        }
      }
      if ((st = strlist_append(s, o, t + from, len - from, err))) return st;
      break;
    }
    case DEC_STRIP: {
      char enc[4];
      size_t elen = (size_t)tt_utf8_encode(d->cp, enc);
      uint32_t k;
      for (k = 0; k < d->start && len >= elen && !memcmp(t, enc, elen); k++) {
        t += elen;
        len -= elen;
      }
      for (k = 0; k < d->stop && len >= elen && !memcmp(t + len - elen, enc, elen); k++) len -= elen;
      if ((st = tt_strlist_push(s, o, t, len, err))) return st;
      break;
    }
    case DEC_REPLACE: {
      if ((st = tt_strlist_push(s, o, "", 0, err))) return st;
      if (!d->re) {
        if ((st = append_replaced(s, o, t, len, d->s1, d->s1_len, d->s2, d->s2_len, err)))
          return st;
      } else {
        tt_matches m;
        memset(&m, 0, sizeof m);
        if ((st = tt_regex_find_all(d->re, t, len, &s->alloc, &m, err))) return st;
        size_t from = 0;
        for (size_t k = 0; k < m.n; k++) {
          if ((st = strlist_append(s, o, t + from, m.spans[k].start - from, err))) return st;
          if ((st = strlist_append(s, o, d->s2, d->s2_len, err))) return st;
          from = m.spans[k].end;
        }
        if ((st = strlist_append(s, o, t + from, len - from, err))) return st;
      }
      break;
    }
    case DEC_BPE: {
      /* the suffix marks a word end: a space, except after the last token */
      if ((st = tt_strlist_push(s, o, "", 0, err))) return st;
      int last = i == in->n - 1;
      if ((st = append_replaced(s, o, t, len, d->s1, d->s1_len, last ? "" : " ", last ? 0 : 1, err)))
        return st;
      break;
    }
    default:
      break;
    }
  }
  return TETRA_OK;
}

static tetra_status dec_ctc(const tt_decoder *d, tt_scratch *s, const tt_strlist *in, tt_strlist *o,
                            tetra_error *err) {
  tetra_status st;
  const char *prev = NULL;
  size_t prev_len = 0;
  for (size_t i = 0; i < in->n; i++) {
    size_t len;
    const char *t = item(in, i, &len);
    /* consecutive duplicates collapse */
    if (prev && prev_len == len && !memcmp(prev, t, len)) continue;
    prev = t;
    prev_len = len;
    tt_strlist tmp;
    memset(&tmp, 0, sizeof tmp);
    if ((st = tt_strlist_push(s, &tmp, "", 0, err))) return st;
    if ((st = append_replaced(s, &tmp, t, len, d->s1, d->s1_len, "", 0, err))) return st;
    const char *r = tmp.buf;
    size_t rlen = tmp.len;
    if (d->flag) {
      char *c;
      size_t clen;
      if ((st = cleanup(s, r, rlen, &c, &clen, err))) return st;
      tt_strlist tmp2;
      memset(&tmp2, 0, sizeof tmp2);
      if ((st = tt_strlist_push(s, &tmp2, "", 0, err))) return st;
      if ((st = append_replaced(s, &tmp2, c, clen, d->s2, d->s2_len, " ", 1, err))) return st;
      r = tmp2.buf;
      rlen = tmp2.len;
    }
    if (rlen && (st = tt_strlist_push(s, o, r, rlen, err))) return st;
  }
  return TETRA_OK;
}

static tetra_status decode_chain(const tt_decoder *d, tt_scratch *s, const tt_strlist *in,
                                 tt_strlist *o, tetra_error *err) {
  memset(o, 0, sizeof *o);
  tetra_status st;
  switch (d->type) {
  case DEC_BYTELEVEL: return dec_bytelevel(s, in, o, err);
  case DEC_BYTEFALLBACK: return dec_bytefallback(s, in, o, err);
  case DEC_FUSE:
    if ((st = tt_strlist_push(s, o, in->buf, in->len, err))) return st;
    return TETRA_OK;
  case DEC_CTC: return dec_ctc(d, s, in, o, err);
  case DEC_SEQUENCE: {
    tt_strlist cur = *in;
    for (uint32_t i = 0; i < d->n_children; i++) {
      tt_strlist next;
      if ((st = decode_chain(d->children[i], s, &cur, &next, err))) return st;
      cur = next;
    }
    *o = cur;
    return TETRA_OK;
  }
  default: return dec_each(d, s, in, o, err);
  }
}

tetra_status tt_decoder_decode(const tt_decoder *d, tt_scratch *s, const tt_strlist *tokens,
                               char **out, size_t *out_len, tetra_error *err) {
  tt_strlist res;
  tetra_status st = decode_chain(d, s, tokens, &res, err);
  if (st) return st;
  *out = res.n ? res.buf : (char *)"";
  *out_len = res.n ? res.len : 0;
  return TETRA_OK;
}
