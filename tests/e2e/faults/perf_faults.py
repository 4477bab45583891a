"""Deployment faults for the generated infrastructure suites, switched on through the environment.

Each is generic over the example: it wraps the example's own model module
(``penguins_model`` or ``diabetes_model``, found on the path next to this file).

* ``slow_tail_predict``: every 10th predict sleeps 0.3 s (the p99 of single-row latency breaks);
* ``leaky_predict``: every predict keeps 4 MB alive in a module-level list (a memory leak);
* ``train_twice``: training does the work twice (2x slower than the recorded baseline);
* ``pipeline_drops_column``: the example's pipeline, but the cleaning stage drops ``body_mass_g``.

The artifact that needs a package the serving environment lacks is in
``perf_artifact_faults.py`` (its import of ``yaml`` must not break the others).
"""
from __future__ import annotations

import importlib
import itertools
import time

_calls = itertools.count()
_kept: list[bytearray] = []


def _model_module():
    for name in ("penguins_model", "diabetes_model"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ImportError("no example model module on the path")


def slow_tail_predict(model, X):
    if next(_calls) % 10 == 9:
        time.sleep(0.3)
    return model.predict(X)


def leaky_predict(model, X):
    _kept.append(bytearray(4 * 2**20))  # zero pages are not resident: touch them
    _kept[-1][::4096] = b"x" * len(range(0, 4 * 2**20, 4096))
    return model.predict(X)


def train_twice(frame, seed):
    module = _model_module()
    module.train(frame, seed)
    return module.train(frame, seed)


def pipeline_drops_column(raw, work_dir, seed):
    import penguins_pipeline

    out = penguins_pipeline.run(raw, work_dir, seed)
    out["raw"] = out["raw"].drop(columns=["body_mass_g"])
    return out
