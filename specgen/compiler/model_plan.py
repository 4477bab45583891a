"""Plan for the model tests: Spec.model + Spec.slices -> the runtime contract and the test rows.

The generated ``test_<name>_model.py`` builds ``setup`` (a
``specgen.runtime.contracts.model.ModelSetup``, one argument per line) and
parametrizes each test over its rows here; every row carries its own threshold
(a ``Bound``, a ``max_drop``, a ``margin``, a limit), so the generated file shows
it next to the test. Every default is filled in here, so the generated file shows it.
"""
from __future__ import annotations


import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..runtime.adapter import ENV_OVERRIDES
from ..runtime.contracts.model import (STABILITY_CHECKS, Bound, Entrypoints, Metric, ModelSetup, SliceFilter,
                                       SmokeColumn, Split)
from ..runtime.metrics import METRICS
from .contract_code import Argument, arguments, class_names
from .data_plan import data_location
from .naming import param_id
from .spec import MetricBound, Spec, parse_duration

__all__ = ["ModelPlan", "Param", "model_plan"]

_AVERAGED = ("precision", "recall", "f1")


@dataclass(frozen=True)
class Param:
    """One ``pytest.param``: its id and the values passed to the test, in order."""

    id: str
    values: tuple


@dataclass(frozen=True)
class ModelPlan:
    setup: ModelSetup
    test_module: str
    smoke_columns: tuple[SmokeColumn, ...]
    smoke_rows: int
    tolerance: float  # reproducibility: largest spread across runs
    reproducible: tuple[Param, ...]  # (metric, tolerance)
    quality: tuple[Param, ...]  # (metric, bound)
    vs_serving: tuple[Param, ...]  # (metric, max_drop)
    beats_trivial: tuple[Param, ...]  # (metric, margin)
    slice_rows: tuple[Param, ...]  # (slice name, min_rows)
    slice_metrics: tuple[Param, ...]  # (slice name, metric, bound, min_rows)
    stability: tuple[Param, ...]  # (check, limit or None)
    leakage_association: tuple[Param, ...]  # (feature, max_abs_correlation)
    leakage_single: tuple[Param, ...]  # (feature, max_single_feature_score)
    leakage_undeclared: bool  # the leakage limits also hold for columns the spec does not declare
    leakage_max_abs_correlation: float | None
    leakage_max_score: float | None
    max_model_age: str | None
    max_model_age_seconds: int | None
    env_overrides: tuple[str, ...]

    @property
    def setup_arguments(self) -> tuple[Argument, ...]:
        return arguments(self.setup)

    @property
    def imports(self) -> str:
        rows = (self.quality, self.reproducible, self.vs_serving, self.beats_trivial, self.slice_metrics)
        return class_names(self.setup, self.smoke_columns, *[p.values for group in rows for p in group])

    @property
    def env_override_text(self) -> str:
        return ", ".join(self.env_overrides)

    @property
    def has_age(self) -> bool:
        return self.max_model_age is not None

    @property
    def has_vs_serving(self) -> bool:
        return bool(self.vs_serving)

    @property
    def has_beats_trivial(self) -> bool:
        return bool(self.beats_trivial)

    @property
    def has_slices(self) -> bool:
        return bool(self.slice_rows)

    @property
    def has_leakage_association(self) -> bool:
        return bool(self.leakage_association)

    @property
    def has_leakage_single(self) -> bool:
        return bool(self.leakage_single)



