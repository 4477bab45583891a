"""The monitoring contract: what the compiler hands ``specgen monitor``, as frozen dataclasses.

The compiler builds a :class:`MonitoringConfig` from the plan and the committed
baseline, renders it to ``<name>_monitoring.yaml``; ``specgen monitor`` loads
that file back into the same classes (:meth:`MonitoringConfig.from_data`), so
monitor needs neither the spec model nor the compiler. The serving checks and
column types travel in the config for the same reason.

Standard library only (plus ``runtime.checks``): the runtime imports it.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from ..checks import Check
from .timings import ServingTimings

__all__ = ["FORMAT", "BASELINE_FORMAT", "DEFAULT_ALPHA", "MEASURES", "Measure", "FeatureConfig", "OutputConfig",
           "PredictionDriftConfig", "ModelRef", "MonitoringConfig", "problems", "encode_params", "decode_params"]

#: the format tag of ``<name>_monitoring.yaml``
FORMAT = "specgen-monitoring/1"
#: the format tag of the committed ``<name>_baseline.json`` (written by ``specgen baseline`` and ``infer``)
BASELINE_FORMAT = "specgen-baseline/1"

#: the drift measures ``specgen monitor`` computes per feature kind (one gauge each); a config naming
#: another one is damaged (it used to read as "no non-null values" and alarm for ever)
MEASURES = {
    "numeric": ("psi", "js_distance", "linf", "chi_square", "wasserstein_normalized", "ks_statistic"),
    "categorical": ("psi", "js_distance", "linf", "chi_square"),
}

#: ``monitoring.alpha``'s default: one clean batch in 1,000 may raise a (false) drift alarm
DEFAULT_ALPHA = 0.001

_DATETIME, _DATE = "__specgen_datetime__", "__specgen_date__"


@dataclass(frozen=True)
class Measure:
    """A drift or skew measure and the value above which it alarms."""

    metric: str
    threshold: float

    @classmethod
    def from_data(cls, data: dict) -> Measure:
        return cls(str(data["metric"]), float(data["threshold"]))


@dataclass(frozen=True)
class FeatureConfig:
    """One monitored feature: ``kind`` numeric | categorical; ``reference`` is its baseline entry
    (numeric: edges, counts, nulls, mean, std; categorical: counts, nulls)."""

    name: str
    kind: str
    dtype: str
    bins: int
    drift: Measure
    skew: Measure
    reference: dict
    #: a datetime's hour, weekday or recency (``runtime.time_bins``): {column, unit, zone}; None for a plain column
    time_bins: dict | None = None

    @classmethod
    def from_data(cls, data: dict) -> FeatureConfig:
        bins = data.get("time_bins")
        return cls(str(data["name"]), str(data["kind"]), str(data["dtype"]), int(data["bins"]),
                   Measure.from_data(data["drift"]), Measure.from_data(data["skew"]), dict(data["reference"]),
                   {str(k): str(v) for k, v in bins.items()} if bins else None)


@dataclass(frozen=True)
class OutputConfig:
    """One model output (``prediction`` or ``proba:<class>``) and its training-time reference."""

    name: str
    kind: str
    drift: Measure
    reference: dict

    @classmethod
    def from_data(cls, data: dict) -> OutputConfig:
        return cls(str(data["name"]), str(data["kind"]), Measure.from_data(data["drift"]), dict(data["reference"]))


@dataclass(frozen=True)
class PredictionDriftConfig:
    source: str  # column | model: where the training-time predictions came from
    outputs: tuple[OutputConfig, ...]

    @classmethod
    def from_data(cls, data: dict) -> PredictionDriftConfig:
        return cls(str(data["source"]), tuple(OutputConfig.from_data(o) for o in data["outputs"] or ()))


@dataclass(frozen=True)
class ModelRef:
    """How to load the serving model: ``paths`` and ``artifact`` are relative to the config's folder."""

    paths: tuple[str, ...]
    entrypoints: dict
    features: tuple[str, ...]
    task: str
    artifact: str | None

    @classmethod
    def from_data(cls, data: dict) -> ModelRef:
        return cls(tuple(str(p) for p in data["paths"]), dict(data["entrypoints"]),
                   tuple(str(f) for f in data["features"]), str(data["task"]), data.get("artifact"))


