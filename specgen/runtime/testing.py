"""Helpers the generated pytest suites call: one call per generated test.

``report`` validates a frame once with a generated pandera schema (lazily, every
failure collected) and indexes the failures by (target, check kind), the key
the polars engine reports under too (``Check.key``);
``assert_passes`` and ``assert_rejects`` turn that into test outcomes whose
messages name the column, the check, the failing rows and the expected values.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import timezones
from .contracts.data import SqlData
from .checks import DATASET, kind_of_pandera_check
from .checks.registry import mutation as _kind_mutation

__all__ = ["Report", "report", "report_pyspark", "assert_passes", "assert_rejects", "mutate", "load_module", "data_path"]

N_EXAMPLES = 5


@dataclass
class Report:
    """Failures of one validation run, keyed by (target, check kind): the target is the column, or
    ``<dataset>`` (or what a dataset check is about, e.g. a relation) for dataset checks."""

    failures: dict[tuple[str, str], list[tuple]] = field(default_factory=dict)

    def get(self, column: str | None, kind: str) -> list[tuple]:
        return self.failures.get((column if column is not None else DATASET, kind), [])


def load_module(path: str | Path, name: str):
    """Import a generated module by path (works under any pytest import mode)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def data_path(here: str | Path, relative: str | SqlData | None, env_var: str) -> Path | SqlData | None:
    """The data file a suite reads: ``$env_var`` if set, else relative to the suite; or the table or query
    the spec names (``SqlData``, a relative DuckDB path resolved from the suite)."""
    override = os.environ.get(env_var)
    if override:
        return Path(override)
    if isinstance(relative, SqlData):
        from .sources.location import bind

        return bind(relative, Path(here).parent)
    return (Path(here).parent / relative).resolve() if relative is not None else None


def report(schema, frame) -> Report:
    """``schema``: a generated pandas or polars ``DataFrameModel``; ``frame`` of that library."""
    import pandera.errors

    out = Report()
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        _collect(out, cases.to_dicts() if hasattr(cases, "to_dicts") else cases.to_dict("records"), schema, exc.data)
    except pandera.errors.SchemaError as exc:  # raised alone when lazy cannot continue
        out.failures.setdefault((DATASET, "schema"), []).append((None, str(exc)))
    return out


def report_pyspark(schema, frame) -> Report:
    """The same report from a generated ``pandera.pyspark`` schema on a Spark DataFrame: pandera.pyspark
    does not raise, it lists what failed (column and check, no rows) in ``.pandera.errors``."""
    errors = schema.validate(frame).pandera.errors
    rows = [{"column": e["column"], "check": e["check"], "failure_case": e["column"], "index": None}
            for by_reason in errors.values() for cases in by_reason.values() for e in cases]
    out = Report()
    _collect(out, rows, schema, None)
    return out


def _collect(out: Report, failure_cases: list[dict], schema, data) -> None:
    """Index pandera's failure cases by (target, check kind), as the polars engine reports."""
    dataset_names = {getattr(schema.Config, "name", None), schema.__name__}
    blocked: set[str] = set()
    rows = []
    split_rows: set[tuple] = set()  # a dataframe check's failing row comes once per column: count it once
    for row in failure_cases:
        kind = kind_of_pandera_check(row["check"])
        column = None if row["column"] in dataset_names else row["column"]
        if kind is None:  # a check no kind reports (e.g. one a user added): keep pandera's name
            name = str(row["check"]).split("(", 1)[0]
            rows.append((DATASET if column is None else str(column), None, name, row.get("index"),
                         row["failure_case"]))
            continue
        if str(row["check"]).split("(", 1)[0] in kind.splits_failures:
            if (row.get("check_number"), row.get("index")) in split_rows:
                continue
            split_rows.add((row.get("check_number"), row.get("index")))
        for target, value in _targets(kind, row, column, schema, data):
            if kind.level == "column" and target == DATASET:
                continue  # pandera.polars coerces the whole frame at once; each column's dtype failure follows
            if kind.blocks_column:
                blocked.add(target)
            rows.append((target, kind, kind.name, row.get("index"), value))
    for target, kind, name, index, value in rows:
        if target in blocked and not (kind is not None and kind.blocks_column):
            continue  # a missing column or one of the wrong type reports that failure only
        out.failures.setdefault((target, name), []).append((index, value))


