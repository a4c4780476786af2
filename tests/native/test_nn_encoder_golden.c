/* The encoder against the PyTorch golden files in tests/golden/nn/<model>/ (made by
 * tools/golden/nn/make_encoder_golden.py; weights rebuilt by nn_weights.c from spec.json):
 *   float32: hidden states, pooler output and logits within 1e-4 (max abs), embeddings (mean, cls,
 *            max, mean_sqrt_len, normalized mean) within 1e-4 and cosine >= 0.99999;
 *   int8:    embeddings cosine >= 0.99 and the same argmax on >= 99% of the classification inputs,
 *            and the converter's file == the float file loaded at int8, bit for bit;
 *   F16 / BF16 files and names without the "bert."/"roberta."/"distilbert." prefix load too. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "nn_weights.h"
#include "tetra/nn.h"

typedef struct golden_model {
  const char *name;
  char *config;
  size_t config_len;
  char spec[256];
  tetra_json_doc *inputs, *golden;
  int32_t pad;
} golden_model;

static int open_model(const char *name, golden_model *g) {
  memset(g, 0, sizeof *g);
  g->name = name;
  char rel[256];
  snprintf(rel, sizeof rel, "tests/golden/nn/%s/config.json", name);
  g->config = harness_read_file(harness_path(rel), &g->config_len);
  CHECK(g->config != NULL, "cannot read %s", rel);
  snprintf(g->spec, sizeof g->spec, "tests/golden/nn/%s/spec.json", name);
  snprintf(rel, sizeof rel, "tests/golden/nn/%s/inputs.json", name);
  g->inputs = harness_read_json(rel);
  snprintf(rel, sizeof rel, "tests/golden/nn/%s/golden.json", name);
  g->golden = harness_read_json(rel);
  if (!g->config || !g->inputs || !g->golden) return 0;
  const tetra_json *pad = tetra_json_get(tetra_json_root(g->inputs), "pad_token_id");
  g->pad = pad ? (int32_t)pad->u.number : 0;
  return 1;
}

static void close_model(golden_model *g) {
  free(g->config);
  tetra_json_free(g->inputs);
  tetra_json_free(g->golden);
}

/* ---- a padded batch ------------------------------------------------------------------------------ */
typedef struct batch {
  size_t B, S;
  int32_t *ids, *mask, *types;
} batch;

static void batch_free(batch *b) {
  free(b->ids);
  free(b->mask);
  free(b->types);
}

static int read_ints(const tetra_json *rows, size_t B, size_t S, int32_t *out) {
  for (size_t b = 0; b < B; b++) {
    const tetra_json *row = tetra_json_at(rows, b);
    if (!row || row->type != TETRA_JSON_ARRAY || row->len != S) return 0;
    for (size_t t = 0; t < S; t++) out[b * S + t] = (int32_t)tetra_json_at(row, t)->u.number;
  }
  return 1;
}

/* inputs.json batches[i] (padded already) */
static int batch_from_inputs(const tetra_json *jb, batch *b) {
  b->B = (size_t)tetra_json_get(jb, "batch")->u.number;
  b->S = (size_t)tetra_json_get(jb, "seq_len")->u.number;
  size_t n = b->B * b->S;
  b->ids = malloc(n * 4), b->mask = malloc(n * 4), b->types = malloc(n * 4);
  int ok = read_ints(tetra_json_get(jb, "input_ids"), b->B, b->S, b->ids) &&
           read_ints(tetra_json_get(jb, "attention_mask"), b->B, b->S, b->mask) &&
           read_ints(tetra_json_get(jb, "token_type_ids"), b->B, b->S, b->types);
  CHECK(ok, "inputs.json: malformed batch");
  return ok;
}

