#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60),
# seeded with the golden models. Needs Debian clang and libclang-rt-14-dev.
#   tools/fuzz/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
out=build/fuzz
mkdir -p "$out/corpus-json" "$out/corpus-xgboost"
srcs=$(ls src/core/*.c src/trees/*.c)
flags="-g -O1 -std=c11 -Iinclude -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -ffp-contract=off"
for target in json xgboost; do
  clang $flags tools/fuzz/fuzz_$target.c $srcs -lm -o "$out/fuzz_$target"
done
for d in tests/golden/trees/*/; do
  cp "$d/model.json" "$out/corpus-xgboost/$(basename "$d").json"
  cp "$d/meta.json" "$out/corpus-json/$(basename "$d").json"
done
for target in json xgboost; do
  echo "== fuzz_$target for ${seconds}s ==" >&2
  "$out/fuzz_$target" -max_total_time="$seconds" -max_len=400000 -rss_limit_mb=4096 \
    -print_final_stats=1 "$out/corpus-$target" 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Done" || true
done
