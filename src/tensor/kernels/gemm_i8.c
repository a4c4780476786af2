/* int8 GEMM: per-output-channel int8 weights, per-row int8 activations quantized on the fly,
 * exact int32 accumulation with i32x4.dot_i16x8_s, float epilogue with bias and activation.
 *
 * Why this shape (measurements in bench/README.md, "int8 GEMM"). i32x4.dot_i16x8_s multiplies
 * eight int16 pairs and adds neighbouring products into four int32 lanes: 8 multiply-adds for one
 * pmaddwd plus one i32x4.add to accumulate, where f32 needs an f32x4.mul and an f32x4.add for 4
 * (wasm SIMD128 has no FMA). On the development machine pmaddwd and mulps both issue two per
 * cycle, so 2x the f32 GEMM is the ceiling, approached only if the int8 loop is as lean as the
 * f32 one:
 *
 *   - k pairs along the lanes. For a k pair (k, k+1) the packed weights of 4 output channels are
 *     8 bytes [c0:k c0:k+1 c1:k c1:k+1 c2:k c2:k+1 c3:k c3:k+1]; v128.load8x8_s loads and widens
 *     them in one instruction (pmovsxbw). The activation pair (a_k, a_k+1), stored as two int16,
 *     is one 32-bit lane broadcast by v128.load32_splat (vbroadcastss from memory). One dot then
 *     gives 4 channels x 2 k, already laid out as 4 output columns: no reduction across lanes.
 *   - Register tile 4 rows x 8 channels: per k pair 2 weight loads, 4 broadcasts, 8 pmaddwd and
 *     8 paddd for 64 multiply-adds; the f32 kernel's 4 x 8 tile does 32 with 2 + 4 loads and 16
 *     arithmetic instructions. V8 gives wasm 15 usable xmm registers on x86-64: 8 accumulators +
 *     2 weights + 1 broadcast + 1 product fit. Leftover rows use 3 x 8, 2 x 16 and 1 x 24 tiles
 *     (M = 1 keeps 6 independent accumulator chains).
 *   - Tried and measured slower or no faster: K along the lanes with a final reduction (2 x 4,
 *     4 x 2, 3 x 3 tiles: 12-35% slower), 5 x 8 and 6 x 8 tiles and unrolling k (V8 spills),
 *     weights pre-widened to int16 (no gain: the widening load is not the bottleneck, and int8
 *     keeps a quarter of f32's memory traffic, which is what makes M = 1 fast), activations
 *     interleaved per row group (no gain).
 *   - Activations are widened to int16 once, while quantizing into gemm_i8's workspace, so the
 *     inner loop never widens them. gemm_i8_accumulate takes int8 activations with any stride:
 *     it widens them, a k-chunk of a row group at a time, into a small stack buffer and runs the
 *     very same tiles, so the exact test of gemm_i8_accumulate covers the code gemm_i8 runs.
 *
 * Packed weights (gemm_i8_pack_b). Kp = K rounded up to even; channels in panels of 8 (N rounded
 * up to 8; missing channels are all zero). Panel p is 8 * Kp contiguous bytes: for k pair j,
 * bytes [16 j, 16 j + 8) hold channels 8p..8p+3 and [16 j + 8, 16 j + 16) channels 8p+4..8p+7,
 * each as (k = 2j, k = 2j + 1). An odd K's last pair has k = K zero, so the padding adds nothing
 * (the activations' padding is zero too).
 *
 * Rounding: quantization rounds half to even everywhere (f32x4.nearest in the SIMD path,
 * nearbyintf in the default rounding mode in scalar code: both IEEE roundToIntegralTiesToEven),
 * and divides by the scale rather than multiplying by its reciprocal, so the SIMD quantizer, the
 * scalar reference and the weight packer give identical integers natively and in wasm.
 *
 * Non-finite input: a row of A (a weight column) holding NaN or +-Inf gets scale NaN and
 * all-zero q, so no NaN is ever converted to an integer (UB in C) and the whole output row
 * (column) comes out NaN, where a float GEMM would give NaN or +-Inf there. A row whose max |a| is
 * below FLT_MIN (zero or only subnormals) gets scale 0 and q = 0: its outputs are act(bias).
 *
 * Overflow: |q_a| <= 128 (a caller of gemm_i8_accumulate may pass -128; the quantizer gives at
 * most 127) and |q_w| <= 127, so every partial sum in any order is bounded by 128 * 127 * K and
 * fits int32 for K <= GEMM_I8_MAX_K = 132,104. gemm_i8 splits longer K into chunks of I8_K_CHUNK
 * and adds the chunks' scaled results in float; gemm_i8_accumulate wraps modulo 2^32 (wasm lane
 * adds wrap; no UB), as gemm_i8_ref_i32 does. Inside one dot each product is at most 128 * 127
 * and the pair sum 32,512, formed in 32 bits, so the dot itself cannot overflow.
 *
 * No allocation, no global state.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "kernels.h"
#include "simd.h"

#define I8_PANEL 8  /* output channels per packed panel */
#define I8_MR 4     /* rows of the main tile */
/* Weight panels per N-chunk: the chunk's packed weights (about I8_CHUNK_BYTES) stay in L2 while
 * every row group sweeps over them. */
