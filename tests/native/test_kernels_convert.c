/* f16/bf16 <-> f32 conversions (convert.c) against an independent reference.
 *
 * The reference works on values, not bits: a half is decoded as m 2^(e-25) with ldexp, and a float
 * is rounded to the nearest half (ties to even) with nearbyint on the exactly scaled significand in
 * double. So the bit tricks of the kernel are checked against plain arithmetic:
 *   - all 65,536 halves -> float (exact; NaN keeps sign and payload), and back (identity);
 *   - float -> half on every 997th float bit pattern, on every halfway point between adjacent
 *     halves and its two float neighbours (the ties-to-even cases), and on the edges (65504,
 *     65520, the subnormal boundary, NaN payloads as NumPy handles them);
 *   - the same for bfloat16 (NaN made quiet);
 *   - NumPy's own astype(float16) on a few values (tests/golden/kernels/numpy_cases.json);
 *   - every length 0..40 and 63, 65, 127, 384, 1536, with canaries (tails must not touch memory
 *     past n).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tensor/kernels/kernels.h"
#include "tetra/core.h"


/* ---- references -------------------------------------------------------------------------------- */

static uint32_t ref_half_to_float_bits(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e == 31) return sign | 0x7f800000u | ((uint32_t)m << 13); /* inf, or NaN with its payload */
  double v = e == 0 ? ldexp(m, -24) : ldexp(1024 + m, e - 25);
  return sign | harness_to_bits((float)v); /* exact: every half is a float */
}

/* Nearest half to a float, ties to even (round-to-nearest is the default rounding mode). */
static uint16_t ref_float_to_half(float f) {
  uint32_t b = harness_to_bits(f);
  uint16_t sign = (uint16_t)((b >> 16) & 0x8000u);
  if (isnan(f)) { /* NumPy: the top 10 payload bits, made non-zero */
    uint16_t pay = (uint16_t)((b >> 13) & 0x3ff);
    return (uint16_t)(sign | 0x7c00u | (pay ? pay : 1u));
  }
  double a = fabs((double)f);
  if (a >= 65520.0) return (uint16_t)(sign | 0x7c00u); /* halfway above 65504 ties up (odd) */
  if (a < ldexp(1.0, -14)) { /* subnormal range: multiples of 2^-24 */
    double q = nearbyint(a * ldexp(1.0, 24)); /* exact scaling */
    return (uint16_t)(sign | (uint16_t)q);      /* q = 1024 is the smallest normal: same bits */
  }
  int e;
  frexp(a, &e); /* a in [2^(e-1), 2^e) */
  double q = nearbyint(ldexp(a, 11 - e)); /* significand in [1024, 2048] */
  int E = e - 1;
  if (q == 2048.0) q = 1024.0, E++;
  if (E > 15) return (uint16_t)(sign | 0x7c00u);
  return (uint16_t)(sign | (uint16_t)((E + 15) << 10) | (uint16_t)(q - 1024.0));
}

/* Nearest bfloat16 (8 significant bits, float's exponent range), ties to even; NaN made quiet. */
static uint16_t ref_float_to_bf16(float f) {
  uint32_t b = harness_to_bits(f);
  uint16_t sign = (uint16_t)((b >> 16) & 0x8000u);
  if (isnan(f)) return (uint16_t)((b >> 16) | 0x0040u);
  if (isinf(f)) return (uint16_t)(b >> 16);
  double a = fabs((double)f);
  if (a < ldexp(1.0, -126)) { /* subnormal range: multiples of 2^-133 */
    double q = nearbyint(a * ldexp(1.0, 133));
    return (uint16_t)(sign | (uint16_t)q);
  }
  int e;
  frexp(a, &e);
  double q = nearbyint(ldexp(a, 8 - e)); /* [128, 256] */
  int E = e - 1;
  if (q == 256.0) q = 128.0, E++;
  if (E > 127) return (uint16_t)(sign | 0x7f80u); /* rounded past the largest bf16 */
  return (uint16_t)(sign | (uint16_t)((E + 127) << 7) | (uint16_t)(q - 128.0));
}

