/* tetra tensor: n-dimensional arrays, zero-copy views, and the operations transformers need.
 *
 * Memory. Every function that creates a tensor takes a tetra_tensor_ctx. With ctx->arena NULL,
 * tensors live on the heap (ctx->allocator, or malloc) and views share their data through a
 * reference count: tetra_tensor_free releases each one. With an arena, the tensor and its data
 * come from the arena, tetra_tensor_free does nothing, and tetra_arena_reset (core.h) reclaims a
 * whole inference step at once: a model that resets its arena between calls keeps a flat heap.
 *
 * Semantics follow NumPy: shapes broadcast from the right, reductions take an axis (negative
 * counts from the end), NaN propagates through max/min and argmax. Arithmetic is float32 (float16
 * and bfloat16 inputs are widened on the fly; integer tensors hold ids and masks). Errors name the
 * operation and both shapes, e.g. "add: shapes [2, 3] and [4] do not broadcast (axis 1: 3 vs 4)".
 */
#ifndef TETRA_TENSOR_H
#define TETRA_TENSOR_H

#include "tetra/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TETRA_MAX_RANK 8

typedef enum tetra_dtype {
  TETRA_F32 = 0,
  TETRA_F16 = 1,  /* IEEE binary16, storage only: widened to f32 by every operation */
  TETRA_BF16 = 2, /* bfloat16, storage only */
  TETRA_I8 = 3,   /* quantized values or masks */
  TETRA_I32 = 4,  /* ids */
  TETRA_I64 = 5   /* ids */
} tetra_dtype;

const char *tetra_dtype_name(tetra_dtype dtype); /* "float32", "float16", ... */
size_t tetra_dtype_size(tetra_dtype dtype);

typedef struct tetra_tensor tetra_tensor;

typedef struct tetra_tensor_ctx {
  const tetra_allocator *allocator; /* NULL: malloc/free */
  tetra_arena *arena;               /* NULL: heap tensors, freed one by one */
} tetra_tensor_ctx;

/* ---- creation and access ----------------------------------------------------------------------- */
/* A contiguous tensor filled with zeros. rank 0 is a scalar (one element). */
tetra_status tetra_tensor_zeros(const tetra_tensor_ctx *ctx, tetra_dtype dtype, size_t rank,
                                const int64_t *shape, tetra_tensor **out, tetra_error *err);
/* A contiguous tensor holding a copy of numel(shape) elements of data. */
tetra_status tetra_tensor_from_data(const tetra_tensor_ctx *ctx, tetra_dtype dtype, size_t rank,
                                    const int64_t *shape, const void *data, size_t bytes,
                                    tetra_tensor **out, tetra_error *err);
/* A contiguous tensor over caller-owned memory, not copied; the memory must outlive it and every
 * view of it. Used to run weights in place. */
tetra_status tetra_tensor_wrap(const tetra_tensor_ctx *ctx, tetra_dtype dtype, size_t rank,
                               const int64_t *shape, void *data, size_t bytes, tetra_tensor **out,
                               tetra_error *err);
void tetra_tensor_free(tetra_tensor *t);

tetra_dtype tetra_tensor_dtype(const tetra_tensor *t);
size_t tetra_tensor_rank(const tetra_tensor *t);
int64_t tetra_tensor_dim(const tetra_tensor *t, size_t axis);
int64_t tetra_tensor_stride(const tetra_tensor *t, size_t axis); /* in elements; 0 = broadcast */
size_t tetra_tensor_numel(const tetra_tensor *t);
int tetra_tensor_is_contiguous(const tetra_tensor *t);
/* Address of the first element (of a view: inside the shared buffer). */
void *tetra_tensor_data(const tetra_tensor *t);
/* Copies the elements in row-major order to dst (bytes >= numel * dtype size). */
tetra_status tetra_tensor_read(const tetra_tensor *t, void *dst, size_t bytes, tetra_error *err);
/* Writes "[2, 3]" into buf (always NUL-terminated). */
void tetra_tensor_shape_string(const tetra_tensor *t, char *buf, size_t size);

/* ---- views (no copy) --------------------------------------------------------------------------- */
/* One dimension may be -1 (inferred). A view when the strides allow it, otherwise a copy. */
tetra_status tetra_tensor_reshape(const tetra_tensor_ctx *ctx, const tetra_tensor *t, size_t rank,
                                  const int64_t *shape, tetra_tensor **out, tetra_error *err);
tetra_status tetra_tensor_permute(const tetra_tensor_ctx *ctx, const tetra_tensor *t,
                                  const int64_t *axes, tetra_tensor **out, tetra_error *err);
