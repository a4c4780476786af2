/* Corrupted models through the loader (run under ASan and UBSan): truncations, bit flips, deleted
 * fields, wrong types and targeted structural damage. Each must load cleanly or fail with a message;
 * none may crash, leak or read out of bounds, and a model that does load must predict safely. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "harness.h"
#include "tetra/trees.h"

static size_t loaded_ok, rejected;

/* Loads text; on success predicts the golden rows. Returns the status and fills err. */
static tetra_status try_load(const char *text, size_t len, const golden_case *c, tetra_error *err) {
  tetra_forest *f = NULL;
  tetra_status st = tetra_trees_load_xgboost_json(text, len, NULL, &f, err);
  if (st != TETRA_OK) {
    CHECK(f == NULL, "no forest on failure");
    CHECK(err->message[0] != '\0', "a failure always has a message");
    rejected++;
    return st;
  }
  loaded_ok++;
  size_t width = tetra_trees_output_width(f, 0);
  size_t ncols = tetra_trees_num_features(f);
  if (ncols == c->ncols) {
    float *out = malloc((c->nrows * width + 1) * sizeof *out);
    tetra_error perr;
    CHECK(tetra_trees_predict(f, c->rows, c->nrows, ncols, 0, out, c->nrows * width, &perr) ==
              TETRA_OK,
          "a loaded model predicts: %s", perr.message);
    free(out);
  }
  tetra_trees_free(f);
  return st;
}

static void truncations(const golden_case *c) {
  size_t len = c->model_len;
  while (len && (c->model[len - 1] == '\n' || c->model[len - 1] == ' ')) len--;
  size_t step = len / 400 ? len / 400 : 1;
  for (size_t cut = 0; cut < len; cut += (cut < 256 || len - cut < 256) ? 1 : step) {
    char *copy = malloc(cut + 1); /* exact-size copy so ASan sees any read past the end */
    memcpy(copy, c->model, cut);
    tetra_error err;
    tetra_status st = try_load(copy, cut, c, &err);
    CHECK(st != TETRA_OK, "%s truncated to %zu of %zu bytes loaded", c->name, cut, len);
    free(copy);
  }
}

static void bit_flips(const golden_case *c, int count) {
  uint64_t s = 0x2545F4914F6CDD1Dull ^ c->model_len;
  char *copy = malloc(c->model_len);
  for (int i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    memcpy(copy, c->model, c->model_len);
    size_t at = (size_t)(s % c->model_len);
    copy[at] ^= (char)(1u << ((s >> 32) % 8));
    if (i % 3 == 0) copy[(at * 7 + 13) % c->model_len] ^= (char)(1u << ((s >> 40) % 8));
    tetra_error err;
    try_load(copy, c->model_len, c, &err);
  }
  free(copy);
}

/* End of the JSON value starting at p (a scalar, string, array or object). */
static const char *value_end(const char *p, const char *end) {
  int depth = 0, in_string = 0;
  for (; p < end; p++) {
    char ch = *p;
    if (in_string) {
      if (ch == '\\') p++;
      else if (ch == '"') {
        in_string = 0;
        if (depth == 0) return p + 1;
      }
      continue;
    }
    if (ch == '"') in_string = 1;
    else if (ch == '[' || ch == '{') depth++;
    else if (ch == ']' || ch == '}') {
      if (depth == 0) return p;
      if (--depth == 0) return p + 1;
    } else if (ch == ',' && depth == 0) return p;
  }
  return end;
}

/* Replaces the value of the first "key": after the first occurrence of anchor (NULL: anywhere)
 * with replacement (NULL deletes the member). Returns a malloc'd text and its length, or NULL if
 * the key is absent. */
