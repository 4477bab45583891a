"""Benchmark ``specgen infer`` against one pandas pass computing the same statistics.

    python benchmarks/bench_infer.py [--rows 10000000]

Generates (once, seeded) ``benchmarks/data/infer_<rows>.parquet``: 10 float
columns with ~5 % nulls, 5 int columns, 5 string categoricals. Each contender
runs in a fresh subprocess; wall time and that child's peak RSS (``os.wait4``)
are printed with the ratio specgen / pandas. Not part of the test suite.

Not quite like for like, on purpose: pandas loads the whole table and computes
exact distinct counts and quantiles; specgen streams, counts distinct values
with HyperLogLog (exactly only near the category threshold and for key
candidates) and takes quantiles from a systematic sample of <= 200,000 rows.
The first run after generating the file reads it cold: expect it to be slower.
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
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--run", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        {"specgen": run_specgen, "pandas": run_pandas}[args.run[0]](args.run[1])
        return
    path = HERE / "data" / f"infer_{args.rows}.parquet"
    if not path.exists():
        start = time.perf_counter()
        generate(args.rows, path)
        print(f"generated {path.relative_to(ROOT)} in {time.perf_counter() - start:.1f}s "
              f"({path.stat().st_size / 2**20:.0f} MiB)")
    results = {kind: measure(kind, path) for kind in ("specgen", "pandas")}
    print(f"{args.rows:,} rows x 20 columns")
    print(f"{'':10}{'time s':>10}{'peak RSS MiB':>15}")
    for kind, (seconds, rss) in results.items():
        print(f"{kind:10}{seconds:10.2f}{rss:15.0f}")
    (ts, rs), (tp, rp) = results["specgen"], results["pandas"]
    print(f"specgen/pandas: time x{ts / tp:.2f}, peak RSS x{rs / rp:.2f}")


if __name__ == "__main__":
    main()
