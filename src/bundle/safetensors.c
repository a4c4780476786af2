/* safetensors: Hugging Face's tensor container, read in place and written.
 *
 * Layout: 8 bytes little-endian u64 N, N bytes of JSON header (starting with '{', possibly padded
 * with trailing spaces), then the data buffer. The header maps each tensor name to
 * {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data buffer), plus an
 * optional "__metadata__" object of string values.
 *
 * Reading checks what the reference implementation (huggingface/safetensors, Metadata::validate)
 * checks, so that a file tetra accepts is one every other reader accepts too: the header length
 * fits the file and a 100 MB limit; every dtype is known; shape * dtype size equals the byte range
 * without overflowing size_t; and the ranges, taken in offset order, tile the data buffer exactly:
 * the first starts at 0, each starts where the previous ended (no overlap, no hole), the last ends
 * at the end of the file. Errors name the tensor and the field at fault.
 *
 * Tensors are listed in file (data offset) order; lookups by name go through a sorted index. The
 * JSON document stays alive as long as the tetra_safetensors: names, dtypes and metadata point
 * into it. Data is little-endian as the format requires; tetra's targets (wasm, x86-64) are too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetra/bundle.h"

/* The reference reader refuses larger headers; so do we (and the JSON offsets stay 32-bit). */
#define HEADER_LIMIT ((uint64_t)100000000)
/* Integers a JSON number (a double) represents exactly. */
#define EXACT_INT_LIMIT 9007199254740992.0 /* 2^53 */

typedef struct dtype_entry {
  const char *name;
  size_t size;
  int tetra; /* tetra_dtype, or -1 when tetra cannot make tensors of it */
} dtype_entry;

/* Every dtype the format defines with a whole number of bytes per element. Sub-byte types (F4,
 * F6_*) pack several elements per byte and are reported as unsupported. */
static const dtype_entry DTYPES[] = {
    {"BOOL", 1, -1},     {"U8", 1, -1},       {"I8", 1, TETRA_I8},   {"F8_E5M2", 1, -1},
    {"F8_E4M3", 1, -1},  {"F8_E8M0", 1, -1},  {"I16", 2, -1},        {"U16", 2, -1},
    {"F16", 2, TETRA_F16}, {"BF16", 2, TETRA_BF16}, {"I32", 4, TETRA_I32}, {"U32", 4, -1},
    {"F32", 4, TETRA_F32}, {"F64", 8, -1},    {"I64", 8, TETRA_I64}, {"U64", 8, -1},
    {"C64", 8, -1},
};
#define N_DTYPES (sizeof DTYPES / sizeof DTYPES[0])

static const dtype_entry *dtype_lookup(const char *name) {
  for (size_t i = 0; i < N_DTYPES; i++)
    if (strcmp(DTYPES[i].name, name) == 0) return &DTYPES[i];
  return NULL;
}

static const char *dtype_file_name(tetra_dtype dtype) {
  for (size_t i = 0; i < N_DTYPES; i++)
    if (DTYPES[i].tetra == (int)dtype) return DTYPES[i].name;
  return NULL;
}

/* One tensor as validated: its public info plus where its bytes lie in the data buffer. */
typedef struct st_entry {
  tetra_safetensors_info info;
  size_t begin, end; /* data_offsets, relative to the data buffer */
  size_t order;      /* position in the header, to keep the sort stable */
  int tetra_dtype;   /* -1: not loadable as a tetra tensor */
} st_entry;

struct tetra_safetensors {
  const tetra_allocator *allocator;
  const uint8_t *bytes;
  size_t len;
  tetra_json_doc *doc;
  const tetra_json *metadata; /* the __metadata__ object, or NULL */
  size_t count;
  st_entry *entries;        /* in data offset order */
  const st_entry **by_name; /* sorted by strcmp of the name */
};

/* ---- reading ---------------------------------------------------------------------------------- */

