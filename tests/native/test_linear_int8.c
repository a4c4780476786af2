/* Linear layers from weights quantized ahead of time (tetra_linear_quantize_weights,
 * tetra_linear_create_int8, gemm_i8_pack_quantized), as an int8 safetensors file stores them:
 *   - quantize + pack_quantized gives gemm_i8_pack_b's packed bytes and scales exactly, on many
 *     shapes (odd K, N not a multiple of 8, single rows and columns) and on special channels
 *     (all zero, subnormal only, NaN, +-Inf, exact halves);
 *   - the public quantizer equals the independent scalar reference (quantize_rows_i8_ref) and
 *     rounds half to even;
 *   - a layer made from (q, scales) gives outputs bit-identical to tetra_linear_create(INT8) on
 *     the float weights, with and without bias, with fused activations, from float32 and float16
 *     weights, from a strided int8 view, and after a round trip through a safetensors file;
 *   - bad input (-128, wrong dtype or shapes, negative or infinite scales) is an error naming it. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tensor/kernels/kernels.h"
#include "tetra/bundle.h"
#include "tetra/tensor.h"

static const tetra_tensor_ctx HEAP = {NULL, NULL};

static uint32_t rng_state = 2024u;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}
static float rnd_float(void) { return ((float)(rnd() >> 8) / 16777216.0f - 0.5f) * 0.25f; }

/* N x K weights with some special channels mixed in (when N is large enough). */
static float *make_weights(size_t N, size_t K) {
  float *w = malloc((N * K > 0 ? N * K : 1) * sizeof *w);
  for (size_t i = 0; i < N * K; i++) w[i] = rnd_float();
  if (N >= 6 && K >= 3) {
    for (size_t k = 0; k < K; k++) w[0 * K + k] = 0.0f;                /* all zero: scale 0 */
    for (size_t k = 0; k < K; k++) w[1 * K + k] = (float)(k % 8) * 1e-40f;  /* subnormal: scale 0 */
    w[2 * K + 1] = NAN;                                                 /* scale NaN */
    w[3 * K + 2] = -INFINITY;                                           /* scale NaN */
    for (size_t k = 0; k < K; k++) w[4 * K + k] = (float)(k % 5) - 2.5f; /* halves after scaling */
    w[4 * K] = 127.0f;
    w[5 * K + K - 1] = 3.0e38f; /* huge but finite */
  }
  return w;
}

static tetra_tensor *tensor_2d(tetra_dtype dtype, size_t rows, size_t cols, const void *data) {
  int64_t shape[2] = {(int64_t)rows, (int64_t)cols};
  tetra_tensor *t = NULL;
  tetra_error err;
  if (tetra_tensor_from_data(&HEAP, dtype, 2, shape, data, rows * cols * tetra_dtype_size(dtype), &t, &err))
    fprintf(stderr, "tensor_2d: %s\n", err.message);
  return t;
}
static tetra_tensor *tensor_1d(size_t n, const float *data) {
  int64_t shape[1] = {(int64_t)n};
  tetra_tensor *t = NULL;
  tetra_error err;
  tetra_tensor_from_data(&HEAP, TETRA_F32, 1, shape, data, n * sizeof(float), &t, &err);
  return t;
}

static int same_bits(const float *a, const float *b, size_t n) { return memcmp(a, b, n * sizeof(float)) == 0; }

/* ---- packing ------------------------------------------------------------------------------------ */

