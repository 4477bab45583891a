"""`specgen validate` (polars engine) and the generated pandera schema enforce the same checks."""
from __future__ import annotations

import datetime

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


# -- kinds the penguins example does not use: a spec of its own over the same data ----------------

NEW_KINDS_SPEC = f"""\
spec_version: 1
name: penguins_order
data: {{training: {TRAIN.as_posix()!r}}}
features:
  bill_length_mm: {{dtype: float, max_null_fraction: 0.02}}
  bill_depth_mm: {{dtype: float, max_null_fraction: 0.02}}
  flipper_length_mm: {{dtype: int, max_null_fraction: 0.02}}
  body_mass_g: {{dtype: int, max_null_fraction: 0.02}}
  year: {{dtype: int}}
  countdown: {{dtype: int, nullable: true, monotonic: strictly_decreasing}}
  seen_at: {{dtype: datetime, monotonic: increasing}}
  first seen: {{dtype: datetime}}
  island: {{dtype: category, values: [Biscoe, Dream, Torgersen]}}
columns:
  penguin_id: {{dtype: int, unique: true, monotonic: strictly_increasing}}
  species: {{dtype: category, values: [Adelie, Chinstrap, Gentoo]}}
dataset:
  extra_columns: ignore
  relations:
    - bill_length_mm > bill_depth_mm
    - body_mass_g >= flipper_length_mm
    - "`first seen` <= seen_at"
    - species != island
"""


def _ordered(df: pl.DataFrame) -> pl.DataFrame:
    """The penguins rows plus a decreasing count and increasing time stamps (the rows are in id order)."""
    seen = pl.datetime(2020, 1, 1) + pl.duration(hours=pl.col("penguin_id"))
    return df.with_columns((1000 - pl.col("penguin_id")).alias("countdown"), seen.alias("seen_at"),
                           (seen - pl.duration(days=1)).alias("first seen"))


def _swap(column: str, i: int, j: int):
    def swap(df: pl.DataFrame) -> pl.DataFrame:
        values = df[column].to_list()
        values[i], values[j] = values[j], values[i]
        return df.with_columns(pl.Series(column, values, dtype=df.schema[column]))
    return swap