#ifndef I8_CHUNK_BYTES
#define I8_CHUNK_BYTES (256 * 1024)
#endif
/* k per int32 accumulation in gemm_i8: even and <= GEMM_I8_MAX_K. */
#define I8_K_CHUNK ((size_t)131072)
/* k per widening step of gemm_i8_accumulate: 4 rows x 512 int16 = 4 KB of stack. */
#define I8_ACC_KC ((size_t)512)

#if defined(__GNUC__) || defined(__clang__)
#define I8_INLINE static inline __attribute__((always_inline))
#else
#define I8_INLINE static inline
#endif

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }
static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

size_t gemm_i8_packed_size(size_t K, size_t N) { return round_up(N, I8_PANEL) * round_up(K, 2); }

/* ---- quantization ---------------------------------------------------------------------------- */

/* One value, given a valid scale (> 0, from a finite max): round half to even, clamp. The clamp
 * only matters for the largest element, where a / (max / 127) may round to 127 + 1 ulp. */
static int quantize_one(float a, float scale) {
  float r = nearbyintf(a / scale);
  if (r > 127.0f) r = 127.0f;
  if (r < -127.0f) r = -127.0f;
  return (int)r;
}

/* The scale policy shared by weights and activations: NaN for non-finite, 0 below FLT_MIN. */
static float scale_from_max(float amax, int finite) {
  if (!finite) return NAN;
  if (amax < FLT_MIN) return 0.0f;
  return amax / 127.0f;
}

void gemm_i8_pack_b(size_t K, size_t N, const float *B, size_t ldb, int trans_b, int8_t *packed,
                    float *scales) {
  if (N == 0) return;
  const size_t pstride = I8_PANEL * round_up(K, 2);
  if (K > 0) memset(packed, 0, gemm_i8_packed_size(K, N));
  /* Per-channel max |w|; a non-finite channel's max becomes NaN and stays NaN (v > NaN is
   * false). Both layouts are read in memory order: for K x N, the column maxima are gathered
   * row by row into scales[] (used as scratch). */
  for (size_t n = 0; n < N; n++) scales[n] = 0.0f;
  for (size_t i = 0; i < (trans_b ? N : K); i++) {
    for (size_t j = 0; j < (trans_b ? K : N); j++) {
      float *mx = &scales[trans_b ? i : j];
      float v = fabsf(B[i * ldb + j]);
      if (!(v <= FLT_MAX)) *mx = NAN;
      else if (v > *mx) *mx = v;
    }
  }
  for (size_t n = 0; n < N; n++) scales[n] = scale_from_max(scales[n], scales[n] == scales[n]);
  /* Quantize into the panel layout; channels whose scale is NaN or 0 stay all zero. */
  for (size_t i = 0; i < (trans_b ? N : K); i++) {
    for (size_t j = 0; j < (trans_b ? K : N); j++) {
      const size_t n = trans_b ? i : j, k = trans_b ? j : i, c = n % I8_PANEL;
      const float scale = scales[n];
      if (!(scale > 0.0f)) continue;
      packed[(n / I8_PANEL) * pstride + (k / 2) * 16 + (c / 4) * 8 + (c % 4) * 2 + k % 2] =
          (int8_t)quantize_one(B[i * ldb + j], scale);
    }
  }
}

