"""Plan stage: Spec -> plain, frozen render contexts with everything computed.

The templates only loop over what is here. The same ``Check`` objects feed the
generated pandera schema (via ``field_args``/``methods``) and the polars engine
behind ``specgen validate``, so both enforce one list of checks.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..runtime.checks import DATASET_KINDS, KINDS, Check
from .load import RawSpec
from .model_plan import ModelPlan, model_plan
from .monitoring import MonitoringPlan, monitoring_plan
from .naming import param_id, unique_identifiers
from .negatives import Negative, negatives_for
from .transforms_plan import FeaturesPlan, PredictionsPlan, SeedIdea, features_plan, predictions_plan, seed_ideas
from .spec import CategoricalFeature, NumericFeature, Spec, StringFeature, DatetimeFeature

__all__ = ["Plan", "ColumnPlan", "Method", "plan", "column_checks", "dtype_kind"]

_DISTRIBUTION = ("mean", "std", "quantiles", "shares")


@dataclass(frozen=True)
class Method:
    """A ``@pa.check`` classmethod on the schema calling ``pandas_checks.<function>``."""

    name: str
    kind: str
    function: str
    args: tuple


@dataclass(frozen=True)
class ColumnPlan:
    name: str
    attr: str
    dtype: str
    kind: str  # dtype kind the checks use: float, int, bool, datetime, string, category:str|int
    role: str  # feature | label | key | column
    environments: tuple[str, ...]
    nullable: bool
    checks: tuple[Check, ...]
    field_args: tuple[tuple[str, Any], ...]
    methods: tuple[Method, ...]

    @property
    def needs_alias(self) -> bool:
        return self.attr != self.name

    @property
    def check_kinds(self) -> list[str]:
        return [c.kind for c in self.checks]


@dataclass(frozen=True)
class TestCase:
    id: str
    column: str | None
    kind: str
    expected: str


@dataclass(frozen=True)
class SchemaConfig:
    """One environment's schema class: its base, the columns it declares, dataset settings."""

    class_name: str
    env: str
    base: str  # "pa.DataFrameModel", or the serving class the training class extends
    columns: tuple[ColumnPlan, ...]  # declared here (an extending class declares only what it adds)
    doc_suffix: str
    strict: bool
    unique: tuple[str, ...]
    rows_min: int | None
    rows_max: int | None
    has_rows: bool

    @property
    def has_unique(self) -> bool:
        return bool(self.unique)


@dataclass(frozen=True)
class Plan:
    name: str
    description: str
    spec_file: str  # as given on the command line, for messages
    spec_sha256: str
    out_dir: Path
    spec_rel: str  # the spec, relative to the output directory (posix)
    training_rel: str
    serving_rel: str | None
    label: str | None
    key: tuple[str, ...]
    seed: int
    columns: tuple[ColumnPlan, ...]
    dataset_checks: tuple[Check, ...]
    negatives: tuple[Negative, ...]
    module: str  # schema module name
    test_module: str
    needs_datetime: bool
    extra_columns: str
    model: ModelPlan | None = None  # model and slice tests, when the spec has a model section

    @property
    def has_model(self) -> bool:
        return self.model is not None
    monitoring: MonitoringPlan | None = None  # None: the spec has no monitoring section
    features: FeaturesPlan | None = None  # transform output and skew tests (transforms section)
    predictions: PredictionsPlan | None = None  # cached batch prediction checks (predictions section)
    seed_ideas: tuple[SeedIdea, ...] = ()  # README rows: what each training/inference/transform mode produced
    inference_mode: str = "batch"  # online: marked for the infrastructure and monitoring work

    @property
    def has_seed_table(self) -> bool:
        """The seed-idea table is shown once a spec uses the sections that depend on the modes."""
        return self.features is not None or self.predictions is not None

    def columns_in(self, environment: str) -> tuple[ColumnPlan, ...]:
        return tuple(c for c in self.columns if environment in c.environments)

    def checks(self, environment: str | None = None) -> list[Check]:
        """Every check in plan order (column checks, then dataset checks)."""
        out = [ch for col in self.columns for ch in col.checks] + list(self.dataset_checks)
        return [c for c in out if environment is None or environment in c.environments]

    def dtypes(self) -> dict[str, str]:
        return {c.name: c.kind for c in self.columns}

    def cases(self, environment: str, distribution: bool) -> list[TestCase]:
        out = []
        for check in self.checks(environment):
            if (check.kind in _DISTRIBUTION) == distribution and check.column is not None:
                out.append(TestCase(param_id(check.column, check.kind), check.column, check.kind,
                                    check.describe()))
        return out

    def dataset_cases(self, environment: str) -> list[TestCase]:
        return [TestCase(c.kind, None, c.kind, c.describe())
                for c in self.dataset_checks if environment in c.environments]

    @property
    def schema_classes(self) -> tuple[SchemaConfig, ...]:
        """ServingSchema, then TrainingSchema: extending it when serving columns are a subset of training's."""
        serving, training = self.columns_in("serving"), self.columns_in("training")
        if {c.name for c in serving} <= {c.name for c in training}:
            added = tuple(c for c in training if c not in serving)
            return (self._schema_config("serving", "pa.DataFrameModel", serving),
                    self._schema_config("training", "ServingSchema", added))
        return (self._schema_config("serving", "pa.DataFrameModel", serving),
                self._schema_config("training", "pa.DataFrameModel", training))

    def _schema_config(self, environment: str, base: str, columns: tuple[ColumnPlan, ...]) -> SchemaConfig:
        names = {c.name for c in self.columns_in(environment)}
        rows = next((c for c in self.dataset_checks if c.kind == "rows"), None)
        unique = self.key if self.key and all(k in names for k in self.key) and any(
            c.kind == "key_unique" for c in self.dataset_checks) else ()
        suffix = " (no label column)" if environment == "serving" and self.label else ""
        if base != "pa.DataFrameModel":
            suffix = f": {base} plus the columns only training data has"
        return SchemaConfig(
            class_name=f"{environment.capitalize()}Schema",
            env=environment,
            base=base,
            columns=columns,
            doc_suffix=suffix,
            strict=self.extra_columns == "error",
            unique=tuple(unique),
            rows_min=rows.params["min"] if rows else None,
            rows_max=rows.params["max"] if rows else None,
            has_rows=rows is not None and base == "pa.DataFrameModel",  # an extending class inherits the check
        )

    def test_prefix(self, environment: str) -> str:
        return "" if environment == "training" else f"{environment}_"

    @property
    def module_file(self) -> str:
        return f"{self.module}.py"

    @property
    def negatives_need_datetime(self) -> bool:
        return any(isinstance(n.value, dt.datetime) for n in self.negatives)

    @property
    def environments(self) -> tuple[str, ...]:
        return ("training", "serving")

    @property
    def covered(self) -> list[tuple[str, int, str]]:
        """(check kind, number of checks, meaning) for the generated README."""
        counts: dict[str, int] = {}
        for check in self.checks():
            counts[check.kind] = counts.get(check.kind, 0) + 1
        meaning = {**KINDS, **DATASET_KINDS}
        return [(kind, n, meaning.get(kind, "")) for kind, n in sorted(counts.items())]