def _set(column: str, row: int, value):
    def set_(df: pl.DataFrame) -> pl.DataFrame:
        hit = pl.int_range(pl.len()) == row
        return df.with_columns(pl.when(hit).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
    return set_


NEW_KINDS = {
    "clean": (lambda df: df, set()),
    "ids_swapped": (_swap("penguin_id", 3, 4), {("penguin_id", "monotonic")}),
    "id_repeated": (_set("penguin_id", 4, 5), {("penguin_id", "monotonic"), ("penguin_id", "unique")}),
    "count_goes_up": (_set("countdown", 200, 999), {("countdown", "monotonic")}),
    "count_repeats": (_set("countdown", 200, 800), {("countdown", "monotonic")}),
    "time_goes_back": (_set("seen_at", 10, datetime.datetime(2019, 1, 1)),
                       {("seen_at", "monotonic"), ("`first seen` <= seen_at", "relation")}),
    "nulls_inside_order": (lambda df: _set("countdown", 0, None)(_set("countdown", 100, None)(df)), set()),
    "rows_reversed": (lambda df: df.reverse(), {("penguin_id", "monotonic"), ("countdown", "monotonic"),
                                               ("seen_at", "monotonic")}),
    "ids_as_text": (lambda df: df.with_columns(pl.format("id{}", "penguin_id").alias("penguin_id")),
                    {("penguin_id", "dtype")}),
    "deeper_than_long": (_set("bill_depth_mm", 3, 80.0), {("bill_length_mm > bill_depth_mm", "relation")}),
    "depth_equals_length": (lambda df: df.with_columns(
        pl.when(pl.int_range(pl.len()) == 5).then(pl.col("bill_length_mm")).otherwise(pl.col("bill_depth_mm"))
        .alias("bill_depth_mm")), {("bill_length_mm > bill_depth_mm", "relation")}),
    "null_side_is_no_violation": (_set("bill_depth_mm", 3, None), set()),
    "int_vs_int_broken": (_set("flipper_length_mm", 9, 9000), {("body_mass_g >= flipper_length_mm", "relation")}),
    "first_seen_later": (_set("first seen", 7, datetime.datetime(2030, 1, 1)),
                         {("`first seen` <= seen_at", "relation")}),
    "relation_side_as_text": (lambda df: df.with_columns(
        (pl.col("bill_depth_mm").cast(pl.String) + " mm").alias("bill_depth_mm")), {("bill_depth_mm", "dtype")}),
    "relation_side_missing": (lambda df: df.drop("bill_depth_mm"), {("bill_depth_mm", "present")}),
}


@pytest.fixture(scope="module")
def new_kinds(tmp_path_factory):
    """The plan and the generated schema module of ``NEW_KINDS_SPEC``."""
    from specgen.compiler.render import render

    out = tmp_path_factory.mktemp("new_kinds")
    spec = out / "spec.yaml"
    spec.write_text(NEW_KINDS_SPEC)
    plan = build_plan(spec, out)
    path = out / "schema.py"
    path.write_text(render(plan)[f"{plan.module}.py"])
    return plan, testing.load_module(path, "penguins_order_schema_under_test")


@pytest.mark.parametrize("case", sorted(NEW_KINDS))
def test_new_kinds_agree_between_engines(tmp_path, new_kinds, case):
    plan, schema = new_kinds
    transform, expected = NEW_KINDS[case]
    path = tmp_path / f"{case}.csv"
    transform(_ordered(pl.read_csv(TRAIN))).write_csv(path)
    ours = {f.check.key for f in engine.run_checks(io.read_polars(path, plan.dtypes()), plan.checks("training"))}
    theirs = set(testing.report(schema.TrainingSchema, io.read_pandas(path, plan.dtypes())).failures)
    assert ours == theirs == expected


def test_monotonic_holds_across_streamed_parquet_row_groups(tmp_path, new_kinds):
    """validate streams a Parquet file batch by batch: a break between two row groups is still found,
    and a sorted file split over many row groups passes."""
    plan, _ = new_kinds
    base = pl.read_csv(TRAIN)
    big = _ordered(pl.concat([base] * 40).with_columns(pl.int_range(1, 40 * base.height + 1).alias("penguin_id")))
    sorted_path, broken_path = tmp_path / "sorted.parquet", tmp_path / "broken.parquet"
    big.write_parquet(sorted_path, row_group_size=100)
    _set("penguin_id", 500, 1)(big).write_parquet(broken_path, row_group_size=100)  # row 500 opens a group
    checks = [c for c in plan.checks("training") if c.kind == "monotonic"]
    assert engine.run_checks(io.scan_polars(sorted_path, plan.dtypes()), checks) == []
    (failure,) = engine.run_checks(io.scan_polars(broken_path, plan.dtypes()), checks)
    assert failure.check.key == ("penguin_id", "monotonic") and failure.failing_rows == 1
    assert failure.examples == ((500, 1),)


def test_new_kinds_negative_cases_are_rejected(new_kinds, tmp_path):
    """What the generated ``test_schema_rejects`` does for the new kinds: every mutation is caught."""
    plan, schema = new_kinds
    path = tmp_path / "clean.csv"
    _ordered(pl.read_csv(TRAIN)).write_csv(path)
    sample = io.read_pandas(path, plan.dtypes()).head(20).reset_index(drop=True)
    assert testing.report(schema.TrainingSchema, sample).failures == {}
    negatives = [n for n in plan.negatives if n.kind in ("monotonic", "relation")]
    assert len(negatives) == 3 + 4  # one per monotonic column, one per relation
    for n in negatives:
        testing.assert_rejects(schema.TrainingSchema, sample, n.column, n.kind, n.mutation, n.value)
