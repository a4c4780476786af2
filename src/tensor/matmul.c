/* Matrix products over tensors: batched matmul with broadcasting and transposed operands, and the
 * packed linear layer (float32 or int8 weights) that models use. */
#include <float.h>
#include <string.h>

#include "kernels/kernels.h"
#include "tensor_impl.h"

/* Describes operand X's last two axes as a matrix the GEMM can read in place, when possible:
 * rows of X (in the GEMM's orientation) must have unit stride along the other axis. */
typedef struct matrix_view {
  int64_t rows, cols; /* as the product uses it: A is M x K, B is K x N */
  int64_t ld;         /* distance between consecutive rows of the stored layout */
  int trans;          /* B only: stored as N x K (ld between n's) */
} matrix_view;

static tetra_status copy_contiguous_f32(const tetra_tensor_ctx *ctx, const tetra_tensor *t,
                                        tetra_tensor **out, tetra_error *err) {
  return t->dtype == TETRA_F32 ? tetra_tensor_contiguous(ctx, t, out, err)
                               : tetra_tensor_cast(ctx, t, TETRA_F32, out, err);
}

tetra_status tetra_tensor_matmul(const tetra_tensor_ctx *ctx, const tetra_tensor *a,
                                 const tetra_tensor *b, int transpose_a, int transpose_b,
                                 tetra_tensor **out, tetra_error *err) {
  if (!a || !b || !out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "matmul: NULL argument");
  if (a->rank == 0 || b->rank == 0)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "matmul: operands must have rank >= 1");
  tetra_status st = TETRA_OK;
  tetra_tensor *ca = NULL, *cb = NULL, *y = NULL;
  float *workspace = NULL;
  /* Local views with the batch shape padded, the matrices' axes last, transposes applied. */
  tetra_tensor va = *a, vb = *b;
  int a_vec = a->rank == 1, b_vec = b->rank == 1;
  if (a_vec) { /* [K] -> [1, K] */
    va.rank = 2;
    va.shape[1] = a->shape[0];
    va.strides[1] = a->strides[0];
    va.shape[0] = 1;
    va.strides[0] = 0;
    transpose_a = 0;
  }
  if (b_vec) { /* [K] -> [K, 1] */
    vb.rank = 2;
    vb.shape[0] = b->shape[0];
    vb.strides[0] = b->strides[0];
    vb.shape[1] = 1;
    vb.strides[1] = 0;
    transpose_b = 0;
  }
  if (transpose_a) {
    int64_t t = va.shape[va.rank - 1]; va.shape[va.rank - 1] = va.shape[va.rank - 2]; va.shape[va.rank - 2] = t;
    t = va.strides[va.rank - 1]; va.strides[va.rank - 1] = va.strides[va.rank - 2]; va.strides[va.rank - 2] = t;
  }
  if (transpose_b) {
    int64_t t = vb.shape[vb.rank - 1]; vb.shape[vb.rank - 1] = vb.shape[vb.rank - 2]; vb.shape[vb.rank - 2] = t;
    t = vb.strides[vb.rank - 1]; vb.strides[vb.rank - 1] = vb.strides[vb.rank - 2]; vb.strides[vb.rank - 2] = t;
  }
  int64_t M = va.shape[va.rank - 2], K = va.shape[va.rank - 1];
  int64_t K2 = vb.shape[vb.rank - 2], N = vb.shape[vb.rank - 1];
  if (K != K2) {
    char sa[160], sb[160];
    shape_string(a->rank, a->shape, sa, sizeof sa);
    shape_string(b->rank, b->shape, sb, sizeof sb);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "matmul: shapes %s%s and %s%s do not align (%lld vs %lld)", sa,
                           transpose_a ? " (transposed)" : "", sb, transpose_b ? " (transposed)" : "",
                           (long long)K, (long long)K2);
  }
  /* batch shapes broadcast */
  tetra_tensor ba = va, bb = vb;
  ba.rank -= 2;
  bb.rank -= 2;
  size_t brank;
  int64_t bshape[TETRA_MAX_RANK];
  if ((st = tensor_broadcast(&ba, &bb, &brank, bshape, err, "matmul"))) return st;
  if (brank + 2 > TETRA_MAX_RANK)
    return tetra_error_set(err, TETRA_ERR_LIMIT, "matmul: result rank exceeds %d", TETRA_MAX_RANK);

  /* The GEMM reads A with unit stride along K and B with unit stride along N (or along K, as a
   * transposed layout); anything else, or another dtype, is copied once. */
  int a_ok = va.dtype == TETRA_F32 && (va.strides[va.rank - 1] == 1 || K <= 1) &&
             va.strides[va.rank - 2] >= (M > 1 ? K : 0);
  if (!a_ok) {
    if ((st = copy_contiguous_f32(ctx, &va, &ca, err))) goto done;
    va = *ca;
  }
  int b_rowmajor = vb.strides[vb.rank - 1] == 1 || N <= 1;
  int b_colmajor = vb.strides[vb.rank - 2] == 1 || K <= 1;
  int b_ok = vb.dtype == TETRA_F32 &&
             ((b_rowmajor && vb.strides[vb.rank - 2] >= (K > 1 ? N : 0)) ||
              (b_colmajor && vb.strides[vb.rank - 1] >= (N > 1 ? K : 0)));
  if (!b_ok) {
    if ((st = copy_contiguous_f32(ctx, &vb, &cb, err))) goto done;
    vb = *cb;
    b_rowmajor = 1;
  }
  int trans_b = !(b_rowmajor && vb.strides[vb.rank - 1] == 1) && !(N <= 1 && b_rowmajor);
  int64_t ldb = trans_b ? vb.strides[vb.rank - 1] : vb.strides[vb.rank - 2];
  if (ldb < (trans_b ? K : N)) ldb = trans_b ? K : N; /* a single row/column: any ld works */
  int64_t lda = va.strides[va.rank - 2] < K ? K : va.strides[va.rank - 2];

  int64_t yshape[TETRA_MAX_RANK];
  size_t yrank = 0;
  for (size_t i = 0; i < brank; i++) yshape[yrank++] = bshape[i];
  if (!a_vec) yshape[yrank++] = M;
  if (!b_vec) yshape[yrank++] = N;
  if ((st = tensor_new(ctx, TETRA_F32, yrank, yshape, 0, &y, err, "matmul"))) goto done;
  if (M == 0 || N == 0) goto done;
  if (K == 0) {
    memset(tensor_f32(y), 0, tetra_tensor_numel(y) * sizeof(float));
    goto done;
  }
  workspace = tensor_scratch(ctx, gemm_f32_workspace_size((size_t)K, (size_t)N) * sizeof(float));
  if (!workspace) {
    st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "matmul: out of memory");
    goto done;
  }
  int64_t sa[TETRA_MAX_RANK], sb[TETRA_MAX_RANK], idx[TETRA_MAX_RANK] = {0};
  ba = va;
  bb = vb;
  ba.rank -= 2;
  bb.rank -= 2;
  tensor_broadcast_strides(&ba, brank, bshape, sa);
  tensor_broadcast_strides(&bb, brank, bshape, sb);
  size_t batches = 1;
  for (size_t i = 0; i < brank; i++) batches *= (size_t)bshape[i];
  const float *pa = tensor_f32(&va), *pb = tensor_f32(&vb);
  float *py = tensor_f32(y);
  for (size_t batch = 0; batch < batches; batch++) {
    int64_t oa = 0, ob = 0;
    for (size_t i = 0; i < brank; i++) {
      oa += idx[i] * sa[i];
      ob += idx[i] * sb[i];
    }
    gemm_f32((size_t)M, (size_t)N, (size_t)K, pa + oa, (size_t)lda, pb + ob, (size_t)ldb, trans_b,
             NULL, KERNEL_ACT_NONE, py + batch * (size_t)(M * N), (size_t)N, workspace);
    for (size_t i = brank; i-- > 0;) {
      if (++idx[i] < bshape[i]) break;
      idx[i] = 0;
    }
  }
