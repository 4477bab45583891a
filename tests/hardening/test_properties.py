"""Property-based tests of the compiler (hypothesis).

* any valid spec (hostile names, every dtype, random consistent settings) compiles
  to Python that parses and imports; the generated checks pass on rows drawn from
  the same spec, every generated negative case is rejected, and ``specgen validate``'s
  engine agrees; for a few examples the generated pytest suite itself runs in a subprocess;
* any mutated spec either compiles or raises SpecError with file:line on every
  diagnostic (and the CLI exits 2 without a traceback), never another exception.

Budget: SPECGEN_FUZZ_EXAMPLES scales every property (default keeps the file < 60 s);
each property prints how many cases it ran (pytest -s shows them).
"""
from __future__ import annotations

import ast
import itertools
import os
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from specgen import api
from specgen.errors import SpecError, SpecgenError
from specgen.runtime import engine, io
from specgen.runtime import testing as sg

from tests.helpers import run_cli, run_pytest

from . import strategies as S
from .helpers import assert_user_error, spec_error_located

SCALE = float(os.environ.get("SPECGEN_FUZZ_EXAMPLES", "1"))
_COUNTS: dict[str, int] = {}
_MODULES = itertools.count()


#: Shrinking a compile-and-run example can take minutes; the failing example is printed either way.
_PHASES = tuple(Phase) if os.environ.get("SPECGEN_FUZZ_SHRINK") else (Phase.explicit, Phase.generate)


def budget(n: int) -> settings:
    """n examples times SPECGEN_FUZZ_EXAMPLES; derandomized (reproducible in CI) unless SPECGEN_FUZZ_RANDOM."""
    return settings(max_examples=max(1, int(n * SCALE)), deadline=None, phases=_PHASES,
                    derandomize=not os.environ.get("SPECGEN_FUZZ_RANDOM"),
                    suppress_health_check=list(HealthCheck), database=None)


def count(name: str) -> None:
    _COUNTS[name] = _COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _report_counts():
    yield
    print("\nhypothesis cases run: " + ", ".join(f"{k}={v}" for k, v in sorted(_COUNTS.items())))


def write_project(root: Path, drawn: dict) -> Path:
    """spec.yaml + data/train.csv (+ serving.csv) drawn from the spec, in ``root``."""
    spec = drawn["spec"]
    path = root / "spec.yaml"
    path.write_text(S.dump(spec), encoding="utf-8")
    (root / "data").mkdir(exist_ok=True)
    for environment in ("training", "serving"):
        if environment == "training" or "serving" in spec["data"]:
            data = S.rows(spec, drawn["rows"], drawn["seed"], environment)
            target = root / spec["data"][environment]
            pl.DataFrame(data, strict=False).write_csv(target)
    return path


def compile_and_check(root: Path, drawn: dict):
    spec_path = write_project(root, drawn)
    report = api.compile_spec(spec_path)
    out = report.out_dir
    for py in sorted(out.glob("*.py")):
        ast.parse(py.read_text(encoding="utf-8"), filename=str(py))  # every generated file parses
    return spec_path, out


def _frame(the_plan, environment):
    rel = the_plan.training_rel if environment == "training" else the_plan.serving_rel
    return (the_plan.out_dir / rel).resolve()


@given(drawn=S.specs())
@budget(40)
def test_valid_specs_compile_import_and_pass(tmp_path_factory, drawn):
    count("valid_spec_in_process")
    root = tmp_path_factory.mktemp("spec")
    spec_path, out = compile_and_check(root, drawn)
    the_plan = api.build_plan(spec_path)
    module = sg.load_module(out / the_plan.module_file, f"_prop_schema_{next(_MODULES)}")
    schemas = {"training": module.TrainingSchema, "serving": module.ServingSchema}
    dtypes = the_plan.dtypes()
    environments = ["training"] + (["serving"] if the_plan.serving_rel else [])
    for environment in environments:
        path = _frame(the_plan, environment)
        frame = io.read_pandas(path, dtypes)
        result = sg.report(schemas[environment], frame)
        assert not result.failures, f"{environment}: schema rejects rows drawn from the spec: {result.failures}"
        failures = engine.run_checks(io.read_polars(path, dtypes), the_plan.checks(environment), environment)
        assert not failures, f"{environment}: validate rejects rows drawn from the spec: " + "; ".join(
            f.message() for f in failures)
    samples = {e: io.read_pandas(_frame(the_plan, e), dtypes).head(50).reset_index(drop=True)
               for e in environments}
    for negative in the_plan.negatives:
        if negative.environment not in samples:
            continue  # the generated suite skips it too: no data for that environment
        sg.assert_rejects(schemas[negative.environment], samples[negative.environment], negative.column,
                          negative.kind, negative.mutation, negative.value)
    assert not Path(S.PWNED_FILE).exists()


@given(drawn=S.specs(max_features=4))
@budget(3)
def test_generated_suite_passes_under_pytest(tmp_path_factory, drawn):
    count("valid_spec_pytest_subprocess")
    root = tmp_path_factory.mktemp("suite")
    _spec, out = compile_and_check(root, drawn)
    proc = run_pytest(out, cwd=root, timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout
    assert not (root / S.PWNED_FILE).exists()


@given(text=S.mutated())
@budget(150)
def test_mutated_specs_compile_or_fail_located(tmp_path_factory, text):
    count("mutated_spec_in_process")
    root = tmp_path_factory.mktemp("mut")
    spec = root / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    try:
        api.compile_spec(spec, root / "out")
    except SpecError as exc:
        spec_error_located(exc, spec)
    except SpecgenError as exc:  # e.g. a write error: still a user-facing error with a code
        assert exc.code.startswith("SG"), exc


@given(text=S.mutated())
@budget(6)
def test_mutated_specs_via_cli(tmp_path_factory, text):
    count("mutated_spec_cli")
    root = tmp_path_factory.mktemp("mutcli")
    spec = root / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    proc = run_cli("compile", spec, "-o", root / "out")
    if proc.returncode != 0:
        assert_user_error(proc, spec)


@given(st.data())
@budget(60)
def test_any_dtype_feature_alone_compiles(tmp_path_factory, data):
    """Cheap breadth: one feature of each dtype with random settings, plan + render, no data."""
    count("single_feature_render")
    dtype = data.draw(st.sampled_from(S.DTYPES))
    spec = {"spec_version": 1, "name": "one", "data": {"training": "t.csv"},
            "features": {data.draw(S.names): data.draw(S.feature(dtype))}}
    root = tmp_path_factory.mktemp("one")
    (root / "spec.yaml").write_text(S.dump(spec), encoding="utf-8")
    from specgen.compiler.render import render

    files = render(api.build_plan(root / "spec.yaml", root / "out"))
    for name, text in files.items():
        if name.endswith(".py"):
            tree = ast.parse(text)
            _no_calls_outside_allowed(tree, name)


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            yield (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "?")), node


def _template_calls() -> set[str]:
    """Calls the templates themselves write, read off the committed penguins output."""
    out = {"fromisoformat"}  # datetime bounds (penguins has none)
    for py in (S.__file__ and Path(__file__).resolve().parents[2] / "examples/penguins/generated/penguins").glob("*.py"):
        out |= {name for name, _node in _calls(ast.parse(py.read_text(encoding="utf-8")))}
    return out


_ALLOWED_CALLS = _template_calls()


def _no_calls_outside_allowed(tree: ast.AST, name: str) -> None:
    """Every call in generated code is one the templates put there: no name turned into code."""
    for called, node in _calls(tree):
        assert called in _ALLOWED_CALLS, f"{name}: unexpected call {ast.unparse(node)[:120]}"
