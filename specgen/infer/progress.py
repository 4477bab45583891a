"""A progress bar for long reads, on a terminal only: stderr that is a TTY, outside CI.

Pipes, files and CI logs get nothing (``terminal_progress`` returns ``None``),
so the output a script or a test sees does not depend on where it runs.
"""
from __future__ import annotations

import os
import time
from typing import Mapping, TextIO

__all__ = ["Progress", "render", "terminal_progress", "SHOW_AFTER"]

SHOW_AFTER = 0.5  # seconds: a read that ends sooner draws nothing
REDRAW_EVERY = 0.1
WIDTH = 24


def _amount(value: int, unit: str) -> str:
    if unit == "bytes":
        for suffix, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
            if value >= scale:
                return f"{value / scale:.1f} {suffix}"
        return f"{value} B"
    return f"{value:,} {unit}"


def render(label: str, done: int, total: int, unit: str, elapsed: float, width: int = WIDTH) -> str:
    """One line: ``label [#####-----]  42%  4,200,000 / 10,000,000 rows  0:05``."""
    fraction = min(1.0, done / total) if total > 0 else 1.0
    filled = int(fraction * width)
    minutes, seconds = divmod(int(elapsed), 60)
    amount = f"{_amount(done, unit)} / {_amount(total, unit)}" if unit == "bytes" else \
        f"{done:,} / {_amount(total, unit)}"
    return f"{label} [{'#' * filled}{'-' * (width - filled)}] {fraction:4.0%}  {amount}  {minutes}:{seconds:02d}"


class Progress:
    """Redraws one stderr line in place, at most every ``REDRAW_EVERY`` s, once a stage has run ``SHOW_AFTER`` s."""

    def __init__(self, stream: TextIO, clock=time.monotonic):
        self.stream, self.clock = stream, clock
        self.label, self.total, self.unit = "", 0, "rows"
        self.started = self.drawn_at = 0.0
        self.shown = False

    def start(self, label: str, total: int, unit: str = "rows") -> None:
        self.finish()
        self.label, self.total, self.unit = label, total, unit
        self.started = self.clock()
        self.drawn_at = 0.0

    def update(self, done: int) -> None:
        now = self.clock()
        if now - self.started < SHOW_AFTER or now - self.drawn_at < REDRAW_EVERY:
            return
        self._draw(done, now)

    def finish(self) -> None:
        """Complete a drawn bar and end its line; a stage that never drew stays silent."""
        if self.shown:
            self._draw(self.total, self.clock())
            self.stream.write("\n")
            self.stream.flush()
        self.shown = False

    def _draw(self, done: int, now: float) -> None:
        line = render(self.label, done, self.total, self.unit, now - self.started)
        self.stream.write(f"\r{line}\x1b[K")  # erase what a longer previous line left behind
        self.stream.flush()
        self.drawn_at, self.shown = now, True


def _in_ci(env: Mapping[str, str]) -> bool:
    return env.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def terminal_progress(stream: TextIO, env: Mapping[str, str] | None = None) -> Progress | None:
    """A ``Progress`` on ``stream`` when it is an interactive terminal outside CI, else ``None`` (silent)."""
    env = os.environ if env is None else env
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()) or _in_ci(env) or env.get("TERM") == "dumb":
        return None
    return Progress(stream)
