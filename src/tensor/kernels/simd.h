/* One spelling for SIMD: kernels are written against wasm_simd128.h. Native builds (sanitizers,
 * fast unit tests) get the same intrinsics from SIMDe's portable implementation. */
#ifndef TETRA_SRC_TENSOR_KERNELS_SIMD_H
#define TETRA_SRC_TENSOR_KERNELS_SIMD_H

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#else
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/wasm/simd128.h>
#endif

#endif
