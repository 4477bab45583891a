"""``length``: string length within [min, max]."""
from __future__ import annotations

from ..base import Check, RowKind, between, outside, outside_pushdown
from ._shared import has_bounds


class Length(RowKind):
    name = "length"
    order = 90
    meaning = "string length within [min, max]"
    pandera_names = ("str_length",)

    def build(self, source) -> list[Check]:
        bounds = getattr(source.feature, "length", None)
        if not has_bounds(bounds):
            return []
        return [Check(self.name, source.name, {"min": bounds[0], "max": bounds[1]}, source.environments)]

    def describe(self, check):
        return between(self.name, check.params)

    def field_args(self, check):
        return (("str_length", {"min_value": check.params["min"], "max_value": check.params["max"]}),)

    def negatives(self, check, value_type):
        p, out = check.params, []
        if p.get("max") is not None:
            out.append(("too_long", "set_first", "x" * (p["max"] + 1)))
        if p.get("min"):
            out.append(("too_short", "set_first", "x" * (p["min"] - 1)))
        return out

    def violation(self, check, x, frame):
        return outside(x.str.len_chars(), check.params.get("min"), check.params.get("max"))

    def pushdown_violation(self, check, x, q):
        return outside_pushdown(q, q.length(x), check.params.get("min"), check.params.get("max"))


KIND = Length()
