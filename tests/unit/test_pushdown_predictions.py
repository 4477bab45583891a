"""Prediction health on the pushdown engines (``runtime/pushdown/monitor.py``) equals the polars engine's:
prediction drift of the serving model run on the batch (streamed to it chunk by chunk), the non-finite
count and the numeric and per-class bias of a logged prediction column; the model is contained there as
in the polars path (SG306, exit 2, its prints kept out of the JSON)."""
from __future__ import annotations

import datetime as dt
import functools
import json
import math
import shutil

import numpy as np
import polars as pl
import pytest

from specgen.api import monitor
from specgen.runtime.drift import NULL_KEY
from tests.helpers import EXAMPLES, run_cli

ENGINES = ("duckdb", "spark", "postgres")
PENGUINS = EXAMPLES / "penguins"
invoke = functools.partial(run_cli, in_process=True)


def _both(request, name: str, frame: pl.DataFrame, spec, tmp_path, table: str, **options):
    """(polars report, the engine's report) on the same batch: Parquet for polars, DuckDB and Spark, a table
    loaded by COPY for PostgreSQL."""
    path = tmp_path / f"{table}.parquet"
    frame.write_parquet(path)
    engine, current = ({"engine": name} if name != "postgres" else {}), str(path)
    if name == "spark":
        request.getfixturevalue("spark_session")
    if name == "postgres":
        from tests.postgres import load_frame

        engine["source"] = request.getfixturevalue("postgres_url")
        load_frame(engine["source"], table, frame)
        current = table
    return monitor(spec, path, now=0, **options), monitor(spec, current, now=0, **engine, **options)


def _same_results(ours, theirs) -> None:
    assert [r.name for r in theirs] == [r.name for r in ours]
    for mine, other in zip(ours, theirs):
        assert (other.alarm, other.note) == (mine.alarm, mine.note), mine.name
        assert other.measures.keys() == mine.measures.keys(), mine.name
        for measure, value in mine.measures.items():
            assert other.measures[measure] == pytest.approx(value, abs=1e-9), (mine.name, measure)


@pytest.mark.parametrize("name", ENGINES)
def test_the_serving_model_runs_on_the_batch_and_drift_agrees(request, name, tmp_path):
    """No prediction column: the serving model runs on the batch's feature columns, streamed in chunks of 7
    rows (so several chunks are merged); every output's drift equals polars'; a shifted batch alarms."""
    batch = pl.read_csv(PENGUINS / "data" / "serving.csv").with_columns(pl.col("bill_length_mm") * 1.3)
    ours, theirs = _both(request, name, batch, PENGUINS / "spec.yaml", tmp_path, "model_batch", chunk_rows=7)
    assert theirs.prediction_source == ours.prediction_source == "model"
    assert {r.name for r in theirs.prediction_drift} == {"prediction", "proba:Adelie", "proba:Chinstrap",
                                                           "proba:Gentoo"}
    _same_results(ours.prediction_drift, theirs.prediction_drift)
    assert all(r.value is not None for r in theirs.prediction_drift)
    assert any(r.alarm for r in theirs.prediction_drift)  # a changed input changes the outputs: caught
    assert theirs.model_version == ours.model_version


def _labelled(to_gentoo: int) -> pl.DataFrame:
    """The serving batch with its labels (penguin_id is the raw row number) and the model's logged
    predictions, ``to_gentoo`` of the other species' rows then predicted as Gentoo (an over-predicted class)."""
    raw = pl.read_csv(PENGUINS / "data" / "penguins_raw.csv", null_values="NA")
    labels = raw.with_row_index("penguin_id", offset=1).select(pl.col("penguin_id").cast(pl.Int64), "species")
    predicted = pl.read_csv(PENGUINS / "data" / "predictions.csv").select("penguin_id", "predicted_species")
    frame = (pl.read_csv(PENGUINS / "data" / "serving.csv", null_values="NA")
             .join(labels, on="penguin_id", how="left").join(predicted, on="penguin_id", how="left"))
    wrong = frame.filter(pl.col("species") != "Gentoo")["penguin_id"].head(to_gentoo).to_list()
    return frame.with_columns(pl.when(pl.col("penguin_id").is_in(wrong)).then(pl.lit("Gentoo"))
                              .otherwise(pl.col("predicted_species")).alias("predicted_species"))


