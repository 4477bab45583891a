"""The page of ``specgen live --html``: the canary's verdict and its evidence, the alarms, then per window
and slice the metrics against their limits, bias, label coverage and delay, the label join's counts and
the real-world outcomes. Built from a ``runtime.live.LiveReport`` (and the ``LiveConfig`` it was run
with, for the limits); every name in it is text (the page escapes it)."""
from __future__ import annotations

from ..runtime.durations import format_duration
from .html import render_report
from .sections import FailedChecks, Finding, Table

__all__ = ["live_page"]

_NONE = "-"


def live_page(report, config=None) -> str:
    """One self-contained page of a live run; ``config`` (``LiveConfig``): the limits shown beside the
    values (None: values and alarms only)."""
    alarms = {(a.window_start, a.slice, a.what) for a in report.alarms}
    sections = [*_canary(report.canary), _failed(report, config), _metrics(report, config, alarms),
                _labels(report, config, alarms), _join(report.join), *_outcomes(report, config)]
    return render_report(f"specgen live: {report.name}", sections, facts=_facts(report),
                         ok=report.exit_code == 0, verdict=_verdict(report))


def _num(value) -> str:
    return _NONE if value is None else f"{value:.4g}"


def _hours(seconds) -> str:
    return _NONE if seconds is None else f"{seconds / 3600:.1f} h"


def _verdict(report) -> str:
    parts = [] if report.canary is None else [f"canary: {report.canary.verdict.upper()}"]
    parts.append(f"{len(report.alarms)} alarm(s)")
    return "; ".join(parts)


def _facts(report) -> list[tuple[str, str]]:
    j = report.join
    facts = [("as of", report.as_of), ("window", format_duration(report.window_seconds)),
             ("predictions", f"{j.get('prediction_rows', 0):,}"), ("labels", f"{j.get('label_rows', 0):,}"),
             ("alarms", str(len(report.alarms)))]
    if report.canary is not None:
        facts.append(("canary verdict", report.canary.verdict))
    if report.sample is not None:
        facts.append(("labelling sample", f"{report.sample['rows']} requests of {report.sample['day']} -> "
                                          f"{report.sample['file']}"))
    return facts


def _canary(canary) -> list:
    if canary is None:
        return []
    rows, flagged = [], []
    for t in canary.tests:
        result = "worse" if t.get("worse") else "differs" if t.get("differs") else "ok"
        rows.append((t["slice"], t["metric"], t["test"], _num(t.get("stable")), _num(t.get("canary")),
                     f"{t['n_stable']}/{t['n_canary']}", _num(t.get("drop")), _num(t.get("max_drop")),
                     f"{t['p_value']:.3g}", f"{t['level']:.3g}", result))
        flagged.append(bool(t.get("worse")))
    intro = (f"Verdict: {canary.verdict.upper()}: {canary.reason}. Canary {canary.canary} against stable "
             f"{canary.stable} over {canary.windows_compared} window(s); a metric is worse when its p-value is "
             f"below the level (the false-alarm rate, shared by the tests).")
    return [Table(f"Canary: {canary.verdict}", ("slice", "metric", "test", "stable", "canary", "labelled n",
                                                "drop", "max drop", "p-value", "level", "result"),
                  tuple(rows), tuple(flagged), intro=intro)]


def _failed(report, config) -> FailedChecks:
    findings = [Finding("live", f"{a.slice} @ {a.window_start}", a.what, a.message) for a in report.alarms]
    if report.canary is not None and report.canary.verdict != "promote":
        findings.insert(0, Finding("canary", report.canary.canary, report.canary.verdict, report.canary.reason))
    return FailedChecks(tuple(findings), _checked(report, config), title="Alarms")


def _checked(report, config) -> int:
    """Verdicts the run made: bounded metrics, bias, coverage and delay per group; outcomes; the canary."""
    if config is None:
        return len(report.alarms) + (report.canary is not None)
    per_group = sum(x is not None for x in (config.max_bias, config.min_label_coverage,
                                             config.max_label_delay_seconds))
    bounded = sum(sum(m.bound is not None for m in _metric_limits(config, q.slice)) + per_group
                  for q in report.quality)
    return bounded + len(report.outcomes) + (report.canary is not None)


