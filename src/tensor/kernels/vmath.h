/* Vector math shared by the element-wise and row kernels (internal; static inline only).
 *
 * Four float lanes at a time, written against wasm_simd128.h (simd.h). Every function here is a
 * pure function of its arguments: no tables, no state. The accuracy figures are the worst case
 * over all 2^32 float inputs against double-precision libm ("ulp" is the spacing of floats at the
 * true result); tests/native/test_kernels_unary.c enforces the bounds listed in unary.c in both
 * the native and the wasm build. The library is compiled with -ffp-contract=off and no FMA is used, so the wasm and the
 * native (SIMDe) builds give bit-identical results for every function below.
 *
 * Who uses what: unary.c (all), binary.c (max/min, the activations for bias_act), softmax.c (exp,
 * row max, pairwise sum), norm.c (pairwise sums), reduce.c (row max, pairwise sum). GEMM epilogues
 * may use v_act() for their fused activations.
 */
#ifndef TETRA_SRC_TENSOR_KERNELS_VMATH_H
#define TETRA_SRC_TENSOR_KERNELS_VMATH_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "kernels.h"
#include "simd.h"

#define V_F(c) wasm_f32x4_splat(c)
#define V_I(c) wasm_i32x4_splat(c)

/* ---- loads and stores of a partial vector ------------------------------------------------------
 * The r < 4 elements at the end of a row go through the same vector code as the rest (so the
 * tests that compare tails compare the real kernel): they are copied into a padded local vector,
 * so nothing past the end of the caller's buffer is read or written. */
static inline v128_t v_load_part(const float *x, size_t r, float pad) {
  float t[4] = {pad, pad, pad, pad};
  memcpy(t, x, r * sizeof(float));
  return wasm_v128_load(t);
}
static inline void v_store_part(float *y, v128_t v, size_t r) {
  float t[4];
  wasm_v128_store(t, v);
  memcpy(y, t, r * sizeof(float));
}
static inline float v_lane0(v128_t v) { return wasm_f32x4_extract_lane(v, 0); }

/* ---- max / min with wasm's semantics on every build --------------------------------------------
 * wasm f32x4.max/min return NaN when either operand is NaN (np.maximum/np.minimum do the same)
 * and order -0 below +0 (max(-0, +0) = +0, min(-0, +0) = -0, whatever the operand order).
 * SIMDe's SSE4.1 emulation propagates NaN (maxps plus a cmpord blend) but returns the second
 * operand when both are zeros. Operands that compare equal are therefore merged bitwise: a & b
 * clears the sign unless both are -0 (max), a | b sets it if either is -0 (min); for equal
 * non-zero values both give the value itself (natively three extra ops; in wasm the instruction
 * alone). NaN results are quiet NaNs; their sign and payload are not specified. */
static inline v128_t v_max(v128_t a, v128_t b) {
#if defined(__wasm_simd128__)
  return wasm_f32x4_max(a, b);
#else
  return wasm_v128_bitselect(wasm_v128_and(a, b), wasm_f32x4_max(a, b), wasm_f32x4_eq(a, b));
#endif
}
static inline v128_t v_min(v128_t a, v128_t b) {
#if defined(__wasm_simd128__)
  return wasm_f32x4_min(a, b);
#else
  return wasm_v128_bitselect(wasm_v128_or(a, b), wasm_f32x4_min(a, b), wasm_f32x4_eq(a, b));
#endif
}

static inline v128_t v_abs(v128_t x) { return wasm_v128_andnot(x, V_F(-0.0f)); }
static inline v128_t v_neg(v128_t x) { return wasm_v128_xor(x, V_F(-0.0f)); }
/* |r| with the sign bit of s. */
static inline v128_t v_with_sign(v128_t r, v128_t s) {
  return wasm_v128_or(r, wasm_v128_and(s, V_F(-0.0f)));
}

