"""Alert rules (and their ``promtool test rules`` cases) on the gauges ``specgen live`` exports.

Built with the monitoring section's rule builder, so they follow the same conventions: rule labels
carry only the severity, a slice or class reaches annotations only as ``{{ $labels.slice }}``, label
values reach PromQL only through ``promql_string``. ``for``, severity and runbook come from
``monitoring.alerts`` (its defaults when the spec has no monitoring section).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..runtime.contracts.live import ALL
from .monitoring import SEVERITY, Rule, RuleTest, _camel, _num, _RuleBuilder, promql_string
from .spec import Alerts, Spec, parse_duration

__all__ = ["LiveAlertsPlan", "live_alerts_plan"]


@dataclass(frozen=True)
class LiveAlertsPlan:
    """What the alert templates print for ``specgen live`` (the attribute names of ``MonitoringPlan``'s)."""

    alerts_file: str
    alerts_test_file: str
    group_name: str
    rules: tuple[Rule, ...]
    tests: tuple[RuleTest, ...]
    exporter: str = "specgen live"


class _LiveRules(_RuleBuilder):
    def __init__(self, spec: Spec):  # the parent reads spec.monitoring.alerts; live may come without it
        self.spec = spec
        self.camel = _camel(spec.name)
        alerts = spec.monitoring.alerts if spec.monitoring is not None else Alerts()
        self.for_, self.for_seconds = alerts.for_, parse_duration(alerts.for_)
        self.severity = SEVERITY.get(alerts.severity, alerts.severity)
        self.runbook = alerts.runbook_url
        self.rules, self.tests = [], []

    def build_live(self) -> None:
        live = self.spec.live
        self._count_rule()
        if live.canary is not None:
            self._canary_rule()
        self._stale_live_rule(2 * parse_duration(live.window))
        bounds = self._bounds()
        for (metric, side), members in sorted(bounds.items()):
            self._metric_rule(metric, side, members)
        if live.min_label_coverage is not None:
            self._coverage_rule(live.min_label_coverage)
        for name, outcome in sorted(live.outcomes.items()):
            for side in ("min", "max"):
                if getattr(outcome, side) is not None:
                    self._outcome_rule(name, side, getattr(outcome, side))

    def _bounds(self) -> dict:
        """(metric, min|max) -> [(slice, limit)]: the live metrics for (all), each slice's own."""
        out: dict = {}
        groups = [(ALL, self.spec.live.metrics or self.spec.model.metrics)]
        groups += [(name, s.metrics) for name, s in sorted(self.spec.slices.items())]
        for slice_name, metrics in groups:
            for metric, bound in sorted(metrics.items()):
                for side in ("min", "max"):
                    if getattr(bound, side) is not None:
                        out.setdefault((metric, side), []).append((slice_name, getattr(bound, side)))
        return out

    def _count_rule(self) -> None:
        series = self._metric("live_alarms")
        self._add("LiveAlarms", f"{series} > 0", f"{self.spec.name}: specgen live raised alarms",
                  "specgen live raised {{ $value }} alarm(s); run it for the windows and slices.", label="alarms",
                  firing=[(series, self._flat(2))], silent=[(series, self._flat(0))],
                  expected_description="specgen live raised 2 alarm(s); run it for the windows and slices.")

    def _canary_rule(self) -> None:
        series = self._metric("live_canary_verdict")
        self._add("CanaryRollBack", f"{series} < 0", f"{self.spec.name}: roll the canary back",
                  "The canary is worse than stable on the same traffic (specgen live: roll back).",
                  label="roll back", firing=[(series, self._flat(-1))], silent=[(series, self._flat(0))])

    def _stale_live_rule(self, stale: int) -> None:
        series = self._metric("live_last_success_timestamp_seconds")
        eval_seconds = stale + self._eval_seconds
        steps = eval_seconds // 60 + 2
        alert = f"{self.camel}LiveStale"
        summary = f"{self.spec.name}: specgen live has not run"
        description = f"specgen live has not succeeded for more than {stale}s (two windows)."
        labels = (("severity", self.severity),)
        self.rules.append(Rule(alert, f"time() - {series} > {stale}", self.for_, labels,
                               self._annotations(summary, description)))
        from .monitoring import ExpectedAlert
        exp = ExpectedAlert(labels, self._annotations(summary, description))
        when = f"{eval_seconds}s"
        self.tests.append(RuleTest(f"{alert} fires: no success since 0", ((series, f"0x{steps}"),), when, alert,
                                   (exp,)))
        self.tests.append(RuleTest(f"{alert} stays silent: succeeds every minute", ((series, f"0+60x{steps}"),),
                                   when, alert, ()))

    def _metric_rule(self, metric: str, side: str, members: list) -> None:
        """One rule per metric and direction over every slice with a bound (the slice label from the series)."""
        name = self._metric("live_metric")
        op = "<" if side == "min" else ">"
        select = lambda s: f"{name}{{metric={promql_string(metric)},slice={promql_string(s)}}}"
        expr = " or ".join(f"{select(s)} {op} {_num(limit)}" for s, limit in members)
        hot, limit = members[-1]
        bad, good = (limit / 2, limit + (1 - limit) / 2) if side == "min" else (limit * 2, limit / 2)
        word = "below its minimum" if side == "min" else "above its maximum"
        self._add(f"Live{_camel(metric)}{'Low' if side == 'min' else 'High'}", expr,
                  f"{self.spec.name}: live {metric} {word}",
                  f"live {metric} on slice {{{{ $labels.slice }}}} is {{{{ printf \"%.4g\" $value }}}}.",
                  label=f"{metric} {side} {hot}", firing=[(select(hot), self._flat(bad))],
                  silent=[(select(hot), self._flat(good))], expected_labels=(("metric", metric), ("slice", hot)),
                  expected_description=f"live {metric} on slice {hot} is {bad:.4g}.", rule_labels=())

    def _coverage_rule(self, minimum: float) -> None:
        name = self._metric("live_label_coverage_ratio")
        hot = f"{name}{{slice={promql_string(ALL)}}}"
        self._add("LiveLabelCoverageLow", f"{name} < {_num(minimum)}",
                  f"{self.spec.name}: too few predictions get a label",
                  f"label coverage on slice {{{{ $labels.slice }}}} is {{{{ printf \"%.3g\" $value }}}} "
                  f"(minimum {_num(minimum)}).", label="coverage", firing=[(hot, self._flat(minimum / 2))],
                  silent=[(hot, self._flat(min(1.0, minimum + 0.1)))], expected_labels=(("slice", ALL),),
                  expected_description=f"label coverage on slice {ALL} is {minimum / 2:.3g} "
                                       f"(minimum {_num(minimum)}).", rule_labels=())

    def _outcome_rule(self, outcome: str, side: str, limit: float) -> None:
        name = self._metric("live_outcome")
        series = f"{name}{{outcome={promql_string(outcome)}}}"
        op = "<" if side == "min" else ">"
        bad = limit - abs(limit) - 1 if side == "min" else limit + abs(limit) + 1
        good = limit + abs(limit) / 2 + 0.5 if side == "min" else limit - abs(limit) / 2 - 0.5
        self._add(f"Outcome{_camel(outcome)}{'Low' if side == 'min' else 'High'}", f"{series} {op} {_num(limit)}",
                  f"{self.spec.name}: real-world metric {outcome} out of bounds",
                  f"{outcome} is {{{{ printf \"%.4g\" $value }}}} ({side} {_num(limit)}).", label=outcome,
                  firing=[(series, self._flat(bad))], silent=[(series, self._flat(good))],
                  expected_labels=(("outcome", outcome),),
                  expected_description=f"{outcome} is {bad:.4g} ({side} {_num(limit)}).", rule_labels=())


def live_alerts_plan(spec: Spec) -> LiveAlertsPlan | None:
    if spec.live is None:
        return None
    builder = _LiveRules(spec)
    builder.build_live()
    return LiveAlertsPlan(f"{spec.name}_live_alerts.yml", f"{spec.name}_live_alerts_test.yml",
                          f"specgen-{spec.name}-live", tuple(builder.rules), tuple(builder.tests))
