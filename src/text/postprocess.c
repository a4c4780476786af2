/* Post-processors (HF tokenizers/src/processors/): TemplateProcessing, BertProcessing,
 * RobertaProcessing, ByteLevel (offset trimming) and Sequence.
 *
 * As in HF, a post-processor turns the list [A] or [A, B] into a list of encodings that is then
 * merged; a Sequence hands each processor the previous one's list. HF's process() first gives each
 * input encoding its sequence id. Quirks kept on purpose: BertProcessing and RobertaProcessing
 * rewrite the attention and special-token masks of the sequences they wrap, RobertaProcessing
 * sets every type id to 0, and the overflowing parts keep the type ids they had. */
#include <stdio.h>
#include <string.h>

#include "text/json_fields.h"
#include "text/tokenizer_impl.h"
#include "text/unicode.h"

typedef enum pp_type { PP_TEMPLATE, PP_BERT, PP_ROBERTA, PP_BYTELEVEL, PP_SEQUENCE } pp_type;

typedef struct tpl_special {
  char *name;
  uint32_t *ids;
  uint32_t *trim; /* white space counts of its tokens' texts */
  uint32_t n;
} tpl_special;

typedef struct tpl_piece {
  int is_seq;
  int seq_b;       /* for sequences: 0 = $A, 1 = $B */
  uint32_t type_id;
  uint32_t special; /* for special tokens: index into specials */
} tpl_piece;

struct tt_postproc {
  pp_type type;
  /* TemplateProcessing */
  tpl_piece *single, *pair;
  uint32_t n_single, n_pair;
  tpl_special *specials;
  uint32_t n_specials;
  uint32_t added_single, added_pair;
  /* Bert / Roberta */
  uint32_t cls_id, sep_id, cls_trim, sep_trim;
  /* Roberta / ByteLevel */
  int trim_offsets, add_prefix_space;
  /* Sequence */
  tt_postproc **children;
  uint32_t n_children;
};

/* ---- helpers ---------------------------------------------------------------------------------- */

#define PATH_MAX_LEN 256

static tetra_status fmt(tetra_error *err, tetra_status code, const char *path, const char *what,
                        const char *detail) {
  return tetra_error_set(err, code, "tokenizer.json: %s: %s%s", path, what, detail ? detail : "");
}

uint32_t tt_trim_counts(const char *s, size_t len) {
  /* HF process_offsets counts chars that are 'Ġ' (ByteLevel's space) or Rust white space. */
  uint32_t lead = 0, trail = 0, nchars = 0;
  int leading = 1;
  size_t i = 0;
  while (i < len) {
    size_t used;
    uint32_t cp = tt_utf8_decode(s + i, len - i, &used);
    i += used;
    nchars++;
    int ws = cp == 0x120 || tt_uc_is_white_space(cp);
    if (ws) {
      if (leading) lead++;
      trail++;
    } else {
      leading = 0;
      trail = 0;
    }
  }
  (void)nchars;
  if (lead > 0xFFFF) lead = 0xFFFF;
  if (trail > 0xFFFF) trail = 0xFFFF;
  return (lead << 16) | trail;
}

/* "[CLS]", 101 pairs of BertProcessing/RobertaProcessing. */
static tetra_status token_pair(const tetra_json *obj, const char *path, const char *key,
                               uint32_t *id, uint32_t *trim, tetra_error *err) {
  char p[PATH_MAX_LEN];
  snprintf(p, sizeof p, "%.150s.%s", path, key);
  const tetra_json *v = tetra_json_get(obj, key);
  if (!v) return fmt(err, TETRA_ERR_FORMAT, p, "missing", NULL);
  if (v->type != TETRA_JSON_ARRAY || v->len != 2 || v->u.items[0].type != TETRA_JSON_STRING ||
      !tt_jv_u32(&v->u.items[1], id)) {
    return fmt(err, TETRA_ERR_FORMAT, p, "should be [token, id]", NULL);
  }
  *trim = tt_trim_counts(v->u.items[0].u.string, v->u.items[0].len);
  return TETRA_OK;
}

