/* Binding a safetensors file to an encoder: the Hugging Face tensor names of each architecture
 * (with or without the base model's prefix), every shape checked against the config, Q/K/V fused
 * into one linear layer, linears packed in float32 or int8. Tensors the model does not use (an
 * LM head, position_ids buffers) are ignored. */
#include <stdio.h>
#include <string.h>

#include "nn_impl.h"
#include "tensor/kernels/kernels.h"

void nn_layer_linear_name(nn_arch arch, uint32_t layer, int which, char *buf, size_t size) {
  static const char *const bert[NN_LIN_COUNT] = {
      "attention.self.query", "attention.self.key", "attention.self.value",
      "attention.output.dense", "intermediate.dense", "output.dense"};
  static const char *const distil[NN_LIN_COUNT] = {
      "attention.q_lin", "attention.k_lin", "attention.v_lin",
      "attention.out_lin", "ffn.lin1", "ffn.lin2"};
  if (arch == NN_DISTILBERT) snprintf(buf, size, "transformer.layer.%u.%s", layer, distil[which]);
  else snprintf(buf, size, "encoder.layer.%u.%s", layer, bert[which]);
}

/* The LayerNorm after attention (which = 0) or after the feed-forward block (which = 1). */
static void layer_norm_name(nn_arch arch, uint32_t layer, int which, char *buf, size_t size) {
  if (arch == NN_DISTILBERT)
    snprintf(buf, size, "transformer.layer.%u.%s", layer, which ? "output_layer_norm" : "sa_layer_norm");
  else
    snprintf(buf, size, "encoder.layer.%u.%s", layer,
             which ? "output.LayerNorm" : "attention.output.LayerNorm");
}

static const tetra_safetensors_info *find_one(const nn_binder *b, const char *prefix,
                                              const char *name) {
  char full[256];
  snprintf(full, sizeof full, "%s%s", prefix, name);
  return tetra_safetensors_find(b->st, full);
}

const tetra_safetensors_info *nn_find(const nn_binder *b, const char *name, int base) {
  const char *prefix = base ? nn_arch_prefix(b->cfg->arch) : "";
  const tetra_safetensors_info *info = find_one(b, prefix, name);
  if (!info && base) info = find_one(b, "", name);
  if (!info) {
    /* checkpoints converted from the original TensorFlow BERT say gamma/beta */
    size_t n = strlen(name);
    char alt[256];
    const char *from = NULL, *to = NULL;
    if (n > 16 && !strcmp(name + n - 16, "LayerNorm.weight")) from = "weight", to = "gamma";
    else if (n > 14 && !strcmp(name + n - 14, "LayerNorm.bias")) from = "bias", to = "beta";
    if (from && n - strlen(from) + strlen(to) < sizeof alt) {
      snprintf(alt, sizeof alt, "%.*s%s", (int)(n - strlen(from)), name, to);
      info = find_one(b, prefix, alt);
      if (!info && base) info = find_one(b, "", alt);
    }
  }
  return info;
}

static void shape_text(size_t rank, const int64_t *shape, char *buf, size_t size) {
  size_t used = (size_t)snprintf(buf, size, "[");
  for (size_t i = 0; i < rank && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? ", " : "", (long long)shape[i]);
  if (used < size) snprintf(buf + used, size - used, "]");
}

static tetra_status missing(const nn_binder *b, const char *name, int base, tetra_error *err) {
  if (base)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "model.safetensors: tensor '%s%s' is missing (also looked for '%s'; "
                           "model_type %s)", nn_arch_prefix(b->cfg->arch), name, name,
                           b->cfg->model_type);
  return tetra_error_set(err, TETRA_ERR_FORMAT, "model.safetensors: tensor '%s' is missing (%s)", name,
                         b->cfg->architecture);
}

