"""Plan for feature-engineering, skew and batch-prediction tests (Spec.transforms, Spec.predictions).

``test_<name>_features.py`` and ``test_<name>_predictions.py`` build ``setup``
(a contract of ``specgen.runtime.contracts.features`` / ``.predictions``, one
argument per line) and parametrize over the rows here; each row carries its own
bounds. ``seed_ideas`` explains, for the generated README, what each of the
spec's modes produced and why.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..runtime.contracts.constants import SERVING, TRAINING
from ..runtime.contracts.features import (BASIC_OUTPUT_CHECKS, OUTPUT_CHECKS, SCHEMA_SKEW_CHECKS, FeaturesSetup,
                                          TransformEntrypoints, TransformOutput)
from ..runtime.contracts.predictions import (KEY_CHECKS, PROBABILITY_CHECKS, PredictionColumn, PredictionsSetup,
                                             SliceFilter)
from ..runtime.features import ENV_OVERRIDES as FEATURE_ENV
from ..runtime.predictions import ENV_OVERRIDES as PREDICTION_ENV
from .contract_code import Argument, arguments, class_names
from .data_plan import data_location
from .model_plan import Param
from .naming import param_id
from .spec import Spec

__all__ = ["FeaturesPlan", "PredictionsPlan", "SeedIdea", "features_plan", "predictions_plan", "seed_ideas"]

ALL_OUTPUTS = "all_outputs"


@dataclass(frozen=True)
class SeedIdea:
    idea: str
    setting: str
    generated: str
    why: str


@dataclass(frozen=True)
class FeaturesPlan:
    setup: FeaturesSetup
    test_module: str
    output_params: tuple[Param, ...]  # (path, output or None: every numeric output, check)
    parity_tolerance: float | None  # None: no serving path to compare with
    skew_checks: tuple[str, ...]
    env_overrides: tuple[str, ...]

    @property
    def setup_arguments(self) -> tuple[Argument, ...]:
        return arguments(self.setup)

    @property
    def imports(self) -> str:
        return class_names(self.setup, *[p.values for p in self.output_params])

    @property
    def has_parity(self) -> bool:
        return self.parity_tolerance is not None

    @property
    def has_schema_skew(self) -> bool:
        return bool(self.skew_checks)

    @property
    def env_override_text(self) -> str:
        return ", ".join(self.env_overrides)


@dataclass(frozen=True)
class PredictionsPlan:
    setup: PredictionsSetup
    test_module: str
    key_checks: tuple[str, ...]
    column_params: tuple[Param, ...]  # (column, check)
    probabilities: tuple[str, ...]  # probability columns
    tolerance: float  # largest |row sum - 1| of the probabilities
    slice_params: tuple[Param, ...]  # (slice name, slice filter)
    env_overrides: tuple[str, ...]

    @property
    def setup_arguments(self) -> tuple[Argument, ...]:
        return arguments(self.setup)

    @property
    def imports(self) -> str:
        return class_names(self.setup, *[p.values for p in self.column_params + self.slice_params])

    @property
    def probability_checks(self) -> tuple[str, ...]:
        return PROBABILITY_CHECKS if self.probabilities else ()

    @property
    def has_probabilities(self) -> bool:
        return bool(self.probabilities)

    @property
    def has_slices(self) -> bool:
        return bool(self.slice_params)

    @property
    def env_override_text(self) -> str:
        return ", ".join(self.env_overrides)


def _output(name: str, o) -> TransformOutput:
    lo, hi = o.range if o.range is not None else (None, None)
    if o.kind == "minmax":
        lo, hi = 0.0, 1.0
    return TransformOutput(name=name, kind=o.kind, min=lo, max=hi, buckets=o.buckets,
                           tolerance=o.tolerance if o.kind == "zscore" else None)


def _output_params(outputs: dict, path: str) -> list[Param]:
    out = []
    for name, o in sorted(outputs.items()):
        checks = list(BASIC_OUTPUT_CHECKS) + [c for c, training_only in OUTPUT_CHECKS[o.kind]
                                              if path == TRAINING or not training_only]
        if o.kind == "log" and o.range is None:
            checks.remove("range")
        out += [Param(param_id(path, name, check), (path, _output(name, o), check)) for check in checks]
    out.append(Param(param_id(path, ALL_OUTPUTS, "finite"), (path, None, "finite")))
    return out


def features_plan(spec: Spec, columns, relative, spec_dir: Path, training_rel,
                  serving_rel) -> FeaturesPlan | None:
    """``columns``: the plan's ColumnPlans; ``relative(path)``: a path relative to the output dir;
    ``training_rel``/``serving_rel``: where the generated tests find the data (``data_plan.data_location``)."""
    t = spec.transforms
    if t is None:
        return None
    # transformed during training, the one transform also serves: it is the serving path
    serving_path = t.serving_entrypoint or (t.entrypoint if t.when == "during_training" else None)
    setup = FeaturesSetup(
        name=spec.name,
        label=spec.data.label,
        training_data=training_rel,
        serving_data=serving_rel,
        dtypes={c.name: c.value_type for c in columns},
        training_only=tuple(sorted(c.name for c in columns if c.environments == (TRAINING,))),
        paths=tuple(relative(spec_dir / p) for p in t.paths),
        entrypoints=TransformEntrypoints(training=t.entrypoint, serving=serving_path),
        schema_file=f"{spec.name}_schema.py",
        schema_module=f"{spec.name}_schema",
    )
    params = _output_params(t.outputs, TRAINING)
    if serving_path is not None and serving_rel is not None:
        params += _output_params(t.outputs, SERVING)
    return FeaturesPlan(
        setup=setup,
        test_module=f"test_{spec.name}_features",
        output_params=tuple(params),
        parity_tolerance=t.tolerance if t.serving_entrypoint is not None else None,
        skew_checks=SCHEMA_SKEW_CHECKS if serving_rel is not None else (),
        env_overrides=tuple(FEATURE_ENV.values()),
    )


def predictions_plan(spec: Spec, columns, relative, spec_dir: Path) -> PredictionsPlan | None:
    p = spec.predictions
    if p is None:
        return None
    setup = PredictionsSetup(
        name=spec.name,
        path=relative(spec_dir / p.path),
        inputs=data_location(p.inputs if p.inputs is not None else spec.data.serving, spec_dir, relative),
        key=tuple(p.key or spec.data.key),
        dtypes={c.name: c.value_type for c in columns},
    )
    column_params = []
    for name, c in sorted(p.columns.items()):
        column = PredictionColumn(name=name, min=c.range[0] if c.range else None,
                                  max=c.range[1] if c.range else None,
                                  values=tuple(c.values) if c.values is not None else None)
        checks = ["complete"] + (["bounds"] if c.range is not None or c.values is not None else [])
        column_params += [Param(param_id(name, check), (column, check)) for check in checks]
    return PredictionsPlan(
        setup=setup,
        test_module=f"test_{spec.name}_predictions",
        key_checks=KEY_CHECKS,
        column_params=tuple(column_params),
        probabilities=tuple(p.probabilities),
        tolerance=p.tolerance,
        slice_params=tuple(Param(param_id(name), (name, _slice_filter(spec.slices[name])))
                           for name in sorted(p.rare_slices)),
        env_overrides=tuple(PREDICTION_ENV.values()),
    )


def _slice_filter(s) -> SliceFilter:
    return SliceFilter(where=s.where, column=s.column, value=tuple(s.value) if isinstance(s.value, list) else s.value)


def seed_ideas(spec: Spec, model, features: FeaturesPlan | None, predictions: PredictionsPlan | None,
               monitoring) -> tuple[SeedIdea, ...]:
    """One README row per seed idea: the spec's setting, what was generated, and why."""
    return (_transform_idea(spec, features), _training_idea(spec, model, monitoring),
            _inference_idea(spec, predictions, monitoring))


