"""The engine shared by Spark and SQL sources: checks -> one aggregate query -> the kinds' judges."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..checks import Check
from ..checks.registry import get
from ..engine import N_EXAMPLES, Result, judge_all, schema_stage

__all__ = ["Query", "Deferred", "NotPushable", "PushdownResult", "run_checks", "N_EXAMPLES", "plain", "judged",
           "grouped"]


class NotPushable(Exception):
    """The source cannot express this check (e.g. row order in a SQL table, which has none)."""


@dataclass
class Deferred:
    """A value a query of its own computes after the aggregate (value counts, distinct keys)."""

    function: object
    args: tuple = ()

    def __call__(self):
        return self.function(*self.args)


class PushdownResult(Result):
    """``Result`` plus the checks the source could not express, with why."""

    def __init__(self):
        super().__init__()
        self.skipped: list[tuple[Check, str]] = []


class Query:
    """What a kind's pushdown hooks may ask of the data under check (a subclass per engine).

    ``schema`` maps each column to a polars dtype (so ``schema_failure`` and the judges read
    the same types as in the polars engine); ``rows`` is set once the aggregate ran.
    """

    schema: dict = {}
    rows: int = 0
    #: column -> its declared zone (``Kind.declared_zone``): naive datetimes there are wall times in it
    zones: dict = {}

    def deferred(self, function, *args) -> Deferred:
        return Deferred(function, args)

    def violation(self, kind, check: Check):
        x = self.checked(check.column) if check.column is not None else None
        return kind.pushdown_violation(check, x, self)

    def checked(self, column: str):
        """The column as checks compare it: a naive datetime in a declared zone as its naive UTC instant
        (``pushdown.time_bins.checked_value``), as the polars engine's ``engine.Frame.value``."""
        from .time_bins import checked_value

        return checked_value(self, column, self.zones.get(column))

    # expressions: a subclass gives each
    def value(self, column: str): raise NotImplementedError
    def false(self): raise NotImplementedError
    def is_null(self, x): raise NotImplementedError
    def is_not_null(self, x): raise NotImplementedError
    def is_in(self, x, values): raise NotImplementedError
    def full_match(self, x, pattern: str): raise NotImplementedError
    def length(self, x): raise NotImplementedError
    def fractional(self, x): raise NotImplementedError
    def previous_non_null(self, x): raise NotImplementedError
    def is_duplicated(self, x): raise NotImplementedError
    # aggregates
    def rows_expr(self): raise NotImplementedError
    def count_if(self, mask): raise NotImplementedError
    def null_count(self, x): raise NotImplementedError
    def count(self, x): raise NotImplementedError
    def count_distinct(self, x): raise NotImplementedError
    def ratio(self, a, b): raise NotImplementedError
    def min(self, x): raise NotImplementedError
    def max(self, x): raise NotImplementedError
    def mean(self, x): raise NotImplementedError
    def std(self, x): raise NotImplementedError
    def quantile(self, x, q: float): raise NotImplementedError
    # queries
    def aggregate(self, named: list[tuple[str, object]]) -> dict: raise NotImplementedError
    def value_counts(self, x, name: str, text: bool = True) -> list[dict]: raise NotImplementedError
    def finite(self, x): raise NotImplementedError
    def sample(self, columns: list[str], size: int, seed: int) -> list[tuple]: raise NotImplementedError
    def distinct_rows(self, columns: list[str]) -> int: raise NotImplementedError
    def duplicated_rows(self, columns: list[str]) -> int: raise NotImplementedError
    def examples(self, columns: tuple[str, ...], mask) -> tuple[int, tuple]: raise NotImplementedError
    # monitor: bins, group counts, sums, and the rows themselves (for the serving model)
    def bin_parts(self, alias: str, x, edges) -> tuple[list, list]:
        """How ``x``'s counts on ``edges`` are asked: (aggregates for the one aggregate query, expressions for
        the one grouping-sets query). Here: the values below each edge, a ``count_if`` each, in the aggregate
        query (measured faster on PostgreSQL and Spark than a bin index per value grouped by it:
        ``benchmarks/results/scale.md``); DuckDB overrides it with one aggregate per feature."""
        below = [(f"{alias}_lt{j}", self.count_if(x < float(e))) for j, e in enumerate(edges)]
        return below + [(f"{alias}_le", self.count_if(x <= float(edges[-1]))), (f"{alias}_n", self.count(x))], []

    def bin_counts(self, alias: str, edges, row: dict, groups: dict) -> tuple[int, ...]:
        """The ``len(edges) + 1`` bin counts (``drift.Histogram``'s layout) from the answers to ``bin_parts``."""
        cumulative = [int(row[f"{alias}_lt{j}"]) for j in range(len(edges) - 1)]
        cumulative += [int(row[f"{alias}_le"]), int(row[f"{alias}_n"])]
        return tuple(b - a for a, b in zip([0] + cumulative, cumulative))

    def bin_sum_parts(self, alias: str, x, edges) -> list:
        """Aggregates summing ``x`` in each interior bin (``drift.Histogram.sums``), as
        ``summary._bin_sum`` sums them."""
        x = self.as_float(x)
        return [(f"{alias}_s{j}", self.sum(self.when(self._in_bin(x, edges, j), x))) for j in range(len(edges) - 1)]

    def bin_sums(self, alias: str, edges, row: dict) -> tuple[float, ...]:
        """The ``len(edges) - 1`` bin sums from the answers to ``bin_sum_parts`` (an empty bin's is null)."""
        return tuple(float(plain(row[f"{alias}_s{j}"]) or 0.0) for j in range(len(edges) - 1))

    def bin_spread_parts(self, alias: str, x, edges) -> list:
        """Aggregates of each interior bin's values' sample standard deviation (``summary.bin_spreads``)."""
        x = self.as_float(x)
        return [(f"{alias}_d{j}", self.std(self.when(self._in_bin(x, edges, j), x))) for j in range(len(edges) - 1)]

    def bin_spreads(self, alias: str, edges, row: dict, counts) -> tuple[float, ...]:
        """``summary.bin_spreads`` (ddof 0) from the answers to ``bin_spread_parts`` and the bin ``counts``."""
        out = []
        for j, n in enumerate(counts[1:-1]):
            sample = plain(row[f"{alias}_d{j}"])
            out.append(0.0 if n < 2 or sample is None or sample != sample else float(sample) * ((n - 1) / n) ** 0.5)
        return tuple(out)

    @staticmethod
    def _in_bin(x, edges, j: int):
        a, b = float(edges[j]), float(edges[j + 1])
        return (x >= a) & ((x <= b) if j == len(edges) - 2 else (x < b))

    def text(self, x): raise NotImplementedError
    def is_whole(self, x): raise NotImplementedError  # a whole number below 2^53 in magnitude
    def as_integer(self, x): raise NotImplementedError
    def as_float(self, x): raise NotImplementedError
    def when(self, mask, x): raise NotImplementedError
    def sum(self, x): raise NotImplementedError
    def group_counts(self, named: list[tuple[str, object]], where=None) -> dict[str, dict]: raise NotImplementedError
    def frames(self, columns: list[str], rows: int): raise NotImplementedError

    def category_text(self, x, dtype):
        """A value as categories are counted: its text, a whole float as its integer's (``summary.category_text``)."""
        if not dtype.is_float():
            return self.text(x)
        return self.when(self.is_whole(x), self.text(self.as_integer(x)), self.text(x))


