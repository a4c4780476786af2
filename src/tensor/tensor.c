/* Tensors: creation, ownership, views, copies and casts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kernels/kernels.h"
#include "tensor_impl.h"

/* Elements a tensor may hold: keeps byte counts far from size_t overflow on wasm32 too. */
#define MAX_ELEMENTS ((int64_t)1 << 40)

const char *tetra_dtype_name(tetra_dtype dtype) {
  switch (dtype) {
    case TETRA_F32: return "float32";
    case TETRA_F16: return "float16";
    case TETRA_BF16: return "bfloat16";
    case TETRA_I8: return "int8";
    case TETRA_I32: return "int32";
    case TETRA_I64: return "int64";
  }
  return "unknown";
}

size_t tetra_dtype_size(tetra_dtype dtype) {
  switch (dtype) {
    case TETRA_F32: case TETRA_I32: return 4;
    case TETRA_F16: case TETRA_BF16: return 2;
    case TETRA_I8: return 1;
    case TETRA_I64: return 8;
  }
  return 0;
}

void shape_string(size_t rank, const int64_t *shape, char *buf, size_t size) {
  size_t n = (size_t)snprintf(buf, size, "[");
  for (size_t i = 0; i < rank && n < size; i++)
    n += (size_t)snprintf(buf + n, size - n, "%s%lld", i ? ", " : "", (long long)shape[i]);
  if (n < size) snprintf(buf + n, size - n, "]");
}

void tetra_tensor_shape_string(const tetra_tensor *t, char *buf, size_t size) {
  shape_string(t->rank, t->shape, buf, size);
}

static tetra_status check_shape(size_t rank, const int64_t *shape, int64_t *numel, tetra_error *err,
                                const char *op) {
  if (rank > TETRA_MAX_RANK)
    return tetra_error_set(err, TETRA_ERR_LIMIT, "%s: rank %zu exceeds the maximum of %d", op, rank,
                           TETRA_MAX_RANK);
  if (rank && !shape)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: shape is NULL", op);
  int64_t n = 1;
  for (size_t i = 0; i < rank; i++) {
    if (shape[i] < 0) {
      char s[160];
      shape_string(rank, shape, s, sizeof s);
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "%s: shape %s has a negative dimension", op, s);
    }
    if (shape[i] && n > MAX_ELEMENTS / shape[i]) {
      char s[160];
      shape_string(rank, shape, s, sizeof s);
      return tetra_error_set(err, TETRA_ERR_LIMIT, "%s: shape %s has too many elements", op, s);
    }
    n *= shape[i];
  }
  *numel = n;
  return TETRA_OK;
}

void tensor_set_contiguous_strides(tetra_tensor *t) {
  int64_t s = 1;
  for (size_t i = t->rank; i-- > 0;) {
    t->strides[i] = s;
    s *= t->shape[i] ? t->shape[i] : 1;
  }
}

static tetra_tensor *new_header(const tetra_tensor_ctx *ctx) {
  tetra_tensor *t;
  if (ctx && ctx->arena) {
    t = tetra_arena_alloc(ctx->arena, sizeof *t);
    if (t) {
      memset(t, 0, sizeof *t);
      t->allocator = NULL;
    }
  } else {
    const tetra_allocator *a = ctx && ctx->allocator ? ctx->allocator : tetra_allocator_default();
    t = tetra_alloc(a, sizeof *t);
    if (t) {
      memset(t, 0, sizeof *t);
      t->allocator = a;
    }
  }
  return t;
}

static tetra_status oom(tetra_error *err, const char *op, size_t bytes) {
  return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "%s: out of memory allocating %zu bytes", op,
                         bytes);
}

