/* Error allowed for the fused activations, in ulp of the true result, shared by the unary-kernel
 * and row-kernel tests (test_kernels_unary.c explains the bounds: rounding the exponent's argument
 * becomes a relative error that grows with |x| once the result is tiny, for x < 0). */
#ifndef TETRA_TESTS_KERNEL_TOLERANCE_H
#define TETRA_TESTS_KERNEL_TOLERANCE_H

#include <math.h>

#include "tensor/kernels/kernels.h"

static inline double act_tol_ulps(kernel_activation act, float x) {
  double xx = (double)x * x;
  switch (act) {
    case KERNEL_ACT_SILU: return 3.5;
    case KERNEL_ACT_GELU_ERF: return x >= 0 ? 3.0 : 6.0 + xx;
    case KERNEL_ACT_GELU_TANH:
      return x >= 0 ? 3.0 : 3.0 + 3.0 * fabs(x * (1.5957691216057308 + 0.07135481627159025 * xx));
    default: return 0.0;
  }
}

#endif
