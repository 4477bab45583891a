"""pandera schema modules for the backends beyond pandas (``backends: [pandas, polars, pyspark]``).

The pandas module (``schema.py.jinja``, planned in ``plan.py``) is always generated: the data tests
use it. For polars and pyspark this module plans one ``DataFrameModel`` per environment from the
same checks, in three parts:

- the column's dtype for that library (``Backend.dtypes``, by value type);
- pandera's own checks where the backend has them (``Backend.builtins``: the ``pa.Field`` keywords a
  check kind's ``field_args`` produce, ``Backend.config``: ``Config`` settings from ``schema_config``);
- every other check: on polars a check method calling ``specgen.runtime.polars_checks.holds`` (the
  polars expressions ``specgen validate`` runs); on pyspark a gap, listed in the module with its
  reason (the kind's ``backend_gaps``, else ``_NO_STATISTICS``) and in ``GAPS`` so tests can assert it.

Column names reach the templates as data (through the ``py`` filter) and comments only hold check
kind names and the fixed reasons below.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..runtime.checks import DATASET, Check
from ..runtime.checks.registry import get

__all__ = ["BACKEND_FILES", "BackendModule", "backend_modules"]

#: backend -> (output file pattern, template)
BACKEND_FILES = {
    "polars": ("{name}_schema_polars.py", "schema_polars.py.jinja"),
    "pyspark": ("{name}_schema_pyspark.py", "schema_pyspark.py.jinja"),
}

_NO_STATISTICS = ("pandera.pyspark has no such built-in check, and specgen's own checks are registered for "
                  "pandas only")


@dataclass(frozen=True)
class Backend:
    name: str
    dtypes: dict[str, tuple[str, bool]]  # value type -> (column annotation, coerce to it)
    builtins: frozenset[str]  # pa.Field keywords with a native check
    config: frozenset[str]  # Config settings with a native meaning
    custom: bool  # other checks run as check methods calling specgen.runtime.<backend>_checks; else gaps


POLARS = Backend(
    "polars",
    # Nothing is coerced: polars casts 4000.5 to 4000 without an error, and pandera.polars 0.35 crashes
    # (ColumnNotFoundError) coercing a column that is missing instead of reporting it. So a float column
    # must arrive as a float (polars reads a CSV column of whole numbers as Int64: cast it first).
    {"float": ("pl.Float64", False), "int": ("pl.Int64", False), "category:int": ("pl.Int64", False),
     "bool": ("pl.Boolean", False), "datetime": ("pl.Datetime", False), "string": ("pl.String", False),
     "category:str": ("pl.String", False)},
    frozenset({"ge", "le", "isin", "unique", "str_length"}), frozenset({"strict", "unique"}), custom=True)

PYSPARK = Backend(
    "pyspark",
    # nothing is coerced: Spark casts "12 mm" to a null double without an error
    {"float": ("T.DoubleType()", False), "int": ("T.LongType()", False), "category:int": ("T.LongType()", False),
     "bool": ("T.BooleanType()", False), "datetime": ("T.TimestampType()", False),
     "string": ("T.StringType()", False), "category:str": ("T.StringType()", False)},
    frozenset({"ge", "le", "isin", "str_length"}), frozenset({"strict"}), custom=False)

_BACKENDS = {b.name: b for b in (POLARS, PYSPARK)}


@dataclass(frozen=True)
class BackendColumn:
    name: str
    attr: str
    annotation: str  # a fixed type name from ``Backend.dtypes``, never data
    field_args: tuple[tuple[str, Any], ...]

    @property
    def needs_alias(self) -> bool:
        return self.attr != self.name


@dataclass(frozen=True)
class BackendMethod:
    """A check method calling ``<backend>_checks.holds(data, kind, column, params)``."""

    name: str  # the method's name on the class
    column: str | None  # ``@pa.check`` column; None: ``@pa.dataframe_check``
    check_name: str  # what pandera reports failures under (maps back to the kind)
    kind: str
    params: dict


@dataclass(frozen=True)
class Gap:
    """A check the backend's schema does not make."""

    environment: str
    target: str  # the column, or what a dataset check is about
    kind: str
    reason: str


