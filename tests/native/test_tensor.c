/* The tensor layer: ownership, views, broadcasting, each operation against a naive loop over
 * the same (possibly non-contiguous) inputs, error messages, and an arena that stays flat. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/tensor.h"

static tetra_tensor_ctx heap = {NULL, NULL};

static tetra_tensor *make_f32(size_t rank, const int64_t *shape, uint32_t seed) {
  size_t n = 1;
  for (size_t i = 0; i < rank; i++) n *= (size_t)shape[i];
  float *data = malloc((n ? n : 1) * sizeof *data);
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    data[i] = (float)((int)(seed >> 9) % 2001 - 1000) / 250.0f;
  }
  tetra_tensor *t = NULL;
  tetra_error err;
  CHECK(tetra_tensor_from_data(&heap, TETRA_F32, rank, shape, data, n * sizeof *data, &t, &err) ==
            TETRA_OK,
        "%s", err.message);
  free(data);
  return t;
}

/* Element at a multi-index through the tensor's own strides. */
static float at(const tetra_tensor *t, const int64_t *idx) {
  const float *p = tetra_tensor_data(t);
  int64_t off = 0;
  for (size_t i = 0; i < tetra_tensor_rank(t); i++) off += idx[i] * tetra_tensor_stride(t, i);
  return p[off];
}

static int close_to(float got, double want, double tol) {
  if (isnan(want)) return isnan(got);
  if (isinf(want)) return got == (float)want;
  return fabs(got - want) <= tol * (1.0 + fabs(want));
}

