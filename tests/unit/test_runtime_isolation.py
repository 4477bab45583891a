"""The runtime library never pulls in the compiler, jinja2, click or pydantic; nor does `specgen monitor`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import EXAMPLES, ROOT

RUNTIME = ROOT / "specgen" / "runtime"
FORBIDDEN = ("specgen.compiler", "specgen.api", "specgen.cli", "specgen.report", "jinja2", "click", "pydantic", "plotly")


def _runtime_modules() -> list[str]:
    """Every module under specgen/runtime, found on disk (namespace packages such as contracts included)."""
    out = []
    for path in sorted(RUNTIME.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


def test_discovery_finds_every_kind_of_runtime_module():
    modules = _runtime_modules()
    assert len(modules) >= 20
    for name in ("specgen.runtime", "specgen.runtime.monitor", "specgen.runtime.contracts.monitoring",
                 "specgen.runtime.contracts.metric_names"):
        assert name in modules


#: the module that registers specgen's checks with pandera imports pandera, and pandera itself
#: imports pydantic: it is imported last, after pandera, and charged only what it adds beyond pandera
PANDERA_BOUND = "specgen.runtime.pandas_checks"


def test_no_runtime_module_imports_the_compiler():
    """Each module is imported in turn in one fresh interpreter; any forbidden module it adds is
    charged to it."""
    modules = [m for m in _runtime_modules() if m != PANDERA_BOUND]
    code = ("import importlib, json, sys\n"
            "bad = {}\n"
            f"for name in {modules!r} + ['pandera.pandas', {PANDERA_BOUND!r}]:\n"
            "    before = set(sys.modules)\n"
            "    importlib.import_module(name)\n"
            "    if name == 'pandera.pandas':\n"
            "        continue\n"
            f"    new = sorted(m for m in set(sys.modules) - before if m.startswith({FORBIDDEN!r}))\n"
            "    if new:\n"
            "        bad[name] = new\n"
            "        break\n"
            "print(json.dumps(bad))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(result.stdout) == {}


def test_monitor_command_imports_no_compiler_pydantic_or_jinja2(tmp_path):
    """`specgen monitor` runs from the compiled config: the CLI path, run to its end (metrics written),
    loads neither the spec model nor the templates."""
    penguins = EXAMPLES / "penguins"
    prom = tmp_path / "out.prom"
    args = ["monitor", str(penguins / "spec.yaml"), "--current", str(penguins / "data" / "serving.csv"),
            "--metrics-out", str(prom)]
    code = ("import json, sys\n"
            "from specgen.cli import cli\n"
            "try:\n"
            f"    cli({args!r}, prog_name='specgen')\n"
            "except SystemExit as exc:\n"
            "    status = exc.code\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'jinja2')"
            " or m.startswith('specgen.compiler'))\n"
            "print(json.dumps({'status': status, 'bad': bad}))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"status": 0, "bad": []}, result.stdout + result.stderr
    assert "specgen_penguins_prediction_drift_linf" in prom.read_text()  # the model ran: the whole path


def test_planning_does_not_import_polars():
    code = "import sys, specgen.compiler.plan; print('polars' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_compiling_does_not_import_polars_or_the_model(tmp_path):
    """compile is pure: no data library, no user code (penguins_model imports scikit-learn)."""
    code = ("import sys\n"
            "from specgen.api import compile_spec\n"
            f"report = compile_spec({str(EXAMPLES / 'penguins' / 'spec.yaml')!r}, {str(tmp_path)!r})\n"
            "print(sorted(m for m in ('polars', 'penguins_model', 'sklearn') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_cli_help_does_not_import_the_heavy_stack():
    code = ("import sys; from click.testing import CliRunner; from specgen.cli import cli; "
            "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0; "
            "print(sorted(m for m in ('pandas', 'polars', 'pandera', 'numpy', 'pydantic', 'jinja2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["specgen.api", "specgen.cli"])
def test_library_surface_imports_the_compiler_lazily(module):
    code = (f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'jinja2')"
            " or m.startswith('specgen.compiler')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
