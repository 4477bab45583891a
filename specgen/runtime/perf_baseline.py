"""The recorded performance baseline (``<name>_perf.json``) and the calibration loop that makes it portable.

Figures differ between a laptop and a CI runner, so every figure is also
stored as a ratio to a fixed calibration workload (pure Python plus a little
numpy) timed in the same process: a machine twice as slow takes twice as long
for both, and the ratio stays put. CPU-time figures (training) use the loop's
best CPU time; wall-clock figures (latency, QPS, batch) its median wall time
just before and just after the measurement, so a machine busy with other work
slows both alike. The regression gates
compare these ratios; the raw figures and the machine facts are kept so a
reader can see where the baseline was recorded.
"""
from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from .contracts.perf import PERF_FIGURES

__all__ = ["calibrate", "calibrate_wall", "machine_facts", "normalise", "read_baseline", "baseline_text", "FORMAT"]

FORMAT = 1
_LOOP = 200_000


def _workload() -> float:
    total = 0
    for i in range(_LOOP):  # interpreter speed: what single-row predicts mostly pay for
        total += (i * i) % 7
    a = np.arange(50_000, dtype=float)
    return total + float(np.sqrt(a * a + 1.0).sum())  # memory bandwidth and vector speed


def calibrate(repeats: int = 5) -> float:
    """CPU seconds of the calibration workload: the best of ``repeats`` runs (the least disturbed one)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()  # CPU time: a busy machine slows the wall clock, not the CPU's work
        _workload()
        best = min(best, time.process_time() - start)
    return best


def calibrate_wall(repeats: int = 5) -> float:
    """Wall-clock seconds of the calibration workload, the median of ``repeats`` runs: for wall-clock
    figures (latency, QPS, batch speed), which a busy machine slows as much as it slows this loop."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _workload()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def normalise(figure: str, value: float, calibration_s: float) -> float:
    """A figure in calibration units: times divided by the calibration time, rates multiplied by it."""
    if PERF_FIGURES[figure]:
        return value * calibration_s
    return value / 1000.0 / calibration_s  # latencies are in ms


def machine_facts() -> dict:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "numpy": np.__version__,
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def baseline_text(name: str, figures: dict, calibration_s: float, settings: dict, paired: dict | None = None,
                  calibrations: dict | None = None) -> str:
    """The committed JSON: figures raw and normalised (``paired``: normalised with calibration runs
    interleaved with the measurement), the calibration time, machine facts, the settings they were measured with. Sorted keys, rounded: a re-record on the same machine changes little."""
    body = {
        "format": FORMAT,
        "name": name,
        "calibration_ms": round(calibration_s * 1000.0, 4),
        "calibrations_ms": {k: round(v * 1000.0, 4) for k, v in sorted((calibrations or {}).items())},
        "figures": {k: _round(v) for k, v in sorted(figures.items())},
        "normalised": {k: _round((paired or {}).get(k) or normalise(k, v, calibration_s))
                       for k, v in sorted(figures.items())},
        "machine": machine_facts(),
        "settings": settings,
    }
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def _round(value: float) -> float:
    return float(f"{value:.6g}")


def read_baseline(path: Path) -> dict | None:
    """The recorded baseline, or None when there is none; a file that is not one raises ``AssertionError``."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise AssertionError(f"{path}: not a performance baseline ({exc}); re-record it with specgen perf record")
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("normalised"), dict):
        raise AssertionError(f"{path}: not a format-{FORMAT} performance baseline; re-record it with "
                             "specgen perf record")
    return body