/* ---- exp ----------------------------------------------------------------------------------------
 * Cephes expf (S. L. Moshier): n = round(x / ln 2), r = x - n ln 2 with ln 2 split in two
 * (Cody-Waite: C1 = 0.693359375 has 9 significant bits, so n * C1 is exact for |n| <= 150 and
 * x - n C1 is exact), e^r = 1 + r + r^2 P(r) with the degree-5 minimax P of Cephes on
 * [-ln2/2, ln2/2], then e^x = e^r 2^n.
 *  - 2^n is built from exponent bits. To reach the subnormal results (x down to -103.97) and the
 *    top binade (n = 128 with e^r < 1) without an out-of-range exponent, 2^n is applied as two
 *    normal factors 2^(n>>1) 2^(n - (n>>1)); the first product is exact, so the result is
 *    rounded once.
 *  - Results that round to +0 (x < -103.972077 = ln 2^-150, -inf included) are not computed by
 *    underflowing arithmetic: those lanes are replaced by 0 before and zeroed after. x86 takes a
 *    slow microcode path for every subnormal or underflowing result (wasm cannot set
 *    flush-to-zero), which made exp 3x slower on such lanes: the masked entries of an attention
 *    row (-inf or -1e4) must not pay that. Genuinely subnormal results (x in [-103.97, -87.34])
 *    still do, unless flush_subnormal asks for 0 there (softmax does: those probabilities are
 *    below 1.2e-38 and the row sum is >= 1).
 *  - Above, x is clamped to 89: the last multiply overflows to +inf for x > 88.7228 (+inf too).
 *    The comparisons and the clamp keep NaN, which then propagates through the arithmetic.
 *  - n is rounded with the 1.5 * 2^23 trick (no float-to-int conversion).
 * Measured error: 0.990 ulp for normal results; subnormal results within 0.8 x 2^-149. */

/* The middle both exp kernels share: n = round(x / ln 2) (int32 lanes, into *n) and e^r for
 * r = x - n ln 2, by the steps described above; x must already be clamped. */
static inline v128_t v_exp_core(v128_t x, v128_t *n) {
  const v128_t magic = V_F(12582912.0f); /* 1.5 * 2^23: adding it rounds to an integer */
  v128_t t = wasm_f32x4_add(wasm_f32x4_mul(x, V_F(1.44269504088896341f)), magic);
  *n = wasm_i32x4_sub(t, V_I(0x4B400000));
  v128_t nf = wasm_f32x4_sub(t, magic);
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(nf, V_F(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(nf, V_F(-2.12194440e-4f)));
  v128_t p = V_F(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), V_F(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), V_F(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), V_F(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), V_F(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), V_F(5.0000001201e-1f));
  return wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_mul(p, wasm_f32x4_mul(r, r)), r), V_F(1.0f));
}

static inline v128_t v_exp_impl(v128_t x, int flush_subnormal) {
  /* 0xC2CFF1B4 = -103.97207642 is the smallest float whose exp rounds up to 2^-149 rather than 0;
   * 0xC2AEAC4F = -87.33654022 the smallest whose exp is at least FLT_MIN */
  const v128_t under = wasm_f32x4_lt(x, wasm_i32x4_splat(flush_subnormal ? (int32_t)0xC2AEAC4Fu
                                                                         : (int32_t)0xC2CFF1B4u));
  /* pmin is x86's minps (one instruction in V8, where f32x4.min takes about eight); with x as
   * the first operand it returns x when x is NaN */
  v128_t n;
  const v128_t p = v_exp_core(wasm_f32x4_pmin(wasm_v128_andnot(x, under), V_F(89.0f)), &n);
  v128_t n1 = wasm_i32x4_shr(n, 1);
  v128_t n2 = wasm_i32x4_sub(n, n1);
  v128_t s1 = wasm_i32x4_shl(wasm_i32x4_add(n1, V_I(127)), 23);
  v128_t s2 = wasm_i32x4_shl(wasm_i32x4_add(n2, V_I(127)), 23);
  return wasm_v128_andnot(wasm_f32x4_mul(wasm_f32x4_mul(p, s1), s2), under);
}
static inline v128_t v_exp(v128_t x) { return v_exp_impl(x, 0); }
/* exp with results below FLT_MIN flushed to +0 (never a subnormal operation). */
static inline v128_t v_exp_flush(v128_t x) { return v_exp_impl(x, 1); }

