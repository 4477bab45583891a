"""``monitor --reference/--serving-features`` with ``--engine spark|duckdb`` or ``--source URL``: both are read by
that engine (a table in PostgreSQL, Parquet paths for Spark and DuckDB), as aggregates, and every number
(reference edges and counts, drift, skew) equals the polars path's on the same rows."""
from __future__ import annotations

import math

import polars as pl
import pytest

from specgen.api import build_plan, monitor
from specgen.runtime import io
from tests.helpers import EXAMPLES

SPEC = EXAMPLES / "penguins" / "spec.yaml"
#: Spark runs a job per aggregate (2.4 min for this test at load ~8 on 2 cores): ``make test-slow`` runs it
ENGINES = ("duckdb", "postgres", pytest.param("spark", marks=pytest.mark.slow))


@pytest.fixture(scope="module")
def frames():
    """(batch, reference, serving log): the reference is one year of the training rows (its edges differ
    from the committed baseline's; 40% of its bill depths are 0.0, a tie), the serving log has a longer bill
    than the batch (skew)."""
    dtypes = build_plan(SPEC).dtypes()
    train = io.read_polars(EXAMPLES / "penguins" / "data" / "train.csv", dtypes)
    batch = io.read_polars(EXAMPLES / "penguins" / "data" / "serving.csv", dtypes)
    reference = train.filter(pl.col("year") == 2008).with_columns(  # 40% ties on 0.0: a bin [0, 5e-324) of its own
        pl.when(pl.int_range(pl.len()) % 5 < 2).then(0.0).otherwise(pl.col("bill_depth_mm")).alias("bill_depth_mm"))
    serving_log = batch.with_columns(pl.col("bill_length_mm") * 1.15, pl.lit("Biscoe").alias("island"))
    return {"batch": batch, "reference": reference, "serving_log": serving_log}


def _paths(frames, where) -> dict:
    out = {}
    for name, frame in frames.items():
        out[name] = where / f"{name}.parquet"
        frame.write_parquet(out[name])
    return out


def _options(request, name, frames, paths) -> tuple[dict, dict]:
    """(monitor's engine options, name -> what to pass as that data on this engine)."""
    if name == "postgres":
        from tests.postgres import load_frame

        url = request.getfixturevalue("postgres_url")
        for table, frame in frames.items():
            load_frame(url, f"mon_{table}", frame)
        return {"source": url}, {table: f"mon_{table}" for table in frames}
    if name == "spark":
        request.getfixturevalue("spark_session")
    return {"engine": name}, {table: str(path) for table, path in paths.items()}


def _numbers(report) -> dict:
    drift = {(r.name, m): v for r in report.drift for m, v in r.measures.items()}
    skew = {(r.name, m): v for r in report.skew for m, v in r.measures.items()}
    references = {name: ref for name, (ref, _) in report.distributions.items()}
    alarms = [(r.name, r.alarm) for r in report.drift + report.skew]  # prediction drift: pushdown/ runs no model
    # noise floors: from the reference's bins, sums and spreads (each bin's values' std), as the engine computed them
    floors = {(r.name, "floor"): r.floor for r in report.drift if r.floor is not None}
    return {"drift": drift | floors, "skew": skew, "references": references, "alarms": alarms}


@pytest.mark.parametrize("name", ENGINES)
def test_reference_and_serving_log_read_by_the_engine_equal_polars(request, frames, tmp_path, name):
    paths = _paths(frames, tmp_path)
    ours = monitor(SPEC, paths["batch"], reference=paths["reference"], serving_features=paths["serving_log"], now=0)
    options, data = _options(request, name, frames, paths)
    theirs = monitor(SPEC, data["batch"], reference=data["reference"], serving_features=data["serving_log"], now=0,
                     **options)
    mine, other = _numbers(ours), _numbers(theirs)
    assert other["references"] == mine["references"]  # edges, bin counts, category counts: exact
    tied = mine["references"]["bill_depth_mm"]
    assert tied.edges[:2] == (0.0, math.nextafter(0.0, math.inf)) and tied.counts[1] > 0  # the tie's own bin
    assert any(key[1] == "floor" for key in mine["drift"])  # some measure was over its practical threshold
    for part in ("drift", "skew"):
        assert other[part].keys() == mine[part].keys() and mine[part], part
        for key, value in mine[part].items():
            assert other[part][key] == pytest.approx(value, abs=1e-9), (part, key)
    assert other["alarms"] == mine["alarms"]
    assert any(r.alarm for r in theirs.skew if r.name == "bill_length_mm")  # the skew is caught, not just agreed on
    stored = monitor(SPEC, paths["batch"], now=0)
    assert _numbers(stored)["references"] != mine["references"]  # the reference was used, not the baseline


