/* safetensors (src/bundle/safetensors.c):
 *   - round trips for every dtype tetra holds (F32, F16, BF16, I8, I32, I64), scalars, empty
 *     tensors, strided views, names that need JSON escapes, metadata;
 *   - the writer's bytes equal the reference implementation's for its own test vectors, the
 *     header is padded so the data starts at a multiple of 8, and tensors are laid out larger
 *     elements first so that every one is aligned;
 *   - tensors are used in place when aligned and copied (to aligned memory) when not, with heap
 *     and arena contexts;
 *   - malformed files: every truncation of a small file, header length beyond the file or the
 *     limit, bad JSON, unknown dtypes, shape/size mismatches, overflowing shapes, overlapping,
 *     out-of-range and hole-leaving data_offsets, duplicate names, bad metadata; each is an error
 *     naming the tensor or field at fault, and random byte flips never crash (ASan + UBSan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tetra/bundle.h"

static const tetra_tensor_ctx HEAP = {NULL, NULL};

/* A file from a header text and data bytes (the header is used as given: no padding). */
static uint8_t *make_file(const char *header, const void *data, size_t data_len, size_t *len) {
  size_t n = strlen(header);
  *len = 8 + n + data_len;
  uint8_t *f = malloc(*len ? *len : 1);
  for (int i = 0; i < 8; i++) f[i] = (uint8_t)((uint64_t)n >> (8 * i));
  memcpy(f + 8, header, n);
  if (data_len) memcpy(f + 8 + n, data, data_len);
  return f;
}

/* Opens header + data_len zero bytes; returns the status and leaves the message in err. */
static tetra_status open_text(const char *header, size_t data_len, tetra_error *err) {
  uint8_t *zeros = calloc(data_len ? data_len : 1, 1);
  size_t len;
  uint8_t *f = make_file(header, zeros, data_len, &len);
  tetra_safetensors *st = NULL;
  tetra_status s = tetra_safetensors_open(f, len, NULL, &st, err);
  tetra_safetensors_close(st);
  free(f);
  free(zeros);
  return s;
}

/* A malformed header must fail with `code`, and the message must contain `needle`. */
static void expect_error(const char *what, const char *header, size_t data_len, tetra_status code,
                         const char *needle) {
  tetra_error err;
  tetra_status s = open_text(header, data_len, &err);
  CHECK(s == code, "%s: status %s, expected %s (%s)", what, tetra_status_name(s),
        tetra_status_name(code), s ? err.message : "accepted");
  if (s) CHECK(strstr(err.message, needle) != NULL, "%s: message \"%s\" lacks \"%s\"", what, err.message, needle);
}

static void expect_ok(const char *what, const char *header, size_t data_len) {
  tetra_error err;
  tetra_status s = open_text(header, data_len, &err);
  CHECK(s == TETRA_OK, "%s: %s", what, err.message);
}

/* ---- round trips ---------------------------------------------------------------------------- */

typedef struct spec {
  const char *name;
  tetra_dtype dtype;
  size_t rank;
  int64_t shape[4];
} spec;

static size_t numel_of(const spec *s) {
  size_t n = 1;
  for (size_t i = 0; i < s->rank; i++) n *= (size_t)s->shape[i];
  return n;
}

