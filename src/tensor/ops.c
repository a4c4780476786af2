/* Element-wise operations, reductions and normalisation over tensors.
 *
 * Each operation widens its inputs to contiguous float32 when they are not (views, float16), then
 * runs the SIMD kernels row by row: the last axis of the output is the row, and a broadcast or
 * strided operand is gathered into a row buffer first. Reductions and softmax over an inner axis
 * move that axis last with a permuted copy, so the kernels always see contiguous rows.
 */
#include <math.h>
#include <string.h>

#include "kernels/kernels.h"
#include "tensor_impl.h"

const char *tetra_binary_op_name(tetra_binary_op op) {
  static const char *names[] = {"add", "sub", "mul", "div", "maximum", "minimum"};
  return (unsigned)op < 6 ? names[op] : "binary";
}

const char *tetra_unary_op_name(tetra_unary_op op) {
  static const char *names[] = {"neg",  "exp",       "log",  "sqrt", "tanh", "erf",
                                "sigmoid", "gelu", "gelu_tanh", "silu", "relu", "abs"};
  return (unsigned)op < 12 ? names[op] : "unary";
}

static kernel_unary unary_kernel(tetra_unary_op op) {
  static const kernel_unary map[] = {KERNEL_NEG,     KERNEL_EXP,      KERNEL_LOG,  KERNEL_SQRT,
                                     KERNEL_TANH,    KERNEL_ERF,      KERNEL_SIGMOID, KERNEL_GELU_ERF,
                                     KERNEL_GELU_TANH, KERNEL_SILU, KERNEL_RELU, KERNEL_ABS};
  return map[op];
}

/* Iterates over every row (all axes but the last) of `rank`-dimensional shape, calling fn with the
 * row's element offset for each of up to three operands (strides per operand). */
typedef void (*row_fn)(void *state, size_t row, const int64_t *offsets);

static void for_each_row(size_t rank, const int64_t *shape, size_t nops,
                         const int64_t strides[][TETRA_MAX_RANK], row_fn fn, void *state) {
  int64_t idx[TETRA_MAX_RANK] = {0};
  size_t rows = 1;
  for (size_t i = 0; i + 1 < rank; i++) rows *= (size_t)shape[i];
  if (rank == 0 || shape[rank - 1] == 0) rows = rank == 0 ? 1 : 0;
  for (size_t row = 0; row < rows; row++) {
    int64_t offsets[3] = {0, 0, 0};
    for (size_t k = 0; k < nops; k++)
      for (size_t i = 0; i + 1 < rank; i++) offsets[k] += idx[i] * strides[k][i];
    fn(state, row, offsets);
    for (size_t i = rank - 1; i-- > 0;) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
}

/* A row of n floats at base + offset with element stride s, as a contiguous pointer: the row
 * itself when s == 1, else gathered (s == 0 broadcasts one value) into buf. */
static const float *row_of(const float *base, int64_t offset, int64_t s, size_t n, float *buf) {
  if (s == 1) return base + offset;
  for (size_t j = 0; j < n; j++) buf[j] = base[offset + (int64_t)j * s];
  return buf;
}

typedef struct binary_state {
  kernel_binary op;
  const float *a, *b;
  int64_t sa, sb; /* last-axis strides */
  float *y, *abuf, *bbuf;
  size_t n;
} binary_state;

static void binary_row(void *p, size_t row, const int64_t *off) {
  binary_state *s = p;
  float *y = s->y + row * s->n;
  if (s->sb == 0 && s->sa == 1) {
    binary_f32_scalar_right(s->op, s->n, s->a + off[0], s->b[off[1]], y);
  } else if (s->sa == 0 && s->sb == 1) {
    binary_f32_scalar_left(s->op, s->n, s->a[off[0]], s->b + off[1], y);
  } else {
    const float *a = row_of(s->a, off[0], s->sa, s->n, s->abuf);
    const float *b = row_of(s->b, off[1], s->sb, s->n, s->bbuf);
    binary_f32(s->op, s->n, a, b, y);
  }
}

tetra_status tetra_tensor_binary(const tetra_tensor_ctx *ctx, tetra_binary_op op,
                                 const tetra_tensor *a, const tetra_tensor *b, tetra_tensor **out,
                                 tetra_error *err) {
  const char *name = tetra_binary_op_name(op);
  if ((unsigned)op > TETRA_MINIMUM)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "binary: unknown op %d", (int)op);
  if (!a || !b || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: NULL argument", name);
  size_t rank;
  int64_t shape[TETRA_MAX_RANK];
  tetra_status st = tensor_broadcast(a, b, &rank, shape, err, name);
  if (st) return st;
  const tetra_tensor *fa, *fb;
  tetra_tensor *ta = NULL, *tb = NULL, *y = NULL;
  /* float32 views are read in place through their strides; other dtypes are widened first */
  if (a->dtype == TETRA_F32) fa = a;
  else if ((st = tensor_as_f32(ctx, a, &fa, &ta, err, name))) return st;
  if (b->dtype == TETRA_F32) fb = b;
  else if ((st = tensor_as_f32(ctx, b, &fb, &tb, err, name))) goto done;
  if ((st = tensor_new(ctx, TETRA_F32, rank, shape, 0, &y, err, name))) goto done;
  size_t n = rank ? (size_t)shape[rank - 1] : 1;
  int64_t strides[2][TETRA_MAX_RANK];
  tensor_broadcast_strides(fa, rank, shape, strides[0]);
  tensor_broadcast_strides(fb, rank, shape, strides[1]);
  float *bufs = tensor_scratch(ctx, 2 * n * sizeof(float));
  if (!bufs) {
    st = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "%s: out of memory", name);
    goto done;
  }
  binary_state s = {(kernel_binary)op, tensor_f32(fa), tensor_f32(fb),
                    rank ? strides[0][rank - 1] : 1, rank ? strides[1][rank - 1] : 1,
                    tensor_f32(y), bufs, bufs + n, n};
  for_each_row(rank, shape, 2, (const int64_t(*)[TETRA_MAX_RANK])strides, binary_row, &s);
  tensor_scratch_free(ctx, bufs);
done:
  tetra_tensor_free(ta);
  tetra_tensor_free(tb);
  if (st) tetra_tensor_free(y);
  else *out = y;
  return st;
}

