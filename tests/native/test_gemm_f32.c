/* f32 GEMM (src/tensor/kernels/gemm_f32.c): gemm_f32_packed and gemm_f32 against the scalar
 * reference gemm_f32_ref and against a float64 reference, over awkward shapes, both B layouts,
 * padded strides, bias or none, every activation, NaN and Inf, and guard values around C.
 *
 * What is checked, and why it is the right check:
 *
 * 1. Error bound against float64 (the tolerance). Each C element is a float dot product of
 *    length K plus a bias: K rounded products and K + 1 rounded additions. The classic bound
 *    for such a sum computed in any order (Higham, Accuracy and Stability of Numerical
 *    Algorithms, section 3.1) is
 *        |C - C64| <= gamma_(K+1) * (sum_k |a_k| |b_k| + |bias|),  gamma_n = n u / (1 - n u),
 *    with u = 2^-24 the unit roundoff of float. We check it with n = K + 2 (one spare rounding)
 *    and a 1% margin. The bound scales with sum |a_k b_k|, not with |C|: when the products
 *    cancel, |C| can be far smaller than the rounding errors it carries, so a fixed relative
 *    tolerance on C would be either too loose for large results or wrong for cancelling ones.
 *    This bound holds for every summation order and blocking, so it does not tie the test to
 *    the kernel's order. After an activation f, the error grows by at most the Lipschitz
 *    constant (1 for ReLU; below 1.13 for both GELUs and 1.10 for SiLU: we use 1.2) plus the
 *    float evaluation of f itself, which we bound by 8 u (|x| + |f(x)|): a few ulp from libm's
 *    erff/tanhf/expf and the products, and the cancellation in 1 + erf(x / sqrt 2) for
 *    negative x, whose absolute error is about u, multiplied by 0.5 |x|.
 * 2. Bit equality with gemm_f32_ref. The kernel sums every C element as the reference does:
 *    one float accumulator, k in order from +0, each product rounded before the add (no FMA),
 *    then bias, then the same activation code; so the results are identical, NaN positions
 *    included (NaN payloads are not compared). A kernel that reorders the sum would keep
 *    passing check 1 and must relax this one on purpose.
 * 3. Exactness: with small integer inputs every product and partial sum is exactly
 *    representable, so C must equal the exact product whatever the order: an order-free check
 *    that catches any indexing or edge-tile mistake at zero tolerance.
 * 4. Nothing outside C's M x N region is written: C sits in a buffer with guard values before
 *    and after it and in the row padding (ldc > N); all must keep their exact bits. Every
 *    element inside the region starts as a NaN sentinel, so an element never written fails.
 *    A and B padding (lda > K, ldb > width) holds NaN: reading it would poison a result.
 *    A, B, packed B and the workspace are allocated to their exact extent, so AddressSanitizer
 *    (native run) reports any read past them.
 * 5. NaN and Inf: a NaN at A[m][k] makes all of row m of C NaN (every dot product of row m
 *    includes a[m][k] * b[k][n], and NaN * finite = NaN); a NaN at B[k][n] makes all of
 *    column n NaN; +Inf at A[m][k] gives +Inf or -Inf where b[k][n] is positive or negative
 *    (the other terms are finite) and NaN where b[k][n] = 0 (Inf * 0); other elements stay
 *    finite and bit-equal to the reference. ReLU keeps NaN and maps -Inf to 0; GELU and SiLU
 *    keep NaN.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tensor/kernels/kernels.h"

#define U 0x1p-24 /* unit roundoff of float */

static const kernel_activation ACTS[] = {KERNEL_ACT_NONE, KERNEL_ACT_RELU, KERNEL_ACT_GELU_ERF,
                                         KERNEL_ACT_GELU_TANH, KERNEL_ACT_SILU};
static const char *const ACT_NAMES[] = {"none", "relu", "gelu_erf", "gelu_tanh", "silu"};