void gemm_i8_pack_quantized(size_t K, size_t N, const int8_t *q, size_t ldq, const float *scales,
                            int8_t *packed) {
  if (N == 0 || K == 0) return;
  const size_t pstride = I8_PANEL * round_up(K, 2);
  memset(packed, 0, gemm_i8_packed_size(K, N));
  for (size_t n = 0; n < N; n++) {
    /* as gemm_i8_pack_b: a channel without a valid scale (NaN or 0) stays all zero */
    if (!(scales[n] > 0.0f)) continue;
    const size_t c = n % I8_PANEL;
    int8_t *panel = packed + (n / I8_PANEL) * pstride + (c / 4) * 8 + (c % 4) * 2;
    for (size_t k = 0; k < K; k++) panel[(k / 2) * 16 + k % 2] = q[n * ldq + k];
  }
}

/* Quantizes one row into q: int16 elements when wide, else int8 (the same integers either way).
 * Returns the scale. Invalid rows (scale NaN or 0) get all-zero q. */
I8_INLINE float quantize_row(const float *a, size_t K, void *q, const int wide) {
  /* Pass 1: max |a| and finiteness. |a| <= FLT_MAX is false exactly for NaN and +-Inf, and
   * comparisons are fully specified (unlike min/max with NaN operands), so the mask is the
   * finiteness test and pmax only matters in rows that are all finite. */
  const v128_t fmax = wasm_f32x4_splat(FLT_MAX);
  v128_t vmax = wasm_f32x4_splat(0.0f), vok = wasm_i32x4_splat(-1);
  size_t k = 0;
  for (; k + 4 <= K; k += 4) {
    v128_t v = wasm_f32x4_abs(wasm_v128_load(a + k));
    vok = wasm_v128_and(vok, wasm_f32x4_le(v, fmax));
    vmax = wasm_f32x4_pmax(vmax, v);
  }
  int finite = wasm_i32x4_all_true(vok);
  vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 2, 3, 0, 1));
  vmax = wasm_f32x4_pmax(vmax, wasm_i32x4_shuffle(vmax, vmax, 1, 0, 3, 2));
  float amax = wasm_f32x4_extract_lane(vmax, 0);
  for (; k < K; k++) {
    float v = fabsf(a[k]);
    if (!(v <= FLT_MAX)) finite = 0;
    else if (v > amax) amax = v;
  }
  const float scale = scale_from_max(amax, finite);
  if (!(scale > 0.0f)) {
    memset(q, 0, K * (wide ? sizeof(int16_t) : 1));
    return scale;
  }
  /* Pass 2, 8 values per step: divide, round half to even, clamp, convert (finite and within
   * [-127, 127], so trunc_sat is exact), narrow with saturation (which never saturates). */
  int16_t *q16 = (int16_t *)q;
  int8_t *q8 = (int8_t *)q;
  const v128_t vs = wasm_f32x4_splat(scale);
  const v128_t hi = wasm_f32x4_splat(127.0f), lo = wasm_f32x4_splat(-127.0f);
  k = 0;
  for (; k + 8 <= K; k += 8) {
    v128_t x0 = wasm_f32x4_div(wasm_v128_load(a + k), vs);
    v128_t x1 = wasm_f32x4_div(wasm_v128_load(a + k + 4), vs);
    x0 = wasm_f32x4_pmax(wasm_f32x4_pmin(wasm_f32x4_nearest(x0), hi), lo);
    x1 = wasm_f32x4_pmax(wasm_f32x4_pmin(wasm_f32x4_nearest(x1), hi), lo);
    v128_t h = wasm_i16x8_narrow_i32x4(wasm_i32x4_trunc_sat_f32x4(x0),
                                       wasm_i32x4_trunc_sat_f32x4(x1));
    if (wide) wasm_v128_store(q16 + k, h);
    else wasm_v128_store64_lane(q8 + k, wasm_i8x16_narrow_i16x8(h, h), 0);
  }
  for (; k < K; k++) {
    int v = quantize_one(a[k], scale);
    if (wide) q16[k] = (int16_t)v;
    else q8[k] = (int8_t)v;
  }
  return scale;
}

