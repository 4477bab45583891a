"""What every check kind shares: the ``Check`` and ``Failure`` records and the ``Kind`` interface.

A ``Check`` is what the compiler's plan produces and what both engines consume:
the generated pandera module (pandas) and the polars engine behind
``specgen validate``. Both report failures under the same ``(target, kind)``
key, which is how a test proves the two agree.

A ``Kind`` holds everything about one check kind (``kinds/<name>.py``): how the
plan builds it from a spec entry, its pandera form, its polars expressions, its
description and its negative cases. Only the standard library is imported at
module level: polars is imported inside the engine methods, so generated code
that never runs the polars engine does not pay for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["Check", "Failure", "Kind", "ColumnKind", "DatasetKind", "RowKind", "DATASET", "bound", "example_text"]

#: the report target of a check on the whole dataset
DATASET = "<dataset>"


@dataclass(frozen=True)
class Check:
    """One check on one column (or the dataset when ``column`` is None)."""

    kind: str
    column: str | None = None
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    environments: tuple[str, ...] = ("training", "serving")

    @property
    def key(self) -> tuple[str, str]:
        """(target, kind): how both engines report this check's failures."""
        return (self.target, self.kind)

    @property
    def target(self) -> str:
        """The column, or what a dataset-level check is about (``<dataset>`` unless its kind says more)."""
        return _kind(self.kind).target(self)

    def describe(self) -> str:
        """What passes, in words a person reads in a failure message."""
        return _kind(self.kind).describe(self)


def _kind(name: str) -> "Kind":
    from .registry import get  # the registry imports the kind modules, which import this one

    return get(name)


@dataclass(frozen=True)
class Failure:
    """A failed check: which, where, how many rows, and a few examples."""

    check: Check
    failing_rows: int | None
    examples: tuple = ()
    observed: str = ""

    @property
    def column(self) -> str | None:
        return self.check.column

    @property
    def kind(self) -> str:
        return self.check.kind

    def message(self) -> str:
        where = self.check.target if self.check.target != DATASET else "dataset"
        text = f"{where}: {self.kind} failed (expected {self.check.describe()})"
        if self.failing_rows is not None:
            text += f"; {self.failing_rows} failing row{'s' if self.failing_rows != 1 else ''}"
        if self.observed:
            text += f"; observed {self.observed}"
        if self.examples:
            text += f"; e.g. {', '.join(example_text(e) for e in self.examples)}"
        return text

    def as_dict(self) -> dict:
        return {
            "column": self.column,
            "check": self.kind,
            "expected": self.check.describe(),
            "failing_rows": self.failing_rows,
            "observed": self.observed,
            "examples": [_jsonable(e) for e in self.examples],
        }


