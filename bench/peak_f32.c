/* Peak f32 SIMD128 multiply-add rate of this machine, as V8 runs wasm: the practical ceiling
 * that bench/gemm.mjs compares tetra's f32 GEMM against.
 *
 * wasm SIMD128 has no fused multiply-add, so "a multiply-add" is one f32x4.mul followed by one
 * f32x4.add: 8 flops per pair of instructions (2 per lane). Each function below keeps many
 * independent accumulator chains in v128 registers so that the loop is bound by the CPU's
 * multiply and add throughput, not by their latency. Three shapes of chain, because which one
 * a given CPU and V8 run fastest differs:
 *   peak_chain_N:  acc_i = acc_i * x + y        (mul and add on each chain, no memory)
 *   peak_stream_N: acc_i = acc_i + load_i * y   (a GEMM-like step: the product is off the
 *                                                 chain; the operand comes from L1)
 *   peak_pair_N:   u_i = u_i * x; acc_i = acc_i + u_i   (N pairs of separate mul and add
 *                                                 chains, each one latency long, x = -1)
 * N is the number of chains. V8 on x86-64 gives wasm 15 usable xmm registers (xmm15 is its
 * scratch), so no variant keeps more than 15 values live (12 accumulators + x + y; 7 pairs + x);
 * more would spill to the stack. (V8 issues all loads of an iteration before the arithmetic,
 * so the stream variants need N more registers for the loaded values and do spill: they show
 * what a GEMM loop that is careless with registers gets.) The benchmark reports the best.
 *
 * Built by bench/gemm.mjs with emcc -O3 -msimd128 --no-entry -sSTANDALONE_WASM into bench/out/.
 * Compiled without -ffast-math: clang may not reassociate or fuse these operations. */
#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

/* The operands are chosen so that the values stay normal (no subnormal slow path) and finite:
 * acc * x + y with x < 1 converges to y / (1 - x). */
#define CHAIN_BODY(N)                                                        \
  v128_t acc[N];                                                             \
  for (int i = 0; i < N; i++) acc[i] = wasm_f32x4_splat(1.0f + 0.001f * (float)i); \
  const v128_t x = wasm_f32x4_splat(x_scalar);                               \
  const v128_t y = wasm_f32x4_splat(y_scalar);                               \
  for (int32_t it = 0; it < iters; it++) {                                   \
    _Pragma("clang loop unroll(full)") for (int i = 0; i < N; i++)           \
      acc[i] = wasm_f32x4_add(wasm_f32x4_mul(acc[i], x), y);                 \
  }                                                                          \
  v128_t s = acc[0];                                                         \
  for (int i = 1; i < N; i++) s = wasm_f32x4_add(s, acc[i]);                 \
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 3);

#define STREAM_BODY(N)                                                       \
  v128_t acc[N];                                                             \
  for (int i = 0; i < N; i++) acc[i] = wasm_f32x4_splat(0.0f);               \
  const v128_t y = wasm_f32x4_splat(y_scalar);                               \
  for (int32_t it = 0; it < iters; it++) {                                   \
    /* 64 rows of N vectors (at most 12 KB): L1-resident, varying so nothing is hoisted */ \
    const float *p = buf + (size_t)(it & 63) * (N) * 4;                      \
    _Pragma("clang loop unroll(full)") for (int i = 0; i < N; i++)           \
      acc[i] = wasm_f32x4_add(acc[i], wasm_f32x4_mul(wasm_v128_load(p + 4 * i), y)); \
  }                                                                          \
  v128_t s = acc[0];                                                         \
  for (int i = 1; i < N; i++) s = wasm_f32x4_add(s, acc[i]);                 \
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 3);

/* u alternates sign exactly (x = -1 at run time, which clang cannot know), so acc stays
 * bounded and nothing becomes subnormal however long the loop runs. */
#define PAIR_BODY(N)                                                         \
  v128_t acc[N], u[N];                                                       \
  for (int i = 0; i < N; i++) {                                              \
    acc[i] = wasm_f32x4_splat(0.0f);                                         \
    u[i] = wasm_f32x4_splat(1.0f + 0.25f * (float)i);                        \
  }                                                                          \
  const v128_t x = wasm_f32x4_splat(x_scalar);                               \
  for (int32_t it = 0; it < iters; it++) {                                   \
    _Pragma("clang loop unroll(full)") for (int i = 0; i < N; i++) {         \
      u[i] = wasm_f32x4_mul(u[i], x);                                        \
      acc[i] = wasm_f32x4_add(acc[i], u[i]);                                 \
    }                                                                        \
  }                                                                          \
  v128_t s = acc[0];                                                         \
  for (int i = 1; i < N; i++) s = wasm_f32x4_add(s, acc[i]);                 \
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 3) + y_scalar;

/* Each call performs iters * N * 8 flops. */
float peak_chain_8(int32_t iters, float x_scalar, float y_scalar) { CHAIN_BODY(8) }
float peak_chain_10(int32_t iters, float x_scalar, float y_scalar) { CHAIN_BODY(10) }
float peak_chain_12(int32_t iters, float x_scalar, float y_scalar) { CHAIN_BODY(12) }
float peak_pair_6(int32_t iters, float x_scalar, float y_scalar) { PAIR_BODY(6) }
float peak_pair_7(int32_t iters, float x_scalar, float y_scalar) { PAIR_BODY(7) }
float peak_stream_8(int32_t iters, const float *buf, float y_scalar) { STREAM_BODY(8) }
float peak_stream_10(int32_t iters, const float *buf, float y_scalar) { STREAM_BODY(10) }
float peak_stream_12(int32_t iters, const float *buf, float y_scalar) { STREAM_BODY(12) }

/* 64 rows x 12 vectors: the largest stream variant's working set, owned by the module so the
 * benchmark needs no allocator. */
static float stream_buffer[64 * 12 * 4];

float *peak_buffer(void) {
  for (int i = 0; i < 64 * 12 * 4; i++) stream_buffer[i] = 1.0f + (float)(i % 7) * 0.125f;
  return stream_buffer;
}