void quantize_rows_i8(size_t M, size_t K, const float *A, size_t lda, int8_t *q, size_t ldq,
                      float *scales) {
  if (K == 0) { /* empty rows are zero rows; A and q may be NULL */
    for (size_t m = 0; m < M; m++) scales[m] = 0.0f;
    return;
  }
  for (size_t m = 0; m < M; m++) scales[m] = quantize_row(A + m * lda, K, q + m * ldq, 0);
}

/* ---- output ---------------------------------------------------------------------------------- */

/* Where a tile's sums go. int32 (gemm_i8_accumulate): store, or add to C for later k-chunks.
 * float (gemm_i8): C = acc * a_scale * w_scale, or C += that for later k-chunks (only past
 * I8_K_CHUNK), and on the last chunk + bias, then act. */
typedef struct i8_out {
  int32_t *ci; /* int32 mode when not NULL */
  float *cf;
  size_t ldc;
  const float *a_scales; /* per row of A */
  const float *w_scales; /* per output channel */
  const float *bias;     /* may be NULL */
  kernel_activation act;
  int first, last;
} i8_out;


/* Stores row m, channels n..n+width-1 (1 <= width <= 4) of one accumulator vector. Full groups
 * go through vectors; the channel edge goes lane by lane with the same float operations. */
I8_INLINE void store4(const i8_out *o, size_t m, size_t n, size_t width, v128_t acc) {
  if (o->ci) {
    int32_t *dst = o->ci + m * o->ldc + n;
    if (width == 4) {
      if (!o->first) acc = wasm_i32x4_add(acc, wasm_v128_load(dst));
      wasm_v128_store(dst, acc);
      return;
    }
    int32_t tmp[4];
    wasm_v128_store(tmp, acc);
    /* unsigned add: wraps like the SIMD lanes, without signed-overflow UB */
    for (size_t j = 0; j < width; j++)
      dst[j] = o->first ? tmp[j] : (int32_t)((uint32_t)dst[j] + (uint32_t)tmp[j]);
    return;
  }
  float *dst = o->cf + m * o->ldc + n;
  v128_t v = wasm_f32x4_mul(wasm_f32x4_convert_i32x4(acc), wasm_f32x4_splat(o->a_scales[m]));
  if (width == 4) {
    v = wasm_f32x4_mul(v, wasm_v128_load(o->w_scales + n));
    if (!o->first) v = wasm_f32x4_add(wasm_v128_load(dst), v);
    if (o->last && o->bias) v = wasm_f32x4_add(v, wasm_v128_load(o->bias + n));
    if (o->last && o->act == KERNEL_ACT_RELU) /* keep x > 0 and NaN, else +0 */
      v = wasm_v128_and(v, wasm_v128_or(wasm_f32x4_gt(v, wasm_f32x4_splat(0.0f)),
                                        wasm_f32x4_ne(v, v)));
    if (!o->last || o->act == KERNEL_ACT_NONE || o->act == KERNEL_ACT_RELU) {
      wasm_v128_store(dst, v);
      return;
    }
    float tmp[4];
    wasm_v128_store(tmp, v);
    for (size_t j = 0; j < 4; j++) dst[j] = kernel_act_scalar(o->act, tmp[j]);
    return;
  }
  float tmp[4];
  wasm_v128_store(tmp, v);
  for (size_t j = 0; j < width; j++) {
    float x = tmp[j] * o->w_scales[n + j];
    if (!o->first) x = dst[j] + x;
    if (o->last) {
      if (o->bias) x = x + o->bias[n + j];
      x = kernel_act_scalar(o->act, x);
    }
    dst[j] = x;
  }
}

/* ---- the integer kernel ---------------------------------------------------------------------- */

typedef struct i8_tile_args {
  size_t kpairs;
  const int16_t *a; /* the tile's first row at its first k (int16, zero-padded to even K) */
  size_t lda;       /* in int16 elements */
  const int8_t *b;  /* the tile's first panel at its first k pair */
  size_t pstride;   /* bytes between panels */
  size_t m, n, N;   /* where the tile's C starts; N bounds the columns */
  const i8_out *o;
} i8_tile_args;

