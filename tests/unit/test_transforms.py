"""The transforms and predictions sections: spec errors located, plans as data, runtime checks on small frames."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from specgen.api import build_plan, load_spec
from specgen.compiler.render import render
from specgen.errors import SpecError
from specgen.runtime import features as sgf
from specgen.runtime import predictions as sgp
from specgen.runtime.contracts.features import TransformEntrypoints, TransformOutput
from specgen.runtime.contracts.predictions import PredictionColumn, PredictionsSetup, SliceFilter

BASE = """\
spec_version: 1
name: toy
data: {training: train.csv, serving: serving.csv, label: y, key: [id]}
features:
  x: {dtype: float, range: [0, 10]}
  c: {dtype: category, values: [a, b]}
columns:
  id: {dtype: int}
  y: {dtype: category, values: ["no", "yes"]}
"""
TRANSFORMS = """\
transforms:
  when: before_training
  entrypoint: toy_features:transform
  serving_entrypoint: toy_features:serve
  outputs:
    c_*: {kind: onehot}
    x_z: {kind: zscore}
    x_clip: {kind: clip, range: [1, 9]}
    x_bucket: {kind: bucketize, buckets: 3}
"""
PREDICTIONS = """\
predictions:
  path: predictions.csv
  columns: {y_pred: {values: ["no", "yes"]}}
  probabilities: [p_no, p_yes]
