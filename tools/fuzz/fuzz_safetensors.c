/* libFuzzer target: the safetensors reader must accept or refuse any bytes without crashing or
 * reading outside them; an accepted file's tensors must all be listed inside the buffer, found by
 * name, and loadable (or refused by dtype), and writing them back must give a file that opens. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tetra/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tetra_safetensors *st = NULL;
  tetra_error err;
  if (tetra_safetensors_open(data, size, NULL, &st, &err) != TETRA_OK) return 0;
  const tetra_tensor_ctx heap = {NULL, NULL};
  size_t n = tetra_safetensors_count(st);
  tetra_tensor *tensors[64];
  tetra_safetensors_entry entries[64];
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    const tetra_safetensors_info *info = tetra_safetensors_at(st, i);
    if (info->offset > size || info->bytes > size - info->offset) __builtin_trap();
    if (tetra_safetensors_find(st, info->name) != info) __builtin_trap();
    tetra_tensor *t = NULL;
    if (tetra_safetensors_tensor(st, &heap, info->name, &t, &err) != TETRA_OK) continue;
    volatile uint8_t x = 0;
    const uint8_t *p = tetra_tensor_data(t);
    for (size_t k = 0; k < info->bytes; k++) x ^= p[k];
    if (kept < 64) {
      tensors[kept] = t;
      entries[kept].name = info->name;
      entries[kept].tensor = t;
      kept++;
    } else {
      tetra_tensor_free(t);
    }
  }
  (void)tetra_safetensors_metadata(st, "format");
  uint8_t *out = NULL;
  size_t out_len = 0;
  if (tetra_safetensors_write(entries, kept, NULL, 0, NULL, &out, &out_len, &err) == TETRA_OK) {
    tetra_safetensors *again = NULL;
    if (tetra_safetensors_open(out, out_len, NULL, &again, &err) != TETRA_OK) __builtin_trap();
    if (tetra_safetensors_count(again) != kept) __builtin_trap();
    tetra_safetensors_close(again);
    tetra_free(NULL, out);
  }
  for (size_t i = 0; i < kept; i++) tetra_tensor_free(tensors[i]);
  tetra_safetensors_close(st);
  return 0;
}
