"""Plan for the model tests: Spec.model + Spec.slices -> one plain config and the test cases.

The generated ``test_<name>_model.py`` renders ``config`` as a literal and
parametrizes over the case tuples here; ``specgen.runtime.model`` reads the
config. Every default is filled in here, so the generated file shows it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..runtime.adapter import ENV_OVERRIDES
from ..runtime.metrics import METRICS
from .naming import param_id
from .spec import MetricBound, Spec, parse_duration

__all__ = ["ModelPlan", "SliceCase", "FeatureCase", "model_plan"]

_AVERAGED = ("precision", "recall", "f1")


@dataclass(frozen=True)
class SliceCase:
    id: str
    slice: str
    metric: str


@dataclass(frozen=True)
class FeatureCase:
    id: str
    feature: str


@dataclass(frozen=True)
class ModelPlan:
    config: dict
    test_module: str
    reproducibility: tuple[str, ...]  # metric names, then "outputs"
    quality: tuple[str, ...]
    vs_serving: tuple[str, ...]
    baseline: tuple[str, ...]  # metrics with a margin over the trivial baseline
    slices: tuple[str, ...]
    slice_cases: tuple[SliceCase, ...]
    stability: tuple[str, ...]
    leakage_association: tuple[FeatureCase, ...]
    leakage_single: tuple[FeatureCase, ...]
    has_age: bool
    env_overrides: tuple[str, ...]

    @property
    def env_override_text(self) -> str:
        return ", ".join(self.env_overrides)

    @property
    def has_vs_serving(self) -> bool:
        return bool(self.vs_serving)

    @property
    def has_baseline(self) -> bool:
        return bool(self.baseline)

    @property
    def has_slices(self) -> bool:
        return bool(self.slices)

    @property
    def has_leakage_association(self) -> bool:
        return bool(self.leakage_association)

    @property
    def has_leakage_single(self) -> bool:
        return bool(self.leakage_single)


def model_plan(spec: Spec, columns, relative, spec_dir: Path, training_rel: str) -> ModelPlan | None:
    """``columns``: the plan's ColumnPlans; ``relative(path)``: a path relative to the output dir."""
    m = spec.model
    if m is None:
        return None
    trained = [c for c in columns if "training" in c.environments]
    features = [c.name for c in trained if c.role == "feature"]
    age = m.max_model_age or spec.training.max_model_age
    has_age = age is not None and (m.max_model_age is not None or spec.training.mode == "dynamic")
    leak = m.leakage
    config = {
        "name": spec.name,
        "task": m.task,
        "label": spec.data.label,
        "features": features,
        "kinds": {c.name: c.value_type for c in trained},
        "dtypes": {c.name: c.value_type for c in columns},
        "training_data": training_rel,
        "paths": [relative(spec_dir / p) for p in m.paths],
        "entrypoints": {"train": m.train, "load": m.load, "predict": m.predict, "adapter": m.adapter},
        "seed": spec.seeds.global_,
        # own namespace, so the split is independent of any other split made with the same salt
        "salt": f"{spec.seeds.split_salt if spec.seeds.split_salt is not None else spec.name}:model-eval",
        "rotate_daily": spec.seeds.rotate_daily,
        "eval_fraction": m.eval_fraction,
        "split_key": list(spec.data.key) or features + [spec.data.label],
        "metrics": _metrics(m.metrics),
        "max_drop": dict(sorted(m.max_drop.items())),
        "baseline_margin": dict(sorted(m.baseline.margin.items())) if m.baseline else {},
        "reproducibility": {"runs": m.reproducibility.runs, "tolerance": m.reproducibility.tolerance},
        "leakage": {"max_abs_correlation": leak.max_abs_correlation if leak else None,
                    "max_single_feature_score": leak.max_single_feature_score if leak else None},
        "stability": {"max_zero_fraction": m.stability.max_zero_fraction},
        "max_model_age": age if has_age else None,
        "max_model_age_seconds": parse_duration(age) if has_age else None,
        "artifact": relative(spec_dir / m.artifact) if m.artifact else None,
        "slices": {name: _slice(s) for name, s in sorted(spec.slices.items())},
        "synth_columns": [_synth_column(c) for c in trained],
        "smoke_rows": m.smoke_rows,
    }
    cases = tuple(FeatureCase(param_id(f), f) for f in features)
    stability = ["parameters_finite", "outputs_finite"]
    if m.stability.max_zero_fraction is not None:
        stability.append("zero_fraction")
    return ModelPlan(
        config=config,
        test_module=f"test_{spec.name}_model",
        reproducibility=tuple(sorted(m.metrics)) + ("outputs",),
        quality=tuple(sorted(m.metrics)),
        vs_serving=tuple(sorted(m.max_drop)),
        baseline=tuple(sorted(m.baseline.margin)) if m.baseline else (),
        slices=tuple(sorted(spec.slices)),
        slice_cases=tuple(SliceCase(param_id(name, metric), name, metric)
                          for name, s in sorted(spec.slices.items()) for metric in sorted(s.metrics)),
        stability=tuple(stability),
        leakage_association=cases if leak and leak.max_abs_correlation is not None else (),
        leakage_single=cases if leak and leak.max_single_feature_score is not None else (),
        has_age=has_age,
        env_overrides=tuple(ENV_OVERRIDES.values()),
    )


def _metrics(bounds: dict[str, MetricBound]) -> dict:
    out = {}
    for name, b in sorted(bounds.items()):
        kwargs = {}
        if name in _AVERAGED:
            kwargs["average"] = b.average or "macro"
        if b.pos_label is not None:
            kwargs["pos_label"] = b.pos_label
        builtin = METRICS.get(name)
        out[name] = {"min": b.min, "max": b.max, "kwargs": kwargs, "entrypoint": b.entrypoint,
                     "greater_is_better": builtin.greater_is_better if builtin else b.greater_is_better}
    return out


def _slice(s) -> dict:
    value = list(s.value) if isinstance(s.value, list) else s.value
    return {"where": s.where, "column": s.column, "value": value, "min_rows": s.min_rows,
            "metrics": _metrics(s.metrics)}


def _synth_column(column) -> dict:
    params = {ch.kind: ch.params for ch in column.checks}
    lo = params.get("range", {}).get("min")
    hi = params.get("range", {}).get("max")
    return {"name": column.name, "kind": column.value_type, "min": _iso(lo), "max": _iso(hi),
            "values": params.get("values", {}).get("values"), "unique": "unique" in params}


def _iso(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value
