"""``specgen monitor``: one chunked pass over a serving batch, compared with the stored baseline.

Per chunk: the row-level schema checks (the polars engine of ``specgen validate``),
bin counts on the baseline's edges and category counts (``summary``), and the
prediction sums. Chunk results add up, so memory is bounded by the chunk. A datetime monitored by
recency (``runtime.time_bins``) needs the batch's newest value first: a short first pass reads only
those columns' maxima.
After the pass: dataset checks on the totals, every drift measure per feature,
skew against a serving feature log, model age, prediction bias.

Distribution checks of the schema (mean/std/quantiles/shares) are not re-run
here: per-chunk values do not add up, and drift against the baseline is the
monitor's distribution check.
"""
from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import polars as pl

from . import baseline as baseline_mod
from . import engine, io, time_bins
from .calibration import MIN_ROWS, TOO_FEW_ROWS, calibrate, share_p_value, too_few_rows, too_small
from .checks import Check, Failure, registry
from .contracts.monitoring import FORMAT, MEASURES, FeatureConfig, Measure, MonitoringConfig, problems
from .drift import FINE_MEASURES, NULL_KEY, Histogram, drift, tie_windows, without_edges
from .generated import body_state
from .io import DataError, InferenceTooShort
from .model_outputs import PREDICTION_OUTPUT
from .timezones import polars_utc
from .timings import Timings, TimingSummary
from .summary import (CHUNK_ROWS, FeatureSpec, category_text, incomparable, iter_chunks, merge_summaries,
                      summarize_frame)

__all__ = ["MonitorReport", "FeatureResult", "load_config", "run", "min_rows", "TOO_FEW_ROWS", "NUMERIC_MEASURES",
           "CATEGORICAL_MEASURES", "OTHER_CLASS"]

#: predicted or labelled values outside a classifier's declared classes count as this one class,
#: so the ``class`` label of the bias gauge stays bounded by the spec
OTHER_CLASS = "__other__"

#: every measure exported per feature kind (one gauge each); the spec picks the one that alarms
NUMERIC_MEASURES = MEASURES["numeric"]
CATEGORICAL_MEASURES = MEASURES["categorical"]
#: check kinds a chunk can settle alone (uniqueness also keeps hashes across chunks, below)
_CHUNK_KINDS = registry.per_chunk_kinds()


@dataclass
class FeatureResult:
    """One feature (or output) compared with its reference.

    ``threshold`` is the limit used: the larger of ``practical`` (the spec's threshold, a change
    large enough to matter) and ``floor`` (the measure's noise floor for this reference and batch
    size, ``runtime.calibration``); ``set_by`` says which. ``too_small``: the batch cannot say
    anything about this distribution; it is reported, never an alarm.
    """

    name: str
    kind: str
    metric: str
    threshold: float | None
    value: float | None
    measures: dict[str, float | None]
    null_ratio: float | None = None
    note: str = ""
    practical: float | None = None  # None: the threshold is the practical one (no calibration ran)
    floor: float | None = None
    p_value: float | None = None
    too_small: bool = False

    @property
    def set_by(self) -> str:
        if self.too_small:
            return "too_small"
        return "noise" if self.floor is not None and self.floor > (self.practical or 0.0) else "practical"

    @property
    def alarm(self) -> bool:
        if self.too_small:
            return False
        if self.value is None:
            # present but impossible to compare (e.g. all null) is an alarm, never a silent pass;
            # an absent column is the schema check's finding; a batch too small to judge is no evidence
            return not self.note.startswith(("absent", TOO_FEW_ROWS))
        return self.value > self.threshold

    @property
    def severity(self) -> float:
        """value / threshold, for sorting worst first (a too-small batch sorts last)."""
        if self.too_small:
            return -math.inf
        return math.inf if self.value is None else self.value / self.threshold

    def as_dict(self) -> dict:
        return {"feature": self.name, "kind": self.kind, "metric": self.metric, "threshold": self.threshold,
                "practical_threshold": self.practical, "noise_floor": self.floor, "set_by": self.set_by,
                "p_value": self.p_value, "value": self.value, "alarm": self.alarm, "measures": self.measures,
                "null_ratio": self.null_ratio, "note": self.note}


