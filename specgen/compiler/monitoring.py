"""Plan the monitoring outputs: which features are monitored how, the alert rules and their tests.

Everything the three monitoring templates print is computed here. Names from
the spec never reach PromQL raw: a feature name becomes a PromQL string literal
through :func:`promql_string` (every quote, backslash and non-printable
character escaped), and the whole expression then reaches YAML through the
``yaml`` filter. Rule labels and annotations are Go templates in Prometheus, so
no column or class name ever lands in them: an alert inherits ``feature`` (or
``class``) from its series, and annotations mention it as ``{{ $labels.feature }}``.
Metric names come from ``runtime.contracts.metric_names.metric_name``, the
function ``specgen monitor``'s exposition uses.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from ..runtime import time_bins
from ..runtime.contracts import monitoring as contract
from ..runtime.contracts.constants import PREDICTION_OUTPUT, PROBA_PREFIX
from ..runtime.contracts.model import ModelSetup
from ..runtime.contracts.metric_names import metric_name
from .naming import camel as _camel
from ..runtime.contracts.timings import ServingTimings
from .spec import POSITIONAL_MEASURES, Measure, Spec, parse_duration
from .timings_plan import serving_timings, timing_rules

__all__ = ["MonitoringPlan", "MonitoredFeature", "PredictionDriftPlan", "Rule", "RuleTest", "monitoring_plan",
           "monitoring_config", "promql_string", "bias_classes", "SEVERITY"]

SEVERITY = {"page": "critical", "ticket": "warning"}
_NUMERIC = ("float", "int")
_CATEGORICAL = ("category", "bool")


@dataclass(frozen=True)
class MonitoredFeature:
    name: str
    kind: str  # numeric | categorical
    dtype: str
    bins: int
    drift_metric: str
    drift_threshold: float
    skew_metric: str
    skew_threshold: float
    #: a datetime's hour, weekday or recency (runtime.time_bins): {column, unit, zone}; None for a plain column
    time_bins: dict | None = field(default=None, hash=False)




@dataclass(frozen=True)
class PredictionDriftPlan:
    """Drift of the model's outputs: ``predict`` (a class or a number), and class probabilities.

    The baseline is the serving model (``model.load``) run on the training data, or the
    prediction column when the training data carries one; ``specgen monitor`` reads the
    batch's prediction column when present, and runs the model otherwise.
    """

    task: str
    kind: str  # of the predict output: categorical (classification) | numeric (regression)
    metric: str
    threshold: float
    proba_metric: str  # class probabilities are numbers
    proba_threshold: float
    bins: int
    column: str | None  # the prediction column (monitoring.prediction.column)
    has_load: bool


@dataclass(frozen=True)
class Rule:
    alert: str
    expr: str
    for_: str
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ExpectedAlert:
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RuleTest:
    """One ``promtool test rules`` case: series in, one alert evaluated, expected alerts out."""

    name: str
    series: tuple[tuple[str, str], ...]  # (series selector, values in promtool's expanding notation)
    eval_time: str
    alert: str
    expected: tuple[ExpectedAlert, ...]


@dataclass(frozen=True)
class MonitoringPlan:
    config_file: str
    alerts_file: str
    alerts_test_file: str
    features: tuple[MonitoredFeature, ...]
    stale_after_seconds: int
    max_model_age_seconds: int | None
    prediction_column: str | None
    max_bias: float | None
    rules: tuple[Rule, ...]
    tests: tuple[RuleTest, ...]
    prediction_drift: PredictionDriftPlan | None = None
    group_name: str = ""  # the Prometheus rule group
    #: classifier bias: the label's declared classes (the bounded ``class`` label); None: numeric bias
    bias_classes: tuple[str, ...] | None = None
    example_metric: str = ""  # one exported metric's name, for the generated README
    alpha: float = contract.DEFAULT_ALPHA  # a clean batch's chance of a drift alarm (sets the noise floors)
    exporter: str = "specgen monitor"  # the command whose metrics the rules read
    serving_timings: ServingTimings | None = None  # per-request timing columns and their targets (timings_plan)


def promql_string(text: str) -> str:
    """A double-quoted PromQL string literal whose value is exactly ``text`` (Go escape rules)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFF:
            out.append(f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}")
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def _num(value: float) -> str:
    return repr(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def monitoring_plan(spec: Spec) -> MonitoringPlan | None:
    mon = spec.monitoring
    if mon is None:
        return None
    features = tuple(_features(spec))
    max_age = None
    if spec.training.mode == "dynamic" and spec.training.max_model_age:
        max_age = parse_duration(spec.training.max_model_age)
    drift_plan = _prediction_drift(spec)
    classes = bias_classes(spec)
    builder = _RuleBuilder(spec)
    builder.build(features, max_age, drift_plan, classes)
    timings = serving_timings(spec)
    timing_rules(builder, timings)
    return MonitoringPlan(
        config_file=f"{spec.name}_monitoring.yaml",
        alerts_file=f"{spec.name}_alerts.yml",
        alerts_test_file=f"{spec.name}_alerts_test.yml",
        features=features,
        stale_after_seconds=parse_duration(mon.stale_after),
        max_model_age_seconds=max_age,
        prediction_column=mon.prediction.column if mon.prediction else None,
        max_bias=mon.prediction.max_bias if mon.prediction else None,
        rules=tuple(builder.rules),
        tests=tuple(builder.tests),
        prediction_drift=drift_plan,
        group_name=f"specgen-{spec.name}",
        bias_classes=classes,
        example_metric=metric_name(spec.name, "last_success_timestamp_seconds"),
        alpha=mon.alpha,
        serving_timings=timings,
    )


def bias_classes(spec: Spec) -> tuple[str, ...] | None:
    """The classes of a classifier's label, when prediction bias is per class.

    A label declared with a closed set of values (``category`` or ``bool``) makes the
    prediction column a column of class labels: bias is then the share predicted as each
    class minus the share labelled with it. The declared set bounds the ``class`` label
    of the exported gauge (values outside it are counted as one class, ``runtime.monitor.OTHER_CLASS``).
    Any other label keeps the numeric bias (mean prediction - mean label).
    """
    prediction = spec.monitoring.prediction
    label = spec.data.label
    if prediction is None or label is None:
        return None
    column = spec.features.get(label) or spec.columns.get(label)
    if column is None:
        return None
    if column.dtype == "category":
        return tuple(str(v) for v in column.values)
    if column.dtype == "bool":
        return ("false", "true")  # polars' string form of a boolean
    return None


def _prediction_drift(spec: Spec) -> PredictionDriftPlan | None:
    """Needs a model and a source of training-time predictions (the serving model, or a prediction column)."""
    mon, model = spec.monitoring, spec.model
    column = mon.prediction.column if mon.prediction else None
    if model is None or (model.load is None and column is None):
        return None
    settings = mon.prediction_drift or mon.drift
    kind = "categorical" if model.task == "classification" else "numeric"
    chosen = settings.categorical if kind == "categorical" else settings.numeric
    return PredictionDriftPlan(model.task, kind, chosen.metric, chosen.threshold, settings.numeric.metric,
                               settings.numeric.threshold, mon.bins, column, model.load is not None)


def _monitored(spec: Spec):
    """The features, then the label: a batch that carries the label (joined later) has its label
    distribution compared like a feature's (label shift); a batch without it skips it."""
    yield from spec.features.items()
    label = spec.data.label
    if label is not None and label not in spec.features and label in spec.columns:
        yield label, spec.columns[label]


def _features(spec: Spec):
    """Features (and the label) with a training baseline and a distribution to compare: numbers and categories."""
    mon = spec.monitoring
    for name, feature in _monitored(spec):
        override = feature.monitoring
        if (override is not None and not override.enabled) or "training" not in feature.environments:
            continue
        if feature.dtype == "datetime":
            yield from _time_binned(spec, name, feature)
            continue
        if feature.dtype in _NUMERIC:
            kind, drift = "numeric", mon.drift.numeric
        elif feature.dtype in _CATEGORICAL:
            kind, drift = "categorical", mon.drift.categorical
        else:
            continue  # free text has no stable bins to compare
        skew = mon.skew
        bins = mon.bins
        if override is not None:
            drift = override.drift or drift
            skew = override.skew or skew
            bins = override.bins or bins
        if kind == "categorical" and skew.metric in ("wasserstein_normalized", "ks_statistic"):
            skew = Measure(metric="linf", threshold=skew.threshold)
        yield MonitoredFeature(name, kind, feature.dtype, bins, drift.metric, drift.threshold,
                               skew.metric, skew.threshold)


#: recency's drift measure unless the feature overrides it. Not the numeric default: ages binned on the
#: training's quantiles spread evenly, and a tail moved months back leaves most bins' counts as they were
#: (each bin loses rows to the next and gains as many from the one before), so a binned positional
#: measure sees only the ends (Wasserstein 0.13 against a 0.19 noise floor for a 30 % one-year backfill
#: of the Seattle weather test); PSI weighs the rows older than any training row, its new overflow bucket
#: (0.34-0.53 on that backfill, 0.02-0.04 on clean splits: tests/e2e/test_recency_drift.py).
RECENCY_DRIFT = Measure(metric="psi", threshold=0.2)


def _time_binned(spec: Spec, name: str, feature):
    """A datetime feature's hour of day and weekday (categories) and recency (a number), the units its
    ``monitoring.time_bins`` lists (default ``time_bins.DEFAULT_UNITS``), as features of their own
    (``runtime.time_bins``); a derived name that a declared column already holds is left out."""
    override = feature.monitoring
    units = override.time_bins if override is not None and override.time_bins is not None \
        else time_bins.DEFAULT_UNITS
    for unit in (u for u in time_bins.UNITS if u in units):
        derived = time_bins.feature_name(name, unit)
        if derived in spec.features or derived in spec.columns:
            continue
        kind = "numeric" if unit == time_bins.RECENCY else "categorical"
        bins, drift, skew = _time_bin_settings(spec, override, kind)
        yield MonitoredFeature(derived, kind, "float" if kind == "numeric" else "category", bins, drift.metric,
                               drift.threshold, skew.metric, skew.threshold,
                               {"column": name, "unit": unit, "zone": feature.timezone or "UTC"})


def _time_bin_settings(spec: Spec, override, kind: str):
    """(bins, drift, skew) of a derived datetime feature: the feature's overrides, else the section's
    defaults for its kind; a measure that needs numbers becomes linf for a category (hour, weekday)."""
    mon = spec.monitoring
    default = RECENCY_DRIFT if kind == "numeric" else mon.drift.categorical
    drift = (override.drift if override is not None else None) or default
    skew = (override.skew if override is not None else None) or mon.skew
    if kind == "categorical":
        drift, skew = (Measure(metric="linf", threshold=m.threshold) if m.metric in POSITIONAL_MEASURES else m
                       for m in (drift, skew))
    own_bins = override.bins if override is not None and kind == "numeric" else None  # ages have quantile bins
    return own_bins or mon.bins, drift, skew


class _RuleBuilder:
    """Collects rules and, for each, a firing and a silent ``promtool`` test case."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.camel = _camel(spec.name)
        alerts = spec.monitoring.alerts
        self.for_ = alerts.for_
        self.for_seconds = parse_duration(alerts.for_)
        self.severity = SEVERITY.get(alerts.severity, alerts.severity)
        self.runbook = alerts.runbook_url
        self.rules: list[Rule] = []
        self.tests: list[RuleTest] = []

    # -- helpers ----------------------------------------------------------

    def _metric(self, family: str, measure: str | None = None) -> str:
        return metric_name(self.spec.name, family, measure)

    @property
    def _eval_seconds(self) -> int:
        return self.for_seconds + 300

    @property
    def _steps(self) -> int:
        return self._eval_seconds // 60 + 2

    def _annotations(self, summary: str, description: str) -> tuple[tuple[str, str], ...]:
        out = [("summary", summary), ("description", description)]
        if self.runbook:
            out.append(("runbook_url", self.runbook))
        return tuple(out)

    def _add(self, alert: str, expr: str, summary: str, description: str, *, label: str,
             firing: list[tuple[str, str]], silent: list[tuple[str, str]],
             expected_labels: tuple = (), expected_summary: str | None = None,
             expected_description: str | None = None, rule_labels: tuple | None = None) -> None:
        alert = f"{self.camel}{alert}"
        labels = tuple(sorted(expected_labels + (("severity", self.severity),)))
        own = labels if rule_labels is None else tuple(sorted(rule_labels + (("severity", self.severity),)))
        self.rules.append(Rule(alert, expr, self.for_, own, self._annotations(summary, description)))
        exp = ExpectedAlert(labels, self._annotations(
            expected_summary or summary, expected_description or description))
        self._tests(alert, label, firing, silent, exp)

    def _tests(self, alert: str, label: str, firing: list[tuple[str, str]], silent: list[tuple[str, str]],
               expected: ExpectedAlert) -> None:
        """A firing and a silent ``promtool`` case for one alert."""
        when = f"{self._eval_seconds}s"
        self.tests.append(RuleTest(f"{alert} fires: {label}", tuple(firing), when, alert, (expected,)))
        self.tests.append(RuleTest(f"{alert} stays silent: {label}", tuple(silent), when, alert, ()))

    def _flat(self, value: float) -> str:
        return f"{_num(value)}x{self._steps}"

    # -- rules --------------------------------------------------------------

    def build(self, features: tuple[MonitoredFeature, ...], max_age: int | None,
              prediction_drift: PredictionDriftPlan | None = None, classes: tuple[str, ...] | None = None) -> None:
        self._feature_rules(features, "drift")
        self._feature_rules(features, "skew")
        self._schema_rule()
        self._stale_rule()
        if max_age is not None:
            self._age_rule(max_age)
        self._prediction_rules(classes)
        if prediction_drift is not None:
            self._prediction_drift_rules(prediction_drift)
        self._serving_rules()

    def _feature_rules(self, features: tuple[MonitoredFeature, ...], what: str) -> None:
        """One rule per measure: an ``or`` of one comparison per feature, each with its threshold.

        The alert takes ``feature`` from its series, never from a (Go-templated) rule label;
        the ``metric`` label keeps the rules of different measures apart for promtool.
        """
        by_metric: dict[str, list[tuple[MonitoredFeature, float]]] = {}
        for f in features:
            metric, threshold = ((f.drift_metric, f.drift_threshold) if what == "drift"
                                 else (f.skew_metric, f.skew_threshold))
            by_metric.setdefault(metric, []).append((f, threshold))
        for metric, members in by_metric.items():
            self._feature_rule(what, metric, members)

    def _feature_rule(self, what: str, metric: str, members: list[tuple[MonitoredFeature, float]]) -> None:
        """Drift: each feature's measure against the limit ``specgen monitor`` held it to (exported next
        to it): the larger of the spec's threshold and the noise floor at the batch's size, +Inf when
        the batch was too small to judge, so the rule alarms exactly when monitor does. Skew compares
        two pipelines' features of the same rows (no sampling noise): the spec's threshold alone."""
        name = self._metric(f"feature_{what}", metric)
        selector = lambda f: f"{name}{{feature={promql_string(f.name)}}}"  # noqa: E731
        if what == "drift":
            limit_name = self._metric("feature_drift_threshold")
            limit = lambda f, t: f"{limit_name}{{feature={promql_string(f.name)}}}"  # noqa: E731
            above = "above its limit (its threshold, or the noise floor at this batch size)"
        else:
            limit = lambda f, t: _num(t)  # noqa: E731
            limits = {t for _, t in members}
            above = f"above {_num(next(iter(limits)))}" if len(limits) == 1 else "above its threshold"
        expr = " or ".join(f"{selector(f)} > {limit(f, t)}" for f, t in members)
        word = "drifted from the training baseline" if what == "drift" else "is skewed between training and serving"
        alert = f"{self.camel}{'FeatureDrift' if what == 'drift' else 'FeatureSkew'}"
        labels = (("metric", metric), ("severity", self.severity))
        summary = f"{self.spec.name}: feature {{{{ $labels.feature }}}} {word}"
        value = '{{ printf "%.4g" $value }}'
        self.rules.append(Rule(alert, expr, self.for_, labels, self._annotations(
            summary, f"{metric} of feature {{{{ $labels.feature }}}} is {value}, {above}.")))
        for f, threshold in members:
            fire = threshold * 2
            expected = ExpectedAlert(tuple(sorted(labels + (("feature", f.name),))), self._annotations(
                f"{self.spec.name}: feature {f.name} {word}", f"{metric} of feature {f.name} is {fire:.4g}, {above}."))
            if what == "drift":  # silent: the same value under a noise floor twice as high (a small batch)
                gauge = f"{limit_name}{{feature={promql_string(f.name)}}}"
                firing = [(selector(f), self._flat(fire)), (gauge, self._flat(threshold))]
                silent = [(selector(f), self._flat(fire)), (gauge, self._flat(fire * 2))]
            else:
                firing, silent = [(selector(f), self._flat(fire))], [(selector(f), self._flat(threshold / 2))]
            self._tests(alert, f"{what} {f.name}", firing, silent, expected)

    def _schema_rule(self) -> None:
        series = self._metric("schema_checks_failed")
        self._add("SchemaViolations", f"{series} > 0",
                  f"{self.spec.name}: serving batch fails its schema",
                  "{{ $value }} schema check(s) failed on the last batch; run specgen monitor for details.",
                  label="schema", firing=[(series, self._flat(3))], silent=[(series, self._flat(0))],
                  expected_description="3 schema check(s) failed on the last batch; "
                                       "run specgen monitor for details.")

    def _stale_rule(self) -> None:
        stale = parse_duration(self.spec.monitoring.stale_after)
        series = self._metric("last_success_timestamp_seconds")
        # time() starts at 0 in promtool tests: a success at 0 is eval_time old at eval_time.
        eval_seconds = stale + self._eval_seconds
        steps = eval_seconds // 60 + 2
        alert = f"{self.camel}MonitorStale"
        description = (f"specgen monitor has not succeeded for {{{{ printf \"%.0f\" $value }}}}s "
                       f"(limit {stale}s).")
        summary = f"{self.spec.name}: monitoring is stale"
        labels = (("severity", self.severity),)
        self.rules.append(Rule(alert, f"time() - {series} > {stale}", self.for_, labels,
                               self._annotations(summary, description)))
        exp = ExpectedAlert(labels, self._annotations(
            summary, f"specgen monitor has not succeeded for {eval_seconds}s (limit {stale}s)."))
        when = f"{eval_seconds}s"
        self.tests.append(RuleTest(f"{alert} fires: no success since 0", ((series, f"0x{steps}"),), when, alert,
                                   (exp,)))
        self.tests.append(RuleTest(f"{alert} stays silent: succeeds every minute", ((series, f"0+60x{steps}"),),
                                   when, alert, ()))

    def _age_rule(self, max_age: int) -> None:
        series = self._metric("model_trained_timestamp_seconds")
        age = max_age + self._eval_seconds  # trained at -max_age, evaluated at eval_time
        self._add("ModelTooOld", f"time() - {series} > {max_age}",
                  f"{self.spec.name}: the serving model is too old",
                  f"The model was trained {{{{ printf \"%.0f\" $value }}}}s ago (limit {max_age}s, "
                  f"{self.spec.training.max_model_age}).",
                  label="model age", firing=[(series, self._flat(-max_age))],
                  silent=[(series, f"0+60x{self._steps}")],
                  expected_description=f"The model was trained {age}s ago (limit {max_age}s, "
                                       f"{self.spec.training.max_model_age}).")

    def _prediction_rules(self, classes: tuple[str, ...] | None) -> None:
        prediction = self.spec.monitoring.prediction
        if prediction is None:
            return
        if classes is None:  # class labels are never NaN: the gauge exists for numeric predictions only
            series = self._metric("prediction_non_finite_values")
            self._add("NonFiniteOutputs", f"{series} > 0", f"{self.spec.name}: the model outputs NaN or infinity",
                      "{{ $value }} non-finite prediction(s) in the last batch.", label="non-finite",
                      firing=[(series, self._flat(2))], silent=[(series, self._flat(0))],
                      expected_description="2 non-finite prediction(s) in the last batch.")
        if prediction.max_bias is None:
            return
        if classes is not None:
            self._class_bias_rule(prediction.max_bias, classes)
            return
        series = self._metric("prediction_bias")
        fire = prediction.max_bias * 2
        self._add("PredictionBias", f"abs({series}) > {_num(prediction.max_bias)}",
                  f"{self.spec.name}: mean prediction is off the mean label",
                  f"|mean prediction - mean label| is {{{{ printf \"%.4g\" $value }}}}, above "
                  f"{_num(prediction.max_bias)}.", label="bias",
                  firing=[(series, self._flat(-fire))], silent=[(series, self._flat(prediction.max_bias / 2))],
                  expected_description=f"|mean prediction - mean label| is {fire:.4g}, above "
                                       f"{_num(prediction.max_bias)}.")

    def _class_bias_rule(self, max_bias: float, classes: tuple[str, ...]) -> None:
        """One rule over every class (the ``class`` label comes from the series); the firing case
        has one class over the limit and another under it, so only the first may alert."""
        name = self._metric("prediction_class_bias")
        limit = _num(max_bias)
        hot, calm = classes[0], classes[-1]
        hot_series = f"{name}{{class={promql_string(hot)}}}"
        calm_series = f"{name}{{class={promql_string(calm)}}}"
        fire = max_bias * 2
        firing = [(hot_series, self._flat(fire))]
        if calm != hot:  # a class near the limit stays silent next to the one that fires
            firing.append((calm_series, self._flat(-max_bias / 2)))
        what = "|share predicted - share labelled|"
        self._add("PredictionBias", f"abs({name}) > {limit}",
                  f"{self.spec.name}: class {{{{ $labels.class }}}} is predicted off its label share",
                  f"{what} of class {{{{ $labels.class }}}} is {{{{ printf \"%.4g\" $value }}}}, above {limit}.",
                  label=f"class bias {hot}", firing=firing,
                  silent=[(hot_series, self._flat(-max_bias / 2))] + firing[1:],
                  expected_labels=(("class", hot),),
                  expected_summary=f"{self.spec.name}: class {hot} is predicted off its label share",
                  expected_description=f"{what} of class {hot} is {fire:.4g}, above {limit}.",
                  rule_labels=())

    def _prediction_drift_rules(self, plan: PredictionDriftPlan) -> None:
        """One rule for the predict output; one for every class probability (classification)."""
        self._output_rule(plan.metric, plan.threshold, f"output={promql_string(PREDICTION_OUTPUT)}",
                          PREDICTION_OUTPUT, (("output", PREDICTION_OUTPUT),))
        if plan.task == "classification":
            # a regex matcher: the classes are known only once the model has run (`specgen baseline`)
            self._output_rule(plan.proba_metric, plan.proba_threshold,
                              f"output=~{promql_string(PROBA_PREFIX + '.+')}", PROBA_PREFIX + "example", ())

    def _output_rule(self, metric: str, threshold: float, selector: str, example: str, rule_labels: tuple) -> None:
        """The output's measure against the limit ``specgen monitor`` held it to (see ``_feature_rule``)."""
        name = self._metric("prediction_drift", metric)
        limit_name = self._metric("prediction_drift_threshold")
        value = '{{ printf "%.4g" $value }}'
        test_series = f"{name}{{output={promql_string(example)}}}"
        test_limit = f"{limit_name}{{output={promql_string(example)}}}"
        fire = threshold * 2
        above = "above its limit (its threshold, or the noise floor at this batch size)"
        self._add(
            "PredictionDrift", f"{name}{{{selector}}} > {limit_name}{{{selector}}}",
            f"{self.spec.name}: model output {{{{ $labels.output }}}} drifted from the training baseline",
            f"{metric} of model output {{{{ $labels.output }}}} is {value}, {above}.",
            label=f"prediction drift {example}",
            firing=[(test_series, self._flat(fire)), (test_limit, self._flat(threshold))],
            silent=[(test_series, self._flat(fire)), (test_limit, self._flat(fire * 2))],
            expected_labels=(("output", example),), rule_labels=rule_labels,
            expected_summary=f"{self.spec.name}: model output {example} drifted from the training baseline",
            expected_description=f"{metric} of model output {example} is {fire:.4g}, {above}.",
        )

    def _serving_rules(self) -> None:
        targets = self.spec.monitoring.serving
        if self.spec.inference.mode != "online" or targets is None:
            return
        name = self.spec.name
        steps = self._steps
        if targets.latency_p99_ms is not None:
            metric = targets.latency_metric or f"{name}_request_duration_seconds"
            target = targets.latency_p99_ms / 1000.0
            buckets = [f'{metric}_bucket{{le="{_num(target)}"}}', f'{metric}_bucket{{le="{_num(target * 2)}"}}',
                       f'{metric}_bucket{{le="+Inf"}}']
            grow = f"0+100x{steps}"
            self._add("LatencyP99High",
                      f"histogram_quantile(0.99, sum by (le) (rate({metric}_bucket[5m]))) > {_num(target)}",
                      f"{name}: p99 serving latency above {_num(targets.latency_p99_ms)} ms",
                      f"p99 latency over 5m is above the {_num(targets.latency_p99_ms)} ms target.",
                      label="latency", firing=[(buckets[0], f"0x{steps}"), (buckets[1], grow), (buckets[2], grow)],
                      silent=[(b, grow) for b in buckets])
        if targets.min_qps is not None:
            metric = targets.requests_metric or f"{name}_requests_total"
            per_minute = targets.min_qps * 60
            self._add("QpsLow", f"sum(rate({metric}[5m])) < {_num(targets.min_qps)}",
                      f"{name}: serving traffic below {_num(targets.min_qps)} queries/s",
                      f"Queries per second over 5m are below the {_num(targets.min_qps)} target.",
                      label="qps", firing=[(metric, f"0+{_num(per_minute / 4)}x{steps}")],
                      silent=[(metric, f"0+{_num(per_minute * 4)}x{steps}")])


