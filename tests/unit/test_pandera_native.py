"""The generated pandera schema is pandera-native: real dtypes, and specgen's checks registered with
pandera's extension API, so ``to_yaml``/``to_json`` keep them and the loaded schema fails the same data."""
from __future__ import annotations

import json
import warnings

import pandera.pandas as pa
import polars as pl
import pytest

from specgen.api import build_plan
from specgen.runtime import io, testing
from tests.data_faults import FAULTS
from tests.helpers import EXAMPLES

SPEC = EXAMPLES / "penguins" / "spec.yaml"
TRAIN = EXAMPLES / "penguins" / "data" / "train.csv"
SCHEMA = testing.load_module(EXAMPLES / "penguins" / "generated" / "penguins" / "penguins_schema.py",
                             "penguins_schema_under_test")

#: corruptions that only specgen's registered checks catch (besides the faults of tests/data_faults.py)
REGISTERED = {
    "mean_shift": (lambda df: df.with_columns(pl.col("bill_length_mm") * 1.3), "mean_between"),
    "share_shift": (lambda df: df.with_columns(pl.lit("Dream").alias("island")), "shares_within"),
    "null_surge": (lambda df: df.with_columns(pl.when(pl.int_range(pl.len()) % 3 == 0).then(None)
                                              .otherwise(pl.col("sex")).alias("sex")), "max_null_fraction"),
    "too_few_rows": (lambda df: df.head(10), "row_count_between"),
}
CASES = {**{name: fn for name, (fn, _) in FAULTS.items()}, **{name: fn for name, (fn, _) in REGISTERED.items()}}


def _failures(schema, frame) -> set[tuple[str, str]]:
    """(column, pandera check name) of every failure of a lazy validation."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return {(str(r["column"]), str(r["check"]).split("(", 1)[0]) for r in exc.failure_cases.to_dict("records")}
    return set()


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    plan = build_plan(SPEC)
    out = {}
    for case, corrupt in {"clean": lambda df: df, **CASES}.items():
        path = tmp_path_factory.mktemp("native") / f"{case}.csv"
        corrupt(pl.read_csv(TRAIN)).write_csv(path)
        out[case] = io.read_pandas(path, plan.dtypes())
    return out


def test_columns_carry_real_pandas_dtypes():
    columns = SCHEMA.TrainingSchema.to_schema().columns
    dtypes = {name: str(column.dtype) for name, column in columns.items()}
    assert dtypes["bill_length_mm"] == "float64"
    assert dtypes["body_mass_g"] == dtypes["penguin_id"] == "Int64"  # nullable ints
    assert dtypes["island"] == dtypes["species"] == str(pa.Column(str).dtype)
    assert all(column.dtype is not None for column in columns.values())
    assert columns["body_mass_g"].coerce and not columns["island"].coerce  # text is never coerced


@pytest.mark.parametrize("dump, load", [("to_yaml", "from_yaml"), ("to_json", "from_json")])
def test_serialized_schema_keeps_every_registered_check(dump, load):
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # pandera warns when it drops an unregistered check
        text = getattr(SCHEMA.TrainingSchema.to_schema(), dump)()
    for name in ("max_null_fraction", "mean_between", "std_between", "quantiles_between", "shares_within",
                 "row_count_between"):
        assert name in text, name
    loaded = getattr(pa.DataFrameSchema, load)(text)
    assert [c.name for c in loaded.checks] == ["row_count_between"]
    assert {c.name for c in loaded.columns["bill_length_mm"].checks} >= {"mean_between", "std_between",
                                                                         "quantiles_between", "max_null_fraction"}


@pytest.mark.parametrize("case", sorted(["clean", *CASES]))
def test_round_tripped_schema_reports_the_same_failures(frames, case):
    loaded = pa.DataFrameSchema.from_yaml(SCHEMA.TrainingSchema.to_yaml())
    ours = _failures(SCHEMA.TrainingSchema, frames[case])
    assert _failures(loaded, frames[case]) == ours
    assert (case == "clean") == (not ours), ours
    if case in REGISTERED:  # the registered check itself fails, not a side effect
        assert REGISTERED[case][1] in {check for _column, check in ours}, ours


def test_null_fraction_sees_the_nulls_pandera_would_drop(frames):
    """A Field drops nulls before its checks (``ignore_na``); the null share must count them."""
    loaded = pa.DataFrameSchema.from_json(json.loads(json.dumps(SCHEMA.TrainingSchema.to_schema().to_json())))
    assert ("sex", "max_null_fraction") in _failures(loaded, frames["null_surge"])


def test_relations_survive_the_round_trip(tmp_path):
    """All relations are one registered dataframe check: to_yaml keeps it, and the loaded schema
    still fails the row that breaks one relation."""
    from specgen.compiler.render import render
    from tests.unit.test_engines_agree import NEW_KINDS, NEW_KINDS_SPEC, _ordered

    spec = tmp_path / "spec.yaml"
    spec.write_text(NEW_KINDS_SPEC)
    plan = build_plan(spec, tmp_path)
    path = tmp_path / "schema.py"
    path.write_text(render(plan)[f"{plan.module}.py"])
    schema = testing.load_module(path, "penguins_order_round_trip").TrainingSchema
    loaded = pa.DataFrameSchema.from_yaml(schema.to_yaml())
    assert [c.name for c in loaded.checks] == ["relations"]
    csv = tmp_path / "deeper.csv"
    NEW_KINDS["deeper_than_long"][0](_ordered(pl.read_csv(TRAIN))).write_csv(csv)
    frame = io.read_pandas(csv, plan.dtypes())
    ours = _failures(schema, frame)
    assert _failures(loaded, frame) == ours and {check for _column, check in ours} == {"relations"}
    assert set(testing.report(schema, frame).failures) == {("bill_length_mm > bill_depth_mm", "relation")}