/* sets[...]: unpadded sequences [first, first + count), padded here to the longest */
static void batch_from_set(const tetra_json *set, size_t first, size_t count, int32_t pad, batch *b) {
  const tetra_json *ids = tetra_json_get(set, "input_ids"), *types = tetra_json_get(set, "token_type_ids");
  b->B = count;
  b->S = 0;
  for (size_t i = 0; i < count; i++)
    if (tetra_json_at(ids, first + i)->len > b->S) b->S = tetra_json_at(ids, first + i)->len;
  size_t n = b->B * b->S;
  b->ids = malloc(n * 4), b->mask = malloc(n * 4), b->types = malloc(n * 4);
  for (size_t i = 0; i < count; i++) {
    const tetra_json *row = tetra_json_at(ids, first + i), *trow = tetra_json_at(types, first + i);
    for (size_t t = 0; t < b->S; t++) {
      int in = t < row->len;
      b->ids[i * b->S + t] = in ? (int32_t)tetra_json_at(row, t)->u.number : pad;
      b->types[i * b->S + t] = in && trow ? (int32_t)tetra_json_at(trow, t)->u.number : 0;
      b->mask[i * b->S + t] = in;
    }
  }
}

/* ---- comparisons --------------------------------------------------------------------------------- */
typedef struct stats {
  double max_abs, min_cos;
} stats;

static void compare_rows(const float *got, const float *want, size_t rows, size_t width, stats *s) {
  for (size_t r = 0; r < rows; r++) {
    double dot = 0, ng = 0, nw = 0;
    for (size_t j = 0; j < width; j++) {
      double a = got[r * width + j], b = want[r * width + j];
      double d = fabs(a - b);
      if (!(d <= s->max_abs)) s->max_abs = d;
      dot += a * b, ng += a * a, nw += b * b;
    }
    double cos = dot / (sqrt(ng * nw) + 1e-300);
    if (!(cos >= s->min_cos)) s->min_cos = cos;
  }
}

/* Rows of a [B, S, W] output where mask is 1, packed as the golden files store them. */
static float *masked_rows(const float *all, const batch *b, size_t W, size_t *rows) {
  float *out = malloc(b->B * b->S * W * sizeof(float) + 4);
  size_t r = 0;
  for (size_t i = 0; i < b->B * b->S; i++)
    if (b->mask[i]) memcpy(out + (r++) * W, all + i * W, W * sizeof(float));
  *rows = r;
  return out;
}

static const struct {
  const char *key;
  tetra_pooling pool;
  int normalize;
} EMBEDDINGS[] = {
    {"embeddings_mean", TETRA_POOL_MEAN, 0},       {"embeddings_cls", TETRA_POOL_CLS, 0},
    {"embeddings_max", TETRA_POOL_MAX, 0},         {"embeddings_mean_sqrt_len", TETRA_POOL_MEAN_SQRT_LEN, 0},
    {"embeddings_mean_normalized", TETRA_POOL_MEAN, 1},
};

