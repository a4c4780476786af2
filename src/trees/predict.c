/* Prediction over a loaded forest.
 *
 * Rows are scored in blocks that fit in the L1/L2 cache; within a block the loop runs tree by
 * tree (so each tree's nodes stay hot) and walks LANES rows through the tree side by side. The
 * walks are independent, so their dependent loads overlap instead of waiting on one another, and
 * each step is branch-free (see tree_node in forest.h): a tree of depth d costs exactly d steps
 * per row. A row left over (a single-row call, or the end of a batch) walks TREE_LANES trees side
 * by side instead. Sums are float32 and in tree order, matching XGBoost's CPU predictor bit for
 * bit. Measurements behind LANES, TREE_LANES and the branch-free step: bench/README.md.
 */
#include <math.h>
#include <string.h>

#include "forest.h"
#include "objective.h"

/* Rows walked side by side. 16 measured fastest in wasm under V8; native x86-64 builds (gcc and
 * clang) run out of registers there and are fastest at 8. */
#if defined(__wasm__)
#define LANES 16
#else
#define LANES 8
#endif
/* Trees walked side by side for a row that does not fill a group of LANES (single-row calls). */
#define TREE_LANES 8
#define BLOCK_BYTES (32u * 1024u)

static inline uint32_t step_numeric(const tree_node *nodes, uint32_t idx, const float *row) {
  const tree_node *n = &nodes[idx];
  uint32_t m = n->meta;
  float x = row[m & NODE_FEATURE_MASK];
  /* Branch-free: !(x < value) is already 1 for NaN, so the xor turns it into the split's
   * missing direction (bit 31). A `x != x ? ... : ...` ternary compiles to a branch that
   * mispredicts on every missing value. */
  uint32_t right = (uint32_t)!(x < n->value) ^ ((uint32_t)(x != x) & ~(m >> 31));
  return n->left + (right & (m >> 30) & 1u);
}

/* Any node kind, including categorical splits; returns idx itself at a leaf. */
static inline uint32_t step_any(const tetra_forest *f, uint32_t idx, const float *row) {
  const tree_node *n = &f->nodes[idx];
  uint32_t m = n->meta;
  if (!(m & NODE_INTERNAL)) return idx;
  float x = row[m & NODE_FEATURE_MASK];
  uint32_t right;
  if (x != x) {
    right = m >> 31;
  } else if (m & NODE_CATEGORICAL) {
    /* XGBoost: a category in the split's set goes right; negative, too large or unlisted
     * categories go left. Categories are the value truncated to an integer. */
    right = 0;
    if (x >= 0.0f && x < (float)TREES_MAX_CATEGORY) {
      uint32_t c = (uint32_t)x, offset;
      memcpy(&offset, &n->value, sizeof offset);
      const uint32_t *set = f->cat_pool + offset;
      if (c / 32 < set[0]) right = set[1 + c / 32] >> (c % 32) & 1u;
    }
  } else {
    right = !(x < n->value);
  }
  return n->left + right;
}

static float walk(const tetra_forest *f, uint32_t root, const float *row) {
  uint32_t idx = root;
  for (;;) {
    uint32_t next = step_any(f, idx, row);
    if (next == idx) return f->nodes[idx].value;
    idx = next;
  }
}

/* Adds every tree's contribution to one row's acc (num_groups values), TREE_LANES trees side by
 * side so that their walks overlap; values are still added in tree order. Numeric forests with
 * depth <= TREES_FIXED_DEPTH_LIMIT only. */
static void accumulate_row(const tetra_forest *f, const float *row, float *acc) {
  const tree_node *nodes = f->nodes;
  const int weighted = f->tree_weight != NULL;
  size_t t = 0;
  for (; t + TREE_LANES <= f->num_trees; t += TREE_LANES) {
    uint32_t idx[TREE_LANES], depth = 0;
    for (int j = 0; j < TREE_LANES; j++) {
      idx[j] = f->tree_root[t + j];
      if (f->tree_depth[t + j] > depth) depth = f->tree_depth[t + j];
    }
    for (uint32_t d = 0; d < depth; d++)
      for (int j = 0; j < TREE_LANES; j++) idx[j] = step_numeric(nodes, idx[j], row);
    for (int j = 0; j < TREE_LANES; j++) {
      float v = nodes[idx[j]].value;
      acc[f->tree_group[t + j]] += weighted ? v * f->tree_weight[t + j] : v;
    }
  }
  for (; t < f->num_trees; t++) {
    float v = walk(f, f->tree_root[t], row);
    acc[f->tree_group[t]] += weighted ? v * f->tree_weight[t] : v;
  }
}

/* Adds every tree's contribution for n rows to acc (n x num_groups, already holding the base).
 * Not inlined: V8 runs a wasm function in its baseline tier until a later call of it, so the
 * hot loop must be a function called once per block for a single large batch to tier up. */
