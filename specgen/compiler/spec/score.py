"""``score:``: evidence for the ML Test Score tests a team does by hand (reviews, privacy controls, ...).

``specgen score`` counts a rubric test the spec's generated tests or alerts cover as automated
(one point); a test listed here with its evidence counts as done manually (half a point, as the
paper scores a test run by hand with documented results). Keys are rubric ids (D1..D7, M1..M7,
I1..I7, Mon1..Mon7), so a typo gets the unknown-key error with a did-you-mean.
"""
from __future__ import annotations

from typing import Annotated

from pydantic import Field, create_model

from ..rubric import RUBRIC
from .common import _Model

__all__ = ["ScoreSection", "ManualEvidence"]

Evidence = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]

ManualEvidence = create_model(
    "ManualEvidence",
    __base__=_Model,
    __doc__="Rubric test id -> where the documented result of doing it by hand is (a link, a doc, a ticket).",
    **{t.id: (Evidence | None, Field(None, description=f"{t.section}: {t.title}")) for t in RUBRIC},
)


class ScoreSection(_Model):
    manual: ManualEvidence = Field(  # type: ignore[valid-type]
        default_factory=ManualEvidence,
        description="Rubric tests done by hand, each with its evidence; half a point each in specgen score.")

    def evidence(self) -> dict[str, str]:
        """Rubric id -> evidence, for the tests given any."""
        return {k: v for k, v in self.manual.model_dump().items() if v is not None}
