"""The baseline: the one step that reads data (``specgen baseline``, ``specgen infer``).

``compute`` summarises the training data for ``specgen monitor``: per numeric
feature the quantile bin edges, the counts in them, nulls, mean and std; per
categorical feature the category counts and nulls; the row count. With a model
it also records the training-time prediction distribution: the prediction
column of the training data when it has one, else the serving model
(``model.load``, through the runtime adapter) run on the training data.

The result is committed as ``<name>_baseline.json`` next to the spec, and
``compile`` reads only that file: never the data, never the model. Its header
holds the hash of the spec inputs the statistics depend on (training path,
column types, monitored features and bins, the prediction source), so compile
can tell a baseline older than the spec, and the data's sha256.

Counts are integers and floats are rounded to ``summary.SIGNIFICANT_DIGITS``;
the file is JSON with sorted keys, so the same data gives the same bytes.
"""
from __future__ import annotations

import dataclasses

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from ..errors import DataError
from ..runtime.contracts.data import SqlData
from ..runtime.contracts.monitoring import BASELINE_FORMAT
from .plan import Plan
from .spec import Spec, SqlSource

__all__ = ["Baseline", "baseline_path", "inputs_sha256", "compute", "to_text", "read", "freshness"]


@dataclass(frozen=True)
class Baseline:
    """A committed baseline, as compile reads it."""

    inputs_sha256: str
    data_sha256: str
    rows: int
    features: dict  # name -> reference entry
    prediction: dict | None = None  # {source, outputs: [{name, kind, reference}]}


def baseline_path(spec_path: str | Path, name: str) -> Path:
    """``<spec dir>/<name>_baseline.json``."""
    return Path(spec_path).parent / f"{name}_baseline.json"


def inputs_sha256(spec: Spec, plan: Plan) -> str:
    """Hash of what the statistics depend on: a change elsewhere in the spec keeps the baseline current."""
    mon = plan.monitoring
    drift = mon.prediction_drift
    inputs = {
        "training": _location_json(spec.data.training),
        "dtypes": plan.dtypes(),
        "features": [_feature_inputs(f) for f in mon.features],
        "prediction": None if drift is None else {
            "task": drift.task, "kind": drift.kind, "bins": drift.bins, "column": drift.column,
            "model": None if not drift.has_load else {
                "paths": list(spec.model.paths), "load": spec.model.load, "predict": spec.model.predict,
                "adapter": spec.model.adapter, "features": list(plan.model.setup.features)}},
    }
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _feature_inputs(feature) -> list:
    """What one feature's reference depends on: a datetime's hour, weekday or recency bins also on the
    column's time zone (and the unit); a plain column's entry keeps its old form (committed hashes stay)."""
    inputs = [feature.name, feature.kind, feature.bins]
    return inputs + [feature.time_bins] if feature.time_bins is not None else inputs


def compute(spec: Spec, plan: Plan, query=None, data: str | Path | None = None) -> dict:
    """Read the training data (and run the serving model when needed): the baseline document.
    ``query``: a ``runtime.pushdown`` source holding the training data (``infer --engine``): the
    statistics are aggregate queries there, and the data's "sha256" is that of its location.
    A table or query in a database (``data.training: {sql:, url:}``) is read through ``runtime.sources``:
    the same rows give the same statistics as from a file; its "sha256" is that of the spec's location.
    ``data``: read this instead of ``data.training`` (``monitor --reference`` with no compiled config)."""
    from ..runtime import baseline as runtime_baseline
    from ..runtime import io

    assert plan.monitoring is not None
    location = _location_text(spec.data.training)
    if query is not None:
        from ..runtime.pushdown import reference

        rows, entries = reference.compute(query, plan.monitoring.features, location)
        path = None if isinstance(plan.training_rel, SqlData) else Path(os.path.normpath(plan.out_dir /
                                                                                          plan.training_rel))
        # a file: its bytes, as ever; a table, a query, a directory: the location's text
        digest = _file_sha256(path) if path is not None and path.is_file() else _text_sha256(location)
        prediction = None
    else:
        if data is None:
            path, digest = _training_input(spec, plan, location)
        else:
            path = Path(data)
            digest = _file_sha256(path)
        frame = io.read_polars(path, plan.dtypes())
        rows, entries = runtime_baseline.compute_frame(frame, plan.monitoring.features, str(path))
        prediction = None if plan.monitoring.prediction_drift is None else _prediction(plan, frame, path)
    header = {"format": BASELINE_FORMAT, "spec": spec.name, "inputs_sha256": inputs_sha256(spec, plan),
              "data": {"path": _location_json(spec.data.training) if data is None else str(data), "sha256": digest}}
    features = {f.name: e for f, e in zip(plan.monitoring.features, entries)}
    return {"header": header, "rows": rows, "features": features, "prediction": prediction}