/* One R x (8 P) tile: R rows, P panels, over kpairs k pairs. R and P are constants at every
 * call, so the loops unroll and the accumulators become wasm locals (registers). */
I8_INLINE void tile(const int R, const int P, const i8_tile_args *t) {
  v128_t acc[I8_MR][6];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < 2 * P; v++) acc[r][v] = wasm_i32x4_splat(0);
  const int8_t *b = t->b;
  const int16_t *a = t->a;
  const size_t lda = t->lda, pstride = t->pstride;
  for (size_t j = 0; j < t->kpairs; j++) {
    v128_t w[6];
    for (int p = 0; p < P; p++) {
      w[2 * p] = wasm_i16x8_load8x8(b + (size_t)p * pstride);
      w[2 * p + 1] = wasm_i16x8_load8x8(b + (size_t)p * pstride + 8);
    }
    for (int r = 0; r < R; r++) {
      const v128_t x = wasm_v128_load32_splat(a + (size_t)r * lda); /* (a_k, a_k+1) x 4 */
      for (int v = 0; v < 2 * P; v++)
        acc[r][v] = wasm_i32x4_add(acc[r][v], wasm_i32x4_dot_i16x8(x, w[v]));
    }
    b += 16;
    a += 2;
  }
  for (int v = 0; v < 2 * P; v++) {
    const size_t n = t->n + 4 * (size_t)v;
    if (n >= t->N) break;
    const size_t width = min_size(4, t->N - n);
    for (int r = 0; r < R; r++) store4(t->o, t->m + (size_t)r, n, width, acc[r][v]);
  }
}

/* Each tile shape is its own function, called through a table. V8 runs a wasm function in its
 * baseline tier (Liftoff) until it has been optimized, and only a later call of the function
 * runs the optimized code: a hot loop inside a function entered once per GEMM would run a whole
 * large GEMM unoptimized (about 4x slower on its first call). Small tile functions are called
 * thousands of times per GEMM and switch to optimized code after a few. The calls go through a
 * table because emcc's wasm-opt inlines a function with a single call site into its caller,
 * whatever the C source says; it cannot inline an indirect call. */
static void tile_4x8(const i8_tile_args *t) { tile(4, 1, t); }
static void tile_3x8(const i8_tile_args *t) { tile(3, 1, t); }
static void tile_2x16(const i8_tile_args *t) { tile(2, 2, t); }
static void tile_2x8(const i8_tile_args *t) { tile(2, 1, t); }
static void tile_1x24(const i8_tile_args *t) { tile(1, 3, t); }
static void tile_1x16(const i8_tile_args *t) { tile(1, 2, t); }
static void tile_1x8(const i8_tile_args *t) { tile(1, 1, t); }

typedef void (*i8_tile_fn)(const i8_tile_args *);
/* [rows - 1][panels - 1]; NULL where a shape is never used (3-4 rows take one panel). */
static const i8_tile_fn tile_table[I8_MR][3] = {
    {tile_1x8, tile_1x16, tile_1x24},
    {tile_2x8, tile_2x16, NULL},
    {tile_3x8, NULL, NULL},
    {tile_4x8, NULL, NULL},
};

/* Rows [m, m + mr) (mr <= 4, A already int16 at t->a) against panels [p0, p1). */
static void row_group(size_t mr, size_t p0, size_t p1, i8_tile_args *t, const int8_t *packed) {
  for (size_t p = p0; p < p1;) {
    /* panels per tile: 1 for 3-4 rows, up to 2 for 2 rows, up to 3 for 1 row */
    const size_t np = min_size(mr >= 3 ? 1 : 4 - mr, p1 - p);
    t->b = packed + p * t->pstride;
    t->n = p * I8_PANEL;
    tile_table[mr - 1][np - 1](t);
    p += np;
  }
}

/* All of M x N for one k range. A is either int16 rows ready for the tiles (a16, stride lda) or
 * int8 rows (a8, stride lda) that are widened into a stack buffer one row group at a time (then
 * K <= I8_ACC_KC). packed points at the k range's first pair of panel 0. */
