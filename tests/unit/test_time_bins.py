"""runtime.time_bins (recency) and the spec's ``monitoring.time_bins``: which datetime distributions are
monitored, ages measured from one pinned newest value, and the spec errors."""
from __future__ import annotations

import datetime as dt
import textwrap

import polars as pl
import pytest

from specgen.compiler.load import loads
from specgen.compiler.monitoring import monitoring_plan
from specgen.compiler.validate import validate
from specgen.errors import SpecError
from specgen.runtime import time_bins
from specgen.runtime.summary import FeatureSpec

SPEC = """\
spec_version: 1
name: events
data: {{training: train.parquet}}
features:
  at: {{dtype: datetime, timezone: Europe/Berlin{extra}}}
  x: {{dtype: float}}
monitoring: {{}}
"""


def _spec(extra: str = ""):
    return validate(loads(textwrap.dedent(SPEC.format(extra=extra)), "spec.yaml"))


def _monitored(extra: str = "") -> dict:
    return {f.name: f for f in monitoring_plan(_spec(extra)).features}


def test_hour_and_weekday_by_default_recency_on_request():
    assert set(_monitored()) == {"at:hour", "at:weekday", "x"}
    chosen = _monitored(", monitoring: {time_bins: [recency]}")
    assert set(chosen) == {"at:recency", "x"}
    recency = chosen["at:recency"]
    assert (recency.kind, recency.drift_metric, recency.drift_threshold) == ("numeric", "psi", 0.2)
    assert recency.time_bins == {"column": "at", "unit": "recency", "zone": "Europe/Berlin"}
    assert set(_monitored(", monitoring: {time_bins: []}")) == {"x"}


def test_a_feature_override_sets_recency_bins_and_measure():
    chosen = _monitored(", monitoring: {time_bins: [hour, recency], bins: 20, "
                        "drift: {metric: wasserstein_normalized, threshold: 0.3}}")
    assert (chosen["at:recency"].bins, chosen["at:recency"].drift_metric) == (20, "wasserstein_normalized")
    assert chosen["at:hour"].drift_metric == "linf"  # a category cannot take a positional measure


@pytest.mark.parametrize("text, message", [
    ("  x: {dtype: float, monitoring: {time_bins: [recency]}}", "only datetime features have time bins"),
    ("  y: {dtype: datetime, monitoring: {time_bins: [hour, hour]}}", "hour listed twice"),
    ("  y: {dtype: datetime, monitoring: {time_bins: [minute]}}", "Input should be 'hour', 'weekday' or 'recency'"),
])
def test_spec_errors(text, message):
    base = SPEC.format(extra="").replace("  x: {dtype: float}\n", text + "\n")
    with pytest.raises(SpecError) as info:
        validate(loads(base, "spec.yaml"))
    assert any(message in str(d) for d in info.value.diagnostics), info.value.diagnostics


def _recency(zone: str = "UTC") -> FeatureSpec:
    return FeatureSpec("t:recency", "numeric", (0.0, 1.0), {"column": "t", "unit": "recency", "zone": zone})


def test_ages_are_seconds_back_from_the_frames_newest_value():
    frame = pl.DataFrame({"t": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2, 1), None]})
    ages = time_bins.with_time_bins(frame, [_recency()])["t:recency"].to_list()
    assert ages == [90000.0, 0.0, None]


def test_a_pinned_newest_value_measures_every_chunk_alike():
    pinned = time_bins.anchored([_recency()], {"t": dt.datetime(2024, 1, 3)})
    chunk = pl.DataFrame({"t": [dt.datetime(2024, 1, 2)]})
    assert time_bins.with_time_bins(chunk, pinned)["t:recency"].to_list() == [86400.0]
    empty = time_bins.anchored([_recency()], {"t": None})  # the batch holds no value: null ages
    assert time_bins.with_time_bins(chunk, empty)["t:recency"].to_list() == [None]


def test_ages_are_between_instants_whatever_the_zone():
    """Naive wall times across a daylight-saving change: 2024-03-31 01:00 and 04:00 in Berlin are two hours
    apart (02:00 was skipped), and aware data gives the same ages as its naive wall time."""
    naive = pl.DataFrame({"t": [dt.datetime(2024, 3, 31, 1), dt.datetime(2024, 3, 31, 4)]})
    aware = naive.with_columns(pl.col("t").dt.replace_time_zone("Europe/Berlin"))
    for frame in (naive, aware):
        assert time_bins.with_time_bins(frame, [_recency("Europe/Berlin")])["t:recency"].to_list() == [7200.0, 0.0]


def test_the_first_pass_finds_the_newest_value_of_every_file(tmp_path):
    (tmp_path / "a").mkdir()
    pl.DataFrame({"t": [dt.datetime(2024, 1, 1)]}).write_parquet(tmp_path / "a" / "part-0.parquet")
    pl.DataFrame({"t": [dt.datetime(2024, 5, 1)]}).write_parquet(tmp_path / "a" / "part-1.parquet")
    found = time_bins.batch_newest(tmp_path / "a", {}, {"t": "UTC", "absent": "UTC"})
    assert found == {"t": dt.datetime(2024, 5, 1)}
