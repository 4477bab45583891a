"""The generated feature and prediction suites, run by pytest in a subprocess on the penguins example.

They pass on the example's real transforms and cached predictions, and FAIL,
naming the feature, column or key at fault, for each injected fault: a serving
path that forgets to clip, a serving path with a stale mean, a one-hot row with
two ones, a z-score computed with the wrong mean, a serving table missing a
column or with a changed dtype, and a prediction file missing keys or holding a
NaN. Faults come in through the environment variables the generated suites
document (SPECGEN_TRANSFORM_*, SPECGEN_SERVING_DATA, SPECGEN_PREDICTIONS).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.helpers import FAULT_MODULES, copy_example, run_pytest_cases

SUITE = "generated/penguins"


def _copy(compiled_examples: Path, tmp: Path) -> Path:
    target = copy_example(compiled_examples, "penguins", tmp)
    shutil.copy(FAULT_MODULES / "penguins_features_faults.py", target)
    return target


def _variant(example: Path, source: str, filename: str, change) -> str:
    path = example / "data" / filename
    change(pd.read_csv(example / "data" / source)).to_csv(path, index=False)
    return str(path)


def _mass_as_text(frame):
    frame = frame.copy()
    frame["body_mass_g"] = frame["body_mass_g"].map(lambda v: f"{v:.0f} g" if v == v else None)
    return frame


def _drop_dream_predictions(frame):
    return frame.drop(frame.index[[3, 10, 20]]).query("penguin_id not in [91, 95]")


def _nan_probability(frame):
    frame = frame.copy()
    frame.loc[5, "p_Gentoo"] = np.nan
    return frame


def _runs(example: Path) -> dict:
    serving, preds = "serving.csv", "predictions.csv"
    return {
        "clean": ({}, ""),
        "serving_no_clip": ({"SPECGEN_TRANSFORM_SERVING": "penguins_features_faults:serving_forgets_to_clip"},
                            "test_penguins_features.py"),
        "serving_stale_mean": ({"SPECGEN_TRANSFORM_SERVING": "penguins_features_faults:serving_stale_mean"},
                               "test_penguins_features.py"),
        "two_ones": ({"SPECGEN_TRANSFORM_TRAINING": "penguins_features_faults:training_two_ones"},
                     "test_penguins_features.py"),
        "wrong_mean": ({"SPECGEN_TRANSFORM_TRAINING": "penguins_features_faults:training_wrong_mean"},
                       "test_penguins_features.py"),
        "missing_column": ({"SPECGEN_SERVING_DATA": _variant(
            example, serving, "no_flipper.csv", lambda f: f.drop(columns=["flipper_length_mm"]))},
            "test_penguins_features.py"),
        "changed_dtype": ({"SPECGEN_SERVING_DATA": _variant(example, serving, "mass_text.csv", _mass_as_text)},
                          "test_penguins_features.py"),
        "missing_keys": ({"SPECGEN_PREDICTIONS": _variant(example, preds, "preds_missing.csv",
                                                          _drop_dream_predictions)},
                         "test_penguins_predictions.py"),
        "nan_prediction": ({"SPECGEN_PREDICTIONS": _variant(example, preds, "preds_nan.csv", _nan_probability)},
                           "test_penguins_predictions.py"),
    }


@pytest.fixture(scope="module")
def results(tmp_path_factory, compiled_examples) -> dict:
    """Every run on the feature/prediction files: one process, a fresh pytest session each (``run_pytest_cases``)."""
    example = _copy(compiled_examples, tmp_path_factory.mktemp("features"))
    files = ["test_penguins_features.py", "test_penguins_predictions.py"]
    runs = run_pytest_cases({key: (env, [f"{SUITE}/{f}" for f in ([only] if only else files)])
                             for key, (env, only) in _runs(example).items()}, cwd=example)
    return {key: (run.returncode, run.failed, run.output) for key, run in runs.items()}


def test_correct_versions_pass(results):
    code, failed, output = results["clean"]
    assert code == 0 and not failed, output[-3000:]
    assert " passed" in output and "skipped" not in output, output[-500:]


# fault -> {test id that must fail: words its message must contain}
EXPECTED = {
    "serving_no_clip": {
        "test_feature_parity": "body_mass_clipped: ",
        "test_transform_output[serving-body_mass_clipped-range]": "outside [3000, 5800] (clip)",
    },
    "serving_stale_mean": {"test_feature_parity": "bill_length_z: 255 rows differ, max |diff| 0.3733"},
    "two_ones": {"test_transform_output[training-island_*-one_per_row]":
                 "'island_*': one-hot group ['island_Biscoe', 'island_Dream', 'island_Torgersen'] needs exactly one 1"},
    "wrong_mean": {"test_transform_output[training-bill_length_z-mean]": "'bill_length_z': z-score mean"},
    "missing_column": {"test_schema_skew[columns]": "missing from serving: ['flipper_length_mm']",
                       "test_schema_skew[serving_schema]": "flipper_length_mm: present"},
    "changed_dtype": {"test_schema_skew[dtypes]": "body_mass_g: training number (float64), serving text",
                      "test_schema_skew[serving_schema]": "body_mass_g: dtype"},
    "missing_keys": {"test_prediction_keys[covered]": "5 of 88 input rows have no prediction",
                     "test_slice_coverage[dream]": "slice 'dream': "},
    "nan_prediction": {"test_probabilities[range]": "p_Gentoo (1 rows)",
                       "test_probabilities[sum]": "do not sum to 1"},
}


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_fault_fails_naming_feature(results, fault):
    code, failed, output = results[fault]
    assert code == 1, output[-3000:]
    for test, words in EXPECTED[fault].items():
        assert test in failed, f"{test} did not fail ({sorted(failed)}):\n{output[-3000:]}"
        assert words in failed[test], failed[test]


def test_faults_leave_unrelated_features_passing(results):
    _, failed, output = results["serving_no_clip"]
    parity = failed["test_feature_parity"]
    assert "bill_length_z" not in parity and "island_" not in parity, parity
    assert set(failed) <= {"test_feature_parity", "test_transform_output[serving-body_mass_clipped-range]",
                           "test_transform_output[serving-body_mass_log-range]"}, sorted(failed)
    _, failed, _ = results["wrong_mean"]
    assert "test_transform_output[training-bill_length_z-std]" not in failed, sorted(failed)
    _, failed, _ = results["two_ones"]
    assert not any("sex_" in t for t in failed), sorted(failed)
