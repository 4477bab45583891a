"""The library surface: one function per CLI command, usable without the CLI."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .compiler.load import RawSpec, load
from .compiler.plan import Plan, plan
from .compiler.render import render
from .compiler.spec import Spec
from .compiler.validate import validate
from .compiler.write import WriteReport, write
from .errors import SpecgenError

__all__ = ["load_spec", "build_plan", "compile_spec", "validate_data", "ValidationResult", "default_out_dir",
           "infer_spec", "monitor", "parse_timestamp"]


def load_spec(path: str | Path) -> tuple[RawSpec, Spec]:
    raw = load(path)
    return raw, validate(raw)


def default_out_dir(spec_path: Path, spec: Spec) -> Path:
    """``<spec dir>/generated/<name>``: next to the spec, one folder per model."""
    return spec_path.parent / "generated" / spec.name


def build_plan(path: str | Path, out_dir: str | Path | None = None) -> Plan:
    raw, spec = load_spec(path)
    out = Path(out_dir) / spec.name if out_dir is not None else default_out_dir(raw.path, spec)
    return plan(spec, raw, out)


def compile_spec(path: str | Path, out_dir: str | Path | None = None, *, templates: str | Path | None = None,
                 check: bool = False, dry_run: bool = False, force: bool = False) -> WriteReport:
    """load -> validate -> plan -> render -> write. ``out_dir/<name>/`` receives the files."""
    the_plan = build_plan(path, out_dir)
    files = render(the_plan, templates, baseline=_baseline(the_plan))
    return write(files, the_plan.out_dir, check=check, dry_run=dry_run, force=force)


def _baseline(the_plan: Plan):
    """The baseline stage: the only compile step that reads data (training statistics for monitoring)."""
    if the_plan.monitoring is None:
        return None
    from .compiler.baseline import baseline

    return baseline(the_plan)


@dataclass
class ValidationResult:
    spec: str
    data: str
    environment: str
    rows: int
    checks: int
    failures: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        return {"spec": self.spec, "data": self.data, "environment": self.environment, "rows": self.rows,
                "checks": self.checks, "ok": self.ok, "failures": [f.as_dict() for f in self.failures]}


def validate_data(spec_path: str | Path, data_path: str | Path, environment: str = "training") -> ValidationResult:
    """Run the plan's checks on a data file with the polars engine (same checks as the schema)."""
    if environment not in ("training", "serving"):
        raise SpecgenError(f"unknown environment {environment!r}; use training or serving [SG104]", "SG104")
    from .runtime import engine, io  # polars only when validating

    the_plan = build_plan(spec_path)
    checks = the_plan.checks(environment)
    failures = io.checked_scan(data_path, the_plan.dtypes(),
                               lambda frame: engine.run_checks(frame, checks, environment))
    return ValidationResult(str(spec_path), str(data_path), environment, failures.rows, len(checks), list(failures))


def infer_spec(data: list[str], spec_path: str | Path, *, force: bool = False, **options) -> list[Path]:
    """Infer a spec from DATA and write it plus its ``.baseline.json`` sidecar (atomically).

    Refuses to replace an existing spec or baseline unless ``force``: a reviewed
    spec is worth more than a fresh draft. Returns the paths written.
    """
    from .compiler.write import _atomic_write
    from .errors import WriteError
    from .infer import baseline_path, infer  # polars only when inferring

    spec_path = Path(spec_path)
    targets = [spec_path, baseline_path(spec_path)]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise WriteError(f"{', '.join(existing)} already exists; pass --force to overwrite [SG302]", "SG302")
    result = infer(data, spec_path, **options)
    try:
        spec_path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(targets[1], result.baseline_text)
        _atomic_write(spec_path, result.spec_text)
    except OSError as exc:
        raise WriteError(f"{spec_path}: cannot write: {exc.strerror or exc} [SG302]", "SG302") from None
    return targets


