"""Where the generated files find the data: a path relative to them, or a table/query in a database.

``data.training`` (``serving``, ``evaluation``) is a path relative to the spec; the generated tests
live elsewhere, so a path is rewritten relative to the output directory. A database location
(``spec.SqlSource``) becomes the runtime's ``SqlData``; a relative DuckDB file in its URL is rewritten
the same way. Nothing is opened here: compile never connects to a database.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..runtime.contracts.data import SqlData
from ..runtime.duckdb_url import duckdb_url, relative_path
from .spec import SqlSource

__all__ = ["data_location"]


def data_location(value: str | SqlSource | None, spec_dir: Path,
                  relative: Callable[[Path], str]) -> str | SqlData | None:
    """``value`` as the generated files name it; ``relative(path)``: a path relative to the output directory."""
    if value is None:
        return None
    if not isinstance(value, SqlSource):
        return relative(spec_dir / value)
    return SqlData(url=_url(value.url, spec_dir, relative), url_env=value.url_env, table=value.table, sql=value.sql)


def _url(url: str | None, spec_dir: Path, relative: Callable[[Path], str]) -> str | None:
    """A DuckDB file relative to the spec, as a path relative to the output directory (others as written)."""
    path = relative_path(url)
    return url if path is None else duckdb_url(relative(spec_dir / path))
