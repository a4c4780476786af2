/* Access to the XGBoost golden files in tests/golden/trees (see the README there). */
#ifndef TETRA_TESTS_GOLDEN_H
#define TETRA_TESTS_GOLDEN_H

#include <stddef.h>

typedef struct golden_case {
  char name[128];
  char *model;  /* model.json text */
  size_t model_len;
  float *rows, *margin, *pred;
  size_t nrows, ncols, num_groups, pred_width;
} golden_case;

/* Names listed in index.json; returns the count (at most max). */
size_t golden_names(char names[][128], size_t max);
/* Loads one case; returns 0 (after reporting through CHECK) if a file is missing or malformed. */
int golden_load(const char *name, golden_case *out);
void golden_free(golden_case *c);

#endif
