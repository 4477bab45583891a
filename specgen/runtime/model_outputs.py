"""The serving model's outputs on a table, for prediction drift, and the model's identity.

The model is loaded through the spec's entrypoints (``model.load``, ``model.adapter``,
``model.predict``; the ``SPECGEN_MODEL_<ROLE>`` overrides apply) with the runtime
adapter the model tests use, so monitoring sees the model the tests saw. Outputs are
one column per output: ``prediction`` (what ``predict`` returns: a class, as text, or a
number) and, for a classifier with ``predict_proba``, ``proba:<class>`` per class.
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numpy as np
import polars as pl

from ..errors import SpecgenError
from .adapter import Model, load_entrypoint
from .contracts.constants import PREDICTION_OUTPUT, PROBA_PREFIX
from .usercode import UserCodeError, call_user

__all__ = ["ModelError", "load_model", "outputs", "model_version", "trained_at", "Predictor",
           "PREDICTION_OUTPUT", "PROBA_PREFIX"]

_VERSION_ATTRIBUTES = ("model_version", "version", "version_", "__version__")


class ModelError(SpecgenError):
    """The serving model cannot be loaded or fails to predict."""

    def __init__(self, message: str):
        super().__init__(f"{message} [SG306]", "SG306")


def load_model(paths: list[str | Path], entrypoints: dict, task: str | None = None) -> Model:
    """The serving model behind the adapter interface (``paths`` go in front of ``sys.path``); a ``task`` of
    regression means predict_proba is never called."""
    for path in reversed([str(Path(p).resolve()) for p in paths]):
        if path not in sys.path:
            sys.path.insert(0, path)

    def entry(role: str):
        text = entrypoints.get(role)
        if not (text or os.environ.get(f"SPECGEN_MODEL_{role.upper()}")):
            return None
        # importing runs the module's top-level code: user code too
        return call_user(load_entrypoint, text, role, what=f"model.{role} (import)")

    try:
        load = entry("load")
        if load is None:
            raise ModelError("model.load is not set: there is no serving model to run")
        adapter, predict = entry("adapter"), entry("predict")
        return call_user(Model, call_user(load, what="model.load"), adapter=adapter, predict=predict,
                         name="the serving model", task=task, what="model.adapter")
    except UserCodeError as exc:
        raise ModelError(f"cannot load the serving model: {exc.detail}") from None
    except SpecgenError:
        raise
    except Exception as exc:  # user code: any failure is a user error, reported without a traceback
        raise ModelError(f"cannot load the serving model: {type(exc).__name__}: {exc}") from None


def outputs(model: Model, frame: pl.DataFrame, features: list[str], task: str) -> pl.DataFrame:
    """One column per model output for every row of ``frame`` (pandas in, as the model tests feed it)."""
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise ModelError(f"the model needs features missing from the data: {missing[:5]}")
    X = frame.select(features).to_pandas()
    try:
        predicted = np.asarray(call_user(model.predict, X, what="model.predict"))
        matrix, classes = call_user(model.proba, X, what="model.predict_proba") if task == "classification" \
            else (None, None)
    except UserCodeError as exc:
        raise ModelError(f"the serving model failed to predict: {exc.detail}") from None
    if predicted.shape != (frame.height,):
        raise ModelError(f"predict returned shape {predicted.shape} for {frame.height} rows")
    if task == "classification":
        columns = {PREDICTION_OUTPUT: pl.Series([None if v is None else str(v) for v in predicted.tolist()],
                                                dtype=pl.String)}
        if matrix is not None:
            columns.update({f"{PROBA_PREFIX}{c}": pl.Series(matrix[:, j], dtype=pl.Float64)
                            for j, c in enumerate(classes)})
    else:
        try:
            values = predicted.astype(float)
        except (TypeError, ValueError):  # e.g. a regressor returning text (C9)
            raise ModelError(f"predict of a regression model returned non-numeric values "
                             f"(e.g. {predicted[:3].tolist()!r})") from None
        columns = {PREDICTION_OUTPUT: pl.Series(values, dtype=pl.Float64)}
    return pl.DataFrame(columns)


def model_version(model: Model | None, artifact: str | Path | None) -> str:
    """The model's own version attribute, else ``sha256:<12 hex>`` of the artifact file, else ``unknown``."""
    for obj in (() if model is None else (model.impl, model.raw)):
        for attr in _VERSION_ATTRIBUTES:
            value = getattr(obj, attr, None)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
                return str(value)
    if artifact is not None and Path(artifact).is_file():
        digest = hashlib.sha256()
        with open(artifact, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return f"sha256:{digest.hexdigest()[:12]}"
    return "unknown"


def trained_at(model: Model | None, artifact: str | Path | None) -> float | None:
    """POSIX seconds of training: the model's ``trained_at``, else the artifact's mtime (as the age test)."""
    try:
        value = model.trained_at() if model is not None else None
    except ValueError as exc:
        raise ModelError(f"cannot tell when the serving model was trained: {exc}") from None
    if value is None and artifact is not None and Path(artifact).is_file():
        value = os.stat(artifact).st_mtime
    return value


class Predictor:
    """Loads the serving model on first use only: a batch carrying its predictions never loads it."""

    def __init__(self, paths: list[str | Path], entrypoints: dict, features: list[str], task: str):
        self.paths, self.entrypoints, self.features, self.task = paths, entrypoints, features, task
        self.model: Model | None = None

    def __call__(self, chunk: pl.DataFrame) -> pl.DataFrame:
        if self.model is None:
            self.model = load_model(self.paths, self.entrypoints, self.task)
        return outputs(self.model, chunk, self.features, self.task)
