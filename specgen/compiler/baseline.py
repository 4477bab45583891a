"""Baseline stage: the one compile step that reads data.

``baseline(plan)`` summarises the training data for ``specgen monitor``: per
numeric feature the quantile bin edges, the counts in them, nulls, mean and
std; per categorical feature the category counts and nulls; the row count.
Counts are integers and floats are rounded to ``SIGNIFICANT_DIGITS``, so the
same data gives byte-identical output. ``specgen monitor --reference`` calls
the same function on another file.

With a ``model:`` section it also records the training-time prediction
distribution: the prediction column of the training data when it has one, else
the serving model (``model.load``, through the runtime adapter) run on the
training data. Floats are rounded as above, so a model whose last bits vary
between machines still gives the same bytes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from types import SimpleNamespace

from ..runtime import baseline as runtime_baseline
from .plan import Plan

__all__ = ["Baseline", "baseline"]


@dataclass(frozen=True)
class Baseline:
    rows: int
    features: tuple[dict, ...]  # plain data, rendered with the ``yaml`` filter
    prediction: dict | None = None  # {source, outputs: [{name, kind, drift, reference}]}


def baseline(plan: Plan, data: str | Path | None = None) -> Baseline:
    """Summarise ``data`` (default: the spec's training data) for every monitored feature."""
    assert plan.monitoring is not None
    # lexical normalisation: the output directory may not exist yet
    path = Path(data) if data is not None else Path(os.path.normpath(plan.out_dir / plan.training_rel))
    if plan.monitoring.prediction_drift is None:
        rows, features = runtime_baseline.compute(path, plan.dtypes(), plan.monitoring.features)
        return Baseline(rows, tuple(features))
    from ..runtime import io

    frame = io.read_polars(path, plan.dtypes())
    rows, features = runtime_baseline.compute_frame(frame, plan.monitoring.features, str(path))
    return Baseline(rows, tuple(features), _prediction(plan, frame, path))


def _prediction(plan: Plan, frame, path: Path) -> dict:
    import polars as pl

    from ..runtime import model_outputs
    from ..runtime.io import DataError

    drift = plan.monitoring.prediction_drift
    if drift.column is not None and drift.column in frame.columns:
        source = "column"
        value = pl.col(drift.column)
        outputs = frame.select((value.cast(pl.String) if drift.kind == "categorical" else value.cast(pl.Float64))
                               .alias(model_outputs.PREDICTION_OUTPUT))
    elif drift.has_load:
        source = "model"
        config = plan.model.config
        paths = [os.path.normpath(plan.out_dir / p) for p in config["paths"]]
        model = model_outputs.load_model(paths, config["entrypoints"])
        outputs = model_outputs.outputs(model, frame, config["features"], drift.task)
    else:
        raise DataError(f"{path}: prediction column {drift.column!r} is missing from the training data and "
                        "model.load is not set: no training-time predictions for prediction drift [SG201]", "SG201")
    entries = []
    for name in outputs.columns:
        kind = drift.kind if name == model_outputs.PREDICTION_OUTPUT else "numeric"
        metric, threshold = ((drift.metric, drift.threshold) if name == model_outputs.PREDICTION_OUTPUT
                             else (drift.proba_metric, drift.proba_threshold))
        reference = runtime_baseline.entry(outputs, SimpleNamespace(name=name, kind=kind, bins=drift.bins))
        entries.append({"name": name, "kind": kind, "drift": {"metric": metric, "threshold": threshold},
                        "reference": reference})
    return {"source": source, "outputs": entries}
