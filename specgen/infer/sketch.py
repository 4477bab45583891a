"""Mergeable per-column statistics, fed one chunk at a time.

Each accumulator's memory is fixed by its parameters, not by the rows it has
seen, except ``UniqueHashes`` (8 bytes per row, kept only while a column can
still be a key):

| accumulator | memory |
|---|---|
| ``Moments`` | a few numbers (count, mean, sum of squared deviations, min, max) |
| ``CappedCounter`` | at most ``cap`` values and their counts; dropped once the cap is exceeded |
| ``DistinctSketch`` | at most ``k`` 64-bit hashes (32 KiB at the default ``k``) |
| ``UniqueHashes`` | 8 bytes per row seen while no duplicate and no null has turned up |
| ``Systematic`` | at most ``size`` float64 values per numeric column |
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

__all__ = ["Moments", "CappedCounter", "DistinctSketch", "UniqueHashes", "Systematic", "DISTINCT_K"]

DISTINCT_K = 4096


@dataclass
class Moments:
    """Count, mean, variance (Chan et al.'s pairwise merge: stable, unlike a raw sum of squares), min, max."""
    count: int = 0
    mean: float | None = None
    m2: float = 0.0  # sum of squared deviations from the mean
    min: object = None
    max: object = None

    def add(self, count: int, mean: float | None, m2: float | None, lo, hi) -> None:
        """One chunk's non-null count, mean, ``var(ddof=0) * count``, min and max."""
        if lo is not None:
            self.min = lo if self.min is None else min(self.min, lo)
            self.max = hi if self.max is None else max(self.max, hi)
        if not count or mean is None:
            return
        if not self.count:
            self.count, self.mean, self.m2 = count, float(mean), float(m2 or 0.0)
            return
        total = self.count + count
        delta = float(mean) - self.mean
        self.mean += delta * count / total
        self.m2 += float(m2 or 0.0) + delta * delta * self.count * count / total
        self.count = total

    @property
    def std(self) -> float | None:
        """Sample standard deviation (ddof 1), as polars and pandas report it."""
        return math.sqrt(max(self.m2, 0.0) / (self.count - 1)) if self.count > 1 else None


class CappedCounter:
    """Exact value counts while there are at most ``cap`` distinct values; then it stops counting.

    Low-cardinality text becomes a category with exactly these counts; past the
    cap the column is free text and its counts are not needed.
    """

    def __init__(self, cap: int):
        self.cap = cap
        self.counts: dict[str, int] | None = {}

    def add(self, values: pl.Series) -> None:
        if self.counts is None:
            return
        for value, n in values.drop_nulls().cast(pl.String).value_counts().iter_rows():
            self.counts[value] = self.counts.get(value, 0) + int(n)
        if len(self.counts) > self.cap:
            self.counts = None  # over the threshold: free text, stop counting

    def pairs(self) -> tuple[tuple[str, int], ...]:
        """Most frequent first; ties by value, so the order is deterministic. Empty once over the cap."""
        return tuple(sorted(self.counts.items(), key=lambda p: (-p[1], p[0]))) if self.counts else ()


class DistinctSketch:
    """K minimum values of the 64-bit hashes: exact below ``k`` distinct values, ~1/sqrt(k) error above."""

    def __init__(self, k: int = DISTINCT_K):
        self.k = k
        self.smallest = np.empty(0, dtype=np.uint64)

    def add(self, values: pl.Series) -> None:
        hashes = values.drop_nulls().hash().unique().bottom_k(self.k).to_numpy()
        self.smallest = np.union1d(self.smallest, hashes)[: self.k]

    def estimate(self) -> int:
        if self.smallest.size < self.k:
            return int(self.smallest.size)
        return round((self.k - 1) / ((float(self.smallest[-1]) + 1.0) / 2.0**64))


class UniqueHashes:
    """Exact uniqueness (up to 64-bit hash collisions, ~n^2/2^65) of a column that might be a key.

    Holds the sorted hashes seen so far (8 bytes a row) and lets them go at the
    first null or repeat, which for most columns is within the first chunk.
    """

    def __init__(self):
        self.seen: np.ndarray | None = np.empty(0, dtype=np.uint64)

    @property
    def unique(self) -> bool:
        return self.seen is not None

    def add(self, values: pl.Series) -> None:
        if self.seen is None:
            return
        if values.null_count():
            self.seen = None
            return
        hashes = np.sort(values.hash().to_numpy())
        repeats = hashes.size > 1 and bool((hashes[1:] == hashes[:-1]).any())
        if repeats or _overlap(self.seen, hashes):
            self.seen = None
            return
        # two sorted runs: the stable sort (timsort) merges them in linear time
        self.seen = np.sort(np.concatenate([self.seen, hashes]), kind="stable")


def _overlap(sorted_a: np.ndarray, sorted_b: np.ndarray) -> bool:
    if not sorted_a.size or not sorted_b.size:
        return False
    at = np.searchsorted(sorted_a, sorted_b).clip(max=sorted_a.size - 1)
    return bool((sorted_a[at] == sorted_b).any())


class Systematic:
    """Every ``step``-th row of the stream (rows 0, step, 2 step, ...): the same rows as ``gather_every(step)``.

    ``size`` rows at most, whatever the stream's length, so quantiles and the
    baseline histograms come from a sample of fixed memory.
    """

    def __init__(self, rows: int, size: int):
        self.step = max(1, math.ceil(rows / size))
        self.parts: list[np.ndarray] = []

    def offset(self, start: int) -> int:
        """First position in a chunk starting at stream row ``start`` that the sample takes."""
        return -start % self.step

    def add(self, values: pl.Series) -> None:
        """``values``: the chunk's sampled rows of one column (already thinned by ``offset``/``step``)."""
        self.parts.append(values.cast(pl.Float64).fill_nan(None).drop_nulls().to_numpy())

    def values(self) -> np.ndarray:
        return np.sort(np.concatenate(self.parts)) if self.parts else np.empty(0)
