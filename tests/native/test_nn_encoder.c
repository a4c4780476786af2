/* The encoder on tiny BERT-family models built here: against a float64 reference written from
 * the Hugging Face modeling code (every architecture and head), bad files and inputs, pooling,
 * F16/BF16 and prefix-less files, the int8 converter, and a flat heap over 10,000 calls. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/bundle.h"
#include "tetra/nn.h"
#include "tetra/tensor.h"

typedef struct tiny_spec {
  const char *model_type;   /* "bert", "roberta", "distilbert", "xlm-roberta" */
  const char *architecture; /* e.g. "BertForSequenceClassification", or "BertModel" */
  uint32_t hidden, inter, layers, heads, vocab, positions, types, labels;
  int pad;                  /* pad_token_id */
  const char *act;          /* "gelu", "gelu_new", "relu" */
  int prefix;               /* names carry "bert."/"roberta."/"distilbert." */
  int pooler;               /* include pooler weights */
  uint32_t seed;
} tiny_spec;

typedef struct tiny_tensor {
  char name[128];
  size_t rank;
  int64_t shape[2];
  float *data;
} tiny_tensor;

typedef struct tiny_model {
  tiny_spec spec;
  char config[2048];
  tiny_tensor tensors[256];
  size_t count;
} tiny_model;


static const char *prefix_of(const tiny_spec *s) {
  if (!s->prefix) return "";
  if (!strcmp(s->model_type, "bert")) return "bert.";
  if (!strcmp(s->model_type, "distilbert")) return "distilbert.";
  return "roberta.";
}

static uint32_t next(uint32_t *state) {
  *state = *state * 1664525u + 1013904223u;
  return *state >> 8;
}

static void add(tiny_model *m, const char *prefix, const char *name, size_t rank, int64_t d0, int64_t d1,
                float amp, float offset) {
  tiny_tensor *t = &m->tensors[m->count++];
  snprintf(t->name, sizeof t->name, "%s%s", prefix, name);
  t->rank = rank;
  t->shape[0] = d0;
  t->shape[1] = d1;
  size_t n = (size_t)d0 * (rank == 2 ? (size_t)d1 : 1);
  t->data = malloc(n * sizeof(float));
  uint32_t st = m->spec.seed ^ (uint32_t)(m->count * 2654435761u);
  for (size_t i = 0; i < n; i++) t->data[i] = offset + amp * ((float)next(&st) / 8388608.0f - 1.0f);
}

static void add_linear(tiny_model *m, const char *p, const char *stem, int64_t n, int64_t k) {
  char name[128];
  snprintf(name, sizeof name, "%s.weight", stem);
  add(m, p, name, 2, n, k, 1.5f / sqrtf((float)k), 0.0f);
  snprintf(name, sizeof name, "%s.bias", stem);
  add(m, p, name, 1, n, 0, 0.03f, 0.0f);
}

static void add_norm(tiny_model *m, const char *p, const char *stem, int64_t n) {
  char name[128];
  snprintf(name, sizeof name, "%s.weight", stem);
  add(m, p, name, 1, n, 0, 0.125f, 1.0f);
  snprintf(name, sizeof name, "%s.bias", stem);
  add(m, p, name, 1, n, 0, 0.0625f, 0.0f);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcmp(s + n - k, suffix);
}

static void tiny_build(const tiny_spec *s, tiny_model *m) {
  memset(m, 0, sizeof *m);
  m->spec = *s;
  const char *p = prefix_of(s);
  int distil = !strcmp(s->model_type, "distilbert");
  int64_t H = s->hidden, I = s->inter;
  add(m, p, "embeddings.word_embeddings.weight", 2, s->vocab, H, 0.25f, 0.0f);
  add(m, p, "embeddings.position_embeddings.weight", 2, s->positions, H, 0.25f, 0.0f);
  if (!distil) add(m, p, "embeddings.token_type_embeddings.weight", 2, s->types, H, 0.25f, 0.0f);
  add_norm(m, p, "embeddings.LayerNorm", H);
  for (uint32_t l = 0; l < s->layers; l++) {
    char stem[128];
#define LIN(fmt, n, k) (snprintf(stem, sizeof stem, fmt, l), add_linear(m, p, stem, n, k))
#define NORM(fmt) (snprintf(stem, sizeof stem, fmt, l), add_norm(m, p, stem, H))
    if (distil) {
      LIN("transformer.layer.%u.attention.q_lin", H, H);
      LIN("transformer.layer.%u.attention.k_lin", H, H);
      LIN("transformer.layer.%u.attention.v_lin", H, H);
      LIN("transformer.layer.%u.attention.out_lin", H, H);
      NORM("transformer.layer.%u.sa_layer_norm");
      LIN("transformer.layer.%u.ffn.lin1", I, H);
      LIN("transformer.layer.%u.ffn.lin2", H, I);
      NORM("transformer.layer.%u.output_layer_norm");
    } else {
      LIN("encoder.layer.%u.attention.self.query", H, H);
      LIN("encoder.layer.%u.attention.self.key", H, H);
      LIN("encoder.layer.%u.attention.self.value", H, H);
      LIN("encoder.layer.%u.attention.output.dense", H, H);
      NORM("encoder.layer.%u.attention.output.LayerNorm");
      LIN("encoder.layer.%u.intermediate.dense", I, H);
      LIN("encoder.layer.%u.output.dense", H, I);
      NORM("encoder.layer.%u.output.LayerNorm");
    }
#undef LIN
#undef NORM
  }
  if (s->pooler) add_linear(m, p, "pooler.dense", H, H);
  int seq = ends_with(s->architecture, "ForSequenceClassification");
  int tok = ends_with(s->architecture, "ForTokenClassification");
  if (seq && !strcmp(s->model_type, "distilbert")) {
    add_linear(m, "", "pre_classifier", H, H);
    add_linear(m, "", "classifier", s->labels, H);
  } else if (seq && strcmp(s->model_type, "bert")) {
    add_linear(m, "", "classifier.dense", H, H);
    add_linear(m, "", "classifier.out_proj", s->labels, H);
  } else if (seq || tok) {
    add_linear(m, "", "classifier", s->labels, H);
  }
  if (distil)
    snprintf(m->config, sizeof m->config,
             "{\"architectures\": [\"%s\"], \"model_type\": \"distilbert\", \"dim\": %u, "
             "\"hidden_dim\": %u, \"n_layers\": %u, \"n_heads\": %u, \"vocab_size\": %u, "
             "\"max_position_embeddings\": %u, \"activation\": \"%s\", \"pad_token_id\": %d, "
             "\"num_labels\": %u}",
             s->architecture, s->hidden, s->inter, s->layers, s->heads, s->vocab, s->positions,
             s->act, s->pad, s->labels);
  else
    snprintf(m->config, sizeof m->config,
             "{\"architectures\": [\"%s\"], \"model_type\": \"%s\", \"hidden_size\": %u, "
             "\"intermediate_size\": %u, \"num_hidden_layers\": %u, \"num_attention_heads\": %u, "
             "\"vocab_size\": %u, \"max_position_embeddings\": %u, \"type_vocab_size\": %u, "
             "\"hidden_act\": \"%s\", \"pad_token_id\": %d, \"layer_norm_eps\": 1e-05, "
             "\"num_labels\": %u, \"problem_type\": \"single_label_classification\"}",
             s->architecture, s->model_type, s->hidden, s->inter, s->layers, s->heads, s->vocab,
             s->positions, s->types, s->act, s->pad, s->labels);
}

