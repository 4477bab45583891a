"""Compile time for a spec of N features (default 1000), beyond interpreter and import start-up.

Usage: python benchmarks/bench_compile.py [--features 1000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def spec_text(n: int) -> str:
    lines = ["spec_version: 1", "name: wide", "data: {training: train.parquet, label: y}", "features:"]
    kinds = [
        "{dtype: float, range: [0, 100], max_null_fraction: 0.01, distribution: {mean: [10, 90]}}",
        "{dtype: int, range: [0, 10]}",
        "{dtype: category, values: [a, b, c, d]}",
        "{dtype: string, pattern: '[a-z]+', length: [1, 20]}",
    ]
    lines += [f"  feature {i}: {kinds[i % 4]}" for i in range(n)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    t0 = time.perf_counter()
    from specgen.api import compile_spec  # noqa: F401  (imports counted separately)
    import_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.yaml"
        spec.write_text(spec_text(args.features))
        runs, sizes = [], 0
        for i in range(args.repeat):
            t0 = time.perf_counter()
            compile_spec(spec, Path(tmp) / f"out{i}")
            runs.append(time.perf_counter() - t0)
        sizes = sum(p.stat().st_size for p in (Path(tmp) / "out0" / "wide").iterdir())
    print(f"features={args.features} imports={import_s:.2f}s")
    print(f"compile (load+validate+plan+render+write): median {statistics.median(runs):.3f}s "
          f"min {min(runs):.3f}s over {args.repeat} runs; output {sizes / 1e6:.1f} MB  (target < 1 s)")


if __name__ == "__main__":
    main()
