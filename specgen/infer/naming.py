"""The draft's ``name``: from ``-o``'s file name, else from the first input's.

``-o churn.yaml``, ``-o churn.spec.yaml`` and ``-o churn_spec.yaml`` name the spec ``churn``; a file
called just ``spec.yaml`` says nothing, so its folder names it (``models/churn/spec.yaml`` -> ``churn``).
Every name is cut to the spec's rules (``compiler.spec.NAME_PATTERN``: snake_case, a letter first,
at most 63 characters).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["default_name", "name_from_out"]

_SPEC_WORD = re.compile(r"[._-]spec$")  # churn.spec, churn_spec, churn-spec -> churn


def default_name(path: Path) -> str:
    """A valid spec name from the first file's stem: ``Penguins-Raw.csv`` -> ``penguins_raw``."""
    plain = path.with_suffix("") if path.suffix.lower() in (".gz", ".zst") else path  # x.csv.gz -> x
    return _valid(plain.stem) or "model"


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
