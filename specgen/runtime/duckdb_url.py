"""What a DuckDB location names: the one parser the sources layer, the pushdown engines, compile and validate share.

The rule: **everything after ``duckdb://`` is the database file's path, as written.**

| location | database |
|---|---|
| ``duckdb://data/train.duckdb`` | ``data/train.duckdb``, relative (to the spec in a spec; else the working directory) |
| ``duckdb:///var/logs.duckdb`` | ``/var/logs.duckdb``, absolute |
| ``duckdb:////var/logs.duckdb`` | ``//var/logs.duckdb``, the same absolute file (SQLAlchemy's spelling of it) |
| ``duckdb://``, ``duckdb:``, ``duckdb``, ``duckdb://:memory:``, ``duckdb:///:memory:`` | in memory |
| ``train.duckdb``, ``/abs/train.duckdb`` (no scheme) | that path |

Why not SQLAlchemy's rule (``sqlite:///rel.db`` relative, ``sqlite:////abs.db`` absolute, which
duckdb_engine follows)? specgen's README, its tests and every generated file already write
``duckdb://data/train.duckdb`` for a file next to the spec and ``duckdb:///var/logs.duckdb`` for an
absolute one; SQLAlchemy's rule would read the first as host ``data`` and move the second into the
working directory. Only a SQLAlchemy-style *relative* ``duckdb:///rel.duckdb`` reads differently here
(as ``/rel.duckdb``), and the error then names the absolute path it looked for.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["SCHEME", "MEMORY", "is_duckdb", "duckdb_path", "duckdb_url", "relative_path"]

SCHEME = "duckdb://"
#: what ``duckdb_path`` returns for an in-memory database (DuckDB's own name for it)
MEMORY = ":memory:"
_MEMORY_FORMS = ("", "/", MEMORY, "/" + MEMORY)


def is_duckdb(location: str | Path) -> bool:
    """Whether ``location`` names a DuckDB database: a ``duckdb:`` URL or a ``.duckdb`` path."""
    text = str(location)
    return text.startswith("duckdb:") or "://" not in text and Path(text).suffix.lower() == ".duckdb"


def duckdb_path(location: str | Path) -> str:
    """The database file ``location`` names (see the module's table), or ``MEMORY``."""
    text = str(location)
    if text == "duckdb":
        return MEMORY
    if text.startswith(SCHEME):
        rest = text[len(SCHEME):]
    elif text.startswith("duckdb:"):
        rest = text[len("duckdb:"):]
    else:
        rest = text
    return MEMORY if rest in _MEMORY_FORMS else rest


def duckdb_url(path: str | Path) -> str:
    """The URL naming the database file ``path`` (absolute paths give ``duckdb:///...``)."""
    return SCHEME + str(path)


def relative_path(location: str | Path | None) -> str | None:
    """The relative file path a DuckDB ``location`` names, or None (absolute, in memory, or not DuckDB):
    what compile and ``bind`` rebase from the spec's or the generated file's directory."""
    if location is None or not is_duckdb(location):
        return None
    path = duckdb_path(location)
    return None if path == MEMORY or Path(path).is_absolute() else path