static tt_postproc *pp_new(const tetra_allocator *a, pp_type type) {
  tt_postproc *p = tetra_alloc(a, sizeof(tt_postproc));
  if (p) {
    memset(p, 0, sizeof *p);
    p->type = type;
  }
  return p;
}

void tt_postproc_free(const tetra_allocator *a, tt_postproc *p) {
  if (!p) return;
  for (uint32_t i = 0; i < p->n_specials; i++) {
    tetra_free(a, p->specials[i].name);
    tetra_free(a, p->specials[i].ids);
    tetra_free(a, p->specials[i].trim);
  }
  tetra_free(a, p->specials);
  tetra_free(a, p->single);
  tetra_free(a, p->pair);
  for (uint32_t i = 0; i < p->n_children; i++) tt_postproc_free(a, p->children[i]);
  tetra_free(a, p->children);
  tetra_free(a, p);
}

/* ---- TemplateProcessing parsing --------------------------------------------------------------- */

static tetra_status parse_specials(tt_postproc *p, const tetra_json *obj, const char *path,
                                   const tetra_allocator *a, tetra_error *err) {
  char pp[PATH_MAX_LEN];
  snprintf(pp, sizeof pp, "%.150s.special_tokens", path);
  const tetra_json *m = tetra_json_get(obj, "special_tokens");
  if (!m || m->type == TETRA_JSON_NULL) return TETRA_OK;
  if (m->type != TETRA_JSON_OBJECT) return fmt(err, TETRA_ERR_FORMAT, pp, "should be an object", NULL);
  p->specials = tetra_alloc(a, (m->len ? m->len : 1) * sizeof(tpl_special));
  if (!p->specials) return fmt(err, TETRA_ERR_OUT_OF_MEMORY, pp, "out of memory", NULL);
  memset(p->specials, 0, (m->len ? m->len : 1) * sizeof(tpl_special));
  for (uint32_t i = 0; i < m->len; i++) {
    const tetra_json *key = &m->u.items[2 * i], *v = &m->u.items[2 * i + 1];
    char ip[PATH_MAX_LEN];
    snprintf(ip, sizeof ip, "%.150s[\"%.60s\"]", pp, key->u.string);
    if (v->type != TETRA_JSON_OBJECT) return fmt(err, TETRA_ERR_FORMAT, ip, "should be an object", NULL);
    const tetra_json *ids = tetra_json_get(v, "ids"), *toks = tetra_json_get(v, "tokens");
    if (!ids || ids->type != TETRA_JSON_ARRAY)
      return fmt(err, TETRA_ERR_FORMAT, ip, "field \"ids\" should be an array", NULL);
    if (!toks || toks->type != TETRA_JSON_ARRAY || toks->len != ids->len)
      return fmt(err, TETRA_ERR_FORMAT, ip,
                 "field \"tokens\" should be an array as long as \"ids\"", NULL);
    tpl_special *sp = &p->specials[p->n_specials++];
    sp->name = tetra_alloc(a, key->len + 1);
    sp->ids = tetra_alloc(a, (ids->len ? ids->len : 1) * sizeof(uint32_t));
    sp->trim = tetra_alloc(a, (ids->len ? ids->len : 1) * sizeof(uint32_t));
    if (!sp->name || !sp->ids || !sp->trim)
      return fmt(err, TETRA_ERR_OUT_OF_MEMORY, ip, "out of memory", NULL);
    memcpy(sp->name, key->u.string, key->len + 1);
    sp->n = ids->len;
    for (uint32_t k = 0; k < ids->len; k++) {
      if (!tt_jv_u32(&ids->u.items[k], &sp->ids[k]))
        return fmt(err, TETRA_ERR_FORMAT, ip, "\"ids\" should hold unsigned integers", NULL);
      const tetra_json *t = &toks->u.items[k];
      if (t->type != TETRA_JSON_STRING)
        return fmt(err, TETRA_ERR_FORMAT, ip, "\"tokens\" should hold strings", NULL);
      sp->trim[k] = tt_trim_counts(t->u.string, t->len);
    }
  }
  return TETRA_OK;
}

