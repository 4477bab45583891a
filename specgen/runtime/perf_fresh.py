"""Deployment tests in a FRESH process: peak RSS and a leak check, the serving environment, rollback.

``perf_probe.py`` runs in a subprocess with a timeout: in the serving
environment (``serving_env``: ``python -I -S``, only the serving distributions
and the model code) when the spec has ``compatibility:``, else with this
process's ``sys.path``. One probe run per artifact answers the memory tests
and the serving-environment test together.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from . import serving_env
from .perf_session import SINGLE_THREAD_ENV, Session

__all__ = ["memory_figures", "check_memory_peak", "check_memory_leak", "check_serving_env", "check_rollback"]


def _serve(s: Session, artifact: Path, batches: int) -> dict:
    """``perf_probe.py serve`` in a fresh process: in the serving environment when the spec describes one
    (``python -I -S``, only the serving distributions), else with this process's ``sys.path``."""
    key = ("serve", str(artifact), batches)
    if key not in s.__dict__:
        gate = s.perf.memory
        X = s.batch_of(gate.rows)
        isolated = s.perf.compatibility is not None
        sys_path = _serving_path(s) if isolated else s.code_paths + [p for p in sys.path if p]
        config = s.probe_config(artifact, X, sys_path, batches=batches)
        s.__dict__[key] = serving_env.run_probe("serve", config, s.workdir, isolated=isolated,
                                                timeout=s.perf.timeout_seconds,
                                                env={**os.environ, **SINGLE_THREAD_ENV})
    return s.__dict__[key]


def _memory(s: Session) -> dict:
    result = _serve(s, s.artifact, s.perf.memory.batches)
    if not result.get("ok"):
        raise AssertionError(f"loading the artifact and predicting in a fresh process failed{_where(s)}: "
                             f"{result.get('error')}")
    return result


def _where(s: Session) -> str:
    gate = s.perf.compatibility
    if gate is None:
        return ""
    return (f" (the serving environment: python -I -S with only {', '.join(gate.serving_packages)}, their "
            "requirements and the model code)")


def memory_figures(s: Session) -> dict[str, float]:
    """Peak RSS and growth over the repeated batches, MB (what ``specgen perf record`` reports)."""
    result = _memory(s)
    return {"peak_rss_mb": result["peak_mb"], "growth_mb": result["growth_mb"]}


def check_memory_peak(s: Session, max_mb: float) -> None:
    result = _memory(s)
    if result["peak_mb"] > max_mb:
        raise AssertionError(f"peak RSS {result['peak_mb']:.1f} MB loading the artifact and predicting "
                             f"{s.perf.memory.rows} rows in a fresh process is above the limit {max_mb:g} MB "
                             f"(interpreter and imports: {result['start_mb']:.1f} MB)")


def check_memory_leak(s: Session, max_growth_mb: float) -> None:
    result = _memory(s)
    if result["growth_mb"] > max_growth_mb:
        trace = ", ".join(f"{v:.1f}" for v in result["trace_mb"])
        raise AssertionError(f"memory leak: RSS grew {result['growth_mb']:.1f} MB over {s.perf.memory.batches} "
                             f"repeated batch predicts of the same {s.perf.memory.rows} rows (limit "
                             f"{max_growth_mb:g} MB); RSS after each batch: {trace} MB")


def _serving_path(s: Session) -> list[str]:
    if "serving_path" not in s.__dict__:
        gate = s.perf.compatibility
        dists, missing = serving_env.closure(gate.serving_packages)
        if missing:
            raise AssertionError(f"serving packages not installed here: {missing}")
        site = s.workdir / "serving-site"
        serving_env.link_distributions(dists, site)
        s.__dict__["serving_path"] = s.code_paths + [str(site)] + serving_env.stdlib_paths()
    return s.__dict__["serving_path"]


def check_serving_env(s: Session) -> None:
    result = _serve(s, s.artifact, s.perf.memory.batches)
    if not result.get("ok"):
        raise AssertionError(f"the candidate's artifact does not load and predict"
                             f"{_where(s)}: {result.get('error')}")


def check_rollback(s: Session) -> None:
    previous = (s.here.parent / s.perf.compatibility.previous_artifact).resolve()
    if not previous.is_file():
        raise AssertionError(f"the previous artifact {previous} is missing: rollback would have nothing to load")
    result = _serve(s, previous, 0)
    if not result.get("ok"):
        raise AssertionError(f"rollback: the previous artifact {previous.name} does not load and predict with the "
                             f"current serving code{_where(s)}: {result.get('error')}")
