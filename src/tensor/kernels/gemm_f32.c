/* f32 GEMM: C[M x N] = act(A[M x K] * B[K x N] + bias), B packed once into 24-column panels.
 *
 * Written once against wasm_simd128.h (simd.h); native builds run the same code through SIMDe.
 * The measurements behind each choice below are in bench/README.md ("f32 GEMM").
 *
 * Packed B: ceil(N / 24) panels of 24 columns, each K-major (panel[k * 24 + j] = B[k][n0 + j]),
 *   the last one zero-padded. A panel is three 8-column "strips" side by side; a microkernel
 *   reads one, two or three adjacent strips of a panel, so every B load of a k step is at a
 *   constant offset from one pointer that advances 24 floats per k.
 *
 * Microkernel: "broadcast A, load B". Per k: one v128.load32_splat of A per row, two v128.load
 *   of B per strip, then per row and strip two f32x4.mul and two f32x4.add (wasm SIMD128 has
 *   no FMA; the relaxed-SIMD build fuses each pair, see MULADD). Tile shapes:
 *   - 5 x 8 (main): 10 accumulators. V8 on x86-64 gives wasm 15 usable xmm registers; 10
 *     accumulators + 2 B + 1 A + 1 product fit, 6 x 8 (12 accumulators) does not: V8 spills an
 *     accumulator to the stack, which puts a store-to-load round trip on its dependency chain
 *     and costs a third of the speed. Unrolling k spills for the same reason.
 *   - rows left over: 4 x 8 and 3 x 8; 2 x 16; 1 x 24. A lone row reads the whole panel, so
 *     M = 1 (a matrix-vector product) keeps 6 independent accumulators and one B pointer.
 *   - The last rows are split evenly (8 rows: 4 + 4, not 5 + 3).
 *   On the development machine the 5 x 8 loop runs at about 75-80% of the measured peak
 *   mul+add rate: each k step issues 7 loads besides its 20 arithmetic operations, and loads
 *   compete with arithmetic for issue slots.
 *
 * Packed A: for each tile row block, the rows x kc strip of A is copied k-major into a stack
 *   buffer (at most MR x GEMM_KC floats, 15 KB), so all its broadcasts come from one pointer
 *   with constant offsets. The copy is amortized over every strip of the column block. A single
 *   row is already in that layout and is read in place.
 *
 * Blocking: columns in blocks of GEMM_NC (a multiple of 24) and k in blocks of GEMM_KC, so the
 *   slab of packed B swept by all row tiles stays near L2 and the packed strip of A in L1.
 *   Between k blocks the partial sums live in C. M = 1 runs as one block: a single row reuses
 *   nothing, and its partial sums then never make a round trip through C.
 *
 * Summation order: every C element is one accumulator summed in k order from +0 (across k
 *   blocks too: the next block starts from the stored partial sum), then bias, then the
 *   activation: the operations of gemm_f32_ref in the same order, so the two agree bit for bit
 *   (the tests check it, besides an error bound against float64). It also makes a row's result
 *   independent of M, of the blocking and of the tile that computed it.
 *
 * Epilogue: bias and ReLU in registers before the store; GELU and SiLU by the scalar libm
 *   functions on the stored tile (O(M N) calls against O(M N K) flops).
 *
 * Edges: partial tiles (fewer than 8 P valid columns) go through a small stack buffer, so no
 *   load or store touches memory outside A's M x K, B's K x N and C's M x N regions, ld
 *   padding included. Alignment is not required; 16-byte-aligned packed B and C are faster.
 *
 * No allocation, no global mutable state. */
#include <math.h>
#include <string.h>

#include "kernels.h"
#include "simd.h"

#define SW 8  /* strip width: two v128 */
#define PW 24 /* packed panel width: three strips */

#ifndef GEMM_MR
#define GEMM_MR 5 /* rows of the main tile (3 to 6) */
#endif
/* Block sizes. Measured on the development machine (bench/README.md): k blocks of 768 beat 512
 * by up to 25% at K = 768 (one block instead of 512 + 256); otherwise 256 to 1536 for k and 240
 * to 3072 for columns all measured within noise, this core's 1 MB L2 and its L3 bandwidth
 * keeping the tiles fed at these rates. */