static tetra_status parse_template(tt_postproc *p, const tetra_json *obj, const char *path,
                                   const char *key, const tetra_allocator *a, tpl_piece **out,
                                   uint32_t *n_out, uint32_t *added, tetra_error *err) {
  char tp[PATH_MAX_LEN];
  snprintf(tp, sizeof tp, "%.150s.%s", path, key);
  const tetra_json *arr = tetra_json_get(obj, key);
  if (!arr) return fmt(err, TETRA_ERR_FORMAT, tp, "missing", NULL);
  if (arr->type != TETRA_JSON_ARRAY) return fmt(err, TETRA_ERR_FORMAT, tp, "should be an array", NULL);
  tpl_piece *v = tetra_alloc(a, (arr->len ? arr->len : 1) * sizeof(tpl_piece));
  if (!v) return fmt(err, TETRA_ERR_OUT_OF_MEMORY, tp, "out of memory", NULL);
  *out = v;
  *n_out = arr->len;
  *added = 0;
  int has_a = 0, has_b = 0;
  for (uint32_t i = 0; i < arr->len; i++) {
    char ip[PATH_MAX_LEN];
    snprintf(ip, sizeof ip, "%.150s[%u]", tp, i);
    const tetra_json *it = &arr->u.items[i];
    if (it->type != TETRA_JSON_OBJECT || it->len != 1)
      return fmt(err, TETRA_ERR_FORMAT, ip,
                 "should be {\"Sequence\": {...}} or {\"SpecialToken\": {...}}", NULL);
    const char *kind = it->u.items[0].u.string;
    const tetra_json *body = &it->u.items[1];
    const tetra_json *id = tetra_json_get(body, "id");
    memset(&v[i], 0, sizeof v[i]);
    if (body->type != TETRA_JSON_OBJECT || !id || id->type != TETRA_JSON_STRING ||
        !tt_jv_u32(tetra_json_get(body, "type_id"), &v[i].type_id))
      return fmt(err, TETRA_ERR_FORMAT, ip, "should have a string \"id\" and an integer \"type_id\"",
                 NULL);
    if (!strcmp(kind, "Sequence")) {
      v[i].is_seq = 1;
      if (!strcmp(id->u.string, "A")) v[i].seq_b = 0;
      else if (!strcmp(id->u.string, "B")) v[i].seq_b = 1;
      else return fmt(err, TETRA_ERR_FORMAT, ip, "sequence id should be \"A\" or \"B\"", NULL);
      if (v[i].seq_b) has_b = 1;
      else has_a = 1;
    } else if (!strcmp(kind, "SpecialToken")) {
      uint32_t k = 0;
      while (k < p->n_specials && strcmp(p->specials[k].name, id->u.string)) k++;
      if (k == p->n_specials) {
        char d[120];
        snprintf(d, sizeof d, "\"%.80s\" is not in special_tokens", id->u.string);
        return fmt(err, TETRA_ERR_FORMAT, ip, "special token ", d);
      }
      v[i].special = k;
      *added += p->specials[k].n;
    } else {
      return fmt(err, TETRA_ERR_FORMAT, ip,
                 "should be {\"Sequence\": {...}} or {\"SpecialToken\": {...}}", NULL);
    }
  }
  if (!strcmp(key, "single") && has_b)
    return fmt(err, TETRA_ERR_FORMAT, tp, "the single-sequence template uses $B", NULL);
  if (!strcmp(key, "pair") && (!has_a || !has_b))
    return fmt(err, TETRA_ERR_FORMAT, tp, "the pair template must use both $A and $B", NULL);
  return TETRA_OK;
}

/* ---- parsing ---------------------------------------------------------------------------------- */

