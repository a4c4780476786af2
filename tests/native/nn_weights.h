/* Deterministic test weights for the nn tests: the C twin of tools/golden/nn/nn_weights.py and
 * tests/js/nn_weights.js (the scheme is in tools/golden/nn/README.md). From a spec.json in
 * tests/golden/nn/<model>/ it builds, in memory, the same safetensors file bit for bit as the
 * Python golden generator did (spec.json records its sha256), so no weights are committed. A
 * spec tensor with "values" (base64 of its float32 elements: the goldens' trained classifier
 * heads) takes those instead of the hash scheme's.
 *
 * The file looks like the ones the Rust safetensors library writes: tensors sorted by name,
 * compact JSON header {"__metadata__":{"format":"pt"},"<name>":{"dtype":..,"shape":[..],
 * "data_offsets":[b,e]},...} padded with spaces to a multiple of 8, data without holes. */
#ifndef TETRA_TESTS_NN_WEIGHTS_H
#define TETRA_TESTS_NN_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "tetra/core.h"

/* Builds the safetensors bytes for spec_path (relative to the repository unless it starts with
 * '/'). dtype: "F32", "F16" or "BF16" (round to nearest even), NULL for the spec's own.
 * strip_prefix: drop the spec's "prefix" ("bert.", "roberta.", "distilbert.") from the names
 * that carry it, as a checkpoint saved from the bare model would. Returns 1 and a malloc'd buffer
 * (free() it); 0 after a failed CHECK naming the file and the problem. */
int nn_weights_build(const char *spec_path, const char *dtype, int strip_prefix, uint8_t **out,
                     size_t *out_len);

/* One element of a tensor: the scheme itself (amp a power of two). */
float nn_weights_value(uint32_t seed, const char *name, uint32_t index, float amp, float offset);

/* float32 -> float16 / bfloat16 bits, round to nearest even (as numpy and torch convert). */
uint16_t nn_weights_f16(float f);
uint16_t nn_weights_bf16(float f);

/* A golden array {"shape": [...], "f32": "<base64 of little-endian float32>"} from golden.json:
 * a malloc'd copy of its values (free() it) with their count and, when shape is not NULL, up to 4
 * dimensions and the rank. NULL after a failed CHECK when the value is malformed. */
float *nn_golden_array(const tetra_json *value, size_t *count, size_t shape[4], size_t *rank);

#endif
