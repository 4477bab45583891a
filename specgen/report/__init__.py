"""The visual report: one self-contained HTML page (plotly.js inline, no network) from the results of
``specgen validate``, ``specgen monitor`` and ``specgen live`` (and any other command that builds
``sections``).

Not part of ``specgen.runtime``: the runtime never imports this package. Other commands call
``render_report(title, sections, facts=...)`` with records from ``sections``, built by the helpers of
``collect`` (``failed_checks``, ``monitor_sections``, ``score_card``) or by hand.
"""
from __future__ import annotations

from . import batch
from .html import render_report
from .live import live_page
from .pages import combined_page, monitor_page, read_score, validation_page, write_page
from .sections import Distribution, Distributions, FailedChecks, Finding, ModelPanel, ScoreCard, Table

__all__ = ["batch", "render_report", "validation_page", "monitor_page", "combined_page", "live_page", "write_page",
           "read_score", "Finding", "FailedChecks", "Distribution", "Distributions", "Table", "ModelPanel", "ScoreCard"]