/* ---- deterministic inputs --------------------------------------------------------------- */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rng_next(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}
/* Uniform in [-1, 1). */
static float rng_float(void) { return (float)((double)(rng_next() >> 40) * 0x1p-23 - 1.0); }
/* An integer in [-8, 8]. */
static float rng_small_int(void) { return (float)((int)(rng_next() % 17) - 8); }

static float bits_to_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}
static uint32_t float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}
/* A NaN with a recognisable payload: written only by the test, never by arithmetic. */
#define GUARD_BITS 0x7FA5A5A5u
#define GUARD 16 /* guard floats before and after C */

static int same_float(float a, float b) {
  return (a != a && b != b) || float_bits(a) == float_bits(b);
}

/* A rows x width matrix with row stride ld, allocated to its exact extent ((rows - 1) * ld +
 * width floats) so ASan catches reads past its end; padding between rows is NaN. */
static float *matrix(size_t rows, size_t width, size_t ld, int small_ints) {
  size_t extent = rows ? (rows - 1) * ld + width : 0;
  float *m = malloc((extent ? extent : 1) * sizeof(float));
  for (size_t i = 0; i < extent; i++) m[i] = NAN;
  for (size_t r = 0; r < rows; r++) {
    for (size_t c = 0; c < width; c++) m[r * ld + c] = small_ints ? rng_small_int() : rng_float();
  }
  return m;
}

/* ---- float64 reference -------------------------------------------------------------------- */
static double act64(double x, kernel_activation act) {
  switch (act) {
    case KERNEL_ACT_RELU: return x != x ? x : (x > 0 ? x : 0);
    case KERNEL_ACT_GELU_ERF: return 0.5 * x * (1.0 + erf(x / sqrt(2.0)));
    case KERNEL_ACT_GELU_TANH:
      return 0.5 * x * (1.0 + tanh(sqrt(2.0 / 3.14159265358979323846) * (x + 0.044715 * x * x * x)));
    case KERNEL_ACT_SILU: return x / (1.0 + exp(-x));
    default: return x;
  }
}

static double lipschitz(kernel_activation act) {
  return act == KERNEL_ACT_NONE || act == KERNEL_ACT_RELU ? 1.0 : 1.2;
}

static float b_at(const float *B, size_t ldb, int trans_b, size_t k, size_t n) {
  return trans_b ? B[n * ldb + k] : B[k * ldb + n];
}

/* ---- one case ------------------------------------------------------------------------------ */
typedef struct gemm_case {
  size_t M, N, K, lda, ldb, ldc;
  int trans_b;
  int with_bias;
  kernel_activation act;
  int small_ints; /* integer inputs: results must be exact */
} gemm_case;

typedef struct operands {
  float *A, *B, *bias;
} operands;

static operands make_operands(const gemm_case *g) {
  operands o;
  o.A = matrix(g->M, g->K, g->lda, g->small_ints);
  o.B = g->trans_b ? matrix(g->N, g->K, g->ldb, g->small_ints)
                   : matrix(g->K, g->N, g->ldb, g->small_ints);
  o.bias = NULL;
  if (g->with_bias) o.bias = matrix(1, g->N, g->N ? g->N : 1, g->small_ints);
  return o;
}

static void free_operands(operands *o) {
  free(o->A);
  free(o->B);
  free(o->bias);
}

/* C inside a guarded buffer: returns the buffer; *C is the first element of C. Every float of
 * the buffer starts as the guard NaN. */
static float *guarded_c(const gemm_case *g, float **C, size_t *total) {
  size_t extent = g->M ? (g->M - 1) * g->ldc + g->N : 0;
  *total = extent + 2 * GUARD;
  float *buf = malloc(*total * sizeof(float));
  for (size_t i = 0; i < *total; i++) buf[i] = bits_to_float(GUARD_BITS);
  *C = buf + GUARD;
  return buf;
}

/* Counts floats outside C's M x N region whose bits changed. */
static size_t guard_damage(const gemm_case *g, const float *buf, size_t total) {
  size_t bad = 0;
  for (size_t i = 0; i < total; i++) {
    int inside = 0;
    if (i >= GUARD && g->M) {
      size_t off = i - GUARD;
      size_t row = off / g->ldc, col = off % g->ldc;
      inside = row < g->M && col < g->N;
    }
    if (!inside && float_bits(buf[i]) != GUARD_BITS) bad++;
  }
  return bad;
}

