/* Element-wise unary kernels: y[i] = f(x[i]), four lanes at a time (wasm SIMD; SIMDe natively).
 *
 * The vector math lives in vmath.h, where each approximation is described with its method; the
 * scalar reference is unary_ref.c (double-precision libm, rounded once).
 *
 * Accuracy (ulp = the spacing of floats at the true result; "normal" = results >= FLT_MIN, below
 * which errors are counted in units of the smallest subnormal 2^-149). "Measured" is the worst
 * case over ALL 2^32 float inputs against double-precision libm (a one-off run; the results are
 * bit-identical in the native and wasm builds); the bound is what the tests enforce over a sweep
 * of every 4099th bit pattern, dense ranges around every branch and regime change, and the edges:
 *
 *   op          bound                         measured (all floats)
 *   neg, abs,   exact                         exact (sqrt is IEEE correctly rounded everywhere)
 *   relu, sqrt
 *   exp         1 ulp                         0.990 ulp; subnormal results 0.8 x 2^-149;
 *                                             +inf above 88.7228, +0 below -103.97
 *   log         1 ulp                         0.829 ulp (subnormal inputs included)
 *   tanh        2 ulp                         1.509 ulp; exactly +-1 for |x| > 9.01
 *   erf         2 ulp, 1.2e-7 absolute        1.984 ulp, 1.18e-7 absolute
 *   sigmoid     2.5 ulp                       2.402 ulp, relative accuracy down to 1e-38
 *   silu        3.5 ulp + |x| 2^-150          3.194 ulp
 *   gelu_erf    3 ulp for x >= 0,             1.692 ulp for x >= 0; 0.96 of the bound below
 *               (6 + x^2) ulp for x < 0
 *   gelu_tanh   3 ulp for x >= 0,             2.502 ulp for x >= 0; 0.92 of the bound below
 *               (3 + 3|v|) ulp for x < 0,
 *               v = x (1.5958 + 0.07135 x^2)
 *
 * The silu/gelu bounds grow for x < 0 because the float rounding of the exponent's argument
 * (x^2/2 for gelu_erf, v for gelu_tanh) becomes a relative error that large once the result is
 * tiny; the results there are still far more accurate than PyTorch's float formulas, which lose
 * all relative accuracy to the cancellation in 1 + erf(x/sqrt 2) (0 or -0 below x = -5.5).
 * The |x| 2^-150 term covers x g(x) when g(x) is subnormal (silu near x = -90).
 *
 * Special values follow C's libm (exp(-inf) = +0, log(+-0) = -inf, log(x < 0) = NaN, sqrt(-0) = -0,
 * tanh(-0) = -0, erf(+-inf) = +-1, NaN in -> NaN out). Where libm has no function: sigmoid(-inf) = 0,
 * silu(-inf) = gelu(-inf) = -0 (the limits; PyTorch's formulas give NaN there), relu(-0) = +0 and
 * relu(NaN) = NaN (as max(x, 0) in wasm and PyTorch), neg/abs only flip/clear the sign bit (also of
 * NaN). The output NaN's payload is not specified.
 *
 * x may equal y. The last n % 4 elements go through the same vector code via a padded local copy,
 * so nothing is read or written past x + n or y + n.
 */
#include "kernels.h"
#include "simd.h"
#include "vmath.h"

#define UNARY_LOOP(VFN)                                                        \
  do {                                                                         \
    size_t i_ = 0;                                                             \
    for (; i_ + 8 <= n; i_ += 8) {                                             \
      v128_t a_ = wasm_v128_load(x + i_), b_ = wasm_v128_load(x + i_ + 4);     \
      wasm_v128_store(y + i_, VFN(a_));                                        \
      wasm_v128_store(y + i_ + 4, VFN(b_));                                    \
    }                                                                          \
    for (; i_ + 4 <= n; i_ += 4) wasm_v128_store(y + i_, VFN(wasm_v128_load(x + i_))); \
    if (i_ < n) v_store_part(y + i_, VFN(v_load_part(x + i_, n - i_, 0.0f)), n - i_);   \
  } while (0)

static inline v128_t v_sqrt(v128_t x) { return wasm_f32x4_sqrt(x); }

void unary_f32(kernel_unary op, size_t n, const float *x, float *y) {
  switch (op) {
    case KERNEL_NEG: UNARY_LOOP(v_neg); break;
    case KERNEL_EXP: UNARY_LOOP(v_exp); break;
    case KERNEL_LOG: UNARY_LOOP(v_log); break;
    case KERNEL_SQRT: UNARY_LOOP(v_sqrt); break;
    case KERNEL_TANH: UNARY_LOOP(v_tanh); break;
    case KERNEL_ERF: UNARY_LOOP(v_erf); break;
    case KERNEL_SIGMOID: UNARY_LOOP(v_sigmoid); break;
    case KERNEL_GELU_ERF: UNARY_LOOP(v_gelu_erf); break;
    case KERNEL_GELU_TANH: UNARY_LOOP(v_gelu_tanh); break;
    case KERNEL_SILU: UNARY_LOOP(v_silu); break;
    case KERNEL_RELU: UNARY_LOOP(v_relu); break;
    case KERNEL_ABS: UNARY_LOOP(v_abs); break;
  }
}

/* GELU (erf form) for the feed-forward blocks of transformer encoders, at a third of v_gelu_erf's
 * cost: erfc(a) = 1 / (1 + a1 a + ... + a6 a^6)^16 for a = |x| / sqrt 2 (Abramowitz and Stegun
 * 7.1.28, absolute error <= 3e-7 in exact arithmetic; the float rounding of the polynomial,
 * raised to the 16th power, adds up to about 1e-6 relative), no exp, one division, both signs
 * from the same expression: gelu(x) = x/2 (2 - erfc(a)) for x >= 0 and x/2 erfc(a) below.
 * Error: |y - gelu(x)| <= 1e-6 |x| (checked in tests/native/test_kernels_attention.c), against
 * a tolerance of 1e-4 on the encoder's hidden states; unary_f32's KERNEL_GELU_ERF keeps its
 * few-ulp bound for everything else. Large |x| saturate: the 16th power overflows to +inf,
 * so erfc becomes exactly 0; NaN propagates; gelu(-inf) = -0 as v_gelu_erf. */
static inline v128_t v_gelu_erf_fast(v128_t x) {
  const v128_t a = v_abs(wasm_f32x4_mul(x, V_F(0.707106781186547524f)));
  v128_t p = V_F(0.0000430638f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, a), V_F(0.0002765672f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, a), V_F(0.0001520143f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, a), V_F(0.0092705272f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, a), V_F(0.0422820123f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, a), V_F(0.0705230784f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, a), V_F(1.0f));
  p = wasm_f32x4_mul(p, p); /* ^2 */
  p = wasm_f32x4_mul(p, p); /* ^4 */
  p = wasm_f32x4_mul(p, p); /* ^8 */
  p = wasm_f32x4_mul(p, p); /* ^16 */
  const v128_t c = wasm_f32x4_div(V_F(1.0f), p); /* erfc(a) */
  const v128_t h = wasm_v128_bitselect(c, wasm_f32x4_sub(V_F(2.0f), c), wasm_f32x4_lt(x, V_F(0.0f)));
  return wasm_f32x4_mul(wasm_f32x4_mul(v_act_x(x), V_F(0.5f)), h);
}

void gelu_erf_fast_f32(size_t n, const float *x, float *y) { UNARY_LOOP(v_gelu_erf_fast); }
