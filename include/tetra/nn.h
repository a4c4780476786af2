/* tetra nn: transformer encoders (BERT, RoBERTa, DistilBERT, XLM-RoBERTa) loaded straight from the
 * files a Hugging Face model repository ships: config.json and model.safetensors (fp32, fp16 or
 * bf16), or the int8 safetensors that tetra_encoder_quantize writes.
 *
 * Tensor names are accepted with or without the architecture prefix ("bert.", "roberta.",
 * "distilbert.") that *For...* checkpoints carry. Errors name the config field, the tensor (with its
 * expected and actual shape) or the limit at fault, and a failed call leaves the model usable.
 *
 * Memory: weights are packed for the GEMM kernels at load (linear layers) or used in place
 * (embeddings, norms; the safetensors bytes must then outlive the model). Each forward pass
 * allocates from an arena owned by the model and reset at the start of the next call, so repeated
 * calls of the same size keep the heap flat. One model must not be used by two threads at once. */
#ifndef TETRA_NN_H
#define TETRA_NN_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tetra_encoder tetra_encoder;

typedef enum tetra_precision {
  TETRA_PRECISION_AUTO = 0, /* int8 when the file is tetra-quantized, else float32 */
  TETRA_PRECISION_F32 = 1,  /* float32 linear layers (an int8 file is refused) */
  TETRA_PRECISION_INT8 = 2  /* int8 linear layers; float weights are quantized at load */
} tetra_precision;

typedef enum tetra_encoder_head {
  TETRA_HEAD_NONE = 0,     /* BertModel & co: hidden states, pooler output, embeddings */
  TETRA_HEAD_SEQUENCE = 1, /* *ForSequenceClassification: logits [batch, num_labels] */
  TETRA_HEAD_TOKEN = 2     /* *ForTokenClassification: logits [batch, seq, num_labels] */
} tetra_encoder_head;

typedef struct tetra_encoder_info {
  const char *model_type;   /* "bert", "roberta", "distilbert", "xlm-roberta" */
  const char *architecture; /* config.json architectures[0], or "" */
  uint32_t vocab_size, hidden_size, num_layers, num_heads, intermediate_size;
  uint32_t max_positions;   /* usable sequence length (RoBERTa: max_position_embeddings - pad - 1) */
  uint32_t type_vocab_size; /* 0 when the model has no token types (DistilBERT) */
  tetra_encoder_head head;
  uint32_t num_labels;
  int multi_label;          /* problem_type "multi_label_classification": sigmoid, not softmax */
  int has_pooler;
  int int8;                 /* linear layers run in int8 */
} tetra_encoder_info;

tetra_status tetra_encoder_load(const char *config_json, size_t config_len, const void *safetensors,
                                size_t safetensors_len, tetra_precision precision,
                                const tetra_allocator *allocator, tetra_encoder **out,
                                tetra_error *err);
void tetra_encoder_free(tetra_encoder *model);
const tetra_encoder_info *tetra_encoder_get_info(const tetra_encoder *model);
/* id2label[index] from config.json, or "LABEL_<index>" when absent. */
const char *tetra_encoder_label(const tetra_encoder *model, uint32_t index);

/* Runs the encoder on a padded batch: input_ids [batch, seq_len]; attention_mask NULL for all ones;
 * token_type_ids NULL for zeros. Writes the last hidden state [batch, seq_len, hidden] to
 * hidden_out when it is not NULL, and keeps it for the calls below until the next forward. Ids out
 * of range and sequences longer than max_positions are errors naming the position. */
tetra_status tetra_encoder_forward(tetra_encoder *model, const int32_t *input_ids,
                                   const int32_t *attention_mask, const int32_t *token_type_ids,
                                   size_t batch, size_t seq_len, float *hidden_out,
                                   tetra_error *err);

typedef enum tetra_pooling {
  TETRA_POOL_MEAN = 0, /* mean over tokens with attention_mask 1 */
  TETRA_POOL_CLS = 1,  /* the first token */
  TETRA_POOL_MAX = 2,  /* max over tokens with attention_mask 1 */
  TETRA_POOL_MEAN_SQRT_LEN = 3
} tetra_pooling;

/* After forward: sentence embeddings [batch, hidden], L2-normalised when normalize != 0. */
tetra_status tetra_encoder_pool(tetra_encoder *model, tetra_pooling pooling, int normalize,
                                float *out, tetra_error *err);
/* After forward: the pooler output tanh(W h[CLS] + b), [batch, hidden] (models with a pooler). */
tetra_status tetra_encoder_pooler(tetra_encoder *model, float *out, tetra_error *err);
/* After forward: the classification head's logits (see tetra_encoder_head for the shape). */
tetra_status tetra_encoder_logits(tetra_encoder *model, float *out, tetra_error *err);

/* The int8 converter: quantizes every linear layer's weight per output channel (symmetric, scale =
 * max|w| / 127) and writes a safetensors file with the int8 weights under their own names, the
 * scales beside them as "<name>_scale" (float32 [out_features]), every other tensor as float32, and
 * metadata {"tetra.quantization": "int8-per-channel"}. Loading it gives the same results as
 * loading the float file with TETRA_PRECISION_INT8. *out is freed with tetra_free(allocator). */
tetra_status tetra_encoder_quantize(const char *config_json, size_t config_len,
                                    const void *safetensors, size_t safetensors_len,
                                    const tetra_allocator *allocator, uint8_t **out, size_t *out_len,
                                    tetra_error *err);

#ifdef __cplusplus
}
#endif
#endif
