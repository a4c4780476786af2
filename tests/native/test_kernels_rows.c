/* Row kernels (softmax, layernorm, rmsnorm, reductions), bias + activation and the binary ops,
 * against float64 math, their scalar references and NumPy-computed golden values.
 *
 * Every kernel runs over the awkward lengths (tails of every size, one vector, many blocks of the
 * pairwise sum), three rows with strides larger than n (the gaps must stay untouched), in place,
 * and with NaN/Inf inputs. Tolerances, with u = 2^-24 and k = 21 + ceil(log2(n / 256)) the
 * pairwise-sum depth of vmath.h (k = 21 for n <= 256):
 *   reduce_sum   |s - s64| <= (k + 1) u sum|x_i|              (the pairwise bound plus rounding)
 *   softmax      |y - y64| <= (4 + |d_i| + D + k/2) 2u y64     (d_i = x_i - max, D = max |d_i|:
 *                the rounding of d_i shifts exp by |d_i| u relatively; exp's ulp, the sum, the
 *                division)
 *   layernorm    |y - y64| <= u (|g| ((k/2 + 6) |xhat| + (k + 2) A) + |b| + |y64|), xhat the
 *                float64 normalised value, A = mean|x| / sqrt(var + eps) (what the float mean's
 *                error becomes after scaling; large only when |mean| >> std)
 *   rmsnorm      |y - y64| <= (k/2 + 5) u |y64|
 *   max, argmax, binary ops: exactly the reference (NaN: any NaN)
 *   bias_act     the unary tolerances of test_kernels_unary.c, plus half an ulp, against the
 *                reference (which is the float64 value rounded once)
 * plus an absolute 1e-37 where a float64 value is at the bottom of the float range.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernel_tolerance.h"
#include "tensor/kernels/kernels.h"
#include "tetra/core.h"

static const size_t LENS[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 63, 64, 65, 127, 256, 257, 384, 513, 1536};
#define NUM_LENS (sizeof LENS / sizeof LENS[0])
#define ROWS 3
#define SENTINEL -31337.0f
static const double U = 1.0 / 16777216.0; /* 2^-24 */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double uniform(void) { /* [0, 1) */
  rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}
static float normal(double mean, double sd) {
  double u1 = uniform(), u2 = uniform();
  return (float)(mean + sd * sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2));
}
static int same(float a, float b) { return isnan(a) ? isnan(b) : harness_to_bits(a) == harness_to_bits(b); }
static double depth(size_t n) {
  double k = 21;
  for (size_t m = 256; m < n; m *= 2) k++;
  return k;
}

/* A strided buffer of ROWS rows: row r at r * ld, gaps filled with SENTINEL. */
static float *rows_alloc(size_t n, size_t ld) {
  float *b = malloc((ld * (ROWS - 1) + n) * sizeof(float));
  for (size_t i = 0; i < ld * (ROWS - 1) + n; i++) b[i] = SENTINEL;
  return b;
}
static int gaps_intact(const float *b, size_t n, size_t ld) {
  for (size_t r = 0; r + 1 < ROWS; r++)
    for (size_t j = n; j < ld; j++)
      if (harness_to_bits(b[r * ld + j]) != harness_to_bits(SENTINEL)) return 0;
  return 1;
}

/* ---- softmax ----------------------------------------------------------------------------------- */

static double softmax_worst; /* in units of the tolerance */

static void check_softmax_row(const float *x, const float *y, size_t n, const char *what) {
  double m = -INFINITY, s = 0, D = 0;
  int nan = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i])) nan = 1;
    else if (x[i] > m) m = x[i];
  }
  if (nan || isinf(m)) { /* NaN, all -inf or +inf: all NaN */
    int all = 1;
    for (size_t i = 0; i < n; i++) all &= isnan(y[i]);
    CHECK(all, "softmax %s n = %zu: expected an all-NaN row", what, n);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    s += exp(x[i] - m);
    if (m - x[i] > D && isfinite(x[i])) D = m - x[i];
  }
  int bad = 0;
  for (size_t i = 0; i < n && bad < 3; i++) {
    double t = exp(x[i] - m) / s;
    double tol = (4 + (m - x[i]) + D + depth(n) / 2) * 2 * U * t + 1e-37;
    if (isinf(x[i])) tol = 0; /* -inf in a finite row: exactly 0 */
    double e = fabs(y[i] - t);
    if (tol > 0 && e / tol > softmax_worst) softmax_worst = e / tol;
    if (!(e <= tol)) {
      bad++;
      CHECK(0, "softmax %s n = %zu: y[%zu] = %.9g, float64 %.17g (error %.3g, tolerance %.3g)", what, n,
            i, y[i], t, e, tol);
    }
  }
}

