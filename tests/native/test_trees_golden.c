/* Parity with XGBoost: every row of every golden model, margins within 1e-5 absolute (the
 * target) and counted for bit-exactness (what the float32 summation order should give). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "harness.h"
#include "tetra/trees.h"

static int close_enough(float got, float want, float abs_tol, float rel_tol) {
  if (isnan(want)) return isnan(got);
  return fabsf(got - want) <= abs_tol + rel_tol * fabsf(want);
}

static void check_model(const golden_case *c, size_t *exact, size_t *total) {
  tetra_forest *f = NULL;
  tetra_error err;
  tetra_status st = tetra_trees_load_xgboost_json(c->model, c->model_len, NULL, &f, &err);
  CHECK(st == TETRA_OK, "%s: %s", c->name, err.message);
  if (st != TETRA_OK) return;
  CHECK(tetra_trees_num_features(f) == c->ncols, "%s: %zu features, golden has %zu", c->name,
        tetra_trees_num_features(f), c->ncols);
  CHECK(tetra_trees_num_groups(f) == c->num_groups, "%s: %zu groups, golden has %zu", c->name,
        tetra_trees_num_groups(f), c->num_groups);
  CHECK(tetra_trees_output_width(f, 0) == c->pred_width, "%s: output width %zu, golden %zu",
        c->name, tetra_trees_output_width(f, 0), c->pred_width);

  size_t nm = c->nrows * c->num_groups, np = c->nrows * c->pred_width;
  float *margin = malloc((nm + 1) * sizeof *margin), *pred = malloc((np + 1) * sizeof *pred);
  st = tetra_trees_predict(f, c->rows, c->nrows, c->ncols, TETRA_PREDICT_MARGIN, margin, nm, &err);
  CHECK(st == TETRA_OK, "%s: %s", c->name, err.message);
  size_t bad = 0;
  for (size_t i = 0; st == TETRA_OK && i < nm; i++) {
    if (!close_enough(margin[i], c->margin[i], 1e-5f, 0.0f) && bad++ < 5)
      CHECK(0, "%s: margin[%zu] = %.9g, XGBoost %.9g", c->name, i, margin[i], c->margin[i]);
    *exact += memcmp(&margin[i], &c->margin[i], sizeof(float)) == 0;
  }
  *total += nm;
  CHECK(bad == 0, "%s: %zu of %zu margins differ by more than 1e-5", c->name, bad, nm);

  st = tetra_trees_predict(f, c->rows, c->nrows, c->ncols, 0, pred, np, &err);
  CHECK(st == TETRA_OK, "%s: %s", c->name, err.message);
  bad = 0;
  /* Transformed outputs go through expf/logf, whose last bit may differ between C libraries;
   * exp-link outputs are large, hence the relative term. */
  for (size_t i = 0; st == TETRA_OK && i < np; i++)
    if (!close_enough(pred[i], c->pred[i], 1e-5f, 1e-6f) && bad++ < 5)
      CHECK(0, "%s: pred[%zu] = %.9g, XGBoost %.9g", c->name, i, pred[i], c->pred[i]);
  CHECK(bad == 0, "%s: %zu of %zu predictions differ", c->name, bad, np);

  /* One row at a time (the single-row path) must give the batch's values exactly. */
  bad = 0;
  for (size_t r = 0; r < c->nrows; r++) {
    float one[64];
    if (c->num_groups > 64) break;
    st = tetra_trees_predict(f, c->rows + r * c->ncols, 1, c->ncols, TETRA_PREDICT_MARGIN, one,
                             64, &err);
    if (st != TETRA_OK || memcmp(one, margin + r * c->num_groups, c->num_groups * sizeof(float)))
      bad++;
  }
  CHECK(bad == 0, "%s: %zu rows differ between single-row and batch prediction", c->name, bad);
  free(margin);
  free(pred);
  tetra_trees_free(f);
}

int main(void) {
  static char names[256][128];
  size_t n = golden_names(names, 256), exact = 0, total = 0;
  CHECK(n >= 20, "expected at least 20 golden models, found %zu", n);
  for (size_t i = 0; i < n; i++) {
    golden_case c;
    if (golden_load(names[i], &c)) check_model(&c, &exact, &total);
    golden_free(&c);
  }
  printf("golden: %zu models, %zu of %zu margins bit-identical to XGBoost\n", n, exact, total);
  return harness_finish("test_trees_golden");
}
