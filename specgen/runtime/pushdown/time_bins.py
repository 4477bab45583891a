"""A datetime's hour, weekday and recency (``runtime.time_bins``) as expressions of a pushdown source.

``with_time_bins(q, features)`` is ``q`` with one more column per time-binned feature (``day:hour``: text,
``day:recency``: Float64 seconds), so every aggregate that counts a column (bin indexes, category
counts, null counts, quantile edges, moments) counts the derived feature in the same scan, as the
polars path counts the columns ``runtime.time_bins.with_time_bins`` adds to a frame.

The values are the polars path's (``runtime.timezones``): each value becomes an instant, kept as
integer microseconds since the epoch (UTC):

* a zone-aware column (PostgreSQL/DuckDB ``timestamptz``, Spark ``TIMESTAMP``) is its instant;
* a naive column (``timestamp``, Spark ``TIMESTAMP_NTZ``) or a date is wall time in the column's zone:
  the instant is the earliest one whose wall time in that zone is the value, null when none is (a wall
  time skipped by a daylight-saving jump), as polars' ``replace_time_zone(ambiguous="earliest",
  non_existent="null")``. The candidates are the value minus the zone's offset a day before and a day
  after it (no zone changes its offset twice within two days), each kept when it reads back as the value;
  where the two offsets are one (all but the values within a day of a change) the value minus it is the
  instant, with no reading back (each conversion is a zone lookup per row: this halves them).

Hour and weekday (ISO, ``1`` Monday) are those of the instant's wall time in the zone. Recency needs
the newest instant first: one MAX aggregate (unless the batch's newest is pinned on the features, as
for a serving log, ``time_bins.anchored``); an age is the integer microseconds back to it, clipped at
0, as Float64 seconds, exactly as polars computes it. The database's own zone rules convert (ICU in
DuckDB, the server's tz database in PostgreSQL, Java's in Spark): they agree with polars' wherever the
zone's rules agree.
"""
from __future__ import annotations

import copy
import datetime as dt

import polars as pl

from .. import time_bins
from ..timezones import same_zone

__all__ = ["with_time_bins", "newest_instants", "checked_value"]

_EPOCH = dt.datetime(1970, 1, 1)
_DAY_US = 86_400_000_000


def _binned(q, features) -> list:
    """The time-binned features ``q`` can derive (their datetime column present and temporal), not yet derived."""
    out = []
    for f in features:
        bins = getattr(f, "time_bins", None)
        if not bins or f.name in q.schema:
            continue
        column = bins["column"]
        if column in q.schema and q.schema[column].is_temporal():
            out.append(f)
    return out


def _zone(bins: dict) -> str:
    return bins.get("zone") or "UTC"


def newest_instants(q, columns: dict[str, str]) -> dict:
    """{column: its newest value as naive UTC, None when it holds none}: one MAX aggregate over ``columns``
    ({column: zone}) that ``q`` holds as datetimes (``time_bins.batch_newest`` on a pushdown source)."""
    t = _engine(q)
    present = [c for c in sorted(columns) if c in q.schema and q.schema[c].is_temporal()]
    if not present:
        return {}
    row = q.aggregate([(f"newest{i}", q.max(t.instant(c, columns[c]))) for i, c in enumerate(present)])
    return {c: _datetime(row[f"newest{i}"]) for i, c in enumerate(present)}


def checked_value(q, column: str, zone: str | None):
    """``q.value(column)`` as checks compare it, as the polars engine's ``engine.Frame.value``: a naive
    datetime or date column with a declared zone other than UTC becomes its instant as a naive UTC timestamp
    (null where the wall time was skipped); every other column is ``q.value(column)`` unchanged (an aware
    column's instant is judged as naive UTC afterwards: ``query.judged``)."""
    dtype = q.schema.get(column)
    if zone is None or same_zone(zone, "UTC") or not (isinstance(dtype, pl.Datetime) or dtype == pl.Date):
        return q.value(column)
    t = _engine(q)
    if t.aware(column):
        return q.value(column)
    return t.timestamp(t.instant(column, zone))


def _datetime(micros) -> dt.datetime | None:
    return None if micros is None else _EPOCH + dt.timedelta(microseconds=int(micros))


def _micros(value: dt.datetime) -> int:
    return (value - _EPOCH) // dt.timedelta(microseconds=1)