static void test_softmax(void) {
  for (size_t li = 0; li < NUM_LENS; li++) {
    size_t n = LENS[li], ldx = n + 5, ldy = n + 3;
    float *x = rows_alloc(n, ldx), *y = rows_alloc(n, ldy), *r = rows_alloc(n, ldy);
    for (size_t row = 0; row < ROWS; row++)
      for (size_t i = 0; i < n; i++) x[row * ldx + i] = normal(0.0, row == 2 ? 20.0 : 3.0);
    softmax_f32(ROWS, n, x, ldx, y, ldy);
    softmax_f32_ref(ROWS, n, x, ldx, r, ldy);
    CHECK(gaps_intact(y, n, ldy), "softmax n = %zu wrote into a row gap", n);
    for (size_t row = 0; row < ROWS; row++) {
      check_softmax_row(x + row * ldx, y + row * ldy, n, "random");
      check_softmax_row(x + row * ldx, r + row * ldy, n, "reference");
    }
    /* in place: the same bits */
    float *ip = rows_alloc(n, ldx);
    memcpy(ip, x, (ldx * (ROWS - 1) + n) * sizeof(float));
    softmax_f32(ROWS, n, ip, ldx, ip, ldx);
    int eq = 1;
    for (size_t row = 0; row < ROWS; row++)
      for (size_t i = 0; i < n; i++) eq &= same(ip[row * ldx + i], y[row * ldy + i]);
    CHECK(eq, "softmax n = %zu in place differs", n);
    /* special rows: NaN (at the end, in the tail), all -inf, +inf, -inf entries */
    for (size_t row = 0; row < ROWS; row++)
      for (size_t i = 0; i < n; i++) x[row * ldx + i] = row == 1 ? -INFINITY : (float)(i % 5);
    x[n - 1] = NAN;
    if (n > 1) {
      x[2 * ldx + n / 2] = -INFINITY;
      x[2 * ldx] = -INFINITY;
    }
    softmax_f32(ROWS, n, x, ldx, y, ldy);
    for (size_t row = 0; row < ROWS; row++) check_softmax_row(x + row * ldx, y + row * ldy, n, "special");
    x[2 * ldx + n - 1] = INFINITY;
    softmax_f32(ROWS, n, x, ldx, y, ldy);
    check_softmax_row(x + 2 * ldx, y + 2 * ldy, n, "+inf");
    free(x);
    free(y);
    free(r);
    free(ip);
  }
  /* exact values */
  float one = 42.0f, y1, ties[9] = {2, 2, 2, 2, 2, 2, 2, 2, 2}, yt[9];
  softmax_f32(1, 1, &one, 1, &y1, 1);
  CHECK(y1 == 1.0f, "softmax of one element = %g", y1);
  softmax_f32(1, 9, ties, 9, yt, 9);
  for (int i = 0; i < 9; i++) CHECK(yt[i] == 1.0f / 9.0f, "softmax ties: %.9g", yt[i]);
  softmax_f32(1, 0, NULL, 0, NULL, 0); /* n = 0: nothing to do, nothing touched */
  /* terms below FLT_MIN are flushed to +0 (documented in softmax.c); normal ones are kept */
  float wide[6] = {0.0f, -87.0f, -87.4f, -95.0f, -103.9f, -200.0f}, yw[6];
  softmax_f32(1, 6, wide, 6, yw, 6);
  CHECK(yw[0] == 1.0f && yw[1] > 0.0f && yw[1] >= FLT_MIN, "softmax keeps exp(-87) = %g", yw[1]);
  for (int i = 2; i < 6; i++) CHECK(harness_to_bits(yw[i]) == 0, "softmax flushes exp(%g) to +0: %g", wide[i], yw[i]);
}

/* ---- layernorm / rmsnorm ----------------------------------------------------------------------- */

static double norm_worst;

