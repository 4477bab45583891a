"""The pipeline-integration contract: what the user's end-to-end entrypoint takes and returns.

The entrypoint (``performance.pipeline.entrypoint``) is called as
``run(raw: pandas.DataFrame, work_dir: pathlib.Path, seed: int) -> dict`` on a
deterministic hashed sample of the training data (key + salt, optionally the
date), and returns one entry per stage it ran, for example::

    {"raw": cleaned_frame, "features": feature_frame, "evaluate": {"accuracy": 0.93},
     "export": work_dir / "model.pkl"}

A stage's output is a DataFrame, a ``str``/``Path`` to a ``.csv``/``.parquet``
file (read back as a frame), a dict (metrics) or a path to any file (``file``).
Each stage the spec lists is checked against its ``expect``:

* ``training_schema`` / ``serving_schema``: the generated pandera schema of that environment;
* ``transform_outputs``: every output name / glob of the ``transforms`` section matches a column;
* ``metrics``: a dict (or a JSON file of one) with a finite number for every model metric;
* ``file``: the path exists and is not empty.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PipelineStage", "PipelineGate", "EXPECTATIONS"]

#: what a stage's output can be checked against
EXPECTATIONS = ("training_schema", "serving_schema", "transform_outputs", "metrics", "file")


@dataclass(frozen=True)
class PipelineStage:
    """A stage of the user's pipeline and what its output must satisfy."""

    name: str
    expect: str  # training_schema | serving_schema | transform_outputs | metrics | file


@dataclass(frozen=True)
class PipelineGate:
    """The end-to-end entrypoint, run on a deterministic hashed sample of the training data."""

    entrypoint: str
    salt: str
    fraction: float
    rotate_daily: bool
    stages: tuple[PipelineStage, ...]
    transform_outputs: tuple[str, ...]  # output names and globs (``island_*``) of the transforms section
    metrics: tuple[str, ...]  # the model's metric names an evaluate stage must report