def model_plan(spec: Spec, columns, relative, spec_dir: Path, training_rel) -> ModelPlan | None:
    """``columns``: the plan's ColumnPlans; ``relative(path)``: a path relative to the output dir."""
    m = spec.model
    if m is None:
        return None
    trained = [c for c in columns if "training" in c.environments]
    age = m.max_model_age or spec.training.max_model_age
    has_age = age is not None and (m.max_model_age is not None or spec.training.mode == "dynamic")
    metrics = {name: _metric(name, b) for name, b in sorted(m.metrics.items())}
    return ModelPlan(
        setup=_setup(spec, columns, trained, relative, spec_dir, training_rel),
        test_module=f"test_{spec.name}_model",
        smoke_columns=tuple(_smoke_column(c) for c in trained),
        smoke_rows=m.smoke_rows,
        tolerance=m.reproducibility.tolerance,
        reproducible=tuple(Param(param_id(n), (metric, m.reproducibility.tolerance)) for n, metric in metrics.items()),
        quality=tuple(Param(param_id(n), (metrics[n], _bound(b))) for n, b in sorted(m.metrics.items())),
        vs_serving=tuple(Param(param_id(n), (metrics[n], drop)) for n, drop in sorted(m.max_drop.items())),
        beats_trivial=tuple(Param(param_id(n), (metrics[n], margin))
                            for n, margin in sorted(m.beats_trivial.margin.items())) if m.beats_trivial else (),
        slice_rows=tuple(Param(param_id(name), (name, s.min_rows)) for name, s in sorted(spec.slices.items())),
        slice_metrics=tuple(Param(param_id(name, metric), (name, _metric(metric, b), _bound(b), s.min_rows))
                            for name, s in sorted(spec.slices.items()) for metric, b in sorted(s.metrics.items())),
        stability=_stability(m.stability.max_zero_fraction),
        leakage_association=_leakage(spec, trained, "max_abs_correlation"),
        leakage_single=_leakage(spec, trained, "max_single_feature_score"),
        leakage_undeclared=m.leakage is not None,
        leakage_max_abs_correlation=m.leakage.max_abs_correlation if m.leakage else None,
        leakage_max_score=m.leakage.max_single_feature_score if m.leakage else None,
        max_model_age=age if has_age else None,
        max_model_age_seconds=parse_duration(age) if has_age else None,
        env_overrides=tuple(ENV_OVERRIDES.values()),
    )


def _setup(spec: Spec, columns, trained, relative, spec_dir: Path, training_rel) -> ModelSetup:
    m = spec.model
    features = tuple(c.name for c in trained if c.role == "feature")
    salt = spec.seeds.split_salt if spec.seeds.split_salt is not None else spec.name
    return ModelSetup(
        name=spec.name,
        task=m.task,
        label=spec.data.label,
        features=features,
        dtypes={c.name: c.value_type for c in columns},
        training_data=training_rel,
        evaluation_data=data_location(spec.data.evaluation, spec_dir, relative),
        paths=tuple(relative(spec_dir / p) for p in m.paths),
        entrypoints=Entrypoints(train=m.train, load=m.load, predict=m.predict, adapter=m.adapter),
        seed=spec.seeds.global_,
        # own namespace, so the split is independent of any other split made with the same salt
        split=Split(key=tuple(spec.data.key) or features + (spec.data.label,), salt=f"{salt}:model-eval",
                    eval_fraction=m.eval_fraction, rotate_daily=spec.seeds.rotate_daily),
        runs=m.reproducibility.runs,
        mean_of=m.reproducibility.mean_of,
        slices={name: SliceFilter(where=s.where, column=s.column, value=_value(s.value))
                for name, s in sorted(spec.slices.items())},
        artifact=relative(spec_dir / m.artifact) if m.artifact else None,
    )


def _metric(name: str, b: MetricBound) -> Metric:
    kwargs = {}
    if name in _AVERAGED:
        kwargs["average"] = b.average or "macro"
    if b.pos_label is not None:
        kwargs["pos_label"] = b.pos_label
    builtin = METRICS.get(name)
    return Metric(name=name, kwargs=kwargs, entrypoint=b.entrypoint,
                  greater_is_better=builtin.greater_is_better if builtin else b.greater_is_better)


def _bound(b: MetricBound) -> Bound:
    return Bound(min=b.min, max=b.max)


def _stability(max_zero_fraction: float | None) -> tuple[Param, ...]:
    limits = {"zero_fraction": max_zero_fraction}
    return tuple(Param(param_id(check), (check, limits.get(check))) for check in STABILITY_CHECKS
                 if check != "zero_fraction" or max_zero_fraction is not None)


def _leakage(spec: Spec, trained, limit_name: str) -> tuple[Param, ...]:
    """One row per column of the training data but the label and the key columns: the model's train receives
    them all, so any can leak. Keys are left out: an identifier is unique per row, so a lookup on it memorises
    rows (Cramér's V of a unique column is 1 whatever the label) -- a false alarm, not a leak."""
    leak = spec.model.leakage
    limit = getattr(leak, limit_name) if leak else None
    if limit is None:
        return ()
    skip = {spec.data.label, *spec.data.key}
    return tuple(Param(param_id(c.name), (c.name, limit)) for c in trained if c.name not in skip)


def _value(value):
    return tuple(value) if isinstance(value, list) else value


def _smoke_column(column) -> SmokeColumn:
    params = {ch.kind: ch.params for ch in column.checks}
    lo = params.get("range", {}).get("min")
    hi = params.get("range", {}).get("max")
    values = params.get("values", {}).get("values")
    return SmokeColumn(name=column.name, dtype=column.value_type, min=_iso(lo), max=_iso(hi),
                       values=tuple(values) if values is not None else None, unique="unique" in params)


def _iso(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value