static uint64_t read_u64_le(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/* A non-negative integer JSON number below 2^53 (exact as a double), as uint64. */
static int json_uint(const tetra_json *v, uint64_t *out) {
  if (v->type != TETRA_JSON_NUMBER || !(v->flags & TETRA_JSON_INTEGER)) return 0;
  double d = v->u.number;
  if (!(d >= 0.0 && d < EXACT_INT_LIMIT)) return 0;
  *out = (uint64_t)d;
  return 1;
}

static const char *json_type(const tetra_json *v) {
  return tetra_json_type_name((tetra_json_type)v->type);
}

static tetra_status check_metadata(const tetra_json *meta, tetra_error *err) {
  if (meta->type == TETRA_JSON_NULL) return TETRA_OK; /* the reference reads null as "none" */
  if (meta->type != TETRA_JSON_OBJECT)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: __metadata__ should be an object of strings, not %s",
                           json_type(meta));
  for (uint32_t i = 0; i < meta->len; i++) {
    const tetra_json *k = &meta->u.items[2 * i], *v = &meta->u.items[2 * i + 1];
    if (v->type != TETRA_JSON_STRING)
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "safetensors: __metadata__[\"%.100s\"] should be a string, not %s",
                             k->u.string, json_type(v));
  }
  return TETRA_OK;
}

/* Validates one tensor's header entry (everything but its place among the others). */
static tetra_status parse_entry(const tetra_json *key, const tetra_json *value, size_t data_len,
                                st_entry *e, tetra_error *err) {
  const char *name = key->u.string;
  if (strlen(name) != key->len)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: tensor \"%.100s\": the name contains a NUL character", name);
  if (value->type != TETRA_JSON_OBJECT)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: tensor \"%.100s\": should be an object, not %s", name,
                           json_type(value));
  const tetra_json *dtype = tetra_json_get(value, "dtype");
  const tetra_json *shape = tetra_json_get(value, "shape");
  const tetra_json *offsets = tetra_json_get(value, "data_offsets");
  if (!dtype || !shape || !offsets)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "safetensors: tensor \"%.100s\": missing field \"%s\"",
                           name, !dtype ? "dtype" : !shape ? "shape" : "data_offsets");
  if (dtype->type != TETRA_JSON_STRING)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: tensor \"%.100s\": dtype should be a string, not %s", name,
                           json_type(dtype));
  const dtype_entry *dt = dtype_lookup(dtype->u.string);
  if (!dt)
    return tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                           "safetensors: tensor \"%.100s\": unknown dtype \"%.40s\"", name,
                           dtype->u.string);
  if (shape->type != TETRA_JSON_ARRAY)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: tensor \"%.100s\": shape should be an array, not %s", name,
                           json_type(shape));
  if (shape->len > TETRA_MAX_RANK)
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "safetensors: tensor \"%.100s\": shape has %u dimensions, more than %d",
                           name, (unsigned)shape->len, TETRA_MAX_RANK);
  memset(e, 0, sizeof *e);
  e->info.name = name;
  e->info.dtype = dt->name;
  e->info.rank = shape->len;
  e->tetra_dtype = dt->tetra;
  /* numel * size, refusing anything that overflows size_t (32 bits in wasm). A zero dimension
   * makes the tensor empty whatever the others say, so it is looked for first. */
  int empty = 0;
  for (uint32_t i = 0; i < shape->len; i++) {
    uint64_t d;
    if (!json_uint(&shape->u.items[i], &d))
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "safetensors: tensor \"%.100s\": shape[%u] is not a non-negative "
                             "integer below 2^53",
                             name, (unsigned)i);
    e->info.shape[i] = (int64_t)d;
    empty |= d == 0;
  }
  size_t bytes = dt->size;
  for (uint32_t i = 0; i < shape->len && !empty; i++) {
    uint64_t d = (uint64_t)e->info.shape[i];
    if (d > SIZE_MAX || bytes > SIZE_MAX / (size_t)d)
      return tetra_error_set(err, TETRA_ERR_LIMIT,
                             "safetensors: tensor \"%.100s\": shape (dimension %u = %llu) times "
                             "the %s size overflows the address space",
                             name, (unsigned)i, (unsigned long long)d, dt->name);
    bytes *= (size_t)d;
  }
  if (empty) bytes = 0;
  uint64_t begin, end;
  if (offsets->type != TETRA_JSON_ARRAY || offsets->len != 2 ||
      !json_uint(&offsets->u.items[0], &begin) || !json_uint(&offsets->u.items[1], &end))
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: tensor \"%.100s\": data_offsets should be [begin, end], "
                           "two non-negative integers",
                           name);
  if (end < begin)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: tensor \"%.100s\": data_offsets [%llu, %llu] end before "
                           "they begin",
                           name, (unsigned long long)begin, (unsigned long long)end);
  if (end > data_len)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: tensor \"%.100s\": data_offsets [%llu, %llu] run past the "
                           "end of the data (%zu bytes)",
                           name, (unsigned long long)begin, (unsigned long long)end, data_len);
  if (end - begin != bytes) {
    char s[160];
    size_t n = (size_t)snprintf(s, sizeof s, "[");
    for (size_t i = 0; i < e->info.rank && n < sizeof s; i++)
      n += (size_t)snprintf(s + n, sizeof s - n, "%s%lld", i ? ", " : "", (long long)e->info.shape[i]);
    if (n < sizeof s) snprintf(s + n, sizeof s - n, "]");
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: tensor \"%.100s\": shape %s of %s needs %zu bytes, "
                           "data_offsets [%llu, %llu] hold %llu",
                           name, s, dt->name, bytes, (unsigned long long)begin,
                           (unsigned long long)end, (unsigned long long)(end - begin));
  }
  e->begin = (size_t)begin;
  e->end = (size_t)end;
  e->info.bytes = bytes;
  return TETRA_OK;
}

