"""The HTML report in a real browser: Debian's chromium driven by playwright (tests/browser.py), offline.

One chromium for the module; the pages are built once: the penguins example's clean and drifted batches,
a spec with hostile names, and a 200-feature report (its size budget is below). Skipped, with the reason,
only where chromium cannot be installed (scripts/install-chromium.sh, run by `make test`).
"""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

from tests import browser
from tests.helpers import copy_example, run_cli
from tests.report_cases import HOSTILE_CATEGORY_FEATURE, HOSTILE_FEATURE, HOSTILE_VALUES, drifted_penguins, \
    hostile_project, wide_project

VIEWPORT = {"width": 1280, "height": 800}
#: The 200-feature report's size budget: plotly.js inline (4.8 MB, once) plus at most 4 KB a feature
#: (measured: 5.1 MB in all; ~1.3 KB a feature: its card, its bars' JSON and its failed-check row).
PLOTLY_JS_BYTES = 4_900_000
BYTES_PER_FEATURE = 4_000
WIDE_FEATURES = 200
#: plots drawn around the screen of a wide page (the screen, one above, one below: 2,400 px at most): cards
#: ~290 px high, three to a row at 1280 px, so 9 rows touch it at most (27 measured; 200 when not lazy)
MAX_DRAWN_NEAR_SCREEN = 30
#: pixel variance (grey levels^2) of a screenshot that shows a drawn plot; a blank one is ~0
MIN_PLOT_VARIANCE = 50.0


@pytest.fixture(scope="module")
def pages(compiled_examples, tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("report-browser")
    folder = copy_example(compiled_examples, "penguins", tmp)
    drifted_penguins(folder / "data" / "serving.csv", folder / "data" / "drifted.csv")
    out = {}
    for name, data, code in (("clean", "serving.csv", 0), ("drifted", "drifted.csv", 1)):
        out[name] = tmp / f"{name}.html"
        run_cli("report", folder / "spec.yaml", "--current", folder / "data" / data, "-o", out[name], expect=code,
                in_process=True)
    out["validate"] = tmp / "validate.html"
    run_cli("validate", folder / "spec.yaml", folder / "data" / "drifted.csv", "--env", "serving", "--html",
            out["validate"], expect=1, in_process=True)
    for name, make, code in (("hostile", hostile_project, 1), ("wide", wide_project, 1)):
        spec, batch = make(tmp / name)
        run_cli("baseline", spec, expect=0, in_process=True)
        run_cli("compile", spec, expect=0, in_process=True)
        out[name] = tmp / f"{name}.html"
        run_cli("report", spec, "--current", batch, "-o", out[name], expect=code, in_process=True)
    return out


@pytest.fixture(scope="module")
def chromium():
    why = browser.missing()
    if why:
        pytest.skip(why)
    with browser.chromium() as context:
        yield context


class Opened:
    """A page loaded from a file, with everything that went wrong while it loaded and drew. Plots are drawn
    as they scroll into view: once loaded, those on the first screen are; ``draw_all`` scrolls through."""

    def __init__(self, context, path: Path, *, plots: bool = True):
        self.problems: list[str] = []
        self.page = page = context.new_page()
        page.set_viewport_size(VIEWPORT)
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:", "about:"))
                else self.problems.append(f"network request: {r.url}"))
        page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.goto(path.as_uri(), wait_until="load")
        self.all_drawn = not plots  # a page without plots (specgen live) has no drawing script to wait for
        if plots:
            page.wait_for_selector("body[data-plots]", state="attached", timeout=120_000)
            browser.wait_screen_drawn(page)
        self.drawn_at_load = self.drawn()

    def drawn(self) -> int:
        return self.page.evaluate("document.querySelectorAll('.plot.js-plotly-plot').length")

    def draw_all(self) -> "Opened":
        """Scroll through the page as a reader would (every plot is then drawn), then back to the top."""
        if not self.all_drawn:
            browser.scroll_through(self.page)
            self.all_drawn = True
        return self


@pytest.fixture(scope="module")
def opened(chromium, pages):
    """name -> its page, loaded once for the module (the 200-feature page takes seconds to draw)."""
    cache: dict[str, Opened] = {}

    def open_(name: str) -> Opened:
        if name not in cache:
            cache[name] = Opened(chromium, pages[name])
        return cache[name]
    yield open_
    for o in cache.values():
        o.page.close()


def _variance(context, png: bytes) -> float:
    """Variance of the grey level of a PNG's pixels, computed by the browser (a canvas), in a blank page."""
    page = context.new_page()
    try:
        return page.evaluate("""async (url) => {
            const img = new Image(); img.src = url; await img.decode();
            const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
            const g = c.getContext('2d'); g.drawImage(img, 0, 0);
            const d = g.getImageData(0, 0, c.width, c.height).data;
            let n = 0, s = 0, s2 = 0;
            for (let i = 0; i < d.length; i += 4) {
                const v = (d[i] + d[i + 1] + d[i + 2]) / 3; n++; s += v; s2 += v * v;
            }
            const m = s / n; return s2 / n - m * m; }""", "data:image/png;base64," + base64.b64encode(png).decode())
    finally:
        page.close()