static void describe(const gemm_case *g, char *out, size_t size) {
  snprintf(out, size, "M=%zu N=%zu K=%zu lda=%zu ldb=%zu ldc=%zu trans_b=%d bias=%d act=%s%s",
           g->M, g->N, g->K, g->lda, g->ldb, g->ldc, g->trans_b, g->with_bias,
           ACT_NAMES[g->act], g->small_ints ? " ints" : "");
}

/* The float64 result of every C element and its tolerance (point 1 of the header), computed
 * once per case: want[m * N + n], tol[m * N + n]. */
static void reference64(const gemm_case *g, const operands *o, double *want, double *tol) {
  for (size_t m = 0; m < g->M; m++) {
    for (size_t n = 0; n < g->N; n++) {
      double s = 0, mag = 0;
      for (size_t k = 0; k < g->K; k++) {
        const double p = (double)o->A[m * g->lda + k] * (double)b_at(o->B, g->ldb, g->trans_b, k, n);
        s += p;
        mag += fabs(p);
      }
      if (o->bias) {
        s += o->bias[n];
        mag += fabs((double)o->bias[n]);
      }
      const double w = act64(s, g->act);
      double t;
      if (g->small_ints && (g->act == KERNEL_ACT_NONE || g->act == KERNEL_ACT_RELU)) {
        t = 0; /* every intermediate is an integer below 2^24: exact */
      } else {
        const double n_u = (double)(g->K + 2) * U;
        t = lipschitz(g->act) * n_u / (1.0 - n_u) * mag * 1.01;
        if (g->act != KERNEL_ACT_NONE && g->act != KERNEL_ACT_RELU) t += 8 * U * (fabs(s) + fabs(w));
      }
      want[m * g->N + n] = w;
      tol[m * g->N + n] = t;
    }
  }
}

/* Checks a computed C against the float64 reference (error bound, or exactness for integer
 * inputs) and against the float reference Cref (bit equality). */
static void check_values(const gemm_case *g, const double *want, const double *tol,
                         const float *C, const float *Cref, const char *what) {
  char desc[200];
  describe(g, desc, sizeof desc);
  size_t bound_fail = 0, ref_fail = 0;
  size_t first_m = 0, first_n = 0;
  double first_err = 0, first_tol = 0;
  float first_got = 0, first_ref = 0;
  for (size_t m = 0; m < g->M; m++) {
    for (size_t n = 0; n < g->N; n++) {
      const float got = C[m * g->ldc + n];
      const double err = fabs((double)got - want[m * g->N + n]);
      if (!(err <= tol[m * g->N + n])) {
        if (!bound_fail && !ref_fail) {
          first_m = m, first_n = n, first_err = err, first_tol = tol[m * g->N + n], first_got = got;
        }
        bound_fail++;
      }
      if (!same_float(got, Cref[m * g->ldc + n])) {
        if (!bound_fail && !ref_fail) {
          first_m = m, first_n = n, first_got = got, first_ref = Cref[m * g->ldc + n];
        }
        ref_fail++;
      }
    }
  }
  CHECK(bound_fail == 0, "%s %s: %zu elements outside the float64 error bound; first C[%zu][%zu]"
        " = %.9g, error %.3g > tolerance %.3g", what, desc, bound_fail, first_m, first_n,
        (double)first_got, first_err, first_tol);
  CHECK(ref_fail == 0, "%s %s: %zu elements differ from gemm_f32_ref; first C[%zu][%zu] = %.9g"
        " vs %.9g", what, desc, ref_fail, first_m, first_n, (double)first_got, (double)first_ref);
}

