/* kernel_act_scalar: the one scalar definition of the fusable activations, shared by the GEMM
 * epilogues (gemm_f32.c, gemm_i8.c) and the GEMM reference, so fused results equal the
 * reference bit for bit. */
#include <math.h>

#include "kernels.h"

/* The activations in float, written as kernels.h states them. ReLU keeps NaN (as PyTorch) and
 * maps -0 to +0 (as wasm's f32x4.max(x, 0), which the SIMD kernel uses). The others follow
 * their formula literally, so ±Inf and NaN inputs give what the formula gives in float
 * (for example GELU(-inf) = -inf * 0 = NaN). */
float kernel_act_scalar(kernel_activation act, float x) {
  switch (act) {
    case KERNEL_ACT_RELU:
      return x != x ? x : (x > 0.0f ? x : 0.0f);
    case KERNEL_ACT_GELU_ERF:
      return 0.5f * x * (1.0f + erff(x * 0.70710678118654752440f));
    case KERNEL_ACT_GELU_TANH: {
      const float inner = 0.79788456080286535588f * (x + 0.044715f * x * x * x);
      return 0.5f * x * (1.0f + tanhf(inner));
    }
    case KERNEL_ACT_SILU:
      return x / (1.0f + expf(-x));
    case KERNEL_ACT_NONE:
    default:
      return x;
  }
}