static tetra_status check_shape(const tetra_safetensors_info *info, size_t rank, size_t d0,
                                size_t d1, tetra_error *err) {
  int64_t want[2] = {(int64_t)d0, (int64_t)d1};
  int ok = info->rank == rank && info->shape[0] == want[0] && (rank < 2 || info->shape[1] == want[1]);
  if (ok) return TETRA_OK;
  char got[128], exp[64];
  shape_text(info->rank, info->shape, got, sizeof got);
  shape_text(rank, want, exp, sizeof exp);
  return tetra_error_set(err, TETRA_ERR_FORMAT,
                         "model.safetensors: tensor '%s' has shape %s, expected %s from config.json",
                         info->name, got, exp);
}

static int is_float_dtype(const char *d) {
  return !strcmp(d, "F32") || !strcmp(d, "F16") || !strcmp(d, "BF16");
}

tetra_status nn_require(const nn_binder *b, const char *name, int base, size_t rank, size_t d0,
                        size_t d1, const tetra_safetensors_info **out, tetra_error *err) {
  const tetra_safetensors_info *info = nn_find(b, name, base);
  if (!info) return missing(b, name, base, err);
  if (!is_float_dtype(info->dtype))
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "model.safetensors: tensor '%s' has dtype %s, expected F32, F16 or BF16",
                           info->name, info->dtype);
  *out = info;
  return check_shape(info, rank, d0, d1, err);
}

/* A float32 copy of a float tensor (n elements), owned by the caller. */
static tetra_status read_f32(const nn_binder *b, const tetra_safetensors_info *info, float *dst,
                             size_t n, tetra_error *err) {
  tetra_tensor_ctx heap = {b->allocator, NULL};
  tetra_tensor *t = NULL;
  tetra_status st = tetra_safetensors_tensor(b->st, &heap, info->name, &t, err);
  if (st) return st;
  const void *src = tetra_tensor_data(t);
  switch (tetra_tensor_dtype(t)) {
    case TETRA_F32: memcpy(dst, src, n * sizeof(float)); break;
    case TETRA_F16: f16_to_f32(n, src, dst); break;
    case TETRA_BF16: bf16_to_f32(n, src, dst); break;
    default: st = tetra_error_set(err, TETRA_ERR_FORMAT, "model.safetensors: tensor '%s' is not float", info->name);
  }
  tetra_tensor_free(t);
  return st;
}

static tetra_status vector(const nn_binder *b, const char *name, int base, size_t n, float **out,
                           tetra_error *err) {
  const tetra_safetensors_info *info;
  tetra_status st = nn_require(b, name, base, 1, n, 0, &info, err);
  if (st) return st;
  if (!(*out = tetra_alloc(b->allocator, n * sizeof(float))))
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "model.safetensors: out of memory reading '%s'", info->name);
  return read_f32(b, info, *out, n, err);
}

static tetra_status table(const nn_binder *b, const char *name, size_t rows, size_t cols, nn_table *t,
                          tetra_error *err) {
  const tetra_safetensors_info *info;
  tetra_status st = nn_require(b, name, 1, 2, rows, cols, &info, err);
  if (st) return st;
  tetra_tensor_ctx heap = {b->allocator, NULL};
  if ((st = tetra_safetensors_tensor(b->st, &heap, info->name, &t->tensor, err))) return st;
  t->data = tetra_tensor_data(t->tensor);
  t->dtype = tetra_tensor_dtype(t->tensor);
  t->rows = rows;
  t->cols = cols;
  return TETRA_OK;
}

/* One linear layer made of `parts` stacked along the output axis (Q, K, V; or just one), each
 * [n_each, k], from float weights (mode F32 or INT8) or from an int8 file's I8 weights + scales. */
typedef struct linear_spec {
  const char *stems[3]; /* base-relative names without ".weight"/".bias" */
  size_t parts, n_each, k;
  int base;
} linear_spec;