/* Checks one golden batch; float32 (exact) or int8 (loose) expectations. */
static void check_batch(const golden_model *g, tetra_encoder *enc, const batch *b, const tetra_json *gb,
                        int int8, stats *hidden, stats *pooled, stats *emb, stats *logit) {
  const tetra_encoder_info *info = tetra_encoder_get_info(enc);
  const size_t H = info->hidden_size, L = info->num_labels;
  float *h = malloc(b->B * b->S * H * sizeof(float));
  float *out = malloc(b->B * b->S * (H > L ? H : L) * sizeof(float));
  tetra_error err;
  tetra_status st = tetra_encoder_forward(enc, b->ids, b->mask, b->types, b->B, b->S, h, &err);
  CHECK(st == TETRA_OK, "%s: forward: %s", g->name, err.message);
  if (st) goto done;
  size_t n, rows;
  const tetra_json *v;
  if ((v = tetra_json_get(gb, "last_hidden_state")) && !int8) {
    float *want = nn_golden_array(v, &n, NULL, NULL);
    float *got = masked_rows(h, b, H, &rows);
    CHECK(want && n == rows * H, "%s: last_hidden_state has %zu values, want %zu", g->name, n, rows * H);
    if (want && n == rows * H) compare_rows(got, want, rows, H, hidden);
    free(want);
    free(got);
  }
  if ((v = tetra_json_get(gb, "pooler_output")) && !int8) {
    CHECK(tetra_encoder_pooler(enc, out, &err) == TETRA_OK, "%s: pooler: %s", g->name, err.message);
    float *want = nn_golden_array(v, &n, NULL, NULL);
    if (want && n == b->B * H) compare_rows(out, want, b->B, H, pooled);
    free(want);
  }
  for (size_t e = 0; e < sizeof EMBEDDINGS / sizeof EMBEDDINGS[0]; e++) {
    if (!(v = tetra_json_get(gb, EMBEDDINGS[e].key))) continue;
    if (int8 && !EMBEDDINGS[e].normalize) continue;
    CHECK(tetra_encoder_pool(enc, EMBEDDINGS[e].pool, EMBEDDINGS[e].normalize, out, &err) == TETRA_OK,
          "%s: pool: %s", g->name, err.message);
    float *want = nn_golden_array(v, &n, NULL, NULL);
    CHECK(want && n == b->B * H, "%s: %s has %zu values", g->name, EMBEDDINGS[e].key, n);
    if (want && n == b->B * H) compare_rows(out, want, b->B, H, emb);
    free(want);
  }
  if ((v = tetra_json_get(gb, "logits")) && !int8) {
    CHECK(tetra_encoder_logits(enc, out, &err) == TETRA_OK, "%s: logits: %s", g->name, err.message);
    float *want = nn_golden_array(v, &n, NULL, NULL);
    if (info->head == TETRA_HEAD_TOKEN) {
      float *got = masked_rows(out, b, L, &rows);
      CHECK(want && n == rows * L, "%s: token logits count", g->name);
      if (want && n == rows * L) compare_rows(got, want, rows, L, logit);
      free(got);
    } else {
      CHECK(want && n == b->B * L, "%s: logits count", g->name);
      if (want && n == b->B * L) compare_rows(out, want, b->B, L, logit);
    }
    free(want);
  }
done:
  free(h);
  free(out);
}

/* int8 argmax agreement: over all inputs, and over those whose float32 top-2 logit margin is at
 * least 0.05; for multi-label heads also every per-label decision (logit > 0, i.e. sigmoid > 0.5).
 * The goldens' classifier layers are probes trained on held-out text (make_encoder_golden.py), so
 * their decisions are not near-ties by construction. */
typedef struct agreement {
  size_t same, total, clear_same, clear_total, decisions_same, decisions;
} agreement;

static double margin(const float *x, size_t n) {
  float a = -INFINITY, b = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (x[i] > a) b = a, a = x[i];
    else if (x[i] > b) b = x[i];
  }
  return n > 1 ? (double)a - b : INFINITY;
}

static size_t argmax(const float *x, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; i++)
    if (x[i] > x[best]) best = i;
  return best;
}

/* The sets: classification inputs (argmax agreement; float32 logits too) and embedding inputs,
 * run in padded batches of 8. */
