"""``specgen live``: the prediction log, window by window, joined to its labels -> a ``LiveReport``."""
from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl

from ...errors import DataError
from ..contracts.live import ALL, LiveConfig, LiveMetric
from ..sources import Source
from ..timezones import to_naive_utc
from .canary import CanaryAccumulator
from .logs import JoinReport, index_labels, join_labels, read_labels, read_window, time_range, window_index
from .outcomes import outcome_window
from .quality import GroupQuality, group_quality
from .report import Alarm, LiveReport
from .slicing import slice_masks

__all__ = ["run_live", "windows", "default_as_of"]

_EPOCH = datetime(1970, 1, 1)


def default_as_of(config: LiveConfig, predictions: Source, labels: Source | None) -> datetime:
    """Just after the latest timestamp in either log: everything logged so far counts."""
    last = [time_range(predictions, config.predictions)[1]]
    if labels is not None:
        last.append(time_range(labels, config.labels)[1])
    known = [t for t in last if t is not None]
    if not known:
        raise DataError("the prediction log has no rows [SG203]", "SG203")
    return max(known) + timedelta(microseconds=1)


def windows(first: datetime, as_of: datetime, seconds: int) -> list[tuple[datetime, datetime]]:
    """[start, end) windows aligned to the Unix epoch (1d: midnight UTC) from ``first`` up to ``as_of``."""
    step = timedelta(seconds=seconds)
    start = _EPOCH + step * ((first - _EPOCH) // step)
    out = []
    while start < as_of:
        out.append((start, min(start + step, as_of)))
        start += step
    return out


def run_live(config: LiveConfig, predictions: Source, labels: Source | None = None,
             outcomes: Source | None = None, as_of: datetime | None = None) -> LiveReport:
    as_of = to_naive_utc(as_of, None) if as_of is not None else default_as_of(config, predictions, labels)
    first, _ = time_range(predictions, config.predictions)
    if first is None:
        raise DataError("the prediction log has no rows [SG203]", "SG203")
    join = JoinReport()
    key = config.predictions.key
    by_window = None
    if labels is not None:
        label_frame = read_labels(labels, config.labels, key, as_of, join)
        by_window = index_labels(predictions, config.predictions, label_frame, as_of, config.window_seconds, join)
        del label_frame
    report = LiveReport(config.name, as_of.isoformat(), config.window_seconds, {})
    canary = CanaryAccumulator(config) if config.canary is not None else None
    for start, end in windows(first, as_of, config.window_seconds):
        frame = read_window(predictions, config.predictions, start, end)
        if frame.height:
            own = None if by_window is None else by_window.pop(window_index(start, config.window_seconds),
                                                                 _no_labels(frame, key))
            joined = join_labels(frame, own, key, join)
            _window(config, report, joined, (start, end), as_of, canary)
        for outcome in config.outcomes if outcomes is not None else ():
            got = outcome_window(outcomes, outcome, start, end, start.isoformat())
            if got.rows:  # a window before the first or after the last measurement says nothing
                report.outcomes.append(got)
            if got.problem:
                report.alarms.append(Alarm(got.window_start, ALL, f"outcome:{outcome.name}", got.mean,
                                           f"{outcome.name} mean {got.mean:.4g} is {got.problem}"))
    report.join = join.as_dict()
    report.canary = canary.result() if canary is not None else None
    return report


def _no_labels(frame: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    from .logs import ARRIVED, LABEL
    return pl.DataFrame(schema={**{k: frame.schema[k] for k in key}, LABEL: pl.String, ARRIVED: pl.Datetime("us")})


def _window(config: LiveConfig, report: LiveReport, frame: pl.DataFrame, bounds, as_of, canary) -> None:
    label = (bounds[0].isoformat(), bounds[1].isoformat())
    mature = bounds[1] + timedelta(seconds=config.label_delay_seconds) <= as_of
    masks = slice_masks(frame, config.slices)
    groups = [(ALL, np.ones(frame.height, bool), config.metrics, config.min_rows)]
    groups += [(s.name, masks[s.name], s.metrics, s.min_rows) for s in config.slices]
    for name, mask, metrics, min_rows in groups:
        q = group_quality(frame.filter(pl.Series(mask)), name, label, mature, config.task, metrics, min_rows,
                          config.label_delay_seconds)
        report.quality.append(q)
        report.alarms += _judge(config, q, metrics, min_rows)
    if canary is not None:
        canary.add(label[0], frame, masks)


def _judge(config: LiveConfig, q: GroupQuality, metrics: tuple[LiveMetric, ...], min_rows: int) -> list[Alarm]:
    out = []
    alarm = lambda what, value, message: out.append(Alarm(q.window_start, q.slice, what, value, message))
    for m in metrics:
        value = q.metrics.get(m.metric.name)
        problem = m.bound.problem(value) if value is not None and m.bound is not None else None
        if problem:
            alarm(m.metric.name, value, f"{m.metric.name} {value:.4g} is {problem} ({q.labelled} labelled rows)")
    if config.max_bias is not None and q.bias is not None and q.labelled >= min_rows and abs(q.bias) > config.max_bias:
        alarm("bias", q.bias, f"prediction bias {q.bias:+.4g} is beyond ±{config.max_bias:g}")
    if (config.min_label_coverage is not None and q.mature and q.coverage is not None
            and q.coverage < config.min_label_coverage):
        alarm("label_coverage", q.coverage, f"label coverage {q.coverage:.1%} is below "
                                            f"{config.min_label_coverage:.1%} after the label delay")
    limit = config.max_label_delay_seconds
    if limit is not None and q.delay_median_seconds is not None and q.delay_median_seconds > limit:
        alarm("label_delay", q.delay_median_seconds, f"median label delay {q.delay_median_seconds / 3600:.1f} h is "
                                                     f"above {limit / 3600:.1f} h")
    return out