tetra_status tt_postproc_from_json(const tetra_json *j, const char *path, struct tetra_tokenizer *tok,
                                   tt_postproc **out, tetra_error *err) {
  const tetra_allocator *a = tok->alloc;
  if (j->type != TETRA_JSON_OBJECT) return fmt(err, TETRA_ERR_FORMAT, path, "should be an object", NULL);
  const tetra_json *type = tetra_json_get(j, "type");
  if (!type || type->type != TETRA_JSON_STRING)
    return fmt(err, TETRA_ERR_FORMAT, path, "missing string field \"type\"", NULL);
  const char *t = type->u.string;
  tetra_status st = TETRA_OK;
  tt_postproc *p = NULL;
  if (!strcmp(t, "TemplateProcessing")) {
    if (!(p = pp_new(a, PP_TEMPLATE))) goto oom;
    if ((st = parse_specials(p, j, path, a, err))) goto fail;
    if ((st = parse_template(p, j, path, "single", a, &p->single, &p->n_single, &p->added_single,
                             err)))
      goto fail;
    if ((st = parse_template(p, j, path, "pair", a, &p->pair, &p->n_pair, &p->added_pair, err)))
      goto fail;
  } else if (!strcmp(t, "BertProcessing") || !strcmp(t, "RobertaProcessing")) {
    int roberta = t[0] == 'R';
    if (!(p = pp_new(a, roberta ? PP_ROBERTA : PP_BERT))) goto oom;
    if ((st = token_pair(j, path, "sep", &p->sep_id, &p->sep_trim, err))) goto fail;
    if ((st = token_pair(j, path, "cls", &p->cls_id, &p->cls_trim, err))) goto fail;
    if (roberta && (!tt_jv_bool(tetra_json_get(j, "trim_offsets"), 1, &p->trim_offsets) ||
                    !tt_jv_bool(tetra_json_get(j, "add_prefix_space"), 1, &p->add_prefix_space))) {
      st = fmt(err, TETRA_ERR_FORMAT, path, "trim_offsets and add_prefix_space should be booleans",
               NULL);
      goto fail;
    }
  } else if (!strcmp(t, "ByteLevel")) {
    if (!(p = pp_new(a, PP_BYTELEVEL))) goto oom;
    if (!tt_jv_bool(tetra_json_get(j, "trim_offsets"), 1, &p->trim_offsets) ||
        !tt_jv_bool(tetra_json_get(j, "add_prefix_space"), 1, &p->add_prefix_space)) {
      st = fmt(err, TETRA_ERR_FORMAT, path, "trim_offsets and add_prefix_space should be booleans",
               NULL);
      goto fail;
    }
  } else if (!strcmp(t, "Sequence")) {
    const tetra_json *list = tetra_json_get(j, "processors");
    char lp[PATH_MAX_LEN];
    snprintf(lp, sizeof lp, "%.150s.processors", path);
    if (!list || list->type != TETRA_JSON_ARRAY)
      return fmt(err, TETRA_ERR_FORMAT, lp, "should be an array", NULL);
    if (!(p = pp_new(a, PP_SEQUENCE))) goto oom;
    p->children = tetra_alloc(a, (list->len ? list->len : 1) * sizeof(tt_postproc *));
    if (!p->children) goto oom;
    for (uint32_t i = 0; i < list->len; i++) {
      char ip[PATH_MAX_LEN];
      snprintf(ip, sizeof ip, "%.150s[%u]", lp, i);
      if ((st = tt_postproc_from_json(&list->u.items[i], ip, tok, &p->children[i], err))) goto fail;
      p->n_children = i + 1;
    }
  } else {
    char d[120];
    snprintf(d, sizeof d, "\"%.80s\"", t);
    return fmt(err, TETRA_ERR_UNSUPPORTED, path, "unsupported post-processor type ", d);
  }
  *out = p;
  return TETRA_OK;
oom:
  st = fmt(err, TETRA_ERR_OUT_OF_MEMORY, path, "out of memory", NULL);
fail:
  tt_postproc_free(a, p);
  return st;
}

