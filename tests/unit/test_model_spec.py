"""The spec's model and slices sections: valid specs load, mistakes get located, coded errors."""
from __future__ import annotations


import pytest

from specgen.api import build_plan, load_spec
from specgen.compiler.render import render
from specgen.errors import SpecError

BASE = """\
spec_version: 1
name: toy
data: {training: train.csv, label: y, key: [id]}
features:
  x: {dtype: float, range: [0, 1]}
  c: {dtype: category, values: [a, b]}
columns:
  y: {dtype: category, values: ["no", "yes"]}
"""
MODEL = """\
model:
  task: classification
  train: toy_model.sub:train
  load: toy_model:load
  metrics: {accuracy: {min: 0.8}, f1: {min: 0.7}}
  max_drop: {accuracy: 0.02}
"""


def _write(tmp_path, *parts):
    path = tmp_path / "spec.yaml"
    path.write_text("".join(parts))
    return path


def _errors(tmp_path, *parts) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(_write(tmp_path, *parts))
    return [str(d) for d in info.value.diagnostics]


def test_model_section_loads(tmp_path):
    _, spec = load_spec(_write(tmp_path, BASE, MODEL, "slices:\n  b: {column: c, value: b, "
                                                     "metrics: {accuracy: {min: 0.5}}}\n"))
    assert spec.model.train == "toy_model.sub:train"
    assert spec.model.reproducibility.runs == 2 and spec.slices["b"].min_rows == 30


@pytest.mark.parametrize("model, expected", [
    (MODEL.replace("acy: {min: 0.8}", "acyy: {min: 0.8}"), "unknown metric 'accuracyy'; did you mean 'accuracy'?"),
    (MODEL.replace("f1: {min: 0.7}", "rmse: {max: 3}"), "'rmse' is a regression metric but model.task is classification"),
    (MODEL.replace("toy_model.sub:train", "toy_model.sub.train"), "model.train: String should match pattern"),
    (MODEL.replace("toy_model.sub:train", "os; import x:y"), "model.train: String should match pattern"),
    (MODEL.replace("{accuracy: 0.02}", "{roc_auc: 0.02}"), "max_drop names ['roc_auc'], which metrics does not list"),
    (MODEL.replace("  load: toy_model:load\n", ""), "max_drop compares with the serving model: set model.load"),
    (MODEL.replace("{min: 0.7}", "{average: macro}"), "give min, max or both"),
    (MODEL.replace("{min: 0.7}", "{min: 0.9, max: 0.7}"), "lower bound 0.9 is above upper bound 0.7"),
    (MODEL + "  max_model_age: 1 day\n", "not a duration"),
    (MODEL + "  leakage: {}\n", "give max_abs_correlation, max_single_feature_score or both"),
    (MODEL + "  baseline: {margin: {roc_auc: 0.1}}\n", "baseline.margin names ['roc_auc'], which model.metrics"),
    (MODEL + "  baseline: {margin: {accuracy: -0.1}}\n", "model.baseline.margin.accuracy: Input should be greater than or equal to 0"),
    (MODEL + "  baseline: {margin: {accuracy: .nan}}\n", "model.baseline.margin.accuracy: Input should be a finite number"),
    (MODEL + "  baseline: {margin: {}}\n", "model.baseline.margin: Dictionary should have at least 1 item"),
    (MODEL + "  baseline: {margins: {accuracy: 0.1}}\n", "did you mean 'margin'?"),
])
def test_model_mistakes_are_reported(tmp_path, model, expected):
    errors = _errors(tmp_path, BASE, model)
    assert any(expected in e for e in errors), errors
    assert all(e.startswith(str(tmp_path / "spec.yaml") + ":") for e in errors)


@pytest.mark.parametrize("slices, expected", [
    ("  s: {where: 'x > 0', column: c, value: a, metrics: {accuracy: {min: 0.5}}}\n", "either where"),
    ("  s: {metrics: {accuracy: {min: 0.5}}}\n", "either where"),
    ("  s: {column: c, metrics: {accuracy: {min: 0.5}}}\n", "column 'c' needs a value"),
    ("  s: {column: nope, value: 1, metrics: {accuracy: {min: 0.5}}}\n", "undeclared column 'nope'"),
    ("  s: {where: 'x > 0', metrics: {r2: {min: 0.5}}}\n", "'r2' is a regression metric"),
    ("  s: {where: 'x > 0', metrics: {accuracy: {min: 0.5}}, min_rows: 0}\n", "greater than or equal to 1"),
    ("  Bad Name: {where: 'x > 0', metrics: {accuracy: {min: 0.5}}}\n", "String should match pattern"),
])
def test_slice_mistakes_are_reported(tmp_path, slices, expected):
    errors = _errors(tmp_path, BASE, MODEL, "slices:\n", slices)
    assert any(expected in e for e in errors), errors