tetra_status tetra_tensor_binary_scalar(const tetra_tensor_ctx *ctx, tetra_binary_op op,
                                        const tetra_tensor *a, float scalar, int scalar_first,
                                        tetra_tensor **out, tetra_error *err) {
  const char *name = tetra_binary_op_name(op);
  if ((unsigned)op > TETRA_MINIMUM || !a || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: bad argument", name);
  const tetra_tensor *fa;
  tetra_tensor *ta = NULL, *y = NULL;
  tetra_status st = tensor_as_f32(ctx, a, &fa, &ta, err, name);
  if (st) return st;
  if ((st = tensor_new(ctx, TETRA_F32, a->rank, a->shape, 0, &y, err, name)) == TETRA_OK) {
    size_t n = tetra_tensor_numel(a);
    if (scalar_first) binary_f32_scalar_left((kernel_binary)op, n, scalar, tensor_f32(fa), tensor_f32(y));
    else binary_f32_scalar_right((kernel_binary)op, n, tensor_f32(fa), scalar, tensor_f32(y));
    *out = y;
  }
  tetra_tensor_free(ta);
  return st;
}

tetra_status tetra_tensor_unary(const tetra_tensor_ctx *ctx, tetra_unary_op op,
                                const tetra_tensor *a, tetra_tensor **out, tetra_error *err) {
  if ((unsigned)op > TETRA_ABS || !a || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "unary: bad argument");
  const char *name = tetra_unary_op_name(op);
  const tetra_tensor *fa;
  tetra_tensor *ta = NULL, *y = NULL;
  tetra_status st = tensor_as_f32(ctx, a, &fa, &ta, err, name);
  if (st) return st;
  if (ta) { /* the widened copy is ours: transform it in place */
    unary_f32(unary_kernel(op), tetra_tensor_numel(ta), tensor_f32(ta), tensor_f32(ta));
    *out = ta;
    return TETRA_OK;
  }
  if ((st = tensor_new(ctx, TETRA_F32, a->rank, a->shape, 0, &y, err, name))) return st;
  unary_f32(unary_kernel(op), tetra_tensor_numel(a), tensor_f32(fa), tensor_f32(y));
  *out = y;
  return TETRA_OK;
}

/* cond, a, b broadcast together; element-wise select. Scalar loop: selects are memory-bound and
 * rare (attention masks are applied once per layer). */
static int truthy(tetra_dtype d, const char *p) {
  switch (d) {
    case TETRA_F32: { float v; memcpy(&v, p, 4); return v != 0.0f; } /* NaN is true */
    case TETRA_F16: case TETRA_BF16: { uint16_t v; memcpy(&v, p, 2); return (v & 0x7FFF) != 0; }
    case TETRA_I8: return *(const int8_t *)p != 0;
    case TETRA_I32: { int32_t v; memcpy(&v, p, 4); return v != 0; }
    case TETRA_I64: { int64_t v; memcpy(&v, p, 8); return v != 0; }
  }
  return 0;
}

tetra_status tetra_tensor_where(const tetra_tensor_ctx *ctx, const tetra_tensor *cond,
                                const tetra_tensor *a, const tetra_tensor *b, tetra_tensor **out,
                                tetra_error *err) {
  if (!cond || !a || !b || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "where: NULL argument");
  size_t r1, rank;
  int64_t s1[TETRA_MAX_RANK], shape[TETRA_MAX_RANK];
  tetra_status st = tensor_broadcast(a, b, &r1, s1, err, "where");
  if (st) return st;
  tetra_tensor ab = *a; /* a stand-in with the broadcast shape of a and b, for the third check */
  ab.rank = (uint32_t)r1;
  memcpy(ab.shape, s1, sizeof s1);
  if ((st = tensor_broadcast(cond, &ab, &rank, shape, err, "where"))) return st;
  const tetra_tensor *fa, *fb;
  tetra_tensor *ta = NULL, *tb = NULL, *y = NULL;
  if ((st = tensor_as_f32(ctx, a, &fa, &ta, err, "where"))) return st;
  if ((st = tensor_as_f32(ctx, b, &fb, &tb, err, "where"))) goto done;
  if ((st = tensor_new(ctx, TETRA_F32, rank, shape, 0, &y, err, "where"))) goto done;
  int64_t sc[TETRA_MAX_RANK], sa[TETRA_MAX_RANK], sb[TETRA_MAX_RANK], idx[TETRA_MAX_RANK] = {0};
  tensor_broadcast_strides(cond, rank, shape, sc);
  tensor_broadcast_strides(fa, rank, shape, sa);
  tensor_broadcast_strides(fb, rank, shape, sb);
  size_t n = tetra_tensor_numel(y), csize = tetra_dtype_size(cond->dtype);
  const char *cbase = tetra_tensor_data(cond);
  const float *pa = tensor_f32(fa), *pb = tensor_f32(fb);
  float *py = tensor_f32(y);
  for (size_t e = 0; e < n; e++) {
    int64_t oc = 0, oa = 0, ob = 0;
    for (size_t i = 0; i < rank; i++) {
      oc += idx[i] * sc[i];
      oa += idx[i] * sa[i];
      ob += idx[i] * sb[i];
    }
    py[e] = truthy(cond->dtype, cbase + oc * (int64_t)csize) ? pa[oa] : pb[ob];
    for (size_t i = rank; i-- > 0;) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
done:
  tetra_tensor_free(ta);
  tetra_tensor_free(tb);
  if (st) tetra_tensor_free(y);
  else *out = y;
  return st;
}

tetra_status tetra_tensor_masked_fill(const tetra_tensor_ctx *ctx, const tetra_tensor *a,
                                      const tetra_tensor *mask, float value, tetra_tensor **out,
                                      tetra_error *err) {
  if (!a || !mask || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "masked_fill: NULL argument");
  size_t rank;
  int64_t shape[TETRA_MAX_RANK];
  tetra_status st = tensor_broadcast(a, mask, &rank, shape, err, "masked_fill");
  if (st) return st;
  if (rank != a->rank || memcmp(shape, a->shape, rank * sizeof shape[0]) != 0) {
    char sa[160], sm[160];
    shape_string(a->rank, a->shape, sa, sizeof sa);
    shape_string(mask->rank, mask->shape, sm, sizeof sm);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "masked_fill: mask of shape %s would enlarge the tensor of shape %s", sm,
                           sa);
  }
  tetra_tensor *fill = NULL;
  if ((st = tetra_tensor_from_data(ctx, TETRA_F32, 0, NULL, &value, sizeof value, &fill, err)))
    return st;
  st = tetra_tensor_where(ctx, mask, fill, a, out, err);
  tetra_tensor_free(fill);
  if (st) tetra_error_prefix(err, "masked_fill");
  return st;
}

/* ---- along one axis ------------------------------------------------------------------------- */

/* A contiguous float32 tensor whose last axis is `axis` of t (the others in order), and the
 * permutation used, so results can be moved back. */
static tetra_status axis_last(const tetra_tensor_ctx *ctx, const tetra_tensor *t, size_t axis,
                              tetra_tensor **out, int64_t *perm, tetra_error *err, const char *op) {
  size_t k = 0;
  for (size_t i = 0; i < t->rank; i++)
    if (i != axis) perm[k++] = (int64_t)i;
  perm[k] = (int64_t)axis;
  tetra_tensor *view = NULL, *copy = NULL;
  tetra_status st = tetra_tensor_permute(ctx, t, perm, &view, err);
  if (st) return st;
  if (view->dtype == TETRA_F32 && tetra_tensor_is_contiguous(view)) {
    *out = view;
    return TETRA_OK;
  }
  st = view->dtype == TETRA_F32 ? tetra_tensor_contiguous(ctx, view, &copy, err)
                                : tetra_tensor_cast(ctx, view, TETRA_F32, &copy, err);
  tetra_tensor_free(view);
  if (st) {
    tetra_error_prefix(err, "%s", op);
    return st;
  }
  *out = copy;
  return TETRA_OK;
}

tetra_status tetra_tensor_reduce(const tetra_tensor_ctx *ctx, tetra_reduce_op op,
                                 const tetra_tensor *a, int64_t axis, int keepdims,
                                 tetra_tensor **out, tetra_error *err) {
  static const char *names[] = {"sum", "mean", "max", "argmax"};
  if ((unsigned)op > TETRA_ARGMAX || !a || !out)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "reduce: bad argument");
  const char *name = names[op];
  size_t ax;
  tetra_status st = tensor_axis(a, axis, &ax, err, name);
  if (st) return st;
  size_t n = (size_t)a->shape[ax];
  if (n == 0 && (op == TETRA_MAX || op == TETRA_ARGMAX)) {
    char s[160];
    shape_string(a->rank, a->shape, s, sizeof s);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                           "%s: axis %zu of shape %s is empty", name, ax, s);
  }
  int64_t perm[TETRA_MAX_RANK], shape[TETRA_MAX_RANK];
  tetra_tensor *x = NULL, *y = NULL;
  if ((st = axis_last(ctx, a, ax, &x, perm, err, name))) return st;
  size_t rank = 0;
  for (size_t i = 0; i < a->rank; i++) {
    if (i != ax) shape[rank++] = a->shape[i];
    else if (keepdims) shape[rank++] = 1;
  }
  st = tensor_new(ctx, op == TETRA_ARGMAX ? TETRA_I64 : TETRA_F32, rank, shape, 0, &y, err, name);
  if (st == TETRA_OK) {
    size_t rows = n ? tetra_tensor_numel(x) / n : tetra_tensor_numel(y);
    const float *px = tensor_f32(x);
    if (op == TETRA_ARGMAX) {
      reduce_argmax_f32(rows, n, px, n, (int64_t *)tetra_tensor_data(y));
    } else if (op == TETRA_MAX) {
      reduce_max_f32(rows, n, px, n, tensor_f32(y));
    } else {
      float *py = tensor_f32(y);
      if (n) reduce_sum_f32(rows, n, px, n, py);
      else for (size_t r = 0; r < rows; r++) py[r] = 0.0f;
      if (op == TETRA_MEAN)
        for (size_t r = 0; r < rows; r++) py[r] = n ? py[r] / (float)n : NAN;
    }
  }
  tetra_tensor_free(x);
  if (st == TETRA_OK) *out = y;
  return st;
}