uint32_t tt_postproc_added(const tt_postproc *p, int is_pair) {
  switch (p->type) {
  case PP_TEMPLATE: return is_pair ? p->added_pair : p->added_single;
  case PP_BERT: return is_pair ? 3 : 2;
  case PP_ROBERTA: return is_pair ? 4 : 2;
  case PP_BYTELEVEL: return 0;
  case PP_SEQUENCE: {
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->n_children; i++) n += tt_postproc_added(p->children[i], is_pair);
    return n;
  }
  }
  return 0;
}

int tt_postproc_needs_trim(const tt_postproc *p) {
  if (p->type == PP_ROBERTA || p->type == PP_BYTELEVEL) return p->trim_offsets;
  if (p->type == PP_SEQUENCE) {
    for (uint32_t i = 0; i < p->n_children; i++)
      if (tt_postproc_needs_trim(p->children[i])) return 1;
  }
  return 0;
}

/* ---- processing ------------------------------------------------------------------------------- */

typedef struct enc_list {
  tt_enc **v;
  uint32_t n, cap;
} enc_list;

static tetra_status list_push(tt_scratch *s, enc_list *l, tt_enc *e, tetra_error *err) {
  if (l->n == l->cap) {
    uint32_t cap = l->cap ? 2 * l->cap : 4;
    tt_enc **v = tt_scratch_alloc(s, cap * sizeof(tt_enc *));
    if (!v) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory");
    if (l->n) memcpy(v, l->v, l->n * sizeof(tt_enc *));
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = e;
  return TETRA_OK;
}

/* HF byte_level::process_offsets: move offsets past leading/trailing white space of the token. */
static void trim_offsets(tt_enc *e, int add_prefix_space) {
  for (uint32_t i = 0; i < e->len; i++) {
    uint32_t lead = e->trim[i] >> 16, trail = e->trim[i] & 0xFFFF;
    uint32_t *o = &e->offsets[2 * (size_t)i];
    if (!lead && !trail) continue;
    if (lead) {
      int is_first = i == 0 || o[0] == 0;
      if (is_first && add_prefix_space && lead == 1) lead = 0;
      uint32_t ns = o[0] + lead;
      o[0] = ns < o[1] ? ns : o[1];
    }
    if (trail && o[1] >= trail) {
      uint32_t ne = o[1] - trail;
      o[1] = ne > o[0] ? ne : o[0];
    }
  }
}

static void trim_all(enc_list *l, int add_prefix_space) {
  for (uint32_t k = 0; k < l->n; k++) {
    trim_offsets(l->v[k], add_prefix_space);
    for (uint32_t i = 0; i < l->v[k]->n_over; i++) trim_offsets(l->v[k]->over[i], add_prefix_space);
  }
}

/* [pre...] + e + [post...] for Bert/Roberta, with every mask rewritten as HF does. */
static tt_enc *wrap(tt_scratch *s, const tt_enc *e, int has_pre, uint32_t pre_id, uint32_t pre_trim,
                    uint32_t post_id, uint32_t post_trim, int zero_types, uint32_t pre_type,
                    uint32_t post_type, uint32_t seq, tetra_error *err) {
  tt_enc *w = tt_enc_new(s, e->len + 2);
  if (!w) {
    tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory");
    return NULL;
  }
  if (has_pre) tt_enc_put(w, pre_id, pre_type, -1, 0, 0, 1, 1, pre_trim);
  for (uint32_t i = 0; i < e->len; i++) {
    tt_enc_put(w, e->ids[i], zero_types ? 0 : e->type_ids[i], e->words[i], e->offsets[2 * i],
               e->offsets[2 * i + 1], 0, 1, e->trim[i]);
  }
  tt_enc_put(w, post_id, post_type, -1, 0, 0, 1, 1, post_trim);
  /* HF: the sequence range leaves the special tokens out */
  if (tt_enc_set_sequence_id(s, w, seq, err)) return NULL;
  w->ranges[0].start = has_pre ? 1 : 0;
  w->ranges[0].end = w->len - 1;
  return w;
}

static tetra_status bert_like(const tt_postproc *p, tt_scratch *s, enc_list *in, int add_special,
                              enc_list *out, tetra_error *err) {
  int roberta = p->type == PP_ROBERTA;
  tetra_status st;
  if (roberta) {
    if (p->trim_offsets) trim_all(in, p->add_prefix_space);
    for (uint32_t k = 0; k < in->n; k++) tt_enc_set_type_ids(in->v[k], 0);
  }
  if (!add_special) {
    *out = *in;
    return TETRA_OK;
  }
  for (uint32_t k = 0; k < in->n; k++) {
    const tt_enc *e = in->v[k];
    int first = k == 0;
    /* Bert: [CLS] A [SEP] with types 0, then B [SEP] with B's types and 1.
     * Roberta: <s> A </s>, then </s> B </s>, all types 0. */
    int has_pre = first || roberta;
    uint32_t pre_id = first ? p->cls_id : p->sep_id, pre_trim = first ? p->cls_trim : p->sep_trim;
    uint32_t post_type = roberta || first ? 0 : 1;
    tt_enc *w = wrap(s, e, has_pre, pre_id, pre_trim, p->sep_id, p->sep_trim, 0, 0, post_type,
                     first ? 0 : 1, err);
    if (!w) return err->code;
    for (uint32_t i = 0; i < e->n_over; i++) {
      tt_enc *o = wrap(s, e->over[i], has_pre, pre_id, pre_trim, p->sep_id, p->sep_trim, roberta, 0,
                       post_type, first ? 0 : 1, err);
      if (!o) return err->code;
      if ((st = tt_enc_add_over(s, w, o, err))) return st;
    }
    if ((st = list_push(s, out, w, err))) return st;
  }
  return TETRA_OK;
}

static tetra_status special_enc(const tpl_special *sp, uint32_t type_id, tt_scratch *s, tt_enc **out,
                                tetra_error *err) {
  tt_enc *e = tt_enc_new(s, sp->n);
  if (!e) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory");
  for (uint32_t i = 0; i < sp->n; i++) tt_enc_put(e, sp->ids[i], type_id, -1, 0, 0, 1, 1, sp->trim[i]);
  *out = e;
  return TETRA_OK;
}

/* Whether piece i's sequence comes again later in the template. */
static int used_later(const tpl_piece *tpl, uint32_t n, uint32_t i) {
  for (uint32_t j = i + 1; j < n; j++)
    if (tpl[j].is_seq && tpl[j].seq_b == tpl[i].seq_b) return 1;
  return 0;
}

static tetra_status template_apply(const tt_postproc *p, tt_scratch *s, enc_list *in,
                                   int add_special, enc_list *out, tetra_error *err) {
  const tpl_piece *tpl = in->n >= 2 ? p->pair : p->single;
  uint32_t n = in->n >= 2 ? p->n_pair : p->n_single;
  tetra_status st;
  for (uint32_t i = 0; i < n; i++) {
    const tpl_piece *pc = &tpl[i];
    if (pc->is_seq) {
      uint32_t k = (uint32_t)pc->seq_b;
      if (k >= in->n) continue; /* cannot happen: the templates were checked at load */
      tt_enc *e = in->v[k];
      tt_enc_set_type_ids(e, pc->type_id);
      if ((st = tt_enc_set_sequence_id(s, e, k, err))) return st;
      /* HF clones the encoding for each use; its last use can take it as it is (with a long
       * text, one copy of 26 bytes a token less at a time) */
      tt_enc *c = used_later(tpl, n, i) ? tt_enc_clone(s, e) : e;
      if (!c) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory");
      if ((st = list_push(s, out, c, err))) return st;
    } else if (add_special) {
      tt_enc *e = NULL;
      if ((st = special_enc(&p->specials[pc->special], pc->type_id, s, &e, err))) return st;
      if ((st = list_push(s, out, e, err))) return st;
    }
  }
  return TETRA_OK;
}

static tetra_status process_list(const tt_postproc *p, tt_scratch *s, enc_list *in, int add_special,
                                 enc_list *out, tetra_error *err) {
  tetra_status st;
  memset(out, 0, sizeof *out);
  switch (p->type) {
  case PP_TEMPLATE: return template_apply(p, s, in, add_special, out, err);
  case PP_BERT:
  case PP_ROBERTA: return bert_like(p, s, in, add_special, out, err);
  case PP_BYTELEVEL:
    if (p->trim_offsets) trim_all(in, p->add_prefix_space);
    for (uint32_t k = 0; k < in->n; k++) {
      if ((st = tt_enc_set_sequence_id(s, in->v[k], k, err))) return st;
    }
    *out = *in;
    return TETRA_OK;
  case PP_SEQUENCE: {
    enc_list cur = *in;
    for (uint32_t i = 0; i < p->n_children; i++) {
      enc_list next;
      if ((st = process_list(p->children[i], s, &cur, add_special, &next, err))) return st;
      cur = next;
    }
    *out = cur;
    return TETRA_OK;
  }
  }
  return TETRA_OK;
}

static int listed(const enc_list *l, uint32_t from, const tt_enc *e) {
  for (uint32_t i = from; i < l->n; i++)
    if (l->v[i] == e) return 1;
  return 0;
}

/* Encoding::merge: fold merge_with over the list, starting from an empty encoding of exactly the
 * total size. Each merged encoding is dead afterwards (the caller's inputs included) and gives its
 * arrays back at once: with a long text, copies of 26 bytes a token would pile up otherwise. */
static tetra_status merge_list(tt_scratch *s, const enc_list *l, tt_enc **out, tetra_error *err) {
  tt_enc *m = tt_enc_new(s, 0);
  if (!m) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "tokenizer: out of memory");
  uint64_t total = 0;
  for (uint32_t i = 0; i < l->n; i++) total += l->v[i]->len;
  if (total > UINT32_MAX / 2) {
    return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer: more than 2^31 tokens");
  }
  tetra_status st = tt_enc_grow(s, m, (uint32_t)total, err);
  if (st) return st;
  for (uint32_t i = 0; i < l->n; i++) {
    if ((st = tt_enc_merge_with(s, m, l->v[i], err))) return st;
    if (!listed(l, i + 1, l->v[i])) tt_enc_release(s, l->v[i]);
  }
  *out = m;
  return TETRA_OK;
}