tetra_status tetra_tensor_transpose(const tetra_tensor_ctx *ctx, const tetra_tensor *t,
                                    int64_t axis0, int64_t axis1, tetra_tensor **out,
                                    tetra_error *err);
/* Python slicing along one axis: start/stop clamp like Python (negative counts from the end),
 * step > 0. */
tetra_status tetra_tensor_slice(const tetra_tensor_ctx *ctx, const tetra_tensor *t, int64_t axis,
                                int64_t start, int64_t stop, int64_t step, tetra_tensor **out,
                                tetra_error *err);
/* Broadcast to a larger shape (stride 0 on expanded axes; -1 keeps a dimension). */
tetra_status tetra_tensor_expand(const tetra_tensor_ctx *ctx, const tetra_tensor *t, size_t rank,
                                 const int64_t *shape, tetra_tensor **out, tetra_error *err);
/* A contiguous copy (always a new buffer). */
tetra_status tetra_tensor_contiguous(const tetra_tensor_ctx *ctx, const tetra_tensor *t,
                                     tetra_tensor **out, tetra_error *err);
/* Converts between dtypes: floats round to nearest even; float -> int truncates toward zero and
 * refuses NaN or out-of-range values (an error, not undefined behaviour). */
tetra_status tetra_tensor_cast(const tetra_tensor_ctx *ctx, const tetra_tensor *t, tetra_dtype dtype,
                               tetra_tensor **out, tetra_error *err);

/* ---- element-wise ------------------------------------------------------------------------------ */
typedef enum tetra_binary_op {
  TETRA_ADD = 0, TETRA_SUB, TETRA_MUL, TETRA_DIV, TETRA_MAXIMUM, TETRA_MINIMUM
} tetra_binary_op;
typedef enum tetra_unary_op {
  TETRA_NEG = 0, TETRA_EXP, TETRA_LOG, TETRA_SQRT, TETRA_TANH, TETRA_ERF, TETRA_SIGMOID,
  TETRA_GELU, /* exact: 0.5 x (1 + erf(x / sqrt 2)) */
  TETRA_GELU_TANH, TETRA_SILU, TETRA_RELU, TETRA_ABS
} tetra_unary_op;
const char *tetra_binary_op_name(tetra_binary_op op); /* "add", ... */
const char *tetra_unary_op_name(tetra_unary_op op);

tetra_status tetra_tensor_binary(const tetra_tensor_ctx *ctx, tetra_binary_op op,
                                 const tetra_tensor *a, const tetra_tensor *b, tetra_tensor **out,
                                 tetra_error *err);
/* a op scalar (scalar_first = 0) or scalar op a (scalar_first = 1). */
tetra_status tetra_tensor_binary_scalar(const tetra_tensor_ctx *ctx, tetra_binary_op op,
                                        const tetra_tensor *a, float scalar, int scalar_first,
                                        tetra_tensor **out, tetra_error *err);
tetra_status tetra_tensor_unary(const tetra_tensor_ctx *ctx, tetra_unary_op op,
                                const tetra_tensor *a, tetra_tensor **out, tetra_error *err);
/* cond ? a : b with broadcasting; cond of any dtype, non-zero (and NaN) meaning true. */
tetra_status tetra_tensor_where(const tetra_tensor_ctx *ctx, const tetra_tensor *cond,
                                const tetra_tensor *a, const tetra_tensor *b, tetra_tensor **out,
                                tetra_error *err);
/* a with value wherever mask (broadcast to a's shape) is non-zero. */
tetra_status tetra_tensor_masked_fill(const tetra_tensor_ctx *ctx, const tetra_tensor *a,
                                      const tetra_tensor *mask, float value, tetra_tensor **out,
                                      tetra_error *err);

/* ---- reductions and normalisation (over one axis) ---------------------------------------------- */
typedef enum tetra_reduce_op { TETRA_SUM = 0, TETRA_MEAN, TETRA_MAX, TETRA_ARGMAX } tetra_reduce_op;
/* TETRA_ARGMAX gives int64 indices; the others float32. */
tetra_status tetra_tensor_reduce(const tetra_tensor_ctx *ctx, tetra_reduce_op op,
                                 const tetra_tensor *a, int64_t axis, int keepdims,
                                 tetra_tensor **out, tetra_error *err);
tetra_status tetra_tensor_softmax(const tetra_tensor_ctx *ctx, const tetra_tensor *a, int64_t axis,
                                  tetra_tensor **out, tetra_error *err);
/* Over the last axis; gamma and beta (shape [n]) may be NULL. */
tetra_status tetra_tensor_layer_norm(const tetra_tensor_ctx *ctx, const tetra_tensor *x,
                                     const tetra_tensor *gamma, const tetra_tensor *beta, float eps,
                                     tetra_tensor **out, tetra_error *err);
