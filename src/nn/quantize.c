/* The int8 converter: the encoder layers' linear weights (query, key, value, attention output,
 * both feed-forward matrices) become I8 [N, K] with float32 scales "<name>_scale" [N], quantized
 * per output channel by tetra_linear's own rule (tetra_linear_quantize_weights), so that loading
 * the result equals loading the float file with TETRA_PRECISION_INT8, bit for bit. Embeddings,
 * norms, the pooler and the heads stay float (as float32); other tensors are copied. */
#include <stdio.h>
#include <string.h>

#include "nn_impl.h"

typedef struct qstate {
  const tetra_allocator *allocator;
  tetra_safetensors_entry *entries;
  char **names;     /* allocated names ("<name>_scale") */
  tetra_tensor **tensors;
  size_t n, cap;
} qstate;

static tetra_status push(qstate *q, const char *name, char *owned_name, tetra_tensor *t,
                         tetra_error *err) {
  if (q->n == q->cap) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "quantize: too many tensors");
  q->entries[q->n].name = owned_name ? owned_name : name;
  q->entries[q->n].tensor = t;
  q->names[q->n] = owned_name;
  q->tensors[q->n] = t;
  q->n++;
  return TETRA_OK;
}

/* Is `name` one of the encoder layers' linear weights? (Names as found in the file.) */
static int is_layer_linear(const nn_binder *b, const char *name) {
  for (uint32_t i = 0; i < b->cfg->layers; i++)
    for (int which = 0; which < NN_LIN_COUNT; which++) {
      char stem[160], w[180];
      nn_layer_linear_name(b->cfg->arch, i, which, stem, sizeof stem);
      snprintf(w, sizeof w, "%s.weight", stem);
      const tetra_safetensors_info *info = nn_find(b, w, 1);
      if (info && !strcmp(info->name, name)) return 1;
    }
  return 0;
}

static tetra_status quantize_one(qstate *q, const tetra_safetensors *st,
                                 const tetra_safetensors_info *info, tetra_error *err) {
  tetra_tensor_ctx heap = {q->allocator, NULL};
  tetra_tensor *w = NULL, *tq = NULL, *ts = NULL;
  tetra_status s = tetra_safetensors_tensor(st, &heap, info->name, &w, err);
  if (!s && info->rank != 2)
    s = tetra_error_set(err, TETRA_ERR_FORMAT, "quantize: tensor '%s' is not a matrix", info->name);
  int64_t nshape[1] = {info->shape[0]};
  if (!s) s = tetra_tensor_zeros(&heap, TETRA_I8, 2, info->shape, &tq, err);
  if (!s) s = tetra_tensor_zeros(&heap, TETRA_F32, 1, nshape, &ts, err);
  if (!s) s = tetra_linear_quantize_weights(q->allocator, w, tetra_tensor_data(tq), tetra_tensor_data(ts), err);
  tetra_tensor_free(w);
  char *scale_name = NULL;
  if (!s) {
    size_t len = strlen(info->name);
    if (!(scale_name = tetra_alloc(q->allocator, len + 7)))
      s = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "quantize: out of memory");
    else
      memcpy(scale_name, info->name, len), memcpy(scale_name + len, "_scale", 7);
  }
  if (!s) s = push(q, info->name, NULL, tq, err);
  else tetra_tensor_free(tq);
  if (!s) s = push(q, NULL, scale_name, ts, err);
  else {
    tetra_tensor_free(ts);
    tetra_free(q->allocator, scale_name);
  }
  if (s) tetra_error_prefix(err, "quantize: %s", info->name);
  return s;
}

