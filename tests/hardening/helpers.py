"""Shared helpers for the hardening tests: judge the CLI's errors (run it with tests.helpers.run_cli)."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PENGUINS = REPO / "examples" / "penguins" / "spec.yaml"
PENGUINS_TEXT = PENGUINS.read_text(encoding="utf-8")
CODE = re.compile(r"\[SG\d{3}\]")


def assert_user_error(proc, file: str | Path, *, line: bool = True) -> str:
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
