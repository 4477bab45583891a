"""Reference statistics of a table for drift monitoring (``specgen baseline``, or ``monitor --reference``).

Returns plain data (lists, dicts, ints, rounded floats) in the layout the
monitoring config stores, and turns that layout back into summaries.
"""
from __future__ import annotations

from pathlib import Path

import polars as pl

from . import io
from .drift import NULL_KEY, Histogram
from .time_bins import with_time_bins
from .summary import FeatureSpec, bin_spreads, incomparable, reference_edges, round_sig, summarize_frame

__all__ = ["compute", "compute_frame", "entry", "numeric_entry", "to_summary", "feature_specs"]


def compute(path: str | Path, dtypes: dict[str, str], features) -> tuple[int, list[dict]]:
    """(rows, [feature entry]) for ``features`` (objects with name, kind, bins) found in ``path``."""
    return compute_frame(io.read_polars(path, dtypes), features, str(path))


def compute_frame(frame: pl.DataFrame, features, source: str) -> tuple[int, list[dict]]:
    if frame.height == 0:
        raise io.DataError(f"{source}: reference data has no rows [SG203]", "SG203")
    out = []
    frame = with_time_bins(frame, features)  # a datetime's hours and weekdays, as columns (runtime.time_bins)
    columns = set(frame.columns)
    for f in features:
        if f.name not in columns:
            raise io.DataError(f"{source}: monitored feature {f.name!r} is missing from the reference data "
                               "[SG201]", "SG201")
        one = frame.select(f.name)  # a one-column frame: its schema costs nothing per feature (R2)
        wrong = incomparable(one, [FeatureSpec(f.name, f.kind, ())])
        if wrong:  # text in a numeric column, a list or struct: no bins to count it in (was a cast crash)
            raise io.DataError(f"{source}: monitored feature {f.name!r} holds {wrong[f.name]} values, not {f.kind} "
                               "values: fix the data or the feature's dtype [SG202]", "SG202")
        out.append(entry(one, f))
    return frame.height, out


def entry(frame: pl.DataFrame, f) -> dict:
    """The stored reference of one column: ``f`` has name, kind (numeric | categorical) and bins."""
    # one column: a select on the whole frame costs time in its width, O(n^2) over all features (R2)
    frame = frame.select(f.name)
    column = frame.get_column(f.name)
    if f.kind == "numeric":
        values = column.cast(pl.Float64).fill_nan(None).drop_nulls()
        values = values.filter(values.is_finite())  # +-inf have no bin to fall into
        if values.len() == 0:
            raise io.DataError(f"monitored feature {f.name!r} has no finite, non-null reference values; "
                               f"set monitoring.features.{f.name}: {{enabled: false}} [SG203]", "SG203")
        std = values.std(ddof=0)
        edges, ties = reference_edges(values.to_numpy(), f.bins, std)
        hist = summarize_frame(frame, [FeatureSpec(f.name, "numeric", edges)])[f.name]
        return numeric_entry(hist, ties, values.mean(), std, bin_spreads(column, edges))
    counts = summarize_frame(frame, [FeatureSpec(f.name, "categorical")])[f.name]
    nulls = counts.pop(NULL_KEY, 0)
    return {"counts": dict(sorted(counts.items())), "nulls": nulls}


def numeric_entry(hist: Histogram, ties, mean: float, std: float, spreads) -> dict:
    """A numeric column's stored reference; ``tie_edges`` (only where there are any) names the edges
    added around tied values, which measures other than ``drift.FINE_MEASURES`` merge away; ``sums`` and
    ``spreads`` (each bin's values' sum and standard deviation) say where a bin's values lie and how widely,
    for ``wasserstein_normalized`` and its noise floor."""
    entry = {"edges": list(hist.edges), "counts": list(hist.counts), "nulls": hist.nulls}
    if hist.sums is not None:  # rounded as the edges are: engines sum in different orders
        entry["sums"] = [round_sig(v) for v in hist.sums]
        entry["spreads"] = [round_sig(v) for v in spreads]
    if ties:
        entry["tie_edges"] = list(ties)
    return entry | {"mean": round_sig(mean), "std": round_sig(std)}


def to_summary(kind: str, entry: dict):
    """A stored reference -> ``Histogram`` or ``{category: count}`` (with nulls under ``NULL_KEY``)."""
    if kind == "numeric":
        return Histogram.from_dict(entry)
    counts = {str(k): int(v) for k, v in entry["counts"].items()}
    if entry.get("nulls"):
        counts[NULL_KEY] = int(entry["nulls"])
    return counts


def feature_specs(features) -> list[FeatureSpec]:
    """Monitored features or model outputs (``contracts.monitoring``: name, kind, reference) -> what to
    count in a batch."""
    return [FeatureSpec(f.name, f.kind, tuple(float(x) for x in f.reference.get("edges", ())),
                        getattr(f, "time_bins", None)) for f in features]
