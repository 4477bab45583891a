"""`specgen validate` (polars engine) and the generated pandera schema enforce the same checks."""
from __future__ import annotations

import polars as pl
import pytest

from specgen.api import build_plan
from specgen.runtime import engine, io, testing
from tests.data_faults import FAULTS
from tests.helpers import EXAMPLES

SPEC = EXAMPLES / "penguins" / "spec.yaml"
TRAIN = EXAMPLES / "penguins" / "data" / "train.csv"
SCHEMA = testing.load_module(EXAMPLES / "penguins" / "generated" / "penguins" / "penguins_schema.py",
                             "penguins_schema_under_test")

EXTRA = {
    "clean": lambda df: df,
    "null_surge": lambda df: df.with_columns(
        pl.when(pl.int_range(pl.len()) % 3 == 0).then(None).otherwise(pl.col("sex")).alias("sex")),
    "mean_shift": lambda df: df.with_columns(pl.col("bill_length_mm") * 1.3),
    "share_shift": lambda df: df.with_columns(pl.lit("Dream").alias("island")),
    "duplicate_key": lambda df: df.with_columns(pl.lit(1).alias("penguin_id")),
    "extra_column": lambda df: df.with_columns(pl.lit(0).alias("surprise")),
    "too_few_rows": lambda df: df.head(10),
    "many_faults": lambda df: FAULTS["numeric_as_text"][0](FAULTS["unseen_category"][0](df)).drop("year"),
}
CASES = {**{name: fn for name, (fn, _) in FAULTS.items()}, **EXTRA}


@pytest.mark.parametrize("case", sorted(CASES))
def test_polars_engine_and_pandera_schema_report_the_same_failures(tmp_path, case):
    path = tmp_path / f"{case}.csv"
    CASES[case](pl.read_csv(TRAIN)).write_csv(path)
    plan = build_plan(SPEC)
    frame = io.read_polars(path, plan.dtypes())

    ours = {f.check.key for f in engine.run_checks(frame, plan.checks("training"), "training")}
    report = testing.report(SCHEMA.TrainingSchema, io.read_pandas(path, plan.dtypes()))
    theirs = set(report.failures)

    assert ours == theirs
    assert (case == "clean") == (not ours), ours  # every broken case is caught by both


def test_nan_counts_as_null_in_the_polars_engine(tmp_path):
    """Parquet can hold real NaNs (not nulls): both engines treat them as nulls."""
    plan = build_plan(SPEC)
    frame = pl.read_csv(TRAIN).with_columns(
        pl.when(pl.int_range(pl.len()) < 40).then(float("nan")).otherwise(pl.col("bill_depth_mm"))
        .alias("bill_depth_mm"))
    path = tmp_path / "nan.parquet"
    frame.write_parquet(path)
    assert frame["bill_depth_mm"].is_nan().sum() == 40
    ours = engine.run_checks(io.scan_polars(path, plan.dtypes()), plan.checks("training"), "training")
    assert [f.check.key for f in ours] == [("bill_depth_mm", "null_fraction")]
    assert "null fraction 0.16" in ours[0].message()
    report = testing.report(SCHEMA.TrainingSchema, io.read_pandas(path, plan.dtypes()))
    assert set(report.failures) == {("bill_depth_mm", "null_fraction")}


def test_validate_streams_csv_and_reinfers_a_late_type(tmp_path):
    """A float first seen after the rows polars infers types from: no crash, the real failure reported."""
    rows = io.INFER_ROWS + 10
    base = pl.read_csv(TRAIN)
    frame = pl.concat([base] * (rows // base.height + 1)).head(rows).with_columns(
        pl.int_range(1, rows + 1).alias("penguin_id"), pl.col("body_mass_g").fill_null(4000))
    frame = frame.with_columns(pl.when(pl.col("penguin_id") == rows).then(4000.5).otherwise(pl.col("body_mass_g"))
                               .alias("body_mass_g"))
    path = tmp_path / "late.csv"
    frame.write_csv(path)
    from specgen.api import validate_data
    result = validate_data(SPEC, path)
    assert result.rows == rows
    kinds = {f.check.key for f in result.failures}
    assert ("body_mass_g", "dtype") in kinds, kinds  # 4000.5 is not a whole number: an int column it is not
