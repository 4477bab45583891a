"""A transforms output pattern that also matches another output's columns is a located compile error
[SG121] naming both (issue 12: ``occupation_*`` silently also matched ``occupation_husb_*``)."""
from __future__ import annotations

import fnmatch

import pytest

from specgen.compiler.spec.transforms import _overlapping_outputs
from tests.helpers import run_cli

SPEC = """\
spec_version: 1
name: census
data: {training: train.csv, label: income, key: [id]}
features:
  occupation: {dtype: category, values: [a, b]}
  occupation_husb: {dtype: category, values: [a, b]}
columns:
  id: {dtype: int}
  income: {dtype: float}
transforms:
  when: before_training
  entrypoint: census_features:transform
  outputs:
    occupation_*: {kind: onehot}
    {other}
"""


@pytest.mark.parametrize("other, witness", [
    ("occupation_husb_*: {kind: onehot}", "occupation_husb_"),
    ("occupation_years: {kind: zscore}", "occupation_years"),
])
def test_a_pattern_over_two_groups_is_a_compile_error_naming_both(tmp_path, other, witness):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("{other}", other))
    result = run_cli("compile", spec, "-o", tmp_path / "out", expect=2, in_process=True)
    name = other.split(":")[0]
    assert (f"spec.yaml:14:5: transforms.outputs.'occupation_*': output pattern 'occupation_*' also matches the "
            f"columns of output {name!r}: a column such as {witness!r} would count in both groups") in result.output
    assert "[SG121]" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("names, expected", [
    (["island_*", "sex_*", "bill_length_z"], []),
    (["a_*", "a_b_*"], [("a_*", "a_b_*"), ("a_b_*", "a_*")]),
    (["a_[xy]*", "a_b_*"], []),
    (["a_[!x]*", "a_x_*"], []),
    (["a_[!x]*", "a_y_*"], [("a_[!x]*", "a_y_*"), ("a_y_*", "a_[!x]*")]),
    (["a_?", "a_b"], [("a_?", "a_b")]),
    (["a_?", "a_bc"], []),
    (["c_*", "d_*", "*_z"], [("c_*", "*_z"), ("d_*", "*_z"), ("*_z", "c_*"), ("*_z", "d_*")]),
])
def test_overlap_rule(names, expected):
    found = list(_overlapping_outputs(names))
    assert [(p, q) for p, q, _ in found] == expected
    for pattern, other, shared in found:  # the example column really is matched by both
        assert fnmatch.fnmatchcase(shared, pattern) and fnmatch.fnmatchcase(shared, other), (pattern, other, shared)
