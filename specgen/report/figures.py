"""Plotly figures of the report, as JSON: drawn in the page by the plotly.js inlined once.

Texts reach plotly.js escaped as HTML: plotly renders a subset of HTML in labels (``<b>``,
``<a href>``, ``<br>``), so a category named ``<b>x</b>`` would otherwise be bold, not text.
plotly's JSON encoder writes ``<``, ``>`` and ``/`` as ``\\u`` escapes, so the JSON cannot end
the ``<script>`` element it sits in.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go
import plotly.io as pio

from .sections import Distribution, ModelPanel

__all__ = ["distribution_figure", "age_figure", "to_json", "CONFIG"]

#: plotly.js options for every plot: no logo link, no mode bar (the page works offline)
CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}
REFERENCE_COLOR = "#8c9fb3"
CURRENT_COLOR = "#1f5fa8"
ALARM_COLOR = "#c0392b"
_LAYOUT = dict(template="none", height=220, margin=dict(l=48, r=8, t=8, b=56), barmode="group",
               bargap=0.15, font=dict(family="system-ui, sans-serif", size=11),
               legend=dict(orientation="h", x=0, y=1.12), yaxis=dict(tickformat=".0%", gridcolor="#e5e8ec"),
               xaxis=dict(type="category", automargin=True))


def distribution_figure(d: Distribution) -> go.Figure:
    """Reference vs current shares, one bar pair per bin or category."""
    labels = [html.escape(x) for x in d.labels]
    traces = [go.Bar(x=labels, y=list(d.reference), name="reference", marker_color=REFERENCE_COLOR,
                     hovertemplate="%{x}: %{y:.1%}<extra>reference</extra>")]
    if d.current:
        traces.append(go.Bar(x=labels, y=list(d.current), name="current",
                             marker_color=ALARM_COLOR if d.alarm else CURRENT_COLOR,
                             hovertemplate="%{x}: %{y:.1%}<extra>current</extra>"))
    return go.Figure(traces, go.Layout(**_LAYOUT))


def age_figure(panel: ModelPanel) -> go.Figure:
    """One horizontal bar: the model's age in days, with its limit as a line."""
    color = ALARM_COLOR if panel.too_old else CURRENT_COLOR
    figure = go.Figure([go.Bar(x=[panel.age_days], y=["age"], orientation="h", marker_color=color,
                               hovertemplate="%{x:.2f} days<extra></extra>")],
                       go.Layout(**{**_LAYOUT, "height": 110, "barmode": None, "showlegend": False,
                                    "yaxis": dict(type="category"),
                                    "xaxis": dict(title=dict(text="days"), gridcolor="#e5e8ec", rangemode="tozero"),
                                    "margin": dict(l=40, r=16, t=8, b=40)}))
    if panel.max_age_days is not None:
        figure.add_vline(x=panel.max_age_days, line_color=ALARM_COLOR, line_dash="dash",
                         annotation_text="limit", annotation_position="top")
    return figure


def to_json(figure: go.Figure) -> str:
    """The figure's data and layout as compact JSON (deterministic: same figure, same text)."""
    plain = figure.to_plotly_json()
    return pio.to_json({"data": plain["data"], "layout": plain["layout"]},
                       validate=False, pretty=False, engine="json")
