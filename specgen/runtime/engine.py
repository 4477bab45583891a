"""The polars engine behind ``specgen validate``: the plan's checks as expressions.

Each check kind (``checks/kinds/<name>.py``) supplies its expressions; this
module runs them. One aggregate pass answers every check (violation counts,
min/max, moments) and runs on polars' streaming engine, so a Parquet file is read
in batches and memory stays bounded by the batch, not the file. Only checks that
fail get a second, filtered pass to count failing rows and fetch examples.
Semantics match the generated pandera schema's (NaN is null; statistics skip
nulls), which a test proves by comparing this engine's failures with the
schema's.
"""
from __future__ import annotations

from typing import Iterable

import polars as pl

from .checks import Check
from .checks.registry import get
from .timezones import polars_utc

__all__ = ["run_checks", "Result", "judge_all", "schema_stage"]

N_EXAMPLES = 5


class Result(list):
    """The failures of one run (a list), plus the number of rows checked."""

    rows: int = 0


class Frame:
    """What a kind's expressions may ask of the data under check."""

    def __init__(self, lazy: pl.LazyFrame, schema, rows: int = 0, zones: dict | None = None):
        self.lazy, self.schema, self.rows, self.zones = lazy, schema, rows, zones or {}

    def value(self, column: str) -> pl.Expr:
        """The column as checks compare it (categoricals as strings, dates and datetimes as naive UTC
        by ``runtime.timezones``' rule, naive ones read in the column's declared zone)."""
        dtype = self.schema[column]
        expr = pl.col(column)
        if dtype == pl.Categorical or isinstance(dtype, pl.Enum):
            expr = expr.cast(pl.String)
        return polars_utc(expr, dtype, self.zones.get(column))

    def violation(self, kind, check: Check) -> pl.Expr:
        """The kind's violation mask on this frame."""
        x = self.value(check.column) if check.column is not None else None
        return kind.violation(check, x, self)

    def duplicated_rows(self, columns: list[str]) -> int:
        """Rows whose whole key (nulls included) another row repeats."""
        keys = self.lazy.select(columns).collect()
        return int(keys.select(pl.struct(columns).is_duplicated().sum()).item())

    def examples(self, columns: tuple[str, ...], mask: pl.Expr) -> tuple[int, tuple]:
        """Count the failing rows and fetch a few (only for a failed check: a second pass)."""
        hits = self.lazy.select(*[pl.col(c) for c in columns],
                                pl.int_range(pl.len(), dtype=pl.Int64).alias("__row")).filter(mask)
        count = hits.select(pl.len()).collect().item()
        rows = hits.head(N_EXAMPLES).collect()
        values = rows[columns[0]].to_list() if len(columns) == 1 else list(rows.select(columns).iter_rows())
        return count, tuple(zip(rows["__row"].to_list(), values))


def run_checks(frame: pl.DataFrame | pl.LazyFrame, checks: Iterable[Check],
               environment: str = "training") -> Result:
    """``frame`` as read, zones kept: the ``timezone`` check sees them; every other check compares
    datetimes as naive UTC (``Frame.value``)."""
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    checks = [c for c in checks if environment in c.environments]
    failures = Result()
    todo, blocked = schema_stage(checks, schema, failures)
    todo = [c for c in todo if c.column not in blocked]
    zones = {c.column: get(c.kind).declared_zone(c) for c in checks if get(c.kind).declared_zone(c)}
    row = _aggregate_pass(Frame(lazy, schema, zones=zones), todo, nan_free=True)
    if any(row.get(f"__nan_{c}") for c in schema):
        # NaN counts as null; it is rare (pandas writes nulls, CSV has none), so only then pay for fill_nan
        lazy = lazy.with_columns(pl.col(c).fill_nan(None) for c in schema if row.get(f"__nan_{c}"))
        row = _aggregate_pass(Frame(lazy, schema, zones=zones), todo, nan_free=False)
    failures.rows = row["__rows"]
    return judge_all(todo, row, Frame(lazy, schema, row["__rows"], zones), failures)


def judge_all(todo: list[Check], row: dict, data, failures: Result) -> Result:
    """Each check judged from the aggregate ``row`` (``data``: the engine's frame, for examples);
    a failed type check hides the column's other failures. Shared by the pushdown engines."""
    judged = [(c, get(c.kind).judge(c, row, f"_{i}", data)) for i, c in enumerate(todo)]
    wrong = {c.column for c, f in judged if f is not None and get(c.kind).blocks_column}
    failures += [f for c, f in judged if f is not None and (get(c.kind).blocks_column or c.column not in wrong)]
    return failures


def schema_stage(checks: list[Check], schema, failures: Result) -> tuple[list[Check], set[str]]:
    """What the schema alone settles (a missing column, a wrong type); returns the checks that need the data
    and the columns whose failure hides their other checks."""
    todo, blocked = [], set()
    for check in checks:
        kind = get(check.kind)
        if any(c not in schema for c in kind.reads(check)):
            continue  # a missing column is reported as missing
        failure, needs_data = kind.schema_failure(check, schema)
        if failure is not None:
            failures.append(failure)
            if kind.blocks_column:
                blocked.add(check.column)
        if needs_data:
            todo.append(check)
    return todo, blocked


def _aggregate_pass(frame: Frame, checks: list[Check], nan_free: bool) -> dict:
    exprs = [pl.len().alias("__rows")]
    if nan_free:  # count NaNs of checked float columns; the caller re-runs with them as nulls
        read = {c for check in checks for c in get(check.kind).reads(check)}
        floats = sorted(c for c in read if frame.schema[c].is_float())
        exprs += [pl.col(c).is_nan().sum().alias(f"__nan_{c}") for c in floats]
    for i, check in enumerate(checks):
        x = frame.value(check.column) if check.column is not None else None
        exprs += get(check.kind).aggregates(check, x, f"_{i}", frame)
    return frame.lazy.select(exprs).collect(engine="streaming").row(0, named=True)