done:
  tensor_scratch_free(ctx, workspace);
  tetra_tensor_free(ca);
  tetra_tensor_free(cb);
  if (st) tetra_tensor_free(y);
  else *out = y;
  return st;
}

/* ---- packed linear layers -------------------------------------------------------------------- */

struct tetra_linear {
  const tetra_allocator *allocator;
  tetra_linear_mode mode;
  size_t in, out;
  void *packed;   /* float (f32) or int8 panels */
  float *scales;  /* int8: per output channel */
  float *bias;    /* or NULL */
};

static kernel_activation kernel_act(tetra_activation act) {
  switch (act) {
    case TETRA_ACT_RELU: return KERNEL_ACT_RELU;
    case TETRA_ACT_GELU: return KERNEL_ACT_GELU_ERF;
    case TETRA_ACT_GELU_TANH: return KERNEL_ACT_GELU_TANH;
    case TETRA_ACT_SILU: return KERNEL_ACT_SILU;
    default: return KERNEL_ACT_NONE;
  }
}

/* The checks both constructors share: weight [N, K], bias [N] or NULL. */
static tetra_status check_linear_shapes(const tetra_tensor *weight, const tetra_tensor *bias,
                                        tetra_error *err) {
  if (weight->rank != 2) {
    char s[160];
    shape_string(weight->rank, weight->shape, s, sizeof s);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "linear: weight has shape %s, expected [out_features, in_features]", s);
  }
  size_t n = (size_t)weight->shape[0];
  if (bias && (bias->rank != 1 || (size_t)bias->shape[0] != n)) {
    char s[160];
    shape_string(bias->rank, bias->shape, s, sizeof s);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "linear: bias has shape %s, expected [%zu]",
                           s, n);
  }
  return TETRA_OK;
}

