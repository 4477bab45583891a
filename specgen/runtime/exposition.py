"""Prometheus exposition of a monitor report: a textfile (atomic) and a Pushgateway push, via prometheus_client.

Metric names come from ``contracts.metric_names.metric_name`` (the function the
alert rules use) and follow the Prometheus conventions: ``specgen_<spec name>_...``,
one gauge per statistic with a ``feature`` label, timestamps as ``..._timestamp_seconds``.
The report becomes prometheus_client metric families (``families``; ``registry`` holds them for
prometheus_client's own ``generate_latest`` or ``push_to_gateway``). ``exposition`` writes those
families in the text format 0.0.4 exactly as specgen always has (whole numbers without ``.0``,
timestamps without an exponent, so existing scrapes and diffs are unchanged); label values are
escaped per the format (backslash, double quote, newline), so any feature name is safe.
``push`` sends it through prometheus_client's Pushgateway handlers: a grouping key (``job`` plus
e.g. ``instance``, so replicas do not overwrite each other), basic auth, and TLS (a CA file,
a client certificate).
"""
from __future__ import annotations

import base64
import math
import os
import re
import tempfile
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.metrics_core import GaugeMetricFamily
from prometheus_client.registry import CollectorRegistry

from ..errors import SpecgenError
from .checks import DATASET, Check
from .contracts.metric_names import metric_name
from .contracts.timings import QUANTILES
from .monitor import MonitorReport


class PushError(SpecgenError):
    def __init__(self, message: str):
        super().__init__(f"{message} [SG307]", "SG307")

__all__ = ["exposition", "families", "registry", "write_textfile", "push", "read_auth_file", "parse_grouping",
           "PushError", "TLSOptions", "PUSH_TIMEOUT", "mask_credentials"]


def exposition(report: MonitorReport) -> str:
    """The report in the text exposition format 0.0.4: families sorted by name, samples by labels."""
    lines = []
    for family in families(report):
        lines += [f"# HELP {family.name} {family.documentation}", f"# TYPE {family.name} {family.type}"]
        for sample in family.samples:
            lines.append(f"{sample.name}{_labels(sample.labels)} {_value(sample.value)}")
    return "\n".join(lines) + "\n"


def registry(report: MonitorReport) -> CollectorRegistry:
    """A prometheus_client registry holding the report's metrics (for ``generate_latest``, ``push_to_gateway``)."""
    out = CollectorRegistry(auto_describe=False)
    out.register(_Collector(families(report)))
    return out


class _Collector:
    def __init__(self, metric_families: list[GaugeMetricFamily]):
        self._families = metric_families

    def collect(self):
        return iter(self._families)


def families(report: MonitorReport) -> list[GaugeMetricFamily]:
    """One prometheus_client gauge family per metric, sorted by name, its samples sorted by labels."""
    gauges: dict[str, tuple[str, list[tuple[dict, float]]]] = {}

    def gauge(family: str, help_text: str, value: float | None, measure: str | None = None, **labels: str) -> None:
        if value is None:
            return
        name = metric_name(report.name, family, measure)
        gauges.setdefault(name, (help_text, []))[1].append((labels, float(value)))

    _gauges(report, gauge)
    out = []
    for name in sorted(gauges):
        help_text, samples = gauges[name]
        family = GaugeMetricFamily(name, help_text)
        for labels, value in sorted(samples, key=lambda s: sorted(s[0].items())):
            family.add_sample(name, {k: str(v) for k, v in labels.items()}, value)
        out.append(family)
    return out


def _gauges(report: MonitorReport, gauge) -> None:
    """Every gauge of the report, through ``gauge(family, help, value, measure=None, **labels)``."""
    gauge("batch_rows", "Rows in the last monitored batch.", report.rows)
    gauge("schema_checks", "Schema checks run on the last batch.", report.checks)
    gauge("schema_checks_failed", "Schema checks that failed on the last batch.", len(report.schema_failures))
    for failure in report.schema_failures:
        gauge("schema_failing_rows", "Rows failing a schema check in the last batch (-1: whole-batch check).",
              failure.failing_rows if failure.failing_rows is not None else -1,
              column=_target(failure.check), check=failure.check.kind)
    for what, results in (("drift", report.drift), ("skew", report.skew)):
        for r in results:
            for measure, value in sorted(r.measures.items()):
                gauge(f"feature_{what}", f"{measure} of each feature: {_HELP[what]}.", value, measure, feature=r.name)
            if what == "drift":
                _limits(gauge, "feature_drift", r, feature=r.name)
                gauge("feature_null_ratio", "Share of nulls per feature in the last batch.", r.null_ratio,
                      feature=r.name)
    for r in report.prediction_drift:
        for measure, value in sorted(r.measures.items()):
            gauge("prediction_drift", f"{measure} of each model output: current batch vs the training "
                  "baseline.", value, measure, output=r.name)
        _limits(gauge, "prediction_drift", r, output=r.name)
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
    if report.serving is not None:
        for q, value in sorted(report.serving.latency_ms.items()):
            gauge("serving_latency_ms", "Per-request latency quantile of the last batch, ms.", value,
                  quantile=str(QUANTILES[q]))
        gauge("serving_qps", "Queries per second over the last batch's request times.", report.serving.qps)
        gauge("serving_requests", "Requests with a latency in the last batch.", report.serving.requests)
    gauge("last_success_timestamp_seconds", "When specgen monitor last completed (Unix time).",
          report.finished_at)


