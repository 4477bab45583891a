"""Helpers shared by specgen's own tests (subprocess runners, paths)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a command with this interpreter's environment; text output captured."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(list(args), cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)


def specgen(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return run(sys.executable, "-m", "specgen", *args, **kwargs)


def run_pytest(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf", *args, **kwargs)