static void test_round_trip(void) {
  /* Deliberately unaligned order (1-byte, then 8, 2, 4...): the writer reorders the data. */
  static const spec specs[] = {
      {"q.weight", TETRA_I8, 2, {3, 5}},
      {"ids", TETRA_I64, 1, {7}},
      {"half", TETRA_F16, 3, {2, 1, 3}},
      {"brain", TETRA_BF16, 1, {5}},
      {"float", TETRA_F32, 2, {4, 3}},
      {"int", TETRA_I32, 4, {1, 2, 1, 3}},
      {"scalar", TETRA_F32, 0, {0}},
      {"empty", TETRA_F32, 2, {0, 3}},
      {"odd \"name\"\\ with\nescapes \xC3\xA9\xE2\x82\xAC", TETRA_I8, 1, {1}},
  };
  const size_t n = sizeof specs / sizeof specs[0];
  tetra_tensor *t[16];
  tetra_safetensors_entry entries[16];
  tetra_error err;
  unsigned seed = 7;
  for (size_t i = 0; i < n; i++) {
    size_t bytes = numel_of(&specs[i]) * tetra_dtype_size(specs[i].dtype);
    uint8_t *data = malloc(bytes ? bytes : 1);
    for (size_t b = 0; b < bytes; b++) data[b] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
    CHECK(tetra_tensor_from_data(&HEAP, specs[i].dtype, specs[i].rank, specs[i].shape, data, bytes,
                                 &t[i], &err) == TETRA_OK, "%s: %s", specs[i].name, err.message);
    free(data);
    entries[i].name = specs[i].name;
    entries[i].tensor = t[i];
  }
  const char *meta[] = {"format", "pt", "tetra.quantization", "int8-per-channel", "quote\"key", "v\\al"};
  uint8_t *file = NULL;
  size_t len = 0;
  CHECK(tetra_safetensors_write(entries, n, meta, 3, NULL, &file, &len, &err) == TETRA_OK, "write: %s",
        err.message);
  if (!file) return;
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | file[i];
  CHECK((8 + hlen) % 8 == 0, "data starts at %llu, not a multiple of 8", (unsigned long long)(8 + hlen));
  CHECK(file[8] == '{', "header starts with '{'");
  /* the file sits in a malloc'd (16-aligned) buffer, so data offset alignment is address alignment */
  tetra_safetensors *st = NULL;
  CHECK(tetra_safetensors_open(file, len, NULL, &st, &err) == TETRA_OK, "open: %s", err.message);
  if (!st) return;
  CHECK(tetra_safetensors_count(st) == n, "count %zu", tetra_safetensors_count(st));
  CHECK(tetra_safetensors_at(st, n) == NULL, "at(count) is NULL");
  CHECK(strcmp(tetra_safetensors_metadata(st, "format"), "pt") == 0, "metadata format");
  CHECK(strcmp(tetra_safetensors_metadata(st, "tetra.quantization"), "int8-per-channel") == 0,
        "metadata quantization");
  CHECK(strcmp(tetra_safetensors_metadata(st, "quote\"key"), "v\\al") == 0, "escaped metadata");
  CHECK(tetra_safetensors_metadata(st, "missing") == NULL, "absent metadata key");
  /* file order: larger elements first, offsets increasing, each aligned to its element size */
  size_t prev_end = 8 + (size_t)hlen, prev_elem = 8;
  for (size_t i = 0; i < n; i++) {
    const tetra_safetensors_info *info = tetra_safetensors_at(st, i);
    size_t elem = strcmp(info->dtype, "I64") == 0 ? 8 : strcmp(info->dtype, "F32") == 0 || strcmp(info->dtype, "I32") == 0 ? 4
                  : strcmp(info->dtype, "I8") == 0 ? 1 : 2;
    CHECK(info->offset == prev_end, "%s: offset %zu follows the previous tensor (%zu)", info->name,
          info->offset, prev_end);
    CHECK(info->offset % elem == 0, "%s: offset %zu aligned to %zu", info->name, info->offset, elem);
    CHECK(elem <= prev_elem, "%s: sorted by element size", info->name);
    prev_end = info->offset + info->bytes;
    prev_elem = elem;
  }
  CHECK(prev_end == len, "tensors end at the end of the file");
  static const char *names[] = {"F32", "F16", "BF16", "I8", "I32", "I64"};
  for (size_t i = 0; i < n; i++) {
    const tetra_safetensors_info *info = tetra_safetensors_find(st, specs[i].name);
    CHECK(info != NULL, "find %s", specs[i].name);
    if (!info) continue;
    CHECK(strcmp(info->name, specs[i].name) == 0, "name %s", info->name);
    CHECK(strcmp(info->dtype, names[specs[i].dtype]) == 0, "%s: dtype %s", specs[i].name, info->dtype);
    CHECK(info->rank == specs[i].rank, "%s: rank %zu", specs[i].name, info->rank);
    for (size_t d = 0; d < info->rank && d < 4; d++)
      CHECK(info->shape[d] == specs[i].shape[d], "%s: shape[%zu]", specs[i].name, d);
    tetra_tensor *r = NULL;
    CHECK(tetra_safetensors_tensor(st, &HEAP, specs[i].name, &r, &err) == TETRA_OK, "%s: %s",
          specs[i].name, err.message);
    if (!r) continue;
    size_t bytes = numel_of(&specs[i]) * tetra_dtype_size(specs[i].dtype);
    CHECK(tetra_tensor_dtype(r) == specs[i].dtype && tetra_tensor_rank(r) == specs[i].rank,
          "%s: dtype and rank", specs[i].name);
    CHECK(bytes == 0 || memcmp(tetra_tensor_data(r), tetra_tensor_data(t[i]), bytes) == 0,
          "%s: data round trips", specs[i].name);
    CHECK(bytes == 0 || (uint8_t *)tetra_tensor_data(r) == file + info->offset,
          "%s: aligned data is used in place", specs[i].name);
    tetra_tensor_free(r);
  }
  CHECK(tetra_safetensors_find(st, "nope") == NULL && tetra_safetensors_find(st, "") == NULL,
        "find of absent names");
  tetra_tensor *r = NULL;
  tetra_status s = tetra_safetensors_tensor(st, &HEAP, "nope", &r, &err);
  CHECK(s != TETRA_OK && strstr(err.message, "\"nope\"") != NULL, "absent tensor: %s", err.message);
  tetra_safetensors_close(st);
  tetra_free(NULL, file);

  /* A strided view is written in row-major order; no entries and no metadata make "{}" */
  tetra_tensor *tr = NULL;
  CHECK(tetra_tensor_transpose(&HEAP, t[4], 0, 1, &tr, &err) == TETRA_OK, "transpose");
  tetra_safetensors_entry e1 = {"t", tr};
  CHECK(tetra_safetensors_write(&e1, 1, NULL, 0, NULL, &file, &len, &err) == TETRA_OK, "%s", err.message);
  CHECK(tetra_safetensors_open(file, len, NULL, &st, &err) == TETRA_OK, "%s", err.message);
  if (st) {
    tetra_tensor *c = NULL, *back = NULL;
    tetra_tensor_contiguous(&HEAP, tr, &c, &err);
    CHECK(tetra_safetensors_tensor(st, &HEAP, "t", &back, &err) == TETRA_OK, "%s", err.message);
    CHECK(back && tetra_tensor_dim(back, 0) == 3 && tetra_tensor_dim(back, 1) == 4 &&
              memcmp(tetra_tensor_data(back), tetra_tensor_data(c), 48) == 0,
          "transposed view written row-major");
    tetra_tensor_free(c);
    tetra_tensor_free(back);
    tetra_safetensors_close(st);
  }
  tetra_free(NULL, file);
  tetra_tensor_free(tr);
  CHECK(tetra_safetensors_write(NULL, 0, NULL, 0, NULL, &file, &len, &err) == TETRA_OK, "%s", err.message);
  CHECK(len == 16 && memcmp(file, "\x08\0\0\0\0\0\0\0{}      ", 16) == 0, "empty file bytes");
  CHECK(tetra_safetensors_open(file, len, NULL, &st, &err) == TETRA_OK && tetra_safetensors_count(st) == 0,
        "empty file opens: %s", err.message);
  tetra_safetensors_close(st);
  tetra_free(NULL, file);
  for (size_t i = 0; i < n; i++) tetra_tensor_free(t[i]);
}

