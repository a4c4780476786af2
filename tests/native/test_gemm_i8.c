/* int8 GEMM (src/tensor/kernels/gemm_i8.c):
 *   - the SIMD integer kernel (gemm_i8_accumulate) exactly equal to the scalar reference
 *     (gemm_i8_ref_i32) over awkward shapes, both weight layouts, strides wider than the rows,
 *     extreme values, and K past the int32 bound (where both wrap alike);
 *   - gemm_i8's float path exact on integer-valued operands (scales 1), so the widened-activation
 *     path that gemm_i8 runs is checked bit for bit too;
 *   - quantization: SIMD = scalar reference bit for bit, round half to even, |dequant - x| <=
 *     scale / 2, zero / subnormal / huge / NaN / Inf rows and weight columns;
 *   - gemm_i8 against float64 references (of the dequantized operands: tight; of the original
 *     operands: a stated, derived bound), with every fused activation;
 *   - nothing outside M x N is written (guard values between rows, exact-size allocations so
 *     that ASan catches any access past the end), nothing is read past A's rows.
 * Sizes stay small enough for ASan + UBSan at -O0 and for the wasm run under Node. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tensor/kernels/kernels.h"

#define GUARD_I32 ((int32_t)0x7EADBEEF)
#define GUARD_F32 (-12345.678f)

static uint32_t rng_state = 12345u;
static uint32_t rnd(void) { /* xorshift32 */
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}
static int rnd_int(int lo, int hi) { return lo + (int)(rnd() % (uint32_t)(hi - lo + 1)); }
static double rnd_unit(void) { return (rnd() >> 8) * (1.0 / 16777216.0); }
static float rnd_normal(void) { /* Box-Muller */
  double u = rnd_unit() + 1e-9, v = rnd_unit();
  return (float)(sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v));
}

/* Exact-size allocation: ASan reports any access past the end. */
static void *xmalloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}
/* Bytes of a row-major matrix of `rows` rows of `width` used elements at stride ld. */
static size_t span(size_t rows, size_t width, size_t ld) {
  return rows ? (rows - 1) * ld + width : 0;
}

/* Weights as floats with integer values in [-127, 127] and a +-127 in every column (or row, for
 * N x K), so that every channel's scale is exactly 1 and the packed integers equal the floats.
 * Also returns them as int8 K x N for the reference. */
static float *integer_weights(size_t K, size_t N, int trans_b, size_t ldb, int8_t *qb, int lo,
                              int hi) {
  float *B = xmalloc(span(trans_b ? N : K, trans_b ? K : N, ldb) * sizeof(float));
  /* gaps between rows hold 999, which pack_b must never read (it would change the scale) */
  for (size_t i = 0; i < span(trans_b ? N : K, trans_b ? K : N, ldb); i++) B[i] = 999.0f;
  for (size_t n = 0; n < N; n++) {
    size_t kmax = (size_t)rnd() % K;
    for (size_t k = 0; k < K; k++) {
      int v = k == kmax ? (rnd() & 1 ? 127 : -127) : rnd_int(lo, hi);
      qb[k * N + n] = (int8_t)v;
      if (trans_b) B[n * ldb + k] = (float)v;
      else B[k * ldb + n] = (float)v;
    }
  }
  return B;
}

static int8_t *pack(size_t K, size_t N, const float *B, size_t ldb, int trans_b, float **scales) {
  int8_t *packed = xmalloc(gemm_i8_packed_size(K, N));
  *scales = xmalloc(N * sizeof(float));
  gemm_i8_pack_b(K, N, B, ldb, trans_b, packed, *scales);
  return packed;
}

/* ---- the integer kernel, exactly ------------------------------------------------------------- */

