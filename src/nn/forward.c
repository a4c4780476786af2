/* The encoder pass: embeddings, then per layer fused QKV, attention per (batch, head), output
 * projection + residual + LayerNorm, feed-forward (activation fused into the first GEMM) +
 * residual + LayerNorm. Post-LN, as BERT, RoBERTa and DistilBERT all are.
 *
 * Memory: the residual stream, the mask copy and the final hidden state live in m->arena (reset
 * per call, kept for pool/pooler/logits); each layer's temporaries live in m->layer_arena, reset
 * per layer, so a pass needs one layer's worth of scratch however deep the model is. */
#include <math.h>
#include <string.h>

#include "nn_impl.h"
#include "tensor/kernels/kernels.h"

tetra_status nn_linear_rows(tetra_arena *arena, const tetra_linear *l, const float *x, size_t rows,
                            tetra_activation act, float **out, tetra_error *err, const char *what) {
  tetra_tensor_ctx ctx = {arena->allocator, arena};
  size_t k = tetra_linear_in_features(l);
  int64_t shape[2] = {(int64_t)rows, (int64_t)k};
  tetra_tensor *tx = NULL, *ty = NULL;
  tetra_status st = tetra_tensor_wrap(&ctx, TETRA_F32, 2, shape, (void *)x, rows * k * sizeof(float), &tx, err);
  if (!st) st = tetra_linear_forward(&ctx, l, tx, act, &ty, err);
  if (st) {
    tetra_error_prefix(err, "%s", what);
    return st;
  }
  *out = tetra_tensor_data(ty);
  return TETRA_OK;
}

static tetra_status oom(tetra_error *err) {
  return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "forward: out of memory");
}

/* Row `id` of an embedding table as float32 (in place for F32 tables, else widened into tmp). */
static const float *table_row(const nn_table *t, size_t id, float *tmp) {
  switch (t->dtype) {
    case TETRA_F16: f16_to_f32(t->cols, (const uint16_t *)t->data + id * t->cols, tmp); return tmp;
    case TETRA_BF16: bf16_to_f32(t->cols, (const uint16_t *)t->data + id * t->cols, tmp); return tmp;
    default: return (const float *)t->data + id * t->cols;
  }
}

/* Validates every input before anything changes, so that a refused call leaves the previous
 * results (and the model) as they were. */
static tetra_status check_inputs(const tetra_encoder *m, const int32_t *ids, const int32_t *mask,
                                 const int32_t *types, size_t batch, size_t seq_len, tetra_error *err) {
  const nn_config *c = &m->cfg;
  if (batch == 0) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "forward: batch is 0");
  if (seq_len == 0) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "forward: seq_len is 0");
  uint32_t max_pos = nn_config_max_positions(c);
  if (seq_len > max_pos)
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "forward: seq_len %zu exceeds the model's limit of %u positions "
                           "(max_position_embeddings %u)", seq_len, max_pos, c->max_position_embeddings);
  /* Largest per-call buffers: [T, max(3H, I)] floats and one [S, S] score matrix. */
  size_t width = 3 * (size_t)c->hidden > c->intermediate ? 3 * (size_t)c->hidden : c->intermediate;
  if (batch > SIZE_MAX / 16 / seq_len / width || seq_len > SIZE_MAX / 16 / seq_len)
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "forward: batch %zu x seq_len %zu is too large for this address space",
                           batch, seq_len);
  for (size_t i = 0; i < batch * seq_len; i++) {
    if (ids[i] < 0 || (uint32_t)ids[i] >= c->vocab_size)
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "forward: input_ids[%zu][%zu] = %d is outside the vocabulary [0, %u)",
                             i / seq_len, i % seq_len, (int)ids[i], c->vocab_size);
    if (mask && mask[i] != 0 && mask[i] != 1)
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "forward: attention_mask[%zu][%zu] = %d, expected 0 or 1", i / seq_len,
                             i % seq_len, (int)mask[i]);
    /* DistilBERT has no token types: they are ignored, as its forward() does not take them */
    if (types && m->token_type.tensor && (types[i] < 0 || (uint32_t)types[i] >= c->type_vocab_size))
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "forward: token_type_ids[%zu][%zu] = %d is outside [0, %u) "
                             "(type_vocab_size)", i / seq_len, i % seq_len, (int)types[i],
                             c->type_vocab_size);
  }
  return TETRA_OK;
}

