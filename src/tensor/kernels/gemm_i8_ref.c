/* Scalar references for the int8 GEMM (gemm_i8.c). Written for obviousness, not speed, and on
 * purpose independent of gemm_i8.c (no shared helpers), so that a test comparing the two compares
 * two separate readings of the same rules:
 *   - integer sums: exact, in int64, wrapped to int32 modulo 2^32 exactly as the SIMD kernel's
 *     lane additions wrap (only reachable beyond GEMM_I8_MAX_K);
 *   - per-row quantization: scale = max|a| / 127, q = round_half_even(a / scale) clamped to
 *     [-127, 127]; a row with NaN or +-Inf gets scale NaN and q = 0; a row whose max|a| is below
 *     FLT_MIN (zero or all-subnormal) gets scale 0 and q = 0. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "kernels.h"

/* int64 -> int32 modulo 2^32 without implementation-defined conversions. */
static int32_t wrap_i32(int64_t v) {
  uint32_t u = (uint32_t)(uint64_t)v;
  if (u <= (uint32_t)INT32_MAX) return (int32_t)u;
  return (int32_t)(u - 0x80000000u) - INT32_MAX - 1;
}

void gemm_i8_ref_i32(size_t M, size_t N, size_t K, const int8_t *qa, size_t lda, const int8_t *qb,
                     size_t ldb, int32_t *C, size_t ldc) {
  for (size_t m = 0; m < M; m++) {
    for (size_t n = 0; n < N; n++) {
      int64_t acc = 0;
      for (size_t k = 0; k < K; k++) acc += (int32_t)qa[m * lda + k] * (int32_t)qb[k * ldb + n];
      C[m * ldc + n] = wrap_i32(acc);
    }
  }
}

void quantize_rows_i8_ref(size_t M, size_t K, const float *A, size_t lda, int8_t *q, size_t ldq,
                          float *scales) {
  for (size_t m = 0; m < M; m++) {
    if (K == 0) { /* an empty row is a zero row; A and q may be NULL */
      scales[m] = 0.0f;
      continue;
    }
    const float *a = A + m * lda;
    int8_t *qm = q + m * ldq;
    float amax = 0.0f;
    int finite = 1;
    for (size_t k = 0; k < K; k++) {
      float v = fabsf(a[k]);
      if (!(v <= FLT_MAX)) finite = 0; /* NaN fails every comparison */
      else if (v > amax) amax = v;
    }
    memset(qm, 0, K);
    if (!finite) {
      scales[m] = NAN;
      continue;
    }
    if (amax < FLT_MIN) {
      scales[m] = 0.0f;
      continue;
    }
    float scale = amax / 127.0f;
    scales[m] = scale;
    for (size_t k = 0; k < K; k++) {
      float r = nearbyintf(a[k] / scale); /* default rounding mode: half to even */
      if (r > 127.0f) r = 127.0f;
      if (r < -127.0f) r = -127.0f;
      qm[k] = (int8_t)r;
    }
  }
}