static void check_layernorm_row(const float *x, const float *g, const float *b, float eps,
                                const float *y, size_t n, const char *what) {
  double mean = 0, var = 0, absmean = 0;
  for (size_t i = 0; i < n; i++) mean += x[i], absmean += fabs(x[i]);
  mean /= n;
  absmean /= n;
  for (size_t i = 0; i < n; i++) var += (x[i] - mean) * (x[i] - mean);
  var /= n;
  double rstd = 1 / sqrt(var + eps), k = depth(n);
  if (!isfinite(mean) || !isfinite(var)) {
    int all = 1;
    for (size_t i = 0; i < n; i++) all &= isnan(y[i]);
    CHECK(all, "layernorm %s n = %zu: expected an all-NaN row", what, n);
    return;
  }
  int bad = 0;
  for (size_t i = 0; i < n && bad < 3; i++) {
    double xhat = (x[i] - mean) * rstd, gi = g ? g[i] : 1, bi = b ? b[i] : 0;
    double t = xhat * gi + bi;
    double tol = U * (fabs(gi) * ((k / 2 + 6) * fabs(xhat) + (k + 2) * absmean * rstd) + fabs(bi) + fabs(t)) + 1e-37;
    double e = fabs(y[i] - t);
    if (e / tol > norm_worst) norm_worst = e / tol;
    if (!(e <= tol)) {
      bad++;
      CHECK(0, "layernorm %s n = %zu: y[%zu] = %.9g, float64 %.17g (error %.3g, tolerance %.3g)", what, n,
            i, y[i], t, e, tol);
    }
  }
}

static void check_rmsnorm_row(const float *x, const float *g, float eps, const float *y, size_t n) {
  double ss = 0;
  for (size_t i = 0; i < n; i++) ss += (double)x[i] * x[i];
  double s = 1 / sqrt(ss / n + eps);
  int bad = 0;
  for (size_t i = 0; i < n && bad < 3; i++) {
    double t = (g ? g[i] : 1) * (s * x[i]);
    double tol = (depth(n) / 2 + 5) * U * fabs(t) + 1e-37, e = fabs(y[i] - t);
    if (e / tol > norm_worst) norm_worst = e / tol;
    if (!(e <= tol)) {
      bad++;
      CHECK(0, "rmsnorm n = %zu: y[%zu] = %.9g, float64 %.17g (error %.3g, tolerance %.3g)", n, i, y[i], t,
            e, tol);
    }
  }
}

static void test_norms(void) {
  for (size_t li = 0; li < NUM_LENS; li++) {
    size_t n = LENS[li], ldx = n + 1, ldy = n + 6;
    float *x = rows_alloc(n, ldx), *y = rows_alloc(n, ldy), *r = rows_alloc(n, ldy), *ip = rows_alloc(n, ldx);
    float *g = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) g[i] = normal(1.0, 0.3), b[i] = normal(0.0, 0.5);
    for (size_t row = 0; row < ROWS; row++)
      for (size_t i = 0; i < n; i++)
        x[row * ldx + i] = row == 0 ? normal(0.3, 1.7) : row == 1 ? normal(-50.0, 4.0) : normal(1000.0, 0.5);
    for (int variant = 0; variant < 4; variant++) {
      const float *gg = variant & 1 ? g : NULL, *bb = variant & 2 ? b : NULL;
      float eps = variant == 3 ? 1e-12f : 1e-5f;
      layernorm_f32(ROWS, n, x, ldx, gg, bb, eps, y, ldy);
      layernorm_f32_ref(ROWS, n, x, ldx, gg, bb, eps, r, ldy);
      CHECK(gaps_intact(y, n, ldy), "layernorm n = %zu wrote into a row gap", n);
      for (size_t row = 0; row < ROWS; row++) {
        check_layernorm_row(x + row * ldx, gg, bb, eps, y + row * ldy, n, "kernel");
        check_layernorm_row(x + row * ldx, gg, bb, eps, r + row * ldy, n, "reference");
      }
      memcpy(ip, x, (ldx * (ROWS - 1) + n) * sizeof(float));
      layernorm_f32(ROWS, n, ip, ldx, gg, bb, eps, ip, ldx);
      int eq = 1;
      for (size_t row = 0; row < ROWS; row++)
        for (size_t i = 0; i < n; i++) eq &= same(ip[row * ldx + i], y[row * ldy + i]);
      CHECK(eq, "layernorm n = %zu in place differs", n);

      rmsnorm_f32(ROWS, n, x, ldx, gg, eps, y, ldy);
      rmsnorm_f32_ref(ROWS, n, x, ldx, gg, eps, r, ldy);
      CHECK(gaps_intact(y, n, ldy), "rmsnorm n = %zu wrote into a row gap", n);
      for (size_t row = 0; row < ROWS; row++) {
        check_rmsnorm_row(x + row * ldx, gg, eps, y + row * ldy, n);
        check_rmsnorm_row(x + row * ldx, gg, eps, r + row * ldy, n);
      }
      memcpy(ip, x, (ldx * (ROWS - 1) + n) * sizeof(float));
      rmsnorm_f32(ROWS, n, ip, ldx, gg, eps, ip, ldx);
      eq = 1;
      for (size_t row = 0; row < ROWS; row++)
        for (size_t i = 0; i < n; i++) eq &= same(ip[row * ldx + i], y[row * ldy + i]);
      CHECK(eq, "rmsnorm n = %zu in place differs", n);
    }
    /* a constant row normalises to beta (0 variance: (x - mean) is exactly 0 for this value) */
    for (size_t i = 0; i < n; i++) x[i] = 3.25f;
    layernorm_f32(1, n, x, ldx, g, b, 1e-5f, y, ldy);
    int eq = 1;
    for (size_t i = 0; i < n; i++) eq &= y[i] == b[i];
    CHECK(eq, "layernorm n = %zu: a constant row gives beta", n);
    /* NaN / inf make the row NaN */
    x[n - 1] = NAN;
    x[ldx + n / 2] = INFINITY;
    layernorm_f32(ROWS, n, x, ldx, g, b, 1e-5f, y, ldy);
    check_layernorm_row(x, g, b, 1e-5f, y, n, "NaN");
    check_layernorm_row(x + ldx, g, b, 1e-5f, y + ldy, n, "inf");
    rmsnorm_f32(1, n, x, ldx, g, 1e-5f, y, ldy);
    int all = 1;
    for (size_t i = 0; i < n; i++) all &= isnan(y[i]);
    CHECK(all, "rmsnorm n = %zu: a NaN makes the row NaN", n);
    free(x);
    free(y);
    free(r);
    free(ip);
    free(g);
    free(b);
  }
}