__attribute__((noinline)) static void accumulate(const tetra_forest *f, const float *rows,
                                                 size_t n, size_t stride, float *acc) {
  const size_t ng = f->num_groups;
  const tree_node *nodes = f->nodes;
  const int fixed = !f->has_categorical && f->max_depth <= TREES_FIXED_DEPTH_LIMIT;
  const size_t tail = fixed ? n % LANES : 0; /* rows left to accumulate_row */
  for (size_t t = 0; t < f->num_trees; t++) {
    const uint32_t root = f->tree_root[t], depth = f->tree_depth[t];
    const size_t g = f->tree_group[t];
    const float w = f->tree_weight ? f->tree_weight[t] : 1.0f;
    const int weighted = f->tree_weight != NULL;
    size_t i = 0;
    if (!f->has_categorical && depth <= TREES_FIXED_DEPTH_LIMIT) {
      for (; i + LANES <= n; i += LANES) {
        uint32_t idx[LANES];
        const float *r[LANES];
        for (int j = 0; j < LANES; j++) {
          idx[j] = root;
          r[j] = rows + (i + (size_t)j) * stride;
        }
        for (uint32_t d = 0; d < depth; d++)
          for (int j = 0; j < LANES; j++) idx[j] = step_numeric(nodes, idx[j], r[j]);
        for (int j = 0; j < LANES; j++) {
          float v = nodes[idx[j]].value;
          /* dart: XGBoost adds (leaf * weight) rounded to float */
          acc[(i + (size_t)j) * ng + g] += weighted ? v * w : v;
        }
      }
    }
    for (; i < n - tail; i++) {
      float v = walk(f, root, rows + i * stride);
      acc[i * ng + g] += weighted ? v * w : v;
    }
  }
  for (size_t i = n - tail; i < n; i++) accumulate_row(f, rows + i * stride, acc + i * ng);
}

size_t tetra_trees_output_width(const tetra_forest *f, unsigned flags) {
  if (!f) return 0;
  if (!(flags & TETRA_PREDICT_MARGIN) && f->objective == TETRA_OBJ_SOFTMAX) return 1;
  return f->num_groups;
}

tetra_status tetra_trees_predict(const tetra_forest *f, const float *rows, size_t nrows,
                                 size_t ncols, unsigned flags, float *out, size_t out_len,
                                 tetra_error *err) {
  if (!f) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "predict: forest is NULL");
  if (flags & ~TETRA_PREDICT_MARGIN)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "predict: unknown flags 0x%x",
                           flags & ~TETRA_PREDICT_MARGIN);
  if (ncols != f->num_features)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "predict: rows have %zu columns but the model has %zu features", ncols,
                           f->num_features);
  size_t width = tetra_trees_output_width(f, flags);
  if (nrows && ((ncols && nrows > SIZE_MAX / ncols) || nrows > SIZE_MAX / width))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "predict: %zu rows is too many", nrows);
  if (nrows && !rows)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "predict: rows is NULL");
  if (out_len < nrows * width || (nrows && !out))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "predict: output holds %zu values but %zu rows need %zu", out_len,
                           nrows, nrows * width);
  tetra_error_clear(err);
  if (nrows == 0) return TETRA_OK;

  /* A model with no features only has leaves; give its walks a readable dummy row. */
  static const float no_features[1] = {0.0f};
  size_t stride = ncols;
  if (ncols == 0) rows = no_features;

  const size_t ng = f->num_groups;
  const int margin = (flags & TETRA_PREDICT_MARGIN) != 0;
  /* Softmax writes one value per row, so its margins need room of their own. */
  const int separate = !margin && width != ng;
  float scratch[LANES * 32];
  size_t block = stride ? BLOCK_BYTES / (stride * sizeof(float)) : 4096;
  block = block < LANES ? LANES : block > 1024 ? 1024 : block - block % LANES;
  if (separate) {
    block = sizeof scratch / sizeof scratch[0] / ng;
    if (block == 0) block = 1;
  }
  float *heap_scratch = NULL;
  if (separate && ng > sizeof scratch / sizeof scratch[0]) {
    heap_scratch = tetra_alloc(f->allocator, ng * sizeof(float));
    if (!heap_scratch)
      return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "predict: out of memory");
  }
  float *acc_base = heap_scratch ? heap_scratch : scratch;

  for (size_t start = 0; start < nrows; start += block) {
    size_t n = nrows - start < block ? nrows - start : block;
    const float *r = rows + (ncols ? start * stride : 0);
    float *acc = separate ? acc_base : out + start * ng;
    for (size_t i = 0; i < n; i++) memcpy(acc + i * ng, f->base_margin, ng * sizeof(float));
    accumulate(f, r, n, stride, acc);
    if (!margin) {
      for (size_t i = 0; i < n; i++)
        objective_transform_row(f->objective, acc + i * ng, ng, out + (start + i) * width);
    }
  }
  tetra_free(f->allocator, heap_scratch);
  return TETRA_OK;
}

size_t tetra_trees_num_features(const tetra_forest *f) { return f ? f->num_features : 0; }
size_t tetra_trees_num_groups(const tetra_forest *f) { return f ? f->num_groups : 0; }
size_t tetra_trees_num_trees(const tetra_forest *f) { return f ? f->num_trees : 0; }
size_t tetra_trees_max_depth(const tetra_forest *f) { return f ? f->max_depth : 0; }
tetra_objective tetra_trees_objective(const tetra_forest *f) {
  return f ? f->objective : TETRA_OBJ_IDENTITY;
}
const char *tetra_trees_objective_name(const tetra_forest *f) { return f ? f->objective_name : ""; }
const char *tetra_trees_booster_name(const tetra_forest *f) { return f ? f->booster_name : ""; }
float tetra_trees_base_margin(const tetra_forest *f, size_t group) {
  return f && group < f->num_groups ? f->base_margin[group] : 0.0f;
}
const char *tetra_trees_feature_name(const tetra_forest *f, size_t feature) {
  return f && f->feature_names && feature < f->num_features ? f->feature_names[feature] : NULL;
}
void tetra_trees_xgboost_version(const tetra_forest *f, int version[3]) {
  for (int i = 0; i < 3; i++) version[i] = f ? f->version[i] : 0;
}
