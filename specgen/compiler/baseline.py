"""Baseline stage: the one compile step that reads data.

``baseline(plan)`` summarises the training data for ``specgen monitor``: per
numeric feature the quantile bin edges, the counts in them, nulls, mean and
std; per categorical feature the category counts and nulls; the row count.
Counts are integers and floats are rounded to ``SIGNIFICANT_DIGITS``, so the
same data gives byte-identical output. ``specgen monitor --reference`` calls
the same function on another file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..runtime import baseline as runtime_baseline
from .plan import Plan

__all__ = ["Baseline", "baseline"]


@dataclass(frozen=True)
class Baseline:
    rows: int
    features: tuple[dict, ...]  # plain data, rendered with the ``yaml`` filter


def baseline(plan: Plan, data: str | Path | None = None) -> Baseline:
    """Summarise ``data`` (default: the spec's training data) for every monitored feature."""
    assert plan.monitoring is not None
    # lexical normalisation: the output directory may not exist yet
    path = Path(data) if data is not None else Path(os.path.normpath(plan.out_dir / plan.training_rel))
    rows, features = runtime_baseline.compute(path, plan.dtypes(), plan.monitoring.features)
    return Baseline(rows, tuple(features))
