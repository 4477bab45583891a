"""specgen.runtime leakage measures, model adapter and schema-driven random rows."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import association as scipy_association
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from specgen.runtime import leakage, synth
from specgen.runtime import model as sgm
from specgen.runtime.adapter import Model, load_entrypoint
from specgen.runtime.contracts.model import Entrypoints, Metric, ModelSetup, SmokeColumn, Split

REPO = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(0)


def test_pearson_matches_numpy_and_skips_missing():
    x, y = RNG.normal(size=200), RNG.normal(size=200)
    y = y + 0.5 * x
    assert leakage.pearson(x, y) == pytest.approx(abs(np.corrcoef(x, y)[0, 1]))
    assert leakage.pearson(np.append(x, np.nan), np.append(y, 1e9)) == pytest.approx(leakage.pearson(x, y))
    assert leakage.pearson(np.ones(5), np.arange(5)) == 0.0


def test_cramers_v_matches_scipy():
    x = RNG.choice(["a", "b", "c"], 300)
    y = np.where(RNG.random(300) < 0.6, x, RNG.choice(["a", "b", "c"], 300))
    table = pd.crosstab(x, y).to_numpy()
    assert leakage.cramers_v(x, y) == pytest.approx(scipy_association(table, method="cramer", correction=False))
    assert leakage.cramers_v(x, x) == pytest.approx(1.0)


def test_correlation_ratio():
    groups = np.repeat(["a", "b"], 50)
    assert leakage.correlation_ratio(groups, np.where(groups == "a", 1.0, 5.0)) == pytest.approx(1.0)
    assert leakage.correlation_ratio(groups, np.tile([1.0, 5.0], 50)) == pytest.approx(0.0)
    assert leakage.association(np.arange(100.0), groups, True, False)[1] == "correlation_ratio"


@pytest.mark.parametrize("numeric", [True, False])
def test_single_feature_score_sees_a_copy_of_the_label(numeric):
    y = RNG.choice(["p", "q", "r"], 400)
    codes = pd.Series(y).map({"p": 0.0, "q": 1.0, "r": 2.0}).to_numpy()
    x = codes if numeric else y
    noise = RNG.normal(size=400) if numeric else RNG.choice(["u", "v"], 400)
    assert leakage.single_feature_score(x[:300], y[:300], x[300:], y[300:], numeric, "classification") == 1.0
    assert leakage.single_feature_score(noise[:300], y[:300], noise[300:], y[300:], numeric, "classification") < 0.5


def test_single_feature_score_regression():
    x = RNG.uniform(0, 10, 500)
    y = 3 * x + RNG.normal(scale=0.1, size=500)
    assert leakage.single_feature_score(x[:400], y[:400], x[400:], y[400:], True, "regression") > 0.95
    assert leakage.single_feature_score(RNG.normal(size=400), y[:400], RNG.normal(size=100), y[400:],
                                        True, "regression") < 0.1


def test_sklearn_pipeline_weights_and_probabilities():
    X = pd.DataFrame({"a": RNG.normal(size=60), "c": RNG.choice(["x", "y"], 60)})
    y = np.where(X["a"] > 0, "pos", "neg")
    features = ColumnTransformer([("n", StandardScaler(), ["a"]), ("c", OneHotEncoder(), ["c"])])
    model = Model(Pipeline([("f", features), ("clf", LogisticRegression())]).fit(X, y))
    names = [name for name, _ in model.parameters()]
    assert names == ["clf.coef_", "clf.intercept_"]
    matrix, classes = model.proba(X)
    assert classes == ["neg", "pos"] and matrix.shape == (60, 2)
    forest = Model(RandomForestRegressor(n_estimators=3, random_state=0).fit(X[["a"]], X["a"]))
    assert [n for n, _ in forest.parameters()] == ["model.feature_importances_"]


def test_adapter_protocol_and_trained_at():
    class Adapter:
        trained_at = dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc)

        def __init__(self, raw):
            self.raw = raw

        def predict(self, X):
            return np.full((len(X), 1), self.raw)

        def parameters(self):
            return [np.array([[1.0, 0.0]]), [2.0]]

    model = Model(3.5, adapter=Adapter)
    assert model.predict(pd.DataFrame({"a": [1, 2]})).tolist() == [3.5, 3.5]
    assert model.proba(None) == (None, None)
    assert [a.tolist() for _, a in model.parameters()] == [[1.0, 0.0], [2.0]]
    assert model.trained_at() == Adapter.trained_at.timestamp()
    raw = type("Raw", (), {"predict": lambda self, X: X, "trained_at": 12.0})()
    assert Model(raw).trained_at() == 12.0


def test_load_entrypoint_messages_and_override(monkeypatch):
    assert load_entrypoint("os.path:join", "train") is __import__("os").path.join
    with pytest.raises(ImportError, match="model.train = 'no_such_mod:f': cannot import 'no_such_mod'"):
        load_entrypoint("no_such_mod:f", "train")
    with pytest.raises(AttributeError, match="module 'os' has no 'nope'"):
        load_entrypoint("os:nope", "load")
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", "os.path:basename")
    assert load_entrypoint("os:nope", "load") is __import__("os").path.basename


def test_random_frame_respects_the_schema():
    columns = [
        SmokeColumn(name="f", dtype="float", min=2.0, max=3.0, values=None, unique=False),
        SmokeColumn(name="i", dtype="int", min=5, max=7, values=None, unique=False),
        SmokeColumn(name="k", dtype="int", min=1, max=None, values=None, unique=True),
        SmokeColumn(name="c", dtype="category:str", min=None, max=None, values=("a", "b", "c"), unique=False),
        SmokeColumn(name="d", dtype="datetime", min="2024-01-01T00:00:00", max="2024-02-01T00:00:00",
                    values=None, unique=False),
        SmokeColumn(name="y", dtype="any", min=None, max=None, values=None, unique=False),
    ]
    frame = synth.random_frame(columns, 30, seed=1, observed=lambda name: ["L1", "L2"])
    assert frame["f"].between(2, 3).all() and frame["i"].between(5, 7).all()
    assert frame["k"].is_unique and set(frame["c"]) == {"a", "b", "c"} and set(frame["y"]) <= {"L1", "L2"}
    assert frame["d"].between(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")).all()
    assert frame.equals(synth.random_frame(columns, 30, seed=1, observed=lambda name: ["L1", "L2"]))


def test_runtime_model_imports_no_compiler():
    code = ("import sys, specgen.runtime.model; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('jinja2', 'click', 'pydantic', 'sklearn') or m.startswith('specgen.compiler')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_user_metric_drop_follows_its_direction_and_rejects_nan():
    from specgen.runtime.model import _allowed

    up = Metric(name="x", kwargs={}, entrypoint="m:f", greater_is_better=True)
    down = Metric(name="x", kwargs={}, entrypoint="m:f", greater_is_better=False)
    assert _allowed(up, 0.8, 0.85, 0.05) and not _allowed(up, 0.7, 0.85, 0.05)
    assert _allowed(down, 1.04, 1.0, 0.05) and not _allowed(down, 1.2, 1.0, 0.05)
    assert not _allowed(up, float("nan"), 0.85, 0.05)


# -- ML Test Score M5: the trivial model ---------------------------------------------------------

def test_majority_class_model_predicts_the_mode_with_training_shares():
    base = sgm.trivial_model(np.array(["b", "a", "b", "c", "a", "b"]), "classification")
    assert base.predict(np.zeros((3, 1))).tolist() == ["b", "b", "b"]
    matrix, classes = Model(base).proba(np.zeros((2, 1)))
    assert classes == ["a", "b", "c"] and matrix.tolist() == [[2 / 6, 3 / 6, 1 / 6]] * 2
    assert sgm.trivial_model(np.array([2, 1, 2, 1]), "classification").predict([0]).tolist() == [1]  # tie: first
    mean = sgm.trivial_model(np.array([1.0, 2.0, 6.0]), "regression")
    assert mean.predict(np.zeros((2, 1))).tolist() == [3.0, 3.0] and Model(mean).proba([0]) == (None, None)
    with pytest.raises(AssertionError, match="no training rows"):
        sgm.trivial_model(np.array([]), "classification")


class _Rule:
    """A model that predicts from x with ``rule`` (and one-hot probabilities over ``classes``)."""

    def __init__(self, rule, classes=None):
        self.rule, self.classes_ = rule, classes

    def predict(self, X):
        return np.array([self.rule(x) for x in X["x"]])

    def predict_proba(self, X):
        return (self.predict(X)[:, None] == np.array(self.classes_)[None, :]).astype(float) * 0.98 + 0.01


def _setup(task: str, **changes) -> ModelSetup:
    fields = dict(name="toy", task=task, label="y", features=("x",), dtypes={"x": "float"}, training_data="t.csv",
                  paths=(), entrypoints=Entrypoints(train="m:train", load=None, predict=None, adapter=None), seed=1,
                  split=Split(key=("x",), salt="s", eval_fraction=0.5, rotate_daily=False), runs=2, mean_of=1,
                  slices={}, artifact=None, evaluation_data=None)
    return ModelSetup(**{**fields, **changes})


def _harness(task, y_train, x_eval, y_eval, candidate):
    h = sgm.Harness(_setup(task), Path(__file__))
    h.__dict__.update(train_frame=pd.DataFrame({"x": np.zeros(len(y_train)), "y": y_train}),
                      eval_frame=pd.DataFrame({"x": x_eval, "y": y_eval}), eval_rows=np.arange(len(y_eval)),
                      candidate=Model(candidate, name="the candidate model", task=task))
    return h


CLASS_TRAIN = ["a"] * 6 + ["b"] * 4
X_EVAL, Y_EVAL = [0.1, 0.2, 0.7, 0.9], ["a", "a", "b", "b"]
GOOD = _Rule(lambda x: "b" if x > 0.5 else "a", ["a", "b"])
ALWAYS_A = _Rule(lambda x: "a", ["a", "b"])


def _metric(name: str) -> Metric:
    # greater_is_better None: a built-in's direction must come from METRICS, not from the contract
    return Metric(name=name, kwargs={}, entrypoint=None, greater_is_better=None)


@pytest.mark.parametrize("candidate, metric, margin, ok", [
    (GOOD, "accuracy", 0.5, True),            # 1.0 vs 0.5: gain 0.5 exactly
    (GOOD, "accuracy", 0.51, False),
    (ALWAYS_A, "accuracy", 0.0, True),        # as good as the trivial model, no margin asked
    (ALWAYS_A, "accuracy", 0.01, False),
    (GOOD, "log_loss", 0.5, True),            # a loss: the trivial model's must be higher
    (_Rule(lambda x: "a" if x > 0.5 else "b", ["a", "b"]), "log_loss", 0.0, False),  # confidently wrong
])
def test_beats_trivial_classification(candidate, metric, margin, ok):
    h = _harness("classification", CLASS_TRAIN, X_EVAL, Y_EVAL, candidate)
    if ok:
        sgm.check_beats_trivial(h, _metric(metric), margin)
    else:
        with pytest.raises(AssertionError, match=rf"^{metric}: candidate .* vs majority-class model .* "
                                                 rf"< margin {margin:g} \(required: a gain >= {margin:g}, inclusive; "
                                                 r"a simpler model is as good\)"):
            sgm.check_beats_trivial(h, _metric(metric), margin)


@pytest.mark.parametrize("rule, metric, margin, ok", [
    (lambda x: 10 * x, "rmse", 2.0, True),    # exact vs the training mean 5: rmse 0 vs sqrt(5)
    (lambda x: 10 * x, "r2", 0.9, True),
    (lambda x: 20.0, "rmse", 0.0, False),     # worse than always predicting the mean
    (lambda x: 20.0, "r2", 0.0, False),
])
def test_beats_trivial_regression(rule, metric, margin, ok):
    h = _harness("regression", [0.0, 10.0, 5.0, 5.0], [0.2, 0.4, 0.6, 0.8], [2.0, 4.0, 6.0, 8.0], _Rule(rule))
    if ok:
        sgm.check_beats_trivial(h, _metric(metric), margin)
    else:
        with pytest.raises(AssertionError, match=r"vs training-mean model \S+ on 4 evaluation rows "
                                                 r"\(hash split of \S+\) is a gain of -"):
            sgm.check_beats_trivial(h, _metric(metric), margin)


def test_model_runtime_needs_no_sklearn():
    code = "import sys, specgen.runtime.model; print('sklearn' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
