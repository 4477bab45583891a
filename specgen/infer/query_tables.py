"""The tables a simple SQL query reads, for naming a draft inferred from it (``infer.naming``).

Simple: every source in the query's ``FROM``/``JOIN`` clauses (and a ``TABLE name`` statement) is a
table name (``trips``, ``analytics.trips``, ``"Trip Data"``) or, for DuckDB, a quoted file
(``'trips.parquet'``). A ``WITH``, a ``VALUES``, a subquery or a table function (``read_csv(...)``) is
not simple: what it reads is not a name worth giving the spec. This is a tokenizer, not a parser:
strings and comments are skipped, so a ``from`` inside them never counts, and ``FROM`` inside
parentheses (``EXTRACT(year FROM ts)``) is not a table's.
"""
from __future__ import annotations

from ..runtime.sql_text import sql_tokens

__all__ = ["query_tables"]


class _NotSimple(Exception):
    pass


def query_tables(sql: str) -> tuple[tuple[str, bool], ...] | None:
    """What ``sql`` reads, in order of first mention: (a table's name, the last part of a dotted one, False)
    or (a quoted file as written, True); None when the query is not simple (see the module's docstring)
    or reads nothing."""
    tokens = [(kind, text) for kind, text, _ in sql_tokens(sql)]
    words = [text.lower() if kind == "word" else None for kind, text in tokens]
    if not tokens or words[0] in ("with", "values"):
        return None
    found: list[tuple[str, bool]] = []
    try:
        if words[0] == "table":
            _sources(tokens, 1, found, chained=False)
        depth = 0
        for i, (_kind, text) in enumerate(tokens):
            depth += (text == "(") - (text == ")")
            if depth > 0 and (words[i] == "select" or words[i] == "from" and tokens[i - 1][1] == "("):
                raise _NotSimple  # a subquery
            after_distinct = i > 0 and words[i - 1] == "distinct"  # IS DISTINCT FROM x: x is a value
            if depth == 0 and (words[i] == "join" or words[i] == "from" and not after_distinct):
                _sources(tokens, i + 1, found, chained=words[i] == "from")
    except _NotSimple:
        return None
    return tuple(dict.fromkeys(found)) or None


def _sources(tokens, at: int, found: list, chained: bool) -> None:
    """The source at ``tokens[at]`` into ``found``, and (``chained``: a FROM list) the ones after commas."""
    while True:
        source, at = _source(tokens, at)
        found.append(source)
        if at < len(tokens) and tokens[at][0] == "word" and tokens[at][1].lower() == "as":
            at += 2
        elif at < len(tokens) and tokens[at][0] in ("word", "quoted"):
            at += 1  # an alias (or the next clause's keyword: then no comma follows)
        if not chained or at >= len(tokens) or tokens[at][1] != ",":
            return
        at += 1


def _source(tokens, at: int) -> tuple[tuple[str, bool], int]:
    if at >= len(tokens):
        raise _NotSimple
    kind, text = tokens[at]
    if kind == "string":
        return (text[1:-1].replace("''", "'"), True), at + 1
    if kind not in ("word", "quoted"):
        raise _NotSimple  # a subquery, or something this reading does not know
    parts = [_unquoted(kind, text)]
    at += 1
    while at + 1 < len(tokens) and tokens[at][1] == "." and tokens[at + 1][0] in ("word", "quoted"):
        parts.append(_unquoted(*tokens[at + 1]))
        at += 2
    if at < len(tokens) and tokens[at][1] == "(":
        raise _NotSimple  # a table function
    return (parts[-1], False), at


def _unquoted(kind: str, text: str) -> str:
    return text[1:-1].replace('""', '"') if kind == "quoted" else text
