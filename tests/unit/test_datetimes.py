"""Datetimes: the time-zone rule (runtime.timezones), the ``timezone`` and ``freshness`` kinds, and
both engines (polars behind validate, the generated pandera schema) agreeing on them."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from specgen.api import build_plan
from specgen.errors import DataError
from specgen.runtime import engine, io, testing, timezones

AS_OF = "2024-01-12T00:00:00Z"  # a day after the newest value of ``_frame``

SPEC = """\
spec_version: 1
name: times
data: {training: t.parquet}
features:
  ts:
    dtype: datetime
    timezone: Europe/Berlin
    max_age: 2d
    range: ["2024-01-01", "2024-01-11T00:00:00+01:00"]
  x: {dtype: float}
"""


def _frame() -> pl.DataFrame:
    """Hourly from 2024-01-01 00:00 to 2024-01-10 23:00, Berlin wall time, as aware Berlin values."""
    wall = [dt.datetime(2024, 1, 1) + dt.timedelta(hours=h) for h in range(240)]
    return pl.DataFrame({"ts": wall, "x": [float(h) for h in range(240)]}).with_columns(
        pl.col("ts").dt.replace_time_zone("Europe/Berlin"))


def _naive(zone: str):
    """The same instants as naive wall time in ``zone``."""
    return lambda f: f.with_columns(pl.col("ts").dt.convert_time_zone(zone).dt.replace_time_zone(None))


def _as_text(f: pl.DataFrame) -> pl.DataFrame:  # a CSV with offsets, some +01:00 and some Z
    text = pl.col("ts").dt.to_string("%Y-%m-%dT%H:%M:%S%:z")
    utc = pl.col("ts").dt.convert_time_zone("UTC").dt.to_string("%Y-%m-%dT%H:%M:%SZ")
    return f.with_columns(pl.when(pl.col("x") % 2 == 0).then(text).otherwise(utc).alias("ts"))


CASES = {  # name -> (transform, suffix, failures)
    "aware_berlin": (lambda f: f, ".parquet", set()),
    "aware_utc": (lambda f: f.with_columns(pl.col("ts").dt.convert_time_zone("UTC")), ".parquet", set()),
    "aware_new_york": (lambda f: f.with_columns(pl.col("ts").dt.convert_time_zone("America/New_York")), ".parquet",
                       {("ts", "timezone")}),
    "naive_berlin_wall_time": (_naive("Europe/Berlin"), ".parquet", set()),
    # UTC wall time read as Berlin: every value an hour late, the last one past the upper bound
    "naive_utc_wall_time": (_naive("UTC"), ".parquet", {("ts", "range")}),
    # dates are midnight in the column's zone: the newest, 2024-01-10 00:00 Berlin, is 2 d 1 h before AS_OF
    "dates": (lambda f: f.with_columns(pl.col("ts").dt.replace_time_zone(None).dt.date()), ".parquet",
              {("ts", "freshness")}),
    "mixed_offsets_csv": (_as_text, ".csv", set()),
    "shifted_a_day_late": (lambda f: f.with_columns(pl.col("ts") + pl.duration(days=1)), ".parquet",
                           {("ts", "range")}),
    "two_weeks_old": (lambda f: f.with_columns(pl.col("ts") - pl.duration(days=14)), ".parquet",
                      {("ts", "range"), ("ts", "freshness")}),
}


@pytest.fixture(scope="module")
def times(tmp_path_factory):
    from specgen.compiler.render import render

    out = tmp_path_factory.mktemp("times")
    (out / "spec.yaml").write_text(SPEC)
    plan = build_plan(out / "spec.yaml", out)
    path = out / "schema.py"
    path.write_text(render(plan)[f"{plan.module}.py"])
    return plan, testing.load_module(path, "times_schema_under_test")


@pytest.mark.parametrize("case", sorted(CASES))
def test_engines_agree_on_time_zones_and_freshness(tmp_path, times, monkeypatch, case):
    monkeypatch.setenv(timezones.AS_OF_ENV, AS_OF)
    plan, schema = times
    transform, suffix, expected = CASES[case]
    path = tmp_path / f"t{suffix}"
    frame = transform(_frame())
    frame.write_parquet(path) if suffix == ".parquet" else frame.write_csv(path)
    ours = {f.check.key for f in io.checked_scan(path, plan.dtypes(),
                                                 lambda lazy: engine.run_checks(lazy, plan.checks("training")))}
    theirs = set(testing.report(schema.TrainingSchema, io.read_pandas(path, plan.dtypes(), plan.zones())).failures)
    assert ours == theirs == expected


def test_freshness_follows_as_of(tmp_path, times, monkeypatch):
    plan, _ = times
    path = tmp_path / "t.parquet"
    _frame().write_parquet(path)
    freshness = [c for c in plan.checks("training") if c.kind == "freshness"]
    # newest: 2024-01-10 23:00 Berlin = 22:00 UTC; max_age 2d
    for as_of, stale in (("2024-01-12T22:00:00Z", False), ("2024-01-12T22:00:01Z", True),
                         ("2024-01-12T23:30:00+01:00", True), (str(dt.datetime(2024, 1, 11, tzinfo=dt.timezone.utc)
                                                                    .timestamp()), False)):
        monkeypatch.setenv(timezones.AS_OF_ENV, as_of)
        failures = engine.run_checks(io.read_polars(path), freshness)
        assert bool(failures) == stale, (as_of, failures)
    monkeypatch.setenv(timezones.AS_OF_ENV, "next tuesday")
    with pytest.raises(DataError, match="SG207"):
        engine.run_checks(io.read_polars(path), freshness)


def test_negative_cases_are_rejected(tmp_path, times, monkeypatch):
    monkeypatch.setenv(timezones.AS_OF_ENV, AS_OF)
    plan, schema = times
    path = tmp_path / "t.parquet"
    _frame().write_parquet(path)
    sample = io.read_pandas(path, plan.dtypes(), plan.zones())
    assert testing.report(schema.TrainingSchema, sample).failures == {}
    negatives = [n for n in plan.negatives if n.kind in ("timezone", "freshness")]
    assert sorted(n.kind for n in negatives) == ["freshness", "timezone"]
    for n in negatives:
        testing.assert_rejects(schema.TrainingSchema, sample, n.column, n.kind, n.mutation, n.value)


def test_bounds_follow_the_column_zone():
    plan = _plan_of("ts: {dtype: datetime, timezone: America/New_York, range: ['2024-07-01', '2024-07-02T00:00:00Z']}")
    (check,) = [c for c in plan.checks() if c.kind == "range"]
    assert check.params == {"min": dt.datetime(2024, 7, 1, 4), "max": dt.datetime(2024, 7, 2)}  # EDT is UTC-4
    default = _plan_of("ts: {dtype: datetime, range: ['2024-07-01', null]}")
    assert [c.params["min"] for c in default.checks() if c.kind == "range"] == [dt.datetime(2024, 7, 1)]


@pytest.mark.parametrize("feature, says", [
    ("{dtype: datetime, timezone: Mars/Olympus}", "not an IANA time zone"),
    ("{dtype: datetime, max_age: soon}", "not a duration"),
    ("{dtype: float, timezone: UTC}", "timezone"),
])
def test_bad_datetime_keys_are_spec_errors(tmp_path, feature, says):
    from specgen.errors import SpecgenError

    with pytest.raises(SpecgenError, match=says):
        _plan_of(f"ts: {feature}", tmp_path)


def _plan_of(feature: str, where=None):
    import tempfile
    from pathlib import Path

    folder = Path(where or tempfile.mkdtemp())
    (folder / "spec.yaml").write_text(f"spec_version: 1\nname: z\ndata: {{training: t.parquet}}\nfeatures:\n"
                                      f"  {feature}\n")
    return build_plan(folder / "spec.yaml", folder)


def test_the_rule_in_small():
    berlin = dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert timezones.to_naive_utc(berlin, "Asia/Tokyo") == dt.datetime(2023, 12, 31, 23)  # aware: converted
    assert timezones.to_naive_utc(dt.datetime(2024, 1, 1), "Asia/Tokyo") == dt.datetime(2023, 12, 31, 15)
    assert timezones.to_naive_utc(dt.datetime(2024, 1, 1), None) == dt.datetime(2024, 1, 1)
    assert timezones.same_zone(None, "Europe/Berlin") and timezones.same_zone("UTC", "Europe/Berlin")
    assert timezones.same_zone("Etc/UTC", "UTC") and not timezones.same_zone("Europe/Berlin", "UTC")
    assert not timezones.same_zone("America/New_York", "Europe/Berlin")
    assert timezones.parse_instant("1704067200") == timezones.parse_instant("2024-01-01T00:00:00Z")


def test_a_zoned_column_is_checked_as_aware_in_pandas(tmp_path, times, monkeypatch):
    """The pandas schema holds a zoned column as aware datetimes (pandera's ``DateTime`` with ``tz``, any unit):
    ``io.read_pandas`` gives it aware in the declared zone; naive values and another zone fail its dtype."""
    monkeypatch.setenv(timezones.AS_OF_ENV, AS_OF)
    plan, schema = times
    assert str(schema.TrainingSchema.to_schema().columns["ts"].dtype) == "datetime64[ns, Europe/Berlin]"
    path = tmp_path / "t.parquet"
    _naive("Europe/Berlin")(_frame()).write_parquet(path)  # naive wall time: read as Berlin
    frame = io.read_pandas(path, plan.dtypes(), plan.zones())
    assert str(frame["ts"].dtype) == "datetime64[us, Europe/Berlin]"
    assert testing.report(schema.TrainingSchema, frame).failures == {}
    in_ns = frame.assign(ts=frame["ts"].astype("datetime64[ns, Europe/Berlin]"))
    in_utc = frame.assign(ts=frame["ts"].dt.tz_convert("UTC"))  # an instant: agrees with any zone
    assert testing.report(schema.TrainingSchema, in_ns).failures == testing.report(schema.TrainingSchema,
                                                                                   in_utc).failures == {}
    naive = frame.assign(ts=frame["ts"].dt.tz_localize(None))
    tokyo = frame.assign(ts=frame["ts"].dt.tz_convert("Asia/Tokyo"))
    tokyo.attrs = {}  # as a user's own frame: no reader's note, its own zone speaks
    for wrong in (naive, tokyo):  # a dtype failure hides the column's others (``blocks_column``)
        assert set(testing.report(schema.TrainingSchema, wrong).failures) == {("ts", "dtype")}


def test_a_repeated_wall_time_is_the_earlier_instant_in_both_engines():
    """2024-10-27 02:30 happens twice in Berlin (clocks go back at 03:00 CEST): the earlier, 00:30 UTC."""
    import pandas as pd

    wall = dt.datetime(2024, 10, 27, 2, 30)
    ours = pl.select(timezones.polars_utc(pl.lit(wall), pl.Datetime("us"), "Europe/Berlin")).item()
    theirs = timezones.pandas_utc(pd.Series([wall]), "Europe/Berlin").iloc[0].to_pydatetime()
    assert ours == theirs == dt.datetime(2024, 10, 27, 0, 30)
