"""Model tests the generated ``test_<name>_model.py`` calls: one function per test.

``Harness`` holds the session's ``ModelSetup`` (``specgen.runtime.contracts.model``),
reads the training data once, splits it by a salted hash of the row key into
train and evaluation rows, and trains/loads the models lazily, once per session.
Each ``check_*`` takes its threshold as an argument (the generated test shows
it) and raises ``AssertionError`` with a message naming the metric, slice,
feature or weight at fault and the bound it broke.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import time
from functools import cached_property
from pathlib import Path

import numpy as np

from . import io, leakage, metrics, synth
from .adapter import Model, add_import_paths, load_entrypoint, seed_everything
from .contracts.model import Bound, Metric, ModelSetup, SmokeColumn
from .hashing import split_mask
from .testing import data_path

__all__ = [
    "Harness", "MajorityClass", "TrainingMean", "trivial_model",
    "check_smoke", "check_reproducible", "check_reproducible_outputs", "check_quality", "check_vs_serving",
    "check_beats_trivial",
    "check_slice_rows", "check_slice", "check_stability", "check_leakage", "check_leakage_undeclared",
    "check_model_age",
]

_NUMERIC_DTYPES = ("float", "int", "datetime")


class Harness:
    def __init__(self, setup: ModelSetup, here: str | Path):
        self.setup = setup
        self.here = Path(here)
        add_import_paths(self.here, setup.paths)

    # -- data ---------------------------------------------------------------------------------
    @cached_property
    def data(self):
        path = data_path(self.here, self.setup.training_data, "SPECGEN_TRAINING_DATA")
        return io.read_pandas(path, self.setup.dtypes)

    @cached_property
    def evaluation_path(self) -> Path | None:
        """The held-out evaluation file (data.evaluation or $SPECGEN_EVALUATION_DATA), or None: a hash split."""
        return data_path(self.here, self.setup.evaluation_data, "SPECGEN_EVALUATION_DATA")

    @cached_property
    def hash_mask(self) -> np.ndarray:
        """The salted hash split of the training data (True: held out)."""
        split = self.setup.split
        date = dt.date.today() if split.rotate_daily else None
        return split_mask(self.data, list(split.key), split.salt, split.eval_fraction, date)

    @cached_property
    def eval_mask(self) -> np.ndarray:
        """Training rows held out for evaluation: none when a separate evaluation file is given."""
        if self.evaluation_path is not None:
            return np.zeros(len(self.data), dtype=bool)
        return self.hash_mask

    @cached_property
    def train_frame(self):
        return self.data[~self.eval_mask].reset_index(drop=True)

    @cached_property
    def eval_frame(self):
        if self.evaluation_path is not None:
            frame = io.read_pandas(self.evaluation_path, self.setup.dtypes)
            missing = [c for c in (self.setup.label, *self.setup.features) if c not in frame.columns]
            if missing:
                raise AssertionError(f"the evaluation file {_shown(self.evaluation_path)} lacks columns {missing}")
            if len(frame) == 0:
                raise AssertionError(f"the evaluation file {_shown(self.evaluation_path)} has no rows")
            return frame.reset_index(drop=True)
        frame = self.data[self.eval_mask].reset_index(drop=True)
        if len(frame) == 0:
            raise AssertionError("the evaluation split is empty: raise model.eval_fraction or add data")
        return frame

    @cached_property
    def eval_rows(self) -> np.ndarray:
        """Row number (0-based, in its data file) of each evaluation row."""
        if self.evaluation_path is not None:
            return np.arange(len(self.eval_frame))
        return np.flatnonzero(self.eval_mask)

    def rows_text(self, frame) -> str:
        """Which rows a score is on, for failure messages (``frame``: the evaluation rows or a slice of them):
        ``60 rows of the evaluation file data/eval.csv`` or ``60 evaluation rows (hash split of data/train.csv)``."""
        if self.evaluation_path is not None:
            return f"{len(frame)} rows of the evaluation file {_shown(self.evaluation_path)}"
        path = data_path(self.here, self.setup.training_data, "SPECGEN_TRAINING_DATA")
        return f"{len(frame)} evaluation rows (hash split of {_shown(path)})"

    def features(self, frame):
        return frame[list(self.setup.features)]

    def labels(self, frame) -> np.ndarray:
        return frame[self.setup.label].to_numpy()

    # -- models -------------------------------------------------------------------------------
    def entry(self, role: str):
        text = self.setup.entrypoints.get(role)
        return load_entrypoint(text, role) if text or os.environ.get(f"SPECGEN_MODEL_{role.upper()}") else None

    def wrap(self, raw, name: str = "the candidate model") -> Model:
        return Model(raw, adapter=self.entry("adapter"), predict=self.entry("predict"), name=name,
                     task=self.setup.task)

    def train(self, frame, name: str = "the candidate model") -> Model:
        seed_everything(self.setup.seed)
        return self.wrap(self.entry("train")(frame.copy(), self.setup.seed), name)

    @cached_property
    def candidate(self) -> Model:
        return self.train(self.train_frame)

    @cached_property
    def serving(self) -> Model:
        load = self.entry("load")
        if load is None:
            raise AssertionError("model.load is not set: there is no serving model to compare with")
        return self.wrap(load(), "the serving model")

    @cached_property
    def trivial(self) -> Model:
        """The trivial model of ML Test Score M5, from the candidate's training rows."""
        return Model(trivial_model(self.labels(self.train_frame), self.setup.task), name="the trivial model",
                     task=self.setup.task)

    @cached_property
    def runs(self) -> list[list[Model]]:
        """``runs`` groups of ``mean_of`` trainings each (the first training is the candidate)."""
        total = self.setup.runs * self.setup.mean_of
        models = [self.candidate] + [self.train(self.train_frame, f"training {i + 2} of {total}")
                                     for i in range(total - 1)]
        k = self.setup.mean_of
        return [models[i:i + k] for i in range(0, total, k)]

    # -- scoring ------------------------------------------------------------------------------
    def predict(self, model: Model, frame) -> np.ndarray:
        """``model.predict`` on ``frame``'s features; NaN predictions fail naming the rows."""
        pred = model.predict(self.features(frame))
        _no_nan(pred, f"{model.name} returned", "predictions", self._file_rows(frame))
        return pred

    def proba(self, model: Model, frame):
        """(probabilities, classes) of a classifier with predict_proba, else (None, None); NaN fails."""
        if self.setup.task != "classification":
            return None, None
        matrix, classes = model.proba(self.features(frame))
        if matrix is not None:
            _no_nan(matrix, f"{model.name}'s predict_proba returned", "probabilities", self._file_rows(frame))
        return matrix, classes

    def _file_rows(self, frame) -> np.ndarray:
        """The data-file row numbers of ``frame``: the evaluation rows or a slice of them (index kept)."""
        return self.eval_rows[frame.index.to_numpy()]

    def score(self, model: Model, frame, metric: Metric) -> float:
        y_true, name = self.labels(frame), metric.name
        _no_nan(y_true, f"the label {self.setup.label!r} has", "missing values", self._file_rows(frame))
        if metric.entrypoint is not None:
            return float(load_entrypoint(metric.entrypoint, f"metrics.{name}")(y_true, self.predict(model, frame)))
        if metrics.METRICS[name].input == "labels":
            inputs = {"y_pred": self.predict(model, frame)}
        else:
            matrix, classes = self.proba(model, frame)
            if matrix is None:
                raise AssertionError(f"{name} needs predicted probabilities: {model.name} has no predict_proba "
                                     "(add one, or an adapter)")
            inputs = {"y_score": matrix, "classes": classes}
        try:
            return metrics.compute(name, y_true, **inputs, **metric.kwargs)
        except ValueError as exc:  # the metric is undefined on these rows/outputs: say why, without a traceback
            raise AssertionError(f"{name} of {model.name} on {self.rows_text(frame)} cannot be computed: "
                                 f"{exc}") from None

    def slice_frame(self, name: str):
        return self.setup.slices[name].select(self.eval_frame)

    def synthetic(self, columns: tuple[SmokeColumn, ...], rows: int):
        return synth.random_frame(columns, rows, self.setup.seed,
                                  observed=lambda name: self.data[name].dropna().unique())