@pytest.mark.parametrize("name", ENGINES)
def test_class_bias_of_logged_predictions_agrees(request, name, tmp_path):
    """A logged prediction column and the label: per-class shares as aggregates, equal to polars'; the
    model is not run (the column is the predictions); an over-predicted class alarms on every engine."""
    batch = _labelled(to_gentoo=10)
    ours, theirs = _both(request, name, batch, PENGUINS / "spec.yaml", tmp_path, "labelled_batch")
    assert ours.class_shares is not None and set(ours.class_shares) == {"Adelie", "Chinstrap", "Gentoo"}
    assert theirs.class_shares == ours.class_shares  # integer counts: exactly equal
    assert theirs.prediction_source == ours.prediction_source == "column"
    _same_results(ours.prediction_drift, theirs.prediction_drift)
    bias = [a for a in theirs.alarms if a.startswith("prediction bias")]
    assert bias == [a for a in ours.alarms if a.startswith("prediction bias")] and "'Gentoo'" in bias[0]


CODED = """spec_version: 1
name: coded
data: {training: data/train.parquet, label: y}
features:
  x: {dtype: float}
  c: {dtype: category, values: [1, 2, 3], max_null_fraction: 0.2}
columns:
  pred: {dtype: float}
  y: {dtype: category, values: [0, 1]}
monitoring:
  prediction: {column: pred, max_bias: 0.1}
"""


def _coded(n: int, seed: int) -> pl.DataFrame:
    """Integer classes and codes, each row predicted right."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = (x > 0).astype(np.int64)
    return pl.DataFrame({"x": x, "c": rng.integers(1, 4, n), "y": y, "pred": y})


@pytest.mark.parametrize("name", ENGINES)
def test_int_codes_written_as_floats_with_nan_are_their_ints_on_every_engine(request, name, tmp_path):
    """pandas writes an int column with missing values as floats (1.0, NaN). Such a batch against an int
    reference: a whole float is its int's category (the feature's drift, the per-class bias) and NaN is no
    value. Before, polars counted "1.0" apart from "1" (a linf drift alarm of ~0.35 on clean codes, every
    class ``__other__``: a 0.3 bias alarm on right predictions), DuckDB and Spark too, PostgreSQL wrote "1"."""
    (tmp_path / "data").mkdir()
    _coded(200, 5).write_parquet(tmp_path / "data" / "train.parquet")
    spec = tmp_path / "spec.yaml"
    spec.write_text(CODED, encoding="utf-8")
    done = invoke("baseline", spec)
    assert done.returncode == 0, done.stdout + done.stderr
    row = pl.int_range(pl.len()) % 10
    batch = _coded(200, 6).with_columns(
        pl.when(row < 3).then(math.nan).otherwise(pl.col("y").cast(pl.Float64)).alias("y"),
        pl.when(row == 9).then(math.nan).otherwise(pl.col("pred").cast(pl.Float64)).alias("pred"),
        pl.when(row == 8).then(None).otherwise(pl.col("c").cast(pl.Float64)).alias("c"))
    ours, theirs = _both(request, name, batch, spec, tmp_path, "coded_batch")
    assert ours.class_shares is not None and set(ours.class_shares) == {"0", "1"}  # no __other__ class
    assert theirs.class_shares == ours.class_shares
    assert sum(labelled for _, labelled in ours.class_shares.values()) == 1.0  # over the 120 rows with both
    for report in (ours, theirs):
        reference, current = report.distributions["c"]
        assert set(current) == set(reference) | {NULL_KEY}, current  # 1.0 counted as 1, not a new category
        assert not {r.name: r for r in report.drift}["c"].alarm
    _same_results(ours.drift, theirs.drift)
    # (the missing labels and predictions alarm as what they are: y's nulls drift, pred's not_null fails)
    assert not [a for a in ours.alarms + theirs.alarms if a.startswith(("prediction bias", "drift: c "))]


REGRESSION = """spec_version: 1
name: fares
data: {training: data/train.parquet, label: y}
features:
  x: {dtype: float}