/* A linear layer with its buffers allocated (packed weights, scales in int8 mode, bias when
 * has_bias) and nothing filled in. */
static tetra_status linear_alloc(const tetra_allocator *allocator, tetra_linear_mode mode, size_t n,
                                 size_t k, int has_bias, tetra_linear **out, tetra_error *err) {
  tetra_linear *l = tetra_alloc(allocator, sizeof *l);
  if (!l) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "linear: out of memory");
  memset(l, 0, sizeof *l);
  l->allocator = allocator;
  l->mode = mode;
  l->in = k;
  l->out = n;
  size_t bytes = mode == TETRA_LINEAR_F32 ? gemm_f32_packed_size(k, n) * sizeof(float)
                                          : gemm_i8_packed_size(k, n);
  l->packed = tetra_alloc(allocator, bytes ? bytes : 1);
  if (mode == TETRA_LINEAR_INT8) l->scales = tetra_alloc(allocator, (n ? n : 1) * sizeof(float));
  if (has_bias) l->bias = tetra_alloc(allocator, (n ? n : 1) * sizeof(float));
  if (!l->packed || (mode == TETRA_LINEAR_INT8 && !l->scales) || (has_bias && !l->bias)) {
    tetra_linear_free(l);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "linear: out of memory packing %zu x %zu", n, k);
  }
  *out = l;
  return TETRA_OK;
}

