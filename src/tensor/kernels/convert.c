/* Conversions between float32 and the two 16-bit float formats, eight values per step.
 *
 * All four are exact bit manipulations (plus one exact or correctly rounded float addition), so
 * there is no accuracy to trade: tests/native/test_kernels_convert.c checks all 65,536 half and
 * bfloat16 values and a dense sweep of float32 bit patterns against an independent reference.
 *
 * f16 -> f32: exact (every half is a float). Normal numbers re-bias the exponent; subnormals are
 *   renormalised with one exact float subtraction (the "magic" trick of F. Giesen, "Half to float
 *   done quic", 2013); inf stays inf; NaN keeps its sign and payload bits (not quietened), so
 *   f16 -> f32 -> f16 is the identity on all 65,536 bit patterns.
 * f32 -> f16: round to nearest, ties to even, by the FPU itself: adding a power of two that
 *   aligns the half's last mantissa bit with the float's (see float4_to_half4; the method of
 *   XNNPACK's wasm SIMD conversion), for normal and subnormal results alike;
 *   |x| >= 65520 (the halfway point above 65504) rounds to inf, as IEEE says. NaN becomes a NaN
 *   with the same sign and the top 10 payload bits, forced non-zero (0x7c01) if those are all
 *   zero: NumPy's astype(float16) rule (npy_floatbits_to_halfbits).
 * bf16 -> f32: exact (x << 16), NaN payloads kept.
 * f32 -> bf16: round to nearest even by adding 0x7fff plus the kept lowest bit (overflow past
 *   bf16's largest finite value carries into the exponent and gives inf, as it should). NaN stays
 *   NaN and is made quiet (sign and top payload bits kept, quiet bit 0x0040 set); the usual
 *   bias trick would otherwise turn some NaNs into inf.
 * Tails go through the same vector code via padded local copies: nothing is read or written past
 * the n elements. x and y must not overlap (they have different element sizes).
 */
#include <string.h>

#include "kernels.h"
#include "simd.h"

/* ---- f16 -> f32 ---------------------------------------------------------------------------------- */

static inline v128_t half4_to_float4(v128_t h) { /* h: four u32 lanes holding halves */
  v128_t o = wasm_i32x4_shl(wasm_v128_and(h, wasm_i32x4_splat(0x7fff)), 13);
  v128_t e = wasm_v128_and(o, wasm_i32x4_splat(0x0f800000)); /* the half's exponent field */
  o = wasm_i32x4_add(o, wasm_i32x4_splat(0x38000000));       /* re-bias 15 -> 127 */
  /* inf/NaN: exponent 31 must become 255 */
  o = wasm_i32x4_add(o, wasm_v128_and(wasm_i32x4_eq(e, wasm_i32x4_splat(0x0f800000)),
                                      wasm_i32x4_splat(0x38000000)));
  /* zero/subnormal: 2^-14 (1 + m/1024) - 2^-14 = m 2^-24, exactly */
  v128_t sub = wasm_f32x4_sub(wasm_i32x4_add(o, wasm_i32x4_splat(0x00800000)),
                              wasm_i32x4_splat(0x38800000));
  o = wasm_v128_bitselect(sub, o, wasm_i32x4_eq(e, wasm_i32x4_splat(0)));
  return wasm_v128_or(o, wasm_i32x4_shl(wasm_v128_and(h, wasm_i32x4_splat(0x8000)), 16));
}

static inline void half8_to_float8(const uint16_t *x, float *y) {
  v128_t h = wasm_v128_load(x);
  wasm_v128_store(y, half4_to_float4(wasm_u32x4_extend_low_u16x8(h)));
  wasm_v128_store(y + 4, half4_to_float4(wasm_u32x4_extend_high_u16x8(h)));
}

void f16_to_f32(size_t n, const uint16_t *x, float *y) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) half8_to_float8(x + i, y + i);
  if (i < n) {
    uint16_t t[8] = {0};
    float o[8];
    memcpy(t, x + i, (n - i) * sizeof(uint16_t));
    half8_to_float8(t, o);
    memcpy(y + i, o, (n - i) * sizeof(float));
  }
}

/* ---- f32 -> f16 ---------------------------------------------------------------------------------- */

/* Four floats to four halves in u32 lanes, rounding with the FPU (the method of XNNPACK's
 * f32->f16 "wasmsimd" conversion, M. Dukhan): with |x| = 1.m 2^e, the sum 4|x| + 2^(e+15) has its
 * last mantissa bit at 2^(e-8), so the FPU rounds 4|x| to 11 significant bits, ties to even; the
 * sum's mantissa field is then 1024 + the half's 10 mantissa bits, and the low 5 bits of its
 * exponent field are e + 14. A carry from rounding moves into the exponent on its own (up to inf
 * at 65520). The bias is clamped to at least 2 so that tiny |x| round to multiples of 2^-24 (the
 * subnormal halves). |x| >= 2^16 becomes inf through the 2^112 scale. NaN is selected last. */
