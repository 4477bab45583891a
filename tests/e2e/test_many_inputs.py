"""validate, monitor and infer on many files: a glob, a Hive-partitioned directory, .csv.gz and
standard input read as the one file they split or pack; a broken piece still fails."""
from __future__ import annotations

import gzip
import json

import polars as pl
import pytest

from tests.helpers import run_cli, run_pytest


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


def test_infer_a_hive_directory_then_its_suite_passes_and_fails_on_a_broken_piece(penguins, tmp_path):
    frame = pl.read_csv(penguins / "data" / "train.csv", infer_schema_length=None).drop("penguin_id")
    root = tmp_path / "proj" / "hive"
    for i, rows in enumerate(frame.iter_slices(100)):
        folder = root / f"year=202{i}" / "month=01"
        folder.mkdir(parents=True)
        rows.write_parquet(folder / "part.parquet")
    spec = tmp_path / "proj" / "hive.yaml"
    run_cli("infer", root, "--label", "species", expect=0, cwd=tmp_path / "proj")  # named after the directory
    text = spec.read_text()
    assert "training: hive/\n" in text and "\n  year:\n" in text and "\n  month:\n" in text
    run_cli("validate", spec, root, expect=0)
    run_cli("compile", spec, expect=0)
    suite = tmp_path / "proj" / "generated" / "hive"
    run_pytest(suite, expect=0)
    broken = root / "year=2021" / "month=01" / "part.parquet"
    pl.read_parquet(broken).with_columns(pl.lit(-5.0).alias("bill_length_mm")).write_parquet(broken)
    failed = run_pytest(suite, expect=1).failed
    assert any("bill_length_mm-range" in test_id for test_id in failed), failed


def test_infer_from_gz_and_stdin(penguins, tmp_path):
    """A .csv.gz draft names the compressed file, and its generated suite reads it; a draft from
    standard input names ``-`` and lists ``<stdin>`` as its source."""
    raw = (penguins / "data" / "train.csv").read_bytes()
    project = tmp_path / "gz"
    project.mkdir()
    (project / "penguins.csv.gz").write_bytes(gzip.compress(raw))
    run_cli("infer", "penguins.csv.gz", "--label", "species", expect=0, cwd=project)
    text = (project / "penguins.yaml").read_text()
    assert "training: penguins.csv.gz\n" in text and "#   penguins.csv.gz\n" in text
    run_cli("compile", project / "penguins.yaml", expect=0)
    run_pytest(project / "generated" / "penguins", expect=0)

    run_cli("infer", "-", "--name", "piped", "-o", tmp_path / "piped.yaml", expect=0, stdin=gzip.compress(raw))
    piped = (tmp_path / "piped.yaml").read_text()
    assert "training: '-'\n" in piped and "#   <stdin>\n" in piped
    report = run_cli("validate", tmp_path / "piped.yaml", "-", "--format", "json", expect=0, stdin=raw.decode())
    assert json.loads(report.stdout)["rows"] == pl.read_csv(penguins / "data" / "train.csv").height
