"""Datetime drift by recency (runtime.time_bins): each row's age back from its batch's newest date, binned on
the training ages' quantile edges. On a real table (vega_datasets' Seattle weather, 2012-2015, one row a
day): a clean split is quiet; a batch whose tail is a backfill of year-old rows alarms on ``date:recency``
alone (the shift is 52 weeks, so weekdays and hours stay as they were), and the HTML report and the
Prometheus export show it like any feature."""
from __future__ import annotations

import json
import re

import numpy as np
import polars as pl
import pytest

from tests.helpers import run, run_cli

SPEC = """\
spec_version: 1
name: weather
data: {training: train.parquet}
features:
  date: {dtype: datetime, monitoring: {time_bins: [hour, weekday, recency]}}
  precipitation: {dtype: float}
  temp_max: {dtype: float}
  temp_min: {dtype: float}
  wind: {dtype: float}
  weather: {dtype: category, values: [drizzle, fog, rain, snow, sun]}
monitoring: {}
"""
BACKFILL_WEEKS = 52  # whole weeks: the weekday of every shifted row stays the same


def _seattle() -> pl.DataFrame:
    from vega_datasets import local_data

    return pl.from_pandas(local_data.seattle_weather()).with_columns(pl.col("date").cast(pl.Datetime("us")))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("weather")
    table = _seattle()
    order = np.random.default_rng(7).permutation(table.height)
    train, current = table[np.sort(order[: table.height // 2])], table[np.sort(order[table.height // 2:])]
    train.write_parquet(root / "train.parquet")
    current.write_parquet(root / "clean.parquet")
    stale = np.random.default_rng(8).random(current.height) < 0.3  # a backfill: 30 % of the rows a year old
    current.with_columns(pl.when(pl.Series(stale)).then(pl.col("date") - pl.duration(weeks=BACKFILL_WEEKS))
                         .otherwise(pl.col("date")).alias("date")).write_parquet(root / "backfill.parquet")
    (root / "spec.yaml").write_text(SPEC)
    run_cli("baseline", root / "spec.yaml", expect=0)
    run_cli("compile", root / "spec.yaml", expect=0)
    return root


def _monitor(project, batch: str, expect: int, *extra) -> dict:
    out = run_cli("monitor", project / "spec.yaml", "--current", project / batch, "--format", "json", *extra,
                  expect=expect)
    return json.loads(out.stdout)


def test_the_baseline_stores_the_training_ages_on_quantile_edges(project):
    baseline = json.loads((project / "weather_baseline.json").read_text())
    ages = baseline["features"]["date:recency"]
    assert ages["edges"][0] == 0.0  # the newest training day is 0 s old
    assert 3.5 * 365 * 86400 < ages["edges"][-1] <= 4 * 366 * 86400  # the oldest, about four years back
    assert sum(ages["counts"]) == 730 and ages["counts"][0] == ages["counts"][-1] == 0  # no under/overflow


def test_a_clean_split_is_quiet(project):
    drift = {d["feature"]: d for d in _monitor(project, "clean.parquet", 0)["drift"]}
    assert {"date:hour", "date:weekday", "date:recency"} <= set(drift)
    assert not any(d["alarm"] for d in drift.values()), [d for d in drift.values() if d["alarm"]]


def test_a_backfilled_tail_alarms_on_recency_only(project, tmp_path):
    html, metrics = tmp_path / "report.html", tmp_path / "metrics.prom"
    report = _monitor(project, "backfill.parquet", 1, "--html", html, "--metrics-out", metrics)
    alarms = sorted(d["feature"] for d in report["drift"] if d["alarm"])
    assert alarms == ["date:recency"], report["alarms"]
    recency = next(d for d in report["drift"] if d["feature"] == "date:recency")
    assert recency["kind"] == "numeric" and recency["metric"] == "psi"  # time_bins.RECENCY_DRIFT's measure
    assert recency["value"] > recency["threshold"] >= recency["noise_floor"]
    assert "date:recency" in html.read_text()
    # the export holds what the drift rule compares, so the rule fires on it
    exported = dict(re.findall(r'^(specgen_weather_feature_drift_(?:psi|threshold))\{feature="date:recency"\} (\S+)$',
                               metrics.read_text(), re.M))
    psi, limit = (float(exported[f"specgen_weather_feature_drift_{m}"]) for m in ("psi", "threshold"))
    assert psi > limit
    rules = (project / "generated" / "weather" / "weather_alerts.yml").read_text()
    assert ('specgen_weather_feature_drift_psi{feature=\\"date:recency\\"} > '
            'specgen_weather_feature_drift_threshold{feature=\\"date:recency\\"}') in rules


def test_the_alert_rules_pass_promtool(project, promtool):
    out = run(promtool, "test", "rules", "weather_alerts_test.yml", cwd=project / "generated" / "weather")
    assert out.returncode == 0, out.stdout + out.stderr


def test_chunks_measure_ages_from_the_whole_batchs_newest(project, tmp_path):
    """Read in 50-row chunks, from CSV, the ages are those of the whole batch (the first pass pins its newest
    date on every chunk): the same counts, so the same value, as one Parquet read."""
    pl.read_parquet(project / "backfill.parquet").write_csv(tmp_path / "backfill.csv")
    whole = _monitor(project, "backfill.parquet", 1)
    chunked = _monitor(project, tmp_path / "backfill.csv", 1, "--chunk-rows", "50")
    value = {r["feature"]: r["value"] for r in chunked["drift"]}
    assert value["date:recency"] == next(d["value"] for d in whole["drift"] if d["feature"] == "date:recency")


def test_a_reference_file_gets_its_own_time_bins(project):
    """``--reference``: hours, weekdays and ages of that file (its own newest date), not a missing feature."""
    report = _monitor(project, "backfill.parquet", 1, "--reference", project / "train.parquet")
    assert sorted(d["feature"] for d in report["drift"] if d["alarm"]) == ["date:recency"], report["alarms"]


def test_duckdb_computes_the_time_bins_as_polars_does(project):
    """``--engine duckdb``: hour, weekday and recency as aggregates in DuckDB (``pushdown.time_bins``), the same
    numbers and the same alarm as the polars path."""
    ours = _monitor(project, "backfill.parquet", 1)
    theirs = _monitor(project, "backfill.parquet", 1, "--engine", "duckdb")
    assert theirs["alarms"] == ours["alarms"]
    assert [d["feature"] for d in theirs["drift"] if d["alarm"]] == ["date:recency"]
    values = {d["feature"]: d["value"] for d in ours["drift"]}
    assert {d["feature"] for d in theirs["drift"]} == set(values)  # no feature dropped by the engine
    for result in theirs["drift"]:
        assert result["value"] == pytest.approx(values[result["feature"]], abs=1e-9), result


def test_the_serving_log_is_aged_from_the_batchs_newest(project, tmp_path):
    """Skew: the serving feature log of the same rows (read in chunks) has the same ages; a log whose
    timestamps the serving path moved a year back is skewed, though its own spread is the same."""
    same = _monitor(project, "clean.parquet", 0, "--serving-features", project / "clean.parquet",
                    "--chunk-rows", "50")
    skew = {r["feature"]: r for r in same["skew"]}
    assert skew["date:recency"]["value"] == 0.0 and not skew["date:recency"]["alarm"]
    moved = tmp_path / "log.parquet"
    pl.read_parquet(project / "clean.parquet").with_columns(pl.col("date") - pl.duration(weeks=52)).write_parquet(moved)
    skewed = _monitor(project, "clean.parquet", 1, "--serving-features", moved)
    assert sorted(r["feature"] for r in skewed["skew"] if r["alarm"]) == ["date:recency"], skewed["alarms"]


@pytest.mark.parametrize("edit", [
    ("date: {dtype: datetime,", "date: {dtype: datetime, timezone: America/Los_Angeles,"),  # other hours, weekdays
    ("time_bins: [hour, weekday, recency]", "time_bins: [hour, recency]"),  # other features
], ids=["timezone", "time_bins"])
def test_what_the_time_bins_depend_on_makes_the_baseline_stale(project, tmp_path, edit):
    """The hour and weekday references are counted in the column's zone: a new ``timezone:`` needs a new baseline."""
    import shutil

    for name in ("spec.yaml", "train.parquet", "weather_baseline.json", "clean.parquet"):
        shutil.copy(project / name, tmp_path / name)
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec.read_text().replace(*edit))
    assert spec.read_text() != SPEC
    result = run_cli("compile", "--check", spec, expect=1)
    assert ["old-baseline", str(tmp_path / "weather_baseline.json")] in [line.split()[:2] for line in
                                                                           result.stdout.splitlines()], result.stdout
    out = run_cli("monitor", spec, "--current", tmp_path / "clean.parquet", expect=2)
    assert "out-of-date baseline" in out.stdout + out.stderr
    run_cli("baseline", spec, expect=0)
    run_cli("compile", "--check", spec, expect=1)  # the generated files are not written yet: only they are missing
    run_cli("compile", spec, expect=0)
    run_cli("monitor", spec, "--current", tmp_path / "clean.parquet", expect=0)