/* Shared body of zeros/from_data/wrap/new: a header plus (unless data is given) a buffer. */
static tetra_status make(const tetra_tensor_ctx *ctx, tetra_dtype dtype, size_t rank,
                         const int64_t *shape, void *borrowed, int zero, tetra_tensor **out,
                         tetra_error *err, const char *op) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: out is NULL", op);
  *out = NULL;
  if (tetra_dtype_size(dtype) == 0)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: unknown dtype %d", op, (int)dtype);
  int64_t numel;
  tetra_status st = check_shape(rank, shape, &numel, err, op);
  if (st) return st;
  size_t bytes = (size_t)numel * tetra_dtype_size(dtype);
  tetra_tensor *t = new_header(ctx);
  if (!t) return oom(err, op, sizeof *t);
  t->dtype = dtype;
  t->rank = (uint32_t)rank;
  for (size_t i = 0; i < rank; i++) t->shape[i] = shape[i];
  tensor_set_contiguous_strides(t);
  if (ctx && ctx->arena) {
    t->base = borrowed ? borrowed : tetra_arena_alloc(ctx->arena, bytes ? bytes : 1);
    if (!t->base) return oom(err, op, bytes);
  } else {
    tensor_buffer *b = tetra_alloc(t->allocator, sizeof *b);
    void *data = borrowed ? borrowed : tetra_alloc(t->allocator, bytes ? bytes : 1);
    if (!b || !data) {
      tetra_free(t->allocator, b);
      if (!borrowed) tetra_free(t->allocator, data);
      tetra_free(t->allocator, t);
      return oom(err, op, bytes);
    }
    b->data = data;
    b->allocator = t->allocator;
    b->refs = 1;
    b->owns_data = borrowed == NULL;
    t->buffer = b;
    t->base = data;
  }
  if (zero && !borrowed) memset(t->base, 0, bytes);
  *out = t;
  return TETRA_OK;
}

tetra_status tensor_new(const tetra_tensor_ctx *ctx, tetra_dtype dtype, size_t rank,
                        const int64_t *shape, int zero, tetra_tensor **out, tetra_error *err,
                        const char *op) {
  return make(ctx, dtype, rank, shape, NULL, zero, out, err, op);
}

tetra_status tetra_tensor_zeros(const tetra_tensor_ctx *ctx, tetra_dtype dtype, size_t rank,
                                const int64_t *shape, tetra_tensor **out, tetra_error *err) {
  return make(ctx, dtype, rank, shape, NULL, 1, out, err, "zeros");
}

tetra_status tetra_tensor_from_data(const tetra_tensor_ctx *ctx, tetra_dtype dtype, size_t rank,
                                    const int64_t *shape, const void *data, size_t bytes,
                                    tetra_tensor **out, tetra_error *err) {
  tetra_status st = make(ctx, dtype, rank, shape, NULL, 0, out, err, "from_data");
  if (st) return st;
  size_t need = tetra_tensor_numel(*out) * tetra_dtype_size(dtype);
  if (bytes != need || (need && !data)) {
    char s[160];
    shape_string(rank, shape, s, sizeof s);
    tetra_tensor_free(*out);
    *out = NULL;
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "from_data: %zu bytes given for a %s tensor of shape %s (%zu bytes)",
                           bytes, tetra_dtype_name(dtype), s, need);
  }
  if (need) memcpy((*out)->base, data, need);
  return TETRA_OK;
}

tetra_status tetra_tensor_wrap(const tetra_tensor_ctx *ctx, tetra_dtype dtype, size_t rank,
                               const int64_t *shape, void *data, size_t bytes, tetra_tensor **out,
                               tetra_error *err) {
  int64_t numel;
  tetra_status st = check_shape(rank, shape, &numel, err, "wrap");
  if (st) return st;
  size_t need = (size_t)numel * tetra_dtype_size(dtype);
  if (bytes != need || !data)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "wrap: %zu bytes given, the shape needs %zu", bytes, need);
  return make(ctx, dtype, rank, shape, data, 0, out, err, "wrap");
}

