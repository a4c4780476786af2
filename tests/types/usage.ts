// Compiled with `tsc --noEmit` by tests/js/types.test.js: the declarations must accept real usage
// and reject misuse (the @ts-expect-error lines fail the build if they stop being errors).
import { init, Booster, TetraError, coreVersion, Tensor } from 'tetra';

async function main(): Promise<void> {
  await init();
  await init({ wasm: new URL('./tetra.wasm', 'file:///x/') });
  const version: string = coreVersion();
  const booster = Booster.fromXGBoost('{}', { sha256: 'ab' });
  const out: Float32Array = booster.predict(new Float32Array(30), { ncols: 30, outputMargin: true });
  booster.predict([[1, null, 3]]);
  booster.predict([1, 2, null]);
  const n: number = booster.numFeatures + booster.numClasses + booster.numOutputs + booster.numTrees;
  const names: string[] | null = booster.featureNames;
  const v: [number, number, number] | null = booster.xgboostVersion;
  booster.free();
  try {
    Booster.fromXGBoost(new Uint8Array(4));
  } catch (e) {
    if (e instanceof TetraError) console.log(e.code === 'TETRA_ERR_PARSE', e.message);
  }
  // @ts-expect-error predict needs rows
  booster.predict();
  // @ts-expect-error outputMargin is a boolean
  booster.predict(new Float32Array(1), { outputMargin: 'yes' });
  // @ts-expect-error numFeatures is read-only
  booster.numFeatures = 3;
  // @ts-expect-error use fromXGBoost
  new Booster();
  const a = Tensor.from(new Float32Array(6), [2, 3]);
  const b = Tensor.from([1, 2, 3]);
  const c = a.add(b).matmul(a, { transposeB: true }).softmax(-1);
  const shape: readonly number[] = c.shape;
  const values = c.toArray();
  const ids = Tensor.from(new Int32Array([0, 1]), [2]);
  a.gather(ids).dispose();
  // @ts-expect-error shapes are arrays
  Tensor.zeros(3);
  // @ts-expect-error unknown dtype
  a.cast('float64');
  c.dispose();
  console.log(version, out, n, names, v, shape, values);
}
main();
