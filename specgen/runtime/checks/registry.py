"""The registry of check kinds: every module in ``kinds/`` that defines ``KIND``.

Modules are discovered, not listed, so a new kind is one new file. ``order``
fixes the plan order (and so the order of generated checks and tests).
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from . import kinds as _package
from .base import Kind

__all__ = ["all_kinds", "column_kinds", "dataset_kinds", "get", "kind_of_pandera_check", "pandas_functions",
           "mutation", "per_chunk_kinds"]


@lru_cache(maxsize=1)
def all_kinds() -> tuple[Kind, ...]:
    found = []
    for info in pkgutil.iter_modules(_package.__path__):
        module = importlib.import_module(f"{_package.__name__}.{info.name}")
        if hasattr(module, "KIND"):
            found.append(module.KIND)
    found.sort(key=lambda k: (k.order, k.name))
    names = [k.name for k in found]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two check kinds share a name: {names}")
    return tuple(found)


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Kind]:
    return {k.name: k for k in all_kinds()}


@lru_cache(maxsize=1)
def _by_pandera_name() -> dict[str, Kind]:
    return {name: k for k in all_kinds() for name in k.pandera_names}


def get(name: str) -> Kind:
    try:
        return _by_name()[name]
    except KeyError:
        raise RuntimeError(f"unknown check kind {name!r}") from None  # a bug, not bad data


def column_kinds() -> tuple[Kind, ...]:
    return tuple(k for k in all_kinds() if k.level == "column")


def dataset_kinds() -> tuple[Kind, ...]:
    return tuple(k for k in all_kinds() if k.level == "dataset")


def per_chunk_kinds() -> tuple[str, ...]:
    """Kinds ``specgen monitor`` can run chunk by chunk (their failures add up)."""
    return tuple(k.name for k in all_kinds() if k.per_chunk)


def kind_of_pandera_check(check: str) -> Kind | None:
    """``'less_than_or_equal_to(200)'`` -> the ``range`` kind; None for a name no kind reports."""
    return _by_pandera_name().get(str(check).split("(", 1)[0])


def pandas_functions() -> dict[str, object]:
    """Every runtime function a generated schema may call, by name."""
    out: dict[str, object] = {}
    for k in all_kinds():
        for name, function in k.pandas_functions.items():
            if name in out:
                raise RuntimeError(f"two check kinds define pandas_checks.{name}")
            out[name] = function
    return out


def mutation(name: str):
    """The function behind a kind's own negative-case mutation, or None."""
    return next((k.mutations[name] for k in all_kinds() if name in k.mutations), None)
