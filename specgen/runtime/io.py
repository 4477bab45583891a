"""Read a data file into a polars (or pandas) frame, with errors a person can act on.

CSV columns the spec declares as categorical or string are read as text, so a
category named "1" stays "1"; every other type is inferred from the data, so a
numeric column turned to text is seen as text (and fails its dtype check).
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Mapping

import polars as pl

from ..errors import DataError

__all__ = ["read_polars", "read_pandas", "read_polars_check", "FORMATS", "DataError"]

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_TEXT_KINDS = ("category:str", "string")


def read_polars(path: str | Path, dtypes: Mapping[str, str] | None = None) -> pl.DataFrame:
    """``dtypes``: column -> specgen dtype kind, used only to keep text columns text."""
    path = Path(path)
    fmt = read_polars_check(path)
    try:
        if fmt == "parquet":
            return pl.read_parquet(path)
        return _read_csv(path, dtypes or {})
    except DataError:
        raise
    except PermissionError:
        raise DataError(f"{path}: permission denied [SG201]", "SG201") from None
    except FileNotFoundError:
        raise DataError(f"{path}: data file vanished while reading [SG201]", "SG201") from None
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: cannot parse {fmt} data: {first} [SG202]", "SG202") from None


def read_polars_check(path: Path) -> str:
    """The file's format (``csv``/``parquet``), or a DataError saying why it cannot be read."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(f"{path}: unsupported data format {path.suffix or '(no extension)'!r}; "
                        "use .csv or .parquet [SG202]", "SG202")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataError(f"{path}: data file not found [SG201]", "SG201") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read data file: {exc.strerror} [SG201]", "SG201") from None
    if path.is_dir():
        raise DataError(f"{path}: is a directory, expected a data file [SG201]", "SG201")
    if size == 0:
        raise DataError(f"{path}: data file is empty (0 bytes) [SG203]", "SG203")
    return fmt


def _read_csv(path: Path, dtypes: Mapping[str, str]) -> pl.DataFrame:
    raw_header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    header = _csv_header(path, raw_header)
    if not header:
        raise DataError(f"{path}: CSV has no header row [SG203]", "SG203")
    text = {raw: pl.String for raw, name in zip(raw_header, header) if dtypes.get(name) in _TEXT_KINDS}
    try:
        frame = pl.read_csv(path, schema_overrides=text, try_parse_dates=True, infer_schema_length=100_000)
    except pl.exceptions.ComputeError:
        # a value far down the file contradicts the type guessed from the top: infer from all rows
        frame = pl.read_csv(path, schema_overrides=text, try_parse_dates=True, infer_schema_length=None)
    return frame.rename(dict(zip(raw_header, header))) if header != raw_header else frame


def _csv_header(path: Path, raw_header: list[str]) -> list[str]:
    """The header as the CSV standard reads it: polars keeps doubled quotes in names."""
    if not any('"' in name for name in raw_header):
        return raw_header
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        names = next(csv.reader(handle), [])
    return names if len(names) == len(raw_header) else raw_header


def read_pandas(path: str | Path, dtypes: Mapping[str, str] | None = None):
    """The same reading rules, as a pandas DataFrame (what generated schemas validate)."""
    return read_polars(path, dtypes).to_pandas()
