/* Tensor kernels: flat, contiguous, allocation-free loops over raw buffers (internal).
 *
 * One microkernel family per file (gemm_f32.c, gemm_i8.c, unary.c, binary.c, softmax.c,
 * norm.c, reduce.c, convert.c), each written once against wasm_simd128.h (simd.h) with a scalar
 * reference beside it (the *_ref functions), which the tests compare against. Kernels never
 * allocate: callers pass any workspace they need. Row-major throughout; "ld" is a row stride in
 * elements. Sizes are size_t; a size of 0 is a no-op.
 */
#ifndef TETRA_SRC_TENSOR_KERNELS_H
#define TETRA_SRC_TENSOR_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* Activations that GEMMs and bias kernels can fuse into their output. */
typedef enum kernel_activation {
  KERNEL_ACT_NONE = 0,
  KERNEL_ACT_RELU,
  KERNEL_ACT_GELU_ERF,  /* 0.5 x (1 + erf(x / sqrt 2)) */
  KERNEL_ACT_GELU_TANH, /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
  KERNEL_ACT_SILU       /* x sigmoid(x) */
} kernel_activation;

/* One activation on one float, as the GEMM epilogues and their references compute it (defined in
 * activation.c; one definition keeps the fused epilogues bit-identical to the references).
 * ReLU keeps NaN and maps -0 to +0; the others follow their formula literally in float. */
float kernel_act_scalar(kernel_activation act, float x);

/* ---- f32 GEMM (gemm_f32.c) ---------------------------------------------------------------------
 * C[M x N] = act(A[M x K] * B[K x N] + bias[N])   (bias may be NULL; beta = 0: C is overwritten)
 * B is packed once ("weights") into panels; A is read in place. The packed layout is private to
 * gemm_f32.c; its size is gemm_f32_packed_size. */
size_t gemm_f32_packed_size(size_t K, size_t N); /* in floats */
/* Packs B given as K x N row-major (trans_b = 0, ldb >= N) or N x K row-major (trans_b = 1,
 * ldb >= K, i.e. the PyTorch Linear weight layout). */
void gemm_f32_pack_b(size_t K, size_t N, const float *B, size_t ldb, int trans_b, float *packed);
void gemm_f32_packed(size_t M, size_t N, size_t K, const float *A, size_t lda,
                     const float *packed_b, const float *bias, kernel_activation act, float *C,
                     size_t ldc);
/* Unpacked B (any of the two layouts): packs panels of B into workspace as it goes.
 * workspace holds gemm_f32_workspace_size(K, N) floats. */
size_t gemm_f32_workspace_size(size_t K, size_t N);
/* 1 in the relaxed-SIMD build, whose multiply-adds are fused (f32x4.relaxed_madd): its results
 * then match gemm_f32_ref within rounding error, not bit for bit; 0 otherwise. */
int gemm_f32_fused(void);
void gemm_f32(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
              size_t ldb, int trans_b, const float *bias, kernel_activation act, float *C,
              size_t ldc, float *workspace);
/* Scalar reference: plain triple loop, float accumulation in k order, then bias, then act. */
void gemm_f32_ref(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                  size_t ldb, int trans_b, const float *bias, kernel_activation act, float *C,
                  size_t ldc);

/* ---- int8 GEMM (gemm_i8.c) ---------------------------------------------------------------------
 * Weights: symmetric int8 per output channel, w[k][n] ~ q[k][n] * w_scale[n], q in [-127, 127].
 * Activations: symmetric int8 per row, quantized on the fly, a[m][k] ~ q[m][k] * a_scale[m].
 * Products accumulate exactly in int32 (i32x4.dot_i16x8_s); the result is
 *   C[m][n] = act(acc[m][n] * a_scale[m] * w_scale[n] + bias[n]). */
size_t gemm_i8_packed_size(size_t K, size_t N); /* in bytes */
/* Quantizes and packs B (layouts as gemm_f32_pack_b); writes N scales. */
void gemm_i8_pack_b(size_t K, size_t N, const float *B, size_t ldb, int trans_b, int8_t *packed,
                    float *scales);