tetra_status tetra_linear_create(const tetra_allocator *allocator, const tetra_tensor *weight,
                                 const tetra_tensor *bias, tetra_linear_mode mode,
                                 tetra_linear **out, tetra_error *err) {
  if (!weight || !out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "linear: NULL argument");
  *out = NULL;
  if (mode != TETRA_LINEAR_F32 && mode != TETRA_LINEAR_INT8)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "linear: unknown mode %d", (int)mode);
  tetra_status st = check_linear_shapes(weight, bias, err);
  if (st) return st;
  size_t n = (size_t)weight->shape[0], k = (size_t)weight->shape[1];
  if (!allocator) allocator = tetra_allocator_default();
  tetra_tensor_ctx heap = {allocator, NULL};
  const tetra_tensor *w, *b = NULL;
  tetra_tensor *tw = NULL, *tb = NULL;
  tetra_linear *l = NULL;
  st = tensor_as_f32(&heap, weight, &w, &tw, err, "linear");
  if (st == TETRA_OK && bias) st = tensor_as_f32(&heap, bias, &b, &tb, err, "linear");
  if (st == TETRA_OK) st = linear_alloc(allocator, mode, n, k, b != NULL, &l, err);
  if (st == TETRA_OK) {
    if (mode == TETRA_LINEAR_F32) gemm_f32_pack_b(k, n, tensor_f32(w), k, 1, l->packed);
    else gemm_i8_pack_b(k, n, tensor_f32(w), k, 1, l->packed, l->scales);
    if (b) memcpy(l->bias, tensor_f32(b), n * sizeof(float));
  }
  tetra_tensor_free(tw);
  tetra_tensor_free(tb);
  if (st) return st;
  *out = l;
  return TETRA_OK;
}

tetra_status tetra_linear_quantize_weights(const tetra_allocator *allocator,
                                           const tetra_tensor *weight, int8_t *q, float *scales,
                                           tetra_error *err) {
  if (!weight || !scales)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "linear quantize: NULL argument");
  tetra_status st = check_linear_shapes(weight, NULL, err);
  if (st) return st;
  size_t n = (size_t)weight->shape[0], k = (size_t)weight->shape[1];
  if (!q && n && k) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "linear quantize: q is NULL");
  tetra_tensor_ctx heap = {allocator, NULL};
  const tetra_tensor *w;
  tetra_tensor *tw = NULL;
  if ((st = tensor_as_f32(&heap, weight, &w, &tw, err, "linear quantize"))) return st;
  /* Rows of the [N, K] weight are the output channels: the per-row rule of the activations is
   * the per-channel rule gemm_i8_pack_b applies, integer for integer (the tests compare the
   * packed bytes). */
  quantize_rows_i8(n, k, tensor_f32(w), k, q, k, scales);
  tetra_tensor_free(tw);
  return TETRA_OK;
}

tetra_status tetra_linear_create_int8(const tetra_allocator *allocator, const tetra_tensor *weight_i8,
                                      const tetra_tensor *scales, const tetra_tensor *bias,
                                      tetra_linear **out, tetra_error *err) {
  if (!weight_i8 || !scales || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "linear int8: NULL argument");
  *out = NULL;
  tetra_status st = check_linear_shapes(weight_i8, bias, err);
  if (st) return st;
  size_t n = (size_t)weight_i8->shape[0], k = (size_t)weight_i8->shape[1];
  if (weight_i8->dtype != TETRA_I8)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "linear int8: weight is %s, expected int8",
                           tetra_dtype_name(weight_i8->dtype));
  if (scales->rank != 1 || (size_t)scales->shape[0] != n) {
    char s[160];
    shape_string(scales->rank, scales->shape, s, sizeof s);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "linear int8: scales have shape %s, expected [%zu] (one per output channel)", s, n);
  }
  if (!allocator) allocator = tetra_allocator_default();
  tetra_tensor_ctx heap = {allocator, NULL};
  const tetra_tensor *sc, *b = NULL;
  tetra_tensor *tq = NULL, *tsc = NULL, *tb = NULL;
  tetra_linear *l = NULL;
  const int8_t *q = (const int8_t *)tetra_tensor_data(weight_i8);
  if (!tetra_tensor_is_contiguous(weight_i8)) {
    st = tetra_tensor_contiguous(&heap, weight_i8, &tq, err);
    if (tq) q = (const int8_t *)tetra_tensor_data(tq);
  }
  if (st == TETRA_OK) st = tensor_as_f32(&heap, scales, &sc, &tsc, err, "linear int8: scales");
  if (st == TETRA_OK && bias) st = tensor_as_f32(&heap, bias, &b, &tb, err, "linear int8: bias");
  /* The kernel's int32 bound assumes |q| <= 127 (the quantizer never writes -128), and a scale
   * is what the quantizer gives: positive, 0 for an all-zero channel, NaN for a non-finite one. */
  for (size_t i = 0; st == TETRA_OK && i < n * k; i++)
    if (q[i] == -128)
      st = tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "linear int8: weight[%zu, %zu] = -128 is outside [-127, 127] (symmetric "
                           "quantization)", i / k, i % k);
  for (size_t i = 0; st == TETRA_OK && i < n; i++) {
    float v = tensor_f32(sc)[i];
    if (v == v && !(v >= 0.0f && v <= FLT_MAX))
      st = tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "linear int8: scales[%zu] = %g is not a scale (finite and >= 0, or NaN)", i,
                           (double)v);
  }
  if (st == TETRA_OK) st = linear_alloc(allocator, TETRA_LINEAR_INT8, n, k, b != NULL, &l, err);
  if (st == TETRA_OK) {
    memcpy(l->scales, tensor_f32(sc), n * sizeof(float));
    gemm_i8_pack_quantized(k, n, q, k, l->scales, l->packed);
    if (b) memcpy(l->bias, tensor_f32(b), n * sizeof(float));
  }
  tetra_tensor_free(tq);
  tetra_tensor_free(tsc);
  tetra_tensor_free(tb);
  if (st) return st;
  *out = l;
  return TETRA_OK;
}

