"""Several runs of one generated suite in ONE Python process, each a fresh pytest session with its own
environment variables (``python -m tests.suite_runs CASES.json RESULTS.json``, cwd: the example).

The fault tests run the same generated suite a dozen times, changing only the SPECGEN_* variables that
select a broken model or data file. A pytest process spends ~2.5 s of CPU importing pandas, pandera,
scikit-learn and the suite before its first test; here that is paid once. Each run is a separate
``pytest.main`` session: the suite reads those variables when its session fixtures are built (the model
harness, data paths, entrypoints), never when its modules are imported, so every run builds its models
and reads its data afresh under its own variables (os.environ is restored before each run) and reports
on its own. Its exit code and output (pytest's report, and anything printed) are kept per run.

CASES.json: ``[{"key": ..., "env": {...}, "args": [pytest arguments]}, ...]``; RESULTS.json:
``{key: {"returncode": int, "output": str}}``. :func:`tests.helpers.run_pytest_cases` writes one, runs
this and reads the other.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys

import pytest


def run_case(env: dict[str, str], args: list[str]) -> tuple[int, str]:
    """One pytest session under ``env`` (added to the environment this process started with)."""
    base = dict(os.environ)
    os.environ.update(env)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = pytest.main(args)
    finally:
        os.environ.clear()
        os.environ.update(base)
    return int(code), out.getvalue()


def main(cases_file: str, results_file: str) -> None:
    with open(cases_file, encoding="utf-8") as f:
        cases = json.load(f)
    results = {}
    for case in cases:
        code, output = run_case(case["env"], case["args"])
        results[case["key"]] = {"returncode": code, "output": output}
    with open(results_file, "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(*sys.argv[1:])