static int by_offset(const void *pa, const void *pb) {
  const st_entry *a = pa, *b = pb;
  if (a->begin != b->begin) return a->begin < b->begin ? -1 : 1;
  if (a->end != b->end) return a->end < b->end ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

static int by_name(const void *pa, const void *pb) {
  const st_entry *a = *(const st_entry *const *)pa, *b = *(const st_entry *const *)pb;
  return strcmp(a->info.name, b->info.name);
}

/* The ranges in offset order must tile [0, data_len) exactly, as the format requires. */
static tetra_status check_layout(const st_entry *e, size_t n, size_t data_len, tetra_error *err) {
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    if (e[i].begin < at)
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "safetensors: tensor \"%.100s\": data_offsets [%zu, %zu] overlap "
                             "tensor \"%.100s\" (which ends at %zu)",
                             e[i].info.name, e[i].begin, e[i].end, e[i - 1].info.name, at);
    if (e[i].begin > at)
      return tetra_error_set(err, TETRA_ERR_FORMAT,
                             "safetensors: tensor \"%.100s\": data_offsets [%zu, %zu] leave a hole "
                             "of %zu bytes at data offset %zu",
                             e[i].info.name, e[i].begin, e[i].end, e[i].begin - at, at);
    at = e[i].end;
  }
  if (at != data_len)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: the tensors cover %zu of the %zu data bytes (%zu bytes "
                           "after the last tensor belong to none)",
                           at, data_len, data_len - at);
  return TETRA_OK;
}

