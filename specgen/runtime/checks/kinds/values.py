"""``values``: every value is one of the declared categories."""
from __future__ import annotations

from ..base import Check, RowKind

_UNSEEN = "__specgen_unseen__"


class Values(RowKind):
    name = "values"
    order = 60
    meaning = "values in the allowed set"
    pandera_names = ("isin",)

    def build(self, source) -> list[Check]:
        if not source.value_type.startswith("category"):
            return []
        return [Check(self.name, source.name, {"values": list(source.feature.values)}, source.environments)]

    def describe(self, check):
        values = check.params["values"]
        return f"x in {{{', '.join(repr(v) for v in values[:12])}{', ...' if len(values) > 12 else ''}}}"

    def field_args(self, check):
        return (("isin", check.params["values"]),)

    def negatives(self, check, value_type):
        return [("unseen", "set_first", _unseen(check.params["values"]))]

    def violation(self, check, x, frame):
        return x.is_not_null() & ~x.is_in(check.params["values"])

    def pushdown_violation(self, check, x, q):
        return q.is_not_null(x) & ~q.is_in(x, check.params["values"])


def _unseen(values: list):
    if all(isinstance(v, int) for v in values):
        return max(values) + 1
    candidate = _UNSEEN
    while candidate in values:
        candidate += "_"
    return candidate


KIND = Values()
