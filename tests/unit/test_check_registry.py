"""The check registry: every kind is one module, found by discovery, and no other module branches on kinds."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from specgen.runtime import pandas_checks
from specgen.runtime.checks import Check, registry
from tests.helpers import ROOT

KINDS = ("present", "dtype", "timezone", "not_null", "null_fraction", "range", "values", "unique", "pattern",
         "length", "monotonic", "freshness", "mean", "std", "quantiles", "shares", "rows", "key_unique", "relation", "extra_columns")

#: modules that must iterate over the registry instead of naming check kinds
ITERATE = ["specgen/compiler/plan.py", "specgen/compiler/negatives.py", "specgen/runtime/engine.py",
           "specgen/runtime/testing.py", "specgen/runtime/pandas_checks.py", "templates/schema.py.jinja",
           "templates/test_data.py.jinja", "specgen/runtime/monitor.py", "specgen/compiler/backends.py",
           "specgen/runtime/polars_checks.py", "templates/schema_polars.py.jinja", "templates/schema_pyspark.py.jinja",
           "specgen/runtime/pushdown/query.py", "specgen/runtime/pushdown/spark.py", "specgen/runtime/pushdown/sql.py",
           "specgen/runtime/pushdown/monitor.py", "specgen/runtime/pushdown/reference.py"]


def test_every_kind_module_is_discovered_in_plan_order():
    assert tuple(k.name for k in registry.all_kinds()) == KINDS
    modules = {p.stem for p in (ROOT / "specgen/runtime/checks/kinds").glob("*.py") if not p.stem.startswith("_")}
    assert modules == set(KINDS)


def test_each_pandera_name_and_runtime_function_belongs_to_one_kind():
    names = [n for k in registry.all_kinds() for n in k.pandera_names]
    assert len(names) == len(set(names))
    assert set(pandas_checks.__all__) == {n for k in registry.all_kinds() for n in k.pandas_functions}
    for kind in registry.all_kinds():
        for name in kind.pandas_functions:
            assert name in kind.pandera_names, (kind.name, name)  # a failure of it maps back to its kind
            assert registry.kind_of_pandera_check(f"{name}(1)") is kind


@pytest.mark.parametrize("path", ITERATE)
def test_no_kind_chains_outside_the_kind_modules(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    quoted = "|".join(KINDS)
    # ``kind == "numeric"`` (a monitored feature's kind) is not a check kind: only check-kind names count
    chains = re.findall(rf"""kind\s*(?:==|!=|in|not in)\s*(?:[\(\[]|["'](?:{quoted})["'])|["'](?:{quoted})["']\s*(?:==|in)\s""",
                        text)
    assert chains == [], chains


def test_loading_every_kind_imports_neither_the_compiler_nor_polars():
    """Generated schemas import pandas_checks (all kinds): they must not pay for polars or the compiler
    (pydantic counts only beyond what pandera itself imports)."""
    code = ("import sys, pandera.pandas; before = set(sys.modules); "
            "import specgen.runtime.pandas_checks, specgen.runtime.testing; "
            "bad = sorted(m for m in set(sys.modules) - before if m.startswith(('specgen.compiler', 'pydantic', "
            "'jinja2', 'click', 'polars'))); print(bad)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_unknown_kind_is_a_bug_not_bad_data():
    with pytest.raises(RuntimeError, match="unknown check kind 'nope'"):
        Check("nope", "x").describe()


def test_every_kind_with_a_polars_form_has_a_pushdown_form():
    """Spark and SQL run a kind through its own ``pushdown_*`` hooks: a kind that computes on the data in
    polars must say how it does so there too (the registry, not a chain of ifs in the engines)."""
    from specgen.runtime.checks.base import Kind, RowKind

    for kind in registry.all_kinds():
        cls = type(kind)
        row = isinstance(kind, RowKind)
        polars = cls.aggregates not in (Kind.aggregates, RowKind.aggregates) or row
        if row:
            assert cls.pushdown_violation is not RowKind.pushdown_violation, kind.name
        elif polars:
            assert cls.pushdown_aggregates is not Kind.pushdown_aggregates, kind.name
