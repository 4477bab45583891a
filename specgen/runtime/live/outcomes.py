"""Real-world metrics declared in the spec (a click-through rate, a survey score), read from the outcomes
source and averaged per window inside the engine (only the mean and the count leave it)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..contracts.live import OutcomeConfig
from ..sources import Measure, Source, TableQuery

__all__ = ["OutcomeWindow", "outcome_window"]


@dataclass
class OutcomeWindow:
    name: str
    window_start: str
    rows: int
    mean: float | None
    problem: str | None

    def as_dict(self) -> dict:
        return dict(vars(self))


def outcome_window(source: Source, outcome: OutcomeConfig, start: datetime, end: datetime,
                   label: str) -> OutcomeWindow:
    got = source.aggregate(TableQuery(outcome.table, time_column=outcome.timestamp, start=start, end=end),
                           (Measure("mean", "mean", outcome.value), Measure("n", "count_values", outcome.value)))
    n, mean = int(got["n"][0] or 0), got["mean"][0]
    mean = float(mean) if mean is not None else None
    problem = outcome.bound.problem(mean) if mean is not None else None
    return OutcomeWindow(outcome.name, label, n, mean, problem)
