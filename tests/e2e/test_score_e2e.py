"""Every test id ``specgen score`` names is a node pytest really collects from the compiled suite."""
from __future__ import annotations

import pytest

from specgen.api import score_spec
from tests.helpers import run_pytest


@pytest.mark.parametrize("name", ["penguins", "diabetes"])
def test_score_names_collected_pytest_nodes(compiled_examples, name):
    folder = compiled_examples / name / "generated" / name
    collected = run_pytest("--collect-only", folder, cwd=folder, expect=0).stdout.splitlines()
    nodes = {line.strip() for line in collected if "::" in line}
    functions = {node.split("[")[0] for node in nodes}
    tests = [c for row in score_spec(compiled_examples / name / "spec.yaml").rows for c in row.covered_by
             if c.kind == "test"]
    assert tests
    for item in tests:
        if "[" in item.id:
            assert item.id in nodes, item.id
        else:
            assert item.id in functions, item.id
            assert sum(n.split("[")[0] == item.id for n in nodes) == max(item.cases, 1), item.id
