#!/usr/bin/python3
"""Build the bundled demo model models/breast-cancer/1.0.0/ (manifest.json, model.json, examples.json).

Run from anywhere:

    /usr/bin/python3 tools/models/make_breast_cancer_bundle.py [--out DIR] [--no-retrain-check]

Requires Debian's python3-xgboost (1.7.4), python3-sklearn (1.2.1) and python3-numpy; no PyPI and no
network.  Deterministic: a second run writes byte-identical files.

What it does, and why:
  * model.json is a byte-for-byte copy of tests/golden/trees/breast_cancer_logistic/model.json: the
    demo's model IS the golden parity model, so every number the demo shows is covered by the parity
    tests.
  * The train/test split and the 10% NaN injection are recomputed with the golden generator's own
    functions (tools/golden/make_xgb_golden.py, imported, not copied), then checked against the golden
    files: the recomputed test rows must equal rows.f32 byte for byte, XGBoost's predictions of them
    must equal pred.f32 byte for byte, and (unless --no-retrain-check) retraining with the golden
    parameters must reproduce model.json byte for byte.  So the metrics below are real held-out
    numbers of exactly this model.
  * Metrics are reported with baselines beside them: the training-set class prior (a constant
    probability; its accuracy is the majority-class accuracy) and a standardised, mean-imputed
    scikit-learn LogisticRegression trained on the same training rows (same NaNs).
  * examples.json holds a few test rows picked by fixed rules (confident/borderline/misclassified,
    with and without missing values), each with XGBoost's own probability from pred.f32.
"""

import argparse
import hashlib
import importlib.util
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import sklearn
import xgboost as xgb
from sklearn.datasets import load_breast_cancer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

REPO = Path(__file__).resolve().parents[2]
GOLDEN_NAME = "breast_cancer_logistic"
GOLDEN = REPO / "tests" / "golden" / "trees" / GOLDEN_NAME
GOLDEN_SCRIPT = REPO / "tools" / "golden" / "make_xgb_golden.py"
NAME, VERSION = "breast-cancer", "1.0.0"
DEFAULT_OUT = REPO / "models" / NAME / VERSION
GENERATOR = "tools/models/make_breast_cancer_bundle.py"