tetra_status tetra_safetensors_open(const void *bytes, size_t len, const tetra_allocator *allocator,
                                    tetra_safetensors **out, tetra_error *err) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "safetensors: out is NULL");
  *out = NULL;
  if (!bytes && len)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "safetensors: bytes is NULL");
  if (!allocator) allocator = tetra_allocator_default();
  const uint8_t *p = bytes;
  if (len < 8)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: the file is %zu bytes, too short for the 8-byte header "
                           "length",
                           len);
  uint64_t n = read_u64_le(p);
  if (n > HEADER_LIMIT)
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "safetensors: header length %llu exceeds the limit of %llu bytes",
                           (unsigned long long)n, (unsigned long long)HEADER_LIMIT);
  if (n > len - 8)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: header length %llu runs past the end of the file (%zu "
                           "bytes after the length field)",
                           (unsigned long long)n, len - 8);
  if (n == 0 || p[8] != '{')
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "safetensors: the header (byte 8) should start with '{'");
  const size_t data_start = 8 + (size_t)n, data_len = len - data_start;

  tetra_safetensors *st = tetra_alloc(allocator, sizeof *st);
  if (!st) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "safetensors: out of memory");
  memset(st, 0, sizeof *st);
  st->allocator = allocator;
  st->bytes = p;
  st->len = len;
  tetra_status s = tetra_json_parse((const char *)p + 8, (size_t)n, NULL, allocator, &st->doc, err);
  if (s) {
    tetra_error_prefix(err, "safetensors: header (JSON from byte 8)");
    goto fail;
  }
  const tetra_json *root = tetra_json_root(st->doc);
  if (root->type != TETRA_JSON_OBJECT) {
    s = tetra_error_set(err, TETRA_ERR_FORMAT, "safetensors: the header should be an object, not %s",
                        json_type(root));
    goto fail;
  }
  size_t count = 0;
  for (uint32_t i = 0; i < root->len; i++) {
    const tetra_json *key = &root->u.items[2 * i];
    if (strcmp(key->u.string, "__metadata__") == 0 && key->len == 12) {
      if ((s = check_metadata(&root->u.items[2 * i + 1], err))) goto fail;
      if (root->u.items[2 * i + 1].type == TETRA_JSON_OBJECT) st->metadata = &root->u.items[2 * i + 1];
    } else {
      count++;
    }
  }
  st->entries = tetra_alloc(allocator, (count ? count : 1) * sizeof *st->entries);
  st->by_name = tetra_alloc(allocator, (count ? count : 1) * sizeof *st->by_name);
  if (!st->entries || !st->by_name) {
    s = tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "safetensors: out of memory for %zu tensors",
                        count);
    goto fail;
  }
  for (uint32_t i = 0; i < root->len; i++) {
    const tetra_json *key = &root->u.items[2 * i];
    if (strcmp(key->u.string, "__metadata__") == 0 && key->len == 12) continue;
    st_entry *e = &st->entries[st->count];
    if ((s = parse_entry(key, &root->u.items[2 * i + 1], data_len, e, err))) goto fail;
    e->order = st->count++;
    e->info.offset = data_start + e->begin;
  }
  qsort(st->entries, st->count, sizeof *st->entries, by_offset);
  if ((s = check_layout(st->entries, st->count, data_len, err))) goto fail;
  for (size_t i = 0; i < st->count; i++) st->by_name[i] = &st->entries[i];
  qsort(st->by_name, st->count, sizeof *st->by_name, by_name);
  *out = st;
  return TETRA_OK;
fail:
  tetra_safetensors_close(st);
  return s;
}

void tetra_safetensors_close(tetra_safetensors *st) {
  if (!st) return;
  tetra_json_free(st->doc);
  tetra_free(st->allocator, st->entries);
  tetra_free(st->allocator, (void *)st->by_name);
  tetra_free(st->allocator, st);
}

size_t tetra_safetensors_count(const tetra_safetensors *st) { return st ? st->count : 0; }

const tetra_safetensors_info *tetra_safetensors_at(const tetra_safetensors *st, size_t index) {
  return st && index < st->count ? &st->entries[index].info : NULL;
}

static const st_entry *find_entry(const tetra_safetensors *st, const char *name) {
  if (!st || !name) return NULL;
  size_t lo = 0, hi = st->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(name, st->by_name[mid]->info.name);
    if (c == 0) return st->by_name[mid];
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return NULL;
}

