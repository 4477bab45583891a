"""Report sections from a ``specgen validate`` result, a ``specgen monitor`` report and a score.

Reads the runtime's result objects (duck-typed); never runs a check itself, so the page shows
exactly what the command decided.
"""
from __future__ import annotations

import math

from ..runtime.checks.base import example_text
from ..runtime.drift import NULL_KEY, Histogram
from .sections import Distribution, Distributions, FailedChecks, Finding, ModelPanel, ScoreCard, Table

__all__ = ["validation_findings", "monitor_findings", "slice_findings", "failed_checks", "monitor_sections",
           "drawn_distributions", "score_card",
           "MAX_CATEGORIES"]

#: categories drawn per feature (the most common in the reference, then new ones); the rest are one bar
MAX_CATEGORIES = 30
OTHER = "(other categories)"
NULL_LABEL = "(null)"
DAY = 86400.0


def validation_findings(result) -> list[Finding]:
    """One finding per failed check of ``api.ValidationResult``."""
    return [_schema_finding(f) for f in result.failures]


def _schema_finding(failure) -> Finding:
    check = failure.check
    where = check.target if check.column is not None else "dataset"
    detail = f"expected {check.describe()}"
    if failure.failing_rows is not None:
        detail += f"; {failure.failing_rows:,} failing row{'s' if failure.failing_rows != 1 else ''}"
    if failure.observed:
        detail += f"; observed {failure.observed}"
    return Finding("schema", where, check.kind, detail, tuple(example_text(e) for e in failure.examples))


def monitor_findings(report, *, schema: bool = True) -> list[Finding]:
    """Every alarm of a ``runtime.monitor.MonitorReport``; ``schema=False`` leaves out its schema checks
    (``specgen report`` shows validate's, which include the distribution checks monitor skips)."""
    out = [_schema_finding(f) for f in report.schema_failures] if schema else []
    for source, results in (("drift", report.drift), ("skew", report.skew),
                            ("prediction drift", report.prediction_drift)):
        out += [_drift_finding(source, r) for r in _worst_first(results) if r.alarm]
    age, limit = report.model_age_seconds, report.max_model_age_seconds
    if age is not None and limit is not None and age > limit:
        out.append(Finding("model age", "model", "max_model_age", f"{age / DAY:.2f} days > {limit / DAY:.2f} days"))
    if report.prediction_non_finite:
        out.append(Finding("predictions", "prediction", "finite", f"{report.prediction_non_finite} non-finite"))
    out += _bias_findings(report)
    return out


def _drift_finding(source: str, r) -> Finding:
    if r.value is None:
        return Finding(source, r.name, r.metric, r.note)
    detail = f"{r.metric} {_num(r.value)} > limit {_num(r.threshold)} (set by {r.set_by})"
    if r.p_value is not None:
        detail += f"; p-value {r.p_value:.2g}"
    return Finding(source, r.name, r.metric, detail)


def _bias_findings(report) -> list[Finding]:
    limit, out = report.max_bias, []
    if limit is None:
        return out
    if report.prediction_bias is not None and abs(report.prediction_bias) > limit:
        out.append(Finding("prediction bias", "prediction", "max_bias",
                           f"{report.prediction_bias:+.4g} (limit {limit:g})"))
    for c, bias in sorted((report.class_bias or {}).items()):
        if abs(bias) > limit:
            out.append(Finding("prediction bias", f"class {c}", "max_bias", f"{bias:+.4g} (limit {limit:g})"))
    return out


def slice_findings(table: Table) -> list[Finding]:
    """The failing rows of ``batch.slice_quality``'s table (slice, rows, min rows, metric, value, bound, status)."""
    return [Finding("slice", row[0], row[3], f"{row[3]} {row[4]} {row[6]} (bound {row[5]}; {row[1]} rows)")
            for row, bad in zip(table.rows, table.flagged) if bad]


def failed_checks(findings: list[Finding], checked: int) -> FailedChecks:
    return FailedChecks(tuple(findings), checked)


