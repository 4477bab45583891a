"""``data.evaluation``: the generated model suite scores on a named held-out file.

A copy of the penguins example gets a held-out file (the raw rows of the serving
penguins, with their species) as ``data.evaluation``; its generated suite passes
on the real model and FAILS ``test_vs_serving`` for a candidate about 0.1 less
accurate than the serving model, naming the metric, both values and the file.
"""
from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from tests.helpers import FAULT_MODULES, run_cli, run_pytest

TESTS = ("test_vs_serving", "test_quality", "test_beats_trivial")
WORSE = {"SPECGEN_MODEL_TRAIN": "penguins_faults:train_wrong_on_every_ninth_row"}


@pytest.fixture
def with_evaluation(penguins):
    raw = pd.read_csv(penguins / "data" / "penguins_raw.csv")
    raw.insert(0, "penguin_id", range(1, len(raw) + 1))
    held_out = pd.read_csv(penguins / "data" / "serving.csv")["penguin_id"]
    raw[raw["penguin_id"].isin(held_out)].to_csv(penguins / "data" / "heldout.csv", index=False)
    spec = penguins / "spec.yaml"
    text = spec.read_text()
    spec.write_text(text.replace("  serving: data/serving.csv\n",
                                 "  serving: data/serving.csv\n  evaluation: data/heldout.csv\n"))
    assert spec.read_text() != text
    run_cli("compile", "--force", spec, expect=0)
    shutil.copy(FAULT_MODULES / "penguins_faults.py", penguins)
    return penguins, len(held_out)


def _run(example, env=None):
    suite = example / "generated" / "penguins" / "test_penguins_model.py"
    return run_pytest(*[f"{suite}::{t}" for t in TESTS], cwd=example, env=env)


def test_candidate_worse_on_the_evaluation_file_fails_vs_serving(with_evaluation):
    example, rows = with_evaluation
    good = _run(example)
    assert good.returncode == 0 and not good.failed, good.output[-3000:]
    bad = _run(example, WORSE)
    assert bad.returncode == 1, bad.output[-3000:]
    message = bad.failed["test_vs_serving[accuracy]"]
    found = re.match(r"AssertionError: accuracy: candidate (\S+) vs serving (\S+) on (\d+) rows of the "
                     r"evaluation file data/heldout.csv is a drop of (\S+) ", message)
    assert found, message
    candidate, serving, n, drop = float(found[1]), float(found[2]), int(found[3]), float(found[4])
    assert n == rows and 0.08 <= drop <= 0.12 and drop == pytest.approx(serving - candidate, abs=1e-3), message
    assert "> max_drop 0.05 (allowed: a drop <= 0.05, inclusive; sudden degradation)" in message, message
    assert "test_vs_serving[f1]" in bad.failed, sorted(bad.failed)
