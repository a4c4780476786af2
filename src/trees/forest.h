/* Internal layout of a loaded tree ensemble, shared by the loader and the predictor. */
#ifndef TETRA_SRC_TREES_FOREST_H
#define TETRA_SRC_TREES_FOREST_H

#include "tetra/trees.h"

/* One node in 12 bytes. Trees are renumbered breadth-first at load time so that a node's two
 * children are adjacent (right = left + 1), and a leaf's left points at the leaf itself with the
 * internal bit clear: a traversal can then take a fixed number of branch-free steps and every
 * row that reached a leaf early simply stays there. */
typedef struct tree_node {
  float value;   /* split threshold; leaf value for leaves; pool offset for categorical splits */
  uint32_t meta; /* NODE_* bits below */
  uint32_t left; /* absolute index of the left child, or of the node itself for a leaf */
} tree_node;

#define NODE_FEATURE_MASK 0x0FFFFFFFu
#define NODE_MAX_FEATURES (NODE_FEATURE_MASK + 1u)
#define NODE_CATEGORICAL (1u << 28)
#define NODE_INTERNAL (1u << 30)
#define NODE_MISSING_RIGHT (1u << 31)

/* Categories at or above 2^24 are not representable exactly as float32 and XGBoost treats them
 * as not in any split's set. */
#define TREES_MAX_CATEGORY (1u << 24)

/* Trees deeper than this are traversed with an early exit instead of the fixed-step loop. */
#define TREES_FIXED_DEPTH_LIMIT 24u

#define FOREST_NAME_SIZE 48

struct tetra_forest {
  const tetra_allocator *allocator;
  tree_node *nodes;
  size_t num_nodes;
  uint32_t *tree_root;  /* index of each tree's root in nodes */
  uint32_t *tree_group; /* output group (class) of each tree */
  uint32_t *tree_depth; /* edges on the longest root-to-leaf path */
  float *tree_weight;   /* dart weights, or NULL for gbtree (weight 1) */
  size_t num_trees;
  size_t num_groups;
  size_t num_features;
  size_t max_depth;
  float *base_margin;   /* per group, already through the objective's link */
  uint32_t *cat_pool;   /* categorical sets: [word count, words...] per categorical node */
  size_t cat_pool_len;
  int has_categorical;
  tetra_objective objective;
  char objective_name[FOREST_NAME_SIZE];
  char booster_name[FOREST_NAME_SIZE];
  int version[3];
  char **feature_names; /* num_features strings or NULL */
};

#endif
