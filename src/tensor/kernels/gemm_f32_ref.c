/* Scalar reference for the f32 GEMM (gemm_f32.c): the plain triple loop the tests compare the
 * SIMD kernel against. Each C element is one float accumulator summed in k order starting from
 * +0, each product rounded before it is added (the build uses -ffp-contract=off, so no fused
 * multiply-add), then bias, then the activation. */
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

void gemm_f32_ref(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                  size_t ldb, int trans_b, const float *bias, kernel_activation act, float *C,
                  size_t ldc) {
  for (size_t m = 0; m < M; m++) {
    for (size_t n = 0; n < N; n++) {
      float s = 0.0f;
      for (size_t k = 0; k < K; k++) {
        const float b = trans_b ? B[n * ldb + k] : B[k * ldb + n];
        s += A[m * lda + k] * b;
      }
      if (bias) s += bias[n];
      C[m * ldc + n] = kernel_act_scalar(act, s);
    }
  }
}