class MajorityClass:
    """Always the most frequent training class (ties: the first in sorted order); its
    probabilities are the training class shares. Deterministic: the same for every seed."""

    def __init__(self, y_train):
        y = np.asarray(y_train)
        classes, counts = np.unique(y, return_counts=True)
        self.classes_ = classes
        self.shares = counts / counts.sum()
        self.value = classes[int(np.argmax(counts))]  # argmax takes the first of equal counts
        self.dtype = y.dtype

    def predict(self, X) -> np.ndarray:
        return np.full(len(X), self.value, dtype=self.dtype)

    def predict_proba(self, X) -> np.ndarray:
        return np.tile(self.shares, (len(X), 1))


class TrainingMean:
    """Always the mean training label (regression)."""

    def __init__(self, y_train):
        self.value = float(np.mean(np.asarray(y_train, dtype=float)))

    def predict(self, X) -> np.ndarray:
        return np.full(len(X), self.value)


def trivial_model(y_train, task: str):
    """The simplest model for ``task`` fitted to the training labels alone (numpy only)."""
    if len(y_train) == 0:
        raise AssertionError("no training rows: the trivial model needs training labels")
    return TrainingMean(y_train) if task == "regression" else MajorityClass(y_train)


def _no_nan(values, who: str, what: str, rows: np.ndarray) -> None:
    """Fail readably when ``values`` hold NaN (or None): how many, and at which data-file rows."""
    array = np.asarray(values)
    if array.dtype.kind in "fc":
        bad = np.isnan(array)
    elif array.dtype.kind == "O":
        import pandas as pd

        bad = pd.isna(pd.DataFrame(array.reshape(len(array), -1))).to_numpy()
    else:
        return
    bad = bad.reshape(len(array), -1).any(axis=1)
    if bad.any():
        at = rows[np.flatnonzero(bad)]
        shown = ", ".join(str(int(r)) for r in at[:10]) + (", ..." if len(at) > 10 else "")
        raise AssertionError(f"{who} {int(bad.sum())} NaN {what} at rows {shown} (0-based data rows) of "
                             f"{len(array)} rows")


