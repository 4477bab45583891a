"""Negative cases: for each check, a minimal change to valid data it must reject.

The generated suite applies each mutation to a sample of real rows and asserts
the schema reports exactly that (column, check). A check that passes everything
(a bound of 1e308, a typo'd set) is thereby caught by the suite itself.
Values are computed here, in Python; templates only print them with ``py``.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from ..runtime.checks import Check
from .naming import param_id

__all__ = ["Negative", "negatives_for"]

_UNSEEN = "__specgen_unseen__"
_PATTERN_PROBES = ("", " ", "!", "0", "a", "Z" * 257, "\n", "-1", "a b")


@dataclass(frozen=True)
class Negative:
    id: str
    column: str | None
    kind: str
    mutation: str  # see specgen.runtime.testing.mutate
    value: Any = None
    environment: str = "training"


def negatives_for(check: Check, kind: str | None) -> list[Negative]:
    env = "training" if "training" in check.environments else check.environments[0]
    out = []
    for case, mutation, value in _cases(check, kind):
        out.append(Negative(param_id(check.column if check.column is not None else "dataset", check.kind, case),
                            check.column, check.kind, mutation, value, env))
    return out


def _cases(check: Check, kind: str | None) -> list[tuple[str, str, Any]]:
    p = check.params
    k = check.kind
    if k == "present":
        return [("missing", "drop_column", None)]
    if k == "dtype":
        if kind in ("category:str", "string"):
            return [("wrong_type", "replace_column", 12345)]
        return [("wrong_type", "replace_column", "not-a-" + kind.split(":")[-1])]
    if k == "not_null":
        return [("null", "set_first", None)]
    if k == "null_fraction":
        return [("all_null", "set_all", None)]
    if k == "range":
        out = []
        if p.get("max") is not None:
            out.append(("above", "set_first", _step(p["max"], +1, kind)))
        if p.get("min") is not None:
            out.append(("below", "set_first", _step(p["min"], -1, kind)))
        return out
    if k == "values":
        return [("unseen", "set_first", _unseen(p["values"]))]
    if k == "unique":
        return [("duplicate", "copy_first", None)]
    if k == "pattern":
        probe = next((s for s in _PATTERN_PROBES if not re.fullmatch(p["pattern"], s)), None)
        return [] if probe is None else [("mismatch", "set_first", probe)]
    if k == "length":
        out = []
        if p.get("max") is not None:
            out.append(("too_long", "set_first", "x" * (p["max"] + 1)))
        if p.get("min"):
            out.append(("too_short", "set_first", "x" * (p["min"] - 1)))
        return out
    if k in ("mean", "quantiles"):
        bounds = [(p.get("min"), p.get("max"))] if k == "mean" else [(lo, hi) for _q, lo, hi in p["quantiles"]]
        lo, hi = bounds[0]
        if kind == "int":  # a float in an int column fails its dtype check first: stay whole
            if hi is not None:
                return [("above", "set_all", math.floor(hi) + 1)]
            return [("below", "set_all", math.ceil(lo) - 1)] if lo is not None else []
        # A statistic of n copies of nextafter(bound) can round back onto the bound: step clearly outside.
        if hi is not None:
            return [("above", "set_all", _beyond(hi, +1))]
        return [("below", "set_all", _beyond(lo, -1))] if lo is not None else []
    if k == "std":
        return [("constant", "set_all_first", None)] if p.get("min") else []
    if k == "shares":
        cases = _shares_case(p)
        if kind == "category:int":  # shares are keyed by str(value); the data holds ints
            cases = [(case, mutation, int(value)) for case, mutation, value in cases]
        return cases
    if k == "rows":
        out = []
        if p.get("min"):
            out.append(("too_few", "resize", p["min"] - 1))
        if p.get("max") is not None:
            out.append(("too_many", "resize", p["max"] + 1))
        return out
    if k == "key_unique":
        return [("duplicate", "copy_first_row", None)]
    if k == "extra_columns":
        return [("undeclared", "add_column", _UNSEEN)]
    return []


def _step(bound, direction: int, kind: str | None):
    """The nearest value just outside an inclusive bound."""
    if isinstance(bound, dt.datetime):
        return bound + direction * dt.timedelta(seconds=1)
    if kind in ("int", "category:int") and float(bound).is_integer():
        return int(bound) + direction
    return math.nextafter(float(bound), direction * math.inf)


def _beyond(bound, direction: int) -> float:
    """A value clearly outside a bound on a statistic. One ULP (``_step``) is not enough:
    the mean of n copies of x is computed as sum/n and may round back onto the bound."""
    bound = float(bound)
    value = bound + direction * max(abs(bound), 1.0) * 1e-6
    return value if math.isfinite(value) else _step(bound, direction, "float")


def _unseen(values: list) -> Any:
    if all(isinstance(v, int) for v in values):
        return max(values) + 1
    candidate = _UNSEEN
    while candidate in values:
        candidate += "_"
    return candidate


def _shares_case(p: dict) -> list[tuple[str, str, Any]]:
    """Set every row to one listed category; pick one whose share then moves past tolerance."""
    shares, tol = p["shares"], p["tolerance"]
    for category, share in sorted(shares.items(), key=lambda kv: (kv[1], kv[0])):
        others_off = any(s > tol for c, s in shares.items() if c != category)
        if 1 - share > tol or others_off:
            return [("concentrated", "set_all", category)]
    return []
