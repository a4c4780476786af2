#include "golden.h"

#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/core.h"

size_t golden_names(char names[][128], size_t max) {
  size_t count = 0;
  tetra_json_doc *doc = harness_read_json("tests/golden/trees/index.json");
  if (!doc) return 0;
  const tetra_json *root = tetra_json_root(doc);
  const tetra_json *list = root && root->type == TETRA_JSON_OBJECT ? tetra_json_get(root, "models")
                                                                   : root;
  for (size_t i = 0; list && i < list->len && count < max; i++) {
    const tetra_json *item = tetra_json_at(list, i);
    if (item && item->type == TETRA_JSON_OBJECT) item = tetra_json_get(item, "name");
    if (item && item->type == TETRA_JSON_STRING) snprintf(names[count++], 128, "%s", item->u.string);
  }
  tetra_json_free(doc);
  return count;
}

static float *read_f32(const char *name, const char *file, size_t expect) {
  char rel[512];
  snprintf(rel, sizeof rel, "tests/golden/trees/%s/%s", name, file);
  size_t len;
  char *bytes = harness_read_file(harness_path(rel), &len);
  CHECK(bytes != NULL, "cannot read %s", rel);
  if (!bytes) return NULL;
  CHECK(len == expect * sizeof(float), "%s has %zu bytes, expected %zu", rel, len,
        expect * sizeof(float));
  if (len != expect * sizeof(float)) {
    free(bytes);
    return NULL;
  }
  float *values = malloc(len ? len : 1); /* little-endian float32, as is every target we build */
  memcpy(values, bytes, len);
  free(bytes);
  return values;
}

static size_t meta_count(const tetra_json *meta, const char *key) {
  const tetra_json *v = tetra_json_get(meta, key);
  return v && v->type == TETRA_JSON_NUMBER ? (size_t)v->u.number : 0;
}

int golden_load(const char *name, golden_case *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%s", name);
  char rel[512];
  snprintf(rel, sizeof rel, "tests/golden/trees/%s/meta.json", name);
  tetra_json_doc *doc = harness_read_json(rel);
  if (!doc) return 0;
  const tetra_json *meta = tetra_json_root(doc);
  c->nrows = meta_count(meta, "nrows");
  c->ncols = meta_count(meta, "ncols");
  c->num_groups = meta_count(meta, "num_groups");
  c->pred_width = meta_count(meta, "pred_width");
  tetra_json_free(doc);
  snprintf(rel, sizeof rel, "tests/golden/trees/%s/model.json", name);
  c->model = harness_read_file(harness_path(rel), &c->model_len);
  CHECK(c->model != NULL, "cannot read %s", rel);
  c->rows = read_f32(name, "rows.f32", c->nrows * c->ncols);
  c->margin = read_f32(name, "margin.f32", c->nrows * c->num_groups);
  c->pred = read_f32(name, "pred.f32", c->nrows * c->pred_width);
  return c->model && c->rows && c->margin && c->pred;
}

void golden_free(golden_case *c) {
  free(c->model);
  free(c->rows);
  free(c->margin);
  free(c->pred);
  memset(c, 0, sizeof *c);
}