def _shown(path) -> str:
    """A data path as the user knows it: relative to the working directory when below it (a table or
    query in a database: as ``SqlData`` says it)."""
    if not isinstance(path, (str, Path)):
        return str(path)
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_smoke(h: Harness, columns: tuple[SmokeColumn, ...], rows: int) -> None:
    """ML API smoke test: train on ``rows`` random rows of ``columns``, predict, outputs well-formed."""
    frame = h.synthetic(columns, rows)
    model = h.train(frame)
    X, n = h.features(frame), len(frame)
    pred = model.predict(X)
    problems = []
    if pred.shape != (n,):
        problems.append(f"predict returned shape {pred.shape}, expected ({n},)")
    elif h.setup.task == "regression":
        if pred.dtype.kind not in "biuf":
            problems.append(f"predict returned dtype {pred.dtype}, expected numbers")
        elif not np.isfinite(pred.astype(float)).all():
            problems.append(f"{int((~np.isfinite(pred.astype(float))).sum())} non-finite predictions")
    else:
        unknown = set(pred.tolist()) - set(h.labels(frame).tolist())
        if unknown:
            problems.append(f"predict returned labels never seen in training: {sorted(map(str, unknown))[:5]}")
    problems += _proba_problems(model, X, n)
    if problems:
        raise AssertionError(f"ML API smoke test on {n} random schema rows: " + "; ".join(problems))


