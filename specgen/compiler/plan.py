"""Plan stage: Spec -> plain, frozen render contexts with everything computed.

The templates only loop over what is here. The same ``Check`` objects feed the
generated pandera schema (via ``field_args``/``schema_config``) and the polars engine
behind ``specgen validate``, so both enforce one list of checks. Which checks a
column or the dataset gets, and their pandera form, is up to each check kind
(``specgen.runtime.checks.kinds``); this module only asks every kind in turn.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..runtime.checks import DATASET, Check
from ..runtime.checks.registry import column_kinds, dataset_kinds, get
from ..runtime.contracts.data import SqlData
from .data_plan import data_location
from .load import RawSpec
from .model_plan import ModelPlan, model_plan
from .live_alerts import LiveAlertsPlan, live_alerts_plan
from .monitoring import MonitoringPlan, monitoring_plan
from .naming import param_id, unique_identifiers
from .negatives import Negative, negatives_for
from .perf_plan import PerfPlan, perf_plan
from .transforms_plan import FeaturesPlan, PredictionsPlan, SeedIdea, features_plan, predictions_plan, seed_ideas
from .spec import Spec

__all__ = ["Plan", "ColumnPlan", "CheckTest", "plan", "column_checks"]


@dataclass(frozen=True)
class ColumnPlan:
    name: str
    attr: str
    dtype: str
    value_type: str  # what the dtype check demands: float, int, bool, datetime, string, category:str|int, any
    role: str  # feature | label | key | column
    environments: tuple[str, ...]
    nullable: bool
    checks: tuple[Check, ...]
    field_args: tuple[tuple[str, Any], ...]
    annotation: str  # the pandera column type in ``Series[...]`` (a fixed name from a check kind, never data)

    @property
    def needs_alias(self) -> bool:
        return self.attr != self.name

    @property
    def check_kinds(self) -> list[str]:
        return [c.kind for c in self.checks]


@dataclass(frozen=True)
class CheckTest:
    """One generated test that real data passes one check (``test_feature[column-range]``)."""

    id: str
    column: str | None  # the report target: the column, a relation, or None for the dataset
    kind: str
    expected: str


@dataclass(frozen=True)
class ColumnSource:
    """What a check kind builds a column's checks from (``Kind.build``)."""

    name: str
    feature: Any  # the spec entry; None for a key or label the spec does not declare
    value_type: str
    environments: tuple[str, ...]


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
    checks: tuple[tuple[str, Any], ...]  # registered dataframe checks (``Config`` entries): name, statistics

    @property
    def has_unique(self) -> bool:
        return bool(self.unique)


@dataclass(frozen=True)
class Plan:
    name: str
    description: str
    spec_sha256: str
    out_dir: Path
    spec_rel: str  # the spec, relative to the output directory (posix)
    training_rel: str | SqlData  # a path relative to the output directory, or a table/query in a database
    serving_rel: str | SqlData | None
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
    live_alerts: LiveAlertsPlan | None = None  # alert rules on specgen live's gauges (live section)
    seed_ideas: tuple[SeedIdea, ...] = ()  # README rows: what each training/inference/transform mode produced
    score_evidence: tuple[tuple[str, str], ...] = ()  # (rubric id, evidence) from ``score.manual``, spec order
    backends: tuple[str, ...] = ("pandas",)  # pandera schema modules to generate (pandas always)

    @property
    def backend_modules(self):
        """The polars/pyspark schema modules (``compiler.backends``)."""
        from .backends import backend_modules

        return backend_modules(self)
    perf: PerfPlan | None = None  # deployment tests (performance section)

    @property
    def has_seed_table(self) -> bool:
        """The seed-idea table is shown once a spec uses the sections that depend on the modes."""
        return self.features is not None or self.predictions is not None

    def columns_in(self, environment: str) -> tuple[ColumnPlan, ...]:
        return tuple(c for c in self.columns if environment in c.environments)

    def dataset_checks_by_kind(self, environment: str) -> dict[str, list[Check]]:
        """An environment's dataset checks grouped by kind, in plan order (``Kind.schema_config`` takes a group)."""
        out: dict[str, list[Check]] = {}
        for check in self.dataset_checks:
            if environment in check.environments:
                out.setdefault(check.kind, []).append(check)
        return out

    def checks(self, environment: str | None = None) -> list[Check]:
        """Every check in plan order (column checks, then dataset checks)."""
        out = [ch for col in self.columns for ch in col.checks] + list(self.dataset_checks)
        return [c for c in out if environment is None or environment in c.environments]

    @property
    def reads_database(self) -> bool:
        """The data tests read a table or query in a database (the conftest constructs ``SqlData``)."""
        return isinstance(self.training_rel, SqlData) or isinstance(self.serving_rel, SqlData)

    def dtypes(self) -> dict[str, str]:
        """column -> value type (how ``runtime.io`` reads each column)."""
        return {c.name: c.value_type for c in self.columns}

    def zones(self) -> dict[str, str]:
        """column -> its declared time zone (``io.read_pandas`` reads naive datetimes in it)."""
        return {c.name: z for c in self.columns for z in (_zone_of(c.checks),) if z is not None}

    def check_tests(self, environment: str, group: str) -> list[CheckTest]:
        """The generated tests of one group (feature, distribution, dataset) in one environment."""
        return [CheckTest(param_id(*get(c.kind).test_id(c)), report_target(c), c.kind, c.describe())
                for c in self.checks(environment) if get(c.kind).group == group]

    @property
    def schema_classes(self) -> tuple[SchemaConfig, ...]:
        """ServingSchema, then TrainingSchema: extending it when serving columns are a subset of training's."""
        serving, training = self.columns_in("serving"), self.columns_in("training")
        if {c.name for c in serving} <= {c.name for c in training}:
            # by name: `c not in serving` compares frozen dataclasses field by field, O(n^2) (R2)
            serving_names = {c.name for c in serving}
            added = tuple(c for c in training if c.name not in serving_names)
            return (self._schema_config("serving", "pa.DataFrameModel", serving),
                    self._schema_config("training", "ServingSchema", added))
        return (self._schema_config("serving", "pa.DataFrameModel", serving),
                self._schema_config("training", "pa.DataFrameModel", training))

    def _schema_config(self, environment: str, base: str, columns: tuple[ColumnPlan, ...]) -> SchemaConfig:
        names = {c.name for c in self.columns_in(environment)}
        # every entry in full: a subclass's Config entry replaces its base's entry of the same name
        config = dict(item for kind, checks in self.dataset_checks_by_kind(environment).items()
                      for item in get(kind).schema_config(checks, names))
        suffix = " (no label column)" if environment == "serving" and self.label else ""
        if base != "pa.DataFrameModel":
            suffix = f": {base} plus the columns only training data has"
        return SchemaConfig(
            class_name=f"{environment.capitalize()}Schema",
            env=environment,
            base=base,
            columns=columns,
            doc_suffix=suffix,
            strict=bool(config.get("strict", False)),
            unique=tuple(config.pop("unique", ())),
            checks=tuple((k, v) for k, v in config.items() if k != "strict"),
        )

    def test_prefix(self, environment: str) -> str:
        return "" if environment == "training" else f"{environment}_"

    @property
    def module_file(self) -> str:
        return f"{self.module}.py"

    @property
    def schema_needs_any(self) -> bool:
        """A column without a declared type (an undeclared key or label) is ``Series[Any]``."""
        return any(c.annotation == "Any" for c in self.columns)

    @property
    def schema_needs_pandas(self) -> bool:
        return any(c.annotation.startswith("pd.") for c in self.columns)

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
        return [(kind, n, get(kind).meaning) for kind, n in sorted(counts.items())]