/* word + token type, then + position (Hugging Face's order), then LayerNorm, into x [T, H]. */
static tetra_status embed(tetra_encoder *m, const int32_t *ids, const int32_t *types, size_t batch,
                          size_t seq_len, float *x, tetra_error *err) {
  const nn_config *c = &m->cfg;
  const size_t H = c->hidden;
  float *tmp = tetra_arena_alloc(&m->layer_arena, 3 * H * sizeof(float));
  if (!tmp) return oom(err);
  int roberta = c->arch == NN_ROBERTA || c->arch == NN_XLM_ROBERTA;
  for (size_t b = 0; b < batch; b++) {
    int64_t count = 0; /* RoBERTa: non-padding tokens so far */
    for (size_t t = 0; t < seq_len; t++) {
      size_t i = b * seq_len + t;
      size_t pos = t;
      if (roberta) {
        /* create_position_ids_from_input_ids: padding tokens sit at padding_idx, the others
         * count up from padding_idx + 1 */
        if (ids[i] != c->pad_token_id) pos = (size_t)(c->pad_token_id + ++count);
        else pos = (size_t)c->pad_token_id;
      }
      float *xr = x + i * H;
      const float *w = table_row(&m->word, (size_t)ids[i], tmp);
      if (m->token_type.tensor) {
        const float *ty = table_row(&m->token_type, types ? (size_t)types[i] : 0, tmp + H);
        for (size_t j = 0; j < H; j++) xr[j] = w[j] + ty[j];
      } else {
        memcpy(xr, w, H * sizeof(float));
      }
      const float *p = table_row(&m->position, pos, tmp + 2 * H);
      for (size_t j = 0; j < H; j++) xr[j] += p[j];
    }
  }
  layernorm_f32(batch * seq_len, H, x, H, m->emb_ln_g, m->emb_ln_b, c->eps, x, H);
  return TETRA_OK;
}

/* Query rows per block of attention: the block's scores (rows x keys floats) stay in L1/L2
 * between the two products, instead of a whole [S, S] matrix (1 MB per head at 512 tokens) making
 * a round trip through memory for each of QK^T, the softmax and P V. A multiple of 5 (the f32
 * GEMM's main tile height), at least 10, at most 40 rows, and near 32 KB of scores. */
static size_t attention_rows(size_t L) {
  size_t r = 8192 / L / 5 * 5;
  return r < 10 ? 10 : r > 40 ? 40 : r;
}

/* Scaled dot-product attention over qkv [T, 3H] (query | key | value, heads side by side) into
 * ctx [T, H]. Keys after a row's last unmasked one are skipped: their weights are exactly 0 in
 * PyTorch too (exp of the finfo.min-shifted score underflows), so the result is the same. A row
 * with no unmasked key attends uniformly to all keys, as PyTorch's additive mask gives.
 *
 * Per (batch, head), K and V are packed once for the GEMM kernel; then each block of query rows
 * goes through scores = Q K^T, P = exp(scores - max) with its row sums, ctx = (P V) / sum, all on
 * a small block. Dividing P V's d columns instead of P's L entries is the same softmax rounded in
 * a different place (a few ulp, far inside the 1e-4 tolerance against PyTorch). */
