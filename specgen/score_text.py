"""``specgen score``'s text output: the score, the section sums, then each rubric test and what covers it."""
from __future__ import annotations

__all__ = ["render_text"]


def render_text(card) -> str:
    lines = [f"ML Test Score for {card.name}: {card.score_text} ({card.band}; lowest section: {card.weakest})",
             "  " + "   ".join(f"{s.section} {s.points_text}/7" for s in card.sections)
             + "   (final score = the lowest section)"]
    for row in card.rows:
        lines.append(f"{row.id:<5} {row.status:<9} {row.points_text:>3}  {row.title}")
        lines.extend(f"{'':<20}{item.id}{item.note}" for item in row.covered_by)
        if row.evidence and not row.covered_by:
            lines.append(f"{'':<20}evidence: {' '.join(row.evidence.split())}")
    return "\n".join(lines)
