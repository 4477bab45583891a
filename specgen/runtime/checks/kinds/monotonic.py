"""``monotonic``: a column's values only go up (or down) in row order, e.g. ids or time stamps.

Directions: ``increasing``, ``decreasing`` (equal neighbours allowed) and
``strictly_increasing``, ``strictly_decreasing`` (no repeats). Nulls are
skipped: each non-null value is compared with the last non-null value before
it, so a row fails when it breaks the order against its predecessor.

Order is a property of the whole column, so ``specgen monitor`` does not run
it chunk by chunk (``per_chunk`` is false); ``specgen validate`` reads the file
in order (polars keeps row order for ``forward_fill``/``shift``, streaming or not).
"""
from __future__ import annotations

import operator

from ..base import Check, RowKind

DIRECTIONS = ("increasing", "decreasing", "strictly_increasing", "strictly_decreasing")

#: direction -> (value, previous value) -> True where the order breaks
_BREAKS = {
    "increasing": operator.lt,
    "decreasing": operator.gt,
    "strictly_increasing": operator.le,
    "strictly_decreasing": operator.ge,
}


def monotonic(series, direction: str):
    """pandas: True on rows that keep the order (nulls, and the first value, always do)."""
    previous = series.ffill().shift(1)
    breaks = _BREAKS[direction](series, previous).fillna(False).astype(bool)  # nullable dtypes compare to NA
    return ~(breaks & series.notna().to_numpy() & previous.notna().to_numpy())


def break_order(frame, column, direction: str):
    """Swap the first two different non-null values, so the pair runs against ``direction``."""
    import pandas as pd

    values = frame[column]
    present = [i for i, v in enumerate(values) if not pd.isna(v)]
    if not present:
        return frame
    first = present[0]
    other = next((i for i in present if values.iloc[i] != values.iloc[first]), None)
    series = values.copy()
    if other is not None:
        series.iloc[first], series.iloc[other] = values.iloc[other], values.iloc[first]
    elif len(present) > 1:  # every value equal: push the first one past the rest
        up = direction.endswith("increasing")
        nudge = pd.Timedelta(days=1) if isinstance(values.iloc[first], pd.Timestamp) else 1
        series.iloc[first] = values.iloc[first] + nudge if up else values.iloc[first] - nudge
    frame[column] = series
    return frame


class Monotonic(RowKind):
    name = "monotonic"
    order = 95
    meaning = "values increase (or decrease) in row order, nulls skipped"
    pandera_names = ("monotonic",)
    backend_gaps = {"pyspark": "a Spark DataFrame has no row order to check"}
    pandas_functions = {"monotonic": monotonic}
    mutations = {"break_order": break_order}
    per_chunk = False  # a break can straddle two chunks

    def build(self, source) -> list[Check]:
        direction = getattr(source.feature, "monotonic", None)
        if direction is None:
            return []
        return [Check(self.name, source.name, {"direction": direction}, source.environments)]

    def describe(self, check):
        return f"values {check.params['direction'].replace('_', ' ')} in row order"

    def field_args(self, check):
        return (("monotonic", {"direction": check.params["direction"]}),)

    def negatives(self, check, value_type):
        return [("out_of_order", "break_order", check.params["direction"])]

    def violation(self, check, x, frame):
        previous = x.forward_fill().shift(1)
        return (x.is_not_null() & _BREAKS[check.params["direction"]](x, previous)).fill_null(False)

    def pushdown_violation(self, check, x, q):
        return q.is_not_null(x) & _BREAKS[check.params["direction"]](x, q.previous_non_null(x))


KIND = Monotonic()