@dataclass
class MonitorReport:
    name: str  # the spec's: metric names are ``contracts.metric_names.metric_name(name, ...)``
    rows: int
    checks: int
    schema_failures: list[Failure]
    drift: list[FeatureResult]
    skew: list[FeatureResult] = field(default_factory=list)
    prediction_drift: list[FeatureResult] = field(default_factory=list)
    prediction_source: str | None = None  # column | model | None (no predictions in this run)
    model_version: str | None = None  # None: the spec declares no model
    model_trained_at: float | None = None
    max_model_age_seconds: float | None = None
    prediction_non_finite: int | None = None
    prediction_bias: float | None = None
    max_bias: float | None = None
    #: classifier: class -> (share predicted, share labelled), over rows with both; None: no labelled predictions
    class_shares: dict[str, tuple[float, float]] | None = None
    finished_at: float = 0.0
    #: the batch's false-alarm budget (``monitoring.alpha``): each compared feature gets an equal share
    alpha: float | None = None
    #: name -> (reference, current) summaries (``Histogram`` or category counts; current None: absent),
    #: for drawing them (``specgen report``); not in ``as_dict``
    distributions: dict = field(default_factory=dict, repr=False)
    output_distributions: dict = field(default_factory=dict, repr=False)
    serving: TimingSummary | None = None  # per-request timings the batch carried (runtime.timings)
    #: the config and baseline compared with: "compiled: PATH" or "ad hoc: built from SPEC and ..." (api.monitor)
    config_used: str | None = None
    #: what this engine could not compute on this batch, each with why (a pushdown engine: ``pushdown.monitor``)
    not_computed: list[str] = field(default_factory=list)

    @property
    def model_age_seconds(self) -> float | None:
        return None if self.model_trained_at is None else self.finished_at - self.model_trained_at

    @property
    def class_bias(self) -> dict[str, float] | None:
        """Per class: share of rows predicted as it minus share labelled with it."""
        if self.class_shares is None:
            return None
        return {c: predicted - labelled for c, (predicted, labelled) in self.class_shares.items()}

    @property
    def alarms(self) -> list[str]:
        out = [f"schema: {f.message()}" for f in self.schema_failures]
        out += [f"drift: {r.name} ({_why(r)})" for r in self.drift if r.alarm]
        out += [f"skew: {r.name} ({_why(r)})" for r in self.skew if r.alarm]
        out += [f"prediction drift: {r.name} ({_why(r)})" for r in self.prediction_drift if r.alarm]
        age = self.model_age_seconds
        if age is not None and self.max_model_age_seconds is not None and age > self.max_model_age_seconds:
            out.append(f"model age: {age:.0f}s > {self.max_model_age_seconds:.0f}s")
        if self.prediction_non_finite:
            out.append(f"prediction: {self.prediction_non_finite} non-finite value(s)")
        if self.prediction_bias is not None and self.max_bias is not None and abs(self.prediction_bias) > self.max_bias:
            out.append(f"prediction bias: {self.prediction_bias:.4g} (limit {self.max_bias:g})")
        if self.class_shares is not None and self.max_bias is not None:
            for c, (predicted, labelled) in sorted(self.class_shares.items()):
                if abs(predicted - labelled) > self.max_bias:
                    out.append(f"prediction bias: class {c!r} {predicted - labelled:+.4g} (predicted {predicted:.2%}, "
                               f"labelled {labelled:.2%}; limit {self.max_bias:g})")
        if self.serving is not None:
            out += self.serving.alarms
        return out

    @property
    def ok(self) -> bool:
        return not self.alarms

    def as_dict(self) -> dict:
        return {
            "name": self.name, "config_used": self.config_used, "rows": self.rows, "checks": self.checks,
            "ok": self.ok, "alarms": self.alarms,
            "schema_failures": [f.as_dict() for f in self.schema_failures],
            "drift": [r.as_dict() for r in _worst_first(self.drift)],
            "skew": [r.as_dict() for r in _worst_first(self.skew)],
            "prediction_drift": [r.as_dict() for r in _worst_first(self.prediction_drift)],
            "prediction_source": self.prediction_source, "model_version": self.model_version,
            "model_age_seconds": self.model_age_seconds, "max_model_age_seconds": self.max_model_age_seconds,
            "prediction_non_finite": self.prediction_non_finite, "prediction_bias": self.prediction_bias,
            "prediction_class_bias": self.class_bias, "max_bias": self.max_bias,
            "serving": self.serving.as_dict() if self.serving is not None else None,
            "not_computed": list(self.not_computed),
        }


def _worst_first(results: list[FeatureResult]) -> list[FeatureResult]:
    return sorted(results, key=lambda r: (-r.severity, r.name))


def _why(result: FeatureResult) -> str:
    """An alarm's reason: the measure over its limit, or why there is no value (e.g. not comparable)."""
    if result.value is None and result.note:
        return f"{result.metric}: {result.note}"
    return f"{result.metric} {_fmt(result.value)} > {_fmt(result.threshold)}"


