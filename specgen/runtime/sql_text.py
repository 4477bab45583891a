"""How a DATA argument (or a source's text) is read: a query, data files, or a table name.

One rule for the pushdown engines (``pushdown.sql``), ``validate --html`` (``own_data``) and infer's drafts
(``infer.db_source``), which each had their own copy.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["is_query", "names_files"]

# ``TABLE name`` is a statement; a table called ``table`` is a name
_QUERY = re.compile(r"(?is)^\s*(select|with|from|values)\b|^\s*table\s+\S")


def is_query(text: str) -> bool:
    """A ``SELECT``/``WITH``/``FROM``/``VALUES``/``TABLE name`` statement, used as written."""
    return bool(_QUERY.match(text))


def names_files(text: str) -> bool:
    """Text DuckDB reads as data files: it has a suffix, a folder or a wildcard."""
    return bool(Path(text).suffix) or any(ch in text for ch in "*?[/")
