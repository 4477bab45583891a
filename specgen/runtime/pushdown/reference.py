"""Reference statistics on a pushdown source: what ``runtime.baseline.entry`` computes from a polars frame.

Edges are exact quantiles (linear interpolation, as numpy's default) over the finite values, or the
midpoints between the distinct values when there are at most ``bins`` of them, finished by
``summary.finish_edges`` as the polars path's are (rounded; tied values get bins of their own); the bin
counts come from the same aggregate query as monitor's (``pushdown.monitor.summaries``). Nothing but
aggregates and at most ``bins`` distinct values leave the source.
"""
from __future__ import annotations

import math

from ...errors import DataError
from ..baseline import numeric_entry
from ..drift import NULL_KEY
from ..summary import FeatureSpec, finish_edges
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
    moments = _moments(q, numeric)
    edges = {f.name: _edges(q, f, moments[f.name][1]) for f in numeric}
    specs = [FeatureSpec(f.name, f.kind, edges[f.name][0] if f.name in edges else ()) for f in features]
    rows, _, found, wrong = summaries(q, specs)
    if rows == 0:
        raise DataError(f"{source}: reference data has no rows [SG203]", "SG203")
    if wrong:
        name = next(iter(wrong))
        raise DataError(f"{source}: monitored feature {name!r} holds {wrong[name]} values, not numeric values: fix "
                        "the data or the feature's dtype [SG202]", "SG202")
    spreads = _spreads(q, numeric, edges, found)
    out = []
    for f in features:
        summary = found[f.name]
        if f.kind == "numeric":
            out.append(numeric_entry(summary, edges[f.name][1], *moments[f.name], spreads[f.name]))
        else:
            counts = dict(summary)
            nulls = counts.pop(NULL_KEY, 0)
            out.append({"counts": dict(sorted(counts.items())), "nulls": nulls})
    return rows, out


def _edges(q, f, std: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    x = q.finite(q.value(f.name))
    distinct = q.aggregate([("d", q.count_distinct(x))])["d"]
    if not distinct:
        raise DataError(f"monitored feature {f.name!r} has no finite, non-null reference values; "
                        f"set monitoring.features.{f.name}: {{enabled: false}} [SG203]", "SG203")
    if distinct <= f.bins:
        pairs = sorted((float(r[f.name]), r["count"]) for r in q.value_counts(x, f.name, text=False))
        return finish_edges(distinct=[v for v, _ in pairs], counts=[n for _, n in pairs], bins=f.bins, std=std)
    row = q.aggregate([(f"q{i}", q.quantile(x, i / f.bins)) for i in range(f.bins + 1)])
    return finish_edges(quantiles=[float(row[f"q{i}"]) for i in range(f.bins + 1)], std=std)


def _spreads(q, numeric, edges, found) -> dict[str, tuple[float, ...]]:
    """Each numeric feature's ``summary.bin_spreads`` on its edges, from one more aggregate query."""
    named = [part for i, f in enumerate(numeric) for part in q.bin_spread_parts(f"b{i}", q.value(f.name),
                                                                                edges[f.name][0])]
    row = q.aggregate(named) if named else {}
    return {f.name: q.bin_spreads(f"b{i}", edges[f.name][0], row, found[f.name].counts) for i, f in enumerate(numeric)}


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
        mean = row[f"m{i}"]  # None without finite values: ``_edges`` refuses the feature (SG203)
        out[f.name] = (math.nan if mean is None else float(mean), std)
    return out
