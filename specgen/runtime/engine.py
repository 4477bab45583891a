"""The polars engine behind ``specgen validate``: the plan's checks as expressions.

One aggregate pass answers every check (violation counts, min/max, moments) and runs on polars' streaming engine, so a Parquet file is read in
batches and memory stays bounded by the batch, not the file. Only checks that
fail get a second, filtered pass to count failing rows and fetch examples.
Semantics match ``stats``/``pandas_checks`` (NaN is null; statistics skip
nulls), which a test proves by comparing this engine's failures with the
generated pandera schema's.
"""
from __future__ import annotations

from typing import Iterable

import polars as pl

from .checks import Check, Failure
from .stats import within as _within

__all__ = ["run_checks", "Result"]

N_EXAMPLES = 5
_ROW_KINDS = ("not_null", "range", "values", "unique", "pattern", "length")


class Result(list):
    """The failures of one run (a list), plus the number of rows checked."""

    rows: int = 0


def run_checks(frame: pl.DataFrame | pl.LazyFrame, checks: Iterable[Check],
               environment: str = "training") -> Result:
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    checks = [c for c in checks if environment in c.environments]
    failures = Result()
    skip: set[str] = set()
    for check in checks:
        if check.kind == "present" and check.column not in schema:
            failures.append(Failure(check, None, observed="column missing"))
            skip.add(check.column)
        elif check.kind == "dtype" and check.column in schema and not _dtype_kind_matches(
                schema[check.column], check.params["dtype"]):
            failures.append(Failure(check, None, observed=f"dtype {schema[check.column]}"))
            skip.add(check.column)
    todo = [c for c in checks if c.column not in skip and c.kind != "present"
            and not (c.kind == "dtype" and not _needs_data(schema[c.column], c.params["dtype"]))]
    row = _aggregate_pass(lazy, schema, todo, nan_free=True)
    if any(row.get(f"__nan_{c}") for c in schema):
        # NaN counts as null; it is rare (pandas writes nulls, CSV has none), so only then pay for fill_nan
        lazy = lazy.with_columns(pl.col(c).fill_nan(None) for c in schema if row.get(f"__nan_{c}"))
        row = _aggregate_pass(lazy, schema, todo, nan_free=False)
    failures.rows = row["__rows"]
    judged = [(c, _judge(lazy, schema, c, row, f"_{i}")) for i, c in enumerate(todo)]
    wrong_type = {c.column for c, f in judged if f is not None and c.kind == "dtype"}
    failures += [f for c, f in judged if f is not None and (c.kind == "dtype" or c.column not in wrong_type)]
    return failures


def _dtype_kind_matches(dtype, kind: str) -> bool:
    """Schema-level answer; an int kind on a float column is settled by the data (``_needs_data``)."""
    if dtype == pl.Null:
        return True  # an all-null column carries no type to contradict
    if kind in ("category:str", "string"):
        return dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    if kind == "bool":
        return dtype == pl.Boolean
    if kind == "datetime":
        return isinstance(dtype, pl.Datetime) or dtype == pl.Date
    return dtype.is_numeric()


def _needs_data(dtype, kind: str) -> bool:
    # pandas stores an int column with nulls as float: whole values still count as int
    return kind in ("int", "category:int") and dtype.is_float()


def _value(column: str, dtype) -> pl.Expr:
    expr = pl.col(column)
    if dtype is not None and (dtype == pl.Categorical or isinstance(dtype, pl.Enum)):
        expr = expr.cast(pl.String)
    if dtype == pl.Date:
        expr = expr.cast(pl.Datetime("us"))
    return expr


def _violation(check: Check, x: pl.Expr) -> pl.Expr:
    """True on rows that fail a row-level check (nulls fail only ``not_null``)."""
    p = check.params
    if check.kind == "not_null":
        return x.is_null()
    if check.kind == "range":
        return _outside(x, p.get("min"), p.get("max"))
    if check.kind == "values":
        return x.is_not_null() & ~x.is_in(p["values"])
    if check.kind == "unique":
        return x.is_not_null() & x.is_duplicated()
    if check.kind == "pattern":
        return x.is_not_null() & ~x.str.contains(f"^(?:{p['pattern']})$")
    if check.kind == "length":
        return _outside(x.str.len_chars(), p.get("min"), p.get("max"))
    raise RuntimeError(f"no row rule for check kind {check.kind!r}")  # a bug, not bad data


def _outside(x: pl.Expr, lo, hi) -> pl.Expr:
    parts = []
    if lo is not None:
        parts.append(x < lo)
    if hi is not None:
        parts.append(x > hi)
    return pl.any_horizontal(parts).fill_null(False) if parts else pl.lit(False)


