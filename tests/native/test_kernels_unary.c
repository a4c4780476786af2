/* Unary kernels (unary.c, vmath.h) against float64 math and against their scalar reference.
 *
 * Error unit: ulp = the spacing of floats at the true (float64) result, 2^(e-23) for a result in
 * [2^e, 2^(e+1)); results below FLT_MIN are measured in units of the smallest subnormal 2^-149.
 * Tolerances (per op, in ulp; why: unary.c / vmath.h, where the exhaustive measurements over all
 * 2^32 inputs are recorded; the sweep below is a sample of them, so it must stay within):
 *   exp 1, log 1, tanh 2, erf 2 (and 1.2e-7 absolute), sigmoid 2.5, silu 3.5,
 *   gelu_erf 3 for x >= 0 and 6 + x^2 below (the float rounding of x^2/2 in exp's argument),
 *   gelu_tanh 3 for x >= 0 and 3 + 3|v| below, v = x (1.5958 + 0.07135 x^2) (the rounding of v,
 *   amplified by the sigmoid's slope in the tail),
 *   neg, abs, relu, sqrt: exact.
 * silu and gelu also get |x| 2^-150 absolute: where g(x) in x g(x) is subnormal its half-unit
 * rounding is multiplied by |x|. The SIMD results must also keep every special value of the
 * reference exactly: NaN where it is NaN, the same infinities, the same signed zeros.
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

static const char *const NAMES[] = {"neg",     "exp",      "log",       "sqrt", "tanh", "erf",
                                    "sigmoid", "gelu_erf", "gelu_tanh", "silu", "relu", "abs"};
#define NUM_OPS 12


static double logistic(double x) {
  if (x >= 0) return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}

/* The float64 value of each op (written independently of unary_ref.c). */
static double truth(kernel_unary op, float xf) {
  double x = xf;
  switch (op) {
    case KERNEL_NEG: return -x;
    case KERNEL_EXP: return exp(x);
    case KERNEL_LOG: return log(x);
    case KERNEL_SQRT: return sqrt(x);
    case KERNEL_TANH: return tanh(x);
    case KERNEL_ERF: return erf(x);
    case KERNEL_SIGMOID: return logistic(x);
    case KERNEL_GELU_ERF: return isinf(x) && x < 0 ? -0.0 : 0.5 * x * erfc(-x / sqrt(2.0));
    case KERNEL_GELU_TANH: {
      if (isinf(x) && x < 0) return -0.0;
      double v = sqrt(2.0 / 3.14159265358979323846) * (x + 0.044715 * x * x * x);
      return x * logistic(2.0 * v); /* = x (1 + tanh v) / 2 */
    }
    case KERNEL_SILU: return isinf(x) && x < 0 ? -0.0 : x * logistic(x);
    case KERNEL_RELU: return isnan(x) ? x : (x > 0 ? x : 0.0);
    case KERNEL_ABS: return fabs(x);
  }
  return NAN;
}

/* Allowed error in ulp of the true result (see the header comment). */
static double tol_ulps(kernel_unary op, float x) {
  switch (op) {
    case KERNEL_EXP: return 1.0;
    case KERNEL_LOG: return 1.0;
    case KERNEL_TANH: return 2.0;
    case KERNEL_ERF: return 2.0;
    case KERNEL_SIGMOID: return 2.5;
    case KERNEL_SILU: return act_tol_ulps(KERNEL_ACT_SILU, x);
    case KERNEL_GELU_ERF: return act_tol_ulps(KERNEL_ACT_GELU_ERF, x);
    case KERNEL_GELU_TANH: return act_tol_ulps(KERNEL_ACT_GELU_TANH, x);
    default: return 0.0;
  }
}


/* Error of y against the true value t, in ulp; 0 when both are the same special value, a huge
 * number when the special values differ (NaN vs number, different infinities or zero signs). */
