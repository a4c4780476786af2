#!/usr/bin/env bash
# Installs what tetra's build and tests need on a Debian machine, and nothing that is present.
# As root it uses apt-get; otherwise it prints the exact command to run and stops.
#   tools/setup.sh [build|test|bench]   (default: test)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose="${1:-test}"

# command -> Debian package
declare -A need=(
  [cmake]=cmake [gcc]=gcc [make]=make [emcc]=emscripten
)
if [ "$purpose" = test ] || [ "$purpose" = bench ]; then
  need[chromium]=chromium
fi
if [ "$purpose" = test ]; then
  need[bzip2]=bzip2 # unpacks Unicode's NormalizationTest.txt for test_text_unicode
fi
if [ "$purpose" = bench ]; then
  need[python3-xgboost]=python3-xgboost
  need[python3-onnx]=python3-onnx
  need[python3-torch]=python3-torch # bench/make_encoder_onnx.py: torch.onnx.export of the encoder
fi

missing=()
# header-only libraries: path -> Debian package
[ -f /usr/include/simde/wasm/simd128.h ] || missing+=(libsimde-dev)
if [ "$purpose" = test ]; then # Unicode's conformance files for test_text_unicode
  [ -f /usr/share/unicode/NormalizationTest.txt.bz2 ] || missing+=(unicode-data)
fi
for cmd in "${!need[@]}"; do
  case "$cmd" in
    python3-*) /usr/bin/python3 -c "import ${cmd#python3-}" 2>/dev/null || missing+=("${need[$cmd]}") ;;
    *) command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}") ;;
  esac
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "tetra setup: installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "tetra setup: missing ${missing[*]}." >&2
    echo "Install them with:  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "tetra setup: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# npm devDependencies (playwright-core drives Debian's chromium); --ignore-scripts because
# install scripts that download binaries cannot work offline.
if [ "$purpose" != build ]; then
  if ! npm ls --depth=0 >/dev/null 2>&1; then
    echo "tetra setup: npm install --ignore-scripts" >&2
    npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2
  fi
fi
