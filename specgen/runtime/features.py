"""Feature-engineering and training-serving skew tests the generated ``test_<name>_features.py`` calls.

``Features`` holds the session's ``FeaturesSetup`` (``specgen.runtime.contracts.features``),
reads the raw training and serving data once and runs the user's transform paths
(``transforms.entrypoint`` for training, ``transforms.serving_entrypoint`` for
serving; each ``DataFrame -> DataFrame``) lazily, once per session. Every
``check_*`` raises ``AssertionError`` naming the feature at fault and by how much.
"""
from __future__ import annotations

import fnmatch
import os
from functools import cached_property
from pathlib import Path

import numpy as np

from .adapter import add_import_paths, load_entrypoint
from .contracts.constants import SERVING, TRAINING
from .contracts.features import FeaturesSetup, TransformOutput
from .testing import data_path, load_module, report

__all__ = ["Features", "check_output", "check_parity", "check_schema_skew", "ENV_OVERRIDES", "coarse_dtype"]

#: transform path -> environment variable that replaces its entrypoint (to test another version)
ENV_OVERRIDES = {path: f"SPECGEN_TRANSFORM_{path.upper()}" for path in (TRAINING, SERVING)}
_N = 5  # examples shown in a message


class Features:
    def __init__(self, setup: FeaturesSetup, here: str | Path):
        self.setup = setup
        self.here = Path(here)
        add_import_paths(self.here, setup.paths)

    def raw(self, environment: str):
        """The data file of an environment, as read by the data tests (None: no serving data)."""
        return self._training_raw if environment == TRAINING else self._serving_raw

    @cached_property
    def _training_raw(self):
        path = data_path(self.here, self.setup.training_data, "SPECGEN_TRAINING_DATA")
        return _read(path, self.setup.dtypes)

    @cached_property
    def _serving_raw(self):
        path = data_path(self.here, self.setup.serving_data, "SPECGEN_SERVING_DATA")
        return _read(path, self.setup.dtypes) if path is not None else None

    @cached_property
    def inputs(self):
        """Raw training rows as serving would see them: the label dropped."""
        frame = self.raw(TRAINING)
        return frame.drop(columns=[c for c in [self.setup.label] if c in frame.columns])

    def transform(self, path: str):
        text = os.environ.get(ENV_OVERRIDES[path]) or self.setup.entrypoints.get(path)
        if text is None:
            raise AssertionError(f"transforms has no {path} entrypoint")
        return load_entrypoint(text, f"transforms.{path}")

    def output(self, path: str):
        """``path`` transform applied to its own environment's raw data (cached)."""
        if path not in self._outputs:
            frame = self.inputs if path == TRAINING else self._serving_inputs()
            self._outputs[path] = self._run(path, frame)
        return self._outputs[path]

    @cached_property
    def _outputs(self) -> dict:
        return {}

    @cached_property
    def parity_outputs(self):
        """Both paths on the same raw training rows."""
        return self._run(TRAINING, self.inputs), self._run(SERVING, self.inputs)

    def _serving_inputs(self):
        frame = self.raw(SERVING)
        if frame is None:
            raise AssertionError("the spec declares no serving data (data.serving)")
        return frame

    def _run(self, path: str, frame):
        import pandas as pd

        out = self.transform(path)(frame.copy())
        if not isinstance(out, pd.DataFrame):
            raise AssertionError(f"the {path} transform returned {type(out).__name__}, expected a DataFrame")
        if len(out) != len(frame):
            raise AssertionError(f"the {path} transform returned {len(out)} rows for {len(frame)} input rows")
        return out

    def columns(self, frame, output: str) -> list[str]:
        """The output columns a spec name (or onehot glob pattern) stands for."""
        if output in frame.columns:
            return [output]
        if any(ch in output for ch in "*?["):
            return sorted(c for c in frame.columns if fnmatch.fnmatchcase(str(c), output))
        return []


# -- transform outputs -------------------------------------------------------------------------

