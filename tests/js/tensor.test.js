// Tensor in wasm under Node: the API, NumPy semantics on small cases computed here in float64,
// errors that name both shapes, and a million create/dispose cycles with a flat heap.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { init, Tensor, TetraError } from '../../js/index.js';
import { getRuntime } from '../../js/wasm.js';

await init({ simd: process.env.TETRA_TEST_SIMD }); // relaxed_simd.test.js re-runs this file with "relaxed"

function close(got, want, tol = 1e-6) {
  assert.equal(got.length, want.length, 'length');
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Number.isNaN(w)) assert.ok(Number.isNaN(g), `[${i}] ${g} should be NaN`);
    else assert.ok(Math.abs(g - w) <= tol * (1 + Math.abs(w)), `[${i}] ${g} vs ${w}`);
  }
}

test('from, shape, dtype, toArray, dispose', () => {
  const t = Tensor.from(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.equal(t.size, 6);
  assert.deepEqual(Array.from(t.toArray()), [1, 2, 3, 4, 5, 6]);
  const ids = Tensor.from(new BigInt64Array([3n, 1n]), [2]);
  assert.equal(ids.dtype, 'int64');
  assert.deepEqual(Array.from(ids.toArray()), [3n, 1n]);
  const h = Tensor.from(new Uint16Array([0x3c00, 0xc000]), [2], { dtype: 'float16' });
  assert.deepEqual(Array.from(h.toArray()), [1, -2]);
  assert.equal(String(t), 'Tensor(float32, [2, 3])');
  for (const x of [t, ids, h]) x.dispose();
  t.dispose();
  assert.throws(() => t.toArray(), /has been disposed/);
  assert.throws(() => Tensor.from(new Float32Array(5), [2, 3]), /5 values do not fill shape \[2, 3\] \(6 elements\)/);
  assert.throws(() => Tensor.from(new Uint16Array(2)), /needs \{ dtype: "float16" \}/);
  assert.throws(() => Tensor.from('abc'), TypeError);
});

test('add broadcasts like NumPy and errors name both shapes', () => {
  const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = Tensor.from([10, 20, 30], [3]);
  const c = Tensor.from([100, 200], [2, 1]);
  const ab = a.add(b);
  const ac = a.add(c);
  assert.deepEqual(Array.from(ab.toArray()), [11, 22, 33, 14, 25, 36]);
  assert.deepEqual(Array.from(ac.toArray()), [101, 102, 103, 204, 205, 206]);
  const scaled = a.mul(0.5);
  assert.deepEqual(Array.from(scaled.toArray()), [0.5, 1, 1.5, 2, 2.5, 3]);
  const bad = Tensor.from([1, 2], [2]);
  assert.throws(() => a.add(bad), (e) => e instanceof TetraError && e.code === 'TETRA_ERR_INVALID_ARGUMENT' && /add: shapes \[2, 3\] and \[2\] do not broadcast/.test(e.message));
  for (const x of [a, b, c, ab, ac, scaled, bad]) x.dispose();
});

test('matmul, with transposes and batches', () => {
  const a = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = Tensor.from([7, 8, 9, 10, 11, 12], [3, 2]);
  const ab = a.matmul(b);
  assert.deepEqual(ab.shape, [2, 2]);
  assert.deepEqual(Array.from(ab.toArray()), [58, 64, 139, 154]);
  const aat = a.matmul(a, { transposeB: true });
  assert.deepEqual(Array.from(aat.toArray()), [14, 32, 32, 77]);
  const batch = Tensor.from(Float32Array.from({ length: 12 }, (_, i) => i), [2, 2, 3]);
  const bb = batch.matmul(b);
  assert.deepEqual(bb.shape, [2, 2, 2]);
  assert.deepEqual(Array.from(bb.toArray()), [31, 34, 112, 124, 193, 214, 274, 304]);
  assert.throws(() => a.matmul(a), /matmul: shapes \[2, 3\] and \[2, 3\] do not align \(3 vs 2\)/);
  for (const x of [a, b, ab, aat, batch, bb]) x.dispose();
});

test('softmax is stable and follows NumPy on -inf and NaN', () => {
  const x = Tensor.from([1000, 1001, 1002, -Infinity, 0, 0, NaN, 1, 2], [3, 3]);
  const s = x.softmax(-1);
  const e = [Math.exp(-2), Math.exp(-1), 1];
  const z = e[0] + e[1] + e[2];
  close(s.toArray(), [e[0] / z, e[1] / z, e[2] / z, 0, 0.5, 0.5, NaN, NaN, NaN]);
  const s0 = Tensor.from([1, 2, 3, 4], [2, 2]).softmax(0);
  close(s0.toArray(), [1 / (1 + Math.E ** 2), 1 / (1 + Math.E ** 2), Math.E ** 2 / (1 + Math.E ** 2), Math.E ** 2 / (1 + Math.E ** 2)]);
  for (const t of [x, s, s0]) t.dispose();
});

test('unary ops, reductions and norms against float64', () => {
  const values = [-3, -1.5, -0.25, 0, 0.5, 2, 4.5, 9];
  const x = Tensor.from(values, [2, 4]);
  const checks = {
    exp: Math.exp, tanh: Math.tanh, sigmoid: (v) => 1 / (1 + Math.exp(-v)), relu: (v) => Math.max(v, 0),
    silu: (v) => v / (1 + Math.exp(-v)), abs: Math.abs, neg: (v) => -v,
  };
  for (const [name, f] of Object.entries(checks)) {
    const y = x[name]();
    close(y.toArray(), values.map(f), 2e-6);
    y.dispose();
  }
  const gt = x.gelu({ approximate: 'tanh' });
  close(gt.toArray(), values.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))), 2e-6);
  const sum = x.sum(1);
  close(sum.toArray(), [-4.75, 16]);
  const mean = x.mean(0, { keepdims: true });
  assert.deepEqual(mean.shape, [1, 4]);
  close(mean.toArray(), [-1.25, 0.25, 2.125, 4.5]);
  const am = x.argmax(-1);
  assert.equal(am.dtype, 'int64');
  assert.deepEqual(Array.from(am.toArray()), [3n, 3n]);
  const ln = x.layerNorm({ eps: 1e-5 });
  const row = values.slice(0, 4);
  const mu = row.reduce((a, b) => a + b) / 4;
  const v = row.reduce((a, b) => a + (b - mu) ** 2, 0) / 4;
  close(ln.toArray().slice(0, 4), row.map((r) => (r - mu) / Math.sqrt(v + 1e-5)), 1e-5);
  for (const t of [x, gt, sum, mean, am, ln]) t.dispose();
});

