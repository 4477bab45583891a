"""Reference statistics on a pushdown source: what ``runtime.baseline.entry`` computes from a polars frame.

Edges are exact quantiles (linear interpolation, as numpy's default) over the finite values, or the
midpoints between the distinct values when there are at most ``bins`` of them, finished by
``summary.finish_edges`` as the polars path's are (rounded; a tied value gets a bin of its own); the bin counts come from the same aggregate query
as monitor's (``pushdown.monitor.summaries``). Nothing but aggregates and at most ``bins`` distinct
values leave the source.
"""
from __future__ import annotations

import math


from ...errors import DataError
from ..drift import NULL_KEY, tied_values
from ..summary import FeatureSpec, finish_edges, round_sig
from .monitor import summaries
from .time_bins import with_time_bins

__all__ = ["compute"]


def compute(q, features, source: str) -> tuple[int, list[dict]]:
    """(rows, [feature entry]) as ``runtime.baseline.compute_frame`` returns them (a datetime's hour, weekday
    and recency from its column: ``time_bins.with_time_bins``, recency from the source's own newest value)."""
    q = with_time_bins(q, features)
    missing = [f.name for f in features if f.name not in q.schema]
    if missing:
        raise DataError(f"{source}: monitored feature {missing[0]!r} is missing from the reference data [SG201]",
                        "SG201")
    numeric = [f for f in features if f.kind == "numeric"]
    edges = {f.name: _edges(q, f) for f in numeric}
    specs = [FeatureSpec(f.name, f.kind, edges.get(f.name, ())) for f in features]
    rows, _, found, wrong = summaries(q, specs)
    if rows == 0:
        raise DataError(f"{source}: reference data has no rows [SG203]", "SG203")
    if wrong:
        name = next(iter(wrong))
        raise DataError(f"{source}: monitored feature {name!r} holds {wrong[name]} values, not numeric values: fix "
                        "the data or the feature's dtype [SG202]", "SG202")
    moments = _moments(q, numeric)
    out = []
    for f in features:
        summary = found[f.name]
        if f.kind == "numeric":
            mean, std = moments[f.name]
            out.append({"edges": list(summary.edges), "counts": list(summary.counts), "nulls": summary.nulls,
                        "mean": round_sig(mean), "std": round_sig(std)})
        else:
            counts = dict(summary)
            nulls = counts.pop(NULL_KEY, 0)
            out.append({"counts": dict(sorted(counts.items())), "nulls": nulls})
    return rows, out


def _edges(q, f) -> tuple[float, ...]:
    x = q.finite(q.value(f.name))
    distinct = q.aggregate([("d", q.count_distinct(x))])["d"]
    if not distinct:
        raise DataError(f"monitored feature {f.name!r} has no finite, non-null reference values; "
                        f"set monitoring.features.{f.name}: {{enabled: false}} [SG203]", "SG203")
    if distinct <= f.bins:
        return finish_edges(distinct=sorted(float(r[f.name]) for r in q.value_counts(x, f.name, text=False)))
    row = q.aggregate([(f"q{i}", q.quantile(x, i / f.bins)) for i in range(f.bins + 1)])
    quantiles = [float(row[f"q{i}"]) for i in range(f.bins + 1)]
    tied = tied_values(quantiles, round_sig)
    above = q.aggregate([(f"a{j}", q.min(q.where(x > float(v), x))) for j, v in enumerate(tied)]) if len(tied) else {}
    return finish_edges(quantiles=quantiles,
                        next_above=[None if above[f"a{j}"] is None else float(above[f"a{j}"]) for j in range(len(tied))])


def _moments(q, numeric) -> dict[str, tuple[float, float]]:
    """Mean and population std (ddof 0, as the baseline stores it) of each feature's finite values."""
    named = []
    for i, f in enumerate(numeric):
        x = q.finite(q.value(f.name))
        named += [(f"n{i}", q.count(x)), (f"m{i}", q.mean(x)), (f"s{i}", q.std(x))]
    row = q.aggregate(named) if named else {}
    out = {}
    for i, f in enumerate(numeric):
        n, sample_std = int(row[f"n{i}"]), row[f"s{i}"]
        std = 0.0 if n < 2 or sample_std is None else float(sample_std) * math.sqrt((n - 1) / n)
        out[f.name] = (float(row[f"m{i}"]), std)
    return out
