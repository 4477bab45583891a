"""What ``specgen live`` found: quality per window and slice, the join's surprises, the canary verdict,
real-world metrics, and the alarms (anything over a threshold of the spec)."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LiveReport", "Alarm"]


@dataclass(frozen=True)
class Alarm:
    window_start: str
    slice: str
    what: str  # metric name, bias, label_coverage, label_delay, outcome:<name>, canary
    value: float | None
    message: str

    def as_dict(self) -> dict:
        return dict(vars(self))


@dataclass
class LiveReport:
    name: str
    as_of: str
    window_seconds: int
    join: dict
    quality: list = field(default_factory=list)  # GroupQuality, windows in order, (all) first then slices
    outcomes: list = field(default_factory=list)
    canary: object | None = None
    alarms: list = field(default_factory=list)
    sample: dict | None = None

    @property
    def exit_code(self) -> int:
        """0 nothing alarming and (with a canary) promote; 1 an alarm or roll back; 3 hold (canary undecided)."""
        if self.alarms or (self.canary is not None and self.canary.verdict == "roll back"):
            return 1
        if self.canary is not None and self.canary.verdict == "hold":
            return 3
        return 0

    def as_dict(self) -> dict:
        return {"name": self.name, "as_of": self.as_of, "window_seconds": self.window_seconds,
                "join": self.join, "quality": [q.as_dict() for q in self.quality],
                "outcomes": [o.as_dict() for o in self.outcomes],
                "canary": self.canary.as_dict() if self.canary is not None else None,
                "alarms": [a.as_dict() for a in self.alarms], "sample": self.sample,
                "exit_code": self.exit_code}
