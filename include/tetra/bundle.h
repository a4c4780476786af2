/* tetra bundle: the containers that carry weights. safetensors (Hugging Face's format: an 8-byte
 * little-endian header length, a JSON header naming each tensor's dtype, shape and data_offsets,
 * then the raw little-endian data) is read in place and written for converted models.
 *
 * Reading validates everything before use: header length within the file, JSON well-formed,
 * every tensor's dtype known, shape * dtype size == its byte range, ranges inside the data and
 * not overlapping; errors name the tensor and field at fault. Nothing is copied: tensors wrap the
 * caller's bytes, which must outlive the tetra_safetensors and every tensor taken from it. */
#ifndef TETRA_BUNDLE_H
#define TETRA_BUNDLE_H
#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"
#include "tetra/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tetra_safetensors tetra_safetensors;

typedef struct tetra_safetensors_info {
  const char *name;
  const char *dtype;   /* as written: "F32", "F16", "BF16", "I8", "I32", "I64", "U8", ... */
  size_t rank;
  int64_t shape[TETRA_MAX_RANK];
  size_t offset;       /* of the data, from the start of the file */
  size_t bytes;
} tetra_safetensors_info;

tetra_status tetra_safetensors_open(const void *bytes, size_t len, const tetra_allocator *allocator,
                                    tetra_safetensors **out, tetra_error *err);
void tetra_safetensors_close(tetra_safetensors *st);
size_t tetra_safetensors_count(const tetra_safetensors *st);
/* Tensors in file order; NULL past the end. */
const tetra_safetensors_info *tetra_safetensors_at(const tetra_safetensors *st, size_t index);
const tetra_safetensors_info *tetra_safetensors_find(const tetra_safetensors *st, const char *name);
/* The __metadata__ string value for key, or NULL. */
const char *tetra_safetensors_metadata(const tetra_safetensors *st, const char *key);
/* A tensor over the file's bytes (F32/F16/BF16/I8/I32/I64). When the data is not aligned to its
 * element size (safetensors does not promise alignment), the tensor is an aligned copy instead. */
tetra_status tetra_safetensors_tensor(const tetra_safetensors *st, const tetra_tensor_ctx *ctx,
                                      const char *name, tetra_tensor **out, tetra_error *err);

/* Writing: tensors (contiguous after tetra_tensor_contiguous if needed) with names, plus metadata
 * key/value strings; the result (allocated with allocator, freed with tetra_free) is a valid
 * safetensors file: the header is padded with spaces so the data starts at a multiple of 8 bytes,
 * and tensors follow each other without holes, as the format requires. */
typedef struct tetra_safetensors_entry {
  const char *name;
  const tetra_tensor *tensor;
} tetra_safetensors_entry;
tetra_status tetra_safetensors_write(const tetra_safetensors_entry *entries, size_t n,
                                     const char *const *metadata_kv, size_t n_metadata,
                                     const tetra_allocator *allocator, uint8_t **out, size_t *out_len,
                                     tetra_error *err);

#ifdef __cplusplus
}
#endif
#endif
