"""The daily sample of served requests for human labelling.

Deterministic and never repeating: a request's place in the queue is ``hashing.buckets(key, salt, date)``
where ``date`` is the day the key was FIRST served. Only keys first seen on the sampled day are
eligible (a key served within ``lookback`` before it is not), so a request belongs to exactly one day and
is sampled at most once, whatever day the command runs; re-running for a day gives the same rows.

Stratified by slice: each row's stratum is the first declared slice (by name) that holds it, else
``(other)``. The day's ``per_day`` rows are shared among strata in proportion to their size, every stratum
getting at least ``min_per_slice`` (all its rows when it has fewer): rare slices are oversampled. Within
a stratum the rows with the smallest hash buckets are taken. ``weight`` is the stratum's rows divided by
its sampled rows, so weighted label statistics estimate the whole day's traffic.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import polars as pl

from ..contracts.live import LiveConfig
from ..hashing import buckets
from ..sources import Source, TableQuery
from .logs import read_window
from .slicing import slice_masks

__all__ = ["daily_sample", "OTHER", "allocate"]

OTHER = "(other)"


def daily_sample(config: LiveConfig, source: Source, day: datetime) -> pl.DataFrame:
    """The sample of requests first served on ``day`` (midnight UTC): the key columns, served time,
    prediction, version, the slice columns, then ``stratum``, ``bucket`` and ``weight``."""
    sampling, log = config.sampling, config.predictions
    start, end = day, day + timedelta(days=1)
    rows = read_window(source, log, start, end).unique(subset=list(log.key), keep="first", maintain_order=True)
    earlier = source.read(TableQuery(log.table, log.key, log.timestamp,
                                     start=start - timedelta(seconds=sampling.lookback_seconds), end=start))
    rows = rows.join(earlier.unique(), on=list(log.key), how="anti") if earlier.height else rows
    if not rows.height:
        return rows.select([c for c in log.columns()]).with_columns(
            pl.lit(None, pl.String).alias("stratum"), pl.lit(None, pl.Float64).alias("bucket"),
            pl.lit(None, pl.Float64).alias("weight"))
    masks = slice_masks(rows, config.slices)
    stratum = np.full(rows.height, OTHER, dtype=object)
    for name in sorted(masks, reverse=True):  # the first slice by name wins: assign it last
        stratum[masks[name]] = name
    rows = rows.with_columns(pl.Series("stratum", stratum, dtype=pl.String),
                             pl.Series("bucket", buckets(rows.select(log.key), list(log.key), sampling.salt,
                                                         day.date())))
    sizes = dict(rows.group_by("stratum").len().iter_rows())
    quota = allocate(sizes, sampling.per_day, sampling.min_per_slice)
    picked = (rows.sort("bucket").with_columns(pl.int_range(pl.len()).over("stratum").alias("_rank"))
              .filter(pl.col("_rank") < pl.col("stratum").replace_strict(quota, return_dtype=pl.Int64)))
    weights = {s: sizes[s] / quota[s] for s in quota if quota[s]}
    picked = picked.with_columns(pl.col("stratum").replace_strict(weights, default=None,
                                                                   return_dtype=pl.Float64).alias("weight"))
    keep = [c for c in log.columns() if c in picked.columns] + ["stratum", "bucket", "weight"]
    return picked.select(keep).sort(["stratum", "bucket"])


def allocate(sizes: dict[str, int], total: int, minimum: int) -> dict[str, int]:
    """Rows to sample per stratum: proportional to size (largest remainders), at least ``minimum`` each,
    never more than a stratum has."""
    floor = {s: min(n, minimum) for s, n in sizes.items()}
    left = max(0, total - sum(floor.values()))
    room = {s: sizes[s] - floor[s] for s in sizes}
    weight = sum(room.values())
    if not weight or not left:
        return floor
    share = {s: left * room[s] / weight for s in sizes}
    out = {s: floor[s] + min(room[s], math.floor(share[s])) for s in sizes}
    rest = min(left, weight) - sum(out[s] - floor[s] for s in sizes)
    for s in sorted(sizes, key=lambda s: (-(share[s] - math.floor(share[s])), s)):
        if rest <= 0:
            break
        if out[s] < sizes[s]:
            out[s] += 1
            rest -= 1
    return out
