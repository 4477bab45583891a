"""The spec model: what users write, mirrored exactly (pydantic v2, extra keys forbidden).

One module per section of the YAML: ``columns`` (features and columns), ``data``
(seeds, data, dataset checks), ``model`` (model and slices), ``monitoring``,
``transforms`` (transforms and predictions) and ``root`` (the ``Spec`` tying
them together); ``common`` holds what they share. Everything computed for the
templates lives in ``plan``, not here. Import from this package, not its modules.
"""
from .columns import (BoolFeature, CategoricalDistribution, CategoricalFeature, DatetimeFeature, Feature,
                      Monotonic, NumericDistribution, NumericFeature, StringFeature)
from .common import (ENTRYPOINT_PATTERN, NAME_PATTERN, Bounds, Entrypoint, Environment, Number, SliceName,
                     contradiction, parse_duration)
from .data import Data, DatasetChecks, Seeds, SqlSource
from .model import BeatsTrivial, Leakage, MetricBound, ModelSection, Reproducibility, Slice, Stability
from .monitoring import (POSITIONAL_MEASURES, Alerts, DriftDefaults, FeatureMonitoring, Measure, MeasureName,
                         Monitoring, Prediction, ServingTargets)
from .live import Canary, LabelLog, Live, Outcome, PredictionLog, Sampling
from .performance import (BatchSpeed, Compatibility, Latency, Memory, Performance, Pipeline,
                          PipelineStage, Throughput, TrainingSpeed)
from .root import Inference, Spec, Training
from .score import ManualEvidence, ScoreSection
from .transforms import PredictionColumn, Predictions, TransformOutput, Transforms

__all__ = [
    "Spec", "Feature", "NumericFeature", "CategoricalFeature", "BoolFeature",
    "DatetimeFeature", "StringFeature", "Data", "Seeds", "DatasetChecks", "SqlSource",
    "Training", "Inference", "parse_duration",
    "ModelSection", "BeatsTrivial", "Slice", "MetricBound", "Reproducibility", "Leakage", "Stability",
    "Monitoring", "FeatureMonitoring", "Measure", "DriftDefaults", "Alerts", "Prediction", "ServingTargets",
    "Transforms", "TransformOutput", "Predictions", "PredictionColumn",
    "NumericDistribution", "CategoricalDistribution", "Monotonic", "Number", "Bounds", "Environment",
    "NAME_PATTERN", "ENTRYPOINT_PATTERN", "Entrypoint", "SliceName", "MeasureName", "POSITIONAL_MEASURES",
    "contradiction", "ScoreSection", "ManualEvidence",
    "Live", "PredictionLog", "LabelLog", "Canary", "Sampling", "Outcome",
    "Performance", "Latency", "BatchSpeed", "Throughput", "Memory", "TrainingSpeed", "Pipeline",
    "PipelineStage", "Compatibility",
]
