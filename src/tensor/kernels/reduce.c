/* Per-row reductions into out[rows]: sum, max, argmax.
 *
 * sum: pairwise (vmath.h v_sum): |error| <= k 2^-24 / (1 - k 2^-24) * sum|x_i| with
 *      k = 21 + ceil(log2(n / 256)) (k = 21 up to n = 256, 33 at n = 2^20); the order of the
 *      additions depends on n only, so the result is reproducible and equal on every build.
 *      NaN or inf - inf give NaN; an overflowing sum gives +-inf.
 * max: NaN if the row holds a NaN (np.max), otherwise the largest value; with wasm's ordering
 *      of zeros (+0 above -0), a row whose maximum is zero returns +0 if it holds a +0.
 * argmax: the index of the first maximum, or of the first NaN if there is one (np.argmax). Two
 *      passes: the vector max above, then a vector search for the first element equal to it
 *      (or the first NaN); -0 and +0 compare equal, so the first zero of either sign wins when
 *      the maximum is zero, as in NumPy.
 * n = 0 (an empty row): sum 0, max -inf, argmax -1 (NumPy refuses; these are the identities).
 */
#include <math.h>

#include "kernels.h"
#include "simd.h"
#include "vmath.h"

void reduce_sum_f32(size_t rows, size_t n, const float *x, size_t ldx, float *out) {
  for (size_t r = 0; r < rows; r++) out[r] = n ? v_sum(x + r * ldx, n) : 0.0f;
}

void reduce_max_f32(size_t rows, size_t n, const float *x, size_t ldx, float *out) {
  for (size_t r = 0; r < rows; r++) out[r] = n ? v_row_max(x + r * ldx, n) : -INFINITY;
}

static int64_t first_lane(v128_t mask) { /* mask has at least one lane set */
  uint32_t bits = (uint32_t)wasm_i32x4_bitmask(mask);
  int64_t k = 0;
  while (!(bits & 1u)) {
    bits >>= 1;
    k++;
  }
  return k;
}

void reduce_argmax_f32(size_t rows, size_t n, const float *x, size_t ldx, int64_t *out) {
  for (size_t r = 0; r < rows; r++) {
    const float *xr = x + r * ldx;
    out[r] = -1;
    if (n == 0) continue;
    const float m = v_row_max(xr, n);
    const int find_nan = m != m;
    const v128_t mv = wasm_f32x4_splat(m);
    /* The maximum is one of the row's elements, so the search stops at a real element before
     * reaching the padded lanes of the last partial vector. Sixteen at a time until a block has
     * a hit, then vector by vector. */
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
      v128_t h0, h1, h2, h3;
      if (find_nan) {
        v128_t a = wasm_v128_load(xr + i), b = wasm_v128_load(xr + i + 4);
        v128_t c = wasm_v128_load(xr + i + 8), d = wasm_v128_load(xr + i + 12);
        h0 = wasm_f32x4_ne(a, a), h1 = wasm_f32x4_ne(b, b), h2 = wasm_f32x4_ne(c, c), h3 = wasm_f32x4_ne(d, d);
      } else {
        h0 = wasm_f32x4_eq(wasm_v128_load(xr + i), mv), h1 = wasm_f32x4_eq(wasm_v128_load(xr + i + 4), mv);
        h2 = wasm_f32x4_eq(wasm_v128_load(xr + i + 8), mv), h3 = wasm_f32x4_eq(wasm_v128_load(xr + i + 12), mv);
      }
      if (wasm_v128_any_true(wasm_v128_or(wasm_v128_or(h0, h1), wasm_v128_or(h2, h3)))) break;
    }
    for (; i < n; i += 4) {
      v128_t v = i + 4 <= n ? wasm_v128_load(xr + i) : v_load_part(xr + i, n - i, 0.0f);
      v128_t hit = find_nan ? wasm_f32x4_ne(v, v) : wasm_f32x4_eq(v, mv);
      if (wasm_v128_any_true(hit)) {
        out[r] = (int64_t)i + first_lane(hit);
        break;
      }
    }
  }
}

/* ---- references: straightforward loops (the sum in double, rounded once) ---------------------- */

void reduce_sum_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, float *out) {
  for (size_t r = 0; r < rows; r++) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += x[r * ldx + i];
    out[r] = (float)s;
  }
}

void reduce_max_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, float *out) {
  for (size_t r = 0; r < rows; r++) {
    float m = -INFINITY;
    for (size_t i = 0; i < n; i++) {
      float v = x[r * ldx + i];
      if (isnan(v)) {
        m = NAN;
        break;
      }
      if (v > m || (v == 0.0f && m == 0.0f && !signbit(v))) m = v;
    }
    out[r] = m;
  }
}

void reduce_argmax_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, int64_t *out) {
  for (size_t r = 0; r < rows; r++) {
    int64_t best = n ? 0 : -1;
    for (size_t i = 0; i < n; i++) {
      float v = x[r * ldx + i];
      if (isnan(v)) {
        best = (int64_t)i;
        break;
      }
      if (v > x[r * ldx + (size_t)best]) best = (int64_t)i;
    }
    out[r] = best;
  }
}