def load_golden_module():
    spec = importlib.util.spec_from_file_location("make_xgb_golden", GOLDEN_SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ----------------------------------------------------------------------------------------------
# JSON with controlled number formatting.  Python's json prints a float32 widened to double with
# 17 digits (0.98131829500198364); we want float32 values in their shortest round-trip form for
# inputs ("17.99") and with 9 significant digits for probabilities (enough to round-trip float32).
# Numbers are carried as marker strings and substituted after json.dumps.
# ----------------------------------------------------------------------------------------------

_MARK = "\u0000num:"


def f32_short(x):
    """Shortest decimal that parses back to the same float32, or None for NaN."""
    x = np.float32(x)
    if np.isnan(x):
        return None
    s = np.format_float_positional(x, unique=True, trim="-")
    if len(s) > 12:  # very small/large: scientific is shorter and still exact
        s = np.format_float_scientific(x, unique=True, trim="-")
    return _MARK + s


def f32_9g(x):
    """A float32 printed with 9 significant digits (always round-trips to the same float32)."""
    x = np.float32(x)
    s = "%.9g" % float(x)
    assert np.float32(float(s)) == x
    return _MARK + s


def f64(x, digits=6):
    """A metric: a double rounded to a fixed number of decimals."""
    return _MARK + repr(round(float(x), digits))


def dumps(obj):
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    return re.sub(r'"\\u0000num:([^"]*)"', r"\1", text) + "\n"


def compact_rows(text):
    # Keep each example's 30 values on one line: the file stays readable.
    return re.sub(r'"values": \[\s*([^\]]*?)\s*\]',
                  lambda m: '"values": [' + ", ".join(v.strip() for v in m.group(1).split(",")) + "]",
                  text)


# ----------------------------------------------------------------------------------------------


def metrics(y, p):
    p = np.asarray(p, dtype=np.float64)
    return {
        "roc_auc": f64(roc_auc_score(y, p)),
        "accuracy": f64(accuracy_score(y, (p >= 0.5).astype(int))),
        "log_loss": f64(log_loss(y, np.clip(p, 1e-15, 1 - 1e-15), labels=[0, 1])),
    }


def pick_examples(X, y, p):
    """Fixed rules, so the choice is reproducible and reviewable: index into the golden eval rows."""
    n = len(y)
    nan = np.isnan(X).sum(axis=1)
    pred = (p >= 0.5).astype(int)
    chosen = []

    def take(title, candidates):
        for i in candidates:
            i = int(i)
            if i not in [c[0] for c in chosen]:
                chosen.append((i, title))
                return
        raise SystemExit(f"error: no test row for example rule {title!r}")

    idx = np.arange(n)
    take("Complete row, benign, confidently predicted",
         idx[(nan == 0) & (y == 1) & (p > 0.9)])
    take("Complete row, malignant, confidently predicted",
         idx[(nan == 0) & (y == 0) & (p < 0.1)])
    take("Benign, with missing values",
         idx[(nan >= 3) & (y == 1) & (pred == 1)])
    take("Malignant, with missing values",
         idx[(nan >= 3) & (y == 0) & (pred == 0)])
    take("Most missing values in the test split", np.argsort(-nan, kind="stable"))
    take("Closest to the decision threshold", np.argsort(np.abs(p - 0.5), kind="stable"))
    wrong = idx[pred != y]
    take("Misclassified by the model", wrong[np.argsort(-np.abs(p[wrong] - 0.5), kind="stable")]
         if len(wrong) else idx)
    unsure = idx[(y == 1) & (p >= 0.5) & (p < 0.9)]
    take("Benign, predicted with less confidence", unsure[np.argsort(p[unsure], kind="stable")])
    return chosen


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--no-retrain-check", action="store_true",
                    help="skip retraining the model to confirm model.json is reproduced byte for byte")
    args = ap.parse_args()

    if xgb.__version__ != "1.7.4":
        print(f"warning: xgboost {xgb.__version__}; the bundled model was made with 1.7.4", file=sys.stderr)

    golden = load_golden_module()
    spec = next(s for s in golden.MODELS if s["name"] == GOLDEN_NAME)
    assert spec["data"] == "breast_cancer"
    d = golden.data_breast_cancer()  # the exact split + NaN injection of the golden files
    Xtr, ytr, Xte, yte = d["Xtr"], d["ytr"].astype(int), golden._f32(d["Xte"]), d["yte"].astype(int)

    meta = json.loads((GOLDEN / "meta.json").read_text())
    model_bytes = (GOLDEN / "model.json").read_bytes()
    rows = np.fromfile(GOLDEN / "rows.f32", dtype="<f4").reshape(meta["nrows"], meta["ncols"])
    pred = np.fromfile(GOLDEN / "pred.f32", dtype="<f4")

    # 1. The recomputed test split is the golden eval set, and XGBoost reproduces pred.f32 from model.json.
    if Xte.tobytes() != rows.tobytes():
        sys.exit("error: the recomputed test split differs from tests/golden/trees/breast_cancer_logistic/rows.f32")
    booster = xgb.Booster(model_file=str(GOLDEN / "model.json"))
    p_xgb = golden._f32(booster.predict(xgb.DMatrix(Xte, missing=np.nan)))
    if p_xgb.tobytes() != pred.tobytes():
        sys.exit("error: XGBoost's predictions of the test split differ from pred.f32")

    # 2. Retraining with the golden parameters reproduces model.json byte for byte.
    retrain = "skipped"
    if not args.no_retrain_check:
        b2 = xgb.train(dict(spec["params"]), xgb.DMatrix(Xtr, label=ytr, missing=np.nan),
                       num_boost_round=spec["rounds"])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.json"
            b2.save_model(str(path))
            if path.read_bytes() != model_bytes:
                sys.exit("error: retraining with the golden parameters does not reproduce model.json")
        retrain = "ok"

    # 3. Metrics on the held-out test split, with baselines.
    prior = float(ytr.mean())  # P(benign) in the training split
    p_prior = np.full(len(yte), prior)
    logreg = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler(),
                           LogisticRegression(max_iter=1000))
    logreg.fit(Xtr.astype(np.float64), ytr)
    p_lr = logreg.predict_proba(Xte.astype(np.float64))[:, 1]

    ds = load_breast_cancer()
    feature_names = [str(n) for n in ds.feature_names]
    target_names = [str(n) for n in ds.target_names]
    assert target_names == ["malignant", "benign"] and len(feature_names) == meta["ncols"]

    features = []
    for j, fname in enumerate(feature_names):
        col = Xtr[:, j]
        ok = col[~np.isnan(col)]
        features.append({
            "name": fname,
            "index": j,
            "type": "number",
            "min": f32_short(ok.min()),
            "max": f32_short(ok.max()),
            "median": _MARK + "%.6g" % np.median(ok.astype(np.float64)),  # a UI hint: 6 digits
            "missing_fraction_train": f64(np.isnan(col).mean(), 4),
        })

    sha = hashlib.sha256(model_bytes).hexdigest()
    mj = json.loads(model_bytes)
    trees = mj["learner"]["gradient_booster"]["model"]["trees"]
    n_train, n_test = len(ytr), len(yte)

    manifest = {
        "manifest_version": 1,
        "name": NAME,
        "version": VERSION,
        "description": "Gradient-boosted trees (XGBoost binary:logistic) that score a breast mass as "
                       "benign or malignant from 30 measurements of cell nuclei in a digitised fine-needle "
                       "aspirate image. A demonstration model, not a medical device.",
        "task": "binary-classification",
        "framework": {"name": "xgboost", "version": xgb.__version__},
        "format": "xgboost-json",
        "files": {"model.json": {"sha256": sha, "bytes": len(model_bytes)}},
        "model": {
            "objective": spec["params"]["objective"],
            "booster": spec["params"].get("booster", "gbtree"),
            "num_trees": len(trees),
            "max_depth": spec["params"]["max_depth"],
            "num_features": meta["ncols"],
            "num_boost_round": spec["rounds"],
            "params": spec["params"],
            "base_score": mj["learner"]["learner_model_param"]["base_score"],
        },
        "output": {
            "kind": "probability",
            "of_label": "benign",
            "description": "The model outputs P(benign) = sigmoid(margin); P(malignant) = 1 - P(benign). "
                           "Predicted label: benign when P(benign) >= 0.5.",
            "threshold": 0.5,
        },
        "labels": [
            {"index": 0, "name": target_names[0]},
            {"index": 1, "name": target_names[1]},
        ],
        "missing_values": "Any feature may be missing (null / NaN / an empty input); the trees send it "
                          "along the default direction learned in training (10% of training cells were blanked).",
        "features": features,
        "training_data": {
            "dataset": "sklearn.datasets.load_breast_cancer",
            "dataset_package": f"Debian python3-sklearn {sklearn.__version__}",
            "original_source": "Breast Cancer Wisconsin (Diagnostic), UCI Machine Learning Repository "
                               "(Wolberg, Street, Mangasarian, 1995), https://doi.org/10.24432/C5DW2B",
            "license": "CC BY 4.0",
            "rows": int(len(ds.target)),
            "class_counts": {target_names[k]: int((ds.target == k).sum()) for k in (0, 1)},
            "split": {
                "method": "sklearn.model_selection.train_test_split, stratified by the label",
                "test_size": 0.3,
                "random_state": 20240601,
                "train_rows": n_train,
                "test_rows": n_test,
                "train_class_counts": {target_names[k]: int((ytr == k).sum()) for k in (0, 1)},
                "test_class_counts": {target_names[k]: int((yte == k).sum()) for k in (0, 1)},
            },
            "preprocessing": "Features cast to float32. No scaling (trees).",
            "missing_injection": {
                "rate": golden.MISSING_RATE,
                "method": "Each cell of the training rows, then of the test rows, set to NaN where "
                          "rng.random() < 0.1; rng = numpy.random.default_rng(first 4 bytes of "
                          "SHA-256('breast_cancer') as a little-endian integer).",
                "missing_fraction_test": f64(np.isnan(Xte).mean(), 4),
            },
            "code": "tools/golden/make_xgb_golden.py (data_breast_cancer)",
        },
        "evaluation": {
            "split": "test",
            "rows": n_test,
            "threshold": 0.5,
            "positive_label": "benign",
            "note": "Held-out test split (with its injected missing values); the model's probabilities "
                    "are XGBoost's own (tests/golden/trees/breast_cancer_logistic/pred.f32).",
            "metrics": {
                "model": metrics(yte, pred),
                "baselines": {
                    "prior": {
                        "description": f"Constant P(benign) = {prior:.4f}, the training-split class prior "
                                       "(its accuracy is that of always predicting the majority class, benign).",
                        **metrics(yte, p_prior),
                    },
                    "logistic_regression": {
                        "description": "scikit-learn LogisticRegression (L2, C=1, lbfgs) on mean-imputed, "
                                       "standardised features, trained on the same training rows.",
                        **metrics(yte, p_lr),
                    },
                },
            },
        },
        "intended_use": "Demonstrating exact in-browser scoring of an XGBoost model. Not for diagnosis.",
        "license": "Apache-2.0",
        "generator": GENERATOR,
        "golden": "tests/golden/trees/breast_cancer_logistic",
        "examples": "examples.json",
    }

    examples = []
    for i, title in pick_examples(Xte, yte, pred):
        examples.append({
            "id": f"test-{i}",
            "title": title,
            "row": i,
            "label": target_names[yte[i]],
            "label_index": int(yte[i]),
            "xgboost_probability": f32_9g(pred[i]),
            "missing": int(np.isnan(Xte[i]).sum()),
            "values": [f32_short(v) for v in Xte[i]],
        })
    ex_doc = {
        "model": f"{NAME}@{VERSION}",
        "description": "Rows of the held-out test split (index `row` into "
                       "tests/golden/trees/breast_cancer_logistic/rows.f32), values in feature order "
                       "(null = missing), with XGBoost 1.7.4's probability of benign (float32, 9 significant "
                       "digits) and the true label.",
        "feature_names": feature_names,
        "examples": examples,
    }

    args.out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(GOLDEN / "model.json", args.out / "model.json")
    (args.out / "manifest.json").write_text(dumps(manifest))
    (args.out / "examples.json").write_text(compact_rows(dumps(ex_doc)))

    # Self-check: what was written parses and the values round-trip.
    back = json.loads((args.out / "examples.json").read_text())
    for e in back["examples"]:
        v = np.array([np.nan if x is None else x for x in e["values"]], dtype=np.float32)
        assert v.tobytes() == Xte[e["row"]].tobytes(), e["id"]
        assert np.float32(e["xgboost_probability"]) == pred[e["row"]], e["id"]
    assert (args.out / "model.json").read_bytes() == model_bytes

    m = manifest["evaluation"]["metrics"]
    print(f"{NAME}@{VERSION}  sha256 {sha}  {len(model_bytes)} bytes  {len(trees)} trees")
    print(f"checks: test split == rows.f32 ok; XGBoost pred == pred.f32 ok; retrain == model.json {retrain}")
    print(f"{'test split (n=%d)' % n_test:28} {'roc_auc':>8} {'accuracy':>8} {'log_loss':>8}")
    for label, row in [("xgboost (this model)", m["model"]),
                       ("prior baseline", m["baselines"]["prior"]),
                       ("logistic regression", m["baselines"]["logistic_regression"])]:
        vals = [float(row[k][len(_MARK):]) for k in ("roc_auc", "accuracy", "log_loss")]
        print(f"{label:28} {vals[0]:8.4f} {vals[1]:8.4f} {vals[2]:8.4f}")
    print(f"examples: {len(examples)} rows {[e['row'] for e in examples]}")
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")


if __name__ == "__main__":
    main()