/* v_exp_flush for x <= 0 or NaN (a softmax's x - max), bit for bit, with less work: no clamp
 * from above, and 2^n as one factor. For x in [-87.34, 0] n = round(x / ln 2) is in [-126, 0],
 * so 2^n is a normal float and e^r 2^n (e^r in [0.707, 1.414], the product >= FLT_MIN there) is
 * rounded once, as v_exp_impl's exact-then-rounded pair of products is. NaN propagates through
 * the arithmetic as there; x < -87.34 (and -inf) gives +0 as there. Measured 1.37x faster inside
 * softmax_exp_f32, which is latency-bound: the long dependency chain of each vector is why the
 * loops below keep four vectors in flight. */
static inline v128_t v_exp_nonpos_flush(v128_t x) {
  const v128_t under = wasm_f32x4_lt(x, wasm_i32x4_splat((int32_t)0xC2AEAC4Fu)); /* -87.33654 */
  v128_t n;
  const v128_t p = v_exp_core(wasm_v128_andnot(x, under), &n);
  v128_t s = wasm_i32x4_shl(wasm_i32x4_add(n, V_I(127)), 23);
  return wasm_v128_andnot(wasm_f32x4_mul(p, s), under);
}

/* ---- log ----------------------------------------------------------------------------------------
 * Cephes logf: x = m 2^e with m in [sqrt(1/2), sqrt(2)) taken from the bits (subnormals are first
 * scaled by 2^23), f = m - 1 (exact), log(1 + f) = f - f^2/2 + f^3 P(f) with Cephes' degree-8
 * minimax P, and e ln 2 added in two parts (Cody-Waite) last so that no cancellation occurs near
 * x = 1. Special values as C's logf: log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf,
 * NaN -> NaN. Measured error: 0.829 ulp (every float > 0, subnormals included). */
static inline v128_t v_log(v128_t x) {
  v128_t tiny = wasm_f32x4_lt(x, V_F(FLT_MIN)); /* subnormal (also 0 and negatives: fixed below) */
  v128_t xs = wasm_v128_bitselect(wasm_f32x4_mul(x, V_F(8388608.0f)), x, tiny);
  v128_t e = wasm_i32x4_sub(wasm_u32x4_shr(xs, 23), V_I(126));
  e = wasm_i32x4_sub(e, wasm_v128_and(tiny, V_I(23)));
  v128_t m = wasm_v128_or(wasm_v128_and(xs, V_I(0x007FFFFF)), V_I(0x3F000000)); /* [0.5, 1) */
  v128_t lo = wasm_f32x4_lt(m, V_F(0.707106781186547524f));
  e = wasm_i32x4_add(e, lo); /* lo is -1 where m < sqrt(1/2): use 2m and e - 1 */
  v128_t f = wasm_f32x4_add(wasm_f32x4_sub(m, V_F(1.0f)), wasm_v128_and(m, lo));
  v128_t ef = wasm_f32x4_convert_i32x4(e);
  v128_t z = wasm_f32x4_mul(f, f);
  v128_t p = V_F(7.0376836292e-2f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), V_F(-1.1514610310e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), V_F(1.1676998740e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), V_F(-1.2420140846e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), V_F(1.4249322787e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), V_F(-1.6668057665e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), V_F(2.0000714765e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), V_F(-2.4999993993e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, f), V_F(3.3333331174e-1f));
  v128_t y = wasm_f32x4_mul(wasm_f32x4_mul(p, f), z);
  y = wasm_f32x4_add(y, wasm_f32x4_mul(ef, V_F(-2.12194440e-4f)));
  y = wasm_f32x4_add(y, wasm_f32x4_mul(z, V_F(-0.5f)));
  v128_t r = wasm_f32x4_add(wasm_f32x4_add(f, y), wasm_f32x4_mul(ef, V_F(0.693359375f)));
  /* specials: +-0 -> -inf, +inf -> +inf, and NaN for x < 0 or NaN (!(x >= 0) covers both) */
  r = wasm_v128_bitselect(V_F(-INFINITY), r, wasm_f32x4_eq(x, V_F(0.0f)));
  r = wasm_v128_bitselect(x, r, wasm_f32x4_eq(x, V_F(INFINITY)));
  return wasm_v128_bitselect(r, V_F(NAN), wasm_f32x4_ge(x, V_F(0.0f)));
}