class Kind:
    """One check kind. Subclasses override what their kind needs; the defaults do nothing."""

    name: str = ""
    order: int = 0  # position in the plan (and so in generated test ids order)
    level: str = "column"  # column | dataset
    group: str = "feature"  # generated test: feature | distribution | dataset
    meaning: str = ""  # one line for the generated README
    #: pandera check names (before any ``(``) failures of this kind are reported under
    pandera_names: tuple[str, ...] = ()
    #: ``specgen monitor`` may run it per chunk and add up the failures
    per_chunk: bool = False
    #: a failure hides the column's other failures (it is missing or of the wrong type)
    blocks_column: bool = False
    #: ``specgen monitor`` keeps hashes of every chunk (``chunk_hashes``) to judge it over the batch
    spans_chunks: bool = False
    #: runtime functions registered as pandera checks (``pandas_checks``), by name; their
    #: parameters after the first are the check's statistics
    pandas_functions: dict[str, Callable] = {}
    #: registered checks that must see the nulls (pandera drops them before a Series check)
    keeps_nulls: tuple[str, ...] = ()
    #: pandera check names whose failures ``pandera_targets`` splits by target
    splits_failures: tuple[str, ...] = ()
    #: backend -> why the kind has no form in that backend's generated schema (``compiler.backends``)
    backend_gaps: dict[str, str] = {}
    #: mutation name -> function(frame, column, value) -> frame, for negative cases
    mutations: dict[str, Callable] = {}
    #: ``specgen monitor`` keeps the batch's newest value of the column and judges it (``judge_newest``)
    batch_newest: bool = False

    # -- specgen monitor (a batch read in chunks) ----------------------------
    def chunk_hashes(self, check: Check, chunk):
        """64-bit hashes of what a ``spans_chunks`` check compares in one chunk (None: nothing to add)."""
        return None

    def allow_columns(self, check: Check, names: list[str]) -> Check:
        """The check with ``names`` (columns a monitored batch may carry beyond the schema: the label,
        the predictions) allowed; unchanged for every kind but ``extra_columns``."""
        return check

    def judge_newest(self, check: Check, newest) -> Failure | None:
        """Judge a ``batch_newest`` check from the batch's newest value (naive UTC; None: no value)."""
        return None

    def declared_zone(self, check: Check) -> str | None:
        """The time zone this check declares for its column (naive values are read in it; see
        ``runtime.timezones``); None for every kind but ``timezone``."""
        return None

    def judge_totals(self, check: Check, rows: int, nulls: dict[str, int]) -> Failure | None:
        """Judge a check from the whole batch's totals (row count, nulls per column); None: passes or
        is not judged so."""
        return None

    # -- plan --------------------------------------------------------------
    def build(self, source) -> list[Check]:
        """Checks for one column. ``source`` has ``name``, ``feature`` (a spec entry, duck-typed; None for an
        undeclared key or label), ``value_type`` and ``environments``."""
        return []

    def build_dataset(self, spec, columns) -> list[Check]:
        """Dataset checks from the spec (duck-typed) and the planned columns."""
        return []

    def target(self, check: Check) -> str:
        return check.column if check.column is not None else DATASET

    def test_id(self, check: Check) -> tuple:
        """Parts of the generated test id (joined with ``-``)."""
        return (check.column, self.name) if check.column is not None else (self.name,)

    def describe(self, check: Check) -> str:
        return self.meaning

    # -- pandera -----------------------------------------------------------
    def pandas_annotation(self, check: Check, zone: str | None = None) -> str | None:
        """The column's type in ``Series[...]`` (only ``dtype`` says; None: this kind does not); ``zone``:
        the column's declared ``timezone`` (None: none declared)."""
        return None

    def field_args(self, check: Check) -> tuple[tuple[str, Any], ...]:
        """``pa.Field`` keyword arguments: pandera's own checks, or a check registered by
        ``pandas_checks`` (its name and its statistics)."""
        return ()

    def pandas_field_args(self, check: Check, zone: str | None) -> tuple[tuple[str, Any], ...]:
        """``field_args`` as the pandas schema takes them: a column with a declared ``timezone``
        (``zone``) holds aware datetimes there (``io.read_pandas``), unlike the other backends' naive
        UTC, so a kind comparing datetimes gives aware values (``range``) or the zone (``dtype``)."""
        return self.field_args(check)

    def schema_config(self, checks: list[Check], names: set[str]) -> tuple[tuple[str, Any], ...]:
        """Settings of the schema's ``Config`` class (pandera's own, or registered dataframe checks
        with their statistics) from all checks of this kind in one environment, given its column names."""
        return ()

    def pandera_target(self, check_name: str, column, failure_case) -> tuple[str, Any]:
        """(target, example value) of one row of pandera's ``failure_cases``."""
        if column is None or self.level == "dataset":
            return DATASET, failure_case
        return str(column), failure_case

    def pandera_targets(self, statistics: dict, frame, index, failure_case) -> list[tuple[str, Any]]:
        """(target, example) pairs of one failing row of a check that covers several targets at
        once (``relations``); only such kinds override it."""
        raise NotImplementedError

    # -- negative cases ----------------------------------------------------
    def negatives(self, check: Check, value_type: str | None) -> list[tuple[str, str, Any]]:
        """(defect, mutation, value) triples: minimal changes to valid data this check must reject."""
        return []

    # -- polars engine -----------------------------------------------------
    def reads(self, check: Check) -> tuple[str, ...]:
        """Columns the check reads; it is skipped when one is missing (that is reported as missing)."""
        return (check.column,) if check.column is not None else ()

    def schema_failure(self, check: Check, schema) -> tuple[Failure | None, bool]:
        """Settled from the schema alone: (failure or None, does the check still need the data?)."""
        return None, True

    def aggregates(self, check: Check, x, name: str, frame) -> list:
        """Streaming-friendly aggregate expressions that settle the check on clean data."""
        return []

    def judge(self, check: Check, row: dict, name: str, frame) -> Failure | None:
        raise RuntimeError(f"no rule to judge check kind {self.name!r}")  # a bug, not bad data

    # -- pushdown engines (Spark, SQL: ``runtime/pushdown``) ----------------
    def pushdown_aggregates(self, check: Check, x, name: str, q) -> list[tuple[str, object]]:
        """(alias, expression) pairs computing what ``judge`` reads, built with ``q`` (a
        ``pushdown.Query``: Spark columns or SQL fragments, with the same operators). An alias may
        hold a ``q.deferred(...)`` value, computed by a query of its own (e.g. value counts)."""
        return []