static inline v128_t float4_to_half4(v128_t x) {
  v128_t ax = wasm_v128_and(x, wasm_i32x4_splat(0x7fffffff));
  v128_t bias = wasm_v128_and(wasm_i32x4_add(ax, wasm_i32x4_splat(0x07800000)), wasm_i32x4_splat(0x7f800000));
  bias = wasm_i32x4_max(bias, wasm_i32x4_splat(0x40000000)); /* >= 2.0f */
  v128_t f = wasm_f32x4_mul(wasm_f32x4_mul(ax, wasm_f32x4_splat(0x1.0p+112f)), wasm_f32x4_splat(0x1.0p-110f));
  f = wasm_f32x4_add(f, bias);
  v128_t r = wasm_i32x4_add(wasm_v128_and(wasm_u32x4_shr(f, 13), wasm_i32x4_splat(0x7c00)),
                            wasm_v128_and(f, wasm_i32x4_splat(0x0fff)));
  /* NaN: 0x7c00 | the top 10 payload bits, at least 1 (NumPy) */
  v128_t pay = wasm_i32x4_max(wasm_v128_and(wasm_u32x4_shr(ax, 13), wasm_i32x4_splat(0x3ff)), wasm_i32x4_splat(1));
  r = wasm_v128_bitselect(wasm_v128_or(pay, wasm_i32x4_splat(0x7c00)), r,
                          wasm_i32x4_gt(ax, wasm_i32x4_splat(0x7f800000)));
  return wasm_v128_or(r, wasm_u32x4_shr(wasm_v128_andnot(x, wasm_i32x4_splat(0x7fffffff)), 16));
}

static inline void float8_to_half8(const float *x, uint16_t *y) {
  v128_t lo = float4_to_half4(wasm_v128_load(x)), hi = float4_to_half4(wasm_v128_load(x + 4));
  wasm_v128_store(y, wasm_u16x8_narrow_i32x4(lo, hi)); /* lanes are in [0, 0xffff]: no saturation */
}

void f32_to_f16(size_t n, const float *x, uint16_t *y) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) float8_to_half8(x + i, y + i);
  if (i < n) {
    float t[8] = {0};
    uint16_t o[8];
    memcpy(t, x + i, (n - i) * sizeof(float));
    float8_to_half8(t, o);
    memcpy(y + i, o, (n - i) * sizeof(uint16_t));
  }
}

/* ---- bf16 <-> f32 -------------------------------------------------------------------------------- */

/* Interleaving zeros below each bfloat16 (the unpack-low/high-words pattern) is x << 16. */
static inline void bf8_to_float8(const uint16_t *x, float *y) {
  v128_t h = wasm_v128_load(x), z = wasm_i32x4_splat(0);
  wasm_v128_store(y, wasm_i16x8_shuffle(z, h, 0, 8, 1, 9, 2, 10, 3, 11));
  wasm_v128_store(y + 4, wasm_i16x8_shuffle(z, h, 4, 12, 5, 13, 6, 14, 7, 15));
}

void bf16_to_f32(size_t n, const uint16_t *x, float *y) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) bf8_to_float8(x + i, y + i);
  if (i < n) {
    uint16_t t[8] = {0};
    float o[8];
    memcpy(t, x + i, (n - i) * sizeof(uint16_t));
    bf8_to_float8(t, o);
    memcpy(y + i, o, (n - i) * sizeof(float));
  }
}

static inline v128_t float4_to_bf4(v128_t f) {
  v128_t odd = wasm_v128_and(wasm_u32x4_shr(f, 16), wasm_i32x4_splat(1));
  v128_t r = wasm_u32x4_shr(wasm_i32x4_add(wasm_i32x4_add(f, wasm_i32x4_splat(0x7fff)), odd), 16);
  v128_t nan = wasm_i32x4_gt(wasm_v128_and(f, wasm_i32x4_splat(0x7fffffff)), wasm_i32x4_splat(0x7f800000));
  v128_t qnan = wasm_v128_or(wasm_u32x4_shr(f, 16), wasm_i32x4_splat(0x0040));
  return wasm_v128_bitselect(qnan, r, nan);
}

static inline void float8_to_bf8(const float *x, uint16_t *y) {
  v128_t lo = float4_to_bf4(wasm_v128_load(x)), hi = float4_to_bf4(wasm_v128_load(x + 4));
  wasm_v128_store(y, wasm_u16x8_narrow_i32x4(lo, hi));
}

void f32_to_bf16(size_t n, const float *x, uint16_t *y) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) float8_to_bf8(x + i, y + i);
  if (i < n) {
    float t[8] = {0};
    uint16_t o[8];
    memcpy(t, x + i, (n - i) * sizeof(float));
    float8_to_bf8(t, o);
    memcpy(y + i, o, (n - i) * sizeof(uint16_t));
  }
}
