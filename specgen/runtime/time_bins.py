"""Datetime drift: a datetime feature is monitored as two categorical distributions, its values'
hour of day (``0``..``23``) and weekday (``1`` Monday .. ``7`` Sunday), both in the column's declared
time zone (UTC by default; ``runtime.timezones`` reads naive values in it).

Each becomes a monitored feature of its own, named ``<column>:hour`` / ``<column>:weekday``, whose
column is added to a frame before it is counted (``with_time_bins``). From there they are
categorical features like any other: the same measures, thresholds and noise floors
(``runtime.calibration``: a clean batch raises a false alarm with chance ``monitoring.alpha``,
shared by all monitored features), the same gauges and alert rules. A shift of the daily or weekly
rhythm (a batch job moved from night to day, weekend traffic missing) shows even when every value
is inside the declared range.
"""
from __future__ import annotations

from .timezones import polars_utc

__all__ = ["UNITS", "feature_name", "with_time_bins"]

UNITS = ("hour", "weekday")


def feature_name(column: str, unit: str) -> str:
    return f"{column}:{unit}"


def with_time_bins(frame, features):
    """``frame`` plus a text column per time-binned feature (``time_bins``: column, unit, zone) whose
    datetime column it holds; the others are left to be reported absent."""
    import polars as pl

    schema = frame.schema
    exprs = []
    for f in features:
        bins = getattr(f, "time_bins", None)
        if not bins or bins["column"] not in schema or not schema[bins["column"]].is_temporal():
            continue
        zone = bins.get("zone") or "UTC"
        utc = polars_utc(pl.col(bins["column"]), schema[bins["column"]], zone)
        local = utc.dt.replace_time_zone("UTC").dt.convert_time_zone(zone)
        value = local.dt.hour() if bins["unit"] == "hour" else local.dt.weekday()
        exprs.append(value.cast(pl.String).alias(f.name))
    return frame.with_columns(exprs) if exprs else frame