static double error_ulps(kernel_unary op, float x, float y, double t) {
  if (isnan(t) || isnan(y)) return isnan(t) && isnan(y) ? 0.0 : INFINITY;
  if (fabs(t) > FLT_MAX) { /* the float result must overflow to the same infinity... */
    if (isinf(y)) return (y > 0) == (t > 0) ? 0.0 : INFINITY;
    /* ...unless t is within the rounding range of FLT_MAX */
    return fabs(t) < (double)FLT_MAX + ldexp(1.0, 103) ? fabs(y - t) / ldexp(1.0, 104) : INFINITY;
  }
  if (isinf(y)) return INFINITY;
  if (t == 0.0 && y == 0.0) return !signbit(t) == !signbit(y) ? 0.0 : INFINITY;
  double e = fabs((double)y - t);
  if (op == KERNEL_SILU || op == KERNEL_GELU_ERF || op == KERNEL_GELU_TANH) {
    e -= fabs((double)x) * ldexp(1.0, -150); /* the subnormal g(x) allowance */
    if (e < 0) e = 0;
  }
  return e / harness_ulp_at(t);
}

/* Compares unary_f32 with float64 math and with unary_f32_ref on n inputs; records the worst
 * error per op in worst[] (and its input in at[]). */
static double worst[NUM_OPS], worst_ratio[NUM_OPS];
/* FNV-1a of every non-NaN output bit pattern: printed, so that the native and the wasm run can be
 * compared (the kernels use no FMA and the same operation order, so the hashes must be equal). */
static uint64_t output_hash = 14695981039346656037ull;
static float worst_at[NUM_OPS];
static int failures_shown;

static void check_values(kernel_unary op, size_t n, const float *x, const char *what) {
  float *y = malloc(n * sizeof(float) + 1), *r = malloc(n * sizeof(float) + 1);
  unary_f32(op, n, x, y);
  unary_f32_ref(op, n, x, r);
  for (size_t i = 0; i < n; i++) {
    if (!isnan(y[i])) output_hash = (output_hash ^ harness_to_bits(y[i])) * 1099511628211ull;
    double t = truth(op, x[i]);
    double e = error_ulps(op, x[i], y[i], t);
    double tol = tol_ulps(op, x[i]);
    if (e > worst[op] && ((op != KERNEL_GELU_ERF && op != KERNEL_GELU_TANH) || x[i] >= 0.0f)) {
      worst[op] = e;
      worst_at[op] = x[i];
    }
    if (tol > 0.0 && e / tol > worst_ratio[op]) worst_ratio[op] = e / tol;
    /* exact ops: bit-equal to the reference (NaN: any NaN) */
    int ok = e == 0.0 || e <= tol;
    if (tol == 0.0) ok = isnan(r[i]) ? isnan(y[i]) : harness_to_bits(y[i]) == harness_to_bits(r[i]);
    /* the reference itself must be within half an ulp or so of the truth */
    double er = error_ulps(op, x[i], r[i], t);
    if (!ok || er > 0.5001) {
      harness_failures++;
      if (failures_shown++ < 30)
        fprintf(stderr, "FAILED %s %s: x = %.9g (0x%08x): simd %.9g, ref %.9g, float64 %.17g: "
                "%.2f ulp (tolerance %.2f), ref %.2f ulp\n", NAMES[op], what, x[i],
                (unsigned)harness_to_bits(x[i]), y[i], r[i], t, e, tol, er);
    }
  }
  harness_checks++;
  free(y);
  free(r);
}

/* Every STRIDE-th float bit pattern (NaNs included), in chunks. A prime stride reaches every
 * exponent with varied mantissas. */
static void sweep(uint32_t stride) {
  enum { CHUNK = 4093 }; /* odd, so the chunks end in partial vectors too */
  float *x = malloc(CHUNK * sizeof(float));
  for (int op = 0; op < NUM_OPS; op++) {
    uint64_t b = (uint64_t)op * 7u; /* each op its own offset: more patterns overall */
    while (b < (1ull << 32)) {
      size_t k = 0;
      for (; k < CHUNK && b < (1ull << 32); b += stride) x[k++] = harness_from_bits((uint32_t)b);
      check_values((kernel_unary)op, k, x, "sweep");
    }
  }
  free(x);
}

