"""pandera's probe of ``pyspark.pandas`` (specgen/runtime/pandas_on_spark.py): a generated suite runs under
``-W error::FutureWarning`` where pyspark is installed with pandas 3, and pyspark's own warnings still
reach the user when the pandas API on Spark does import.

Without the probe, pyspark 4.x warned (FutureWarning) while failing to import under pandas 3, twice per
process, and under ``-W error::FutureWarning`` ``import pandera`` itself failed.
"""
from __future__ import annotations

import importlib.metadata
import sys
import textwrap

import pytest

from tests.helpers import ROOT, run, run_pytest

PROBE_LINE = "from specgen.runtime import pandas_on_spark"
PYSPARK_WARNING = "PySpark does not yet fully support pandas"


def _pyspark_warns_here() -> bool:
    """pyspark installed with pandas >= 3: the combination whose pyspark.pandas warns, then fails to import."""
    try:
        importlib.metadata.version("pyspark")
    except importlib.metadata.PackageNotFoundError:
        return False
    return int(importlib.metadata.version("pandas").split(".")[0]) >= 3


def test_generated_suite_runs_under_future_warnings_as_errors(penguins):
    """The whole suite is collected (every module imports the schema, so pandera) and its data tests
    run under ``-W error::FutureWarning``; the same run with the probe's import taken out of the schema
    module fails on pyspark's warning (loading the conftest, which imports the schema), so this test can fail."""
    if not _pyspark_warns_here():
        pytest.skip("needs pyspark with pandas >= 3 (pip install -e '.[dev]'), where pyspark.pandas warns")
    suite = penguins / "generated" / "penguins"
    args = (suite, "-W", "error::FutureWarning", "-k", "test_penguins_data and test_feature")
    result = run_pytest(*args, cwd=penguins)
    assert result.returncode == 0 and " passed" in result.stdout, result.output[-3000:]
    assert PYSPARK_WARNING not in result.output

    schema = suite / "penguins_schema.py"
    text = schema.read_text()
    assert PROBE_LINE in text
    schema.write_text("\n".join(line for line in text.splitlines() if not line.startswith(PROBE_LINE)) + "\n")
    broken = run_pytest(*args, cwd=penguins)
    assert broken.returncode != 0 and PYSPARK_WARNING in broken.output, broken.output[-3000:]


@pytest.fixture
def fake_pyspark(tmp_path):
    """A stand-in ``pyspark`` package first on the path, whose ``pyspark.pandas`` warns as pyspark 4.x
    does under pandas 3, warns something else too, then fails to import or imports (``FAKE_PANDAS_FAILS``)."""
    package = tmp_path / "pyspark" / "pandas"
    package.mkdir(parents=True)
    (tmp_path / "pyspark" / "__init__.py").write_text("")
    (package / "__init__.py").write_text(textwrap.dedent(f"""\
        import os, warnings
        warnings.warn("{PYSPARK_WARNING} >= 3.0.0. Some features may not work correctly.", FutureWarning)
        warnings.warn("an unrelated warning", UserWarning)
        if os.environ["FAKE_PANDAS_FAILS"] == "1":
            raise ImportError("cannot import name 'DateOffset'")
        """))
    return tmp_path


PROBE_THEN_PANDERA = """\
import specgen.runtime.pandas_on_spark as probe
print("available", probe.PANDAS_ON_SPARK)
import importlib
for attempt in range(2):  # what pandera's probes do
    try:
        importlib.import_module("pyspark.pandas")
    except ImportError as exc:
        print("ImportError:", exc)
"""


def _probe(fake_pyspark, fails: str, *warning_options: str):
    return run(sys.executable, *warning_options, "-c", PROBE_THEN_PANDERA,
               env={"PYTHONPATH": f"{fake_pyspark}:{ROOT}", "FAKE_PANDAS_FAILS": fails})


def test_a_failed_import_drops_pysparks_version_warning_and_is_remembered(fake_pyspark):
    result = _probe(fake_pyspark, "1", "-W", "error::FutureWarning")
    assert result.returncode == 0, result.output
    assert "available False" in result.stdout
    assert result.stdout.count("ImportError: pyspark.pandas cannot be imported here: cannot import name "
                               "'DateOffset'") == 2, result.stdout
    assert PYSPARK_WARNING not in result.stderr
    assert result.stderr.count("UserWarning: an unrelated warning") == 1, result.stderr  # others are kept


def test_a_successful_import_keeps_every_warning(fake_pyspark):
    result = _probe(fake_pyspark, "0")
    assert result.returncode == 0 and "available True" in result.stdout and "ImportError" not in result.stdout
    assert f"FutureWarning: {PYSPARK_WARNING}" in result.stderr and "UserWarning: an unrelated warning" in result.stderr
    strict = _probe(fake_pyspark, "0", "-W", "error::FutureWarning")  # the user's filters still apply
    assert strict.returncode == 1 and f"FutureWarning: {PYSPARK_WARNING}" in strict.stderr, strict.output


def test_the_stand_in_for_pyspark_pandas_has_no_file():
    """pyspark_compat's stand-in answered every attribute with a class, ``__file__`` too, and hypothesis
    (which reads the ``__file__`` of every module in sys.modules) failed with a TypeError in a process that
    had imported a generated pyspark schema."""
    if not _pyspark_warns_here():
        pytest.skip("needs pyspark with pandas >= 3 (pip install -e '.[dev]'), where the stand-in is used")
    code = ("import sys, specgen.runtime.pyspark_compat as c; m = sys.modules['pyspark.pandas']; "
            "print(c.PANDAS_ON_SPARK, getattr(m, '__file__', None), m.DataFrame.__name__)")
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0 and result.stdout.split() == ["False", "None", "DataFrame"], result.output
