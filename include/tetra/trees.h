/* tetra trees: gradient-boosted tree ensembles (XGBoost gbtree and dart models).
 *
 * A tetra_forest is immutable once loaded: prediction only reads it, so one forest may serve any
 * number of calls. Predictions follow XGBoost's CPU predictor exactly: each output starts from the
 * model's base margin and adds each tree's leaf value (times its dart weight) in tree order, in
 * float32. A split sends a row left when value < threshold, and a missing value (NaN) follows the
 * split's default direction. Categorical splits send a category in the split's set right.
 */
#ifndef TETRA_TREES_H
#define TETRA_TREES_H

#include "tetra/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tetra_forest tetra_forest;

typedef enum tetra_objective {
  TETRA_OBJ_IDENTITY = 0, /* reg:squarederror, reg:absoluteerror, binary:logitraw, rank:*, ... */
  TETRA_OBJ_SIGMOID,      /* binary:logistic, reg:logistic */
  TETRA_OBJ_EXP,          /* count:poisson, reg:gamma, reg:tweedie */
  TETRA_OBJ_SOFTPROB,     /* multi:softprob */
  TETRA_OBJ_SOFTMAX,      /* multi:softmax: the predicted class index */
  TETRA_OBJ_HINGE         /* binary:hinge: 1 when the margin is positive, else 0 */
} tetra_objective;

/* Loads a model saved by XGBoost's Booster.save_model("model.json") (1.x, 2.x and 3.x JSON).
 * Errors name the JSON path at fault, e.g. "learner.gradient_booster.model.trees[3].left_children[7]". */
tetra_status tetra_trees_load_xgboost_json(const char *json, size_t len,
                                           const tetra_allocator *allocator, tetra_forest **out,
                                           tetra_error *err);
void tetra_trees_free(tetra_forest *forest);

/* Shape and metadata. */
size_t tetra_trees_num_features(const tetra_forest *forest);
size_t tetra_trees_num_groups(const tetra_forest *forest); /* margins per row (classes) */
size_t tetra_trees_num_trees(const tetra_forest *forest);
size_t tetra_trees_max_depth(const tetra_forest *forest);
tetra_objective tetra_trees_objective(const tetra_forest *forest);
const char *tetra_trees_objective_name(const tetra_forest *forest); /* as written in the model */
const char *tetra_trees_booster_name(const tetra_forest *forest);   /* "gbtree" or "dart" */
/* Base margin of a group (the model's base_score mapped through the objective's link). */
float tetra_trees_base_margin(const tetra_forest *forest, size_t group);
/* Feature names stored in the model, or NULL when the model has none. */
const char *tetra_trees_feature_name(const tetra_forest *forest, size_t feature);
/* The XGBoost version that wrote the model, e.g. {1, 7, 4}; zeros when absent. */
void tetra_trees_xgboost_version(const tetra_forest *forest, int version[3]);

/* Prediction flags. */
#define TETRA_PREDICT_MARGIN 1u /* raw margins instead of the objective's transformed output */

/* Values written per row: num_groups for margins and most objectives, 1 for multi:softmax. */
size_t tetra_trees_output_width(const tetra_forest *forest, unsigned flags);

/* Scores nrows rows of ncols float32 values each (row-major, NaN = missing); ncols must equal
 * tetra_trees_num_features(). Writes nrows * tetra_trees_output_width(flags) floats to out, whose
 * capacity out_len is checked. Reads only; safe to call concurrently on one forest. */
tetra_status tetra_trees_predict(const tetra_forest *forest, const float *rows, size_t nrows,
                                 size_t ncols, unsigned flags, float *out, size_t out_len,
                                 tetra_error *err);

#ifdef __cplusplus
}
#endif
#endif
