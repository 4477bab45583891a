"""The check catalogue: every data check declared once, as plain data.

A ``Check`` is what the compiler's plan produces and what both engines consume:
the generated pandera module (pandas, via ``pandera_checks``) and the polars engine
behind ``specgen validate`` (``engine``). Both report failures with the same
``kind`` names, which is how a test proves the two agree.

This module imports only the standard library: generated code and the CLI pay
for nothing they do not use.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Check", "Failure", "KINDS", "DATASET_KINDS", "PANDERA_NAMES", "kind_of_pandera_check"]

#: kind -> what it means (column-level checks).
KINDS: dict[str, str] = {
    "present": "the column exists",
    "dtype": "values have the declared type",
    "not_null": "no nulls",
    "null_fraction": "share of nulls at most the limit",
    "range": "values within [min, max] (inclusive)",
    "values": "values in the allowed set",
    "unique": "no repeated non-null values",
    "pattern": "every value matches the pattern in full",
    "length": "string length within [min, max]",
    "mean": "column mean within bounds",
    "std": "column standard deviation within bounds",
    "quantiles": "each listed quantile within its bounds",
    "shares": "each category's share within tolerance of the expected share",
}

#: Dataset-level kinds (``column`` is None).
DATASET_KINDS: dict[str, str] = {
    "rows": "row count within bounds",
    "key_unique": "the key columns identify each row uniquely",
    "extra_columns": "no columns beyond those declared",
}

#: pandera check name (as it appears in ``failure_cases['check']``) -> our kind.
PANDERA_NAMES: dict[str, str] = {
    "column_in_dataframe": "present",
    "dtype_kind": "dtype",
    "not_nullable": "not_null",
    "max_null_fraction": "null_fraction",
    "greater_than_or_equal_to": "range",
    "less_than_or_equal_to": "range",
    "in_range": "range",
    "isin": "values",
    "field_uniqueness": "unique",
    "str_matches": "pattern",
    "str_length": "length",
    "mean_between": "mean",
    "std_between": "std",
    "quantiles_between": "quantiles",
    "shares_within": "shares",
    "row_count_between": "rows",
    "multiple_fields_uniqueness": "key_unique",
    "column_in_schema": "extra_columns",
}


def kind_of_pandera_check(check: str) -> str:
    """``'less_than_or_equal_to(200)'`` -> ``'range'``; unknown names pass through."""
    name = str(check).split("(", 1)[0]
    if name == "dtype":  # pandera's own dtype check (not used by specgen schemas)
        return "dtype"
    return PANDERA_NAMES.get(name, name)


@dataclass(frozen=True)
class Check:
    """One check on one column (or the dataset when ``column`` is None)."""

    kind: str
    column: str | None = None
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    environments: tuple[str, ...] = ("training", "serving")

    @property
    def key(self) -> tuple[str, str]:
        return (self.column if self.column is not None else "<dataset>", self.kind)

    def describe(self) -> str:
        """What passes, in words a person reads in a failure message."""
        p = self.params
        if self.kind == "range":
            return f"{_b(p.get('min'), '-inf')} <= x <= {_b(p.get('max'), 'inf')}"
        if self.kind == "values":
            return f"x in {{{', '.join(repr(v) for v in p['values'][:12])}{', ...' if len(p['values']) > 12 else ''}}}"
        if self.kind == "dtype":
            return f"dtype {p['dtype']}"
        if self.kind == "null_fraction":
            return f"null fraction <= {p['max']:g}"
        if self.kind in ("mean", "std", "rows", "length"):
            return f"{_b(p.get('min'), '-inf')} <= {self.kind} <= {_b(p.get('max'), 'inf')}"
        if self.kind == "pattern":
            return f"matches {p['pattern']!r}"
        if self.kind == "shares":
            return f"shares within {p['tolerance']:g} of {p['shares']}"
        if self.kind == "quantiles":
            return ", ".join(f"q{q:g} in [{_b(lo, '-inf')}, {_b(hi, 'inf')}]" for q, lo, hi in p["quantiles"])
        return KINDS.get(self.kind) or DATASET_KINDS.get(self.kind, self.kind)


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
        where = self.column if self.column is not None else "dataset"
        text = f"{where}: {self.kind} failed (expected {self.check.describe()})"
        if self.failing_rows is not None:
            text += f"; {self.failing_rows} failing row{'s' if self.failing_rows != 1 else ''}"
        if self.observed:
            text += f"; observed {self.observed}"
        if self.examples:
            text += f"; e.g. {', '.join(_example(e) for e in self.examples)}"
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


def _b(value, default: str) -> str:
    if value is None:
        return default
    return f"{value:g}" if isinstance(value, float) else str(value)


def _example(value) -> str:
    if isinstance(value, tuple) and len(value) == 2:
        return f"row {value[0]}: {value[1]!r}"
    return repr(value)


def _jsonable(value):
    if isinstance(value, tuple) and len(value) == 2:
        return {"row": value[0], "value": _jsonable(value[1])}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
