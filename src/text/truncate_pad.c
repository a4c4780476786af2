/* Truncation and padding (HF tokenizers/src/utils/truncation.rs and padding.rs), and their
 * tokenizer.json objects. */
#include <string.h>

#include "text/json_fields.h"
#include "text/tokenizer_impl.h"

static tetra_status bad(tetra_error *err, const char *path, const char *what) {
  return tetra_error_set(err, TETRA_ERR_FORMAT, "tokenizer.json: %s: %s", path, what);
}

/* "Left"/"Right" (HF's serde spelling; lower case accepted too). */
static int direction(const tetra_json *v, int *left) {
  if (!v) {
    *left = 0;
    return 1;
  }
  if (v->type != TETRA_JSON_STRING) return 0;
  if (!strcmp(v->u.string, "Left") || !strcmp(v->u.string, "left")) *left = 1;
  else if (!strcmp(v->u.string, "Right") || !strcmp(v->u.string, "right")) *left = 0;
  else return 0;
  return 1;
}

tetra_status tt_trunc_from_json(const tetra_json *j, tt_trunc *out, tetra_error *err) {
  memset(out, 0, sizeof *out);
  if (j->type != TETRA_JSON_OBJECT) return bad(err, "truncation", "should be an object or null");
  if (!tt_jv_u32(tetra_json_get(j, "max_length"), &out->max_length))
    return bad(err, "truncation.max_length", "should be an unsigned integer");
  const tetra_json *stride = tetra_json_get(j, "stride");
  if (stride && !tt_jv_u32(stride, &out->stride))
    return bad(err, "truncation.stride", "should be an unsigned integer");
  if (!direction(tetra_json_get(j, "direction"), &out->left))
    return bad(err, "truncation.direction", "should be \"Left\" or \"Right\"");
  const tetra_json *s = tetra_json_get(j, "strategy");
  out->strategy = TETRA_TRUNCATE_LONGEST_FIRST;
  if (s) {
    if (s->type != TETRA_JSON_STRING) return bad(err, "truncation.strategy", "should be a string");
    if (!strcmp(s->u.string, "LongestFirst") || !strcmp(s->u.string, "longest_first"))
      out->strategy = TETRA_TRUNCATE_LONGEST_FIRST;
    else if (!strcmp(s->u.string, "OnlyFirst") || !strcmp(s->u.string, "only_first"))
      out->strategy = TETRA_TRUNCATE_ONLY_FIRST;
    else if (!strcmp(s->u.string, "OnlySecond") || !strcmp(s->u.string, "only_second"))
      out->strategy = TETRA_TRUNCATE_ONLY_SECOND;
    else
      return bad(err, "truncation.strategy",
                 "should be \"LongestFirst\", \"OnlyFirst\" or \"OnlySecond\"");
  }
  return TETRA_OK;
}

tetra_status tt_pad_from_json(const tetra_json *j, tt_pad *out, tetra_error *err) {
  memset(out, 0, sizeof *out);
  out->mode = TETRA_PAD_LONGEST;
  if (j->type != TETRA_JSON_OBJECT) return bad(err, "padding", "should be an object or null");
  const tetra_json *s = tetra_json_get(j, "strategy");
  if (s) {
    if (s->type == TETRA_JSON_STRING && !strcmp(s->u.string, "BatchLongest")) {
      out->mode = TETRA_PAD_LONGEST;
    } else if (s->type == TETRA_JSON_OBJECT && s->len == 1 &&
               !strcmp(s->u.items[0].u.string, "Fixed")) {
      out->mode = TETRA_PAD_FIXED;
      if (!tt_jv_u32(&s->u.items[1], &out->length))
        return bad(err, "padding.strategy.Fixed", "should be an unsigned integer");
    } else {
      return bad(err, "padding.strategy", "should be \"BatchLongest\" or {\"Fixed\": n}");
    }
  }
  if (!direction(tetra_json_get(j, "direction"), &out->left))
    return bad(err, "padding.direction", "should be \"Left\" or \"Right\"");
  const tetra_json *m = tetra_json_get(j, "pad_to_multiple_of");
  if (m && m->type != TETRA_JSON_NULL && !tt_jv_u32(m, &out->multiple_of))
    return bad(err, "padding.pad_to_multiple_of", "should be an unsigned integer or null");
  const tetra_json *v = tetra_json_get(j, "pad_id");
  if (v && !tt_jv_u32(v, &out->pad_id)) return bad(err, "padding.pad_id", "should be an unsigned integer");
  v = tetra_json_get(j, "pad_type_id");
  if (v && !tt_jv_u32(v, &out->pad_type_id))
    return bad(err, "padding.pad_type_id", "should be an unsigned integer");
  v = tetra_json_get(j, "pad_token");
  if (v && v->type != TETRA_JSON_STRING) return bad(err, "padding.pad_token", "should be a string");
  return TETRA_OK;
}