static void check_sets(const golden_model *g, tetra_encoder *enc, size_t limit, stats *emb,
                       stats *logit, agreement *agree) {
  const tetra_json *sets_in = tetra_json_get(tetra_json_root(g->inputs), "sets");
  const tetra_json *sets_gold = tetra_json_get(tetra_json_root(g->golden), "sets");
  const tetra_encoder_info *info = tetra_encoder_get_info(enc);
  const size_t H = info->hidden_size, L = info->num_labels;
  for (uint32_t k = 0; sets_in && k < sets_in->len; k++) {
    const char *key = sets_in->u.items[2 * k].u.string;
    const tetra_json *set = &sets_in->u.items[2 * k + 1], *gold = tetra_json_get(sets_gold, key);
    const tetra_json *ids = tetra_json_get(set, "input_ids");
    int classify = !strcmp(key, "classify");
    size_t n = 0;
    float *want = nn_golden_array(tetra_json_get(gold, classify ? "logits" : "embeddings_mean_normalized"), &n, NULL, NULL);
    if (!want || !ids) {
      free(want);
      continue;
    }
    size_t row = 0; /* next golden row */
    size_t count = ids->len < limit ? ids->len : limit;
    for (size_t first = 0; first < count; first += 8) {
      batch b;
      batch_from_set(set, first, count - first < 8 ? count - first : 8, g->pad, &b);
      tetra_error err;
      float *out = malloc(b.B * b.S * (H > L ? H : L) * sizeof(float));
      int ok = tetra_encoder_forward(enc, b.ids, b.mask, b.types, b.B, b.S, NULL, &err) == TETRA_OK;
      CHECK(ok, "%s: %s forward: %s", g->name, key, err.message);
      if (ok && classify) {
        ok = tetra_encoder_logits(enc, out, &err) == TETRA_OK;
        CHECK(ok, "%s: logits: %s", g->name, err.message);
        size_t rows = b.B;
        float *got = out, *packed = NULL;
        if (info->head == TETRA_HEAD_TOKEN) got = packed = masked_rows(out, &b, L, &rows);
        if (row + rows > n / L) ok = 0;
        CHECK(ok, "%s: %s: more rows than golden.json holds", g->name, key);
        if (ok) {
          compare_rows(got, want + row * L, rows, L, logit);
          for (size_t r = 0; r < rows; r++) {
            const float *w = want + (row + r) * L;
            int same = argmax(got + r * L, L) == argmax(w, L);
            agree->same += same;
            agree->total++;
            if (margin(w, L) >= 0.05) agree->clear_same += same, agree->clear_total++;
            for (size_t l = 0; info->multi_label && l < L; l++, agree->decisions++)
              agree->decisions_same += (got[r * L + l] > 0) == (w[l] > 0);
          }
          row += rows;
        }
        free(packed);
      } else if (ok) {
        ok = tetra_encoder_pool(enc, TETRA_POOL_MEAN, 1, out, &err) == TETRA_OK && row + b.B <= n / H;
        CHECK(ok, "%s: pool: %s", g->name, err.message);
        if (ok) compare_rows(out, want + row * H, b.B, H, emb);
        row += b.B;
      }
      free(out);
      batch_free(&b);
    }
    free(want);
  }
}

/* Unoptimised sanitizer builds run the GEMMs some 50 times slower, so there (light) the sets are
 * cut to their first 48 inputs, and the 90 MB MiniLM model runs its first batch and 8 inputs. */
