"""The pages the CLI writes: ``validate --html``, ``monitor --html`` and ``specgen report`` (both runs,
one page), and the atomic write of a page."""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import SpecgenError
from . import collect
from .html import render_report
from .sections import Distributions

__all__ = ["validation_page", "monitor_page", "combined_page", "write_page", "read_score"]


def validation_page(result, distributions=None) -> str:
    """The page of one ``specgen validate`` run (``api.ValidationResult``), with the data's distributions
    (``batch.data_distributions``) when given."""
    failed = collect.failed_checks(collect.validation_findings(result), result.checks)
    sections = [failed] + ([distributions] if distributions is not None else [])
    return render_report(f"specgen validate: {Path(result.data).name}", sections, facts=_validation_facts(result),
                         ok=result.ok)


def monitor_page(report, current, *, score: dict | None = None) -> str:
    """The page of one ``specgen monitor`` run (``runtime.monitor.MonitorReport``)."""
    failed = collect.failed_checks(collect.monitor_findings(report), _monitor_checks(report))
    return render_report(f"specgen monitor: {report.name}", [failed, *collect.monitor_sections(report),
                                                              *_score(score)],
                         facts=_monitor_facts(report, current), ok=report.ok)


def combined_page(validation, report, current, *, score: dict | None = None, slices=None) -> str:
    """``specgen report``: validate's failed checks (all of the schema's, distribution checks included),
    then monitor's alarms and sections; ``report`` None: the spec has no monitoring section;
    ``slices``: the slice quality table (``batch.slice_quality``), its failures among the failed checks."""
    findings = collect.validation_findings(validation)
    checked = validation.checks
    sections = []
    if report is not None:
        findings += collect.monitor_findings(report, schema=False)
        checked += _monitor_checks(report) - report.checks
        sections = collect.monitor_sections(report)
    if slices is not None:
        findings += collect.slice_findings(slices)
        checked += len(slices.rows)
        sections.insert(len([s for s in sections if isinstance(s, Distributions)]), slices)
    ok = validation.ok and (report is None or report.ok) and not (slices is not None and any(slices.flagged))
    facts = _validation_facts(validation) + (_comparison_facts(report) if report is not None else [])
    name = report.name if report is not None else Path(validation.spec).stem
    return render_report(f"specgen report: {name}", [collect.failed_checks(findings, checked), *sections,
                                                       *_score(score)], facts=facts, ok=ok)


def _score(score: dict | None) -> list:
    card = collect.score_card(score)
    return [] if card is None else [card]


def _monitor_checks(report) -> int:
    """Schema checks plus one drift/skew/prediction-drift verdict per compared feature."""
    return report.checks + len(report.drift) + len(report.skew) + len(report.prediction_drift)


def _validation_facts(result) -> list[tuple[str, str]]:
    return [("spec", str(result.spec)), ("data", str(result.data)), ("rows", f"{result.rows:,}"),
            ("environment", result.environment), ("checks", str(result.checks))]


def _monitor_facts(report, current) -> list[tuple[str, str]]:
    return [("batch", str(current)), ("rows", f"{report.rows:,}"), *_comparison_facts(report)]


def _comparison_facts(report) -> list[tuple[str, str]]:
    used = [("monitoring config", report.config_used)] if report.config_used else []  # compiled or ad hoc
    return [*used, ("features compared", str(len(report.drift))),
            ("false-alarm rate per clean batch", "n/a" if report.alpha is None else f"≤ {report.alpha:g}")]


def read_score(path: str | Path) -> dict:
    """``specgen score --format json`` output saved to a file; ValueError says why it cannot be used."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"not a readable JSON file: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("a score file holds a JSON object")
    return data


def write_page(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (a reader never sees half a page)."""
    from ..compiler.write import _atomic_write

    path = Path(path)
    try:
        _atomic_write(path, text)
    except OSError as exc:
        raise SpecgenError(f"{path}: cannot write the report: {exc.strerror or exc} [SG302]", "SG302") from None
    return path