def monitoring_config(plan, baseline) -> contract.MonitoringConfig:
    """The contract ``specgen monitor`` loads: ``plan``'s settings joined with the committed baseline's
    references (``compiler.baseline.Baseline``), the serving checks and the column types."""
    mon: MonitoringPlan = plan.monitoring
    features = tuple(contract.FeatureConfig(
        f.name, f.kind, f.dtype, f.bins, contract.Measure(f.drift_metric, f.drift_threshold),
        contract.Measure(f.skew_metric, f.skew_threshold), baseline.features[f.name], f.time_bins)
        for f in mon.features)
    return contract.MonitoringConfig(
        name=plan.name, spec_sha256=plan.spec_sha256, label=plan.label,
        stale_after_seconds=mon.stale_after_seconds, max_model_age_seconds=mon.max_model_age_seconds,
        prediction_column=mon.prediction_column, max_bias=mon.max_bias, bias_classes=mon.bias_classes,
        baseline_source=str(plan.training_rel), baseline_rows=baseline.rows, baseline_data_sha256=baseline.data_sha256,
        dtypes=plan.dtypes(), checks=tuple(plan.checks("serving")), features=features,
        prediction_drift=_prediction_config(mon.prediction_drift, baseline.prediction),
        model=_model_ref(plan.model.setup) if plan.model is not None else None, alpha=mon.alpha,
        serving_timings=mon.serving_timings)


def _prediction_config(drift: PredictionDriftPlan | None, stored: dict | None):
    if drift is None or stored is None:
        return None

    def measure(name: str) -> contract.Measure:
        if name == PREDICTION_OUTPUT:
            return contract.Measure(drift.metric, drift.threshold)
        return contract.Measure(drift.proba_metric, drift.proba_threshold)

    outputs = tuple(contract.OutputConfig(o["name"], o["kind"], measure(o["name"]), o["reference"])
                    for o in stored["outputs"])
    return contract.PredictionDriftConfig(stored["source"], outputs)


def _model_ref(setup: ModelSetup) -> contract.ModelRef:
    """What ``monitor`` needs to load the serving model (paths relative to the output folder)."""
    return contract.ModelRef(tuple(setup.paths), dataclasses.asdict(setup.entrypoints), tuple(setup.features),
                             setup.task, setup.artifact)
