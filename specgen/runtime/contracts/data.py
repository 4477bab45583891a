"""Where a data set lives when it is not a file: a table or a query in a database (``data.training: {sql:, url:}``).

The spec names the database by a URL without a password (``duckdb://data/train.duckdb``) or by the
environment variable holding the URL (``url_env: TRAINING_DB_URL``), so secrets stay out of the spec
and out of the generated code. ``runtime.sources.location`` opens and reads it.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SqlData"]


@dataclass(frozen=True)
class SqlData:
    """``table`` or ``sql`` (exactly one) in the database at ``url`` or at the URL in ``$url_env`` (exactly one).
    A relative DuckDB path in ``url`` is relative to the directory of the file that holds this object."""

    url: str | None = None
    url_env: str | None = None
    table: str | None = None
    sql: str | None = None

    def __str__(self) -> str:
        what = f"table {self.table!r}" if self.table is not None else f"query {_short(self.sql or '')!r}"
        where = f"${self.url_env}" if self.url_env is not None else self.url
        return f"{what} in {where}"


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."
