/* Row normalisations: LayerNorm (PyTorch semantics) and RMSNorm.
 *
 * layernorm: y = (x - mean) / sqrt(var + eps) * gamma + beta, var the biased (1/n) variance.
 *   Mean and variance are computed in two passes, never as E[x^2] - E[x]^2 (which cancels
 *   catastrophically when |mean| >> std):
 *     mean = S1 / n                  S1 = pairwise sum of x
 *     var  = (S2 - D^2 / n) / n      S2 = pairwise sum of (x - mean)^2, D = sum of (x - mean)
 *   The D^2/n term is the "corrected two-pass" algorithm of Chan, Golub and LeVeque (1983): it
 *   removes, to first order, the error that the rounded mean leaves in S2. Pairwise sums as in
 *   vmath.h (error k 2^-24 sum|.|, k = 21 + ceil(log2(n/256))). Then rstd = 1 / sqrtf(var + eps)
 *   and y = ((x - mean) * rstd) * gamma + beta, each operation rounded once (no FMA). The output
 *   error is a few ulp of (x - mean) * rstd plus what the float mean carries: about
 *   k 2^-24 (|mean| / std) absolute in the normalised value, which only matters when the row's
 *   mean is many standard deviations from 0 (it is then the input's own float resolution).
 *   gamma and beta may be NULL (no scale, no shift: the value is then exactly (x - mean) * rstd).
 * rmsnorm: y = x * (1 / sqrtf(mean(x^2) + eps)) * gamma, mean(x^2) by pairwise sum; the same
 *   order of operations as llama2.c (o = w * (ss * x)). x^2 overflows for |x| > 1.8e19 (as in
 *   PyTorch's float32 kernel): the row then becomes 0 (or NaN where x is infinite).
 * A NaN or infinity in a row makes the whole row NaN for layernorm (the mean is then NaN or inf);
 * for rmsnorm NaN spreads to the whole row likewise. x may equal y; n = 0 does nothing.
 */
#include <math.h>

#include "kernels.h"
#include "simd.h"
#include "vmath.h"

/* y = (x - mean) * rstd [* gamma] [+ beta] over one row; G and B say which are present. */
#define NORM_AFFINE_LOOP(G, B)                                                              \
  do {                                                                                      \
    size_t i_ = 0;                                                                          \
    for (; i_ + 4 <= n; i_ += 4) {                                                          \
      v128_t v_ = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xr + i_), mv), sv);          \
      if (G) v_ = wasm_f32x4_mul(v_, wasm_v128_load(gamma + i_));                           \
      if (B) v_ = wasm_f32x4_add(v_, wasm_v128_load(beta + i_));                            \
      wasm_v128_store(yr + i_, v_);                                                         \
    }                                                                                       \
    if (i_ < n) {                                                                           \
      size_t k_ = n - i_;                                                                   \
      v128_t v_ = wasm_f32x4_mul(wasm_f32x4_sub(v_load_part(xr + i_, k_, 0.0f), mv), sv);   \
      if (G) v_ = wasm_f32x4_mul(v_, v_load_part(gamma + i_, k_, 0.0f));                    \
      if (B) v_ = wasm_f32x4_add(v_, v_load_part(beta + i_, k_, 0.0f));                     \
      v_store_part(yr + i_, v_, k_);                                                        \
    }                                                                                       \
  } while (0)

void layernorm_f32(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                   const float *beta, float eps, float *y, size_t ldy) {
  if (n == 0) return;
  const float nf = (float)n;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * ldx;
    float *yr = y + r * ldy;
    float mean = v_sum(xr, n) / nf;
    float d;
    float s2 = v_sum_sq_dev(xr, n, mean, &d);
    float var = (s2 - d * d / nf) / nf;
    if (var < 0.0f) var = 0.0f; /* only by rounding (S2 >= D^2/n); NaN passes through */
    const v128_t mv = wasm_f32x4_splat(mean);
    const v128_t sv = wasm_f32x4_splat(1.0f / sqrtf(var + eps));
    if (gamma && beta) NORM_AFFINE_LOOP(1, 1);
    else if (gamma) NORM_AFFINE_LOOP(1, 0);
    else if (beta) NORM_AFFINE_LOOP(0, 1);
    else NORM_AFFINE_LOOP(0, 0);
  }
}

/* Reference: two-pass mean and biased variance in double, y in double, rounded once. */
void layernorm_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                       const float *beta, float eps, float *y, size_t ldy) {
  if (n == 0) return;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * ldx;
    float *yr = y + r * ldy;
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < n; i++) mean += xr[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++) var += ((double)xr[i] - mean) * ((double)xr[i] - mean);
    var /= (double)n;
    double rstd = 1.0 / sqrt(var + (double)eps);
    for (size_t i = 0; i < n; i++) {
      double v = ((double)xr[i] - mean) * rstd;
      if (gamma) v *= gamma[i];
      if (beta) v += beta[i];
      yr[i] = (float)v;
    }
  }
}

void rmsnorm_f32(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma, float eps,
                 float *y, size_t ldy) {
  if (n == 0) return;
  const float nf = (float)n;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * ldx;
    float *yr = y + r * ldy;
    const v128_t sv = wasm_f32x4_splat(1.0f / sqrtf(v_sum_sq(xr, n) / nf + eps));
    size_t i = 0;
    if (gamma) {
      for (; i + 4 <= n; i += 4)
        wasm_v128_store(yr + i, wasm_f32x4_mul(wasm_v128_load(gamma + i),
                                               wasm_f32x4_mul(sv, wasm_v128_load(xr + i))));
      if (i < n)
        v_store_part(yr + i, wasm_f32x4_mul(v_load_part(gamma + i, n - i, 0.0f),
                                            wasm_f32x4_mul(sv, v_load_part(xr + i, n - i, 0.0f))),
                     n - i);
    } else {
      for (; i + 4 <= n; i += 4) wasm_v128_store(yr + i, wasm_f32x4_mul(sv, wasm_v128_load(xr + i)));
      if (i < n) v_store_part(yr + i, wasm_f32x4_mul(sv, v_load_part(xr + i, n - i, 0.0f)), n - i);
    }
  }
}

/* Reference: mean of squares in double, y in double, rounded once. */
void rmsnorm_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                     float eps, float *y, size_t ldy) {
  if (n == 0) return;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * ldx;
    float *yr = y + r * ldy;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++) ss += (double)xr[i] * xr[i];
    double s = 1.0 / sqrt(ss / (double)n + (double)eps);
    for (size_t i = 0; i < n; i++) yr[i] = (float)(gamma ? gamma[i] * (s * xr[i]) : s * xr[i]);
  }
}