def monitor_sections(report) -> list:
    """The monitor's sections after the failed checks: drift, prediction drift, skew, bias, model."""
    sections: list = []
    per_feature = _rate(report.alpha, len(report.drift))
    if report.drift:
        sections.append(Distributions(
            "Drift: reference vs this batch", _distributions(report.drift, report.distributions, per_feature),
            "Bars are shares of rows per bin of the training baseline (the bins monitor counted) or per category. "
            f"A feature alarms when its measure exceeds its limit: the larger of the spec's threshold and the "
            f"measure's noise floor at this batch size, for a false-alarm rate of at most {_alpha(report.alpha)} "
            "per clean batch, shared equally by the features."))
    if report.prediction_drift:
        sections.append(Distributions(
            "Prediction drift: the model's outputs on the baseline vs on this batch",
            _distributions(report.prediction_drift, report.output_distributions,
                           _rate(report.alpha, len(report.prediction_drift)))))
    if report.skew:
        sections.append(_skew_table(report.skew))
    if report.class_shares is not None:
        sections.append(_class_table(report))
    panel = model_panel(report)
    if panel is not None:
        sections.append(panel)
    return sections


def _distributions(results, summaries: dict, rate: str) -> tuple[Distribution, ...]:
    out = []
    for r in _worst_first(results):
        reference, current = summaries.get(r.name, (None, None))
        labels, ref_shares, cur_shares = _shares(reference, current)
        status = "alarm" if r.alarm else ("not judged" if r.too_small or r.value is None else "ok")
        out.append(Distribution(
            r.name, r.kind, labels, ref_shares, cur_shares, status, r.metric, _num(r.value), _num(r.threshold),
            r.set_by, "" if r.p_value is None else f"{r.p_value:.2g}", rate,
            "" if r.null_ratio is None else f"{r.null_ratio:.2%}", r.note))
    return tuple(out)


def drawn_distributions(features, summaries: dict) -> tuple[Distribution, ...]:
    """Features (name, kind) with their (reference, current) summaries, drawn without a verdict."""
    out = []
    for f in sorted(features, key=lambda f: f.name):
        labels, ref_shares, cur_shares = _shares(*summaries.get(f.name, (None, None)))
        out.append(Distribution(f.name, f.kind, labels, ref_shares, cur_shares, "drawn",
                                note="" if cur_shares else "absent from the data"))
    return tuple(out)


def _shares(reference, current) -> tuple[tuple[str, ...], tuple[float, ...], tuple[float, ...]]:
    if reference is None:
        return (), (), ()
    if isinstance(reference, Histogram):
        return _bin_shares(reference, current)
    return _category_shares(reference, current or {})


def _bin_shares(reference: Histogram, current: Histogram | None):
    e = [_num(x) for x in reference.edges]
    labels = [f"< {e[0]}"] + _bin_labels(reference.edges) + [f"> {e[-1]}", NULL_LABEL]
    ref = list(reference.counts) + [reference.nulls]
    cur = list(current.counts) + [current.nulls] if current is not None else []
    interior = range(1, len(labels) - 2)  # underflow, overflow and null only when someone has them
    keep = [i for i in range(len(labels)) if i in interior or ref[i] or (cur and cur[i])]
    return (tuple(labels[i] for i in keep), _normed([ref[i] for i in keep], sum(ref)),
            _normed([cur[i] for i in keep], sum(cur)) if cur else ())


def _bin_labels(x: tuple[float, ...]) -> list[str]:
    """The interior bins' labels; a tied value's own bin (``drift.tie_edges``: ``[v, nextafter(v))``, at
    the top ``[prev(v), v]``) reads ``= v``, and the bin after it starts ``(v`` (not at the float after v)."""
    n = [_num(v) for v in x]
    out = []
    for i in range(len(x) - 1):
        top = i == len(x) - 2
        if x[i + 1] == math.nextafter(x[i], math.inf):
            out.append(f"= {n[i + 1] if top else n[i]}")
            continue
        after_tie = i > 0 and x[i] == math.nextafter(x[i - 1], math.inf)
        out.append(("(" + n[i - 1] if after_tie else "[" + n[i]) + f", {n[i + 1]}" + ("]" if top else ")"))
    return out


def _category_shares(reference: dict, current: dict):
    order = sorted(reference, key=lambda c: (-reference[c], c))
    order += sorted((c for c in current if c not in reference), key=lambda c: (-current[c], c))
    shown, rest = order[:MAX_CATEGORIES], order[MAX_CATEGORIES:]
    labels = [NULL_LABEL if c == NULL_KEY else c for c in shown] + ([OTHER] if rest else [])
    ref = [reference.get(c, 0) for c in shown] + ([sum(reference.get(c, 0) for c in rest)] if rest else [])
    cur = [current.get(c, 0) for c in shown] + ([sum(current.get(c, 0) for c in rest)] if rest else [])
    total_ref, total_cur = sum(reference.values()), sum(current.values())
    return tuple(labels), _normed(ref, total_ref), _normed(cur, total_cur) if total_cur else ()


