"""What a report page shows, as plain frozen records: the builders (``collect``) fill them from a
validate or monitor run, ``html.render_report`` draws them. Every text here is data (names from a
spec or a batch are untrusted): the page escapes all of it."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Finding", "FailedChecks", "Distribution", "Distributions", "Table", "ModelPanel", "ScoreCard"]


@dataclass(frozen=True)
class Finding:
    """One failed check or alarm: where it comes from (schema, drift, ...), what it is about, why."""

    source: str
    target: str
    what: str
    detail: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class FailedChecks:
    """The page's first section: every failure, worst kind first (``checked``: how many checks ran)."""

    findings: tuple[Finding, ...]
    checked: int
    title: str = "Failed checks"
    template = "failed.html.jinja"


@dataclass(frozen=True)
class Distribution:
    """One feature (or model output): reference vs current shares per bin or category, and its verdict.

    ``labels``: the bins (numeric: the baseline's edges, so the bars are the bins monitor counted) or
    categories; ``reference``/``current``: shares of rows in each (``current`` empty: not in the batch).
    """

    name: str
    kind: str
    labels: tuple[str, ...]
    reference: tuple[float, ...]
    current: tuple[float, ...]
    status: str  # alarm | ok | not judged
    measure: str = ""
    value: str = ""
    threshold: str = ""
    set_by: str = ""
    p_value: str = ""
    false_alarm_rate: str = ""
    nulls: str = ""
    note: str = ""
    plot_id: str = ""

    @property
    def alarm(self) -> bool:
        return self.status == "alarm"

    @property
    def status_class(self) -> str:
        return self.status.replace(" ", "-")


@dataclass(frozen=True)
class Distributions:
    title: str
    items: tuple[Distribution, ...]
    intro: str = ""
    template = "distributions.html.jinja"


@dataclass(frozen=True)
class Table:
    """A titled table of text cells (slice quality, skew, per-class bias); ``flagged``: rows to highlight."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    flagged: tuple[bool, ...] = ()
    intro: str = ""
    template = "table.html.jinja"

    def __post_init__(self) -> None:
        if not self.flagged:
            object.__setattr__(self, "flagged", tuple(False for _ in self.rows))


@dataclass(frozen=True)
class ModelPanel:
    """Model age against its limit, version and prediction health (``facts``: label -> text)."""

    facts: tuple[tuple[str, str], ...]
    age_days: float | None = None
    max_age_days: float | None = None
    plot_id: str = ""
    title: str = "Model"
    template = "model.html.jinja"

    @property
    def too_old(self) -> bool:
        return self.age_days is not None and self.max_age_days is not None and self.age_days > self.max_age_days


@dataclass(frozen=True)
class ScoreCard:
    """The ML Test Score (``specgen score``'s JSON): the score, per-section sums and each test's coverage."""

    score: str
    sections: tuple[tuple[str, str], ...]
    tests: tuple[tuple[str, str, str, str], ...] = field(default_factory=tuple)  # (id, title, status, evidence)
    title: str = "ML Test Score"
    template = "score.html.jinja"
