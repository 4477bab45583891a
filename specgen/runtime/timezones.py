"""Time zones and "now": the one rule every engine compares datetimes by.

The rule: every datetime is compared as a UTC instant, written without a zone.

* Time-zone-aware data is converted to UTC (the instant is kept).
* Naive data (and dates) are wall time in the column's declared ``timezone``
  (default UTC) and converted from it. A wall time that does not exist in that zone
  (skipped by a daylight-saving jump) becomes null; an ambiguous one (repeated) takes the
  earlier instant.
* Spec bounds follow the same rule: with an offset they are converted, without one they are
  wall time in the column's ``timezone`` (``to_naive_utc`` at spec validation).

The ``timezone`` check compares an aware column's zone with the declared one. Naive data
carries no zone to contradict it, and UTC data is an unambiguous instant that agrees with any
declared zone: a CSV's offsets (``+01:00``, ``Z``, even mixed in one column) are read by polars
as UTC instants, so a CSV never fails the check, while a Parquet file written in another named
zone (``America/New_York`` where ``Europe/Berlin`` is declared) does. The pandas reader
(``io.read_pandas``) normalises while reading and remembers each aware column's zone in
``frame.attrs[SOURCE_ZONES]``: a column with a declared zone becomes aware in that zone
(``pandas_in_zone``; the generated pandas schema checks it as aware), any other datetime naive UTC.

"Now" for freshness (``max_age``) is ``as_of()``: ``$SPECGEN_AS_OF`` (ISO 8601, or Unix
seconds) when set, so that tests and backfills are reproducible, else the clock.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from functools import lru_cache

__all__ = ["known_zone", "to_naive_utc", "same_zone", "as_of", "AS_OF_ENV", "SOURCE_ZONES", "polars_utc",
           "pandas_utc", "pandas_in_zone", "pandas_like", "source_zone", "parse_instant",
           "instant_seconds"]

AS_OF_ENV = "SPECGEN_AS_OF"
SOURCE_ZONES = "specgen_source_zones"  # pandas DataFrame.attrs key: column -> the zone it was read in
_UTC_NAMES = {"utc", "etc/utc", "etc/uct", "uct", "gmt", "etc/gmt", "z", "zulu", "etc/zulu", "+00:00", "00:00",
              "universal", "etc/universal", "greenwich", "etc/greenwich"}


@lru_cache(maxsize=256)
def _zone(name: str):
    from zoneinfo import ZoneInfo

    return dt.timezone.utc if name.lower() in _UTC_NAMES else ZoneInfo(name)


def known_zone(name: str) -> bool:
    try:
        _zone(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


def to_naive_utc(value: dt.datetime, zone: str | None) -> dt.datetime:
    """An aware datetime as UTC wall time; a naive one read as wall time in ``zone`` (default UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(zone or "UTC"))
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def same_zone(seen: str | None, declared: str) -> bool:
    """Whether data written in zone ``seen`` agrees with the ``declared`` zone (see the module's docstring):
    naive data and UTC data always do; any other zone must be the declared one (UTC spellings are one zone)."""
    if seen is None or seen.lower() in _UTC_NAMES:
        return True
    if declared.lower() in _UTC_NAMES:
        return False
    return seen == declared


def instant_seconds(text: str) -> float | None:
    """The Unix seconds ``text`` means when it is a number, else None (read it as ISO 8601). Eight digits
    that form a date are the ISO 8601 basic date YYYYMMDD (20240131), not a time in 1970."""
    text = text.strip()
    if len(text) == 8 and text.isdigit():
        try:
            dt.date.fromisoformat(text)
            return None
        except ValueError:
            pass
    try:
        return float(text)
    except ValueError:
        return None


def parse_instant(text: str) -> dt.datetime:
    """Unix seconds or ISO 8601 (a trailing Z allowed; no zone: UTC) -> naive UTC: the one rule for an
    instant a user writes (``instant_seconds`` tells the two apart). ValueError when neither, or out of range."""
    text = text.strip()
    seconds = instant_seconds(text)
    if seconds is not None:
        try:
            return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):  # inf, nan, beyond year 9999: no datetime holds it
            raise ValueError(f"{text!r} is out of the range of Unix seconds a datetime holds") from None
    value = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    return to_naive_utc(value, "UTC")


def as_of() -> dt.datetime:
    """Now, as naive UTC: ``$SPECGEN_AS_OF`` when set (see the module's docstring), else the clock."""
    text = os.environ.get(AS_OF_ENV, "").strip()
    if not text:
        return dt.datetime.fromtimestamp(time.time(), dt.timezone.utc).replace(tzinfo=None)
    try:
        return parse_instant(text)
    except ValueError:
        from ..errors import DataError

        raise DataError(f"{AS_OF_ENV}={text!r} is neither ISO 8601 nor Unix seconds [SG207]", "SG207") from None


def polars_utc(expr, dtype, zone: str | None):
    """polars: ``expr`` (of ``dtype``) as naive UTC by the module's rule; other types unchanged."""
    import polars as pl

    if dtype == pl.Date:
        expr, dtype = expr.cast(pl.Datetime("us")), pl.Datetime("us")
    if not isinstance(dtype, pl.Datetime):
        return expr
    if dtype.time_zone is None:
        if zone is None or zone.lower() in _UTC_NAMES:
            return expr
        expr = expr.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
    return expr.dt.convert_time_zone("UTC").dt.replace_time_zone(None)


def pandas_utc(series, zone: str | None):
    """pandas: a datetime series as naive UTC by the module's rule; other series unchanged."""
    import pandas as pd

    if not pd.api.types.is_datetime64_any_dtype(series):
        return series
    if series.dt.tz is None:
        if zone is None or zone.lower() in _UTC_NAMES:
            return series
        # True: the daylight-saving reading of a repeated wall time, which is the earlier instant (clocks
        # go back when daylight saving ends), as polars' ambiguous="earliest"
        series = series.dt.tz_localize(zone, ambiguous=True, nonexistent="NaT")
    return series.dt.tz_convert("UTC").dt.tz_localize(None)


def pandas_in_zone(series, zone: str):
    """pandas: a normalised datetime series (aware, or naive UTC as ``pandas_utc`` leaves it) as
    time-zone-aware values in ``zone``: how the pandas schema holds a column with a declared ``timezone``."""
    return pandas_utc(series, None).dt.tz_localize("UTC").dt.tz_convert(_zone(zone))


def pandas_like(series, value):
    """``value`` (a datetime: naive values are UTC) in the form of the datetime ``series``: aware in its
    zone when it is aware, naive UTC when it is naive; any other value unchanged. For setting a value
    into a column without mixing naive and aware values (which pandas refuses to compare)."""
    import pandas as pd

    if not isinstance(value, dt.datetime) or not pd.api.types.is_datetime64_any_dtype(series):
        return value
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.tz_convert(series.dt.tz) if series.dt.tz is not None else stamp.tz_localize(None)


def source_zone(series) -> str | None:
    """pandas: the zone ``series`` was written in: the one the reader noted (``io.read_pandas`` shows a
    zoned column in its declared zone, whatever the file held), else its own (None: naive)."""
    import pandas as pd

    noted = series.attrs.get(SOURCE_ZONES, {}).get(series.name)
    if noted is not None:
        return noted
    if pd.api.types.is_datetime64_any_dtype(series) and series.dt.tz is not None:
        return str(series.dt.tz)
    return None