static tetra_status linear_from_float(const nn_binder *b, const linear_spec *s,
                                      const tetra_safetensors_info *const *w,
                                      const tetra_safetensors_info *const *bias, int int8_run,
                                      tetra_linear **out, tetra_error *err) {
  tetra_tensor_ctx heap = {b->allocator, NULL};
  tetra_linear_mode mode = int8_run ? TETRA_LINEAR_INT8 : TETRA_LINEAR_F32;
  tetra_tensor *tw = NULL, *tb = NULL;
  float *wbuf = NULL, *bbuf = NULL;
  tetra_status st = TETRA_OK;
  if (s->parts == 1) { /* in place: the packing reads the file's bytes directly */
    if (!(st = tetra_safetensors_tensor(b->st, &heap, w[0]->name, &tw, err)))
      st = tetra_safetensors_tensor(b->st, &heap, bias[0]->name, &tb, err);
  } else {
    size_t n = s->parts * s->n_each;
    int64_t wshape[2] = {(int64_t)n, (int64_t)s->k}, bshape[1] = {(int64_t)n};
    wbuf = tetra_alloc(b->allocator, n * s->k * sizeof(float));
    bbuf = tetra_alloc(b->allocator, n * sizeof(float));
    if (!wbuf || !bbuf) st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "model.safetensors: out of memory fusing '%s'", w[0]->name);
    for (size_t p = 0; p < s->parts && !st; p++) {
      st = read_f32(b, w[p], wbuf + p * s->n_each * s->k, s->n_each * s->k, err);
      if (!st) st = read_f32(b, bias[p], bbuf + p * s->n_each, s->n_each, err);
    }
    if (!st) st = tetra_tensor_wrap(&heap, TETRA_F32, 2, wshape, wbuf, n * s->k * sizeof(float), &tw, err);
    if (!st) st = tetra_tensor_wrap(&heap, TETRA_F32, 1, bshape, bbuf, n * sizeof(float), &tb, err);
  }
  if (!st) st = tetra_linear_create(b->allocator, tw, tb, mode, out, err);
  tetra_tensor_free(tw);
  tetra_tensor_free(tb);
  tetra_free(b->allocator, wbuf);
  tetra_free(b->allocator, bbuf);
  return st;
}

static tetra_status linear_from_int8(const nn_binder *b, const linear_spec *s,
                                     const tetra_safetensors_info *const *w,
                                     const tetra_safetensors_info *const *bias, tetra_linear **out,
                                     tetra_error *err) {
  tetra_tensor_ctx heap = {b->allocator, NULL};
  size_t n = s->parts * s->n_each;
  int64_t wshape[2] = {(int64_t)n, (int64_t)s->k}, nshape[1] = {(int64_t)n};
  int8_t *wbuf = tetra_alloc(b->allocator, n * s->k + 1);
  float *sbuf = tetra_alloc(b->allocator, n * sizeof(float));
  float *bbuf = tetra_alloc(b->allocator, n * sizeof(float));
  tetra_tensor *tw = NULL, *ts = NULL, *tb = NULL;
  tetra_status st = TETRA_OK;
  if (!wbuf || !sbuf || !bbuf) st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "model.safetensors: out of memory reading '%s'", w[0]->name);
  for (size_t p = 0; p < s->parts && !st; p++) {
    char scale_name[300];
    snprintf(scale_name, sizeof scale_name, "%s_scale", w[p]->name);
    const tetra_safetensors_info *si = tetra_safetensors_find(b->st, scale_name);
    if (!si) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT,
                           "model.safetensors: int8 weight '%s' has no scales '%s'", w[p]->name, scale_name);
      break;
    }
    if (strcmp(si->dtype, "F32")) {
      st = tetra_error_set(err, TETRA_ERR_FORMAT, "model.safetensors: tensor '%s' has dtype %s, expected F32",
                           si->name, si->dtype);
      break;
    }
    if ((st = check_shape(si, 1, s->n_each, 0, err))) break;
    tetra_tensor *t = NULL;
    if ((st = tetra_safetensors_tensor(b->st, &heap, w[p]->name, &t, err))) break;
    memcpy(wbuf + p * s->n_each * s->k, tetra_tensor_data(t), s->n_each * s->k);
    tetra_tensor_free(t);
    if ((st = read_f32(b, si, sbuf + p * s->n_each, s->n_each, err))) break;
    if ((st = read_f32(b, bias[p], bbuf + p * s->n_each, s->n_each, err))) break;
  }
  if (!st) st = tetra_tensor_wrap(&heap, TETRA_I8, 2, wshape, wbuf, n * s->k, &tw, err);
  if (!st) st = tetra_tensor_wrap(&heap, TETRA_F32, 1, nshape, sbuf, n * sizeof(float), &ts, err);
  if (!st) st = tetra_tensor_wrap(&heap, TETRA_F32, 1, nshape, bbuf, n * sizeof(float), &tb, err);
  if (!st) st = tetra_linear_create_int8(b->allocator, tw, ts, tb, out, err);
  tetra_tensor_free(tw);
  tetra_tensor_free(ts);
  tetra_tensor_free(tb);
  tetra_free(b->allocator, wbuf);
  tetra_free(b->allocator, sbuf);
  tetra_free(b->allocator, bbuf);
  return st;
}