tetra_status tt_truncate(tt_scratch *s, tt_enc *a, tt_enc *b, const tt_trunc *t, tetra_error *err) {
  tetra_status st;
  if (t->max_length == 0) {
    if ((st = tt_enc_truncate(s, a, 0, t->stride, t->left, err))) return st;
    if (b) return tt_enc_truncate(s, b, 0, t->stride, t->left, err);
    return TETRA_OK;
  }
  uint64_t total = (uint64_t)a->len + (b ? b->len : 0);
  if (total <= t->max_length) return TETRA_OK;
  uint64_t to_remove = total - t->max_length;
  if (t->strategy == TETRA_TRUNCATE_LONGEST_FIRST) {
    if (!b) return tt_enc_truncate(s, a, (uint32_t)(total - to_remove), t->stride, t->left, err);
    /* HF: with n1 <= n2, keep n1 whole if it fits in half, else split max_length in halves */
    uint32_t n1 = a->len, n2 = b->len, max = t->max_length;
    int swap = n1 > n2;
    if (swap) {
      uint32_t x = n1;
      n1 = n2;
      n2 = x;
    }
    if (n1 > max) n2 = n1;
    else n2 = n1 > max - n1 ? n1 : max - n1;
    if ((uint64_t)n1 + n2 > max) {
      n1 = max / 2;
      n2 = n1 + max % 2;
    }
    if (swap) {
      uint32_t x = n1;
      n1 = n2;
      n2 = x;
    }
    if ((st = tt_enc_truncate(s, a, n1, t->stride, t->left, err))) return st;
    return tt_enc_truncate(s, b, n2, t->stride, t->left, err);
  }
  tt_enc *target = t->strategy == TETRA_TRUNCATE_ONLY_FIRST ? a : b;
  if (!target) {
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "truncation: strategy only_second needs a pair of sequences");
  }
  if (target->len > to_remove) {
    return tt_enc_truncate(s, target, (uint32_t)(target->len - to_remove), t->stride, t->left, err);
  }
  return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                         "truncation: the %s sequence (%u tokens) is too short to remove %llu "
                         "tokens and fit max_length %u",
                         target == a ? "first" : "second", target->len,
                         (unsigned long long)to_remove, t->max_length);
}

tetra_status tt_pad_all(tt_scratch *s, tt_enc **encs, size_t n, const tt_pad *p, tetra_error *err) {
  if (!n) return TETRA_OK;
  uint64_t target = p->length;
  if (p->mode == TETRA_PAD_LONGEST) {
    target = 0;
    for (size_t i = 0; i < n; i++)
      if (encs[i]->len > target) target = encs[i]->len;
  }
  if (p->multiple_of > 0 && target % p->multiple_of) target += p->multiple_of - target % p->multiple_of;
  if (target > UINT32_MAX / 2) {
    return tetra_error_set(err, TETRA_ERR_LIMIT, "padding: length %llu is too large",
                           (unsigned long long)target);
  }
  for (size_t i = 0; i < n; i++) {
    tetra_status st = tt_enc_pad(s, encs[i], (uint32_t)target, p->pad_id, p->pad_type_id, p->left, err);
    if (st) return st;
  }
  return TETRA_OK;
}
