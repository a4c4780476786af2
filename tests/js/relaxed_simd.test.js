// The two builds of the core: js/tetra.wasm (SIMD128) and js/tetra-relaxed.wasm (the f32 GEMM's
// multiply-adds fused with relaxed SIMD's f32x4.relaxed_madd; tools/wasm/relax_opcodes.mjs).
// This process runs Node's default engine; the relaxed build is exercised in a child where relaxed
// SIMD is on (Node 20: --experimental-wasm-relaxed-simd), which re-runs this file, the tensor tests
// and the whole transformer suite (PyTorch goldens, int8, bad input) against tetra-relaxed.wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { hasRelaxedSimd, init, simdLevel, Tensor } from '../../js/index.js';
import { ROOT } from './helpers.js';

const IN_CHILD = process.env.TETRA_TEST_SIMD === 'relaxed';
// The child loads the relaxed build as the other files do (init({ simd: process.env.TETRA_TEST_SIMD })).
if (IN_CHILD) await init({ simd: 'relaxed' });

// [-1, 1 + 2^-13] . [1, 1 - 2^-13]: the second product is 1 - 2^-26, which float32 rounds to 1.
// Fused into the running sum (-1) it survives as -2^-26; rounded first, the sum is exactly 0.
const E = 2 ** -13;
function fusedProbe() {
  const a = Tensor.from(new Float32Array([-1, 1 + E]), [1, 2]);
  const b = Tensor.from(new Float32Array([1, 1 - E]), [2, 1]);
  const c = a.matmul(b);
  const value = c.toArray()[0];
  for (const t of [a, b, c]) t.dispose();
  return value;
}

function cpuHasFma() {
  try {
    return / fma /.test(readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] + ' ');
  } catch {
    return null; // not Linux: unknown
  }
}

if (!IN_CHILD) {
  test('tetra.wasm: init() validates `simd`, and the base build rounds every product', async () => {
    await assert.rejects(init({ simd: 'fast' }), /init\(\{ simd \}\) must be one of 'auto', 'base', 'relaxed', not "fast"/);
    if (!hasRelaxedSimd()) {
      await assert.rejects(init({ simd: 'relaxed' }), /this engine has no relaxed SIMD/);
    }
    await init({ simd: 'base' });
    assert.equal(simdLevel(), 'base');
    assert.equal(fusedProbe(), 0);
    // later calls: the same module, unless they name the other build
    await init();
    await init({ simd: 'auto' });
    await init({ simd: 'base' });
    await assert.rejects(init({ simd: 'relaxed' }), /init\(\{ simd: 'relaxed' \}\): this page or process has loaded the base build already/);
    assert.equal(simdLevel(), 'base');
  });

  test('tetra-relaxed.wasm passes this file, the tensor tests and the transformer goldens', { timeout: 600_000 }, (t) => {
    const flag = hasRelaxedSimd() ? [] : ['--experimental-wasm-relaxed-simd'];
    const files = ['tests/js/relaxed_simd.test.js', 'tests/js/tensor.test.js', 'tests/js/transformer.test.js'];
    // Without NODE_TEST_CONTEXT, which `node --test` sets for its children: the child then reports
    // as a runner of its own (TAP on stdout) instead of streaming its events to this process.
    const { NODE_TEST_CONTEXT, ...env } = process.env;
    const r = spawnSync(process.execPath, [...flag, '--test', '--test-reporter=tap', ...files], {
      cwd: ROOT, encoding: 'utf8', env: { ...env, TETRA_TEST_SIMD: 'relaxed' }, maxBuffer: 64 << 20,
    });
    const summary = (r.stdout.match(/^# (tests|pass|fail|skipped) \d+$/gm) || []).map((line) => line.slice(2)).join(', ');
    t.diagnostic(`relaxed build: ${summary}`);
    assert.equal(r.status, 0, `the relaxed-build run failed (${summary}):\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-2000)}`);
    assert.match(summary, /pass [1-9]/);
    assert.match(summary, /fail 0/);
  });
} else {
  test('tetra-relaxed.wasm is the build loaded, and its multiply-adds are fused on an FMA CPU', async () => {
    assert.equal(simdLevel(), 'relaxed');
    await assert.rejects(init({ simd: 'base' }), /loaded the relaxed build already/);
    const value = fusedProbe();
    const fma = cpuHasFma();
    if (fma === true) assert.equal(value, -(2 ** -26));
    else assert.ok(value === 0 || value === -(2 ** -26), `probe gave ${value}`);
  });

  // The C tests check tetra.wasm's GEMM bit for bit against its scalar reference; the fused one
  // is checked here against float64 within the rounding bound of a k-term dot product, on shapes
  // that reach every tile (1-13 rows, edge columns) and the k blocking (K > 768).
  test('tetra-relaxed.wasm matrix products stay within float rounding of float64', () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const shapes = [[1, 1, 1], [1, 384, 1152], [2, 7, 9], [3, 33, 17], [4, 100, 24], [5, 769, 25],
      [6, 1536, 40], [7, 64, 49], [8, 5, 3], [11, 300, 31], [13, 800, 8], [37, 384, 70]];
    for (const [M, K, N] of shapes) {
      const a = Float32Array.from({ length: M * K }, rand);
      const b = Float32Array.from({ length: K * N }, rand);
      const ta = Tensor.from(a, [M, K]);
      const tb = Tensor.from(b, [K, N]);
      const tc = ta.matmul(tb);
      const c = tc.toArray();
      for (const t of [ta, tb, tc]) t.dispose();
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let exact = 0;
          let mag = 0;
          for (let k = 0; k < K; k++) {
            exact += a[m * K + k] * b[k * N + n];
            mag += Math.abs(a[m * K + k] * b[k * N + n]);
          }
          // k roundings of partial sums (and none for the fused products) at 2^-24 each
          const bound = (K + 1) * 2 ** -24 * mag + 1e-30;
          const err = Math.abs(c[m * N + n] - exact);
          assert.ok(err <= bound, `${M}x${K}x${N} [${m}][${n}]: |${c[m * N + n]} - ${exact}| = ${err} > ${bound}`);
        }
      }
    }
  });
}