static char *edit_member_after(const golden_case *c, const char *anchor, const char *key,
                               const char *replacement, size_t *out_len) {
  char pattern[96];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *text = c->model, *end = c->model + c->model_len;
  const char *from = anchor ? strstr(text, anchor) : text;
  if (!from) return NULL;
  const char *k = strstr(from, pattern);
  if (!k) return NULL;
  const char *v = k + strlen(pattern);
  const char *ve = value_end(v, end);
  const char *cut_from = replacement ? v : k, *cut_to = ve;
  if (!replacement) {
    if (*ve == ',') cut_to = ve + 1;                  /* "key":v, -> drop the comma after */
    else if (k > text && k[-1] == ',') cut_from = k - 1; /* last member: drop the comma before */
  }
  size_t rlen = replacement ? strlen(replacement) : 0;
  size_t n = (size_t)(cut_from - text) + rlen + (size_t)(end - cut_to);
  char *out = malloc(n + 1);
  size_t at = 0;
  memcpy(out + at, text, (size_t)(cut_from - text));
  at += (size_t)(cut_from - text);
  if (rlen) memcpy(out + at, replacement, rlen);
  at += rlen;
  memcpy(out + at, cut_to, (size_t)(end - cut_to));
  out[n] = '\0';
  *out_len = n;
  return out;
}

static char *edit_member(const golden_case *c, const char *key, const char *replacement,
                         size_t *out_len) {
  return edit_member_after(c, NULL, key, replacement, out_len);
}

/* Replaces item `index` of the first array "key":[...] (of plain numbers) with replacement. */
static char *edit_item(const golden_case *c, const char *key, size_t index,
                       const char *replacement, size_t *out_len) {
  char pattern[96];
  snprintf(pattern, sizeof pattern, "\"%s\":[", key);
  const char *k = strstr(c->model, pattern);
  if (!k) return NULL;
  const char *p = k + strlen(pattern), *end = c->model + c->model_len;
  for (size_t i = 0; i < index; i++) {
    while (p < end && *p != ',' && *p != ']') p++;
    if (p >= end || *p == ']') return NULL;
    p++;
  }
  const char *q = p;
  while (q < end && *q != ',' && *q != ']') q++;
  size_t rlen = strlen(replacement);
  size_t n = (size_t)(p - c->model) + rlen + (size_t)(end - q);
  char *out = malloc(n + 1);
  memcpy(out, c->model, (size_t)(p - c->model));
  memcpy(out + (p - c->model), replacement, rlen);
  memcpy(out + (p - c->model) + rlen, q, (size_t)(end - q));
  out[n] = '\0';
  *out_len = n;
  return out;
}

/* The edit must run before its length is read, hence a macro rather than nested arguments. */
#define EXPECT_ERROR(edit, c, what, needle) \
  do {                                      \
    size_t len_ = 0;                        \
    char *text_ = (edit);                   \
    expect_error(text_, len_, c, what, needle); \
  } while (0)

static void expect_error(char *text, size_t len, const golden_case *c, const char *what,
                         const char *needle) {
  CHECK(text != NULL, "%s: %s: edit did not apply", c->name, what);
  if (!text) return;
  tetra_error err;
  tetra_status st = try_load(text, len, c, &err);
  CHECK(st != TETRA_OK, "%s: %s was accepted", c->name, what);
  if (st != TETRA_OK)
    CHECK(strstr(err.message, needle) != NULL, "%s: %s: message \"%s\" lacks \"%s\"", c->name,
          what, err.message, needle);
  free(text);
}