/* Runs gemm_f32_ref, gemm_f32_packed and gemm_f32 on one case and checks all three. */
static void run_case(const gemm_case *g) {
  char desc[200];
  describe(g, desc, sizeof desc);
  operands o = make_operands(g);

  float *Cref, *Cp, *Cu;
  size_t total;
  float *buf_ref = guarded_c(g, &Cref, &total);
  float *buf_p = guarded_c(g, &Cp, &total);
  float *buf_u = guarded_c(g, &Cu, &total);

  gemm_f32_ref(g->M, g->N, g->K, o.A, g->lda, o.B, g->ldb, g->trans_b, o.bias, g->act, Cref,
               g->ldc);

  const size_t psize = gemm_f32_packed_size(g->K, g->N);
  float *packed = malloc((psize ? psize : 1) * sizeof(float));
  gemm_f32_pack_b(g->K, g->N, o.B, g->ldb, g->trans_b, packed);
  gemm_f32_packed(g->M, g->N, g->K, o.A, g->lda, packed, o.bias, g->act, Cp, g->ldc);

  const size_t wsize = gemm_f32_workspace_size(g->K, g->N);
  float *work = malloc((wsize ? wsize : 1) * sizeof(float));
  gemm_f32(g->M, g->N, g->K, o.A, g->lda, o.B, g->ldb, g->trans_b, o.bias, g->act, Cu, g->ldc,
           work);

  CHECK(guard_damage(g, buf_ref, total) == 0, "gemm_f32_ref %s: wrote outside C", desc);
  CHECK(guard_damage(g, buf_p, total) == 0, "gemm_f32_packed %s: wrote outside C", desc);
  CHECK(guard_damage(g, buf_u, total) == 0, "gemm_f32 %s: wrote outside C", desc);
  const size_t cells = g->M * g->N > 0 ? g->M * g->N : 1;
  double *want = malloc(cells * sizeof(double)), *tol = malloc(cells * sizeof(double));
  reference64(g, &o, want, tol);
  check_values(g, want, tol, Cref, Cref, "gemm_f32_ref");
  check_values(g, want, tol, Cp, Cref, "gemm_f32_packed");
  check_values(g, want, tol, Cu, Cref, "gemm_f32");
  free(want);
  free(tol);

  free(work);
  free(packed);
  free(buf_ref);
  free(buf_p);
  free(buf_u);
  free_operands(&o);
}

static gemm_case make_case(size_t M, size_t N, size_t K, int trans_b, size_t pad_a, size_t pad_b,
                           size_t pad_c, int with_bias, kernel_activation act, int small_ints) {
  gemm_case g = {.M = M, .N = N, .K = K, .trans_b = trans_b, .with_bias = with_bias,
                 .act = act, .small_ints = small_ints};
  g.lda = K + pad_a;
  g.ldb = (trans_b ? K : N) + pad_b;
  g.ldc = N + pad_c;
  if (g.lda == 0) g.lda = 1;
  if (g.ldb == 0) g.ldb = 1;
  if (g.ldc == 0) g.ldc = 1;
  return g;
}

/* The awkward sizes: every M x N x K combination below, both B layouts, with strides,
 * bias and activation varying from case to case so that each appears on many shapes. */
static void test_shapes(void) {
  static const size_t Ms[] = {1, 3, 7, 17, 63, 65, 127};
  static const size_t Ns[] = {1, 3, 17, 65, 384};
  static const size_t Ks[] = {1, 7, 63, 384};
  size_t i = 0;
  for (size_t a = 0; a < sizeof Ms / sizeof *Ms; a++) {
    for (size_t b = 0; b < sizeof Ns / sizeof *Ns; b++) {
      for (size_t c = 0; c < sizeof Ks / sizeof *Ks; c++) {
        for (int trans_b = 0; trans_b <= 1; trans_b++, i++) {
          /* Padding 0 (contiguous) on every third case, else 1-5 floats: strided views. */
          const size_t pad_a = i % 3 ? 1 + i % 5 : 0;
          const size_t pad_b = i % 3 ? 1 + (i / 3) % 5 : 0;
          const size_t pad_c = i % 3 ? 1 + (i / 7) % 5 : 0;
          const gemm_case g = make_case(Ms[a], Ns[b], Ks[c], trans_b, pad_a, pad_b, pad_c,
                                        (int)(i / 2 % 2), ACTS[i / 4 % 5], 0);
          run_case(&g);
        }
      }
    }
  }
}