/* ---- tests ------------------------------------------------------------------------------------- */

static void test_all_halves(void) {
  uint16_t *h = malloc(65536 * sizeof(uint16_t)), *back = malloc(65536 * sizeof(uint16_t));
  float *f = malloc(65536 * sizeof(float));
  for (uint32_t i = 0; i < 65536; i++) h[i] = (uint16_t)i;
  f16_to_f32(65536, h, f);
  f32_to_f16(65536, f, back);
  int bad_decode = 0, bad_round = 0;
  for (uint32_t i = 0; i < 65536; i++) {
    if (harness_to_bits(f[i]) != ref_half_to_float_bits(h[i]) && bad_decode++ < 5)
      CHECK(0, "f16_to_f32(0x%04x) = 0x%08x, want 0x%08x", (unsigned)i, (unsigned)harness_to_bits(f[i]),
            (unsigned)ref_half_to_float_bits(h[i]));
    if (back[i] != h[i] && bad_round++ < 5)
      CHECK(0, "f16 0x%04x -> f32 -> f16 = 0x%04x", (unsigned)i, (unsigned)back[i]);
  }
  CHECK(bad_decode == 0 && bad_round == 0, "all 65536 halves: %d decode, %d round-trip errors", bad_decode,
        bad_round);

  /* bfloat16: exact decode; round trip is the identity except that signalling NaNs become quiet */
  bf16_to_f32(65536, h, f);
  f32_to_bf16(65536, f, back);
  bad_decode = bad_round = 0;
  for (uint32_t i = 0; i < 65536; i++) {
    if (harness_to_bits(f[i]) != i << 16 && bad_decode++ < 5) CHECK(0, "bf16_to_f32(0x%04x)", (unsigned)i);
    int is_nan = (i & 0x7f80u) == 0x7f80u && (i & 0x7fu);
    uint16_t want = is_nan ? (uint16_t)(i | 0x40u) : (uint16_t)i;
    if (back[i] != want && bad_round++ < 5)
      CHECK(0, "bf16 0x%04x -> f32 -> bf16 = 0x%04x, want 0x%04x", (unsigned)i, (unsigned)back[i],
            (unsigned)want);
  }
  CHECK(bad_decode == 0 && bad_round == 0, "all 65536 bfloat16: %d decode, %d round-trip errors",
        bad_decode, bad_round);
  free(h);
  free(back);
  free(f);
}

/* Converts n floats with both kernels and compares with the references. */
static int compare_batch(const float *x, size_t n, uint16_t *h, uint16_t *bf, const char *what) {
  f32_to_f16(n, x, h);
  f32_to_bf16(n, x, bf);
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    uint16_t wh = ref_float_to_half(x[i]), wb = ref_float_to_bf16(x[i]);
    if (h[i] != wh && bad++ < 5)
      CHECK(0, "%s: f32_to_f16(%.9g = 0x%08x) = 0x%04x, want 0x%04x", what, x[i], (unsigned)harness_to_bits(x[i]),
            (unsigned)h[i], (unsigned)wh);
    if (bf[i] != wb && bad++ < 5)
      CHECK(0, "%s: f32_to_bf16(%.9g = 0x%08x) = 0x%04x, want 0x%04x", what, x[i],
            (unsigned)harness_to_bits(x[i]), (unsigned)bf[i], (unsigned)wb);
  }
  harness_checks++;
  if (bad) harness_failures++;
  return bad;
}