static void deleted_and_mistyped_fields(const golden_case *c) {
  static const char *required[] = {"learner", "gradient_booster", "objective", "model", "trees",
                                   "tree_info", "tree_param", "num_nodes", "left_children",
                                   "right_children", "split_indices", "split_conditions",
                                   "default_left", "learner_model_param", "num_feature",
                                   "gbtree_model_param", "num_trees"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
    char what[96];
    /* tree_param repeats num_feature; the one that counts is the learner's */
    const char *anchor = strcmp(required[i], "num_feature") == 0 ? "\"learner_model_param\"" : NULL;
    snprintf(what, sizeof what, "deleting \"%s\"", required[i]);
    EXPECT_ERROR(edit_member_after(c, anchor, required[i], NULL, &len_), c, what, required[i]);
    snprintf(what, sizeof what, "\"%s\" as a string", required[i]);
    EXPECT_ERROR(edit_member_after(c, anchor, required[i], "\"oops\"", &len_), c, what,
                 required[i]);
  }
  /* Optional members may go; what remains must still load or fail cleanly. */
  static const char *optional[] = {"version", "feature_names", "feature_types", "split_type",
                                   "categories", "base_weights", "parents", "attributes",
                                   "base_score", "num_class", "id", "weight_drop"};
  for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
    size_t len;
    char *text = edit_member(c, optional[i], NULL, &len);
    if (!text) continue;
    tetra_error err;
    try_load(text, len, c, &err);
    free(text);
  }
}

static void structural_damage(const golden_case *c) {
  EXPECT_ERROR(edit_item(c, "left_children", 0, "0", &len_), c, "a child pointing at the root",
               "expected two distinct nodes");
  EXPECT_ERROR(edit_item(c, "left_children", 0, "100000", &len_), c, "a child out of range",
               "expected two distinct nodes");
  EXPECT_ERROR(edit_item(c, "left_children", 0, "-7", &len_), c, "a negative child",
               "expected two distinct nodes");
  EXPECT_ERROR(edit_item(c, "left_children", 1, "1", &len_), c, "a self loop", "reached twice");
  EXPECT_ERROR(edit_item(c, "right_children", 0, "1", &len_), c, "equal children",
               "expected two distinct nodes");
  EXPECT_ERROR(edit_item(c, "left_children", 0, "-1", &len_), c, "half a leaf",
               "expected two distinct nodes");
  EXPECT_ERROR(edit_item(c, "split_indices", 0, "4000000", &len_), c,
               "a feature beyond the row width", "outside the model's");
  EXPECT_ERROR(edit_item(c, "split_indices", 0, "1.5", &len_), c, "a fractional index",
               "should be an integer");
  EXPECT_ERROR(edit_item(c, "default_left", 0, "2", &len_), c, "default_left 2",
               "boolean or 0/1");
  EXPECT_ERROR(edit_item(c, "split_conditions", 0, "\"x\"", &len_), c, "a string threshold",
               "should be a number");
  EXPECT_ERROR(edit_item(c, "split_conditions", 0, "1e300", &len_), c, "a huge threshold",
               "does not fit in float32");
  EXPECT_ERROR(edit_item(c, "tree_info", 0, "99", &len_), c, "a tree_info out of range",
               "tree_info[0] = 99");
  EXPECT_ERROR(edit_member(c, "num_nodes", "\"100000\"", &len_), c, "num_nodes too large",
               "tree_param.num_nodes is 100000");
  EXPECT_ERROR(edit_member(c, "num_trees", "\"3\"", &len_), c, "num_trees mismatch",
               "num_trees is 3");
  EXPECT_ERROR(edit_member_after(c, "\"objective\"", "name", "\"reg:unknown\"", &len_), c, "an unknown objective",
               "objective \"reg:unknown\" is not supported");
  EXPECT_ERROR(edit_member(c, "base_score", "\"abc\"", &len_), c, "a bad base_score",
               "base_score");
  EXPECT_ERROR(edit_member_after(c, "\"learner_model_param\"", "num_feature", "\"-3\"", &len_), c, "a negative num_feature",
               "num_feature");
}