static int check_accumulate(size_t M, size_t N, size_t K, int trans_b, size_t pad) {
  const size_t lda = K + pad, ldb = (trans_b ? K : N) + pad, ldc = N + pad;
  int8_t *qb = xmalloc(K * N);
  float *B = integer_weights(K, N, trans_b, ldb, qb, -127, 127);
  float *scales;
  int8_t *packed = pack(K, N, B, ldb, trans_b, &scales);
  int ok = 1;
  for (size_t n = 0; n < N; n++) ok &= scales[n] == 1.0f;
  CHECK(ok, "M=%zu N=%zu K=%zu trans=%d: integer weights get scale 1", M, N, K, trans_b);

  int8_t *qa = xmalloc(span(M, K, lda));
  for (size_t i = 0; i < span(M, K, lda); i++) qa[i] = (int8_t)rnd_int(-128, 127); /* gaps too */
  int32_t *ref = xmalloc(M * N * sizeof(int32_t));
  gemm_i8_ref_i32(M, N, K, qa, lda, qb, N, ref, N);
  const size_t csize = span(M, N, ldc);
  int32_t *C = xmalloc(csize * sizeof(int32_t));
  for (size_t i = 0; i < csize; i++) C[i] = GUARD_I32;
  gemm_i8_accumulate(M, N, K, qa, lda, packed, C, ldc);
  size_t bad = 0, guard = 0;
  for (size_t m = 0; m < M; m++) {
    for (size_t n = 0; n < N; n++) bad += C[m * ldc + n] != ref[m * N + n];
    if (m + 1 < M)
      for (size_t n = N; n < ldc; n++) guard += C[m * ldc + n] != GUARD_I32;
  }
  CHECK(bad == 0, "accumulate M=%zu N=%zu K=%zu trans=%d pad=%zu: %zu of %zu differ", M, N, K,
        trans_b, pad, bad, M * N);
  CHECK(guard == 0, "accumulate M=%zu N=%zu K=%zu: wrote %zu guard values", M, N, K, guard);
  ok &= bad == 0 && guard == 0;

  /* gemm_i8 on the same integers as floats: every row gets a +-127, so its scale is 1 too, and
   * C = float(acc) * 1 * 1 exactly (no bias: nothing added). qa's -128s are clamped away. */
  float *A = xmalloc(span(M, K, lda) * sizeof(float));
  for (size_t m = 0; m < M; m++) {
    size_t kmax = (size_t)rnd() % K;
    for (size_t k = 0; k < K; k++) {
      int8_t v = qa[m * lda + k] == -128 ? -127 : qa[m * lda + k];
      if (k == kmax) v = rnd() & 1 ? 127 : -127;
      qa[m * lda + k] = v;
      A[m * lda + k] = (float)v;
    }
    for (size_t k = K; k < lda && m + 1 < M; k++) A[m * lda + k] = NAN; /* gaps: never read */
  }
  gemm_i8_ref_i32(M, N, K, qa, lda, qb, N, ref, N);
  float *Cf = xmalloc(csize * sizeof(float));
  for (size_t i = 0; i < csize; i++) Cf[i] = GUARD_F32;
  void *ws = xmalloc(gemm_i8_workspace_size(M, K));
  gemm_i8(M, N, K, A, lda, packed, scales, NULL, KERNEL_ACT_NONE, Cf, ldc, ws);
  bad = guard = 0;
  for (size_t m = 0; m < M; m++) {
    for (size_t n = 0; n < N; n++) bad += Cf[m * ldc + n] != (float)ref[m * N + n];
    if (m + 1 < M)
      for (size_t n = N; n < ldc; n++) guard += Cf[m * ldc + n] != GUARD_F32;
  }
  CHECK(bad == 0, "gemm_i8 on integers M=%zu N=%zu K=%zu trans=%d pad=%zu: %zu differ", M, N, K,
        trans_b, pad, bad);
  CHECK(guard == 0, "gemm_i8 M=%zu N=%zu K=%zu: wrote %zu guard values", M, N, K, guard);
  ok &= bad == 0 && guard == 0;

  free(qb), free(B), free(scales), free(packed), free(qa), free(ref), free(C), free(A), free(Cf);
  free(ws);
  return ok;
}