/* ---- sigmoid ------------------------------------------------------------------------------------
 * 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0, with e = exp(-|x|) in (0, 1]: neither
 * form overflows or cancels, so the result keeps its relative accuracy down to the subnormals
 * (sigmoid(-100) = 3.7e-44, not 0). One division. sigmoid(+-inf) = 1, 0; NaN -> NaN.
 * Measured error: 2.402 ulp (the exp, the rounding of 1 + e, the division). */
static inline v128_t v_sigmoid(v128_t x) {
  v128_t e = v_exp(v_neg(v_abs(x)));
  v128_t num = wasm_v128_bitselect(e, V_F(1.0f), wasm_f32x4_lt(x, V_F(0.0f)));
  return wasm_f32x4_div(num, wasm_f32x4_add(V_F(1.0f), e));
}

/* ---- tanh ---------------------------------------------------------------------------------------
 * Cephes tanhf: for |x| < 0.625 the odd minimax polynomial x + x^3 P(x^2) (degree 4 in x^2), which
 * keeps relative accuracy near 0 (where 1 - 2/(e^2x + 1) would cancel); above, (1 - e)/(1 + e)
 * with e = exp(-2|x|) in (0, 0.29], which saturates to exactly 1 once e < 2^-25 (|x| > 9.01) and
 * never overflows. The sign is copied back, so tanh(-0) = -0; tanh(+-inf) = +-1; NaN -> NaN.
 * Measured error: 1.509 ulp. */
static inline v128_t v_tanh(v128_t x) {
  v128_t a = v_abs(x);
  v128_t z = wasm_f32x4_mul(a, a);
  v128_t p = V_F(-5.70498872745e-3f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), V_F(2.06390887954e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), V_F(-5.37397155531e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), V_F(1.33314422036e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), V_F(-3.33332819422e-1f));
  v128_t small = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, z), a), a);
  v128_t e = v_exp(wasm_f32x4_mul(a, V_F(-2.0f)));
  v128_t big = wasm_f32x4_div(wasm_f32x4_sub(V_F(1.0f), e), wasm_f32x4_add(V_F(1.0f), e));
  v128_t r = wasm_v128_bitselect(small, big, wasm_f32x4_lt(a, V_F(0.625f)));
  return v_with_sign(r, x);
}

/* ---- erf and erfc -------------------------------------------------------------------------------
 * The erf/erfc split used by fdlibm and Cephes, with our own minimax coefficients (Lawson's
 * iteratively reweighted least squares in double, then rounded to float):
 *  - a = |x| < 0.84375: erf(a) = a P(a^2), P of degree 5; fitted relative error 5.6e-9.
 *  - a >= 0.84375: erfc(a) = t exp(-a^2 + Q(t)) with t = 1/(1 + a/2) (the change of variable of
 *    Numerical Recipes' erfcc), Q of degree 8 fitted on a in [0.84375, 10.5] (t in [0.16, 0.70]);
 *    fitted absolute error in Q (= relative error in erfc) 7.3e-9. Then erf(a) = 1 - erfc(a).
 *    For large a the exp underflows to 0 and erf saturates to exactly 1, so no clamp is needed:
 *    erf(+-inf) = +-1, NaN -> NaN, erf(-0) = -0.
 * Measured error of erf: 1.984 ulp and 1.18e-7 absolute (worst just above the split). The
 * rounding of a^2 in float limits erfc's own relative accuracy to about (2 + a^2) 2^-24 in the
 * far tail, which is what v_gelu_erf inherits for large negative inputs. */