static void test_model(const char *name, int light) {
  int mini = light && !strcmp(name, "minilm");
  golden_model g;
  if (!open_model(name, &g)) {
    close_model(&g);
    return;
  }
  if (light)
    printf("test_nn_encoder_golden: %s: unoptimised build: %s%d inputs per set\n", name,
           mini ? "first batch, " : "", mini ? 8 : 48);
  const tetra_json *in_batches = tetra_json_get(tetra_json_root(g.inputs), "batches");
  const tetra_json *gold_batches = tetra_json_get(tetra_json_root(g.golden), "batches");
  uint8_t *file = NULL, *qfile = NULL;
  size_t len = 0, qlen = 0;
  if (!nn_weights_build(g.spec, NULL, 0, &file, &len)) {
    close_model(&g);
    return;
  }
  tetra_error err;
  for (int int8 = 0; int8 < 2; int8++) {
    tetra_encoder *enc = NULL;
    tetra_status st;
    if (int8) { /* through the converter (test_variants checks it against the float file at int8) */
      st = tetra_encoder_quantize(g.config, g.config_len, file, len, NULL, &qfile, &qlen, &err);
      CHECK(st == TETRA_OK, "%s: quantize: %s", name, err.message);
      if (st) break;
      st = tetra_encoder_load(g.config, g.config_len, qfile, qlen, TETRA_PRECISION_AUTO, NULL, &enc, &err);
    } else {
      st = tetra_encoder_load(g.config, g.config_len, file, len, TETRA_PRECISION_F32, NULL, &enc, &err);
    }
    CHECK(st == TETRA_OK, "%s: load: %s", name, err.message);
    if (st) break;
    stats hidden = {0, 1}, pooled = {0, 1}, emb = {0, 1}, logit = {0, 1};
    for (size_t i = 0; in_batches && i < (mini ? 1 : in_batches->len); i++) {
      batch b;
      if (batch_from_inputs(tetra_json_at(in_batches, i), &b))
        check_batch(&g, enc, &b, tetra_json_at(gold_batches, i), int8, &hidden, &pooled, &emb, &logit);
      batch_free(&b);
    }
    agreement ag = {0, 0, 0, 0, 0, 0};
    check_sets(&g, enc, !light ? (size_t)-1 : mini ? 8 : 48, &emb, &logit, &ag);
    if (!int8) {
      printf("test_nn_encoder_golden: %-15s float32: hidden max abs %.2e, pooler %.2e, embeddings %.2e "
             "(cos >= %.7f), logits %.2e, argmax %zu/%zu\n",
             name, hidden.max_abs, pooled.max_abs, emb.max_abs, emb.min_cos, logit.max_abs, ag.same, ag.total);
      CHECK(hidden.max_abs <= 1e-4, "%s: hidden states max abs error %g", name, hidden.max_abs);
      CHECK(pooled.max_abs <= 1e-4, "%s: pooler max abs error %g", name, pooled.max_abs);
      CHECK(emb.max_abs <= 1e-4 && emb.min_cos >= 0.99999, "%s: embeddings error %g, cosine %.7f", name,
            emb.max_abs, emb.min_cos);
      CHECK(logit.max_abs <= 1e-4, "%s: logits max abs error %g", name, logit.max_abs);
      CHECK(ag.same == ag.total, "%s: float32 argmax %zu of %zu", name, ag.same, ag.total);
    } else {
      printf("test_nn_encoder_golden: %-15s int8:    embeddings cos >= %.5f; logits max abs diff %.3f; argmax "
             "agreement %zu/%zu (%.1f%%), on inputs with a float32 margin >= 0.05: %zu/%zu (%.1f%%); "
             "multi-label decisions %zu/%zu; file %zu -> %zu bytes\n",
             name, emb.min_cos, logit.max_abs, ag.same, ag.total, ag.total ? 100.0 * ag.same / ag.total : 100.0,
             ag.clear_same, ag.clear_total, ag.clear_total ? 100.0 * ag.clear_same / ag.clear_total : 100.0,
             ag.decisions_same, ag.decisions, len, qlen);
      CHECK(emb.min_cos >= 0.99, "%s: int8 embeddings cosine %.5f", name, emb.min_cos);
      /* the criterion on every classification input (sequences, or tokens), and per label
       * for multi-label heads; the light run's 48 inputs are too few for a 1% allowance */
      if (!light) {
        CHECK(ag.same >= 0.99 * ag.total, "%s: int8 argmax agreement %zu of %zu", name, ag.same, ag.total);
        CHECK(ag.decisions_same >= 0.99 * ag.decisions, "%s: int8 multi-label decisions %zu of %zu", name,
              ag.decisions_same, ag.decisions);
      }
      CHECK(ag.clear_same >= 0.99 * ag.clear_total, "%s: int8 argmax agreement %zu of %zu (margin >= 0.05)",
            name, ag.clear_same, ag.clear_total);
    }
    tetra_encoder_free(enc);
  }
  tetra_free(NULL, qfile);
  free(file);
  close_model(&g);
}