"""


def _write(tmp_path, *parts):
    path = tmp_path / "spec.yaml"
    path.write_text("".join(parts))
    return path


def _errors(tmp_path, *parts) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(_write(tmp_path, *parts))
    return [str(d) for d in info.value.diagnostics]


@pytest.mark.parametrize("section, expected", [
    (TRANSFORMS.replace("before_training", "at_lunch"), "transforms.when: Input should be 'before_training' or"),
    (TRANSFORMS.replace("{kind: clip, range: [1, 9]}", "{kind: clip}"), "kind clip needs range"),
    (TRANSFORMS.replace("buckets: 3", "range: [0, 3]"), "kind bucketize needs buckets"),
    (TRANSFORMS.replace("{kind: zscore}", "{kind: zscore, buckets: 2}"), "buckets is for kind bucketize"),
    (TRANSFORMS.replace("{kind: zscore}", "{kind: zscore, range: [0, 1]}"), "range is for kinds clip, range"),
    (TRANSFORMS.replace("x_z: {kind: zscore}", "x_*: {kind: zscore}"), "glob patterns name onehot groups only"),
    (TRANSFORMS.replace("{kind: zscore}", "{kind: zscor}"), "transforms.outputs.x_z.kind"),
    (TRANSFORMS.replace("toy_features:transform\n", "toy_features.transform\n"), "String should match pattern"),
    (TRANSFORMS.replace("[1, 9]", "[9, 1]"), "lower bound 9 is above upper bound 1"),
    (TRANSFORMS + "  tolerence: 0.1\n", "unknown key 'tolerence'; did you mean 'tolerance'?"),
    (PREDICTIONS.replace("predictions.csv", "predictions.json"), "data must be a .csv, .csv.gz, .csv.zst or .parquet file"),
    (PREDICTIONS + "  rare_slices: [night]\n", "rare_slices names ['night'], which slices does not define"),
    (PREDICTIONS + "  key: [nope]\n", "predictions.key names undeclared columns ['nope']"),
    (PREDICTIONS.replace("probabilities: [p_no, p_yes]", "probabilities: [y_pred]"), "both as prediction columns"),
    (PREDICTIONS.replace('{values: ["no", "yes"]}', '{values: [a], range: [0, 1]}'), "not both"),
    ("inference: {mode: online}\n" + PREDICTIONS, "set inference.mode: batch"),
])
def test_mistakes_are_reported_with_location(tmp_path, section, expected):
    errors = _errors(tmp_path, BASE, section)
    assert any(expected in e for e in errors), errors
    assert all(e.startswith(str(tmp_path / "spec.yaml") + ":") and "[SG1" in e for e in errors), errors


def test_error_points_at_the_output_line(tmp_path):
    errors = _errors(tmp_path, BASE, TRANSFORMS.replace("{kind: clip, range: [1, 9]}", "{kind: clip}"))
    line = (BASE + TRANSFORMS).splitlines().index("    x_clip: {kind: clip, range: [1, 9]}") + 1
    assert any(e.startswith(f"{tmp_path / 'spec.yaml'}:{line}:") for e in errors), errors


def test_plan_cases_and_render(tmp_path):
    plan = build_plan(_write(tmp_path, BASE, TRANSFORMS, PREDICTIONS))
    f, p = plan.features, plan.predictions
    training = [c.id for c in f.output_params if c.values[0] == "training"]
    assert training[:4] == ["training-c_*-present", "training-c_*-finite", "training-c_*-binary",
                            "training-c_*-one_per_row"]
    assert "training-x_z-mean" in training and "serving-x_z-mean" not in [c.id for c in f.output_params]
    assert "serving-x_clip-range" in [c.id for c in f.output_params]
    assert f.has_parity and f.skew_checks == ("columns", "dtypes", "serving_schema")
    clip = {c.id: c.values[1] for c in f.output_params}["training-x_clip-range"]
    assert clip == TransformOutput(name="x_clip", kind="clip", min=1.0, max=9.0, buckets=None, tolerance=None)
    assert p.setup.key == ("id",) and p.setup.inputs == "../../serving.csv"
    assert [c.id for c in p.column_params] == ["y_pred-complete", "y_pred-bounds"]
    assert [r.idea for r in plan.seed_ideas] == ["transform timing", "training mode", "inference mode"]
    files = render(plan)
    assert "test_toy_features.py" in files and "test_toy_predictions.py" in files
    assert ("pytest.param('training', TransformOutput(name='c_*', kind='onehot', min=None, max=None, buckets=None, "
            "tolerance=None), 'one_per_row', id='training-c_*-one_per_row')") in files["test_toy_features.py"]
    assert "| transform timing | `before_training` |" in files["README.md"]
    assert render(build_plan(tmp_path / "spec.yaml")) == files


def test_without_serving_path_or_data(tmp_path):
    base = BASE.replace("serving: serving.csv, ", "")
    plan = build_plan(_write(tmp_path, base, TRANSFORMS.replace("  serving_entrypoint: toy_features:serve\n", "")
                             .replace("before_training", "during_training")))
    assert not plan.features.has_parity and not plan.features.has_schema_skew
    assert all(c.values[0] == "training" for c in plan.features.output_params)
    text = render(plan)["test_toy_features.py"]
    assert "test_feature_parity" not in text and "test_schema_skew" not in text
    assert "same transform runs inside training and serving" in plan.seed_ideas[0].why


def test_during_training_checks_the_one_transform_on_serving_data(tmp_path):
    only = TRANSFORMS.replace("  serving_entrypoint: toy_features:serve\n", "")
    during = build_plan(_write(tmp_path, BASE, only.replace("before_training", "during_training"))).features
    assert during.setup.entrypoints == TransformEntrypoints(training="toy_features:transform",
                                                            serving="toy_features:transform")
    assert "serving-x_clip-range" in [c.id for c in during.output_params] and not during.has_parity
    before = build_plan(_write(tmp_path, BASE, only)).features
    assert before.setup.entrypoints.serving is None
    assert all(c.values[0] == "training" for c in before.output_params) and before.has_schema_skew


def test_sections_absent_render_nothing_new(tmp_path):
    plan = build_plan(_write(tmp_path, BASE))
    files = render(plan)
    assert plan.features is None and plan.predictions is None
    assert not any("features" in n or "predictions" in n for n in files)
    assert "How the spec's modes" not in files["README.md"]


# -- runtime --------------------------------------------------------------------------------

class _Fx(sgf.Features):
    def __init__(self, frames: dict):
        self._outputs = frames


def _fx(frame):
    return _Fx({"training": frame})


def _out(name: str, kind: str, min=None, max=None, buckets=None, tolerance=None) -> TransformOutput:
    return TransformOutput(name=name, kind=kind, min=min, max=max, buckets=buckets, tolerance=tolerance)


def test_onehot_checks_name_the_group():
    good = pd.DataFrame({"c_a": [1, 0, 0], "c_b": [0, 1, 1]})
    onehot = _out("c_*", "onehot")
    fx = _fx(good)
    for check in ("present", "finite", "binary", "one_per_row"):
        sgf.check_output(fx, "training", onehot, check)
    bad = _fx(good.assign(c_a=[1, 1, 0]))
    with pytest.raises(AssertionError, match=r"'c_\*': one-hot group \['c_a', 'c_b'\] .*row 1: 2 ones"):
        sgf.check_output(bad, "training", onehot, "one_per_row")
    with pytest.raises(AssertionError, match="c_b holds values other than 0 and 1"):
        sgf.check_output(_fx(good.assign(c_b=[0, 2, 1])), "training", onehot, "binary")
    with pytest.raises(AssertionError, match="output 'd_\\*' is missing"):
        sgf.check_output(_fx(good), "training", _out("d_*", "onehot"), "present")


def test_numeric_checks():
    z = (np.arange(50.0) - 24.5) / np.arange(50.0).std(ddof=1)
    frame = pd.DataFrame({"z": z, "clip": np.linspace(0, 1, 50), "b": np.arange(50) % 4})
    zs, clip, b = _out("z", "zscore", tolerance=0.01), _out("clip", "clip", min=0, max=1), _out("b", "bucketize",
                                                                                                   buckets=4)
    fx = _fx(frame)
    for output, check in ((zs, "mean"), (zs, "std"), (clip, "range"), (b, "buckets"), (None, "finite")):
        sgf.check_output(fx, "training", output, check)
    shifted = _fx(frame.assign(z=z + 0.5))
    with pytest.raises(AssertionError, match="'z': z-score mean on the training data is 0.5, not 0"):
        sgf.check_output(shifted, "training", zs, "mean")
    with pytest.raises(AssertionError, match=r"clip is outside \[0, 1\] \(clip\) in 1 rows \(row 3: 2\)"):
        sgf.check_output(_fx(frame.assign(clip=[0, 0, 0, 2.0] + [0] * 46)), "training", clip, "range")
    with pytest.raises(AssertionError, match=r"b is not an integer bucket in \[0, 4\)"):
        sgf.check_output(_fx(frame.assign(b=frame.b + 1)), "training", b, "buckets")
    with pytest.raises(AssertionError, match="z has 1 NaN"):
        sgf.check_output(_fx(frame.assign(z=[np.nan] + list(z[1:]))), "training", None, "finite")


def test_parity_names_features_and_gap():
    a = pd.DataFrame({"x": [1.0, 2.0, 3.0], "s": ["a", "b", "c"], "n": [np.nan, 1.0, 2.0]})
    b = a.assign(x=[1.0, 2.5, 3.0], s=["a", "b", "d"])
    fx = _Fx({})
    fx.__dict__["parity_outputs"], fx.__dict__["inputs"] = (a, b), a
    with pytest.raises(AssertionError) as info:
        sgf.check_parity(fx, tolerance=1e-9)
    message = str(info.value)
    assert "x: 1 rows differ, max |diff| 0.5" in message and "s: 1 rows differ (row 2: training 'c', serving 'd')" in message
    assert "n:" not in message
    fx.__dict__["parity_outputs"] = (a, a.drop(columns=["n"]))
    with pytest.raises(AssertionError, match=r"missing from the serving path: \['n'\]"):
        sgf.check_parity(fx, tolerance=1e-9)


def test_coarse_dtype():
    assert sgf.coarse_dtype(pd.Series([1, None], dtype="float64")) == sgf.coarse_dtype(pd.Series([1, 2])) == "number"
    assert sgf.coarse_dtype(pd.Series(["a"])) == "text" and sgf.coarse_dtype(pd.Series([True])) == "bool"


def _batch(table, inputs):
    p = sgp.Predictions(PredictionsSetup(name="toy", path="p.csv", inputs="i.csv", key=("id",), dtypes={}), ".")
    p.__dict__["table"], p.__dict__["inputs"] = table, inputs
    return p


Y = PredictionColumn(name="y", min=0, max=1, values=None)
PROBABILITIES = {"columns": ("p0", "p1"), "tolerance": 1e-6}


def test_prediction_checks():
    inputs = pd.DataFrame({"id": [1, 2, 3], "g": ["a", "b", "b"]})
    table = pd.DataFrame({"id": [1, 2, 3], "y": [0.1, 0.5, 0.9], "p0": [0.9, 0.5, 0.1], "p1": [0.1, 0.5, 0.9]})
    bs = SliceFilter(where=None, column="g", value="b")
    ok = _batch(table, inputs)
    for check in ("covered", "unique", "known"):
        sgp.check_keys(ok, check)
    sgp.check_column(ok, Y, "complete"), sgp.check_column(ok, Y, "bounds")
    sgp.check_probabilities(ok, "range", **PROBABILITIES), sgp.check_probabilities(ok, "sum", **PROBABILITIES)
    sgp.check_slice_coverage(ok, "bs", bs)
    short = _batch(table.iloc[:2], inputs)
    with pytest.raises(AssertionError, match=r"1 of 3 input rows have no prediction; missing keys \['id'\]: 3"):
        sgp.check_keys(short, "covered")
    with pytest.raises(AssertionError, match=r"slice 'bs': 1 of 2 rows have no prediction \(50.0% covered\)"):
        sgp.check_slice_coverage(short, "bs", bs)
    with pytest.raises(AssertionError, match="1 duplicate prediction keys"):
        sgp.check_keys(_batch(pd.concat([table, table.iloc[:1]]), inputs), "unique")
    nan = _batch(table.assign(y=[0.1, np.nan, 2.0]), inputs)
    with pytest.raises(AssertionError, match="'y' has 1 missing or non-finite values .* keys 2"):
        sgp.check_column(nan, Y, "complete")
    with pytest.raises(AssertionError, match=r"1 values outside \[0, 1\] \(3: 2.0\)"):
        sgp.check_column(nan, Y, "bounds")
    with pytest.raises(AssertionError, match="do not sum to 1"):
        sgp.check_probabilities(_batch(table.assign(p1=[0.2, 0.5, 0.9]), inputs), "sum", **PROBABILITIES)


def test_hostile_names_stay_literals(tmp_path):
    import ast

    hostile = "x'\\\"); import os #"
    section = TRANSFORMS.replace("x_clip:", f"'{hostile.replace(chr(39), chr(39) * 2)}':")
    preds = PREDICTIONS.replace("y_pred:", '"p\\nred\\"); os.system(1) #":')
    files = render(build_plan(_write(tmp_path, BASE, section, preds)))
    for name in ("test_toy_features.py", "test_toy_predictions.py"):
        tree = ast.parse(files[name])
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "system"]
        assert not calls, name
    tree = ast.parse(files["test_toy_features.py"])
    names = [kw.value.value for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") ==
             "TransformOutput" for kw in n.keywords if kw.arg == "name"]
    assert hostile in names
    assert """id='p?red"); os.system(1) #-complete'""" in files["test_toy_predictions.py"]
