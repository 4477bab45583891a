"""The penguins example's generated model suite, run by pytest on its real model with injected faults.

It FAILS, naming the cause in the test id and message, for each fault: shuffled labels, a candidate much
worse than the serving model, a candidate no better than always predicting the majority class, a model
that ignores the seed, a NaN weight, a leaked label copy in the data, a slice where the model is poor and
a slice too small to judge. Faults come in through the environment variables the generated suite
documents (SPECGEN_MODEL_*, SPECGEN_TRAINING_DATA) and through penguins_faults.py, copied next to a
temporary copy of the example. Every run is a fresh pytest session; they share one process
(``tests.helpers.run_pytest_cases``). That the unchanged suites pass: test_examples_pass.py; the diabetes
faults: test_model_faults_diabetes.py.
"""
from __future__ import annotations

import pytest

from tests.helpers import copy_with_faults, data_variant, run_pytest_cases

MODEL_SUITE = "generated/penguins/test_penguins_model.py"


def _leak_species_into_island(frame):
    frame = frame.copy()
    frame["island"] = frame["species"].map({"Adelie": "Torgersen", "Chinstrap": "Dream", "Gentoo": "Biscoe"})
    return frame


def _few_dream_rows(frame):
    dream = frame.index[frame["island"] == "Dream"]
    return frame.drop(dream[10:])


# fault -> (environment, {test id that must fail: words its message must contain})
PENGUIN_FAULTS = {
    "shuffled_labels": ({"SPECGEN_MODEL_TRAIN": "penguins_faults:train_shuffled_labels"},
                        {"test_quality[accuracy]": "slow degradation", "test_quality[f1]": "below the minimum"}),
    "worse_than_serving": ({"SPECGEN_MODEL_TRAIN": "penguins_faults:train_blind_to_bill_length"},
                           {"test_vs_serving[accuracy]": "sudden degradation",
                            "test_vs_serving[f1]": "max_drop 0.05"}),
    "ignores_seed": ({"SPECGEN_MODEL_TRAIN": "penguins_faults:train_ignores_seed"},
                     {"test_reproducible_outputs": "not reproducible"}),
    "nan_weight": ({"SPECGEN_MODEL_TRAIN": "penguins_faults:train_nan_weight"},
                   {"test_stability[parameters_finite]": "classifier.coef_ has 1",
                    "test_stability[outputs_finite]": "non-finite"}),
    "poor_slice": ({"SPECGEN_MODEL_ADAPTER": "penguins_faults:adapter_poor_on_dream"},
                   {"test_slice[dream-accuracy]": "slice 'dream': accuracy"}),
    "majority_class": ({"SPECGEN_MODEL_TRAIN": "penguins_faults:train_majority_class"},
                       {"test_beats_trivial[accuracy]": "vs majority-class model 0.4368",
                        "test_beats_trivial[log_loss]": "a simpler model is as good"}),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory, compiled_examples) -> dict:
    """Every run this module checks: the whole model module under each fault, and the real model's
    beats-trivial tests; one process, a fresh pytest session each."""
    penguins = copy_with_faults(compiled_examples, "penguins", tmp_path_factory.mktemp("e2e"))
    cases = {fault: (env, [MODEL_SUITE]) for fault, (env, _) in PENGUIN_FAULTS.items()}
    cases["leaked_label"] = ({"SPECGEN_TRAINING_DATA": data_variant(penguins, "leaked.csv",
                                                                    _leak_species_into_island)}, [MODEL_SUITE])
    cases["small_slice"] = ({"SPECGEN_TRAINING_DATA": data_variant(penguins, "few_dream.csv", _few_dream_rows)},
                            [MODEL_SUITE])
    cases["penguins_trivial"] = ({}, [f"{MODEL_SUITE}::test_beats_trivial"])
    return run_pytest_cases(cases, cwd=penguins)


def test_real_model_beats_the_trivial_model_that_the_majority_class_fault_does_not(results):
    """The same test ids ran on the real penguin model (and passed there) and fail on the trivial one."""
    majority = results["majority_class"]
    assert "gain of 0 < margin 0.3" in majority.failed["test_beats_trivial[accuracy]"], majority.output[-3000:]
    trivial = results["penguins_trivial"]
    assert trivial.returncode == 0 and not trivial.failed and "2 passed" in trivial.output, trivial.output[-3000:]


@pytest.mark.parametrize("fault", sorted(PENGUIN_FAULTS))
def test_penguin_fault_fails_naming_cause(results, fault):
    _, expected = PENGUIN_FAULTS[fault]
    run = results[fault]
    assert run.returncode == 1, run.output[-3000:]
    for test, words in expected.items():
        assert test in run.failed, f"{test} did not fail:\n{run.output[-3000:]}"
        assert words in run.failed[test], run.failed[test]


def test_poor_slice_leaves_other_slices_passing(results):
    run = results["poor_slice"]
    assert "test_slice[heavy-accuracy]" not in run.failed and "test_slice_rows[dream]" not in run.failed, \
        run.output[-3000:]


def test_leaked_label_copy_fails_naming_feature(results):
    run = results["leaked_label"]
    assert run.returncode == 1, run.output[-3000:]
    assert "label leakage: feature 'island'" in run.failed["test_leakage_association[island]"]
    assert "accuracy of a model using only this feature = 1" in run.failed["test_leakage_single_feature[island]"]
    assert not any(t.startswith("test_leakage") and "[island]" not in t for t in run.failed), sorted(run.failed)


def test_small_slice_fails_instead_of_passing_vacuously(results):
    run = results["small_slice"]
    assert run.returncode == 1, run.output[-3000:]
    assert "fewer than min_rows 20" in run.failed["test_slice_rows[dream]"]
    assert "fewer than min_rows 20" in run.failed["test_slice[dream-accuracy]"]