tetra_status tetra_tensor_rms_norm(const tetra_tensor_ctx *ctx, const tetra_tensor *x,
                                   const tetra_tensor *gamma, float eps, tetra_tensor **out,
                                   tetra_error *err);

/* ---- matrix products ---------------------------------------------------------------------------
 * matmul: a [..., M, K] x b [..., K, N] -> [..., M, N], batch dimensions broadcast; transpose_a /
 * transpose_b use the transposed last two axes of an operand (no copy when the layout allows).
 * Rank-1 operands follow NumPy (a vector is a row on the left, a column on the right). */
tetra_status tetra_tensor_matmul(const tetra_tensor_ctx *ctx, const tetra_tensor *a,
                                 const tetra_tensor *b, int transpose_a, int transpose_b,
                                 tetra_tensor **out, tetra_error *err);

typedef enum tetra_activation {
  TETRA_ACT_NONE = 0, TETRA_ACT_RELU, TETRA_ACT_GELU, TETRA_ACT_GELU_TANH, TETRA_ACT_SILU
} tetra_activation;

/* A linear layer with weights packed once: y = act(x W^T + bias), W of shape [N, K] as PyTorch's
 * nn.Linear stores it. TETRA_LINEAR_INT8 quantizes W per output channel and the activations per
 * row at run time, accumulating in int32. */
typedef enum tetra_linear_mode { TETRA_LINEAR_F32 = 0, TETRA_LINEAR_INT8 = 1 } tetra_linear_mode;
typedef struct tetra_linear tetra_linear;
tetra_status tetra_linear_create(const tetra_allocator *allocator, const tetra_tensor *weight,
                                 const tetra_tensor *bias, tetra_linear_mode mode,
                                 tetra_linear **out, tetra_error *err);
/* The int8 rule of TETRA_LINEAR_INT8, for converters that store quantized weights: weight [N, K]
 * (float32/16, bfloat16) is quantized per output channel n (a row): scales[n] = max_k |w[n][k]| /
 * 127 in float32, q[n][k] = w[n][k] / scales[n] rounded half to even and clamped to [-127, 127].
 * A channel holding NaN or +-Inf gets scale NaN, one whose max |w| is below FLT_MIN (all zero or
 * subnormal) gets scale 0; both get q = 0. q receives N * K int8 row-major, scales N floats.
 * Exactly the integers and scales tetra_linear_create(TETRA_LINEAR_INT8) computes itself. */
tetra_status tetra_linear_quantize_weights(const tetra_allocator *allocator,
                                           const tetra_tensor *weight, int8_t *q, float *scales,
                                           tetra_error *err);
/* A TETRA_LINEAR_INT8 layer from weights quantized already (as tetra_linear_quantize_weights
 * does): weight_i8 [N, K] int8 in [-127, 127], scales [N] (float; each >= 0 and finite, or NaN),
 * bias [N] or NULL. Nothing is requantized: the layer gives bit for bit the outputs that
 * tetra_linear_create(..., TETRA_LINEAR_INT8) gives on the float weights those came from. The
 * tensors are copied (packed); they need not outlive the layer. */
tetra_status tetra_linear_create_int8(const tetra_allocator *allocator, const tetra_tensor *weight_i8,
                                      const tetra_tensor *scales, const tetra_tensor *bias,
                                      tetra_linear **out, tetra_error *err);
/* x [..., K] -> [..., N]. */
tetra_status tetra_linear_forward(const tetra_tensor_ctx *ctx, const tetra_linear *linear,
                                  const tetra_tensor *x, tetra_activation act, tetra_tensor **out,
                                  tetra_error *err);
size_t tetra_linear_in_features(const tetra_linear *linear);
size_t tetra_linear_out_features(const tetra_linear *linear);
void tetra_linear_free(tetra_linear *linear);

/* ---- indexing and joining ---------------------------------------------------------------------- */
/* Embedding lookup: table [V, D] (float32/16, bfloat16), ids int32/int64 of any shape ->
 * ids.shape + [D] float32. An id outside [0, V) is an error naming its position. */
tetra_status tetra_tensor_gather_rows(const tetra_tensor_ctx *ctx, const tetra_tensor *table,
                                      const tetra_tensor *ids, tetra_tensor **out,
                                      tetra_error *err);
/* Joins n tensors of one dtype along axis; all other dimensions must match. */
tetra_status tetra_tensor_concat(const tetra_tensor_ctx *ctx, const tetra_tensor *const *tensors,
                                 size_t n, int64_t axis, tetra_tensor **out, tetra_error *err);

#ifdef __cplusplus
}
#endif
#endif