static void tiny_free(tiny_model *m) {
  for (size_t i = 0; i < m->count; i++) free(m->tensors[i].data);
  m->count = 0;
}

static size_t numel(const tiny_tensor *t) {
  return (size_t)t->shape[0] * (t->rank == 2 ? (size_t)t->shape[1] : 1);
}

static void tiny_round(tiny_model *m, tetra_dtype dtype) {
  for (size_t i = 0; i < m->count; i++) {
    tiny_tensor *t = &m->tensors[i];
    tetra_tensor *a = NULL, *b = NULL, *c = NULL;
    tetra_tensor_from_data(NULL, TETRA_F32, t->rank, t->shape, t->data, numel(t) * 4, &a, NULL);
    tetra_tensor_cast(NULL, a, dtype, &b, NULL);
    tetra_tensor_cast(NULL, b, TETRA_F32, &c, NULL);
    memcpy(t->data, tetra_tensor_data(c), numel(t) * 4);
    tetra_tensor_free(a);
    tetra_tensor_free(b);
    tetra_tensor_free(c);
  }
}

static uint8_t *tiny_file(const tiny_model *m, tetra_dtype dtype, int extra, size_t *len) {
  tetra_safetensors_entry entries[260];
  tetra_tensor *owned[260];
  size_t n = 0;
  for (size_t i = 0; i < m->count; i++) {
    const tiny_tensor *t = &m->tensors[i];
    tetra_tensor *a = NULL, *b = NULL;
    tetra_tensor_from_data(NULL, TETRA_F32, t->rank, t->shape, t->data, numel(t) * 4, &a, NULL);
    if (dtype != TETRA_F32) {
      tetra_tensor_cast(NULL, a, dtype, &b, NULL);
      tetra_tensor_free(a);
      a = b;
    }
    owned[n] = a;
    entries[n].name = t->name;
    entries[n++].tensor = a;
  }
  if (extra) { /* as an LM head or a position_ids buffer would be: ignored by the encoder */
    int64_t shape[2] = {1, 5};
    int64_t ids[5] = {0, 1, 2, 3, 4};
    tetra_tensor_from_data(NULL, TETRA_I64, 2, shape, ids, sizeof ids, &owned[n], NULL);
    entries[n].name = "embeddings.position_ids";
    entries[n].tensor = owned[n];
    n++;
  }
  uint8_t *out = NULL;
  tetra_error err;
  if (tetra_safetensors_write(entries, n, NULL, 0, NULL, &out, len, &err)) {
    fprintf(stderr, "tiny_file: %s\n", err.message);
    out = NULL;
  }
  uint8_t *copy = NULL;
  if (out) {
    copy = malloc(*len);
    memcpy(copy, out, *len);
    tetra_free(NULL, out);
  }
  for (size_t i = 0; i < n; i++) tetra_tensor_free(owned[i]);
  return copy;
}

static const tiny_tensor *tiny_get(const tiny_model *m, const char *base_name, int base) {
  char full[160];
  snprintf(full, sizeof full, "%s%s", base ? prefix_of(&m->spec) : "", base_name);
  for (size_t i = 0; i < m->count; i++)
    if (!strcmp(m->tensors[i].name, full)) return &m->tensors[i];
  fprintf(stderr, "tiny_get: no %s\n", full);
  abort();
}

/* ---- float64 reference ---------------------------------------------------------------------- */

static void linear(const tiny_model *m, const char *stem, int base, const double *x, size_t rows,
                   double *y) {
  char name[160];
  snprintf(name, sizeof name, "%s.weight", stem);
  const tiny_tensor *w = tiny_get(m, name, base);
  snprintf(name, sizeof name, "%s.bias", stem);
  const tiny_tensor *b = tiny_get(m, name, base);
  size_t n = (size_t)w->shape[0], k = (size_t)w->shape[1];
  for (size_t r = 0; r < rows; r++)
    for (size_t j = 0; j < n; j++) {
      double s = b->data[j];
      for (size_t i = 0; i < k; i++) s += x[r * k + i] * w->data[j * k + i];
      y[r * n + j] = s;
    }
}

static void layer_norm(const tiny_model *m, const char *stem, int base, double *x, size_t rows,
                       size_t n, double eps) {
  char name[160];
  snprintf(name, sizeof name, "%s.weight", stem);
  const tiny_tensor *g = tiny_get(m, name, base);
  snprintf(name, sizeof name, "%s.bias", stem);
  const tiny_tensor *b = tiny_get(m, name, base);
  for (size_t r = 0; r < rows; r++) {
    double *xr = x + r * n, mean = 0, var = 0;
    for (size_t i = 0; i < n; i++) mean += xr[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) var += (xr[i] - mean) * (xr[i] - mean);
    var /= (double)n;
    for (size_t i = 0; i < n; i++) xr[i] = (xr[i] - mean) / sqrt(var + eps) * g->data[i] + b->data[i];
  }
}