static void test_shapes(void) {
  /* Every tile shape and edge: M = 1..9 (4x8, 3x8, 2x16, 1x24 ... tiles), N = 1..26 (panel
   * edges of 1..7 columns and 1..3 panels per tile), K around pairs and the widening chunk. */
  static const size_t Ks[] = {1, 2, 3, 7, 8, 17};
  size_t failed = 0, total = 0;
  for (size_t M = 1; M <= 9; M++)
    for (size_t N = 1; N <= 26; N++)
      for (size_t i = 0; i < sizeof Ks / sizeof *Ks; i++, total++)
        failed += !check_accumulate(M, N, Ks[i], (int)((M + N + i) % 2), (M + N) % 3);
  CHECK(failed == 0, "small shapes: %zu of %zu failed", failed, total);

  /* The awkward sizes, capped for ASan: every (M, N, K) from the list with
   * M * N * K <= 3e6, both layouts, strides with and without padding. K = 1536 crosses the
   * accumulate path's 512-k widening chunks; 1025 leaves an odd last chunk. */
  static const size_t dims[] = {1, 3, 7, 17, 63, 65, 127, 384, 1536};
  const size_t nd = sizeof dims / sizeof *dims;
  failed = total = 0;
  for (size_t a = 0; a < nd; a++)
    for (size_t b = 0; b < nd; b++)
      for (size_t c = 0; c < nd; c++) {
        const size_t M = dims[a], N = dims[b], K = dims[c];
        if (M * N * K > 3000000) continue;
        total++;
        failed += !check_accumulate(M, N, K, (int)((a + b + c) % 2), (a + c) % 2 ? 5 : 0);
      }
  total++;
  failed += !check_accumulate(5, 19, 1025, 1, 3);
  CHECK(failed == 0, "listed shapes: %zu of %zu failed", failed, total);
}

/* Extreme values: products of -128 x -127 and 127 x 127 in both lanes of every dot (the int16
 * pair sums reach 32,512 and 32,385, formed in 32 bits), and sums up to the documented K bound,
 * which must be exact, and past it, where kernel and reference wrap alike. */
static void check_extreme(size_t M, size_t N, size_t K, int a_val, int w_val, int alternate) {
  int8_t *qb = xmalloc(K * N);
  float *B = xmalloc(K * N * sizeof(float));
  for (size_t k = 0; k < K; k++)
    for (size_t n = 0; n < N; n++) {
      int v = alternate && (k % 2) ? -w_val : w_val;
      qb[k * N + n] = (int8_t)v;
      B[k * N + n] = (float)v;
    }
  float *scales;
  int8_t *packed = pack(K, N, B, N, 0, &scales);
  int8_t *qa = xmalloc(M * K);
  for (size_t m = 0; m < M; m++)
    for (size_t k = 0; k < K; k++) /* the alternate of -128 is 127 */
      qa[m * K + k] = (int8_t)(alternate && (k % 2) ? -a_val - (a_val < 0) : a_val);
  int32_t *ref = xmalloc(M * N * sizeof(int32_t)), *C = xmalloc(M * N * sizeof(int32_t));
  gemm_i8_ref_i32(M, N, K, qa, K, qb, N, ref, N);
  gemm_i8_accumulate(M, N, K, qa, K, packed, C, N);
  size_t bad = 0;
  for (size_t i = 0; i < M * N; i++) bad += C[i] != ref[i];
  CHECK(bad == 0, "extreme a=%d w=%d alt=%d K=%zu: %zu differ (C[0] %d, ref %d)", a_val, w_val,
        alternate, K, bad, C[0], ref[0]);
  if (K <= GEMM_I8_MAX_K && !alternate) {
    const int64_t exact = (int64_t)a_val * w_val * (int64_t)K;
    CHECK(ref[0] == exact && C[0] == exact, "K=%zu within the bound: %d, expected %lld", K, C[0],
          (long long)exact);
  }
  free(qb), free(B), free(scales), free(packed), free(qa), free(ref), free(C);
}

static void test_extremes(void) {
  check_extreme(5, 11, 1536, 127, 127, 0);
  check_extreme(5, 11, 1536, -127, -127, 0);
  check_extreme(5, 11, 1536, -128, -127, 0);
  check_extreme(5, 11, 1536, -128, 127, 0);
  check_extreme(6, 9, 1537, 127, 127, 1);   /* pairs (127*127) + (-127*-127) */
  check_extreme(6, 9, 1537, -128, -127, 1); /* pairs (-128*-127) + (127*127) */
  /* The bound itself: 128 * 127 * 132,104 = 2,147,474,816 <= 2^31 - 1, exact. */
  check_extreme(1, 3, GEMM_I8_MAX_K, -128, -127, 0);
  CHECK(128.0 * 127.0 * GEMM_I8_MAX_K <= 2147483647.0 &&
            128.0 * 127.0 * (GEMM_I8_MAX_K + 1) > 2147483647.0,
        "GEMM_I8_MAX_K is the largest safe K");
  /* Past it: 127 * 127 * 140,000 overflows int32; kernel and reference wrap modulo 2^32. */
  check_extreme(1, 3, 140000, 127, 127, 0);
}

