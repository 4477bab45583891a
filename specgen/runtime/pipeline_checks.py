"""Checks on one stage's output of the user's pipeline (the contract: ``contracts/pipeline.py``)."""
from __future__ import annotations

import fnmatch
import json
import math
from pathlib import Path

__all__ = ["problem"]


def problem(output, expect: str, gate, schemas) -> str | None:
    """What is wrong with ``output`` for ``expect``, or None. ``schemas``: environment -> pandera class."""
    if expect == "file":
        return _file_problem(output)
    if expect == "metrics":
        return _metrics_problem(output, gate.metrics)
    frame, why = _as_frame(output)
    if frame is None:
        return why
    if expect == "transform_outputs":
        missing = [p for p in gate.transform_outputs if not any(fnmatch.fnmatchcase(str(c), p) for c in frame.columns)]
        return f"no column for transform output(s) {missing}; columns: {list(map(str, frame.columns))}" if missing \
            else None
    return _schema_problem(frame, schemas["training" if expect == "training_schema" else "serving"])


def _as_frame(output):
    import pandas as pd

    if isinstance(output, pd.DataFrame):
        return output, None
    if isinstance(output, (str, Path)):
        path = Path(output)
        if not path.is_file():
            return None, f"file {path} does not exist"
        if path.suffix == ".parquet":
            return pd.read_parquet(path), None
        if path.suffix == ".csv":
            return pd.read_csv(path), None
        return None, f"{path.name}: expected a .csv or .parquet file"
    return None, f"expected a DataFrame or a data file, got {type(output).__name__}"


def _schema_problem(frame, schema) -> str | None:
    import pandera.errors

    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        lines = []
        for row in cases.head(5).to_dict("records"):
            lines.append(f"column {row.get('column')!r}: {row.get('check')} (failure case {row.get('failure_case')!r})")
        more = f"; {len(cases) - 5} more" if len(cases) > 5 else ""
        return f"{schema.__name__} rejects it: " + "; ".join(lines) + more
    except pandera.errors.SchemaError as exc:
        return f"{schema.__name__} rejects it: {' '.join(str(exc).split())[:300]}"
    return None


def _file_problem(output) -> str | None:
    if not isinstance(output, (str, Path)):
        return f"expected a file path, got {type(output).__name__}"
    path = Path(output)
    if not path.is_file():
        return f"file {path} does not exist"
    if path.stat().st_size == 0:
        return f"file {path} is empty"
    return None


def _metrics_problem(output, names) -> str | None:
    if isinstance(output, (str, Path)):
        try:
            output = json.loads(Path(output).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return f"cannot read metrics from {output}: {exc}"
    if not isinstance(output, dict):
        return f"expected a dict of metrics, got {type(output).__name__}"
    missing = [n for n in names if n not in output]
    bad = [n for n in names if n in output and not _finite(output[n])]
    if missing or bad:
        return "; ".join(filter(None, [f"missing metric(s) {missing}" if missing else "",
                                       f"non-finite metric(s) {bad}" if bad else ""]))
    return None


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