/* Packs weights quantized already (q: N x K row-major, the PyTorch layout, values in [-127, 127],
 * with their N per-channel scales) into the layout gemm_i8_pack_b produces: packing the output of
 * quantize_rows_i8 on the N x K float weights gives gemm_i8_pack_b's bytes exactly. Channels whose
 * scale is NaN or 0 are packed as zeros, as gemm_i8_pack_b leaves them. */
void gemm_i8_pack_quantized(size_t K, size_t N, const int8_t *q, size_t ldq, const float *scales,
                            int8_t *packed);
/* Per-row symmetric quantization: scale = max|a| / 127, q = round-half-even(a / scale) (0 rows,
 * and rows whose max|a| < FLT_MIN, get scale 0 and all-zero q; rows holding NaN or +-Inf get
 * scale NaN and all-zero q, so their gemm_i8 outputs are NaN; weight columns likewise). */
void quantize_rows_i8(size_t M, size_t K, const float *A, size_t lda, int8_t *q, size_t ldq,
                      float *scales);
/* Full int8 GEMM from float A: workspace holds gemm_i8_workspace_size(M, K) bytes, 4-byte
 * aligned (as malloc's). */
size_t gemm_i8_workspace_size(size_t M, size_t K);
void gemm_i8(size_t M, size_t N, size_t K, const float *A, size_t lda, const int8_t *packed_b,
             const float *b_scales, const float *bias, kernel_activation act, float *C,
             size_t ldc, void *workspace);
/* Scalar reference of quantize_rows_i8 (gemm_i8_ref.c); the two agree bit for bit. */
void quantize_rows_i8_ref(size_t M, size_t K, const float *A, size_t lda, int8_t *q, size_t ldq,
                          float *scales);
/* Largest K whose int32 sums cannot overflow for any int8 activations against packed weights:
 * 128 * 127 * K <= 2^31 - 1. gemm_i8 splits longer K by itself; beyond it gemm_i8_accumulate and
 * gemm_i8_ref_i32 wrap modulo 2^32 (both alike). */
#define GEMM_I8_MAX_K 132104
/* Exact integer reference: C32[m][n] = sum_k qa[m][k] * qb[k][n] (qb K x N row-major). */
void gemm_i8_ref_i32(size_t M, size_t N, size_t K, const int8_t *qa, size_t lda, const int8_t *qb,
                     size_t ldb, int32_t *C, size_t ldc);
/* The kernel's int32 accumulators (before scaling), for exact comparison with the reference. */
void gemm_i8_accumulate(size_t M, size_t N, size_t K, const int8_t *qa, size_t lda,
                        const int8_t *packed_b, int32_t *C, size_t ldc);

/* ---- element-wise (unary.c, binary.c) ---------------------------------------------------------
 * y[i] = f(x[i]) for n contiguous floats; x may equal y. Accuracy targets (vs a double reference)
 * are stated in unary.c and checked by the tests: exp/log/tanh/erf/sigmoid within a few ulp or
 * 1e-6 relative; special values follow C's libm (exp(-inf) = 0, log(0) = -inf, NaN in -> NaN out). */
typedef enum kernel_unary {
  KERNEL_NEG = 0, KERNEL_EXP, KERNEL_LOG, KERNEL_SQRT, KERNEL_TANH, KERNEL_ERF, KERNEL_SIGMOID,
  KERNEL_GELU_ERF, KERNEL_GELU_TANH, KERNEL_SILU, KERNEL_RELU, KERNEL_ABS
} kernel_unary;
void unary_f32(kernel_unary op, size_t n, const float *x, float *y);
void unary_f32_ref(kernel_unary op, size_t n, const float *x, float *y);
/* GELU (erf form) within 1e-6 |x| absolute instead of a few ulp, about three times faster than
 * unary_f32's KERNEL_GELU_ERF: for the feed-forward blocks of encoders (unary.c says why). */