def check_output(fx: Features, path: str, output: TransformOutput | None, check: str) -> None:
    """One check of one output of the ``path`` transform (``output`` None: every numeric output)."""
    frame = fx.output(path)
    where = f"{path} transform"
    if output is None:
        return _finite(frame, [c for c in frame.columns if _numeric(frame[c])], f"{where}: outputs")
    cols = fx.columns(frame, output.name)
    if not cols:
        raise AssertionError(f"{where}: output {output.name!r} is missing; the transform returned "
                             f"{sorted(map(str, frame.columns))[:20]}")
    if check == "present":
        return
    label = f"{where}: {output.name!r}"
    values = _numbers(frame, cols, label)
    if check == "finite":
        _finite(frame, cols, label)
    elif check == "binary":
        bad = ~np.isin(values, (0, 1)) & ~np.isnan(values)
        _fail_cells(bad, values, cols, label, "holds values other than 0 and 1")
    elif check == "one_per_row":
        _one_per_row(values, cols, label, frame.index)
    elif check in ("mean", "std"):
        _zscore(values[:, 0], check, output.tolerance, label)
    elif check == "range":
        lo, hi = output.min, output.max
        bad = (values < lo if lo is not None else False) | (values > hi if hi is not None else False)
        _fail_cells(np.asarray(bad), values, cols, label,
                    f"is outside [{_b(lo, '-inf')}, {_b(hi, 'inf')}] ({output.kind})")
    elif check == "buckets":
        n = output.buckets
        bad = (values != np.round(values)) | (values < 0) | (values >= n)
        _fail_cells(bad & ~np.isnan(values), values, cols, label, f"is not an integer bucket in [0, {n})")
    else:
        raise ValueError(f"unknown output check {check!r}")


def _numbers(frame, cols, label) -> np.ndarray:
    try:
        return frame[cols].astype(float).to_numpy()
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"{label}: not numeric ({exc})") from None


def _numeric(series) -> bool:
    return series.dtype.kind in "biuf"


def _finite(frame, cols, label) -> None:
    problems = []
    for col in cols:
        values = frame[col].astype(float).to_numpy()
        bad = ~np.isfinite(values)
        if bad.any():
            kinds = sorted({"NaN" if np.isnan(v) else "Inf" for v in values[bad]})
            problems.append(f"{col} has {int(bad.sum())} {'/'.join(kinds)} (rows {_rows(frame.index[bad])})")
    if problems:
        raise AssertionError(f"{label}: non-finite values: " + "; ".join(problems))


def _fail_cells(bad: np.ndarray, values: np.ndarray, cols, label: str, what: str) -> None:
    if not bad.any():
        return
    parts = []
    for j, col in enumerate(cols):
        hits = np.flatnonzero(bad[:, j])
        if hits.size:
            shown = ", ".join(f"row {i}: {values[i, j]:g}" for i in hits[:_N])
            parts.append(f"{col} {what} in {hits.size} rows ({shown})")
    raise AssertionError(f"{label}: " + "; ".join(parts))


def _one_per_row(values: np.ndarray, cols, label: str, index) -> None:
    ones = np.nansum(values == 1, axis=1)
    bad = np.flatnonzero(ones != 1)
    if bad.size:
        shown = ", ".join(f"row {index[i]}: {int(ones[i])} ones" for i in bad[:_N])
        raise AssertionError(f"{label}: one-hot group {list(map(str, cols))} needs exactly one 1 per row; "
                             f"{bad.size} rows do not ({shown})")


def _zscore(values: np.ndarray, check: str, tolerance: float, label: str) -> None:
    values = values[np.isfinite(values)]
    if values.size < 2:
        raise AssertionError(f"{label}: fewer than 2 finite values; cannot judge a z-score")
    if check == "mean":
        value, off = float(values.mean()), abs(float(values.mean()))
        target = "0"
    else:
        value = float(values.std(ddof=1))
        off, target = abs(value - 1), "1"
    if off > tolerance:
        raise AssertionError(f"{label}: z-score {check} on the training data is {value:.4g}, not {target} "
                             f"within {tolerance:g} (computed with another {check} than the training data's?)")


# -- training-serving skew ---------------------------------------------------------------------