def _limits(gauge, family: str, r, **labels: str) -> None:
    """What the alarm measure was held to: the alert rules compare the measure with ``<family>_threshold``."""
    gauge(f"{family}_threshold", "Limit of the alarm measure in the last batch: max(threshold, noise floor); "
          "+Inf when the batch is too small to judge.", math.inf if r.too_small else r.threshold, **labels)
    gauge(f"{family}_noise_floor", "Noise floor of the alarm measure: its (1 - alpha) quantile on batches of "
          "this size with no drift.", r.floor, **labels)
    gauge(f"{family}_p_value", "Chance of a measure this large on a batch of this size with no drift.",
          r.p_value, **labels)


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


PUSH_TIMEOUT = 30.0  # seconds for the whole push: connect, send, and the gateway's answer
_ANSWER_BYTES = 4096  # the Pushgateway answers with an empty body or a one-line error: read no more


@dataclass(frozen=True)
class TLSOptions:
    """How to reach an https Pushgateway: a CA bundle to trust, and/or a client certificate (mutual TLS)."""

    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None  # None: the key is inside cert_file


def push(gateway: str, job: str, text: str, timeout: float = PUSH_TIMEOUT,
         auth: tuple[str, str] | None = None, grouping: dict[str, str] | None = None,
         tls: TLSOptions | None = None) -> str:
    """PUT ``text`` to ``<gateway>/metrics/job/<job>[/<key>/<value>...]`` (replaces that group, as a batch job wants).

    ``grouping``: more grouping-key labels, e.g. ``{"instance": "replica-1"}``: each group is its own set
    of series, so two replicas pushing with different instances do not overwrite each other.
    The request goes through prometheus_client's Pushgateway handlers (text exposition 0.0.4); ``tls``
    sets the CA file and client certificate. Credentials (``auth``, or ``user:password@`` in the URL) go
    as HTTP basic auth and never appear in a message. ``timeout`` bounds the whole exchange (a server
    that drips one byte at a time cannot hold ``monitor``), and the answer's body is not read on success.
    Returns the URL pushed to (without credentials); any failure is a ``PushError`` naming the cause.
    """
    url, auth = _push_url(gateway, job, auth, grouping or {})
    headers = [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")]
    if auth is not None:  # what prometheus_client's basic_auth_handler sends, composable with TLS
        headers.append(("Authorization", "Basic " + base64.b64encode(":".join(auth).encode("utf-8")).decode("ascii")))
    handler = _handler(url, headers, text.encode("utf-8"), timeout, tls)
    outcome: list = []
    worker = threading.Thread(target=_put, args=(handler, outcome), daemon=True)  # abandoned at the deadline;
    worker.start()  # the socket timeout ends it later
    worker.join(timeout)
    if not outcome:
        raise PushError(f"{url}: the Pushgateway did not answer within {timeout:g} s")
    if outcome[0] is not None:
        raise PushError(f"{url}: {outcome[0]}")
    return url


def _handler(url: str, headers: list, body: bytes, timeout: float, tls: TLSOptions | None):
    """A prometheus_client push handler (``_make_handler``, what its default and TLS handlers build on)
    whose transport verifies with ``tls`` and reads at most a few KB of the answer."""
    from prometheus_client import exposition as client

    return client._make_handler(url, "PUT", timeout, headers, body, _Transport(context=_tls_context(tls)))


def _tls_context(tls: TLSOptions | None):
    """The SSL context of prometheus_client's ``tls_auth_handler``, with the client certificate optional."""
    if tls is None or (tls.ca_file is None and tls.cert_file is None):
        return None  # urllib's default: the system's CAs
    import ssl

    try:
        context = ssl.create_default_context(cafile=tls.ca_file)
        if tls.cert_file is not None:
            context.load_cert_chain(certfile=tls.cert_file, keyfile=tls.key_file)
    except (OSError, ValueError, ssl.SSLError) as exc:
        files = ", ".join(f for f in (tls.ca_file, tls.cert_file, tls.key_file) if f)
        raise PushError(f"cannot load the TLS files ({files}): {_printable(str(exc))}") from None
    return context


class _Transport(urllib.request.HTTPSHandler):
    """https with the push's SSL context; a successful answer's body read up to ``_ANSWER_BYTES`` (the
    Pushgateway answers with an empty body: a server that drips one forever meets the deadline, and a
    huge one is not read). Error answers are left to ``_put``, which quotes their first line."""

    def http_response(self, request, response):
        if response.status < 300:
            response.read(_ANSWER_BYTES)
        return response

    https_response = http_response


def _put(handler, outcome: list) -> None:
    """The HTTP exchange (in a worker thread); appends None on success, else the reason."""
    import http.client
    import urllib.error

    try:
        handler()
        outcome.append(None)
    except urllib.error.HTTPError as exc:
        answer = exc.read(500).decode("utf-8", "replace").strip().splitlines()
        outcome.append(f"the Pushgateway answered HTTP {exc.code} {_printable(str(exc.reason))}"
                       + (f": {_printable(answer[0])}" if answer else ""))
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        outcome.append(f"cannot reach the Pushgateway: {_printable(str(reason))}")
    except Exception as exc:  # noqa: BLE001 -- the worker must always report, or push waits the full timeout
        outcome.append(f"the push failed: {type(exc).__name__}: {_printable(str(exc))}")


_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def parse_grouping(pairs) -> dict[str, str]:
    """``["instance=replica-1", ...]`` -> a grouping key; label names checked, ``job`` reserved."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, eq, value = str(pair).partition("=")
        if not eq or not _LABEL_NAME.match(key) or key.startswith("__"):
            raise PushError(f"{_printable(str(pair))!r}: a grouping key is label=value with a Prometheus label name")
        if key == "job" or key in out:
            raise PushError(f"grouping key {key!r} given twice (job is always specgen_<name>)")
        out[key] = value
    return out


def _group_path(key: str, value: str) -> str:
    """``/key/value``; in the Pushgateway's base64 form when the value is empty or holds ``/`` (as
    prometheus_client's push_to_gateway does)."""
    if value == "" or "/" in value:
        encoded = base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii") or "="
        return f"/{key}@base64/{encoded}"
    return f"/{key}/{urllib.parse.quote(value, safe='')}"


def _push_url(gateway: str, job: str, auth: tuple[str, str] | None,
              grouping: dict[str, str]) -> tuple[str, tuple[str, str] | None]:
    """(URL to request, credentials): userinfo moves from the URL to ``auth``; the URL is then safe to show."""
    try:
        parts = urllib.parse.urlsplit(gateway)
        port = parts.port  # parses it: ``host:abc`` raises ValueError here
    except ValueError as exc:
        raise PushError(f"{mask_credentials(gateway)}: not a valid Pushgateway URL ({exc}); "
                        "use http(s)://host[:port]") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PushError(f"{mask_credentials(gateway)}: the Pushgateway URL must be http(s)://host[:port]")
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in gateway):
        raise PushError(f"{mask_credentials(gateway)}: the Pushgateway URL contains spaces or control characters")
    if parts.username is not None or parts.password is not None:
        if auth is not None:
            raise PushError(f"{mask_credentials(gateway)}: credentials both in the URL and in the auth file; give them once")
        auth = (urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or ""))
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if port is None else f"{host}:{port}"
    base = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    url = base + "/metrics" + _group_path("job", job) + "".join(_group_path(k, v) for k, v in sorted(grouping.items()))
    return url, auth


def read_auth_file(path: str | Path) -> tuple[str, str]:
    """``user:password`` from the first line of ``path`` (kept out of the command line and the process list)."""
    try:
        line = Path(path).read_text(encoding="utf-8").splitlines()[0].strip()
    except (OSError, UnicodeDecodeError, IndexError) as exc:
        raise PushError(f"{path}: cannot read the Pushgateway credentials: "
                        f"{getattr(exc, 'strerror', None) or 'empty or not UTF-8'}") from None
    user, colon, password = line.partition(":")
    if not colon or not user:
        raise PushError(f"{path}: the Pushgateway auth file must hold one line user:password")
    return user, password


def mask_credentials(url: str) -> str:
    """``url`` fit for a message: everything between ``scheme://`` and the last ``@`` (credentials,
    even malformed ones) replaced, control characters escaped."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return _printable(scheme + sep + rest)


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _target(check: Check) -> str:
    """The ``column`` label: the column, a relation's text, or empty for the whole dataset."""
    return "" if check.target == DATASET else check.target
