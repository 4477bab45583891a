"""The peer benchmarks are reproducible from a checkout: `make peers` builds their venvs inside the repo."""
from __future__ import annotations

import importlib.util
import re
import shutil

import pytest

from tests.helpers import ROOT, run

ABSOLUTE = re.compile(r"(?<![\w.])/(?:work|opt|home|srv|usr/local)/")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_peers_creates_the_venvs_under_the_ignored_cache():
    # -n: print only; -B: even if built; --no-print-directory: under `make test` a child make says
    # "Entering directory" (MAKELEVEL is inherited)
    dry = run("make", "--no-print-directory", "-n", "-B", "peers", "PYTHON=python3", cwd=ROOT)
    assert dry.returncode == 0, dry.output
    commands = [line for line in dry.stdout.splitlines() if line.strip()]
    assert commands[0] == "python3 -m venv .cache/peers/evidently"
    assert any('"evidently==' in line and '"pandas<3"' in line for line in commands), commands
    assert all(".cache/peers/" in line for line in commands)
    assert ".cache" in (ROOT / ".gitignore").read_text().split()


def test_benchmarks_name_no_absolute_paths():
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        assert not ABSOLUTE.search(script.read_text()), script.name


def test_bench_monitor_looks_for_evidently_in_the_peers_venv(monkeypatch):
    monkeypatch.delenv("SPECGEN_EVIDENTLY_PYTHON", raising=False)
    spec = importlib.util.spec_from_file_location("bench_monitor", ROOT / "benchmarks" / "bench_monitor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.EVIDENTLY_PYTHON == ROOT / ".cache" / "peers" / "evidently" / "bin" / "python"