static void test_float_sweep(void) {
  enum { CHUNK = 8191 };
  float *x = malloc(CHUNK * sizeof(float));
  uint16_t *h = malloc(CHUNK * sizeof(uint16_t)), *bf = malloc(CHUNK * sizeof(uint16_t));
  int bad = 0;
  /* every 997th bit pattern */
  for (uint64_t b = 0; b < (1ull << 32) && bad < 10;) {
    size_t k = 0;
    for (; k < CHUNK && b < (1ull << 32); b += 997) x[k++] = harness_from_bits((uint32_t)b);
    bad += compare_batch(x, k, h, bf, "sweep");
  }
  /* halfway points between adjacent finite halves, and their float neighbours */
  for (uint32_t s = 0; s < 2 && bad < 10; s++) {
    size_t k = 0;
    for (uint32_t i = 0; i < 0x7c00u; i++) {
      uint16_t lo = (uint16_t)(i | (s << 15)), hi = (uint16_t)((i + 1) | (s << 15));
      double a = harness_from_bits(ref_half_to_float_bits(lo)), c = i + 1 < 0x7c00u ? harness_from_bits(ref_half_to_float_bits(hi)) : (s ? -65536.0 : 65536.0);
      float mid = (float)((a + c) / 2); /* exact: halves have 11 bits, floats 24 */
      x[k++] = mid;
      x[k++] = nextafterf(mid, 0.0f);
      x[k++] = nextafterf(mid, s ? -INFINITY : INFINITY);
      if (k + 3 > CHUNK) {
        bad += compare_batch(x, k, h, bf, "halfway");
        k = 0;
      }
    }
    bad += compare_batch(x, k, h, bf, "halfway");
  }
  free(x);
  free(h);
  free(bf);
}

static void test_edges(void) {
  static const struct { uint32_t f; uint16_t h; } E[] = {
    {0x00000000u, 0x0000}, {0x80000000u, 0x8000}, {0x3f800000u, 0x3c00}, /* 0, -0, 1 */
    {0x477fe000u, 0x7bff},                          /* 65504, the largest half */
    {0x477fefffu, 0x7bff},                          /* just below the halfway point 65520 */
    {0x477ff000u, 0x7c00},                          /* 65520: ties to even = inf */
    {0x47800000u, 0x7c00}, {0x7f800000u, 0x7c00}, {0xff800000u, 0xfc00}, {0x7f7fffffu, 0x7c00},
    {0x33800000u, 0x0001},                          /* 2^-24, the smallest subnormal */
    {0x33000000u, 0x0000},                          /* 2^-25: tie, to even (0) */
    {0x33000001u, 0x0001},                          /* just above: rounds up */
    {0x33c00000u, 0x0002},                          /* 1.5 2^-24: tie, to even (2) */
    {0x387fc000u, 0x03ff},                          /* largest subnormal half */
    {0x387fe000u, 0x0400},                          /* tie between it and 2^-14: to even */
    {0x38800000u, 0x0400},                          /* 2^-14, the smallest normal */
    {0x00000001u, 0x0000}, {0x80000001u, 0x8000},   /* float subnormals -> signed zeros */
    {0x3f801000u, 0x3c00},                          /* 1 + 2^-11: tie, to even (down) */
    {0x3f803000u, 0x3c02},                          /* 1 + 3 2^-11: tie, to even (up) */
    {0x7fc00000u, 0x7e00}, {0xffc00000u, 0xfe00}, {0x7fa00000u, 0x7d00}, /* NaNs keep payload... */
    {0x7f800001u, 0x7c01}, {0x7f802000u, 0x7c01},   /* ...forced non-zero, as NumPy */
  };
  for (size_t i = 0; i < sizeof E / sizeof E[0]; i++) {
    float f = harness_from_bits(E[i].f);
    uint16_t h;
    f32_to_f16(1, &f, &h);
    CHECK(h == E[i].h, "f32_to_f16(0x%08x) = 0x%04x, want 0x%04x", (unsigned)E[i].f, (unsigned)h,
          (unsigned)E[i].h);
    CHECK(ref_float_to_half(f) == E[i].h, "reference f32->f16(0x%08x)", (unsigned)E[i].f);
  }
  static const struct { uint32_t f; uint16_t b; } B[] = {
    {0x3f808000u, 0x3f80}, {0x3f818000u, 0x3f82},   /* ties to even, down and up */
    {0x3f808001u, 0x3f81},                          /* above the tie */
    {0x7f7fffffu, 0x7f80},                          /* FLT_MAX rounds to inf */
    {0x7f7f7fffu, 0x7f7f},                          /* below the tie: largest finite bf16 */
    {0x7fc00000u, 0x7fc0}, {0x7f800001u, 0x7fc0},   /* NaN stays NaN (the bias trick would give inf) */
    {0xff800001u, 0xffc0}, {0x7fffffffu, 0x7fff}, {0x00008000u, 0x0000}, {0x00018000u, 0x0002},
  };
  for (size_t i = 0; i < sizeof B / sizeof B[0]; i++) {
    float f = harness_from_bits(B[i].f);
    uint16_t b;
    f32_to_bf16(1, &f, &b);
    CHECK(b == B[i].b, "f32_to_bf16(0x%08x) = 0x%04x, want 0x%04x", (unsigned)B[i].f, (unsigned)b,
          (unsigned)B[i].b);
  }
}

