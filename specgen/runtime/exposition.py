"""Prometheus text exposition of a monitor report, written atomically (textfile-collector style).

Metric names come from ``contracts.metric_names.metric_name`` (the function the
alert rules use) and follow the Prometheus conventions: ``specgen_<spec name>_...``,
one gauge per statistic with a ``feature`` label, timestamps as ``..._timestamp_seconds``.
Label values are escaped per the exposition format (backslash, double quote, newline),
so any feature name is safe.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import SpecgenError
from .contracts.metric_names import metric_name
from .monitor import MonitorReport


class PushError(SpecgenError):
    def __init__(self, message: str):
        super().__init__(f"{message} [SG307]", "SG307")

__all__ = ["exposition", "write_textfile", "push", "PushError"]


def exposition(report: MonitorReport) -> str:
    gauges: dict[str, tuple[str, list[tuple[dict, float]]]] = {}

    def gauge(family: str, help_text: str, value: float | None, measure: str | None = None, **labels: str) -> None:
        if value is None:
            return
        name = metric_name(report.name, family, measure)
        gauges.setdefault(name, (help_text, []))[1].append((labels, float(value)))

    gauge("batch_rows", "Rows in the last monitored batch.", report.rows)
    gauge("schema_checks", "Schema checks run on the last batch.", report.checks)
    gauge("schema_checks_failed", "Schema checks that failed on the last batch.", len(report.schema_failures))
    for failure in report.schema_failures:
        gauge("schema_failing_rows", "Rows failing a schema check in the last batch (-1: whole-batch check).",
              failure.failing_rows if failure.failing_rows is not None else -1,
              column=failure.check.column or "", check=failure.check.kind)
    for what, results in (("drift", report.drift), ("skew", report.skew)):
        for r in results:
            for measure, value in sorted(r.measures.items()):
                gauge(f"feature_{what}", f"{measure} of each feature: {_HELP[what]}.", value, measure, feature=r.name)
            if what == "drift":
                gauge("feature_null_ratio", "Share of nulls per feature in the last batch.", r.null_ratio,
                      feature=r.name)
    for r in report.prediction_drift:
        for measure, value in sorted(r.measures.items()):
            gauge("prediction_drift", f"{measure} of each model output: current batch vs the training "
                  "baseline.", value, measure, output=r.name)
    gauge("alarms", "Alarms raised by the last monitor run.", len(report.alarms))
    if report.model_version is not None:
        gauge("model_info", "The serving model (always 1; its version in the model_version label).", 1,
              model_version=report.model_version)
    gauge("model_trained_timestamp_seconds", "When the serving model was trained (Unix time).",
          report.model_trained_at)
    gauge("prediction_non_finite_values", "NaN or infinite predictions in the last batch.",
          report.prediction_non_finite)
    gauge("prediction_bias", "Mean prediction minus mean label in the last batch.", report.prediction_bias)
    for c, bias in sorted((report.class_bias or {}).items()):
        # the class label is bounded: the spec's declared classes plus one for any other value
        gauge("prediction_class_bias", "Share of rows predicted as each class minus share labelled with it "
              "in the last batch.", bias, **{"class": c})
    gauge("last_success_timestamp_seconds", "When specgen monitor last completed (Unix time).",
          report.finished_at)
    lines = []
    for name in sorted(gauges):
        help_text, samples = gauges[name]
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for labels, value in sorted(samples, key=lambda s: sorted(s[0].items())):
            lines.append(f"{name}{_labels(labels)} {_value(value)}")
    return "\n".join(lines) + "\n"


_HELP = {"drift": "current batch vs the training baseline", "skew": "serving feature log vs the batch"}


def _labels(labels: dict) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _value(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def write_textfile(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a scraper never sees a half-written file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def push(gateway: str, job: str, text: str, timeout: float = 30.0) -> str:
    """PUT ``text`` to ``<gateway>/metrics/job/<job>`` (replaces the job's group, as a batch job wants).

    The Pushgateway's API with the standard library: text exposition format 0.0.4.
    Returns the URL pushed to; any failure is a ``PushError`` naming the cause.
    """
    import urllib.error
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(gateway)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushError(f"{gateway!r}: the Pushgateway URL must be http(s)://host[:port]")
    url = gateway.rstrip("/") + "/metrics/job/" + urllib.parse.quote(job, safe="")
    request = urllib.request.Request(url, data=text.encode("utf-8"), method="PUT",
                                     headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        body = exc.read(500).decode("utf-8", "replace").strip().splitlines()
        raise PushError(f"{url}: the Pushgateway answered HTTP {exc.code} {exc.reason}"
                        + (f": {body[0]}" if body else "")) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise PushError(f"{url}: cannot reach the Pushgateway: {reason}") from None
    return url