/* ---- reductions -------------------------------------------------------------------------------- */

static double sum_worst;

static void test_reduce(void) {
  for (size_t li = 0; li < NUM_LENS; li++) {
    size_t n = LENS[li], ldx = n + 2;
    float *x = rows_alloc(n, ldx), out[ROWS], ref[ROWS];
    int64_t am[ROWS], amr[ROWS];
    for (int trial = 0; trial < 6; trial++) {
      for (size_t row = 0; row < ROWS; row++)
        for (size_t i = 0; i < n; i++) {
          /* trials 0-1: continuous data; 2-5: small integers (many ties), NaN/inf/zeros mixed in */
          float v = trial < 2 ? normal(row * 10.0, 100.0) : (float)((int)(uniform() * 7) - 3);
          if (trial >= 3 && uniform() < 0.02) v = NAN;
          if (trial >= 4 && uniform() < 0.05) v = uniform() < 0.5 ? INFINITY : -INFINITY;
          if (trial == 5 && uniform() < 0.3) v = uniform() < 0.5 ? 0.0f : -0.0f;
          x[row * ldx + i] = v;
        }
      reduce_sum_f32(ROWS, n, x, ldx, out);
      for (size_t row = 0; row < ROWS; row++) {
        double s = 0, a = 0;
        for (size_t i = 0; i < n; i++) s += x[row * ldx + i], a += fabs(x[row * ldx + i]);
        double tol = (depth(n) + 1) * U * a, e = fabs(out[row] - s);
        if (isfinite(s) && tol > 0 && e / tol > sum_worst) sum_worst = e / tol;
        CHECK(isfinite(s) ? e <= tol : (isnan(s) ? isnan(out[row]) : out[row] == s),
              "reduce_sum n = %zu trial %d: %.9g, float64 %.17g", n, trial, out[row], s);
      }
      reduce_sum_f32_ref(ROWS, n, x, ldx, ref);
      for (size_t row = 0; row < ROWS; row++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) s += x[row * ldx + i];
        CHECK(same(ref[row], (float)s), "reduce_sum_ref n = %zu", n);
      }
      reduce_max_f32(ROWS, n, x, ldx, out);
      reduce_max_f32_ref(ROWS, n, x, ldx, ref);
      for (size_t row = 0; row < ROWS; row++)
        CHECK(same(out[row], ref[row]), "reduce_max n = %zu trial %d row %zu: %g, reference %g", n, trial,
              row, out[row], ref[row]);
      reduce_argmax_f32(ROWS, n, x, ldx, am);
      reduce_argmax_f32_ref(ROWS, n, x, ldx, amr);
      for (size_t row = 0; row < ROWS; row++)
        CHECK(am[row] == amr[row], "reduce_argmax n = %zu trial %d row %zu: %lld, reference %lld", n,
              trial, row, (long long)am[row], (long long)amr[row]);
    }
    /* the first maximum, placed in every position (every lane, the tail), ties after it */
    for (size_t p = 0; p < n; p++) {
      for (size_t i = 0; i < n; i++) x[i] = (float)(i % 3);
      x[p] = 5.0f;
      for (size_t i = p + 1; i < n; i += 2) x[i] = 5.0f;
      reduce_argmax_f32(1, n, x, ldx, am);
      CHECK(am[0] == (int64_t)p, "argmax n = %zu: first max at %zu, got %lld", n, p, (long long)am[0]);
      x[p] = NAN; /* and the first NaN wins over everything after it */
      if (p + 1 < n) x[n - 1] = NAN;
      reduce_argmax_f32(1, n, x, ldx, am);
      CHECK(am[0] == (int64_t)p, "argmax n = %zu: first NaN at %zu, got %lld", n, p, (long long)am[0]);
      reduce_max_f32(1, n, x, ldx, out);
      CHECK(isnan(out[0]), "reduce_max n = %zu: NaN at %zu must propagate", n, p);
    }
    free(x);
  }
  /* zeros: +0 is above -0 for max; argmax takes the first zero of either sign */
  float z1[3] = {-0.0f, 0.0f, -0.0f}, z2[1] = {-0.0f}, z3[2] = {0.0f, -0.0f}, m;
  int64_t a;
  reduce_max_f32(1, 3, z1, 3, &m);
  CHECK(harness_to_bits(m) == 0, "max(-0, +0, -0) = +0");
  reduce_max_f32(1, 1, z2, 1, &m);
  CHECK(harness_to_bits(m) == 0x80000000u, "max(-0) = -0");
  reduce_max_f32(1, 2, z3, 2, &m);
  CHECK(harness_to_bits(m) == 0, "max(+0, -0) = +0");
  reduce_argmax_f32(1, 3, z1, 3, &a);
  CHECK(a == 0, "argmax(-0, +0, -0) = 0 (NumPy), got %lld", (long long)a);
  float ni[2] = {-INFINITY, -INFINITY};
  reduce_max_f32(1, 2, ni, 2, &m);
  reduce_argmax_f32(1, 2, ni, 2, &a);
  CHECK(m == -INFINITY && a == 0, "all -inf: max -inf, argmax 0");
  /* empty rows: the identities */
  float s0 = 1, m0 = 1;
  int64_t a0 = 7;
  reduce_sum_f32(1, 0, ni, 0, &s0);
  reduce_max_f32(1, 0, ni, 0, &m0);
  reduce_argmax_f32(1, 0, ni, 0, &a0);
  CHECK(s0 == 0.0f && m0 == -INFINITY && a0 == -1, "empty rows: sum 0, max -inf, argmax -1");
  /* a long row: the pairwise bound at depth 30 */
  size_t big = 100003;
  float *x = malloc(big * sizeof(float)), s;
  double t = 0, abs_sum = 0;
  for (size_t i = 0; i < big; i++) x[i] = normal(1.0, 3.0), t += x[i], abs_sum += fabs(x[i]);
  reduce_sum_f32(1, big, x, big, &s);
  CHECK(fabs(s - t) <= (depth(big) + 1) * U * abs_sum, "sum of %zu: %.9g, float64 %.17g", big, s, t);
  printf("  reduce_sum: long row error %.3g = %.4f of the bound (a running float sum: ", fabs(s - t),
         fabs(s - t) / ((depth(big) + 1) * U * abs_sum));
  float run = 0;
  for (size_t i = 0; i < big; i++) run += x[i];
  printf("%.3g)\n", fabs(run - t));
  free(x);
}

