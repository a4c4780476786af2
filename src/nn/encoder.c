/* Loading an encoder: config.json, then the safetensors file bound tensor by tensor. */
#include <string.h>

#include "nn_impl.h"

/* A file written by tetra_encoder_quantize: the metadata says so. */
static int is_int8_file(const tetra_safetensors *st) {
  const char *q = tetra_safetensors_metadata(st, "tetra.quantization");
  return q && !strcmp(q, "int8-per-channel");
}

static void fill_info(tetra_encoder *m, int int8_run) {
  const nn_config *c = &m->cfg;
  tetra_encoder_info *i = &m->info;
  i->model_type = c->model_type;
  i->architecture = c->architecture;
  i->vocab_size = c->vocab_size;
  i->hidden_size = c->hidden;
  i->num_layers = c->layers;
  i->num_heads = c->heads;
  i->intermediate_size = c->intermediate;
  i->max_positions = nn_config_max_positions(c);
  i->type_vocab_size = c->arch == NN_DISTILBERT ? 0 : c->type_vocab_size;
  i->head = c->head;
  i->num_labels = c->head == TETRA_HEAD_NONE ? 0 : c->num_labels;
  i->multi_label = c->multi_label;
  i->has_pooler = m->pooler != NULL;
  i->int8 = int8_run;
}

tetra_status tetra_encoder_load(const char *config_json, size_t config_len, const void *safetensors,
                                size_t safetensors_len, tetra_precision precision,
                                const tetra_allocator *allocator, tetra_encoder **out,
                                tetra_error *err) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "encoder load: NULL output pointer");
  *out = NULL;
  if (!config_json || !safetensors)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "encoder load: NULL %s",
                           config_json ? "safetensors bytes" : "config.json text");
  if (precision != TETRA_PRECISION_AUTO && precision != TETRA_PRECISION_F32 &&
      precision != TETRA_PRECISION_INT8)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "encoder load: unknown precision %d",
                           (int)precision);
  if (!allocator) allocator = tetra_allocator_default();
  tetra_encoder *m = tetra_alloc(allocator, sizeof *m);
  if (!m) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "encoder load: out of memory");
  memset(m, 0, sizeof *m);
  m->allocator = allocator;
  tetra_arena_init(&m->arena, allocator, 0);
  tetra_arena_init(&m->layer_arena, allocator, 0);
  tetra_arena_init(&m->post, allocator, 0);
  tetra_safetensors *st = NULL;
  tetra_status s = nn_config_parse(config_json, config_len, allocator, &m->cfg, err);
  if (!s) {
    s = tetra_safetensors_open(safetensors, safetensors_len, allocator, &st, err);
    if (s) tetra_error_prefix(err, "model.safetensors");
  }
  int int8_file = 0, int8_run = 0;
  if (!s) {
    int8_file = is_int8_file(st);
    if (int8_file && precision == TETRA_PRECISION_F32)
      s = tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                          "model.safetensors: the file holds int8 weights (tetra.quantization "
                          "int8-per-channel) and cannot run at float32 precision");
    int8_run = int8_file || precision == TETRA_PRECISION_INT8;
  }
  if (!s) s = nn_bind_weights(m, safetensors, safetensors_len, st, int8_file, int8_run, err);
  tetra_safetensors_close(st);
  if (s) {
    tetra_encoder_free(m);
    return s;
  }
  fill_info(m, int8_run);
  *out = m;
  return TETRA_OK;
}

static void free_layer(const tetra_allocator *a, nn_layer *l) {
  tetra_linear_free(l->qkv);
  tetra_linear_free(l->attn_out);
  tetra_linear_free(l->ffn_in);
  tetra_linear_free(l->ffn_out);
  tetra_free(a, l->ln1_g);
  tetra_free(a, l->ln1_b);
  tetra_free(a, l->ln2_g);
  tetra_free(a, l->ln2_b);
}

void tetra_encoder_free(tetra_encoder *m) {
  if (!m) return;
  const tetra_allocator *a = m->allocator;
  if (m->layers)
    for (uint32_t i = 0; i < m->cfg.layers; i++) free_layer(a, &m->layers[i]);
  tetra_free(a, m->layers);
  tetra_tensor_free(m->word.tensor);
  tetra_tensor_free(m->position.tensor);
  tetra_tensor_free(m->token_type.tensor);
  tetra_free(a, m->emb_ln_g);
  tetra_free(a, m->emb_ln_b);
  tetra_linear_free(m->pooler);
  tetra_linear_free(m->head_dense);
  tetra_linear_free(m->classifier);
  tetra_arena_release(&m->arena);
  tetra_arena_release(&m->layer_arena);
  tetra_arena_release(&m->post);
  nn_config_free(&m->cfg);
  tetra_free(a, m);
}

const tetra_encoder_info *tetra_encoder_get_info(const tetra_encoder *m) { return m ? &m->info : NULL; }

const char *tetra_encoder_label(const tetra_encoder *m, uint32_t index) {
  if (!m || !m->cfg.labels || index >= m->cfg.num_labels) return NULL;
  return m->cfg.labels[index];
}