static void unsupported(void) {
  const char *gblinear =
      "{\"learner\":{\"learner_model_param\":{\"num_feature\":\"2\",\"base_score\":\"5E-1\"},"
      "\"objective\":{\"name\":\"reg:squarederror\"},\"gradient_booster\":{\"name\":\"gblinear\","
      "\"model\":{\"weights\":[1,2,3]}}},\"version\":[1,7,4]}";
  tetra_forest *f = NULL;
  tetra_error err;
  CHECK(tetra_trees_load_xgboost_json(gblinear, strlen(gblinear), NULL, &f, &err) ==
            TETRA_ERR_UNSUPPORTED,
        "gblinear: %s", err.message);
  CHECK(strstr(err.message, "gblinear booster is not supported") != NULL, "%s", err.message);
  const char *cox =
      "{\"learner\":{\"learner_model_param\":{\"num_feature\":\"2\"},"
      "\"objective\":{\"name\":\"survival:cox\"},\"gradient_booster\":{\"name\":\"gbtree\"}}}";
  CHECK(tetra_trees_load_xgboost_json(cox, strlen(cox), NULL, &f, &err) == TETRA_ERR_UNSUPPORTED,
        "cox: %s", err.message);
  CHECK(strstr(err.message, "learner.objective.name") != NULL, "%s", err.message);
  CHECK(tetra_trees_load_xgboost_json("[]", 2, NULL, &f, &err) == TETRA_ERR_FORMAT, "%s",
        err.message);
  CHECK(tetra_trees_load_xgboost_json("{", 1, NULL, &f, &err) == TETRA_ERR_PARSE, "%s", err.message);
  CHECK(strstr(err.message, "XGBoost model: JSON syntax error at byte 1") != NULL, "%s",
        err.message);
  CHECK(tetra_trees_load_xgboost_json(NULL, 0, NULL, &f, &err) == TETRA_ERR_PARSE, "empty");
  CHECK(tetra_trees_load_xgboost_json("{}", 2, NULL, NULL, &err) == TETRA_ERR_INVALID_ARGUMENT,
        "NULL out");
}

static void predict_arguments(const golden_case *c) {
  tetra_forest *f = NULL;
  tetra_error err;
  if (tetra_trees_load_xgboost_json(c->model, c->model_len, NULL, &f, &err) != TETRA_OK) {
    CHECK(0, "%s", err.message);
    return;
  }
  float out[16];
  CHECK(tetra_trees_predict(f, c->rows, 1, c->ncols - 1, 0, out, 16, &err) ==
            TETRA_ERR_INVALID_ARGUMENT,
        "ncols mismatch");
  CHECK(strstr(err.message, "rows have 29 columns but the model has 30 features") != NULL, "%s",
        err.message);
  CHECK(tetra_trees_predict(f, c->rows, 4, c->ncols, 0, out, 3, &err) == TETRA_ERR_INVALID_ARGUMENT,
        "short output");
  CHECK(strstr(err.message, "output holds 3 values but 4 rows need 4") != NULL, "%s", err.message);
  CHECK(tetra_trees_predict(f, NULL, 1, c->ncols, 0, out, 16, &err) == TETRA_ERR_INVALID_ARGUMENT,
        "NULL rows");
  CHECK(tetra_trees_predict(f, c->rows, 1, c->ncols, 8, out, 16, &err) == TETRA_ERR_INVALID_ARGUMENT,
        "bad flags");
  CHECK(tetra_trees_predict(NULL, c->rows, 1, c->ncols, 0, out, 16, &err) ==
            TETRA_ERR_INVALID_ARGUMENT,
        "NULL forest");
  CHECK(tetra_trees_predict(f, c->rows, 0, c->ncols, 0, NULL, 0, &err) == TETRA_OK, "zero rows");
  tetra_trees_free(f);
  tetra_trees_free(NULL);
}

int main(void) {
  static const char *names[] = {"breast_cancer_logistic", "breast_cancer_dart",
                                "categorical_onehot", "digits_softmax"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    golden_case c;
    if (golden_load(names[i], &c)) {
      truncations(&c);
      bit_flips(&c, i == 0 ? 3000 : 1000);
      deleted_and_mistyped_fields(&c);
      if (i == 0) {
        structural_damage(&c);
        predict_arguments(&c);
      }
    }
    golden_free(&c);
  }
  unsupported();
  printf("corrupt corpus: %zu variants rejected with an error, %zu loaded and predicted\n", rejected,
         loaded_ok);
  return harness_finish("test_trees_corrupt");
}