tetra_status tensor_view(const tetra_tensor_ctx *ctx, const tetra_tensor *src, tetra_tensor **out,
                         tetra_error *err, const char *op) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: out is NULL", op);
  *out = NULL;
  if (!src) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: tensor is NULL", op);
  tetra_tensor *t = new_header(ctx);
  if (!t) return oom(err, op, sizeof *t);
  const tetra_allocator *mine = t->allocator;
  *t = *src;
  t->allocator = mine;
  /* Heap views keep the buffer alive; arena views borrow (the arena step is shorter-lived). */
  if (mine && src->buffer) src->buffer->refs++;
  else t->buffer = NULL;
  *out = t;
  return TETRA_OK;
}

void tetra_tensor_free(tetra_tensor *t) {
  if (!t || !t->allocator) return; /* NULL, or arena-owned */
  tensor_buffer *b = t->buffer;
  if (b && --b->refs == 0) {
    if (b->owns_data) tetra_free(b->allocator, b->data);
    tetra_free(b->allocator, b);
  }
  tetra_free(t->allocator, t);
}

void *tensor_scratch(const tetra_tensor_ctx *ctx, size_t bytes) {
  if (ctx && ctx->arena) return tetra_arena_alloc(ctx->arena, bytes ? bytes : 1);
  return tetra_alloc(ctx ? ctx->allocator : NULL, bytes ? bytes : 1);
}

void tensor_scratch_free(const tetra_tensor_ctx *ctx, void *p) {
  if (ctx && ctx->arena) return;
  tetra_free(ctx ? ctx->allocator : NULL, p);
}

tetra_dtype tetra_tensor_dtype(const tetra_tensor *t) { return t->dtype; }
size_t tetra_tensor_rank(const tetra_tensor *t) { return t->rank; }
int64_t tetra_tensor_dim(const tetra_tensor *t, size_t axis) {
  return axis < t->rank ? t->shape[axis] : 0;
}
int64_t tetra_tensor_stride(const tetra_tensor *t, size_t axis) {
  return axis < t->rank ? t->strides[axis] : 0;
}
size_t tetra_tensor_numel(const tetra_tensor *t) {
  size_t n = 1;
  for (size_t i = 0; i < t->rank; i++) n *= (size_t)t->shape[i];
  return n;
}
void *tetra_tensor_data(const tetra_tensor *t) {
  return t->base + t->offset * (int64_t)tetra_dtype_size(t->dtype);
}

int tetra_tensor_is_contiguous(const tetra_tensor *t) {
  int64_t s = 1;
  for (size_t i = t->rank; i-- > 0;) {
    if (t->shape[i] == 0) return 1;
    if (t->shape[i] != 1 && t->strides[i] != s) return 0;
    s *= t->shape[i];
  }
  return 1;
}

/* Copies a strided view of element size esize into contiguous dst, one innermost run at a time. */
static void gather_bytes(size_t esize, size_t rank, const int64_t *shape, const char *src,
                         const int64_t *strides, char *dst) {
  if (rank == 0) {
    memcpy(dst, src, esize);
    return;
  }
  for (size_t i = 0; i < rank; i++)
    if (shape[i] == 0) return;
  int64_t idx[TETRA_MAX_RANK] = {0};
  const size_t last = rank - 1;
  const int64_t n = shape[last], step = strides[last];
  for (;;) {
    const char *p = src;
    for (size_t i = 0; i < last; i++) p += idx[i] * strides[i] * (int64_t)esize;
    if (step == 1) {
      memcpy(dst, p, (size_t)n * esize);
      dst += (size_t)n * esize;
    } else {
      for (int64_t j = 0; j < n; j++, dst += esize) memcpy(dst, p + j * step * (int64_t)esize, esize);
    }
    size_t i = last;
    while (i-- > 0) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
    if (i == (size_t)-1) return;
  }
}

void tensor_gather_f32(size_t rank, const int64_t *shape, const float *src, const int64_t *strides,
                       float *dst) {
  gather_bytes(sizeof(float), rank, shape, (const char *)src, strides, (char *)dst);
}

