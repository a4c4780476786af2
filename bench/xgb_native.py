#!/usr/bin/python3
"""XGBoost's native predictor on the tree benchmark, single-threaded. Prints one JSON object.

    /usr/bin/python3 bench/xgb_native.py [--dir bench/out] [--reps 5] [--single 2000]

Run by bench/trees.mjs in the same run as tetra's measurements; usable alone. Needs the files
bench/make_bench_model.py writes (model.json, rows.f32, meta.json).

Fairness:
  * One thread: nthread=1 on the Booster (set_param) and on every DMatrix, and OMP_NUM_THREADS=1
    before xgboost is imported, so OpenMP cannot start a team behind our back.
  * XGBoost caches predictions per DMatrix: predicting twice on one DMatrix returns the cached
    margins. Every timed DMatrix predict therefore gets a FRESH DMatrix, and its construction is
    timed separately (so "predict" is the tree walk plus XGBoost's per-call overhead, and
    "construct + predict" is what a user who builds a DMatrix pays).
  * inplace_predict on the numpy array is what a user who already holds a numpy matrix calls;
    it has no cache and no DMatrix, so it is timed as it is.
  * Timings are wall clock (time.perf_counter_ns) around the single call, after a warm-up call.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import xgboost as xgb  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def ns():
    return time.perf_counter_ns()


def summary(samples_ns, rows=None):
    a = np.asarray(samples_ns, dtype=np.float64)
    out = {
        "n": int(a.size),
        "best_ms": float(a.min() / 1e6),
        "median_ms": float(np.median(a) / 1e6),
        "mean_ms": float(a.mean() / 1e6),
        "max_ms": float(a.max() / 1e6),
    }
    if rows is not None:
        out["best_rows_per_s"] = rows / (a.min() / 1e9)
        out["median_rows_per_s"] = rows / (np.median(a) / 1e9)
    return out


def latency(samples_ns):
    a = np.asarray(samples_ns, dtype=np.float64) / 1e3
    return {
        "n": int(a.size),
        "median_us": float(np.median(a)),
        "p95_us": float(np.percentile(a, 95)),
        "p99_us": float(np.percentile(a, 99)),
        "min_us": float(a.min()),
        "mean_us": float(a.mean()),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", type=Path, default=REPO / "bench" / "out")
    ap.add_argument("--reps", type=int, default=5, help="timed batch repetitions per method")
    ap.add_argument("--single", type=int, default=2000, help="timed single-row calls per method")
    args = ap.parse_args()

    meta = json.loads((args.dir / "meta.json").read_text())
    ncols = meta["num_features"]
    rows = np.fromfile(args.dir / "rows.f32", dtype="<f4").reshape(-1, ncols)
    nrows = rows.shape[0]
    expected = np.fromfile(args.dir / "expected.f32", dtype="<f4")

    # Load: file bytes already in memory -> a Booster ready to predict (like tetra's text -> ready).
    model_bytes = bytearray((args.dir / "model.json").read_bytes())
    load_ns = []
    for _ in range(3):
        t = ns()
        b = xgb.Booster()
        b.load_model(model_bytes)
        b.set_param({"nthread": 1})
        load_ns.append(ns() - t)
    booster = xgb.Booster()
    booster.load_model(model_bytes)
    booster.set_param({"nthread": 1})

    # Sanity: this process scores the first rows as the generator did.
    check = booster.inplace_predict(rows[: expected.size], missing=np.nan)
    max_abs_diff_vs_saved = float(np.max(np.abs(check.astype(np.float32) - expected)))

    # --- batch ---
    def fresh_dmatrix():
        return xgb.DMatrix(rows, missing=np.nan, nthread=1)

    booster.predict(fresh_dmatrix())  # warm-up (first-call allocations, page faults)
    construct_ns, predict_ns, both_ns = [], [], []
    for _ in range(args.reps):
        t0 = ns()
        dm = fresh_dmatrix()
        t1 = ns()
        booster.predict(dm)
        t2 = ns()
        construct_ns.append(t1 - t0)
        predict_ns.append(t2 - t1)
        both_ns.append(t2 - t0)
        del dm

    booster.inplace_predict(rows, missing=np.nan)  # warm-up
    inplace_ns = []
    for _ in range(args.reps):
        t0 = ns()
        booster.inplace_predict(rows, missing=np.nan)
        inplace_ns.append(ns() - t0)

    # --- single row ---
    n_single = min(args.single, nrows)
    singles = [np.ascontiguousarray(rows[i : i + 1]) for i in range(n_single)]
    warm = min(200, n_single)
    for r in singles[:warm]:
        booster.inplace_predict(r, missing=np.nan)
    inplace_one = []
    for r in singles:
        t0 = ns()
        booster.inplace_predict(r, missing=np.nan)
        inplace_one.append(ns() - t0)

    for r in singles[:warm]:
        booster.predict(xgb.DMatrix(r, missing=np.nan, nthread=1))
    dmatrix_one = []
    for r in singles:
        t0 = ns()
        booster.predict(xgb.DMatrix(r, missing=np.nan, nthread=1))
        dmatrix_one.append(ns() - t0)

    result = {
        "xgboost_version": xgb.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "nthread": 1,
        "rows": nrows,
        "ncols": ncols,
        "load": summary(load_ns),
        "max_abs_diff_vs_saved": max_abs_diff_vs_saved,
        "batch": {
            "dmatrix_construct": summary(construct_ns, nrows),
            "dmatrix_predict": summary(predict_ns, nrows),
            "dmatrix_construct_plus_predict": summary(both_ns, nrows),
            "inplace_predict": summary(inplace_ns, nrows),
        },
        "single": {
            "inplace_predict": latency(inplace_one),
            "dmatrix_construct_plus_predict": latency(dmatrix_one),
        },
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
