"""The generated pandera.pyspark schema on Spark (local[1]): the same failures as the plan on the same
corrupted data, except the checks its GAPS lists, which the plan reports and the Spark schema does not."""
from __future__ import annotations

import polars as pl
import pytest

from specgen.runtime import engine, io, testing
from tests.unit.test_backends import PENGUINS, PYSPARK_GAPS, compile_backends
from tests.unit.test_engines_agree import CASES, TRAIN

#: faults of tests/data_faults.py (a few: every Spark job costs seconds) and two the Spark schema cannot
#: see (its documented gaps: the row count, the key's uniqueness)
SPARK_CASES = ["clean", "out_of_range", "null_not_allowed", "missing_column", "numeric_as_text", "extra_column",
               "too_few_rows", "duplicate_key"]


@pytest.fixture(scope="module")
def spark_schema(tmp_path_factory, spark_session):
    plan, _, path = compile_backends(tmp_path_factory.mktemp("pyspark"), PENGUINS, "penguins_pyspark")
    return plan, testing.load_module(path, "penguins_pyspark_under_test")


@pytest.mark.parametrize("case", SPARK_CASES)
def test_pyspark_schema_reports_the_plan_failures_but_its_gaps(tmp_path, spark_session, spark_schema, case):
    plan, module = spark_schema
    csv, parquet = tmp_path / f"{case}.csv", tmp_path / f"{case}.parquet"
    CASES[case](pl.read_csv(TRAIN)).write_csv(csv)
    frame = io.read_polars(csv, plan.dtypes())
    frame.write_parquet(parquet)
    ours = {f.check.key for f in engine.run_checks(frame, plan.checks("training"), "training")}
    theirs = set(testing.report_pyspark(module.TrainingSchema, spark_session.read.parquet(str(parquet))).failures)
    gaps = {(target, kind) for env, target, kind, _reason in module.GAPS if env == "training"}
    assert gaps == PYSPARK_GAPS  # as documented
    assert theirs == ours - gaps
    assert (case == "clean") == (not ours)
    if case in ("too_few_rows", "duplicate_key"):  # the plan catches it; Spark's schema cannot
        assert ours and ours <= gaps and not theirs
