"""The model tests' contract: the session setup, and the metric and bound each test row carries.

``ModelSetup`` is what ``specgen.runtime.model.Harness`` needs for the whole
session (data, split, entrypoints, seed); thresholds are not in it: each
generated test passes its own (a ``Bound``, a ``max_drop``, a ``margin``, a
limit), so a reader sees the threshold where the test uses it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .data import SqlData
from .slices import SliceFilter

__all__ = ["SqlData", "Metric", "Bound", "Entrypoints", "Split", "SmokeColumn", "ModelSetup", "SliceFilter",
           "STABILITY_CHECKS"]

#: the numerical-stability checks, in test order (``zero_fraction`` only with a limit)
STABILITY_CHECKS = ("parameters_finite", "outputs_finite", "zero_fraction")


@dataclass(frozen=True)
class Metric:
    """How to score one metric: a built-in with its keyword arguments, or a user ``entrypoint``."""

    name: str
    kwargs: dict
    entrypoint: str | None
    greater_is_better: bool


@dataclass(frozen=True)
class Bound:
    """Absolute bounds on a metric's value (either may be None)."""

    min: float | None
    max: float | None

    def problem(self, value: float) -> str | None:
        """Why ``value`` breaks the bounds, or None; a value equal to a bound passes (bounds are inclusive)."""
        if self.min is not None and value < self.min:
            return f"below the minimum {self.min:g} (must be >= {self.min:g}; the limit is inclusive)"
        if self.max is not None and value > self.max:
            return f"above the maximum {self.max:g} (must be <= {self.max:g}; the limit is inclusive)"
        if math.isnan(value):
            return "NaN (not a number), which no bound accepts"
        return None


@dataclass(frozen=True)
class Entrypoints:
    """``module:function`` texts for the model roles (None: not set in the spec)."""

    train: str
    load: str | None
    predict: str | None
    adapter: str | None

    def get(self, role: str) -> str | None:
        return getattr(self, role)


@dataclass(frozen=True)
class Split:
    """The hash-based evaluation split: rows whose salted key hash falls below ``eval_fraction``."""

    key: tuple[str, ...]
    salt: str
    eval_fraction: float
    rotate_daily: bool


@dataclass(frozen=True)
class SmokeColumn:
    """A column the ML API smoke test draws random values for (bounds and values from the schema)."""

    name: str
    dtype: str
    min: object
    max: object
    values: tuple | None
    unique: bool


@dataclass(frozen=True)
class ModelSetup:
    """Everything the model harness needs for a session; no thresholds."""

    name: str
    task: str
    label: str
    features: tuple[str, ...]
    dtypes: dict
    training_data: str | SqlData  # a path relative to the generated tests, or a table/query in a database
    evaluation_data: str | SqlData | None  # a held-out file (data.evaluation); None: the hash split of training_data
    paths: tuple[str, ...]
    entrypoints: Entrypoints
    seed: int
    split: Split
    runs: int
    mean_of: int  # reproducibility: each of the ``runs`` is the mean of this many trainings (1: one training)
    slices: dict
    artifact: str | None
