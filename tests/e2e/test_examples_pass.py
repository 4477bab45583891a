"""The examples' whole generated suites (data, features, model, predictions, infrastructure smoke) pass
on their real data and models: pytest in a subprocess, each run once per test run (the ``example_suite``
fixture; test_example_e2e.py reads the same penguins run). Their faults: test_model_faults_*.py."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

EXAMPLES = ("penguins", "diabetes")


@pytest.fixture(scope="module")
def suites(example_suite) -> dict:
    """Both suites started at once (separate processes)."""
    with ThreadPoolExecutor(max_workers=len(EXAMPLES)) as pool:
        return dict(zip(EXAMPLES, pool.map(example_suite, EXAMPLES)))


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_pass(suites, name):
    run = suites[name]
    assert run.returncode == 0 and not run.failed, run.output[-3000:]
