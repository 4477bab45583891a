"""Helpers shared by specgen's own tests: paths, the one CLI runner, the one pytest-in-a-subprocess runner.

Every test that runs ``specgen`` goes through :func:`run_cli`; every test that runs a generated
suite goes through :func:`run_pytest` (or :func:`run_pytest_cases`: several runs in one process). All return
the same :class:`Result`.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
#: broken model / feature modules, copied next to a copy of an example by the e2e tests
FAULT_MODULES = ROOT / "tests" / "e2e" / "faults"

_FAILED = re.compile(r"^FAILED \S+?::(\S+) - (.*)$", re.M)
#: set by pytest / pytest-xdist in this process; a child pytest must not inherit them
_PYTEST_VARIABLES = ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT",
                     "PYTEST_XDIST_TESTRUNUID", "PYTEST_XDIST_AUTO_NUM_WORKERS")


@dataclass
class Result:
    """What a command did: exit code and its output (``failed``: test id -> message, for pytest runs)."""
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def exit_code(self) -> int:  # click's name for it
        return self.returncode


def child_env(env: dict | None = None) -> dict[str, str]:
    """This process's environment for a child: the repo first on PYTHONPATH, no pytest/xdist state,
    no bytecode written into the (temporary) projects under test, wide lines for pytest's summaries."""
    out = {k: v for k, v in os.environ.items() if k not in _PYTEST_VARIABLES}
    out["PYTHONPATH"] = os.pathsep.join([str(ROOT), out.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    out.update({"PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "400"})
    out.update(env or {})
    return out


def run(*args, cwd: Path | None = None, env: dict | None = None, timeout: float = 300,
        stdin: str | bytes | None = None) -> Result:
    """Any command, in a subprocess with :func:`child_env`; text output captured (``stdin``: text or bytes)."""
    argv = [str(a) for a in args]
    proc = subprocess.run(argv, cwd=cwd, env=child_env(env), capture_output=True, input=stdin, timeout=timeout,
                          text=not isinstance(stdin, bytes))
    out, err = (proc.stdout, proc.stderr) if not isinstance(stdin, bytes) else \
        (proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))
    return Result(argv, proc.returncode, out, err)


def _expected(result: Result, expect: int | None) -> Result:
    if expect is not None:
        assert result.returncode == expect, (f"{' '.join(result.args)}: exit {result.returncode}, expected {expect}\n"
                                             f"stdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}")
    return result


def run_cli(*args, cwd: Path | None = None, env: dict | None = None, expect: int | None = None,
            in_process: bool = False, timeout: float = 300, stdin: str | bytes | None = None) -> Result:
    """``python -m specgen ARGS`` in a subprocess (a real process: exit code, imports, signals);
    ``in_process=True`` runs the same click command in this process (no ~1 s of imports), re-raising
    any exception other than SystemExit (a user would see it as a traceback) and failing on printed ones.
    ``expect``: assert this exit code (the message carries the output). ``stdin``: fed to the subprocess."""
    if not in_process:
        return _expected(run(sys.executable, "-m", "specgen", *args, cwd=cwd, env=env, timeout=timeout,
                             stdin=stdin), expect)
    assert cwd is None and env is None, "in-process runs share this process's cwd and environment"
    from click.testing import CliRunner

    from specgen.cli import cli

    argv = [str(a) for a in args]
    outcome = CliRunner().invoke(cli, argv)
    if outcome.exception is not None and not isinstance(outcome.exception, SystemExit):
        raise outcome.exception
    assert "Traceback" not in outcome.output, outcome.output
    return _expected(Result(["specgen", *argv], outcome.exit_code, outcome.stdout, outcome.stderr), expect)


def run_pytest(*paths, cwd: Path | None = None, env: dict | None = None, expect: int | None = None,
               timeout: float = 300) -> Result:
    """pytest on ``paths`` (a generated suite) in a subprocess; ``failed`` maps each failed test id
    (without its file) to the message of its short summary line."""
    result = run(sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", *paths, cwd=cwd, env=env,
                 timeout=timeout)
    result.failed = dict(_FAILED.findall(result.output))
    return _expected(result, expect)


def run_pytest_cases(cases: dict[str, tuple[dict, list]], *, cwd: Path, timeout: float = 600) -> dict[str, Result]:
    """Several pytest runs of a generated suite in ONE subprocess (``tests/suite_runs.py``: the imports are
    paid once), each a fresh session with its own environment variables; ``cases``: key -> (environment,
    pytest arguments). Returns key -> Result as :func:`run_pytest` would (``failed`` parsed per run)."""
    with tempfile.TemporaryDirectory(prefix="suite-runs-") as tmp:
        spec, out = Path(tmp) / "cases.json", Path(tmp) / "results.json"
        pytest_args = ["-q", "-rf", "-p", "no:cacheprovider"]
        spec.write_text(json.dumps([{"key": key, "env": env, "args": pytest_args + [str(a) for a in args]}
                                    for key, (env, args) in cases.items()]))
        driver = run(sys.executable, "-m", "tests.suite_runs", spec, out, cwd=cwd, timeout=timeout)
        assert driver.returncode == 0 and out.exists(), f"tests.suite_runs failed:\n{driver.output[-3000:]}"
        results = json.loads(out.read_text())
    return {key: Result(["pytest", *map(str, args)], results[key]["returncode"], results[key]["output"], "",
                        dict(_FAILED.findall(results[key]["output"])))
            for key, (_, args) in cases.items()}


def copy_example(compiled_examples: Path, name: str, dest: Path) -> Path:
    """A private copy at ``dest/name`` of one example from the ``compiled_examples`` fixture."""
    target = dest / name
    shutil.copytree(compiled_examples / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def copy_with_faults(compiled_examples: Path, name: str, dest: Path) -> Path:
    """:func:`copy_example`, with the example's fault module (``FAULT_MODULES/NAME_faults.py``) beside its spec."""
    target = copy_example(compiled_examples, name, dest)
    shutil.copy(FAULT_MODULES / f"{name}_faults.py", target)
    return target


def data_variant(example: Path, filename: str, change) -> str:
    """``change(training frame)`` written as ``data/filename`` of ``example`` (a copy); returns its path."""
    import pandas as pd

    path = example / "data" / filename
    change(pd.read_csv(example / "data" / "train.csv")).to_csv(path, index=False)
    return str(path)
