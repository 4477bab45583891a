"""Run in a FRESH Python process by the deployment tests: load an artifact, predict, report JSON.

Run as a script (``python [-I -S] perf_probe.py serve CONFIG.json``), so it imports
nothing but the standard library before it sets ``sys.path`` from the config:
in ``compat`` mode the process runs isolated (``-I -S``: no site-packages, no
PYTHONPATH, no user site) and sees only the serving distributions' files and
the model code, so an artifact needing anything else fails to load here as it
would in production. It measures peak RSS (``getrusage``) and the resident set
after each repeated batch (``/proc/self/statm``).

The last line printed is one JSON object: ``{"ok": true, ...}`` or
``{"ok": false, "error": "..."}``.
"""
import gc
import importlib
import json
import os
import pickle
import resource
import sys
import traceback


def rss_mb() -> float:
    """Resident set size now, MB (Linux /proc; elsewhere the peak, the best there is)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_mb()


def peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KB on Linux


def entry(text):
    if not text:
        return None
    module, _, attr = text.partition(":")
    return getattr(importlib.import_module(module), attr)


def predictor(config):
    with open(config["artifact"], "rb") as handle:
        raw = pickle.load(handle)
    adapter, predict = entry(config.get("adapter")), entry(config.get("predict"))
    impl = adapter(raw) if adapter is not None else raw
    if predict is not None:
        return lambda X: predict(raw, X)
    return impl.predict


def rows(config):
    import pandas as pd  # a serving dependency of every model that takes DataFrames

    frame = pd.DataFrame.from_records(config["rows"], columns=config["columns"])
    return frame


def serve(config) -> dict:
    """Load the artifact, predict the rows (right number of outputs), then ``batches`` more times with the
    resident set measured after each: peak RSS of load + predict and RSS growth (a leak)."""
    start = rss_mb()
    predict = predictor(config)
    X = rows(config)
    out = predict(X)
    if len(out) != len(X):
        return {"ok": False, "error": f"predict returned {len(out)} outputs for {len(X)} rows"}
    gc.collect()
    trace = []
    for _ in range(config.get("batches", 0)):
        predict(X)
        gc.collect()
        trace.append(round(rss_mb(), 3))
    warm = trace[min(1, len(trace) - 1)] if trace else 0.0  # after one more batch: caches filled once are no leak
    return {"ok": True, "rows": len(X), "start_mb": round(start, 3), "peak_mb": round(peak_mb(), 3),
            "growth_mb": round(trace[-1] - warm, 3) if trace else 0.0, "trace_mb": trace}


def main(argv) -> int:
    mode, path = argv[1], argv[2]  # one mode today; the argument keeps the command line self-describing
    with open(path) as handle:
        config = json.load(handle)
    for entry_path in reversed(config["sys_path"]):
        sys.path.insert(0, entry_path)
    try:
        result = {"serve": serve}[mode](config)
    except BaseException as exc:  # noqa: BLE001 -- everything the artifact does is reported, not raised
        last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        where = f" (at {os.path.basename(last[0].filename)}:{last[0].lineno})" if last else ""
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}{where}"}
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