/* Dense sweeps where the approximations change branch or the results change regime. */
static void dense(void) {
  static const struct { kernel_unary op; float lo, hi; } ranges[] = {
    {KERNEL_EXP, -104.5f, -86.0f},   {KERNEL_EXP, -1.0f, 1.0f},        {KERNEL_EXP, 87.0f, 89.5f},
    {KERNEL_LOG, 0.5f, 2.0f},        {KERNEL_TANH, -1.0f, 1.0f},       {KERNEL_TANH, 8.5f, 9.5f},
    {KERNEL_ERF, 0.7f, 1.0f},        {KERNEL_ERF, -4.5f, -3.5f},       {KERNEL_SIGMOID, -105.0f, -85.0f},
    {KERNEL_SIGMOID, -20.0f, 20.0f}, {KERNEL_GELU_ERF, -14.0f, 6.0f},  {KERNEL_GELU_TANH, -12.0f, 6.0f},
    {KERNEL_SILU, -105.0f, -80.0f},  {KERNEL_SILU, -10.0f, 10.0f},
  };
  enum { N = 20011 };
  float *x = malloc(N * sizeof(float));
  for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; k++) {
    for (size_t i = 0; i < N; i++) x[i] = ranges[k].lo + (ranges[k].hi - ranges[k].lo) * (float)i / (N - 1);
    check_values(ranges[k].op, N, x, "dense");
  }
  free(x);
}

/* Edge values for every op, then exact expectations where C (or our definitions) fix them. */
static void edges(void) {
  const float E[] = {0.0f, -0.0f, harness_from_bits(1), harness_from_bits(0x80000001u), harness_from_bits(0x007fffffu),
                     -harness_from_bits(0x007fffffu), FLT_MIN, -FLT_MIN, FLT_MAX, -FLT_MAX, INFINITY,
                     -INFINITY, NAN, -NAN, harness_from_bits(0x7fa00000u), 1.0f, -1.0f, 0.5f, -0.5f,
                     88.72283f, 88.722839f, 88.7228394f, nextafterf(88.7228394f, 100.0f), 89.0f,
                     -87.33654f, -87.336548f, -103.2789f, -103.972076f, -103.97208f, -104.0f,
                     -150.0f, 0.625f, nextafterf(0.625f, 0.0f), -0.625f, 0.84375f,
                     nextafterf(0.84375f, 0.0f), -0.84375f, 3.92f, 9.01f, 9.1f, 1e-20f, -1e-20f,
                     1e-7f, -1e-7f, 1e30f, -1e30f, 2.0f, 10.0f, -10.0f, 0.70710677f, 1.4142135f};
  const size_t n = sizeof E / sizeof E[0];
  for (int op = 0; op < NUM_OPS; op++) check_values((kernel_unary)op, n, E, "edge");

  struct { kernel_unary op; float x; float want; } exact[] = {
    {KERNEL_EXP, -INFINITY, 0.0f},      {KERNEL_EXP, INFINITY, INFINITY},
    {KERNEL_EXP, 0.0f, 1.0f},           {KERNEL_EXP, -0.0f, 1.0f},
    {KERNEL_EXP, 88.8f, INFINITY},      {KERNEL_EXP, -104.0f, 0.0f},
    {KERNEL_EXP, -1000.0f, 0.0f},       {KERNEL_EXP, 1000.0f, INFINITY},
    /* the underflow threshold: exp(-103.97207642) rounds up to 2^-149, the next float down to 0 */
    {KERNEL_EXP, harness_from_bits(0xC2CFF1B4u), harness_from_bits(1)}, {KERNEL_EXP, harness_from_bits(0xC2CFF1B5u), 0.0f},
    {KERNEL_LOG, 0.0f, -INFINITY},      {KERNEL_LOG, -0.0f, -INFINITY},
    {KERNEL_LOG, 1.0f, 0.0f},           {KERNEL_LOG, INFINITY, INFINITY},
    {KERNEL_SQRT, -0.0f, -0.0f},        {KERNEL_SQRT, INFINITY, INFINITY},
    {KERNEL_TANH, -0.0f, -0.0f},        {KERNEL_TANH, INFINITY, 1.0f},
    {KERNEL_TANH, -INFINITY, -1.0f},    {KERNEL_TANH, 9.1f, 1.0f},
    {KERNEL_TANH, -20.0f, -1.0f},       {KERNEL_ERF, -0.0f, -0.0f},
    {KERNEL_ERF, INFINITY, 1.0f},       {KERNEL_ERF, -INFINITY, -1.0f},
    {KERNEL_ERF, 4.0f, 1.0f},           {KERNEL_ERF, -1e30f, -1.0f},
    {KERNEL_SIGMOID, INFINITY, 1.0f},   {KERNEL_SIGMOID, -INFINITY, 0.0f},
    {KERNEL_SIGMOID, 0.0f, 0.5f},       {KERNEL_SIGMOID, -200.0f, 0.0f},
    {KERNEL_SILU, -INFINITY, -0.0f},    {KERNEL_SILU, INFINITY, INFINITY},
    {KERNEL_SILU, -0.0f, -0.0f},        {KERNEL_GELU_ERF, -INFINITY, -0.0f},
    {KERNEL_GELU_ERF, INFINITY, INFINITY}, {KERNEL_GELU_ERF, -0.0f, -0.0f},
    {KERNEL_GELU_TANH, -INFINITY, -0.0f}, {KERNEL_GELU_TANH, INFINITY, INFINITY},
    {KERNEL_GELU_TANH, 0.0f, 0.0f},     {KERNEL_RELU, -0.0f, 0.0f},
    {KERNEL_RELU, -INFINITY, 0.0f},     {KERNEL_RELU, INFINITY, INFINITY},
    {KERNEL_RELU, -1.0f, 0.0f},         {KERNEL_NEG, 0.0f, -0.0f},
    {KERNEL_ABS, -0.0f, 0.0f},          {KERNEL_ABS, -INFINITY, INFINITY},
  };
  for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
    float y;
    unary_f32(exact[i].op, 1, &exact[i].x, &y);
    CHECK(harness_to_bits(y) == harness_to_bits(exact[i].want), "%s(%g) = %g (0x%08x), want %g", NAMES[exact[i].op],
          exact[i].x, y, (unsigned)harness_to_bits(y), exact[i].want);
  }
  /* NaN in -> NaN out, for every op; neg/abs act on the sign bit only */
  for (int op = 0; op < NUM_OPS; op++) {
    float x[5] = {NAN, 1.0f, -NAN, harness_from_bits(0x7f800001u), 2.0f}, y[5];
    unary_f32((kernel_unary)op, 5, x, y);
    CHECK(isnan(y[0]) && isnan(y[2]) && isnan(y[3]), "%s: NaN must stay NaN", NAMES[op]);
  }
  float nx = harness_from_bits(0x7fc01234u), ny;
  unary_f32(KERNEL_NEG, 1, &nx, &ny);
  CHECK(harness_to_bits(ny) == 0xffc01234u, "neg flips the sign bit of NaN: 0x%08x", (unsigned)harness_to_bits(ny));
  unary_f32(KERNEL_ABS, 1, &ny, &nx);
  CHECK(harness_to_bits(nx) == 0x7fc01234u, "abs clears the sign bit of NaN: 0x%08x", (unsigned)harness_to_bits(nx));
}