tetra_status tetra_tensor_softmax(const tetra_tensor_ctx *ctx, const tetra_tensor *a, int64_t axis,
                                  tetra_tensor **out, tetra_error *err) {
  if (!a || !out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "softmax: NULL argument");
  size_t ax;
  tetra_status st = tensor_axis(a, axis, &ax, err, "softmax");
  if (st) return st;
  int64_t perm[TETRA_MAX_RANK], inverse[TETRA_MAX_RANK];
  tetra_tensor *x = NULL, *y = NULL, *back = NULL;
  if ((st = axis_last(ctx, a, ax, &x, perm, err, "softmax"))) return st;
  if ((st = tensor_new(ctx, TETRA_F32, x->rank, x->shape, 0, &y, err, "softmax"))) goto done;
  size_t n = (size_t)a->shape[ax];
  if (n) softmax_f32(tetra_tensor_numel(x) / n, n, tensor_f32(x), n, tensor_f32(y), n);
  if (ax == a->rank - 1) {
    *out = y;
    y = NULL;
    goto done;
  }
  /* move the axis back: a permuted view, then a contiguous copy */
  for (size_t i = 0; i < a->rank; i++) inverse[perm[i]] = (int64_t)i;
  if ((st = tetra_tensor_permute(ctx, y, inverse, &back, err))) goto done;
  st = tetra_tensor_contiguous(ctx, back, out, err);
done:
  tetra_tensor_free(x);
  tetra_tensor_free(y);
  tetra_tensor_free(back);
  return st;
}