@dataclass(frozen=True)
class BackendClass:
    class_name: str
    env: str
    columns: tuple[BackendColumn, ...]
    methods: tuple[BackendMethod, ...]
    strict: bool
    unique: tuple[str, ...]
    gaps: tuple[Gap, ...]

    @property
    def has_unique(self) -> bool:
        return bool(self.unique)

    @property
    def column_methods(self) -> tuple[BackendMethod, ...]:
        return tuple(m for m in self.methods if m.column is not None)

    @property
    def frame_methods(self) -> tuple[BackendMethod, ...]:
        return tuple(m for m in self.methods if m.column is None)


@dataclass(frozen=True)
class BackendModule:
    backend: str
    file: str
    template: str
    classes: tuple[BackendClass, ...]

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(g for c in self.classes for g in c.gaps)

    @property
    def gap_kinds(self) -> list[tuple[str, str]]:
        """(kind, reason) of every kind with a gap, for the module's comment (no column names)."""
        return sorted({(g.kind, g.reason) for g in self.gaps})

    @property
    def needs_datetime(self) -> bool:
        values = [v for c in self.classes for col in c.columns for _k, v in col.field_args]
        values += [v for c in self.classes for m in c.methods for v in m.params.values()]
        return any(isinstance(v, dt.datetime) for v in values)



def backend_modules(plan) -> tuple[BackendModule, ...]:
    """One module per backend the spec lists beyond pandas (``plan.backends``)."""
    out = []
    for name in plan.backends:
        if name not in _BACKENDS:
            continue  # pandas: schema.py.jinja
        backend, (pattern, template) = _BACKENDS[name], BACKEND_FILES[name]
        classes = tuple(_class(plan, backend, env) for env in ("serving", "training"))
        out.append(BackendModule(name, pattern.format(name=plan.name), template, classes))
    return tuple(out)


def _class(plan, backend: Backend, env: str) -> BackendClass:
    methods: list[BackendMethod] = []
    gaps: list[Gap] = []
    columns = _columns(plan, backend, env, methods, gaps)
    config = _config(plan, backend, env, methods, gaps)
    return BackendClass(f"{env.capitalize()}Schema", env, columns, tuple(methods),
                        bool(config.get("strict", False)), tuple(config.get("unique", ())), tuple(gaps))


def _columns(plan, backend: Backend, env: str, methods: list, gaps: list) -> tuple[BackendColumn, ...]:
    """Each column with its dtype and native checks; its other checks go to ``methods`` or ``gaps``."""
    columns = []
    for col in plan.columns_in(env):
        annotation, coerce = backend.dtypes[col.value_type]
        args = [("nullable", col.nullable)] + ([("coerce", True)] if coerce else [])
        for check in col.checks:
            native = [(k, v) for k, v in get(check.kind).field_args(check) if k != "coerce"]
            if all(k in backend.builtins for k, _v in native):
                args += native
            else:
                _custom(backend, check, f"_{col.attr}__{check.kind}", env, methods, gaps)
        columns.append(BackendColumn(col.name, col.attr, annotation, tuple(args)))
    return tuple(columns)


def _config(plan, backend: Backend, env: str, methods: list, gaps: list) -> dict[str, Any]:
    """Native ``Config`` settings of the dataset checks; the others go to ``methods`` or ``gaps``."""
    names = {c.name for c in plan.columns_in(env)}
    config: dict[str, Any] = {}
    for kind, checks in plan.dataset_checks_by_kind(env).items():
        settings = dict(get(kind).schema_config(checks, names))
        if settings and all(k in backend.config for k in settings):
            config.update(settings)
        else:
            for i, check in enumerate(checks):
                _custom(backend, check, f"_{kind}_{i}", env, methods, gaps)
    return config


def _custom(backend: Backend, check: Check, method: str, env: str, methods: list, gaps: list) -> None:
    """A check without a native form: a method calling the runtime, or a gap."""
    kind = get(check.kind)
    if not backend.custom:
        gaps.append(Gap(env, check.target, check.kind, kind.backend_gaps.get(backend.name, _NO_STATISTICS)))
        return
    check_name = kind.pandera_names[0]
    if check.column is None and check.target != DATASET:  # a relation: its name says which (pandera_target)
        check_name = f"{check_name}({check.target})"
    methods.append(BackendMethod(method, check.column, check_name, check.kind, _plain(check.params)))


def _plain(params: dict) -> dict:
    """Parameters as literals the ``py`` filter prints (tuples as lists)."""
    return {k: [list(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, list) else value
            for k, value in params.items()}
