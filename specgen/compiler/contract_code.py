"""Contracts (``specgen.runtime.contracts``) as generated code: constructor arguments and imports.

The generated tests build the runtime's contract objects readably: the template
(``_contract.py.jinja``) writes one ``name=value`` per line from ``arguments``,
a mapping of several entries one entry per line; nested contracts render inline
through the ``py`` filter (``render.py_literal``); the names to import come
from ``class_names``.
"""
from __future__ import annotations

import dataclasses

__all__ = ["Argument", "arguments", "fields", "class_names", "is_contract"]


@dataclasses.dataclass(frozen=True)
class Argument:
    """One keyword argument of a contract's constructor; ``entries``: a mapping's items, one per line."""

    name: str
    value: object
    entries: tuple | None


_PACKAGE = "specgen.runtime.contracts"


def is_contract(value) -> bool:
    """An instance of a contract class (anything else has no name the generated code imports)."""
    is_instance = dataclasses.is_dataclass(value) and not isinstance(value, type)
    return is_instance and type(value).__module__.startswith(_PACKAGE)


def fields(contract) -> tuple[tuple[str, object], ...]:
    """(field name, value) for every field, in declaration order: every default shows."""
    return tuple((f.name, getattr(contract, f.name)) for f in dataclasses.fields(contract))


def arguments(contract) -> tuple[Argument, ...]:
    """The constructor arguments of a top-level contract, as the template lays them out."""
    return tuple(Argument(name, value, tuple(value.items()) if isinstance(value, dict) and len(value) > 1 else None)
                 for name, value in fields(contract))


def class_names(*values) -> str:
    """``A, B, C``: the contract classes ``values`` contain (at any depth), sorted, to import."""
    found: set[str] = set()
    for value in values:
        _collect(value, found)
    return ", ".join(sorted(found))


def _collect(value, found: set[str]) -> None:
    if is_contract(value):
        found.add(type(value).__name__)
        for _, item in fields(value):
            _collect(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)
