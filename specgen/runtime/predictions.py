"""Checks on cached batch predictions, run before they are pushed (``test_<name>_predictions.py``).

``Predictions`` reads the prediction table and the input rows that must have
predictions (by default the serving data) once. Every ``check_*`` raises
``AssertionError`` naming the column, key or slice at fault.
"""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from .contracts.predictions import PredictionColumn, PredictionsSetup, SliceFilter
from .testing import data_path

__all__ = ["Predictions", "check_keys", "check_column", "check_probabilities", "check_slice_coverage",
           "ENV_OVERRIDES"]

#: what -> environment variable that replaces its file (e.g. to check today's batch)
ENV_OVERRIDES = {"predictions": "SPECGEN_PREDICTIONS", "inputs": "SPECGEN_PREDICTION_INPUTS"}
_N = 5


class Predictions:
    def __init__(self, setup: PredictionsSetup, here: str | Path):
        self.setup = setup
        self.here = Path(here)

    @cached_property
    def table(self):
        path = data_path(self.here, self.setup.path, ENV_OVERRIDES["predictions"])
        return _read(path, {k: v for k, v in self.setup.dtypes.items() if k in self.setup.key})

    @cached_property
    def inputs(self):
        path = data_path(self.here, self.setup.inputs, ENV_OVERRIDES["inputs"])
        return _read(path, self.setup.dtypes)

    def keys(self, frame) -> list[tuple]:
        key = list(self.setup.key)
        missing = [k for k in key if k not in frame.columns]
        if missing:
            raise AssertionError(f"key columns {missing} are missing")
        return list(frame[key].astype(object).itertuples(index=False, name=None))


def _show(keys) -> str:
    keys = list(keys)
    shown = ", ".join(str(k[0] if len(k) == 1 else k) for k in keys[:_N])
    return shown + (", ..." if len(keys) > _N else "")


def check_keys(p: Predictions, check: str) -> None:
    """covered: every input key has a prediction; unique: none twice; known: none for unknown keys."""
    table_keys = p.keys(p.table)
    if check == "unique":
        seen, dup = set(), []
        for k in table_keys:
            if k in seen:
                dup.append(k)
            seen.add(k)
        if dup:
            raise AssertionError(f"{len(dup)} duplicate prediction keys {list(p.setup.key)}: {_show(dup)}")
        return
    input_keys = p.keys(p.inputs)
    if check == "covered":
        have = set(table_keys)
        missing = [k for k in input_keys if k not in have]
        if missing:
            raise AssertionError(f"{len(missing)} of {len(input_keys)} input rows have no prediction; "
                                 f"missing keys {list(p.setup.key)}: {_show(missing)}")
    elif check == "known":
        wanted = set(input_keys)
        unknown = [k for k in table_keys if k not in wanted]
        if unknown:
            raise AssertionError(f"{len(unknown)} predictions for keys not in the inputs: {_show(unknown)}")
    else:
        raise ValueError(f"unknown key check {check!r}")


def check_column(p: Predictions, column: PredictionColumn, check: str) -> None:
    """complete: a finite value on every row; bounds: within range, or one of values."""
    table, name = p.table, column.name
    if name not in table.columns:
        raise AssertionError(f"prediction column {name!r} is missing; the table has {sorted(table.columns)}")
    series = table[name]
    keys = p.keys(table)
    if check == "complete":
        if series.dtype.kind in "biuf":
            bad = ~np.isfinite(series.astype(float).to_numpy())
        else:
            bad = series.isna().to_numpy()
        if bad.any():
            raise AssertionError(f"prediction column {name!r} has {int(bad.sum())} missing or non-finite "
                                 f"values (NaN/Inf/null), keys {_show(k for k, b in zip(keys, bad) if b)}")
    elif check == "bounds":
        if column.values is not None:
            allowed = set(column.values)
            bad = np.array([v not in allowed and v == v and v is not None for v in series.tolist()], dtype=bool)
            what = f"not one of {list(column.values)}"
        else:
            values = series.astype(float).to_numpy()
            lo, hi = column.min, column.max
            bad = np.zeros(len(values), dtype=bool)
            if lo is not None:
                bad |= values < lo
            if hi is not None:
                bad |= values > hi
            what = f"outside [{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
        if bad.any():
            examples = ", ".join(f"{k[0] if len(k) == 1 else k}: {v!r}"
                                 for k, v, b in zip(keys, series.tolist(), bad) if b)
            raise AssertionError(f"prediction column {name!r}: {int(bad.sum())} values {what} "
                                 f"({', '.join(examples.split(', ')[:_N])})")
    else:
        raise ValueError(f"unknown prediction check {check!r}")


def check_probabilities(p: Predictions, check: str, columns: tuple[str, ...], tolerance: float) -> None:
    """range: every probability finite and in [0, 1]; sum: each row sums to 1 within ``tolerance``."""
    cols = list(columns)
    missing = [c for c in cols if c not in p.table.columns]
    if missing:
        raise AssertionError(f"probability columns {missing} are missing")
    matrix = p.table[cols].astype(float).to_numpy()
    if check == "range":
        bad = ~np.isfinite(matrix) | (matrix < 0) | (matrix > 1)
        if bad.any():
            named = [f"{c} ({int(bad[:, j].sum())} rows)" for j, c in enumerate(cols) if bad[:, j].any()]
            raise AssertionError("probabilities that are NaN, infinite or outside [0, 1]: " + ", ".join(named))
    elif check == "sum":
        off = np.abs(matrix.sum(axis=1) - 1)
        off = np.where(np.isnan(off), np.inf, off)
        tol = tolerance
        if (off > tol).any():
            worst = int(np.argmax(off))
            raise AssertionError(f"{int((off > tol).sum())} rows of {cols} do not sum to 1 within {tol:g} "
                                 f"(worst off by {off[worst]:.3g}, key {p.keys(p.table)[worst]})")
    else:
        raise ValueError(f"unknown probability check {check!r}")


def check_slice_coverage(p: Predictions, name: str, slice_filter: SliceFilter) -> None:
    """Every input row of the rare slice ``name`` has a prediction (a batch job that drops rare rows fails)."""
    rows = slice_filter.select(p.inputs)
    if len(rows) == 0:
        raise AssertionError(f"slice {name!r} has no input rows; its coverage cannot be judged")
    have = set(p.keys(p.table))
    missing = [k for k in p.keys(rows) if k not in have]
    if missing:
        covered = 1 - len(missing) / len(rows)
        raise AssertionError(f"slice {name!r}: {len(missing)} of {len(rows)} rows have no prediction "
                             f"({covered:.1%} covered), keys {_show(missing)}")


def _read(path, dtypes):
    from . import io  # polars on first read only: the compiler imports this module for ENV_OVERRIDES

    return io.read_pandas(path, dtypes)
