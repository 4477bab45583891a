"""``rows``: the batch's row count within [min, max]."""
from __future__ import annotations

from ... import stats
from ..base import Check, DatasetKind, Failure, between
from ._shared import has_bounds


def row_count_between(frame, lo, hi) -> bool:
    return stats.within(len(frame), lo, hi)


class Rows(DatasetKind):
    name = "rows"
    order = 200
    meaning = "row count within bounds"
    pandera_names = ("row_count_between",)
    pandas_functions = {"row_count_between": row_count_between}

    def build_dataset(self, spec, columns) -> list[Check]:
        rows = spec.dataset.rows
        return [Check(self.name, None, {"min": rows[0], "max": rows[1]})] if has_bounds(rows) else []

    def describe(self, check):
        return between(self.name, check.params)

    def schema_config(self, checks, names):
        (check,) = checks
        return (("row_count_between", {"lo": check.params["min"], "hi": check.params["max"]}),)

    def negatives(self, check, value_type):
        p, out = check.params, []
        if p.get("min"):
            out.append(("too_few", "resize", p["min"] - 1))
        if p.get("max") is not None:
            out.append(("too_many", "resize", p["max"] + 1))
        return out

    def judge(self, check, row, name, frame):
        if stats.within(frame.rows, check.params.get("min"), check.params.get("max")):
            return None
        return Failure(check, None, observed=f"{frame.rows} rows")

    def judge_totals(self, check, rows, nulls):
        if stats.within(rows, check.params.get("min"), check.params.get("max")):
            return None
        return Failure(check, None, observed=f"{rows} rows")


KIND = Rows()
