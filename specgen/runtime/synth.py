"""Random rows drawn from a spec's schema, for the ML API smoke test.

Every value respects the declared dtype, range and category set, so a model
that fails on these rows fails on data the schema accepts. Category columns
cycle through all their values first, so each class of a label appears.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

__all__ = ["random_frame"]

_EPOCH = dt.datetime(2020, 1, 1)


def random_frame(columns, n: int, seed: int, observed=None):
    """``columns``: ``SmokeColumn``s (``specgen.runtime.contracts.model``); ``observed(name)`` gives real
    values for dtype 'any'."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    data = {}
    for column in columns:
        data[column.name] = _draw(column, n, rng, observed)
    return pd.DataFrame(data)


def _draw(column, n: int, rng: np.random.Generator, observed):
    kind, lo, hi = column.dtype, column.min, column.max
    if kind.startswith("category"):
        return rng.permutation(np.resize(np.array(column.values, dtype=object), n)).tolist()
    if kind == "float":
        lo, hi = _span(lo, hi, 1.0)
        return rng.uniform(lo, hi, n)
    if kind == "int":
        lo, hi = _span(lo, hi, 100)
        if column.unique:
            return np.arange(int(np.ceil(lo)), int(np.ceil(lo)) + n, dtype=np.int64)
        return rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1, n, dtype=np.int64)
    if kind == "bool":
        return rng.random(n) < 0.5
    if kind == "datetime":  # bounds arrive as ISO strings (plain literals in the generated code)
        lo = dt.datetime.fromisoformat(lo) if isinstance(lo, str) else lo
        hi = dt.datetime.fromisoformat(hi) if isinstance(hi, str) else hi
        lo = lo or (hi - dt.timedelta(days=365) if hi else _EPOCH)
        hi = hi or lo + dt.timedelta(days=365)
        seconds = rng.uniform(0, (hi - lo).total_seconds(), n)
        return [lo + dt.timedelta(seconds=float(s)) for s in seconds]
    if kind == "string":
        return [f"s{i}" for i in range(n)]
    if observed is not None:  # an undeclared label or key: reuse real values
        values = np.asarray(observed(column.name), dtype=object)
        if column.unique:
            return np.arange(1, n + 1, dtype=np.int64)
        return rng.choice(values, n).tolist()
    raise ValueError(f"cannot draw values for column {column.name!r} of dtype {kind!r}")


def _span(lo, hi, width):
    if lo is None and hi is None:
        return 0.0, float(width)
    if lo is None:
        return hi - width, hi
    if hi is None:
        return lo, lo + width
    return lo, hi