/* ---- bias + activation ------------------------------------------------------------------------- */


static void test_bias_act(void) {
  static const char *const ACT[] = {"none", "relu", "gelu_erf", "gelu_tanh", "silu"};
  for (size_t li = 0; li < NUM_LENS; li++) {
    size_t n = LENS[li], ld = n + 2;
    float *y0 = rows_alloc(n, ld), *y = rows_alloc(n, ld), *r = rows_alloc(n, ld);
    float *bias = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) bias[i] = normal(0.0, 1.0);
    for (size_t row = 0; row < ROWS; row++)
      for (size_t i = 0; i < n; i++) y0[row * ld + i] = normal(0.0, 4.0);
    y0[n - 1] = NAN;
    if (n > 2) y0[ld + 1] = -INFINITY, y0[ld + 2] = INFINITY, y0[2 * ld] = -0.0f;
    for (int act = 0; act <= KERNEL_ACT_SILU; act++)
      for (int with_bias = 0; with_bias < 2; with_bias++) {
        size_t total = ld * (ROWS - 1) + n;
        memcpy(y, y0, total * sizeof(float));
        memcpy(r, y0, total * sizeof(float));
        bias_act_f32(ROWS, n, y, ld, with_bias ? bias : NULL, (kernel_activation)act);
        bias_act_f32_ref(ROWS, n, r, ld, with_bias ? bias : NULL, (kernel_activation)act);
        CHECK(gaps_intact(y, n, ld), "bias_act n = %zu wrote into a row gap", n);
        int bad = 0;
        for (size_t row = 0; row < ROWS && bad < 3; row++)
          for (size_t i = 0; i < n && bad < 3; i++) {
            float v = y0[row * ld + i] + (with_bias ? bias[i] : 0.0f);
            float a = y[row * ld + i], b = r[row * ld + i];
            double tol = act_tol_ulps((kernel_activation)act, v);
            int ok;
            if (tol == 0 || isnan(b) || isinf(b) || b == 0) ok = same(a, b);
            else ok = fabs((double)a - b) <= (tol + 0.5) * harness_ulp_at(b) + fabs(v) * ldexp(1.0, -150);
            if (!ok) {
              bad++;
              CHECK(0, "bias_act %s%s n = %zu [%zu][%zu]: in %.9g: %.9g, reference %.9g", ACT[act],
                    with_bias ? "+bias" : "", n, row, i, v, a, b);
            }
          }
      }
    free(y0);
    free(y);
    free(r);
    free(bias);
  }
}