test('views: reshape, transpose, slice, expand share data; concat, where, gather, cast', () => {
  const x = Tensor.from(Float32Array.from({ length: 6 }, (_, i) => i), [2, 3]);
  const t = x.transpose();
  assert.deepEqual(t.shape, [3, 2]);
  assert.deepEqual(Array.from(t.toArray()), [0, 3, 1, 4, 2, 5]);
  const s = x.slice(1, 1, Infinity, 1);
  assert.deepEqual(Array.from(s.toArray()), [1, 2, 4, 5]);
  const r = x.reshape([3, -1]);
  assert.deepEqual(r.shape, [3, 2]);
  const e = Tensor.from([1, 2, 3], [1, 3]).expand([4, 3]);
  assert.deepEqual(e.shape, [4, 3]);
  const cat = Tensor.concat([x, x], 0);
  assert.deepEqual(cat.shape, [4, 3]);
  const mask = Tensor.from(new Int8Array([1, 0, 1]), [3]);
  const w = Tensor.where(mask, x, -1);
  assert.deepEqual(Array.from(w.toArray()), [0, -1, 2, 3, -1, 5]);
  const filled = x.maskedFill(mask, -Infinity);
  assert.deepEqual(Array.from(filled.toArray()), [-Infinity, 1, -Infinity, -Infinity, 4, -Infinity]);
  const table = Tensor.from(Float32Array.from({ length: 8 }, (_, i) => i * 10), [4, 2]);
  const ids = Tensor.from(new Int32Array([3, 0, 3]), [3]);
  const rows = table.gather(ids);
  assert.deepEqual(Array.from(rows.toArray()), [60, 70, 0, 10, 60, 70]);
  const badIds = Tensor.from(new Int32Array([4]), [1]);
  assert.throws(() => table.gather(badIds), /id 4 at position 0 is outside the table's 4 rows/);
  const half = x.cast('float16');
  assert.equal(half.dtype, 'float16');
  assert.deepEqual(Array.from(half.toArray()), [0, 1, 2, 3, 4, 5]);
  const floats = Tensor.from([1.5, NaN]);
  assert.throws(() => floats.cast('int32'), /element 1 \(nan\) does not fit in int32/);
  for (const v of [x, t, s, r, e, cat, mask, w, filled, table, ids, rows, badIds, half, floats]) v.dispose();
});

test('creating and disposing a million small tensors leaves the wasm heap where it started', () => {
  const memory = getRuntime().memory;
  const data = new Float32Array([1, 2, 3, 4]);
  for (let i = 0; i < 1000; i++) Tensor.from(data, [2, 2]).dispose();
  const before = memory.buffer.byteLength;
  for (let i = 0; i < 1_000_000; i++) Tensor.from(data, [2, 2]).dispose();
  assert.equal(memory.buffer.byteLength, before, 'wasm memory grew');
  // and with operations in between
  const a = Tensor.from(data, [2, 2]);
  for (let i = 0; i < 20_000; i++) {
    const b = a.add(1);
    const c = b.matmul(a);
    const d = c.softmax(-1);
    b.dispose();
    c.dispose();
    d.dispose();
  }
  a.dispose();
  assert.equal(memory.buffer.byteLength, before, 'wasm memory grew');
});