def dtype_kind(feature) -> str:
    if isinstance(feature, CategoricalFeature):
        return "category:int" if all(isinstance(v, int) for v in feature.values) else "category:str"
    return feature.dtype


def plan(spec: Spec, raw: RawSpec, out_dir: Path) -> Plan:
    spec_dir = raw.path.parent
    columns = _column_plans(spec)
    dataset = _dataset_checks(spec, columns)
    negatives = tuple(n for col in columns for ch in col.checks for n in negatives_for(ch, col.kind))
    negatives += tuple(n for ch in dataset for n in negatives_for(ch, None))
    relative = lambda p: _relative(p, out_dir)  # noqa: E731
    training_rel = _relative(spec_dir / spec.data.training, out_dir)
    serving_rel = _relative(spec_dir / spec.data.serving, out_dir) if spec.data.serving else None
    model = model_plan(spec, columns, relative, spec_dir, training_rel)
    monitoring = monitoring_plan(spec)
    features = features_plan(spec, columns, relative, spec_dir, training_rel, serving_rel)
    predictions = predictions_plan(spec, columns, relative, spec_dir)
    return Plan(
        name=spec.name,
        description=spec.description,
        spec_file=str(raw.path),
        spec_sha256=raw.sha256,
        out_dir=out_dir,
        spec_rel=_relative(raw.path, out_dir),
        training_rel=training_rel,
        serving_rel=serving_rel,
        label=spec.data.label,
        key=tuple(spec.data.key),
        seed=spec.seeds.global_,
        columns=columns,
        dataset_checks=dataset,
        negatives=negatives,
        module=f"{spec.name}_schema",
        test_module=f"test_{spec.name}_data",
        needs_datetime=any(c.kind == "datetime" and _has_range(c) for c in columns),
        extra_columns=spec.dataset.extra_columns,
        model=model,
        monitoring=monitoring,
        features=features,
        predictions=predictions,
        seed_ideas=seed_ideas(spec, model, features, predictions, monitoring),
        inference_mode=spec.inference.mode,
    )


def _has_range(column: ColumnPlan) -> bool:
    return any(ch.kind == "range" for ch in column.checks)


def _relative(target: Path, out_dir: Path) -> str:
    rel = os.path.relpath(os.path.abspath(target), os.path.abspath(out_dir))
    return str(PurePosixPath(*Path(rel).parts))


