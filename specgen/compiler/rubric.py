"""The ML Test Score rubric (Breck et al. 2017): 28 tests, and which generated items cover each.

One entry per rubric test: its id, section, the paper's heading, and a rule that picks the
items covering it from what the compiled spec generates (``Catalog``: the test functions of the
rendered pytest modules, with their parametrized cases, and the alert rules). A rule finds
items only when the spec enabled them, so coverage follows the spec. A test no rule can cover
(a process, or something specgen does not generate yet) is ``manual`` when the spec's
``score.manual`` gives evidence, else ``missing``. A new generated suite covers a rubric test by
giving its entry a rule, e.g. ``covered_by=tests("infrastructure", "test_latency")``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .naming import camel as _camel  # the alert-name prefix, as the rule builders spell it

__all__ = ["RubricTest", "Catalog", "RUBRIC", "RUBRIC_IDS", "SECTIONS", "tests", "alerts", "cases", "every",
           "either", "nothing"]

SECTIONS = ("Data", "Model", "Infrastructure", "Monitoring")


@dataclass(frozen=True)
class Catalog:
    """What one compiled spec generates, as pytest node ids and alert names."""

    name: str
    #: ``test_<name>_<suite>.py::test_x`` -> its ``pytest.param(..., id=...)`` lines (empty: one unparametrized test)
    tests: dict[str, tuple[str, ...]] = field(default_factory=dict)
    alerts: tuple[str, ...] = ()  # alert rule names (``<Name>FeatureDrift``), once each, in file order

    def test_file(self, suite: str) -> str:
        return f"test_{self.name}_{suite}.py"


Rule = Callable[[Catalog], tuple[str, ...]]


def tests(suite: str, *functions: str) -> Rule:
    """The named test functions of ``test_<name>_<suite>.py`` that were generated."""
    def rule(catalog: Catalog) -> tuple[str, ...]:
        wanted = [f"{catalog.test_file(suite)}::{fn}" for fn in functions]
        return tuple(node for node in wanted if node in catalog.tests)
    return rule


def cases(suite: str, function: str, case: str) -> Rule:
    """One parametrized case (``test_dataset[extra_columns]``), when it was generated."""
    def rule(catalog: Catalog) -> tuple[str, ...]:
        node = f"{catalog.test_file(suite)}::{function}"
        ending = f"id={case!r}),"  # the id as the py filter writes it, the case's last argument
        found = any(line.rstrip().endswith(ending) for line in catalog.tests.get(node, ()))
        return (f"{node}[{case}]",) if found else ()
    return rule


def alerts(*suffixes: str) -> Rule:
    """Alert rules named ``<Name><suffix>`` (the name prefix comes from the spec name)."""
    def rule(catalog: Catalog) -> tuple[str, ...]:
        return tuple(a for a in catalog.alerts if any(a.endswith(s) for s in suffixes))
    return rule


def either(*rules: Rule) -> Rule:
    """Covered by whatever any of ``rules`` finds."""
    def rule(catalog: Catalog) -> tuple[str, ...]:
        return tuple(item for r in rules for item in r(catalog))
    return rule


def every(*rules: Rule) -> Rule:
    """Covered only when each of ``rules`` finds something (e.g. both halves of a quality gate)."""
    def rule(catalog: Catalog) -> tuple[str, ...]:
        found = [r(catalog) for r in rules]
        return tuple(item for items in found for item in items) if all(found) else ()
    return rule


def nothing(catalog: Catalog) -> tuple[str, ...]:
    """Process only, or not generated yet: manual evidence in the spec, or missing."""
    return ()


def live_outcomes(catalog: Catalog) -> tuple[str, ...]:
    """``specgen live``'s real-world metric alerts (``<Name>Outcome<Metric>Low|High``), watched next to the
    model's live metrics."""
    return tuple(a for a in catalog.alerts if f"{_camel(catalog.name)}Outcome" in a)


def live_quality(catalog: Catalog) -> tuple[str, ...]:
    """``specgen live``'s per-slice quality alerts (``<Name>Live<Metric>Low``) and its bias alerts."""
    prefix = f"{_camel(catalog.name)}Live"
    return tuple(a for a in catalog.alerts if a.startswith(prefix) and a.endswith(("Low", "High"))
                 and not a.endswith("LabelCoverageLow"))



@dataclass(frozen=True)
class RubricTest:
    id: str
    section: str
    title: str
    covered_by: Rule = nothing


