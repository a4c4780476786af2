#!/usr/bin/env bash
# The commands behind `npm start`, `npm test` and `npm run bench`: set up, build, run.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:?usage: tools/run.sh start|test|bench}"
shift || true

case "$what" in
  start)
    bash tools/setup.sh build
    TETRA_SKIP_NATIVE=1 bash tools/build.sh
    exec node tools/main.mjs "$@"
    ;;
  test)
    bash tools/setup.sh test
    TETRA_WASM_TESTS=1 bash tools/build.sh
    echo "== C tests, native (ASan + UBSan) ==" >&2
    (cd build/native && ctest --output-on-failure)
    echo "== C tests, wasm under Node ==" >&2
    (cd build/wasm && ctest --output-on-failure)
    echo "== node and browser tests ==" >&2
    exec node --test --test-concurrency=1 tests/js/ tests/browser/
    ;;
  bench)
    # npm run bench [-- trees|gemm|gemm_i8|kernels|simd_ceiling|tokenizers|encoder|encoder_browser ...]: the named
    # benchmarks (default: all; encoder_browser runs the encoder comparison in headless Chromium)
    bash tools/setup.sh bench
    TETRA_SKIP_NATIVE=1 bash tools/build.sh
    export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs" # emcc, for the bench-only builds
    names=("$@")
    [ "${#names[@]}" -gt 0 ] || names=(trees gemm gemm_i8 kernels simd_ceiling tokenizers encoder encoder_browser)
    for name in "${names[@]}"; do
      echo "== bench/$name.mjs ==" >&2
      node "bench/$name.mjs"
      if [ "$name" = encoder ]; then
        # The same comparison on js/tetra-relaxed.wasm, which Node 20 runs behind a flag (newer
        # Node and Chrome without one).
        echo "== bench/encoder.mjs --simd relaxed ==" >&2
        if node --experimental-wasm-relaxed-simd -e 0 2>/dev/null; then
          node --experimental-wasm-relaxed-simd bench/encoder.mjs --simd relaxed
        else
          node bench/encoder.mjs --simd relaxed
        fi
      fi
    done
    ;;
  *)
    echo "usage: tools/run.sh start|test|bench" >&2
    exit 2
    ;;
esac