def monitor(spec_path: str | Path, current: str | Path, *, reference: str | Path | None = None,
            serving_features: str | Path | None = None, model_trained_at: float | None = None,
            metrics_out: str | Path | None = None, config: str | Path | None = None,
            chunk_rows: int | None = None, now: float | None = None, progress=None,
            pushgateway: str | None = None, pushgateway_auth_file: str | Path | None = None):
    """Compare a serving batch with the compiled baseline; optionally write Prometheus metrics.

    Returns a ``runtime.monitor.MonitorReport`` (``ok`` is False when any alarm is raised).
    """
    from .runtime import exposition
    from .runtime import monitor as runtime_monitor

    the_plan = build_plan(spec_path)
    if the_plan.monitoring is None:
        raise SpecgenError(f"{spec_path}: the spec has no monitoring section; add `monitoring:` and run "
                           "specgen compile [SG305]", "SG305")
    config_path = Path(config) if config is not None else the_plan.out_dir / the_plan.monitoring.config_file
    settings = runtime_monitor.load_config(config_path)
    if settings.get("spec_sha256") != the_plan.spec_sha256:
        raise SpecgenError(f"{config_path}: monitoring config is stale (the spec changed); run: specgen compile "
                           f"{spec_path} [SG304]", "SG304")
    options = {} if chunk_rows is None else {"chunk_rows": chunk_rows}
    predictor = _predictor(the_plan)
    report = runtime_monitor.run(settings, current, checks=the_plan.checks("serving"), dtypes=the_plan.dtypes(),
                                 reference=reference, serving_features=serving_features,
                                 model_trained_at=model_trained_at, now=now, progress=progress,
                                 predictor=predictor, **options)
    if predictor is not None:
        _model_identity(report, predictor, the_plan)
    if metrics_out is not None:
        try:
            exposition.write_textfile(metrics_out, exposition.exposition(report))
        except OSError as exc:
            raise SpecgenError(f"{metrics_out}: cannot write metrics: {exc.strerror} [SG302]", "SG302") from None
    if pushgateway is not None:
        auth = exposition.read_auth_file(pushgateway_auth_file) if pushgateway_auth_file is not None else None
        exposition.push(pushgateway, f"specgen_{report.name}", exposition.exposition(report), auth=auth)
    return report


def _predictor(the_plan: Plan):
    """The serving model, loaded on first use (never when the batch carries its predictions)."""
    if the_plan.model is None:
        return None
    import os

    from .runtime.model_outputs import Predictor

    config = the_plan.model.config
    paths = [os.path.normpath(the_plan.out_dir / p) for p in config["paths"]]
    return Predictor(paths, config["entrypoints"], config["features"], config["task"])


def _model_identity(report, predictor, the_plan: Plan) -> None:
    """``model_info{model_version}`` and, unless given, the training time from the model's metadata."""
    import os

    from .runtime import model_outputs

    artifact = the_plan.model.config["artifact"]
    artifact = os.path.normpath(the_plan.out_dir / artifact) if artifact else None
    report.model_version = model_outputs.model_version(predictor.model, artifact)
    if report.model_trained_at is None:
        report.model_trained_at = model_outputs.trained_at(predictor.model, artifact)


CLOCK_SKEW = 300.0  # seconds a training time may lie in the future (clocks of two machines differ)
_MS_THRESHOLD = 1e11  # Unix seconds reach 1e11 in the year 5138; a larger number is milliseconds


def parse_timestamp(text: str, now: float | None = None) -> float:
    """Unix seconds from ``1700000000``, an ISO 8601 time (UTC if no zone), or a JSON metadata file
    with a ``trained_at`` key holding either. Milliseconds (a number above 1e11) are refused with the
    seconds they would mean; non-finite and future times (beyond ``CLOCK_SKEW``) are refused: each
    gave a negative or NaN model age that never alarms."""
    import datetime as dt
    import json
    import math
    import time

    value = text.strip()
    if Path(value).is_file():
        try:
            value = str(json.loads(Path(value).read_text(encoding="utf-8"))["trained_at"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SpecgenError(f"{text}: cannot read trained_at from model metadata: {exc} [SG104]", "SG104") from None
    try:
        seconds = float(value)
    except ValueError:
        seconds = None
    if seconds is None:
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise SpecgenError(f"{text!r} is not a Unix time, an ISO 8601 time or a metadata file [SG104]",
                               "SG104") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        seconds = moment.timestamp()
    if not math.isfinite(seconds):
        raise SpecgenError(f"model trained at {text!r}: not a finite time [SG104]", "SG104")
    if abs(seconds) >= _MS_THRESHOLD:
        raise SpecgenError(f"model trained at {text!r}: looks like milliseconds; give Unix seconds "
                           f"({seconds / 1000:.0f}) or an ISO 8601 time [SG104]", "SG104")
    now = time.time() if now is None else now
    if seconds > now + CLOCK_SKEW:
        when = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat()
        raise SpecgenError(f"model trained at {text!r} ({when}) is in the future; give the time "
                           "the serving model was trained [SG104]", "SG104")
    return seconds
