"""Unit tests of the monitoring pieces: escaping, summaries, exposition, determinism, isolation."""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specgen.compiler.monitoring import promql_string
from specgen.compiler.render import yaml_literal
from specgen.runtime.drift import NULL_KEY, bin_counts
from specgen.runtime.exposition import exposition
from specgen.runtime.monitor import FeatureResult, MonitorReport
from specgen.runtime.summary import FeatureSpec, reference_edges, summarize, summarize_frame
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_yaml_strings_round_trip_and_stay_on_one_line(text):
    rendered = yaml_literal(text)
    assert "\n" not in rendered and rendered.isascii()
    assert yaml.safe_load(f"key: {rendered}\nnext: 1\n") == {"key": text, "next": 1}


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_promql_strings_round_trip(text):
    # Go's escapes used here (\\ \" \xNN \uNNNN \UNNNNNNNN) read the same in Python
    literal = promql_string(text)
    assert literal.isascii()
    assert ast.literal_eval(literal) == text


@pytest.mark.parametrize("value, expected", [(1e-05, "1.0e-05"), (0.2, "0.2"), (3, "3"), (None, "null"),
                                             ([1.5, "a"], '[1.5, "a"]'), ({"k": True}, '{"k": true}')])
def test_yaml_literals(value, expected):
    assert yaml_literal(value) == expected
    assert yaml.safe_load(expected) == value


def test_yaml_literal_rejects_non_finite():
    with pytest.raises(ValueError):
        yaml_literal(float("nan"))


def test_polars_histogram_matches_drift_bin_counts():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(size=1000), [np.nan, np.inf, -np.inf, 5.0, -5.0]])
    edges, ties = reference_edges(rng.normal(size=500), 10, 1.0)
    assert ties == ()  # no value repeats: no tie bins
    got = summarize_frame(pl.DataFrame({"x": x}), [FeatureSpec("x", "numeric", edges)])["x"]
    assert got == bin_counts(x, edges)
    assert got.counts[0] >= 2 and got.counts[-1] >= 2 and got.nulls == 1


def test_summaries_merge_across_chunks():
    frame = pl.DataFrame({"x": [1.0, 2.0, None, 4.0, 9.0, 2.5], "c": ["a", "b", None, "a", "z", "a"]})
    specs = [FeatureSpec("x", "numeric", (1.0, 2.0, 4.0)), FeatureSpec("c", "categorical")]
    rows, merged = summarize([frame.slice(0, 2), frame.slice(2, 3), frame.slice(5)], specs)
    assert rows == 6
    assert merged == summarize_frame(frame, specs)
    assert merged["c"] == {"a": 3, "b": 1, "z": 1, NULL_KEY: 1}


def test_edges_are_rounded_and_deduplicated():
    edges, _ = reference_edges([1 / 3, 1 / 3 + 1e-12, 2 / 3, 1.0], 3, 0.27)
    assert edges == tuple(sorted(set(edges)))
    assert all(len(repr(e).replace("0.", "")) <= 10 for e in edges)


def test_exposition_escapes_label_values():
    result = FeatureResult('a"b\\c\nd', "numeric", "psi", 0.2, 0.5, {"psi": 0.5}, 0.0)
    report = MonitorReport("m", 10, 3, [], [result], finished_at=1700000000.0)
    text = exposition(report)
    assert 'specgen_m_feature_drift_psi{feature="a\\"b\\\\c\\nd"} 0.5' in text
    assert "specgen_m_last_success_timestamp_seconds 1700000000" in text
    assert "specgen_m_alarms 1" in text


def test_compile_is_deterministic(tmp_path):
    for i in (1, 2):
        dest = tmp_path / str(i)
        shutil.copytree(ROOT / "examples" / "penguins", dest, ignore=shutil.ignore_patterns("generated"))
        run_cli("compile", dest / "spec.yaml", cwd=ROOT, env={"PYTHONHASHSEED": str(i)}, expect=0)
    for name in ("penguins_monitoring.yaml", "penguins_alerts.yml", "penguins_alerts_test.yml"):
        one = (tmp_path / "1" / "generated" / "penguins" / name).read_bytes()
        assert one == (tmp_path / "2" / "generated" / "penguins" / name).read_bytes()
        assert one == (ROOT / "examples" / "penguins" / "generated" / "penguins" / name).read_bytes()


