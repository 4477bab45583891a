"""Datetime drift (runtime.time_bins): a datetime feature's hour of day and weekday are monitored like
categories. A batch whose daily rhythm moved alarms; a clean split of the same data does not."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest

from specgen.runtime.time_bins import with_time_bins
from specgen.runtime.summary import FeatureSpec
from tests.helpers import run_cli

SPEC = """\
spec_version: 1
name: rhythm
data: {training: train.parquet}
features:
  at: {dtype: datetime, timezone: America/New_York, max_null_fraction: 0.01}  # DST gaps: null
  x: {dtype: float}
monitoring: {}
"""


def _events(rng, n: int, hours) -> pl.DataFrame:
    """``n`` events on random days of 2024, at local (New York) hours drawn from ``hours``."""
    days = rng.integers(0, 360, n)
    hour = rng.choice(hours, n)
    minute = rng.integers(0, 60, n)
    local = [dt.datetime(2024, 1, 1) + dt.timedelta(days=int(d), hours=int(h), minutes=int(m))
             for d, h, m in zip(days, hour, minute)]
    return pl.DataFrame({"at": local, "x": rng.normal(size=n)}).with_columns(
        pl.col("at").dt.replace_time_zone("America/New_York", ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC"))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("rhythm")
    rng = np.random.default_rng(3)
    whole = _events(rng, 8000, np.arange(24))
    whole[:4000].write_parquet(root / "train.parquet")
    whole[4000:].write_parquet(root / "clean.parquet")  # the same process: no drift
    _events(rng, 4000, np.arange(9, 18)).write_parquet(root / "office_hours.parquet")  # the rhythm moved
    (root / "spec.yaml").write_text(SPEC)
    run_cli("baseline", root / "spec.yaml", expect=0)
    run_cli("compile", root / "spec.yaml", expect=0)
    return root


def _drift(project, batch: str, expect: int) -> dict:
    out = run_cli("monitor", project / "spec.yaml", "--current", project / batch, "--format", "json", expect=expect)
    return {d["feature"]: d for d in json.loads(out.stdout)["drift"]}


def test_a_clean_split_is_quiet(project):
    drift = _drift(project, "clean.parquet", 0)
    assert {"at:hour", "at:weekday"} <= set(drift)
    assert not any(d["alarm"] for d in drift.values())


def test_a_moved_daily_rhythm_alarms_on_the_hour(project):
    drift = _drift(project, "office_hours.parquet", 1)
    assert drift["at:hour"]["alarm"] and drift["at:hour"]["value"] > drift["at:hour"]["threshold"]
    assert not drift["at:weekday"]["alarm"] and not drift["x"]["alarm"]


def test_hours_and_weekdays_are_local_to_the_declared_zone():
    utc = dt.datetime(2024, 7, 1, 2, 30)  # Monday 02:30 UTC = Sunday 22:30 in New York (EDT)
    specs = [FeatureSpec(f"t:{u}", "categorical", (), {"column": "t", "unit": u, "zone": "America/New_York"})
             for u in ("hour", "weekday")]
    aware = with_time_bins(pl.DataFrame({"t": [utc]}).with_columns(pl.col("t").dt.replace_time_zone("UTC")), specs)
    naive_local = with_time_bins(pl.DataFrame({"t": [dt.datetime(2024, 6, 30, 22, 30)]}), specs)
    assert aware.row(0)[1:] == naive_local.row(0)[1:] == ("22", "7")