def with_time_bins(q, features):
    """``q`` with the time-binned features among ``features`` as columns (``q`` itself when there are none)."""
    todo = _binned(q, features)
    if not todo:
        return q
    t = _engine(q)
    pinned = time_bins.recency_columns([f for f in todo if "newest" in f.time_bins])
    own = {c: z for c, z in time_bins.recency_columns(todo).items() if c not in pinned}
    newest = newest_instants(q, own) if own else {}
    derived, dtypes = {}, {}
    for f in todo:
        bins = f.time_bins
        instant = t.instant(bins["column"], _zone(bins))
        if bins["unit"] == time_bins.RECENCY:
            last = bins["newest"] if "newest" in bins else newest.get(bins["column"])
            derived[f.name], dtypes[f.name] = t.age_seconds(instant, last), pl.Float64()
            continue
        local = t.wall(bins["column"], _zone(bins), instant)
        part = t.hour(local) if bins["unit"] == "hour" else t.weekday(local)
        derived[f.name], dtypes[f.name] = q.text(part), pl.String()
    return _view(q, derived, dtypes)


def _view(q, derived: dict, dtypes: dict):
    """A shallow copy of ``q`` whose ``value`` also answers the derived names."""
    view = copy.copy(q)
    view.schema = {**q.schema, **dtypes}
    value = q.value
    view.value = lambda column: derived[column] if column in derived else value(column)
    return view


def _engine(q):
    from .spark import SparkQuery

    if isinstance(q, SparkQuery):
        return _Spark(q)
    return _Postgres(q) if q.dialect.name == "postgresql" else _DuckDB(q)


class _Instants:
    """The zone arithmetic every engine shares; a subclass gives its epoch-microsecond functions."""

    def __init__(self, q):
        self.q = q

    def instant(self, column: str, zone: str):
        """Microseconds since the epoch of each value's instant, by ``runtime.timezones``' rule."""
        us = self.epoch_us(column)
        if self.aware(column) or same_zone(zone, "UTC"):
            return us
        before = self.offset(self.minus(us, self.const(_DAY_US)), zone)
        after = self.offset(self.plus(us, self.const(_DAY_US)), zone)
        early, late = self.minus(us, before), self.minus(us, after)
        early_ok, late_ok = self.local(early, zone) == us, self.local(late, zone) == us
        # one offset all around the value (most values: no change within a day) needs no reading back
        return self.case([(before == after, early), (early_ok & late_ok, self.least(early, late)),
                          (early_ok, early), (late_ok, late)])

    def wall(self, column: str, zone: str, instant):
        """Wall time in ``zone`` of each value's ``instant``: a naive value is its own where it has an instant."""
        if self.aware(column) or same_zone(zone, "UTC"):
            return self.local(instant, zone)
        return self.case([(self.q.is_not_null(instant), self.epoch_us(column))])

    def offset(self, us, zone: str):
        return self.minus(self.local(us, zone), us)

    def local(self, us, zone: str):
        """Wall time in ``zone`` of the instant ``us``, as microseconds since the epoch."""
        return us if same_zone(zone, "UTC") else self.wall_us(us, zone)

    def age_seconds(self, us, newest: dt.datetime | None):
        if newest is None:  # the table holds no value: every age is null
            return self.null_float()
        age = self.minus(self.const(_micros(newest)), us)
        clipped = self.case([(age < self.const(0), self.const(0))], age)
        return self.seconds(clipped)


class _Sql(_Instants):
    def minus(self, a, b):
        from .sql import S

        return S("(", a, " - ", b, ")")

    def plus(self, a, b):
        from .sql import S

        return S("(", a, " + ", b, ")")

    def const(self, value: int):
        from .sql import S

        return S(f"CAST({int(value)} AS BIGINT)")

    def least(self, a, b):
        from .sql import S

        return S("least(", a, ", ", b, ")")

    def case(self, arms, otherwise=None):
        from .sql import S

        parts = [S(" WHEN ", mask, " THEN ", x) for mask, x in arms]
        tail = [S(" ELSE ", otherwise)] if otherwise is not None else []
        return S("(CASE", *parts, *tail, " END)")

    def null_float(self):
        from .sql import S

        return S("CAST(NULL AS DOUBLE PRECISION)")

    def seconds(self, us):
        from .sql import S

        return S("(CAST(", us, " AS DOUBLE PRECISION) / CAST(1000000 AS DOUBLE PRECISION))")

    def aware(self, column: str) -> bool:
        kind = self.q.types.get(column, "").lower()
        return "with time zone" in kind or "timestamptz" in kind


