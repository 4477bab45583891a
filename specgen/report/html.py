"""One self-contained HTML page from report sections: plotly.js inlined once, every text escaped.

``render_report`` is the one entry point (``specgen report``, ``validate --html``,
``monitor --html``, and any other command that builds sections). Same sections, same bytes:
plot ids are numbered in page order, never random.
"""
from __future__ import annotations

import dataclasses
import json
import functools
import itertools
from importlib import resources

import jinja2
from markupsafe import Markup

from . import figures
from .sections import Distributions, FailedChecks, ModelPanel

__all__ = ["render_report"]


def render_report(title: str, sections, *, facts=(), ok: bool | None = None, verdict: str | None = None) -> str:
    """The page: ``title``, ``facts`` ((label, text) pairs under it), then ``sections`` in order
    (``sections.FailedChecks`` first when given). ``ok``: the verdict shown at the top (None: taken
    from the failed checks); ``verdict``: its text (None: "OK" or the count of failed checks). Every
    string is escaped as HTML text."""
    sections = _with_plot_ids(list(sections))
    plots = _plots(sections)
    ok = _verdict(sections) if ok is None else ok
    return _environment().get_template("page.html.jinja").render(
        title=title, facts=list(facts), sections=sections, verdict=verdict or ("OK" if ok else _failed_text(sections)),
        verdict_class="good" if ok else "bad", css=Markup(_asset("page.css")),
        plots=Markup(plots) if plots else "", plotlyjs=Markup(_plotlyjs()) if plots else "",
        draw_js=Markup(_asset("draw.js")))


def _with_plot_ids(sections: list) -> list:
    """Number every plot in page order (``plot-1``, ...), so the page is the same bytes every time."""
    counter = itertools.count(1)
    out = []
    for section in sections:
        if isinstance(section, Distributions):
            items = tuple(dataclasses.replace(d, plot_id=f"plot-{next(counter)}") if d.labels else d
                          for d in section.items)
            section = dataclasses.replace(section, items=items)
        elif isinstance(section, ModelPanel) and section.age_days is not None:
            section = dataclasses.replace(section, plot_id=f"plot-{next(counter)}")
        out.append(section)
    return out


def _plots(sections: list) -> str:
    """``{"config": ..., "plots": [[id, figure], ...]}`` as JSON safe inside a ``<script>`` element."""
    drawn: list[tuple[str, str]] = []
    for section in sections:
        if isinstance(section, Distributions):
            drawn += [(d.plot_id, figures.to_json(figures.distribution_figure(d))) for d in section.items if d.plot_id]
        elif isinstance(section, ModelPanel) and section.plot_id:
            drawn.append((section.plot_id, figures.to_json(figures.age_figure(section))))
    if not drawn:
        return ""
    config = json.dumps(figures.CONFIG, sort_keys=True)
    return '{"config":' + config + ',"plots":[' + ",".join(f'["{i}",{f}]' for i, f in drawn) + "]}"


def _verdict(sections: list) -> bool:
    failed = [s for s in sections if isinstance(s, FailedChecks)]
    alarms = [d for s in sections if isinstance(s, Distributions) for d in s.items if d.alarm]
    return not alarms and not any(s.findings for s in failed)


def _failed_text(sections: list) -> str:
    count = sum(len(s.findings) for s in sections if isinstance(s, FailedChecks))
    return f"{count} failed check(s)" if count else "failed"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("specgen.report", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


@functools.cache
def _asset(name: str) -> str:
    return resources.files("specgen.report").joinpath("templates", name).read_text(encoding="utf-8")


@functools.cache
def _plotlyjs() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
