"""Fixtures shared by specgen's own tests; every shared fixture is defined here, once.

The suite runs under pytest-xdist (``make test``: two workers). Whatever is built once per
session (promtool, the compiled examples) lives in a directory shared by all workers of the
run and is built by the first worker that asks, under a file lock; the others wait and reuse it.
Tests get private copies of shared trees and may change those freely.
"""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

from specgen.runtime import pandas_on_spark  # noqa: F401  (before any test module imports pandera: see there)
from tests.helpers import EXAMPLES, ROOT, Result, copy_example, run, run_cli, run_pytest

#: the examples compiled once per session (the ones the e2e tests run)
COMPILED_EXAMPLES = ("penguins", "diabetes")


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory) -> Path:
    """A directory of this test run shared by every xdist worker (the worker's own base temp otherwise)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(shared: Path, name: str, build: Callable[[Path], None]) -> Path:
    """``shared/name``, built by ``build(path)`` exactly once per run whichever worker asks first."""
    target = shared / name
    with FileLock(str(shared / f"{name}.lock")):
        if not (shared / f"{name}.done").exists():
            shutil.rmtree(target, ignore_errors=True)
            build(target)
            (shared / f"{name}.done").touch()
    return target


@pytest.fixture(scope="session")
def promtool(shared_dir) -> str:
    """Path of a promtool binary (installed into .cache/promtool once; the tests fail, never skip, without it)."""
    with FileLock(str(shared_dir / "promtool.lock")):
        done = run("bash", ROOT / "scripts" / "install-promtool.sh", ROOT / ".cache" / "promtool", timeout=600)
    if done.returncode != 0:
        pytest.fail(f"cannot install promtool:\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def compiled_examples(shared_dir) -> Path:
    """The examples in COMPILED_EXAMPLES, copied as committed and compiled, once per run. Read only:
    copy an example out of it (``copy_example``) before changing anything."""
    def build(target: Path) -> None:
        for name in COMPILED_EXAMPLES:
            shutil.copytree(EXAMPLES / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
            run_cli("compile", target / name / "spec.yaml", expect=0)
    return build_once(shared_dir, "examples", build)


@pytest.fixture(scope="session")
def example_suite(shared_dir, compiled_examples) -> Callable[[str], Result]:
    """name -> the Result of that compiled example's whole generated suite (pytest in a subprocess, in a
    copy of the example), run once per test run by whichever worker asks first: every test that needs
    the unchanged suite's outcome reads the same run."""
    def result(name: str) -> Result:
        def build(target: Path) -> None:
            example = copy_example(compiled_examples, name, target)
            outcome = run_pytest(example / "generated" / name, cwd=example)
            (target / "result.json").write_text(json.dumps(dataclasses.asdict(outcome)))
        return Result(**json.loads((build_once(shared_dir, f"suite-{name}", build) / "result.json").read_text()))
    return result


@pytest.fixture
def penguins(compiled_examples, tmp_path) -> Path:
    """A private copy of the compiled penguins example (spec, data, model code, generated suite)."""
    return copy_example(compiled_examples, "penguins", tmp_path)


@pytest.fixture(scope="session")
def spark_session():
    """One local SparkSession for the whole run (local[2], no UI, 2 shuffle partitions, Spark's log at
    ERROR); skipped only where pyspark or Java is missing, saying which."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("pyspark is not installed (pip install 'specgen[spark]')")
    from specgen.runtime.pushdown import spark

    if not spark._java():
        pytest.skip("Java is not installed (Spark needs Java 17+ on PATH or in JAVA_HOME)")
    session = spark.session("local[2]", {"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2"})
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a PostgreSQL server started for this session (per xdist worker) on a temporary data directory
    and a loopback port (tests/postgres.py); skipped only where the server binaries are not installed."""
    from tests.postgres import Unavailable, postgres_server
    try:
        server = postgres_server()
        url = server.__enter__()
    except Unavailable as exc:
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def no_proxy(monkeypatch):
    """No proxy between a push and the loopback stand-in Pushgateway (tests/gateway.py)."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
