"""``not_null``: no nulls (NaN counts as null). Its pandera form is the column's ``nullable=False``."""
from __future__ import annotations

from ..base import Check, RowKind


class NotNull(RowKind):
    name = "not_null"
    order = 30
    meaning = "no nulls"
    pandera_names = ("not_nullable",)

    def build(self, source) -> list[Check]:
        if getattr(source.feature, "allows_nulls", False):
            return []
        return [Check(self.name, source.name, {}, source.environments)]

    def negatives(self, check, value_type):
        return [("null", "set_first", None)]

    def violation(self, check, x, frame):
        return x.is_null()

    def aggregates(self, check, x, name, frame):
        return [x.null_count().alias(name)]

    def pushdown_violation(self, check, x, q):
        return q.is_null(x)

    def pushdown_aggregates(self, check, x, name, q):
        return [(name, q.null_count(x))]


KIND = NotNull()
