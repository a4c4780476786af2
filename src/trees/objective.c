/* XGBoost objectives: which output transform each uses, and how base_score maps to a margin.
 * The arithmetic is float32 as in XGBoost's CPU code, so results agree to the last bit or two. */
#include "objective.h"

#include <math.h>
#include <string.h>

typedef struct objective_info {
  const char *name;
  tetra_objective transform;
  link_kind link;
} objective_info;

/* Only objectives whose prediction semantics are verified against XGBoost belong here; anything
 * else must fail to load rather than score wrongly. The link is XGBoost's ProbToMargin:
 * logistic objectives take the logit of base_score; log-link regressions take its log; the rest,
 * binary:logitraw included (verified against XGBoost 1.7.4), use it as is. */
static const objective_info objectives[] = {
    {"reg:squarederror", TETRA_OBJ_IDENTITY, LINK_IDENTITY},
    {"reg:linear", TETRA_OBJ_IDENTITY, LINK_IDENTITY},
    {"reg:absoluteerror", TETRA_OBJ_IDENTITY, LINK_IDENTITY},
    {"reg:pseudohubererror", TETRA_OBJ_IDENTITY, LINK_IDENTITY},
    {"reg:squaredlogerror", TETRA_OBJ_IDENTITY, LINK_IDENTITY},
    {"binary:logitraw", TETRA_OBJ_IDENTITY, LINK_IDENTITY},
    {"binary:logistic", TETRA_OBJ_SIGMOID, LINK_LOGIT},
    {"reg:logistic", TETRA_OBJ_SIGMOID, LINK_LOGIT},
    {"binary:hinge", TETRA_OBJ_HINGE, LINK_IDENTITY},
    {"count:poisson", TETRA_OBJ_EXP, LINK_LOG},
    {"reg:gamma", TETRA_OBJ_EXP, LINK_LOG},
    {"reg:tweedie", TETRA_OBJ_EXP, LINK_LOG},
    {"multi:softprob", TETRA_OBJ_SOFTPROB, LINK_IDENTITY},
    {"multi:softmax", TETRA_OBJ_SOFTMAX, LINK_IDENTITY},
    {"rank:pairwise", TETRA_OBJ_IDENTITY, LINK_IDENTITY},
    {"rank:ndcg", TETRA_OBJ_IDENTITY, LINK_IDENTITY},
    {"rank:map", TETRA_OBJ_IDENTITY, LINK_IDENTITY},
};

int objective_lookup(const char *name, tetra_objective *transform, link_kind *link) {
  for (size_t i = 0; i < sizeof objectives / sizeof objectives[0]; i++) {
    if (strcmp(objectives[i].name, name) == 0) {
      *transform = objectives[i].transform;
      *link = objectives[i].link;
      return 1;
    }
  }
  return 0;
}

int objective_link(link_kind link, float base_score, float *margin) {
  switch (link) {
    case LINK_LOGIT:
      if (!(base_score > 0.0f && base_score < 1.0f)) return 0;
      *margin = -logf(1.0f / base_score - 1.0f);
      return 1;
    case LINK_LOG:
      if (!(base_score > 0.0f)) return 0;
      *margin = logf(base_score);
      return 1;
    case LINK_IDENTITY:
      *margin = base_score;
      return 1;
  }
  return 0;
}

static float sigmoid(float x) {
  /* XGBoost clamps the exponent so that expf cannot overflow for very negative margins. */
  float t = -x < 88.7f ? -x : 88.7f;
  return 1.0f / (1.0f + expf(t));
}

void objective_transform_row(tetra_objective objective, const float *margin, size_t groups,
                             float *out) {
  switch (objective) {
    case TETRA_OBJ_IDENTITY:
      for (size_t g = 0; g < groups; g++) out[g] = margin[g];
      return;
    case TETRA_OBJ_SIGMOID:
      for (size_t g = 0; g < groups; g++) out[g] = sigmoid(margin[g]);
      return;
    case TETRA_OBJ_EXP:
      for (size_t g = 0; g < groups; g++) out[g] = expf(margin[g]);
      return;
    case TETRA_OBJ_HINGE:
      for (size_t g = 0; g < groups; g++) out[g] = margin[g] > 0.0f ? 1.0f : 0.0f;
      return;
    case TETRA_OBJ_SOFTPROB: {
      /* XGBoost's Softmax: float exponentials of shifted margins, a double sum, float divide. */
      float wmax = margin[0];
      for (size_t g = 1; g < groups; g++) wmax = fmaxf(margin[g], wmax);
      double wsum = 0.0;
      for (size_t g = 0; g < groups; g++) {
        out[g] = expf(margin[g] - wmax);
        wsum += out[g];
      }
      for (size_t g = 0; g < groups; g++) out[g] /= (float)wsum;
      return;
    }
    case TETRA_OBJ_SOFTMAX: {
      size_t best = 0; /* first maximum wins, as std::max_element does */
      for (size_t g = 1; g < groups; g++)
        if (margin[g] > margin[best]) best = g;
      out[0] = (float)best;
      return;
    }
  }
}
