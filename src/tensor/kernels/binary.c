/* Element-wise binary kernels (add, sub, mul, div, max, min) and the fused bias + activation.
 *
 * add/sub/mul/div are single IEEE operations, so the SIMD kernels equal the scalar reference bit
 * for bit (division by zero gives +-inf or NaN as IEEE says). max/min follow wasm's f32x4.max/min
 * on every build (vmath.h: v_max, v_min):
 *   - NaN if either operand is NaN, like np.maximum/np.minimum (not like C's fmaxf/fminf, which
 *     drop the NaN). The NaN's sign and payload are not specified.
 *   - -0 is below +0: max(-0, +0) = max(+0, -0) = +0 and min(-0, +0) = min(+0, -0) = -0, in either
 *     operand order. (np.maximum returns its first operand for equal values, so it can return -0
 *     for max(-0, +0); the zeros compare equal, so no comparison downstream can tell.)
 * Any of a, b and y may be the same array (element-wise, in place); partially overlapping arrays
 * are not supported. Tails (n % 4) go through the vector code via a padded local copy.
 *
 * bias_act_f32 adds bias[j] to every row and applies a kernel_activation in place; the
 * activations are vmath.h's (accuracy stated there and in unary.c).
 */
#include <math.h>

#include "kernels.h"
#include "simd.h"
#include "vmath.h"

static inline v128_t v_add(v128_t a, v128_t b) { return wasm_f32x4_add(a, b); }
static inline v128_t v_sub(v128_t a, v128_t b) { return wasm_f32x4_sub(a, b); }
static inline v128_t v_mul(v128_t a, v128_t b) { return wasm_f32x4_mul(a, b); }
static inline v128_t v_div(v128_t a, v128_t b) { return wasm_f32x4_div(a, b); }

/* LOADA/LOADB(i) and PARTA/PARTB(i, r) give the operands at element i; the pad value 1 keeps the
 * unused lanes of a partial vector free of divisions by zero (harmless either way). */
#define BINARY_LOOP(VOP, LOADA, LOADB, PARTA, PARTB)                                 \
  do {                                                                               \
    size_t i_ = 0;                                                                   \
    for (; i_ + 16 <= n; i_ += 16) {                                                 \
      v128_t r0_ = VOP(LOADA(i_), LOADB(i_)), r1_ = VOP(LOADA(i_ + 4), LOADB(i_ + 4)); \
      v128_t r2_ = VOP(LOADA(i_ + 8), LOADB(i_ + 8));                                 \
      v128_t r3_ = VOP(LOADA(i_ + 12), LOADB(i_ + 12));                               \
      wasm_v128_store(y + i_, r0_);                                                  \
      wasm_v128_store(y + i_ + 4, r1_);                                              \
      wasm_v128_store(y + i_ + 8, r2_);                                              \
      wasm_v128_store(y + i_ + 12, r3_);                                             \
    }                                                                                \
    for (; i_ + 4 <= n; i_ += 4) wasm_v128_store(y + i_, VOP(LOADA(i_), LOADB(i_)));  \
    if (i_ < n) v_store_part(y + i_, VOP(PARTA(i_, n - i_), PARTB(i_, n - i_)), n - i_); \
  } while (0)

#define BINARY_SWITCH(LOADA, LOADB, PARTA, PARTB)                          \
  switch (op) {                                                            \
    case KERNEL_ADD: BINARY_LOOP(v_add, LOADA, LOADB, PARTA, PARTB); break; \
    case KERNEL_SUB: BINARY_LOOP(v_sub, LOADA, LOADB, PARTA, PARTB); break; \
    case KERNEL_MUL: BINARY_LOOP(v_mul, LOADA, LOADB, PARTA, PARTB); break; \
    case KERNEL_DIV: BINARY_LOOP(v_div, LOADA, LOADB, PARTA, PARTB); break; \
    case KERNEL_MAX: BINARY_LOOP(v_max, LOADA, LOADB, PARTA, PARTB); break; \
    case KERNEL_MIN: BINARY_LOOP(v_min, LOADA, LOADB, PARTA, PARTB); break; \
  }

#define LOAD_A(i) wasm_v128_load(a + (i))
#define LOAD_B(i) wasm_v128_load(b + (i))
#define PART_A(i, r) v_load_part(a + (i), (r), 1.0f)
#define PART_B(i, r) v_load_part(b + (i), (r), 1.0f)
#define SPLAT_S(i) sv
#define PART_S(i, r) sv

void binary_f32(kernel_binary op, size_t n, const float *a, const float *b, float *y) {
  BINARY_SWITCH(LOAD_A, LOAD_B, PART_A, PART_B)
}

