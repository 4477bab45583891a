"""infer on many files: a Hive-partitioned directory, .csv.gz and standard input, each drafting a spec
whose generated suite (pytest in a subprocess) passes, and fails on a broken piece. validate and monitor
on them: test_many_inputs.py."""
from __future__ import annotations

import gzip
import json

import polars as pl

from tests.helpers import run_cli, run_pytest


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
