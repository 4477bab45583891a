"""How a DATA argument (or a source's text) is read: a query, data files, or a table name.

One rule for the pushdown engines (``pushdown.sql``), ``validate --html`` (``own_data``) and infer's drafts
(``infer.db_source``), which each had their own copy; and one reading of a query's tokens (``sql_tokens``:
quotes and comments as SQL reads them) for the sources' ``SqlText`` and infer's ``query_tables``.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["is_query", "names_files", "sql_tokens"]

# ``TABLE name`` is a statement; a table called ``table`` is a name
_QUERY = re.compile(r"(?is)^\s*(select|with|from|values)\b|^\s*table\s+\S")


_TOKEN = re.compile(r"""
    (?P<skip>\s+|--[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<word>[A-Za-z_][\w$]*)
  | (?P<other>.)
""", re.S | re.X)


def sql_tokens(sql: str) -> list[tuple[str, str, int]]:
    """(kind, text, end) of each token of ``sql`` outside whitespace and comments: ``string`` ('...' with
    ''), ``quoted`` ("..."), ``word`` or ``other`` (one character). A tokenizer, not a parser: a ``;`` or
    ``from`` inside a string or a comment is no token of its own."""
    return [(m.lastgroup, m.group(), m.end()) for m in _TOKEN.finditer(sql) if m.lastgroup != "skip"]


def is_query(text: str) -> bool:
    """A ``SELECT``/``WITH``/``FROM``/``VALUES``/``TABLE name`` statement, used as written."""
    return bool(_QUERY.match(text))


#: suffixes of the files DuckDB reads (a compressed file ends in its codec's); any other dot is a
#: ``schema.table`` name unless such a file exists
DATA_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".parquet", ".pq", ".json", ".jsonl", ".ndjson", ".gz",
                           ".zst", ".arrow", ".feather", ".ipc", ".xlsx"})


def names_files(text: str) -> bool:
    """Text DuckDB reads as data files: a folder, a wildcard, a data file's suffix or an existing file
    (``main.sales`` is a schema-qualified table)."""
    return (any(ch in text for ch in "*?[/\\") or Path(text).suffix.lower() in DATA_SUFFIXES
            or bool(Path(text).suffix) and Path(text).exists())