static tetra_status attention(tetra_encoder *m, float *qkv, const int32_t *mask, size_t batch,
                              size_t S, float *ctx, tetra_error *err) {
  const nn_config *c = &m->cfg;
  const size_t H = c->hidden, nh = c->heads, d = H / nh, ld = 3 * H;
  const size_t RB = attention_rows(S);
  float *kp = tetra_arena_alloc(&m->layer_arena, gemm_f32_packed_size(d, S) * sizeof(float));
  float *vp = tetra_arena_alloc(&m->layer_arena, gemm_f32_packed_size(S, d) * sizeof(float));
  float *scores = tetra_arena_alloc(&m->layer_arena, RB * S * sizeof(float));
  float *sums = tetra_arena_alloc(&m->layer_arena, RB * sizeof(float));
  float *bias = tetra_arena_alloc(&m->layer_arena, S * sizeof(float));
  if (!kp || !vp || !scores || !sums || !bias) return oom(err);
  /* 1/sqrt(d) is applied to the queries once (T x H products) rather than to every score
   * (S x S per head), as DistilBERT does; the rounding differs from BERT's scores / sqrt(d) by an
   * ulp here and there, far inside the tolerance against PyTorch. qkv is this layer's own buffer. */
  const float inv_sqrt_d = 1.0f / sqrtf((float)d);
  for (size_t t = 0; t < batch * S; t++) binary_f32_scalar_right(KERNEL_MUL, H, qkv + t * ld, inv_sqrt_d, qkv + t * ld);
  for (size_t b = 0; b < batch; b++) {
    const int32_t *mb = mask ? mask + b * S : NULL;
    size_t L = S; /* keys that matter: up to the last unmasked one */
    int holes = 0; /* masked keys before it (not just right padding) */
    if (mb) {
      while (L > 0 && mb[L - 1] == 0) L--;
      for (size_t j = 0; j < L; j++) {
        bias[j] = mb[j] ? 0.0f : -INFINITY;
        holes |= !mb[j];
      }
    }
    for (size_t h = 0; h < nh; h++) {
      const float *q = qkv + b * S * ld + h * d, *k = q + H, *v = q + 2 * H;
      float *out = ctx + b * S * H + h * d;
      if (L == 0) { /* every key masked: uniform weights, the mean of the values */
        for (size_t j = 0; j < d; j++) {
          float s = 0.0f;
          for (size_t t = 0; t < S; t++) s += v[t * ld + j];
          for (size_t t = 0; t < S; t++) out[t * H + j] = s / (float)S;
        }
        continue;
      }
      /* K's rows are the B operand of Q K^T in the transposed (Linear) layout; V's of P V in the
       * plain one */
      gemm_f32_pack_b(d, L, k, ld, 1, kp);
      gemm_f32_pack_b(L, d, v, ld, 0, vp);
      for (size_t i0 = 0; i0 < S; i0 += RB) {
        const size_t rows = S - i0 < RB ? S - i0 : RB;
        gemm_f32_packed(rows, L, d, q + i0 * ld, ld, kp, NULL, KERNEL_ACT_NONE, scores, L);
        if (holes)
          for (size_t i = 0; i < rows; i++) binary_f32(KERNEL_ADD, L, scores + i * L, bias, scores + i * L);
        softmax_exp_f32(rows, L, scores, L, scores, L, sums);
        float *o = out + i0 * H;
        gemm_f32_packed(rows, d, L, scores, L, vp, NULL, KERNEL_ACT_NONE, o, H);
        for (size_t i = 0; i < rows; i++) binary_f32_scalar_right(KERNEL_DIV, d, o + i * H, sums[i], o + i * H);
      }
    }
  }
  return TETRA_OK;
}

/* x = LayerNorm(a + x), row by row: each row's sum is normalised while it is still in L1, instead
 * of a pass writing the whole [T, H] sum and a second one reading it back. The same operations
 * in the same order as an add over everything followed by layernorm_f32, so bit for bit the same
 * result. Row t of x is read (by the add) before the LayerNorm overwrites it. */
static void add_layernorm(size_t T, size_t H, float *a, float *x, const float *gamma,
                          const float *beta, float eps) {
  for (size_t t = 0; t < T; t++) {
    float *ar = a + t * H, *xr = x + t * H;
    binary_f32(KERNEL_ADD, H, ar, xr, ar);
    layernorm_f32(1, H, ar, H, gamma, beta, eps, xr, H);
  }
}

