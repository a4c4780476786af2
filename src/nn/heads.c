/* The pooler and the classification heads, on the last forward pass's hidden states:
 *   pooler                 tanh(W h[CLS] + b)                              (BertPooler)
 *   BERT sequence          classifier(pooler output)
 *   RoBERTa / XLM-R seq.   out_proj(tanh(dense(h[CLS])))                   (RobertaClassificationHead)
 *   DistilBERT sequence    classifier(relu(pre_classifier(h[CLS])))
 *   token classification   classifier(h) for every token
 * Logits only: softmax or sigmoid is the caller's choice (tetra_encoder_info.multi_label). */
#include <string.h>

#include "nn_impl.h"
#include "tensor/kernels/kernels.h"

static tetra_status check(tetra_encoder *m, const float *out, const char *what, tetra_error *err) {
  if (!m || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: NULL %s", what, m ? "output" : "model");
  if (!m->have_output)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: no forward pass yet (call forward first)", what);
  tetra_arena_reset(&m->post);
  return TETRA_OK;
}

/* The first token's hidden state of every sequence, [batch, H], in m->post. */
static float *cls_rows(tetra_encoder *m) {
  const size_t H = m->cfg.hidden;
  float *x = tetra_arena_alloc(&m->post, m->batch * H * sizeof(float));
  if (x)
    for (size_t b = 0; b < m->batch; b++) memcpy(x + b * H, m->hidden + b * m->seq_len * H, H * sizeof(float));
  return x;
}

static tetra_status pooled(tetra_encoder *m, float **out, tetra_error *err) {
  float *x = cls_rows(m), *y;
  if (!x) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "pooler: out of memory");
  tetra_status st = nn_linear_rows(&m->post, m->pooler, x, m->batch, TETRA_ACT_NONE, &y, err, "pooler");
  if (st) return st;
  unary_f32(KERNEL_TANH, m->batch * m->cfg.hidden, y, y);
  *out = y;
  return TETRA_OK;
}

tetra_status tetra_encoder_pooler(tetra_encoder *m, float *out, tetra_error *err) {
  tetra_status st = check(m, out, "pooler", err);
  if (st) return st;
  if (!m->pooler)
    return tetra_error_set(err, TETRA_ERR_UNSUPPORTED, "pooler: this model (%s) has no pooler weights",
                           m->cfg.architecture[0] ? m->cfg.architecture : m->cfg.model_type);
  float *y;
  if ((st = pooled(m, &y, err))) return st;
  memcpy(out, y, m->batch * m->cfg.hidden * sizeof(float));
  return TETRA_OK;
}

tetra_status tetra_encoder_logits(tetra_encoder *m, float *out, tetra_error *err) {
  tetra_status st = check(m, out, "logits", err);
  if (st) return st;
  const nn_config *c = &m->cfg;
  if (!m->classifier)
    return tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                           "logits: this model (%s) has no classification head",
                           c->architecture[0] ? c->architecture : c->model_type);
  const float *x;
  size_t rows = m->batch;
  float *y = NULL;
  if (c->head == TETRA_HEAD_TOKEN) {
    x = m->hidden;
    rows = m->batch * m->seq_len;
  } else if (c->arch == NN_BERT) {
    if ((st = pooled(m, &y, err))) return st;
    x = y;
  } else {
    float *cls = cls_rows(m);
    if (!cls) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "logits: out of memory");
    int distil = c->arch == NN_DISTILBERT;
    if ((st = nn_linear_rows(&m->post, m->head_dense, cls, rows, distil ? TETRA_ACT_RELU : TETRA_ACT_NONE,
                             &y, err, distil ? "pre_classifier" : "classifier.dense")))
      return st;
    if (!distil) unary_f32(KERNEL_TANH, rows * c->hidden, y, y);
    x = y;
  }
  float *logits;
  if ((st = nn_linear_rows(&m->post, m->classifier, x, rows, TETRA_ACT_NONE, &logits, err, "classifier")))
    return st;
  memcpy(out, logits, rows * c->num_labels * sizeof(float));
  return TETRA_OK;
}