/* One file variant's hidden states on the model's first golden batch (NULL on failure). */
static float *variant_hidden(const golden_model *g, const uint8_t *file, size_t len, tetra_precision p,
                             const batch *b, size_t *count) {
  tetra_encoder *enc = NULL;
  tetra_error err;
  tetra_status st = tetra_encoder_load(g->config, g->config_len, file, len, p, NULL, &enc, &err);
  CHECK(st == TETRA_OK, "%s: load: %s", g->name, err.message);
  if (st) return NULL;
  *count = b->B * b->S * tetra_encoder_get_info(enc)->hidden_size;
  float *h = malloc(*count * sizeof(float));
  st = tetra_encoder_forward(enc, b->ids, b->mask, b->types, b->B, b->S, h, &err);
  CHECK(st == TETRA_OK, "%s: forward: %s", g->name, err.message);
  tetra_encoder_free(enc);
  if (st) {
    free(h);
    return NULL;
  }
  return h;
}

/* F16 / BF16 files, names without the prefix, and the int8 converter's bit-exactness. */
static void test_variants(const char *name) {
  golden_model g;
  batch b = {0, 0, NULL, NULL, NULL};
  if (!open_model(name, &g) ||
      !batch_from_inputs(tetra_json_at(tetra_json_get(tetra_json_root(g.inputs), "batches"), 0), &b)) {
    close_model(&g);
    return;
  }
  uint8_t *f32 = NULL, *other = NULL, *q = NULL;
  size_t l32 = 0, lo = 0, lq = 0, n = 0, n2 = 0;
  if (!nn_weights_build(g.spec, NULL, 0, &f32, &l32)) goto done;
  float *ref = variant_hidden(&g, f32, l32, TETRA_PRECISION_F32, &b, &n);
  if (!ref) goto done;
  /* the same file without the base model's prefix: the same model, bit for bit */
  if (nn_weights_build(g.spec, "F32", 1, &other, &lo)) {
    float *h = variant_hidden(&g, other, lo, TETRA_PRECISION_F32, &b, &n2);
    CHECK(h && n2 == n && !memcmp(h, ref, n * sizeof(float)), "%s: prefix-less file differs", name);
    free(h);
    free(other);
    other = NULL;
  }
  /* half-precision files: the weights lose bits, the outputs stay close */
  static const char *const halves[] = {"F16", "BF16"};
  for (int k = 0; k < 2; k++) {
    if (!nn_weights_build(g.spec, halves[k], k, &other, &lo)) continue;
    float *h = variant_hidden(&g, other, lo, TETRA_PRECISION_AUTO, &b, &n2);
    stats s = {0, 1};
    if (h && n2 == n) compare_rows(h, ref, b.B * b.S, n / (b.B * b.S), &s);
    printf("test_nn_encoder_golden: %-15s %s file%s (%zu bytes): hidden max abs diff from F32 %.2e, cos >= %.6f\n",
           name, halves[k], k ? " without prefix" : "", lo, s.max_abs, s.min_cos);
    CHECK(h && s.min_cos >= 0.999, "%s: %s file: cosine %.6f", name, halves[k], s.min_cos);
    free(h);
    free(other);
    other = NULL;
  }
  /* the converter's file loads to the model the float file gives at int8, bit for bit */
  tetra_error err;
  tetra_status st = tetra_encoder_quantize(g.config, g.config_len, f32, l32, NULL, &q, &lq, &err);
  CHECK(st == TETRA_OK, "%s: quantize: %s", name, err.message);
  if (!st) {
    float *a = variant_hidden(&g, f32, l32, TETRA_PRECISION_INT8, &b, &n2);
    float *c = variant_hidden(&g, q, lq, TETRA_PRECISION_AUTO, &b, &n2);
    CHECK(a && c && !memcmp(a, c, n2 * sizeof(float)), "%s: int8 file != float file at int8", name);
    free(a);
    free(c);
  }
  free(ref);
done:
  tetra_free(NULL, q);
  free(f32);
  batch_free(&b);
  close_model(&g);
}

int main(void) {
  static const char *const models[] = {"minilm", "distilbert", "roberta", "bert-multilabel", "xlm-roberta"};
#ifdef __OPTIMIZE__
  const int unoptimised = 0;
#else
  const int unoptimised = 1;
#endif
  for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
    test_model(models[i], unoptimised);
  test_variants("distilbert");
  test_variants("roberta");
  return harness_finish("test_nn_encoder_golden");
}