/* Shapes of the transformer layers themselves; K and N past the kernel's blocking (k blocks
 * and column blocks of several hundred) with ragged ends. */
static void test_big_shapes(void) {
  const gemm_case cases[] = {
      make_case(128, 384, 1536, 0, 0, 0, 0, 1, KERNEL_ACT_NONE, 0),
      make_case(8, 1536, 384, 1, 0, 0, 0, 1, KERNEL_ACT_GELU_ERF, 0),
      make_case(5, 1037, 1100, 0, 3, 5, 2, 1, KERNEL_ACT_RELU, 0),
      make_case(6, 1037, 1100, 1, 1, 2, 3, 0, KERNEL_ACT_SILU, 0),
      make_case(11, 600, 1536, 1, 0, 0, 1, 1, KERNEL_ACT_GELU_TANH, 0),
      /* a few rows, K across several k blocks */
      make_case(2, 50, 2000, 1, 0, 0, 0, 1, KERNEL_ACT_NONE, 0),
      make_case(3, 40, 1536, 0, 1, 0, 0, 0, KERNEL_ACT_GELU_ERF, 0),
      /* one row: a single block however large K and N */
      make_case(1, 3072, 768, 0, 0, 0, 0, 1, KERNEL_ACT_NONE, 0),
      make_case(1, 1037, 1100, 1, 2, 1, 0, 1, KERNEL_ACT_RELU, 0),
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) run_case(&cases[i]);
}

/* Integer inputs: exact results, every row count 1..13 (all tile heights and the splitting of
 * the last rows), column counts around the 8-column strips and 24-column panels of packed B,
 * and K across a k-block boundary. */
static void test_exact(void) {
  static const size_t Ns[] = {1, 4, 5, 8, 9, 15, 16, 23, 24, 25, 31, 33, 47, 49};
  size_t i = 0;
  for (size_t M = 1; M <= 13; M++) {
    for (size_t b = 0; b < sizeof Ns / sizeof *Ns; b++, i++) {
      const size_t K = i % 4 == 3 ? 800 : 1 + i % 37;
      const gemm_case g = make_case(M, Ns[b], K, (int)(i % 2), i % 3, (i + 1) % 3, (i + 2) % 3,
                                    (int)(i / 2 % 2), i % 3 == 0 ? KERNEL_ACT_RELU : KERNEL_ACT_NONE, 1);
      run_case(&g);
    }
  }
  /* 1536 products of integers up to 64 in magnitude: still below 2^24, still exact. */
  const gemm_case g = make_case(9, 70, 1536, 0, 0, 0, 0, 1, KERNEL_ACT_NONE, 1);
  run_case(&g);
}

/* Degenerate sizes: M or N = 0 writes nothing; K = 0 gives C = act(bias) (or act(0)). */
static void test_degenerate(void) {
  for (int with_bias = 0; with_bias <= 1; with_bias++) {
    for (size_t a = 0; a < 5; a++) {
      const gemm_case g = make_case(3, 10, 0, (int)a % 2, 0, 0, 2, with_bias, ACTS[a], 0);
      run_case(&g);
    }
  }
  const gemm_case none[] = {make_case(0, 5, 7, 0, 0, 0, 0, 1, KERNEL_ACT_NONE, 0),
                            make_case(4, 0, 7, 1, 0, 0, 0, 1, KERNEL_ACT_RELU, 0),
                            make_case(0, 0, 0, 0, 0, 0, 0, 0, KERNEL_ACT_NONE, 0)};
  for (size_t i = 0; i < 3; i++) run_case(&none[i]);
  CHECK(gemm_f32_packed_size(0, 9) == 0 && gemm_f32_packed_size(9, 0) == 0, "empty packed size");
  CHECK(gemm_f32_packed_size(5, 9) >= 5 * 9, "packed size holds B");
}