static inline void v_erf_parts(v128_t a, v128_t z, v128_t *small, v128_t *erfc_big) {
  v128_t p = V_F(-6.34288415e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), V_F(5.05561661e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), V_F(-2.68051010e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), V_F(1.12827756e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), V_F(-3.76125753e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, z), V_F(1.28379166e-1f));
  *small = wasm_f32x4_add(a, wasm_f32x4_mul(p, a));
  v128_t t = wasm_f32x4_div(V_F(1.0f), wasm_f32x4_add(V_F(1.0f), wasm_f32x4_mul(a, V_F(0.5f))));
  v128_t q = V_F(-2.05892727e-1f);
  q = wasm_f32x4_add(wasm_f32x4_mul(q, t), V_F(5.32909572e-1f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, t), V_F(-2.97119766e-1f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, t), V_F(-1.82149783e-1f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, t), V_F(-1.94890816e-2f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, t), V_F(5.65379262e-2f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, t), V_F(3.80396962e-1f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, t), V_F(9.99443769e-1f));
  q = wasm_f32x4_add(wasm_f32x4_mul(q, t), V_F(-1.26548874e+0f));
  *erfc_big = wasm_f32x4_mul(t, v_exp(wasm_f32x4_sub(q, z)));
}
#define V_ERF_SPLIT 0.84375f

static inline v128_t v_erf(v128_t x) {
  v128_t a = v_abs(x), small, c;
  v_erf_parts(a, wasm_f32x4_mul(a, a), &small, &c);
  v128_t big = wasm_f32x4_sub(V_F(1.0f), c);
  return v_with_sign(wasm_v128_bitselect(small, big, wasm_f32x4_lt(a, V_F(V_ERF_SPLIT))), x);
}

/* ---- activations --------------------------------------------------------------------------------
 * relu(x) = max(x, +0) with wasm's max: x > 0 ? x : +0, NaN -> NaN, relu(-0) = +0. */
static inline v128_t v_relu(v128_t x) {
  return wasm_v128_andnot(x, wasm_f32x4_le(x, V_F(0.0f)));
}

/* The three smooth activations are x g(x) with g in [0, 1]; at x = -inf that product is
 * -inf * 0 = NaN, whereas the function's limit is -0. x is clamped to -FLT_MAX for the product
 * (NaN still propagates), so silu/gelu(-inf) = -0 and silu/gelu(+inf) = +inf. PyTorch's formulas
 * give NaN at -inf; finite inputs are unaffected. */
static inline v128_t v_act_x(v128_t x) { return wasm_f32x4_pmax(x, V_F(-FLT_MAX)); }

/* silu(x) = x sigmoid(x). Measured error: 3.194 ulp, plus up to |x| 2^-150 where sigmoid(x) is
 * subnormal (x < -87.3: its rounding is then absolute, and x multiplies it). */
static inline v128_t v_silu(v128_t x) { return wasm_f32x4_mul(v_act_x(x), v_sigmoid(x)); }

/* gelu_erf(x) = x/2 (1 + erf(x/sqrt 2)). For x < 0 the factor 1 + erf(u) = erfc(|u|) is taken
 * from the erfc branch directly instead of computing 1 - 0.9999... (which would lose all relative
 * accuracy once x < -3), and 2 - erfc(u) for u >= 0.84375. So the result keeps its relative
 * accuracy for x < 0: measured within (6 + x^2) ulp (the float rounding of x^2/2 in the exponent;
 * 1.7 ulp for x >= 0), instead of collapsing to 0 (PyTorch's float formula returns -0 below
 * x = -5.5; the true value is -5.9e-9 at x = -6). */
static inline v128_t v_gelu_erf(v128_t x) {
  v128_t u = wasm_f32x4_mul(x, V_F(0.707106781186547524f));
  v128_t a = v_abs(u), small, c;
  /* u^2 = x^2 / 2 from x itself: one rounding less in the exponent than (x / sqrt 2)^2. */
  v_erf_parts(a, wasm_f32x4_mul(wasm_f32x4_mul(x, x), V_F(0.5f)), &small, &c);
  v128_t h_small = wasm_f32x4_add(V_F(1.0f), v_with_sign(small, u));
  v128_t h_big = wasm_v128_bitselect(c, wasm_f32x4_sub(V_F(2.0f), c), wasm_f32x4_lt(u, V_F(0.0f)));
  v128_t h = wasm_v128_bitselect(h_small, h_big, wasm_f32x4_lt(a, V_F(V_ERF_SPLIT)));
  return wasm_f32x4_mul(wasm_f32x4_mul(v_act_x(x), V_F(0.5f)), h);
}