static void check_pack(size_t N, size_t K) {
  float *w = make_weights(N, K);
  int8_t *pa = malloc(gemm_i8_packed_size(K, N) + 1), *pb = malloc(gemm_i8_packed_size(K, N) + 1);
  float *sa = malloc((N + 1) * sizeof(float)), *sb = malloc((N + 1) * sizeof(float)), *sr = malloc((N + 1) * sizeof(float));
  int8_t *q = malloc(N * K + 1), *qr = malloc(N * K + 1);
  gemm_i8_pack_b(K, N, w, K, 1, pa, sa);
  tetra_tensor *tw = tensor_2d(TETRA_F32, N, K, w);
  tetra_error err;
  CHECK(tetra_linear_quantize_weights(NULL, tw, q, sb, &err) == TETRA_OK, "%s", err.message);
  quantize_rows_i8_ref(N, K, w, K, qr, K, sr);
  gemm_i8_pack_quantized(K, N, q, K, sb, pb);
  CHECK(memcmp(sa, sb, N * sizeof(float)) == 0, "N=%zu K=%zu: scales equal gemm_i8_pack_b's", N, K);
  CHECK(memcmp(sb, sr, N * sizeof(float)) == 0, "N=%zu K=%zu: scales equal the scalar reference", N, K);
  CHECK(memcmp(q, qr, N * K) == 0, "N=%zu K=%zu: integers equal the scalar reference", N, K);
  CHECK(memcmp(pa, pb, gemm_i8_packed_size(K, N)) == 0, "N=%zu K=%zu: packed bytes equal", N, K);
  if (N >= 6 && K >= 5) {
    CHECK(sb[0] == 0.0f && sb[1] == 0.0f && isnan(sb[2]) && isnan(sb[3]), "special scales");
    CHECK(sb[4] == 1.0f, "scale 127 / 127 = 1");
    /* (k % 5) - 2.5 = -2.5 -1.5 -0.5 0.5 1.5: half to even gives -2 -2 -0 0 2 */
    static const int8_t halves[5] = {-2, -2, 0, 0, 2};
    int ok = 1;
    for (size_t k = 1; k < K; k++) ok &= q[4 * K + k] == halves[k % 5];
    CHECK(ok, "N=%zu K=%zu: ties round to even", N, K);
    int zero = 1;
    for (size_t k = 0; k < K; k++) zero &= q[2 * K + k] == 0 && q[3 * K + k] == 0 && q[1 * K + k] == 0;
    CHECK(zero, "channels without a valid scale are zero");
  }
  tetra_tensor_free(tw);
  free(w), free(pa), free(pb), free(sa), free(sb), free(sr), free(q), free(qr);
}

/* ---- outputs ------------------------------------------------------------------------------------ */

/* Runs both layers on x [M, K] and compares the outputs bit for bit. */
static void compare_layers(const char *what, const tetra_linear *ref, const tetra_linear *got, size_t M,
                           size_t K, tetra_activation act) {
  float *x = malloc((M * K > 0 ? M * K : 1) * sizeof *x);
  for (size_t i = 0; i < M * K; i++) x[i] = rnd_float() * 8.0f;
  tetra_tensor *tx = tensor_2d(TETRA_F32, M, K, x), *ya = NULL, *yb = NULL;
  tetra_error err;
  CHECK(tetra_linear_forward(&HEAP, ref, tx, act, &ya, &err) == TETRA_OK, "%s: %s", what, err.message);
  CHECK(tetra_linear_forward(&HEAP, got, tx, act, &yb, &err) == TETRA_OK, "%s: %s", what, err.message);
  if (ya && yb)
    CHECK(same_bits(tetra_tensor_data(ya), tetra_tensor_data(yb), tetra_tensor_numel(ya)),
          "%s M=%zu act=%d: outputs bit-identical", what, M, (int)act);
  tetra_tensor_free(ya);
  tetra_tensor_free(yb);
  tetra_tensor_free(tx);
  free(x);
}

