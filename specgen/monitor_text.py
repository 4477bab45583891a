"""The human-readable ``specgen monitor`` report: alarms first, features worst first."""
from __future__ import annotations

__all__ = ["render_text"]


def render_text(report, current) -> str:
    status = "no alarm" if report.ok else f"{len(report.alarms)} alarm(s)"
    lines = [f"{current}: {report.rows} rows, {report.checks} schema checks: {status}"]
    if report.config_used:
        lines.append(f"  monitoring config: {report.config_used}")
    if any(r.floor is not None for r in report.drift):
        lines.append("  (a measure alarms above its limit: the larger of its threshold (set by: practical) and "
                     "its noise floor at this batch size (set by: noise))")
    for alarm in report.alarms:
        lines.append(f"  ALARM {alarm}")
    source = {"column": "the batch's prediction column", "model": "the serving model run on the batch"}
    for title, results in (("drift vs baseline", report.drift), ("skew vs serving log", report.skew),
                           (f"prediction drift ({source.get(report.prediction_source, 'no predictions')})",
                            report.prediction_drift)):
        if not results:
            continue
        lines += ["", f"{title} (worst first)",
                  f"  {'feature' if 'prediction' not in title else 'output':<24} {'kind':<11} {'measure':<22} "
                  f"{'value':>9} {'limit':>9} {'set by':<9} {'p-value':>8} {'nulls':>7}  status"]
        for r in sorted(results, key=lambda r: (-r.severity, r.name)):
            value = "n/a" if r.value is None else f"{r.value:.4g}"
            limit = "n/a" if r.threshold is None else f"{r.threshold:.4g}"
            p_value = "" if r.p_value is None else f"{r.p_value:.2g}"
            nulls = "" if r.null_ratio is None else f"{r.null_ratio:.2%}"
            status = "ALARM" if r.alarm else ("too small" if r.too_small else
                                              "not compared" if r.value is None else "ok")
            lines.append(f"  {_cut(r.name):<24} {r.kind:<11} {r.metric:<22} {value:>9} {limit:>9} {r.set_by:<9} "
                         f"{p_value:>8} {nulls:>7}  {status}{'  (' + r.note + ')' if r.note else ''}")
    if report.model_age_seconds is not None:
        limit = report.max_model_age_seconds
        lines.append(f"\nmodel age: {report.model_age_seconds / 86400:.2f} days"
                     + (f" (limit {limit / 86400:.2f} days)" if limit is not None else ""))
    if report.model_version is not None:
        lines.append(f"model version: {report.model_version}")
    if report.prediction_non_finite is not None:
        bias = "n/a" if report.prediction_bias is None else f"{report.prediction_bias:.4g}"
        lines.append(f"predictions: {report.prediction_non_finite} non-finite, bias {bias}")
    if report.class_shares is not None:
        lines += ["", "prediction bias per class (share predicted - share labelled)",
                  f"  {'class':<24} {'predicted':>9} {'labelled':>9} {'bias':>9} {'limit':>9}  status"]
        limit = report.max_bias
        for c, (predicted, labelled) in sorted(report.class_shares.items()):
            alarm = limit is not None and abs(predicted - labelled) > limit
            shown = "n/a" if limit is None else f"{limit:.4g}"
            lines.append(f"  {_cut(c):<24} {predicted:>9.2%} {labelled:>9.2%} {predicted - labelled:>+9.4f} "
                         f"{shown:>9}  {'ALARM' if alarm else 'ok'}")
    if report.not_computed:
        lines += ["", "not computed on this engine"] + [f"  {item}" for item in report.not_computed]
    return "\n".join(lines)


def _cut(name: str) -> str:
    flat = " ".join(str(name).split())
    return flat if len(flat) <= 24 else flat[:23] + "~"
