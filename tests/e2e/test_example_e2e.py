"""End to end on the penguins example: compile, run the generated suite, break the data."""
from __future__ import annotations

import json

import pytest

from tests.data_faults import FAULTS, corrupt
from tests.helpers import copy_example, run_cli, run_pytest_cases


def test_compile_then_generated_suite_passes(penguins, example_suite):
    result = run_cli("compile", str(penguins / "spec.yaml"), in_process=True)
    assert result.returncode == 0, result.stderr
    assert "identical" in result.stdout  # the committed artifacts are current
    suite = example_suite("penguins")  # the whole suite of that same compiled example, run once per test run
    assert suite.returncode == 0, suite.stdout[-3000:]
    assert " passed" in suite.stdout and "failed" not in suite.stdout


def test_validate_clean_data_exits_0(penguins):
    for data, env in (("train.csv", "training"), ("serving.csv", "serving")):
        result = run_cli("validate", str(penguins / "spec.yaml"), str(penguins / "data" / data), "--env", env,
                         in_process=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert ": ok" in result.stdout


DATA_SUITE = "generated/penguins/test_penguins_data.py"


@pytest.fixture(scope="module")
def corrupted(compiled_examples, tmp_path_factory) -> dict:
    """fault -> (example, broken training file, (column, check kind), the data suite's run on that file); the
    runs share one process (a fresh pytest session each, ``run_pytest_cases``)."""
    tmp = tmp_path_factory.mktemp("corrupted")
    example = copy_example(compiled_examples, "penguins", tmp)
    broken = {fault: tmp / f"{fault}.csv" for fault in sorted(FAULTS)}
    expected = {fault: corrupt(example / "data" / "train.csv", path, fault) for fault, path in broken.items()}
    runs = run_pytest_cases({fault: ({"SPECGEN_TRAINING_DATA": str(path)}, [DATA_SUITE])
                             for fault, path in broken.items()}, cwd=example)
    return {fault: (example, broken[fault], expected[fault], runs[fault]) for fault in broken}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_corrupted_data_fails_suite_and_validate(corrupted, fault):
    penguins, broken, (column, kind), suite = corrupted[fault]
    assert suite.returncode == 1, suite.stdout[-3000:]
    failed = [line for line in suite.stdout.splitlines() if line.startswith("FAILED")]
    assert any(f"test_feature[{column}-{kind}]" in line for line in failed), "\n".join(failed)
    # a broken column reports its own defect, not a cascade over every other column
    assert all(column in line for line in failed), "\n".join(failed)

    result = run_cli("validate", str(penguins / "spec.yaml"), str(broken), "--format", "json", in_process=True)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert [(f["column"], f["check"]) for f in report["failures"]] == [(column, kind)]


def test_validate_text_output_names_column_rows_and_examples(penguins, tmp_path):
    broken = tmp_path / "broken.csv"
    corrupt(penguins / "data" / "train.csv", broken, "out_of_range")
    result = run_cli("validate", str(penguins / "spec.yaml"), str(broken), in_process=True)
    assert result.returncode == 1
    assert "FAIL body_mass_g: range failed (expected 2000 <= x <= 7000); 1 failing row; e.g. row 4: 70000" in result.stdout


def test_broken_spec_exits_2_with_position(penguins):
    spec = penguins / "spec.yaml"
    spec.write_text(spec.read_text().replace("range: [160, 240]", "range: [240, 160]"))
    result = run_cli("compile", str(spec))
    assert result.returncode == 2
    assert f"{spec}:26:" in result.stderr and "flipper_length_mm.range" in result.stderr and "[SG103]" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("validate", str(spec), str(penguins / "data" / "train.csv"))
    assert result.returncode == 2 and "[SG103]" in result.stderr


@pytest.mark.parametrize("problem, code", [("missing", "SG201"), ("empty", "SG203"), ("format", "SG202")])
def test_unreadable_data_exits_2(penguins, tmp_path, problem, code):
    path = {"missing": tmp_path / "nope.csv", "empty": tmp_path / "empty.csv", "format": tmp_path / "data.xlsx"}[problem]
    if problem != "missing":
        path.write_bytes(b"" if problem == "empty" else b"PK\x03\x04")
    result = run_cli("validate", str(penguins / "spec.yaml"), str(path))
    assert result.returncode == 2 and f"[{code}]" in result.stderr and "Traceback" not in result.stderr
