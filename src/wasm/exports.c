/* The C ABI that js/ calls. Thin by design: handles are pointers into the wasm heap, errors are
 * caller-owned tetra_error records, and all logic lives in the modules. Functions of the modules
 * that JS calls directly (tetra_trees_predict, tetra_trees_num_features, ...) are exported as
 * they are, by name, from CMakeLists.txt. */
#include <stdlib.h>

#include "tetra/tetra.h"
#include "tensor/kernels/kernels.h"

void *tetra_wasm_alloc(size_t size) { return malloc(size ? size : 1); }
void tetra_wasm_free(void *ptr) { free(ptr); }

tetra_error *tetra_wasm_error_create(void) {
  tetra_error *err = malloc(sizeof *err);
  tetra_error_clear(err);
  return err;
}
void tetra_wasm_error_free(tetra_error *err) { free(err); }
int tetra_wasm_error_code(const tetra_error *err) { return (int)err->code; }
const char *tetra_wasm_error_message(const tetra_error *err) { return err->message; }

const char *tetra_wasm_version(void) { return TETRA_VERSION_STRING; }
/* 1 in js/tetra-relaxed.wasm (fused multiply-adds in the f32 GEMM), 0 in js/tetra.wasm. */
int tetra_wasm_relaxed_simd(void) { return gemm_f32_fused(); }

/* Returns the forest or NULL with err set. */
tetra_forest *tetra_wasm_trees_load_xgboost_json(const char *json, size_t len, tetra_error *err) {
  tetra_forest *forest = NULL;
  tetra_trees_load_xgboost_json(json, len, NULL, &forest, err);
  return forest;
}