/* ---- quantization ---------------------------------------------------------------------------- */

static int same_float(float a, float b) {
  return memcmp(&a, &b, sizeof a) == 0 || (a != a && b != b);
}

/* quantize_rows_i8 against the scalar reference (bit for bit) and the stated properties. */
static void check_quantize_rows(size_t M, size_t K, const float *A, size_t lda, const char *what) {
  const size_t ldq = K + 3;
  int8_t *q = xmalloc(span(M, K, ldq)), *qr = xmalloc(span(M, K, ldq));
  float *s = xmalloc(M * sizeof(float)), *sr = xmalloc(M * sizeof(float));
  memset(q, 0x5A, span(M, K, ldq));
  memset(qr, 0x5A, span(M, K, ldq));
  quantize_rows_i8(M, K, A, lda, q, ldq, s);
  quantize_rows_i8_ref(M, K, A, lda, qr, ldq, sr);
  CHECK(memcmp(q, qr, span(M, K, ldq)) == 0, "%s K=%zu: SIMD q differs from the reference", what,
        K);
  for (size_t m = 0; m < M; m++) {
    CHECK(same_float(s[m], sr[m]), "%s K=%zu row %zu: scale %g vs reference %g", what, K, m,
          (double)s[m], (double)sr[m]);
    for (size_t k = K; k < ldq && m + 1 < M; k++)
      CHECK(q[m * ldq + k] == 0x5A, "%s: wrote past K in row %zu", what, m);
    const float *a = A + m * lda;
    const int8_t *qm = q + m * ldq;
    int finite = 1;
    double amax = 0;
    for (size_t k = 0; k < K; k++) {
      finite &= isfinite(a[k]) != 0;
      if (fabs(a[k]) > amax) amax = fabs(a[k]);
    }
    int allzero = 1;
    for (size_t k = 0; k < K; k++) allzero &= qm[k] == 0;
    if (!finite) {
      CHECK(isnan(s[m]) && allzero, "%s row %zu: non-finite row gives scale NaN, q = 0", what, m);
      continue;
    }
    if (amax < FLT_MIN) {
      CHECK(s[m] == 0.0f && allzero, "%s row %zu: max %g gives scale 0, q = 0", what, m, amax);
      continue;
    }
    CHECK(s[m] == (float)amax / 127.0f, "%s row %zu: scale = max / 127", what, m);
    /* |q s - a| <= s / 2, up to the rounding of a / s in float (half an ulp of at most 127.5,
     * i.e. s * 2^-18); q in [-127, 127] and the largest |a| maps to +-127. */
    int in_bound = 1, hit = 0;
    for (size_t k = 0; k < K; k++) {
      double err = fabs((double)qm[k] * s[m] - a[k]);
      in_bound &= err <= s[m] * (0.5 + 0x1p-18) && qm[k] != -128;
      if (fabs(a[k]) == amax) hit |= qm[k] == 127 || qm[k] == -127;
    }
    CHECK(in_bound, "%s row %zu: |dequant - x| <= scale / 2", what, m);
    CHECK(hit, "%s row %zu: the largest element maps to +-127", what, m);
  }
  free(q), free(qr), free(s), free(sr);
}

