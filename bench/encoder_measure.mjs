// Timing, agreement checks and inputs shared by bench/encoder.mjs (Node) and
// bench/pages/encoder.js (the Chromium page of bench/encoder_browser.mjs), so that the two reports
// measure the same way figure for figure. No Node imports: the page loads this file as it is.

/** Runs fn back to back for at least minMs; returns ms per call. */
export async function sample(fn, minMs) {
  let n = 0;
  const t0 = performance.now();
  let t;
  do {
    await fn();
    n++;
    t = performance.now();
  } while (t - t0 < minMs);
  return (t - t0) / n;
}

/** Best and median of a list of ms, and the list. */
export function summary(list) {
  const sorted = [...list].sort((a, b) => a - b);
  return { best_ms: sorted[0], median_ms: sorted[Math.floor(sorted.length / 2)], samples_ms: list };
}

/**
 * As bench/gemm.mjs: each sample repeats the call for at least minMs; contenders take turns within
 * every round (load from elsewhere hits all alike); the first `warm` rounds are not kept.
 */
export async function race(contenders, { reps, minMs }, warm = 1) {
  const samples = Object.fromEntries(contenders.map((c) => [c.key, []]));
  for (let round = 0; round < warm + reps; round++) {
    for (const c of contenders) {
      const ms = await sample(c.fn, minMs);
      if (round >= warm) samples[c.key].push(ms);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([key, list]) => [key, summary(list)]));
}

/** Best and median of n one-shot timings of an async or sync function (setup/teardown outside). */
export async function timeOnce(n, make, teardown) {
  const list = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const x = await make();
    list.push(performance.now() - t0);
    if (teardown) await teardown(x);
  }
  return summary(list);
}

/** The smallest cosine between corresponding rows (of `width`) of a and b. */
export function rowsCosine(a, b, width) {
  let worst = 1;
  for (let r = 0; r < a.length / width; r++) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = r * width; i < (r + 1) * width; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    worst = Math.min(worst, ab / Math.sqrt(aa * bb));
  }
  return worst;
}

/** The largest |a - b|; Infinity when the lengths differ. */
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/**
 * Fills r.check (tetra's outputs against ORT's, per token) and the speedups ORT / tetra (best and
 * median) of a forward case r whose outputs are outs.{tetra_fp32, tetra_int8?, ort}.
 */
export function compareWithOrt(r, outs, H) {
  r.check = { fp32_vs_ort: { min_token_cosine: rowsCosine(outs.tetra_fp32, outs.ort, H), max_abs_diff: maxAbsDiff(outs.tetra_fp32, outs.ort) } };
  if (outs.tetra_int8) r.check.int8_vs_ort = { min_token_cosine: rowsCosine(outs.tetra_int8, outs.ort, H), max_abs_diff: maxAbsDiff(outs.tetra_int8, outs.ort) };
  r.fp32_speedup = r.ort.best_ms / r.tetra_fp32.best_ms;
  r.fp32_speedup_median = r.ort.median_ms / r.tetra_fp32.median_ms;
  if (r.tetra_int8) {
    r.int8_speedup = r.ort.best_ms / r.tetra_int8.best_ms;
    r.int8_speedup_median = r.ort.median_ms / r.tetra_int8.median_ms;
  }
}

/** Token ids: [CLS] random word pieces [SEP], from a fixed linear congruential sequence. */
export function randomIds(batch, seq, vocab, seed) {
  const ids = new Int32Array(batch * seq);
  let s = seed >>> 0;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      ids[b * seq + t] = t === 0 ? 101 : t === seq - 1 ? 102 : 1000 + (s % (vocab - 1000));
    }
  }
  return ids;
}
