#!/usr/bin/python3
"""Re-derive every golden margin/pred from model.json alone, in numpy float32.

    /usr/bin/python3 tools/golden/check_golden.py [--dir tests/golden/trees]

This is an executable specification of what tetra's predictor must do to match
XGBoost 1.7.4 bit for bit: it reads model.json with nothing but `json`, walks
the trees itself, accumulates in float32 in a fixed order, applies the
objective's transform, and compares with margin.f32 / pred.f32.  If xgboost is
importable it also cross-checks every visited leaf against
Booster.predict(pred_leaf=True), so a traversal bug and an accumulation bug
cannot hide each other.

Why a separate script: the generator's own check only proves that XGBoost
agrees with itself after a save/load round trip; this one proves the
documented semantics (README.md) are the whole story.
"""

import argparse
import ctypes
import ctypes.util
import json
import sys
from pathlib import Path

import numpy as np

f32 = np.float32

# XGBoost calls the C library's expf/logf on float.  numpy's float32 exp is
# its own SIMD implementation and can differ by an ulp, so use libm's directly
# to test whether "same formula, same libm" reproduces pred bit for bit.
_libm = ctypes.CDLL(ctypes.util.find_library("m"))
_libm.expf.restype = ctypes.c_float
_libm.expf.argtypes = [ctypes.c_float]
_libm.logf.restype = ctypes.c_float
_libm.logf.argtypes = [ctypes.c_float]


def expf(x):
    return f32(_libm.expf(float(x)))


def logf(x):
    return f32(_libm.logf(float(x)))


def trees_of(mj):
    gb = mj["learner"]["gradient_booster"]
    if gb["name"] == "dart":
        return gb["gbtree"]["model"], [f32(w) for w in gb["weight_drop"]]
    model = gb["model"]
    return model, [f32(1.0)] * len(model["trees"])


def base_margin(objective, base_score):
    # base_score is stored as the *prediction-space* value (a probability for
    # logistic objectives, a mean for log-link ones); the margin starts at its
    # inverse link, computed in float32.
    b = f32(base_score)
    if objective in ("binary:logistic", "reg:logistic"):
        # binary:logitraw is deliberately NOT here: its base_score is used
        # as the raw margin (0.5), checked against its golden file.
        return -logf(f32(f32(1.0) / b) - f32(1.0))
    if objective in ("count:poisson", "reg:gamma", "reg:tweedie"):
        return logf(b)
    return b


def leaf_of(tree, x):
    """Return the leaf node id reached by row x (float32 array)."""
    left, right = tree["left_children"], tree["right_children"]
    feat, cond, dleft = tree["split_indices"], tree["split_conditions"], tree["default_left"]
    stype = tree.get("split_type") or [0] * len(left)
    # Category set per categorical node, from the segment arrays.
    cats = {}
    for k, nid in enumerate(tree.get("categories_nodes", [])):
        s, n = tree["categories_segments"][k], tree["categories_sizes"][k]
        cats[nid] = set(tree["categories"][s:s + n])
    n = 0
    while left[n] != -1:
        v = x[feat[n]]
        if np.isnan(v):
            go_left = bool(dleft[n])
        elif stype[n] == 1:
            # Categorical: category in the node's set -> right, else left.
            # Probed on 1.7.4 (not in the golden rows, which hold only
            # integers 0..16): 2.7 acts as 2 (truncation); negative values and
            # categories above the largest one seen (17, 100, 1e7, 2^24) go
            # LEFT whatever default_left says; only NaN uses default_left;
            # +-inf is refused by DMatrix before prediction.
            if v < 0 or v >= 16777216:
                go_left = True
            else:
                go_left = int(v) not in cats[n]
        else:
            go_left = bool(v < f32(cond[n]))
        n = left[n] if go_left else right[n]
    return n


def transform(objective, m):
    """Objective's output transform in float32; m is (nrows, ngroups)."""
    one = f32(1.0)
    if objective in ("binary:logistic", "reg:logistic"):
        return np.array([[one / (one + expf(-v)) for v in row] for row in m], dtype=f32)
    if objective in ("count:poisson", "reg:gamma", "reg:tweedie"):
        return np.array([[expf(v) for v in row] for row in m], dtype=f32)
    if objective == "multi:softprob":
        out = np.empty_like(m)
        for r, row in enumerate(m):
            mx = row.max()
            e = [expf(v - mx) for v in row]
            # XGBoost sums the exponentials in a *double* (class order) and
            # divides each float32 exponential by that sum rounded to float32.
            s = 0.0
            for v in e:
                s += float(v)
            out[r] = [f32(v / f32(s)) for v in e]
        return out
    if objective == "multi:softmax":
        return np.argmax(m, axis=1).astype(f32).reshape(-1, 1)   # first max wins
    return m.copy()   # logitraw, squarederror, absoluteerror, rank:*