/* Awkward lengths: tails, in place, and canaries around the output (wasm has no ASan). */
static void lengths(void) {
  static const size_t LENS[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 65, 127, 384, 1536};
  uint64_t seed = 12345;
  for (size_t li = 0; li < sizeof LENS / sizeof LENS[0]; li++) {
    size_t n = LENS[li];
    float *x = malloc((n ? n : 1) * sizeof(float));            /* exact size: ASan sees overreads */
    float *buf = malloc((n + 8) * sizeof(float));               /* y with 4 canaries on each side */
    float *ip = malloc((n ? n : 1) * sizeof(float));
    for (int op = 0; op < NUM_OPS; op++) {
      for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((double)(seed >> 11) / 9007199254740992.0 * 24.0 - 12.0);
        if (op == KERNEL_LOG || op == KERNEL_SQRT) x[i] = fabsf(x[i]) * 3.0f;
      }
      for (size_t i = 0; i < n + 8; i++) buf[i] = -7777.0f;
      unary_f32((kernel_unary)op, n, x, buf + 4);
      int canary = 1;
      for (size_t i = 0; i < 4; i++) canary &= buf[i] == -7777.0f && buf[n + 4 + i] == -7777.0f;
      CHECK(canary, "%s n = %zu wrote outside y", NAMES[op], n);
      if (n) check_values((kernel_unary)op, n, x, "length");
      /* in place gives the same bits as out of place */
      memcpy(ip, x, n * sizeof(float));
      unary_f32((kernel_unary)op, n, ip, ip);
      CHECK(n == 0 || memcmp(ip, buf + 4, n * sizeof(float)) == 0, "%s n = %zu in place differs",
            NAMES[op], n);
      /* every tail element equals the same value computed in a full vector */
      for (size_t i = n & ~(size_t)3; i < n; i++) {
        float four[4] = {x[i], x[i], x[i], x[i]}, out[4];
        unary_f32((kernel_unary)op, 4, four, out);
        CHECK(harness_to_bits(out[0]) == harness_to_bits(buf[4 + i]) || (isnan(out[0]) && isnan(buf[4 + i])),
              "%s n = %zu tail element %zu", NAMES[op], n, i);
      }
    }
    free(x);
    free(buf);
    free(ip);
  }
}

