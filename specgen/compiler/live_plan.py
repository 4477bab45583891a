"""``Spec`` -> ``LiveConfig``: every default of the ``live`` section resolved for ``specgen live``."""
from __future__ import annotations

import re

from ..runtime.contracts.live import (CanaryConfig, LiveConfig, LiveMetric, LiveSlice, LogColumns, OutcomeConfig,
                                      SamplingConfig)
from ..runtime.contracts.slices import SliceFilter
from .model_plan import _bound, _metric
from .spec import Spec, parse_duration

__all__ = ["live_config", "DEFAULT_MAX_DROP"]

#: a canary may be this much worse (in the metric's units) before it counts as worse, unless the spec says
DEFAULT_MAX_DROP = 0.02
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|`[^`]+`")


def live_config(spec: Spec) -> LiveConfig:
    live = spec.live
    key = tuple(live.predictions.key or spec.data.key)
    metrics = live.metrics or spec.model.metrics
    live_metrics = tuple(LiveMetric(_metric(n, b), _bound(b)) for n, b in sorted(metrics.items()))
    p = live.predictions
    predictions = LogColumns(p.table, key, p.timestamp, p.prediction, p.score, p.version,
                             tuple(p.columns if p.columns is not None else _slice_columns(spec)))
    labels = None
    if live.labels is not None:
        lab = live.labels
        labels = LogColumns(lab.table, tuple(lab.key or key), lab.timestamp, lab.label or spec.data.label)
    return LiveConfig(
        name=spec.name, task=spec.model.task, predictions=predictions, labels=labels,
        window_seconds=parse_duration(live.window), metrics=live_metrics, slices=_slices(spec),
        max_bias=live.max_bias, min_label_coverage=live.min_label_coverage,
        label_delay_seconds=parse_duration(live.label_delay),
        max_label_delay_seconds=parse_duration(live.max_label_delay) if live.max_label_delay else None,
        min_rows=live.min_rows, canary=_canary(spec, live_metrics), sampling=_sampling(spec),
        outcomes=tuple(OutcomeConfig(n, o.table, o.timestamp, o.value, _bound(o), o.description)
                       for n, o in sorted(live.outcomes.items())),
        seed=spec.seeds.global_)


def _slices(spec: Spec) -> tuple[LiveSlice, ...]:
    out = []
    for name, s in sorted(spec.slices.items()):
        value = tuple(s.value) if isinstance(s.value, list) else s.value
        metrics = tuple(LiveMetric(_metric(n, b), _bound(b)) for n, b in sorted(s.metrics.items()))
        out.append(LiveSlice(name, SliceFilter(s.where, s.column, value), metrics, s.min_rows))
    return tuple(out)


def _slice_columns(spec: Spec) -> list[str]:
    """Declared columns the slices' filters read: a ``column``, or the names a ``where`` query mentions."""
    declared = set(spec.all_columns) | set(spec.data.key)
    named = []
    for s in spec.slices.values():
        if s.column is not None:
            named.append(s.column)
        else:
            named += [w.strip("`") for w in _WORD.findall(s.where) if w.strip("`") in declared]
    return sorted(set(named))


def _canary(spec: Spec, live_metrics) -> CanaryConfig | None:
    c = spec.live.canary
    if c is None:
        return None
    if spec.live.labels is None:
        chosen = ()
    else:
        chosen = tuple(m.metric for m in live_metrics if c.metrics is None or m.metric.name in c.metrics)
    drops = {m.name: c.max_drop.get(m.name, DEFAULT_MAX_DROP) for m in chosen}
    return CanaryConfig(str(c.stable), str(c.canary), chosen, drops, c.alpha, c.min_labelled, c.bootstrap)


def _sampling(spec: Spec) -> SamplingConfig | None:
    s = spec.live.sampling
    if s is None:
        return None
    salt = s.salt or spec.seeds.split_salt or spec.name
    return SamplingConfig(s.per_day, s.min_per_slice, salt, parse_duration(s.lookback))
