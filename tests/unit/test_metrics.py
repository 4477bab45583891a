"""specgen.runtime.metrics against scikit-learn (the reference) plus error cases."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from specgen.runtime import metrics as m

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = [0, 1, 2]

# (name, label alphabet, pos_label used for average="binary")
LABEL_SETS = [
    ("binary-int", [0, 1], 1),
    ("binary-str", ["neg", "pos"], "pos"),
    ("multi-int", [0, 1, 2, 3], None),
    ("multi-str", ["cat", "dog", "eel"], None),
]


def _labels(alphabet, n, rng, p=None):
    out = rng.choice(np.array(alphabet, dtype=object), size=n, p=p)
    if isinstance(alphabet[0], str):
        return out.astype(str)
    return out.astype(np.int64)


def _noisy_predictions(y_true, alphabet, rng, keep=0.6):
    """Predictions that agree with y_true ~keep of the time (so scores are non-trivial)."""
    y_pred = y_true.copy()
    flip = rng.random(y_true.shape[0]) > keep
    y_pred[flip] = _labels(alphabet, int(flip.sum()), rng)
    return y_pred


def _probabilities(y_true, classes, rng, strength=2.0):
    """Dirichlet probabilities with extra mass on the true class (columns = classes)."""
    k = len(classes)
    alpha = np.ones((y_true.shape[0], k))
    idx = np.searchsorted(np.array(classes), y_true)
    alpha[np.arange(y_true.shape[0]), idx] += strength
    return np.vstack([rng.dirichlet(a) for a in alpha])


SK_PRF = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}


# ---------------------------------------------------------------------------
# label metrics vs sklearn
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name,alphabet,pos", LABEL_SETS, ids=[s[0] for s in LABEL_SETS])
def test_accuracy_matches_sklearn(seed, name, alphabet, pos):
    rng = np.random.default_rng(seed)
    y_true = _labels(alphabet, 300, rng)
    y_pred = _noisy_predictions(y_true, alphabet, rng)
    assert m.accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred), abs=1e-12)


PRF_CASES = [
    pytest.param(name, alphabet, pos, average, id=f"{name}-{average}")
    for name, alphabet, pos in LABEL_SETS
    for average in ("macro", "micro", "weighted", "binary")
    if not (average == "binary" and pos is None)  # binary average needs two labels
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("metric", ["precision", "recall", "f1"])
@pytest.mark.parametrize("name,alphabet,pos,average", PRF_CASES)
def test_prf_matches_sklearn(seed, metric, name, alphabet, pos, average):
    rng = np.random.default_rng(seed)
    # imbalanced classes so macro, micro and weighted all differ
    p = np.linspace(1, 3, len(alphabet))
    y_true = _labels(alphabet, 400, rng, p=p / p.sum())
    y_pred = _noisy_predictions(y_true, alphabet, rng, keep=0.5)
    kwargs = {"average": average}
    if average == "binary":
        kwargs["pos_label"] = pos
    ours = getattr(m, metric)(y_true, y_pred, **kwargs)
    ref = SK_PRF[metric](y_true, y_pred, zero_division=0.0, **kwargs)
    assert ours == pytest.approx(ref, abs=1e-12)
    assert isinstance(ours, float)


@pytest.mark.parametrize("metric", ["precision", "recall", "f1"])
def test_binary_pos_label_other_class(metric):
    rng = np.random.default_rng(7)
    y_true = _labels([0, 1], 300, rng, p=[0.8, 0.2])
    y_pred = _noisy_predictions(y_true, [0, 1], rng)
    ours0 = getattr(m, metric)(y_true, y_pred, pos_label=0)
    ours1 = getattr(m, metric)(y_true, y_pred, pos_label=1)
    assert ours0 == pytest.approx(SK_PRF[metric](y_true, y_pred, pos_label=0), abs=1e-12)
    assert ours0 != pytest.approx(ours1)


@pytest.mark.parametrize("average", ["macro", "weighted", "micro"])
@pytest.mark.parametrize("metric", ["precision", "recall", "f1"])
def test_prf_class_never_predicted_uses_zero_division(metric, average):
    # class "c" occurs in y_true but is never predicted; "d" predicted but absent in y_true
    y_true = np.array(["a", "a", "b", "c", "c", "b", "a"])
    y_pred = np.array(["a", "b", "b", "a", "d", "b", "a"])
    for zd in (0.0, 1.0):
        ours = getattr(m, metric)(y_true, y_pred, average=average, zero_division=zd)
        ref = SK_PRF[metric](y_true, y_pred, average=average, zero_division=zd)
        assert ours == pytest.approx(ref, abs=1e-12)


def test_micro_equals_accuracy_for_multiclass():
    rng = np.random.default_rng(3)
    y_true = _labels([0, 1, 2], 200, rng)
    y_pred = _noisy_predictions(y_true, [0, 1, 2], rng)
    acc = m.accuracy(y_true, y_pred)
    for metric in (m.precision, m.recall, m.f1):
        assert metric(y_true, y_pred, average="micro") == pytest.approx(acc)


def test_accepts_lists_pandas_polars_and_object_arrays():
    y_true = ["x", "y", "y", "x", "z", "y"]
    y_pred = ["x", "y", "x", "x", "z", "z"]
    ref = skm.f1_score(y_true, y_pred, average="macro")
    for conv in (list, np.array, pd.Series, pl.Series, lambda v: np.array(v, dtype=object),
                 lambda v: pd.Series(v, dtype="category")):
        assert m.f1(conv(y_true), conv(y_pred), average="macro") == pytest.approx(ref)


label_alphabet = st.sampled_from([[0, 1], [0, 1, 2], [1, 2, 5, 9], ["a", "b"], ["a", "b", "c"]])


@settings(max_examples=150, deadline=None)
@given(data=st.data(), alphabet=label_alphabet)
def test_prf_property_matches_sklearn(data, alphabet):
    n = data.draw(st.integers(1, 25))
    y_true = data.draw(st.lists(st.sampled_from(alphabet), min_size=n, max_size=n))
    y_pred = data.draw(st.lists(st.sampled_from(alphabet), min_size=n, max_size=n))
    assert m.accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
    for metric, ref_fn in SK_PRF.items():
        for average in ("macro", "micro", "weighted"):
            ours = getattr(m, metric)(y_true, y_pred, average=average)
            ref = ref_fn(y_true, y_pred, average=average, zero_division=0.0)
            assert ours == pytest.approx(ref, abs=1e-12), (metric, average)
        if len(alphabet) == 2:
            pos = alphabet[1]
            ours = getattr(m, metric)(y_true, y_pred, average="binary", pos_label=pos)
            ref = ref_fn(y_true, y_pred, average="binary", pos_label=pos, zero_division=0.0)
            assert ours == pytest.approx(ref, abs=1e-12), (metric, "binary")


# ---------------------------------------------------------------------------
# roc_auc
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alphabet", [[0, 1], ["neg", "pos"], [3, 7]])
def test_roc_auc_binary_matches_sklearn(seed, alphabet):
    rng = np.random.default_rng(seed)
    y_true = _labels(alphabet, 500, rng, p=[0.7, 0.3])
    is_pos = y_true == alphabet[1]
    # informative scores, rounded so there are many ties
    score = np.round(rng.normal(size=500) + 0.8 * is_pos, 1)
    ours = m.roc_auc(y_true, score)
    assert ours == pytest.approx(skm.roc_auc_score(y_true, score), abs=1e-12)
    assert 0.5 < ours < 1.0  # the scores are informative; guards against a constant result
    # (n, 2) probability matrix, column 1 = greater label
    prob1 = 1 / (1 + np.exp(-score))
    mat = np.column_stack([1 - prob1, prob1])
    assert m.roc_auc(y_true, mat) == pytest.approx(skm.roc_auc_score(y_true, prob1), abs=1e-12)


def test_roc_auc_pos_label_smaller_label():
    rng = np.random.default_rng(11)
    y_true = _labels(["a", "b"], 200, rng)
    score = rng.random(200) + 0.5 * (y_true == "a")  # higher scores for "a"
    ours = m.roc_auc(y_true, score, pos_label="a")
    assert ours == pytest.approx(skm.roc_auc_score(y_true == "a", score), abs=1e-12)
    assert ours == pytest.approx(1 - m.roc_auc(y_true, score), abs=1e-12)
    assert ours > 0.6


def test_roc_auc_perfect_and_all_tied():
    assert m.roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert m.roc_auc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert m.roc_auc([0, 0, 1, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("classes", [[0, 1, 2, 3], ["cat", "dog", "eel"]])
def test_roc_auc_multiclass_ovr_macro_matches_sklearn(seed, classes):
    rng = np.random.default_rng(seed)
    y_true = _labels(classes, 400, rng)
    prob = _probabilities(y_true, classes, rng, strength=1.0)
    ref = skm.roc_auc_score(y_true, prob, multi_class="ovr", average="macro", labels=classes)
    assert m.roc_auc(y_true, prob, classes=classes) == pytest.approx(ref, abs=1e-12)
    assert m.roc_auc(y_true, prob) == pytest.approx(ref, abs=1e-12)  # classes inferred
    # permuting columns together with `classes` must not change the result
    perm = rng.permutation(len(classes))
    permuted = [classes[i] for i in perm]
    assert m.roc_auc(y_true, prob[:, perm], classes=permuted) == pytest.approx(ref, abs=1e-12)
    # ... while permuting only the columns must (guards against ignoring `classes`)
    assert m.roc_auc(y_true, prob[:, ::-1], classes=classes) != pytest.approx(ref, abs=1e-6)


def test_roc_auc_errors():
    with pytest.raises(ValueError, match="only one class"):
        m.roc_auc([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="only one class"):
        m.roc_auc([1, 1, 1], [0.1, 0.2, 0.3], classes=[0, 1])
    with pytest.raises(ValueError, match="exactly two classes"):
        m.roc_auc([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="length mismatch"):
        m.roc_auc([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="empty"):
        m.roc_auc([], [])
    with pytest.raises(ValueError, match="NaN"):
        m.roc_auc([0, 1], [0.1, np.nan])
    prob = np.array([[0.2, 0.3, 0.5], [0.6, 0.2, 0.2], [0.1, 0.1, 0.8]])
    with pytest.raises(ValueError, match="absent from y_true"):
        m.roc_auc([0, 1, 1], prob, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="3 columns"):
        m.roc_auc([0, 1, 1], prob)  # only two classes inferred from y_true
    with pytest.raises(ValueError, match="sum to 1"):
        m.roc_auc([0, 1, 2], prob * 2, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="not in classes"):
        m.roc_auc([0, 1, 5], prob, classes=[0, 1, 2])


# ---------------------------------------------------------------------------
# log_loss
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("classes", [[0, 1], ["no", "yes"], [0, 1, 2, 3], ["cat", "dog", "eel"]])
def test_log_loss_matches_sklearn(seed, classes):
    rng = np.random.default_rng(seed)
    y_true = _labels(classes, 300, rng)
    prob = _probabilities(y_true, classes, rng)
    # exercise clipping: some rows hard 0/1, including confidently wrong ones
    prob[:5] = 0.0
    prob[:5, 0] = 1.0
    ref = skm.log_loss(y_true, prob, labels=classes)
    assert m.log_loss(y_true, prob, classes=classes) == pytest.approx(ref, rel=1e-12)
    assert m.log_loss(y_true, prob) == pytest.approx(ref, rel=1e-12)
    if len(classes) == 2:  # 1-D = P(classes[1])
        assert m.log_loss(y_true, prob[:, 1]) == pytest.approx(
            skm.log_loss(y_true, prob[:, 1]), rel=1e-12
        )


def test_log_loss_float32_uses_float32_eps_like_sklearn():
    y_true = np.array([0, 1, 1, 0])
    prob = np.array([[1.0, 0.0], [1.0, 0.0], [0.3, 0.7], [0.6, 0.4]], dtype=np.float32)
    ref = skm.log_loss(y_true, prob)
    assert m.log_loss(y_true, prob) == pytest.approx(ref, rel=1e-5)
    # float64 eps clips much harder -> much larger loss for the confidently wrong row
    prob64 = np.array([[1.0, 0.0], [1.0, 0.0], [0.3, 0.7], [0.6, 0.4]])
    assert m.log_loss(y_true, prob64) == pytest.approx(skm.log_loss(y_true, prob64), rel=1e-12)
    assert m.log_loss(y_true, prob64) > ref + 4
    # float32 probabilities upcast to float64 no longer sum to 1 exactly; still accepted
    upcast = prob.astype(np.float64)
    assert abs(upcast.sum(axis=1) - 1).max() > np.sqrt(np.finfo(np.float64).eps)
    assert m.log_loss(y_true, upcast) == pytest.approx(m.log_loss(y_true, prob64), rel=1e-6)


def test_log_loss_classes_absent_from_y_true_and_custom_eps():
    y_true = ["a", "a", "b"]
    prob = np.array([[0.7, 0.2, 0.1], [0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])
    ref = skm.log_loss(y_true, prob, labels=["a", "b", "c"])
    assert m.log_loss(y_true, prob, classes=["a", "b", "c"]) == pytest.approx(ref)
    prob2 = np.array([[0.0, 1.0], [0.9, 0.1]])
    expected = -(math.log(1e-3) + math.log(0.9)) / 2
    assert m.log_loss([0, 0], prob2, classes=[0, 1], eps=1e-3) == pytest.approx(expected)


def test_log_loss_errors():
    prob = np.array([[0.5, 0.5], [0.2, 0.8]])
    with pytest.raises(ValueError, match="at least two classes"):
        m.log_loss([1, 1], prob)
    with pytest.raises(ValueError, match=r"within \[0, 1\]"):
        m.log_loss([0, 1], np.array([[1.2, -0.2], [0.2, 0.8]]))
    with pytest.raises(ValueError, match="sum to 1"):
        m.log_loss([0, 1], np.array([[0.5, 0.4], [0.2, 0.8]]))
    with pytest.raises(ValueError, match="columns"):
        m.log_loss([0, 1, 2], prob[[0, 1, 1]])
    with pytest.raises(ValueError, match="not in classes"):
        m.log_loss(["a", "z"], prob, classes=["a", "b"])
    with pytest.raises(ValueError, match="same kind"):
        m.log_loss(["a", "b"], prob, classes=[0, 1])
    with pytest.raises(ValueError, match="length mismatch"):
        m.log_loss([0, 1, 1], prob)
    with pytest.raises(ValueError, match="duplicates"):
        m.log_loss([0, 1], prob, classes=[0, 0])


# ---------------------------------------------------------------------------
# regression
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_regression_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.normal(10, 3, size=250)
    y_pred = y_true + rng.normal(0, 1.5, size=250)
    assert m.rmse(y_true, y_pred) == pytest.approx(skm.root_mean_squared_error(y_true, y_pred), rel=1e-12)
    assert m.mae(y_true, y_pred) == pytest.approx(skm.mean_absolute_error(y_true, y_pred), rel=1e-12)
    assert m.r2(y_true, y_pred) == pytest.approx(skm.r2_score(y_true, y_pred), rel=1e-12)
    # integer inputs and pandas/polars Series
    yi, pi = np.round(y_true).astype(int), np.round(y_pred).astype(int)
    assert m.rmse(pd.Series(yi), pl.Series(pi)) == pytest.approx(skm.root_mean_squared_error(yi, pi))
    assert m.r2(list(yi), list(pi)) == pytest.approx(skm.r2_score(yi, pi))


def test_r2_can_be_negative():
    assert m.r2([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]) == pytest.approx(-3.0)


def test_regression_errors():
    with pytest.raises(ValueError, match="constant"):
        m.r2([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="at least two"):
        m.r2([1.0], [1.0])
    with pytest.raises(ValueError, match="empty"):
        m.rmse([], [])
    with pytest.raises(ValueError, match="length mismatch"):
        m.mae([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="NaN or infinite"):
        m.rmse([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="NaN or infinite"):
        m.mae([1.0, 2.0], [1.0, np.inf])
    with pytest.raises(ValueError, match="numeric"):
        m.rmse(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match="1-dimensional"):
        m.rmse(np.ones((3, 2)), np.ones((3, 2)))


# ---------------------------------------------------------------------------
# label errors
# ---------------------------------------------------------------------------


def test_label_metric_errors():
    with pytest.raises(ValueError, match="empty"):
        m.accuracy([], [])
    with pytest.raises(ValueError, match="length mismatch"):
        m.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="multiclass"):
        m.f1([0, 1, 2], [0, 1, 2])  # default average="binary"
    with pytest.raises(ValueError, match="pos_label"):
        m.precision(["a", "b"], ["a", "b"])  # default pos_label=1 is not a label
    with pytest.raises(ValueError, match="same kind"):
        m.accuracy(["1", "0"], [1, 0])
    with pytest.raises(ValueError, match="missing"):
        m.accuracy([0.0, np.nan], [0.0, 1.0])
    with pytest.raises(ValueError, match="missing"):
        m.accuracy(np.array(["a", None], dtype=object), np.array(["a", "b"], dtype=object))
    with pytest.raises(ValueError, match="missing"):
        m.accuracy(pd.Series(["a", None, "b"], dtype="string"), ["a", "b", "b"])
    with pytest.raises(ValueError, match="only strings or only numbers"):
        m.accuracy(np.array(["a", 1], dtype=object), np.array(["a", "b"], dtype=object))
    with pytest.raises(ValueError, match="average must be one of"):
        m.recall([0, 1], [0, 1], average="samples")


def test_binary_pos_label_absent_everywhere_gives_zero_division():
    # sklearn behaves the same: one label present, pos_label not among them
    assert m.precision([0, 0], [0, 0]) == skm.precision_score([0, 0], [0, 0], zero_division=0.0) == 0.0
    assert m.recall([0, 0], [0, 0], zero_division=1.0) == 1.0


# ---------------------------------------------------------------------------
# registry, compute, allowed
# ---------------------------------------------------------------------------


def test_registry_contents():
    assert set(m.METRICS) == {
        "accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "rmse", "mae", "r2",
    }
    higher = {k for k, v in m.METRICS.items() if v.greater_is_better}
    assert higher == {"accuracy", "precision", "recall", "f1", "roc_auc", "r2"}
    assert m.METRICS["roc_auc"].input == "scores"
    assert m.METRICS["log_loss"].input == "probabilities"
    assert {k for k, v in m.METRICS.items() if v.input == "labels"} == {
        "accuracy", "precision", "recall", "f1", "rmse", "mae", "r2",
    }
    assert {k for k, v in m.METRICS.items() if v.task == "regression"} == {"rmse", "mae", "r2"}
    for name, info in m.METRICS.items():
        assert info.name == name
        assert info.func is getattr(m, name)


def test_compute_dispatches_to_each_metric():
    rng = np.random.default_rng(5)
    y = _labels([0, 1], 100, rng)
    pred = _noisy_predictions(y, [0, 1], rng)
    score = rng.random(100) * 0.5 + 0.5 * (y == 1)
    assert m.compute("accuracy", y, y_pred=pred) == m.accuracy(y, pred)
    assert m.compute("f1", y, pred, average="macro") == m.f1(y, pred, average="macro")
    assert m.compute("precision", y, pred, pos_label=0) == m.precision(y, pred, pos_label=0)
    assert m.compute("roc_auc", y, y_score=score) == m.roc_auc(y, score)
    assert m.compute("log_loss", y, y_score=score) == m.log_loss(y, score)
    yr = rng.normal(size=100)
    pr = yr + rng.normal(size=100)
    for name in ("rmse", "mae", "r2"):
        assert m.compute(name, yr, pr) == getattr(m, name)(yr, pr)


def test_compute_errors():
    with pytest.raises(ValueError) as exc:
        m.compute("acuracy", [0, 1], [0, 1])
    for name in m.METRICS:
        assert name in str(exc.value)
    with pytest.raises(ValueError, match="needs y_score"):
        m.compute("roc_auc", [0, 1], [0.2, 0.8])  # scores passed as y_pred
    with pytest.raises(ValueError, match="needs y_pred"):
        m.compute("accuracy", [0, 1], y_score=[0.2, 0.8])
    with pytest.raises(TypeError):
        m.compute("accuracy", [0, 1], [0, 1], bogus=1)


@pytest.mark.parametrize(
    "name,candidate,reference,max_drop,expected",
    [
        ("accuracy", 0.80, 0.85, 0.04, False),  # fell by 0.05
        ("accuracy", 0.80, 0.85, 0.06, True),
        ("accuracy", 0.90, 0.85, 0.0, True),  # improvement
        ("accuracy", 0.6, 0.7, 0.1, True),  # 0.7 - 0.6 = 0.09999999999999998
        ("accuracy", 0.7, 0.8, 0.1, True),  # 0.8 - 0.7 = 0.10000000000000009: float noise tolerated
        ("rmse", 1.1, 1.0, 0.1, True),  # 1.1 - 1.0 = 0.10000000000000009
        ("accuracy", 0.6999, 0.8, 0.1, False),
        ("accuracy", 0.5999, 0.7, 0.1, False),
        ("r2", 0.70, 0.75, 0.01, False),
        ("rmse", 1.10, 1.00, 0.05, False),  # error rose by 0.10 -> quality drop
        ("rmse", 1.04, 1.00, 0.05, True),
        ("rmse", 0.50, 1.00, 0.0, True),  # error fell -> improvement
        ("mae", 2.0, 1.0, 0.5, False),
        ("log_loss", 0.30, 0.35, 0.0, True),
        ("log_loss", 0.40, 0.35, 0.01, False),
    ],
)
def test_allowed_respects_direction(name, candidate, reference, max_drop, expected):
    assert m.allowed(name, candidate, reference, max_drop) is expected


def test_quality_drop_sign():
    assert m.quality_drop("accuracy", 0.8, 0.9) == pytest.approx(0.1)
    assert m.quality_drop("rmse", 0.8, 0.9) == pytest.approx(-0.1)


def test_allowed_errors():
    with pytest.raises(ValueError, match="valid metrics"):
        m.allowed("auc", 0.8, 0.9, 0.1)
    with pytest.raises(ValueError, match="max_drop"):
        m.allowed("accuracy", 0.8, 0.9, -0.1)
    with pytest.raises(ValueError, match="finite"):
        m.allowed("accuracy", float("nan"), 0.9, 0.1)
    with pytest.raises(ValueError, match="real number"):
        m.allowed("accuracy", 0.8, None, 0.1)


# ---------------------------------------------------------------------------
# runtime import hygiene
# ---------------------------------------------------------------------------


def test_module_imports_only_numpy():
    code = (
        "import sys; import specgen.runtime.metrics as m; "
        "bad = [x for x in ('sklearn', 'scipy', 'pandas', 'polars', 'jinja2', 'click', 'pydantic') "
        "if x in sys.modules]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip() == "[]"


def test_no_warnings_emitted():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.f1([0, 0, 1], [0, 0, 0])
        m.precision(["a", "b", "c"], ["a", "a", "a"], average="macro")
        m.log_loss([0, 1], [[1.0, 0.0], [1.0, 0.0]])