/* ---- binary ------------------------------------------------------------------------------------ */

static void test_binary(void) {
  static const char *const OP[] = {"add", "sub", "mul", "div", "max", "min"};
  static const float SPECIAL[] = {NAN, INFINITY, -INFINITY, 0.0f, -0.0f, 1.0f, -1.0f, FLT_MAX, 1e-45f};
  for (size_t li = 0; li < NUM_LENS; li++) {
    size_t n = LENS[li];
    float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float)), *s = malloc(n * sizeof(float));
    float *buf = malloc((n + 8) * sizeof(float)), *r = malloc(n * sizeof(float)), *ip = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) {
      a[i] = uniform() < 0.2 ? SPECIAL[(size_t)(uniform() * 9)] : normal(0, 10);
      b[i] = uniform() < 0.2 ? SPECIAL[(size_t)(uniform() * 9)] : normal(0, 10);
      if (uniform() < 0.1) b[i] = a[i];
    }
    for (int op = 0; op <= KERNEL_MIN; op++) {
      for (size_t i = 0; i < n + 8; i++) buf[i] = SENTINEL;
      binary_f32((kernel_binary)op, n, a, b, buf + 4);
      binary_f32_ref((kernel_binary)op, n, a, b, r);
      int eq = 1, canary = 1;
      for (size_t i = 0; i < n; i++) eq &= same(buf[4 + i], r[i]);
      for (size_t i = 0; i < 4; i++) canary &= buf[i] == SENTINEL && buf[n + 4 + i] == SENTINEL;
      CHECK(eq, "binary %s n = %zu differs from the reference", OP[op], n);
      /* and from float64 math: a double result rounded to float is the correctly rounded float
       * result for + - * / (53 >= 2 * 24 + 2 bits, so the double rounding is harmless) */
      eq = 1;
      for (size_t i = 0; i < n && op <= KERNEL_DIV; i++) {
        double d = op == KERNEL_ADD ? (double)a[i] + b[i] : op == KERNEL_SUB ? (double)a[i] - b[i]
                 : op == KERNEL_MUL ? (double)a[i] * b[i] : (double)a[i] / b[i];
        eq &= same(buf[4 + i], (float)d);
      }
      CHECK(eq, "binary %s n = %zu differs from float64 math", OP[op], n);
      CHECK(canary, "binary %s n = %zu wrote outside y", OP[op], n);
      memcpy(ip, a, n * sizeof(float));
      binary_f32((kernel_binary)op, n, ip, b, ip);
      eq = 1;
      for (size_t i = 0; i < n; i++) eq &= same(ip[i], r[i]);
      CHECK(eq, "binary %s n = %zu in place (y = a) differs", OP[op], n);
      memcpy(ip, b, n * sizeof(float));
      binary_f32((kernel_binary)op, n, a, ip, ip);
      eq = 1;
      for (size_t i = 0; i < n; i++) eq &= same(ip[i], r[i]);
      CHECK(eq, "binary %s n = %zu in place (y = b) differs", OP[op], n);
      for (size_t k = 0; k < sizeof SPECIAL / sizeof SPECIAL[0] + 1; k++) {
        float sv = k < sizeof SPECIAL / sizeof SPECIAL[0] ? SPECIAL[k] : 2.5f;
        for (size_t i = 0; i < n; i++) s[i] = sv;
        binary_f32_scalar_right((kernel_binary)op, n, a, sv, buf + 4);
        binary_f32_ref((kernel_binary)op, n, a, s, r);
        eq = 1;
        for (size_t i = 0; i < n; i++) eq &= same(buf[4 + i], r[i]);
        CHECK(eq, "binary %s scalar_right(%g) n = %zu differs", OP[op], sv, n);
        binary_f32_scalar_left((kernel_binary)op, n, sv, b, buf + 4);
        binary_f32_ref((kernel_binary)op, n, s, b, r);
        eq = 1;
        for (size_t i = 0; i < n; i++) eq &= same(buf[4 + i], r[i]);
        CHECK(eq, "binary %s scalar_left(%g) n = %zu differs", OP[op], sv, n);
        canary = 1;
        for (size_t i = 0; i < 4; i++) canary &= buf[i] == SENTINEL && buf[n + 4 + i] == SENTINEL;
        CHECK(canary, "binary %s scalar n = %zu wrote outside y", OP[op], n);
      }
    }
    free(a);
    free(b);
    free(s);
    free(buf);
    free(r);
    free(ip);
  }
  /* max/min semantics spelled out: NaN from either side (np.maximum), -0 below +0 in either order.
   * Natively this checks SIMDe's emulation of f32x4.max/min plus our zero fix-up; in wasm the
   * instructions themselves. Eight lanes: both the vector loop and the tail. */
  float A[8] = {NAN, 1.0f, -0.0f, 0.0f, -0.0f, 0.0f, INFINITY, -INFINITY};
  float B[8] = {1.0f, NAN, 0.0f, -0.0f, -0.0f, 0.0f, NAN, 3.0f};
  uint32_t want_max[8] = {0x7fc00000u, 0x7fc00000u, 0, 0, 0x80000000u, 0, 0x7fc00000u, 0x40400000u};
  uint32_t want_min[8] = {0x7fc00000u, 0x7fc00000u, 0x80000000u, 0x80000000u, 0x80000000u, 0,
                          0x7fc00000u, 0xff800000u};
  for (size_t n = 1; n <= 8; n += 7) {
    float ymax[8], ymin[8];
    for (size_t off = 0; off + n <= 8; off++) {
      binary_f32(KERNEL_MAX, n, A + off, B + off, ymax);
      binary_f32(KERNEL_MIN, n, A + off, B + off, ymin);
      for (size_t i = 0; i < n; i++) {
        size_t j = off + i;
        int nan = want_max[j] == 0x7fc00000u;
        CHECK(nan ? isnan(ymax[i]) : harness_to_bits(ymax[i]) == want_max[j], "max(%g, %g) = %g (0x%08x)", A[j],
              B[j], ymax[i], (unsigned)harness_to_bits(ymax[i]));
        CHECK(nan ? isnan(ymin[i]) : harness_to_bits(ymin[i]) == want_min[j], "min(%g, %g) = %g (0x%08x)", A[j],
              B[j], ymin[i], (unsigned)harness_to_bits(ymin[i]));
      }
    }
  }
}

