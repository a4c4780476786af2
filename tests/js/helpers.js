// Shared helpers for the Node tests: golden files and float comparisons.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GOLDEN = `${ROOT}tests/golden/trees/`;

/** Reads a little-endian float32 file into a Float32Array (copying: Buffers may be unaligned). */
export function readF32(path) {
  const bytes = new Uint8Array(readFileSync(path));
  return new Float32Array(bytes.buffer, 0, bytes.length / 4);
}

export function goldenNames() {
  return JSON.parse(readFileSync(`${GOLDEN}index.json`, 'utf8')).models;
}

export function golden(name) {
  const dir = `${GOLDEN}${name}/`;
  return {
    name,
    meta: JSON.parse(readFileSync(`${dir}meta.json`, 'utf8')),
    text: readFileSync(`${dir}model.json`, 'utf8'),
    rows: readF32(`${dir}rows.f32`),
    margin: readF32(`${dir}margin.f32`),
    pred: readF32(`${dir}pred.f32`),
  };
}

/** Index and size of the worst difference beyond abs + rel·|want|, or null if all are close. */
export function worstDifference(got, want, abs, rel = 0) {
  if (got.length !== want.length) return { index: -1, got: got.length, want: want.length };
  let worst = null;
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i] - want[i]);
    const bad = Number.isNaN(want[i]) ? !Number.isNaN(got[i]) : !(diff <= abs + rel * Math.abs(want[i]));
    if (bad && (!worst || diff > worst.diff)) worst = { index: i, got: got[i], want: want[i], diff };
  }
  return worst;
}
