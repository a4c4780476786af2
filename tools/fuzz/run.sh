#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60),
# seeded with the golden models. Needs Debian clang and libclang-rt-14-dev.
#   tools/fuzz/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
out=build/fuzz
mkdir -p "$out/corpus-json" "$out/corpus-xgboost" "$out/corpus-safetensors"
srcs=$(ls src/core/*.c src/trees/*.c)
# the safetensors reader makes tensors: the tensor module and its kernels (SIMDe natively) too
st_srcs=$(ls src/core/*.c src/tensor/*.c src/tensor/kernels/*.c src/bundle/*.c)
flags="-g -O1 -std=c11 -Iinclude -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -ffp-contract=off"
for target in json xgboost; do
  clang $flags tools/fuzz/fuzz_$target.c $srcs -lm -o "$out/fuzz_$target"
done
clang $flags -march=x86-64-v2 tools/fuzz/fuzz_safetensors.c $st_srcs -lm -o "$out/fuzz_safetensors"
# seed: a two-tensor file with metadata (a 144-byte header: 8 + 144 keeps the data 8-aligned)
header='{"__metadata__":{"format":"pt"},"b":{"dtype":"I8","shape":[2],"data_offsets":[8,10]},'
header+='"w":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}'
printf '%-144s' "$header" | { printf '\x90\0\0\0\0\0\0\0'; cat; printf '\0\0\x80\x3f\0\0\0\x40\x01\xff'; } \
  > "$out/corpus-safetensors/seed.safetensors"
for d in tests/golden/trees/*/; do
  cp "$d/model.json" "$out/corpus-xgboost/$(basename "$d").json"
  cp "$d/meta.json" "$out/corpus-json/$(basename "$d").json"
done
for target in json xgboost safetensors; do
  echo "== fuzz_$target for ${seconds}s ==" >&2
  "$out/fuzz_$target" -max_total_time="$seconds" -max_len=400000 -rss_limit_mb=4096 \
    -print_final_stats=1 "$out/corpus-$target" 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Done" || true
done