columns:
  pred: {dtype: float}
  y: {dtype: float}
  at: {dtype: datetime, max_age: 36h}
  latency_ms: {dtype: float}
monitoring:
  prediction: {column: pred, max_bias: 0.5}
  serving: {latency_column: latency_ms, timestamp_column: at, latency_p99_ms: 60}
"""


@pytest.fixture(scope="module")
def regression(tmp_path_factory):
    """A compiled regression spec whose batches log their predictions (``pred``) beside the label ``y``."""
    folder = tmp_path_factory.mktemp("fares")
    (folder / "data").mkdir()
    rng = np.random.default_rng(3)
    x = rng.normal(size=400)
    pl.DataFrame({"x": x, "y": 2 * x + 10, "pred": 2 * x + 10 + rng.normal(0, 0.1, 400), "at": _stamps(400, 0),
                  "latency_ms": rng.gamma(2.0, 5.0, 400)}).write_parquet(folder / "data" / "train.parquet")
    (folder / "spec.yaml").write_text(REGRESSION, encoding="utf-8")
    for command in ("baseline", "compile"):
        done = invoke(command, folder / "spec.yaml")
        assert done.returncode == 0, done.stdout + done.stderr
    return folder / "spec.yaml"


def _stamps(n: int, days_old: int) -> pl.Series:
    """Request times, one a minute, the newest ``days_old`` days before 2024-06-30 (the tests' as-of)."""
    newest = dt.datetime(2024, 6, 30) - dt.timedelta(days=days_old)
    return pl.Series([newest - dt.timedelta(minutes=i) for i in range(n)], dtype=pl.Datetime("us"))


def _regression_batch(shift: float, days_old: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(4)
    x = rng.normal(size=300)
    pred = 2 * x + 10 + shift + rng.normal(0, 0.1, 300)
    pred[:4] = [math.nan, math.inf, -math.inf, math.nan]  # 4 non-finite predictions, and a null below
    y = 2 * x + 10
    y[10:15] = math.nan  # unlabelled rows: left out of the bias
    return pl.DataFrame({"x": x, "y": y, "pred": pred, "at": _stamps(300, days_old),
                         "latency_ms": rng.gamma(2.0, 5.0 + shift * 20, 300)}).with_columns(
        pl.when(pl.int_range(pl.len()) == 20).then(None).otherwise(pl.col("pred")).alias("pred"))


@pytest.mark.parametrize("name", ENGINES)
def test_numeric_bias_non_finite_timings_and_freshness_agree(request, name, tmp_path, regression, monkeypatch):
    """Also what else the polars path takes from the rows: the serving latency quantiles and queries/s of
    the batch's request log, and the newest timestamp that freshness judges (a 3-day-old batch is stale)."""
    monkeypatch.setenv("SPECGEN_AS_OF", "2024-06-30T00:00:00Z")
    for shift, days_old in ((0.0, 0), (1.0, 3)):
        batch = _regression_batch(shift, days_old)
        ours, theirs = _both(request, name, batch, regression, tmp_path, f"fares_{int(shift)}")
        assert ours.prediction_non_finite == theirs.prediction_non_finite == 5  # NaN, +-inf and a null
        assert theirs.prediction_bias == pytest.approx(ours.prediction_bias, abs=1e-9)
        assert abs(ours.prediction_bias - shift) < 0.05
        assert any(a.startswith("prediction bias") for a in theirs.alarms) == bool(shift)
        assert "prediction: 5 non-finite value(s)" in theirs.alarms
        assert ours.serving is not None and theirs.serving is not None and ours.serving.requests == 300
        _same_timings(ours.serving, theirs.serving)
        assert theirs.serving.alarms == ours.serving.alarms and bool(ours.serving.alarms) == bool(shift)
        assert theirs.not_computed == ours.not_computed == []  # everything the polars path computes
        stale = sorted(f.check.key for f in ours.schema_failures if f.check.kind == "freshness")
        assert sorted(f.check.key for f in theirs.schema_failures if f.check.kind == "freshness") == stale
        assert bool(stale) == bool(days_old)


def _same_timings(ours, theirs) -> None:
    assert theirs.latency_ms == pytest.approx(ours.latency_ms, abs=1e-9)
    assert theirs.qps == pytest.approx(ours.qps, abs=1e-9) and ours.qps is not None
    assert (theirs.requests, theirs.latency_targets, theirs.min_qps) == (ours.requests, ours.latency_targets,
                                                                         ours.min_qps)


# -- the model contained on a pushdown engine, as in the polars path --------------------------------

HOSTILE = '''
import time
import penguins_model

class Hostile:
    def __init__(self, inner, mode):
        self.inner, self.mode, self.classes_ = inner, mode, inner.classes_
    def predict(self, X):
        print("predicting", len(X), "rows")
        if self.mode == "raises":
            raise RuntimeError("boom")
        if self.mode == "hangs":
            time.sleep(60)
        return self.inner.predict(X)
    def predict_proba(self, X):
        print("probabilities too")
        return self.inner.predict_proba(X)

def chatty():
    print("loading the model")
    return Hostile(penguins_model.load(), "chatty")

def raises():
    return Hostile(penguins_model.load(), "raises")

def hangs():
    return Hostile(penguins_model.load(), "hangs")
'''


@pytest.fixture(scope="module")
def hostile_penguins(compiled_examples, tmp_path_factory):
    dest = tmp_path_factory.mktemp("pushdown_usercode") / "penguins"
    shutil.copytree(compiled_examples / "penguins", dest, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "hostile_pushdown_models.py").write_text(HOSTILE, encoding="utf-8")
    return dest


def _monitor_duckdb(folder, *extra):
    return invoke("monitor", folder / "spec.yaml", "--current", folder / "data" / "serving.csv", "--engine",
                  "duckdb", "--format", "json", *extra)


def test_a_printing_model_keeps_the_json_clean_on_duckdb(hostile_penguins, monkeypatch):
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", "hostile_pushdown_models:chatty")
    proc = _monitor_duckdb(hostile_penguins)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["prediction_source"] == "model" and report["prediction_drift"][0]["value"] is not None
    assert "predicting" not in proc.stdout + proc.stderr


@pytest.mark.parametrize("load, timeout, words", [
    ("hostile_pushdown_models:raises", "60", "model.predict failed: RuntimeError: boom"),
    ("hostile_pushdown_models:hangs", "8", "model.predict did not finish within 8 s"),  # loading takes seconds
])
def test_a_failing_model_is_exit_2_on_duckdb(hostile_penguins, monkeypatch, load, timeout, words):
    monkeypatch.setenv("SPECGEN_MODEL_LOAD", load)
    proc = _monitor_duckdb(hostile_penguins, "--model-timeout", timeout)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert words in proc.stderr and "[SG306]" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_what_an_engine_cannot_compute_is_said_in_text_and_json(regression, tmp_path, monkeypatch):
    """A latency column logged as text: polars parses it, a pushdown engine does not ask the source to; that
    is said (text and JSON), not left out silently."""
    monkeypatch.setenv("SPECGEN_AS_OF", "2024-06-30T00:00:00Z")
    batch = tmp_path / "batch.parquet"
    _regression_batch(0.0).with_columns(pl.col("latency_ms").cast(pl.String)).write_parquet(batch)
    why = "serving latency: the column 'latency_ms' holds String, not numbers (the source is not asked to parse it)"
    done = invoke("monitor", regression, "--current", batch, "--engine", "duckdb", "--format", "json")
    report = json.loads(done.stdout)
    assert report["not_computed"] == [why] and report["serving"] is None
    done = invoke("monitor", regression, "--current", batch, "--engine", "duckdb")
    assert f"not computed on this engine\n  {why}" in done.stdout
    done = invoke("monitor", regression, "--current", batch, "--format", "json")
    report = json.loads(done.stdout)
    assert report["not_computed"] == [] and report["serving"]["requests"] == 300
