"""Generated output must match the committed golden files byte for byte."""
from __future__ import annotations

import ast
import difflib

import pytest

from tests.golden.update import cases, expected_files
from tests.helpers import EXAMPLES, run_cli


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_generated_output_matches_golden(case):
    rendered = expected_files(case)
    on_disk = {str(p.relative_to(case / "expected")): p.read_text(encoding="utf-8")
               for p in (case / "expected").rglob("*") if p.is_file()}
    assert sorted(on_disk) == sorted(rendered), "files differ; run `make golden` and review the diff"
    for rel, text in rendered.items():
        if text != on_disk[rel]:
            diff = "".join(difflib.unified_diff(on_disk[rel].splitlines(True), text.splitlines(True),
                                                f"golden/{rel}", f"rendered/{rel}"))
            pytest.fail(f"{case.name}/{rel} differs from golden (run `make golden` if intended):\n{diff}")


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_generated_python_parses(case):
    for rel, text in expected_files(case).items():
        if rel.endswith(".py"):
            ast.parse(text, filename=rel)


@pytest.mark.parametrize("spec", sorted(EXAMPLES.glob("*/spec.yaml")), ids=lambda p: p.parent.name)
def test_committed_example_output_is_current(spec):
    """The examples' generated/ trees are golden files too (model, monitoring and alert output)."""
    result = run_cli("compile", "--check", str(spec), in_process=True)
    assert result.returncode == 0, f"{result.stdout}{result.stderr}\nrun `make golden` and review the diff"