def test_monitor_runtime_does_not_import_the_compiler():
    code = ("import sys, specgen.runtime.monitor, specgen.runtime.exposition, specgen.runtime.baseline;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'click', 'pydantic')"
            " or m.startswith('specgen.compiler')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "[]"


def _spec(extra: str, task: str = "regression"):
    from specgen.compiler.spec import Spec

    text = ("spec_version: 1\nname: m\ndata: {training: t.csv, label: y}\nfeatures: {x: {dtype: float}}\n"
            "columns: {y: {dtype: float}}\n"
            f"model: {{task: {task}, train: 'm:train', load: 'm:load', metrics: {{{'r2' if task == 'regression' else 'accuracy'}: {{min: 0.1}}}}}}\n"
            f"monitoring: {{bins: 4{extra}}}\n")
    return Spec.model_validate(yaml.safe_load(text))


def test_prediction_drift_rules_per_task():
    from specgen.compiler.monitoring import monitoring_plan
    from specgen.runtime.contracts.constants import PREDICTION_OUTPUT, PROBA_PREFIX
    from specgen.runtime import model_outputs

    assert (PREDICTION_OUTPUT, PROBA_PREFIX) == (model_outputs.PREDICTION_OUTPUT, model_outputs.PROBA_PREFIX)
    regression = monitoring_plan(_spec(""))
    rules = [r for r in regression.rules if r.alert == "MPredictionDrift"]
    # the measure against the limit monitor held it to (threshold or noise floor, exported next to it)
    assert [r.expr for r in rules] == ['specgen_m_prediction_drift_wasserstein_normalized{output="prediction"} > '
                                      'specgen_m_prediction_drift_threshold{output="prediction"}']
    assert (regression.prediction_drift.metric, regression.prediction_drift.threshold) == (
        "wasserstein_normalized", 0.1)
    classifier = monitoring_plan(_spec(", prediction_drift: {categorical: {metric: psi, threshold: 0.4}}",
                                       "classification"))
    rules = [r.expr for r in classifier.rules if r.alert == "MPredictionDrift"]
    assert rules == ['specgen_m_prediction_drift_psi{output="prediction"} > '
                     'specgen_m_prediction_drift_threshold{output="prediction"}',
                     'specgen_m_prediction_drift_wasserstein_normalized{output=~"proba:.+"} > '
                     'specgen_m_prediction_drift_threshold{output=~"proba:.+"}']
    plan = classifier.prediction_drift
    assert (plan.threshold, plan.proba_metric, plan.proba_threshold) == (0.4, "wasserstein_normalized", 0.1)


def test_prediction_drift_needs_numbers_for_numbers_and_a_model():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="needs numbers"):
        _spec(", prediction_drift: {categorical: {metric: ks_statistic, threshold: 0.4}}", "classification")
    from specgen.compiler.spec import Spec

    with pytest.raises(ValidationError, match="needs a model section"):
        Spec.model_validate(yaml.safe_load(
            "spec_version: 1\nname: m\ndata: {training: t.csv}\nfeatures: {x: {dtype: float}}\n"
            "monitoring: {prediction_drift: {}}\n"))


def test_monitoring_config_round_trips_through_its_file():
    """The compiled config loads back into the contract the compiler built (monitor needs nothing else)."""
    import dataclasses

    from specgen.api import _spec_and_plan
    from specgen.compiler import baseline as baseline_mod
    from specgen.compiler.monitoring import monitoring_config
    from specgen.runtime.monitor import load_config

    spec_path = ROOT / "examples" / "penguins" / "spec.yaml"
    spec, plan = _spec_and_plan(spec_path)
    built = monitoring_config(plan, baseline_mod.read(baseline_mod.baseline_path(spec_path, spec.name)))
    loaded = load_config(plan.out_dir / plan.monitoring.config_file)
    assert loaded.check_data == built.check_data and len(loaded.checks) == len(plan.checks("serving"))
    assert dataclasses.replace(loaded, checks=()) == dataclasses.replace(built, checks=())
    assert loaded.model is not None and loaded.prediction_drift.source == "model"


def test_check_params_round_trip_dates():
    import datetime as dt

    from specgen.runtime.contracts.monitoring import decode_params, encode_params

    params = {"min": dt.datetime(2024, 1, 2, 3, 4), "max": dt.date(2025, 1, 1), "values": (1, "a"),
              "shares": {"__specgen_date__": 0.5}}
    encoded = encode_params(params)
    assert yaml.safe_load(yaml_literal(encoded)) == encoded
    assert decode_params(encoded) == {**params, "values": [1, "a"]}


def test_metric_names_come_from_one_function():
    from specgen.runtime.contracts.metric_names import metric_name

    assert metric_name("fares", "feature_drift", "psi") == "specgen_fares_feature_drift_psi"
    assert metric_name("fares", "last_success_timestamp_seconds") == "specgen_fares_last_success_timestamp_seconds"
    with pytest.raises(ValueError):
        metric_name("fares", "feature_drift")  # a measured family needs its measure
    with pytest.raises(ValueError):
        metric_name("fares", "no_such_family")
    sources = [ROOT / "specgen" / "compiler" / "monitoring.py", ROOT / "specgen" / "runtime" / "exposition.py"]
    for path in sources:  # no second naming scheme hidden in an f-string
        assert "specgen_{" not in path.read_text()


def test_an_absent_model_output_says_absent_once_and_is_not_judged():
    from types import SimpleNamespace

    from specgen.runtime.monitor import _absent_output_note

    note = _absent_output_note(SimpleNamespace(model_skipped=None, output_source="model"))
    assert note == "absent from the model outputs (source: model)"  # was "absent: absent from the ..."
    assert _absent_output_note(SimpleNamespace(model_skipped=None, output_source=None)).startswith("absent: no ")
    skipped = SimpleNamespace(model_skipped="the model was not run: x", output_source=None)
    assert _absent_output_note(skipped) == "absent: the model was not run: x"
    result = FeatureResult("proba", "numeric", "psi", 0.2, None, {}, note=note)
    assert not result.alarm  # an absent output is the schema check's finding, not a drift alarm


def test_values_equal_in_their_first_digits_give_one_zero_width_bin():
    """64-bit ids 7,919 apart round to one edge (``SIGNIFICANT_DIGITS``): [e, e], as for a constant."""
    ids = np.array([1441455612345678901 + i * 7919 for i in range(200)], dtype=np.float64)
    edges, ties = reference_edges(ids, 10, ids.std())
    assert len(edges) == 2 and edges[0] == edges[1] and ties == ()
    assert reference_edges(np.full(50, 3.0), 10, 0.0) == ((3.0, 3.0), ())