/* gelu_tanh(x) = x/2 (1 + tanh(k (x + 0.044715 x^3))), k = sqrt(2/pi). Since (1 + tanh(v))/2 =
 * sigmoid(2v), this is x sigmoid(x (c1 + c2 x^2)) with c1 = 2k, c2 = 0.044715 c1: the same
 * function, but no cancellation in 1 + tanh for negative x, one exp and one division. */
static inline v128_t v_gelu_tanh(v128_t x) {
  v128_t z = wasm_f32x4_mul(x, x);
  v128_t v = wasm_f32x4_mul(x, wasm_f32x4_add(V_F(1.5957691216057308f),
                                              wasm_f32x4_mul(z, V_F(0.07135481627159025f))));
  return wasm_f32x4_mul(v_act_x(x), v_sigmoid(v));
}

/* The activations GEMMs and bias_act fuse (kernel_activation). */
static inline v128_t v_act(kernel_activation act, v128_t x) {
  switch (act) {
    case KERNEL_ACT_RELU: return v_relu(x);
    case KERNEL_ACT_GELU_ERF: return v_gelu_erf(x);
    case KERNEL_ACT_GELU_TANH: return v_gelu_tanh(x);
    case KERNEL_ACT_SILU: return v_silu(x);
    default: return x;
  }
}

/* ---- row reductions -----------------------------------------------------------------------------
 * Maximum of n >= 1 floats with v_max's result (NaN if any element is NaN; +0 above -0), four
 * accumulators. The loop uses pmax (x86's maxps: one instruction in V8, where the NaN-propagating
 * f32x4.max takes about eight) and collects a NaN mask beside it; the rare zero maximum is settled
 * afterwards by looking for a +0. */
static inline float v_row_max(const float *x, size_t n) {
  v128_t m0 = V_F(-INFINITY), m1 = m0, m2 = m0, m3 = m0, nan = wasm_i32x4_splat(0);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t a = wasm_v128_load(x + i), b = wasm_v128_load(x + i + 4);
    v128_t c = wasm_v128_load(x + i + 8), d = wasm_v128_load(x + i + 12);
    m0 = wasm_f32x4_pmax(m0, a);
    m1 = wasm_f32x4_pmax(m1, b);
    m2 = wasm_f32x4_pmax(m2, c);
    m3 = wasm_f32x4_pmax(m3, d);
    nan = wasm_v128_or(nan, wasm_v128_or(wasm_v128_or(wasm_f32x4_ne(a, a), wasm_f32x4_ne(b, b)),
                                         wasm_v128_or(wasm_f32x4_ne(c, c), wasm_f32x4_ne(d, d))));
  }
  for (; i < n; i += 4) {
    v128_t a = i + 4 <= n ? wasm_v128_load(x + i) : v_load_part(x + i, n - i, -INFINITY);
    m0 = wasm_f32x4_pmax(m0, a);
    nan = wasm_v128_or(nan, wasm_f32x4_ne(a, a));
  }
  if (wasm_v128_any_true(nan)) return NAN;
  m0 = wasm_f32x4_pmax(wasm_f32x4_pmax(m0, m1), wasm_f32x4_pmax(m2, m3));
  m0 = wasm_f32x4_pmax(m0, wasm_i32x4_shuffle(m0, m0, 2, 3, 0, 1));
  m0 = wasm_f32x4_pmax(m0, wasm_i32x4_shuffle(m0, m0, 1, 0, 3, 2));
  float m = v_lane0(m0);
  if (m == 0.0f) { /* pmax keeps whichever zero came first; wasm's max says +0 if there is one */
    for (i = 0; i < n; i++)
      if (x[i] == 0.0f && !signbit(x[i])) return 0.0f;
    return -0.0f;
  }
  return m;
}

