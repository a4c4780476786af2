/* Indexing and joining: embedding lookup and concatenation. */
#include <string.h>

#include "kernels/kernels.h"
#include "tensor_impl.h"

tetra_status tetra_tensor_gather_rows(const tetra_tensor_ctx *ctx, const tetra_tensor *table,
                                      const tetra_tensor *ids, tetra_tensor **out,
                                      tetra_error *err) {
  if (!table || !ids || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "gather_rows: NULL argument");
  if (table->rank != 2 || !(table->dtype == TETRA_F32 || table->dtype == TETRA_F16 ||
                            table->dtype == TETRA_BF16)) {
    char s[160];
    shape_string(table->rank, table->shape, s, sizeof s);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "gather_rows: table must be a 2-D float tensor, got %s %s",
                           tetra_dtype_name(table->dtype), s);
  }
  if (ids->dtype != TETRA_I32 && ids->dtype != TETRA_I64)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "gather_rows: ids must be int32 or int64, not %s",
                           tetra_dtype_name(ids->dtype));
  if (ids->rank + 1 > TETRA_MAX_RANK)
    return tetra_error_set(err, TETRA_ERR_LIMIT, "gather_rows: result rank exceeds %d", TETRA_MAX_RANK);
  int64_t vocab = table->shape[0], dim = table->shape[1];
  tetra_tensor *cid = NULL, *y = NULL;
  tetra_status st = tetra_tensor_contiguous(ctx, ids, &cid, err);
  if (st) return st;
  size_t n = tetra_tensor_numel(ids);
  /* Validate every id before writing anything. */
  for (size_t i = 0; i < n; i++) {
    int64_t id = ids->dtype == TETRA_I32 ? ((const int32_t *)cid->base)[i] : ((const int64_t *)cid->base)[i];
    if (id < 0 || id >= vocab) {
      tetra_tensor_free(cid);
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "gather_rows: id %lld at position %zu is outside the table's %lld rows",
                             (long long)id, i, (long long)vocab);
    }
  }
  int64_t shape[TETRA_MAX_RANK];
  memcpy(shape, ids->shape, ids->rank * sizeof shape[0]);
  shape[ids->rank] = dim;
  if ((st = tensor_new(ctx, TETRA_F32, ids->rank + 1, shape, 0, &y, err, "gather_rows")) == TETRA_OK) {
    const char *base = tetra_tensor_data(table);
    size_t esize = tetra_dtype_size(table->dtype);
    float *py = tensor_f32(y);
    for (size_t i = 0; i < n; i++, py += dim) {
      int64_t id = ids->dtype == TETRA_I32 ? ((const int32_t *)cid->base)[i] : ((const int64_t *)cid->base)[i];
      const char *row = base + id * table->strides[0] * (int64_t)esize;
      if (table->strides[1] == 1) {
        if (table->dtype == TETRA_F32) memcpy(py, row, (size_t)dim * sizeof(float));
        else if (table->dtype == TETRA_F16) f16_to_f32((size_t)dim, (const uint16_t *)row, py);
        else bf16_to_f32((size_t)dim, (const uint16_t *)row, py);
      } else {
        for (int64_t j = 0; j < dim; j++) {
          const char *e = row + j * table->strides[1] * (int64_t)esize;
          if (table->dtype == TETRA_F32) memcpy(&py[j], e, sizeof(float));
          else if (table->dtype == TETRA_F16) f16_to_f32(1, (const uint16_t *)e, &py[j]);
          else bf16_to_f32(1, (const uint16_t *)e, &py[j]);
        }
      }
    }
    *out = y;
  }
  tetra_tensor_free(cid);
  return st;
}

tetra_status tetra_tensor_concat(const tetra_tensor_ctx *ctx, const tetra_tensor *const *tensors,
                                 size_t n, int64_t axis, tetra_tensor **out, tetra_error *err) {
  if (!tensors || n == 0 || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "concat: needs at least one tensor");
  const tetra_tensor *first = tensors[0];
  if (!first) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "concat: tensor 0 is NULL");
  size_t ax;
  tetra_status st = tensor_axis(first, axis, &ax, err, "concat");
  if (st) return st;
  int64_t shape[TETRA_MAX_RANK];
  memcpy(shape, first->shape, first->rank * sizeof shape[0]);
  shape[ax] = 0;
  for (size_t k = 0; k < n; k++) {
    const tetra_tensor *t = tensors[k];
    int same = t && t->rank == first->rank && t->dtype == first->dtype;
    for (size_t i = 0; same && i < first->rank; i++)
      if (i != ax && t->shape[i] != first->shape[i]) same = 0;
    if (!same) {
      char s0[160], sk[160];
      shape_string(first->rank, first->shape, s0, sizeof s0);
      if (t) shape_string(t->rank, t->shape, sk, sizeof sk);
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "concat: tensor %zu (%s %s) does not match tensor 0 (%s %s) outside axis %zu",
                             k, t ? tetra_dtype_name(t->dtype) : "NULL", t ? sk : "",
                             tetra_dtype_name(first->dtype), s0, ax);
    }
    shape[ax] += t->shape[ax];
  }
  tetra_tensor *y = NULL;
  if ((st = tensor_new(ctx, first->dtype, first->rank, shape, 0, &y, err, "concat"))) return st;
  /* Each input's block is outer x (its axis length x inner) elements; copy them interleaved. */
  size_t esize = tetra_dtype_size(first->dtype), outer = 1, inner = 1;
  for (size_t i = 0; i < ax; i++) outer *= (size_t)shape[i];
  for (size_t i = ax + 1; i < first->rank; i++) inner *= (size_t)shape[i];
  size_t row_bytes = (size_t)shape[ax] * inner * esize, at = 0;
  for (size_t k = 0; k < n && st == TETRA_OK; k++) {
    const tetra_tensor *t = tensors[k];
    tetra_tensor *c = NULL;
    if ((st = tetra_tensor_contiguous(ctx, t, &c, err))) break;
    size_t block = (size_t)t->shape[ax] * inner * esize;
    for (size_t o = 0; o < outer; o++)
      memcpy((char *)y->base + o * row_bytes + at, (char *)c->base + o * block, block);
    at += block;
    tetra_tensor_free(c);
  }
  if (st) {
    tetra_tensor_free(y);
    return st;
  }
  *out = y;
  return TETRA_OK;
}
