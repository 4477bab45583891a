"""Which rows of a window fall in each declared slice (the spec's slices, the filters the model tests use)."""
from __future__ import annotations

import numpy as np
import polars as pl

from ...errors import DataError
from ..contracts.live import LiveSlice

__all__ = ["slice_masks"]


def slice_masks(frame: pl.DataFrame, slices: tuple[LiveSlice, ...]) -> dict[str, np.ndarray]:
    """slice name -> boolean mask over ``frame``'s rows."""
    out = {}
    table = None
    for s in slices:
        f = s.filter
        if f.where is None:
            values = list(f.value) if isinstance(f.value, (list, tuple)) else [f.value]
            out[s.name] = _column(frame, s.name, f.column).is_in(values).fill_null(False).to_numpy()
            continue
        if table is None:  # pandas only for `where` queries, once per window
            table = frame.to_pandas()
            table.index = np.arange(len(table))
        try:
            chosen = f.select(table).index.to_numpy()
        except Exception as exc:  # pandas raises many kinds for a query it cannot run on this data
            raise DataError(f"slice {s.name!r}: its where query {f.where!r} fails on the prediction log: "
                            f"{type(exc).__name__}: {exc} (list the columns it reads in live.predictions.columns)"
                            " [SG202]", "SG202") from None
        mask = np.zeros(frame.height, dtype=bool)
        mask[chosen] = True
        out[s.name] = mask
    return out


def _column(frame: pl.DataFrame, slice_name: str, column: str) -> pl.Series:
    if column not in frame.columns:
        raise DataError(f"slice {slice_name!r} filters on {column!r}, which the prediction log query did not "
                        "read (list it in live.predictions.columns) [SG221]", "SG221")
    return frame[column]