def _targets(kind, row: dict, column, schema, data) -> list[tuple]:
    """(target, example) pairs of one row of pandera's failure cases."""
    check_name = str(row["check"])
    if check_name.split("(", 1)[0] not in kind.splits_failures:
        return [kind.pandera_target(check_name, column, row["failure_case"])]
    # one check over several targets (all relations): ask the kind which broke on this row
    check = schema.to_schema().checks[int(row["check_number"])]
    return kind.pandera_targets(check.statistics, data, row["index"], row["failure_case"])


def assert_passes(result: Report, column: str | None, kind: str, expected: str = "") -> None:
    failures = result.get(column, kind)
    if failures:
        where = column if column is not None else "dataset"
        examples = ", ".join(_fmt(i, v) for i, v in failures[:N_EXAMPLES])
        raise AssertionError(
            f"{where}: check '{kind}' failed{f' (expected {expected})' if expected else ''}; "
            f"{len(failures)} failure case{'s' if len(failures) != 1 else ''}: {examples}")


def assert_rejects(schema, frame, column, kind: str, mutation: str, value=None) -> None:
    """The schema must report (column, kind) on ``frame`` after ``mutation``."""
    broken = mutate(frame, column, mutation, value)
    if not report(schema, broken).get(column, kind):
        where = column if column is not None else "dataset"
        raise AssertionError(
            f"{where}: the '{kind}' check accepted data it must reject ({mutation} {value!r}); "
            "the check cannot fail as written")


def mutate(frame, column, mutation: str, value=None):
    """A copy of ``frame`` with one deliberate defect."""
    import pandas as pd

    own = _kind_mutation(mutation)
    if own is not None:  # a mutation a check kind defines for its own negative cases
        return own(frame.copy(), column, value)
    df = frame.copy()
    if len(df) < 2 and mutation in ("copy_first", "copy_first_row"):
        df = pd.concat([df, df.head(1)], ignore_index=True)
    if mutation == "drop_column":
        return df.drop(columns=[column])
    if mutation == "add_column":
        df[value] = 0
        return df
    if mutation == "resize":
        if value > len(df):  # only the row count matters: a frame of index only stays cheap at any size
            return pd.DataFrame(index=pd.RangeIndex(value))
        return df.head(value)
    if mutation == "copy_first_row":
        return pd.concat([df.head(1), df.iloc[1:]], ignore_index=True).pipe(_copy_row0)
    values = df[column].tolist()
    value = timezones.pandas_like(df[column], value)  # a naive UTC datetime into a zoned (aware) column
    if mutation == "set_first":
        values[0] = value
    elif mutation == "set_all":
        values = [value] * len(values)
    elif mutation == "set_all_first":
        values = [values[_first_present(values)]] * len(values)
    elif mutation == "copy_first":  # a repeated null is no duplicate: repeat the first real value
        i = _first_present(values)
        values[1 if i == 0 else 0] = values[i]
    elif mutation == "replace_column":
        values = [value] * len(values)
    else:
        raise ValueError(f"unknown mutation {mutation!r}")
    df[column] = pd.Series(values, index=df.index, dtype=_keep_dtype(df[column], values))
    return df


def _first_present(values: list) -> int:
    """Index of the first non-null value (0 when all are null)."""
    import pandas as pd

    return next((i for i, v in enumerate(values) if not pd.isna(v)), 0)


def _copy_row0(df):
    # column by column: a whole row is one Series of a common dtype, which rounds a uint64 id
    # above 2^53 through float64 and so copied a *different* key (no duplicate to reject)
    for i in range(df.shape[1]):
        df.iloc[1, i] = df.iloc[0, i]
    return df


def _keep_dtype(series, values):
    """Keep categorical/string dtypes when the new values still fit; else let pandas infer."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return None
    if all(v is None for v in values) and pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.dtype  # a datetime column set to nulls stays a datetime column (NaT), as data reads
    if pd.api.types.is_string_dtype(series.dtype) and all(v is None or isinstance(v, str) for v in values):
        return series.dtype
    return None


def _fmt(index, value) -> str:
    return f"{value!r}" if index is None or index != index else f"row {index}: {value!r}"
