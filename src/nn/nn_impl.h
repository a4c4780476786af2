/* Internal layout of the nn module's encoders, shared by its files:
 *   config.c   config.json -> nn_config (sizes, activation, labels)
 *   weights.c  Hugging Face tensor names per architecture, shape checks, fused QKV, linears
 *   encoder.c  load / free / info
 *   forward.c  embeddings, attention, feed-forward (the pass itself)
 *   pooling.c  sentence embeddings over the attention mask
 *   heads.c    pooler and classification heads
 *   quantize.c the int8 converter */
#ifndef TETRA_SRC_NN_IMPL_H
#define TETRA_SRC_NN_IMPL_H

#include "tetra/bundle.h"
#include "tetra/nn.h"
#include "tetra/tensor.h"

typedef enum nn_arch { NN_BERT = 0, NN_ROBERTA, NN_DISTILBERT, NN_XLM_ROBERTA } nn_arch;

/* Limits that keep every size product far from overflow (a 32-bit wasm address space holds
 * nothing larger anyway). */
#define NN_MAX_DIM 65536u
#define NN_MAX_LAYERS 1024u
#define NN_MAX_VOCAB 16777216u
#define NN_MAX_LABELS 65536u

typedef struct nn_config {
  nn_arch arch;
  const char *model_type;   /* canonical, static */
  char *architecture;       /* architectures[0] or "" (allocated) */
  uint32_t vocab_size, hidden, layers, heads, intermediate;
  uint32_t max_position_embeddings, type_vocab_size;
  int32_t pad_token_id;     /* RoBERTa: padding_idx of the position embeddings */
  float eps;
  tetra_activation act;
  tetra_encoder_head head;
  uint32_t num_labels;
  int multi_label;
  char **labels;            /* num_labels strings (allocated), or NULL for heads NONE */
  const tetra_allocator *allocator;
} nn_config;

tetra_status nn_config_parse(const char *json, size_t len, const tetra_allocator *allocator,
                             nn_config *cfg, tetra_error *err);
void nn_config_free(nn_config *cfg);
/* Usable sequence length (RoBERTa's position ids start after padding_idx). */
uint32_t nn_config_max_positions(const nn_config *cfg);
/* "bert.", "roberta." or "distilbert.": the base model's attribute name in *For... checkpoints. */
const char *nn_arch_prefix(nn_arch arch);

/* An embedding table over the file's bytes (F32, F16 or BF16), rows read in place. */
typedef struct nn_table {
  tetra_tensor *tensor; /* owns nothing but its header (or an aligned copy) */
  const void *data;
  tetra_dtype dtype;
  size_t rows, cols;
} nn_table;

typedef struct nn_layer {
  tetra_linear *qkv;      /* fused [3H, H]: query, key, value */
  tetra_linear *attn_out; /* [H, H] */
  tetra_linear *ffn_in;   /* [I, H], activation fused */
  tetra_linear *ffn_out;  /* [H, I] */
  float *ln1_g, *ln1_b;   /* after attention */
  float *ln2_g, *ln2_b;   /* after the feed-forward block */
} nn_layer;

struct tetra_encoder {
  const tetra_allocator *allocator;
  nn_config cfg;
  tetra_encoder_info info;
  nn_table word, position, token_type; /* token_type.tensor NULL for DistilBERT */
  float *emb_ln_g, *emb_ln_b;
  nn_layer *layers;
  tetra_linear *pooler;                /* or NULL */
  tetra_linear *head_dense;            /* RoBERTa classifier.dense, DistilBERT pre_classifier */
  tetra_linear *classifier;            /* classifier / out_proj, or NULL */
  /* Per-call memory: forward resets `arena` (results) and `layer_arena` (each layer's
   * temporaries); pool/pooler/logits reset `post` (so calling them many times after one forward
   * keeps the heap flat too). */
  tetra_arena arena, layer_arena, post;
  int have_output;                     /* a forward succeeded and its results are in `arena` */
  size_t batch, seq_len;
  float *hidden;                       /* [batch * seq_len, H] in `arena` */
  int32_t *mask;                       /* [batch * seq_len] copy of the attention mask */
};

/* ---- weights.c ---------------------------------------------------------------------------------- */
/* What a load needs from the file: the open safetensors and how to name things. */
typedef struct nn_binder {
  const tetra_safetensors *st;
  const nn_config *cfg;
  const tetra_allocator *allocator;
  int int8_file; /* linear weights are stored as I8 + "_scale" */
} nn_binder;

/* Linear layers of one encoder layer, in a fixed order (QKV are fused at load). */
enum { NN_LIN_Q = 0, NN_LIN_K, NN_LIN_V, NN_LIN_O, NN_LIN_FFN_IN, NN_LIN_FFN_OUT, NN_LIN_COUNT };
/* The base-relative name of layer `layer`'s linear `which` ("...weight" without prefix). */
void nn_layer_linear_name(nn_arch arch, uint32_t layer, int which, char *buf, size_t size);
/* Finds a tensor under its base-relative name, with the architecture prefix first, then without
 * (and the old LayerNorm.gamma/beta spellings). NULL when absent. */
const tetra_safetensors_info *nn_find(const nn_binder *b, const char *name, int base);
/* Finds and checks a float tensor (F32/F16/BF16) of the given shape (rank 1 or 2); the error
 * names the tensor, the expected and the actual shape. */
tetra_status nn_require(const nn_binder *b, const char *name, int base, size_t rank, size_t d0,
                        size_t d1, const tetra_safetensors_info **out, tetra_error *err);
/* Widens n floats of a tensor's data (F32/F16/BF16) into dst. */
void nn_to_f32(const tetra_safetensors_info *info, const void *file, float *dst, size_t n);

tetra_status nn_bind_weights(tetra_encoder *m, const void *file, size_t file_len,
                             const tetra_safetensors *st, int int8_file, int int8_run,
                             tetra_error *err);

/* ---- forward.c / heads.c ------------------------------------------------------------------------ */
/* y = act(x W^T + b) for x [rows, in_features], y allocated in the arena; errors are prefixed
 * with `what`. */
tetra_status nn_linear_rows(tetra_arena *arena, const tetra_linear *l, const float *x, size_t rows,
                            tetra_activation act, float **out, tetra_error *err, const char *what);

#endif
