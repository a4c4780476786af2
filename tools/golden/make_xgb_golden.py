#!/usr/bin/python3
"""Generate XGBoost golden files for tetra's tree-ensemble loader and predictor.

Run from anywhere:

    /usr/bin/python3 tools/golden/make_xgb_golden.py [--out DIR] [--shared DIR] [--no-check]

Requires Debian's python3-xgboost (1.7.4), python3-sklearn and python3-numpy;
nothing from PyPI and no network.  The LightGBM and agaricus example data are
read from ../shared/datasets (next to the repository checkout) or --shared.

For every model it writes tests/golden/trees/<name>/ with model.json,
rows.f32, margin.f32, pred.f32 and meta.json (format: tests/golden/trees/README.md).
tools/golden/check_golden.py then re-derives every margin/pred from model.json
alone, which is what pins down the float32 semantics the C predictor follows.

Why the script looks the way it does:
  * Every number the C/wasm predictor is compared with must come from XGBoost
    itself, on real data, and must be reproducible byte for byte.  So: one
    fixed seed per dataset (adding a model never shifts another model's data),
    nthread=1 (XGBoost's multi-threaded histogram/gradient sums are not
    order-stable), and the feature matrix is converted to float32 *before*
    XGBoost sees it, so rows.f32 is exactly what was scored.
  * Predictions are taken on a fresh DMatrix per call: XGBoost caches
    predictions per DMatrix object, and a cached margin could hide a bug in
    the path we actually want to reproduce (a cold predict from the model).
  * Each folder is kept small (<= 400 rows, model.json well under ~400 KB)
    because these files live in git.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import sklearn
import xgboost as xgb
from sklearn.datasets import (load_breast_cancer, load_diabetes, load_digits,
                              load_svmlight_file)
from sklearn.model_selection import train_test_split

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "tests" / "golden" / "trees"
DEFAULT_SHARED = REPO.parent / "shared"

MISSING_RATE = 0.10   # fraction of cells blanked to NaN where a dataset asks for it
MAX_EVAL_ROWS = 400   # hard cap per folder (repository size)
FORMAT_VERSION = 1    # bump if the folder layout / meta.json schema changes


# --------------------------------------------------------------------------
# Data.  Every loader returns float32 matrices; NaN means "missing" for
# XGBoost (we always pass missing=nan).  Each dataset owns its seed so the
# data of one model never depends on which other models were generated.
# --------------------------------------------------------------------------

def _rng(tag):
    # A stable per-dataset seed derived from its name (not Python's hash(),
    # which is salted per process).
    return np.random.default_rng(int.from_bytes(hashlib.sha256(tag.encode()).digest()[:4], "little"))


def _inject_missing(X, rng, rate=MISSING_RATE):
    # Blank whole cells at random.  The same generator is used for train and
    # then eval, so both have holes: training learns default directions, and
    # evaluation exercises them (including default directions learned on
    # features that had no NaN at a node).
    X = X.copy()
    X[rng.random(X.shape) < rate] = np.nan
    return X


def _cap_rows(Xe, ye, rng, cap):
    # Seeded sample without replacement, kept in file order so rows.f32 can be
    # compared with the source by eye.
    if len(Xe) <= cap:
        return Xe, ye
    idx = np.sort(rng.choice(len(Xe), size=cap, replace=False))
    return Xe[idx], ye[idx]


def _sklearn_split(tag, X, y, test_size, stratify, missing, cap=MAX_EVAL_ROWS):
    rng = _rng(tag)
    X = X.astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=test_size, random_state=20240601,
        stratify=y if stratify else None)
    if missing:
        Xtr = _inject_missing(Xtr, rng)
        Xte = _inject_missing(Xte, rng)
    Xte, yte = _cap_rows(Xte, yte, rng, cap)
    return dict(Xtr=Xtr, ytr=ytr, Xte=Xte, yte=yte)


def data_breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    d = _sklearn_split("breast_cancer", X, y, 0.3, True, missing=True)
    d.update(source="sklearn.datasets.load_breast_cancer (569 x 30); 70/30 stratified split, eval = test split",
             missing=MISSING_RATE)
    return d


def data_diabetes():
    X, y = load_diabetes(return_X_y=True)
    d = _sklearn_split("diabetes", X, y, 0.3, False, missing=True)
    d.update(source="sklearn.datasets.load_diabetes (442 x 10, target 25..346); 70/30 split, eval = test split",
             missing=MISSING_RATE)
    return d


def data_digits():
    X, y = load_digits(return_X_y=True)
    # 1797 rows; 20% test = 360 rows x 64 px.  No missing: digits is the clean
    # multiclass baseline (the categorical variant below adds holes).
    d = _sklearn_split("digits", X, y, 0.2, True, missing=False)
    d.update(source="sklearn.datasets.load_digits (1797 x 64, pixel values 0..16); 80/20 stratified split, eval = test split",
             missing=0.0)
    return d


def data_digits_cat():
    X, y = load_digits(return_X_y=True)
    # Pixel intensities are small integers 0..16, so they are valid category
    # codes as they stand.  Half the pixels become categorical (even index),
    # half stay numeric, so one tree mixes both split kinds.  Missing values
    # are injected so NaN on a categorical split (default direction) is tested.
    d = _sklearn_split("digits_cat", X, y, 0.2, True, missing=True, cap=200)
    d.update(source="sklearn.datasets.load_digits (1797 x 64); even-indexed pixels declared categorical ('c'), "
                    "odd ones numeric ('q'); 80/20 stratified split, eval = 200-row seeded sample of the test split",
             missing=MISSING_RATE,
             feature_types=["c" if i % 2 == 0 else "q" for i in range(64)])
    return d


def _load_svm(path, n_features, zero_based):
    # LibSVM leaves out zero entries.  We densify them as 0.0, NOT NaN: that is
    # what the file means, and it keeps "absent" distinct from "missing" here.
    # (XGBoost's own sparse DMatrix would treat absent entries as missing; a
    # dense 0.0 instead goes through the normal `x < cond` test.)
    X, y = load_svmlight_file(str(path), n_features=n_features, zero_based=zero_based, dtype=np.float64)
    return X.toarray().astype(np.float32), y


def data_agaricus(shared):
    base = shared / "datasets" / "gbdt-xgboost-agaricus"
    Xtr, ytr = _load_svm(base / "agaricus.txt.train", 127, True)
    Xte, yte = _load_svm(base / "agaricus.txt.test", 127, True)
    # 127 columns of one-hot 0/1: 200 rows are plenty and keep the folder small.
    Xte, yte = _cap_rows(Xte, yte, _rng("agaricus"), 200)
    return dict(Xtr=Xtr, ytr=ytr, Xte=Xte, yte=yte, missing=0.0,
                source="xgboost demo agaricus.txt.train/test (LibSVM, zero-based features 0..126, densified with "
                       "absent = 0.0); eval = 200-row seeded sample of agaricus.txt.test")


def _load_tsv(path):
    a = np.loadtxt(path, dtype=np.float64, delimiter="\t")
    return a[:, 1:].astype(np.float32), a[:, 0]


def data_lgb_binary(shared, missing):
    base = shared / "datasets" / "gbdt-lightgbm-examples"
    Xtr, ytr = _load_tsv(base / "binary.train")
    Xte, yte = _load_tsv(base / "binary.test")
    wtr = np.loadtxt(base / "binary.train.weight", dtype=np.float64)
    tag = "lgb_binary_missing" if missing else "lgb_binary"
    rng = _rng(tag)
    if missing:
        Xtr = _inject_missing(Xtr, rng)
        Xte = _inject_missing(Xte, rng)
    Xte, yte = _cap_rows(Xte, yte, rng, MAX_EVAL_ROWS)
    return dict(Xtr=Xtr, ytr=ytr, wtr=wtr, Xte=Xte, yte=yte, missing=MISSING_RATE if missing else 0.0,
                source="LightGBM examples binary.train (7000 x 28, weights binary.train.weight) / binary.test; "
                       "eval = 400-row seeded sample of binary.test")


def data_lgb_multiclass(shared):
    base = shared / "datasets" / "gbdt-lightgbm-examples"
    Xtr, ytr = _load_tsv(base / "multiclass.train")
    Xte, yte = _load_tsv(base / "multiclass.test")
    Xte, yte = _cap_rows(Xte, yte, _rng("lgb_multiclass"), 300)
    return dict(Xtr=Xtr, ytr=ytr, Xte=Xte, yte=yte, missing=0.0,
                source="LightGBM examples multiclass.train (7000 x 28, 5 classes) / multiclass.test; "
                       "eval = 300-row seeded sample of multiclass.test")


def data_lgb_rank(shared):
    base = shared / "datasets" / "gbdt-lightgbm-examples"
    # Feature ids in the file run 1..300.  Reading them zero-based keeps
    # "column i == feature id i" (column 0 is simply always 0), which makes
    # the model's split_indices match the file; n_features is fixed so train
    # and test agree even if the top id is absent from one of them.
    Xtr, ytr = _load_svm(base / "rank.train", 301, True)
    Xte, yte = _load_svm(base / "rank.test", 301, True)
    gtr = np.loadtxt(base / "rank.train.query", dtype=np.int64)
    gte = np.loadtxt(base / "rank.test.query", dtype=np.int64)
    assert gtr.sum() == len(Xtr) and gte.sum() == len(Xte)
    # Evaluate on whole leading query groups (ranking scores are compared
    # within a group), up to 120 rows: 301 float32 columns are 1.2 KB a row.
    keep, n = [], 0
    for g in gte:
        if n + g > 120:
            break
        keep.append(int(g))
        n += g
    return dict(Xtr=Xtr, ytr=ytr, gtr=gtr, Xte=Xte[:n], yte=yte[:n], gte=keep, missing=0.0,
                source="LightGBM examples rank.train (3005 x 300 LibSVM, 201 queries, relevance 0..4) / rank.test; "
                       "features read zero-based (column i = file feature id i; column 0 unused), absent = 0.0; "
                       f"eval = first {len(keep)} query groups of rank.test ({n} rows), group sizes in meta.json")


# --------------------------------------------------------------------------
# Models.  Sizes were tuned so each model.json stays well under ~400 KB:
# one JSON node costs ~120 bytes (ten parallel arrays), so ~3000 nodes max.
# --------------------------------------------------------------------------

BASE = {"nthread": 1, "seed": 7, "eta": 0.3}


def M(name, data, rounds, params, notes, **kw):
    return dict(name=name, data=data, rounds=rounds, params={**BASE, **params}, notes=notes, **kw)


MODELS = [
    M("breast_cancer_logistic", "breast_cancer", 60,
      {"objective": "binary:logistic", "max_depth": 4, "eta": 0.1},
      "Reference binary classifier; also the demo's bundled model. 10% NaN in train and eval."),
    M("breast_cancer_logitraw", "breast_cancer", 30,
      {"objective": "binary:logitraw", "max_depth": 3},
      "binary:logitraw: pred == margin (no sigmoid)."),
    M("breast_cancer_base_score", "breast_cancer", 30,
      {"objective": "binary:logistic", "max_depth": 3, "base_score": 0.3},
      "Explicit base_score=0.3: JSON stores the probability (\"3E-1\"); the margin starts at "
      "logit(0.3) = -logf(1/0.3f - 1), not at 0.3."),
    M("breast_cancer_dart", "breast_cancer", 40,
      {"objective": "binary:logistic", "booster": "dart", "max_depth": 3,
       "rate_drop": 0.1, "skip_drop": 0.5},
      "DART: each tree's leaves are scaled by gradient_booster.weight_drop[i] at prediction time."),
    M("breast_cancer_forest", "breast_cancer", 10,
      {"objective": "binary:logistic", "max_depth": 4, "num_parallel_tree": 4,
       "subsample": 0.8, "colsample_bynode": 0.8},
      "Boosted random forest: 4 parallel trees per round (40 trees), all summed with weight 1."),
    M("diabetes_squarederror", "diabetes", 150,
      {"objective": "reg:squarederror", "max_depth": 5, "eta": 0.05, "min_child_weight": 6},
      "Large-target regression (25..346): float32 accumulation order of 150 trees matters. "
      "min_child_weight 6 keeps the JSON small."),
    M("diabetes_absoluteerror", "diabetes", 50,
      {"objective": "reg:absoluteerror", "max_depth": 3},
      "reg:absoluteerror (1.7 refreshes leaf values with a quantile line search after each tree)."),
    M("diabetes_poisson", "diabetes", 50,
      {"objective": "count:poisson", "max_depth": 3},
      "count:poisson: pred = exp(margin); base_score 0.5 enters as log(0.5)."),
    M("diabetes_gamma", "diabetes", 50,
      {"objective": "reg:gamma", "max_depth": 3},
      "reg:gamma: pred = exp(margin); base margin log(base_score)."),
    M("diabetes_tweedie", "diabetes", 50,
      {"objective": "reg:tweedie", "max_depth": 3, "tweedie_variance_power": 1.5},
      "reg:tweedie (variance power 1.5): pred = exp(margin); base margin log(base_score)."),
    M("diabetes_logistic", "diabetes", 50,
      {"objective": "reg:logistic", "max_depth": 3},
      "reg:logistic on the target min-max scaled to [0,1] over the whole dataset: pred = sigmoid(margin).",
      target="minmax"),
    M("digits_softprob", "digits", 20,
      {"objective": "multi:softprob", "num_class": 10, "max_depth": 3},
      "10 classes: tree i belongs to class tree_info[i] (= i mod 10 here); pred = softmax over the 10 margins."),
    M("digits_softmax", "digits", 10,
      {"objective": "multi:softmax", "num_class": 10, "max_depth": 3},
      "multi:softmax: margin is nrows x 10, pred is one float class index per row (argmax)."),
    M("agaricus_logistic", "agaricus", 20,
      {"objective": "binary:logistic", "max_depth": 6},
      "127 one-hot columns; absent LibSVM entries densified as 0.0 (not missing)."),
    M("agaricus_dart", "agaricus", 20,
      {"objective": "binary:logistic", "booster": "dart", "max_depth": 4,
       "rate_drop": 0.2, "skip_drop": 0.3, "normalize_type": "forest", "sample_type": "weighted"},
      "DART with normalize_type=forest, sample_type=weighted; leaves scaled by weight_drop."),
    M("lgb_binary_weighted", "lgb_binary_missing", 100,
      {"objective": "binary:logistic", "max_depth": 6, "eta": 0.1, "gamma": 2.0, "min_child_weight": 10},
      "Sample weights from binary.train.weight; 10% NaN injected. gamma/min_child_weight prune the "
      "trees so 100 rounds of depth 6 fit the size budget.", weights=True),
    M("lgb_multiclass", "lgb_multiclass", 20,
      {"objective": "multi:softprob", "num_class": 5, "max_depth": 4, "eta": 0.2},
      "5 classes, 100 trees, tree_info cycles 0..4."),
    M("lgb_rank_pairwise", "lgb_rank", 50,
      {"objective": "rank:pairwise", "max_depth": 5, "eta": 0.1, "min_child_weight": 2},
      "Learning to rank with query groups (DMatrix.set_group); pred == margin."),
    M("lgb_rank_ndcg", "lgb_rank", 50,
      {"objective": "rank:ndcg", "max_depth": 5, "eta": 0.1, "min_child_weight": 0.5},
      "rank:ndcg with query groups; pred == margin."),
    M("deep_tree", "lgb_binary_missing", 12,
      {"objective": "binary:logistic", "tree_method": "hist", "grow_policy": "lossguide",
       "max_depth": 0, "max_leaves": 48, "min_child_weight": 0, "eta": 0.3},
      "Deep, unbalanced trees (lossguide, unlimited depth, 48 leaves, min_child_weight 0): "
      "see max_depth_observed; exercises long root-to-leaf paths without a huge file."),
    M("categorical", "digits_cat", 6,
      {"objective": "multi:softprob", "num_class": 10, "max_depth": 3, "tree_method": "hist",
       "max_cat_to_onehot": 4},
      "Partition-based categorical splits (split_type 1; category sets in categories/_nodes/_segments/_sizes). "
      "A value whose category is in the node's set goes RIGHT; other valid categories go left; NaN follows "
      "default_left. Even pixels categorical, odd numeric, 10% NaN.", categorical=True),
    M("categorical_onehot", "digits_cat", 6,
      {"objective": "binary:logistic", "max_depth": 3, "tree_method": "hist",
       "max_cat_to_onehot": 64},
      "One-hot categorical splits (max_cat_to_onehot=64 > 17 categories): each categorical node stores a "
      "single category, which goes RIGHT. Target: digit is even.", categorical=True, target="even"),
]


def load_data(shared):
    # Loaded lazily and once: the LightGBM files take a second or two to parse.
    cache = {}
    loaders = {
        "breast_cancer": data_breast_cancer,
        "diabetes": data_diabetes,
        "digits": data_digits,
        "digits_cat": data_digits_cat,
        "agaricus": lambda: data_agaricus(shared),
        "lgb_binary_missing": lambda: data_lgb_binary(shared, True),
        "lgb_multiclass": lambda: data_lgb_multiclass(shared),
        "lgb_rank": lambda: data_lgb_rank(shared),
    }

    def get(key):
        if key not in cache:
            cache[key] = loaders[key]()
        return cache[key]
    return get


def _targets(spec, y):
    t = spec.get("target")
    if t == "minmax":
        # Scale with the full dataset's range (fixed constants), so train and
        # eval labels are on one scale; labels only matter for training here.
        _, yall = load_diabetes(return_X_y=True)
        return (y - yall.min()) / (yall.max() - yall.min())
    if t == "even":
        return (y % 2 == 0).astype(np.float64)
    return y


def _dmatrix(X, d, spec, **kw):
    # missing=nan always: 0.0 is a real value in every dataset here.
    if spec.get("categorical"):
        return xgb.DMatrix(X, missing=np.nan, enable_categorical=True,
                           feature_types=d["feature_types"], **kw)
    return xgb.DMatrix(X, missing=np.nan, **kw)


def _trees(model_json):
    # gbtree keeps its trees at gradient_booster.model; dart wraps a gbtree
    # one level deeper (gradient_booster.gbtree.model) next to weight_drop.
    gb = model_json["learner"]["gradient_booster"]
    return (gb["model"] if "model" in gb else gb["gbtree"]["model"])["trees"]


def _tree_depths(model_json):
    # Observed depth (edges from root to deepest leaf) of every tree.
    out = []
    for t in _trees(model_json):
        left, right = t["left_children"], t["right_children"]
        best, stack = 0, [(0, 0)]
        while stack:
            n, dep = stack.pop()
            if left[n] == -1:
                best = max(best, dep)
            else:
                stack.append((left[n], dep + 1))
                stack.append((right[n], dep + 1))
        out.append(best)
    return out


def _f32(a):
    return np.ascontiguousarray(np.asarray(a, dtype=np.float32)).astype("<f4", copy=False)


def build(spec, get, outdir):
    d = get(spec["data"])
    params = dict(spec["params"])
    ytr = _targets(spec, d["ytr"])
    dtrain = _dmatrix(d["Xtr"], d, spec, label=ytr,
                      weight=d["wtr"] if spec.get("weights") else None)
    if "gtr" in d:
        dtrain.set_group(d["gtr"])
    booster = xgb.train(params, dtrain, num_boost_round=spec["rounds"])

    folder = outdir / spec["name"]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    model_path = folder / "model.json"
    booster.save_model(str(model_path))

    Xe = _f32(d["Xte"])
    # Fresh DMatrix per call (prediction cache is per DMatrix object).
    margin = booster.predict(_dmatrix(Xe, d, spec), output_margin=True)
    pred = booster.predict(_dmatrix(Xe, d, spec))
    margin = _f32(margin)
    pred = _f32(pred)
    num_groups = margin.shape[1] if margin.ndim == 2 else 1
    pred_width = pred.shape[1] if pred.ndim == 2 else 1

    Xe.tofile(folder / "rows.f32")
    margin.reshape(-1).tofile(folder / "margin.f32")
    pred.reshape(-1).tofile(folder / "pred.f32")

    mj = json.loads(model_path.read_text())
    trees = _trees(mj)
    depths = _tree_depths(mj)
    meta = {
        "name": spec["name"],
        "dataset": d["source"],
        "objective": params["objective"],
        "booster": params.get("booster", "gbtree"),
        "nrows": int(Xe.shape[0]),
        "ncols": int(Xe.shape[1]),
        "num_groups": int(num_groups),
        "pred_width": int(pred_width),
        "num_trees": len(trees),
        "max_depth": int(params.get("max_depth", 6)),
        "max_depth_observed": int(max(depths)),
        "num_nodes": int(sum(len(t["left_children"]) for t in trees)),
        "missing_injected": d["missing"],
        "missing_fraction_eval": round(float(np.isnan(Xe).mean()), 4),
        "xgboost_version": xgb.__version__,
        "notes": spec["notes"],
        "num_boost_round": spec["rounds"],
        "params": params,
        "base_score_json": mj["learner"]["learner_model_param"]["base_score"],
    }
    if spec.get("categorical"):
        meta["feature_types"] = d["feature_types"]
    if "gte" in d:
        meta["eval_groups"] = d["gte"]
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def check(outdir, name, categorical_types):
    """Reload model.json into a new Booster and demand bit-identical output."""
    folder = outdir / name
    meta = json.loads((folder / "meta.json").read_text())
    b = xgb.Booster(model_file=str(folder / "model.json"))
    X = np.fromfile(folder / "rows.f32", dtype="<f4").reshape(meta["nrows"], meta["ncols"])

    def dm():
        if categorical_types:
            return xgb.DMatrix(X, missing=np.nan, enable_categorical=True, feature_types=categorical_types)
        return xgb.DMatrix(X, missing=np.nan)
    m = _f32(b.predict(dm(), output_margin=True)).reshape(-1)
    p = _f32(b.predict(dm())).reshape(-1)
    m0 = np.fromfile(folder / "margin.f32", dtype="<f4")
    p0 = np.fromfile(folder / "pred.f32", dtype="<f4")
    ok_m = m.tobytes() == m0.tobytes()
    ok_p = p.tobytes() == p0.tobytes()
    assert m0.size == meta["nrows"] * meta["num_groups"], name
    assert p0.size == meta["nrows"] * meta["pred_width"], name
    assert np.isfinite(m0).all() and np.isfinite(p0).all(), name
    return ok_m and ok_p


def write_index(outdir, metas):
    index = {
        "format_version": FORMAT_VERSION,
        "generator": "tools/golden/make_xgb_golden.py",
        "xgboost_version": xgb.__version__,
        "models": [m["name"] for m in metas],
    }
    (outdir / "index.json").write_text(json.dumps(index, indent=2) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("TETRA_SHARED", DEFAULT_SHARED)))
    ap.add_argument("--only", nargs="*", help="generate only these models (index.json is not rewritten)")
    ap.add_argument("--no-check", action="store_true", help="skip the reload-and-compare check")
    args = ap.parse_args()

    if not xgb.__version__.startswith("1.7."):
        # The JSON layout and the float32 semantics documented in the README
        # were checked against 1.7.x; another version may be fine but should
        # be a conscious choice, since it rewrites every golden file.
        print(f"warning: xgboost {xgb.__version__}; the golden set was made with 1.7.4", file=sys.stderr)
    if not (args.shared / "datasets").is_dir():
        sys.exit(f"error: {args.shared}/datasets not found (LightGBM/agaricus data); pass --shared DIR")

    args.out.mkdir(parents=True, exist_ok=True)
    get = load_data(args.shared)
    specs = [s for s in MODELS if not args.only or s["name"] in args.only]
    metas = [build(s, get, args.out) for s in specs]

    total = 0
    bad = []
    print(f"{'name':26} {'objective':18} {'booster':7} {'trees':>5} {'nodes':>6} {'depth':>5} "
          f"{'rows':>4} {'cols':>4} {'model KB':>8} {'dir KB':>7} check")
    for m in metas:
        folder = args.out / m["name"]
        size = sum(f.stat().st_size for f in folder.iterdir())
        total += size
        ok = "skip"
        if not args.no_check:
            ok = "ok" if check(args.out, m["name"], m.get("feature_types")) else "MISMATCH"
            if ok != "ok":
                bad.append(m["name"])
        print(f"{m['name']:26} {m['objective']:18} {m['booster']:7} {m['num_trees']:5} {m['num_nodes']:6} "
              f"{m['max_depth_observed']:5} {m['nrows']:4} {m['ncols']:4} "
              f"{(folder / 'model.json').stat().st_size / 1024:8.1f} {size / 1024:7.1f} {ok}")
    if not args.only:
        write_index(args.out, metas)
    print(f"total {total / 1024:.1f} KB in {len(metas)} folders  "
          f"(xgboost {xgb.__version__}, sklearn {sklearn.__version__}, numpy {np.__version__})")
    if bad:
        sys.exit(f"error: reloaded model.json does not reproduce saved predictions: {bad}")


if __name__ == "__main__":
    main()
