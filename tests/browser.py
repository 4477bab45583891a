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

__all__ = ["CHROMIUM", "ARGS", "missing", "chromium"]

CHROMIUM = os.environ.get("SPECGEN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
