"""``data.training`` for a draft inferred from a database (``infer --source URL TABLE_OR_QUERY``,
``--engine duckdb|spark``): ``{sql: ...}`` or ``{table: ...}`` with where the database is, never a path.

The URL goes into the draft only when it holds no password (the spec is committed; ``data_source``
refuses a password there); otherwise the draft names an environment variable (``url_env``) and a
comment says what to export, with the password masked. A DuckDB file given relative to the working
directory is rewritten relative to the spec, as the spec reads it (``runtime.duckdb_url``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from ..runtime.duckdb_url import MEMORY, duckdb_path, duckdb_url, is_duckdb
from ..runtime.sql_text import is_query, names_files

__all__ = ["DbTraining", "db_training", "read_as", "URL_ENV"]

#: the variable a draft names when the URL holds a password (the README's example name)
URL_ENV = "TRAINING_DB_URL"
_SPARK_TABLE = "table:"


@dataclass(frozen=True)
class DbTraining:
    value: dict  # sql|table, then url|url_env: the flow mapping written as data.training
    comments: tuple[str, ...] = ()  # lines above data.training: what to export, how paths are read


def db_training(data: str, engine: str, source: str | None, spec_dir: Path) -> DbTraining | None:
    """What ``data.training`` says for ``data`` read by ``engine`` (``sql`` with ``source``, ``duckdb``,
    ``spark``), or None when ``data`` is a file path or glob (drafted as a path, as without an engine)."""
    what = read_as(data, engine)
    if what is None:
        return None
    if engine == "spark":  # a catalog table: the spec reads only DuckDB and PostgreSQL
        return DbTraining({**what, "url_env": URL_ENV}, (
            f"Spark read {data} from its catalog; a spec reads its data from DuckDB or PostgreSQL:",
            f"export {URL_ENV}=postgresql://USER:PASSWORD@HOST:5432/DB (or duckdb://PATH) holding it."))
    url = source or "duckdb://"
    if is_duckdb(url):
        return _duckdb(what, url, spec_dir)
    if _has_password(url):
        from ..runtime.sources import redact

        return DbTraining({**what, "url_env": URL_ENV}, (
            f"The URL holds a password, kept out of the spec: export {URL_ENV}='{redact(url)}'",
            "with the password in place of *** before validate, baseline or the generated tests run."))
    return DbTraining({**what, "url": url})


def read_as(data: str, engine: str) -> dict | None:
    """``{"sql": QUERY}`` or ``{"table": NAME}``: how ``engine`` reads ``data``; None: as files (a path or glob)."""
    text = data.strip()
    if engine == "spark":
        return {"table": text[len(_SPARK_TABLE):]} if text.startswith(_SPARK_TABLE) else None
    if is_query(text):
        return {"sql": text}
    if Path(text).exists() or engine == "duckdb" and names_files(text):
        return None  # DuckDB reads a path or glob as files (runtime.pushdown.sql._from)
    return {"table": text}


def _duckdb(what: dict, url: str, spec_dir: Path) -> DbTraining:
    path = duckdb_path(url)
    if path == MEMORY:
        return DbTraining({**what, "url": duckdb_url(MEMORY)}, (
            "An in-memory DuckDB: file paths in the query are read from the working directory of the",
            "command that runs it (use absolute paths, or put the data in a .duckdb file)."))
    if not Path(path).is_absolute():  # relative to where infer ran; the spec reads it relative to itself
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(spec_dir))
        path = str(PurePosixPath(*Path(rel).parts))
    return DbTraining({**what, "url": duckdb_url(path)})


def _has_password(url: str) -> bool:
    try:
        return urlsplit(url).password is not None
    except ValueError:
        return True  # not a URL we can read: never copy it into the spec