@pytest.mark.parametrize("name", ["clean", "drifted", "validate", "hostile"])  # wide: below
def test_page_loads_offline_without_errors(opened, name):
    o = opened(name).draw_all()
    assert o.problems == []
    plots = o.page.evaluate("document.querySelectorAll('.plot').length")
    assert plots > 0 and o.drawn() == plots


@pytest.mark.parametrize("name", ["drifted", "validate", "wide"])
def test_failed_checks_are_visible_without_scrolling(opened, name):
    o = opened(name)
    assert o.page.evaluate("window.scrollY") == 0
    heading = o.page.locator("#failed-checks h2").bounding_box()
    first = o.page.locator("#failed-checks tbody tr").first.bounding_box()
    assert heading["y"] >= 0 and first["y"] + first["height"] <= VIEWPORT["height"], (heading, first)
    assert o.page.locator("#failed-checks tbody tr").first.is_visible()
    if name != "wide":  # all of them
        whole = o.page.locator("#failed-checks").bounding_box()
        assert whole["y"] + whole["height"] <= VIEWPORT["height"], whole


def test_plots_render(opened, chromium):
    """A screenshot of a plot is not blank; the same measure on an empty box of the same size is ~0."""
    o = opened("drifted").draw_all()
    plot = o.page.locator("#plot-1")
    plot.scroll_into_view_if_needed()
    assert _variance(chromium, plot.screenshot()) > MIN_PLOT_VARIANCE
    bars = o.page.evaluate("document.querySelectorAll('#plot-1 .bars .point path').length")
    assert bars >= 8  # reference and current bars of the worst feature
    o.page.evaluate("""() => { const d = document.getElementById('plot-1');
        const blank = document.createElement('div'); blank.id = 'blank';
        blank.style.cssText = `height:${d.offsetHeight}px;width:${d.offsetWidth}px;background:#fff`;
        d.parentNode.insertBefore(blank, d); }""")
    try:
        assert _variance(chromium, o.page.locator("#blank").screenshot()) < 1.0
    finally:
        o.page.evaluate("document.getElementById('blank').remove()")


def test_hostile_names_show_as_text(opened):
    o = opened("hostile").draw_all()
    assert o.problems == []  # no alert() dialog, no error
    names = o.page.locator("h3 .name").all_inner_texts()
    assert HOSTILE_FEATURE in names and HOSTILE_CATEGORY_FEATURE in names
    ticks = o.page.evaluate("[...document.querySelectorAll('.plot .xtick text')].map(t => t.textContent)")
    assert set(HOSTILE_VALUES) <= set(ticks)  # the categories' HTML is shown, not rendered
    assert o.page.evaluate("document.querySelectorAll('main img, main b:not(.measure b)').length") == 0
    assert o.page.locator("#failed-checks td.name").first.inner_text() == HOSTILE_FEATURE


def test_wide_report_stays_under_its_size_budget(pages):
    size = pages["wide"].stat().st_size
    budget = PLOTLY_JS_BYTES + BYTES_PER_FEATURE * WIDE_FEATURES
    assert size <= budget, f"{size:,} bytes > budget {budget:,}"


def test_wide_report_draws_plots_as_they_scroll_into_view(chromium, pages):
    """A fresh 200-feature page draws only the plots near the screen: none under its long failed-checks
    table at load, a few around plot-100 once it scrolls there; scrolling through draws all 200, offline
    and without errors (test_page_loads_offline_without_errors for this page)."""
    o = Opened(chromium, pages["wide"])
    try:
        assert o.drawn_at_load <= MAX_DRAWN_NEAR_SCREEN, o.drawn_at_load
        o.page.locator("#plot-100").scroll_into_view_if_needed()
        browser.wait_screen_drawn(o.page)
        assert o.page.evaluate("document.getElementById('plot-100').classList.contains('js-plotly-plot')")
        assert 0 < o.drawn() - o.drawn_at_load <= MAX_DRAWN_NEAR_SCREEN, o.drawn()
        assert o.draw_all().drawn() == WIDE_FEATURES == o.page.evaluate("document.querySelectorAll('.plot').length")
        assert o.page.evaluate("document.body.dataset.plots") == "done" and o.problems == []
    finally:
        o.page.close()


def test_live_page_loads_offline_without_errors(chromium, tmp_path):
    """``specgen live --html``: no plots, so no script at all; the canary's failing slice is shown first."""
    from tests.e2e.test_live import SPEC, make_logs

    make_logs.write(make_logs.simulate(7, 14, 3000), tmp_path)
    out = tmp_path / "live.html"
    run_cli("live", SPEC, "--predictions", tmp_path / "predictions.parquet", "--labels", tmp_path / "labels.parquet",
            "--html", out, expect=1, in_process=True)
    o = Opened(chromium, out, plots=False)
    try:
        assert o.problems == []
        assert o.page.locator(".verdict").inner_text() == "canary: ROLL BACK; 0 alarm(s)"
        worse = o.page.locator("section.table").first.locator("tr.bad td")
        assert worse.nth(0).inner_text() == "german" and worse.first.is_visible()
    finally:
        o.page.close()