#ifndef GEMM_KC
#define GEMM_KC 768 /* k per block; the A copy is MR x KC floats (15 KB) on the stack */
#endif
#ifndef GEMM_NC
#define GEMM_NC 384 /* columns per block, a multiple of PW: a 768 x 384 slab of B is 1.2 MB */
#endif
#define MR GEMM_MR
#define MAXP 3 /* strips per tile */

#if defined(__GNUC__) || defined(__clang__)
#define GEMM_INLINE static inline __attribute__((always_inline))
#define GEMM_NOINLINE static __attribute__((noinline))
#else
#define GEMM_INLINE static inline
#define GEMM_NOINLINE static
#endif

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }
static size_t round_up_pw(size_t n) { return (n + PW - 1) / PW * PW; }


/* ---- packing ---------------------------------------------------------------------------------
 * Writes columns [n0, n0 + ncols) and rows [k0, k0 + kc) of B as ceil(ncols / 24) panels,
 * panel p at dst + p * pstride, its row k at + k * 24; columns past ncols are zero. */
static void pack_slab(size_t kc, size_t ncols, const float *B, size_t ldb, int trans_b, size_t k0,
                      size_t n0, float *dst, size_t pstride) {
  for (size_t p = 0; p * PW < ncols; p++) {
    float *panel = dst + p * pstride;
    const size_t n = n0 + p * PW;
    const size_t w = min_size(PW, ncols - p * PW);
    if (!trans_b) {
      const float *src = B + k0 * ldb + n;
      if (w == PW) {
        for (size_t k = 0; k < kc; k++) {
          for (size_t j = 0; j < PW; j += 4) {
            wasm_v128_store(panel + k * PW + j, wasm_v128_load(src + k * ldb + j));
          }
        }
      } else {
        for (size_t k = 0; k < kc; k++) {
          for (size_t j = 0; j < PW; j++) panel[k * PW + j] = j < w ? src[k * ldb + j] : 0.0f;
        }
      }
    } else {
      /* B is N x K: panel column j is row n + j of B, contiguous in k. Groups of 4 columns
       * are moved 4 k at a time by 4 x 4 transposes; the rest one float at a time. */
      const float *src = B + n * ldb + k0;
      const size_t w4 = w / 4 * 4;
      const size_t kc4 = kc / 4 * 4;
      for (size_t k = 0; k < kc4; k += 4) {
        for (size_t h = 0; h < w4; h += 4) {
          const v128_t r0 = wasm_v128_load(src + (h + 0) * ldb + k);
          const v128_t r1 = wasm_v128_load(src + (h + 1) * ldb + k);
          const v128_t r2 = wasm_v128_load(src + (h + 2) * ldb + k);
          const v128_t r3 = wasm_v128_load(src + (h + 3) * ldb + k);
          const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5); /* r0[0] r1[0] r0[1] r1[1] */
          const v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
          const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
          const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
          wasm_v128_store(panel + (k + 0) * PW + h, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
          wasm_v128_store(panel + (k + 1) * PW + h, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
          wasm_v128_store(panel + (k + 2) * PW + h, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
          wasm_v128_store(panel + (k + 3) * PW + h, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
        }
      }
      for (size_t k = 0; k < kc; k++) {
        for (size_t j = k < kc4 ? w4 : 0; j < PW; j++) {
          panel[k * PW + j] = j < w ? src[j * ldb + k] : 0.0f;
        }
      }
    }
  }
}

size_t gemm_f32_packed_size(size_t K, size_t N) { return K * round_up_pw(N); }

void gemm_f32_pack_b(size_t K, size_t N, const float *B, size_t ldb, int trans_b, float *packed) {
  if (K == 0 || N == 0) return;
  pack_slab(K, N, B, ldb, trans_b, 0, 0, packed, K * PW);
}

/* GELU and SiLU over an R x nc tile of C, out of line: the libm calls stay out of every tile
 * function (a copy of erff, tanhf and expf inlined into each would triple the code size). */
GEMM_NOINLINE void act_rows(size_t rows, size_t nc, float *c, size_t ldc, kernel_activation act) {
  for (size_t r = 0; r < rows; r++) {
    for (size_t j = 0; j < nc; j++) c[r * ldc + j] = kernel_act_scalar(act, c[r * ldc + j]);
  }
}

/* ---- microkernel -----------------------------------------------------------------------------
 * One R x (8 P) tile: R rows of packed A (a[k * R + r]) times P adjacent strips of a packed B
 * panel (b: the first strip at the block's first k; row k at b + k * 24), over kc values of k.
 * Columns [0, nc) of C are valid (1 <= nc <= 8 P).
 * load_c: start from the partial sums in C (a later k block); otherwise from +0.
 * finish: this is the last k block: add bias, apply the activation. */
typedef struct tile_args {
  size_t kc;
  const float *a;
  const float *b;
  float *c;
  size_t ldc;
  size_t nc;
  int load_c;
  int finish;
  const float *bias; /* at the tile's first column, or NULL */
  kernel_activation act;
} tile_args;

/* The accumulators are named v128_t locals (rows 0-5 x vectors 0-5), visited through FOR_ACC
 * and guarded by the constant R and P, so the unused ones fold away and the rest become wasm
 * locals. (An array indexed in loops, even fully unrolled ones, left clang 14 keeping it in
 * linear memory, with a store per accumulator per k in the hot loop.) */
#define FOR_ROW(X, r) X(r, 0) X(r, 1) X(r, 2) X(r, 3) X(r, 4) X(r, 5)
#define FOR_ACC(X) FOR_ROW(X, 0) FOR_ROW(X, 1) FOR_ROW(X, 2) FOR_ROW(X, 3) FOR_ROW(X, 4) FOR_ROW(X, 5)
#define LIVE(r, v) ((r) < R && (v) < 2 * P)

/* acc + a * b. The relaxed-SIMD build (js/tetra-relaxed.wasm; CMakeLists.txt) compiles this file
 * alone with -mrelaxed-simd: there it is one f32x4.relaxed_madd, fused on CPUs with FMA. On the
 * development machine that takes the 5 x 8 loop from about 78% to about 95% of the multiply-add
 * peak (+20-25%): per k step the core issues about four floating-point operations per cycle, B and
 * A loads included, and 10 fused operations replace 10 multiplies and 10 adds. The sums are then
 * no longer rounded after each product, so that build agrees with gemm_f32_ref within rounding
 * error rather than bit for bit. Clang 14 spells the instruction __builtin_wasm_fma_f32x4 (the
 * prototype's a * b + c, opcode 0xaf); tools/wasm/relax_opcodes.mjs gives it the standard
 * opcode after linking. */
#if defined(__wasm_relaxed_simd__)
#define MULADD(a, b, c) __builtin_wasm_fma_f32x4(a, b, c)
int gemm_f32_fused(void) { return 1; }
#else
#define MULADD(a, b, c) wasm_f32x4_add(c, wasm_f32x4_mul(a, b))
int gemm_f32_fused(void) { return 0; }
#endif

GEMM_INLINE void tile(const int R, const int P, const tile_args *t) {
  const size_t kc = t->kc, ldc = t->ldc, nc = t->nc;
  const int full = nc == (size_t)(SW * P);
  /* A partial tile is staged through `edge`, so no access passes column nc. */
  float edge[MR][SW * MAXP];
  const v128_t zero = wasm_f32x4_splat(0.0f);
#define DECLARE(r, v) v128_t acc##r##v = zero;
  FOR_ACC(DECLARE)
#undef DECLARE
  if (t->load_c) {
    const float *src = t->c;
    size_t ld = ldc;
    if (!full) {
      for (int r = 0; r < R; r++) {
        memcpy(edge[r], t->c + r * ldc, nc * sizeof(float));
        memset(edge[r] + nc, 0, (SW * (size_t)P - nc) * sizeof(float));
      }
      src = edge[0];
      ld = SW * MAXP;
    }
#define LOAD_C(r, v) if (LIVE(r, v)) acc##r##v = wasm_v128_load(src + (r) * ld + 4 * (v));
    FOR_ACC(LOAD_C)
#undef LOAD_C
  }

  /* The k loop. A and B pointers advance by constants, so V8 addresses every load as one
   * register plus an immediate, and spends one add per pointer per k. */
  const float *ak = t->a;
  const float *bk = t->b;
#define ROW(r, v0, v1)                                              \
  if ((r) < R) {                                                    \
    const v128_t va = wasm_v128_load32_splat(ak + (r));             \
    acc##r##v0 = MULADD(va, b0, acc##r##v0);                         \
    acc##r##v1 = MULADD(va, b1, acc##r##v1);                         \
  }
#define STRIP(p, v0, v1)                                                    \
  if ((p) < P) {                                                            \
    const v128_t b0 = wasm_v128_load(bk + SW * (p));                        \
    const v128_t b1 = wasm_v128_load(bk + SW * (p) + 4);                    \
    ROW(0, v0, v1) ROW(1, v0, v1) ROW(2, v0, v1) ROW(3, v0, v1) ROW(4, v0, v1) ROW(5, v0, v1) \
  }
  for (size_t k = kc; k != 0; k--) {
    STRIP(0, 0, 1) STRIP(1, 2, 3) STRIP(2, 4, 5)
    ak += R;
    bk += PW;
  }
#undef STRIP
#undef ROW

  const int vector_act = t->act == KERNEL_ACT_RELU;
  if (t->finish) {
    if (t->bias) {
      const float *bias = t->bias;
      if (!full) {
        memcpy(edge[0], t->bias, nc * sizeof(float));
        memset(edge[0] + nc, 0, (SW * (size_t)P - nc) * sizeof(float));
        bias = edge[0];
      }
#define BIAS(r, v) if (LIVE(r, v)) acc##r##v = wasm_f32x4_add(acc##r##v, wasm_v128_load(bias + 4 * (v)));
      FOR_ACC(BIAS)
#undef BIAS
    }
    if (vector_act) {
      /* f32x4.max keeps NaN and maps -0 to +0: the reference's ReLU. */
#define RELU(r, v) if (LIVE(r, v)) acc##r##v = wasm_f32x4_max(acc##r##v, zero);
      FOR_ACC(RELU)
#undef RELU
    }
  }
  float *dst = full ? t->c : edge[0];
  const size_t ldd = full ? ldc : SW * MAXP;
#define STORE(r, v) if (LIVE(r, v)) wasm_v128_store(dst + (r) * ldd + 4 * (v), acc##r##v);
  FOR_ACC(STORE)
#undef STORE
  if (!full) {
    for (int r = 0; r < R; r++) memcpy(t->c + r * ldc, edge[r], nc * sizeof(float));
  }
  if (t->finish && t->act != KERNEL_ACT_NONE && !vector_act) act_rows(R, nc, t->c, ldc, t->act);
}

/* Each tile shape is its own function: its accumulators become plain locals (registers), and
 * V8 optimizes the hot loop on its own rather than inside a large driver. */
typedef void (*tile_fn)(const tile_args *);
#define TILE_FN(R, P) \
  GEMM_NOINLINE void tile_##R##x##P(const tile_args *t) { tile(R, P, t); }
TILE_FN(1, 1) TILE_FN(1, 2) TILE_FN(1, 3)
TILE_FN(2, 1) TILE_FN(2, 2)
TILE_FN(3, 1) TILE_FN(4, 1) TILE_FN(5, 1)
#if MR >= 6
TILE_FN(6, 1)
#else
#define tile_6x1 NULL /* never reached: no tile has more than MR rows */
#endif
#undef TILE_FN
/* tiles[R][P]: R rows by P strips. Wider tiles for fewer rows keep 6 to 12 accumulators; 2 x 24
 * and 3 x 16 were measured to spill. */
static const tile_fn tiles[7][MAXP + 1] = {
    {NULL, NULL, NULL, NULL},
    {NULL, tile_1x1, tile_1x2, tile_1x3},
    {NULL, tile_2x1, tile_2x2, NULL},
    {NULL, tile_3x1, NULL, NULL},
    {NULL, tile_4x1, NULL, NULL},
    {NULL, tile_5x1, NULL, NULL},
    {NULL, tile_6x1, NULL, NULL},
};
static const size_t tile_strips[7] = {0, 3, 2, 1, 1, 1, 1};

/* The R x kc strip of A (rows lda apart), k-major: dst[k * R + r] = a[r * lda + k]. R is a
 * constant in each instantiation, so the copy is R loads and R stores per k with no inner loop:
 * it is redone for every column block and must stay small beside the tiles' work. */
GEMM_INLINE void pack_a_rows(const int R, size_t kc, const float *a, size_t lda, float *dst) {
  size_t k = 0;
  if (R >= 4) {
    /* Rows 0-3, 4 k at a time, by a 4 x 4 transpose (one v128 store per k instead of four
     * scalar ones; the scalar copy was a few percent of a BERT forward, redone per column
     * block); rows 4.. one float at a time. Only moves floats, so the result is unchanged. */
    for (; k + 4 <= kc; k += 4) {
      const v128_t r0 = wasm_v128_load(a + 0 * lda + k);
      const v128_t r1 = wasm_v128_load(a + 1 * lda + k);
      const v128_t r2 = wasm_v128_load(a + 2 * lda + k);
      const v128_t r3 = wasm_v128_load(a + 3 * lda + k);
      const v128_t t0 = wasm_i32x4_shuffle(r0, r1, 0, 4, 1, 5); /* r0[0] r1[0] r0[1] r1[1] */
      const v128_t t1 = wasm_i32x4_shuffle(r2, r3, 0, 4, 1, 5);
      const v128_t t2 = wasm_i32x4_shuffle(r0, r1, 2, 6, 3, 7);
      const v128_t t3 = wasm_i32x4_shuffle(r2, r3, 2, 6, 3, 7);
      float *d = dst + k * R;
      wasm_v128_store(d + 0 * R, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
      wasm_v128_store(d + 1 * R, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
      wasm_v128_store(d + 2 * R, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
      wasm_v128_store(d + 3 * R, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
      for (int r = 4; r < R; r++) {
        for (int j = 0; j < 4; j++) d[j * R + r] = a[r * lda + k + j];
      }
    }
  }
  for (; k < kc; k++) {
    for (int r = 0; r < R; r++) dst[k * R + r] = a[r * lda + k];
  }
}

/* Returns the strip of A in the layout the tiles read; a single row already is. */
static const float *pack_a(size_t mr, size_t kc, const float *a, size_t lda, float *dst) {
  switch (mr) {
    case 1: return a;
    case 2: pack_a_rows(2, kc, a, lda, dst); break;
    case 3: pack_a_rows(3, kc, a, lda, dst); break;
    case 4: pack_a_rows(4, kc, a, lda, dst); break;
    case 5: pack_a_rows(5, kc, a, lda, dst); break;
    default: pack_a_rows(MR, kc, a, lda, dst); break; /* MR = 6 */
  }
  return dst;
}

/* All rows of A (a: the block's first k; rows lda apart) against one kc x ncols block of packed
 * B (panel 0 at b, panels pstride apart), writing columns [0, ncols) of C (c: the block's first
 * column). */
static void gemm_block(size_t M, size_t ncols, size_t kc, const float *a, size_t lda,
                       const float *b, size_t pstride, const float *bias, kernel_activation act,
                       float *c, size_t ldc, int load_c, int finish) {
  const size_t nstrips = (ncols + SW - 1) / SW;
  float apack[MR * GEMM_KC]; /* kc <= GEMM_KC whenever M > 1; one row is not copied */
  tile_args t = {.kc = kc, .ldc = ldc, .load_c = load_c, .finish = finish, .act = act};
  for (size_t m = 0, mr; m < M; m += mr) {
    /* Between MR and 2 MR rows left: two tiles of about half each (8 rows: 4 + 4, not 5 + 3),
     * so the last tile is not a thin one with few accumulators. */
    const size_t left = M - m;
    mr = left <= MR ? left : (left < 2 * MR ? (left + 1) / 2 : MR);
    t.a = pack_a(mr, kc, a + m * lda, lda, apack);
    for (size_t s = 0; s < nstrips;) {
      /* up to tile_strips[mr] strips, not crossing into the next panel */
      const size_t in_panel = s % 3;
      const size_t np = min_size(min_size(tile_strips[mr], 3 - in_panel), nstrips - s);
      t.b = b + (s / 3) * pstride + in_panel * SW;
      t.c = c + m * ldc + s * SW;
      t.nc = min_size(np * SW, ncols - s * SW);
      t.bias = bias ? bias + s * SW : NULL;
      tiles[mr][np](&t);
      s += np;
    }
  }
}

/* K = 0: the product is empty, C = act(bias) (or act(0)). */
static void gemm_k0(size_t M, size_t N, const float *bias, kernel_activation act, float *C,
                    size_t ldc) {
  for (size_t m = 0; m < M; m++) {
    for (size_t n = 0; n < N; n++) C[m * ldc + n] = kernel_act_scalar(act, bias ? 0.0f + bias[n] : 0.0f);
  }
}

void gemm_f32_packed(size_t M, size_t N, size_t K, const float *A, size_t lda,
                     const float *packed_b, const float *bias, kernel_activation act, float *C,
                     size_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    gemm_k0(M, N, bias, act, C, ldc);
    return;
  }
  /* One row reuses nothing across blocks (each element of B is used once) and needs no A
   * copy, so it runs as a single block: no partial sums stored and reloaded between k blocks. */
  const size_t nc_max = M == 1 ? N : GEMM_NC;
  const size_t kc_max = M == 1 ? K : GEMM_KC;
  for (size_t n0 = 0; n0 < N; n0 += nc_max) {
    const size_t ncols = min_size(nc_max, N - n0);
    for (size_t k0 = 0; k0 < K; k0 += kc_max) {
      const size_t kc = min_size(kc_max, K - k0);
      /* panel n0 / 24 starts at n0 / 24 * K * 24 = n0 * K; its row k0 at + k0 * 24 */
      gemm_block(M, ncols, kc, A + k0, lda, packed_b + n0 * K + k0 * PW, K * PW,
                 bias ? bias + n0 : NULL, act, C + n0, ldc, k0 > 0, k0 + kc == K);
    }
  }
}

size_t gemm_f32_workspace_size(size_t K, size_t N) {
  return min_size(K, GEMM_KC) * min_size(round_up_pw(N), GEMM_NC);
}

void gemm_f32(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
              size_t ldb, int trans_b, const float *bias, kernel_activation act, float *C,
              size_t ldc, float *workspace) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    gemm_k0(M, N, bias, act, C, ldc);
    return;
  }
  /* The blocking of gemm_f32_packed, each slab packed into the workspace just before use. */
  for (size_t n0 = 0; n0 < N; n0 += GEMM_NC) {
    const size_t ncols = min_size(GEMM_NC, N - n0);
    for (size_t k0 = 0; k0 < K; k0 += GEMM_KC) {
      const size_t kc = min_size(GEMM_KC, K - k0);
      pack_slab(kc, ncols, B, ldb, trans_b, k0, n0, workspace, kc * PW);
      gemm_block(M, ncols, kc, A + k0, lda, workspace, kc * PW, bias ? bias + n0 : NULL, act,
                 C + n0, ldc, k0 > 0, k0 + kc == K);
    }
  }
}