def report_target(check: Check) -> str | None:
    """What generated tests pass as the column: the column, what a dataset check is about, or None."""
    target = check.target
    return None if target == DATASET else target


def plan(spec: Spec, raw: RawSpec, out_dir: Path) -> Plan:
    spec_dir = raw.path.parent
    columns = _column_plans(spec)
    dataset = _dataset_checks(spec, columns)
    negatives = tuple(n for col in columns for ch in col.checks for n in negatives_for(ch, col.value_type))
    negatives += tuple(n for ch in dataset for n in negatives_for(ch, None))
    relative = lambda p: _relative(p, out_dir)  # noqa: E731
    training_rel = data_location(spec.data.training, spec_dir, relative)
    serving_rel = data_location(spec.data.serving, spec_dir, relative)
    model = model_plan(spec, columns, relative, spec_dir, training_rel)
    monitoring = monitoring_plan(spec)
    features = features_plan(spec, columns, relative, spec_dir, training_rel, serving_rel)
    predictions = predictions_plan(spec, columns, relative, spec_dir)
    return Plan(
        name=spec.name,
        description=spec.description,
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
        needs_datetime=_needs_datetime(columns),
        extra_columns=spec.dataset.extra_columns,
        model=model,
        monitoring=monitoring,
        features=features,
        predictions=predictions,
        live_alerts=live_alerts_plan(spec),
        seed_ideas=seed_ideas(spec, model, features, predictions, monitoring),
        score_evidence=tuple(spec.score.evidence().items()),
        backends=tuple(spec.backends),
        perf=perf_plan(spec, relative, spec_dir),
    )


def _needs_datetime(columns: tuple[ColumnPlan, ...]) -> bool:
    """The schema prints a datetime literal (a datetime range bound): it must import datetime."""
    return any(isinstance(v, dt.datetime) for c in columns for _key, v in c.field_args)


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
        value_type = feature.value_type if feature is not None else "any"
        checks = column_checks(ColumnSource(name, feature, value_type, envs))
        nullable = feature.allows_nulls if feature is not None else False
        zone = _zone_of(checks)
        out.append(ColumnPlan(name, attrs[name], feature.dtype if feature is not None else "any", value_type, role,
                              envs, nullable, tuple(checks), _field_args(nullable, checks, zone),
                              _annotation(checks, zone)))
    return tuple(out)


def _environments(feature) -> tuple[str, ...]:
    envs = feature.environments if feature is not None else ["training", "serving"]
    return tuple(e for e in ("training", "serving") if e in envs)


def column_checks(source: ColumnSource) -> list[Check]:
    """The checks one column gets, in registry order."""
    return [check for kind in column_kinds() for check in kind.build(source)]


def _field_args(nullable: bool, checks: list[Check], zone: str | None) -> tuple[tuple[str, Any], ...]:
    """pandera ``Field`` kwargs that implement ``checks`` (built-in and registered checks) in the pandas
    schema, where a column with a declared ``zone`` is time-zone-aware."""
    return (("nullable", nullable),) + tuple(a for c in checks for a in get(c.kind).pandas_field_args(c, zone))


def _annotation(checks: list[Check], zone: str | None) -> str:
    """The column's ``Series[...]`` type, from the kind that declares one (``Any`` when none does)."""
    return next((a for c in checks if (a := get(c.kind).pandas_annotation(c, zone)) is not None), "Any")


def _zone_of(checks: list[Check]) -> str | None:
    """The column's declared time zone (its ``timezone`` check's), None when it declares none."""
    return next((z for c in checks if (z := get(c.kind).declared_zone(c)) is not None), None)


def _dataset_checks(spec: Spec, columns: tuple[ColumnPlan, ...]) -> tuple[Check, ...]:
    return tuple(check for kind in dataset_kinds() for check in kind.build_dataset(spec, columns))