def _transform_idea(spec: Spec, f: FeaturesPlan | None) -> SeedIdea:
    if f is None:
        return SeedIdea("transform timing", "no transforms section", "nothing",
                        "without transform entrypoints there is no feature code to check")
    n = sum(1 for p in f.output_params if p.values[0] == TRAINING)
    made = [f"`{f.test_module}.py`: {n} transform output checks (D7)"]
    if f.has_parity:
        made.append("`test_feature_parity` (Mon3)")
    if f.has_schema_skew:
        made.append("`test_schema_skew` (Mon2)")
    if spec.transforms.when == "before_training":
        why = ("features are computed ahead and stored, while serving computes them with other code: "
               "training-serving skew is the main risk, so both paths get the same raw rows")
        if not f.has_parity:
            why += "; no serving_entrypoint is given, so feature skew is NOT tested"
    else:
        why = ("the same transform runs inside training and serving (no stored features), so its output "
               "checks also run on the serving data; each training batch pays its cost")
        if f.has_parity:
            why += "; the separate serving path given is compared with it"
    return SeedIdea("transform timing", spec.transforms.when, "; ".join(made), why)


def _training_idea(spec: Spec, model, monitoring) -> SeedIdea:
    mode = spec.training.mode
    made = []
    if model is not None and model.has_age:
        made.append(f"`test_model_age` (max_model_age {model.max_model_age}, Mon4)")
    if monitoring is not None and monitoring.max_model_age_seconds is not None:
        made.append("model-age alert")
    if mode == "dynamic":
        why = "a model retrained continuously goes stale when retraining stops, so its age is bounded"
        if not made:
            why += "; set training.max_model_age (and model.load) to test it"
    else:
        why = "a static model is trained by hand; it is judged by the quality tests, not by its age"
    return SeedIdea("training mode", mode, "; ".join(made) or "no age test", why)


def _inference_idea(spec: Spec, p: PredictionsPlan | None, monitoring) -> SeedIdea:
    mode = spec.inference.mode
    if mode == "batch":
        if p is not None:
            what = ["keys", "values"] + (["probabilities"] if p.has_probabilities else []) + (
                ["rare-slice coverage"] if p.has_slices else [])
            return SeedIdea("inference mode", mode, f"`{p.test_module}.py`: {', '.join(what)} of the cached "
                            "predictions (I4)",
                            "batch predictions are cached before they are pushed, so they can be checked first")
        return SeedIdea("inference mode", mode, "nothing", "add a predictions section to check the cached "
                        "predictions before they are pushed")
    has_serving = monitoring is not None and any(r.alert.endswith(("LatencyP99High", "QpsLow"))
                                                 for r in monitoring.rules)
    return SeedIdea("inference mode", mode, "latency / QPS alerts" if has_serving else "nothing here (marked online)",
                    "online predictions are made per request and never cached: latency and throughput "
                    "matter and are watched by monitoring (monitoring.serving), not by a pre-push check")