/* The reference implementation's own test vectors (safetensors/src/tensor.rs): one F32 tensor
 * 0..5, named "attn.0" with shape [1, 2, 3] (a 64-byte header, no padding) and "attn0" with shape
 * [1, 1, 2, 3] (padded with 7 spaces to 72). */
static void test_reference_bytes(void) {
  static const float values[6] = {0, 1, 2, 3, 4, 5};
  struct {
    const char *name;
    size_t rank;
    int64_t shape[4];
    const char *header;
  } cases[] = {
      {"attn.0", 3, {1, 2, 3}, "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}"},
      {"attn0", 4, {1, 1, 2, 3},
       "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       "},
  };
  for (size_t c = 0; c < 2; c++) {
    tetra_error err;
    tetra_tensor *t = NULL;
    tetra_tensor_from_data(&HEAP, TETRA_F32, cases[c].rank, cases[c].shape, values, sizeof values, &t, &err);
    tetra_safetensors_entry e = {cases[c].name, t};
    uint8_t *file = NULL;
    size_t len = 0;
    CHECK(tetra_safetensors_write(&e, 1, NULL, 0, NULL, &file, &len, &err) == TETRA_OK, "%s", err.message);
    size_t elen;
    uint8_t *expected = make_file(cases[c].header, values, sizeof values, &elen);
    CHECK(len == elen && memcmp(file, expected, len) == 0, "%s: bytes equal the reference's", cases[c].name);
    free(expected);
    tetra_free(NULL, file);
    tetra_tensor_free(t);
  }
}

/* ---- in place vs aligned copy ------------------------------------------------------------------ */