/* NaN and Inf propagation (point 5 of the header), on a shape with edge tiles. */
static void test_special_values(void) {
  const size_t M = 11, N = 21, K = 37;
  for (int trans_b = 0; trans_b <= 1; trans_b++) {
    for (size_t ai = 0; ai < 5; ai++) {
      const kernel_activation act = ACTS[ai];
      gemm_case g = make_case(M, N, K, trans_b, 2, 1, 3, 1, act, 0);
      char desc[200];
      describe(&g, desc, sizeof desc);
      operands o = make_operands(&g);
      const size_t nan_m = 2, nan_ka = 5;  /* A[2][5] = NaN: row 2 */
      const size_t nan_kb = 30, nan_n = 9; /* B[30][9] = NaN: column 9 */
      const size_t inf_m = 7, inf_k = 11;  /* A[7][11] = +Inf */
      const size_t zero_n = 4, neg_n = 13; /* B[11][4] = 0 -> NaN; B[11][13] < 0 -> -Inf */
      o.A[nan_m * g.lda + nan_ka] = NAN;
      o.A[inf_m * g.lda + inf_k] = INFINITY;
      float *bkn = trans_b ? &o.B[nan_n * g.ldb + nan_kb] : &o.B[nan_kb * g.ldb + nan_n];
      *bkn = NAN;
      for (size_t n = 0; n < N; n++) {
        float *b = trans_b ? &o.B[n * g.ldb + inf_k] : &o.B[inf_k * g.ldb + n];
        *b = n == zero_n ? 0.0f : (n == neg_n ? -0.5f - fabsf(*b) : 0.5f + fabsf(*b));
      }

      float *Cref, *Cp, *Cu;
      size_t total;
      float *buf_ref = guarded_c(&g, &Cref, &total);
      float *buf_p = guarded_c(&g, &Cp, &total);
      float *buf_u = guarded_c(&g, &Cu, &total);
      gemm_f32_ref(M, N, K, o.A, g.lda, o.B, g.ldb, trans_b, o.bias, act, Cref, g.ldc);
      float *packed = malloc(gemm_f32_packed_size(K, N) * sizeof(float));
      gemm_f32_pack_b(K, N, o.B, g.ldb, trans_b, packed);
      gemm_f32_packed(M, N, K, o.A, g.lda, packed, o.bias, act, Cp, g.ldc);
      float *work = malloc(gemm_f32_workspace_size(K, N) * sizeof(float));
      gemm_f32(M, N, K, o.A, g.lda, o.B, g.ldb, trans_b, o.bias, act, Cu, g.ldc, work);

      const float *outs[3] = {Cref, Cp, Cu};
      const char *names[3] = {"gemm_f32_ref", "gemm_f32_packed", "gemm_f32"};
      for (int w = 0; w < 3; w++) {
        const float *C = outs[w];
        size_t wrong = 0, first_m = 0, first_n = 0;
        for (size_t m = 0; m < M; m++) {
          for (size_t n = 0; n < N; n++) {
            const float c = C[m * g.ldc + n];
            int ok;
            if (m == nan_m || n == nan_n || (m == inf_m && n == zero_n)) {
              ok = c != c; /* NaN through every activation */
            } else if (m == inf_m) {
              const float pre = n == neg_n ? -INFINITY : INFINITY;
              switch (act) {
                case KERNEL_ACT_NONE: ok = c == pre; break;
                case KERNEL_ACT_RELU: ok = c == (pre > 0 ? pre : 0.0f); break;
                /* +Inf: GELU and SiLU give +Inf; -Inf: the formulas give -Inf * 0 = NaN, or
                 * 0 where a libm returns an exact 0; either way not finite garbage. */
                default: ok = n == neg_n ? (c != c || c == 0.0f) : c == INFINITY; break;
              }
            } else {
              ok = isfinite(c) && same_float(c, Cref[m * g.ldc + n]);
            }
            if (!ok && !wrong++) first_m = m, first_n = n;
          }
        }
        CHECK(wrong == 0, "%s NaN/Inf %s: %zu wrong; first C[%zu][%zu] = %g", names[w], desc,
              wrong, first_m, first_n, (double)C[first_m * g.ldc + first_n]);
        CHECK(guard_damage(&g, w == 0 ? buf_ref : (w == 1 ? buf_p : buf_u), total) == 0,
              "%s NaN/Inf %s: wrote outside C", names[w], desc);
      }
      /* the kernel and the reference agree on every element (NaN where the other is NaN) */
      size_t diff = 0;
      for (size_t m = 0; m < M; m++) {
        for (size_t n = 0; n < N; n++) {
          diff += !same_float(Cp[m * g.ldc + n], Cref[m * g.ldc + n]);
          diff += !same_float(Cu[m * g.ldc + n], Cref[m * g.ldc + n]);
        }
      }
      CHECK(diff == 0, "NaN/Inf %s: %zu elements differ from gemm_f32_ref", desc, diff);
      free(work);
      free(packed);
      free(buf_ref);
      free(buf_p);
      free(buf_u);
      free_operands(&o);
    }
  }
}

