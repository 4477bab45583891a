"""The spec's model and slices sections: valid specs load, mistakes get located, coded errors."""
from __future__ import annotations


import os
import subprocess
import sys
from pathlib import Path

import pytest

from specgen.api import build_plan, load_spec
from specgen.runtime.contracts.model import Bound, Metric

REPO = Path(__file__).resolve().parents[2]
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
    (MODEL + "  beats_trivial: {margin: {roc_auc: 0.1}}\n", "beats_trivial.margin names ['roc_auc'], which model.metrics"),
    (MODEL + "  beats_trivial: {margin: {accuracy: -0.1}}\n",
     "model.beats_trivial.margin.accuracy: Input should be greater than or equal to 0"),
    (MODEL + "  beats_trivial: {margin: {accuracy: .nan}}\n",
     "model.beats_trivial.margin.accuracy: Input should be a finite number"),
    (MODEL + "  beats_trivial: {margin: {}}\n", "model.beats_trivial.margin: Dictionary should have at least 1 item"),
    (MODEL + "  beats_trivial: {margins: {accuracy: 0.1}}\n", "did you mean 'margin'?"),
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
    assert [p.id for p in m.quality] == ["accuracy", "f1"] and [p.id for p in m.vs_serving] == ["accuracy"]
    assert m.quality[0].values == (Metric(name="accuracy", kwargs={}, entrypoint=None, greater_is_better=True),
                                   Bound(min=0.8, max=None))
    assert [p.id for p in m.reproducible] == ["accuracy", "f1"] and m.tolerance == 0.0
    assert [p.id for p in m.slice_metrics] == ["b-accuracy", "b-f1"]
    assert [p.values for p in m.leakage_association] == [("x", 0.9), ("c", 0.9)] and m.leakage_single == ()
    assert [p.values for p in m.stability] == [("parameters_finite", None), ("outputs_finite", None)]
    assert m.has_age and m.max_model_age_seconds == 7 * 86400
    assert m.quality[1].values[0].kwargs == {"average": "macro"} and m.setup.split.key == ("id",)
    assert m.setup.paths == ("../..",) and m.setup.training_data == "../../train.csv"
    files = render(plan)
    text = files["test_toy_model.py"]
    assert "def test_model_age" in text and "test_leakage_single_feature" not in text
    quality = text.split("def test_quality", 1)[0].rsplit("@pytest.mark.parametrize", 1)[1]
    assert "Bound(min=0.8, max=None), id='accuracy')" in quality  # the threshold shows where the test uses it
    assert "    entrypoints=Entrypoints(train='toy_model.sub:train', load='toy_model:load'" in text
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
    assert [p.values for p in m.quality] == [
        (Metric(name="accuracy", kwargs={}, entrypoint=None, greater_is_better=True), Bound(min=0.8, max=None)),
        (Metric(name="hits", kwargs={}, entrypoint="toy_model:hits", greater_is_better=False), Bound(min=0.7, max=None))]
    builtin = MODEL.replace("f1: {min: 0.7}", "f1: {min: 0.7, entrypoint: 'toy_model:f1'}")
    assert any("'f1' is built in" in e for e in _errors(tmp_path, BASE, builtin))


def test_beats_trivial_plan_render_and_location(tmp_path):
    m = build_plan(_write(tmp_path, BASE, MODEL, "  beats_trivial: {margin: {f1: 0.2, accuracy: 0.1}}\n")).model
    assert [(p.id, p.values[0].name, p.values[1]) for p in m.beats_trivial] == [("accuracy", "accuracy", 0.1),
                                                                                ("f1", "f1", 0.2)]
    text = render(build_plan(tmp_path / "spec.yaml"))["test_toy_model.py"]
    assert ("def test_beats_trivial(harness, metric, margin):\n"
            "    sgm.check_beats_trivial(harness, metric, margin)") in text
    assert "greater_is_better=True), 0.2, id='f1')," in text.split("def test_vs_serving", 1)[1]
    plain = build_plan(_write(tmp_path, BASE, MODEL)).model
    assert plain.beats_trivial == () and not plain.has_beats_trivial
    assert "test_beats_trivial" not in render(build_plan(tmp_path / "spec.yaml"))["test_toy_model.py"]
    line = len((BASE + MODEL).splitlines()) + 1  # the beats_trivial: line
    errors = _errors(tmp_path, BASE, MODEL, "  beats_trivial: {margin: {rmse: 1}}\n")
    assert errors == [f"{tmp_path / 'spec.yaml'}:{line}:3: model.beats_trivial: beats_trivial.margin names "
                      "['rmse'], which model.metrics does not list [SG103]"], errors


def test_old_baseline_key_is_located_and_names_its_new_key(tmp_path):
    """``baseline`` means only the committed data statistics; the trivial-model margin moved to beats_trivial."""
    line = len((BASE + MODEL).splitlines()) + 1
    errors = _errors(tmp_path, BASE, MODEL, "  baseline: {margin: {accuracy: 0.1}}\n")
    assert len(errors) == 1 and errors[0].startswith(f"{tmp_path / 'spec.yaml'}:{line}:3: model.baseline: "
                                                     "unknown key 'baseline'; did you mean 'beats_trivial'?"), errors
    assert errors[0].endswith("[SG101]"), errors


def test_user_metric_named_outputs_is_checked_apart_from_the_outputs_check(tmp_path):
    """A metric called ``outputs`` once shared the id ``test_reproducible[outputs]`` with the outputs check:
    pytest collected ``[outputs0]`` and ``[outputs1]``, and both compared the outputs, never the metric."""
    custom = MODEL.replace("f1: {min: 0.7}", "outputs: {min: 0.7, entrypoint: 'toy_model:outputs'}")
    files = render(build_plan(_write(tmp_path, BASE, custom)))
    out = tmp_path / "generated"
    out.mkdir()
    for rel, text in files.items():
        (out / rel).write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "test_toy_model.py"], cwd=out, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    ids = [line.split("::", 1)[1] for line in proc.stdout.splitlines() if "::" in line]
    assert proc.returncode == 0 and ids, proc.stdout + proc.stderr
    assert len(ids) == len(set(ids)), ids
    assert {"test_reproducible[accuracy]", "test_reproducible[outputs]", "test_reproducible_outputs"} <= set(ids)
    reproducible = files["test_toy_model.py"].split("def test_reproducible(", 1)[0].rsplit("parametrize", 1)[1]
    assert "Metric(name='outputs', kwargs={}, entrypoint='toy_model:outputs', greater_is_better=True), 0.0, " \
           "id='outputs')" in reproducible  # the metric itself is scored