RUBRIC: tuple[RubricTest, ...] = (
    RubricTest("D1", "Data", "Feature expectations are captured in a schema",
               tests("data", "test_feature", "test_distribution", "test_dataset", "test_schema_rejects")),
    RubricTest("D2", "Data", "All features are beneficial"),
    RubricTest("D3", "Data", "No feature's cost is too much"),
    RubricTest("D4", "Data", "Features adhere to meta-level requirements",
               either(cases("data", "test_dataset", "extra_columns"),
                      cases("data", "test_serving_dataset", "extra_columns"))),
    RubricTest("D5", "Data", "The data pipeline has appropriate privacy controls"),
    RubricTest("D6", "Data", "New features can be added quickly"),
    RubricTest("D7", "Data", "All input feature code is tested", tests("features", "test_transform_output")),
    RubricTest("M1", "Model", "Every model specification undergoes a code review and is checked in to a repository"),
    RubricTest("M2", "Model", "Offline proxy metrics correlate with actual online impact metrics",
               live_outcomes),
    RubricTest("M3", "Model", "All hyperparameters have been tuned"),
    RubricTest("M4", "Model", "The impact of model staleness is known"),
    RubricTest("M5", "Model", "A simpler model is not better", tests("model", "test_beats_trivial")),
    RubricTest("M6", "Model", "Model quality is sufficient on all important data slices",
               tests("model", "test_slice_rows", "test_slice")),
    RubricTest("M7", "Model", "The model has been tested for considerations of inclusion"),
    RubricTest("I1", "Infrastructure", "Training is reproducible",
               tests("model", "test_reproducible", "test_reproducible_outputs")),
    RubricTest("I2", "Infrastructure", "Model specification code is unit tested",
               either(tests("model", "test_ml_api_smoke"), tests("infrastructure", "test_training_step"))),
    RubricTest("I3", "Infrastructure", "The full ML pipeline is integration tested",
               tests("infrastructure", "test_pipeline_stage")),
    RubricTest("I4", "Infrastructure", "Model quality is validated before attempting to serve it",
               every(tests("model", "test_quality"), tests("model", "test_vs_serving"))),
    RubricTest("I5", "Infrastructure", "The model allows debugging by observing the step-by-step computation of "
                                       "training or inference on a single example"),
    RubricTest("I6", "Infrastructure", "Models are tested via a canary process before they enter production "
                                       "serving environments",
               either(alerts("CanaryRollBack"), tests("infrastructure", "test_serving_environment"))),
    RubricTest("I7", "Infrastructure", "Models can be quickly and safely rolled back to a previous serving version",
               tests("infrastructure", "test_rollback")),
    RubricTest("Mon1", "Monitoring", "Dependency changes result in notification",
               alerts("MonitorStale", "SchemaViolations")),  # upstream stopped, or changed its data
    RubricTest("Mon2", "Monitoring", "Data invariants hold in training and serving inputs",
               either(tests("data", "test_serving_feature", "test_serving_dataset"),
                      tests("features", "test_schema_skew"), alerts("SchemaViolations", "FeatureDrift"))),
    RubricTest("Mon3", "Monitoring", "Training and serving features compute the same values",
               either(tests("features", "test_feature_parity"), alerts("FeatureSkew"))),
    RubricTest("Mon4", "Monitoring", "Models are not too stale",
               either(tests("model", "test_model_age"), alerts("ModelTooOld"))),
    RubricTest("Mon5", "Monitoring", "The model is numerically stable",
               either(tests("model", "test_stability"), alerts("NonFiniteOutputs"))),
    RubricTest("Mon6", "Monitoring", "The model has not experienced a dramatic or slow-leak regression in training "
                                     "speed, serving latency, throughput, or RAM usage",
               either(tests("infrastructure", "test_latency", "test_batch_speed", "test_throughput", "test_vs_recorded",
                            "test_memory_peak", "test_memory_leak", "test_training_speed"),
                      alerts("LatencyP99High", "QpsLow", "ServingLatencyP50High", "ServingLatencyP95High",
                             "ServingQpsBelowTarget"))),
    RubricTest("Mon7", "Monitoring", "The model has not experienced a regression in prediction quality on served data",
               either(alerts("PredictionBias"), live_quality)),
)

RUBRIC_IDS: tuple[str, ...] = tuple(t.id for t in RUBRIC)
