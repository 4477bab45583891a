"""specgen infer end to end on real tables: a 70/30 hash split, infer on 70 %, validate the 30 %.

The held-out rows must pass (no false alarm) and fail once corrupted with each
gross error the margin policy is meant to catch. The inferred spec must also
compile to a suite that passes on its own training data, in a subprocess.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from specgen.runtime.hashing import split_mask
from tests.helpers import ROOT, run_cli, run_pytest

DATA = ROOT / "tests" / "data"


@dataclass(frozen=True)
class Table:
    file: str
    label: str
    numeric: str  # a float feature for outliers / nulls / text
    count: str  # a feature never negative (a count or a size)
    unit: str  # a feature whose mean is far from zero relative to its spread
    category: str | None  # a string categorical feature, if the table has one


TABLES = {
    "penguins": Table("penguins.csv", "species", "bill_length_mm", "flipper_length_mm", "body_mass_g", "island"),
    "iris": Table("iris.csv", "species", "petal_length", "sepal_width", "sepal_length", None),
    "wine": Table("wine.csv", "cultivar", "flavanoids", "magnesium", "proline", None),
    "diabetes": Table("diabetes.csv", "progression", "s5", "age", "bmi", None),
}


@pytest.fixture(scope="module", params=sorted(TABLES))
def inferred(request, tmp_path_factory):
    """(table, dir, held-out frame): train.csv + spec.yaml inferred from 70 % of the rows."""
    table = TABLES[request.param]
    work = tmp_path_factory.mktemp(request.param)
    frame = pl.read_csv(DATA / table.file)
    train = split_mask(frame, frame.columns, salt="specgen-infer-tests", fraction=0.7)
    frame.filter(train).write_csv(work / "train.csv")
    result = run_cli("infer", str(work / "train.csv"), "--label", table.label, "--name", request.param,
                  "-o", str(work / "spec.yaml"), in_process=True)
    assert result.exit_code == 0, result.output
    return table, work, frame.filter(~train)


def _validate(work: Path, frame: pl.DataFrame, name: str):
    path = work / f"{name}.csv"
    frame.write_csv(path)
    return run_cli("validate", str(work / "spec.yaml"), str(path), in_process=True)


def _first_max(frame: pl.DataFrame, column: str) -> pl.Expr:
    """True on the row holding the column's largest value (so x1000 cannot stay in range)."""
    return pl.int_range(pl.len()) == frame[column].arg_max()


CORRUPTIONS = {
    "x1000_outlier": lambda t, f: f.with_columns(
        pl.when(_first_max(f, t.numeric)).then(pl.col(t.numeric) * 1000).otherwise(pl.col(t.numeric))),
    "unit_change": lambda t, f: f.with_columns(pl.col(t.unit) / 1000),
    "negative_count": lambda t, f: f.with_columns(
        pl.when(_first_max(f, t.count)).then(-pl.col(t.count)).otherwise(pl.col(t.count))),
    "null_surge": lambda t, f: f.with_columns(
        pl.when(pl.int_range(pl.len()) % 3 != 0).then(None).otherwise(pl.col(t.numeric)).alias(t.numeric)),
    "dropped_column": lambda t, f: f.drop(t.numeric),
    "numeric_as_text": lambda t, f: f.with_columns(pl.col(t.numeric).cast(pl.String) + " mm"),
    "unseen_category": lambda t, f: f.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("Anvers")).otherwise(pl.col(t.category))
        .alias(t.category)) if t.category else None,
    "unseen_label": lambda t, f: f.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("unknown")).otherwise(pl.col(t.label)).alias(t.label))
        if f.schema[t.label] == pl.String else None,
}


def test_held_out_rows_pass(inferred):
    table, work, held_out = inferred
    result = _validate(work, held_out, "held_out")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_corrupted_held_out_rows_fail(inferred, corruption):
    table, work, held_out = inferred
    broken = CORRUPTIONS[corruption](table, held_out)
    if broken is None:
        pytest.skip(f"{table.file} has no string column for this corruption")
    result = _validate(work, broken, corruption)
    assert result.exit_code == 1, result.output
    column = {"unit_change": table.unit, "negative_count": table.count, "unseen_category": table.category,
              "unseen_label": table.label}.get(corruption, table.numeric)
    failed = [line for line in result.output.splitlines() if line.strip().startswith("FAIL")]
    assert any(column in line for line in failed), result.output


def test_generated_suite_passes_on_training_data(inferred):
    table, work, _ = inferred
    assert run_cli("compile", str(work / "spec.yaml"), in_process=True).exit_code == 0
    run = run_pytest(work / "generated", cwd=work)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def test_same_input_same_bytes(tmp_path):
    """Two processes with different hash seeds, two output directories: identical spec and baseline."""
    outputs = []
    for seed in ("0", "1"):
        out = tmp_path / seed / "penguins"  # -o spec.yaml: the folder names the spec
        out.mkdir(parents=True)
        (out / "penguins.csv").write_bytes((DATA / "penguins.csv").read_bytes())
        run_cli("infer", "penguins.csv", "--label", "species", "-o", "spec.yaml", cwd=out,
                env={"PYTHONHASHSEED": seed}, expect=0)
        outputs.append(((out / "spec.yaml").read_bytes(), (out / "penguins_baseline.json").read_bytes()))
    assert outputs[0] == outputs[1]