def _proba_problems(model: Model, X, n: int) -> list[str]:
    matrix, classes = model.proba(X)
    if matrix is None:
        return []
    if matrix.ndim != 2 or matrix.shape[0] != n or matrix.shape[1] != len(classes):
        return [f"predict_proba returned shape {matrix.shape}, expected ({n}, {len(classes)})"]
    if not np.isfinite(matrix).all():
        return [f"predict_proba returned {int((~np.isfinite(matrix)).sum())} non-finite values"]
    out = []
    if (matrix < 0).any() or (matrix > 1).any():
        out.append("predict_proba returned values outside [0, 1]")
    worst = float(np.abs(matrix.sum(axis=1) - 1).max())
    if worst > 1e-6:
        out.append(f"predict_proba rows do not sum to 1 (off by up to {worst:.3g})")
    return out


def check_reproducible(h: Harness, metric: Metric, tolerance: float) -> None:
    """Train ``runs`` times with the spec's seed: the metric must agree within ``tolerance`` (inclusive).

    With ``mean_of`` > 1 each run's score is the mean over that many trainings."""
    scores = [float(np.mean([h.score(m, h.eval_frame, metric) for m in group])) for group in h.runs]
    what = f"{metric.name} (scores {', '.join(f'{s:.6g}' for s in scores)})"
    _reproducible(h, max(scores) - min(scores), what, tolerance)


def check_reproducible_outputs(h: Harness, tolerance: float) -> None:
    """Train ``runs`` times with the spec's seed: the outputs must agree within ``tolerance`` (inclusive)."""
    _reproducible(h, _output_spread(h, h.runs), "the outputs (largest difference between runs)", tolerance)


def _reproducible(h: Harness, spread: float, what: str, tolerance: float) -> None:
    if not spread <= tolerance:
        runs = f"{len(h.runs)} runs (each the mean of {h.setup.mean_of} trainings)" if h.setup.mean_of > 1 \
            else f"{len(h.runs)} trainings"
        raise AssertionError(f"not reproducible: {runs} with seed {h.setup.seed} differ in {what} by "
                             f"{spread:.6g} > tolerance {tolerance:g} (allowed: a spread <= {tolerance:g}, "
                             "inclusive)")


def _output_spread(h: Harness, groups: list[list[Model]]) -> float:
    frame = h.eval_frame
    matrices = [[h.proba(m, frame)[0] for m in group] for group in groups]
    if all(p is not None for group in matrices for p in group):
        means = [np.mean(group, axis=0) for group in matrices]
        return float(max(np.abs(p - means[0]).max() for p in means))
    preds = [[h.predict(m, frame) for m in group] for group in groups]
    if h.setup.task == "regression":
        means = [np.mean([p.astype(float) for p in group], axis=0) for group in preds]
        return float(max(np.abs(p - means[0]).max() for p in means))
    votes = [_majority(group) for group in preds]  # labels: the most frequent label per row in each run
    return float(max(np.mean(p != votes[0]) for p in votes))


def _majority(predictions: list[np.ndarray]) -> np.ndarray:
    if len(predictions) == 1:
        return predictions[0]
    table = np.asarray(predictions, dtype=object).T
    return np.array([max(sorted(set(row), key=str), key=list(row).count) for row in table.tolist()], dtype=object)


def check_quality(h: Harness, metric: Metric, bound: Bound) -> None:
    """Absolute bound on the evaluation rows (catches slow degradation)."""
    value = h.score(h.candidate, h.eval_frame, metric)
    problem = bound.problem(value)
    if problem:
        raise AssertionError(f"{metric.name} = {value:.4g} on {h.rows_text(h.eval_frame)} is {problem} "
                             "(slow degradation)")


def check_vs_serving(h: Harness, metric: Metric, max_drop: float) -> None:
    """The candidate may be worse than the serving model by at most ``max_drop``, inclusive (sudden degradation)."""
    candidate = h.score(h.candidate, h.eval_frame, metric)
    serving = h.score(h.serving, h.eval_frame, metric)
    drop = serving - candidate if metric.greater_is_better else candidate - serving
    if not _allowed(metric, candidate, serving, max_drop):
        raise AssertionError(f"{metric.name}: candidate {candidate:.4g} vs serving {serving:.4g} on "
                             f"{h.rows_text(h.eval_frame)} is a drop of {drop:.4g} > max_drop {max_drop:g} "
                             f"(allowed: a drop <= {max_drop:g}, inclusive; sudden degradation)")


