"""Debian's chromium driven by playwright: how the browser tests and scripts/report-screenshots.py start it.

Playwright's own browser download needs the network; the system chromium (``apt-get install chromium``,
done by scripts/install-chromium.sh) is used instead, headless, offline and with a fresh profile.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CHROMIUM", "ARGS", "missing", "chromium", "wait_screen_drawn", "scroll_through"]

CHROMIUM = os.environ.get("SPECGEN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


#: true when every plot (``.plot``) that shows on the screen is drawn (plotly.js marks it ``.js-plotly-plot``)
SCREEN_DRAWN = """() => [...document.querySelectorAll('.plot')].every(p => {
    const r = p.getBoundingClientRect();
    return r.bottom <= 0 || r.top >= window.innerHeight || p.classList.contains('js-plotly-plot'); })"""


def missing() -> str | None:
    """Why the browser cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not installed (scripts/install-chromium.sh installs Debian's chromium; needs root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright python package is not installed (pip install -e '.[dev]')"
    return None


@contextmanager
def chromium():
    """A running chromium (a playwright ``BrowserContext`` with a fresh user-data-dir), closed on exit."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="specgen-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=ARGS, offline=True,
                viewport={"width": 1280, "height": 800})
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def wait_screen_drawn(page, timeout: float = 120_000) -> None:
    """Wait until the plots on the screen are drawn (those below it may not be: they are drawn as they scroll in)."""
    page.wait_for_function(SCREEN_DRAWN, timeout=timeout)


def scroll_through(page, timeout: float = 120_000) -> int:
    """Scroll a report from top to bottom a screen at a time as a reader would, waiting on each screen
    for its plots; then wait for ``body[data-plots=done]`` (every plot drawn) and scroll back to the top.
    Returns the number of screens."""
    page.evaluate("window.scrollTo(0, 0)")
    screens = 1
    while True:
        wait_screen_drawn(page, timeout)
        if page.evaluate("window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1"):
            break
        page.evaluate("window.scrollBy(0, window.innerHeight)")
        screens += 1
    page.wait_for_selector("body[data-plots=done]", state="attached", timeout=timeout)
    page.evaluate("window.scrollTo(0, 0)")
    return screens