static void test_quantize(void) {
  for (size_t K = 1; K <= 40; K++) {
    const size_t M = 6, lda = K + 2;
    float *A = xmalloc(span(M, K, lda) * sizeof(float));
    for (size_t i = 0; i < span(M, K, lda); i++) A[i] = rnd_normal() * 3.0f;
    for (size_t k = 0; k < K; k++) {
      A[1 * lda + k] = 0.0f;                              /* zero row */
      A[2 * lda + k] = k == K / 2 ? 1e30f : 1.0f;         /* one huge value */
      A[3 * lda + k] = 1e-40f * (float)(k % 3);           /* subnormals only */
      A[4 * lda + k] = k == K - 1 ? -FLT_MAX : rnd_normal(); /* the largest finite value */
    }
    A[5 * lda + (K * 7 / 3) % K] = (K % 3 == 0) ? NAN : (K % 3 == 1 ? INFINITY : -INFINITY);
    check_quantize_rows(M, K, A, lda, "mixed rows");
    free(A);
  }
  /* NaN / Inf at every position of a row (SIMD body and scalar tail). */
  for (size_t pos = 0; pos < 19; pos++) {
    float A[19];
    for (size_t k = 0; k < 19; k++) A[k] = (float)k - 9.0f;
    A[pos] = pos % 2 ? NAN : -INFINITY;
    check_quantize_rows(1, 19, A, 19, "non-finite");
  }
  /* Ties round half to even, in the SIMD body (k < 16) and the tail (k >= 16). Scale 1. */
  static const float ties[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 126.5f, -126.5f};
  static const int8_t even[] = {0, 2, 2, 0, -2, -2, 126, -126};
  float A[20];
  int8_t q[20];
  float s;
  for (size_t k = 0; k < 20; k++) A[k] = ties[k % 8];
  A[19] = 127.0f;
  quantize_rows_i8(1, 20, A, 20, q, 20, &s);
  CHECK(s == 1.0f, "tie row scale %g", (double)s);
  for (size_t k = 0; k < 19; k++)
    CHECK(q[k] == even[k % 8], "tie %g at k=%zu gave %d, half-to-even %d", (double)A[k], k, q[k],
          even[k % 8]);
  /* K = 0 and M = 0 write nothing (and accept NULL buffers). */
  quantize_rows_i8(0, 5, NULL, 5, NULL, 5, NULL);
  float s0 = GUARD_F32;
  quantize_rows_i8(1, 0, A, 0, NULL, 0, &s0);
  CHECK(s0 == 0.0f, "K = 0: scale 0");
}

/* Packed weights hold the reference quantization of each column, whichever layout B came in:
 * read back through the kernel with identity activations (row k of I picks k of every column). */
static void test_pack(void) {
  static const size_t shapes[][2] = {{1, 1}, {3, 9}, {17, 8}, {40, 23}, {65, 17}};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    const size_t K = shapes[s][0], N = shapes[s][1];
    float *Bkn = xmalloc(K * N * sizeof(float)), *Bnk = xmalloc(N * (K + 1) * sizeof(float));
    for (size_t k = 0; k < K; k++)
      for (size_t n = 0; n < N; n++) {
        float v = rnd_normal() * (float)(1 + n % 5);
        if (n % 7 == 3) v = 0.0f;                                   /* zero column */
        if (n % 7 == 5 && k == K / 2) v = n % 2 ? NAN : INFINITY;   /* non-finite column */
        if (n % 7 == 6) v = (k == 0 ? 3e38f : 1.0f);                /* huge column */
        Bkn[k * N + n] = v;
        Bnk[n * (K + 1) + k] = v;
      }
    float *s0, *s1;
    int8_t *p0 = pack(K, N, Bkn, N, 0, &s0), *p1 = pack(K, N, Bnk, K + 1, 1, &s1);
    CHECK(memcmp(p0, p1, gemm_i8_packed_size(K, N)) == 0, "K=%zu N=%zu: layouts pack alike", K, N);
    int8_t *I = xmalloc(K * K);
    for (size_t i = 0; i < K * K; i++) I[i] = (int8_t)(i % (K + 1) == 0);
    int32_t *Q = xmalloc(K * N * sizeof(int32_t));
    gemm_i8_accumulate(K, N, K, I, K, p0, Q, N);
    for (size_t n = 0; n < N; n++) {
      float amax = 0.0f;
      int finite = 1;
      for (size_t k = 0; k < K; k++) {
        finite &= isfinite(Bkn[k * N + n]) != 0;
        if (fabsf(Bkn[k * N + n]) > amax) amax = fabsf(Bkn[k * N + n]);
      }
      const float scale = !finite ? NAN : amax < FLT_MIN ? 0.0f : amax / 127.0f;
      CHECK(same_float(s0[n], scale) && same_float(s1[n], scale), "K=%zu N=%zu col %zu scale %g",
            K, N, n, (double)s0[n]);
      size_t bad = 0;
      for (size_t k = 0; k < K; k++) {
        float r = scale > 0.0f ? nearbyintf(Bkn[k * N + n] / scale) : 0.0f;
        r = r > 127.0f ? 127.0f : r < -127.0f ? -127.0f : r;
        bad += Q[k * N + n] != (int32_t)r;
      }
      CHECK(bad == 0, "K=%zu N=%zu col %zu: %zu packed values differ", K, N, n, bad);
    }
    free(Bkn), free(Bnk), free(s0), free(s1), free(p0), free(p1), free(I), free(Q);
  }
}

