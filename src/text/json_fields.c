/* Readers for tokenizer.json fields (see json_fields.h). */
#include "text/json_fields.h"

#include "text/tokenizer_impl.h"
#include "text/unicode.h"

const char *tt_json_type_of(const tetra_json *v) {
  return tetra_json_type_name((tetra_json_type)v->type);
}

int tt_jv_bool(const tetra_json *v, int dflt, int *out) {
  *out = dflt;
  if (!v || v->type == TETRA_JSON_NULL) return 1;
  if (v->type != TETRA_JSON_TRUE && v->type != TETRA_JSON_FALSE) return 0;
  *out = v->type == TETRA_JSON_TRUE;
  return 1;
}

int tt_jv_u32(const tetra_json *v, uint32_t *out) {
  *out = 0;
  if (!v || v->type != TETRA_JSON_NUMBER || !(v->flags & TETRA_JSON_INTEGER) || v->u.number < 0 ||
      v->u.number > (double)UINT32_MAX)
    return 0;
  *out = (uint32_t)v->u.number;
  return 1;
}

int tt_jv_char(const tetra_json *v, uint32_t dflt, uint32_t *out) {
  *out = dflt;
  if (!v) return 1;
  if (v->type != TETRA_JSON_STRING || v->len == 0 ||
      tt_utf8_valid_prefix(v->u.string, v->len) != v->len)
    return 0;
  size_t used;
  uint32_t cp = tt_utf8_decode(v->u.string, v->len, &used);
  if (used != v->len) return 0;
  *out = cp;
  return 1;
}

tetra_status tt_json_opt_string(const tetra_json *obj, const char *path, const char *field,
                                const char **out, size_t *len, tetra_error *err) {
  const tetra_json *v = tetra_json_get(obj, field);
  *out = NULL;
  if (len) *len = 0;
  if (!v || v->type == TETRA_JSON_NULL) return TETRA_OK;
  if (v->type != TETRA_JSON_STRING)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.%s: expected a string or null, found %s", path,
                           field, tt_json_type_of(v));
  *out = v->u.string;
  if (len) *len = v->len;
  return TETRA_OK;
}

tetra_status tt_json_req_string(const tetra_json *obj, const char *path, const char *field,
                                const char **out, size_t *len, tetra_error *err) {
  const tetra_json *v = tetra_json_get(obj, field);
  *out = NULL;
  if (len) *len = 0;
  if (!v)
    return tetra_error_set(err, TETRA_ERR_FORMAT, "tokenizer.json: %s: missing field \"%s\"", path,
                           field);
  if (v->type != TETRA_JSON_STRING)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.%s: expected a string, found %s", path, field,
                           tt_json_type_of(v));
  *out = v->u.string;
  if (len) *len = v->len;
  return TETRA_OK;
}

tetra_status tt_json_opt_bool(const tetra_json *obj, const char *path, const char *field, int def,
                              int *out, tetra_error *err) {
  const tetra_json *v = tetra_json_get(obj, field);
  if (tt_jv_bool(v, def, out)) return TETRA_OK;
  return tetra_error_set(err, TETRA_ERR_FORMAT,
                         "tokenizer.json: %s.%s: expected true, false or null, found %s", path,
                         field, tt_json_type_of(v));
}

tetra_status tt_json_uint(const tetra_json *obj, const char *path, const char *field, uint64_t max,
                          uint64_t *out, int *present, tetra_error *err) {
  const tetra_json *v = tetra_json_get(obj, field);
  *out = 0;
  if (present) *present = 0;
  if (!v || (present && v->type == TETRA_JSON_NULL)) {
    if (present) return TETRA_OK;
    return tetra_error_set(err, TETRA_ERR_FORMAT, "tokenizer.json: %s: missing field \"%s\"", path,
                           field);
  }
  if (v->type != TETRA_JSON_NUMBER || !(v->flags & TETRA_JSON_INTEGER) || v->u.number < 0)
    return tetra_error_set(err, TETRA_ERR_FORMAT,
                           "tokenizer.json: %s.%s: expected a non-negative integer, found %s", path,
                           field,
                           v->type == TETRA_JSON_NUMBER ? "another number" : tt_json_type_of(v));
  if (v->u.number > (double)max)
    return tetra_error_set(err, TETRA_ERR_LIMIT, "tokenizer.json: %s.%s: %.0f is larger than %llu",
                           path, field, v->u.number, (unsigned long long)max);
  *out = (uint64_t)v->u.number;
  if (present) *present = 1;
  return TETRA_OK;
}
