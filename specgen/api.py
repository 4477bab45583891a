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

__all__ = ["load_spec", "build_plan", "compile_spec", "validate_data", "ValidationResult", "default_out_dir"]


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
    files = render(the_plan, templates)
    return write(files, the_plan.out_dir, check=check, dry_run=dry_run, force=force)


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
    frame = io.read_polars(data_path, the_plan.dtypes())
    checks = the_plan.checks(environment)
    failures = engine.run_checks(frame, checks, environment)
    return ValidationResult(str(spec_path), str(data_path), environment, frame.height, len(checks), failures)
