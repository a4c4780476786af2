/* libFuzzer target: the XGBoost loader on arbitrary bytes (seeded with the golden models); a model
 * that loads must predict a few rows, including NaN, zero and huge values, without crashing. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tetra/trees.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tetra_forest *f = NULL;
  tetra_error err;
  if (tetra_trees_load_xgboost_json((const char *)data, size, NULL, &f, &err) != TETRA_OK) return 0;
  size_t ncols = tetra_trees_num_features(f), width = tetra_trees_output_width(f, 0);
  if (ncols <= 4096) {
    size_t nrows = 11;
    float *rows = malloc((nrows * ncols + 1) * sizeof *rows);
    float *out = malloc((nrows * tetra_trees_num_groups(f) + 1) * sizeof *out);
    for (size_t i = 0; i < nrows * ncols; i++) {
      static const float values[] = {0.0f, 1.0f, -1.0f, NAN, 1e30f, -1e30f, 0.5f, 3.0f, 7.0f};
      rows[i] = values[(i * 7 + i / 3) % 9];
    }
    tetra_trees_predict(f, rows, nrows, ncols, 0, out, nrows * width, &err);
    tetra_trees_predict(f, rows, nrows, ncols, TETRA_PREDICT_MARGIN, out,
                        nrows * tetra_trees_num_groups(f), &err);
    free(rows);
    free(out);
  }
  tetra_trees_free(f);
  return 0;
}