/* int8_weights: this linear is stored as I8 in an int8 file (the encoder layers' linears). */
static tetra_status linear(const nn_binder *b, const linear_spec *s, int int8_weights, int int8_run,
                           tetra_linear **out, tetra_error *err) {
  const tetra_safetensors_info *w[3], *bias[3];
  char name[256];
  for (size_t p = 0; p < s->parts; p++) {
    snprintf(name, sizeof name, "%s.weight", s->stems[p]);
    const tetra_safetensors_info *info = nn_find(b, name, s->base);
    if (!info) return missing(b, name, s->base, err);
    if (int8_weights ? strcmp(info->dtype, "I8") != 0 : !is_float_dtype(info->dtype))
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "model.safetensors: tensor '%s' has dtype %s, expected %s", info->name,
                             info->dtype, int8_weights ? "I8 (a tetra int8 file)" : "F32, F16 or BF16");
    tetra_status st = check_shape(info, 2, s->n_each, s->k, err);
    if (st) return st;
    w[p] = info;
    snprintf(name, sizeof name, "%s.bias", s->stems[p]);
    if ((st = nn_require(b, name, s->base, 1, s->n_each, 0, &bias[p], err))) return st;
  }
  tetra_status st = int8_weights ? linear_from_int8(b, s, w, bias, out, err)
                                 : linear_from_float(b, s, w, bias, int8_run, out, err);
  if (st) tetra_error_prefix(err, "model.safetensors: %s", w[0]->name);
  return st;
}

static tetra_status bind_layer(const nn_binder *b, uint32_t i, int int8_run, nn_layer *l,
                               tetra_error *err) {
  const nn_config *c = b->cfg;
  char stems[NN_LIN_COUNT][160], name[200];
  for (int which = 0; which < NN_LIN_COUNT; which++)
    nn_layer_linear_name(c->arch, i, which, stems[which], sizeof stems[which]);
  linear_spec qkv = {{stems[NN_LIN_Q], stems[NN_LIN_K], stems[NN_LIN_V]}, 3, c->hidden, c->hidden, 1};
  linear_spec o = {{stems[NN_LIN_O]}, 1, c->hidden, c->hidden, 1};
  linear_spec f1 = {{stems[NN_LIN_FFN_IN]}, 1, c->intermediate, c->hidden, 1};
  linear_spec f2 = {{stems[NN_LIN_FFN_OUT]}, 1, c->hidden, c->intermediate, 1};
  tetra_status st;
  if ((st = linear(b, &qkv, b->int8_file, int8_run, &l->qkv, err)) ||
      (st = linear(b, &o, b->int8_file, int8_run, &l->attn_out, err)) ||
      (st = linear(b, &f1, b->int8_file, int8_run, &l->ffn_in, err)) ||
      (st = linear(b, &f2, b->int8_file, int8_run, &l->ffn_out, err)))
    return st;
  for (int which = 0; which < 2; which++) {
    char ln[160];
    layer_norm_name(c->arch, i, which, ln, sizeof ln);
    snprintf(name, sizeof name, "%s.weight", ln);
    if ((st = vector(b, name, 1, c->hidden, which ? &l->ln2_g : &l->ln1_g, err))) return st;
    snprintf(name, sizeof name, "%s.bias", ln);
    if ((st = vector(b, name, 1, c->hidden, which ? &l->ln2_b : &l->ln1_b, err))) return st;
  }
  return TETRA_OK;
}

