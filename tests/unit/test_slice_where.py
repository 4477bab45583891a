"""Slice ``where`` expressions are checked at compile (issue 15): a wrong column or an operator the
runtime evaluator (pandas' query, python engine) lacks is a located spec error [SG120], with a
did-you-mean; everything the check accepts evaluates at run time."""
from __future__ import annotations

import pandas as pd
import pytest

from specgen.compiler.spec.slice_where import OPERATORS, where_problem
from specgen.runtime.contracts.slices import SliceFilter
from tests.helpers import run_cli

SPEC = """\
spec_version: 1
name: weather
data: {training: train.csv, label: rain, key: [id]}
features:
  precipitation: {dtype: float, range: [0, 100]}
  wind speed: {dtype: float}
  sky: {dtype: category, values: [clear, cloudy]}
columns:
  id: {dtype: int}
  rain: {dtype: bool}
model:
  task: classification
  train: weather_model:train
  metrics: {accuracy: {min: 0.5}}
slices:
  wet:
    where: {where}
    metrics: {accuracy: {min: 0.5}}
"""
COLUMNS = ("precipitation", "wind speed", "sky", "id", "rain")


@pytest.mark.parametrize("where, message", [
    ("precip > 2", "column 'precip' is not declared in features or columns (nor the label); "
                   "did you mean 'precipitation'?"),
    ("precipitation >> 2", "the operator '>>' is not supported; use one of == != < <= > >= in not in"),
    ("precipitation > 2 and `wind spead` > 3", "column 'wind spead' is not declared"),
    ("precipitation.real > 2", "attribute is not supported"),
    ("__import__('os').system('true')", "call is not supported"),
    ("precipitation is None", "the operator 'is' is not supported"),
    ("precipitation >", "is not a valid expression"),
])
def test_bad_where_is_a_located_spec_error_at_compile(tmp_path, where, message):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("{where}", repr(where)))
    result = run_cli("compile", spec, "-o", tmp_path / "out", expect=2, in_process=True)
    assert f"spec.yaml:17:5: slices.wet.where: where {where!r}" in result.output, result.output
    assert message in result.output and "[SG120]" in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


ACCEPTED = [
    "precipitation > 2", "precipitation >= 2 and sky == 'cloudy'", "precipitation < 1 or not (sky != 'clear')",
    "sky in ['clear']", "sky not in ('clear',)", "(precipitation <= 5) & (`wind speed` > 1) | ~(id == 3)",
    "precipitation * 2 + 1 - id / 2 // 1 % 3 ** 1 > -1", "1 < precipitation < 50", "rain == True",
]


@pytest.mark.parametrize("where", ACCEPTED)
def test_every_accepted_where_evaluates_in_the_runtime(where):
    assert where_problem(where, COLUMNS) is None
    frame = pd.DataFrame({"precipitation": [0.5, 3.0, 10.0], "wind speed": [0.0, 2.0, 5.0],
                          "sky": ["clear", "cloudy", "cloudy"], "id": [1, 2, 3], "rain": [False, True, True]})
    SliceFilter(where=where, column=None, value=None).select(frame)  # raises if pandas cannot evaluate it


def test_every_whitelisted_operator_is_exercised():
    used = " ".join(ACCEPTED)
    for op in OPERATORS:
        assert op in used, op