def _metric_limits(config, slice_name: str) -> tuple:
    for s in config.slices:
        if s.name == slice_name:
            return s.metrics
    return config.metrics


def _bound(bound) -> str:
    parts = [] if bound is None else [f"{op} {v:g}" for op, v in ((">=", bound.min), ("<=", bound.max))
                                      if v is not None]
    return " and ".join(parts) or "reported only"


def _metrics(report, config, alarms) -> Table:
    limits = {}
    rows, flagged = [], []
    for q in report.quality:
        if config is not None and q.slice not in limits:
            limits[q.slice] = {m.metric.name: _bound(m.bound) for m in _metric_limits(config, q.slice)}
        for name, value in q.metrics.items():
            alarm = (q.window_start, q.slice, name) in alarms
            limit = limits.get(q.slice, {}).get(name, _NONE)
            note = q.metric_notes.get(name, "")
            rows.append((q.window_start, q.slice, name, _num(value), limit, str(q.labelled),
                         "alarm" if alarm else note or "ok"))
            flagged.append(alarm)
    return Table("Metrics per window and slice", ("window", "slice", "metric", "value", "limit", "labelled rows",
                                                  "status"), tuple(rows), tuple(flagged),
                 intro="Each window's labelled rows scored on the spec's live metrics; bounds are inclusive.")


def _labels(report, config, alarms) -> Table:
    bias_limit = _NONE if config is None or config.max_bias is None else f"±{config.max_bias:g}"
    coverage_limit = (_NONE if config is None or config.min_label_coverage is None
                      else f">= {config.min_label_coverage:.0%}")
    delay_limit = _NONE if config is None else _hours(config.max_label_delay_seconds)
    rows, flagged = [], []
    for q in report.quality:
        found = [w for w in ("bias", "label_coverage", "label_delay") if (q.window_start, q.slice, w) in alarms]
        coverage = _NONE if q.coverage is None else f"{q.coverage:.1%}" + ("" if q.mature else " (not yet due)")
        rows.append((q.window_start, q.slice, str(q.rows), str(q.labelled), coverage, _hours(q.delay_median_seconds),
                     _hours(q.delay_p90_seconds), str(q.late_labels), _num(q.bias), ", ".join(found) or "ok"))
        flagged.append(bool(found))
    intro = (f"Limits: bias {bias_limit}, label coverage {coverage_limit} once a window is older than the label "
             f"delay, median label delay {delay_limit}.")
    return Table("Bias and labels per window and slice", ("window", "slice", "rows", "labelled", "coverage",
                                                          "delay median", "delay p90", "late labels", "bias",
                                                          "status"), tuple(rows), tuple(flagged), intro=intro)


def _join(join: dict) -> Table:
    keys = lambda name: ", ".join(str(k) for k in join.get(name, ())) or _NONE
    rows = (("predictions", str(join.get("prediction_rows", 0)), _NONE),
            ("labels", str(join.get("label_rows", 0)), _NONE),
            ("duplicate predictions", str(join.get("duplicate_predictions", 0)), keys("duplicate_prediction_keys")),
            ("duplicate labels", str(join.get("duplicate_labels", 0)), keys("duplicate_label_keys")),
            ("orphan labels (match no prediction)", str(join.get("orphan_labels", 0)), keys("orphan_label_keys")),
            ("labels dated before the prediction", str(join.get("labels_before_prediction", 0)), _NONE),
            ("late labels (arrive after as-of)", str(join.get("labels_after_as_of", 0)), _NONE))
    return Table("Label join", ("what", "count", "example keys"), rows,
                 intro="Counted, never dropped silently: what the join met besides one label per prediction.")


def _outcomes(report, config) -> list:
    if not report.outcomes:
        return []
    limits = {} if config is None else {o.name: _bound(o.bound) for o in config.outcomes}
    rows = tuple((o.name, o.window_start, str(o.rows), _num(o.mean), limits.get(o.name, _NONE),
                  f"alarm: {o.problem}" if o.problem else "ok") for o in report.outcomes)
    return [Table("Real-world outcomes", ("outcome", "window", "rows", "mean", "limit", "status"), rows,
                  tuple(bool(o.problem) for o in report.outcomes))]
