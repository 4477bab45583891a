"""Categories with a tolerated unseen rate, end to end on real tables.

cars (tests/data/cars.csv): a 70 % sample holds 5 cylinders once: by Good-Turing a code never seen may
turn up in about 1 row of 288, so ``infer`` declares ``Cylinders`` as the codes it saw with that
``unseen_rate`` (a range, the old draft, let 7 cylinders through inside 3..8). One unlisted row in the
30 % then passes; a code filling 5 % of the rows fails ``validate`` (polars and DuckDB), ``monitor`` and
the generated pandera suite; with the rate set to 0 the single row fails too.

airports (vega_datasets): ``country`` is USA for 3,372 of 3,376 airports and four other countries once
each. A strict set drafted from a 70 % sample failed the clean 30 % whenever it held one of those four
(3 in 4 splits); with the Good-Turing rate the held-out Palau passes and a made-up country in 5 % of
the rows fails.
"""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from specgen.runtime.hashing import split_mask
from tests.helpers import ROOT, run_cli, run_pytest_cases

SALT = "cars-unseen"  # this split's 70 % holds 3 cylinders four times and 5 cylinders once


@pytest.fixture(scope="module")
def cars(tmp_path_factory) -> Path:
    """A folder with train.csv, spec.yaml (inferred), held_out.csv, one_seven.csv and sevens.csv (5 % of rows)."""
    work = tmp_path_factory.mktemp("cars")
    frame = pl.read_csv(ROOT / "tests" / "data" / "cars.csv")
    train = split_mask(frame, frame.columns, salt=SALT, fraction=0.7)
    frame.filter(train).write_csv(work / "train.csv")
    held_out = frame.filter(~train)
    held_out.write_csv(work / "held_out.csv")
    row = pl.int_range(pl.len())
    for name, rows in (("one_seven", 1), ("sevens", -(-held_out.height // 20))):
        held_out.with_columns(pl.when(row < rows).then(7).otherwise(pl.col("Cylinders")).alias("Cylinders")) \
            .write_csv(work / f"{name}.csv")
    run_cli("infer", str(work / "train.csv"), "--label", "Origin", "-o", str(work / "spec.yaml"),
            in_process=True, expect=0)
    return work


def _validate(cars: Path, data: str, *args: str, spec: str = "spec.yaml") -> tuple[int, dict]:
    result = run_cli("validate", str(cars / spec), str(cars / f"{data}.csv"), "--format", "json", *args,
                     in_process=True)
    return result.exit_code, json.loads(result.output)


def test_the_draft_declares_the_codes_with_their_unseen_rate(cars):
    text = (cars / "spec.yaml").read_text()
    counts = pl.read_csv(cars / "train.csv")["Cylinders"].value_counts()
    assert sorted(counts.filter(pl.col("count") == 1)["Cylinders"]) == [5]  # the split this test is about
    assert "values: [3, 4, 5, 6, 8]\n    unseen_rate: 0.0035\n" in text  # 1 / 288 = 0.00347, rounded up
    assert "Good-Turing chance of a code never seen (codes seen once / rows): 0.0035" in text


@pytest.mark.parametrize("engine", [[], ["--engine", "duckdb"]], ids=["polars", "duckdb"])
def test_a_rare_unlisted_row_passes_and_a_surge_of_them_fails(cars, engine):
    assert _validate(cars, "held_out", *engine)[0] == 0
    assert _validate(cars, "one_seven", *engine)[0] == 0  # 1 row: the rate explains it (p = 0.34)
    code, report = _validate(cars, "sevens", *engine)
    assert code == 1
    [failure] = report["failures"]
    assert (failure["column"], failure["check"], failure["failing_rows"]) == ("Cylinders", "values", 6)
    present = pl.read_csv(cars / "sevens.csv")["Cylinders"].drop_nulls().len()
    assert failure["observed"].startswith(f"6 of {present} rows unlisted")
    assert [e["value"] for e in failure["examples"]] == [7] * 5 and failure["examples"][0]["row"] == 0


def test_without_a_rate_one_unlisted_row_fails(cars):
    strict = (cars / "spec.yaml").read_text().replace("    unseen_rate: 0.0035\n", "")
    (cars / "strict.yaml").write_text(strict)
    code, report = _validate(cars, "one_seven", spec="strict.yaml")
    assert code == 1 and [(f["column"], f["failing_rows"]) for f in report["failures"]] == [("Cylinders", 1)]


def test_monitor_fails_the_surge_only(cars):
    def monitor(data: str):
        result = run_cli("monitor", str(cars / "spec.yaml"), "--reference", str(cars / "train.csv"), "--current",
                         str(cars / f"{data}.csv"), "--format", "json", in_process=True)
        return result.exit_code, json.loads(result.output)

    code, report = monitor("sevens")
    assert code == 1
    assert [(f["column"], f["check"]) for f in report["schema_failures"]] == [("Cylinders", "values")]
    assert not monitor("one_seven")[1]["schema_failures"]


def test_the_generated_suite_tolerates_one_row_and_fails_the_surge(cars):
    run_cli("compile", str(cars / "spec.yaml"), in_process=True, expect=0)
    suite = next((cars / "generated").glob("*/test_*_data.py"))
    runs = run_pytest_cases({name: ({"SPECGEN_TRAINING_DATA": str(cars / f"{name}.csv")}, [suite])
                             for name in ("train", "one_seven", "sevens")}, cwd=cars)
    # the training run includes the negative case: every row an unlisted code must fail the schema
    assert runs["train"].returncode == 0, runs["train"].stdout[-3000:]
    assert runs["one_seven"].returncode == 0, runs["one_seven"].stdout[-3000:]
    assert runs["sevens"].returncode == 1
    assert set(runs["sevens"].failed) == {"test_feature[Cylinders-values]"}, runs["sevens"].stdout[-3000:]


@pytest.fixture(scope="module")
def airports(tmp_path_factory) -> Path:
    """train.csv (70 %), spec.yaml (inferred), held_out.csv and atlantis.csv (a made-up country in 5 % of rows)."""
    from vega_datasets import local_data

    work = tmp_path_factory.mktemp("airports")
    frame = pl.from_pandas(local_data.airports())
    train = split_mask(frame, frame.columns, salt="a1", fraction=0.7)  # Palau only in the 30 %
    frame.filter(train).write_csv(work / "train.csv")
    held_out = frame.filter(~train)
    held_out.write_csv(work / "held_out.csv")
    row = pl.int_range(pl.len())
    held_out.with_columns(pl.when(row % 20 == 0).then(pl.lit("Atlantis")).otherwise(pl.col("country"))
                          .alias("country")).write_csv(work / "atlantis.csv")
    run_cli("infer", str(work / "train.csv"), "-o", str(work / "spec.yaml"), in_process=True, expect=0)
    return work


def test_a_country_the_sample_missed_passes_and_a_made_up_one_fails(airports):
    train = set(pl.read_csv(airports / "train.csv")["country"])
    assert set(pl.read_csv(airports / "held_out.csv")["country"]) - train == {"Palau"}  # what a strict set fails
    text = (airports / "spec.yaml").read_text()
    assert "    unseen_rate: 0.0013\n" in text  # 3 countries seen once in 2,347 rows
    assert _validate(airports, "held_out")[0] == 0
    code, report = _validate(airports, "atlantis")
    assert code == 1 and [(f["column"], f["check"]) for f in report["failures"]] == [("country", "values")]
    (airports / "strict.yaml").write_text(text.replace("    unseen_rate: 0.0013\n", ""))
    code, report = _validate(airports, "held_out", spec="strict.yaml")
    assert code == 1 and report["failures"][0]["examples"][0]["value"] == "Palau"