static void check_outputs(size_t N, size_t K, int with_bias) {
  char what[96];
  snprintf(what, sizeof what, "N=%zu K=%zu bias=%d", N, K, with_bias);
  float *w = make_weights(N, K), *bias = malloc((N + 1) * sizeof(float)), *scales = malloc((N + 1) * sizeof(float));
  for (size_t n = 0; n < N; n++) bias[n] = rnd_float();
  int8_t *q = malloc(N * K + 1);
  tetra_error err;
  tetra_tensor *tw = tensor_2d(TETRA_F32, N, K, w), *tb = with_bias ? tensor_1d(N, bias) : NULL;
  CHECK(tetra_linear_quantize_weights(NULL, tw, q, scales, &err) == TETRA_OK, "%s", err.message);
  tetra_tensor *tq = tensor_2d(TETRA_I8, N, K, q), *ts = tensor_1d(N, scales);
  tetra_linear *ref = NULL, *got = NULL;
  CHECK(tetra_linear_create(NULL, tw, tb, TETRA_LINEAR_INT8, &ref, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_linear_create_int8(NULL, tq, ts, tb, &got, &err) == TETRA_OK, "%s: %s", what, err.message);
  if (ref && got) {
    CHECK(tetra_linear_in_features(got) == K && tetra_linear_out_features(got) == N, "%s: features", what);
    static const tetra_activation acts[] = {TETRA_ACT_NONE, TETRA_ACT_GELU, TETRA_ACT_RELU};
    static const size_t rows[] = {1, 3, 8, 13};
    for (size_t a = 0; a < 3; a++)
      for (size_t r = 0; r < 4; r++) compare_layers(what, ref, got, rows[r], K, acts[a]);
  }
  tetra_linear_free(ref);
  tetra_linear_free(got);
  tetra_tensor_free(tw), tetra_tensor_free(tb), tetra_tensor_free(tq), tetra_tensor_free(ts);
  free(w), free(bias), free(scales), free(q);
}

/* float16 weights: the quantizer widens them as tetra_linear_create does. */
static void check_f16(void) {
  const size_t N = 19, K = 37;
  float *w = make_weights(N, K);
  uint16_t *h = malloc(N * K * sizeof *h);
  f32_to_f16(N * K, w, h);
  tetra_tensor *th = tensor_2d(TETRA_F16, N, K, h);
  int8_t *q = malloc(N * K);
  float scales[19];
  tetra_error err;
  CHECK(tetra_linear_quantize_weights(NULL, th, q, scales, &err) == TETRA_OK, "%s", err.message);
  tetra_tensor *tq = tensor_2d(TETRA_I8, N, K, q), *ts = tensor_1d(N, scales);
  tetra_linear *ref = NULL, *got = NULL;
  tetra_linear_create(NULL, th, NULL, TETRA_LINEAR_INT8, &ref, &err);
  CHECK(tetra_linear_create_int8(NULL, tq, ts, NULL, &got, &err) == TETRA_OK, "%s", err.message);
  if (ref && got) compare_layers("float16", ref, got, 5, K, TETRA_ACT_NONE);
  tetra_linear_free(ref), tetra_linear_free(got);
  tetra_tensor_free(th), tetra_tensor_free(tq), tetra_tensor_free(ts);
  free(w), free(h), free(q);
}

/* The int8 file format end to end: q as I8 "<name>", scales as F32 "<name>_scale", read back in
 * place, then a layer built from the file's tensors; and a strided (transposed) int8 view. */
static void check_file_and_views(void) {
  const size_t N = 24, K = 40;
  float *w = make_weights(N, K), bias[24], scales[24];
  for (size_t n = 0; n < N; n++) bias[n] = rnd_float();
  int8_t *q = malloc(N * K), *qt = malloc(N * K);
  tetra_error err;
  tetra_tensor *tw = tensor_2d(TETRA_F32, N, K, w), *tb = tensor_1d(N, bias);
  tetra_linear_quantize_weights(NULL, tw, q, scales, &err);
  tetra_tensor *tq = tensor_2d(TETRA_I8, N, K, q), *ts = tensor_1d(N, scales);
  tetra_safetensors_entry entries[3] = {{"dense.weight", tq}, {"dense.weight_scale", ts}, {"dense.bias", tb}};
  const char *meta[] = {"format", "pt", "tetra.quantization", "int8-per-channel"};
  uint8_t *file = NULL;
  size_t len = 0;
  CHECK(tetra_safetensors_write(entries, 3, meta, 2, NULL, &file, &len, &err) == TETRA_OK, "%s", err.message);
  tetra_safetensors *st = NULL;
  CHECK(tetra_safetensors_open(file, len, NULL, &st, &err) == TETRA_OK, "%s", err.message);
  tetra_linear *ref = NULL, *got = NULL;
  tetra_linear_create(NULL, tw, tb, TETRA_LINEAR_INT8, &ref, &err);
  if (st) {
    tetra_tensor *fq = NULL, *fs = NULL, *fb = NULL;
    tetra_safetensors_tensor(st, &HEAP, "dense.weight", &fq, &err);
    tetra_safetensors_tensor(st, &HEAP, "dense.weight_scale", &fs, &err);
    tetra_safetensors_tensor(st, &HEAP, "dense.bias", &fb, &err);
    CHECK(tetra_linear_create_int8(NULL, fq, fs, fb, &got, &err) == TETRA_OK, "from the file: %s", err.message);
    if (got) compare_layers("safetensors round trip", ref, got, 6, K, TETRA_ACT_GELU);
    tetra_linear_free(got);
    got = NULL;
    tetra_tensor_free(fq), tetra_tensor_free(fs), tetra_tensor_free(fb);
    tetra_safetensors_close(st);
  }
  /* weights stored K x N, used through a transposed view */
  for (size_t n = 0; n < N; n++)
    for (size_t k = 0; k < K; k++) qt[k * N + n] = q[n * K + k];
  tetra_tensor *tkn = tensor_2d(TETRA_I8, K, N, qt), *view = NULL;
  tetra_tensor_transpose(&HEAP, tkn, 0, 1, &view, &err);
  CHECK(tetra_linear_create_int8(NULL, view, ts, tb, &got, &err) == TETRA_OK, "strided view: %s", err.message);
  if (got && ref) compare_layers("transposed int8 view", ref, got, 4, K, TETRA_ACT_NONE);
  tetra_linear_free(got), tetra_linear_free(ref);
  tetra_tensor_free(view), tetra_tensor_free(tkn);
  tetra_tensor_free(tw), tetra_tensor_free(tb), tetra_tensor_free(tq), tetra_tensor_free(ts);
  tetra_free(NULL, file);
  free(w), free(q), free(qt);
}

static void check_errors(void) {
  int8_t q[6] = {1, 2, 3, 4, 5, 6};
  float scales[2] = {0.5f, 0.25f}, w[6] = {0};
  tetra_error err;
  tetra_linear *l = NULL;
  tetra_tensor *tq = tensor_2d(TETRA_I8, 2, 3, q), *ts = tensor_1d(2, scales), *tf = tensor_2d(TETRA_F32, 2, 3, w);
  CHECK(tetra_linear_create_int8(NULL, tq, ts, NULL, &l, &err) == TETRA_OK, "valid layer: %s", err.message);
  tetra_linear_free(l);
  l = NULL;
  CHECK(tetra_linear_create_int8(NULL, tf, ts, NULL, &l, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "expected int8") != NULL,
        "float weight: %s", err.message);
  tetra_tensor *t3 = tensor_1d(3, w);
  CHECK(tetra_linear_create_int8(NULL, tq, t3, NULL, &l, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "scales have shape [3], expected [2]") != NULL,
        "scale count: %s", err.message);
  CHECK(tetra_linear_create_int8(NULL, tq, ts, t3, &l, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "bias has shape [3]") != NULL,
        "bias shape: %s", err.message);
  CHECK(tetra_linear_create_int8(NULL, t3, ts, NULL, &l, &err) == TETRA_ERR_INVALID_ARGUMENT, "rank-1 weight");
  CHECK(tetra_linear_create_int8(NULL, tq, tq, NULL, &l, &err) == TETRA_ERR_INVALID_ARGUMENT, "int8 scales");
  CHECK(tetra_linear_create_int8(NULL, NULL, ts, NULL, &l, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL weight");
  q[4] = -128;
  tetra_tensor *tbad = tensor_2d(TETRA_I8, 2, 3, q);
  CHECK(tetra_linear_create_int8(NULL, tbad, ts, NULL, &l, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "weight[1, 1] = -128") != NULL,
        "-128: %s", err.message);
  static const float bad_scales[][2] = {{-0.5f, 1.0f}, {1.0f, INFINITY}, {1.0f, -INFINITY}};
  for (size_t i = 0; i < 3; i++) {
    tetra_tensor *tbs = tensor_1d(2, bad_scales[i]);
    CHECK(tetra_linear_create_int8(NULL, tq, tbs, NULL, &l, &err) == TETRA_ERR_INVALID_ARGUMENT &&
              strstr(err.message, i ? "scales[1]" : "scales[0]") != NULL,
          "bad scale %zu: %s", i, err.message);
    tetra_tensor_free(tbs);
  }
  const float odd_scales[2] = {NAN, 0.0f}; /* what the quantizer gives non-finite and zero channels */
  tetra_tensor *tos = tensor_1d(2, odd_scales);
  CHECK(tetra_linear_create_int8(NULL, tq, tos, NULL, &l, &err) == TETRA_OK, "NaN and 0 scales: %s", err.message);
  tetra_linear_free(l);
  int8_t qo[6];
  float so[2];
  CHECK(tetra_linear_quantize_weights(NULL, tq, qo, so, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "floating-point") != NULL,
        "quantizing int8: %s", err.message);
  CHECK(tetra_linear_quantize_weights(NULL, t3, qo, so, &err) == TETRA_ERR_INVALID_ARGUMENT, "quantizing rank 1");
  tetra_tensor_free(tq), tetra_tensor_free(ts), tetra_tensor_free(tf), tetra_tensor_free(t3);
  tetra_tensor_free(tbad), tetra_tensor_free(tos);
}

int main(void) {
  static const size_t shapes[][2] = {{1, 1}, {1, 7}, {7, 1}, {3, 5}, {6, 5}, {8, 16}, {9, 3},
                                     {17, 33}, {24, 64}, {33, 96}, {64, 384}, {384, 64}};
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) check_pack(shapes[i][0], shapes[i][1]);
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
    for (int b = 0; b < 2; b++) check_outputs(shapes[i][0], shapes[i][1], b);
  check_f16();
  check_file_and_views();
  check_errors();
  return harness_finish("test_linear_int8");
}
