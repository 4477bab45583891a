"""The library surface: one function per CLI command, usable without the CLI."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SpecgenError

if TYPE_CHECKING:  # the compiler (pydantic, jinja2) is imported by the commands that need it, never by monitor
    from .compiler.load import RawSpec
    from .compiler.plan import Plan
    from .compiler.spec import Spec
    from .compiler.write import WriteReport

__all__ = ["load_spec", "build_plan", "compile_spec", "baseline_spec", "validate_data", "ValidationResult",
           "default_out_dir", "infer_spec", "monitor", "publish_metrics", "parse_timestamp", "score_spec",
           "BASELINE_MISSING", "BASELINE_STALE"]

#: compile's status of a baseline that must be (re)written with ``specgen baseline``
BASELINE_MISSING = "no-baseline"
BASELINE_STALE = "old-baseline"


def load_spec(path: str | Path) -> tuple[RawSpec, Spec]:
    from .compiler.load import load
    from .compiler.validate import validate

    raw = load(path)
    return raw, validate(raw)


def default_out_dir(spec_path: Path, spec) -> Path:
    """``<spec dir>/generated/<name>``: next to the spec, one folder per model."""
    return spec_path.parent / "generated" / spec.name


def build_plan(path: str | Path, out_dir: str | Path | None = None) -> Plan:
    return _spec_and_plan(path, out_dir)[1]


def _spec_and_plan(path: str | Path, out_dir: str | Path | None = None) -> tuple[Spec, Plan]:
    from .compiler.plan import plan

    raw, spec = load_spec(path)
    out = Path(out_dir) / spec.name if out_dir is not None else default_out_dir(raw.path, spec)
    return spec, plan(spec, raw, out)


def compile_spec(path: str | Path, out_dir: str | Path | None = None, *, templates: str | Path | None = None,
                 check: bool = False, dry_run: bool = False, force: bool = False) -> WriteReport:
    """load -> validate -> plan -> render -> write. ``out_dir/<name>/`` receives the files.

    Pure: reads the spec and the committed ``<name>_baseline.json``, never the data or the
    model. A missing or stale baseline is reported as its own file status
    (``BASELINE_MISSING`` / ``BASELINE_STALE``) and the monitoring files are left as they are.
    """
    from .compiler.render import MONITORING_TEMPLATES, render
    from .compiler.write import write

    spec, the_plan = _spec_and_plan(path, out_dir)
    config, problem = _monitoring_config(path, spec, the_plan)
    files = render(the_plan, templates, monitoring=config)
    keep = {p.format(name=the_plan.name) for p in MONITORING_TEMPLATES} if problem is not None else set()
    report = write(files, the_plan.out_dir, check=check, dry_run=dry_run, force=force, keep=keep)
    if problem is not None:
        report.files.insert(0, problem)
    return report


def _monitoring_config(path, spec: Spec, the_plan: Plan):
    """(the monitoring contract, None), or (None, the baseline's ``FileStatus``) when the baseline
    needs ``specgen baseline``."""
    if the_plan.monitoring is None:
        return None, None
    from .compiler import baseline as baseline_mod
    from .compiler.monitoring import monitoring_config
    from .compiler.write import FileStatus

    where = baseline_mod.baseline_path(path, spec.name)
    stored = baseline_mod.read(where)
    state = baseline_mod.freshness(stored, spec, the_plan)
    if state == "current":
        return monitoring_config(the_plan, stored), None
    status = BASELINE_MISSING if state == "missing" else BASELINE_STALE
    why = ("the spec has monitoring but no committed baseline" if state == "missing"
           else "the spec's data, columns or monitored features changed since it was written")
    return None, FileStatus(where, status, f"{why}; run: specgen baseline {path}")


def baseline_spec(path: str | Path, *, check: bool = False) -> tuple[Path, str]:
    """Read the training data (and run the serving model where prediction baselines need it); write
    ``<name>_baseline.json`` next to the spec. Returns (path, status: create | update | identical, or
    unneeded for a spec without ``monitoring:``); ``check`` writes nothing (``missing`` / ``stale``
    when it would write)."""
    from .compiler import baseline as baseline_mod

    spec, the_plan = _spec_and_plan(path)
    if the_plan.monitoring is None:  # nothing reads training statistics: nothing to write
        return baseline_mod.baseline_path(path, spec.name), "unneeded"
    text = baseline_mod.to_text(baseline_mod.compute(spec, the_plan))
    return _write_baseline(baseline_mod.baseline_path(path, spec.name), text, check)


def _write_baseline(target: Path, text: str, check: bool) -> tuple[Path, str]:
    """Write ``text`` atomically unless identical (or ``check``); the status as ``baseline_spec`` returns it."""
    from .compiler.write import _atomic_write
    from .errors import WriteError

    try:
        old = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        old = None
    except (OSError, UnicodeDecodeError):
        old = ""  # there, but not a baseline we wrote: replaced
    if old == text:
        return target, "identical"
    if check:
        return target, "missing" if old is None else "stale"
    try:
        _atomic_write(target, text)
    except OSError as exc:
        raise WriteError(f"{target}: cannot write: {exc.strerror or exc} [SG302]", "SG302") from None
    return target, "create" if old is None else "update"


@dataclass
class ValidationResult:
    spec: str
    data: str
    environment: str
    rows: int
    checks: int
    failures: list = field(default_factory=list)
    engine: str = "polars"
    #: (check, why) the source could not express (a pushdown engine: e.g. row order in a SQL table)
    skipped: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        return {"spec": self.spec, "data": self.data, "environment": self.environment, "rows": self.rows,
                "checks": self.checks, "ok": self.ok, "failures": [f.as_dict() for f in self.failures],
                "engine": self.engine,
                "skipped": [{"target": c.target, "check": c.kind, "why": why} for c, why in self.skipped]}


def validate_data(spec_path: str | Path, data_path: str | Path | None, environment: str = "training", *,
                  engine: str | None = None, source: str | None = None, spark_master: str | None = None,
                  spark_conf: dict | None = None) -> ValidationResult:
    """Run the plan's checks on data (same checks as the schema): a data file with the polars engine
    (default), or pushed down to Spark (``engine="spark"``), DuckDB (``engine="duckdb"``) or a SQL
    database (``source``: a URL; ``data_path`` is then a table or a query). ``data_path`` None: the
    spec's own data for ``environment`` (a table or query in a database is pushed down to it)."""
    if environment not in ("training", "serving"):
        raise SpecgenError(f"unknown environment {environment!r}; use training or serving [SG104]", "SG104")
    from .runtime.pushdown.open import engine_name

    the_plan = build_plan(spec_path)
    own = None
    if data_path is None:
        from .own_data import own_data

        own = own_data(the_plan, environment)
        data_path, source = own.data, own.source or source
    chosen = engine_name(engine, source)
    checks = the_plan.checks(environment)
    if chosen != "polars":
        from .own_data import named

        result = named(own, lambda: _validate_pushdown(the_plan, checks, spec_path, data_path, environment, chosen,
                                                       source, spark_master, spark_conf))
        return result if own is None else replace(result, data=own.label)
    from .runtime import engine, io  # polars only when validating

    failures = io.checked_scan(data_path, the_plan.dtypes(),
                               lambda frame: engine.run_checks(frame, checks, environment))
    return ValidationResult(str(spec_path), str(data_path), environment, failures.rows, len(checks), list(failures))


def _validate_pushdown(the_plan, checks, spec_path, data, environment, engine, source, master, conf):
    from .runtime.pushdown import query
    from .runtime.pushdown.open import open_query

    q = open_query(engine, data, source=source, dtypes=the_plan.dtypes(), spark_master=master, spark_conf=conf)
    failures = query.run_checks(q, checks, environment)
    return ValidationResult(str(spec_path), str(data), environment, failures.rows, len(checks), list(failures),
                            engine=engine, skipped=failures.skipped)


def infer_spec(data: list[str], spec_path: str | Path, *, force: bool = False, **options) -> list[Path]:
    """Infer a spec from DATA and write it plus its ``<name>_baseline.json`` (atomically).

    The baseline is the file ``specgen baseline`` writes, for the draft with the default
    ``monitoring:`` settings (it stays current when the user adds ``monitoring: {}``).
    Refuses to replace an existing spec or baseline unless ``force``: a reviewed
    spec is worth more than a fresh draft. Returns the paths written.
    """
    from .compiler.write import _atomic_write
    from .errors import WriteError
    from .infer import baseline_path, infer  # polars only when inferring

    from .runtime.pushdown.open import engine_name

    spec_path = Path(spec_path)
    where = {"engine": engine_name(options.get("engine"), options.get("source")), "source": options.get("source")}
    query = _infer_query(data, options)
    result = infer(data, spec_path, query=query, **where, **options)
    targets = [spec_path, baseline_path(spec_path, result.name)]
    existing = [str(p) for p in targets if p.exists()]
    if existing and not force:
        raise WriteError(f"{', '.join(existing)} already exists; pass --force to overwrite [SG302]", "SG302")
    try:
        spec_path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(spec_path, result.spec_text)
    except OSError as exc:
        raise WriteError(f"{spec_path}: cannot write: {exc.strerror or exc} [SG302]", "SG302") from None
    _write_baseline(targets[1], _draft_baseline(spec_path, query), check=False)
    return targets


def _infer_query(data: list[str], options: dict):
    """The pushdown source ``infer`` scans (``engine``/``source`` options), or None: the polars scan."""
    from .runtime.pushdown.open import engine_name, open_query

    engine = engine_name(options.pop("engine", None), options.get("source"))
    source, master, conf = options.pop("source", None), options.pop("spark_master", None), options.pop("spark_conf", None)
    if engine == "polars":
        return None
    if len(data) != 1 or options.get("sample") is not None:
        raise SpecgenError(f"infer --engine {engine}: give one input (a path, glob, table or query) and no --sample "
                           "(the source draws its own bounded sample) [SG104]", "SG104")
    return open_query(engine, data[0], source=source, spark_master=master, spark_conf=conf)


def _draft_baseline(spec_path: Path, query=None) -> str:
    """The baseline of a drafted spec: for its own ``monitoring:`` section (which may disable a
    feature with nothing to bin), or the default settings when it has none."""
    from .compiler import baseline as baseline_mod
    from .compiler.load import load
    from .compiler.plan import plan
    from .compiler.spec import Monitoring
    from .compiler.validate import validate

    raw = load(spec_path)
    spec = validate(raw)
    if spec.monitoring is None:
        spec = spec.model_copy(update={"monitoring": Monitoring()})
    the_plan = plan(spec, raw, default_out_dir(spec_path, spec))
    return baseline_mod.to_text(baseline_mod.compute(spec, the_plan, query))


def monitor(spec_path: str | Path, current: str | Path, *, reference: str | Path | None = None,
            serving_features: str | Path | None = None, model_trained_at: float | None = None,
            metrics_out: str | Path | None = None, config: str | Path | None = None,
            chunk_rows: int | None = None, now: float | None = None, progress=None,
            pushgateway: str | None = None, pushgateway_auth_file: str | Path | None = None,
            engine: str | None = None, source: str | None = None, spark_master: str | None = None,
            spark_conf: dict | None = None, **push_options):
    """Compare a serving batch with the compiled baseline; optionally write Prometheus metrics.

    Runs from the compiled ``<name>_monitoring.yaml`` alone (no compiler, pydantic or
    jinja2): the spec is read only for its name and its hash, to find the config and to
    refuse one compiled from another version of the spec. With no compiled config (and no
    ``config``), ad hoc: the config is built in memory from the spec and ``reference``, else the
    spec's committed baseline (``monitor_adhoc``); ``report.config_used`` says which.
    Returns a ``runtime.monitor.MonitorReport`` (``ok`` is False when any alarm is raised).
    """
    from .runtime import monitor as runtime_monitor

    spec_path = Path(spec_path)
    name, sha256 = _spec_identity(spec_path)
    settings, folder, used, reference = _monitoring_settings(spec_path, name, sha256, config, reference)
    options = {} if chunk_rows is None else {"chunk_rows": chunk_rows}
    predictor = _predictor(settings.model, folder)
    from .runtime.pushdown.open import engine_name, open_query

    chosen = engine_name(engine, source)
    if chosen != "polars":
        options["source"] = lambda data: open_query(chosen, data, source=source, dtypes=settings.dtypes,
                                                    spark_master=spark_master, spark_conf=spark_conf)
    report = runtime_monitor.run(settings, current, reference=reference, serving_features=serving_features,
                                 model_trained_at=model_trained_at, now=now, progress=progress,
                                 predictor=predictor, **options)
    report.config_used = used
    if predictor is not None:
        _model_identity(report, predictor, settings.model, folder)
    publish_metrics(report, metrics_out=metrics_out, pushgateway=pushgateway,
                    pushgateway_auth_file=pushgateway_auth_file, **push_options)
    return report


def _monitoring_settings(spec_path: Path, name: str, sha256: str, config, reference):
    """(the monitoring contract, the folder its model paths are relative to, what it was built from, the
    reference the run still has to apply): ``config`` or the compiled config found for the spec
    (``monitor_config``), else built ad hoc (its references already those of ``reference``)."""
    from .monitor_config import compiled_config, default_config_path
    from .runtime import monitor as runtime_monitor

    config_path = Path(config) if config is not None else compiled_config(spec_path, name)
    if config_path is None:
        from .monitor_adhoc import build

        built = build(spec_path, reference, default_config_path(spec_path, name))
        return built.config, built.folder, built.used, None
    settings = runtime_monitor.load_config(config_path)
    if settings.spec_sha256 != sha256:
        raise SpecgenError(f"{config_path}: monitoring config is stale (the spec changed); run: specgen compile "
                           f"{spec_path} [SG304]", "SG304")
    used = f"compiled: {config_path}"
    if reference is not None:
        used += f", references from --reference {reference}"
    return settings, config_path.parent, used, reference


def publish_metrics(report, *, metrics_out: str | Path | None = None, pushgateway: str | None = None,
                    pushgateway_auth_file: str | Path | None = None, grouping=(), ca_file=None, cert_file=None,
                    key_file=None) -> None:
    """Write ``report``'s Prometheus metrics to ``metrics_out`` and/or push them (``grouping``:
    ``label=value`` pairs beside ``job``; ``ca_file``/``cert_file``/``key_file``: TLS). Both are tried;
    the first failure is raised after (SG302 write, SG307 push), so the CLI can print the report first."""
    from .runtime import exposition

    errors: list[SpecgenError] = []
    if metrics_out is not None:
        try:
            exposition.write_textfile(metrics_out, exposition.exposition(report))
        except OSError as exc:
            errors.append(SpecgenError(f"{metrics_out}: cannot write metrics: {exc.strerror or exc}"
                                       f"{_missing_folder(Path(metrics_out))} [SG302]", "SG302"))
    if pushgateway is not None:
        try:
            auth = exposition.read_auth_file(pushgateway_auth_file) if pushgateway_auth_file is not None else None
            tls = exposition.TLSOptions(*(str(f) if f is not None else None for f in (ca_file, cert_file, key_file)))
            exposition.push(pushgateway, f"specgen_{report.name}", exposition.exposition(report), auth=auth,
                            grouping=exposition.parse_grouping(grouping), tls=tls)
        except SpecgenError as exc:
            errors.append(exc)
    if len(errors) > 1:  # both failed: one error saying both (exit 2 either way)
        raise SpecgenError("\n".join(str(e) for e in errors), errors[0].code)
    if errors:
        raise errors[0]


def _missing_folder(path: Path) -> str:
    parent = path.parent
    return "" if parent.is_dir() else f" (the folder {parent} does not exist; create it first)"


def _spec_identity(spec_path: Path) -> tuple[str, str]:
    """(name, sha256 of the text) of a spec, without the spec model: the hash is the one compile
    puts in the config (``compiler.load``: UTF-8, a BOM dropped)."""
    import hashlib

    import yaml

    try:
        text = spec_path.read_bytes().decode("utf-8-sig")
        data = _yaml_data(text)
    except FileNotFoundError:
        raise SpecgenError(f"{spec_path}: spec file not found [SG001]", "SG001") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecgenError(f"{spec_path}: cannot read the spec: {exc} [SG001]", "SG001") from None
    except yaml.YAMLError:
        raise SpecgenError(f"{spec_path}: invalid YAML; run specgen compile {spec_path} for details [SG002]",
                           "SG002") from None
    name = data.get("name") if isinstance(data, dict) else None
    if not isinstance(name, str):
        raise SpecgenError(f"{spec_path}: not a spec (no name); run specgen compile {spec_path} [SG005]", "SG005")
    if data.get("monitoring") is None:
        raise SpecgenError(f"{spec_path}: the spec has no monitoring section; add `monitoring:` and run "
                           "specgen compile [SG305]", "SG305")
    return name, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _yaml_data(text: str):
    """The spec's data, read by libyaml when PyYAML has it (3x faster on a wide spec; R2); the
    pure-Python parser, which compile uses, decides when libyaml refuses the text."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return yaml.safe_load(text)


def _predictor(model, folder: Path):
    """The serving model, loaded on first use (never when the batch carries its predictions)."""
    if model is None:
        return None
    import os

    from .runtime.model_outputs import Predictor

    paths = [os.path.normpath(folder / p) for p in model.paths]
    return Predictor(paths, model.entrypoints, list(model.features), model.task)


def _model_identity(report, predictor, model, folder: Path) -> None:
    """``model_info{model_version}`` and, unless given, the training time from the model's metadata."""
    import os

    from .runtime import model_outputs

    artifact = os.path.normpath(folder / model.artifact) if model.artifact else None
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

    from .runtime.timezones import instant_seconds, parse_instant

    value = text.strip()
    if Path(value).is_file():
        try:
            value = str(json.loads(Path(value).read_text(encoding="utf-8"))["trained_at"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SpecgenError(f"{text}: cannot read trained_at from model metadata: {exc} [SG104]", "SG104") from None
    seconds = instant_seconds(value)  # a number is kept as given: milliseconds and NaN are named below
    if seconds is None:
        try:
            seconds = parse_instant(value).replace(tzinfo=dt.timezone.utc).timestamp()
        except ValueError:
            raise SpecgenError(f"{text!r} is not a Unix time, an ISO 8601 time or a metadata file [SG104]",
                               "SG104") from None
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


def score_spec(path: str | Path):
    """The ML Test Score card of a spec (``compiler.score.ScoreCard``): compiled in memory, nothing written.

    Reads only the spec, like ``compile --check``: coverage comes from the generated test modules
    and alert rules the spec compiles to, evidence for manual tests from its ``score.manual``.
    """
    from .compiler.render import render
    from .compiler.score import score_card

    _spec, the_plan = _spec_and_plan(path)
    return score_card(the_plan, render(the_plan))


def perf_record(path: str | Path) -> tuple[Path, str, dict]:
    """Measure the spec's timed performance figures; write ``<name>_perf.json`` next to the spec.
    Returns (path, status: create | update | identical, the raw figures)."""
    from .compiler import perf_record as record_mod

    spec, the_plan = _spec_and_plan(path)
    text, figures = record_mod.record(the_plan, path)
    target, status = _write_baseline(record_mod.baseline_path(path, spec.name), text, check=False)
    return target, status, figures
