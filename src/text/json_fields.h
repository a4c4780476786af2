/* Readers for the fields of tokenizer.json component objects, shared by the loaders of models,
 * normalizers, pre-tokenizers, post-processors, decoders, truncation/padding and added tokens.
 *
 * Two levels:
 *  - tt_jv_*: test and convert one value, returning 0 when it has the wrong type, for callers that
 *    word their own error (a decoder's "cleanup should be a boolean", a template's "[token, id]");
 *  - tt_json_*: read obj[field] and set "tokenizer.json: <path>.<field>: ..." errors.
 * Every reader writes its output on every path (the default, NULL or 0 on failure), so that chained
 * reads never leave a variable unset. */
#ifndef TETRA_TEXT_JSON_FIELDS_H
#define TETRA_TEXT_JSON_FIELDS_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"

/* "a string", "an object", ...: the type name used in messages. */
const char *tt_json_type_of(const tetra_json *v);

/* A boolean; v absent (NULL) or null gives dflt (serde's Option and #[serde(default)]). */
int tt_jv_bool(const tetra_json *v, int dflt, int *out);
/* A non-negative integer (no fraction or exponent) that fits in 32 bits; v absent (NULL) fails. */
int tt_jv_u32(const tetra_json *v, uint32_t *out);
/* A Rust `char`: a string of exactly one character (valid UTF-8); v absent (NULL) gives dflt. */
int tt_jv_char(const tetra_json *v, uint32_t dflt, uint32_t *out);

/* Optional string: absent or null -> *out = NULL; a string -> *out and *len; else an error. */
tetra_status tt_json_opt_string(const tetra_json *obj, const char *path, const char *field,
                                const char **out, size_t *len, tetra_error *err);
/* Required string (null is an error, as serde's String). */
tetra_status tt_json_req_string(const tetra_json *obj, const char *path, const char *field,
                                const char **out, size_t *len, tetra_error *err);
/* Optional bool: absent or null -> def. */
tetra_status tt_json_opt_bool(const tetra_json *obj, const char *path, const char *field, int def,
                              int *out, tetra_error *err);
/* A non-negative integer (JSON written without fraction or exponent) up to max; *present = 0 when
 * absent or null (present may be NULL only for required fields, which then fail). */
tetra_status tt_json_uint(const tetra_json *obj, const char *path, const char *field, uint64_t max,
                          uint64_t *out, int *present, tetra_error *err);

#endif
