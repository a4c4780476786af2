/* tetra_predict: score CSV rows with an XGBoost JSON model from the command line.
 *
 *   tetra_predict model.json [rows.csv|-] [--margin]
 *
 * Each input line is one row of comma-separated numbers; an empty field, "nan" or "NA" is
 * missing. Prints one line per row with the model's outputs. A header line (first field not a
 * number) is skipped. This is the C path to what js/ Booster.predict does. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetra/tetra.h"

static char *read_all(FILE *f, size_t *len) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (n == cap) {
      char *grown = realloc(buf, cap *= 2);
      if (!grown) { free(buf); return NULL; }
      buf = grown;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  *len = n;
  return buf;
}

static int parse_field(const char *s, const char *e, float *out) {
  while (s < e && isspace((unsigned char)*s)) s++;
  while (e > s && isspace((unsigned char)e[-1])) e--;
  if (s == e || (e - s == 3 && strncmp(s, "nan", 3) == 0) || (e - s == 2 && strncmp(s, "NA", 2) == 0)) {
    *out = NAN;
    return 1;
  }
  char tmp[64];
  if (e - s >= (long)sizeof tmp) return 0;
  memcpy(tmp, s, (size_t)(e - s));
  tmp[e - s] = '\0';
  char *stop;
  *out = strtof(tmp, &stop);
  return *stop == '\0';
}

int main(int argc, char **argv) {
  const char *model_path = NULL, *rows_path = "-";
  unsigned flags = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--margin") == 0) flags |= TETRA_PREDICT_MARGIN;
    else if (!model_path) model_path = argv[i];
    else rows_path = argv[i];
  }
  if (!model_path) {
    fprintf(stderr, "usage: tetra_predict model.json [rows.csv|-] [--margin]\n");
    return 2;
  }
  FILE *mf = fopen(model_path, "rb");
  if (!mf) { perror(model_path); return 1; }
  size_t mlen;
  char *model = read_all(mf, &mlen);
  fclose(mf);
  tetra_forest *forest;
  tetra_error err;
  if (tetra_trees_load_xgboost_json(model, mlen, NULL, &forest, &err) != TETRA_OK) {
    fprintf(stderr, "%s: %s\n", model_path, err.message);
    free(model);
    return 1;
  }
  free(model);
  FILE *rf = strcmp(rows_path, "-") == 0 ? stdin : fopen(rows_path, "rb");
  if (!rf) { perror(rows_path); tetra_trees_free(forest); return 1; }
  size_t ncols = tetra_trees_num_features(forest), width = tetra_trees_output_width(forest, flags);
  float *row = malloc((ncols + 1) * sizeof *row), *out = malloc(width * sizeof *out);
  char line[1 << 16];
  size_t lineno = 0;
  int status = 0;
  while (fgets(line, sizeof line, rf)) {
    lineno++;
    size_t len = strcspn(line, "\r\n");
    line[len] = '\0';
    if (len == 0) continue;
    size_t col = 0;
    int ok = 1;
    for (const char *s = line;; col++) {
      const char *e = strchr(s, ',');
      if (!e) e = line + len;
      if (col < ncols && !parse_field(s, e, &row[col])) ok = 0;
      if (*e == '\0') { col++; break; }
      s = e + 1;
    }
    if (!ok && lineno == 1) continue; /* header */
    if (!ok || col != ncols) {
      fprintf(stderr, "%s:%zu: expected %zu numeric fields, got %zu%s\n", rows_path, lineno, ncols,
              col, ok ? "" : " (or a field that is not a number)");
      status = 1;
      break;
    }
    if (tetra_trees_predict(forest, row, 1, ncols, flags, out, width, &err) != TETRA_OK) {
      fprintf(stderr, "%s:%zu: %s\n", rows_path, lineno, err.message);
      status = 1;
      break;
    }
    for (size_t g = 0; g < width; g++) printf("%s%.9g", g ? "," : "", out[g]);
    printf("\n");
  }
  if (rf != stdin) fclose(rf);
  free(row);
  free(out);
  tetra_trees_free(forest);
  return status;
}
