"""ML Test Score of a compiled spec: each rubric test automated, manual or missing, and the score.

The paper's scoring: half a point for a test done by hand with documented results, a full point
for a test run automatically (here: a generated pytest test, run by the user's CI, or an alert
rule, evaluated by Prometheus); each section sums to at most 7; the final score is the minimum of
the four section sums. Coverage comes from what the compiled spec generates (``Catalog``, read
from the rendered test modules and the planned alert rules), so a spec without a model section
scores lower than one with it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .rubric import RUBRIC, SECTIONS, Catalog

__all__ = ["Covering", "ScoreRow", "SectionScore", "ScoreCard", "catalog", "score_card", "band"]

AUTOMATED, MANUAL, MISSING = "automated", "manual", "missing"
_POINTS = {AUTOMATED: 1.0, MANUAL: 0.5, MISSING: 0.0}
#: (upper end of the band, what the paper calls it); above the last: exceptional
_BANDS = ((0.0, "research project, not a productionized system"), (1.0, "serious holes in reliability"),
          (2.0, "first pass at productionization"), (3.0, "reasonably tested"),
          (5.0, "strong levels of automated testing and monitoring"))


@dataclass(frozen=True)
class Covering:
    """One generated item covering a rubric test: a pytest node id, or an alert rule's name."""

    id: str
    kind: str  # test | alert
    cases: int  # parametrized cases of a test function (0: one test, or an alert)

    @property
    def note(self) -> str:
        """`` (alert)``, `` (12 cases)``, or nothing for one test."""
        return " (alert)" if self.kind == "alert" else f" ({self.cases} cases)" if self.cases > 1 else ""

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "cases": self.cases}


@dataclass(frozen=True)
class ScoreRow:
    id: str
    section: str
    title: str
    status: str  # automated | manual | missing
    points: float
    covered_by: tuple[Covering, ...]
    evidence: str | None  # from the spec's score.manual

    @property
    def points_text(self) -> str:
        return f"{self.points:g}"

    def as_dict(self) -> dict:
        return {"id": self.id, "section": self.section, "title": self.title, "status": self.status,
                "points": self.points, "covered_by": [c.as_dict() for c in self.covered_by], "evidence": self.evidence}


@dataclass(frozen=True)
class SectionScore:
    section: str
    points: float
    automated: int
    manual: int
    missing: int

    @property
    def points_text(self) -> str:
        return f"{self.points:g}"


@dataclass(frozen=True)
class ScoreCard:
    name: str
    rows: tuple[ScoreRow, ...]
    sections: tuple[SectionScore, ...]

    @property
    def score(self) -> float:
        return min(s.points for s in self.sections)

    @property
    def score_text(self) -> str:
        return f"{self.score:g}"

    @property
    def band(self) -> str:
        return band(self.score)

    @property
    def weakest(self) -> str:
        """The section(s) setting the score, e.g. ``Infrastructure`` or ``Data, Model``."""
        return ", ".join(s.section for s in self.sections if s.points == self.score)

    def as_dict(self) -> dict:
        return {"name": self.name, "score": self.score, "band": self.band, "weakest": self.weakest,
                "sections": {s.section: s.points for s in self.sections},
                "tests": [r.as_dict() for r in self.rows]}


def band(score: float) -> str:
    for upper, meaning in _BANDS:
        if score <= upper:
            return meaning
    return "exceptional levels of automated testing and monitoring"


def catalog(plan, files: dict[str, str]) -> Catalog:
    """The generated pytest node ids, each with its parametrized case lines (from the rendered ``test_*.py``
    files), and alert names (from the plan: monitor's rules and specgen live's)."""
    tests: dict[str, tuple[str, ...]] = {}
    for path in sorted(files):
        if path.startswith("test_") and path.endswith(".py"):
            for function, case_ids in _test_functions(files[path]):
                tests[f"{path}::{function}"] = case_ids
    rules = (plan.monitoring.rules if plan.monitoring is not None else ()) + \
        (plan.live_alerts.rules if plan.live_alerts is not None else ())
    return Catalog(plan.name, tests, tuple(dict.fromkeys(rule.alert for rule in rules)))


_DEF = re.compile(r"^(?:async )?def (test\w*)\(")
_CASE = "    pytest.param("


def _test_functions(source: str) -> list[tuple[str, tuple[str, ...]]]:
    """(test function, its parametrized case lines) in file order, as pytest collects them.

    A line scan, not ``ast``: a 1,000-feature data module is 1.4 MB, which ``ast.parse`` takes
    2 s over. It is exact for the generated modules: every top-level ``def test...`` starts a line,
    each case is one ``pytest.param(..., id=...)`` line above it, and no string literal in them
    spans lines (values come through the ``py`` filter, a ``repr``).
    """
    out, cases = [], []
    for line in source.splitlines():
        if line.startswith(_CASE):
            cases.append(line)
        elif match := _DEF.match(line):
            out.append((match.group(1), tuple(cases)))
            cases = []
    return out


def score_card(plan, files: dict[str, str]) -> ScoreCard:
    """Score the compiled spec: ``files`` are the rendered outputs (path -> text)."""
    found = catalog(plan, files)
    evidence = dict(plan.score_evidence)
    rows = tuple(_row(test, _coverings(found, test.covered_by(found)), evidence.get(test.id)) for test in RUBRIC)
    return ScoreCard(plan.name, rows, tuple(_section(name, rows) for name in SECTIONS))


def _coverings(found: Catalog, items: tuple[str, ...]) -> tuple[Covering, ...]:
    return tuple(Covering(item, "alert", 0) if item in found.alerts
                 else Covering(item, "test", len(found.tests.get(item, ()))) for item in items)


def _row(test, items: tuple[Covering, ...], evidence: str | None) -> ScoreRow:
    status = AUTOMATED if items else MANUAL if evidence else MISSING
    return ScoreRow(test.id, test.section, test.title, status, _POINTS[status], items, evidence)


def _section(name: str, rows: tuple[ScoreRow, ...]) -> SectionScore:
    mine = [r for r in rows if r.section == name]
    count = lambda status: sum(r.status == status for r in mine)  # noqa: E731
    return SectionScore(name, sum(r.points for r in mine), count(AUTOMATED), count(MANUAL), count(MISSING))