@dataclass(frozen=True)
class MonitoringConfig:
    name: str
    spec_sha256: str
    label: str | None
    stale_after_seconds: int
    max_model_age_seconds: int | None
    prediction_column: str | None
    max_bias: float | None
    bias_classes: tuple[str, ...] | None  # a classifier's declared classes: per-class bias
    baseline_source: str  # the training data, relative to the config's folder
    baseline_rows: int
    baseline_data_sha256: str  # fingerprint of the data the baseline was computed from
    dtypes: dict  # column -> its value type (``io.read_polars``), for reading a batch
    checks: tuple[Check, ...]  # the schema's serving checks
    features: tuple[FeatureConfig, ...]
    prediction_drift: PredictionDriftConfig | None = None
    model: ModelRef | None = None  # the serving model, run when a batch carries no predictions
    serving_timings: ServingTimings | None = None  # per-request timing columns and their targets
    #: the chance that a batch with no drift raises a drift alarm (shared by its features): sets the noise floors
    alpha: float = DEFAULT_ALPHA
    format: str = FORMAT

    @property
    def check_data(self) -> list[dict]:
        """The checks as plain data (what the config file stores)."""
        return [{"kind": c.kind, "column": c.column, "params": encode_params(c.params),
                 "environments": list(c.environments)} for c in self.checks]

    @classmethod
    def from_data(cls, data: dict) -> MonitoringConfig:
        """The parsed YAML -> the contract; a missing key or a wrong type raises KeyError/TypeError/ValueError."""
        baseline = data["baseline"]
        drift = data.get("prediction_drift")
        classes = data.get("bias_classes")
        return cls(
            name=str(data["name"]), spec_sha256=str(data["spec_sha256"]), label=data.get("label"),
            stale_after_seconds=int(data["stale_after_seconds"]),
            max_model_age_seconds=_optional(int, data.get("max_model_age_seconds")),
            prediction_column=data.get("prediction_column"), max_bias=_optional(float, data.get("max_bias")),
            bias_classes=tuple(str(c) for c in classes) if classes is not None else None,
            baseline_source=str(baseline["source"]), baseline_rows=int(baseline["rows"]),
            baseline_data_sha256=str(baseline["data_sha256"]),
            dtypes={str(k): str(v) for k, v in (data.get("dtypes") or {}).items()},
            checks=tuple(_check(c) for c in data.get("checks") or ()),
            features=tuple(FeatureConfig.from_data(f) for f in data.get("features") or ()),
            prediction_drift=PredictionDriftConfig.from_data(drift) if drift else None,
            model=ModelRef.from_data(data["model"]) if data.get("model") else None,
            serving_timings=ServingTimings.from_data(data["serving_timings"]) if data.get("serving_timings") else None,
            alpha=float(data.get("alpha", DEFAULT_ALPHA)),
            format=str(data["format"]),
        )


def problems(config: MonitoringConfig) -> list[str]:
    """What makes a loaded config unusable: a threshold that cannot alarm (``1e309``, ``.nan``, 0 or less),
    an unknown measure or feature kind, reference counts that are not non-negative integers or do not
    match the edges. Empty when the config is sound."""
    out = []
    for label, value in (("stale_after_seconds", config.stale_after_seconds), ("baseline.rows", config.baseline_rows)):
        if value < 0:
            out.append(f"{label}: {value} is negative")
    for label, value in (("max_model_age_seconds", config.max_model_age_seconds), ("max_bias", config.max_bias)):
        if value is not None and not (math.isfinite(value) and value >= 0):
            out.append(f"{label}: {value!r} is not a finite non-negative number")
    timings = config.serving_timings
    limits = dict(timings.latency_targets, min_qps=timings.min_qps) if timings is not None else {}
    for label, value in sorted(limits.items()):
        if value is not None and not (math.isfinite(value) and value > 0):
            out.append(f"serving_timings.{label}: {value!r} is not a finite positive number")
    for i, f in enumerate(config.features):
        where = f"features[{i}] ({f.name})"
        if f.bins < 1:
            out.append(f"{where}.bins: {f.bins} is not a positive count")
        out += _measure_problems(f"{where}.drift", f.kind, f.drift) + _measure_problems(f"{where}.skew", f.kind, f.skew)
        out += _reference_problems(f"{where}.reference", f.kind, f.reference)
    for i, o in enumerate(config.prediction_drift.outputs if config.prediction_drift else ()):
        where = f"prediction_drift.outputs[{i}] ({o.name})"
        out += _measure_problems(f"{where}.drift", o.kind, o.drift) + _reference_problems(f"{where}.reference",
                                                                                          o.kind, o.reference)
    return out