const tetra_safetensors_info *tetra_safetensors_find(const tetra_safetensors *st, const char *name) {
  const st_entry *e = find_entry(st, name);
  return e ? &e->info : NULL;
}

const char *tetra_safetensors_metadata(const tetra_safetensors *st, const char *key) {
  if (!st || !st->metadata || !key) return NULL;
  const tetra_json *v = tetra_json_get(st->metadata, key);
  return v && v->type == TETRA_JSON_STRING ? v->u.string : NULL;
}

tetra_status tetra_safetensors_tensor(const tetra_safetensors *st, const tetra_tensor_ctx *ctx,
                                      const char *name, tetra_tensor **out, tetra_error *err) {
  if (!out) return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "safetensors: out is NULL");
  *out = NULL;
  if (!st || !name)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "safetensors: %s is NULL",
                           st ? "name" : "the file");
  const st_entry *e = find_entry(st, name);
  if (!e)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "safetensors: no tensor named \"%.200s\"",
                           name);
  if (e->tetra_dtype < 0)
    return tetra_error_set(err, TETRA_ERR_UNSUPPORTED,
                           "safetensors: tensor \"%.200s\": dtype %s is not supported (F32, F16, "
                           "BF16, I8, I32 and I64 are)",
                           name, e->info.dtype);
  const tetra_dtype dtype = (tetra_dtype)e->tetra_dtype;
  const uint8_t *data = st->bytes + e->info.offset;
  tetra_status s;
  /* In place when the element type's alignment allows; safetensors does not promise it (the
   * writer pads the header to 8, but a file may order its tensors any way), so otherwise copy. */
  if ((uintptr_t)data % tetra_dtype_size(dtype) == 0)
    s = tetra_tensor_wrap(ctx, dtype, e->info.rank, e->info.shape, (void *)(uintptr_t)data,
                          e->info.bytes, out, err);
  else
    s = tetra_tensor_from_data(ctx, dtype, e->info.rank, e->info.shape, data, e->info.bytes, out,
                               err);
  if (s) tetra_error_prefix(err, "safetensors: tensor \"%.200s\"", name);
  return s;
}

/* ---- writing ---------------------------------------------------------------------------------- */

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF), as the JSON reader wants. */
static int utf8_valid(const char *s) {
  const uint8_t *p = (const uint8_t *)s;
  while (*p) {
    uint32_t c = *p;
    int extra;
    uint32_t min;
    if (c < 0x80) {
      p++;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000, c &= 0x07;
    } else {
      return 0;
    }
    for (int i = 1; i <= extra; i++) {
      if ((p[i] & 0xC0) != 0x80) return 0; /* also stops at the NUL */
      c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    p += extra + 1;
  }
  return 1;
}

/* Output that either counts (buf NULL) or writes: the header is built in two passes. */
typedef struct sink {
  char *buf;
  size_t len;
} sink;

static void put(sink *k, const char *s, size_t n) {
  if (k->buf) memcpy(k->buf + k->len, s, n);
  k->len += n;
}
static void put_cstr(sink *k, const char *s) { put(k, s, strlen(s)); }

static void put_string(sink *k, const char *s) {
  put(k, "\"", 1);
  for (const char *p = s; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      put(k, e, 2);
    } else if (c < 0x20) {
      char e[8];
      snprintf(e, sizeof e, "\\u%04x", c);
      put(k, e, 6);
    } else {
      put(k, p, 1);
    }
  }
  put(k, "\"", 1);
}

static void put_uint(sink *k, unsigned long long v) {
  char b[24];
  int n = snprintf(b, sizeof b, "%llu", v);
  put(k, b, (size_t)n);
}

typedef struct write_item {
  const char *name;
  const tetra_tensor *tensor;
  const char *dtype;
  size_t elem, bytes, begin;
  size_t order;
} write_item;

/* Data order: larger elements first (stable), so that with the header padded to 8 every tensor
 * starts aligned to its element size and readers can use it in place. */
