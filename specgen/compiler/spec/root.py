"""The whole spec: ``Spec``, its top-level modes (``training``, ``inference``) and the rules across sections."""
from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .columns import Feature
from .common import NAME_PATTERN, SliceName, _check_duration, _Model, contradiction
from .data import Data, DatasetChecks, Seeds
from .live import Live
from .model import ModelSection, Slice, _check_metrics
from .monitoring import POSITIONAL_MEASURES, Monitoring
from .score import ScoreSection
from .slice_where import where_problem
from .performance import Performance
from .transforms import Predictions, Transforms

__all__ = ["Spec", "Training", "Inference", "BACKENDS"]

#: dataframe libraries a pandera schema module is generated for (pandas always: the data tests use it)
BACKENDS = ("pandas", "polars", "pyspark")


class Training(_Model):
    mode: Literal["static", "dynamic"] = "static"
    max_model_age: str | None = Field(None, description="Largest model age, e.g. 7d (dynamic training).")

    _age = field_validator("max_model_age")(lambda v: _check_duration(v))


class Inference(_Model):
    mode: Literal["batch", "online"] = "batch"


class Spec(_Model):
    """One model's tests and monitors, declared once."""

    spec_version: Literal[1] = Field(description="Format version of this spec; currently 1.")
    name: Annotated[str, Field(pattern=NAME_PATTERN)] = Field(
        description="snake_case model name; prefixes metrics and generated files.")
    description: str = ""
    seeds: Seeds = Field(default_factory=Seeds)
    training: Training = Field(default_factory=Training)
    inference: Inference = Field(default_factory=Inference)
    data: Data
    features: Annotated[dict[str, Feature], Field(min_length=1)] = Field(
        description="Model inputs by column name, each with its dtype and checks.")
    columns: dict[str, Feature] = Field(
        default_factory=dict, description="Other columns (the label, keys, metadata), checked the same way.")
    dataset: DatasetChecks = Field(default_factory=DatasetChecks)
    model: ModelSection | None = Field(None, description="The model under test, by entrypoint.")
    slices: dict[SliceName, Slice] = Field(default_factory=dict, description="Named data slices with own bounds.")
    monitoring: Monitoring | None = Field(
        None, description="Drift/skew baselines and Prometheus alerts; omitted: no monitoring outputs.")
    transforms: Transforms | None = Field(
        None, description="Feature-engineering checks and training-serving skew tests.")
    predictions: Predictions | None = Field(
        None, description="Checks on cached batch predictions before they are pushed (inference.mode batch).")
    score: ScoreSection = Field(
        default_factory=ScoreSection, description="ML Test Score: evidence for the rubric tests done by hand.")
    live: Live | None = Field(
        None, description="Live model quality from prediction and label logs (specgen live): per window and "
                          "slice, canary vs stable, the human-label sample, real-world metrics.")
    backends: list[Literal["pandas", "polars", "pyspark"]] = Field(
        default_factory=lambda: ["pandas"],
        description="pandera schema modules to generate: pandas (always; the data tests use it), polars, pyspark.")

    @field_validator("backends", mode="before")
    @classmethod
    def _known_backends(cls, value):
        if not isinstance(value, list):
            return value  # pydantic says what type it wants
        for i, name in enumerate(value):
            if name not in BACKENDS:
                match = difflib.get_close_matches(str(name), BACKENDS, n=1, cutoff=0.6)
                hint = f"; did you mean {match[0]!r}?" if match else ""
                message = f"backend {name!r} is not one of {', '.join(BACKENDS)}{hint}"
                raise PydanticCustomError("backend", "{message}", {"message": message, "at": (i,)})
        if len(set(value)) != len(value):
            raise PydanticCustomError("backend", "{message}", {"message": f"backends lists a backend twice: {value}"})
        return value
    performance: Performance | None = Field(
        None, description="Deployment tests: serving latency, throughput, memory, training speed, pipeline, "
                          "serving-environment compatibility and rollback.")

    @field_validator("features", "columns")
    @classmethod
    def _names_nonempty(cls, value):
        for name in value:
            if not name.strip():
                raise PydanticCustomError("invalid_name", "column names must not be empty or blank")
            if len(name) > 200:
                raise PydanticCustomError("invalid_name", "column name longer than 200 characters")
        return value

    @field_validator("dataset")
    @classmethod
    def _relations_known(cls, value, info: ValidationInfo):
        if "features" in info.data and "columns" in info.data:  # else those failed: their errors say enough
            value.check_relations({**info.data["features"], **info.data.get("columns", {})})
        return value

    @model_validator(mode="after")
    def _cross_checks(self):
        label = self.data.label
        if label is not None and label in self.features:
            raise contradiction(f"label {label!r} is also a feature; a model must not take its label as input")
        both = sorted(set(self.features) & set(self.columns))
        if both:
            raise contradiction(f"{both} declared both in features and in columns")
        self._model_checks()
        self._backends_typed()
        self._predictions_consistent()
        self._monitoring_consistent()
        self._live_consistent()
        self._performance_consistent()
        return self

    def _live_consistent(self) -> None:
        live = self.live
        if live is None:
            return
        if self.model is None:
            raise contradiction("live quality needs a model section (its task and metrics)")
        if not (live.predictions.key or self.data.key):
            raise contradiction("live needs key columns to join labels: set live.predictions.key or data.key")
        if live.labels is not None and live.labels.label is None and self.data.label is None:
            raise contradiction("live.labels needs a label column: set live.labels.label or data.label")
        _check_metrics(live.metrics or {}, self.model.task)
        custom = sorted(n for n, b in (live.metrics or self.model.metrics).items() if b.entrypoint is not None)
        if custom:
            raise contradiction(f"live metrics {custom} are user entrypoints; specgen live runs no user code: "
                                "set live.metrics to built-in metrics")
        if live.canary is not None:
            unknown = sorted(set(live.canary.metrics or []) | set(live.canary.max_drop))
            unknown = [m for m in unknown if m not in (live.metrics or self.model.metrics)]
            if unknown:
                raise contradiction(f"live.canary names metrics {unknown} that the live metrics do not list")

    def _backends_typed(self) -> None:
        """pandera.polars and pandera.pyspark models declare a dtype for every column (no ``Any``)."""
        typed = [b for b in self.backends if b != "pandas"]
        declared = set(self.features) | set(self.columns)
        untyped = [c for c in [*self.data.key, self.data.label] if c is not None and c not in declared]
        if typed and untyped:
            raise contradiction(f"backends {', '.join(typed)} need a dtype for every column: declare "
                                f"{', '.join(repr(c) for c in untyped)} under columns")

    def _performance_consistent(self) -> None:
        perf = self.performance
        if perf is None:
            return
        if self.model is None:
            raise contradiction("performance tests measure a model: add a model section")
        stages = perf.pipeline.stages if perf.pipeline is not None else {}
        for name, stage in sorted(stages.items()):
            if stage.expect == "transform_outputs" and self.transforms is None:
                raise contradiction(f"performance.pipeline.stages.{name}: transform_outputs needs a transforms "
                                    "section")

    def _predictions_consistent(self) -> None:
        p = self.predictions
        if p is None:
            return
        if self.inference.mode != "batch":
            raise contradiction("predictions checks cached batch predictions: set inference.mode: batch")
        if not (p.key or self.data.key):
            raise contradiction("predictions needs key columns: set predictions.key or data.key")
        if p.inputs is None and self.data.serving is None:
            raise contradiction("predictions needs the rows to predict: set predictions.inputs or data.serving")
        undeclared = sorted(set(p.key) - set(self.all_columns) - set(self.data.key))
        if undeclared:
            raise contradiction(f"predictions.key names undeclared columns {undeclared}")
        unknown = sorted(set(p.rare_slices) - set(self.slices))
        if unknown:
            raise contradiction(f"predictions.rare_slices names {unknown}, which slices does not define")
        both = sorted(set(p.columns) & set(p.probabilities))
        if both:
            raise contradiction(f"{both} listed both as prediction columns and as probabilities")

    def _model_checks(self) -> None:
        if self.slices and self.model is None:
            raise contradiction("slices are evaluated with a model: add a model section")
        if self.model is None:
            return
        if self.data.label is None:
            raise contradiction("model tests need data.label")
        ages = {a for a in (self.model.max_model_age, self.training.max_model_age) if a is not None}
        if len(ages) > 1:
            raise contradiction(f"model.max_model_age and training.max_model_age differ: {sorted(ages)}")
        names = set(self.all_columns) | set(self.data.key) | {self.data.label}
        for name, piece in sorted(self.slices.items()):
            _check_metrics(piece.metrics, self.model.task)
            if piece.column is not None and piece.column not in names:
                raise contradiction(f"slice {name!r} filters on undeclared column {piece.column!r}")
            problem = where_problem(piece.where, names) if piece.where is not None else None
            if problem:
                raise PydanticCustomError("slice_where", "{message}",
                                          {"message": problem, "at": ("slices", name, "where"), "code": "SG120"})

    def _monitoring_consistent(self):
        for name, feature in self.columns.items():
            if feature.monitoring is not None:
                raise contradiction(f"columns.{name}.monitoring: only features are monitored")
        for name, feature in self.features.items():
            override = feature.monitoring
            if override is not None and override.time_bins is not None:
                _check_time_bins(name, feature.dtype, override.time_bins)
            if feature.dtype in ("category", "bool") and override is not None:
                for what in ("drift", "skew"):
                    measure = getattr(override, what)
                    if measure is not None and measure.metric in POSITIONAL_MEASURES:
                        raise contradiction(f"features.{name}.monitoring.{what}: {measure.metric} needs numbers; "
                                            f"use psi, js_distance, linf or chi_square for {feature.dtype}")
        if self.monitoring is not None:
            measures = [("drift.categorical", self.monitoring.drift.categorical)]
            if self.monitoring.prediction_drift is not None:
                if self.model is None:
                    raise contradiction("monitoring.prediction_drift needs a model section")
                measures.append(("prediction_drift.categorical", self.monitoring.prediction_drift.categorical))
            for what, measure in measures:
                if measure.metric in POSITIONAL_MEASURES:
                    raise contradiction(f"monitoring.{what}: {measure.metric} needs numbers")

    @property
    def all_columns(self) -> dict[str, Any]:
        return {**self.features, **self.columns}


def _check_time_bins(name: str, dtype: str, units: list[str]) -> None:
    """``monitoring.time_bins`` belongs to a datetime feature and names each unit once."""
    if dtype != "datetime":
        raise contradiction(f"features.{name}.monitoring.time_bins: only datetime features have time bins "
                            f"(this one is {dtype})")
    repeated = sorted({u for u in units if units.count(u) > 1})
    if repeated:
        raise contradiction(f"features.{name}.monitoring.time_bins: {', '.join(repeated)} listed twice")