class ColumnKind(Kind):
    level = "column"


class DatasetKind(Kind):
    level = "dataset"
    group = "dataset"


class RowKind(ColumnKind):
    """A check row by row: a violation mask, counted in one pass; failing rows fetched only on failure."""

    per_chunk = True

    def violation(self, check: Check, x, frame):
        """True on rows that fail (nulls fail only ``not_null``)."""
        raise NotImplementedError

    def tolerates(self, check: Check) -> bool:
        """Some violating rows may pass (``values`` with an ``unseen_rate``): the check is settled on their count."""
        return False

    def aggregates(self, check: Check, x, name: str, frame) -> list:
        return [self.violation(check, x, frame).sum().alias(name)]

    def judge(self, check: Check, row: dict, name: str, frame) -> Failure | None:
        return self.failing(check, frame) if row[name] else None

    def failing(self, check: Check, frame) -> Failure:
        return Failure(check, *frame.examples(self.reads(check), frame.violation(self, check)))

    def pushdown_violation(self, check: Check, x, q):
        """The violation mask as a pushdown expression (``q``: see ``pushdown_aggregates``)."""
        raise NotImplementedError

    def pushdown_aggregates(self, check: Check, x, name: str, q) -> list[tuple[str, object]]:
        return [(name, q.count_if(self.pushdown_violation(check, x, q)))]


def bound(value, default: str) -> str:
    """A bound as text; ``default`` (``-inf``/``inf``) when open."""
    if value is None:
        return default
    return f"{value:g}" if isinstance(value, float) else str(value)


def between(value_name: str, p: dict) -> str:
    return f"{bound(p.get('min'), '-inf')} <= {value_name} <= {bound(p.get('max'), 'inf')}"


def outside_pushdown(q, x, lo, hi):
    """A pushdown engine's ``outside``: null compares as unknown, which its filters count as false."""
    parts = ([x < lo] if lo is not None else []) + ([x > hi] if hi is not None else [])
    if not parts:
        return q.false()
    return parts[0] | parts[1] if len(parts) == 2 else parts[0]


def outside(x, lo, hi):
    """polars: True where x is outside [lo, hi] (null is not outside)."""
    import polars as pl

    parts = []
    if lo is not None:
        parts.append(x < lo)
    if hi is not None:
        parts.append(x > hi)
    return pl.any_horizontal(parts).fill_null(False) if parts else pl.lit(False)


#: Longest example value a message or JSON report shows: a 5 MB cell would otherwise be
#: printed whole, once per example (R4). Longer values are cut, saying how long they were.
MAX_EXAMPLE_CHARS = 200


def example_text(value) -> str:
    """One failure example as reports show it: ``row 3: 99999`` (row, value) or the value, cut to size."""
    if isinstance(value, tuple) and len(value) == 2:
        return f"row {value[0]}: {_shown(value[1])}"
    return _shown(value)


def _shown(value) -> str:
    """``repr`` of an example value, cut to ``MAX_EXAMPLE_CHARS``."""
    if isinstance(value, str) and len(value) > MAX_EXAMPLE_CHARS:
        return f"{value[:MAX_EXAMPLE_CHARS]!r}... ({len(value):,} characters)"
    return _cut(repr(value))


def _cut(text: str) -> str:
    if len(text) <= MAX_EXAMPLE_CHARS:
        return text
    return f"{text[:MAX_EXAMPLE_CHARS]}... ({len(text):,} characters)"


def _jsonable(value):
    if isinstance(value, tuple) and len(value) == 2:
        return {"row": value[0], "value": _jsonable(value[1])}
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _cut(value if isinstance(value, str) else str(value))