/* ---- NumPy golden cases ---------------------------------------------------------------------- */

static double jnum(const tetra_json *v) {
  if (v && v->type == TETRA_JSON_NUMBER) return v->u.number;
  if (v && v->type == TETRA_JSON_STRING) {
    if (strcmp(v->u.string, "inf") == 0) return INFINITY;
    if (strcmp(v->u.string, "-inf") == 0) return -INFINITY;
    return NAN;
  }
  CHECK(0, "golden: expected a number");
  return NAN;
}

/* x and y64 of one golden op: the kernel must be within its tolerance of NumPy's float64. */
static void golden_op(const tetra_json *xs, const tetra_json *obj, kernel_unary op) {
  const tetra_json *y64 = tetra_json_get(obj, "y64");
  CHECK(xs && y64 && xs->len == y64->len, "golden %s: malformed", NAMES[op]);
  if (!xs || !y64 || xs->len != y64->len) return;
  for (size_t i = 0; i < xs->len; i++) {
    float x = (float)jnum(tetra_json_at(xs, i)), y;
    double t = jnum(tetra_json_at(y64, i));
    unary_f32(op, 1, &x, &y);
    double e = error_ulps(op, x, y, t);
    CHECK(e <= tol_ulps(op, x), "golden %s(%.9g) = %.9g, NumPy float64 %.17g (%.2f ulp)", NAMES[op], x,
          y, t, e);
  }
}

static void golden(void) {
  tetra_json_doc *doc = harness_read_json("tests/golden/kernels/numpy_cases.json");
  if (!doc) return;
  const tetra_json *root = tetra_json_root(doc);
  const tetra_json *act = tetra_json_get(root, "activations");
  const tetra_json *xs = tetra_json_get(act, "x");
  golden_op(xs, tetra_json_get(act, "gelu_erf"), KERNEL_GELU_ERF);
  golden_op(xs, tetra_json_get(act, "gelu_tanh"), KERNEL_GELU_TANH);
  golden_op(xs, tetra_json_get(act, "silu"), KERNEL_SILU);
  golden_op(xs, tetra_json_get(act, "sigmoid"), KERNEL_SIGMOID);
  golden_op(xs, tetra_json_get(act, "erf"), KERNEL_ERF);
  golden_op(xs, tetra_json_get(act, "tanh"), KERNEL_TANH);
  const tetra_json *el = tetra_json_get(root, "exp_log");
  const tetra_json *e = tetra_json_get(el, "exp"), *l = tetra_json_get(el, "log");
  golden_op(tetra_json_get(e, "x"), e, KERNEL_EXP);
  golden_op(tetra_json_get(l, "x"), l, KERNEL_LOG);
  /* PyTorch's float32 gelu collapses to -0 below x = -5.5; ours keeps the tiny true value */
  const tetra_json *g = tetra_json_get(tetra_json_get(act, "gelu_erf"), "y32");
  for (size_t i = 0; xs && g && i < xs->len; i++) {
    float x = (float)jnum(tetra_json_at(xs, i)), y, y32 = (float)jnum(tetra_json_at(g, i));
    unary_f32(KERNEL_GELU_ERF, 1, &x, &y);
    CHECK(fabsf(y - y32) <= 1e-7f * fmaxf(1.0f, fabsf(x)), "gelu_erf(%g) = %.9g, NumPy float32 %.9g",
          x, y, y32);
  }
  tetra_json_free(doc);
}

int main(void) {
  edges();
  lengths();
  dense();
  sweep(4099); /* ~1.05 million bit patterns per op */
  golden();
  printf("  worst error in ulp (gelu: over x >= 0) and worst error / tolerance (all x):\n");
  for (int op = 0; op < NUM_OPS; op++)
    printf("  %-9s %.3f ulp at x = %.9g; %.3f of the tolerance\n", NAMES[op], worst[op],
           worst_at[op], worst_ratio[op]);
  printf("  hash of all outputs (equal in the native and wasm builds): %016llx\n",
         (unsigned long long)output_hash);
  return harness_finish("test_kernels_unary");
}