tetra_status tetra_encoder_quantize(const char *config_json, size_t config_len,
                                    const void *safetensors, size_t safetensors_len,
                                    const tetra_allocator *allocator, uint8_t **out, size_t *out_len,
                                    tetra_error *err) {
  if (!out || !out_len)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "quantize: NULL output pointer");
  *out = NULL;
  *out_len = 0;
  if (!config_json || !safetensors)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "quantize: NULL %s",
                           config_json ? "safetensors bytes" : "config.json text");
  if (!allocator) allocator = tetra_allocator_default();
  nn_config cfg;
  tetra_status s = nn_config_parse(config_json, config_len, allocator, &cfg, err);
  if (s) return s;
  tetra_safetensors *st = NULL;
  qstate q = {allocator, NULL, NULL, NULL, 0, 0};
  if ((s = tetra_safetensors_open(safetensors, safetensors_len, allocator, &st, err))) {
    tetra_error_prefix(err, "model.safetensors");
    nn_config_free(&cfg);
    return s;
  }
  const char *done = tetra_safetensors_metadata(st, "tetra.quantization");
  if (done)
    s = tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                        "quantize: model.safetensors is already quantized (tetra.quantization %s)", done);
  nn_binder b = {st, &cfg, allocator, 0};
  /* every layer linear must be there: the result has to load */
  for (uint32_t i = 0; i < cfg.layers && !s; i++)
    for (int which = 0; which < NN_LIN_COUNT && !s; which++) {
      char stem[160], w[180];
      nn_layer_linear_name(cfg.arch, i, which, stem, sizeof stem);
      snprintf(w, sizeof w, "%s.weight", stem);
      const tetra_safetensors_info *info;
      size_t rows = which <= NN_LIN_O ? cfg.hidden : which == NN_LIN_FFN_IN ? cfg.intermediate : cfg.hidden;
      size_t cols = which == NN_LIN_FFN_OUT ? cfg.intermediate : cfg.hidden;
      s = nn_require(&b, w, 1, 2, rows, cols, &info, err);
    }
  size_t count = tetra_safetensors_count(st);
  q.cap = 2 * count + 1;
  if (!s) {
    q.entries = tetra_alloc(allocator, q.cap * sizeof *q.entries);
    q.names = tetra_alloc(allocator, q.cap * sizeof *q.names);
    q.tensors = tetra_alloc(allocator, q.cap * sizeof *q.tensors);
    if (!q.entries || !q.names || !q.tensors)
      s = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "quantize: out of memory");
  }
  tetra_tensor_ctx heap = {allocator, NULL};
  for (size_t i = 0; i < count && !s; i++) {
    const tetra_safetensors_info *info = tetra_safetensors_at(st, i);
    if (is_layer_linear(&b, info->name)) {
      s = quantize_one(&q, st, info, err);
      continue;
    }
    tetra_tensor *t = NULL, *f = NULL;
    tetra_error local;
    tetra_status ts = tetra_safetensors_tensor(st, &heap, info->name, &t, &local);
    if (ts == TETRA_ERR_UNSUPPORTED) continue; /* a dtype tetra cannot hold: unused by encoders */
    if (ts) {
      if (err) *err = local;
      s = ts;
      break;
    }
    tetra_dtype d = tetra_tensor_dtype(t);
    if (d == TETRA_F16 || d == TETRA_BF16) {
      s = tetra_tensor_cast(&heap, t, TETRA_F32, &f, err);
      tetra_tensor_free(t);
      t = f;
    }
    if (!s) s = push(&q, info->name, NULL, t, err);
    else tetra_tensor_free(t);
  }
  if (!s) {
    static const char *const meta[] = {"format", "pt", "tetra.quantization", "int8-per-channel"};
    s = tetra_safetensors_write(q.entries, q.n, meta, 2, allocator, out, out_len, err);
  }
  for (size_t i = 0; i < q.n; i++) {
    tetra_tensor_free(q.tensors[i]);
    tetra_free(allocator, q.names[i]);
  }
  tetra_free(allocator, q.entries);
  tetra_free(allocator, q.names);
  tetra_free(allocator, q.tensors);
  tetra_safetensors_close(st);
  nn_config_free(&cfg);
  return s;
}
