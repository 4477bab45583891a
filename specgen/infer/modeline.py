"""The draft's ``# yaml-language-server: $schema=...`` modeline: only to a schema that exists.

An editor resolves the modeline relative to the spec file, so a reference to a file that is not
there gives no completion at all (and a warning in some editors). The draft points at the nearest
``spec.schema.json`` at or above its own folder, or in a ``specs/`` folder there (where this
repository and projects laid out like it keep the committed one); when there is none it carries no
modeline and says how to write one (``specgen schema > spec.schema.json``). ``--schema-ref`` is
written as given: a URL or a path the user vouches for.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

__all__ = ["SCHEMA_FILE", "find_schema"]

SCHEMA_FILE = "spec.schema.json"


def find_schema(spec_path: Path) -> str | None:
    """The nearest schema file for a spec written to ``spec_path``, relative to its folder; None if none."""
    folder = Path(os.path.abspath(spec_path)).parent
    for place in (folder, *folder.parents):
        for candidate in (place / SCHEMA_FILE, place / "specs" / SCHEMA_FILE):
            if candidate.is_file():
                return str(PurePosixPath(*Path(os.path.relpath(candidate, folder)).parts))
    return None