def _allowed(metric: Metric, candidate: float, serving: float, max_drop: float) -> bool:
    if metric.entrypoint is None:
        return metrics.allowed(metric.name, candidate, serving, max_drop)
    drop = serving - candidate if metric.greater_is_better else candidate - serving
    return drop <= max_drop or math.isclose(drop, max_drop, rel_tol=1e-9, abs_tol=1e-12)  # NaN: not allowed


def check_beats_trivial(h: Harness, metric: Metric, margin: float) -> None:
    """ML Test Score M5: the candidate beats a trivial model by at least ``margin``."""
    candidate = h.score(h.candidate, h.eval_frame, metric)
    trivial = h.score(h.trivial, h.eval_frame, metric)
    info = metrics.METRICS.get(metric.name) if metric.entrypoint is None else None
    greater_is_better = info.greater_is_better if info is not None else metric.greater_is_better
    gain = candidate - trivial if greater_is_better else trivial - candidate
    if not (gain >= margin or math.isclose(gain, margin, rel_tol=1e-9, abs_tol=1e-12)):  # NaN fails
        what = "majority-class" if h.setup.task == "classification" else "training-mean"
        raise AssertionError(f"{metric.name}: candidate {candidate:.4g} vs {what} model {trivial:.4g} on "
                             f"{h.rows_text(h.eval_frame)} is a gain of {gain:.4g} < margin {margin:g} "
                             f"(required: a gain >= {margin:g}, inclusive; a simpler model is as good)")


def check_slice_rows(h: Harness, name: str, min_rows: int) -> None:
    """A slice with too few evaluation rows fails instead of passing vacuously."""
    n = len(h.slice_frame(name))
    if n < min_rows:
        raise AssertionError(f"slice {name!r} has {n} of {h.rows_text(h.eval_frame)}, fewer than min_rows "
                             f"{min_rows} (required: >= {min_rows}, inclusive); its metrics would mean nothing")


def check_slice(h: Harness, name: str, metric: Metric, bound: Bound, min_rows: int) -> None:
    """``metric`` within ``bound`` on the slice's evaluation rows, of which there are ``min_rows`` or more."""
    check_slice_rows(h, name, min_rows)
    frame = h.slice_frame(name)
    value = h.score(h.candidate, frame, metric)
    problem = bound.problem(value)
    if problem:
        raise AssertionError(f"slice {name!r}: {metric.name} = {value:.4g} on {h.rows_text(frame)} is {problem}")


def check_stability(h: Harness, check: str, limit: float | None = None) -> None:
    """Weights and outputs finite; not too many weights exactly zero (``limit``: max_zero_fraction)."""
    if check == "outputs_finite":
        return _outputs_finite(h)
    params = h.candidate.parameters()
    if not params:
        raise AssertionError("no weights found (coef_, feature_importances_, ...): give the model "
                             "an adapter with parameters()")
    if check == "parameters_finite":
        bad = [(name, int((~np.isfinite(a)).sum())) for name, a in params if not np.isfinite(a).all()]
        if bad:
            raise AssertionError("non-finite weights (NaN or Inf): " + ", ".join(f"{n} has {k}" for n, k in bad))
    elif check == "zero_fraction":
        total = sum(a.size for _, a in params)
        zeros = sum(int((a == 0).sum()) for _, a in params)
        if total == 0 or zeros / total > limit:
            raise AssertionError(f"{zeros} of {total} weights are exactly zero ({zeros / max(total, 1):.1%} > "
                                 f"max_zero_fraction {limit:g}; allowed: <= {limit:g}, inclusive)")
    else:
        raise ValueError(f"unknown stability check {check!r}")


