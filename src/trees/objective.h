/* Objective lookup and output transforms (internal to the trees module). */
#ifndef TETRA_SRC_TREES_OBJECTIVE_H
#define TETRA_SRC_TREES_OBJECTIVE_H

#include "tetra/trees.h"

typedef enum link_kind { LINK_IDENTITY, LINK_LOGIT, LINK_LOG } link_kind;

/* Returns 1 and fills transform and link for a supported objective name, else 0. */
int objective_lookup(const char *name, tetra_objective *transform, link_kind *link);

/* Maps base_score to a margin through the link; returns 0 if base_score is outside its domain. */
int objective_link(link_kind link, float base_score, float *margin);

/* Transforms one row of margins (groups values) into out (groups values, or 1 for softmax). */
void objective_transform_row(tetra_objective objective, const float *margin, size_t groups,
                             float *out);

#endif
