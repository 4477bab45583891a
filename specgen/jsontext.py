"""JSON for programs: strict JSON only, so any parser reads specgen's ``--format json`` output.

Python's ``json`` writes bare ``NaN``/``Infinity`` by default, which JSON does not
allow (``jq``, JavaScript and Go reject them). A non-finite number has no JSON form:
it becomes ``null`` (the measure could not be computed), and ``allow_nan=False``
makes any number that slips through a loud error instead of invalid output.
"""
from __future__ import annotations

import json
import math
import numbers
from typing import Any

__all__ = ["dumps", "finite"]


def dumps(document: Any, **options) -> str:
    return json.dumps(finite(document), allow_nan=False, **options)


def finite(value: Any) -> Any:
    """``value`` with every non-finite number (also numpy's) inside dicts, lists and tuples set to None."""
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return float(value) if math.isfinite(value) else None
    return value
