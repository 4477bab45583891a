"""``freshness``: the newest value of a datetime column is at most ``max_age`` old (``max_age:``).

"Now" is ``timezones.as_of()``: ``$SPECGEN_AS_OF`` when set (``--as-of`` sets it), else the
clock, so a test or a backfill can pin it. Values compare as UTC instants (``runtime.timezones``).
A column with no value at all is not fresh. ``specgen monitor`` judges the newest value of the
whole batch (``batch_newest``), not chunk by chunk: an old chunk in a fresh batch is fine.
"""
from __future__ import annotations

import datetime as dt

from ... import timezones
from ...durations import parse_duration
from ..base import Check, ColumnKind, Failure


def fresh(series, max_age_seconds: float) -> bool:
    """pandas: the newest value is within ``max_age_seconds`` of ``as_of()`` (naive values are UTC:
    ``io.read_pandas`` normalises them)."""
    newest = timezones.pandas_utc(series, None).max()
    return _fresh(None if newest != newest else newest.to_pydatetime(), max_age_seconds)  # NaT != NaT


def _fresh(newest, max_age_seconds: float) -> bool:
    if newest is None:
        return False
    if isinstance(newest, dt.date) and not isinstance(newest, dt.datetime):
        newest = dt.datetime.combine(newest, dt.time())
    return (timezones.as_of() - newest).total_seconds() <= max_age_seconds


def make_stale(frame, column, max_age_seconds: float):
    """Every value one day older than ``max_age`` allows."""
    import pandas as pd

    stale = timezones.as_of() - dt.timedelta(seconds=max_age_seconds + 86400)
    if pd.api.types.is_datetime64_any_dtype(frame[column]) and frame[column].dt.tz is not None:
        stale = timezones.pandas_like(frame[column], stale)  # a zoned column stays aware in its zone
        frame[column] = pd.Series([stale] * len(frame), index=frame.index)
        return frame
    frame[column] = pd.Series([stale] * len(frame), index=frame.index, dtype="datetime64[us]")
    return frame


class Freshness(ColumnKind):
    name = "freshness"
    order = 97
    meaning = "the newest value is at most max_age old (now: the clock, or SPECGEN_AS_OF)"
    pandera_names = ("fresh",)
    pandas_functions = {"fresh": fresh}
    mutations = {"make_stale": make_stale}
    batch_newest = True

    def build(self, source) -> list[Check]:
        age = getattr(source.feature, "max_age", None)
        if age is None:
            return []
        return [Check(self.name, source.name, {"max_age": age, "seconds": parse_duration(age)}, source.environments)]

    def describe(self, check):
        return f"newest value at most {check.params['max_age']} old"

    def field_args(self, check):
        return (("fresh", {"max_age_seconds": check.params["seconds"]}),)

    def negatives(self, check, value_type):
        return [("stale", "make_stale", check.params["seconds"])]

    def aggregates(self, check, x, name, frame):
        return [x.max().alias(name)]

    def pushdown_aggregates(self, check, x, name, q):
        return [(name, q.max(x))]

    def judge(self, check, row, name, frame):
        return self.judge_newest(check, row[name])

    def judge_newest(self, check, newest) -> Failure | None:
        if _fresh(newest, check.params["seconds"]):
            return None
        now = timezones.as_of()
        seen = "no value" if newest is None else f"newest {newest} UTC, {now - newest} before {now} UTC"
        return Failure(check, None, observed=seen)


KIND = Freshness()