def _measure_problems(where: str, kind: str, measure: Measure) -> list[str]:
    if kind not in MEASURES:
        return [f"{where}: unknown feature kind {kind!r} (numeric or categorical)"]
    out = []
    if measure.metric not in MEASURES[kind]:
        out.append(f"{where}.metric: unknown measure {measure.metric!r} for a {kind} feature "
                   f"(one of {', '.join(MEASURES[kind])})")
    if not (math.isfinite(measure.threshold) and measure.threshold > 0):
        out.append(f"{where}.threshold: {measure.threshold!r} is not a finite positive number")
    return out


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _per_bin(values, edges: list, valid) -> bool:
    """Whether ``values`` is absent or a list of one ``valid`` value per interior bin of ``edges``."""
    return values is None or isinstance(values, list) and len(values) == len(edges) - 1 and all(map(valid, values))


def _reference_problems(where: str, kind: str, reference: dict) -> list[str]:
    out = [] if _count(reference.get("nulls", 0)) else [f"{where}.nulls: not a non-negative integer"]
    counts = reference.get("counts")
    if kind == "categorical":
        if not isinstance(counts, dict) or not all(_count(v) for v in counts.values()):
            out.append(f"{where}.counts: not a mapping of category -> non-negative integer")
        return out
    edges = reference.get("edges")
    if not isinstance(edges, list) or len(edges) < 2 or not all(map(_finite, edges)):
        return out + [f"{where}.edges: not a list of at least 2 finite numbers"]
    if any(b < a for a, b in zip(edges, edges[1:])):
        out.append(f"{where}.edges: not in increasing order")
    if not isinstance(counts, list) or not all(_count(c) for c in counts):
        out.append(f"{where}.counts: not a list of non-negative integers")
    elif len(counts) != len(edges) + 1:
        out.append(f"{where}.counts: {len(counts)} counts for {len(edges)} edges (needs {len(edges) + 1}: "
                   "underflow, bins, overflow)")
    if not _per_bin(reference.get("sums"), edges, _finite):
        out.append(f"{where}.sums: not a list of {len(edges) - 1} finite numbers (one per bin)")
    if not _per_bin(reference.get("spreads"), edges, lambda v: _finite(v) and v >= 0):
        out.append(f"{where}.spreads: not a list of {len(edges) - 1} finite non-negative numbers (one per bin)")
    ties = reference.get("tie_edges", [])
    if not isinstance(ties, list) or not all(e in edges[1:-1] for e in ties):
        out.append(f"{where}.tie_edges: not a list of inner edges")
    return out


def _optional(kind, value):
    return None if value is None else kind(value)


def _check(data: dict) -> Check:
    return Check(str(data["kind"]), data.get("column"), decode_params(dict(data.get("params") or {})),
                 tuple(str(e) for e in data["environments"]))


def encode_params(value: Any) -> Any:
    """Check parameters -> YAML-safe plain data (tuples become lists, dates tagged strings)."""
    if isinstance(value, dict):
        return {k: encode_params(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_params(v) for v in value]
    if isinstance(value, dt.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    return value


def decode_params(value: Any) -> Any:
    """The inverse of :func:`encode_params` (lists stay lists: the engines only iterate them)."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(next(iter(value.values())), str):
            tag, text = next(iter(value.items()))
            if tag == _DATETIME:
                return dt.datetime.fromisoformat(text)
            if tag == _DATE:
                return dt.date.fromisoformat(text)
        return {k: decode_params(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_params(v) for v in value]
    return value
