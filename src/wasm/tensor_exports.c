/* The tensor part of the C ABI for js/tensor.js. Tensors are heap tensors (no arena): each JS
 * Tensor owns one handle and frees it in dispose(). int64 shapes cross as arrays in wasm memory;
 * scalars that JS reads come back as double (exact for any dimension below 2^53). */
#include "tetra/tensor.h"

static const tetra_tensor_ctx heap = {NULL, NULL};

tetra_tensor *tetra_wasm_tensor_from(int dtype, int rank, const int64_t *shape, const void *data,
                                     size_t bytes, tetra_error *err) {
  tetra_tensor *t = NULL;
  if (data) tetra_tensor_from_data(&heap, (tetra_dtype)dtype, (size_t)rank, shape, data, bytes, &t, err);
  else tetra_tensor_zeros(&heap, (tetra_dtype)dtype, (size_t)rank, shape, &t, err);
  return t;
}

int tetra_wasm_tensor_dtype(const tetra_tensor *t) { return (int)tetra_tensor_dtype(t); }
int tetra_wasm_tensor_rank(const tetra_tensor *t) { return (int)tetra_tensor_rank(t); }
double tetra_wasm_tensor_dim(const tetra_tensor *t, int axis) {
  return (double)tetra_tensor_dim(t, (size_t)axis);
}
double tetra_wasm_tensor_numel(const tetra_tensor *t) { return (double)tetra_tensor_numel(t); }
int tetra_wasm_tensor_read(const tetra_tensor *t, void *dst, size_t bytes, tetra_error *err) {
  return (int)tetra_tensor_read(t, dst, bytes, err);
}

tetra_tensor *tetra_wasm_tensor_binary(int op, const tetra_tensor *a, const tetra_tensor *b,
                                       tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_binary(&heap, (tetra_binary_op)op, a, b, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_binary_scalar(int op, const tetra_tensor *a, float s, int first,
                                              tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_binary_scalar(&heap, (tetra_binary_op)op, a, s, first, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_unary(int op, const tetra_tensor *a, tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_unary(&heap, (tetra_unary_op)op, a, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_matmul(const tetra_tensor *a, const tetra_tensor *b, int ta, int tb,
                                       tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_matmul(&heap, a, b, ta, tb, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_reduce(int op, const tetra_tensor *a, int axis, int keepdims,
                                       tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_reduce(&heap, (tetra_reduce_op)op, a, axis, keepdims, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_softmax(const tetra_tensor *a, int axis, tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_softmax(&heap, a, axis, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_norm(int rms, const tetra_tensor *x, const tetra_tensor *gamma,
                                     const tetra_tensor *beta, float eps, tetra_error *err) {
  tetra_tensor *y = NULL;
  if (rms) tetra_tensor_rms_norm(&heap, x, gamma, eps, &y, err);
  else tetra_tensor_layer_norm(&heap, x, gamma, beta, eps, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_reshape(const tetra_tensor *t, int rank, const int64_t *shape,
                                        tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_reshape(&heap, t, (size_t)rank, shape, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_permute(const tetra_tensor *t, const int64_t *axes, tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_permute(&heap, t, axes, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_slice(const tetra_tensor *t, int axis, double start, double stop,
                                      double step, tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_slice(&heap, t, axis, (int64_t)start, (int64_t)stop, (int64_t)step, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_expand(const tetra_tensor *t, int rank, const int64_t *shape,
                                       tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_expand(&heap, t, (size_t)rank, shape, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_contiguous(const tetra_tensor *t, tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_contiguous(&heap, t, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_cast(const tetra_tensor *t, int dtype, tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_cast(&heap, t, (tetra_dtype)dtype, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_where(const tetra_tensor *c, const tetra_tensor *a,
                                      const tetra_tensor *b, tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_where(&heap, c, a, b, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_masked_fill(const tetra_tensor *a, const tetra_tensor *m, float v,
                                            tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_masked_fill(&heap, a, m, v, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_gather_rows(const tetra_tensor *table, const tetra_tensor *ids,
                                            tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_gather_rows(&heap, table, ids, &y, err);
  return y;
}
tetra_tensor *tetra_wasm_tensor_concat(const tetra_tensor *const *ts, int n, int axis,
                                       tetra_error *err) {
  tetra_tensor *y = NULL;
  tetra_tensor_concat(&heap, ts, (size_t)n, axis, &y, err);
  return y;
}
