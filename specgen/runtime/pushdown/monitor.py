"""``specgen monitor`` on a pushdown source: the batch's totals from aggregate queries, not chunks.

What the polars path adds up chunk by chunk (``runtime.monitor._Batch``: row and null counts,
bin counts on the baseline's edges, category counts, the row checks' failures, prediction
sums) is asked of the source at once: one aggregate query (every bin is a ``count_if`` of
``x < edge``), plus a GROUP BY per categorical feature. The counts are integers, so drift
values equal the polars engine's exactly (same bins). Uniqueness is judged over the whole batch
by the source itself (no hashes). The serving model is not run here (that needs the rows):
prediction drift reads the batch's prediction column.
"""
from __future__ import annotations

from ..checks import Check
from ..drift import NULL_KEY
from ..model_outputs import PREDICTION_OUTPUT
from ..summary import FeatureSpec, _histogram
from .query import run_checks

__all__ = ["fill_batch", "summaries"]

_NOT_RUN = "the model is not run on a pushdown source (it needs the rows); give the batch a prediction column"


def fill_batch(batch, q, checks: list[Check]):
    """``batch`` (a fresh ``monitor._Batch``) with the totals of the source ``q``."""
    batch.unique, batch.hashes = [], {}  # the source judges uniqueness over the whole batch
    rows, nulls, found, wrong = summaries(q, batch.specs, with_nulls=True)
    batch.rows, batch.nulls, batch.summaries, batch.incomparable = rows, nulls, found, wrong
    for i, failure in enumerate(run_checks(q, checks, "serving")):
        batch.merged[i] = failure
    if batch.outputs:
        _outputs(batch, q)
    return batch


def _outputs(batch, q) -> None:
    """Prediction drift from the batch's prediction column (the model needs rows: not run)."""
    if not (batch.prediction and batch.prediction in q.schema):
        batch.model_skipped = _NOT_RUN if batch.predictor is not None else None
        return
    output = next((o for o in batch.outputs if o.name == PREDICTION_OUTPUT), None)
    if output is None:
        return
    _, _, found, _ = summaries(q, [FeatureSpec(batch.prediction, output.kind, output.edges)])
    batch.output_source = "column"
    if batch.prediction in found:
        batch.output_summaries = {output.name: found[batch.prediction]}


def summaries(q, specs: list[FeatureSpec], with_nulls: bool = False):
    """(rows, nulls per column, {feature: Histogram | category counts}, {feature: incomparable type}),
    as ``summary.summarize_frame`` counts them, from one aggregate query and a GROUP BY per category."""
    present = [f for f in specs if f.name in q.schema]
    numeric = [f for f in present if f.kind == "numeric" and q.schema[f.name].is_numeric()]
    named = [("__rows", q.rows_expr())]
    columns = list(q.schema) if with_nulls else [f.name for f in present]
    named += [(f"null{i}", q.null_count(q.value(c))) for i, c in enumerate(columns)]
    for i, f in enumerate(numeric):
        x = q.value(f.name)
        named += [(f"lt{i}_{j}", q.count_if(x < e)) for j, e in enumerate(f.edges)]
        named.append((f"le{i}", q.count_if(x <= f.edges[-1])))
    row = q.aggregate(named)
    rows = int(row["__rows"])
    nulls = {c: int(row[f"null{i}"]) for i, c in enumerate(columns)}
    found, wrong = {}, {}
    for i, f in enumerate(numeric):
        below = [int(row[f"lt{i}_{j}"]) for j in range(len(f.edges))]
        found[f.name] = _histogram(f.edges, below, int(row[f"le{i}"]), rows, nulls[f.name])
    for f in present:
        if f in numeric:
            continue
        dtype = q.schema[f.name]
        if f.kind == "numeric" or dtype.is_nested() or dtype == _object():
            if nulls[f.name] == rows and f.kind == "numeric" and not dtype.is_nested():
                found[f.name] = _histogram(f.edges, [0] * len(f.edges), 0, rows, rows)  # all null: countable
            else:
                wrong[f.name] = str(dtype)
            continue
        counts = {str(r[f.name]): r["count"] for r in q.value_counts(q.value(f.name), f.name)}
        if nulls[f.name]:
            counts[NULL_KEY] = nulls[f.name]
        found[f.name] = counts
    return rows, nulls, found, wrong


def _object():
    import polars as pl

    return pl.Object()