/* ---- NumPy golden cases ------------------------------------------------------------------------ */

static double jnum(const tetra_json *v) {
  if (v && v->type == TETRA_JSON_NUMBER) return v->u.number;
  if (v && v->type == TETRA_JSON_STRING) {
    if (strcmp(v->u.string, "inf") == 0) return INFINITY;
    if (strcmp(v->u.string, "-inf") == 0) return -INFINITY;
    if (strcmp(v->u.string, "nan") == 0) return NAN;
  }
  CHECK(0, "golden: expected a number or nan/inf/-inf");
  return NAN;
}
/* A float array of the case (NULL for JSON null); *n receives its length. */
static float *jfloats(const tetra_json *c, const char *key, size_t *n) {
  const tetra_json *a = tetra_json_get(c, key);
  if (!a || a->type != TETRA_JSON_ARRAY) return NULL;
  float *v = malloc((a->len ? a->len : 1) * sizeof(float));
  for (size_t i = 0; i < a->len; i++) v[i] = (float)jnum(tetra_json_at(a, i));
  if (n) *n = a->len;
  return v;
}
static const char *jname(const tetra_json *c) {
  const tetra_json *s = tetra_json_get(c, "name");
  return s && s->type == TETRA_JSON_STRING ? s->u.string : "?";
}

/* |ours - NumPy float32|, relative to max(|y64|, 1e-30): printed per kernel family. */
static double np32_diff[3];

