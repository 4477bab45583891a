"""Shared helpers for the hardening tests: run the real CLI, judge its errors."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PENGUINS = REPO / "examples" / "penguins" / "spec.yaml"
PENGUINS_TEXT = PENGUINS.read_text(encoding="utf-8")
CODE = re.compile(r"\[SG\d{3}\]")


def env() -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join([str(REPO), out.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return out


def run_cli(*args, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "specgen", *map(str, args)], capture_output=True, text=True,
                          env=env(), timeout=timeout, **kwargs)


def assert_user_error(proc: subprocess.CompletedProcess, file: str | Path, *, line: bool = True) -> str:
    """Exit 2, no traceback, a message naming ``file`` (with ``:line`` when asked) and an SG code."""
    err = proc.stderr
    assert proc.returncode == 2, f"exit {proc.returncode}\nstdout: {proc.stdout}\nstderr: {err}"
    assert "Traceback" not in err, err
    assert CODE.search(err), f"no [SG###] code in: {err}"
    pattern = re.escape(str(file)) + (r":\d+" if line else "")
    assert re.search(pattern, err), f"{file}{':line' if line else ''} not named in: {err}"
    return err


def spec_error_located(exc, file: str | Path) -> None:
    """A SpecError message carries file:line and an SG code on every diagnostic."""
    text = str(exc)
    assert CODE.search(text), text
    for diagnostic in exc.diagnostics:
        assert diagnostic.file == str(file), diagnostic
        assert diagnostic.line is not None and diagnostic.line >= 1, diagnostic
        assert re.fullmatch(r"SG\d{3}", diagnostic.code), diagnostic


def invoke(*args) -> subprocess.CompletedProcess:
    """The CLI in-process (click's runner): same code path as ``run_cli``, without the ~1 s of imports.
    An exception other than SystemExit is what a user would see as a traceback: re-raise it."""
    from click.testing import CliRunner

    from specgen.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)