def test_a_reference_table_is_never_read_as_a_file(request, frames, tmp_path):
    """On PostgreSQL the reference is a table name: the polars reader could not open it, the engine does."""
    from specgen.errors import DataError

    paths = _paths(frames, tmp_path)
    options, data = _options(request, "postgres", frames, paths)
    with pytest.raises(DataError):
        monitor(SPEC, paths["batch"], reference=data["reference"], now=0)
    report = monitor(SPEC, data["batch"], reference=data["reference"], now=0, **options)
    assert report.rows == frames["batch"].height


DATED_SPEC = """spec_version: 1
name: dated
data: {training: train.parquet}
features:
  wall: {dtype: datetime, timezone: Europe/Berlin, monitoring: {time_bins: [hour, weekday, recency]}}
  instant: {dtype: datetime, timezone: America/New_York, monitoring: {time_bins: [hour, weekday, recency]}}
  utc: {dtype: datetime, monitoring: {time_bins: [hour, recency]}}
  x: {dtype: float}
monitoring: {}
"""


def _dated(start: str, days: int, seed: int) -> pl.DataFrame:
    """Every 37 minutes (so every minute occurs) with random gaps and nulls, across both of 2024's
    daylight-saving changes in Berlin and New York: ``wall`` naive (wall time in Berlin: the skipped hour
    becomes null, the repeated one its earlier instant), ``instant`` zone-aware (UTC instants)."""
    import datetime as dt

    import numpy as np

    rng = np.random.default_rng(seed)
    first = dt.datetime.fromisoformat(start)
    stamps = [first + dt.timedelta(minutes=37 * i + int(rng.integers(0, 30))) for i in range(days * 39)]
    stamps = [None if rng.random() < 0.02 else s for s in stamps]
    frame = pl.DataFrame({"wall": pl.Series(stamps, dtype=pl.Datetime("us")), "x": rng.normal(size=len(stamps))})
    hour = pl.col("wall").dt.hour()  # a daily rhythm (quiet 4-7 and 22-23), the changes' hours 2-3 kept
    frame = frame.filter(pl.col("wall").is_null() | hour.is_between(0, 3) | hour.is_between(8, 21))
    return frame.with_columns(pl.col("wall").dt.replace_time_zone("UTC").alias("instant"),
                              (pl.col("wall") - pl.duration(hours=5)).alias("utc"))


@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    """A compiled spec over datetimes (baseline from ``train``), a reference, a batch of a shorter span
    (recency drift) and a serving log whose clocks run 3 hours behind (hour skew)."""
    from specgen.api import baseline_spec, compile_spec

    root = tmp_path_factory.mktemp("dated")
    (root / "spec.yaml").write_text(DATED_SPEC, encoding="utf-8")
    _dated("2024-03-01T00:00:00", 60, 1).write_parquet(root / "train.parquet")
    baseline_spec(root / "spec.yaml")
    compile_spec(root / "spec.yaml")
    batch = _dated("2024-10-25T00:00:00", 12, 3)  # a shorter span: younger rows
    log = batch.with_columns(pl.col(c) - pl.duration(hours=3) for c in ("wall", "instant", "utc"))
    frames = {"batch": batch, "reference": _dated("2024-03-05T00:00:00", 30, 2), "serving_log": log}
    return root, frames


@pytest.mark.parametrize("name", ENGINES)
def test_time_bins_in_the_engine_equal_polars(request, dated, tmp_path, name):
    """A datetime's hour, weekday and recency (batch, ``--reference``, serving log) counted in the source:
    the same bins and counts as polars, naive wall times in a zone and zone-aware instants alike."""
    root, frames = dated
    paths = _paths(frames, tmp_path)
    spec = root / "spec.yaml"
    ours = monitor(spec, paths["batch"], reference=paths["reference"], serving_features=paths["serving_log"], now=0)
    options, data = _options(request, name, frames, paths)
    theirs = monitor(spec, data["batch"], reference=data["reference"], serving_features=data["serving_log"], now=0,
                     **options)
    binned = {f"{c}:{u}" for c in ("wall", "instant") for u in ("hour", "weekday", "recency")}
    assert binned | {"utc:hour", "utc:recency"} <= {r.name for r in theirs.drift}
    assert theirs.distributions == ours.distributions  # reference and batch bins and counts: exact
    mine, other = _numbers(ours), _numbers(theirs)
    assert any(key[1] == "floor" for key in mine["drift"])  # some measure was over its practical threshold
    for part in ("drift", "skew"):
        assert other[part].keys() == mine[part].keys() and mine[part], part
        for key, value in mine[part].items():
            assert other[part][key] == pytest.approx(value, abs=1e-9), (part, key)
    assert other["alarms"] == mine["alarms"]
    assert all(r.value is not None for r in theirs.drift if r.name in binned)  # computed, not reported absent
    assert any(r.alarm for r in theirs.drift if r.name == "wall:recency")  # 12 days against 30: caught
    assert any(r.alarm for r in theirs.skew if r.name == "wall:hour")  # the log's clock 3 hours behind
    stored = monitor(spec, data["batch"], now=0, **options)  # on the stored baseline's edges, with no serving log
    assert stored.distributions == monitor(spec, paths["batch"], now=0).distributions