static void test_alignment(void) {
  /* data: one I8 byte, then F32 [2] at data offset 1 (misaligned), then I8 [3]. 8 + 112 header
   * bytes keep the data buffer itself 8-aligned in a malloc'd file. */
  char header[256];
  snprintf(header, sizeof header,
           "{\"a\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]},"
           "\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1,9]},"
           "\"b\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[9,12]}}");
  size_t hl = strlen(header);
  while ((8 + hl) % 8) header[hl++] = ' ';
  header[hl] = '\0';
  uint8_t data[12] = {0x7F};
  float fv[2] = {1.5f, -2.25f};
  memcpy(data + 1, fv, 8);
  data[9] = 1, data[10] = 2, data[11] = 3;
  size_t len;
  uint8_t *file = make_file(header, data, sizeof data, &len);
  tetra_error err;
  for (int shift = 0; shift < 4; shift += 3) {
    /* The data buffer is 8-aligned at shift 0, so "f" (data offset 1) is misaligned and copied;
     * shift 3 moves the whole file so that "f" lands on a multiple of 4 and is used in place. */
    uint8_t *buf = malloc(len + 3);
    memcpy(buf + shift, file, len);
    tetra_safetensors *st = NULL;
    CHECK(tetra_safetensors_open(buf + shift, len, NULL, &st, &err) == TETRA_OK, "%s", err.message);
    if (!st) {
      free(buf);
      continue;
    }
    CHECK(strcmp(tetra_safetensors_at(st, 0)->name, "a") == 0 && strcmp(tetra_safetensors_at(st, 1)->name, "f") == 0 &&
              strcmp(tetra_safetensors_at(st, 2)->name, "b") == 0,
          "file order");
    tetra_arena arena;
    tetra_arena_init(&arena, NULL, 4096);
    tetra_tensor_ctx actx = {NULL, &arena};
    for (int use_arena = 0; use_arena < 2; use_arena++) {
      const tetra_tensor_ctx *ctx = use_arena ? &actx : &HEAP;
      tetra_tensor *f = NULL, *b = NULL;
      CHECK(tetra_safetensors_tensor(st, ctx, "f", &f, &err) == TETRA_OK, "%s", err.message);
      CHECK(tetra_safetensors_tensor(st, ctx, "b", &b, &err) == TETRA_OK, "%s", err.message);
      if (!f || !b) continue;
      const uint8_t *at = buf + shift + tetra_safetensors_find(st, "f")->offset;
      float got[2];
      memcpy(got, tetra_tensor_data(f), sizeof got);
      CHECK(got[0] == 1.5f && got[1] == -2.25f, "F32 values (shift %d, arena %d)", shift, use_arena);
      CHECK((uintptr_t)tetra_tensor_data(f) % 4 == 0, "F32 tensor data aligned");
      if ((uintptr_t)at % 4) CHECK(tetra_tensor_data(f) != at, "misaligned F32 is copied");
      else CHECK(tetra_tensor_data(f) == at, "aligned F32 in place");
      CHECK((uint8_t *)tetra_tensor_data(b) == buf + shift + tetra_safetensors_find(st, "b")->offset,
            "I8 always in place");
      tetra_tensor_free(f);
      tetra_tensor_free(b);
    }
    tetra_arena_release(&arena);
    tetra_safetensors_close(st);
    free(buf);
  }
  free(file);
}

/* ---- malformed files --------------------------------------------------------------------------- */

static void test_truncation(void) {
  float v[3] = {1, 2, 3};
  int64_t shape[1] = {3};
  tetra_error err;
  tetra_tensor *a = NULL, *b = NULL;
  tetra_tensor_from_data(&HEAP, TETRA_F32, 1, shape, v, sizeof v, &a, &err);
  tetra_tensor_from_data(&HEAP, TETRA_I8, 1, shape, "xyz", 3, &b, &err);
  tetra_safetensors_entry e[2] = {{"a", a}, {"b", b}};
  const char *meta[] = {"k", "v"};
  uint8_t *file = NULL;
  size_t len = 0;
  tetra_safetensors_write(e, 2, meta, 1, NULL, &file, &len, &err);
  size_t failures = 0;
  for (size_t cut = 0; cut < len; cut++) {
    uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any read past the end */
    memcpy(copy, file, cut);
    tetra_safetensors *st = NULL;
    tetra_status s = tetra_safetensors_open(cut ? copy : NULL, cut, NULL, &st, &err);
    if (s != TETRA_OK && err.message[0] && strncmp(err.message, "safetensors: ", 13) == 0) failures++;
    else CHECK(0, "truncated at %zu: status %s, message \"%s\"", cut, tetra_status_name(s), err.message);
    tetra_safetensors_close(st);
    free(copy);
  }
  CHECK(failures == len, "every one of %zu truncations fails with a message", len);
  tetra_error_clear(&err);
  tetra_safetensors *st = NULL;
  CHECK(tetra_safetensors_open(file, len, NULL, &st, &err) == TETRA_OK, "whole file opens");
  tetra_safetensors_close(st);
  /* bytes appended after the data belong to no tensor */
  uint8_t *longer = malloc(len + 1);
  memcpy(longer, file, len);
  longer[len] = 0;
  CHECK(tetra_safetensors_open(longer, len + 1, NULL, &st, &err) == TETRA_ERR_FORMAT &&
            strstr(err.message, "1 bytes after the last tensor") != NULL,
        "a trailing byte: %s", err.message);
  free(longer);
  tetra_free(NULL, file);
  tetra_tensor_free(a);
  tetra_tensor_free(b);
}

#define T(name, dtype, shape, offsets) \
  "\"" name "\":{\"dtype\":\"" dtype "\",\"shape\":" shape ",\"data_offsets\":" offsets "}"

