"""A time-zone-aware Parquet file, end to end: infer drafts ``timezone:``; validate, monitor and the
generated suite (pytest in a subprocess, every run in one: ``tests.suite_runs``) pass on it and fail on
shifted, stale and wrong-zone data."""
from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import polars as pl
import pytest

from tests.helpers import run_cli, run_pytest_cases

NEWEST = dt.datetime(2024, 2, 29, 22, 0)  # UTC: 23:00 Berlin
FRESH = "2024-03-01T12:00:00Z"  # 14 h after the newest value
STALE = "2024-03-05T12:00:00Z"


def _frame() -> pl.DataFrame:
    rng = np.random.default_rng(7)
    hours = np.sort(rng.choice(60 * 24, 1000, replace=False))  # distinct hours over 60 days
    start = NEWEST - dt.timedelta(hours=int(hours[-1]))
    times = [start + dt.timedelta(hours=int(h)) for h in hours]
    frame = pl.DataFrame({"ts": times, "x": rng.normal(size=len(times)), "y": rng.integers(0, 2, len(times))})
    return frame.with_columns(
        pl.col("ts").dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Berlin"))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """infer -> (a reviewer adds max_age and an upper bound) -> compile, once."""
    root = tmp_path_factory.mktemp("tz")
    _frame().write_parquet(root / "events.parquet")
    run_cli("infer", root / "events.parquet", "--label", "y", expect=0, cwd=root)
    spec = root / "events.yaml"
    text = spec.read_text()
    assert "  ts:\n    dtype: datetime\n    timezone: Europe/Berlin\n" in text
    text = text.replace("    timezone: Europe/Berlin\n", "    timezone: Europe/Berlin\n    max_age: 2d\n")
    text, n = re.subn(r"(  ts:\n(?:    .*\n)*?    range: \[[^,]+), null\]", r'\1, "2024-03-01T00:00:00+01:00"]', text)
    assert n == 1, text
    spec.write_text(text)
    run_cli("baseline", spec, expect=0)
    run_cli("compile", spec, expect=0)
    return root


def _variant(project, name: str, transform) -> str:
    path = project / f"{name}.parquet"
    transform(pl.read_parquet(project / "events.parquet")).write_parquet(path)
    return str(path)


BROKEN = {  # name -> (transform, as_of, the test that must fail)
    "shifted": (lambda f: f.with_columns(pl.col("ts") + pl.duration(days=2)), FRESH, "ts-range"),
    "stale": (lambda f: f, STALE, "ts-freshness"),
    "wrong_zone": (lambda f: f.with_columns(pl.col("ts").dt.convert_time_zone("America/New_York")), FRESH,
                   "ts-timezone"),
}


@pytest.fixture(scope="module")
def suite_runs(project) -> dict:
    """The generated suite on the clean data and on each broken variant: case -> (its run, the data it read)."""
    data = {"clean": str(project / "events.parquet")}
    data |= {case: _variant(project, case, transform) for case, (transform, _, _) in BROKEN.items()}
    as_of = {"clean": FRESH} | {case: as_of for case, (_, as_of, _) in BROKEN.items()}
    cases = {case: ({"SPECGEN_AS_OF": as_of[case]} | ({"SPECGEN_TRAINING_DATA": path} if case != "clean" else {}),
                    [project / "generated" / "events"]) for case, path in data.items()}
    runs = run_pytest_cases(cases, cwd=project)
    return {case: (runs[case], data[case]) for case in cases}


def test_clean_data_passes_everywhere(project, suite_runs):
    run_cli("validate", project / "events.yaml", project / "events.parquet", "--as-of", FRESH, expect=0)
    run_cli("monitor", project / "events.yaml", "--current", project / "events.parquet", "--as-of", FRESH, expect=0)
    result, _ = suite_runs["clean"]
    assert result.returncode == 0, result.output[-3000:]


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_data_fails_everywhere(project, suite_runs, case):
    _, as_of, test_id = BROKEN[case]
    result, data = suite_runs[case]
    assert result.returncode == 1, result.output[-3000:]
    assert any(name.endswith(f"test_feature[{test_id}]") for name in result.failed), result.failed
    kind = test_id.split("-")[1]
    report = json.loads(run_cli("validate", project / "events.yaml", data, "--as-of", as_of, "--format", "json",
                                expect=1).stdout)
    assert ("ts", kind) in {(f["column"], f["check"]) for f in report["failures"]}
    alarms = run_cli("monitor", project / "events.yaml", "--current", data, "--as-of", as_of, expect=1).stdout
    assert f"ts: {kind} failed" in alarms
