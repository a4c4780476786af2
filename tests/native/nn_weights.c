#include "nn_weights.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---- the scheme ------------------------------------------------------------------------------ */

static uint32_t fnv1a32(const char *s) {
  uint32_t h = 0x811C9DC5u;
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 0x01000193u;
  return h;
}

static uint32_t mix32(uint32_t x) { /* murmur3's fmix32 */
  x ^= x >> 16;
  x *= 0x85EBCA6Bu;
  x ^= x >> 13;
  x *= 0xC2B2AE35u;
  x ^= x >> 16;
  return x;
}

/* base = fnv1a32(name) ^ seed; scale = amp / 2^23 (exact: amp is a power of two). */
static float element(uint32_t base, uint32_t index, float scale, float offset) {
  uint32_t h = mix32(index * 0x9E3779B1u + base);
  int32_t u = (int32_t)(h >> 8) - 8388608;
  float v = (float)u * scale;
  return offset + v;  /* one float32 rounding (the build uses -ffp-contract=off) */
}

float nn_weights_value(uint32_t seed, const char *name, uint32_t index, float amp, float offset) {
  return element(fnv1a32(name) ^ seed, index, amp / 8388608.0f, offset);
}

static uint32_t bits_of(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

uint16_t nn_weights_bf16(float f) {
  uint32_t x = bits_of(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
  return (uint16_t)((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

uint16_t nn_weights_f16(float f) {
  uint32_t x = bits_of(f);
  uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
  uint32_t ax = x & 0x7FFFFFFFu;
  if (ax > 0x7F800000u) return (uint16_t)(sign | 0x7E00u);
  int e = (int)(ax >> 23) - 127;
  uint32_t mant = ax & 0x7FFFFFu;
  if (e >= 16) return (uint16_t)(sign | 0x7C00u); /* |f| >= 65536 (or inf): infinity */
  if (e >= -14) {                                  /* normal half: keep 10 of 23 mantissa bits */
    uint32_t q = ((uint32_t)(e + 15) << 10) | (mant >> 13), rem = mant & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (q & 1u))) q++; /* a carry may reach infinity: right */
    return (uint16_t)(sign | q);
  }
  /* subnormal half: q = round(|f| / 2^-24) = round(m * 2^(e + 1)), m with its hidden bit */
  int shift = -(e + 1);
  if (shift > 24) return sign; /* |f| < 2^-25: rounds to zero */
  uint32_t m = mant | 0x800000u, q = m >> shift, rem = m & ((1u << shift) - 1u),
           half = 1u << (shift - 1);
  if (rem > half || (rem == half && (q & 1u))) q++;
  return (uint16_t)(sign | q);
}

/* ---- base64 float32 (spec "values", golden arrays) ------------------------------------------ */

static int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* The little-endian float32 values of base64 text s (len chars): a malloc'd array and its count,
 * or NULL when s is not base64 of a whole number of floats. */
static float *decode_f32(const char *s, size_t len, size_t *count) {
  if (len % 4) return NULL;
  size_t pad = (len && s[len - 1] == '=') + (len > 1 && s[len - 2] == '=');
  size_t bytes = len / 4 * 3 - pad;
  if (bytes % 4) return NULL;
  size_t n = bytes / 4;
  uint8_t *raw = malloc(len / 4 * 3 + 1);
  float *vals = malloc(n ? n * sizeof *vals : 1);
  int ok = raw && vals;
  for (size_t i = 0, o = 0; ok && i < len; i += 4) {
    uint32_t acc = 0;
    for (int k = 0; k < 4; k++) {
      int v = s[i + k] == '=' && i + 4 == len && k >= 4 - (int)pad ? 0 : b64_value(s[i + k]);
      if (v < 0) ok = 0;
      acc = acc << 6 | (uint32_t)(v < 0 ? 0 : v);
    }
    raw[o++] = (uint8_t)(acc >> 16);
    raw[o++] = (uint8_t)(acc >> 8);
    raw[o++] = (uint8_t)acc;
  }
  for (size_t i = 0; ok && i < n; i++) {
    uint32_t u = (uint32_t)raw[4 * i] | (uint32_t)raw[4 * i + 1] << 8 |
                 (uint32_t)raw[4 * i + 2] << 16 | (uint32_t)raw[4 * i + 3] << 24;
    memcpy(&vals[i], &u, sizeof u);
  }
  free(raw);
  if (!ok) {
    free(vals);
    return NULL;
  }
  *count = n;
  return vals;
}

/* ---- the safetensors file -------------------------------------------------------------------- */

typedef struct entry {
  const char *name;     /* in the spec (what the values hash) */
  const char *out_name; /* in the file (prefix stripped or not) */
  int64_t shape[8];
  size_t rank, count;
  float amp, offset;
  float *values; /* the spec's own "values" (trained heads), malloc'd; NULL: the hash scheme */
} entry;

static void free_entries(entry *es, size_t n) {
  for (size_t i = 0; es && i < n; i++) free(es[i].values);
  free(es);
}

static int by_out_name(const void *a, const void *b) {
  return strcmp(((const entry *)a)->out_name, ((const entry *)b)->out_name);
}

typedef struct text_buf {
  char *p;
  size_t len, cap;
} text_buf;

static int append(text_buf *t, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) return 0;
    if (t->p && t->len + (size_t)n < t->cap) {
      t->len += (size_t)n;
      return 1;
    }
    size_t cap = (t->cap ? t->cap * 2 : 4096) + (size_t)n;
    char *p = realloc(t->p, cap);
    if (!p) return 0;
    t->p = p;
    t->cap = cap;
  }
}

static int safe_name(const char *s) {
  if (!*s) return 0;
  for (; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

/* Reads the spec's tensors into entries (names borrowed from doc). */
static int read_spec(const char *path, const tetra_json *root, const char *prefix, int strip,
                     entry **out, size_t *n_out) {
  const tetra_json *tensors = tetra_json_get(root, "tensors");
  CHECK(tensors && tensors->type == TETRA_JSON_ARRAY && tensors->len > 0,
        "%s: \"tensors\" must be a non-empty array", path);
  if (!tensors || tensors->type != TETRA_JSON_ARRAY || tensors->len == 0) return 0;
  entry *es = calloc(tensors->len, sizeof *es);
  if (!es) return 0;
  size_t plen = strlen(prefix);
  for (size_t i = 0; i < tensors->len; i++) {
    const tetra_json *t = tetra_json_at(tensors, i);
    const tetra_json *name = tetra_json_get(t, "name"), *shape = tetra_json_get(t, "shape");
    const tetra_json *amp = tetra_json_get(t, "amp"), *offset = tetra_json_get(t, "offset");
    const tetra_json *values = tetra_json_get(t, "values");
    int ok = name && name->type == TETRA_JSON_STRING && safe_name(name->u.string) && shape &&
             shape->type == TETRA_JSON_ARRAY && shape->len <= 8 &&
             (values ? values->type == TETRA_JSON_STRING
                     : amp && amp->type == TETRA_JSON_NUMBER && offset &&
                           offset->type == TETRA_JSON_NUMBER);
    CHECK(ok, "%s: tensors[%zu]: needs name (letters, digits, . _ -), shape (rank <= 8), and amp "
          "and offset or values (base64 float32)", path, i);
    if (!ok) goto fail;
    entry *e = &es[i];
    e->name = name->u.string;
    e->out_name = (strip && plen && strncmp(e->name, prefix, plen) == 0) ? e->name + plen : e->name;
    e->rank = shape->len;
    e->count = 1;
    for (size_t d = 0; d < shape->len; d++) {
      const tetra_json *dim = tetra_json_at(shape, d);
      ok = dim->type == TETRA_JSON_NUMBER && (dim->flags & TETRA_JSON_INTEGER) &&
           dim->u.number >= 0 && dim->u.number <= 4294967295.0;
      CHECK(ok, "%s: tensors[%zu] (%s): shape[%zu] is not a dimension", path, i, e->name, d);
      if (!ok) goto fail;
      e->shape[d] = (int64_t)dim->u.number;
      e->count *= (size_t)e->shape[d];
    }
    CHECK(e->count <= 0xFFFFFFFFu, "%s: %s: too many elements", path, e->name);
    if (e->count > 0xFFFFFFFFu) goto fail;
    if (values) {
      size_t n = 0;
      e->values = decode_f32(values->u.string, values->len, &n);
      ok = e->values && n == e->count;
      CHECK(ok, "%s: tensors[%zu] (%s): \"values\" must be base64 float32, %zu values", path, i,
            e->name, e->count);
      if (!ok) goto fail;
    } else {
      e->amp = (float)amp->u.number;
      e->offset = (float)offset->u.number;
    }
  }
  *out = es;
  *n_out = tensors->len;
  return 1;
fail:
  free_entries(es, tensors->len);
  return 0;
}

static int build(const char *path, const tetra_json *root, const char *dtype, int strip,
                 uint8_t **out, size_t *out_len) {
  const tetra_json *seed_v = tetra_json_get(root, "seed"), *dtype_v = tetra_json_get(root, "dtype");
  const tetra_json *prefix_v = tetra_json_get(root, "prefix");
  int ok = seed_v && seed_v->type == TETRA_JSON_NUMBER && (seed_v->flags & TETRA_JSON_INTEGER) &&
           seed_v->u.number >= 0 && seed_v->u.number <= 4294967295.0;
  CHECK(ok, "%s: \"seed\" must be an integer in [0, 2^32)", path);
  if (!ok) return 0;
  uint32_t seed = (uint32_t)seed_v->u.number;
  if (!dtype) dtype = dtype_v && dtype_v->type == TETRA_JSON_STRING ? dtype_v->u.string : "F32";
  size_t esize = strcmp(dtype, "F32") == 0 ? 4 : (strcmp(dtype, "F16") == 0 ||
                                                   strcmp(dtype, "BF16") == 0) ? 2 : 0;
  CHECK(esize != 0, "%s: dtype %s: not F32, F16 or BF16", path, dtype);
  if (!esize) return 0;
  const char *prefix = prefix_v && prefix_v->type == TETRA_JSON_STRING ? prefix_v->u.string : "";

  entry *es = NULL;
  size_t n = 0;
  if (!read_spec(path, root, prefix, strip, &es, &n)) return 0;
  qsort(es, n, sizeof *es, by_out_name);
  for (size_t i = 1; i < n; i++) {
    ok = strcmp(es[i - 1].out_name, es[i].out_name) != 0;
    CHECK(ok, "%s: tensor name %s appears twice", path, es[i].out_name);
    if (!ok) {
      free_entries(es, n);
      return 0;
    }
  }

  text_buf h = {0};
  size_t pos = 0;
  ok = append(&h, "{\"__metadata__\":{\"format\":\"pt\"}");
  for (size_t i = 0; ok && i < n; i++) {
    ok = append(&h, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", es[i].out_name, dtype);
    for (size_t d = 0; ok && d < es[i].rank; d++)
      ok = append(&h, d ? ",%lld" : "%lld", (long long)es[i].shape[d]);
    size_t bytes = es[i].count * esize;
    ok = ok && append(&h, "],\"data_offsets\":[%zu,%zu]}", pos, pos + bytes);
    pos += bytes;
  }
  ok = ok && append(&h, "}");
  while (ok && h.len % 8) ok = append(&h, " ");
  uint8_t *file = ok ? malloc(8 + h.len + pos) : NULL;
  CHECK(file != NULL, "%s: out of memory for %zu bytes", path, 8 + h.len + pos);
  if (!file) {
    free(h.p);
    free_entries(es, n);
    return 0;
  }
  uint64_t hlen = h.len;
  for (int b = 0; b < 8; b++) file[b] = (uint8_t)(hlen >> (8 * b));
  memcpy(file + 8, h.p, h.len);
  uint8_t *p = file + 8 + h.len;
  const uint16_t one = 1;
  const int little = *(const uint8_t *)&one == 1;
  for (size_t i = 0; i < n; i++) {
    uint32_t base = fnv1a32(es[i].name) ^ seed;
    float scale = es[i].amp / 8388608.0f;
    if (es[i].values) { /* stored values: as they are (F32) or rounded to F16 / BF16 */
      for (size_t k = 0; k < es[i].count; k++) {
        float v = es[i].values[k];
        uint32_t u = esize == 4 ? bits_of(v) : dtype[0] == 'F' ? nn_weights_f16(v) : nn_weights_bf16(v);
        for (size_t b = 0; b < esize; b++) *p++ = (uint8_t)(u >> (8 * b));
      }
      continue;
    }
    if (esize == 4 && little) { /* the common case, kept lean: MiniLM has 22.7M elements */
      for (size_t k = 0; k < es[i].count; k++, p += 4) {
        float v = element(base, (uint32_t)k, scale, es[i].offset);
        memcpy(p, &v, 4);
      }
      continue;
    }
    for (size_t k = 0; k < es[i].count; k++) {
      float v = element(base, (uint32_t)k, scale, es[i].offset);
      uint32_t u = esize == 4 ? bits_of(v)
                   : dtype[0] == 'F' ? nn_weights_f16(v) : nn_weights_bf16(v);
      for (size_t b = 0; b < esize; b++) *p++ = (uint8_t)(u >> (8 * b)); /* little-endian */
    }
  }
  free(h.p);
  free_entries(es, n);
  *out = file;
  *out_len = 8 + (size_t)hlen + pos;
  return 1;
}

int nn_weights_build(const char *spec_path, const char *dtype, int strip_prefix, uint8_t **out,
                     size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  const char *path = spec_path[0] == '/' ? spec_path : harness_path(spec_path);
  size_t len;
  char *text = harness_read_file(path, &len);
  CHECK(text != NULL, "cannot read %s", spec_path);
  if (!text) return 0;
  tetra_json_doc *doc = NULL;
  tetra_error err;
  int ok = tetra_json_parse(text, len, NULL, NULL, &doc, &err) == TETRA_OK;
  free(text);
  CHECK(ok, "%s: %s", spec_path, err.message);
  if (!ok) return 0;
  ok = build(spec_path, tetra_json_root(doc), dtype, strip_prefix, out, out_len);
  tetra_json_free(doc);
  return ok;
}

/* ---- golden arrays --------------------------------------------------------------------------- */

float *nn_golden_array(const tetra_json *value, size_t *count, size_t shape[4], size_t *rank) {
  const tetra_json *shape_v = tetra_json_get(value, "shape"), *data = tetra_json_get(value, "f32");
  int ok = shape_v && shape_v->type == TETRA_JSON_ARRAY && shape_v->len <= 4 && data &&
           data->type == TETRA_JSON_STRING && data->len % 4 == 0;
  CHECK(ok, "golden array: needs \"shape\" (rank <= 4) and \"f32\" (base64)");
  if (!ok) return NULL;
  size_t n = 1;
  for (size_t d = 0; d < shape_v->len; d++) {
    const tetra_json *dim = tetra_json_at(shape_v, d);
    ok = dim->type == TETRA_JSON_NUMBER && dim->u.number >= 0 && dim->u.number < 1e9;
    CHECK(ok, "golden array: shape[%zu] is not a dimension", d);
    if (!ok) return NULL;
    n *= (size_t)dim->u.number;
    if (shape) shape[d] = (size_t)dim->u.number;
  }
  if (rank) *rank = shape_v->len;
  size_t got = 0;
  float *vals = decode_f32(data->u.string, data->len, &got);
  CHECK(vals && got == n, "golden array: %s for %zu values", vals ? "wrong number of bytes" : "bad base64", n);
  if (!vals || got != n) {
    free(vals);
    return NULL;
  }
  *count = n;
  return vals;
}
