"""The polars engine behind ``specgen validate``: the plan's checks as expressions.

One aggregate pass answers every check (counts, uniques, moments); only checks
that fail get a second, filtered pass to fetch example rows. Semantics match
``stats``/``pandas_checks`` (NaN is null; statistics skip nulls), which a test
proves by comparing this engine's failures with the generated pandera schema's.
"""
from __future__ import annotations

from typing import Iterable

import polars as pl

from .checks import Check, Failure

__all__ = ["run_checks", "polars_dtype_matches"]

N_EXAMPLES = 5
_ROW_KINDS = ("not_null", "range", "values", "unique", "pattern", "length")


def run_checks(frame: pl.DataFrame, checks: Iterable[Check], environment: str = "training") -> list[Failure]:
    checks = [c for c in checks if environment in c.environments]
    failures: list[Failure] = []
    present = set(frame.columns)
    skip: set[str] = set()
    for check in checks:
        if check.kind == "present" and check.column not in present:
            failures.append(Failure(check, None, observed="column missing"))
            skip.add(check.column)
        elif check.kind == "dtype" and check.column in present:
            ok, observed = polars_dtype_matches(frame, check.column, check.params["dtype"])
            if not ok:
                failures.append(Failure(check, None, observed=observed))
                skip.add(check.column)
    column_checks = [c for c in checks if c.column is not None and c.column not in skip
                     and c.kind not in ("present", "dtype")]
    failures += _value_checks(frame, column_checks)
    failures += _dataset_checks(frame, [c for c in checks if c.column is None])
    return failures


def polars_dtype_matches(frame: pl.DataFrame, column: str, kind: str) -> tuple[bool, str]:
    dtype = frame.schema[column]
    observed = f"dtype {dtype}"
    if dtype == pl.Null:
        return True, observed  # an all-null column carries no type to contradict
    if kind in ("category:str", "string"):
        return dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum), observed
    if kind == "bool":
        return dtype == pl.Boolean, observed
    if kind == "datetime":
        return isinstance(dtype, pl.Datetime) or dtype == pl.Date, observed
    if not dtype.is_numeric():
        return False, observed
    if kind == "float" or dtype.is_integer():
        return True, observed
    fractional = frame.select((_value(column, dtype) % 1 != 0).sum()).item()
    return fractional == 0, f"{observed} with {fractional} non-whole values"


def _value(column: str, dtype) -> pl.Expr:
    expr = pl.col(column)
    if dtype is not None and dtype.is_float():
        expr = expr.fill_nan(None)
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
    raise ValueError(check.kind)


def _outside(x: pl.Expr, lo, hi) -> pl.Expr:
    parts = []
    if lo is not None:
        parts.append(x < lo)
    if hi is not None:
        parts.append(x > hi)
    return pl.any_horizontal(parts).fill_null(False) if parts else pl.lit(False)


def _aggregate(check: Check, x: pl.Expr, i: int) -> list[pl.Expr]:
    name = f"_{i}"
    kind = check.kind
    if kind == "values":  # the set of distinct values: cheaper than hashing membership per row
        return [x.drop_nulls().unique().implode().alias(name)]
    if kind == "range":  # min/max answer it for clean data; violations are counted only on failure
        return [x.min().alias(f"{name}_min"), x.max().alias(f"{name}_max")]
    if kind == "not_null":
        return [x.null_count().alias(name)]
    if kind in _ROW_KINDS:
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
    raise ValueError(f"unknown check kind {kind!r}")


def _value_checks(frame: pl.DataFrame, checks: list[Check]) -> list[Failure]:
    if not checks:
        return []
    schema = frame.schema
    exprs = []
    for i, check in enumerate(checks):
        exprs += _aggregate(check, _value(check.column, schema[check.column]), i)
    row = frame.select(exprs).row(0, named=True)
    failures = []
    for i, check in enumerate(checks):
        failure = _judge(frame, check, row, f"_{i}")
        if failure is not None:
            failures.append(failure)
    return failures


def _judge(frame: pl.DataFrame, check: Check, row: dict, name: str) -> Failure | None:
    p, kind = check.params, check.kind
    if kind == "values":
        allowed = set(p["values"])
        bad = sorted((v for v in row[name] if v not in allowed), key=str)
        if not bad:
            return None
        count, examples = _examples(frame, check.column, _value(check.column, frame.schema[check.column]).is_in(bad))
        return Failure(check, count, examples)
    if kind == "range":
        lo, hi, seen_lo, seen_hi = p.get("min"), p.get("max"), row[f"{name}_min"], row[f"{name}_max"]
        if seen_lo is None or ((lo is None or seen_lo >= lo) and (hi is None or seen_hi <= hi)):
            return None
    elif kind in _ROW_KINDS and not row[name]:
        return None
    if kind in _ROW_KINDS:
        x = _value(check.column, frame.schema[check.column])
        return Failure(check, *_examples(frame, check.column, _violation(check, x)))
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
        if not total:
            return None
        off = {k: round(counts.get(k, 0) / total, 4) for k, share in p["shares"].items()
               if abs(counts.get(k, 0) / total - share) > p["tolerance"]}
        return Failure(check, None, observed=f"shares {off}") if off else None
    raise ValueError(kind)


def _within(value, lo, hi) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _examples(frame: pl.DataFrame, column: str, mask: pl.Expr) -> tuple[int, tuple]:
    hits = frame.select(pl.col(column), pl.int_range(pl.len()).alias("__row")).filter(mask)
    rows = hits.head(N_EXAMPLES)
    return hits.height, tuple(zip(rows["__row"].to_list(), rows[column].to_list()))


def _dataset_checks(frame: pl.DataFrame, checks: list[Check]) -> list[Failure]:
    failures = []
    for check in checks:
        p = check.params
        if check.kind == "rows" and not _within(frame.height, p.get("min"), p.get("max")):
            failures.append(Failure(check, None, observed=f"{frame.height} rows"))
        elif check.kind == "extra_columns":
            extra = [c for c in frame.columns if c not in set(p["columns"])]
            if extra:
                failures.append(Failure(check, None, tuple(extra[:N_EXAMPLES]), observed=f"{len(extra)} undeclared"))
        elif check.kind == "key_unique":
            columns = [c for c in p["columns"] if c in frame.columns]
            if len(columns) == len(p["columns"]):
                dupes = frame.select(pl.struct(columns).is_duplicated().sum()).item()
                if dupes:
                    failures.append(Failure(check, int(dupes)))
    return failures