/* gamma/beta must be float tensors of shape [n]. */
static tetra_status norm_param(const tetra_tensor_ctx *ctx, const tetra_tensor *p, size_t n,
                               const char *what, const char *op, const tetra_tensor **out,
                               tetra_tensor **tmp, tetra_error *err) {
  *out = NULL;
  *tmp = NULL;
  if (!p) return TETRA_OK;
  if (p->rank != 1 || (size_t)p->shape[0] != n) {
    char s[160];
    shape_string(p->rank, p->shape, s, sizeof s);
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: %s has shape %s, expected [%zu]",
                           op, what, s, n);
  }
  return tensor_as_f32(ctx, p, out, tmp, err, op);
}

static tetra_status normalise(const tetra_tensor_ctx *ctx, int rms, const tetra_tensor *x,
                              const tetra_tensor *gamma, const tetra_tensor *beta, float eps,
                              tetra_tensor **out, tetra_error *err) {
  const char *op = rms ? "rms_norm" : "layer_norm";
  if (!x || !out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: NULL argument", op);
  if (x->rank == 0)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: needs at least one axis", op);
  if (!(eps >= 0.0f))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "%s: eps must be >= 0, not %g", op,
                           (double)eps);
  size_t n = (size_t)x->shape[x->rank - 1];
  const tetra_tensor *fx, *fg, *fb;
  tetra_tensor *tx = NULL, *tg = NULL, *tb = NULL, *y = NULL;
  tetra_status st;
  if ((st = norm_param(ctx, gamma, n, "gamma", op, &fg, &tg, err)) ||
      (st = norm_param(ctx, beta, n, "beta", op, &fb, &tb, err)) ||
      (st = tensor_as_f32(ctx, x, &fx, &tx, err, op)) ||
      (st = tensor_new(ctx, TETRA_F32, x->rank, x->shape, 0, &y, err, op)))
    goto done;
  size_t rows = n ? tetra_tensor_numel(x) / n : 0;
  if (rms)
    rmsnorm_f32(rows, n, tensor_f32(fx), n, fg ? tensor_f32(fg) : NULL, eps, tensor_f32(y), n);
  else
    layernorm_f32(rows, n, tensor_f32(fx), n, fg ? tensor_f32(fg) : NULL,
                  fb ? tensor_f32(fb) : NULL, eps, tensor_f32(y), n);
done:
  tetra_tensor_free(tx);
  tetra_tensor_free(tg);
  tetra_tensor_free(tb);
  if (st) tetra_tensor_free(y);
  else *out = y;
  return st;
}

tetra_status tetra_tensor_layer_norm(const tetra_tensor_ctx *ctx, const tetra_tensor *x,
                                     const tetra_tensor *gamma, const tetra_tensor *beta, float eps,
                                     tetra_tensor **out, tetra_error *err) {
  return normalise(ctx, 0, x, gamma, beta, eps, out, err);
}

tetra_status tetra_tensor_rms_norm(const tetra_tensor_ctx *ctx, const tetra_tensor *x,
                                   const tetra_tensor *gamma, float eps, tetra_tensor **out,
                                   tetra_error *err) {
  if (!x) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "rms_norm: NULL argument");
  return normalise(ctx, 1, x, gamma, NULL, eps, out, err);
}
