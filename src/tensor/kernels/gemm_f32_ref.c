/* Scalar reference for the f32 GEMM (gemm_f32.c): the plain triple loop the tests compare the
 * SIMD kernel against. Each C element is one float accumulator summed in k order starting from
 * +0, each product rounded before it is added (the build uses -ffp-contract=off, so no fused
 * multiply-add), then bias, then the activation. */
#include <math.h>

#include "kernels.h"


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