static tetra_status run_layer(tetra_encoder *m, const nn_layer *l, float *x, const int32_t *mask,
                              size_t batch, size_t S, tetra_error *err) {
  const nn_config *c = &m->cfg;
  const size_t T = batch * S, H = c->hidden;
  tetra_arena_reset(&m->layer_arena);
  float *qkv, *ctx, *a, *f1, *f2;
  tetra_status st = nn_linear_rows(&m->layer_arena, l->qkv, x, T, TETRA_ACT_NONE, &qkv, err, "query/key/value");
  if (st) return st;
  if (!(ctx = tetra_arena_alloc(&m->layer_arena, T * H * sizeof(float)))) return oom(err);
  if ((st = attention(m, qkv, mask, batch, S, ctx, err))) return st;
  if ((st = nn_linear_rows(&m->layer_arena, l->attn_out, ctx, T, TETRA_ACT_NONE, &a, err, "attention output")))
    return st;
  add_layernorm(T, H, a, x, l->ln1_g, l->ln1_b, c->eps);
  /* ReLU is fused into the GEMM's epilogue (in registers); GELU there would go through scalar
   * libm erff/tanhf per element, about a tenth of the whole pass, so it runs afterwards as a
   * SIMD kernel over the block instead: for the erf form the fast one (within 1e-6 |x|, a third
   * of unary_f32's cost, which was 6-9% of an int8 pass at 512 tokens). */
  tetra_activation fused = c->act == TETRA_ACT_RELU ? TETRA_ACT_RELU : TETRA_ACT_NONE;
  if ((st = nn_linear_rows(&m->layer_arena, l->ffn_in, x, T, fused, &f1, err, "feed-forward")))
    return st;
  if (c->act == TETRA_ACT_GELU) gelu_erf_fast_f32(T * c->intermediate, f1, f1);
  else if (c->act == TETRA_ACT_GELU_TANH) unary_f32(KERNEL_GELU_TANH, T * c->intermediate, f1, f1);
  if ((st = nn_linear_rows(&m->layer_arena, l->ffn_out, f1, T, TETRA_ACT_NONE, &f2, err, "feed-forward output")))
    return st;
  add_layernorm(T, H, f2, x, l->ln2_g, l->ln2_b, c->eps);
  return TETRA_OK;
}

tetra_status tetra_encoder_forward(tetra_encoder *m, const int32_t *input_ids,
                                   const int32_t *attention_mask, const int32_t *token_type_ids,
                                   size_t batch, size_t seq_len, float *hidden_out,
                                   tetra_error *err) {
  if (!m || !input_ids)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "forward: NULL %s", m ? "input_ids" : "model");
  tetra_status st = check_inputs(m, input_ids, attention_mask, token_type_ids, batch, seq_len, err);
  if (st) return st;
  const size_t T = batch * seq_len, H = m->cfg.hidden;
  m->have_output = 0;
  tetra_arena_reset(&m->arena);
  tetra_arena_reset(&m->layer_arena);
  float *x = tetra_arena_alloc(&m->arena, T * H * sizeof(float));
  int32_t *mask = tetra_arena_alloc(&m->arena, T * sizeof(int32_t));
  if (!x || !mask) return oom(err);
  if (attention_mask) memcpy(mask, attention_mask, T * sizeof(int32_t));
  else for (size_t i = 0; i < T; i++) mask[i] = 1;
  if ((st = embed(m, input_ids, token_type_ids, batch, seq_len, x, err))) return st;
  for (uint32_t i = 0; i < m->cfg.layers; i++) {
    if ((st = run_layer(m, &m->layers[i], x, attention_mask ? mask : NULL, batch, seq_len, err))) {
      tetra_error_prefix(err, "forward: layer %u", i);
      return st;
    }
  }
  if (hidden_out) memcpy(hidden_out, x, T * H * sizeof(float));
  m->hidden = x;
  m->mask = mask;
  m->batch = batch;
  m->seq_len = seq_len;
  m->have_output = 1;
  return TETRA_OK;
}