static int by_alignment(const void *pa, const void *pb) {
  const write_item *a = pa, *b = pb;
  if (a->elem != b->elem) return a->elem > b->elem ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

static int by_item_name(const void *pa, const void *pb) {
  const write_item *a = *(const write_item *const *)pa, *b = *(const write_item *const *)pb;
  return strcmp(a->name, b->name);
}

static void build_header(sink *k, const write_item *items, size_t n, const char *const *kv,
                         size_t n_metadata) {
  put(k, "{", 1);
  int first = 1;
  if (n_metadata) {
    put_cstr(k, "\"__metadata__\":{");
    for (size_t i = 0; i < n_metadata; i++) {
      if (i) put(k, ",", 1);
      put_string(k, kv[2 * i]);
      put(k, ":", 1);
      put_string(k, kv[2 * i + 1]);
    }
    put(k, "}", 1);
    first = 0;
  }
  for (size_t i = 0; i < n; i++) {
    const write_item *it = &items[i];
    if (!first) put(k, ",", 1);
    first = 0;
    put_string(k, it->name);
    put_cstr(k, ":{\"dtype\":\"");
    put_cstr(k, it->dtype);
    put_cstr(k, "\",\"shape\":[");
    for (size_t d = 0; d < tetra_tensor_rank(it->tensor); d++) {
      if (d) put(k, ",", 1);
      put_uint(k, (unsigned long long)tetra_tensor_dim(it->tensor, d));
    }
    put_cstr(k, "],\"data_offsets\":[");
    put_uint(k, it->begin);
    put(k, ",", 1);
    put_uint(k, it->begin + it->bytes);
    put_cstr(k, "]}");
  }
  put(k, "}", 1);
}

static tetra_status check_names(write_item *items, size_t n, const char *const *kv, size_t n_meta,
                                const tetra_allocator *allocator, tetra_error *err) {
  for (size_t i = 0; i < n_meta; i++) {
    const char *key = kv[2 * i], *value = kv[2 * i + 1];
    if (!key || !value)
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "safetensors write: metadata[%zu]: %s is NULL", i, key ? "value" : "key");
    if (!utf8_valid(key) || !utf8_valid(value))
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "safetensors write: metadata \"%.100s\": %s is not valid UTF-8", key,
                             utf8_valid(key) ? "the value" : "the key");
    for (size_t j = 0; j < i; j++)
      if (strcmp(kv[2 * j], key) == 0)
        return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                               "safetensors write: metadata key \"%.100s\" appears twice", key);
  }
  for (size_t i = 0; i < n; i++) {
    if (!utf8_valid(items[i].name))
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "safetensors write: entries[%zu]: the name is not valid UTF-8", i);
    if (strcmp(items[i].name, "__metadata__") == 0)
      return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                             "safetensors write: entries[%zu]: \"__metadata__\" is reserved", i);
  }
  if (n < 2) return TETRA_OK;
  const write_item **sorted = tetra_alloc(allocator, n * sizeof *sorted);
  if (!sorted) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "safetensors write: out of memory");
  for (size_t i = 0; i < n; i++) sorted[i] = &items[i];
  qsort(sorted, n, sizeof *sorted, by_item_name);
  tetra_status s = TETRA_OK;
  for (size_t i = 1; i < n && !s; i++)
    if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
      s = tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT,
                          "safetensors write: tensor name \"%.100s\" appears twice", sorted[i]->name);
  tetra_free(allocator, (void *)sorted);
  return s;
}