/* ---- the float GEMM against float64 ---------------------------------------------------------- */

static double act64(kernel_activation act, double x) {
  switch (act) {
    case KERNEL_ACT_RELU: return x > 0 ? x : 0;
    case KERNEL_ACT_GELU_ERF: return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    case KERNEL_ACT_GELU_TANH:
      return 0.5 * x * (1 + tanh(sqrt(2.0 / 3.141592653589793) * (x + 0.044715 * x * x * x)));
    case KERNEL_ACT_SILU: return x / (1 + exp(-x));
    default: return x;
  }
}

static void check_float(size_t M, size_t N, size_t K, int trans_b, kernel_activation act,
                        int with_bias, double *worst_rel) {
  const size_t lda = K + 1, ldb = (trans_b ? K : N) + 2, ldc = N + 3;
  float *A = xmalloc(span(M, K, lda) * sizeof(float));
  float *B = xmalloc(span(trans_b ? N : K, trans_b ? K : N, ldb) * sizeof(float));
  float *bias = xmalloc(N * sizeof(float));
  for (size_t i = 0; i < span(M, K, lda); i++) A[i] = rnd_normal();
  for (size_t i = 0; i < span(trans_b ? N : K, trans_b ? K : N, ldb); i++)
    B[i] = rnd_normal() / sqrtf((float)K);
  for (size_t n = 0; n < N; n++) bias[n] = rnd_normal() * 0.1f;
  float *ws_scales;
  int8_t *packed = pack(K, N, B, ldb, trans_b, &ws_scales);
  /* The dequantized operands, from the scalar reference quantizer and the packed integers. */
  int8_t *qa = xmalloc(M * K);
  float *as = xmalloc(M * sizeof(float));
  quantize_rows_i8_ref(M, K, A, lda, qa, K, as);
  int8_t *I = xmalloc(K * K);
  for (size_t i = 0; i < K * K; i++) I[i] = (int8_t)(i % (K + 1) == 0);
  int32_t *qb = xmalloc(K * N * sizeof(int32_t));
  gemm_i8_accumulate(K, N, K, I, K, packed, qb, N);

  const size_t csize = span(M, N, ldc);
  float *C = xmalloc(csize * sizeof(float));
  for (size_t i = 0; i < csize; i++) C[i] = GUARD_F32;
  void *ws = xmalloc(gemm_i8_workspace_size(M, K));
  const float *bp = with_bias ? bias : NULL;
  gemm_i8(M, N, K, A, lda, packed, ws_scales, bp, act, C, ldc, ws);

  const double u = 0x1p-24;
  size_t bad_tight = 0, bad_orig = 0, guard = 0;
  double num = 0, den = 0;
  for (size_t m = 0; m < M; m++) {
    for (size_t n = 0; n < N; n++) {
      double deq = 0, orig = 0, bound = 0;
      const double sa = as[m], sw = ws_scales[n];
      for (size_t k = 0; k < K; k++) {
        const double a = A[m * lda + k], w = trans_b ? B[n * ldb + k] : B[k * ldb + n];
        deq += (qa[m * K + k] * sa) * (qb[k * N + n] * sw);
        orig += a * w;
        /* Against the original operands: with a^ = a + ea, w^ = w + ew the dequantized
         * values, |ea| <= sa / 2 and |ew| <= sw / 2 (round to nearest; checked in
         * test_quantize), a^ w^ - a w = a ew + ea w + ea ew, so each product is off by at most
         * |a| sw / 2 + |w| sa / 2 + sa sw / 4. A worst case, not a typical error. */
        bound += fabs(a) * sw / 2 + fabs(w) * sa / 2 + sa * sw / 4;
      }
      const double b = bp ? bp[n] : 0;
      /* Float rounding of C = fl(fl(fl(fl(acc) sa) sw) + b): four roundings of at most
       * u = 2^-24 relative each (acc converts exactly below 2^24; above, one more u). */
      double tol = 4.01 * u * (fabs(deq) + fabs(b)) + 1e-30;
      double want = act64(act, deq + b), want_orig = act64(act, orig + b);
      /* The activations' slopes are at most 1.13 (GELU), 1.1 (SiLU), 1 (ReLU); their float
       * formulas add a few ulp of the result, plus, where 1 + erf or 1 + tanh cancels (x < 0),
       * about an ulp of 1 times |x| / 2. */
      if (act != KERNEL_ACT_NONE)
        tol = 1.2 * tol + 4.0 * u * fabs(want) + 2.0 * u * (1.0 + fabs(deq + b));
      const double got = C[m * ldc + n];
      bad_tight += !(fabs(got - want) <= tol);
      const double slope = act == KERNEL_ACT_NONE ? 1.0 : 1.2;
      const double tol_orig = slope * bound * (1 + 1e-6) + tol + 4.0 * u * fabs(want_orig);
      bad_orig += !(fabs(got - want_orig) <= tol_orig);
      num += (got - want_orig) * (got - want_orig);
      den += want_orig * want_orig;
    }
    if (m + 1 < M)
      for (size_t n = N; n < ldc; n++) guard += C[m * ldc + n] != GUARD_F32;
  }
  CHECK(bad_tight == 0, "gemm_i8 M=%zu N=%zu K=%zu trans=%d act=%d: %zu beyond the dequantized "
        "float64 reference", M, N, K, trans_b, (int)act, bad_tight);
  CHECK(bad_orig == 0, "gemm_i8 M=%zu N=%zu K=%zu act=%d: %zu beyond the quantization bound", M, N,
        K, (int)act, bad_orig);
  CHECK(guard == 0, "gemm_i8 M=%zu N=%zu K=%zu: wrote %zu guard values", M, N, K, guard);
  const double rel = den > 0 ? sqrt(num / den) : 0;
  if (rel > *worst_rel) *worst_rel = rel;
  free(A), free(B), free(bias), free(ws_scales), free(packed), free(qa), free(as), free(I);
  free(qb), free(C), free(ws);
}