def _fmt(value) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def load_config(path: str | Path) -> MonitoringConfig:
    """The compiled ``<name>_monitoring.yaml`` as its contract: as compiled (the header's body hash),
    parsed and sound (``contracts.monitoring.problems``), else one SG error (SG305, SG309)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: monitoring config not found; run specgen compile [SG305]", "SG305") from None
    except (OSError, UnicodeDecodeError) as exc:
        why = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
        raise _damaged(path, why) from None
    state = body_state(text)
    if state == "foreign":
        raise DataError(f"{path}: not a specgen monitoring config (no specgen header) [SG305]", "SG305")
    if state == "edited":
        raise DataError(f"{path}: edited by hand (its body no longer matches the hash in its header); change the "
                        "spec's monitoring: section and recompile: specgen compile [SG309]", "SG309")
    config = _parse_yaml(path, text)
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise DataError(f"{path}: not a specgen monitoring config [SG305]", "SG305")
    try:
        loaded = MonitoringConfig.from_data(config)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _damaged(path, f"{type(exc).__name__}: {exc}") from None
    found = problems(loaded)
    if found:
        raise _damaged(path, "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else ""))
    return loaded


def _parse_yaml(path: Path, text: str):
    import yaml  # only when monitoring

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    # the parse builds ~100 containers per feature and no garbage: with the cyclic collector on,
    # it re-walks them all, again and again (12 s of 16 for a 5,000-feature config; R2)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise _damaged(path, f"not valid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") \
            from None
    finally:
        if collecting:
            gc.enable()


def _damaged(path: Path, why: str) -> DataError:
    return DataError(f"{path}: damaged monitoring config ({why}); run specgen compile [SG305]", "SG305")


def run(config: MonitoringConfig, current: str | Path, *, reference: str | Path | None = None,
        serving_features: str | Path | None = None,
        model_trained_at: float | None = None, now: float | None = None, chunk_rows: int = CHUNK_ROWS,
        progress: Callable[[int], None] | None = None,
        predictor: Callable[[pl.DataFrame], pl.DataFrame] | None = None, source=None) -> MonitorReport:
    """``predictor``: chunk -> model outputs, used for prediction drift when the batch has no prediction column.
    ``source``: ``current`` -> a ``pushdown.query.Query`` (Spark, SQL): the batch's totals come from aggregate
    queries there instead of a chunked read (``pushdown.monitor``); ``reference`` and ``serving_features`` are
    read there too (``monitor_sources``)."""
    checks, dtypes = list(config.checks), config.dtypes
    features = _reference_override(config.features, reference, dtypes, config.label, source)
    references = {f.name: (baseline_mod.to_summary(f.kind, f.reference), f.reference) for f in features}
    specs = baseline_mod.feature_specs(features)
    timing = config.serving_timings
    allowed = [config.label, config.prediction_column] + (
        [timing.latency_column, timing.timestamp_column] if timing is not None else [])
    chunk_checks = [_allow_columns(c, allowed) for c in checks if c.kind in _CHUNK_KINDS]

    def add(batch: _Batch, chunk: pl.DataFrame) -> None:
        batch.add(chunk)
        if progress is not None:
            progress(batch.rows)

    if source is None:
        specs = _anchored(specs, current, dtypes)
        batch = one_pass(current, dtypes, chunk_rows, lambda: _Batch(config, specs, chunk_checks, predictor), add)
    else:
        from .pushdown.monitor import fill_batch

        q = source(current)
        specs = _anchored_in(specs, q)
        batch = fill_batch(_Batch(config, specs, chunk_checks, predictor), q, chunk_checks, chunk_rows)
    if batch.rows == 0:
        raise DataError(f"{current}: batch has no rows [SG203]", "SG203")
    failures = batch.failures() + _total_checks(checks, batch)
    report = MonitorReport(
        name=config.name, rows=batch.rows, checks=len(checks),
        schema_failures=failures, drift=[_drift(f, batch, references.get(f.name), _share(config.alpha, features))
                                         for f in features],
        model_trained_at=model_trained_at, max_model_age_seconds=config.max_model_age_seconds,
        max_bias=config.max_bias, alpha=config.alpha,
        distributions={f.name: (references[f.name][0], batch.summaries.get(f.name)) for f in features},
        output_distributions=_output_distributions(config, batch))
    if serving_features is not None:
        report.skew = _skew(features, specs, serving_features, dtypes, batch, chunk_rows, config.label, source)
    report.prediction_drift, report.prediction_source = _prediction_drift(config, batch)
    if batch.predictions:
        report.prediction_non_finite = batch.pred["non_finite"]
        if batch.pred["label_n"] and batch.pred["n"]:
            report.prediction_bias = batch.pred["sum"] / batch.pred["n"] - batch.pred["label_sum"] / batch.pred["label_n"]
    if batch.class_pairs:  # every declared class (a gauge must not vanish at 0), and any other value seen
        classes = sorted(set(batch.classes) | set(batch.class_predicted) | set(batch.class_labelled))
        report.class_shares = {c: (batch.class_predicted.get(c, 0) / batch.class_pairs,
                                   batch.class_labelled.get(c, 0) / batch.class_pairs) for c in classes}
    report.serving = batch.timings.summary()
    report.not_computed = list(batch.not_computed)
    report.finished_at = time.time() if now is None else now
    return report


def _anchored(specs: list[FeatureSpec], path, dtypes) -> list[FeatureSpec]:
    """``specs`` with each recency feature's newest value pinned: a first pass over ``path``
    (``time_bins.batch_newest``: the datetime columns' maxima only), so every chunk measures ages
    from the batch's newest value."""
    columns = time_bins.recency_columns(specs)
    if not columns:
        return specs
    return time_bins.anchored(specs, time_bins.batch_newest(path, dtypes, columns))


def _anchored_in(specs: list[FeatureSpec], q) -> list[FeatureSpec]:
    """``_anchored`` on a pushdown source ``q``: the newest values from one MAX aggregate there."""
    columns = time_bins.recency_columns(specs)
    if not columns:
        return specs
    from .pushdown.time_bins import newest_instants

    return time_bins.anchored(specs, newest_instants(q, columns))


def one_pass(path, dtypes: dict[str, str], chunk_rows: int, start: Callable[[], object],
             add: Callable[[object, pl.DataFrame], None]):
    """Read ``path`` once, chunk by chunk, into ``start()``'s accumulator; returns the accumulator.

    A CSV whose types the first rows got wrong is read again with types inferred from
    every row, into a fresh accumulator (``read_polars`` does the same for a whole file).
    """
    for infer_all in (False, True):
        totals = start()
        try:
            for chunk in iter_chunks(path, dtypes, chunk_rows, infer_all=infer_all):
                add(totals, chunk)
            return totals
        except InferenceTooShort:
            continue
    raise AssertionError("unreachable: the second pass infers from every row")


def _allow_columns(check: Check, names: list[str | None]) -> Check:
    """A monitored batch may carry the label (joined later, for prediction bias) and the model's
    predictions: not extra columns."""
    return registry.get(check.kind).allow_columns(check, [n for n in names if n is not None])


def _reference_override(features: tuple[FeatureConfig, ...], reference, dtypes,
                        label: str | None = None, source=None) -> tuple[FeatureConfig, ...]:
    """``--reference``: the features with references computed from that file (and binned on its edges).
    A reference without the label keeps the label's stored reference (serving data rarely has it).
    ``source``: the pushdown engine's reader (``monitor_sources``: aggregates only)."""
    if reference is None:
        return features
    if source is not None:
        from .monitor_sources import reference_features

        return reference_features(features, source(reference), str(reference), label)
    frame = io.read_polars(reference, dtypes)
    own = [f for f in features if f.name != label or label in frame.columns]
    wanted = [SimpleNamespace(name=f.name, kind=f.kind, bins=f.bins, time_bins=f.time_bins) for f in own]
    _, computed = baseline_mod.compute_frame(frame, wanted, str(reference))
    new = {f.name: replace(f, reference=e) for f, e in zip(own, computed)}
    return tuple(new.get(f.name, f) for f in features)


class _Batch:
    """Running totals over the chunks of one batch."""

    def __init__(self, config: MonitoringConfig, specs: list[FeatureSpec], checks: list[Check], predictor=None):
        self.specs = specs
        drift = config.prediction_drift
        self.outputs = baseline_mod.feature_specs(drift.outputs) if drift else []
        self.output_kind = {o.name: o.kind for o in drift.outputs} if drift else {}
        self.predictor = predictor
        self.model_features = set(config.model.features) if config.model else set()
        self.model_skipped: str | None = None  # why the model was not run on this batch
        self.output_summaries: dict = {}
        self.output_source: str | None = None
        self.checks = checks
        self.rows = 0
        self.summaries: dict = {}
        self.incomparable: dict[str, str] = {}  # feature -> the batch's column type it cannot be counted as
        self.nulls: dict[str, int] = {}
        self.merged: dict[int, Failure] = {}
        self.unique = [(i, c) for i, c in enumerate(checks)
                       if registry.get(c.kind).spans_chunks and "serving" in c.environments]
        self.hashes: dict[int, list[np.ndarray]] = {i: [] for i, _ in self.unique}
        # column -> the batch's newest value (naive UTC), for ``batch_newest`` kinds (freshness)
        self.zones = {c.column: registry.get(c.kind).declared_zone(c) for c in config.checks
                      if registry.get(c.kind).declared_zone(c)}
        self.newest: dict[str, object] = {}
        self.dated = sorted({c.column for c in config.checks
                             if registry.get(c.kind).batch_newest and "serving" in c.environments})
        self.prediction = config.prediction_column
        self.label = config.label
        self.predictions = False
        self.pred = {"n": 0, "sum": 0.0, "non_finite": 0, "label_n": 0, "label_sum": 0.0}
        # a classifier: per-class bias instead of the mean
        self.classes = list(config.bias_classes) if config.bias_classes is not None else None
        self.class_pairs = 0
        self.class_predicted: dict[str, int] = {}
        self.class_labelled: dict[str, int] = {}
        self.timings = Timings(config.serving_timings)
        self.not_computed: list[str] = []  # what a pushdown engine could not compute, with why

    def add(self, chunk: pl.DataFrame) -> None:
        self.timings.add(chunk)
        self.rows += chunk.height
        self.incomparable.update(incomparable(chunk, self.specs))
        for name, summary in summarize_frame(chunk, self.specs).items():
            old = self.summaries.get(name)
            self.summaries[name] = summary if old is None else merge_summaries(old, summary)
        nulls = chunk.select(pl.col(name).fill_nan(None).null_count() if dtype.is_float()
                             else pl.col(name).null_count() for name, dtype in chunk.schema.items()).row(0, named=True)
        for name, count in nulls.items():
            self.nulls[name] = self.nulls.get(name, 0) + count
        self._add_newest(chunk)
        index = {id(c): i for i, c in enumerate(self.checks)}
        for failure in engine.run_checks(chunk, self.checks, "serving"):
            self._merge_failure(index[id(failure.check)], failure)
        for i, check in self.unique:
            hashes = registry.get(check.kind).chunk_hashes(check, chunk)
            if hashes is not None:
                self.hashes[i].append(hashes)
        if self.classes is not None:
            self._add_class_predictions(chunk)
        elif self.prediction and self.prediction in chunk.columns and chunk.schema[self.prediction].is_numeric():
            self._add_predictions(chunk)
        if self.outputs:
            self._add_outputs(chunk)

    def _add_newest(self, chunk: pl.DataFrame) -> None:
        dated = [c for c in self.dated if c in chunk.columns and chunk.schema[c].is_temporal()]
        if not dated:
            return
        row = chunk.select(polars_utc(pl.col(c), chunk.schema[c], self.zones.get(c)).max() for c in dated).row(0)
        for name, value in zip(dated, row):
            old = self.newest.get(name)
            self.newest[name] = value if old is None or (value is not None and value > old) else old

    def _add_outputs(self, chunk: pl.DataFrame) -> None:
        """Model outputs of this chunk: the batch's prediction column, else the model run on the chunk."""
        if self.prediction and self.prediction in chunk.columns:
            self.output_source = "column"
            numeric = self.output_kind.get(PREDICTION_OUTPUT) == "numeric"
            x = pl.col(self.prediction)
            text = category_text(x, chunk.schema[self.prediction])
            outputs = chunk.select((x.cast(pl.Float64) if numeric else text).alias(PREDICTION_OUTPUT))
        elif self.predictor is not None and not self._model_skipped():
            self.output_source = "model"
            outputs = self.predictor(chunk)
        else:
            return
        for name, summary in summarize_frame(outputs, self.outputs).items():
            old = self.output_summaries.get(name)
            self.output_summaries[name] = summary if old is None else merge_summaries(old, summary)

    def _model_skipped(self) -> bool:
        """A batch failing a model feature's ``present``/``dtype`` check is not fed to the model (it
        would fail on text where it expects numbers, a schema alarm already says why): no prediction
        drift for the whole batch, rather than for some chunks."""
        if self.model_skipped is None:
            broken = sorted({f.check.column for f in self.merged.values() if registry.get(f.check.kind).blocks_column
                             and f.check.column in self.model_features})
            if broken:
                self.model_skipped = ("the model was not run: the batch fails the schema's type checks on "
                                      f"{', '.join(broken)}")
                self.output_summaries, self.output_source = {}, None
        return self.model_skipped is not None

    def _merge_failure(self, i: int, failure: Failure) -> None:
        old = self.merged.get(i)
        if old is None:
            self.merged[i] = failure
        elif old.failing_rows is not None and failure.failing_rows is not None:
            self.merged[i] = Failure(old.check, old.failing_rows + failure.failing_rows, old.examples, old.observed)

    def _add_predictions(self, chunk: pl.DataFrame) -> None:
        self.predictions = True
        p = pl.col(self.prediction).cast(pl.Float64)
        exprs = [p.is_finite().sum().alias("n"), p.filter(p.is_finite()).sum().alias("sum")]
        has_label = self.label in chunk.columns and chunk.schema[self.label].is_numeric()
        if has_label:
            y = pl.col(self.label).cast(pl.Float64)
            both = p.is_finite() & y.is_finite()
            exprs += [both.sum().alias("label_n"), y.filter(both).sum().alias("label_sum"),
                      p.filter(both).sum().alias("pair_sum")]
        row = chunk.select(exprs).row(0, named=True)
        self.pred["non_finite"] += chunk.height - int(row["n"])
        if has_label:  # bias over rows with both a prediction and a label
            self.pred["n"] += int(row["label_n"])
            self.pred["sum"] += float(row["pair_sum"] or 0.0)
            self.pred["label_n"] += int(row["label_n"])
            self.pred["label_sum"] += float(row["label_sum"] or 0.0)

    def _add_class_predictions(self, chunk: pl.DataFrame) -> None:
        """Class counts of the predictions and of the labels, over rows that have both.

        Both columns are compared as strings (a label declared ``[1, 2]`` reads as integers);
        a value outside the declared classes counts as ``OTHER_CLASS``, so the counts stay
        bounded whatever the batch holds. A float NaN is no value, as null (as everywhere in
        specgen, and on the pushdown engines): a row with a NaN label is unlabelled, not ``OTHER_CLASS``.
        """
        if self.prediction not in chunk.columns or self.label not in chunk.columns:
            return

        def present(name: str) -> pl.Expr:
            return pl.col(name).fill_nan(None) if chunk.schema[name].is_float() else pl.col(name)

        def bounded(name: str) -> pl.Expr:
            x = category_text(pl.col(name), chunk.schema[name])  # a label 1.0 read from pandas is the class 1
            return pl.when(x.is_in(self.classes)).then(x).otherwise(pl.lit(OTHER_CLASS)).alias(name)

        pairs = chunk.select(present(self.prediction), present(self.label)).drop_nulls().select(
            bounded(self.prediction), bounded(self.label))
        self.class_pairs += pairs.height
        for column, counts in ((self.prediction, self.class_predicted), (self.label, self.class_labelled)):
            for value, count in pairs.group_by(column).len().iter_rows():
                counts[value] = counts.get(value, 0) + count

    def failures(self) -> list[Failure]:
        self._unique_across_chunks()
        return [self.merged[i] for i in sorted(self.merged)]

    def _unique_across_chunks(self) -> None:
        """Uniqueness over the whole batch, not per chunk: count the rows whose 64-bit hash repeats.

        Exact up to hash collisions, which can only add false duplicates (about n^2 / 2^65:
        1 in 15,000 batches of 50,000,000 rows), never hide one; memory is 8 bytes per row
        of each unique column or key (a set of hashes), unlike the chunk-bounded rest.
        """
        broken = {f.check.column for f in self.merged.values() if registry.get(f.check.kind).blocks_column}
        for i, check in self.unique:
            if not self.hashes[i] or check.column in broken:
                continue
            values = np.concatenate(self.hashes[i])
            self.hashes[i] = []
            _, counts = np.unique(values, return_counts=True)
            rows = int(counts[counts > 1].sum())
            old = self.merged.get(i)
            if rows:
                examples = old.examples if old is not None else ()
                self.merged[i] = Failure(check, rows, examples, "" if old is not None else "duplicates across chunks")
            elif old is not None:  # cannot happen: a duplicate within a chunk repeats its hash
                raise AssertionError(f"uniqueness: a chunk found duplicates the batch count missed: {old}")


def _total_checks(checks: list[Check], batch: _Batch) -> list[Failure]:
    """Checks judged on the whole batch's totals (row count, null fractions: the kinds' ``judge_totals``)."""
    judged = [registry.get(c.kind).judge_totals(c, batch.rows, batch.nulls) for c in checks
              if "serving" in c.environments]
    judged += [registry.get(c.kind).judge_newest(c, batch.newest[c.column]) for c in checks
               if registry.get(c.kind).batch_newest and c.column in batch.newest]
    return [f for f in judged if f is not None]


def _compare(feature, setting: Measure, reference, current, rows: int, alpha: float | None) -> FeatureResult:
    """``feature``: a ``FeatureConfig`` or an ``OutputConfig`` (name, kind); ``alpha``: this feature's
    share of the batch's false-alarm budget (the spec's alpha over the features compared); None: the
    spec's threshold alone (skew: two pipelines' features of the same rows carry no sampling noise)."""
    metric, practical = setting.metric, setting.threshold
    name, kind = feature.name, feature.kind
    if current is None:
        return FeatureResult(name, kind, metric, practical, None, {}, note="absent from the batch",
                             practical=practical)
    ref_summary, ref_entry = reference
    names = NUMERIC_MEASURES if kind == "numeric" else CATEGORICAL_MEASURES
    measures = {}
    for measure in names:
        options = {"scale": ref_entry.get("std")} if measure == "wasserstein_normalized" else {}
        try:
            measures[measure] = drift(measure, *_bins_for(measure, ref_entry, ref_summary, current), **options)
        except ValueError:
            measures[measure] = None  # e.g. no non-null values: the positional measures are undefined
    nulls = current.nulls if kind == "numeric" else current.get(NULL_KEY, 0)
    value = measures.get(metric)
    result = FeatureResult(name, kind, metric, practical, value, measures, nulls / rows if rows else None,
                           "" if value is not None else "not comparable (no non-null values)", practical=practical)
    if alpha is not None:
        _calibrate(result, ref_summary, ref_entry, current, alpha)
    return result


#: the share of a feature's alpha its tie test gets (``_tie_test``): the changes it is for are gross (a unit
#: change emptying every bin beside a tie: p ~ 1e-8 at 1,000 rows), so Wasserstein keeps nearly all of it
TIE_ALPHA = 0.1


def _calibrate(result: FeatureResult, ref_summary, ref_entry: dict, current, alpha: float) -> None:
    """Hold ``result``'s measure to max(threshold, noise floor), or mark the batch too small to judge."""
    small = too_small(*_coarse(ref_entry, ref_summary, current))  # the tie bins ask no more rows of a batch
    ref_summary, current = _bins_for(result.metric, ref_entry, ref_summary, current)
    if small is not None:
        result.threshold, result.too_small, result.note = None, True, small
    elif result.value is not None and result.value > result.practical:
        # the floor can only raise the limit: a measure at or below the practical threshold passes
        # whatever it is, so the simulation (~5 ms a feature) runs only where it decides the verdict
        scale = ref_entry.get("std") if result.metric == "wasserstein_normalized" else None
        ties = ref_entry.get("tie_edges") if result.metric in FINE_MEASURES else None
        level = alpha * (1 - TIE_ALPHA) if ties else alpha  # two tests share the feature's alpha (Bonferroni)
        spreads = ref_entry.get("spreads") if result.metric == "wasserstein_normalized" else None
        calibration = calibrate(result.metric, ref_summary, current, result.value, level, scale, spreads)
        result.floor, result.p_value = calibration.floor, min(1.0, calibration.p_value * alpha / level)
        result.threshold = max(result.practical, calibration.floor)
        if ties and result.value <= result.threshold:
            _tie_test(result, ref_entry, ref_summary, current, alpha * TIE_ALPHA)


def _tie_test(result: FeatureResult, ref_entry: dict, reference: Histogram, current: Histogram, level: float) -> None:
    """A measure above its practical threshold but under its noise floor, on a feature with tied values: judged
    on the practical threshold when the share of rows in the ties' windows (``drift.tie_windows``: a step of
    ``TIE_STEP`` std or more each side of each tie) changed beyond chance at ``level``. A column of mostly zeros
    whose few other values collapse onto the zeros (a unit change) moves little Wasserstein mass, under a
    noise floor set by those few values coming and going, but moves them all into the zeros' window; a shift
    under a step moves no tie out of its window and no other value into one, so it stays quiet."""
    removed, ties = tie_windows(reference.edges, ref_entry["tie_edges"], ref_entry["std"])
    (ref_in, ref_out), (cur_in, cur_out) = (_in_windows(without_edges(h, removed), ties) for h in (reference, current))
    p_value = share_p_value(ref_in, ref_out, cur_in, cur_out, above=level)
    if p_value < level:
        result.threshold, result.floor = result.practical, None
        result.p_value = min(result.p_value, p_value / TIE_ALPHA)
        result.note = f"share of rows at the tied values changed (p = {p_value:.2g}): judged on the practical threshold"


def _in_windows(hist: Histogram, ties: list[float]) -> tuple[int, int]:
    """(non-null rows in the bins holding the tied values, the others)."""
    e = np.asarray(hist.edges)
    bins = {min(int(i), e.size - 1) for i in np.searchsorted(e, ties, side="right")}  # the top edge closes a bin
    inside = sum(hist.counts[i] for i in bins)
    return inside, sum(hist.counts) - inside


def _bins_for(measure: str, ref_entry: dict, reference, current) -> tuple:
    """The two summaries as ``measure`` sees them: on the tie bins for ``drift.FINE_MEASURES``, else
    ``_coarse``."""
    return (reference, current) if measure in FINE_MEASURES else _coarse(ref_entry, reference, current)


def _coarse(ref_entry: dict, reference, current) -> tuple:
    """The two summaries with a numeric reference's tie edges (``drift.tie_edges``) merged away."""
    ties = ref_entry.get("tie_edges")
    return (without_edges(reference, ties), without_edges(current, ties)) if ties else (reference, current)


def _share(alpha: float, compared) -> float:
    """Bonferroni: each of the features compared in one batch gets an equal share of ``alpha``, so a
    clean batch raises a drift alarm with probability at most ``alpha``, however many features."""
    return alpha / max(len(compared), 1)


def _drift(feature: FeatureConfig, batch: _Batch, reference, alpha: float) -> FeatureResult:
    """One feature's drift: not comparable (wrong column type), too few rows to judge, else measured
    against max(threshold, noise floor) (``alpha``: this feature's share of the false-alarm budget)."""
    return (_not_comparable(feature, feature.drift, batch.incomparable)
            or _too_few_rows(feature, feature.drift, batch.rows, calibrated=alpha is not None)
            or _compare(feature, feature.drift, reference, batch.summaries.get(feature.name), batch.rows, alpha))


def _not_comparable(feature: FeatureConfig, setting: Measure, found: dict[str, str]) -> FeatureResult | None:
    """A feature whose column the batch holds as another type (text where numbers were, a list):
    reported, not computed (its schema ``dtype`` check fails too)."""
    if feature.name not in found:
        return None
    return FeatureResult(feature.name, feature.kind, setting.metric, setting.threshold, None, {},
                         note=f"not comparable (the column holds {found[feature.name]}, not {feature.kind} values)")


def min_rows(feature) -> int:
    """The fewest rows a batch needs for ``feature``'s drift to be judged (``TOO_FEW_ROWS``): its bins
    (numeric; edges - 1 for a model output, tie edges aside) or its reference categories (categorical),
    at least 2."""
    if feature.kind == "numeric":
        coarse = len(feature.reference.get("edges", ())) - len(feature.reference.get("tie_edges", ()))
        return max(2, getattr(feature, "bins", 0) or coarse - 1)
    return max(2, len(feature.reference.get("counts", {})))


def _too_few_rows(feature, setting: Measure, rows: int, calibrated: bool) -> FeatureResult | None:
    """The first of the two small-batch gates (one wording, ``TOO_FEW_ROWS``): below the feature's bins
    the measure is not even computed; from there up to the calibration's minimum (``too_small``) it is
    computed and shown, never alarmed. The note names the rows the batch needs to be judged at all."""
    if rows >= min_rows(feature):
        return None
    needed = max(MIN_ROWS, min_rows(feature)) if calibrated else min_rows(feature)
    return FeatureResult(feature.name, feature.kind, setting.metric, None, None, {}, note=too_few_rows(rows, needed),
                         practical=setting.threshold, too_small=True)


def _output_distributions(config: MonitoringConfig, batch: _Batch) -> dict:
    outputs = config.prediction_drift.outputs if config.prediction_drift else ()
    return {o.name: (baseline_mod.to_summary(o.kind, o.reference), batch.output_summaries.get(o.name))
            for o in outputs}


def _prediction_drift(config: MonitoringConfig, batch: _Batch) -> tuple[list[FeatureResult], str | None]:
    drift = config.prediction_drift
    if not drift:
        return [], None
    out = []
    for o in drift.outputs:
        current = batch.output_summaries.get(o.name)
        if current is None:
            out.append(FeatureResult(o.name, o.kind, o.drift.metric, o.drift.threshold, None, {},
                                     note=_absent_output_note(batch)))
            continue
        reference = (baseline_mod.to_summary(o.kind, o.reference), o.reference)
        out.append(_too_few_rows(o, o.drift, batch.rows, calibrated=config.alpha is not None)
                   or _compare(o, o.drift, reference, current, batch.rows, _share(config.alpha, drift.outputs)))
    return out, batch.output_source


def _absent_output_note(batch: _Batch) -> str:
    """Why a model output has no values; starts with "absent" (such a result is not judged)."""
    if batch.model_skipped:
        return "absent: " + batch.model_skipped
    if batch.output_source is None:
        return "absent: no predictions: the batch has no prediction column and no model to run"
    return f"absent from the model outputs (source: {batch.output_source})"


def _skew(features, specs, path, dtypes, batch: _Batch, chunk_rows: int, label: str | None,
          source=None) -> list[FeatureResult]:
    """Serving feature log vs the batch's features (and the label, when both carry it), both counted
    on the baseline's edges (``source``: counted by the pushdown engine, ``monitor_sources``)."""
    def add(totals: list, chunk: pl.DataFrame) -> None:
        totals[0] += chunk.height
        totals[2].update(incomparable(chunk, specs))
        for name, summary in summarize_frame(chunk, specs).items():
            totals[1][name] = summary if name not in totals[1] else merge_summaries(totals[1][name], summary)

    # ``specs`` hold the batch's newest value: the log's ages are measured from the same instant, so a
    # log whose timestamps the serving path shifted shows as recency skew
    if source is None:
        rows, serving, wrong = one_pass(path, dtypes, chunk_rows, lambda: [0, {}, {}], add)
    else:
        from .monitor_sources import serving_summaries

        rows, serving, wrong = serving_summaries(source(path), specs)
    out = []
    for f in features:
        failed = _not_comparable(f, f.skew, {**batch.incomparable, **wrong}) or \
            _too_few_rows(f, f.skew, min(rows, batch.rows), calibrated=False)
        if failed is not None:
            out.append(failed)
            continue
        mine = batch.summaries.get(f.name)
        if mine is None or f.name not in serving:
            out.append(FeatureResult(f.name, f.kind, f.skew.metric, f.skew.threshold, None, {},
                                     note=_skew_absent(f.name == label, mine is None, f.name not in serving)))
            continue
        out.append(_compare(f, f.skew, (mine, f.reference), serving[f.name], rows, None))
    return out


def _skew_absent(is_label: bool, from_batch: bool, from_log: bool) -> str:
    """Why a skew row has no value; starts with "absent" (not an alarm: the schema checks judge the
    batch's columns). The label is compared only when both sides carry it: a serving-features log
    is written before the label exists, so its absence there is normal, and said, not passed over."""
    where = " and ".join(w for w, absent in (("the batch", from_batch), ("the serving log", from_log)) if absent)
    if is_label:
        return f"absent from {where}: the label is compared only when both sides carry it"
    return f"absent from {where}"