tetra_status tetra_tensor_read(const tetra_tensor *t, void *dst, size_t bytes, tetra_error *err) {
  size_t need = tetra_tensor_numel(t) * tetra_dtype_size(t->dtype);
  if (bytes < need || (need && !dst))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "read: destination holds %zu bytes, the tensor needs %zu", bytes, need);
  gather_bytes(tetra_dtype_size(t->dtype), t->rank, t->shape, tetra_tensor_data(t), t->strides, dst);
  return TETRA_OK;
}

tetra_status tetra_tensor_contiguous(const tetra_tensor_ctx *ctx, const tetra_tensor *t,
                                     tetra_tensor **out, tetra_error *err) {
  tetra_status st = make(ctx, t->dtype, t->rank, t->shape, NULL, 0, out, err, "contiguous");
  if (st) return st;
  gather_bytes(tetra_dtype_size(t->dtype), t->rank, t->shape, tetra_tensor_data(t), t->strides,
               (*out)->base);
  return TETRA_OK;
}

tetra_status tensor_axis(const tetra_tensor *t, int64_t axis, size_t *out, tetra_error *err,
                         const char *op) {
  int64_t r = (int64_t)t->rank;
  *out = 0; /* written on failure too: callers chain two lookups before checking the status */
  if (axis < -r || axis >= r || r == 0) {
    char s[160];
    shape_string(t->rank, t->shape, s, sizeof s);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "%s: axis %lld is out of range for shape %s", op, (long long)axis, s);
  }
  *out = (size_t)(axis < 0 ? axis + r : axis);
  return TETRA_OK;
}

tetra_status tetra_tensor_reshape(const tetra_tensor_ctx *ctx, const tetra_tensor *t, size_t rank,
                                  const int64_t *shape, tetra_tensor **out, tetra_error *err) {
  if (rank > TETRA_MAX_RANK || (rank && !shape))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "reshape: bad rank %zu", rank);
  int64_t dims[TETRA_MAX_RANK], known = 1;
  int infer = -1;
  for (size_t i = 0; i < rank; i++) {
    dims[i] = shape[i];
    if (shape[i] == -1 && infer < 0) infer = (int)i;
    else if (shape[i] < 0) infer = -2;
    else known *= shape[i];
  }
  int64_t numel = (int64_t)tetra_tensor_numel(t);
  if (infer >= 0 && known > 0 && numel % known == 0) dims[infer] = numel / known;
  int64_t total = 1;
  for (size_t i = 0; i < rank; i++) total *= dims[i];
  if (infer == -2 || total != numel || (infer >= 0 && known == 0)) {
    char a[160], b[160];
    shape_string(t->rank, t->shape, a, sizeof a);
    shape_string(rank, shape, b, sizeof b);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "reshape: cannot reshape %s (%lld elements) to %s", a, (long long)numel,
                           b);
  }
  tetra_tensor *src = (tetra_tensor *)t, *copy = NULL;
  tetra_status st;
  if (!tetra_tensor_is_contiguous(t)) { /* NumPy copies when a view is impossible */
    if ((st = tetra_tensor_contiguous(ctx, t, &copy, err))) return st;
    src = copy;
  }
  st = tensor_view(ctx, src, out, err, "reshape");
  tetra_tensor_free(copy);
  if (st) return st;
  (*out)->rank = (uint32_t)rank;
  for (size_t i = 0; i < rank; i++) (*out)->shape[i] = dims[i];
  tensor_set_contiguous_strides(*out);
  return TETRA_OK;
}

