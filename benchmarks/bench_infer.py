"""Benchmark ``specgen infer``: peak memory flat in the row count, against one pandas pass.

    python benchmarks/bench_infer.py [--rows 1000000,10000000,30000000] [--pandas-max 10000000]

Generates (once, seeded) ``benchmarks/data/infer_<rows>.parquet``: 10 float
columns with ~5 % nulls, 5 int columns, 5 string categoricals. Each contender
runs in a fresh subprocess; wall time and that child's peak RSS (``os.wait4``)
are printed, with specgen's peak RSS relative to its smallest run (flat = x1.0)
and the ratios specgen / pandas where pandas ran (pandas only up to
``--pandas-max`` rows: it holds the whole table). Not part of the test suite.

Not quite like for like, on purpose: pandas loads the whole table and computes
exact distinct counts and quantiles; specgen reads chunks of ~1M cells, counts
categories exactly up to the threshold, distinct text values with a sketch
and takes quantiles from a systematic sample of <= 200,000 rows.
Timings are noisy on a shared machine; peak RSS is the figure this measures.
The first run after generating a file reads it cold: expect it to be slower.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUANTILES = [i / 10 for i in range(11)]


def generate(rows: int, path: Path, seed: int = 20240531) -> None:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    columns = {}
    for i in range(10):
        values = rng.normal(100 * (i + 1), 10 * (i + 1), rows)
        columns[f"f{i}"] = pl.Series(values).set(pl.Series(rng.random(rows) < 0.05), None)
    for i in range(5):
        columns[f"i{i}"] = pl.Series(rng.integers(0, 1000 * (i + 1), rows))
    for i in range(5):
        labels = np.array([f"cat_{i}_{k}" for k in range(3 + 3 * i)])
        columns[f"c{i}"] = pl.Series(labels[rng.integers(0, labels.size, rows)])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pl.DataFrame(columns).write_parquet(tmp, row_group_size=256_000)
    tmp.replace(path)


def run_specgen(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from specgen.infer import infer

    with tempfile.TemporaryDirectory() as out:
        infer([path], Path(out) / "bench.yaml")


def run_pandas(path: str) -> None:
    """The floor: load everything, then the same per-column statistics in one pass over the frame."""
    import pandas as pd

    frame = pd.read_parquet(path)
    for name in frame.columns:
        s = frame[name]
        nulls = int(s.isna().sum())
        if pd.api.types.is_numeric_dtype(s):
            s.min(), s.max(), s.mean(), s.std(), s.nunique(), nulls
            s.quantile(QUANTILES)
        else:
            counts = s.value_counts()
            s.str.len().agg(["min", "max"]), counts.size, nulls


def measure(kind: str, path: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one fresh child process."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, __file__, "--run", kind, str(path)])
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} run failed")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="1000000,10000000,30000000", help="comma-separated row counts")
    parser.add_argument("--pandas-max", type=int, default=10_000_000, help="largest table pandas loads")
    parser.add_argument("--run", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        {"specgen": run_specgen, "pandas": run_pandas}[args.run[0]](args.run[1])
        return
    results = {}
    for rows in sorted(int(r) for r in args.rows.split(",")):
        path = HERE / "data" / f"infer_{rows}.parquet"
        if not path.exists():
            start = time.perf_counter()
            generate(rows, path)
            print(f"generated {path.relative_to(ROOT)} in {time.perf_counter() - start:.1f}s "
                  f"({path.stat().st_size / 2**20:.0f} MiB)")
        kinds = ("specgen", "pandas") if rows <= args.pandas_max else ("specgen",)
        results[rows] = {kind: measure(kind, path) for kind in kinds}
    report(results)


def report(results: dict[int, dict[str, tuple[float, float]]]) -> None:
    floor = results[min(results)]["specgen"][1]
    print(f"{'rows x 20 columns':>18}{'specgen s':>11}{'MiB':>7}{'vs first':>10}"
          f"{'pandas s':>10}{'MiB':>7}{'time x':>8}{'RSS x':>7}")
    for rows, runs in results.items():
        ts, rs = runs["specgen"]
        line = f"{rows:>18,}{ts:>11.2f}{rs:>7.0f}{rs / floor:>9.2f}x"
        if "pandas" in runs:
            tp, rp = runs["pandas"]
            line += f"{tp:>10.2f}{rp:>7.0f}{ts / tp:>8.2f}{rs / rp:>7.2f}"
        print(line)


if __name__ == "__main__":
    main()
