"""D3: a generated folder caught half-way through a recompile is refused by its own conftest.

Before: pytest during a recompile mixed old test modules with new fixtures and
reported "the check cannot fail as written"; now every header carries the
compile's generation id and the conftest stops the run with a clear message."""
from __future__ import annotations

import functools

import re
import shutil
import subprocess
import sys
from pathlib import Path

from specgen.runtime.generation import generation_of, mixed_generations

from tests.helpers import child_env as env, run_cli

invoke = functools.partial(run_cli, in_process=True)  # the one CLI helper, without process start-up

SPEC = ("spec_version: 1\nname: tiny\ndata: {{training: t.csv, label: y}}\n"
        "features:\n  x: {{dtype: float, range: [0, {top}]}}\n")


def _compile(folder: Path, top: int) -> Path:
    (folder / "s.yaml").write_text(SPEC.format(top=top), encoding="utf-8")
    proc = invoke("compile", folder / "s.yaml", "-o", folder / "out")
    assert proc.returncode == 0, proc.stderr
    return folder / "out" / "tiny"


def _pytest(suite: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
                          capture_output=True, text=True, env=env(), timeout=300, cwd=suite)


def test_one_compile_has_one_generation(tmp_path):
    suite = _compile(tmp_path, 1)
    ids = {p.name: generation_of(p) for p in suite.iterdir() if p.is_file()}
    assert len(set(ids.values())) == 1 and re.fullmatch(r"[0-9a-f]{16}", next(iter(ids.values()))), ids
    assert mixed_generations(suite / "conftest.py") is None
    again = _compile(tmp_path, 1)  # deterministic: the same spec gives the same id
    assert {p.name: generation_of(p) for p in again.iterdir() if p.is_file()} == ids


def test_a_mixed_folder_is_refused_clearly(tmp_path):
    (tmp_path / "t.csv").write_text("x,y\n0.5,1\n0.25,0\n", encoding="utf-8")
    old = _compile(tmp_path, 1)
    assert _pytest(old).returncode == 0, _pytest(old).stdout
    kept = tmp_path / "old_data_test.py"
    shutil.copy(old / "test_tiny_data.py", kept)
    new = _compile(tmp_path, 2)
    shutil.copy(kept, new / "test_tiny_data.py")  # as if pytest started between two renames
    message = mixed_generations(new / "conftest.py")
    assert message and "test_tiny_data.py" in message and "recompile" in message
    proc = _pytest(new)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    out = proc.stdout + proc.stderr
    assert "files from different compiles" in out and "test_tiny_data.py (" in out and "Traceback" not in out, out