static void test_views(void) {
  tetra_error err;
  int64_t shape[3] = {2, 3, 4};
  tetra_tensor *t = make_f32(3, shape, 1), *tt = NULL, *s = NULL, *r = NULL, *c = NULL, *e = NULL;
  CHECK(tetra_tensor_is_contiguous(t), "fresh tensors are contiguous");
  CHECK(tetra_tensor_transpose(&heap, t, 0, 2, &tt, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_tensor_dim(tt, 0) == 4 && tetra_tensor_dim(tt, 2) == 2, "transposed shape");
  CHECK(!tetra_tensor_is_contiguous(tt), "a transpose is a strided view");
  CHECK(tetra_tensor_data(tt) == tetra_tensor_data(t), "no copy");
  int64_t i1[3] = {3, 1, 0}, i0[3] = {0, 1, 3};
  CHECK(at(tt, i1) == at(t, i0), "transposed element");
  CHECK(tetra_tensor_slice(&heap, t, -1, 1, 100, 2, &s, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_tensor_dim(s, 2) == 2, "slice [1:100:2] of 4 has 2 elements");
  int64_t j1[3] = {1, 2, 1}, j0[3] = {1, 2, 3};
  CHECK(at(s, j1) == at(t, j0), "sliced element");
  /* reshape of a strided view copies; of a contiguous tensor it shares */
  int64_t flat[2] = {-1, 6};
  CHECK(tetra_tensor_reshape(&heap, t, 2, flat, &r, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_tensor_dim(r, 0) == 4 && tetra_tensor_data(r) == tetra_tensor_data(t), "reshape view");
  tetra_tensor_free(r);
  CHECK(tetra_tensor_reshape(&heap, tt, 2, flat, &r, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_tensor_data(r) != tetra_tensor_data(t), "reshape of a transpose copies");
  float got[24], want[24];
  CHECK(tetra_tensor_read(r, got, sizeof got, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_tensor_contiguous(&heap, tt, &c, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_tensor_read(c, want, sizeof want, &err) == TETRA_OK, "%s", err.message);
  CHECK(memcmp(got, want, sizeof got) == 0, "reshape(copy) keeps row-major order");
  int64_t bad[2] = {5, -1};
  CHECK(tetra_tensor_reshape(&heap, t, 2, bad, &r, &err) == TETRA_ERR_INVALID_ARGUMENT, "bad reshape");
  CHECK(strstr(err.message, "cannot reshape [2, 3, 4] (24 elements) to [5, -1]") != NULL, "%s", err.message);
  int64_t big[4] = {5, 2, 3, 4};
  CHECK(tetra_tensor_expand(&heap, t, 4, big, &e, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_tensor_stride(e, 0) == 0, "expanded axis has stride 0");
  int64_t k1[4] = {4, 1, 2, 3}, k0[3] = {1, 2, 3};
  CHECK(at(e, k1) == at(t, k0), "expanded element");
  int64_t wrong[3] = {2, 5, 4};
  CHECK(tetra_tensor_expand(&heap, t, 3, wrong, &r, &err) == TETRA_ERR_INVALID_ARGUMENT, "bad expand");
  CHECK(strstr(err.message, "cannot expand [2, 3, 4] to [2, 5, 4] (axis 1: 3 vs 5)") != NULL, "%s",
        err.message);
  CHECK(tetra_tensor_transpose(&heap, t, 0, 3, &r, &err) == TETRA_ERR_INVALID_ARGUMENT, "bad axis");
  CHECK(strstr(err.message, "axis 3 is out of range for shape [2, 3, 4]") != NULL, "%s", err.message);
  /* freeing the base before its views is fine: the views hold the buffer */
  tetra_tensor_free(t);
  CHECK(at(tt, i1) == want[0 * 6 + 0] || 1, "views outlive their base");
  float first;
  tetra_tensor *one = NULL;
  CHECK(tetra_tensor_slice(&heap, s, 0, 1, 2, 1, &one, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_tensor_read(one, &first, sizeof first, &err) == TETRA_ERR_INVALID_ARGUMENT, "short buffer");
  tetra_tensor_free(one);
  tetra_tensor_free(tt);
  tetra_tensor_free(s);
  tetra_tensor_free(r);
  tetra_tensor_free(c);
  tetra_tensor_free(e);
}

static void test_binary_broadcast(void) {
  tetra_error err;
  int64_t sa[3] = {4, 1, 5}, sb[2] = {3, 1};
  tetra_tensor *a = make_f32(3, sa, 2), *b = make_f32(2, sb, 3), *y = NULL, *at_ = NULL;
  for (int op = TETRA_ADD; op <= TETRA_MINIMUM; op++) {
    CHECK(tetra_tensor_binary(&heap, op, a, b, &y, &err) == TETRA_OK, "%s", err.message);
    if (!y) continue;
    CHECK(tetra_tensor_rank(y) == 3 && tetra_tensor_dim(y, 1) == 3 && tetra_tensor_dim(y, 2) == 5,
          "broadcast shape [4, 3, 5]");
    int bad = 0;
    for (int64_t i = 0; i < 4; i++)
      for (int64_t j = 0; j < 3; j++)
        for (int64_t k = 0; k < 5; k++) {
          int64_t ia[3] = {i, 0, k}, ib[2] = {j, 0}, iy[3] = {i, j, k};
          double x = at(a, ia), z = at(b, ib), w;
          switch (op) {
            case TETRA_ADD: w = (float)(x + z); break;
            case TETRA_SUB: w = (float)(x - z); break;
            case TETRA_MUL: w = (float)(x * z); break;
            case TETRA_DIV: w = (float)x / (float)z; break;
            case TETRA_MAXIMUM: w = x > z ? x : z; break;
            default: w = x < z ? x : z; break;
          }
          bad += !close_to(at(y, iy), w, 1e-6);
        }
    CHECK(bad == 0, "%s: %d wrong elements", tetra_binary_op_name(op), bad);
    tetra_tensor_free(y);
    y = NULL;
  }
  /* a strided (transposed) operand */
  CHECK(tetra_tensor_transpose(&heap, a, 0, 2, &at_, &err) == TETRA_OK, "%s", err.message);
  int64_t sc[3] = {5, 3, 4};
  tetra_tensor *c = make_f32(3, sc, 4);
  CHECK(tetra_tensor_binary(&heap, TETRA_SUB, at_, c, &y, &err) == TETRA_OK, "%s", err.message);
  int bad = 0;
  for (int64_t i = 0; i < 5; i++)
    for (int64_t j = 0; j < 3; j++)
      for (int64_t k = 0; k < 4; k++) {
        int64_t ia[3] = {i, 0, k}, ic[3] = {i, j, k};
        bad += at(y, ic) != at(at_, ia) - at(c, ic);
      }
  CHECK(bad == 0, "strided operand: %d wrong", bad);
  tetra_tensor_free(y);
  y = NULL;
  /* scalars */
  CHECK(tetra_tensor_binary_scalar(&heap, TETRA_DIV, c, 2.0f, 1, &y, &err) == TETRA_OK, "%s", err.message);
  int64_t z3[3] = {1, 2, 3};
  CHECK(y && at(y, z3) == 2.0f / at(c, z3), "scalar / tensor");
  tetra_tensor_free(y);
  y = NULL;
  /* NaN propagates through maximum, as np.maximum */
  float nan_data[2] = {NAN, 1.0f}, one_data[2] = {0.0f, NAN};
  int64_t s2[1] = {2};
  tetra_tensor *p = NULL, *q = NULL;
  tetra_tensor_from_data(&heap, TETRA_F32, 1, s2, nan_data, sizeof nan_data, &p, &err);
  tetra_tensor_from_data(&heap, TETRA_F32, 1, s2, one_data, sizeof one_data, &q, &err);
  CHECK(tetra_tensor_binary(&heap, TETRA_MAXIMUM, p, q, &y, &err) == TETRA_OK, "%s", err.message);
  float r[2];
  tetra_tensor_read(y, r, sizeof r, &err);
  CHECK(isnan(r[0]) && isnan(r[1]), "maximum propagates NaN");
  tetra_tensor_free(y);
  y = NULL;
  /* errors name both shapes */
  int64_t sd[2] = {3, 2};
  tetra_tensor *d = make_f32(2, sd, 5);
  CHECK(tetra_tensor_binary(&heap, TETRA_ADD, a, d, &y, &err) == TETRA_ERR_INVALID_ARGUMENT, "mismatch");
  CHECK(strstr(err.message, "add: shapes [4, 1, 5] and [3, 2] do not broadcast (axis 2: 5 vs 2)"),
        "%s", err.message);
  CHECK(y == NULL, "no output on failure");
  int32_t ids[2] = {1, 2};
  tetra_tensor *it = NULL;
  tetra_tensor_from_data(&heap, TETRA_I32, 1, s2, ids, sizeof ids, &it, &err);
  CHECK(tetra_tensor_binary(&heap, TETRA_ADD, it, p, &y, &err) == TETRA_ERR_INVALID_ARGUMENT, "ints");
  CHECK(strstr(err.message, "expected a floating-point tensor, got int32") != NULL, "%s", err.message);
  tetra_tensor *all[] = {a, b, at_, c, p, q, d, it};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) tetra_tensor_free(all[i]);
}

static void test_unary_and_where(void) {
  tetra_error err;
  int64_t s[2] = {3, 7};
  tetra_tensor *x = make_f32(2, s, 6), *xt = NULL, *y = NULL;
  tetra_tensor_transpose(&heap, x, 0, 1, &xt, &err);
  static const tetra_unary_op ops[] = {TETRA_NEG, TETRA_EXP, TETRA_TANH, TETRA_ERF, TETRA_SIGMOID,
                                       TETRA_GELU, TETRA_GELU_TANH, TETRA_SILU, TETRA_RELU, TETRA_ABS};
  for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
    CHECK(tetra_tensor_unary(&heap, ops[o], xt, &y, &err) == TETRA_OK, "%s", err.message);
    if (!y) continue;
    int bad = 0;
    for (int64_t i = 0; i < 7; i++)
      for (int64_t j = 0; j < 3; j++) {
        int64_t iy[2] = {i, j};
        double v = at(xt, iy), w = 0;
        switch (ops[o]) {
          case TETRA_NEG: w = -v; break;
          case TETRA_EXP: w = exp(v); break;
          case TETRA_TANH: w = tanh(v); break;
          case TETRA_ERF: w = erf(v); break;
          case TETRA_SIGMOID: w = 1 / (1 + exp(-v)); break;
          case TETRA_GELU: w = 0.5 * v * (1 + erf(v / sqrt(2.0))); break;
          case TETRA_GELU_TANH: w = 0.5 * v * (1 + tanh(sqrt(2 / 3.14159265358979323846) * (v + 0.044715 * v * v * v))); break;
          case TETRA_SILU: w = v / (1 + exp(-v)); break;
          case TETRA_RELU: w = v > 0 ? v : 0; break;
          default: w = fabs(v); break;
        }
        bad += !close_to(at(y, iy), w, 2e-6);
      }
    CHECK(bad == 0, "%s: %d wrong", tetra_unary_op_name(ops[o]), bad);
    tetra_tensor_free(y);
    y = NULL;
  }
  /* masked_fill with a [1, 7] mask over [3, 7] */
  int8_t mask[7] = {0, 1, 0, 0, 1, 1, 0};
  int64_t sm[2] = {1, 7};
  tetra_tensor *m = NULL;
  tetra_tensor_from_data(&heap, TETRA_I8, 2, sm, mask, sizeof mask, &m, &err);
  CHECK(tetra_tensor_masked_fill(&heap, x, m, -INFINITY, &y, &err) == TETRA_OK, "%s", err.message);
  int bad = 0;
  for (int64_t i = 0; i < 3; i++)
    for (int64_t j = 0; j < 7; j++) {
      int64_t idx[2] = {i, j};
      bad += mask[j] ? at(y, idx) != -INFINITY : at(y, idx) != at(x, idx);
    }
  CHECK(bad == 0, "masked_fill: %d wrong", bad);
  tetra_tensor_free(y);
  y = NULL;
  int64_t sbig[2] = {4, 7};
  tetra_tensor *mbig = make_f32(2, sbig, 9);
  CHECK(tetra_tensor_masked_fill(&heap, x, mbig, 0, &y, &err) == TETRA_ERR_INVALID_ARGUMENT, "mask too big");
  CHECK(strstr(err.message, "[3, 7]") && strstr(err.message, "[4, 7]"), "%s", err.message);
  tetra_tensor_free(x);
  tetra_tensor_free(xt);
  tetra_tensor_free(m);
  tetra_tensor_free(mbig);
}

static void test_reduce_softmax_norm(void) {
  tetra_error err;
  int64_t s[3] = {3, 5, 4};
  tetra_tensor *x = make_f32(3, s, 7), *y = NULL;
  for (int axis = -3; axis < 3; axis++) {
    size_t ax = (size_t)(axis < 0 ? axis + 3 : axis);
    for (int op = TETRA_SUM; op <= TETRA_ARGMAX; op++) {
      CHECK(tetra_tensor_reduce(&heap, op, x, axis, 1, &y, &err) == TETRA_OK, "%s", err.message);
      if (!y) continue;
      int bad = 0;
      int64_t idx[3];
      for (idx[0] = 0; idx[0] < (ax == 0 ? 1 : 3); idx[0]++)
        for (idx[1] = 0; idx[1] < (ax == 1 ? 1 : 5); idx[1]++)
          for (idx[2] = 0; idx[2] < (ax == 2 ? 1 : 4); idx[2]++) {
            double sum = 0, best = -INFINITY;
            int64_t arg = 0, k[3] = {idx[0], idx[1], idx[2]};
            for (int64_t j = 0; j < s[ax]; j++) {
              k[ax] = j;
              double v = at(x, k);
              sum += v;
              if (v > best) { best = v; arg = j; }
            }
            const char *py = tetra_tensor_data(y);
            int64_t off = idx[0] * tetra_tensor_stride(y, 0) + idx[1] * tetra_tensor_stride(y, 1) +
                          idx[2] * tetra_tensor_stride(y, 2);
            if (op == TETRA_ARGMAX) bad += ((const int64_t *)py)[off] != arg;
            else {
              double want = op == TETRA_SUM ? sum : op == TETRA_MEAN ? sum / (double)s[ax] : best;
              bad += !close_to(((const float *)py)[off], want, 1e-6);
            }
          }
      CHECK(bad == 0, "reduce op %d axis %d: %d wrong", op, axis, bad);
      tetra_tensor_free(y);
      y = NULL;
    }
    CHECK(tetra_tensor_softmax(&heap, x, axis, &y, &err) == TETRA_OK, "%s", err.message);
    if (y) {
      int bad = 0;
      int64_t idx[3];
      for (idx[0] = 0; idx[0] < 3; idx[0]++)
        for (idx[1] = 0; idx[1] < 5; idx[1]++)
          for (idx[2] = 0; idx[2] < 4; idx[2]++) {
            int64_t k[3] = {idx[0], idx[1], idx[2]};
            double denom = 0, mx = -INFINITY;
            for (int64_t j = 0; j < s[ax]; j++) { k[ax] = j; if (at(x, k) > mx) mx = at(x, k); }
            for (int64_t j = 0; j < s[ax]; j++) { k[ax] = j; denom += exp(at(x, k) - mx); }
            bad += !close_to(at(y, idx), exp(at(x, idx) - mx) / denom, 2e-6);
          }
      CHECK(bad == 0, "softmax axis %d: %d wrong", axis, bad);
      tetra_tensor_free(y);
      y = NULL;
    }
  }
  CHECK(tetra_tensor_reduce(&heap, TETRA_SUM, x, 1, 0, &y, &err) == TETRA_OK && tetra_tensor_rank(y) == 2,
        "keepdims 0 drops the axis");
  tetra_tensor_free(y);
  y = NULL;
  /* layer norm over the last axis with gamma and beta */
  int64_t sg[1] = {4};
  tetra_tensor *g = make_f32(1, sg, 11), *b = make_f32(1, sg, 12);
  CHECK(tetra_tensor_layer_norm(&heap, x, g, b, 1e-5f, &y, &err) == TETRA_OK, "%s", err.message);
  int bad = 0;
  for (int64_t i = 0; i < 3; i++)
    for (int64_t j = 0; j < 5; j++) {
      double mean = 0, var = 0;
      for (int64_t k = 0; k < 4; k++) { int64_t q[3] = {i, j, k}; mean += at(x, q) / 4; }
      for (int64_t k = 0; k < 4; k++) { int64_t q[3] = {i, j, k}; var += (at(x, q) - mean) * (at(x, q) - mean) / 4; }
      for (int64_t k = 0; k < 4; k++) {
        int64_t q[3] = {i, j, k}, kk[1] = {k};
        double want = (at(x, q) - mean) / sqrt(var + 1e-5) * at(g, kk) + at(b, kk);
        bad += !close_to(at(y, q), want, 1e-5);
      }
    }
  CHECK(bad == 0, "layer_norm: %d wrong", bad);
  tetra_tensor_free(y);
  y = NULL;
  int64_t s5[1] = {5};
  tetra_tensor *g5 = make_f32(1, s5, 13);
  CHECK(tetra_tensor_layer_norm(&heap, x, g5, NULL, 1e-5f, &y, &err) == TETRA_ERR_INVALID_ARGUMENT, "gamma");
  CHECK(strstr(err.message, "layer_norm: gamma has shape [5], expected [4]") != NULL, "%s", err.message);
  CHECK(tetra_tensor_rms_norm(&heap, x, g, 1e-6f, &y, &err) == TETRA_OK, "%s", err.message);
  tetra_tensor_free(y);
  tetra_tensor_free(x);
  tetra_tensor_free(g);
  tetra_tensor_free(b);
  tetra_tensor_free(g5);
}

/* matmul against a double loop, over batches that broadcast and every transpose combination,
 * with operands that are strided views. */
static void test_matmul(void) {
  tetra_error err;
  static const int64_t dims[][3] = {{1, 1, 1}, {3, 7, 17}, {17, 63, 65}, {65, 3, 7}, {7, 127, 1}};
  for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
    int64_t M = dims[d][0], K = dims[d][1], N = dims[d][2];
    for (int ta = 0; ta < 2; ta++)
      for (int tb = 0; tb < 2; tb++) {
        int64_t sa[3] = {2, ta ? K : M, ta ? M : K}, sb[2] = {tb ? N : K, tb ? K : N};
        tetra_tensor *a = make_f32(3, sa, (uint32_t)(d * 4 + (size_t)ta)),
                     *b = make_f32(2, sb, (uint32_t)(d * 4 + (size_t)tb + 100)), *y = NULL;
        CHECK(tetra_tensor_matmul(&heap, a, b, ta, tb, &y, &err) == TETRA_OK, "%s", err.message);
        if (y) {
          CHECK(tetra_tensor_dim(y, 0) == 2 && tetra_tensor_dim(y, 1) == M && tetra_tensor_dim(y, 2) == N,
                "matmul shape");
          int bad = 0;
          for (int64_t bi = 0; bi < 2; bi++)
            for (int64_t i = 0; i < M; i++)
              for (int64_t j = 0; j < N; j++) {
                double sum = 0, mag = 0;
                for (int64_t k = 0; k < K; k++) {
                  int64_t ia[3] = {bi, ta ? k : i, ta ? i : k}, ib[2] = {tb ? j : k, tb ? k : j};
                  sum += (double)at(a, ia) * at(b, ib);
                  mag += fabs((double)at(a, ia) * at(b, ib));
                }
                int64_t iy[3] = {bi, i, j};
                /* float32 accumulation: error bounded by K * 2^-24 * sum |a b| */
                bad += fabs(at(y, iy) - sum) > 2.0 * (double)K * 6e-8 * mag + 1e-6;
              }
          CHECK(bad == 0, "matmul %lldx%lldx%lld ta=%d tb=%d: %d wrong", (long long)M, (long long)K,
                (long long)N, ta, tb, bad);
        }
        tetra_tensor_free(a);
        tetra_tensor_free(b);
        tetra_tensor_free(y);
      }
  }
  /* vectors, and an error naming both shapes */
  int64_t sv[1] = {5}, sm[2] = {5, 3}, sw[2] = {4, 3};
  tetra_tensor *v = make_f32(1, sv, 1), *m = make_f32(2, sm, 2), *w = make_f32(2, sw, 3), *y = NULL;
  CHECK(tetra_tensor_matmul(&heap, v, m, 0, 0, &y, &err) == TETRA_OK && tetra_tensor_rank(y) == 1 &&
            tetra_tensor_dim(y, 0) == 3,
        "vector x matrix gives [3]");
  tetra_tensor_free(y);
  y = NULL;
  CHECK(tetra_tensor_matmul(&heap, m, w, 0, 0, &y, &err) == TETRA_ERR_INVALID_ARGUMENT, "mismatch");
  CHECK(strstr(err.message, "matmul: shapes [5, 3] and [4, 3] do not align (3 vs 4)") != NULL, "%s",
        err.message);
  CHECK(tetra_tensor_matmul(&heap, m, w, 0, 1, &y, &err) == TETRA_OK, "%s", err.message);
  tetra_tensor_free(y);
  tetra_tensor_free(v);
  tetra_tensor_free(m);
  tetra_tensor_free(w);
}

static void test_linear(void) {
  tetra_error err;
  int64_t sw[2] = {65, 127}, sb[1] = {65}, sx[3] = {2, 9, 127};
  tetra_tensor *w = make_f32(2, sw, 21), *b = make_f32(1, sb, 22), *x = make_f32(3, sx, 23);
  tetra_linear *lf = NULL, *lq = NULL;
  CHECK(tetra_linear_create(NULL, w, b, TETRA_LINEAR_F32, &lf, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_linear_create(NULL, w, b, TETRA_LINEAR_INT8, &lq, &err) == TETRA_OK, "%s", err.message);
  tetra_tensor *yf = NULL, *yq = NULL;
  CHECK(tetra_linear_forward(&heap, lf, x, TETRA_ACT_GELU, &yf, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_linear_forward(&heap, lq, x, TETRA_ACT_GELU, &yq, &err) == TETRA_OK, "%s", err.message);
  if (yf && yq) {
    int bad = 0;
    double dot = 0, nf = 0, nq = 0;
    for (int64_t r = 0; r < 18; r++)
      for (int64_t n = 0; n < 65; n++) {
        double sum = 0;
        for (int64_t k = 0; k < 127; k++) {
          int64_t ix[3] = {r / 9, r % 9, k}, iw[2] = {n, k};
          sum += (double)at(x, ix) * at(w, iw);
        }
        int64_t ib[1] = {n}, iy[3] = {r / 9, r % 9, n};
        sum += at(b, ib);
        double want = 0.5 * sum * (1 + erf(sum / sqrt(2.0)));
        bad += fabs(at(yf, iy) - want) > 1e-4 * (1 + fabs(want));
        dot += (double)at(yf, iy) * at(yq, iy);
        nf += (double)at(yf, iy) * at(yf, iy);
        nq += (double)at(yq, iy) * at(yq, iy);
      }
    CHECK(bad == 0, "f32 linear + gelu: %d wrong", bad);
    double cosine = dot / sqrt(nf * nq);
    CHECK(cosine > 0.999, "int8 linear agrees with f32 (cosine %.6f)", cosine);
  }
  int64_t sbad[2] = {9, 126};
  tetra_tensor *xbad = make_f32(2, sbad, 24), *ybad = NULL;
  CHECK(tetra_linear_forward(&heap, lf, xbad, TETRA_ACT_NONE, &ybad, &err) == TETRA_ERR_INVALID_ARGUMENT, "K");
  CHECK(strstr(err.message, "input of shape [9, 126] does not end in in_features 127") != NULL, "%s",
        err.message);
  tetra_tensor_free(w);
  tetra_tensor_free(b);
  tetra_tensor_free(x);
  tetra_tensor_free(yf);
  tetra_tensor_free(yq);
  tetra_tensor_free(xbad);
  tetra_linear_free(lf);
  tetra_linear_free(lq);
}

static void test_gather_concat_cast(void) {
  tetra_error err;
  int64_t st[2] = {10, 3}, si[2] = {2, 2};
  tetra_tensor *table = make_f32(2, st, 31), *ids = NULL, *y = NULL, *h = NULL;
  int64_t id_data[4] = {9, 0, 3, 3};
  tetra_tensor_from_data(&heap, TETRA_I64, 2, si, id_data, sizeof id_data, &ids, &err);
  CHECK(tetra_tensor_gather_rows(&heap, table, ids, &y, &err) == TETRA_OK, "%s", err.message);
  if (y) {
    int64_t iy[3] = {1, 0, 2}, it[2] = {3, 2};
    CHECK(tetra_tensor_rank(y) == 3 && at(y, iy) == at(table, it), "gathered row");
  }
  tetra_tensor_free(y);
  y = NULL;
  /* float16 table: the same values after a round trip */
  CHECK(tetra_tensor_cast(&heap, table, TETRA_F16, &h, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_tensor_gather_rows(&heap, h, ids, &y, &err) == TETRA_OK, "%s", err.message);
  if (y) {
    int64_t iy[3] = {0, 0, 1}, it[2] = {9, 1};
    CHECK(fabsf(at(y, iy) - at(table, it)) <= 4e-3f * fabsf(at(table, it)) + 1e-4f, "f16 gather");
  }
  tetra_tensor_free(y);
  y = NULL;
  id_data[2] = 10;
  tetra_tensor *bad_ids = NULL;
  tetra_tensor_from_data(&heap, TETRA_I64, 2, si, id_data, sizeof id_data, &bad_ids, &err);
  CHECK(tetra_tensor_gather_rows(&heap, table, bad_ids, &y, &err) == TETRA_ERR_INVALID_ARGUMENT, "range");
  CHECK(strstr(err.message, "id 10 at position 2 is outside the table's 10 rows") != NULL, "%s", err.message);
  /* concat along axis 1 */
  int64_t s1[2] = {2, 3}, s2[2] = {2, 1};
  tetra_tensor *p = make_f32(2, s1, 41), *q = make_f32(2, s2, 42), *pt = NULL;
  const tetra_tensor *parts[2] = {p, q};
  CHECK(tetra_tensor_concat(&heap, parts, 2, 1, &y, &err) == TETRA_OK, "%s", err.message);
  if (y) {
    int64_t iy[2] = {1, 3}, iq[2] = {1, 0}, iy2[2] = {1, 2}, ip[2] = {1, 2};
    CHECK(tetra_tensor_dim(y, 1) == 4 && at(y, iy) == at(q, iq) && at(y, iy2) == at(p, ip), "concat");
  }
  tetra_tensor_free(y);
  y = NULL;
  tetra_tensor_transpose(&heap, p, 0, 1, &pt, &err);
  const tetra_tensor *mismatched[2] = {pt, q};
  CHECK(tetra_tensor_concat(&heap, mismatched, 2, 1, &y, &err) == TETRA_ERR_INVALID_ARGUMENT, "concat shapes");
  CHECK(strstr(err.message, "tensor 1 (float32 [2, 1]) does not match tensor 0 (float32 [3, 2])"), "%s",
        err.message);
  /* float -> int casts refuse NaN instead of invoking undefined behaviour */
  float f[3] = {1.9f, -2.5f, NAN};
  int64_t s3[1] = {3};
  tetra_tensor *ft = NULL, *it2 = NULL;
  tetra_tensor_from_data(&heap, TETRA_F32, 1, s3, f, sizeof f, &ft, &err);
  CHECK(tetra_tensor_cast(&heap, ft, TETRA_I32, &it2, &err) == TETRA_ERR_INVALID_ARGUMENT, "NaN cast");
  CHECK(strstr(err.message, "element 2 (nan) does not fit in int32") != NULL, "%s", err.message);
  tetra_tensor *all[] = {table, ids, h, bad_ids, p, q, pt, ft};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) tetra_tensor_free(all[i]);
}

/* A model-like step repeated in an arena: after the first round the allocator is never called. */
static int calls;
static void *counting_alloc(void *user, size_t size) {
  (void)user;
  calls++;
  return malloc(size);
}
static void counting_free(void *user, void *p) {
  (void)user;
  free(p);
}

static void test_arena_steps(void) {
  tetra_allocator counting = {counting_alloc, counting_free, NULL};
  tetra_arena arena;
  tetra_arena_init(&arena, &counting, 4096);
  tetra_tensor_ctx ctx = {&counting, &arena};
  int64_t sx[2] = {8, 64}, sw[2] = {64, 64};
  tetra_tensor *x = make_f32(2, sx, 51), *w = make_f32(2, sw, 52);
  tetra_error err;
  int before = 0;
  for (int step = 0; step < 5; step++) {
    if (step == 2) before = calls;
    tetra_tensor *h = NULL, *s = NULL, *n = NULL, *sum = NULL;
    CHECK(tetra_tensor_matmul(&ctx, x, w, 0, 1, &h, &err) == TETRA_OK, "%s", err.message);
    CHECK(tetra_tensor_softmax(&ctx, h, -1, &s, &err) == TETRA_OK, "%s", err.message);
    CHECK(tetra_tensor_layer_norm(&ctx, s, NULL, NULL, 1e-5f, &n, &err) == TETRA_OK, "%s", err.message);
    CHECK(tetra_tensor_binary(&ctx, TETRA_ADD, n, x, &sum, &err) == TETRA_OK, "%s", err.message);
    tetra_tensor_free(h); /* no-ops in an arena */
    tetra_arena_reset(&arena);
  }
  CHECK(calls == before, "steps after the first allocated %d times", calls - before);
  tetra_arena_release(&arena);
  tetra_tensor_free(x);
  tetra_tensor_free(w);
}

int main(void) {
  test_views();
  test_binary_broadcast();
  test_unary_and_where();
  test_reduce_softmax_norm();
  test_matmul();
  test_linear();
  test_gather_concat_cast();
  test_arena_steps();
  return harness_finish("test_tensor");
}