tetra_status tetra_tensor_permute(const tetra_tensor_ctx *ctx, const tetra_tensor *t,
                                  const int64_t *axes, tetra_tensor **out, tetra_error *err) {
  int seen[TETRA_MAX_RANK] = {0};
  size_t norm[TETRA_MAX_RANK];
  for (size_t i = 0; i < t->rank; i++) {
    tetra_status st = tensor_axis(t, axes[i], &norm[i], err, "permute");
    if (st) return st;
    if (seen[norm[i]]++) {
      char s[160];
      shape_string(t->rank, axes, s, sizeof s);
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "permute: axes %s repeat axis %zu", s, norm[i]);
    }
  }
  tetra_status st = tensor_view(ctx, t, out, err, "permute");
  if (st) return st;
  for (size_t i = 0; i < t->rank; i++) {
    (*out)->shape[i] = t->shape[norm[i]];
    (*out)->strides[i] = t->strides[norm[i]];
  }
  return TETRA_OK;
}

tetra_status tetra_tensor_transpose(const tetra_tensor_ctx *ctx, const tetra_tensor *t,
                                    int64_t axis0, int64_t axis1, tetra_tensor **out,
                                    tetra_error *err) {
  size_t a, b;
  tetra_status st;
  if ((st = tensor_axis(t, axis0, &a, err, "transpose")) ||
      (st = tensor_axis(t, axis1, &b, err, "transpose")))
    return st;
  int64_t axes[TETRA_MAX_RANK];
  for (size_t i = 0; i < t->rank; i++) axes[i] = (int64_t)i;
  axes[a] = (int64_t)b;
  axes[b] = (int64_t)a;
  return tetra_tensor_permute(ctx, t, axes, out, err);
}

tetra_status tetra_tensor_slice(const tetra_tensor_ctx *ctx, const tetra_tensor *t, int64_t axis,
                                int64_t start, int64_t stop, int64_t step, tetra_tensor **out,
                                tetra_error *err) {
  size_t ax;
  tetra_status st = tensor_axis(t, axis, &ax, err, "slice");
  if (st) return st;
  if (step <= 0)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "slice: step must be positive, not %lld",
                           (long long)step);
  int64_t n = t->shape[ax];
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  start = start < 0 ? 0 : start > n ? n : start;
  stop = stop < 0 ? 0 : stop > n ? n : stop;
  int64_t len = stop > start ? (stop - start + step - 1) / step : 0;
  if ((st = tensor_view(ctx, t, out, err, "slice"))) return st;
  (*out)->shape[ax] = len;
  if (len) (*out)->offset += start * t->strides[ax];
  (*out)->strides[ax] = t->strides[ax] * step;
  return TETRA_OK;
}

tetra_status tetra_tensor_expand(const tetra_tensor_ctx *ctx, const tetra_tensor *t, size_t rank,
                                 const int64_t *shape, tetra_tensor **out, tetra_error *err) {
  if (rank < t->rank || rank > TETRA_MAX_RANK) {
    char a[160];
    shape_string(t->rank, t->shape, a, sizeof a);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "expand: cannot expand %s to rank %zu", a, rank);
  }
  int64_t dims[TETRA_MAX_RANK], strides[TETRA_MAX_RANK];
  size_t lead = rank - t->rank;
  for (size_t i = 0; i < rank; i++) {
    int64_t want = shape[i];
    int64_t have = i < lead ? 1 : t->shape[i - lead];
    int64_t stride = i < lead ? 0 : t->strides[i - lead];
    if (want == -1) want = have;
    if (want != have && have != 1) {
      char a[160], b[160];
      shape_string(t->rank, t->shape, a, sizeof a);
      shape_string(rank, shape, b, sizeof b);
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "expand: cannot expand %s to %s (axis %zu: %lld vs %lld)", a, b, i,
                             (long long)have, (long long)want);
    }
    if (want < 0)
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "expand: negative dimension");
    dims[i] = want;
    strides[i] = want != have ? 0 : stride;
  }
  tetra_status st = tensor_view(ctx, t, out, err, "expand");
  if (st) return st;
  (*out)->rank = (uint32_t)rank;
  memcpy((*out)->shape, dims, rank * sizeof dims[0]);
  memcpy((*out)->strides, strides, rank * sizeof strides[0]);
  return TETRA_OK;
}

