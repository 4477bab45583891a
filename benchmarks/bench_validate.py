"""`specgen validate` vs one polars pass computing the same statistics (the floor).

Each measurement runs in a fresh process; "compute" excludes interpreter start-up
and imports. Prints the median of --repeat runs and the ratio to the floor.
Usage: python benchmarks/bench_validate.py [--rows 5000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import spec_text, table  # noqa: E402

FLOOR = r"""
import json, resource, sys, time
import polars as pl
path = sys.argv[1]
t0 = time.perf_counter()
df = pl.read_parquet(path)
t1 = time.perf_counter()
exprs = []
for c in df.columns:
    if c.startswith("c"):
        exprs.append(pl.col(c).drop_nulls().unique().implode().alias(c + "_set"))
    else:
        exprs += [pl.col(c).min().alias(c + "_min"), pl.col(c).max().alias(c + "_max"),
                  pl.col(c).null_count().alias(c + "_nulls")]
df.select(exprs)
t2 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "compute": t2 - t1,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

SPECGEN = r"""
import json, resource, sys, time
from specgen.api import build_plan
from specgen.runtime import engine, io
spec, path = sys.argv[1], sys.argv[2]
plan = build_plan(spec)
t0 = time.perf_counter()
df = io.read_polars(path, plan.dtypes())
t1 = time.perf_counter()
failures = engine.run_checks(df, plan.checks("training"), "training")
t2 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "compute": t2 - t1, "failures": len(failures),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

# What `specgen validate` does: scan the Parquet file and run the checks in one streaming pass.
STREAMING = r"""
import json, resource, sys, time
from specgen.api import build_plan
from specgen.runtime import engine, io
spec, path = sys.argv[1], sys.argv[2]
plan = build_plan(spec)
t0 = time.perf_counter()
failures = engine.run_checks(io.scan_polars(path, plan.dtypes()), plan.checks("training"), "training")
t1 = time.perf_counter()
print(json.dumps({"total": t1 - t0, "failures": len(failures),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def cli_wall(spec: Path, data: Path) -> float:
    import time
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "specgen", "validate", str(spec), str(data)], capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = table(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.yaml"
        spec.write_text(spec_text(data).replace(f"training: {data.name}", f"training: {data}"))
        floor = [measure(FLOOR, str(data)) for _ in range(args.repeat)]
        ours = [measure(SPECGEN, str(spec), str(data)) for _ in range(args.repeat)]
        streaming = [measure(STREAMING, str(spec), str(data)) for _ in range(args.repeat)]
        wall = [cli_wall(spec, data) for _ in range(args.repeat)]
    med = lambda runs, key: statistics.median(r[key] for r in runs)  # noqa: E731
    print(f"rows={args.rows:,} cols=20 repeat={args.repeat} (median; fresh process each)")
    print(f"floor  polars pass : read {med(floor, 'read'):.3f}s  compute {med(floor, 'compute'):.3f}s  "
          f"peak RSS {med(floor, 'rss_mb'):.0f} MB")
    print(f"specgen validate   : read {med(ours, 'read'):.3f}s  compute {med(ours, 'compute'):.3f}s  "
          f"peak RSS {med(ours, 'rss_mb'):.0f} MB  failures={ours[0]['failures']}")
    print(f"specgen validate, streaming scan (what the CLI runs): total {med(streaming, 'total'):.3f}s  "
          f"peak RSS {med(streaming, 'rss_mb'):.0f} MB")
    floor_total = med(floor, "read") + med(floor, "compute")
    print(f"ratio compute, same in-memory frame (specgen / floor): "
          f"{med(ours, 'compute') / med(floor, 'compute'):.2f}x  (target <= 1.5x)")
    print(f"ratio end to end, streaming validate vs floor read+compute: {med(streaming, 'total') / floor_total:.2f}x; "
          f"peak RSS {med(streaming, 'rss_mb') / med(floor, 'rss_mb'):.2f}x of the floor's")
    print(f"CLI wall clock (incl. start-up): {statistics.median(wall):.2f}s")


if __name__ == "__main__":
    main()