static void test_float(void) {
  double worst = 0;
  static const size_t shapes[][3] = {{1, 1, 1},  {1, 24, 64}, {3, 17, 63}, {4, 8, 16},
                                     {7, 65, 127}, {9, 33, 384}, {17, 7, 65}, {2, 40, 7}};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
    for (int act = KERNEL_ACT_NONE; act <= KERNEL_ACT_SILU; act++)
      check_float(shapes[s][0], shapes[s][1], shapes[s][2], (int)((s + (size_t)act) % 2),
                  (kernel_activation)act, (s + (size_t)act) % 3 != 0, &worst);
  /* Gaussian operands, K >= 63: the relative Frobenius error against the original float64
   * product is the quantization noise, about 1% (each operand's rounding is uniform within
   * +-scale / 2, scale = max / 127 ~ 3 sigma / 127 for these K). */
  CHECK(worst < 0.03, "relative error vs float64 of the original operands %.4f", worst);
  printf("test_gemm_i8: worst relative (Frobenius) error vs float64 of the original operands: "
         "%.4f\n", worst);
}

/* Non-finite and degenerate input: NaN rows and columns, zero rows, K = 0, K past the int32
 * bound, M = 0 / N = 0. */
static void test_special(void) {
  const size_t M = 6, N = 13, K = 21, ldc = N + 2;
  float A[6 * 21], B[21 * 13], bias[13];
  for (size_t i = 0; i < M * K; i++) A[i] = rnd_normal();
  for (size_t i = 0; i < K * N; i++) B[i] = rnd_normal();
  for (size_t n = 0; n < N; n++) bias[n] = (float)n - 6.0f;
  for (size_t k = 0; k < K; k++) A[2 * K + k] = 0.0f;  /* zero row */
  A[1 * K + 20] = NAN;                                 /* NaN in the tail */
  A[4 * K + 3] = -INFINITY;                            /* Inf in the body */
  B[5 * N + 7] = INFINITY;                             /* a non-finite weight column */
  float *scales;
  int8_t *packed = pack(K, N, B, N, 0, &scales);
  void *ws = xmalloc(gemm_i8_workspace_size(M, K));
  float *C = xmalloc(span(M, N, ldc) * sizeof(float));
  for (int act = KERNEL_ACT_NONE; act <= KERNEL_ACT_SILU; act++) {
    for (size_t i = 0; i < span(M, N, ldc); i++) C[i] = GUARD_F32;
    gemm_i8(M, N, K, A, K, packed, scales, bias, (kernel_activation)act, C, ldc, ws);
    for (size_t m = 0; m < M; m++)
      for (size_t n = 0; n < N; n++) {
        const float c = C[m * ldc + n];
        if (m == 1 || m == 4 || n == 7) {
          CHECK(isnan(c), "act %d: C[%zu][%zu] = %g, NaN expected", act, m, n, (double)c);
        } else if (m == 2) {
          const float want = (float)act64((kernel_activation)act, bias[n]);
          CHECK(fabsf(c - want) <= 1e-6f * (1 + fabsf(want)), "act %d: zero row gives act(bias)",
                act);
        } else {
          CHECK(isfinite(c), "act %d: C[%zu][%zu] = %g finite", act, m, n, (double)c);
        }
      }
    for (size_t m = 0; m + 1 < M; m++)
      for (size_t n = N; n < ldc; n++) CHECK(C[m * ldc + n] == GUARD_F32, "guard");
  }
  /* K = 0: C = act(bias), or act(0) without bias. */
  for (size_t i = 0; i < span(M, N, ldc); i++) C[i] = GUARD_F32;
  gemm_i8(M, N, 0, A, 0, packed, scales, bias, KERNEL_ACT_RELU, C, ldc, ws);
  for (size_t m = 0; m < M; m++)
    for (size_t n = 0; n < N; n++)
      CHECK(C[m * ldc + n] == (bias[n] > 0 ? bias[n] : 0.0f), "K = 0: relu(bias)");
  int32_t Ci[2 * 15];
  for (size_t i = 0; i < 30; i++) Ci[i] = GUARD_I32;
  gemm_i8_accumulate(2, 13, 0, NULL, 0, packed, Ci, 15);
  CHECK(Ci[0] == 0 && Ci[12] == 0 && Ci[13] == GUARD_I32 && Ci[27] == 0, "K = 0: zeros");
  /* M = 0 and N = 0 touch nothing. */
  C[0] = GUARD_F32;
  gemm_i8(0, N, K, A, K, packed, scales, bias, KERNEL_ACT_NONE, C, ldc, ws);
  gemm_i8(M, 0, K, A, K, packed, scales, bias, KERNEL_ACT_NONE, C, ldc, ws);
  gemm_i8_accumulate(0, N, K, NULL, K, packed, Ci, 15);
  CHECK(C[0] == GUARD_F32, "M = 0 / N = 0 write nothing");
  free(scales), free(packed), free(ws), free(C);

  /* K past the int32 bound: gemm_i8 splits the sum. All-ones operands quantize to 127 with
   * scales 1/127, so one int32 sum would be 127^2 * 140,000 > 2^31 and wrap. */
  const size_t KL = 140000, NL = 5;
  float *AL = xmalloc(KL * sizeof(float)), *BL = xmalloc(KL * NL * sizeof(float));
  for (size_t i = 0; i < KL; i++) AL[i] = 1.0f;
  for (size_t i = 0; i < KL * NL; i++) BL[i] = 1.0f;
  float *sl;
  int8_t *pl = pack(KL, NL, BL, KL, 1, &sl);
  void *wsl = xmalloc(gemm_i8_workspace_size(1, KL));
  float CL[NL];
  gemm_i8(1, NL, KL, AL, KL, pl, sl, NULL, KERNEL_ACT_NONE, CL, NL, wsl);
  for (size_t n = 0; n < NL; n++)
    CHECK(fabsf(CL[n] - (float)KL) <= 1e-5f * (float)KL, "K = 140000: C = %g, expected %zu",
          (double)CL[n], KL);
  free(AL), free(BL), free(sl), free(pl), free(wsl);
}

int main(void) {
  test_shapes();
  test_extremes();
  test_quantize();
  test_pack();
  test_float();
  test_special();
  return harness_finish("test_gemm_i8");
}
