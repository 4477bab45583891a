"""The runtime library never pulls in the compiler, jinja2, click or pydantic."""
from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = ["checks", "stats", "pandas_checks", "engine", "io", "testing", "drift", "metrics", "hashing",
           "features", "predictions"]
FORBIDDEN = ("specgen.compiler", "specgen.api", "specgen.cli", "jinja2", "click", "pydantic")


@pytest.mark.parametrize("module", MODULES)
def test_runtime_module_imports_nothing_of_the_compiler(module):
    code = (f"import sys, specgen.runtime.{module}; "
            f"bad = sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r})); print(bad)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_planning_does_not_import_polars():
    code = "import sys, specgen.compiler.plan; print('polars' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_cli_help_does_not_import_the_heavy_stack():
    code = ("import sys; from click.testing import CliRunner; from specgen.cli import cli; "
            "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0; "
            "print(sorted(m for m in ('pandas', 'polars', 'pandera', 'numpy', 'pydantic', 'jinja2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