static double act(const char *name, double x) {
  if (!strcmp(name, "relu")) return x > 0 ? x : 0;
  if (!strcmp(name, "gelu_new")) return 0.5 * x * (1 + tanh(sqrt(2 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));
  return 0.5 * x * (1 + erf(x / sqrt(2.0)));
}

static void tiny_reference(const tiny_model *m, const int32_t *ids, const int32_t *mask,
                    const int32_t *types, size_t B, size_t S, double *x, double *pooled,
                    double *logits) {
  const tiny_spec *s = &m->spec;
  const size_t H = s->hidden, I = s->inter, T = B * S, nh = s->heads, d = H / nh;
  int distil = !strcmp(s->model_type, "distilbert");
  int roberta = !strcmp(s->model_type, "roberta") || !strcmp(s->model_type, "xlm-roberta");
  double eps = distil ? 1e-12 : 1e-5;
  const tiny_tensor *word = tiny_get(m, "embeddings.word_embeddings.weight", 1);
  const tiny_tensor *pos = tiny_get(m, "embeddings.position_embeddings.weight", 1);
  const tiny_tensor *typ = distil ? NULL : tiny_get(m, "embeddings.token_type_embeddings.weight", 1);
  for (size_t b = 0; b < B; b++) {
    int count = 0;
    for (size_t t = 0; t < S; t++) {
      size_t i = b * S + t;
      size_t p = t;
      if (roberta) p = ids[i] != s->pad ? (size_t)(s->pad + ++count) : (size_t)s->pad;
      for (size_t j = 0; j < H; j++) {
        double v = word->data[(size_t)ids[i] * H + j] + pos->data[p * H + j];
        if (typ) v += typ->data[(size_t)(types ? types[i] : 0) * H + j];
        x[i * H + j] = v;
      }
    }
  }
  layer_norm(m, "embeddings.LayerNorm", 1, x, T, H, eps);
  double *q = malloc(T * H * sizeof(double)), *k = malloc(T * H * sizeof(double));
  double *v = malloc(T * H * sizeof(double)), *ctx = malloc(T * H * sizeof(double));
  double *a = malloc(T * H * sizeof(double)), *f = malloc(T * I * sizeof(double));
  double *p = malloc(S * sizeof(double));
  for (uint32_t l = 0; l < s->layers; l++) {
    char stem[6][128], ln[2][128];
    static const char *const bert[6] = {"attention.self.query", "attention.self.key", "attention.self.value",
                                        "attention.output.dense", "intermediate.dense", "output.dense"};
    static const char *const dis[6] = {"attention.q_lin", "attention.k_lin", "attention.v_lin",
                                       "attention.out_lin", "ffn.lin1", "ffn.lin2"};
    for (int w = 0; w < 6; w++)
      snprintf(stem[w], sizeof stem[w], distil ? "transformer.layer.%u.%s" : "encoder.layer.%u.%s", l,
               distil ? dis[w] : bert[w]);
    snprintf(ln[0], sizeof ln[0], distil ? "transformer.layer.%u.sa_layer_norm" : "encoder.layer.%u.attention.output.LayerNorm", l);
    snprintf(ln[1], sizeof ln[1], distil ? "transformer.layer.%u.output_layer_norm" : "encoder.layer.%u.output.LayerNorm", l);
    linear(m, stem[0], 1, x, T, q);
    linear(m, stem[1], 1, x, T, k);
    linear(m, stem[2], 1, x, T, v);
    for (size_t b = 0; b < B; b++)
      for (size_t h = 0; h < nh; h++)
        for (size_t i = 0; i < S; i++) {
          double mx = -INFINITY, sum = 0;
          int any = 0;
          for (size_t j = 0; j < S; j++) any |= !mask || mask[b * S + j];
          for (size_t j = 0; j < S; j++) {
            double sc = 0;
            for (size_t c = 0; c < d; c++) sc += q[(b * S + i) * H + h * d + c] * k[(b * S + j) * H + h * d + c];
            sc /= sqrt((double)d);
            if (mask && !mask[b * S + j]) sc = any ? -INFINITY : 0.0;
            p[j] = sc;
            if (sc > mx) mx = sc;
          }
          for (size_t j = 0; j < S; j++) sum += (p[j] = exp(p[j] - mx));
          for (size_t c = 0; c < d; c++) {
            double o = 0;
            for (size_t j = 0; j < S; j++) o += p[j] / sum * v[(b * S + j) * H + h * d + c];
            ctx[(b * S + i) * H + h * d + c] = o;
          }
        }
    linear(m, stem[3], 1, ctx, T, a);
    for (size_t i = 0; i < T * H; i++) x[i] += a[i];
    layer_norm(m, ln[0], 1, x, T, H, eps);
    linear(m, stem[4], 1, x, T, f);
    for (size_t i = 0; i < T * I; i++) f[i] = act(s->act, f[i]);
    linear(m, stem[5], 1, f, T, a);
    for (size_t i = 0; i < T * H; i++) x[i] += a[i];
    layer_norm(m, ln[1], 1, x, T, H, eps);
  }
  double *cls = malloc(B * H * sizeof(double)), *tmp = malloc(B * H * sizeof(double));
  for (size_t b = 0; b < B; b++) memcpy(cls + b * H, x + b * S * H, H * sizeof(double));
  if (s->pooler && pooled) {
    linear(m, "pooler.dense", 1, cls, B, pooled);
    for (size_t i = 0; i < B * H; i++) pooled[i] = tanh(pooled[i]);
  }
  int seq = ends_with(s->architecture, "ForSequenceClassification");
  int tok = ends_with(s->architecture, "ForTokenClassification");
  if (logits && tok) linear(m, "classifier", 0, x, T, logits);
  if (logits && seq) {
    if (!strcmp(s->model_type, "bert")) {
      linear(m, "pooler.dense", 1, cls, B, tmp);
      for (size_t i = 0; i < B * H; i++) tmp[i] = tanh(tmp[i]);
      linear(m, "classifier", 0, tmp, B, logits);
    } else if (distil) {
      linear(m, "pre_classifier", 0, cls, B, tmp);
      for (size_t i = 0; i < B * H; i++) tmp[i] = tmp[i] > 0 ? tmp[i] : 0;
      linear(m, "classifier", 0, tmp, B, logits);
    } else {
      linear(m, "classifier.dense", 0, cls, B, tmp);
      for (size_t i = 0; i < B * H; i++) tmp[i] = tanh(tmp[i]);
      linear(m, "classifier.out_proj", 0, tmp, B, logits);
    }
  }
  free(cls);
  free(tmp);
  free(q);
  free(k);
  free(v);
  free(ctx);
  free(a);
  free(f);
  free(p);
}

/* ---- the tests ---------------------------------------------------------------------------------- */

static tetra_encoder *load(const tiny_model *m, const uint8_t *file, size_t len, tetra_precision p,
                           const tetra_allocator *a) {
  tetra_encoder *enc = NULL;
  tetra_error err;
  tetra_status st = tetra_encoder_load(m->config, strlen(m->config), file, len, p, a, &enc, &err);
  CHECK(st == TETRA_OK, "%s load: %s", m->spec.architecture, err.message);
  return enc;
}

/* A batch of 3 sequences of 9 tokens: full, right-padded, and one with a hole in the mask. */
enum { TB = 3, TS = 9 };
static void inputs(const tiny_model *m, int32_t *ids, int32_t *mask, int32_t *types) {
  uint32_t state = 99;
  for (int i = 0; i < TB * TS; i++) {
    ids[i] = (int32_t)(next(&state) % m->spec.vocab);
    if (ids[i] == m->spec.pad) ids[i] = (ids[i] + 1) % (int32_t)m->spec.vocab;
    mask[i] = 1;
    types[i] = m->spec.types > 1 ? (i % TS) >= 5 : 0;
  }
  for (int t = 4; t < TS; t++) {
    mask[TS + t] = 0;
    ids[TS + t] = m->spec.pad;
  }
  mask[2 * TS + 3] = 0;
}

static double max_abs(const float *a, const double *b, size_t n) {
  double e = 0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)a[i] - b[i]);
    if (!(d <= e)) e = d;
  }
  return e;
}