/* One packed B serves many calls (weights are packed once): different M, A and activations
 * against the same packed buffer, which must not be modified. */
static void test_packed_reuse(void) {
  const size_t K = 45, N = 30;
  gemm_case g0 = make_case(1, N, K, 1, 0, 0, 0, 1, KERNEL_ACT_NONE, 0);
  operands o = make_operands(&g0);
  const size_t psize = gemm_f32_packed_size(K, N);
  float *packed = malloc(psize * sizeof(float));
  gemm_f32_pack_b(K, N, o.B, g0.ldb, 1, packed);
  float *copy = malloc(psize * sizeof(float));
  memcpy(copy, packed, psize * sizeof(float));
  for (size_t M = 1; M <= 9; M += 4) {
    float *A = matrix(M, K, K, 0);
    float *C = malloc(M * N * sizeof(float));
    float *Cref = malloc(M * N * sizeof(float));
    for (size_t a = 0; a < 5; a++) {
      gemm_f32_packed(M, N, K, A, K, packed, o.bias, ACTS[a], C, N);
      gemm_f32_ref(M, N, K, A, K, o.B, g0.ldb, 1, o.bias, ACTS[a], Cref, N);
      size_t diff = 0;
      for (size_t i = 0; i < M * N; i++) diff += !same_float(C[i], Cref[i]);
      CHECK(diff == 0, "packed reuse M=%zu act=%s: %zu differ", M, ACT_NAMES[a], diff);
    }
    free(A);
    free(C);
    free(Cref);
  }
  CHECK(memcmp(copy, packed, psize * sizeof(float)) == 0, "packed B unchanged by use");
  free(copy);
  free(packed);
  free_operands(&o);
}

/* The two B layouts describe the same matrix: packing B (K x N) and its transpose (N x K)
 * must give identical packed buffers. */
static void test_layouts_agree(void) {
  const size_t K = 19, N = 27;
  float *B = matrix(K, N, N + 3, 0);
  float *Bt = malloc(N * (K + 1) * sizeof(float));
  for (size_t n = 0; n < N; n++) {
    for (size_t k = 0; k < K; k++) Bt[n * (K + 1) + k] = B[k * (N + 3) + n];
    Bt[n * (K + 1) + K] = NAN;
  }
  const size_t psize = gemm_f32_packed_size(K, N);
  float *p0 = malloc(psize * sizeof(float)), *p1 = malloc(psize * sizeof(float));
  gemm_f32_pack_b(K, N, B, N + 3, 0, p0);
  gemm_f32_pack_b(K, N, Bt, K + 1, 1, p1);
  CHECK(memcmp(p0, p1, psize * sizeof(float)) == 0, "packing B and B^T gives the same panels");
  free(B);
  free(Bt);
  free(p0);
  free(p1);
}

int main(void) {
  test_shapes();
  test_big_shapes();
  test_exact();
  test_degenerate();
  test_special_values();
  test_packed_reuse();
  test_layouts_agree();
  return harness_finish("test_gemm_f32");
}