def test_slices_need_a_model_and_a_model_needs_a_label(tmp_path):
    assert any("add a model section" in e for e in _errors(
        tmp_path, BASE, "slices:\n  s: {where: 'x > 0', metrics: {accuracy: {min: 0.5}}}\n"))
    no_label = BASE.replace(", label: y", "").replace('  y: {dtype: category, values: ["no", "yes"]}\n', '  y: {dtype: bool}\n')
    assert any("model tests need data.label" in e for e in _errors(tmp_path, no_label, MODEL))


def test_model_ages_must_agree(tmp_path):
    errors = _errors(tmp_path, BASE, "training: {mode: dynamic, max_model_age: 7d}\n", MODEL,
                     "  max_model_age: 3d\n")
    assert any("differ" in e for e in errors), errors


def test_plan_and_render(tmp_path):
    path = _write(tmp_path, BASE, "training: {mode: dynamic, max_model_age: 7d}\n", MODEL,
                  "  leakage: {max_abs_correlation: 0.9}\n",
                  "slices:\n  b: {column: c, value: b, metrics: {accuracy: {min: 0.5}, f1: {min: 0.4}}}\n")
    plan = build_plan(path)
    m = plan.model
    assert m.quality == ("accuracy", "f1") and m.vs_serving == ("accuracy",)
    assert m.reproducibility == ("accuracy", "f1", "outputs")
    assert [c.id for c in m.slice_cases] == ["b-accuracy", "b-f1"]
    assert [c.feature for c in m.leakage_association] == ["x", "c"] and m.leakage_single == () and m.has_age
    assert m.stability == ("parameters_finite", "outputs_finite")
    assert m.config["metrics"]["f1"]["kwargs"] == {"average": "macro"}
    assert m.config["max_model_age_seconds"] == 7 * 86400 and m.config["split_key"] == ["id"]
    assert m.config["paths"] == ["../.."] and m.config["training_data"] == "../../train.csv"
    files = render(plan)
    text = files["test_toy_model.py"]
    assert "pytest.param('b', 'f1', id='b-f1')" in text and "def test_model_age" in text
    assert "test_leakage_single_feature" not in text
    assert "toy_model.sub:train" in text.split("CONFIG = ", 1)[1].splitlines()[0]  # only inside the literal
    assert render(build_plan(path)) == files


def test_no_model_section_renders_no_model_tests(tmp_path):
    plan = build_plan(_write(tmp_path, BASE))
    assert plan.model is None and not any("model" in name for name in render(plan))


def test_static_training_gets_no_age_test_unless_asked(tmp_path):
    assert not build_plan(_write(tmp_path, BASE, "training: {max_model_age: 7d}\n", MODEL)).model.has_age
    assert build_plan(_write(tmp_path, BASE, MODEL, "  max_model_age: 2h\n")).model.has_age


def test_user_metrics_by_entrypoint(tmp_path):
    custom = MODEL.replace("f1: {min: 0.7}", "hits: {min: 0.7, entrypoint: 'toy_model:hits', greater_is_better: false}")
    m = build_plan(_write(tmp_path, BASE, custom)).model
    assert m.config["metrics"]["hits"] == {"min": 0.7, "max": None, "kwargs": {}, "entrypoint": "toy_model:hits",
                                           "greater_is_better": False}
    assert m.config["metrics"]["accuracy"]["greater_is_better"] is True
    builtin = MODEL.replace("f1: {min: 0.7}", "f1: {min: 0.7, entrypoint: 'toy_model:f1'}")
    assert any("'f1' is built in" in e for e in _errors(tmp_path, BASE, builtin))


def test_baseline_margin_plan_render_and_location(tmp_path):
    m = build_plan(_write(tmp_path, BASE, MODEL, "  baseline: {margin: {f1: 0.2, accuracy: 0.1}}\n")).model
    assert m.baseline == ("accuracy", "f1") and m.config["baseline_margin"] == {"accuracy": 0.1, "f1": 0.2}
    text = render(build_plan(tmp_path / "spec.yaml"))["test_toy_model.py"]
    assert "def test_beats_baseline(harness, metric):\n    sgm.check_beats_baseline(harness, metric)" in text
    assert "pytest.param('f1', id='f1')," in text.split("def test_vs_serving", 1)[1]
    plain = build_plan(_write(tmp_path, BASE, MODEL)).model
    assert plain.baseline == () and plain.config["baseline_margin"] == {}
    assert "test_beats_baseline" not in render(build_plan(tmp_path / "spec.yaml"))["test_toy_model.py"]
    line = len((BASE + MODEL).splitlines()) + 1  # the baseline: line
    errors = _errors(tmp_path, BASE, MODEL, "  baseline: {margin: {rmse: 1}}\n")
    assert errors == [f"{tmp_path / 'spec.yaml'}:{line}:3: model.baseline: baseline.margin names ['rmse'], "
                      "which model.metrics does not list [SG103]"], errors
