"""Durations as the spec writes them (``30m``, ``12h``, ``7d``; Prometheus-style units), both ways.

One definition for the spec model (validation), the plan (``max_age``, windows, alert ``for``) and
the runtime and its reports (freshness checks, live windows), which may not import the compiler.
"""
from __future__ import annotations

import re

__all__ = ["parse_duration", "format_duration"]

_DURATION = re.compile(r"^(\d+)(s|m|h|d|w)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> int:
    """``'7d'`` -> 604800 seconds; ValueError for anything else."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30m, 12h or 7d")
    return int(match.group(1)) * _SECONDS[match.group(2)]


def format_duration(seconds: int) -> str:
    """604800 -> ``'1w'``: the largest unit that divides ``seconds`` exactly (the inverse of ``parse_duration``)."""
    for unit in ("w", "d", "h", "m"):
        if seconds % _SECONDS[unit] == 0:
            return f"{seconds // _SECONDS[unit]}{unit}"
    return f"{seconds}s"