def _normed(counts: list[int], total: int) -> tuple[float, ...]:
    return tuple(round(c / total, 6) if total else 0.0 for c in counts)


def _skew_table(results) -> Table:
    rows, flagged = [], []
    for r in _worst_first(results):
        rows.append((r.name, r.kind, r.metric, _num(r.value), _num(r.threshold),
                     "alarm" if r.alarm else ("not judged" if r.too_small or r.value is None else "ok"), r.note))
        flagged.append(r.alarm)
    return Table("Training-serving skew: this batch vs the serving feature log",
                 ("feature", "kind", "measure", "value", "limit", "status", "note"), tuple(rows), tuple(flagged),
                 "Both sides are the same rows, so there is no sampling noise: the limit is the spec's threshold.")


def _class_table(report) -> Table:
    limit, rows, flagged = report.max_bias, [], []
    for c, (predicted, labelled) in sorted(report.class_shares.items()):
        alarm = limit is not None and abs(predicted - labelled) > limit
        rows.append((c, f"{predicted:.2%}", f"{labelled:.2%}", f"{predicted - labelled:+.4f}",
                     "n/a" if limit is None else f"{limit:g}", "alarm" if alarm else "ok"))
        flagged.append(alarm)
    return Table("Prediction bias per class (share predicted - share labelled)",
                 ("class", "predicted", "labelled", "bias", "limit", "status"), tuple(rows), tuple(flagged))


def model_panel(report) -> ModelPanel | None:
    """Model age (with its limit) and prediction health; None when the run knows nothing of a model."""
    facts = []
    if report.model_version is not None:
        facts.append(("version", report.model_version))
    age, limit = report.model_age_seconds, report.max_model_age_seconds
    if age is not None:
        facts.append(("age", f"{age / DAY:.2f} days" + (f" (limit {limit / DAY:.2f} days)" if limit else "")))
    elif limit is not None:
        facts.append(("age", f"unknown (limit {limit / DAY:.2f} days; pass --model-trained-at)"))
    if report.prediction_non_finite is not None:
        facts.append(("non-finite predictions", str(report.prediction_non_finite)))
    if report.prediction_bias is not None:
        facts.append(("prediction bias (mean predicted - mean label)", f"{report.prediction_bias:+.4g}"))
    if report.prediction_source is not None:
        facts.append(("predictions from", {"column": "the batch's prediction column",
                                           "model": "the serving model run on the batch"}[report.prediction_source]))
    if not facts:
        return None
    return ModelPanel(tuple(facts), None if age is None else age / DAY, None if limit is None else limit / DAY)


def score_card(score: dict | None) -> ScoreCard | None:
    """``specgen score --format json`` output -> a card: ``score``, ``sections`` ({name: points} or
    {name: {score: points}}) and ``tests`` ([{id, title, status, evidence}]); missing keys show empty."""
    if not score:
        return None
    sections = score.get("sections") or {}
    sums = tuple((str(k), _points(v)) for k, v in sorted(sections.items())) if isinstance(sections, dict) else ()
    tests = tuple((str(t.get("id", "")), str(t.get("title", "")), str(t.get("status", "")),
                   _evidence(t.get("evidence", ""))) for t in score.get("tests") or () if isinstance(t, dict))
    return ScoreCard(_points(score.get("score", "")), sums, tests)


def _points(value) -> str:
    if isinstance(value, dict):
        value = value.get("score", value.get("points", ""))
    return _num(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _evidence(value) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def _rate(alpha: float | None, compared: int) -> str:
    return "" if alpha is None or not compared else f"{alpha / compared:.2g}"


def _alpha(alpha: float | None) -> str:
    return "the configured alpha" if alpha is None else f"{alpha:g}"


def _worst_first(results) -> list:
    """Alarms first, then the rest by value / limit; what was not judged (absent, too few rows) last."""
    return sorted(results, key=lambda r: (not r.alarm, r.value is None, -r.severity if r.value is not None else 0,
                                          r.name))


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.4g}"
