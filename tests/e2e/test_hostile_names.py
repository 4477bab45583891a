"""Hostile column names compile to code that parses, imports and validates; nothing executes."""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import polars as pl

from specgen.runtime import testing
from tests.helpers import ROOT, run_cli, run_pytest

CASE = ROOT / "tests" / "golden" / "hostile_names"
PWNED = Path("/tmp/specgen-pwned")


def _frame(spec_names: list[str]) -> pl.DataFrame:
    n = 20
    data = {}
    for name in spec_names:
        if name.startswith('x")'):
            data[name] = [i / n for i in range(n)]
        elif name == "with space":
            data[name] = [i % 10 for i in range(n)]
        elif name == "dotted.name":
            data[name] = ["a'b", 'c"d', "e\\f", "{{ g }}"] * (n // 4)
        elif name == "with\nnewline":
            data[name] = ["a'''b\"\"\"c"] * n
        elif name == "class":  # above every other column: the spec's relations hold, also on the broken data
            data[name] = [float(i + n) for i in range(n)]
        else:
            data[name] = [float(i) for i in range(n)]
    return pl.DataFrame(data)


NAMES = ['x"); import os; os.system("touch /tmp/specgen-pwned") #', "with space", "dotted.name", "ünïcödé",
         "class", "1st", "validate", "Config", "_private", "with\nnewline", "x__dtype", "x"]


def test_hostile_names_compile_import_and_validate(tmp_path):
    PWNED.unlink(missing_ok=True)
    case = tmp_path / "hostile"
    shutil.copytree(CASE, case, ignore=shutil.ignore_patterns("expected"))
    data = case / "data" / "it's \"here\".csv"
    data.parent.mkdir()
    _frame(NAMES).write_csv(data)

    result = run_cli("compile", str(case / "spec.yaml"))
    assert result.returncode == 0, result.stderr
    suite_dir = case / "generated" / "hostile"
    good = run_pytest(str(suite_dir))
    assert good.returncode == 0, good.stdout[-3000:]
    assert not PWNED.exists(), "a column name was executed as code"

    broken = _frame(NAMES).with_columns(pl.lit(5.0).alias(NAMES[0]))  # outside [0, 1]
    bad_path = tmp_path / "bad.csv"
    broken.write_csv(bad_path)
    bad = run_pytest(str(suite_dir), env={"SPECGEN_TRAINING_DATA": str(bad_path)})
    assert bad.returncode == 1
    failed = [line for line in bad.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "-range]" in failed[0] and "touch /tmp/specgen-pwned" in failed[0]
    assert not PWNED.exists()

    validate = run_cli("validate", str(case / "spec.yaml"), str(bad_path), "--format", "json")
    assert validate.returncode == 1 and '"check": "range"' in validate.stdout

    # the polars and pyspark modules hold the names as data too: parsed, the polars one imported and run
    ast.parse((suite_dir / "hostile_schema_pyspark.py").read_text(encoding="utf-8"))
    polars_schema = testing.load_module(suite_dir / "hostile_schema_polars.py", "hostile_schema_polars")
    assert testing.report(polars_schema.TrainingSchema, _frame(NAMES)).failures == {}
    assert set(testing.report(polars_schema.TrainingSchema, broken).failures) == {(NAMES[0], "range")}
    assert not PWNED.exists()