def check_folder(folder):
    meta = json.loads((folder / "meta.json").read_text())
    mj = json.loads((folder / "model.json").read_text())   # Python's json accepts the NaN literal
    X = np.fromfile(folder / "rows.f32", dtype="<f4").reshape(meta["nrows"], meta["ncols"])
    margin_ref = np.fromfile(folder / "margin.f32", dtype="<f4").reshape(meta["nrows"], meta["num_groups"])
    pred_ref = np.fromfile(folder / "pred.f32", dtype="<f4").reshape(meta["nrows"], meta["pred_width"])
    obj = mj["learner"]["objective"]["name"]
    lmp = mj["learner"]["learner_model_param"]
    model, weights = trees_of(mj)
    trees, tree_info = model["trees"], model["tree_info"]
    cat_types = mj["learner"].get("feature_types") or []
    base = base_margin(obj, float(lmp["base_score"]))

    leaves = np.array([[leaf_of(t, x) for t in trees] for x in X], dtype=np.int64)
    leaf_ok = None
    try:
        import xgboost as xgb
        b = xgb.Booster(model_file=str(folder / "model.json"))
        kw = {}
        if "c" in cat_types:
            kw = dict(enable_categorical=True, feature_types=cat_types)
        pl = b.predict(xgb.DMatrix(X, missing=np.nan, **kw), pred_leaf=True).reshape(len(X), -1)
        leaf_ok = bool((pl.astype(np.int64) == leaves).all())
    except ImportError:
        pass

    # Hypothesis A: out = base; for each tree in file order: out[g] += w_i * leaf (all float32).
    G = meta["num_groups"]
    m = np.full((len(X), G), base, dtype=f32)
    for i, t in enumerate(trees):
        vals = np.array(t["split_conditions"], dtype=f32)[leaves[:, i]]
        g = tree_info[i]
        m[:, g] = (m[:, g] + vals * weights[i]).astype(f32)
    margin_ok = m.tobytes() == margin_ref.tobytes()

    # Alternative, to show that the order matters: sum leaves first, add base last.
    alt = np.zeros((len(X), G), dtype=f32)
    for i, t in enumerate(trees):
        vals = np.array(t["split_conditions"], dtype=f32)[leaves[:, i]]
        alt[:, tree_info[i]] = (alt[:, tree_info[i]] + vals * weights[i]).astype(f32)
    alt = (alt + base).astype(f32)
    alt_ok = alt.tobytes() == margin_ref.tobytes()
    # And float64 accumulation rounded once at the end.
    d64 = np.full((len(X), G), float(base))
    for i, t in enumerate(trees):
        vals = np.array(t["split_conditions"], dtype=np.float64)[leaves[:, i]]
        d64[:, tree_info[i]] += vals * float(weights[i])
    d64_ok = d64.astype(f32).tobytes() == margin_ref.tobytes()

    p = transform(obj, margin_ref)           # transform of the *reference* margin
    pred_ok = p.tobytes() == pred_ref.tobytes()
    ulp = int(np.abs(p.view(np.int32).astype(np.int64) - pred_ref.view(np.int32).astype(np.int64)).max())
    mdiff = float(np.abs(m.astype(np.float64) - margin_ref).max())
    return dict(name=meta["name"], obj=obj, leaf_ok=leaf_ok, margin_ok=margin_ok, alt_ok=alt_ok,
                d64_ok=d64_ok, pred_ok=pred_ok, pred_ulp=ulp, margin_maxabs=mdiff,
                base=float(base), base_score=lmp["base_score"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", type=Path, default=Path(__file__).resolve().parents[2] / "tests" / "golden" / "trees")
    args = ap.parse_args()
    names = json.loads((args.dir / "index.json").read_text())["models"]
    print(f"{'name':26} {'objective':18} {'base_score':>10} {'base margin':>12} leaves margin "
          f"{'base-last':>9} {'f64-sum':>7} pred (ulp)")
    failed = []
    for n in names:
        r = check_folder(args.dir / n)
        print(f"{r['name']:26} {r['obj']:18} {r['base_score']:>10} {r['base']:12.7g} "
              f"{str(r['leaf_ok']):6} {str(r['margin_ok']):6} {str(r['alt_ok']):>9} {str(r['d64_ok']):>7} "
              f"{str(r['pred_ok'])} ({r['pred_ulp']})")
        if not (r["margin_ok"] and r["leaf_ok"] is not False):
            failed.append(n)
    print("leaves: own traversal == pred_leaf; margin: base, then float32 += w*leaf per tree in file order;\n"
          "base-last / f64-sum: the same sums with the base added last / in double -- expected False\n"
          "(base-last is trivially True when the base margin is -0); pred: transform of margin.f32 (max ulp).")
    if failed:
        sys.exit(f"error: reference predictor disagrees with golden margins: {failed}")


if __name__ == "__main__":
    main()