def _column_plans(spec: Spec) -> tuple[ColumnPlan, ...]:
    declared = dict(spec.features)
    declared.update(spec.columns)
    roles = {name: "feature" for name in spec.features} | {name: "column" for name in spec.columns}
    implicit = [k for k in spec.data.key if k not in declared]
    if spec.data.label and spec.data.label not in declared:
        implicit.append(spec.data.label)
    for name in spec.data.key:
        roles[name] = "key"
    if spec.data.label:
        roles[spec.data.label] = "label"
    names = list(declared) + implicit
    attrs = unique_identifiers(names)
    out = []
    for name in names:
        role = roles[name]
        feature = declared.get(name)
        envs = ("training",) if role == "label" else _environments(feature)
        if feature is None:
            checks = [Check("present", name, {}, envs), Check("not_null", name, {}, envs)]
            out.append(ColumnPlan(name, attrs[name], "any", "any", role, envs, False, tuple(checks),
                                  (("nullable", False),), ()))
            continue
        checks = column_checks(name, feature, envs)
        field_args, methods = _pandera_args(attrs[name], feature, checks)
        out.append(ColumnPlan(name, attrs[name], feature.dtype, dtype_kind(feature), role, envs,
                              feature.allows_nulls, tuple(checks), field_args, methods))
    return tuple(out)


def _environments(feature) -> tuple[str, ...]:
    envs = feature.environments if feature is not None else ["training", "serving"]
    return tuple(e for e in ("training", "serving") if e in envs)


def column_checks(name: str, f, envs: tuple[str, ...]) -> list[Check]:
    """The checks one declared column gets, in a fixed order."""
    def check(kind, **params):
        return Check(kind, name, params, envs)

    out = [check("present"), check("dtype", dtype=dtype_kind(f))]
    if not f.allows_nulls:
        out.append(check("not_null"))
    elif f.max_null_fraction is not None and f.max_null_fraction < 1:
        out.append(check("null_fraction", max=f.max_null_fraction))
    rng = getattr(f, "range", None)
    if rng is not None and (rng[0] is not None or rng[1] is not None):
        lo, hi = rng
        if isinstance(f, NumericFeature) and f.dtype == "int":
            lo, hi = (_int_if_whole(lo), _int_if_whole(hi))
        out.append(check("range", min=lo, max=hi))
    if isinstance(f, CategoricalFeature):
        out.append(check("values", values=list(f.values)))
    if getattr(f, "unique", False):
        out.append(check("unique"))
    if isinstance(f, StringFeature):
        if f.pattern is not None:
            out.append(check("pattern", pattern=f.pattern))
        if f.length is not None and (f.length[0] is not None or f.length[1] is not None):
            out.append(check("length", min=f.length[0], max=f.length[1]))
    dist = getattr(f, "distribution", None)
    if isinstance(f, NumericFeature) and dist is not None:
        for kind in ("mean", "std"):
            bounds = getattr(dist, kind)
            if bounds is not None and (bounds[0] is not None or bounds[1] is not None):
                out.append(check(kind, min=bounds[0], max=bounds[1]))
        if dist.quantiles:
            out.append(check("quantiles", quantiles=[(q, lo, hi) for q, (lo, hi) in sorted(dist.quantiles.items())]))
    if isinstance(f, CategoricalFeature) and dist is not None:
        out.append(check("shares", shares=dict(dist.shares), tolerance=dist.tolerance))
    return out


def _int_if_whole(value):
    return int(value) if value is not None and float(value).is_integer() else value


def _pandera_args(attr: str, f, checks: list[Check]) -> tuple[tuple, tuple]:
    """pandera ``Field`` kwargs and ``@pa.check`` methods that implement ``checks``."""
    args: list[tuple[str, Any]] = [("nullable", f.allows_nulls)]
    methods: list[Method] = []

    def method(check: Check, function: str, *call_args):
        methods.append(Method(f"_{attr}__{check.kind}", check.kind, function, call_args))

    for check in checks:
        p = check.params
        if check.kind == "dtype":
            method(check, "dtype_kind", p["dtype"])
        elif check.kind == "range":
            if p["min"] is not None:
                args.append(("ge", p["min"]))
            if p["max"] is not None:
                args.append(("le", p["max"]))
        elif check.kind == "values":
            args.append(("isin", p["values"]))
        elif check.kind == "unique":
            args.append(("unique", True))
        elif check.kind == "pattern":
            args.append(("str_matches", f"(?:{p['pattern']})\\Z"))
        elif check.kind == "length":
            args.append(("str_length", {"min_value": p["min"], "max_value": p["max"]}))
        elif check.kind == "null_fraction":
            method(check, "max_null_fraction", p["max"])
        elif check.kind in ("mean", "std"):
            method(check, f"{check.kind}_between", p["min"], p["max"])
        elif check.kind == "quantiles":
            method(check, "quantiles_between", p["quantiles"])
        elif check.kind == "shares":
            method(check, "shares_within", p["shares"], p["tolerance"])
    return tuple(args), tuple(methods)


def _dataset_checks(spec: Spec, columns: tuple[ColumnPlan, ...]) -> tuple[Check, ...]:
    out = []
    rows = spec.dataset.rows
    if rows is not None and (rows[0] is not None or rows[1] is not None):
        out.append(Check("rows", None, {"min": rows[0], "max": rows[1]}))
    if spec.data.key and spec.dataset.key_unique:
        out.append(Check("key_unique", None, {"columns": list(spec.data.key)}))
    if spec.dataset.extra_columns == "error":
        for env in ("training", "serving"):
            names = [c.name for c in columns if env in c.environments]
            out.append(Check("extra_columns", None, {"columns": names}, (env,)))
    return tuple(out)
