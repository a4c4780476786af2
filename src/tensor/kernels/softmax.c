/* Row softmax: y = exp(x - max) / sum exp(x - max), three passes over each row.
 *
 *  1. m = max of the row (vmath.h v_row_max: NaN wins).
 *  2. y = exp(x - m) (vmath.h v_exp_nonpos_flush: v_exp_flush's result for x <= 0, <= 1 ulp),
 *     written to y. Terms below FLT_MIN (x - m < -87.34) are flushed to 0, so that no lane ever
 *     takes x86's slow subnormal path (3x slower per lane; masked attention entries are -inf or
 *     -1e4): such outputs would be below 1.2e-38 anyway (the sum is >= 1), and 0 is within
 *     1.2e-38 of them.
 *  3. s = pairwise sum of y (vmath.h v_sum; error <= k 2^-24 s with k = 21 + ceil(log2(n/256))),
 *     then y /= s (a true division: one rounding, instead of the two of y * (1/s)).
 * Subtracting the maximum keeps every exp argument <= 0, so nothing overflows and the largest
 * term is exactly 1 (s >= 1). The float rounding of x - m costs a relative error up to
 * |x - m| 2^-24 in that term's exp, inherent to a float input (PyTorch's float kernel has it too).
 * Error per output (tests/native/test_kernels_rows.c checks it against float64):
 *     |y - y64| <= (4 + |x_i - m| + D + k/2) 2^-23 y64 + 1e-37,   D = max_i |x_i - m| over the row
 * (the exp of term i, the sum's terms and its additions, and the division).
 *
 * Special values, as NumPy's exp(x - max) / sum gives them: a row containing NaN is all NaN; a
 * row of all -inf is all NaN (-inf - -inf); a row containing +inf is all NaN (inf - inf makes the
 * sum NaN); -inf elements of an otherwise finite row give exactly 0. x may equal y (row by row:
 * each pass reads x[i] before writing y[i]); other overlaps are not supported. n = 0 does nothing.
 */
#include <math.h>

#include "kernels.h"
#include "simd.h"
#include "vmath.h"

/* exp(x[k] - m) for 16 floats into y[k], as four vectors a..d (returned for the sums): four
 * independent exp chains in flight, which is what keeps the latency-bound exp busy (vmath.h). */
static inline void exp16(const float *x, float *y, v128_t m, v128_t *a, v128_t *b, v128_t *c,
                         v128_t *d) {
  *a = v_exp_nonpos_flush(wasm_f32x4_sub(wasm_v128_load(x), m));
  *b = v_exp_nonpos_flush(wasm_f32x4_sub(wasm_v128_load(x + 4), m));
  *c = v_exp_nonpos_flush(wasm_f32x4_sub(wasm_v128_load(x + 8), m));
  *d = v_exp_nonpos_flush(wasm_f32x4_sub(wasm_v128_load(x + 12), m));
  wasm_v128_store(y, *a);
  wasm_v128_store(y + 4, *b);
  wasm_v128_store(y + 8, *c);
  wasm_v128_store(y + 12, *d);
}

void softmax_f32(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy) {
  if (n == 0) return;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * ldx;
    float *yr = y + r * ldy;
    const v128_t m = wasm_f32x4_splat(v_row_max(xr, n));
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
      v128_t a, b, c, d;
      exp16(xr + i, yr + i, m, &a, &b, &c, &d);
    }
    for (; i + 4 <= n; i += 4) wasm_v128_store(yr + i, v_exp_nonpos_flush(wasm_f32x4_sub(wasm_v128_load(xr + i), m)));
    if (i < n) v_store_part(yr + i, v_exp_nonpos_flush(wasm_f32x4_sub(v_load_part(xr + i, n - i, 0.0f), m)), n - i);
    const v128_t s = wasm_f32x4_splat(v_sum(yr, n));
    for (i = 0; i + 4 <= n; i += 4) wasm_v128_store(yr + i, wasm_f32x4_div(wasm_v128_load(yr + i), s));
    if (i < n) v_store_part(yr + i, wasm_f32x4_div(v_load_part(yr + i, n - i, 1.0f), s), n - i);
  }
}

/* The references' row maximum: NaN as soon as one element is NaN. */
static double row_max_ref(const float *x, size_t n) {
  double m = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i]) || isnan(m)) m = NAN;
    else if (x[i] > m) m = x[i];
  }
  return m;
}

/* Reference: the same three steps in double (libm exp), rounded to float at the end. */
void softmax_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy) {
  if (n == 0) return;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * ldx;
    float *yr = y + r * ldy;
    double m = row_max_ref(xr, n);
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += exp((double)xr[i] - m);
    for (size_t i = 0; i < n; i++) yr[i] = (float)(exp((double)xr[i] - m) / s);
  }
}

/* The unnormalized half of a softmax, for attention: y = exp(x - max) (flushed as above) and
 * sums[r] = the row's sum, in one pass after the max, so a caller can divide later, once per
 * output row of P V instead of once per score. The sum is taken in eight lanes in sequence
 * (two vector accumulators), then the lanes pairwise: every term of a row of n passes through at
 * most n / 8 + 3 rounded additions (n <= 512 keys: 67, 4e-6 relative), good enough for
 * attention (PyTorch's tolerance there is 1e-4 absolute) though not softmax_f32's bound. */
void softmax_exp_f32(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy,
                     float *sums) {
  if (n == 0) return;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * ldx;
    float *yr = y + r * ldy;
    const v128_t m = wasm_f32x4_splat(v_row_max(xr, n));
    v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0;
    size_t i = 0;
    /* summed in the order of two 8-wide steps, as the 8-wide loop below does */
    for (; i + 16 <= n; i += 16) {
      v128_t a, b, c, d;
      exp16(xr + i, yr + i, m, &a, &b, &c, &d);
      s0 = wasm_f32x4_add(s0, a);
      s1 = wasm_f32x4_add(s1, b);
      s0 = wasm_f32x4_add(s0, c);
      s1 = wasm_f32x4_add(s1, d);
    }
    for (; i + 8 <= n; i += 8) {
      v128_t a = v_exp_nonpos_flush(wasm_f32x4_sub(wasm_v128_load(xr + i), m));
      v128_t b = v_exp_nonpos_flush(wasm_f32x4_sub(wasm_v128_load(xr + i + 4), m));
      wasm_v128_store(yr + i, a);
      wasm_v128_store(yr + i + 4, b);
      s0 = wasm_f32x4_add(s0, a);
      s1 = wasm_f32x4_add(s1, b);
    }
    for (; i + 4 <= n; i += 4) {
      v128_t a = v_exp_nonpos_flush(wasm_f32x4_sub(wasm_v128_load(xr + i), m));
      wasm_v128_store(yr + i, a);
      s0 = wasm_f32x4_add(s0, a);
    }
    if (i < n) { /* pad with -inf: exp gives +0, which adds nothing */
      v128_t a = v_exp_nonpos_flush(wasm_f32x4_sub(v_load_part(xr + i, n - i, -INFINITY), m));
      v_store_part(yr + i, a, n - i);
      s1 = wasm_f32x4_add(s1, a);
    }
    sums[r] = v_hsum(wasm_f32x4_add(s0, s1));
  }
}

void softmax_exp_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy,
                         float *sums) {
  if (n == 0) return;
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * ldx;
    float *yr = y + r * ldy;
    double m = row_max_ref(xr, n);
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
      yr[i] = (float)exp((double)xr[i] - m);
      s += exp((double)xr[i] - m);
    }
    sums[r] = (float)s;
  }
}