def _outputs_finite(h: Harness) -> None:
    X = h.features(h.eval_frame)
    outputs = [("predict", h.candidate.predict(X)), ("predict_proba", h.candidate.proba(X)[0])]  # regressor: None
    for name, out in outputs:
        if out is None or np.asarray(out).dtype.kind not in "biuf":  # class names cannot be non-finite
            continue
        values = np.asarray(out, dtype=float)
        if not np.isfinite(values).all():
            raise AssertionError(f"{name} returned {int((~np.isfinite(values)).sum())} non-finite values "
                                 f"on {len(X)} evaluation rows")


def check_leakage(h: Harness, column: str, measure: str, limit: float) -> None:
    """No single column may tell the label too well (a leaked label, or a proxy of it); value <= limit passes.

    Measured on the training data (the single-feature model fits on its hash split's training rows and
    is scored on its held-out rows), whichever evaluation rows the model tests use."""
    numeric = h.setup.dtypes[column] in _NUMERIC_DTYPES if column in h.setup.dtypes \
        else _looks_numeric(h.data[column])
    value, how = _leakage_value(h, column, measure, numeric)
    if not value <= limit:
        what = f"feature {column!r}" if column in h.setup.features else \
            f"column {column!r} (not a model feature, but train receives it)"
        raise AssertionError(f"label leakage: {what} predicts {h.setup.label!r} too well: "
                             f"{how} = {value:.4g} > {limit:g} (allowed: <= {limit:g}, inclusive)")


def _leakage_value(h: Harness, column: str, measure: str, numeric: bool) -> tuple[float, str]:
    label, task = h.setup.label, h.setup.task
    if measure == "association":
        return leakage.association(h.data[column], h.data[label], numeric, task == "regression")
    held_out = h.hash_mask
    fit, score = h.data[~held_out], h.data[held_out]
    value = leakage.single_feature_score(fit[column], fit[label].to_numpy(), score[column], score[label].to_numpy(),
                                         numeric, task)
    how = "accuracy" if task == "classification" else "r2"
    return value, f"{how} of a model using only this {'feature' if column in h.setup.features else 'column'}"


def _looks_numeric(series) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)) \
        or bool(pd.api.types.is_datetime64_any_dtype(series))


def check_leakage_undeclared(h: Harness, max_abs_correlation: float | None, max_score: float | None) -> None:
    """The leakage checks on every column of the training data the spec does not declare (the model's
    ``train`` receives the whole frame, so an undeclared column can leak too); value <= limit passes."""
    undeclared = [c for c in h.data.columns if c not in h.setup.dtypes and c != h.setup.label]
    limits = (("association", max_abs_correlation), ("single_feature", max_score))
    problems = []
    for column in undeclared:
        numeric = _looks_numeric(h.data[column])
        found = [(*_leakage_value(h, column, measure, numeric), limit) for measure, limit in limits
                 if limit is not None]
        bad = [f"{how} = {value:.4g} > {limit:g}" for value, how, limit in found if not value <= limit]
        if bad:
            problems.append(f"{column!r}: " + ", ".join(bad))
    if problems:
        raise AssertionError(f"label leakage in columns the spec does not declare (train receives them) "
                             f"predicting {h.setup.label!r}: " + "; ".join(problems) + " (limits inclusive)")


def check_model_age(h: Harness, max_model_age: str, max_model_age_seconds: float) -> None:
    """The serving model was trained within ``max_model_age`` (dynamic training)."""
    try:
        trained = h.serving.trained_at()
    except ValueError as exc:
        raise AssertionError(f"cannot tell when the serving model was trained: {exc}") from None
    source = "trained_at"
    if trained is None and h.setup.artifact is not None:
        artifact = (h.here.parent / h.setup.artifact).resolve()
        trained, source = os.stat(artifact).st_mtime, f"mtime of {artifact.name}"
    if trained is None:
        raise AssertionError("cannot tell when the serving model was trained: give it a trained_at "
                             "attribute or set model.artifact")
    age = time.time() - trained
    if not math.isfinite(age) or age > max_model_age_seconds:
        raise AssertionError(f"the serving model is {age / 86400:.1f} days old ({source}), older than "
                             f"max_model_age {max_model_age} (allowed: an age <= {max_model_age}, inclusive)")
