"""How the generated model tests talk to a user's model.

Entrypoints are ``"package.module:function"`` strings from the spec, imported at
test time. scikit-learn-style estimators (and Pipelines) work as they are:
``predict``, ``predict_proba`` + ``classes_``, weights from ``coef_``,
``intercept_``, ``coefs_``, ``intercepts_`` and ``feature_importances_``.

Anything else (PyTorch, XGBoost, a REST client) gets an adapter: the spec's
``model.adapter`` names a function ``model -> object`` with

* ``predict(X: pandas.DataFrame) -> 1-D array``  (required)
* ``predict_proba(X) -> (n, k) array`` and ``classes_`` (classification, optional)
* ``parameters() -> iterable of array-likes`` (weights, for the stability tests)
* ``trained_at``: a ``datetime``, POSIX seconds or a text of either (for the model-age test)

``model.predict`` (``(model, X) -> predictions``) overrides ``predict`` alone.
"""
from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import os
import random
import sys

import numpy as np

from .timezones import parse_instant

__all__ = ["Model", "load_entrypoint", "seed_everything", "ENV_OVERRIDES"]

#: spec role -> environment variable that replaces its entrypoint (e.g. to test a candidate)
ENV_OVERRIDES = {role: f"SPECGEN_MODEL_{role.upper()}" for role in ("train", "load", "predict", "adapter")}
_WEIGHTS = ("coef_", "intercept_", "coefs_", "intercepts_", "feature_importances_")


def add_import_paths(here, paths) -> None:
    """Put the spec's entrypoint directories (relative to the generated suite) first on sys.path."""
    from pathlib import Path

    for rel in reversed(paths):
        path = str((Path(here).parent / rel).resolve())
        if path not in sys.path:
            sys.path.insert(0, path)


def load_entrypoint(text: str, role: str):
    """``'pkg.mod:func'`` -> the function (``$SPECGEN_MODEL_<ROLE>`` wins over the spec)."""
    text = os.environ.get(ENV_OVERRIDES.get(role, ""), "") or text
    module_name, _, attr = text.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(f"model.{role} = {text!r}: cannot import {module_name!r} ({exc}); "
                          f"sys.path starts with {sys.path[:3]}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise AttributeError(f"model.{role} = {text!r}: module {module_name!r} has no {attr!r}") from None


def seed_everything(seed: int) -> None:
    """Seed every global RNG we can find: random, numpy and (when installed) torch."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch.manual_seed(seed)


class Model:
    """A trained model behind one interface, whatever it is."""

    def __init__(self, raw, adapter=None, predict=None, name: str = "the model", task: str | None = None):
        self.raw = raw
        self.impl = adapter(raw) if adapter is not None else raw
        self._predict = predict
        self.name = name  # for failure messages: "the candidate model", "the serving model"
        self.task = task  # "regression": predict_proba is never asked for, whatever the model defines

    def predict(self, X) -> np.ndarray:
        out = self._predict(self.raw, X) if self._predict is not None else self.impl.predict(X)
        return np.asarray(out).reshape(-1) if np.ndim(out) > 1 and np.shape(out)[-1] == 1 else np.asarray(out)

    def proba(self, X):
        """(probability matrix, class list), or (None, None) for a regressor or a model without predict_proba."""
        if self.task == "regression" or not callable(getattr(self.impl, "predict_proba", None)):
            return None, None
        try:
            matrix = np.asarray(self.impl.predict_proba(X), dtype=float)
        except AttributeError as exc:  # e.g. an adapter forwarding predict_proba to a model without one
            raise AttributeError(f"{self.name} has a predict_proba that fails: AttributeError: {exc}. A model "
                                 "without class probabilities must not define predict_proba (check the "
                                 "adapter)") from None
        classes = getattr(self.impl, "classes_", None)
        classes = list(range(matrix.shape[1])) if classes is None else np.asarray(classes).tolist()
        return matrix, classes

    def parameters(self) -> list[tuple[str, np.ndarray]]:
        """(name, float array) for every weight array found."""
        if callable(getattr(self.impl, "parameters", None)):
            return [(f"parameters[{i}]", _as_floats(p)) for i, p in enumerate(self.impl.parameters())]
        out = []
        steps = getattr(self.impl, "steps", None) or [("model", self.impl)]
        for step_name, step in steps:
            for attr in _WEIGHTS:
                try:
                    value = getattr(step, attr)
                except Exception:  # sklearn raises on unfitted or inapplicable attributes
                    continue
                arrays = value if isinstance(value, (list, tuple)) else [value]
                out += [(f"{step_name}.{attr}" + (f"[{i}]" if len(arrays) > 1 else ""), _as_floats(a))
                        for i, a in enumerate(arrays)]
        return out

    def trained_at(self) -> float | None:
        """POSIX seconds of training, from a ``trained_at`` (or ``trained_at_``) attribute, or None.

        A datetime, a date, POSIX seconds or a text of either (``timezones.parse_instant``); naive times are
        UTC, aware ones are converted to UTC. A value of another kind, or text that is neither, raises ValueError
        naming the attribute (silently ignoring it would hide a stale model)."""
        for obj in (self.impl, self.raw):
            for attr in ("trained_at", "trained_at_"):
                value = getattr(obj, attr, None)
                if value is not None:
                    return _posix_seconds(value, f"{self.name}'s {attr} ({type(obj).__name__}.{attr})")
        return None


def _posix_seconds(value, where: str) -> float:
    if isinstance(value, str):
        try:
            value = parse_instant(value)  # the rule of every instant a user writes: naive is UTC
        except ValueError:
            raise ValueError(f"{where} = {value!r} is not an ISO 8601 date/time "
                             "(e.g. 2026-11-30T12:00:00+00:00) or Unix seconds") from None
    if isinstance(value, np.datetime64):
        value = value.astype("datetime64[us]").item()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    raise ValueError(f"{where} is a {type(value).__name__}; give a datetime, POSIX seconds or an ISO 8601 text")


def _as_floats(value) -> np.ndarray:
    if hasattr(value, "detach"):  # torch tensors
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float).reshape(-1)
