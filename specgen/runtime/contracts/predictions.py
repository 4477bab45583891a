"""The batch-prediction checks' contract: the session setup and one prediction column."""
from __future__ import annotations

from dataclasses import dataclass

from .data import SqlData
from .slices import SliceFilter

__all__ = ["SqlData", "PredictionsSetup", "PredictionColumn", "SliceFilter", "KEY_CHECKS", "PROBABILITY_CHECKS"]

#: checks of the prediction keys against the input rows, in test order
KEY_CHECKS = ("covered", "unique", "known")
#: checks of the probability columns, in test order
PROBABILITY_CHECKS = ("range", "sum")


@dataclass(frozen=True)
class PredictionColumn:
    """A prediction column and what its values may be: a range, a set, or neither."""

    name: str
    min: float | None
    max: float | None
    values: tuple | None


@dataclass(frozen=True)
class PredictionsSetup:
    """The prediction table and the input rows it must cover."""

    name: str
    path: str
    inputs: str | SqlData  # the input rows: a path relative to the generated tests, or a table/query
    key: tuple[str, ...]
    dtypes: dict
