"""A CSV file's column types as polars infers them with ``try_parse_dates``, without paying for it per value.

polars tries every date, time and datetime pattern on every text field it infers a type from: on
the first 100,000 rows of a table with one datetime column that took ~7 s of a 7.5 s read (and
~1.5 s for a text column like "red"/"blue" that holds no date at all). The answer is the same
when it is worked out like this:

1. infer without dates (fast): only a column inferred as text can become a date, time or datetime;
2. a text column whose first ``DATE_SAMPLE`` values do not all start with a digit stays text (every
   polars date and time pattern starts with one; one such value makes the column text), unless the
   spec declares it a datetime (``dtypes``): those are always looked at;
3. polars' own rule, per value, on one value of each *shape* (the value with every digit written 0):
   the column is a date, time or datetime only if every shape is that same type (a date and a
   datetime, or a date and a number, make text: polars' rule for mixed types). Values of one shape
   differ only in digits, so the same pattern reads them; whether every one is a real date (not
   2024-13-45) is checked by parsing them all at once (``str.to_date``/``to_datetime``/``to_time``);
4. when that check fails, or a column has more than ``MAX_SHAPES`` shapes, polars infers the column
   itself, from those values alone (slow, exact).

The result is pinned as the reader's schema, so polars does not infer again while reading.
"""
from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import polars as pl

__all__ = ["infer_schema", "DATE_SAMPLE", "MAX_SHAPES"]

DATE_SAMPLE = 1_000  # rows looked at to decide which text columns may hold dates
MAX_SHAPES = 64  # more distinct shapes than this: polars infers the column itself
_DIGITS = list("123456789")  # written 0 (a literal replacement: a regex is ~3x slower)
_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"  # polars reads such a field as a number


def infer_schema(source: str | Sequence[str], infer_rows: int | None, overrides: Mapping[str, pl.DataType],
                 declared: Sequence[str] = ()) -> pl.Schema:
    """polars' schema of ``source`` with ``try_parse_dates=True``, inferred from ``infer_rows`` rows (None:
    all). ``overrides``: columns read with a fixed type; ``declared``: columns the spec declares datetimes."""
    plain = pl.scan_csv(source, infer_schema_length=infer_rows, schema_overrides=dict(overrides),
                        try_parse_dates=False)
    schema = plain.collect_schema()
    pinned = pl.scan_csv(source, schema=schema, try_parse_dates=False)  # a lazy scan would infer again per query
    candidates = _candidates(pinned, schema, overrides, declared)
    if not candidates:
        return schema
    values = _head(source, schema, candidates, infer_rows)
    found = {name: _temporal(values.get_column(name).drop_nulls()) for name in candidates}
    return pl.Schema({name: found.get(name) or dtype for name, dtype in schema.items()})


def _candidates(plain: pl.LazyFrame, schema: pl.Schema, overrides, declared) -> list[str]:
    text = [name for name, dtype in schema.items() if dtype == pl.String and name not in overrides]
    if not text:
        return []
    looks = plain.head(DATE_SAMPLE).select(pl.col(c).drop_nulls().str.contains(r"^\s*[-+]?\d").all() for c in text)
    return [name for name, maybe in zip(text, looks.collect().row(0)) if maybe or name in declared]


def _head(source, schema: pl.Schema, columns: list[str], infer_rows: int | None) -> pl.DataFrame:
    """The values polars infers from: the first ``infer_rows`` rows of each file, as text."""
    names = [source] if isinstance(source, str) else list(source)
    frames = []
    for name in names:
        rows = pl.scan_csv(name, schema=schema, try_parse_dates=False).select(columns)
        frames.append((rows if infer_rows is None else rows.head(infer_rows)).collect())
    return pl.concat(frames)


def _temporal(values: pl.Series) -> pl.DataType | None:
    """The column's date/time/datetime type, or None when polars would keep it text."""
    if values.is_empty():
        return None
    firsts = values.gather(values.str.replace_many(_DIGITS, ["0"] * len(_DIGITS)).arg_unique())
    if firsts.len() > MAX_SHAPES:
        return _polars_infers(values)
    kinds = set(_each_inferred(firsts))
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if not kind.is_temporal():
        return None
    if values.str.contains(_NUMBER).any() or not _all_parse(values, kind):
        return _polars_infers(values)  # an invalid date (2024-13-45), or a mix only polars can tell apart
    return kind


def _each_inferred(values: pl.Series) -> list[pl.DataType]:
    """polars' type of each value on its own (one column per value: per-value inference, no merging)."""
    row = pl.DataFrame({f"v{i}": [v] for i, v in enumerate(values.to_list())})
    buffer = io.BytesIO()
    row.write_csv(buffer)
    buffer.seek(0)
    return list(pl.scan_csv(buffer, try_parse_dates=True).collect_schema().values())


def _all_parse(values: pl.Series, kind: pl.DataType) -> bool:
    if kind == pl.Date:
        parsed = values.str.to_date(strict=False)
    elif kind == pl.Time:
        parsed = values.str.to_time(strict=False)
    else:
        parsed = values.str.to_datetime(time_unit="us", strict=False)
        if parsed.dtype != kind:
            return False
    return parsed.null_count() == 0


def _polars_infers(values: pl.Series) -> pl.DataType | None:
    buffer = io.BytesIO()
    values.to_frame().write_csv(buffer)
    buffer.seek(0)
    kind = pl.scan_csv(buffer, infer_schema_length=None, try_parse_dates=True).collect_schema()[values.name]
    return kind if kind.is_temporal() else None