def test_inferred_baseline_is_the_one_specgen_baseline_writes(tmp_path):
    """infer writes <name>_baseline.json and a `monitoring:` section: compile uses the baseline as is,
    `specgen baseline --check` finds it identical to what it would write, and monitor runs."""
    tmp_path = tmp_path / "penguins"  # -o .../penguins/spec.yaml: the folder names the spec
    tmp_path.mkdir()
    (tmp_path / "penguins.csv").write_bytes((DATA / "penguins.csv").read_bytes())
    spec = tmp_path / "spec.yaml"
    assert run_cli("infer", str(tmp_path / "penguins.csv"), "--label", "species", "-o", str(spec), in_process=True).exit_code == 0
    baseline = tmp_path / "penguins_baseline.json"
    before = baseline.read_bytes()
    assert b'"format": "specgen-baseline/1"' in before
    result = run_cli("compile", str(spec), in_process=True)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "generated" / "penguins" / "penguins_monitoring.yaml").is_file()
    result = run_cli("baseline", "--check", str(spec), in_process=True)
    assert result.exit_code == 0 and "identical" in result.output, result.output
    assert baseline.read_bytes() == before
    result = run_cli("monitor", str(spec), "--current", str(tmp_path / "penguins.csv"), in_process=True)
    assert result.exit_code == 0 and "no alarm" in result.output, result.output


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


BAD_INPUTS = {
    "empty file": (lambda d: [_write(d / "empty.csv", "")], "empty", ()),
    "header only": (lambda d: [_write(d / "header.csv", "a,b,c\n")], "no data rows", ()),
    "ragged csv, long row": (lambda d: [_write(d / "ragged.csv", "a,b\n1,2\n3,4,5\n")], "ragged CSV", ()),
    "ragged csv, short row": (lambda d: [_write(d / "ragged.csv", "a,b,c\n1,2,3\n4,5\n")], "record 3 has 2", ()),
    "unknown extension": (lambda d: [_write(d / "data.txt", "a,b\n1,2\n")], "unsupported data format", ()),
    "label not in data": (lambda d: [_write(d / "ok.csv", "a,b\n1,2\n3,4\n")], "--label 'price'",
                          ("--label", "price")),
    "key not in data": (lambda d: [_write(d / "ok.csv", "a,b\n1,2\n3,4\n")], "--key 'id'", ("--key", "id")),
    "glob matches nothing": (lambda d: [str(d / "*.parquet")], "no files match", ()),
    "missing file": (lambda d: [str(d / "nope.csv")], "not found", ()),
    "invalid name": (lambda d: [_write(d / "ok.csv", "a,b\n1,2\n3,4\n")], "not a valid spec name",
                     ("--name", "Bad-Name")),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2(tmp_path, case):
    make, message, extra = BAD_INPUTS[case]
    result = run_cli("infer", *make(tmp_path), *extra, "-o", str(tmp_path / "spec.yaml"), in_process=True)
    assert result.exit_code == 2, result.output
    assert message in result.output and "error:" in result.output
    assert not (tmp_path / "spec.yaml").exists()


def test_existing_spec_needs_force(tmp_path):
    data = _write(tmp_path / "t.csv", "a,b\n1,x\n2,y\n3,x\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text("reviewed by hand\n")
    result = run_cli("infer", data, "-o", str(spec), in_process=True)
    assert result.exit_code == 2 and "--force" in result.output
    assert spec.read_text() == "reviewed by hand\n"
    assert run_cli("infer", data, "-o", str(spec), "--force", in_process=True).exit_code == 0
    assert spec.read_text().startswith("# No spec.schema.json at or above this folder")  # a fresh draft


def test_every_dtype_round_trips(tmp_path):
    """datetime, date, bool with nulls, category, free text: infer -> validate -> compile -> suite passes."""
    n = 240
    base = dt.datetime(2024, 1, 1)
    pl.DataFrame({
        "when": [base + dt.timedelta(hours=7 * k) for k in range(n)],
        "day": [(base + dt.timedelta(days=k)).date() for k in range(n)],
        "flag": [None if k % 17 == 0 else k % 3 == 0 for k in range(n)],
        "grade": [["a", "b", "c"][k % 3] for k in range(n)],
        "note": [f"note {k}" for k in range(n)],
        "amount": [float(k % 50) * 1.5 for k in range(n)],
    }).write_csv(tmp_path / "train.csv")
    assert run_cli("infer", str(tmp_path / "train.csv"), "-o", str(tmp_path / "spec.yaml"),
                   in_process=True).exit_code == 0
    text = (tmp_path / "spec.yaml").read_text()
    for column, dtype in [("when", "datetime"), ("day", "datetime"), ("flag", "bool"), ("grade", "category"),
                          ("note", "string"), ("amount", "float")]:
        assert f"  {column}:\n    dtype: {dtype}\n" in text
    assert run_cli("validate", str(tmp_path / "spec.yaml"), str(tmp_path / "train.csv"),
                   in_process=True).exit_code == 0
    assert run_cli("compile", str(tmp_path / "spec.yaml"), in_process=True).exit_code == 0
    run = run_pytest(tmp_path / "generated", cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:]
