"""Plan for feature-engineering, skew and batch-prediction tests (Spec.transforms, Spec.predictions).

``test_<name>_features.py`` and ``test_<name>_predictions.py`` render ``config``
as a literal and parametrize over the case tuples here; ``specgen.runtime.features``
and ``specgen.runtime.predictions`` read the config. ``seed_ideas`` explains, for
the generated README, what each of the spec's modes produced and why.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..runtime.features import ENV_OVERRIDES as FEATURE_ENV
from ..runtime.predictions import ENV_OVERRIDES as PREDICTION_ENV
from .naming import param_id
from .spec import Spec

__all__ = ["FeaturesPlan", "PredictionsPlan", "Case", "SeedIdea", "features_plan", "predictions_plan",
           "seed_ideas", "OUTPUT_CHECKS"]

#: output kind -> checks after ``present`` and ``finite``; (name, training data only)
OUTPUT_CHECKS = {
    "onehot": (("binary", False), ("one_per_row", False)),
    "zscore": (("mean", True), ("std", True)),
    "minmax": (("range", False),),
    "clip": (("range", False),),
    "bucketize": (("buckets", False),),
    "log": (("range", False),),
    "range": (("range", False),),
}
ALL_OUTPUTS = "all_outputs"
SKEW_CHECKS = ("columns", "dtypes", "serving_schema")


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple


@dataclass(frozen=True)
class SeedIdea:
    idea: str
    setting: str
    generated: str
    why: str


@dataclass(frozen=True)
class FeaturesPlan:
    config: dict
    test_module: str
    output_cases: tuple[Case, ...]  # args: (path, output, check)
    has_parity: bool
    skew_checks: tuple[str, ...]
    env_overrides: tuple[str, ...]

    @property
    def has_schema_skew(self) -> bool:
        return bool(self.skew_checks)

    @property
    def env_override_text(self) -> str:
        return ", ".join(self.env_overrides)


@dataclass(frozen=True)
class PredictionsPlan:
    config: dict
    test_module: str
    key_checks: tuple[str, ...]
    column_cases: tuple[Case, ...]  # args: (column, check)
    probability_checks: tuple[str, ...]
    slices: tuple[str, ...]
    env_overrides: tuple[str, ...]

    @property
    def has_probabilities(self) -> bool:
        return bool(self.probability_checks)

    @property
    def has_slices(self) -> bool:
        return bool(self.slices)

    @property
    def env_override_text(self) -> str:
        return ", ".join(self.env_overrides)


def _output(o) -> dict:
    lo, hi = o.range if o.range is not None else (None, None)
    if o.kind == "minmax":
        lo, hi = 0.0, 1.0
    return {"kind": o.kind, "min": lo, "max": hi, "buckets": o.buckets,
            "tolerance": o.tolerance if o.kind == "zscore" else None}


def _output_cases(outputs: dict, path: str) -> list[Case]:
    out = []
    for name, o in sorted(outputs.items()):
        checks = ["present", "finite"] + [c for c, training_only in OUTPUT_CHECKS[o.kind]
                                          if path == "training" or not training_only]
        if o.kind == "log" and o.range is None:
            checks.remove("range")
        out += [Case(param_id(path, name, check), (path, name, check)) for check in checks]
    out.append(Case(param_id(path, ALL_OUTPUTS, "finite"), (path, None, "finite")))
    return out


def features_plan(spec: Spec, columns, relative, spec_dir: Path, training_rel: str,
                  serving_rel: str | None) -> FeaturesPlan | None:
    """``columns``: the plan's ColumnPlans; ``relative(path)``: a path relative to the output dir."""
    t = spec.transforms
    if t is None:
        return None
    label = spec.data.label
    # transformed during training, the one transform also serves: it is the serving path
    serving_path = t.serving_entrypoint or (t.entrypoint if t.when == "during_training" else None)
    config = {
        "name": spec.name,
        "when": t.when,
        "label": label,
        "training_data": training_rel,
        "serving_data": serving_rel,
        "dtypes": {c.name: c.value_type for c in columns},
        "training_only": sorted(c.name for c in columns if c.environments == ("training",)),
        "paths": [relative(spec_dir / p) for p in t.paths],
        "entrypoints": {"training": t.entrypoint, "serving": serving_path},
        "tolerance": t.tolerance,
        "outputs": {name: _output(o) for name, o in sorted(t.outputs.items())},
        "schema_module": [f"{spec.name}_schema.py", f"{spec.name}_schema"],
    }
    cases = _output_cases(t.outputs, "training")
    if serving_path is not None and serving_rel is not None:
        cases += _output_cases(t.outputs, "serving")
    return FeaturesPlan(
        config=config,
        test_module=f"test_{spec.name}_features",
        output_cases=tuple(cases),
        has_parity=t.serving_entrypoint is not None,
        skew_checks=SKEW_CHECKS if serving_rel is not None else (),
        env_overrides=tuple(FEATURE_ENV.values()),
    )


def predictions_plan(spec: Spec, columns, relative, spec_dir: Path) -> PredictionsPlan | None:
    p = spec.predictions
    if p is None:
        return None
    inputs = spec_dir / p.inputs if p.inputs is not None else spec_dir / spec.data.serving
    config = {
        "name": spec.name,
        "path": relative(spec_dir / p.path),
        "inputs": relative(inputs),
        "key": list(p.key or spec.data.key),
        "dtypes": {c.name: c.value_type for c in columns},
        "columns": {name: {"min": c.range[0] if c.range else None, "max": c.range[1] if c.range else None,
                           "values": list(c.values) if c.values is not None else None}
                    for name, c in sorted(p.columns.items())},
        "probabilities": list(p.probabilities),
        "tolerance": p.tolerance,
        "slices": {name: _slice_filter(spec.slices[name]) for name in sorted(p.rare_slices)},
    }
    column_cases = []
    for name, c in sorted(p.columns.items()):
        checks = ["complete"] + (["bounds"] if c.range is not None or c.values is not None else [])
        column_cases += [Case(param_id(name, check), (name, check)) for check in checks]
    return PredictionsPlan(
        config=config,
        test_module=f"test_{spec.name}_predictions",
        key_checks=("covered", "unique", "known"),
        column_cases=tuple(column_cases),
        probability_checks=("range", "sum") if p.probabilities else (),
        slices=tuple(sorted(p.rare_slices)),
        env_overrides=tuple(PREDICTION_ENV.values()),
    )


def _slice_filter(s) -> dict:
    value = list(s.value) if isinstance(s.value, list) else s.value
    return {"where": s.where, "column": s.column, "value": value}


def seed_ideas(spec: Spec, model, features: FeaturesPlan | None, predictions: PredictionsPlan | None,
               monitoring) -> tuple[SeedIdea, ...]:
    """One README row per seed idea: the spec's setting, what was generated, and why."""
    return (_transform_idea(spec, features), _training_idea(spec, model, monitoring),
            _inference_idea(spec, predictions, monitoring))


def _transform_idea(spec: Spec, f: FeaturesPlan | None) -> SeedIdea:
    if f is None:
        return SeedIdea("transform timing", "no transforms section", "nothing",
                        "without transform entrypoints there is no feature code to check")
    n = sum(1 for c in f.output_cases if c.args[0] == "training")
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
        made.append(f"`test_model_age` (max_model_age {model.config['max_model_age']}, Mon4)")
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