void binary_f32_scalar_right(kernel_binary op, size_t n, const float *a, float s, float *y) {
  const v128_t sv = wasm_f32x4_splat(s);
  BINARY_SWITCH(LOAD_A, SPLAT_S, PART_A, PART_S)
}

void binary_f32_scalar_left(kernel_binary op, size_t n, float s, const float *b, float *y) {
  const v128_t sv = wasm_f32x4_splat(s);
  BINARY_SWITCH(SPLAT_S, LOAD_B, PART_S, PART_B)
}

/* Scalar reference: the same semantics written out per element. */
static float binary1(kernel_binary op, float a, float b) {
  switch (op) {
    case KERNEL_ADD: return a + b;
    case KERNEL_SUB: return a - b;
    case KERNEL_MUL: return a * b;
    case KERNEL_DIV: return a / b;
    case KERNEL_MAX:
    case KERNEL_MIN:
      if (isnan(a) || isnan(b)) return NAN;
      if (a == b) { /* equal values; for a pair of zeros the sign follows -0 < +0 */
        int neg = op == KERNEL_MAX ? (signbit(a) && signbit(b)) : (signbit(a) || signbit(b));
        return a == 0.0f ? (neg ? -0.0f : 0.0f) : a;
      }
      return (op == KERNEL_MAX) == (a > b) ? a : b;
  }
  return NAN;
}

void binary_f32_ref(kernel_binary op, size_t n, const float *a, const float *b, float *y) {
  for (size_t i = 0; i < n; i++) y[i] = binary1(op, a[i], b[i]);
}

/* ---- bias + activation -------------------------------------------------------------------------- */

#define BIAS_ACT_LOOP(VACT)                                                          \
  for (size_t r_ = 0; r_ < rows; r_++) {                                             \
    float *yr_ = y + r_ * ldy;                                                       \
    size_t j_ = 0;                                                                   \
    if (bias) {                                                                      \
      for (; j_ + 4 <= n; j_ += 4)                                                   \
        wasm_v128_store(yr_ + j_, VACT(wasm_f32x4_add(wasm_v128_load(yr_ + j_),      \
                                                      wasm_v128_load(bias + j_))));  \
      if (j_ < n)                                                                    \
        v_store_part(yr_ + j_, VACT(wasm_f32x4_add(v_load_part(yr_ + j_, n - j_, 0.0f), \
                                                   v_load_part(bias + j_, n - j_, 0.0f))), \
                     n - j_);                                                        \
    } else {                                                                         \
      for (; j_ + 4 <= n; j_ += 4)                                                   \
        wasm_v128_store(yr_ + j_, VACT(wasm_v128_load(yr_ + j_)));                   \
      if (j_ < n) v_store_part(yr_ + j_, VACT(v_load_part(yr_ + j_, n - j_, 0.0f)), n - j_); \
    }                                                                                \
  }

static inline v128_t v_identity(v128_t x) { return x; }

void bias_act_f32(size_t rows, size_t n, float *y, size_t ldy, const float *bias,
                  kernel_activation act) {
  if (act == KERNEL_ACT_NONE && !bias) return;
  switch (act) {
    case KERNEL_ACT_RELU: BIAS_ACT_LOOP(v_relu) break;
    case KERNEL_ACT_GELU_ERF: BIAS_ACT_LOOP(v_gelu_erf) break;
    case KERNEL_ACT_GELU_TANH: BIAS_ACT_LOOP(v_gelu_tanh) break;
    case KERNEL_ACT_SILU: BIAS_ACT_LOOP(v_silu) break;
    default: BIAS_ACT_LOOP(v_identity) break;
  }
}

/* Reference: float add (as the kernel, one IEEE rounding), then unary_f32_ref's activation. */
void bias_act_f32_ref(size_t rows, size_t n, float *y, size_t ldy, const float *bias,
                      kernel_activation act) {
  kernel_unary op = KERNEL_NEG;
  switch (act) {
    case KERNEL_ACT_RELU: op = KERNEL_RELU; break;
    case KERNEL_ACT_GELU_ERF: op = KERNEL_GELU_ERF; break;
    case KERNEL_ACT_GELU_TANH: op = KERNEL_GELU_TANH; break;
    case KERNEL_ACT_SILU: op = KERNEL_SILU; break;
    default: break;
  }
  for (size_t r = 0; r < rows; r++) {
    float *yr = y + r * ldy;
    for (size_t j = 0; j < n; j++) {
      float v = bias ? yr[j] + bias[j] : yr[j];
      if (act != KERNEL_ACT_NONE) unary_f32_ref(op, 1, &v, &v);
      yr[j] = v;
    }
  }
}
