/* The encoder-only kernels of attention and the feed-forward block, against float64 math:
 *   softmax_exp_f32    y = exp(x - max) and the row sums, over awkward lengths, strides wider
 *                      than n (the gaps stay untouched), in place, and -inf entries (masked keys):
 *                      |y - y64| <= (2 + |x - max|) 2^-23 y64 + 1e-37, and the sum within
 *                      (n / 8 + 4) 2^-24 of sum y64 (eight lanes in sequence, then a tree), and
 *                      equal to the sum of the returned y within the same bound;
 *                      softmax_exp_f32_ref within the same bounds.
 *   gelu_erf_fast_f32  |y - gelu(x)| <= 1e-6 |x| (+1e-37) over [-12, 12] densely, large values,
 *                      tails of every length; gelu(+inf) = +inf, gelu(-inf) = -0, NaN -> NaN. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "tensor/kernels/kernels.h"

static const size_t LENS[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 127, 128, 129, 384, 512};
#define NUM_LENS (sizeof LENS / sizeof LENS[0])
#define ROWS 3
#define PAD 5
#define SENTINEL -31337.0f
static const double U = 1.0 / 16777216.0;

static uint64_t rng_state = 0x243F6A8885A308D3ull;
static double uniform(void) {
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void check_softmax_exp(const float *x, size_t n, size_t ld, const float *y, const float *sums,
                              const char *what) {
  for (size_t r = 0; r < ROWS; r++) {
    const float *xr = x + r * ld, *yr = y + r * ld;
    double m = -INFINITY, s64 = 0.0, sy = 0.0;
    for (size_t i = 0; i < n; i++) m = xr[i] > m ? xr[i] : m;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
      double e = exp((double)xr[i] - m);
      s64 += e;
      sy += yr[i];
      /* masked (-inf) entries: exactly 0 */
      double tol = e == 0.0 ? 0.0 : (2.0 + fabs((double)xr[i] - m)) * 2.0 * U * e + 1e-37;
      if (!(fabs(yr[i] - e) <= tol) && ok) {
        CHECK(0, "%s n=%zu row %zu [%zu]: %.9g, want %.9g", what, n, r, i, (double)yr[i], e);
        ok = 0;
      }
    }
    double tol_s = ((double)n / 8.0 + 4.0) * U * s64 + 2.0 * (2.0 + 30.0) * U * s64;
    CHECK(fabs(sums[r] - s64) <= tol_s, "%s n=%zu row %zu: sum %.9g, want %.9g", what, n, r,
          (double)sums[r], s64);
    CHECK(fabs(sums[r] - sy) <= ((double)n / 8.0 + 4.0) * U * sy, "%s n=%zu row %zu: sum %.9g, "
          "sum of y %.9g", what, n, r, (double)sums[r], sy);
    for (size_t i = n; r + 1 < ROWS && i < ld; i++)
      CHECK(yr[i] == SENTINEL, "%s n=%zu row %zu: gap [%zu] written", what, n, r, i);
  }
}

static void test_softmax_exp(void) {
  static float x[ROWS * (512 + PAD)], y[ROWS * (512 + PAD)], y2[ROWS * (512 + PAD)];
  for (size_t li = 0; li < NUM_LENS; li++) {
    const size_t n = LENS[li], ld = n + PAD;
    for (int masked = 0; masked < 2; masked++) {
      for (size_t i = 0; i < ROWS * ld; i++) {
        x[i] = (float)(uniform() * 24.0 - 12.0); /* scores as attention has them */
        if (masked && i % ld != 0 && uniform() < 0.3) x[i] = -INFINITY;
        y[i] = y2[i] = SENTINEL;
      }
      float sums[ROWS], sums2[ROWS];
      softmax_exp_f32(ROWS, n, x, ld, y, ld, sums);
      check_softmax_exp(x, n, ld, y, sums, masked ? "softmax_exp (masked)" : "softmax_exp");
      softmax_exp_f32_ref(ROWS, n, x, ld, y2, ld, sums2);
      check_softmax_exp(x, n, ld, y2, sums2, "softmax_exp_ref");
      /* in place */
      memcpy(y2, x, sizeof(float) * ROWS * ld);
      softmax_exp_f32(ROWS, n, y2, ld, y2, ld, sums2);
      for (size_t r = 0; r < ROWS; r++) {
        CHECK(sums2[r] == sums[r], "softmax_exp in place n=%zu row %zu: sum differs", n, r);
        CHECK(memcmp(y2 + r * ld, y + r * ld, n * sizeof(float)) == 0,
              "softmax_exp in place n=%zu row %zu: values differ", n, r);
      }
    }
  }
  /* a NaN makes its row's sum NaN */
  float xn[4] = {0.0f, NAN, 1.0f, 2.0f}, yn[4], sn;
  softmax_exp_f32(1, 4, xn, 4, yn, 4, &sn);
  CHECK(isnan(sn), "softmax_exp with NaN: sum %g, want NaN", (double)sn);
}

static double gelu64(double x) { return 0.5 * x * erfc(-x / sqrt(2.0)); }

static void test_gelu_fast(void) {
  static float x[240001], y[240001];
  size_t n = 0;
  for (int i = -120000; i <= 120000; i++) x[n++] = (float)i * 1e-4f;
  gelu_erf_fast_f32(n, x, y);
  double worst = 0.0;
  for (size_t i = 0; i < n; i++) {
    double e = fabs(y[i] - gelu64(x[i]));
    double tol = 1e-6 * fabs(x[i]) + 1e-37;
    if (e / tol > worst) worst = e / tol;
  }
  CHECK(worst <= 1.0, "gelu_erf_fast: worst error / tolerance %.3f over [-12, 12]", worst);
  printf("  gelu_erf_fast worst error / (1e-6 |x|): %.3f\n", worst);
  /* tails of every length, large values, specials */
  float big[9] = {1e3f, -1e3f, 3e38f, -3e38f, INFINITY, -INFINITY, NAN, -0.0f, 0.0f}, out[9];
  for (size_t len = 1; len <= 9; len++) {
    for (size_t i = 0; i < 9; i++) out[i] = SENTINEL;
    gelu_erf_fast_f32(len, big, out);
    for (size_t i = len; i < 9; i++) CHECK(out[i] == SENTINEL, "gelu_erf_fast len %zu wrote [%zu]", len, i);
  }
  CHECK(out[0] == 1e3f && out[2] == 3e38f && out[4] == INFINITY, "gelu_erf_fast large positive: %g %g %g",
        (double)out[0], (double)out[2], (double)out[4]);
  CHECK(out[1] == 0.0f && out[3] == 0.0f && out[5] == 0.0f && signbit(out[5]),
        "gelu_erf_fast large negative: %g %g %g", (double)out[1], (double)out[3], (double)out[5]);
  CHECK(isnan(out[6]) && out[7] == 0.0f && out[8] == 0.0f, "gelu_erf_fast NaN/zeros: %g %g %g",
        (double)out[6], (double)out[7], (double)out[8]);
}

int main(void) {
  test_softmax_exp();
  test_gelu_fast();
  return harness_finish("test_kernels_attention");
}
