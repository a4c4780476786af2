/* Sentence embeddings from the last hidden state, as sentence-transformers' Pooling module
 * computes them: masked tokens are left out of mean and max, the mean divides by
 * max(token count, 1e-9), max pooling sees masked tokens as -1e9, and normalisation divides by
 * max(||x||, 1e-12) like torch.nn.functional.normalize. */
#include <math.h>
#include <string.h>

#include "nn_impl.h"

tetra_status tetra_encoder_pool(tetra_encoder *m, tetra_pooling pooling, int normalize, float *out,
                                tetra_error *err) {
  if (!m || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "pool: NULL %s", m ? "output" : "model");
  if (pooling < TETRA_POOL_MEAN || pooling > TETRA_POOL_MEAN_SQRT_LEN)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "pool: unknown pooling %d", (int)pooling);
  if (!m->have_output)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "pool: no forward pass to pool (call forward first)");
  const size_t H = m->cfg.hidden, S = m->seq_len;
  for (size_t b = 0; b < m->batch; b++) {
    const float *h = m->hidden + b * S * H;
    const int32_t *mask = m->mask + b * S;
    float *o = out + b * H;
    if (pooling == TETRA_POOL_CLS) {
      memcpy(o, h, H * sizeof(float));
    } else if (pooling == TETRA_POOL_MAX) {
      for (size_t j = 0; j < H; j++) o[j] = -1e9f;
      for (size_t t = 0; t < S; t++) {
        if (!mask[t]) continue;
        for (size_t j = 0; j < H; j++)
          if (h[t * H + j] > o[j] || isnan(h[t * H + j])) o[j] = h[t * H + j];
      }
    } else {
      memset(o, 0, H * sizeof(float));
      float count = 0.0f;
      for (size_t t = 0; t < S; t++) {
        if (!mask[t]) continue;
        count += 1.0f;
        for (size_t j = 0; j < H; j++) o[j] += h[t * H + j];
      }
      if (count < 1e-9f) count = 1e-9f;
      float div = pooling == TETRA_POOL_MEAN ? count : sqrtf(count);
      for (size_t j = 0; j < H; j++) o[j] /= div;
    }
    if (normalize) {
      double ss = 0.0;
      for (size_t j = 0; j < H; j++) ss += (double)o[j] * o[j];
      float norm = (float)sqrt(ss);
      if (norm < 1e-12f) norm = 1e-12f;
      for (size_t j = 0; j < H; j++) o[j] /= norm;
    }
  }
  return TETRA_OK;
}
