/* The encoder part of the C ABI for js/transformer.js. Thin: the model is a handle, the calls that
 * take only pointers, sizes and enums (tetra_encoder_forward, _pool, _pooler, _logits, _label,
 * _free) are exported as they are, and the wrappers here only turn out-parameters into return
 * values and the info struct into an array of uint32 words, so that JS does not depend on the
 * struct's layout. */
#include <stdint.h>

#include "tetra/nn.h"

/* Returns the model or NULL with err set. The safetensors bytes must outlive the model (tensors
 * such as the embeddings are used in place): JS keeps its copy until it frees the model. */
tetra_encoder *tetra_wasm_encoder_load(const char *config, size_t config_len,
                                       const void *safetensors, size_t safetensors_len,
                                       int precision, tetra_error *err) {
  tetra_encoder *model = NULL;
  tetra_encoder_load(config, config_len, safetensors, safetensors_len, (tetra_precision)precision,
                     NULL, &model, err);
  return model;
}

/* Info words, in this order (js/transformer.js reads them). Strings are pointers into the model. */
enum {
  INFO_MODEL_TYPE, INFO_ARCHITECTURE, INFO_VOCAB_SIZE, INFO_HIDDEN_SIZE, INFO_NUM_LAYERS,
  INFO_NUM_HEADS, INFO_INTERMEDIATE_SIZE, INFO_MAX_POSITIONS, INFO_TYPE_VOCAB_SIZE, INFO_HEAD,
  INFO_NUM_LABELS, INFO_MULTI_LABEL, INFO_HAS_POOLER, INFO_INT8, INFO_WORDS
};

/* Writes min(n, INFO_WORDS) words; returns INFO_WORDS so JS can check it asked for enough. */
int tetra_wasm_encoder_info(const tetra_encoder *model, uint32_t *words, size_t n) {
  const tetra_encoder_info *info = tetra_encoder_get_info(model);
  uint32_t all[INFO_WORDS];
  all[INFO_MODEL_TYPE] = (uint32_t)(uintptr_t)info->model_type;
  all[INFO_ARCHITECTURE] = (uint32_t)(uintptr_t)info->architecture;
  all[INFO_VOCAB_SIZE] = info->vocab_size;
  all[INFO_HIDDEN_SIZE] = info->hidden_size;
  all[INFO_NUM_LAYERS] = info->num_layers;
  all[INFO_NUM_HEADS] = info->num_heads;
  all[INFO_INTERMEDIATE_SIZE] = info->intermediate_size;
  all[INFO_MAX_POSITIONS] = info->max_positions;
  all[INFO_TYPE_VOCAB_SIZE] = info->type_vocab_size;
  all[INFO_HEAD] = (uint32_t)info->head;
  all[INFO_NUM_LABELS] = info->num_labels;
  all[INFO_MULTI_LABEL] = (uint32_t)info->multi_label;
  all[INFO_HAS_POOLER] = (uint32_t)info->has_pooler;
  all[INFO_INT8] = (uint32_t)info->int8;
  for (size_t i = 0; i < n && i < INFO_WORDS; i++) words[i] = all[i];
  return INFO_WORDS;
}

/* The int8 converter. out[0] receives the file's pointer (free with tetra_wasm_free: the default
 * allocator is malloc), out[1] its length. Returns the status. */
int tetra_wasm_encoder_quantize(const char *config, size_t config_len, const void *safetensors,
                                size_t safetensors_len, uint32_t *out, tetra_error *err) {
  uint8_t *bytes = NULL;
  size_t len = 0;
  tetra_status st = tetra_encoder_quantize(config, config_len, safetensors, safetensors_len, NULL,
                                           &bytes, &len, err);
  out[0] = (uint32_t)(uintptr_t)bytes;
  out[1] = (uint32_t)len;
  return (int)st;
}
