"""The human-readable form of a ``LiveReport`` (``specgen live`` without ``--format json``)."""
from __future__ import annotations

from .runtime.durations import format_duration

__all__ = ["render_live"]


def _num(value) -> str:
    return "-" if value is None else f"{value:.4g}"


def render_live(report) -> str:
    window = format_duration(report.window_seconds)
    lines = [f"live quality of {report.name} as of {report.as_of} ({window} windows)"]
    j = report.join
    lines.append(f"  join: {j['prediction_rows']} predictions, {j['label_rows']} labels; duplicates: "
                 f"{j['duplicate_predictions']} predictions {j['duplicate_prediction_keys']}, {j['duplicate_labels']}"
                 f" labels {j['duplicate_label_keys']}; {j['orphan_labels']} labels match no prediction "
                 f"{j['orphan_label_keys']}; {j['labels_before_prediction']} labelled before served; "
                 f"{j['labels_after_as_of']} arrive after as-of")
    lines.append(f"  {'window':<20} {'slice':<14} {'rows':>7} {'labelled':>8} {'coverage':>8} {'delay_h':>7} "
                 f"{'bias':>7}  metrics")
    for q in report.quality:
        delay = None if q.delay_median_seconds is None else q.delay_median_seconds / 3600
        metrics = ", ".join(f"{k}={_num(v)}" for k, v in q.metrics.items())
        cov = "-" if q.coverage is None else f"{q.coverage:.0%}" + ("" if q.mature else "*")
        lines.append(f"  {q.window_start:<20} {q.slice:<14} {q.rows:>7} {q.labelled:>8} {cov:>8} {_num(delay):>7} "
                     f"{_num(q.bias):>7}  {metrics}")
    lines.append("  (* window younger than the label delay: coverage not judged)")
    for o in report.outcomes:
        lines.append(f"  outcome {o.name} {o.window_start}: mean {_num(o.mean)} over {o.rows} rows"
                     + (f"  ALARM: {o.problem}" if o.problem else ""))
    if report.canary is not None:
        c = report.canary
        lines.append(f"canary {c.canary!r} vs stable {c.stable!r} over {c.windows_compared} window(s): "
                     f"{c.verdict.upper()}: {c.reason}")
        for t in c.tests:
            lines.append(f"  {t['slice']:<14} {t['metric']:<23} stable {_num(t.get('stable'))} canary "
                         f"{_num(t.get('canary'))} (n={t['n_stable']}/{t['n_canary']}) p={t['p_value']:.3g} "
                         f"level={t['level']:.3g} [{t['test']}]")
    if report.sample is not None:
        s = report.sample
        lines.append(f"sample for labelling: {s['rows']} requests of {s['day']} -> {s['file']} {s['strata']}")
    lines.append(f"{len(report.alarms)} alarm(s)" + (":" if report.alarms else ""))
    lines += [f"  {a.window_start} {a.slice}: {a.message}" for a in report.alarms]
    return "\n".join(lines)