def check_parity(fx: Features, tolerance: float) -> None:
    """Feature skew: both paths on the same raw rows must give the same features within ``tolerance``."""
    train, serve = fx.parity_outputs
    tol = tolerance
    problems = []
    missing = sorted(set(map(str, train.columns)) - set(map(str, serve.columns)))
    extra = sorted(set(map(str, serve.columns)) - set(map(str, train.columns)))
    if missing:
        problems.append(f"missing from the serving path: {missing}")
    if extra:
        problems.append(f"only in the serving path: {extra}")
    for col in [c for c in train.columns if c in serve.columns]:
        diff = _difference(train[col].reset_index(drop=True), serve[col].reset_index(drop=True), tol)
        if diff is not None:
            problems.append(f"{col}: {diff}")
    if problems:
        raise AssertionError(f"training and serving transforms disagree on {len(fx.inputs)} raw training rows "
                             f"(tolerance {tol:g}): " + "; ".join(problems))


def _difference(a, b, tol: float) -> str | None:
    if _numeric(a) and _numeric(b):
        x, y = a.astype(float).to_numpy(), b.astype(float).to_numpy()
        both_nan = np.isnan(x) & np.isnan(y)
        gap = np.where(both_nan, 0.0, np.abs(x - y))
        gap = np.where(np.isnan(gap), np.inf, gap)  # NaN on one side only: a difference
        bad = gap > tol
        if not bad.any():
            return None
        worst = int(np.argmax(gap))
        return (f"{int(bad.sum())} rows differ, max |diff| {gap[worst]:.4g} "
                f"(row {worst}: training {x[worst]:.6g}, serving {y[worst]:.6g})")
    x, y = a.astype(object).to_numpy(), b.astype(object).to_numpy()
    bad = np.array([not (u == v or (u != u and v != v)) for u, v in zip(x, y)], dtype=bool)
    if not bad.any():
        return None
    i = int(np.flatnonzero(bad)[0])
    return f"{int(bad.sum())} rows differ (row {i}: training {x[i]!r}, serving {y[i]!r})"


def coarse_dtype(series) -> str:
    """number | bool | datetime | text: ints with nulls read as floats are still numbers."""
    kind = series.dtype.kind
    if kind == "b" or str(series.dtype) == "boolean":
        return "bool"
    if kind in "iuf":
        return "number"
    if kind in "mM":
        return "datetime"
    return "text"


def check_schema_skew(fx: Features, check: str) -> None:
    """Schema skew: serving data has the training columns (label and training-only ones aside) and dtypes."""
    train, serve = fx.raw(TRAINING), fx.raw(SERVING)
    if serve is None:
        raise AssertionError("the spec declares no serving data (data.serving)")
    skip = set(fx.setup.training_only) | {fx.setup.label}
    expected = [c for c in train.columns if c not in skip]
    if check == "columns":
        missing = [c for c in expected if c not in serve.columns]
        extra = [c for c in serve.columns if c not in train.columns]
        if missing or extra:
            raise AssertionError("serving columns differ from training: "
                                 + "; ".join(p for p in (f"missing from serving: {missing}" if missing else "",
                                                          f"only in serving: {extra}" if extra else "") if p))
    elif check == "dtypes":
        changed = [f"{c}: training {coarse_dtype(train[c])} ({train[c].dtype}), serving "
                   f"{coarse_dtype(serve[c])} ({serve[c].dtype})"
                   for c in expected if c in serve.columns and coarse_dtype(train[c]) != coarse_dtype(serve[c])]
        if changed:
            raise AssertionError("dtypes differ between training and serving: " + "; ".join(changed))
    elif check == "serving_schema":
        schema = load_module(fx.here.with_name(fx.setup.schema_file), fx.setup.schema_module).ServingSchema
        failures = report(schema, serve).failures
        if failures:
            parts = [f"{column}: {kind} ({len(cases)} cases)" for (column, kind), cases in sorted(failures.items())]
            raise AssertionError("serving data breaks the serving schema: " + "; ".join(parts))
    else:
        raise ValueError(f"unknown schema skew check {check!r}")


def _rows(index) -> str:
    shown = ", ".join(str(i) for i in list(index[:_N]))
    return shown + (", ..." if len(index) > _N else "")


def _b(value, unbounded: str) -> str:
    return unbounded if value is None else f"{value:g}"


def _read(path, dtypes):
    from . import io  # polars on first read only: the compiler imports this module for ENV_OVERRIDES

    return io.read_pandas(path, dtypes)
