"""``pattern``: every non-null string matches the regular expression in full."""
from __future__ import annotations

import re

from ..base import Check, RowKind

_PROBES = ("", " ", "!", "0", "a", "Z" * 257, "\n", "-1", "a b")


class Pattern(RowKind):
    name = "pattern"
    order = 80
    meaning = "every value matches the pattern in full"
    pandera_names = ("str_matches",)
    backend_gaps = {"pyspark": "pandera.pyspark's str_matches runs Spark's Java regular expressions, not "
                               "Python's re the spec's pattern is written in"}

    def build(self, source) -> list[Check]:
        pattern = getattr(source.feature, "pattern", None)
        if pattern is None:
            return []
        return [Check(self.name, source.name, {"pattern": pattern}, source.environments)]

    def describe(self, check):
        return f"matches {check.params['pattern']!r}"

    def field_args(self, check):
        return (("str_matches", f"(?:{check.params['pattern']})\\Z"),)

    def negatives(self, check, value_type):
        probe = next((s for s in _PROBES if not re.fullmatch(check.params["pattern"], s)), None)
        return [] if probe is None else [("mismatch", "set_first", probe)]

    def violation(self, check, x, frame):
        return x.is_not_null() & ~x.str.contains(f"^(?:{check.params['pattern']})$")

    def pushdown_violation(self, check, x, q):
        return q.is_not_null(x) & ~q.full_match(x, check.params["pattern"])


KIND = Pattern()