/* ---- casts ---------------------------------------------------------------------------------- */

static int is_float(tetra_dtype d) { return d == TETRA_F32 || d == TETRA_F16 || d == TETRA_BF16; }

static void to_f32(tetra_dtype d, const void *src, size_t n, float *dst) {
  switch (d) {
    case TETRA_F32: memcpy(dst, src, n * 4); break;
    case TETRA_F16: f16_to_f32(n, src, dst); break;
    case TETRA_BF16: bf16_to_f32(n, src, dst); break;
    case TETRA_I8: for (size_t i = 0; i < n; i++) dst[i] = ((const int8_t *)src)[i]; break;
    case TETRA_I32: for (size_t i = 0; i < n; i++) dst[i] = (float)((const int32_t *)src)[i]; break;
    case TETRA_I64: for (size_t i = 0; i < n; i++) dst[i] = (float)((const int64_t *)src)[i]; break;
  }
}

static int64_t int_at(tetra_dtype d, const void *src, size_t i) {
  switch (d) {
    case TETRA_I8: return ((const int8_t *)src)[i];
    case TETRA_I32: return ((const int32_t *)src)[i];
    case TETRA_I64: return ((const int64_t *)src)[i];
    default: return 0;
  }
}

tetra_status tetra_tensor_cast(const tetra_tensor_ctx *ctx, const tetra_tensor *t, tetra_dtype dtype,
                               tetra_tensor **out, tetra_error *err) {
  if (tetra_dtype_size(dtype) == 0)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "cast: unknown dtype %d", (int)dtype);
  tetra_tensor *src = NULL, *res = NULL;
  tetra_status st = tetra_tensor_contiguous(ctx, t, &src, err);
  if (st) return st;
  if (dtype == t->dtype) {
    *out = src;
    return TETRA_OK;
  }
  size_t n = tetra_tensor_numel(t);
  if ((st = tensor_new(ctx, dtype, t->rank, t->shape, 0, &res, err, "cast"))) {
    tetra_tensor_free(src);
    return st;
  }
  if (is_float(t->dtype) && is_float(dtype)) {
    float *tmp = t->dtype == TETRA_F32 ? (float *)src->base : tensor_scratch(ctx, n * 4);
    if (!tmp) st = oom(err, "cast", n * 4);
    else {
      if (t->dtype != TETRA_F32) to_f32(t->dtype, src->base, n, tmp);
      if (dtype == TETRA_F32) memcpy(res->base, tmp, n * 4);
      else if (dtype == TETRA_F16) f32_to_f16(n, tmp, (uint16_t *)res->base);
      else f32_to_bf16(n, tmp, (uint16_t *)res->base);
      if (tmp != (float *)src->base) tensor_scratch_free(ctx, tmp);
    }
  } else if (is_float(dtype)) { /* int -> float */
    float *tmp = dtype == TETRA_F32 ? (float *)res->base : tensor_scratch(ctx, n * 4);
    if (!tmp) st = oom(err, "cast", n * 4);
    else {
      to_f32(t->dtype, src->base, n, tmp);
      if (dtype == TETRA_F16) f32_to_f16(n, tmp, (uint16_t *)res->base);
      else if (dtype == TETRA_BF16) f32_to_bf16(n, tmp, (uint16_t *)res->base);
      if (tmp != (float *)res->base) tensor_scratch_free(ctx, tmp);
    }
  } else { /* to an integer type: from float (truncate, checked) or from another integer */
    int64_t lo = dtype == TETRA_I8 ? INT8_MIN : dtype == TETRA_I32 ? INT32_MIN : INT64_MIN;
    int64_t hi = dtype == TETRA_I8 ? INT8_MAX : dtype == TETRA_I32 ? INT32_MAX : INT64_MAX;
    float *tmp = is_float(t->dtype) ? tensor_scratch(ctx, n * 4) : NULL;
    if (is_float(t->dtype) && !tmp) st = oom(err, "cast", n * 4);
    if (tmp) to_f32(t->dtype, src->base, n, tmp);
    for (size_t i = 0; st == TETRA_OK && i < n; i++) {
      int64_t v;
      if (tmp) {
        float f = truncf(tmp[i]);
        /* float -> int of NaN or an out-of-range value is undefined in C: refuse it */
        if (!(f >= (float)lo && f <= (float)hi) || (dtype == TETRA_I64 && f >= 9.2233720e18f)) {
          st = tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                               "cast: element %zu (%g) does not fit in %s", i, (double)tmp[i],
                               tetra_dtype_name(dtype));
          break;
        }
        v = (int64_t)f;
      } else {
        v = int_at(t->dtype, src->base, i);
        if (v < lo || v > hi) {
          st = tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                               "cast: element %zu (%lld) does not fit in %s", i, (long long)v,
                               tetra_dtype_name(dtype));
          break;
        }
      }
      if (dtype == TETRA_I8) ((int8_t *)res->base)[i] = (int8_t)v;
      else if (dtype == TETRA_I32) ((int32_t *)res->base)[i] = (int32_t)v;
      else ((int64_t *)res->base)[i] = v;
    }
    if (tmp) tensor_scratch_free(ctx, tmp);
  }
  tetra_tensor_free(src);
  if (st) {
    tetra_tensor_free(res);
    return st;
  }
  *out = res;
  return TETRA_OK;
}