static void test_malformed_headers(void) {
  tetra_error err;
  /* the length field itself */
  static const uint8_t short_file[5] = {1, 0, 0, 0, 0};
  tetra_safetensors *st = NULL;
  CHECK(tetra_safetensors_open(short_file, 5, NULL, &st, &err) == TETRA_ERR_FORMAT &&
            strstr(err.message, "too short") != NULL,
        "5-byte file: %s", err.message);
  uint8_t big[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, '{', '}'};
  CHECK(tetra_safetensors_open(big, 16, NULL, &st, &err) == TETRA_ERR_LIMIT && strstr(err.message, "header length") != NULL,
        "2^64-1 header length: %s", err.message);
  big[0] = 9, memset(big + 1, 0, 7);
  CHECK(tetra_safetensors_open(big, 16, NULL, &st, &err) == TETRA_ERR_FORMAT &&
            strstr(err.message, "runs past the end") != NULL,
        "header length beyond the file: %s", err.message);
  big[0] = 0x00, big[3] = 0x10; /* 256 MB: beyond the 100 MB limit, checked before the file size */
  CHECK(tetra_safetensors_open(big, 16, NULL, &st, &err) == TETRA_ERR_LIMIT, "256 MB header: %s", err.message);
  CHECK(tetra_safetensors_open(NULL, 0, NULL, &st, &err) == TETRA_ERR_FORMAT, "empty input");
  static const uint8_t nul_padded[11] = {3, 0, 0, 0, 0, 0, 0, 0, '{', '}', 0}; /* padding is spaces */
  CHECK(tetra_safetensors_open(nul_padded, 11, NULL, &st, &err) == TETRA_ERR_PARSE, "NUL padding: %s", err.message);
  CHECK(tetra_safetensors_open(NULL, 16, NULL, &st, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL bytes");
  CHECK(tetra_safetensors_open(big, 16, NULL, NULL, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL out");

  /* header text */
  expect_ok("minimal", "{}", 0);
  expect_ok("padded", "{}      ", 0);
  expect_ok("metadata only", "{\"__metadata__\":{\"a\":\"b\"}}", 0);
  expect_ok("null metadata", "{\"__metadata__\":null}", 0);
  expect_ok("unknown fields ignored", "{\"t\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2],\"x\":1}}", 2);
  expect_ok("zero-size tensors share an offset",
            "{" T("a", "F32", "[0]", "[0,0]") "," T("b", "F32", "[1]", "[0,4]") "," T("c", "I8", "[0,5]", "[4,4]") "}", 4);
  expect_ok("header order need not be data order",
            "{" T("second", "F32", "[1]", "[4,8]") "," T("first", "F32", "[1]", "[0,4]") "}", 8);
  expect_ok("sub-byte-free exotic dtypes parse", "{" T("d", "F64", "[1]", "[0,8]") "," T("b", "BOOL", "[2]", "[8,10]") "}", 10);
  expect_error("empty header", "", 0, TETRA_ERR_FORMAT, "start with '{'");
  expect_error("leading space", " {}", 0, TETRA_ERR_FORMAT, "start with '{'");
  expect_error("array header", "[]", 0, TETRA_ERR_FORMAT, "start with '{'");
  expect_error("bad JSON", "{\"a\":", 0, TETRA_ERR_PARSE, "header (JSON from byte 8)");
  expect_error("trailing garbage", "{}x", 0, TETRA_ERR_PARSE, "header");
  expect_error("invalid UTF-8", "{\"\xC0\xAF\":1}", 0, TETRA_ERR_PARSE, "header");
  expect_error("duplicate names", "{" T("w", "I8", "[1]", "[0,1]") "," T("w", "I8", "[1]", "[1,2]") "}", 2,
               TETRA_ERR_PARSE, "duplicate object key \"w\"");
  expect_error("entry not an object", "{\"w\":[1]}", 0, TETRA_ERR_FORMAT, "tensor \"w\": should be an object");
  expect_error("missing dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,1]}}", 1, TETRA_ERR_FORMAT,
               "tensor \"w\": missing field \"dtype\"");
  expect_error("missing shape", "{\"w\":{\"dtype\":\"I8\",\"data_offsets\":[0,1]}}", 1, TETRA_ERR_FORMAT,
               "tensor \"w\": missing field \"shape\"");
  expect_error("missing offsets", "{\"w\":{\"dtype\":\"I8\",\"shape\":[1]}}", 1, TETRA_ERR_FORMAT,
               "tensor \"w\": missing field \"data_offsets\"");
  expect_error("dtype not a string", "{\"w\":{\"dtype\":1,\"shape\":[1],\"data_offsets\":[0,1]}}", 1,
               TETRA_ERR_FORMAT, "tensor \"w\": dtype should be a string, not number");
  expect_error("unknown dtype", "{" T("w", "Q4_K", "[1]", "[0,1]") "}", 1, TETRA_ERR_UNSUPPORTED,
               "tensor \"w\": unknown dtype \"Q4_K\"");
  expect_error("sub-byte dtype", "{" T("w", "F4", "[2]", "[0,1]") "}", 1, TETRA_ERR_UNSUPPORTED,
               "tensor \"w\": unknown dtype \"F4\"");
  expect_error("lower-case dtype", "{" T("w", "f32", "[1]", "[0,4]") "}", 4, TETRA_ERR_UNSUPPORTED, "\"f32\"");
  expect_error("shape not an array", "{" T("w", "I8", "1", "[0,1]") "}", 1, TETRA_ERR_FORMAT, "tensor \"w\": shape");
  expect_error("negative dimension", "{" T("w", "I8", "[-1]", "[0,1]") "}", 1, TETRA_ERR_FORMAT, "tensor \"w\": shape[0]");
  expect_error("fractional dimension", "{" T("w", "I8", "[1.5]", "[0,1]") "}", 1, TETRA_ERR_FORMAT, "shape[0]");
  expect_error("exponent dimension", "{" T("w", "I8", "[1e0]", "[0,1]") "}", 1, TETRA_ERR_FORMAT, "shape[0]");
  expect_error("string dimension", "{" T("w", "I8", "[2,\"3\"]", "[0,6]") "}", 6, TETRA_ERR_FORMAT, "shape[1]");
  expect_error("2^53 dimension", "{" T("w", "I8", "[9007199254740992]", "[0,1]") "}", 1, TETRA_ERR_FORMAT, "shape[0]");
  expect_error("rank 9", "{" T("w", "I8", "[1,1,1,1,1,1,1,1,1]", "[0,1]") "}", 1, TETRA_ERR_LIMIT, "tensor \"w\": shape has 9");
  expect_error("overflowing shape", "{" T("w", "F32", "[4294967296,4294967296,4294967296]", "[0,4]") "}", 4,
               TETRA_ERR_LIMIT, "tensor \"w\": shape (dimension");
  expect_error("overflow by the element size", "{" T("w", "I64", "[2147483648,2147483648,2]", "[0,8]") "}", 8,
               TETRA_ERR_LIMIT, "tensor \"w\"");
  expect_ok("huge dimensions times zero are empty",
            "{" T("w", "F32", "[4294967296,4294967296,0]", "[0,0]") "}", 0);
  expect_error("shape/size mismatch", "{" T("w", "F32", "[2,3]", "[0,20]") "}", 20, TETRA_ERR_FORMAT,
               "tensor \"w\": shape [2, 3] of F32 needs 24 bytes, data_offsets [0, 20] hold 20");
  expect_error("offsets not a pair", "{" T("w", "I8", "[1]", "[0,1,2]") "}", 2, TETRA_ERR_FORMAT,
               "tensor \"w\": data_offsets should be");
  expect_error("negative offset", "{" T("w", "I8", "[1]", "[-1,0]") "}", 1, TETRA_ERR_FORMAT, "tensor \"w\": data_offsets");
  expect_error("offsets reversed", "{" T("w", "I8", "[0]", "[1,0]") "}", 1, TETRA_ERR_FORMAT, "end before they begin");
  expect_error("offsets out of range", "{" T("w", "I8", "[4]", "[0,4]") "}", 3, TETRA_ERR_FORMAT,
               "tensor \"w\": data_offsets [0, 4] run past the end of the data (3 bytes)");
  expect_error("huge offsets", "{" T("w", "I8", "[1]", "[9007199254740990,9007199254740991]") "}", 1, TETRA_ERR_FORMAT,
               "run past the end");
  expect_error("overlap", "{" T("a", "F32", "[2]", "[0,8]") "," T("b", "F32", "[2]", "[4,12]") "}", 12,
               TETRA_ERR_FORMAT, "tensor \"b\": data_offsets [4, 12] overlap tensor \"a\"");
  expect_error("same range twice", "{" T("a", "F32", "[1]", "[0,4]") "," T("b", "F32", "[1]", "[0,4]") "}", 4,
               TETRA_ERR_FORMAT, "overlap");
  expect_error("hole", "{" T("a", "F32", "[1]", "[0,4]") "," T("b", "F32", "[1]", "[8,12]") "}", 12,
               TETRA_ERR_FORMAT, "tensor \"b\": data_offsets [8, 12] leave a hole of 4 bytes at data offset 4");
  expect_error("hole at the start", "{" T("a", "F32", "[1]", "[4,8]") "}", 8, TETRA_ERR_FORMAT,
               "tensor \"a\": data_offsets [4, 8] leave a hole");
  expect_error("uncovered tail", "{" T("a", "F32", "[1]", "[0,4]") "}", 6, TETRA_ERR_FORMAT,
               "2 bytes after the last tensor");
  expect_error("data but no tensors", "{}", 8, TETRA_ERR_FORMAT, "cover 0 of the 8");
  expect_error("NUL in a name", "{\"a\\u0000b\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1,
               TETRA_ERR_FORMAT, "NUL");
  expect_error("metadata not an object", "{\"__metadata__\":[\"a\"]}", 0, TETRA_ERR_FORMAT, "__metadata__ should be");
  expect_error("metadata value not a string", "{\"__metadata__\":{\"epoch\":3}}", 0, TETRA_ERR_FORMAT,
               "__metadata__[\"epoch\"] should be a string");
  expect_error("deep JSON", "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
                            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]}",
               0, TETRA_ERR_LIMIT, "header");

  /* dtypes tetra lists but cannot make tensors of */
  size_t len;
  uint8_t *file = make_file("{" T("u", "U8", "[2]", "[0,2]") "," T("d", "F64", "[1]", "[8,16]") "," T("p", "U8", "[6]", "[2,8]") "}",
                            "\1\2abcdef\0\0\0\0\0\0\xF0\x3F", 16, &len);
  CHECK(tetra_safetensors_open(file, len, NULL, &st, &err) == TETRA_OK, "%s", err.message);
  if (st) {
    tetra_tensor *t = NULL;
    CHECK(tetra_safetensors_tensor(st, &HEAP, "d", &t, &err) == TETRA_ERR_UNSUPPORTED &&
              strstr(err.message, "tensor \"d\": dtype F64 is not supported") != NULL,
          "F64 tensor: %s", err.message);
    CHECK(t == NULL, "no tensor on error");
    CHECK(strcmp(tetra_safetensors_find(st, "u")->dtype, "U8") == 0 && tetra_safetensors_find(st, "d")->bytes == 8,
          "info of unsupported dtypes is still listed");
    CHECK(tetra_safetensors_tensor(st, &HEAP, NULL, &t, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL name");
    tetra_safetensors_close(st);
  }
  free(file);
}

/* Random byte flips and length changes of a valid file: accepted or refused, never a crash, and
 * an accepted file's tensors are all readable within the buffer (ASan checks the reads). */
static void test_mutations(void) {
  float v[6] = {1, 2, 3, 4, 5, 6};
  int64_t s2[2] = {2, 3}, s1[1] = {4};
  tetra_error err;
  tetra_tensor *a = NULL, *b = NULL;
  tetra_tensor_from_data(&HEAP, TETRA_F32, 2, s2, v, sizeof v, &a, &err);
  tetra_tensor_from_data(&HEAP, TETRA_I8, 1, s1, "wxyz", 4, &b, &err);
  tetra_safetensors_entry e[2] = {{"layer.0.weight", a}, {"layer.0.bias", b}};
  const char *meta[] = {"format", "pt"};
  uint8_t *file = NULL;
  size_t len = 0;
  tetra_safetensors_write(e, 2, meta, 1, NULL, &file, &len, &err);
  static const uint8_t interesting[] = {'0', '1', '9', '[', ']', '{', '}', '"', ',', '-', ' ', 0, 0xFF, 'e', '.'};
  uint32_t rng = 99;
  size_t accepted = 0;
  const int rounds = 4000;
  for (int round = 0; round < rounds; round++) {
    uint8_t *m = malloc(len);
    memcpy(m, file, len);
    int flips = 1 + (int)((rng = rng * 1664525u + 1013904223u) >> 30);
    for (int f = 0; f < flips; f++) {
      rng = rng * 1664525u + 1013904223u;
      size_t at = (rng >> 8) % len;
      rng = rng * 1664525u + 1013904223u;
      m[at] = (rng >> 31) ? interesting[(rng >> 8) % sizeof interesting] : (uint8_t)(rng >> 16);
    }
    rng = rng * 1664525u + 1013904223u;
    size_t mlen = (rng >> 28) == 0 ? (rng >> 8) % len : len;
    uint8_t *exact = malloc(mlen ? mlen : 1);
    memcpy(exact, m, mlen);
    tetra_safetensors *st = NULL;
    if (tetra_safetensors_open(exact, mlen, NULL, &st, &err) == TETRA_OK) {
      accepted++;
      for (size_t i = 0; i < tetra_safetensors_count(st); i++) {
        const tetra_safetensors_info *info = tetra_safetensors_at(st, i);
        CHECK(info->offset + info->bytes <= mlen, "tensor inside the file");
        tetra_tensor *t = NULL;
        if (tetra_safetensors_tensor(st, &HEAP, info->name, &t, &err) == TETRA_OK) {
          uint8_t sink = 0;
          const uint8_t *p = tetra_tensor_data(t);
          for (size_t k = 0; k < info->bytes; k++) sink ^= p[k];
          (void)sink;
          tetra_tensor_free(t);
        }
      }
    } else {
      CHECK(err.message[0] != '\0', "a refusal has a message");
    }
    tetra_safetensors_close(st);
    free(exact);
    free(m);
  }
  printf("mutations: %zu of %d mutated files accepted\n", accepted, rounds);
  tetra_free(NULL, file);
  tetra_tensor_free(a);
  tetra_tensor_free(b);
}

static void test_write_errors(void) {
  float v[1] = {1};
  int64_t s1[1] = {1};
  tetra_error err;
  tetra_tensor *a = NULL;
  tetra_tensor_from_data(&HEAP, TETRA_F32, 1, s1, v, sizeof v, &a, &err);
  uint8_t *out = (uint8_t *)1;
  size_t len = 1;
  tetra_safetensors_entry dup[2] = {{"w", a}, {"w", a}};
  CHECK(tetra_safetensors_write(dup, 2, NULL, 0, NULL, &out, &len, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "\"w\" appears twice") != NULL,
        "duplicate names: %s", err.message);
  CHECK(out == NULL && len == 0, "outputs cleared on error");
  tetra_safetensors_entry reserved = {"__metadata__", a};
  CHECK(tetra_safetensors_write(&reserved, 1, NULL, 0, NULL, &out, &len, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "reserved") != NULL,
        "__metadata__ as a name: %s", err.message);
  tetra_safetensors_entry bad_utf8 = {"caf\xE9", a};
  CHECK(tetra_safetensors_write(&bad_utf8, 1, NULL, 0, NULL, &out, &len, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "entries[0]") != NULL,
        "Latin-1 name: %s", err.message);
  tetra_safetensors_entry surrogate = {"\xED\xA0\x80", a};
  CHECK(tetra_safetensors_write(&surrogate, 1, NULL, 0, NULL, &out, &len, &err) == TETRA_ERR_INVALID_ARGUMENT,
        "surrogate in a name");
  tetra_safetensors_entry null_tensor = {"w", NULL};
  CHECK(tetra_safetensors_write(&null_tensor, 1, NULL, 0, NULL, &out, &len, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "entries[0]: tensor is NULL") != NULL,
        "NULL tensor: %s", err.message);
  const char *dup_meta[] = {"k", "1", "k", "2"};
  tetra_safetensors_entry one = {"w", a};
  CHECK(tetra_safetensors_write(&one, 1, dup_meta, 2, NULL, &out, &len, &err) == TETRA_ERR_INVALID_ARGUMENT &&
            strstr(err.message, "\"k\" appears twice") != NULL,
        "duplicate metadata keys: %s", err.message);
  const char *null_meta[] = {"k", NULL};
  CHECK(tetra_safetensors_write(&one, 1, null_meta, 1, NULL, &out, &len, &err) == TETRA_ERR_INVALID_ARGUMENT,
        "NULL metadata value");
  CHECK(tetra_safetensors_write(NULL, 1, NULL, 0, NULL, &out, &len, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL entries");
  CHECK(tetra_safetensors_write(&one, 1, NULL, 0, NULL, NULL, &len, &err) == TETRA_ERR_INVALID_ARGUMENT, "NULL out");
  /* control characters and non-ASCII names survive the round trip */
  tetra_safetensors_entry ctl = {"tab\there\x01\x1F/\xF0\x9F\x98\x80", a};
  CHECK(tetra_safetensors_write(&ctl, 1, NULL, 0, NULL, &out, &len, &err) == TETRA_OK, "%s", err.message);
  tetra_safetensors *st = NULL;
  CHECK(tetra_safetensors_open(out, len, NULL, &st, &err) == TETRA_OK && tetra_safetensors_find(st, ctl.name) != NULL,
        "control characters in a name round trip: %s", err.message);
  tetra_safetensors_close(st);
  tetra_free(NULL, out);
  tetra_tensor_free(a);
}

/* Counts the allocator's live blocks: open/close and write leave none behind, errors included. */
typedef struct counting {
  long live;
} counting;
static void *count_alloc(void *user, size_t size) {
  ((counting *)user)->live++;
  return malloc(size);
}
static void count_free(void *user, void *p) {
  if (p) ((counting *)user)->live--;
  free(p);
}

static void test_allocator(void) {
  counting c = {0};
  tetra_allocator alloc = {count_alloc, count_free, &c};
  tetra_error err;
  size_t len;
  uint8_t *file = make_file("{\"__metadata__\":{\"a\":\"b\"}," T("a", "F32", "[1]", "[0,4]") "," T("b", "I8", "[2]", "[4,6]") "}",
                            "\0\0\x80\x3F\1\2", 6, &len);
  for (size_t cut = 0; cut <= len; cut++) {
    tetra_safetensors *st = NULL;
    tetra_safetensors_open(file, cut, &alloc, &st, &err);
    tetra_safetensors_close(st);
  }
  tetra_safetensors *st = NULL;
  CHECK(tetra_safetensors_open(file, len, &alloc, &st, &err) == TETRA_OK, "%s", err.message);
  CHECK(strcmp(tetra_safetensors_metadata(st, "a"), "b") == 0, "metadata via a custom allocator");
  tetra_safetensors_close(st);
  CHECK(c.live == 0, "open/close leaves %ld blocks", c.live);
  free(file);
}

int main(void) {
  test_round_trip();
  test_reference_bytes();
  test_alignment();
  test_truncation();
  test_malformed_headers();
  test_mutations();
  test_write_errors();
  test_allocator();
  return harness_finish("test_bundle_safetensors");
}