tetra_status tetra_safetensors_write(const tetra_safetensors_entry *entries, size_t n,
                                     const char *const *metadata_kv, size_t n_metadata,
                                     const tetra_allocator *allocator, uint8_t **out, size_t *out_len,
                                     tetra_error *err) {
  if (!out || !out_len)
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "safetensors write: out is NULL");
  *out = NULL;
  *out_len = 0;
  if ((n && !entries) || (n_metadata && !metadata_kv))
    return tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "safetensors write: %s is NULL",
                           n && !entries ? "entries" : "metadata_kv");
  if (!allocator) allocator = tetra_allocator_default();
  write_item *items = tetra_alloc(allocator, (n ? n : 1) * sizeof *items);
  if (!items) return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY, "safetensors write: out of memory");
  tetra_status s = TETRA_OK;
  for (size_t i = 0; i < n && !s; i++) {
    write_item *it = &items[i];
    memset(it, 0, sizeof *it);
    it->name = entries[i].name;
    it->tensor = entries[i].tensor;
    it->order = i;
    if (!it->name || !it->tensor) {
      s = tetra_error_set(err, TETRA_ERR_INVALID_ARGUMENT, "safetensors write: entries[%zu]: %s is NULL",
                          i, it->name ? "tensor" : "name");
      break;
    }
    tetra_dtype dt = tetra_tensor_dtype(it->tensor);
    it->dtype = dtype_file_name(dt);
    it->elem = tetra_dtype_size(dt);
    if (!it->dtype) {
      s = tetra_error_set(err, TETRA_ERR_UNSUPPORTED, "safetensors write: tensor \"%.100s\": dtype %d",
                          it->name, (int)dt);
      break;
    }
    /* numel is bounded by the tensor module (2^40 elements); on wasm32 the product may still not
     * fit size_t. */
    size_t numel = tetra_tensor_numel(it->tensor);
    if (numel && it->elem > SIZE_MAX / numel) {
      s = tetra_error_set(err, TETRA_ERR_LIMIT, "safetensors write: tensor \"%.100s\" is too large",
                          it->name);
      break;
    }
    it->bytes = numel * it->elem;
  }
  if (!s) s = check_names(items, n, metadata_kv, n_metadata, allocator, err);
  if (s) {
    tetra_free(allocator, items);
    return s;
  }
  qsort(items, n, sizeof *items, by_alignment);
  size_t data_len = 0;
  for (size_t i = 0; i < n; i++) {
    items[i].begin = data_len;
    if (items[i].bytes > SIZE_MAX - data_len) {
      tetra_free(allocator, items);
      return tetra_error_set(err, TETRA_ERR_LIMIT, "safetensors write: the data exceeds the address space");
    }
    data_len += items[i].bytes;
  }
  sink count = {NULL, 0};
  build_header(&count, items, n, metadata_kv, n_metadata);
  const size_t header_len = (count.len + 7) / 8 * 8; /* the data starts at 8 + header_len */
  if (header_len > HEADER_LIMIT || data_len > SIZE_MAX - 8 - header_len) {
    tetra_free(allocator, items);
    return tetra_error_set(err, TETRA_ERR_LIMIT,
                           "safetensors write: the header (%zu bytes) or the data (%zu bytes) is too large",
                           header_len, data_len);
  }
  const size_t total = 8 + header_len + data_len;
  uint8_t *buf = tetra_alloc(allocator, total);
  if (!buf) {
    tetra_free(allocator, items);
    return tetra_error_set(err, TETRA_ERR_OUT_OF_MEMORY,
                           "safetensors write: out of memory allocating %zu bytes", total);
  }
  for (int i = 0; i < 8; i++) buf[i] = (uint8_t)((uint64_t)header_len >> (8 * i));
  sink text = {(char *)buf + 8, 0};
  build_header(&text, items, n, metadata_kv, n_metadata);
  memset(buf + 8 + text.len, ' ', header_len - text.len);
  for (size_t i = 0; i < n && !s; i++)
    s = tetra_tensor_read(items[i].tensor, buf + 8 + header_len + items[i].begin, items[i].bytes, err);
  tetra_free(allocator, items);
  if (s) {
    tetra_free(allocator, buf);
    return s;
  }
  *out = buf;
  *out_len = total;
  return TETRA_OK;
}
