"""Datetime drift: a datetime feature is monitored as derived distributions, each a feature of its own
named ``<column>:<unit>``:

* ``hour``: the hour of day (``0``..``23``), a category;
* ``weekday``: ``1`` Monday .. ``7`` Sunday, a category;
* ``recency``: each row's age in seconds, measured back from the newest value of the same table (the
  batch's newest for a batch, the training data's newest for the baseline), a number binned on the
  baseline's quantile edges of the training ages.

Hours and weekdays are local to the column's declared time zone (UTC by default; ``runtime.timezones``
reads naive values in it); ages are differences of UTC instants, so no zone changes them.

Each derived column is added to a frame before it is counted (``with_time_bins``). From there they are
features like any other: the same measures, thresholds and noise floors (``runtime.calibration``: a
clean batch raises a false alarm with chance ``monitoring.alpha``, shared by all monitored features),
the same gauges and alert rules. A shift of the daily or weekly rhythm (a batch job moved from night to
day, weekend traffic missing) shows even when every value is inside the declared range; a stale tail
(a backfill of months-old rows mixed into a batch) shows in the recency.

Recency is measured from the batch's own newest value, not from "now": how late the whole batch is,
is the ``freshness`` check's question (``max_age``); recency asks whether the batch's rows spread over
time as the training rows did. The newest value must be known before any chunk is counted, so a
chunked reader makes a first pass for it (``batch_newest``: one lazy ``max`` per column, reading only
those columns) and pins it on the features (``anchored``); a whole table in memory
(``specgen baseline``, ``--reference``) takes its own newest.
"""
from __future__ import annotations

import dataclasses

from .timezones import polars_utc

__all__ = ["UNITS", "DEFAULT_UNITS", "RECENCY", "feature_name", "with_time_bins", "recency_columns", "anchored",
           "batch_newest"]

RECENCY = "recency"
UNITS = ("hour", "weekday", RECENCY)
#: what a datetime feature is monitored as when its ``monitoring.time_bins`` is not set
DEFAULT_UNITS = ("hour", "weekday")
_NEWEST = "newest"  # key of a feature's ``time_bins`` holding the pinned newest value (naive UTC)


def feature_name(column: str, unit: str) -> str:
    return f"{column}:{unit}"


def with_time_bins(frame, features):
    """``frame`` plus a column per time-binned feature (``time_bins``: column, unit, zone) whose datetime
    column it holds: text for hour and weekday, Float64 seconds for recency; the others are left to be
    reported absent."""
    import polars as pl

    schema = frame.schema
    exprs = []
    for f in features:
        bins = getattr(f, "time_bins", None)
        if not bins or bins["column"] not in schema or not schema[bins["column"]].is_temporal():
            continue
        zone = bins.get("zone") or "UTC"
        utc = polars_utc(pl.col(bins["column"]), schema[bins["column"]], zone)
        if bins["unit"] == RECENCY:
            exprs.append(_age_seconds(utc, bins).alias(f.name))
            continue
        local = utc.dt.replace_time_zone("UTC").dt.convert_time_zone(zone)
        value = local.dt.hour() if bins["unit"] == "hour" else local.dt.weekday()
        exprs.append(value.cast(pl.String).alias(f.name))
    return frame.with_columns(exprs) if exprs else frame


def _age_seconds(utc, bins: dict):
    """Seconds from each value back to the newest: the pinned one (a chunk of a batch), else the frame's."""
    import polars as pl

    if _NEWEST in bins:
        newest = bins[_NEWEST]
        if newest is None:  # the batch holds no value: every age is null
            return pl.lit(None, dtype=pl.Float64)
        newest = pl.lit(newest, dtype=pl.Datetime("us"))
    else:
        newest = utc.max()
    # clipped at 0: a pinned newest of nanosecond data is truncated to microseconds (Python's datetime)
    return ((newest - utc).dt.total_microseconds().cast(pl.Float64) / 1e6).clip(lower_bound=0.0)


def recency_columns(features) -> dict[str, str]:
    """{datetime column: its zone} of the recency features among ``features``."""
    out = {}
    for f in features:
        bins = getattr(f, "time_bins", None)
        if bins and bins["unit"] == RECENCY:
            out[bins["column"]] = bins.get("zone") or "UTC"
    return out


def anchored(features, newest: dict):
    """``features`` (``summary.FeatureSpec``) with each recency feature's newest value pinned from
    ``newest`` ({column: naive UTC datetime or None}), so every chunk measures ages from one instant."""
    out = []
    for f in features:
        bins = getattr(f, "time_bins", None)
        if bins and bins["unit"] == RECENCY:
            f = dataclasses.replace(f, time_bins={**bins, _NEWEST: newest.get(bins["column"])})
        out.append(f)
    return out


def batch_newest(path, dtypes: dict[str, str], columns: dict[str, str]) -> dict:
    """{column: the newest value as naive UTC, None when it holds none} over all of ``path`` (every file
    of a glob or directory): the first pass of a chunked read, one lazy ``max`` per datetime column of
    ``columns`` ({column: zone}), reading those columns only. A column absent or not temporal is left out
    (its features are reported absent, or not comparable, by the counting pass)."""
    import polars as pl

    from . import io

    def newest(lazy):
        schema = lazy.collect_schema()
        present = [c for c in sorted(columns) if c in schema and schema[c].is_temporal()]
        if not present:
            return {}
        row = lazy.select(polars_utc(pl.col(c), schema[c], columns[c]).max().alias(c) for c in present)
        return row.collect(engine="streaming").row(0, named=True)

    return io.checked_scan(path, dtypes, newest)