static void test_lengths(void) {
  const uint16_t CANARY = 0xBEEF;
  static const size_t LONG[] = {63, 65, 127, 384, 1536};
  for (size_t k = 0; k < 41 + sizeof LONG / sizeof LONG[0]; k++) {
    size_t n = k <= 40 ? k : LONG[k - 41];
    float *x = malloc((n ? n : 1) * sizeof(float)), *fb = malloc((n + 8) * sizeof(float));
    uint16_t *hx = malloc((n ? n : 1) * sizeof(uint16_t)), *hb = malloc((n + 16) * sizeof(uint16_t));
    for (size_t i = 0; i < n; i++) {
      x[i] = (float)((double)i * 0.37 - 5.0) * (i % 3 ? 1.0f : 1e-6f);
      hx[i] = (uint16_t)(i * 2654435761u >> 16);
    }
    for (int which = 0; which < 4; which++) {
      for (size_t i = 0; i < n + 16; i++) hb[i] = CANARY;
      for (size_t i = 0; i < n + 8; i++) fb[i] = -7.0f;
      if (which == 0) f32_to_f16(n, x, hb + 8);
      if (which == 1) f32_to_bf16(n, x, hb + 8);
      if (which == 2) f16_to_f32(n, hx, fb + 4);
      if (which == 3) bf16_to_f32(n, hx, fb + 4);
      int ok = 1;
      for (size_t i = 0; i < 8; i++) ok &= hb[i] == CANARY && hb[n + 8 + i] == CANARY;
      for (size_t i = 0; i < 4; i++) ok &= fb[i] == -7.0f && fb[n + 4 + i] == -7.0f;
      for (size_t i = 0; i < n; i++) {
        if (which == 0) ok &= hb[8 + i] == ref_float_to_half(x[i]);
        if (which == 1) ok &= hb[8 + i] == ref_float_to_bf16(x[i]);
        if (which == 2) ok &= harness_to_bits(fb[4 + i]) == ref_half_to_float_bits(hx[i]);
        if (which == 3) ok &= harness_to_bits(fb[4 + i]) == (uint32_t)hx[i] << 16;
      }
      CHECK(ok, "conversion %d, n = %zu: wrong value or write outside the output", which, n);
    }
    free(x);
    free(fb);
    free(hx);
    free(hb);
  }
}

static void test_numpy(void) {
  tetra_json_doc *doc = harness_read_json("tests/golden/kernels/numpy_cases.json");
  if (!doc) return;
  const tetra_json *f16 = tetra_json_get(tetra_json_root(doc), "f16");
  const tetra_json *fb = tetra_json_get(f16, "f32_bits"), *hb = tetra_json_get(f16, "f16_bits");
  CHECK(fb && hb && fb->len == hb->len && fb->len > 0, "golden f16: malformed");
  for (size_t i = 0; fb && hb && i < fb->len && i < hb->len; i++) {
    float f = harness_from_bits((uint32_t)tetra_json_at(fb, i)->u.number);
    uint16_t h, want = (uint16_t)tetra_json_at(hb, i)->u.number;
    f32_to_f16(1, &f, &h);
    CHECK(h == want, "NumPy astype(float16) of 0x%08x: 0x%04x, tetra 0x%04x", (unsigned)harness_to_bits(f),
          (unsigned)want, (unsigned)h);
  }
  tetra_json_free(doc);
}

int main(void) {
  test_all_halves();
  test_edges();
  test_float_sweep();
  test_lengths();
  test_numpy();
  return harness_finish("test_kernels_convert");
}
