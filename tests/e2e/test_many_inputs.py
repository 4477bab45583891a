"""validate and monitor on many files: a glob, a Hive-partitioned directory, .csv.gz and standard input
read as the one file they split or pack; a broken piece still fails. infer on them: test_infer_many_inputs.py
(apart so that pytest-xdist can run the two halves at once)."""
from __future__ import annotations

import gzip
import json

import polars as pl
import pytest

from tests.helpers import run_cli


@pytest.fixture
def pieces(penguins):
    """The penguins serving batch as: three CSVs (a glob), a Hive directory by island, a .csv.gz."""
    serving = pl.read_csv(penguins / "data" / "serving.csv", infer_schema_length=None)
    glob_dir = penguins / "parts"
    glob_dir.mkdir()
    for i, rows in enumerate(serving.iter_slices(30)):
        rows.write_csv(glob_dir / f"part-{i}.csv")
    for (island,), rows in serving.group_by("island", maintain_order=True):
        folder = penguins / "hive" / f"day=2024-01-0{len(island) % 9}" / f"island={island}"
        folder.mkdir(parents=True, exist_ok=True)
        rows.drop("island").write_parquet(folder / "part-0.parquet")
    (penguins / "serving.csv.gz").write_bytes(gzip.compress((penguins / "data" / "serving.csv").read_bytes()))
    return penguins


def _validate(project, data, expect, stdin=None):
    result = run_cli("validate", project / "spec.yaml", data, "--env", "serving", "--format", "json",
                     expect=expect, stdin=stdin)
    return json.loads(result.stdout)


def _drift(project, current, stdin=None):
    result = run_cli("monitor", project / "spec.yaml", "--current", current, "--format", "json", expect=0,
                     stdin=stdin)
    return {d["feature"]: d["value"] for d in json.loads(result.stdout)["drift"]}


def test_glob_gz_and_stdin_read_as_the_whole_file(pieces):
    whole = _validate(pieces, pieces / "data" / "serving.csv", 0)
    raw = (pieces / "data" / "serving.csv").read_bytes()
    for data, stdin in ((pieces / "parts" / "*.csv", None), (pieces / "serving.csv.gz", None),
                        ("-", raw.decode()), ("-", gzip.compress(raw))):
        assert _validate(pieces, data, 0, stdin)["rows"] == whole["rows"], data
    drift = _drift(pieces, pieces / "data" / "serving.csv")
    assert _drift(pieces, pieces / "parts" / "*.csv") == drift
    assert _drift(pieces, "-", stdin=gzip.compress(raw)) == drift


def test_hive_partitions_become_columns(pieces):
    """island comes from the directories only (a declared column, all its checks pass); day is undeclared."""
    report = _validate(pieces, pieces / "hive", 1)
    (failure,) = report["failures"]
    assert failure["check"] == "extra_columns" and failure["examples"] == ["day"]
    assert report["rows"] == _validate(pieces, pieces / "data" / "serving.csv", 0)["rows"]


def test_a_broken_file_in_a_glob_fails_naming_the_column(pieces):
    part = pieces / "parts" / "part-1.csv"
    broken = pl.read_csv(part, infer_schema_length=None).with_columns(pl.lit(-5.0).alias("flipper_length_mm"))
    broken.write_csv(part)
    report = _validate(pieces, pieces / "parts" / "*.csv", 1)
    assert {(f["column"], f["check"]) for f in report["failures"]} >= {("flipper_length_mm", "range")}
