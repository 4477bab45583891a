"""The feature-engineering and skew tests' contract: the session setup and one transform output."""
from __future__ import annotations

from dataclasses import dataclass

from .data import SqlData

__all__ = ["SqlData", "FeaturesSetup", "TransformEntrypoints", "TransformOutput", "OUTPUT_CHECKS",
           "BASIC_OUTPUT_CHECKS", "SCHEMA_SKEW_CHECKS"]

#: every output gets these, in order
BASIC_OUTPUT_CHECKS = ("present", "finite")
#: output kind -> the checks after the basic ones; (name, on the training path only)
OUTPUT_CHECKS = {
    "onehot": (("binary", False), ("one_per_row", False)),
    "zscore": (("mean", True), ("std", True)),
    "minmax": (("range", False),),
    "clip": (("range", False),),
    "bucketize": (("buckets", False),),
    "log": (("range", False),),
    "range": (("range", False),),
}
#: schema-skew checks between the training and the serving data, in test order
SCHEMA_SKEW_CHECKS = ("columns", "dtypes", "serving_schema")


@dataclass(frozen=True)
class TransformEntrypoints:
    """``module:function`` of each transform path (``serving`` None: no serving path)."""

    training: str
    serving: str | None

    def get(self, path: str) -> str | None:
        return getattr(self, path)


@dataclass(frozen=True)
class TransformOutput:
    """One declared output of the transform (a column, or a glob of one-hot columns) and its bounds."""

    name: str
    kind: str
    min: float | None
    max: float | None
    buckets: int | None
    tolerance: float | None  # z-score: largest |mean| and |std - 1| on the training data


@dataclass(frozen=True)
class FeaturesSetup:
    """Everything the feature fixture needs for a session; the thresholds travel with each test."""

    name: str
    label: str
    training_data: str | SqlData  # a path relative to the generated tests, or a table/query in a database
    serving_data: str | SqlData | None
    dtypes: dict
    training_only: tuple[str, ...]
    paths: tuple[str, ...]
    entrypoints: TransformEntrypoints
    schema_file: str
    schema_module: str