static void gemm_range(size_t M, size_t N, size_t K, const int16_t *a16, const int8_t *a8,
                       size_t lda, const int8_t *packed, size_t pstride, const i8_out *o) {
  const size_t kpairs = (K + 1) / 2;
  const size_t panels = (N + I8_PANEL - 1) / I8_PANEL;
  size_t chunk = I8_CHUNK_BYTES / (I8_PANEL * 2 * kpairs);
  if (chunk < 3) chunk = 3;
  int16_t wide[I8_MR][I8_ACC_KC];
  i8_tile_args t = {.kpairs = kpairs, .pstride = pstride, .N = N, .o = o};
  for (size_t p0 = 0; p0 < panels; p0 += chunk) {
    const size_t p1 = min_size(p0 + chunk, panels);
    for (size_t m = 0; m < M; m += I8_MR) {
      const size_t mr = min_size(I8_MR, M - m);
      t.m = m;
      if (a8) {
        for (size_t r = 0; r < mr; r++) {
          const int8_t *src = a8 + (m + r) * lda;
          for (size_t k = 0; k < K; k++) wide[r][k] = src[k];
          if (K % 2) wide[r][K] = 0;
        }
        t.a = wide[0];
        t.lda = I8_ACC_KC;
      } else {
        t.a = a16 + m * lda;
        t.lda = lda;
      }
      row_group(mr, p0, p1, &t, packed);
    }
  }
}

void gemm_i8_accumulate(size_t M, size_t N, size_t K, const int8_t *qa, size_t lda,
                        const int8_t *packed_b, int32_t *C, size_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (size_t m = 0; m < M; m++) memset(C + m * ldc, 0, N * sizeof(int32_t));
    return;
  }
  const size_t pstride = I8_PANEL * round_up(K, 2);
  for (size_t k0 = 0; k0 < K; k0 += I8_ACC_KC) { /* I8_ACC_KC is even: chunks start on a pair */
    const size_t kc = min_size(I8_ACC_KC, K - k0);
    i8_out o = {.ci = C, .ldc = ldc, .first = k0 == 0, .last = k0 + kc == K};
    gemm_range(M, N, kc, NULL, qa + k0, lda, packed_b + k0 * I8_PANEL, pstride, &o);
  }
}

/* Workspace: M float scales, then the rows quantized to int16 at a 16-byte-aligned offset, row
 * stride Kp = K rounded up to even, zero-padded. */
static size_t ws_q_offset(size_t M) { return round_up(M * sizeof(float), 16); }

size_t gemm_i8_workspace_size(size_t M, size_t K) {
  return ws_q_offset(M) + M * round_up(K, 2) * sizeof(int16_t);
}

void gemm_i8(size_t M, size_t N, size_t K, const float *A, size_t lda, const int8_t *packed_b,
             const float *b_scales, const float *bias, kernel_activation act, float *C,
             size_t ldc, void *workspace) {
  if (M == 0 || N == 0) return;
  if (K == 0) { /* an empty sum: C = act(bias), as gemm_f32 */
    for (size_t m = 0; m < M; m++)
      for (size_t n = 0; n < N; n++) C[m * ldc + n] = kernel_act_scalar(act, bias ? 0.0f + bias[n] : 0.0f);
    return;
  }
  const size_t Kp = round_up(K, 2);
  float *a_scales = (float *)workspace; /* the workspace is malloc-aligned (kernels.h) */
  int16_t *qa = (int16_t *)((unsigned char *)workspace + ws_q_offset(M));
  for (size_t m = 0; m < M; m++) {
    a_scales[m] = quantize_row(A + m * lda, K, qa + m * Kp, 1);
    if (Kp > K) qa[m * Kp + K] = 0;
  }
  const size_t pstride = I8_PANEL * Kp;
  /* Chunks of at most I8_K_CHUNK k keep every int32 sum exact; almost always there is one. */
  for (size_t k0 = 0; k0 < Kp; k0 += I8_K_CHUNK) {
    const size_t kc = min_size(I8_K_CHUNK, Kp - k0);
    i8_out o = {.cf = C, .ldc = ldc, .a_scales = a_scales, .w_scales = b_scales, .bias = bias,
                .act = act, .first = k0 == 0, .last = k0 + kc == Kp};
    gemm_range(M, N, kc, qa + k0, NULL, Kp, packed_b + k0 * I8_PANEL, pstride, &o);
  }
}