def _training_input(spec: Spec, plan: Plan, location: str):
    """(what ``io.read_polars`` reads, the data's sha256): a file by its bytes, a database by its location."""
    if isinstance(plan.training_rel, SqlData):
        from ..runtime.sources.location import bind

        return bind(plan.training_rel, plan.out_dir), _text_sha256(location)
    # lexical normalisation: the output directory may not exist yet
    path = Path(os.path.normpath(plan.out_dir / plan.training_rel)) if spec.data.training != "-" else Path("-")
    return path, _file_sha256(path)


def _location_json(value):
    """data.training as the header records it: a path, or the table/query mapping (no secret: url_env)."""
    return value.model_dump(exclude_none=True) if isinstance(value, SqlSource) else value


def _location_text(value) -> str:
    return json.dumps(_location_json(value), sort_keys=True) if isinstance(value, SqlSource) else value


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_text(document: dict) -> str:
    """Deterministic bytes: sorted keys, two-space indent, ASCII, floats as Python's shortest repr."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True, allow_nan=False) + "\n"


def read(path: Path) -> Baseline | None:
    """The committed baseline at ``path``; None when there is none."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the baseline: {exc}; run: specgen baseline <spec> [SG308]",
                        "SG308") from None
    try:
        header = document["header"]
        if header["format"] != BASELINE_FORMAT:
            raise ValueError(f"format {header['format']!r}, expected {BASELINE_FORMAT!r}")
        return Baseline(str(header["inputs_sha256"]), str(header["data"]["sha256"]), int(document["rows"]),
                        dict(document["features"]), document.get("prediction"))
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{path}: not a specgen baseline ({exc}); run: specgen baseline <spec> [SG308]",
                        "SG308") from None


def freshness(baseline: Baseline | None, spec: Spec, plan: Plan) -> str:
    """``current``, ``missing``, or ``stale`` (the spec's baseline inputs changed since it was written)."""
    if baseline is None:
        return "missing"
    if baseline.inputs_sha256 != inputs_sha256(spec, plan):
        return "stale"
    if any(f.name not in baseline.features for f in plan.monitoring.features):
        return "stale"
    return "current"


def _file_sha256(path: Path) -> str:
    """The file's sha256; for many files (a glob, a directory) the sha256 of their names and sha256s, in order."""
    from ..runtime.inputs import resolve

    found = resolve(path)
    if len(found.shown) == 1:
        return _one_sha256(found.files[0] if found.argument == "-" else Path(found.shown[0]))
    common = os.path.commonpath([os.path.abspath(name) for name in found.shown])
    lines = "".join(f"{Path(os.path.relpath(os.path.abspath(name), common)).as_posix()}\0{_one_sha256(Path(name))}\n"
                    for name in found.shown)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def _one_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc} [SG201]", "SG201") from None
    return digest.hexdigest()


def _prediction(plan: Plan, frame, path: Path) -> dict:
    import polars as pl

    from ..runtime import baseline as runtime_baseline
    from ..runtime import model_outputs

    drift = plan.monitoring.prediction_drift
    if drift.column is not None and drift.column in frame.columns:
        source = "column"
        value = pl.col(drift.column)
        outputs = frame.select((value.cast(pl.String) if drift.kind == "categorical" else value.cast(pl.Float64))
                               .alias(model_outputs.PREDICTION_OUTPUT))
    elif drift.has_load:
        source = "model"
        setup = plan.model.setup
        paths = [os.path.normpath(plan.out_dir / p) for p in setup.paths]
        model = model_outputs.load_model(paths, dataclasses.asdict(setup.entrypoints), drift.task)
        outputs = model_outputs.outputs(model, frame, list(setup.features), drift.task)
    else:
        raise DataError(f"{path}: prediction column {drift.column!r} is missing from the training data and "
                        "model.load is not set: no training-time predictions for prediction drift [SG201]", "SG201")
    entries = []
    for name in outputs.columns:
        kind = drift.kind if name == model_outputs.PREDICTION_OUTPUT else "numeric"
        reference = runtime_baseline.entry(outputs, SimpleNamespace(name=name, kind=kind, bins=drift.bins))
        entries.append({"name": name, "kind": kind, "reference": reference})
    return {"source": source, "outputs": entries}