/* Pairwise summation. A block of up to V_SUM_BLOCK floats is summed in 16 lanes (four vector
 * accumulators; a lane takes at most 18 terms in sequence: 16 from the main loop, or 15 plus 3
 * single vectors, or plus the zero-padded tail), the lanes are combined by a fixed tree
 * (4 levels); longer runs are split at a multiple of the block size and the halves summed
 * recursively. Every term therefore passes through at most k = 21 + ceil(log2(n / 256)) rounded
 * additions (17 in its lane, 4 in the tree, one per level of splitting), and the classic bound
 * (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., section 4.2) gives
 *     |computed - exact| <= k 2^-24 / (1 - k 2^-24) * sum |x_i|
 * e.g. 1.3e-6 sum|x_i| for n <= 256 and 2.0e-6 sum|x_i| for n = 2^20, where a single running sum
 * could lose n 2^-24 sum|x_i|. The order is fixed by n alone, so results are reproducible, and
 * identical between the wasm and native builds. MODE selects the summand (compile-time constant
 * after inlining): 0: x_i, 1: x_i^2, 2: (x_i - c)^2 and, into *d, (x_i - c). */
#define V_SUM_BLOCK 256
static inline v128_t v_sum_term(int mode, v128_t v, v128_t c, v128_t *d) {
  if (mode == 0) return v;
  if (mode == 1) return wasm_f32x4_mul(v, v);
  v128_t dv = wasm_f32x4_sub(v, c);
  *d = wasm_f32x4_add(*d, dv);
  return wasm_f32x4_mul(dv, dv);
}
static inline float v_hsum(v128_t v) {
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  v = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return v_lane0(v);
}
static inline float v_sum_block(int mode, const float *x, size_t n, float c, float *dsum) {
  v128_t a0 = V_F(0.0f), a1 = a0, a2 = a0, a3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
  v128_t cv = V_F(c);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    a0 = wasm_f32x4_add(a0, v_sum_term(mode, wasm_v128_load(x + i), cv, &d0));
    a1 = wasm_f32x4_add(a1, v_sum_term(mode, wasm_v128_load(x + i + 4), cv, &d1));
    a2 = wasm_f32x4_add(a2, v_sum_term(mode, wasm_v128_load(x + i + 8), cv, &d2));
    a3 = wasm_f32x4_add(a3, v_sum_term(mode, wasm_v128_load(x + i + 12), cv, &d3));
  }
  for (; i + 4 <= n; i += 4) a0 = wasm_f32x4_add(a0, v_sum_term(mode, wasm_v128_load(x + i), cv, &d0));
  if (i < n) { /* pad with c, whose term is 0 in every mode but 0 (where c is 0) */
    a1 = wasm_f32x4_add(a1, v_sum_term(mode, v_load_part(x + i, n - i, c), cv, &d1));
  }
  if (mode == 2) *dsum += v_hsum(wasm_f32x4_add(wasm_f32x4_add(d0, d1), wasm_f32x4_add(d2, d3)));
  return v_hsum(wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3)));
}
static inline float v_sum_rec(int mode, const float *x, size_t n, float c, float *dsum) {
  if (n <= V_SUM_BLOCK) return v_sum_block(mode, x, n, c, dsum);
  size_t half = (n / 2 + V_SUM_BLOCK - 1) / V_SUM_BLOCK * V_SUM_BLOCK;
  float lo = v_sum_rec(mode, x, half, c, dsum);
  return lo + v_sum_rec(mode, x + half, n - half, c, dsum);
}
/* sum x_i */
static inline float v_sum(const float *x, size_t n) { return v_sum_rec(0, x, n, 0.0f, NULL); }
/* sum x_i^2 */
static inline float v_sum_sq(const float *x, size_t n) { return v_sum_rec(1, x, n, 0.0f, NULL); }
/* sum (x_i - c)^2; *dsum receives sum (x_i - c), block sums added left to right (it is a
 * first-order correction term, so its own rounding does not matter). */
static inline float v_sum_sq_dev(const float *x, size_t n, float c, float *dsum) {
  *dsum = 0.0f;
  return v_sum_rec(2, x, n, c, dsum);
}

#endif
