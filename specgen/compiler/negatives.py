"""Negative cases: for each check, a minimal change to valid data it must reject.

The generated suite applies each mutation to a sample of real rows and asserts
the schema reports exactly that (target, check). A check that passes everything
(a bound of 1e308, a typo'd set) is thereby caught by the suite itself.
Each check kind supplies its own defects (``Kind.negatives``); values are
computed there, in Python, and templates only print them with ``py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..runtime.checks import DATASET, Check
from ..runtime.checks.registry import get
from .naming import param_id

__all__ = ["Negative", "negatives_for"]


@dataclass(frozen=True)
class Negative:
    id: str
    column: str | None  # the report target: the column, a relation, or None for the dataset
    kind: str
    mutation: str  # see specgen.runtime.testing.mutate
    value: Any = None
    environment: str = "training"


def negatives_for(check: Check, value_type: str | None) -> list[Negative]:
    """The negative cases of one check; ``value_type`` is its column's (None for a dataset check)."""
    kind = get(check.kind)
    env = "training" if "training" in check.environments else check.environments[0]
    target = None if check.target == DATASET else check.target
    parts = kind.test_id(check) if target is not None else ("dataset", *kind.test_id(check))
    return [Negative(param_id(*parts, defect), target, check.kind, mutation, value, env)
            for defect, mutation, value in kind.negatives(check, value_type)]
