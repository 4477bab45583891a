"""The deployment tests' session: one candidate model, its measurements cached, user code contained.

``Session`` holds the model setup (``ModelSetup``) and the performance setup
(``PerfSetup``), trains the candidate once and caches every measurement, so a
figure gated against an absolute target and against the recorded baseline is
measured once. Every call into user code runs under ``usercode.call_user``
with the spec's timeout (a hanging predict fails its test, it does not hang the
suite) and with the native thread pools limited to one thread.

``SPECGEN_PERF=gate`` (``make test-perf``) runs the spec's counts and limits.
The default (``smoke``) runs a fifth of the calls and allows 5x the absolute
targets and 10x the allowed regression vs the recorded baseline, so the default
suite on a busy machine is not flaky but still catches an order-of-magnitude
slowdown; memory limits are
not timing-dependent and apply unchanged.
"""
from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from . import perf_baseline
from .adapter import ENV_OVERRIDES
from .contracts.model import ModelSetup
from .contracts.perf import PerfSetup
from .model import Harness
from .usercode import UserCodeError, call_user

__all__ = ["ENV_MODE", "Scale", "scale", "Session", "single_threaded", "SINGLE_THREAD_ENV", "limit_text"]

ENV_MODE = "SPECGEN_PERF"


@dataclass(frozen=True)
class Scale:
    """How the default suite relaxes the gate (``gate``: all 1.0)."""

    mode: str
    counts: float  # share of the spec's calls / duration run
    absolute: float  # factor on absolute time targets (and divisor on rate floors)
    ratio: float  # factor on the allowed regression vs the baseline

    def calls(self, n: int, least: int = 3) -> int:
        return max(least, int(round(n * self.counts)))


def scale() -> Scale:
    mode = os.environ.get(ENV_MODE, "smoke").strip().lower() or "smoke"
    if mode == "gate":
        return Scale("gate", 1.0, 1.0, 1.0)
    if mode != "smoke":
        raise AssertionError(f"{ENV_MODE}={mode!r}: use gate (the real limits) or smoke (the default)")
    # the recorded baseline comes from another moment (and maybe another machine): under the default
    # suite's load (two xdist workers on two cores) a wall-clock batch figure was seen 5.8x off its
    # calibration-scaled baseline with nothing wrong, so smoke keeps only order-of-magnitude regressions
    return Scale("smoke", 0.2, 5.0, 10.0)


class Session:
    def __init__(self, setup: ModelSetup, perf: PerfSetup, here: str | Path):
        self.setup, self.perf, self.here = setup, perf, Path(here)
        self.harness = Harness(setup, here)
        self.scale = scale()
        self.figures: dict[str, float] = {}
        self.normalised: dict[str, float] = {}  # figure -> in calibration units (see perf_baseline)
        self.calibrations: dict[str, float] = {}  # figure -> the calibration seconds it was divided by
        self.workdir = Path(tempfile.mkdtemp(prefix=f"specgen-perf-{setup.name}-"))

    def close(self) -> None:
        """Remove the session's scratch directory (artifacts, probe configs, the serving-site links)."""
        shutil.rmtree(self.workdir, ignore_errors=True)

    def user(self, fn, *args, what: str):
        """``fn(*args)`` under the spec's timeout, single-threaded; any failure of user code fails the test,
        named."""
        try:
            return call_user(single_threaded(fn), *args, what=what, timeout=self.perf.timeout_seconds)
        except UserCodeError as exc:
            raise AssertionError(exc.detail) from None

    @cached_property
    def calibration_s(self) -> float:
        return perf_baseline.calibrate()

    @cached_property
    def candidate(self):
        return self.user(lambda: self.harness.candidate, what="training the candidate (model.train)")

    @cached_property
    def X(self):
        return self.harness.features(self.harness.eval_frame)

    def batch_of(self, rows: int):
        """``rows`` evaluation rows (repeated when there are fewer)."""
        index = np.resize(np.arange(len(self.X)), rows)
        return self.X.iloc[index].reset_index(drop=True)

    @cached_property
    def baseline(self) -> dict | None:
        return perf_baseline.read_baseline(self.here.parent / self.perf.baseline_file)

    @cached_property
    def artifact(self) -> Path:
        """The candidate as the serving system receives it: a pickle of the trained model."""
        path = self.workdir / "artifact.pkl"
        try:
            path.write_bytes(pickle.dumps(self.candidate.raw))
        except Exception as exc:  # noqa: BLE001 -- whatever the model holds that pickle refuses
            raise AssertionError(f"the trained model cannot be pickled as an artifact: {type(exc).__name__}: "
                                 f"{exc}") from None
        return path

    def probe_config(self, artifact: Path, X, sys_path: list[str], **extra) -> dict:
        entry = {role: os.environ.get(ENV_OVERRIDES[role]) or self.setup.entrypoints.get(role)
                 for role in ("adapter", "predict")}
        return {"artifact": str(artifact), "columns": list(X.columns), "sys_path": sys_path,
                "rows": X.astype(object).where(X.notna(), None).to_numpy().tolist(), **entry, **extra}

    @property
    def code_paths(self) -> list[str]:
        return [str((self.here.parent / p).resolve()) for p in self.setup.paths]


#: BLAS / OpenMP pools of a fresh process run single-threaded too (see ``_single_threaded``)
SINGLE_THREAD_ENV = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                            "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")}


def single_threaded(fn):
    """``fn`` with the native thread pools (BLAS, OpenMP) limited to one thread while it runs, in the thread
    that runs it (OpenMP's limit is per thread): on a shared or busy machine their worker threads wait for
    cores and spin, which moved a 17 ms training run to 90 ms of CPU and 350 ms of wall time; one thread
    measures the same work the same way on any runner. Unlimited when threadpoolctl (a scikit-learn
    dependency) is not installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return fn

    def limited(*args, **kwargs):
        with threadpool_limits(limits=1):
            return fn(*args, **kwargs)

    return limited


def limit_text(spec_value: float, applied: float, sc: Scale, unit: str = "") -> str:
    if sc.mode == "gate":
        return f"{spec_value:g}{unit}"
    return f"{applied:g}{unit} (the spec's {spec_value:g}{unit} relaxed for the default suite; SPECGEN_PERF=gate " \
           f"applies it as written)"
