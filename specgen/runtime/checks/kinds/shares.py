"""``shares``: each category's share of the non-null values within tolerance of the expected share."""
from __future__ import annotations

from ... import stats
from ..base import Check, ColumnKind, Failure


def shares_within(series, expected: dict, tolerance: float) -> bool:
    observed = stats.shares(series)
    if not observed:
        return True
    return all(abs(observed.get(k, 0.0) - share) <= tolerance for k, share in expected.items())


class Shares(ColumnKind):
    name = "shares"
    order = 130
    group = "distribution"
    meaning = "each category's share within tolerance of the expected share"
    pandera_names = ("shares_within",)
    pandas_functions = {"shares_within": shares_within}

    def build(self, source) -> list[Check]:
        dist = getattr(source.feature, "distribution", None)
        if not source.value_type.startswith("category") or dist is None:
            return []
        params = {"shares": dict(dist.shares), "tolerance": dist.tolerance}
        return [Check(self.name, source.name, params, source.environments)]

    def describe(self, check):
        return f"shares within {check.params['tolerance']:g} of {check.params['shares']}"

    def field_args(self, check):
        p = check.params
        return (("shares_within", {"expected": p["shares"], "tolerance": p["tolerance"]}),)

    def negatives(self, check, value_type):
        cases = _concentrated(check.params)
        if value_type == "category:int":  # shares are keyed by str(value); the data holds ints
            cases = [(defect, mutation, int(value)) for defect, mutation, value in cases]
        return cases

    # shares are keyed by the category's text: a whole float (an int column pandas wrote with nulls) by its int's
    def aggregates(self, check, x, name, frame):
        from ...summary import category_text

        return [category_text(x.drop_nulls(), frame.schema[check.column]).value_counts().implode().alias(name)]

    def pushdown_aggregates(self, check, x, name, q):
        return [(name, q.deferred(q.value_counts, q.category_text(x, q.schema[check.column]), check.column, False))]

    def judge(self, check, row, name, frame):
        p = check.params
        counts = {str(r[check.column]): r["count"] for r in row[name]}
        total = sum(counts.values())
        off = {k: round(counts.get(k, 0) / total, 4) for k, share in p["shares"].items()
               if total and abs(counts.get(k, 0) / total - share) > p["tolerance"]}
        return Failure(check, None, observed=f"shares {off}") if off else None


def _concentrated(p: dict) -> list[tuple[str, str, object]]:
    """Set every row to one listed category; pick one whose share then moves past tolerance."""
    shares, tol = p["shares"], p["tolerance"]
    for category, share in sorted(shares.items(), key=lambda kv: (kv[1], kv[0])):
        others_off = any(s > tol for c, s in shares.items() if c != category)
        if 1 - share > tol or others_off:
            return [("concentrated", "set_all", category)]
    return []


KIND = Shares()