tetra_status tetra_linear_forward(const tetra_tensor_ctx *ctx, const tetra_linear *l,
                                  const tetra_tensor *x, tetra_activation act, tetra_tensor **out,
                                  tetra_error *err) {
  if (!l || !x || !out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "linear: NULL argument");
  if (x->rank == 0 || (size_t)x->shape[x->rank - 1] != l->in) {
    char s[160];
    shape_string(x->rank, x->shape, s, sizeof s);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "linear: input of shape %s does not end in in_features %zu", s, l->in);
  }
  const tetra_tensor *fx;
  tetra_tensor *tx = NULL, *y = NULL;
  tetra_status st = tensor_as_f32(ctx, x, &fx, &tx, err, "linear");
  if (st) return st;
  int64_t shape[TETRA_MAX_RANK];
  memcpy(shape, x->shape, x->rank * sizeof shape[0]);
  shape[x->rank - 1] = (int64_t)l->out;
  if ((st = tensor_new(ctx, TETRA_F32, x->rank, shape, 0, &y, err, "linear")) == TETRA_OK) {
    size_t m = l->in ? tetra_tensor_numel(x) / l->in : tetra_tensor_numel(y) / (l->out ? l->out : 1);
    if (l->in == 0) {
      /* no inputs: the output is act(bias) */
      float *py = tensor_f32(y);
      for (size_t i = 0; i < m * l->out; i++) py[i] = l->bias ? l->bias[i % l->out] : 0.0f;
      bias_act_f32(m, l->out, py, l->out, NULL, kernel_act(act));
    } else if (l->mode == TETRA_LINEAR_F32) {
      gemm_f32_packed(m, l->out, l->in, tensor_f32(fx), l->in, l->packed, l->bias, kernel_act(act),
                      tensor_f32(y), l->out);
    } else {
      void *ws = tensor_scratch(ctx, gemm_i8_workspace_size(m, l->in));
      if (!ws) st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "linear: out of memory");
      else {
        gemm_i8(m, l->out, l->in, tensor_f32(fx), l->in, l->packed, l->scales, l->bias,
                kernel_act(act), tensor_f32(y), l->out, ws);
        tensor_scratch_free(ctx, ws);
      }
    }
  }
  tetra_tensor_free(tx);
  if (st) tetra_tensor_free(y);
  else *out = y;
  return st;
}

size_t tetra_linear_in_features(const tetra_linear *l) { return l ? l->in : 0; }
size_t tetra_linear_out_features(const tetra_linear *l) { return l ? l->out : 0; }

void tetra_linear_free(tetra_linear *l) {
  if (!l) return;
  tetra_free(l->allocator, l->packed);
  tetra_free(l->allocator, l->scales);
  tetra_free(l->allocator, l->bias);
  tetra_free(l->allocator, l);
}