static void golden(void) {
  tetra_json_doc *doc = harness_read_json("tests/golden/kernels/numpy_cases.json");
  if (!doc) return;
  const tetra_json *root = tetra_json_root(doc);
  static const char *const FAMILY[] = {"softmax", "layernorm", "rmsnorm"};
  size_t cases = 0;
  for (int f = 0; f < 3; f++) {
    const tetra_json *list = tetra_json_get(root, FAMILY[f]);
    CHECK(list && list->len > 0, "golden: no %s cases", FAMILY[f]);
    for (size_t c = 0; list && c < list->len; c++, cases++) {
      const tetra_json *cs = tetra_json_at(list, c);
      size_t n = 0, n64 = 0;
      float *x = jfloats(cs, "x", &n), *y32 = jfloats(cs, "y32", NULL);
      float *g = jfloats(cs, "gamma", NULL), *b = jfloats(cs, "beta", NULL);
      const tetra_json *y64 = tetra_json_get(cs, "y64");
      n64 = y64 ? y64->len : 0;
      CHECK(x && y32 && n64 == n, "golden %s %s: malformed", FAMILY[f], jname(cs));
      const tetra_json *eps_json = tetra_json_get(cs, "eps");
      float eps = eps_json ? (float)jnum(eps_json) : 0.0f;
      float *y = malloc((n ? n : 1) * sizeof(float));
      if (f == 0) softmax_f32(1, n, x, n, y, n);
      if (f == 1) layernorm_f32(1, n, x, n, g, b, eps, y, n);
      if (f == 2) rmsnorm_f32(1, n, x, n, g, eps, y, n);
      /* NaN where NumPy's float64 is NaN; record the distance to NumPy's float32 pipeline */
      for (size_t i = 0; i < n && i < n64; i++) {
        double t = jnum(tetra_json_at(y64, i));
        if (isnan(t)) {
          CHECK(isnan(y[i]), "golden %s %s: y[%zu] = %g, NumPy NaN", FAMILY[f], jname(cs), i, y[i]);
          continue;
        }
        double d = fabs(y[i] - y32[i]) / fmax(fabs(t), 1e-30);
        if (d > np32_diff[f]) np32_diff[f] = d;
      }
      if (f == 0) check_softmax_row(x, y, n, jname(cs));
      if (f == 1) check_layernorm_row(x, g, b, eps, y, n, jname(cs));
      if (f == 2) check_rmsnorm_row(x, g, eps, y, n);
      /* the tolerance checks above use this file's float64 math; NumPy's float64 must agree */
      if (f == 0 || f == 2) {
        int bad = 0;
        for (size_t i = 0; i < n && !bad; i++) {
          double t = jnum(tetra_json_at(y64, i));
          if (!isnan(t) && fabs(y[i] - t) > 1e-6 * fabs(t) + 1e-37) bad = 1;
        }
        CHECK(!bad, "golden %s %s: more than 1e-6 relative from NumPy float64", FAMILY[f], jname(cs));
      }
      free(x);
      free(y32);
      free(g);
      free(b);
      free(y);
    }
  }
  const tetra_json *red = tetra_json_get(root, "reduce");
  CHECK(red && red->len > 0, "golden: no reduce cases");
  for (size_t c = 0; red && c < red->len; c++, cases++) {
    const tetra_json *cs = tetra_json_at(red, c);
    size_t n = 0;
    float *x = jfloats(cs, "x", &n), m, s;
    int64_t a;
    reduce_argmax_f32(1, n, x, n, &a);
    reduce_max_f32(1, n, x, n, &m);
    reduce_sum_f32(1, n, x, n, &s);
    double want_a = jnum(tetra_json_get(cs, "argmax")), want_m = jnum(tetra_json_get(cs, "max"));
    double s64 = jnum(tetra_json_get(cs, "sum64")), abs_sum = 0;
    for (size_t i = 0; i < n; i++) abs_sum += fabs(x[i]);
    CHECK(a == (int64_t)want_a, "golden argmax %s: %lld, NumPy %g", jname(cs), (long long)a, want_a);
    CHECK(isnan(want_m) ? isnan(m) : m == (float)want_m, "golden max %s: %g, NumPy %g", jname(cs), m, want_m);
    CHECK(!isfinite(s64) ? same(s, (float)s64) : fabs(s - s64) <= (depth(n) + 1) * U * abs_sum,
          "golden sum %s: %.9g, NumPy float64 %.17g", jname(cs), s, s64);
    free(x);
  }
  printf("  golden: %zu NumPy cases; largest |tetra - NumPy float32| / |NumPy float64|: softmax %.2g, "
         "layernorm %.2g, rmsnorm %.2g\n", cases, np32_diff[0], np32_diff[1], np32_diff[2]);
  tetra_json_free(doc);
}

int main(void) {
  test_softmax();
  test_norms();
  test_reduce();
  test_bias_act();
  test_binary();
  golden();
  printf("  worst error / tolerance: softmax %.3f, layernorm+rmsnorm %.3f, reduce_sum %.3f\n",
         softmax_worst, norm_worst, sum_worst);
  return harness_finish("test_kernels_rows");
}