def _aggregates(check: Check, x: pl.Expr, name: str) -> list[pl.Expr]:
    """Streaming-friendly aggregates that settle ``check`` when the data is clean."""
    kind = check.kind
    if kind == "dtype":
        return [(x % 1 != 0).sum().alias(name)]
    if kind == "range":
        return [x.min().alias(f"{name}_min"), x.max().alias(f"{name}_max")]
    if kind == "not_null":
        return [x.null_count().alias(name)]
    if kind == "unique":
        return [x.drop_nulls().n_unique().alias(f"{name}_distinct"), x.count().alias(f"{name}_count")]
    if kind in ("values", "pattern", "length"):  # membership streams; a set of distinct values would not
        return [_violation(check, x).sum().alias(name)]
    if kind == "null_fraction":
        return [(x.null_count() / pl.len()).alias(name)]
    if kind == "mean":
        return [x.mean().alias(name)]
    if kind == "std":
        return [x.std(ddof=1).alias(name)]
    if kind == "quantiles":
        return [x.quantile(q, interpolation="linear").alias(f"{name}_{j}")
                for j, (q, _lo, _hi) in enumerate(check.params["quantiles"])]
    if kind == "shares":
        return [x.drop_nulls().cast(pl.String).value_counts().implode().alias(name)]
    if kind == "key_unique":
        return [pl.struct(check.params["columns"]).n_unique().alias(name)]
    if kind in ("rows", "extra_columns"):
        return []
    raise RuntimeError(f"unknown check kind {kind!r}")  # a bug, not bad data: keep it out of DataError


def _aggregate_pass(lazy: pl.LazyFrame, schema, checks: list[Check], nan_free: bool) -> dict:
    exprs = [pl.len().alias("__rows")]
    if nan_free:  # count NaNs of checked float columns; the caller re-runs with them as nulls
        floats = sorted({c.column for c in checks if c.column is not None and schema[c.column].is_float()})
        exprs += [pl.col(c).is_nan().sum().alias(f"__nan_{c}") for c in floats]
    for i, check in enumerate(checks):
        x = _value(check.column, schema[check.column]) if check.column is not None else None
        if check.kind == "key_unique" and not all(c in schema for c in check.params["columns"]):
            continue  # a missing key column is reported as missing
        exprs += _aggregates(check, x, f"_{i}")
    return lazy.select(exprs).collect(engine="streaming").row(0, named=True)


def _judge(lazy: pl.LazyFrame, schema, check: Check, row: dict, name: str) -> Failure | None:
    p, kind = check.params, check.kind
    x = _value(check.column, schema[check.column]) if check.column is not None else None
    if kind == "dtype":
        bad = row[name]
        return Failure(check, None, observed=f"dtype {schema[check.column]} with {bad} non-whole values") if bad \
            else None
    if kind == "range":
        seen_lo, seen_hi = row[f"{name}_min"], row[f"{name}_max"]
        if seen_lo is None or _within(seen_lo, p.get("min"), None) and _within(seen_hi, None, p.get("max")):
            return None
        return Failure(check, *_examples(lazy, check.column, _violation(check, x)))
    if kind == "unique":
        if row[f"{name}_distinct"] == row[f"{name}_count"]:
            return None
        return Failure(check, *_examples(lazy, check.column, _violation(check, x)))
    if kind in _ROW_KINDS:
        return Failure(check, *_examples(lazy, check.column, _violation(check, x))) if row[name] else None
    return _judge_aggregate(lazy, schema, check, row, name)


def _judge_aggregate(lazy: pl.LazyFrame, schema, check: Check, row: dict, name: str) -> Failure | None:
    p, kind = check.params, check.kind
    if kind == "null_fraction":
        value = row[name] or 0.0
        return None if value <= p["max"] else Failure(check, None, observed=f"null fraction {value:.4g}")
    if kind in ("mean", "std"):
        value = row[name]
        ok = value is None or _within(value, p.get("min"), p.get("max"))
        return None if ok else Failure(check, None, observed=f"{kind} {value:.6g}")
    if kind == "quantiles":
        bad = [f"q{q:g}={row[f'{name}_{j}']:.6g}" for j, (q, lo, hi) in enumerate(p["quantiles"])
               if row[f"{name}_{j}"] is not None and not _within(row[f"{name}_{j}"], lo, hi)]
        return Failure(check, None, observed=", ".join(bad)) if bad else None
    if kind == "shares":
        counts = {str(r[check.column]): r["count"] for r in row[name]}
        total = sum(counts.values())
        off = {k: round(counts.get(k, 0) / total, 4) for k, share in p["shares"].items()
               if total and abs(counts.get(k, 0) / total - share) > p["tolerance"]}
        return Failure(check, None, observed=f"shares {off}") if off else None
    if kind == "rows":
        rows = row["__rows"]
        return None if _within(rows, p.get("min"), p.get("max")) else Failure(check, None, observed=f"{rows} rows")
    if kind == "extra_columns":
        extra = [c for c in schema if c not in set(p["columns"])]
        return Failure(check, None, tuple(extra[:N_EXAMPLES]), observed=f"{len(extra)} undeclared") if extra \
            else None
    if kind == "key_unique":
        if name not in row or row[name] == row["__rows"]:
            return None
        keys = lazy.select(p["columns"]).collect()
        return Failure(check, int(keys.select(pl.struct(p["columns"]).is_duplicated().sum()).item()))
    raise RuntimeError(f"no rule to judge check kind {kind!r}")


def _examples(lazy: pl.LazyFrame, column: str, mask: pl.Expr) -> tuple[int, tuple]:
    """Count the failing rows and fetch a few (only for a failed check: a second pass)."""
    hits = lazy.select(pl.col(column), pl.int_range(pl.len(), dtype=pl.Int64).alias("__row")).filter(mask)
    count = hits.select(pl.len()).collect().item()
    rows = hits.head(N_EXAMPLES).collect()
    return count, tuple(zip(rows["__row"].to_list(), rows[column].to_list()))
