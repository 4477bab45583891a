"""Reading a CSV with a datetime column: `specgen validate`, `baseline`, `monitor` and `infer` on one CSV of
--rows rows (a datetime column, three numeric columns and a 3-level category), each in a fresh process.

polars' ``try_parse_dates`` tries every date pattern on every text value it infers a type from (the
first 100,000 rows): ~7 s of a 7.5 s read of 200,000 rows. ``runtime.csv_schema`` decides per value
shape instead. Prints the median wall and CPU time (all threads; steadier on a shared machine) of each
call (imports excluded) and the datetime column's type as read. ``--pythonpath DIR`` runs another
checkout (the code before the change: ``git archive <commit> specgen | tar -x -C /tmp/old``) for a
before/after table.

Measured (1,000,000 rows, 67 MiB; a 2-core machine under a load average of ~13, so wall times are
inflated; CPU time is the steadier figure), before -> after, wall (CPU):
read 21.5 s (2.7) -> 6.8 s (1.0); validate 24.3 s (3.1) -> 12.2 s (1.5); baseline 29.5 s (3.6) ->
15.4 s (2.0); monitor 24.4 s (3.3) -> 12.4 s (1.6); infer 43.6 s (6.2) -> 31.3 s (4.0).

Usage: python benchmarks/bench_csv_dates.py [--rows 1000000] [--repeat 3] [--pythonpath DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

SPEC = """\
spec_version: 1
name: stamps
data: {training: train.csv}
features:
  ts: {dtype: datetime}
  a: {dtype: float}
  b: {dtype: int, range: [0, 99]}
  c: {dtype: float}
  cat: {dtype: category, values: [x, y, z]}
monitoring: {}
"""

RUN = r"""
import json, sys, time
from pathlib import Path
from specgen import api
from specgen.runtime import io
step, folder = sys.argv[1], Path(sys.argv[2])
spec, data = folder / "spec.yaml", folder / "train.csv"
t0, c0 = time.perf_counter(), time.process_time()
if step == "validate":
    result = api.validate_data(spec, data)
    shown = {"failures": len(result.failures)}
elif step == "baseline":
    shown = {"status": api.baseline_spec(spec)[1]}
elif step == "monitor":
    shown = {"ok": api.monitor(spec, data).ok}
elif step == "infer":
    api.infer_spec([str(data)], folder / "inferred" / "spec.yaml", force=True)
    import yaml
    shown = {"ts": yaml.safe_load((folder / "inferred" / "spec.yaml").read_text())["features"]["ts"]["dtype"]}
else:  # read: what validate and baseline read (runtime.io.read_polars)
    shown = {"ts": str(io.read_polars(data, {"ts": "datetime"}).schema["ts"])}
shown["seconds"], shown["cpu"] = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps(shown))
"""
STEPS = ("read", "validate", "baseline", "monitor", "infer")


def write_table(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    start = np.datetime64("2024-01-01T00:00:00", "us")
    pl.DataFrame({
        "ts": start + np.arange(rows).astype("timedelta64[s]") * 7,
        "a": rng.normal(size=rows), "b": rng.integers(0, 100, rows), "c": rng.normal(10, 2, rows),
        "cat": np.array(["x", "y", "z"])[rng.integers(0, 3, rows)],
    }).write_csv(path)


def measure(step: str, folder: Path, pythonpath: str) -> dict:
    env = dict(os.environ, PYTHONPATH=pythonpath)
    out = subprocess.run([sys.executable, "-c", RUN, step, str(folder)], capture_output=True, text=True, env=env,
                         cwd=folder)  # not the checkout: "-c" puts the working directory first on sys.path
    if out.returncode != 0:
        raise SystemExit(f"{step} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pythonpath", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        folder = Path(tmp_name)
        write_table(folder / "train.csv", args.rows)
        (folder / "spec.yaml").write_text(SPEC)
        size = (folder / "train.csv").stat().st_size / 2 ** 20
        print(f"rows={args.rows:,} ({size:.0f} MiB CSV) code={args.pythonpath} repeat={args.repeat} "
              "(median; fresh process each; 2-core machine)")
        for step in STEPS:
            runs = [measure(step, folder, args.pythonpath) for _ in range(args.repeat)]
            seconds = statistics.median(r.pop("seconds") for r in runs)
            cpu = statistics.median(r.pop("cpu") for r in runs)
            print(f"  {step:<9} {seconds:7.2f}s wall {cpu:7.2f}s cpu  {json.dumps(runs[0])}")


if __name__ == "__main__":
    main()