def run_checks(q: Query, checks, environment: str = "training") -> PushdownResult:
    """The polars engine's ``run_checks`` on a pushdown source: same checks, same judges."""
    q.zones = {c.column: z for c in checks if (z := get(c.kind).declared_zone(c))}
    checks = [c for c in checks if environment in c.environments]
    failures = PushdownResult()
    todo, blocked = schema_stage(checks, q.schema, failures)
    todo = [c for c in todo if c.column not in blocked]
    named, deferred, kept = [("__rows", q.rows_expr())], [], []
    for i, check in enumerate(todo):
        x = q.checked(check.column) if check.column is not None else None
        try:
            parts = get(check.kind).pushdown_aggregates(check, x, f"_{i}", q)
        except NotPushable as exc:
            failures.skipped.append((check, str(exc)))
            continue
        kept.append((i, check))
        for alias, expr in parts:
            (deferred if isinstance(expr, Deferred) else named).append((alias, expr))
    row = q.aggregate(named)
    q.rows = failures.rows = int(row["__rows"] or 0)
    row.update({alias: value() for alias, value in deferred})
    # judge_all names aggregates by position in its list: rename to the kept checks' positions
    row = _renumbered(row, kept)
    return judge_all([c for _, c in kept], row, q, failures)


def _renumbered(row: dict, kept: list[tuple[int, Check]]) -> dict:
    if all(i == j for j, (i, _) in enumerate(kept)):
        return row
    out = {"__rows": row["__rows"]}
    for j, (i, _) in enumerate(kept):
        for alias, value in row.items():
            if alias == f"_{i}" or alias.startswith(f"_{i}_"):
                out[f"_{j}" + alias[len(f"_{i}"):]] = value
    return out


def grouped(named: list[tuple[str, object]], rows) -> dict[str, dict]:
    """GROUPING SETS rows (one value per set, the other columns null; a null value's row all null: skipped)
    -> {alias: {value: rows}}."""
    out: dict[str, dict] = {alias: {} for alias, _ in named}
    for row in rows:
        for (alias, _), value in zip(named, row[:-1]):
            if value is not None:
                out[alias][plain(value)] = int(row[-1])
                break
    return out


def plain(value):
    """A database or Spark result value as the polars engine holds it: Decimal -> float."""
    return float(value) if isinstance(value, Decimal) else value


def judged(value):
    """An aggregate as the kinds' judges compare it: ``plain``, and a time-zone-aware timestamp
    (PostgreSQL/DuckDB ``timestamptz``) as naive UTC, the rule the polars engine compares under
    (``engine.Frame.value``); example values keep their zone, as polars shows them."""
    value = plain(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value