tetra_status tt_postproc_process(const tt_postproc *p, tt_scratch *s, tt_enc *a, tt_enc *b,
                                 int add_special, tt_enc **out, tetra_error *err) {
  enc_list in, res;
  memset(&in, 0, sizeof in);
  tetra_status st;
  if ((st = list_push(s, &in, a, err))) return st;
  if (b && (st = list_push(s, &in, b, err))) return st;
  if (!p) {
    /* no post-processor (HF default_process): a single encoding is returned as it is */
    if (!b) {
      *out = a;
      return TETRA_OK;
    }
    for (uint32_t k = 0; k < in.n; k++) {
      if ((st = tt_enc_set_sequence_id(s, in.v[k], k, err))) return st;
    }
    return merge_list(s, &in, out, err);
  }
  for (uint32_t k = 0; k < in.n; k++) {
    if ((st = tt_enc_set_sequence_id(s, in.v[k], k, err))) return st;
  }
  if ((st = process_list(p, s, &in, add_special, &res, err))) return st;
  /* inputs that the processor copied (templates, Bert, Roberta) are dead now */
  for (uint32_t k = 0; k < in.n; k++)
    if (!listed(&res, 0, in.v[k]) && !listed(&in, k + 1, in.v[k])) tt_enc_release(s, in.v[k]);
  return merge_list(s, &res, out, err);
}