void gelu_erf_fast_f32(size_t n, const float *x, float *y);

/* Binary ops on contiguous operands; NaN propagates through max/min as in NumPy. */
typedef enum kernel_binary {
  KERNEL_ADD = 0, KERNEL_SUB, KERNEL_MUL, KERNEL_DIV, KERNEL_MAX, KERNEL_MIN
} kernel_binary;
void binary_f32(kernel_binary op, size_t n, const float *a, const float *b, float *y);
/* a[i] op s and s op b[i] (scalar broadcast). */
void binary_f32_scalar_right(kernel_binary op, size_t n, const float *a, float s, float *y);
void binary_f32_scalar_left(kernel_binary op, size_t n, float s, const float *b, float *y);
void binary_f32_ref(kernel_binary op, size_t n, const float *a, const float *b, float *y);

/* y[r][j] = act(y[r][j] + bias[j]) for rows x n, in place (bias may be NULL). */
void bias_act_f32(size_t rows, size_t n, float *y, size_t ldy, const float *bias,
                  kernel_activation act);
void bias_act_f32_ref(size_t rows, size_t n, float *y, size_t ldy, const float *bias,
                      kernel_activation act);

/* ---- row kernels (softmax.c, norm.c, reduce.c) -------------------------------------------------
 * Each processes `rows` rows of n contiguous floats (row strides ldx, ldy; x may equal y). */
/* Numerically stable: exp(x - max) / sum. A row of all -inf gives NaN (as NumPy); +inf gives NaN
 * where inf - inf appears. */
void softmax_f32(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy);
void softmax_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy);
/* The numerators of a softmax and their sum, for callers that divide later (attention divides
 * P V's rows): y = exp(x - max) (0 below FLT_MIN), sums[r] = sum of row r of y (in eight lanes,
 * not softmax_f32's pairwise order). Special values as softmax_f32's numerators and sum. */
void softmax_exp_f32(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy,
                     float *sums);
void softmax_exp_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, float *y, size_t ldy,
                         float *sums);
/* (x - mean) / sqrt(var + eps) * gamma + beta, biased variance (PyTorch LayerNorm). gamma/beta
 * may be NULL (1 and 0). */
void layernorm_f32(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                   const float *beta, float eps, float *y, size_t ldy);
void layernorm_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                       const float *beta, float eps, float *y, size_t ldy);
/* x / sqrt(mean(x^2) + eps) * gamma (gamma may be NULL). */
void rmsnorm_f32(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma, float eps,
                 float *y, size_t ldy);
void rmsnorm_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, const float *gamma,
                     float eps, float *y, size_t ldy);
/* Per-row reductions into out[rows]: sum, max (NaN propagates), argmax (first maximum; the first
 * NaN wins, as NumPy). An empty row (n = 0) gives sum 0, max -inf, argmax -1. */
void reduce_sum_f32(size_t rows, size_t n, const float *x, size_t ldx, float *out);
void reduce_max_f32(size_t rows, size_t n, const float *x, size_t ldx, float *out);
void reduce_argmax_f32(size_t rows, size_t n, const float *x, size_t ldx, int64_t *out);
void reduce_sum_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, float *out);
void reduce_max_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, float *out);
void reduce_argmax_f32_ref(size_t rows, size_t n, const float *x, size_t ldx, int64_t *out);

/* ---- conversions (convert.c) ------------------------------------------------------------------ */
/* IEEE binary16 <-> binary32, round to nearest even, NaN/Inf/subnormals preserved. */
void f16_to_f32(size_t n, const uint16_t *x, float *y);
void f32_to_f16(size_t n, const float *x, uint16_t *y);
/* bfloat16 -> f32 (exact) and f32 -> bf16 (round to nearest even, NaN kept quiet). */
void bf16_to_f32(size_t n, const uint16_t *x, float *y);
void f32_to_bf16(size_t n, const float *x, uint16_t *y);

#endif
