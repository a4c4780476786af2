/* Loader for XGBoost JSON models (Booster.save_model("model.json"), XGBoost 1.x to 3.x).
 *
 * Everything in the file is untrusted: every index is range-checked, every tree is walked
 * breadth-first from its root with each node visited at most once (so cycles and shared children
 * are errors), and every error names the JSON path at fault. Nodes that the root cannot reach
 * (XGBoost keeps pruned nodes in its arrays) are ignored.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forest.h"
#include "objective.h"

typedef struct loader {
  const char *src; /* the JSON text, for re-reading float tokens exactly */
  const tetra_allocator *allocator;
  tetra_error *err;
  tetra_forest *forest;
  size_t next_node;
  size_t cat_pool_cap;
  /* per-tree scratch, sized for the largest tree */
  uint32_t *new_index;
  uint32_t *queue;
  uint32_t *depth;
} loader;

#define PATH_SIZE 160

static tetra_status fmt_err(loader *L, tetra_status code, const char *path, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static tetra_status fmt_err(loader *L, tetra_status code, const char *path, const char *fmt, ...) {
  char what[TETRA_ERROR_MESSAGE_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return tetra_error_set(L->err, code, "XGBoost model: %s: %s", path, what);
}

static const char *type_of(const tetra_json *v) {
  return tetra_json_type_name((tetra_json_type)v->type);
}

/* The readers below write their output on every path (NULL or 0 on failure): callers chain them
 * as `if ((st = a(..., &x)) || (st = b(..., &y))) return st;`, and the compiler cannot see that
 * fmt_err returns nonzero, so an output left unset on failure reads as maybe-uninitialized. */

/* Fetches obj[key] with the given type; missing or mistyped members are format errors. */
static tetra_status member(loader *L, const tetra_json *obj, const char *path, const char *key,
                           tetra_json_type type, const tetra_json **out) {
  const tetra_json *v = tetra_json_get(obj, key);
  *out = NULL;
  if (!v) return fmt_err(L, TETRA_ERR_FORMAT, path, "missing field \"%s\"", key);
  if (v->type != (uint32_t)type)
    return fmt_err(L, TETRA_ERR_FORMAT, path, "field \"%s\" should be %s %s, not %s", key,
                   type == TETRA_JSON_ARRAY || type == TETRA_JSON_OBJECT ? "an" : "a",
                   tetra_json_type_name(type), type_of(v));
  *out = v;
  return TETRA_OK;
}

/* XGBoost writes counts as decimal strings ("127"); integers are accepted too. */
static tetra_status count_value(loader *L, const tetra_json *v, const char *path, const char *key,
                                uint64_t max, uint64_t *out) {
  uint64_t n = 0;
  *out = 0;
  if (v->type == TETRA_JSON_STRING) {
    if (v->len == 0 || v->len > 19)
      return fmt_err(L, TETRA_ERR_FORMAT, path, "\"%s\" should be a count, got \"%.40s\"", key,
                     v->u.string);
    for (uint32_t i = 0; i < v->len; i++) {
      char c = v->u.string[i];
      if (c < '0' || c > '9')
        return fmt_err(L, TETRA_ERR_FORMAT, path, "\"%s\" should be a count, got \"%.40s\"", key,
                       v->u.string);
      n = n * 10 + (uint64_t)(c - '0');
    }
  } else if (v->type == TETRA_JSON_NUMBER && (v->flags & TETRA_JSON_INTEGER) && v->u.number >= 0 &&
             v->u.number < 1e18) {
    n = (uint64_t)v->u.number;
  } else {
    return fmt_err(L, TETRA_ERR_FORMAT, path, "\"%s\" should be a count, not %s", key, type_of(v));
  }
  if (n > max)
    return fmt_err(L, TETRA_ERR_LIMIT, path, "\"%s\" = %llu exceeds the limit of %llu", key,
                   (unsigned long long)n, (unsigned long long)max);
  *out = n;
  return TETRA_OK;
}

static tetra_status count_member(loader *L, const tetra_json *obj, const char *path,
                                 const char *key, uint64_t max, int required, uint64_t fallback,
                                 uint64_t *out) {
  const tetra_json *v = tetra_json_get(obj, key);
  *out = fallback;
  if (!v) {
    if (required) return fmt_err(L, TETRA_ERR_FORMAT, path, "missing field \"%s\"", key);
    return TETRA_OK;
  }
  return count_value(L, v, path, key, max, out);
}

/* The float32 nearest to a JSON number. The parsed double rounds to the right float except when
 * it lands exactly halfway between two floats (double rounding); then the token is re-read with
 * strtof, which rounds the decimal directly. */
static float json_float(const loader *L, const tetra_json *v) {
  double d = v->u.number;
  float f = (float)d;
  if ((double)f != d && isfinite(f)) {
    float other = nextafterf(f, d > (double)f ? INFINITY : -INFINITY);
    if (((double)f + (double)other) / 2 == d) return strtof(L->src + v->offset, NULL);
  }
  return f;
}

/* Integer item i of an array already known to be an array. */
static tetra_status int_item(loader *L, const tetra_json *arr, size_t i, const char *path,
                             const char *name, int64_t *out) {
  const tetra_json *v = &arr->u.items[i];
  *out = 0;
  if (v->type != TETRA_JSON_NUMBER || !(v->flags & TETRA_JSON_INTEGER) || fabs(v->u.number) > 4e9)
    return fmt_err(L, TETRA_ERR_FORMAT, path, "%s[%zu] should be an integer, not %s", name, i,
                   v->type == TETRA_JSON_NUMBER ? "a fraction or a huge number" : type_of(v));
  *out = (int64_t)v->u.number;
  return TETRA_OK;
}

static tetra_status float_item(loader *L, const tetra_json *arr, size_t i, const char *path,
                               const char *name, float *out) {
  const tetra_json *v = &arr->u.items[i];
  *out = 0;
  if (v->type != TETRA_JSON_NUMBER)
    return fmt_err(L, TETRA_ERR_FORMAT, path, "%s[%zu] should be a number, not %s", name, i,
                   type_of(v));
  float f = json_float(L, v);
  if (!isfinite(f))
    return fmt_err(L, TETRA_ERR_FORMAT, path, "%s[%zu] = %g does not fit in float32", name, i,
                   v->u.number);
  *out = f;
  return TETRA_OK;
}

/* default_left is written as booleans by some XGBoost versions and as 0/1 by others. */
static tetra_status bool_item(loader *L, const tetra_json *arr, size_t i, const char *path,
                              const char *name, int *out) {
  const tetra_json *v = &arr->u.items[i];
  *out = 0;
  if (v->type == TETRA_JSON_TRUE || v->type == TETRA_JSON_FALSE) {
    *out = v->type == TETRA_JSON_TRUE;
    return TETRA_OK;
  }
  if (v->type == TETRA_JSON_NUMBER && (v->u.number == 0 || v->u.number == 1)) {
    *out = v->u.number == 1;
    return TETRA_OK;
  }
  return fmt_err(L, TETRA_ERR_FORMAT, path, "%s[%zu] should be a boolean or 0/1", name, i);
}

/* An array member whose length must be n. */
static tetra_status node_array(loader *L, const tetra_json *tree, const char *path,
                               const char *key, size_t n, int required, const tetra_json **out) {
  const tetra_json *v = tetra_json_get(tree, key);
  *out = NULL;
  if (!v) {
    if (required) return fmt_err(L, TETRA_ERR_FORMAT, path, "missing field \"%s\"", key);
    return TETRA_OK;
  }
  if (v->type != TETRA_JSON_ARRAY)
    return fmt_err(L, TETRA_ERR_FORMAT, path, "field \"%s\" should be an array, not %s", key,
                   type_of(v));
  if (v->len != n)
    return fmt_err(L, TETRA_ERR_FORMAT, path, "\"%s\" has %u items but tree_param.num_nodes is %zu",
                   key, v->len, n);
  *out = v;
  return TETRA_OK;
}

/* Builds the bitset of a categorical split into the forest's pool; returns its pool offset. */
static tetra_status categorical_set(loader *L, const tetra_json *tree, const char *path,
                                    size_t node, size_t n, uint32_t *offset_out) {
  const tetra_json *cats, *cnodes, *segs, *sizes;
  tetra_status st;
  *offset_out = 0;
  if ((st = member(L, tree, path, "categories", TETRA_JSON_ARRAY, &cats)) ||
      (st = member(L, tree, path, "categories_nodes", TETRA_JSON_ARRAY, &cnodes)) ||
      (st = member(L, tree, path, "categories_segments", TETRA_JSON_ARRAY, &segs)) ||
      (st = member(L, tree, path, "categories_sizes", TETRA_JSON_ARRAY, &sizes)))
    return st;
  if (segs->len != cnodes->len || sizes->len != cnodes->len)
    return fmt_err(L, TETRA_ERR_FORMAT, path,
                   "categories_nodes, categories_segments and categories_sizes differ in length "
                   "(%u, %u, %u)",
                   cnodes->len, segs->len, sizes->len);
  for (size_t k = 0; k < cnodes->len; k++) {
    int64_t id;
    if ((st = int_item(L, cnodes, k, path, "categories_nodes", &id))) return st;
    if (id < 0 || (uint64_t)id >= n)
      return fmt_err(L, TETRA_ERR_FORMAT, path, "categories_nodes[%zu] = %lld is not a node", k,
                     (long long)id);
    if ((size_t)id != node) continue;
    int64_t seg, size;
    if ((st = int_item(L, segs, k, path, "categories_segments", &seg)) ||
        (st = int_item(L, sizes, k, path, "categories_sizes", &size)))
      return st;
    if (seg < 0 || size < 0 || (uint64_t)seg + (uint64_t)size > cats->len)
      return fmt_err(L, TETRA_ERR_FORMAT, path,
                     "categories_segments[%zu] = %lld with size %lld runs past the %u categories",
                     k, (long long)seg, (long long)size, cats->len);
    uint32_t max_cat = 0;
    for (int64_t j = seg; j < seg + size; j++) {
      int64_t c;
      if ((st = int_item(L, cats, (size_t)j, path, "categories", &c))) return st;
      if (c < 0 || c >= (int64_t)TREES_MAX_CATEGORY)
        return fmt_err(L, TETRA_ERR_LIMIT, path, "categories[%lld] = %lld is outside [0, 2^24)",
                       (long long)j, (long long)c);
      if ((uint32_t)c > max_cat) max_cat = (uint32_t)c;
    }
    size_t words = size ? max_cat / 32 + 1 : 0;
    tetra_forest *f = L->forest;
    if (f->cat_pool_len + 1 + words > L->cat_pool_cap) {
      size_t cap = (f->cat_pool_len + 1 + words) * 2;
      uint32_t *pool = tetra_alloc(L->allocator, cap * sizeof *pool);
      if (!pool) return fmt_err(L, TETRA_ERR_OUT_OF_MEMORY, path, "out of memory");
      if (f->cat_pool_len) memcpy(pool, f->cat_pool, f->cat_pool_len * sizeof *pool);
      tetra_free(L->allocator, f->cat_pool);
      f->cat_pool = pool;
      L->cat_pool_cap = cap;
    }
    uint32_t *set = f->cat_pool + f->cat_pool_len;
    set[0] = (uint32_t)words;
    memset(set + 1, 0, words * sizeof *set);
    for (int64_t j = seg; j < seg + size; j++) {
      uint32_t c = (uint32_t)cats->u.items[j].u.number;
      set[1 + c / 32] |= 1u << (c % 32);
    }
    *offset_out = (uint32_t)f->cat_pool_len;
    f->cat_pool_len += 1 + words;
    return TETRA_OK;
  }
  return fmt_err(L, TETRA_ERR_FORMAT, path,
                 "node %zu has a categorical split but is not listed in categories_nodes", node);
}

static tetra_status load_tree(loader *L, const tetra_json *tree, const char *path, size_t n,
                              uint32_t *root_out, uint32_t *depth_out) {
  tetra_forest *f = L->forest;
  const tetra_json *left, *right, *feat, *cond, *dleft, *stype;
  tetra_status st;
  *root_out = 0;
  *depth_out = 0;
  if ((st = node_array(L, tree, path, "left_children", n, 1, &left)) ||
      (st = node_array(L, tree, path, "right_children", n, 1, &right)) ||
      (st = node_array(L, tree, path, "split_indices", n, 1, &feat)) ||
      (st = node_array(L, tree, path, "split_conditions", n, 1, &cond)) ||
      (st = node_array(L, tree, path, "default_left", n, 1, &dleft)) ||
      (st = node_array(L, tree, path, "split_type", n, 0, &stype)))
    return st;

  /* Breadth-first renumbering: children of one node get adjacent new indices. */
  uint32_t base = (uint32_t)L->next_node;
  for (size_t i = 0; i < n; i++) L->new_index[i] = UINT32_MAX;
  size_t head = 0, tail = 0;
  uint32_t next = base + 1, max_depth = 0;
  L->new_index[0] = base;
  L->depth[0] = 0;
  L->queue[tail++] = 0;
  while (head < tail) {
    uint32_t old = L->queue[head++];
    int64_t l, r;
    if ((st = int_item(L, left, old, path, "left_children", &l)) ||
        (st = int_item(L, right, old, path, "right_children", &r)))
      return st;
    tree_node *node = &f->nodes[L->new_index[old]];
    if (l == -1 && r == -1) {
      float value;
      if ((st = float_item(L, cond, old, path, "split_conditions", &value))) return st;
      node->value = value;
      node->meta = 0;
      node->left = L->new_index[old];
      continue;
    }
    if (l < 1 || (uint64_t)l >= n || r < 1 || (uint64_t)r >= n || l == r)
      return fmt_err(L, TETRA_ERR_FORMAT, path,
                     "node %u has children %lld and %lld; expected two distinct nodes in [1, %zu)",
                     old, (long long)l, (long long)r, n);
    if (L->new_index[l] != UINT32_MAX || L->new_index[r] != UINT32_MAX)
      return fmt_err(L, TETRA_ERR_FORMAT, path,
                     "node %lld is reached twice (a cycle or a shared child), via node %u",
                     (long long)(L->new_index[l] != UINT32_MAX ? l : r), old);
    int64_t fi;
    int dl = 0;
    if ((st = int_item(L, feat, old, path, "split_indices", &fi)) ||
        (st = bool_item(L, dleft, old, path, "default_left", &dl)))
      return st;
    if (fi < 0 || (uint64_t)fi >= f->num_features)
      return fmt_err(L, TETRA_ERR_FORMAT, path,
                     "split_indices[%u] = %lld is outside the model's %zu features", old,
                     (long long)fi, f->num_features);
    int64_t kind = 0;
    if (stype && (st = int_item(L, stype, old, path, "split_type", &kind))) return st;
    if (kind != 0 && kind != 1)
      return fmt_err(L, TETRA_ERR_UNSUPPORTED, path, "split_type[%u] = %lld is unknown", old,
                     (long long)kind);
    node->meta = (uint32_t)fi | NODE_INTERNAL | (dl ? 0 : NODE_MISSING_RIGHT);
    node->left = next;
    if (kind == 1) {
      uint32_t offset;
      if ((st = categorical_set(L, tree, path, old, n, &offset))) return st;
      node->meta |= NODE_CATEGORICAL;
      memcpy(&node->value, &offset, sizeof offset);
      f->has_categorical = 1;
    } else {
      float thr;
      if ((st = float_item(L, cond, old, path, "split_conditions", &thr))) return st;
      node->value = thr;
    }
    L->new_index[l] = next;
    L->new_index[r] = next + 1;
    L->depth[l] = L->depth[r] = L->depth[old] + 1;
    if (L->depth[l] > max_depth) max_depth = L->depth[l];
    L->queue[tail++] = (uint32_t)l;
    L->queue[tail++] = (uint32_t)r;
    next += 2;
  }
  L->next_node = next;
  *root_out = base;
  *depth_out = max_depth;
  return TETRA_OK;
}

/* base_score: "5E-1" (1.x, 2.x), "[5E-1]" or "[a,b,c]" (3.x, one per output), or a number. */
static tetra_status read_base_score(loader *L, const tetra_json *param, const char *path,
                                    float *values, size_t groups, size_t *count) {
  const tetra_json *v = tetra_json_get(param, "base_score");
  *count = 1;
  if (!v) {
    values[0] = 0.5f; /* XGBoost's default */
    return TETRA_OK;
  }
  if (v->type == TETRA_JSON_NUMBER) {
    values[0] = json_float(L, v);
    return TETRA_OK;
  }
  if (v->type != TETRA_JSON_STRING)
    return fmt_err(L, TETRA_ERR_FORMAT, path, "\"base_score\" should be a string or number, not %s",
                   type_of(v));
  const char *s = v->u.string, *end = s + v->len;
  int bracketed = v->len >= 2 && s[0] == '[' && end[-1] == ']';
  if (bracketed) {
    s++;
    end--;
  }
  size_t k = 0;
  while (s < end) {
    char *stop;
    float x = strtof(s, &stop);
    if (stop == s || stop > end || !isfinite(x) || (*stop != ',' && stop != end))
      return fmt_err(L, TETRA_ERR_FORMAT, path, "\"base_score\" = \"%.60s\" is not a number list",
                     v->u.string);
    if (k == groups)
      return fmt_err(L, TETRA_ERR_FORMAT, path,
                     "\"base_score\" has more values than the model's %zu outputs", groups);
    values[k++] = x;
    s = stop == end ? end : stop + 1;
  }
  if (k == 0)
    return fmt_err(L, TETRA_ERR_FORMAT, path, "\"base_score\" = \"%.60s\" holds no number",
                   v->u.string);
  *count = k;
  return TETRA_OK;
}

static tetra_status copy_name(loader *L, char *dst, const tetra_json *v, const char *path,
                              const char *key) {
  if (v->len >= FOREST_NAME_SIZE)
    return fmt_err(L, TETRA_ERR_UNSUPPORTED, path, "unknown %s \"%.60s\"", key, v->u.string);
  memcpy(dst, v->u.string, v->len + 1);
  return TETRA_OK;
}

static tetra_status load_feature_names(loader *L, const tetra_json *learner) {
  tetra_forest *f = L->forest;
  const tetra_json *names = tetra_json_get(learner, "feature_names");
  if (!names || names->type != TETRA_JSON_ARRAY || names->len == 0) return TETRA_OK;
  if (names->len != f->num_features)
    return fmt_err(L, TETRA_ERR_FORMAT, "learner.feature_names",
                   "%u names for %zu features", names->len, f->num_features);
  size_t bytes = f->num_features * sizeof(char *);
  for (size_t i = 0; i < names->len; i++) {
    if (names->u.items[i].type != TETRA_JSON_STRING)
      return fmt_err(L, TETRA_ERR_FORMAT, "learner.feature_names", "item %zu should be a string",
                     i);
    bytes += names->u.items[i].len + 1;
  }
  /* one block: the pointer table followed by the strings */
  char **table = tetra_alloc(L->allocator, bytes);
  if (!table) return fmt_err(L, TETRA_ERR_OUT_OF_MEMORY, "learner.feature_names", "out of memory");
  char *text = (char *)(table + f->num_features);
  for (size_t i = 0; i < names->len; i++) {
    table[i] = text;
    memcpy(text, names->u.items[i].u.string, names->u.items[i].len + 1);
    text += names->u.items[i].len + 1;
  }
  f->feature_names = table;
  return TETRA_OK;
}

static tetra_status load_forest(loader *L, const tetra_json *root) {
  tetra_forest *f = L->forest;
  const tetra_json *learner, *param, *objective, *obj_name, *booster, *booster_name, *model;
  const tetra_json *gbparam, *trees, *tree_info, *weights = NULL;
  tetra_status st;
  if (root->type != TETRA_JSON_OBJECT)
    return fmt_err(L, TETRA_ERR_FORMAT, "(root)", "expected an object, not %s", type_of(root));
  const tetra_json *version = tetra_json_get(root, "version");
  if (version && version->type == TETRA_JSON_ARRAY && version->len == 3) {
    for (int i = 0; i < 3; i++) {
      const tetra_json *x = &version->u.items[i];
      if (x->type == TETRA_JSON_NUMBER && x->u.number >= 0 && x->u.number < 1000)
        f->version[i] = (int)x->u.number;
    }
  }
  if ((st = member(L, root, "(root)", "learner", TETRA_JSON_OBJECT, &learner)) ||
      (st = member(L, learner, "learner", "learner_model_param", TETRA_JSON_OBJECT, &param)) ||
      (st = member(L, learner, "learner", "objective", TETRA_JSON_OBJECT, &objective)) ||
      (st = member(L, objective, "learner.objective", "name", TETRA_JSON_STRING, &obj_name)) ||
      (st = member(L, learner, "learner", "gradient_booster", TETRA_JSON_OBJECT, &booster)) ||
      (st = member(L, booster, "learner.gradient_booster", "name", TETRA_JSON_STRING,
                   &booster_name)))
    return st;

  tetra_objective transform;
  link_kind link;
  if (!objective_lookup(obj_name->u.string, &transform, &link))
    return fmt_err(L, TETRA_ERR_UNSUPPORTED, "learner.objective.name",
                   "objective \"%.60s\" is not supported (supported: reg:squarederror, "
                   "reg:absoluteerror, reg:logistic, binary:logistic, binary:logitraw, "
                   "binary:hinge, count:poisson, reg:gamma, reg:tweedie, multi:softprob, "
                   "multi:softmax, rank:pairwise, rank:ndcg, rank:map and aliases)",
                   obj_name->u.string);
  if ((st = copy_name(L, f->objective_name, obj_name, "learner.objective.name", "objective")))
    return st;
  f->objective = transform;

  const char *model_path;
  if (strcmp(booster_name->u.string, "gbtree") == 0) {
    model_path = "learner.gradient_booster.model";
    if ((st = member(L, booster, "learner.gradient_booster", "model", TETRA_JSON_OBJECT, &model)))
      return st;
  } else if (strcmp(booster_name->u.string, "dart") == 0) {
    const tetra_json *inner;
    model_path = "learner.gradient_booster.gbtree.model";
    if ((st = member(L, booster, "learner.gradient_booster", "gbtree", TETRA_JSON_OBJECT,
                     &inner)) ||
        (st = member(L, inner, "learner.gradient_booster.gbtree", "model", TETRA_JSON_OBJECT,
                     &model)) ||
        (st = member(L, booster, "learner.gradient_booster", "weight_drop", TETRA_JSON_ARRAY,
                     &weights)))
      return st;
  } else if (strcmp(booster_name->u.string, "gblinear") == 0) {
    return fmt_err(L, TETRA_ERR_UNSUPPORTED, "learner.gradient_booster.name",
                   "the gblinear booster is not supported (only gbtree and dart)");
  } else {
    return fmt_err(L, TETRA_ERR_UNSUPPORTED, "learner.gradient_booster.name",
                   "booster \"%.60s\" is not supported (only gbtree and dart)",
                   booster_name->u.string);
  }
  if ((st = copy_name(L, f->booster_name, booster_name, "learner.gradient_booster.name",
                      "booster")))
    return st;

  uint64_t num_feature, num_class, num_target, num_trees;
  if ((st = count_member(L, param, "learner.learner_model_param", "num_feature",
                         NODE_MAX_FEATURES, 1, 0, &num_feature)) ||
      (st = count_member(L, param, "learner.learner_model_param", "num_class", 1u << 20, 0, 0,
                         &num_class)) ||
      (st = count_member(L, param, "learner.learner_model_param", "num_target", 1u << 20, 0, 1,
                         &num_target)))
    return st;
  if (num_class > 0 && num_target > 1)
    return fmt_err(L, TETRA_ERR_FORMAT, "learner.learner_model_param",
                   "num_class = %llu and num_target = %llu cannot both be set",
                   (unsigned long long)num_class, (unsigned long long)num_target);
  f->num_features = (size_t)num_feature;
  f->num_groups = num_class > 0 ? (size_t)num_class : (num_target > 0 ? (size_t)num_target : 1);
  if ((transform == TETRA_OBJ_SOFTPROB || transform == TETRA_OBJ_SOFTMAX) && num_class < 1)
    return fmt_err(L, TETRA_ERR_FORMAT, "learner.learner_model_param",
                   "objective %s needs num_class >= 1", f->objective_name);

  f->base_margin = tetra_alloc(L->allocator, f->num_groups * sizeof(float));
  if (!f->base_margin) return fmt_err(L, TETRA_ERR_OUT_OF_MEMORY, "learner", "out of memory");
  size_t nbase;
  if ((st = read_base_score(L, param, "learner.learner_model_param", f->base_margin,
                            f->num_groups, &nbase)))
    return st;
  if (nbase != 1 && nbase != f->num_groups)
    return fmt_err(L, TETRA_ERR_FORMAT, "learner.learner_model_param",
                   "\"base_score\" has %zu values for %zu outputs", nbase, f->num_groups);
  for (size_t g = 0; g < f->num_groups; g++) {
    float score = f->base_margin[nbase == 1 ? 0 : g];
    if (!objective_link(link, score, &f->base_margin[g]))
      return fmt_err(L, TETRA_ERR_FORMAT, "learner.learner_model_param",
                     "base_score %g is outside the domain of objective %s", (double)score,
                     f->objective_name);
  }

  char path[PATH_SIZE];
  snprintf(path, sizeof path, "%s.gbtree_model_param", model_path);
  if ((st = member(L, model, model_path, "gbtree_model_param", TETRA_JSON_OBJECT, &gbparam)) ||
      (st = count_member(L, gbparam, path, "num_trees", 1u << 26, 1, 0, &num_trees)) ||
      (st = member(L, model, model_path, "trees", TETRA_JSON_ARRAY, &trees)) ||
      (st = member(L, model, model_path, "tree_info", TETRA_JSON_ARRAY, &tree_info)))
    return st;
  if (trees->len != num_trees || tree_info->len != num_trees)
    return fmt_err(L, TETRA_ERR_FORMAT, model_path,
                   "gbtree_model_param.num_trees is %llu but there are %u trees and %u tree_info",
                   (unsigned long long)num_trees, trees->len, tree_info->len);
  if (weights && weights->len != num_trees)
    return fmt_err(L, TETRA_ERR_FORMAT, "learner.gradient_booster.weight_drop",
                   "%u weights for %llu trees", weights->len, (unsigned long long)num_trees);
  f->num_trees = (size_t)num_trees;

  /* First pass: tree order by "id", node counts, the leaf layout. */
  size_t total = 0, largest = 0;
  uint32_t *order = tetra_alloc(L->allocator, (f->num_trees + 1) * sizeof *order);
  uint64_t *sizes = tetra_alloc(L->allocator, (f->num_trees + 1) * sizeof *sizes);
  if (!order || !sizes) {
    tetra_free(L->allocator, order);
    tetra_free(L->allocator, sizes);
    return fmt_err(L, TETRA_ERR_OUT_OF_MEMORY, model_path, "out of memory");
  }
  for (size_t i = 0; i < f->num_trees; i++) order[i] = UINT32_MAX;
  st = TETRA_OK;
  for (size_t i = 0; i < f->num_trees && st == TETRA_OK; i++) {
    const tetra_json *tree = &trees->u.items[i], *tparam, *id;
    snprintf(path, sizeof path, "%s.trees[%zu]", model_path, i);
    if (tree->type != TETRA_JSON_OBJECT) {
      st = fmt_err(L, TETRA_ERR_FORMAT, path, "expected an object, not %s", type_of(tree));
      break;
    }
    if ((st = member(L, tree, path, "tree_param", TETRA_JSON_OBJECT, &tparam))) break;
    uint64_t n, leaf_vector;
    char ppath[PATH_SIZE + 16];
    snprintf(ppath, sizeof ppath, "%s.tree_param", path);
    if ((st = count_member(L, tparam, ppath, "num_nodes", 1u << 30, 1, 0, &n)) ||
        (st = count_member(L, tparam, ppath, "size_leaf_vector", 1u << 20, 0, 0, &leaf_vector)))
      break;
    if (n < 1) {
      st = fmt_err(L, TETRA_ERR_FORMAT, ppath, "num_nodes is 0");
      break;
    }
    if (leaf_vector > 1) {
      st = fmt_err(L, TETRA_ERR_UNSUPPORTED, ppath,
                   "vector-leaf trees (multi_strategy \"multi_output_tree\") are not supported");
      break;
    }
    size_t slot = i;
    if ((id = tetra_json_get(tree, "id")) != NULL) {
      if (id->type != TETRA_JSON_NUMBER || !(id->flags & TETRA_JSON_INTEGER) || id->u.number < 0 ||
          id->u.number >= (double)f->num_trees) {
        st = fmt_err(L, TETRA_ERR_FORMAT, path, "\"id\" should be an integer in [0, %zu)",
                     f->num_trees);
        break;
      }
      slot = (size_t)id->u.number;
    }
    if (order[slot] != UINT32_MAX) {
      st = fmt_err(L, TETRA_ERR_FORMAT, path, "tree id %zu is used twice", slot);
      break;
    }
    order[slot] = (uint32_t)i;
    sizes[i] = n;
    total += (size_t)n;
    if (n > largest) largest = (size_t)n;
    if (total > UINT32_MAX / 2) st = fmt_err(L, TETRA_ERR_LIMIT, model_path, "too many nodes");
  }

  if (st == TETRA_OK) {
    size_t nt = f->num_trees ? f->num_trees : 1;
    f->nodes = tetra_alloc(L->allocator, (total ? total : 1) * sizeof *f->nodes);
    f->tree_root = tetra_alloc(L->allocator, nt * sizeof *f->tree_root);
    f->tree_group = tetra_alloc(L->allocator, nt * sizeof *f->tree_group);
    f->tree_depth = tetra_alloc(L->allocator, nt * sizeof *f->tree_depth);
    if (weights) f->tree_weight = tetra_alloc(L->allocator, nt * sizeof *f->tree_weight);
    L->new_index = tetra_alloc(L->allocator, (largest + 1) * sizeof *L->new_index);
    L->queue = tetra_alloc(L->allocator, (largest + 1) * sizeof *L->queue);
    L->depth = tetra_alloc(L->allocator, (largest + 1) * sizeof *L->depth);
    if (!f->nodes || !f->tree_root || !f->tree_group || !f->tree_depth ||
        (weights && !f->tree_weight) || !L->new_index || !L->queue || !L->depth)
      st = fmt_err(L, TETRA_ERR_OUT_OF_MEMORY, model_path, "out of memory for %zu nodes", total);
  }

  /* Second pass, in tree id order (the order XGBoost sums them in). */
  for (size_t k = 0; k < f->num_trees && st == TETRA_OK; k++) {
    size_t i = order[k];
    snprintf(path, sizeof path, "%s.trees[%zu]", model_path, i);
    int64_t group;
    if ((st = int_item(L, tree_info, k, "tree_info", "tree_info", &group))) break;
    if (group < 0 || (uint64_t)group >= f->num_groups) {
      st = fmt_err(L, TETRA_ERR_FORMAT, model_path, "tree_info[%zu] = %lld but there are %zu outputs",
                   k, (long long)group, f->num_groups);
      break;
    }
    f->tree_group[k] = (uint32_t)group;
    if (weights) {
      if ((st = float_item(L, weights, k, "learner.gradient_booster", "weight_drop",
                           &f->tree_weight[k])))
        break;
    }
    uint32_t depth;
    if ((st = load_tree(L, &trees->u.items[i], path, (size_t)sizes[i], &f->tree_root[k], &depth)))
      break;
    f->tree_depth[k] = depth;
    if (depth > f->max_depth) f->max_depth = depth;
  }
  f->num_nodes = L->next_node;
  tetra_free(L->allocator, order);
  tetra_free(L->allocator, sizes);
  if (st == TETRA_OK) st = load_feature_names(L, learner);
  return st;
}

tetra_status tetra_trees_load_xgboost_json(const char *json, size_t len,
                                           const tetra_allocator *allocator, tetra_forest **out,
                                           tetra_error *err) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "XGBoost model: out is NULL");
  *out = NULL;
  if (!json && len)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "XGBoost model: json is NULL");
  if (len == 0)
    return tetra_error_set(err, TETRA_ERR_PARSE, "XGBoost model: the input is empty");
  if (!allocator) allocator = tetra_allocator_default();
  tetra_json_doc *doc;
  /* XGBoost 1.x writes a bare NaN as the threshold of categorical splits. */
  tetra_json_options options = {0, 1};
  tetra_status st = tetra_json_parse(json, len, &options, allocator, &doc, err);
  if (st != TETRA_OK) {
    tetra_error_prefix(err, "XGBoost model");
    return st;
  }
  tetra_forest *f = tetra_alloc(allocator, sizeof *f);
  if (!f) {
    tetra_json_free(doc);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "XGBoost model: out of memory");
  }
  memset(f, 0, sizeof *f);
  f->allocator = allocator;
  loader L = {json, allocator, err, f, 0, 0, NULL, NULL, NULL};
  st = load_forest(&L, tetra_json_root(doc));
  tetra_free(allocator, L.new_index);
  tetra_free(allocator, L.queue);
  tetra_free(allocator, L.depth);
  tetra_json_free(doc);
  if (st != TETRA_OK) {
    tetra_trees_free(f);
    return st;
  }
  tetra_error_clear(err);
  *out = f;
  return TETRA_OK;
}

void tetra_trees_free(tetra_forest *f) {
  if (!f) return;
  const tetra_allocator *a = f->allocator;
  tetra_free(a, f->nodes);
  tetra_free(a, f->tree_root);
  tetra_free(a, f->tree_group);
  tetra_free(a, f->tree_depth);
  tetra_free(a, f->tree_weight);
  tetra_free(a, f->base_margin);
  tetra_free(a, f->cat_pool);
  tetra_free(a, f->feature_names);
  tetra_free(a, f);
}
