"""The draft's ``name``: from ``-o``'s file name, else from the first input: a file's name, a table's, or
the tables a simple query reads (``SELECT ... FROM trips JOIN zones`` -> ``trips_zones``; any other query:
``model``, never the query's text).

``-o churn.yaml``, ``-o churn.spec.yaml`` and ``-o churn_spec.yaml`` name the spec ``churn``; a file
called just ``spec.yaml`` says nothing, so its folder names it (``models/churn/spec.yaml`` -> ``churn``).
Every name is cut to the spec's rules (``compiler.spec.NAME_PATTERN``: snake_case, a letter first,
at most 63 characters).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["default_name", "name_from_out", "input_name", "table_name"]

_SPEC_WORD = re.compile(r"[._-]spec$")  # churn.spec, churn_spec, churn-spec -> churn


#: the name of a draft whose data names nothing (a query that is not simple, a file called ``.csv``)
NEUTRAL = "model"


def default_name(path: Path) -> str:
    """A valid spec name from the first file's stem: ``Penguins-Raw.csv`` -> ``penguins_raw``."""
    return _file_name(path) or NEUTRAL


def input_name(data: str, engine: str) -> str:
    """The name the first input (``data``, read by ``engine`` as ``pushdown.open.engine_name`` names it) implies."""
    return table_name(data, engine) or default_name(Path(data))


def table_name(data: str, engine: str) -> str | None:
    """The name a table or query ``data`` implies (``analytics.trips`` -> ``trips``; a query: the tables it
    reads, or ``model`` when it is not simple, ``infer.query_tables``); None when ``data`` is files."""
    from .db_source import read_as
    from .query_tables import query_tables

    what = read_as(data, engine) if engine != "polars" else None
    if what is None:
        return None
    if "table" in what:
        return _valid(what["table"].split(".")[-1]) or NEUTRAL
    names = [_file_name(Path(name)) if is_file else _valid(name) for name, is_file in query_tables(what["sql"]) or ()]
    return _valid("_".join(names)) if names and all(names) else NEUTRAL


def _file_name(path: Path) -> str | None:
    plain = path.with_suffix("") if path.suffix.lower() in (".gz", ".zst") else path  # x.csv.gz -> x
    return _valid(plain.stem)


def name_from_out(spec_path: Path) -> str | None:
    """The name ``-o`` implies, or None when neither the file nor its folder names anything."""
    stem = _SPEC_WORD.sub("", spec_path.stem.lower())
    if stem and stem != "spec":
        return _valid(stem)
    return _valid(Path(os.path.abspath(spec_path)).parent.name)


def _valid(text: str) -> str | None:
    """``text`` as a spec name (lower case, runs of other characters -> ``_``, a letter first); None if empty."""
    stem = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
    if not stem:
        return None
    return (stem if stem[0].isalpha() else f"m_{stem}")[:63]
