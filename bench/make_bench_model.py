#!/usr/bin/python3
"""Train the tree benchmark's model and build its 100,000-row evaluation matrix.

    /usr/bin/python3 bench/make_bench_model.py [--out bench/out] [--shared ../shared]

Requires Debian's python3-xgboost (1.7.4 here), python3-numpy and, for the fallback data only,
python3-sklearn. No PyPI, no network. `node bench/trees.mjs` runs this itself when bench/out is
missing or was made with other settings.

What it writes to bench/out/ (gitignored; nothing here is committed):
  model.json     binary:logistic, exactly 500 trees of max_depth 6
  rows.f32       100,000 x ncols float32, little-endian, row-major, NaN = missing
  expected.f32   XGBoost's probabilities for the first 1,000 rows of rows.f32 (float32 LE)
  meta.json      shapes, seeds, data source, tree statistics and the settings below

Data: LightGBM's binary example (../shared/datasets/gbdt-lightgbm-examples/binary.train,
7,000 rows: label then 28 features, tab-separated). When ../shared is absent the script falls
back to sklearn's load_breast_cancer (569 rows, 30 features) and says so: the figures are then
for a 30-feature model and not comparable with runs on the LightGBM data (meta.json records
which was used).

Why it looks the way it does:
  * Deterministic: one seed, nthread=1, tree_method=exact (no sketching), float32 features before
    XGBoost sees them, so the same machine makes the same model byte for byte.
  * Full-depth trees: eta 0.1, min_child_weight 0 and gamma 0 let every node split while it has
    any gain, so the 500 trees are (almost all) depth 6 and the benchmark measures the cost of a
    real 500 x depth-6 walk, not of stumps that stopped early.
  * The evaluation rows are resampled real rows (test and train) with small Gaussian noise
    (2% of each column's standard deviation) and ~5% of cells set to NaN, so row order gives no
    cache help, most values are unseen, and the default-direction path is exercised.
"""

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import xgboost as xgb

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "bench" / "out"
DEFAULT_SHARED = REPO.parent / "shared"

# Changing any of these changes the benchmark: trees.mjs compares meta.json's "settings" with
# its own copy and rebuilds bench/out when they differ.
SETTINGS = {
    "format": 1,
    "num_trees": 500,
    "max_depth": 6,
    "eta": 0.1,
    "min_child_weight": 0,
    "gamma": 0,
    "tree_method": "exact",
    "seed": 20240601,
    "eval_rows": 100_000,
    "noise_scale": 0.02,
    "missing_rate": 0.05,
    "expected_rows": 1000,
}


def load_lightgbm_binary(path):
    data = np.loadtxt(path, delimiter="\t", dtype=np.float64)
    return data[:, 1:].astype(np.float32), data[:, 0].astype(np.float32)


def load_data(shared):
    base = shared / "datasets" / "gbdt-lightgbm-examples"
    train, test = base / "binary.train", base / "binary.test"
    if train.is_file() and test.is_file():
        x_tr, y_tr = load_lightgbm_binary(train)
        x_te, _ = load_lightgbm_binary(test)
        return x_tr, y_tr, np.concatenate([x_te, x_tr]), f"{train} (+ {test.name} for evaluation rows)"
    from sklearn.datasets import load_breast_cancer
    print(f"make_bench_model: {base} not found; FALLING BACK to sklearn's load_breast_cancer "
          "(30 features): figures are not comparable with runs on the LightGBM binary example",
          file=sys.stderr)
    x, y = load_breast_cancer(return_X_y=True)
    x, y = x.astype(np.float32), y.astype(np.float32)
    return x, y, x, "sklearn.datasets.load_breast_cancer (fallback: ../shared absent)"


