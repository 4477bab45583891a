"""``range``: values within [min, max], inclusive (numbers and datetimes)."""
from __future__ import annotations

import datetime as dt

from ...stats import within
from ..base import Check, RowKind, bound, outside, outside_pushdown
from ._shared import has_bounds, int_if_whole, step


class Range(RowKind):
    name = "range"
    order = 50
    meaning = "values within [min, max] (inclusive)"
    pandera_names = ("greater_than_or_equal_to", "less_than_or_equal_to", "in_range")

    def build(self, source) -> list[Check]:
        bounds = getattr(source.feature, "range", None)
        if not has_bounds(bounds):
            return []
        lo, hi = bounds
        if source.value_type == "int":
            lo, hi = int_if_whole(lo), int_if_whole(hi)
        return [Check(self.name, source.name, {"min": lo, "max": hi}, source.environments)]

    def describe(self, check):
        p = check.params
        return f"{bound(p.get('min'), '-inf')} <= x <= {bound(p.get('max'), 'inf')}"

    def field_args(self, check):
        p = check.params
        return tuple((arg, p[key]) for arg, key in (("ge", "min"), ("le", "max")) if p[key] is not None)

    def pandas_field_args(self, check, zone):
        """A zoned column is aware in pandas: its bounds (naive UTC) become aware UTC instants."""
        if zone is None:
            return self.field_args(check)
        return tuple((arg, _aware(value)) for arg, value in self.field_args(check))

    def negatives(self, check, value_type):
        p, out = check.params, []
        if p.get("max") is not None:
            out.append(("above", "set_first", step(p["max"], +1, value_type)))
        if p.get("min") is not None:
            out.append(("below", "set_first", step(p["min"], -1, value_type)))
        return out

    def violation(self, check, x, frame):
        return outside(x, check.params.get("min"), check.params.get("max"))

    def aggregates(self, check, x, name, frame):
        return [x.min().alias(f"{name}_min"), x.max().alias(f"{name}_max")]

    def pushdown_violation(self, check, x, q):
        return outside_pushdown(q, x, check.params.get("min"), check.params.get("max"))

    def pushdown_aggregates(self, check, x, name, q):
        return [(f"{name}_min", q.min(x)), (f"{name}_max", q.max(x))]

    def judge(self, check, row, name, frame):
        p = check.params
        seen_lo, seen_hi = row[f"{name}_min"], row[f"{name}_max"]
        if seen_lo is None or within(seen_lo, p.get("min"), None) and within(seen_hi, None, p.get("max")):
            return None
        return self.failing(check, frame)


def _aware(value):
    return value.replace(tzinfo=dt.timezone.utc) if isinstance(value, dt.datetime) and value.tzinfo is None else value


KIND = Range()
