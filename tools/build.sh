#!/usr/bin/env bash
# Builds both flavours from the same sources:
#   build/native  gcc, Debug, AddressSanitizer + UndefinedBehaviorSanitizer, with the C tests
#   build/wasm    Emscripten -O3 -msimd128, writes js/tetra.wasm and js/tetra-relaxed.wasm (the
#                 f32 GEMM with relaxed SIMD's fused multiply-adds) and, with TETRA_WASM_TESTS=1,
#                 the same C tests compiled to wasm, which ctest runs under Node
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc 2>/dev/null || echo 2)"

# Quiet on success; the whole log on failure.
quiet() {
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "tetra build: failed: $*" >&2
    exit 1
  fi
  rm -f "$log"
}

if [ "${TETRA_SKIP_NATIVE:-0}" != 1 ]; then
  quiet cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Debug -DTETRA_SANITIZE=ON
  quiet cmake --build build/native -j"$jobs"
fi

# Debian's emscripten needs acorn from the system node modules for its JS step.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
if [ ! -f build/wasm/CMakeCache.txt ]; then
  quiet emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release
fi
quiet cmake --build build/wasm -j"$jobs"
if [ "${TETRA_WASM_TESTS:-0}" = 1 ]; then
  quiet cmake --build build/wasm -j"$jobs" --target wasm_tests
fi
echo "tetra build: js/tetra.wasm $(wc -c <js/tetra.wasm) bytes, js/tetra-relaxed.wasm $(wc -c <js/tetra-relaxed.wasm) bytes; native tests in build/native" >&2