def tree_stats(model_json):
    trees = model_json["learner"]["gradient_booster"]["model"]["trees"]
    depths, nodes = [], []
    for t in trees:
        left = t["left_children"]
        right = t["right_children"]
        depth = [0] * len(left)
        for i in range(len(left)):  # XGBoost numbers parents before children
            if left[i] != -1:
                depth[left[i]] = depth[right[i]] = depth[i] + 1
        depths.append(max(depth))
        nodes.append(len(left))
    return {
        "trees": len(trees),
        "depth_min": min(depths),
        "depth_max": max(depths),
        "trees_at_max_depth": sum(d == max(depths) for d in depths),
        "nodes_total": sum(nodes),
        "nodes_mean": sum(nodes) / len(nodes),
        "full_trees_127_nodes": sum(n == 127 for n in nodes),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = ap.parse_args()
    s = SETTINGS
    t0 = time.perf_counter()

    x_train, y_train, pool, source = load_data(args.shared)
    ncols = x_train.shape[1]

    params = {
        "objective": "binary:logistic",
        "eta": s["eta"],
        "max_depth": s["max_depth"],
        "min_child_weight": s["min_child_weight"],
        "gamma": s["gamma"],
        "tree_method": s["tree_method"],
        "nthread": 1,
        "seed": s["seed"],
        "eval_metric": "logloss",
    }
    dtrain = xgb.DMatrix(x_train, label=y_train, nthread=1)
    booster = xgb.train(params, dtrain, num_boost_round=s["num_trees"])

    args.out.mkdir(parents=True, exist_ok=True)
    model_path = args.out / "model.json"
    booster.save_model(str(model_path))
    model_bytes = model_path.read_bytes()
    stats = tree_stats(json.loads(model_bytes))
    if stats["trees"] != s["num_trees"]:
        sys.exit(f"make_bench_model: expected {s['num_trees']} trees, got {stats['trees']}")

    # Evaluation matrix: resampled real rows + small noise + ~5% NaN, all float32.
    rng = np.random.default_rng(s["seed"])
    pick = rng.integers(0, pool.shape[0], size=s["eval_rows"])
    rows = pool[pick].astype(np.float64)
    sd = pool.astype(np.float64).std(axis=0)
    rows += rng.standard_normal(rows.shape) * (s["noise_scale"] * sd)
    rows = rows.astype(np.float32)
    rows[rng.random(rows.shape) < s["missing_rate"]] = np.nan
    rows = np.ascontiguousarray(rows, dtype="<f4")
    rows.tofile(args.out / "rows.f32")

    # XGBoost's own answer for the first rows, on a fresh DMatrix (no prediction cache),
    # from the model as saved (a reload, so it is what tetra reads).
    reloaded = xgb.Booster(model_file=str(model_path))
    reloaded.set_param({"nthread": 1})
    head = rows[: s["expected_rows"]]
    expected = reloaded.predict(xgb.DMatrix(head, missing=np.nan, nthread=1)).astype("<f4")
    expected.tofile(args.out / "expected.f32")

    train_pred = reloaded.predict(xgb.DMatrix(x_train, nthread=1))
    train_logloss = float(-np.mean(y_train * np.log(np.clip(train_pred, 1e-7, 1))
                                   + (1 - y_train) * np.log(np.clip(1 - train_pred, 1e-7, 1))))
    meta = {
        "settings": s,
        "source": source,
        "xgboost_version": xgb.__version__,
        "numpy_version": np.__version__,
        "num_features": int(ncols),
        "train_rows": int(x_train.shape[0]),
        "eval_rows": int(rows.shape[0]),
        "eval_missing_fraction": float(np.isnan(rows).mean()),
        "expected_rows": int(expected.shape[0]),
        "model_bytes": len(model_bytes),
        "model_sha256": hashlib.sha256(model_bytes).hexdigest(),
        "rows_sha256": hashlib.sha256(rows.tobytes()).hexdigest(),
        "train_logloss": train_logloss,
        "tree_stats": stats,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (args.out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"make_bench_model: {stats['trees']} trees (depth {stats['depth_min']}..{stats['depth_max']}, "
          f"{stats['full_trees_127_nodes']} full), {rows.shape[0]} x {ncols} rows, "
          f"{meta['seconds']} s -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
