"""``monitor --reference`` and ``--serving-features`` on a pushdown engine (``--engine spark|duckdb``, ``--source``).

The batch is read by the chosen engine; so are the reference and the serving log, through the same
``source`` (``data -> pushdown.query.Query``): a table or a query in the database, or Spark/DuckDB
paths. Nothing but aggregates leaves the engine:

* reference: bin edges from exact quantiles (or the distinct values when there are at most ``bins``),
  counts, nulls, mean and std per feature (``pushdown.reference.compute``, what ``infer --engine``
  writes into a baseline), so the numbers equal the polars path's ``baseline.compute_frame``;
* serving log: counts on the baseline's edges and category counts (``pushdown.monitor.summaries``),
  as the polars path adds them up chunk by chunk.

A datetime's hour, weekday and recency (``col:hour``) are derived in the source as the batch's are
(``pushdown.time_bins``): the reference's ages from its own newest value, the serving log's from the
batch's (pinned on ``specs``), as on the polars path.
"""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

__all__ = ["reference_features", "serving_summaries"]


def reference_features(features: tuple, q, where: str, label: str | None) -> tuple:
    """``features`` with references computed in the source ``q`` (the ``--reference`` data). A reference
    without the label keeps the label's stored reference (serving data rarely has it)."""
    from .pushdown.reference import compute

    own = [f for f in features if f.name != label or label in q.schema]
    wanted = [SimpleNamespace(name=f.name, kind=f.kind, bins=f.bins, time_bins=f.time_bins) for f in own]
    _, computed = compute(q, wanted, where)
    new = {f.name: replace(f, reference=e) for f, e in zip(own, computed)}
    return tuple(new.get(f.name, f) for f in features)


def serving_summaries(q, specs: list) -> tuple[int, dict, dict]:
    """(rows, {feature: Histogram | category counts}, {feature: incomparable type}) of the serving log ``q``,
    on the baseline's edges."""
    from .pushdown.monitor import summaries

    rows, _, found, wrong = summaries(q, specs)
    return rows, found, wrong
