/* Scalar references for unary.c and for the activations of binary.c's bias_act and the GEMMs.
 *
 * Each value is computed in double with the C library (exp, log, tanh, erf, erfc, sqrt) and rounded
 * to float once, so the reference is within about half an ulp of the true result: it is the
 * yardstick the SIMD kernels are measured against, not a model of their rounding. The formulas are
 * the mathematical definitions, written so that double precision does not cancel either
 * (gelu_erf through erfc, gelu_tanh and sigmoid through a stable logistic). Special values are
 * the ones documented in unary.c.
 */
#include <math.h>

#include "kernels.h"

/* Logistic in double without overflow: 1/(1+e^-x) for x >= 0, e^x/(1+e^x) below. */
static double logistic(double x) {
  if (x >= 0) return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}

/* silu/gelu at -inf: -0 (the limit), not -inf * 0. */
static float unary1(kernel_unary op, float xf) {
  double x = xf;
  switch (op) {
    case KERNEL_NEG: return -xf;
    case KERNEL_EXP: return (float)exp(x);
    case KERNEL_LOG: return (float)log(x);
    case KERNEL_SQRT: return (float)sqrt(x);
    case KERNEL_TANH: return (float)tanh(x);
    case KERNEL_ERF: return (float)erf(x);
    case KERNEL_SIGMOID: return (float)logistic(x);
    case KERNEL_GELU_ERF:
      if (isinf(x) && x < 0) return -0.0f;
      return (float)(0.5 * x * erfc(-x * 0.70710678118654752440));
    case KERNEL_GELU_TANH:
      if (isinf(x) && x < 0) return -0.0f;
      /* (1 + tanh(v)) / 2 = logistic(2v) */
      return (float)(x * logistic(2.0 * 0.79788456080286535588 * (x + 0.044715 * x * x * x)));
    case KERNEL_SILU:
      if (isinf(x) && x < 0) return -0.0f;
      return (float)(x * logistic(x));
    case KERNEL_RELU: return isnan(xf) ? xf : (xf > 0.0f ? xf : 0.0f);
    case KERNEL_ABS: return fabsf(xf);
  }
  return xf;
}

void unary_f32_ref(kernel_unary op, size_t n, const float *x, float *y) {
  for (size_t i = 0; i < n; i++) y[i] = unary1(op, x[i]);
}