/* Pooler and classification heads: always float32 (a few small matrices; int8 would only cost
 * accuracy here). */
static tetra_status bind_heads(const nn_binder *b, tetra_encoder *m, tetra_error *err) {
  const nn_config *c = b->cfg;
  tetra_status st;
  int want_pooler = c->head == TETRA_HEAD_SEQUENCE && c->arch == NN_BERT;
  int has_pooler = nn_find(b, "pooler.dense.weight", 1) != NULL;
  if (want_pooler || has_pooler) {
    linear_spec p = {{"pooler.dense"}, 1, c->hidden, c->hidden, 1};
    if ((st = linear(b, &p, 0, 0, &m->pooler, err))) return st;
  }
  if (c->head == TETRA_HEAD_NONE) return TETRA_OK;
  linear_spec cls = {{"classifier"}, 1, c->num_labels, c->hidden, 0};
  if (c->head == TETRA_HEAD_SEQUENCE && c->arch != NN_BERT) {
    int distil = c->arch == NN_DISTILBERT;
    linear_spec dense = {{distil ? "pre_classifier" : "classifier.dense"}, 1, c->hidden, c->hidden, 0};
    if ((st = linear(b, &dense, 0, 0, &m->head_dense, err))) return st;
    if (!distil) cls.stems[0] = "classifier.out_proj";
  }
  return linear(b, &cls, 0, 0, &m->classifier, err);
}

tetra_status nn_bind_weights(tetra_encoder *m, const void *file, size_t file_len,
                             const tetra_safetensors *st, int int8_file, int int8_run,
                             tetra_error *err) {
  (void)file;
  (void)file_len;
  const nn_config *c = &m->cfg;
  nn_binder b = {st, c, m->allocator, int8_file};
  tetra_status s;
  if ((s = table(&b, "embeddings.word_embeddings.weight", c->vocab_size, c->hidden, &m->word, err)) ||
      (s = table(&b, "embeddings.position_embeddings.weight", c->max_position_embeddings, c->hidden,
                 &m->position, err)))
    return s;
  if (c->arch != NN_DISTILBERT && c->type_vocab_size > 0 &&
      (s = table(&b, "embeddings.token_type_embeddings.weight", c->type_vocab_size, c->hidden,
                 &m->token_type, err)))
    return s;
  if ((s = vector(&b, "embeddings.LayerNorm.weight", 1, c->hidden, &m->emb_ln_g, err)) ||
      (s = vector(&b, "embeddings.LayerNorm.bias", 1, c->hidden, &m->emb_ln_b, err)))
    return s;
  m->layers = tetra_alloc(m->allocator, c->layers * sizeof(nn_layer));
  if (!m->layers) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "model.safetensors: out of memory");
  memset(m->layers, 0, c->layers * sizeof(nn_layer));
  for (uint32_t i = 0; i < c->layers; i++)
    if ((s = bind_layer(&b, i, int8_run, &m->layers[i], err))) return s;
  return bind_heads(&b, m, err);
}