tetra_status tensor_as_f32(const tetra_tensor_ctx *ctx, const tetra_tensor *t, const tetra_tensor **out,
                           tetra_tensor **tmp, tetra_error *err, const char *op) {
  *tmp = NULL;
  if (!t) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: tensor is NULL", op);
  if (t->dtype == TETRA_F32 && tetra_tensor_is_contiguous(t)) {
    *out = t;
    return TETRA_OK;
  }
  if (!is_float(t->dtype))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "%s: expected a floating-point tensor, got %s (cast it first)", op,
                           tetra_dtype_name(t->dtype));
  tetra_status st = tetra_tensor_cast(ctx, t, TETRA_F32, tmp, err);
  if (st) {
    tetra_error_prefix(err, "%s", op);
    return st;
  }
  *out = *tmp;
  return TETRA_OK;
}

tetra_status tensor_broadcast(const tetra_tensor *a, const tetra_tensor *b, size_t *rank,
                              int64_t *shape, tetra_error *err, const char *op) {
  size_t r = a->rank > b->rank ? a->rank : b->rank;
  for (size_t i = 0; i < r; i++) {
    int64_t da = i < r - a->rank ? 1 : a->shape[i - (r - a->rank)];
    int64_t db = i < r - b->rank ? 1 : b->shape[i - (r - b->rank)];
    if (da != db && da != 1 && db != 1) {
      char sa[160], sb[160];
      shape_string(a->rank, a->shape, sa, sizeof sa);
      shape_string(b->rank, b->shape, sb, sizeof sb);
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "%s: shapes %s and %s do not broadcast (axis %zu: %lld vs %lld)", op,
                             sa, sb, i, (long long)da, (long long)db);
    }
    shape[i] = da == 1 ? db : da;
  }
  *rank = r;
  return TETRA_OK;
}

void tensor_broadcast_strides(const tetra_tensor *t, size_t rank, const int64_t *shape,
                              int64_t *strides) {
  size_t lead = rank - t->rank;
  for (size_t i = 0; i < rank; i++) {
    if (i < lead) strides[i] = 0;
    else strides[i] = t->shape[i - lead] == shape[i] ? t->strides[i - lead] : 0;
    if (i >= lead && t->shape[i - lead] == 1) strides[i] = 0;
  }
}
