"""Is a generated folder one compile's output? (The generated conftest asks before any test runs.)

Every generated file's header carries ``generation=<id>``, one id per compile.
A test run that starts while ``specgen compile`` is replacing the files one by
one would otherwise mix old tests with new fixtures and report nonsense such
as "the check cannot fail as written".
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

__all__ = ["generation_of", "mixed_generations"]

_GENERATION = re.compile(r"specgen: spec-sha256=\S+ body-sha256=[0-9a-f]{64} generation=([0-9a-f]+)")
_TEMP = re.compile(r"^\..+\.tmp$")


def generation_of(path: Path) -> str | None:
    """The id in a regular file's specgen header, else None (never opens FIFOs or devices)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.readline(4096) + handle.readline(4096)
    except OSError:
        return None
    match = _GENERATION.search(head)
    return match.group(1) if match else None


def mixed_generations(here: str | Path) -> str | None:
    """A message naming the files of ``here``'s folder from another compile than ``here``, else None."""
    here = Path(here)
    own = generation_of(here)
    if own is None:
        return None
    others = {}
    for path in sorted(here.parent.iterdir()):
        if _TEMP.match(path.name) or path.suffix != ".py":  # what pytest loads; not monitoring configs
            continue
        found = generation_of(path)
        if found is not None and found != own:
            others[path.name] = found
    if not others:
        return None
    listed = ", ".join(f"{name} ({gen})" for name, gen in others.items())
    return (f"{here.parent}: files from different compiles ({here.name} is generation {own}; {listed}); "
            "a recompile is in progress or was interrupted: wait for it, or rerun specgen compile")
