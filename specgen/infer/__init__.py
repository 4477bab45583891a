"""``specgen infer``: draft a spec (and a monitoring baseline) from data.

scan (streaming statistics) -> decide (margin policy per column) -> emit (text).
Nothing here writes files; ``specgen.api.infer_spec`` does, atomically.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Sequence

from ..compiler.spec import NAME_PATTERN
from ..errors import DataError, SpecgenError
from .db_source import db_training
from .decide import decide
from .emit import SpecDraft, render_spec
from .modeline import find_schema
from .naming import default_name, name_from_out, table_name
from .read import shown_names
from .scan import Table, resolve_inputs, scan

__all__ = ["infer", "Inferred", "DEFAULT_THRESHOLD", "baseline_path", "default_name"]

DEFAULT_THRESHOLD = 20


@dataclass(frozen=True)
class Inferred:
    name: str
    spec_text: str
    table: Table


def baseline_path(spec_path: Path, name: str) -> Path:
    """``<name>_baseline.json`` next to the spec: the file ``specgen baseline`` writes."""
    return spec_path.with_name(f"{name}_baseline.json")


def infer(data: Sequence[str], spec_path: Path, *, label: str | None = None, key: Sequence[str] = (),
          name: str | None = None, category_threshold: int = DEFAULT_THRESHOLD, sample: int | None = None,
          seed: int = 0, schema_ref: str | None = None, progress=None, query=None, engine: str = "polars",
          source: str | None = None) -> Inferred:
    """``progress``: an optional ``progress.Progress`` (the CLI's terminal-only bar; see ``terminal_progress``).
    ``query``: a ``runtime.pushdown`` source over ``data[0]`` (``--engine spark|duckdb``, ``--source``): the
    statistics are computed there (``pushdown_scan``) instead of by reading the files here; ``engine`` (as
    ``pushdown.open.engine_name`` names it) and ``source`` (its URL) say where a table or query lives, for
    the draft's ``data.training`` (``db_source``).
    ``schema_ref``: the modeline's schema as given; None: the nearest that exists (``modeline.find_schema``)."""
    if name is not None and not re.match(NAME_PATTERN, name):
        raise SpecgenError(f"--name {name!r} is not a valid spec name: use snake_case, a letter first, "
                           "at most 63 characters [SG106]", "SG106")
    if query is None:
        paths = resolve_inputs(data)
        table = scan(paths, sample=sample, seed=seed, threshold=category_threshold, progress=progress)
    else:
        from .pushdown_scan import scan_query

        paths = [Path(data[0])]
        table = scan_query(query, str(data[0]), category_threshold, seed)
    names = [c.name for c in table.columns]
    for role, column in [("--label", label)] + [("--key", k) for k in key]:
        if column is not None and column not in names:
            raise DataError(f"{role} {column!r} is not a column of the data; columns: {', '.join(names)} [SG205]",
                            "SG205")
    roles = {c: "feature" for c in names} | {k: "key" for k in key} | ({label: "label"} if label else {})
    if "feature" not in roles.values():
        raise DataError("no feature columns left after --label and --key [SG205]", "SG205")
    columns = tuple(decide(c, roles[c.name], category_threshold) for c in table.columns)
    spec_dir = spec_path.parent
    first = Path(data[0]) if Path(data[0]).is_dir() else Path(shown_names(paths)[0].replace("<stdin>", "stdin"))
    name = name or name_from_out(spec_path) or (table_name(str(data[0]), engine) if query is not None else None) \
        or default_name(first)
    database = db_training(str(data[0]), engine, source, spec_dir) if query is not None else None
    draft = SpecDraft(
        name=name,
        schema_ref=schema_ref if schema_ref is not None else find_schema(spec_path),
        files=tuple(p if p == "<stdin>" or not Path(p).exists() else _relative(Path(p), spec_dir)
                    for p in shown_names(paths)),
        training=_training(data, spec_dir) if query is None or Path(data[0]).exists() else str(data[0]),
        training_source=database.value if database else None,
        training_comments=database.comments if database else (),
        rows=table.rows,
        source_rows=table.source_rows,
        seed=seed,
        label=label,
        key=tuple(key),
        key_candidates=tuple(c.name for c in table.columns if c.unique),
        baseline_file=baseline_path(spec_path, name).name,
        sampled=table.rows < table.source_rows,
        columns=columns,
    )
    return Inferred(name, render_spec(draft), table)


def _training(data: Sequence[str], base: Path) -> str:
    """data.training for one input argument: as given (relative to the spec; a directory ends in /,
    standard input stays ``-``); for several arguments, empty (the first file is used)."""
    if len(data) != 1:
        return ""
    if data[0] == "-":
        return "-"
    return _relative(Path(data[0]), base) + ("/" if Path(data[0]).is_dir() else "")


def _relative(path: Path, base: Path) -> str:
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    return str(PurePosixPath(*Path(rel).parts))