static void test_against_reference(const tiny_spec *spec) {
  tiny_model m;
  tiny_build(spec, &m);
  size_t len;
  uint8_t *file = tiny_file(&m, TETRA_F32, 1, &len);
  tetra_encoder *enc = file ? load(&m, file, len, TETRA_PRECISION_AUTO, NULL) : NULL;
  if (!enc) {
    tiny_free(&m);
    free(file);
    return;
  }
  const tetra_encoder_info *info = tetra_encoder_get_info(enc);
  const size_t H = spec->hidden, T = TB * TS;
  int32_t ids[TB * TS], mask[TB * TS], types[TB * TS];
  inputs(&m, ids, mask, types);
  float *hidden = malloc(T * H * sizeof(float)), *pooled = malloc(TB * H * sizeof(float));
  double *rh = malloc(T * H * sizeof(double)), *rp = malloc(TB * H * sizeof(double));
  size_t nlog = (info->head == TETRA_HEAD_TOKEN ? T : TB) * (spec->labels ? spec->labels : 1);
  float *logits = malloc(nlog * sizeof(float));
  double *rl = malloc(nlog * sizeof(double));
  tiny_reference(&m, ids, mask, types, TB, TS, rh, rp, rl);
  tetra_error err;
  tetra_status st = tetra_encoder_forward(enc, ids, mask, types, TB, TS, hidden, &err);
  CHECK(st == TETRA_OK, "%s forward: %s", spec->architecture, err.message);
  double e = max_abs(hidden, rh, T * H);
  printf("test_nn_encoder: %-32s %-8s hidden max abs error %.2e", spec->architecture, spec->act, e);
  CHECK(e <= 1e-4, "%s: hidden states differ from the float64 reference by %g", spec->architecture, e);
  if (info->has_pooler) {
    st = tetra_encoder_pooler(enc, pooled, &err);
    CHECK(st == TETRA_OK, "pooler: %s", err.message);
    e = max_abs(pooled, rp, TB * H);
    printf(", pooler %.2e", e);
    CHECK(e <= 1e-4, "%s: pooler output differs by %g", spec->architecture, e);
  } else {
    CHECK(tetra_encoder_pooler(enc, pooled, &err) == TETRA_ERR_UNSUPPORTED, "no pooler: refused");
  }
  if (info->head != TETRA_HEAD_NONE) {
    CHECK(info->num_labels == spec->labels, "num_labels %u", info->num_labels);
    st = tetra_encoder_logits(enc, logits, &err);
    CHECK(st == TETRA_OK, "logits: %s", err.message);
    e = max_abs(logits, rl, nlog);
    printf(", logits %.2e", e);
    CHECK(e <= 1e-4, "%s: logits differ by %g", spec->architecture, e);
  }
  printf("\n");
  /* without a mask and token types: all ones and zeros */
  int32_t ones[TB * TS], zeros[TB * TS];
  for (size_t i = 0; i < T; i++) ones[i] = 1, zeros[i] = 0;
  float *h2 = malloc(T * H * sizeof(float));
  CHECK(tetra_encoder_forward(enc, ids, ones, zeros, TB, TS, hidden, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_encoder_forward(enc, ids, NULL, NULL, TB, TS, h2, &err) == TETRA_OK, "%s", err.message);
  CHECK(!memcmp(hidden, h2, T * H * sizeof(float)), "NULL mask/types = ones/zeros");
  /* each sequence alone (its own padding removed) gives its rows of the batch, up to rounding */
  CHECK(tetra_encoder_forward(enc, ids, mask, types, TB, TS, hidden, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_encoder_forward(enc, ids + TS, mask + TS, types + TS, 1, 4, h2, &err) == TETRA_OK, "%s", err.message);
  e = 0;
  for (size_t i = 0; i < 4 * H; i++) e = fmax(e, fabs(h2[i] - hidden[TS * H + i]));
  CHECK(e <= 1e-5, "%s: padded row differs from the unpadded sequence by %g", spec->architecture, e);
  free(h2);
  tetra_encoder_free(enc);
  free(hidden);
  free(pooled);
  free(rh);
  free(rp);
  free(logits);
  free(rl);
  free(file);
  tiny_free(&m);
}

static const tiny_spec BERT_SEQ = {"bert", "BertForSequenceClassification", 32, 64, 2, 4, 50, 16, 2, 3, 0, "gelu", 1, 1, 7};
static const tiny_spec BERT_MODEL = {"bert", "BertModel", 24, 40, 2, 3, 40, 12, 2, 0, 0, "gelu_new", 0, 1, 8};
static const tiny_spec BERT_TOKEN = {"bert", "BertForTokenClassification", 16, 32, 1, 2, 30, 10, 2, 5, 0, "relu", 1, 0, 9};
static const tiny_spec ROBERTA_SEQ = {"roberta", "RobertaForSequenceClassification", 32, 48, 2, 4, 60, 16, 1, 2, 1, "gelu", 1, 0, 10};
static const tiny_spec ROBERTA_TOKEN = {"roberta", "RobertaForTokenClassification", 16, 32, 2, 2, 40, 14, 1, 4, 1, "gelu", 1, 1, 11};
static const tiny_spec XLMR_MODEL = {"xlm-roberta", "XLMRobertaModel", 16, 24, 1, 4, 40, 14, 1, 0, 1, "gelu", 0, 1, 12};
static const tiny_spec DISTIL_SEQ = {"distilbert", "DistilBertForSequenceClassification", 32, 64, 2, 4, 50, 16, 0, 3, 0, "gelu", 1, 0, 13};
static const tiny_spec DISTIL_TOKEN = {"distilbert", "DistilBertForTokenClassification", 16, 20, 1, 2, 30, 10, 0, 2, 0, "relu", 0, 0, 14};

/* Expects a load failure whose message contains needle. */
static void load_bad(const char *config, const uint8_t *file, size_t len, tetra_status want,
                     const char *needle) {
  tetra_encoder *enc = NULL;
  tetra_error err;
  tetra_status st = tetra_encoder_load(config, strlen(config), file, len, TETRA_PRECISION_AUTO, NULL, &enc, &err);
  CHECK(st == want, "status %s, wanted %s (%s)", tetra_status_name(st), tetra_status_name(want), err.message);
  CHECK(enc == NULL, "no model on failure");
  CHECK(strstr(err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", err.message, needle);
  tetra_encoder_free(enc);
}

static void test_bad_files(void) {
  tiny_model m;
  tiny_build(&BERT_SEQ, &m);
  size_t len;
  uint8_t *file = tiny_file(&m, TETRA_F32, 0, &len);
  char cfg[2048];
  /* config.json faults */
  load_bad("{", file, len, TETRA_ERR_PARSE, "config.json");
#define REPLACE(from, to)                                                      \
  do {                                                                         \
    char *at = strstr(m.config, from);                                         \
    snprintf(cfg, sizeof cfg, "%.*s%s%s", (int)(at - m.config), m.config, to, at + strlen(from)); \
  } while (0)
  REPLACE("\"model_type\": \"bert\"", "\"model_type\": \"gpt2\"");
  load_bad(cfg, file, len, TETRA_ERR_UNSUPPORTED, "model_type 'gpt2' is not supported");
  REPLACE("\"hidden_act\": \"gelu\"", "\"hidden_act\": \"swish\"");
  load_bad(cfg, file, len, TETRA_ERR_UNSUPPORTED, "hidden_act 'swish' is not supported");
  REPLACE("\"hidden_size\": 32,", "");
  load_bad(cfg, file, len, TETRA_ERR_FORMAT, "'hidden_size' is missing");
  REPLACE("\"num_attention_heads\": 4", "\"num_attention_heads\": 5");
  load_bad(cfg, file, len, TETRA_ERR_FORMAT, "hidden_size 32 is not a multiple of num_attention_heads 5");
  REPLACE("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 2.5");
  load_bad(cfg, file, len, TETRA_ERR_FORMAT, "'num_hidden_layers' must be an integer");
  /* config and tensors disagree */
  REPLACE("\"intermediate_size\": 64", "\"intermediate_size\": 48");
  load_bad(cfg, file, len, TETRA_ERR_FORMAT,
           "tensor 'bert.encoder.layer.0.intermediate.dense.weight' has shape [64, 32], expected [48, 32]");
  REPLACE("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
  load_bad(cfg, file, len, TETRA_ERR_FORMAT, "tensor 'bert.encoder.layer.2.attention.self.query.weight' is missing");
  REPLACE("\"vocab_size\": 50", "\"vocab_size\": 51");
  load_bad(cfg, file, len, TETRA_ERR_FORMAT, "'bert.embeddings.word_embeddings.weight' has shape [50, 32], expected [51, 32]");
  REPLACE("\"num_labels\": 3", "\"num_labels\": 4");
  load_bad(cfg, file, len, TETRA_ERR_FORMAT, "tensor 'classifier.weight' has shape [3, 32], expected [4, 32]");
  /* safetensors faults: truncated, garbage */
  load_bad(m.config, file, len / 2, TETRA_ERR_FORMAT, "model.safetensors");
  load_bad(m.config, file, 5, TETRA_ERR_FORMAT, "model.safetensors");
  /* a missing head tensor */
  tiny_tensor keep = m.tensors[m.count - 1];
  m.count--;
  size_t len2;
  uint8_t *file2 = tiny_file(&m, TETRA_F32, 0, &len2);
  m.count++;
  m.tensors[m.count - 1] = keep;
  load_bad(m.config, file2, len2, TETRA_ERR_FORMAT, "tensor 'classifier.bias' is missing");
  free(file2);
  /* NULL arguments */
  tetra_encoder *enc = NULL;
  tetra_error err;
  CHECK(tetra_encoder_load(NULL, 0, file, len, 0, NULL, &enc, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL config");
  CHECK(tetra_encoder_load(m.config, strlen(m.config), NULL, 0, 0, NULL, &enc, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL file");
  CHECK(tetra_encoder_load(m.config, strlen(m.config), file, len, 0, NULL, NULL, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL out");
  free(file);
  tiny_free(&m);
#undef REPLACE
}

static void forward_bad(tetra_encoder *enc, const int32_t *ids, const int32_t *mask, const int32_t *types,
                        size_t b, size_t s, tetra_status want, const char *needle) {
  tetra_error err;
  tetra_status st = tetra_encoder_forward(enc, ids, mask, types, b, s, NULL, &err);
  CHECK(st == want, "status %s, wanted %s (%s)", tetra_status_name(st), tetra_status_name(want), err.message);
  CHECK(strstr(err.message, needle) != NULL, "message \"%s\" lacks \"%s\"", err.message, needle);
}

static void test_bad_inputs(void) {
  tiny_model m;
  tiny_build(&ROBERTA_SEQ, &m);
  size_t len;
  uint8_t *file = tiny_file(&m, TETRA_F32, 0, &len);
  tetra_encoder *enc = load(&m, file, len, TETRA_PRECISION_AUTO, NULL);
  if (!enc) {
    free(file);
    tiny_free(&m);
    return;
  }
  const tetra_encoder_info *info = tetra_encoder_get_info(enc);
  CHECK(info->max_positions == 16 - 1 - 1, "RoBERTa usable positions %u", info->max_positions);
  CHECK(!strcmp(info->model_type, "roberta") && info->head == TETRA_HEAD_SEQUENCE && info->type_vocab_size == 1,
        "info");
  int32_t ids[TB * TS], mask[TB * TS], types[TB * TS];
  inputs(&m, ids, mask, types);
  float good[TB * 2], again[TB * 2], big[2 * 20];
  tetra_error err;
  CHECK(tetra_encoder_forward(enc, ids, mask, types, TB, TS, NULL, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_encoder_logits(enc, good, &err) == TETRA_OK, "%s", err.message);
  int32_t bad[TB * TS];
  memcpy(bad, ids, sizeof bad);
  bad[TS + 2] = 60;
  forward_bad(enc, bad, mask, types, TB, TS, TETRA_ERR_INVALID_ARGUMENT, "input_ids[1][2] = 60 is outside the vocabulary [0, 60)");
  bad[TS + 2] = -1;
  forward_bad(enc, bad, mask, types, TB, TS, TETRA_ERR_INVALID_ARGUMENT, "input_ids[1][2] = -1");
  memcpy(bad, types, sizeof bad);
  bad[5] = 1;
  forward_bad(enc, ids, mask, bad, TB, TS, TETRA_ERR_INVALID_ARGUMENT, "token_type_ids[0][5] = 1 is outside [0, 1)");
  memcpy(bad, mask, sizeof bad);
  bad[3] = 2;
  forward_bad(enc, ids, bad, types, TB, TS, TETRA_ERR_INVALID_ARGUMENT, "attention_mask[0][3] = 2");
  int32_t long_ids[15] = {0};
  forward_bad(enc, long_ids, NULL, NULL, 1, 15, TETRA_ERR_LIMIT, "seq_len 15 exceeds the model's limit of 14 positions");
  forward_bad(enc, ids, mask, types, 0, TS, TETRA_ERR_INVALID_ARGUMENT, "batch is 0");
  forward_bad(enc, ids, mask, types, 1, 0, TETRA_ERR_INVALID_ARGUMENT, "seq_len is 0");
  forward_bad(enc, NULL, mask, types, 1, 1, TETRA_ERR_INVALID_ARGUMENT, "NULL input_ids");
  forward_bad(NULL, ids, mask, types, 1, 1, TETRA_ERR_INVALID_ARGUMENT, "NULL model");
  /* the refused calls changed nothing: the previous results are still there ... */
  CHECK(tetra_encoder_logits(enc, again, &err) == TETRA_OK, "%s", err.message);
  CHECK(!memcmp(good, again, sizeof good), "results kept after refused calls");
  /* ... and the model still runs, the full 14 positions too */
  int32_t ids14[2 * 14];
  for (int i = 0; i < 28; i++) ids14[i] = 2 + i;
  CHECK(tetra_encoder_forward(enc, ids14, NULL, NULL, 2, 14, NULL, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_encoder_logits(enc, big, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_encoder_forward(enc, ids, mask, types, TB, TS, NULL, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_encoder_logits(enc, again, &err) == TETRA_OK && !memcmp(good, again, sizeof good), "same again");
  CHECK(tetra_encoder_pool(enc, 9, 0, again, &err) == TETRA_ERR_INVALID_ARGUMENT, "bad pooling");
  CHECK(tetra_encoder_pool(enc, TETRA_POOL_MEAN, 0, NULL, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL out");
  tetra_encoder_free(enc);
  /* before any forward */
  enc = load(&m, file, len, TETRA_PRECISION_F32, NULL);
  CHECK(tetra_encoder_logits(enc, again, &err) == TETRA_ERR_INVALID_ARGUMENT && strstr(err.message, "forward first"),
        "logits before forward: %s", err.message);
  tetra_encoder_free(enc);
  free(file);
  tiny_free(&m);
}

/* Pooling against sums written out here; all-masked rows stay finite. */
static void test_pooling(void) {
  tiny_model m;
  tiny_build(&BERT_MODEL, &m);
  size_t len;
  uint8_t *file = tiny_file(&m, TETRA_F32, 0, &len);
  tetra_encoder *enc = load(&m, file, len, TETRA_PRECISION_AUTO, NULL);
  if (!enc) {
    free(file);
    tiny_free(&m);
    return;
  }
  const size_t H = 24;
  int32_t ids[TB * TS], mask[TB * TS], types[TB * TS];
  inputs(&m, ids, mask, types);
  for (int t = 0; t < TS; t++) mask[2 * TS + t] = 0; /* the third row: nothing to attend to */
  float hidden[TB * TS * 24], out[TB * 24];
  tetra_error err;
  CHECK(tetra_encoder_forward(enc, ids, mask, types, TB, TS, hidden, &err) == TETRA_OK, "%s", err.message);
  for (int pool = 0; pool < 4; pool++)
    for (int norm = 0; norm < 2; norm++) {
      CHECK(tetra_encoder_pool(enc, (tetra_pooling)pool, norm, out, &err) == TETRA_OK, "%s", err.message);
      for (size_t b = 0; b < TB; b++) {
        double want[24], ss = 0, count = 0;
        for (size_t j = 0; j < H; j++) want[j] = pool == TETRA_POOL_MAX ? -1e9 : 0;
        for (size_t t = 0; t < TS; t++) {
          if (pool == TETRA_POOL_CLS ? t != 0 : !mask[b * TS + t]) continue;
          count++;
          for (size_t j = 0; j < H; j++) {
            double v = hidden[(b * TS + t) * H + j];
            want[j] = pool == TETRA_POOL_MAX ? fmax(want[j], v) : want[j] + v;
          }
        }
        for (size_t j = 0; j < H; j++) {
          if (pool == TETRA_POOL_MEAN) want[j] /= fmax(count, 1e-9);
          if (pool == TETRA_POOL_MEAN_SQRT_LEN) want[j] /= sqrt(fmax(count, 1e-9));
          ss += want[j] * want[j];
        }
        double e = 0;
        for (size_t j = 0; j < H; j++) {
          double w = norm ? want[j] / fmax(sqrt(ss), 1e-12) : want[j];
          e = fmax(e, fabs(w - out[b * H + j]) / fmax(1.0, fabs(w)));
        }
        CHECK(e <= 1e-5, "pooling %d normalize %d row %zu: error %g", pool, norm, b, e);
      }
    }
  /* an all-masked row is finite (uniform attention, as PyTorch's additive mask gives) */
  int finite = 1;
  for (size_t i = 2 * TS * H; i < 3 * TS * H; i++) finite &= isfinite(hidden[i]) != 0;
  CHECK(finite, "all-masked row finite");
  tetra_encoder_free(enc);
  free(file);
  tiny_free(&m);
}

/* F16 and BF16 files give what float32 files with the same (rounded) values give, bit for bit;
 * names without the prefix load too. */
static void test_dtypes(void) {
  for (int k = 0; k < 2; k++) {
    tetra_dtype dt = k ? TETRA_BF16 : TETRA_F16;
    tiny_model m;
    tiny_build(&DISTIL_SEQ, &m);
    tiny_round(&m, dt);
    size_t l16, l32;
    uint8_t *f16 = tiny_file(&m, dt, 0, &l16), *f32 = tiny_file(&m, TETRA_F32, 0, &l32);
    tetra_encoder *a = load(&m, f16, l16, TETRA_PRECISION_AUTO, NULL), *b = load(&m, f32, l32, TETRA_PRECISION_AUTO, NULL);
    if (a && b) {
      int32_t ids[TB * TS], mask[TB * TS], types[TB * TS];
      inputs(&m, ids, mask, types);
      float ha[TB * TS * 32], hb[TB * TS * 32], la[TB * 3], lb[TB * 3];
      tetra_error err;
      CHECK(tetra_encoder_forward(a, ids, mask, types, TB, TS, ha, &err) == TETRA_OK, "%s", err.message);
      CHECK(tetra_encoder_logits(a, la, &err) == TETRA_OK, "%s", err.message);
      CHECK(tetra_encoder_forward(b, ids, mask, types, TB, TS, hb, &err) == TETRA_OK, "%s", err.message);
      CHECK(tetra_encoder_logits(b, lb, &err) == TETRA_OK, "%s", err.message);
      CHECK(!memcmp(ha, hb, sizeof ha) && !memcmp(la, lb, sizeof la), "%s file == float32 file",
            tetra_dtype_name(dt));
    }
    tetra_encoder_free(a);
    tetra_encoder_free(b);
    free(f16);
    free(f32);
    tiny_free(&m);
  }
  /* prefix stripped: same results as with it */
  tiny_spec s = BERT_SEQ;
  tiny_model m1, m2;
  tiny_build(&s, &m1);
  s.prefix = 0;
  tiny_build(&s, &m2);
  size_t l1, l2;
  uint8_t *f1 = tiny_file(&m1, TETRA_F32, 0, &l1), *f2 = tiny_file(&m2, TETRA_F32, 0, &l2);
  tetra_encoder *a = load(&m1, f1, l1, TETRA_PRECISION_AUTO, NULL), *b = load(&m2, f2, l2, TETRA_PRECISION_AUTO, NULL);
  if (a && b) {
    int32_t ids[TB * TS], mask[TB * TS], types[TB * TS];
    inputs(&m1, ids, mask, types);
    float ha[TB * TS * 32], hb[TB * TS * 32];
    tetra_error err;
    CHECK(tetra_encoder_forward(a, ids, mask, types, TB, TS, ha, &err) == TETRA_OK, "%s", err.message);
    CHECK(tetra_encoder_forward(b, ids, mask, types, TB, TS, hb, &err) == TETRA_OK, "%s", err.message);
    CHECK(!memcmp(ha, hb, sizeof ha), "prefix-stripped names give the same model");
    CHECK(!strcmp(tetra_encoder_label(a, 2), "LABEL_2") && tetra_encoder_label(a, 3) == NULL, "labels");
  }
  tetra_encoder_free(a);
  tetra_encoder_free(b);
  free(f1);
  free(f2);
  tiny_free(&m1);
  tiny_free(&m2);
}

/* The converter: its file loads to exactly the model that the float file gives at int8. */
static void test_quantize(const tiny_spec *spec, tetra_dtype dtype) {
  tiny_model m;
  tiny_build(spec, &m);
  size_t len, qlen = 0;
  uint8_t *file = tiny_file(&m, dtype, 1, &len), *qfile = NULL;
  tetra_error err;
  tetra_status st = tetra_encoder_quantize(m.config, strlen(m.config), file, len, NULL, &qfile, &qlen, &err);
  CHECK(st == TETRA_OK, "quantize %s: %s", spec->architecture, err.message);
  tetra_encoder *a = load(&m, file, len, TETRA_PRECISION_INT8, NULL);
  tetra_encoder *b = st ? NULL : load(&m, qfile, qlen, TETRA_PRECISION_AUTO, NULL);
  tetra_encoder *c = load(&m, file, len, TETRA_PRECISION_F32, NULL);
  if (a && b && c) {
    CHECK(tetra_encoder_get_info(a)->int8 && tetra_encoder_get_info(b)->int8 && !tetra_encoder_get_info(c)->int8, "int8 flags");
    const size_t T = TB * TS, H = spec->hidden;
    int32_t ids[TB * TS], mask[TB * TS], types[TB * TS];
    inputs(&m, ids, mask, types);
    float *ha = malloc(T * H * 4), *hb = malloc(T * H * 4), *hc = malloc(T * H * 4);
    CHECK(tetra_encoder_forward(a, ids, mask, types, TB, TS, ha, &err) == TETRA_OK, "%s", err.message);
    CHECK(tetra_encoder_forward(b, ids, mask, types, TB, TS, hb, &err) == TETRA_OK, "%s", err.message);
    CHECK(tetra_encoder_forward(c, ids, mask, types, TB, TS, hc, &err) == TETRA_OK, "%s", err.message);
    CHECK(!memcmp(ha, hb, T * H * 4), "%s: quantized file == float file at int8, bit for bit", spec->architecture);
    double e = 0;
    for (size_t i = 0; i < T * H; i++) e = fmax(e, fabs(ha[i] - hc[i]));
    printf("test_nn_encoder: %s int8 (%s file, %zu -> %zu bytes): hidden max abs diff from float32 %.3f\n",
           spec->architecture, tetra_dtype_name(dtype), len, qlen, e);
    CHECK(e > 0 && e < 0.5, "int8 is close to float32 but not identical (%g)", e);
    free(ha);
    free(hb);
    free(hc);
    /* an int8 file cannot run at float32; quantizing twice is refused */
    tetra_encoder *d = NULL;
    CHECK(tetra_encoder_load(m.config, strlen(m.config), qfile, qlen, TETRA_PRECISION_F32, NULL, &d, &err) == TETRA_ERR_UNSUPPORTED &&
              strstr(err.message, "int8"), "F32 on an int8 file: %s", err.message);
    uint8_t *q2 = NULL;
    size_t q2len;
    CHECK(tetra_encoder_quantize(m.config, strlen(m.config), qfile, qlen, NULL, &q2, &q2len, &err) == TETRA_ERR_INVALID_ARGUMENT,
          "quantize twice: %s", err.message);
  }
  tetra_encoder_free(a);
  tetra_encoder_free(b);
  tetra_encoder_free(c);
  tetra_free(NULL, qfile);
  free(file);
  tiny_free(&m);
}

/* ---- heap flatness ------------------------------------------------------------------------------ */
typedef struct counting {
  size_t live, calls;
} counting;
static void *count_alloc(void *user, size_t size) {
  counting *c = user;
  size_t *p = tetra_alloc(NULL, size + 16);
  if (!p) return NULL;
  c->live += size;
  c->calls++;
  p[0] = size;
  return (char *)p + 16;
}
static void count_free(void *user, void *ptr) {
  counting *c = user;
  size_t *p = (size_t *)((char *)ptr - 16);
  c->live -= p[0];
  tetra_free(NULL, p);
}

static void test_heap_flat(void) {
  counting c = {0, 0};
  tetra_allocator a = {count_alloc, count_free, &c};
  tiny_model m;
  /* small, so that 2 x 10,000 calls stay quick under the sanitizers */
  static const tiny_spec spec = {"bert", "BertForSequenceClassification", 16, 16, 1, 2, 50, 16, 2, 2, 0, "gelu", 1, 1, 21};
  tiny_build(&spec, &m);
  size_t len;
  uint8_t *file = tiny_file(&m, TETRA_F32, 0, &len);
  for (int int8 = 0; int8 < 2; int8++) {
    tetra_encoder *enc = load(&m, file, len, int8 ? TETRA_PRECISION_INT8 : TETRA_PRECISION_F32, &a);
    if (!enc) break;
    int32_t ids[TB * TS], mask[TB * TS], types[TB * TS];
    inputs(&m, ids, mask, types);
    float out[TB * 16];
    tetra_error err;
    size_t live_after_first = 0, calls_after_first = 0;
    int ok = 1;
    for (int i = 0; i < 10000 && ok; i++) {
      /* sizes vary a little, as a real caller's batches do */
      size_t b = 1 + (size_t)(i % 2), s = (size_t)(TS - (i % 2));
      ok &= tetra_encoder_forward(enc, ids, mask, types, b, s, NULL, &err) == TETRA_OK;
      ok &= tetra_encoder_pool(enc, TETRA_POOL_MEAN, 1, out, &err) == TETRA_OK;
      ok &= tetra_encoder_logits(enc, out, &err) == TETRA_OK;
      ok &= tetra_encoder_pooler(enc, out, &err) == TETRA_OK;
      if (i % 100 == 7) tetra_encoder_forward(enc, ids, mask, types, 1, 99, NULL, &err); /* refused */
      if (i == 5) live_after_first = c.live, calls_after_first = c.calls;
    }
    CHECK(ok, "10,000 calls: %s", err.message);
    printf("test_nn_encoder: 10,000 forward+pool+logits+pooler calls (%s): heap %zu bytes after 6 calls, %zu after "
           "10,000; %zu allocator calls after 6, %zu after 10,000\n",
           int8 ? "int8" : "float32", live_after_first, c.live, calls_after_first, c.calls);
    CHECK(c.live == live_after_first, "heap flat: %zu then %zu", live_after_first, c.live);
    CHECK(c.calls == calls_after_first, "no allocations in the steady state (%zu then %zu)", calls_after_first, c.calls);
    tetra_encoder_free(enc);
    CHECK(c.live == 0, "everything freed (%zu bytes left)", c.live);
  }
  free(file);
  tiny_free(&m);
}

int main(void) {
  const tiny_spec *all[] = {&BERT_SEQ, &BERT_MODEL, &BERT_TOKEN, &ROBERTA_SEQ, &ROBERTA_TOKEN,
                            &XLMR_MODEL, &DISTIL_SEQ, &DISTIL_TOKEN};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) test_against_reference(all[i]);
  test_bad_files();
  test_bad_inputs();
  test_pooling();
  test_dtypes();
  test_quantize(&BERT_SEQ, TETRA_F32);
  test_quantize(&ROBERTA_TOKEN, TETRA_F16);
  test_quantize(&DISTIL_SEQ, TETRA_BF16);
  test_heap_flat();
  return harness_finish("test_nn_encoder");
}