class _DuckDB(_Sql):
    def epoch_us(self, column):
        from .sql import S

        return S("epoch_us(", self.q.value(column), ")")

    def wall_us(self, us, zone):
        from .sql import Param, S

        return S("epoch_us(timezone(", Param(zone), ", timezone('UTC', make_timestamp(", us, "))))")

    def _timestamp(self, us):
        from .sql import S

        return S("make_timestamp(", us, ")")

    timestamp = _timestamp

    def hour(self, us):
        from .sql import S

        return S("hour(", self._timestamp(us), ")")

    def weekday(self, us):
        from .sql import S

        return S("isodow(", self._timestamp(us), ")")


class _Postgres(_Sql):
    def epoch_us(self, column):
        from .sql import S

        return S("CAST(extract(epoch FROM ", self.q.value(column), ") * 1000000 AS BIGINT)")

    def _timestamp(self, us):
        from .sql import S

        return S("(TIMESTAMP 'epoch' + ", us, " * INTERVAL '1 microsecond')")

    timestamp = _timestamp

    def wall_us(self, us, zone):
        from .sql import Param, S

        wall = S("((", self._timestamp(us), " AT TIME ZONE 'UTC') AT TIME ZONE ", Param(zone), ")")
        return S("CAST(extract(epoch FROM ", wall, ") * 1000000 AS BIGINT)")

    def hour(self, us):
        from .sql import S

        return S("CAST(extract(hour FROM ", self._timestamp(us), ") AS INTEGER)")

    def weekday(self, us):
        from .sql import S

        return S("CAST(extract(isodow FROM ", self._timestamp(us), ") AS INTEGER)")


class _Spark(_Instants):
    """Spark: ``TIMESTAMP`` is an instant (``unix_micros``); ``TIMESTAMP_NTZ`` and dates are wall times,
    converted with ``convert_timezone`` on ``TIMESTAMP_NTZ`` values, so the session's zone plays no part."""

    _NTZ_EPOCH = "TIMESTAMP_NTZ'1970-01-01 00:00:00'"

    def aware(self, column: str) -> bool:
        from pyspark.sql import types as T

        return isinstance(self.q.frame.schema[column].dataType, T.TimestampType)

    def epoch_us(self, column):
        from pyspark.sql import functions as F

        from .spark import _col

        x = _col(column)
        if self.aware(column):
            return F.unix_micros(x)
        return F.timestamp_diff("MICROSECOND", F.expr(self._NTZ_EPOCH), x.cast("timestamp_ntz"))

    def _timestamp(self, us):
        from pyspark.sql import functions as F

        return F.timestamp_add("MICROSECOND", us, F.expr(self._NTZ_EPOCH))

    timestamp = _timestamp

    def wall_us(self, us, zone):
        from pyspark.sql import functions as F

        wall = F.convert_timezone(F.lit("UTC"), F.lit(zone), self._timestamp(us))
        return F.timestamp_diff("MICROSECOND", F.expr(self._NTZ_EPOCH), wall)

    def hour(self, us):
        from pyspark.sql import functions as F

        return F.hour(self._timestamp(us))

    def weekday(self, us):
        from pyspark.sql import functions as F

        return F.weekday(self._timestamp(us)) + 1  # Spark's 0 is Monday

    def minus(self, a, b):
        return a - b

    def plus(self, a, b):
        return a + b

    def const(self, value: int):
        from pyspark.sql import functions as F

        return F.lit(int(value)).cast("long")

    def least(self, a, b):
        from pyspark.sql import functions as F

        return F.least(a, b)

    def case(self, arms, otherwise=None):
        from pyspark.sql import functions as F

        out = None
        for mask, x in arms:
            out = F.when(mask, x) if out is None else out.when(mask, x)
        return out.otherwise(otherwise) if otherwise is not None else out

    def null_float(self):
        from pyspark.sql import functions as F

        return F.lit(None).cast("double")

    def seconds(self, us):
        return us.cast("double") / 1e6
