"""``specgen perf record``: measure the model's timed figures and write ``<name>_perf.json`` next to the spec.

The same measurements the generated ``test_<name>_infrastructure.py`` makes,
run with the gate's counts (``SPECGEN_PERF=gate``), so the recorded figures and
the gated ones are comparable; each is stored raw and as a multiple of the
calibration loop timed in this process (``runtime.perf_baseline``).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from ..errors import SpecgenError
from ..runtime import perf, perf_baseline
from .perf_plan import baseline_name
from .plan import Plan

__all__ = ["record", "baseline_path"]


def baseline_path(spec_path: str | Path, name: str) -> Path:
    return Path(spec_path).parent / baseline_name(name)


def record(the_plan: Plan, spec_path: str | Path) -> tuple[str, dict]:
    """(the JSON text, the raw figures); user-code failures become SG306, a spec without a
    ``performance:`` section SG310."""
    if the_plan.perf is None or the_plan.model is None:
        raise SpecgenError(f"{spec_path}: the spec has no performance section: nothing to record [SG310]", "SG310")
    with _gate_mode():
        session = perf.Session(the_plan.model.setup, the_plan.perf.setup, the_plan.out_dir / "record")
        try:
            calibration = session.calibration_s
            figures = perf.measure_all(session)
            memory = perf.memory_figures(session)
        except AssertionError as exc:
            raise SpecgenError(f"{spec_path}: cannot measure the model: {exc} [SG306]", "SG306") from None
        finally:
            session.close()
    settings = {"inference_mode": the_plan.perf.setup.inference_mode,
                "training_rows": len(session.harness.train_frame), "evaluation_rows": len(session.X)}
    settings["memory_mb"] = memory  # for the reader: memory is gated by absolute limits, not vs this file
    text = perf_baseline.baseline_text(the_plan.name, figures, calibration, settings, session.normalised,
                                       session.calibrations)
    return text, {**figures, **{f"memory_{k}": v for k, v in memory.items()}}


@contextmanager
def _gate_mode():
    previous = os.environ.get(perf.ENV_MODE)
    os.environ[perf.ENV_MODE] = "gate"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(perf.ENV_MODE, None)
        else:
            os.environ[perf.ENV_MODE] = previous
