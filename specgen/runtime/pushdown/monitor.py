"""``specgen monitor`` on a pushdown source: the batch's totals from aggregate queries, not chunks.

What the polars path adds up chunk by chunk (``runtime.monitor._Batch``: row and null counts,
bin counts on the baseline's edges, category counts, the row checks' failures, prediction
sums) is asked of the source at once: one aggregate query (rows, null counts, the bins: DuckDB counts a
feature's bins with one ``histogram(x, boundaries)`` aggregate, a binary search per value; PostgreSQL
and Spark with a ``count_if`` per edge, which measured faster there than a bin index per value grouped
by it; each bin's sum of values next to its count), and one GROUP BY GROUPING SETS query counting every
categorical feature's values in the same scan. The counts are integers, so drift values equal the polars
engine's (same bins; the sums to the last bits, which the bin means' 10 digits round away).
Uniqueness is judged over the whole batch by the source itself (no hashes).

Predictions, as the polars path takes them: a logged prediction column gives the non-finite
count and the bias (numeric: mean prediction - mean label over rows with both; a classifier:
share predicted - share labelled per class) as aggregates, and prediction drift from its bins.
A batch without one is streamed to the serving model in chunks of the feature columns only
(``Query.frames``: DuckDB Arrow batches, a PostgreSQL server-side cursor, Spark one partition
at a time), under the same containment (``--model-timeout``, SG306, output captured) as the
polars path: prediction drift of every model output. The model runs here, on this process,
never on Spark's executors, so its failures and prints are contained as everywhere else.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from ..checks import Check
from ..contracts.timings import QUANTILES
from ..drift import NULL_KEY, Histogram
from ..monitor import OTHER_CLASS
from ..summary import CHUNK_ROWS, FeatureSpec
from ..timings import TimingSummary
from .query import run_checks
from .time_bins import with_time_bins

__all__ = ["fill_batch", "summaries"]


def fill_batch(batch, q, checks: list[Check], chunk_rows: int = CHUNK_ROWS):
    """``batch`` (a fresh ``monitor._Batch``) with the totals of the source ``q``."""
    batch.unique, batch.hashes = [], {}  # the source judges uniqueness over the whole batch
    rows, nulls, found, wrong = summaries(q, batch.specs, with_nulls=True)
    batch.rows, batch.nulls, batch.summaries, batch.incomparable = rows, nulls, found, wrong
    result = run_checks(q, checks, "serving")
    for i, failure in enumerate(result):
        batch.merged[i] = failure
    batch.not_computed += [f"{c.kind} check on {c.column or 'the batch'}: {why}" for c, why in result.skipped]
    _newest(batch, q)
    _timings(batch, q)
    _logged_predictions(batch, q)
    if batch.outputs:
        _outputs(batch, q, chunk_rows)
    return batch


def _newest(batch, q) -> None:
    """The newest value of each column a ``batch_newest`` check (freshness) judges, as ``--engine`` validate
    takes it: the maximum, a zone-aware one as naive UTC (``query.judged``), a naive one in a declared zone
    as its instant (``Query.checked``)."""
    dated = [c for c in batch.dated if c in q.schema and q.schema[c].is_temporal()]
    if dated:
        q.zones = {**q.zones, **batch.zones}
        row = q.aggregate([(f"t{i}", q.max(q.checked(c))) for i, c in enumerate(dated)])
        batch.newest.update({c: row[f"t{i}"] for i, c in enumerate(dated)})


def _timings(batch, q) -> None:
    """Per-request latency quantiles and queries/s (``runtime.timings``) as aggregates: exact quantiles with
    linear interpolation (numpy's default, as the polars path computes them), first and last request."""
    config = batch.timings.config
    if config is None or config.latency_column not in q.schema:
        return
    if not q.schema[config.latency_column].is_numeric():
        dtype = q.schema[config.latency_column]
        batch.not_computed.append(f"serving latency: the column {config.latency_column!r} holds {dtype}, "
                                  "not numbers (the source is not asked to parse it)")
        return
    x = q.finite(q.as_float(q.value(config.latency_column)))
    named = [("n", q.count(x))] + [(name, q.quantile(x, p)) for name, p in QUANTILES.items()]
    stamp = config.timestamp_column if config.timestamp_column in q.schema else None
    if stamp is not None:
        t = q.value(stamp) if q.schema[stamp].is_temporal() else q.finite(q.as_float(q.value(stamp)))
        named += [("first", q.min(t)), ("last", q.max(t))]
    row = q.aggregate(named)
    if not row["n"]:
        return
    span = _seconds(row["last"]) - _seconds(row["first"]) if stamp is not None and row["first"] is not None else 0.0
    summary = TimingSummary({name: float(row[name]) for name in QUANTILES}, int(row["n"]) / span if span >= 1.0
                            else None, int(row["n"]), dict(config.latency_targets), config.min_qps)
    batch.timings = SimpleNamespace(config=config, summary=lambda: summary)


def _seconds(value) -> float:
    if isinstance(value, dt.datetime):
        return (value - dt.datetime(1970, 1, 1)).total_seconds()
    return float(value)


def _outputs(batch, q, chunk_rows: int) -> None:
    """Prediction drift: the batch's prediction column binned in the source, else the serving model run
    on the batch's feature columns, streamed chunk by chunk (``_Batch._add_outputs`` on each chunk: the
    same outputs, summaries and skip rule as the polars path)."""
    if batch.prediction and batch.prediction in q.schema:
        output = next((o for o in batch.outputs if o.name == "prediction"), None)
        if output is not None:
            _, _, found, _ = summaries(q, [FeatureSpec(batch.prediction, output.kind, output.edges)])
            batch.output_source = "column"
            if batch.prediction in found:
                batch.output_summaries = {output.name: found[batch.prediction]}
        return
    if batch.predictor is None or batch._model_skipped():
        return
    wanted = batch.model_features
    columns = [c for c in q.schema if c in wanted] if wanted else list(q.schema)
    for frame in q.frames(columns, chunk_rows):
        batch._add_outputs(frame)


def _logged_predictions(batch, q) -> None:
    """The non-finite count and the bias from the batch's prediction column, as the polars path's
    ``_Batch._add_predictions`` (numeric) and ``_add_class_predictions`` (a classifier) count them."""
    if not batch.prediction or batch.prediction not in q.schema:
        return
    if batch.classes is not None:
        _class_predictions(batch, q)
    elif q.schema[batch.prediction].is_numeric():
        _numeric_predictions(batch, q)


def _numeric_predictions(batch, q) -> None:
    p = q.finite(q.as_float(q.value(batch.prediction)))  # NaN and +-inf: null, so not counted
    named = [("n", q.count(p))]
    labelled = batch.label in q.schema and q.schema[batch.label].is_numeric()
    if labelled:
        y = q.finite(q.as_float(q.value(batch.label)))
        both = q.is_not_null(p) & q.is_not_null(y)
        named += [("label_n", q.count_if(both)), ("label_sum", q.sum(q.when(both, y))),
                  ("pair_sum", q.sum(q.when(both, p)))]
    row = q.aggregate(named)
    batch.predictions = True
    batch.pred["non_finite"] = batch.rows - int(row["n"])
    if labelled:  # bias over rows with both a prediction and a label
        pairs = int(row["label_n"])
        batch.pred.update(n=pairs, label_n=pairs, sum=float(row["pair_sum"] or 0.0),
                          label_sum=float(row["label_sum"] or 0.0))


def _class_predictions(batch, q) -> None:
    """Class counts of the predictions and of the labels over rows with both, compared as text; a value
    outside the declared classes counts as the one ``__other__`` class. One scan (grouping sets)."""
    if batch.label not in q.schema:
        return

    def bounded(name: str):
        x = q.category_text(q.value(name), q.schema[name])
        return q.when(q.is_in(x, batch.classes), x, OTHER_CLASS)

    both = q.is_not_null(q.value(batch.prediction)) & q.is_not_null(q.value(batch.label))
    counts = q.group_counts([("predicted", bounded(batch.prediction)), ("labelled", bounded(batch.label))], both)
    batch.class_predicted = {str(k): n for k, n in counts["predicted"].items()}
    batch.class_labelled = {str(k): n for k, n in counts["labelled"].items()}
    batch.class_pairs = sum(batch.class_predicted.values())


def summaries(q, specs: list[FeatureSpec], with_nulls: bool = False):
    """(rows, nulls per column, {feature: Histogram | category counts}, {feature: incomparable type}),
    as ``summary.summarize_frame`` counts them, from one aggregate query and one grouping-sets query
    (numeric bins as the engine counts them best: ``Query.bin_parts``; category counts). A datetime's
    hour, weekday and recency are columns of their own there (``time_bins.with_time_bins``)."""
    q = with_time_bins(q, specs)
    present = [f for f in specs if f.name in q.schema]
    numeric = [f for f in present if f.kind == "numeric" and q.schema[f.name].is_numeric()]
    columns = list(q.schema) if with_nulls else [f.name for f in present]
    named = [("__rows", q.rows_expr())] + [(f"null{i}", q.null_count(q.value(c))) for i, c in enumerate(columns)]
    grouped = []
    for i, f in enumerate(numeric):
        aggregates, groups = q.bin_parts(f"b{i}", q.value(f.name), f.edges)
        named, grouped = named + aggregates + q.bin_sum_parts(f"b{i}", q.value(f.name), f.edges), grouped + groups
    categories = [f for f in present if f not in numeric and _countable(f, q.schema[f.name])]
    grouped += [(f"c{i}", q.category_text(q.value(f.name), q.schema[f.name])) for i, f in enumerate(categories)]
    row = q.aggregate(named)
    counts = q.group_counts(grouped) if grouped else {}
    rows = int(row["__rows"])
    nulls = {c: int(row[f"null{i}"]) for i, c in enumerate(columns)}
    found = {f.name: Histogram(tuple(f.edges), q.bin_counts(f"b{i}", f.edges, row, counts), nulls[f.name],
                               q.bin_sums(f"b{i}", f.edges, row))
             for i, f in enumerate(numeric)}
    for i, f in enumerate(categories):
        found[f.name] = {str(value): n for value, n in counts[f"c{i}"].items()}
        if nulls[f.name]:
            found[f.name][NULL_KEY] = nulls[f.name]
    wrong = {}
    for f in present:
        if f.name in found:
            continue
        if f.kind == "numeric" and nulls[f.name] == rows and not q.schema[f.name].is_nested():
            found[f.name] = Histogram(tuple(f.edges), (0,) * (len(f.edges) + 1), rows,  # all null: countable
                                      (0.0,) * (len(f.edges) - 1))
        else:
            wrong[f.name] = str(q.schema[f.name])
    return rows, nulls, found, wrong


def _countable(f: FeatureSpec, dtype) -> bool:
    """A categorical feature counted by value (a list or an opaque type is not comparable)."""
    return f.kind != "numeric" and not dtype.is_nested() and dtype != _object()


def _object():
    import polars as pl

    return pl.Object()
