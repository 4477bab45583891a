"""`specgen live` on N logged predictions (default 10,000,000): wall time and peak memory.

The support_routing example's generator writes N predictions over --days days (a 10% canary from day 7,
worse on German tickets), ~85% of them labelled over the following days, as Parquet files, and with
--duckdb as tables of a DuckDB file. `specgen live` then runs in a child process (time and peak RSS
of that process): predictions are read one window at a time (the window pushed down into DuckDB; only
the columns the spec names), labels once (key, label, arrival time), the canary's accuracy test from
counts. The log is cached in benchmarks/data/.

With --source postgres the tables are loaded (COPY) into a throw-away PostgreSQL server started by
tests/postgres.py (initdb on a temporary directory, loopback port) and read through a server-side cursor.

Usage: python benchmarks/bench_live.py [--rows 10000000] [--days 30] [--source parquet|duckdb|postgres]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "support_routing"


def _generator():
    spec = importlib.util.spec_from_file_location("make_logs", EXAMPLE / "make_logs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ensure_logs(rows: int, days: int) -> Path:
    out = ROOT / "benchmarks" / "data" / f"live_{rows}_{days}"
    if not (out / "logs.duckdb").exists():
        t0 = time.perf_counter()
        make_logs = _generator()
        make_logs.write(make_logs.simulate(7, days, rows // days), out, duckdb_file=True)
        print(f"generated {rows:,} predictions in {time.perf_counter() - t0:.1f} s -> {out}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--source", choices=["parquet", "duckdb", "postgres"], default="parquet")
    args = parser.parse_args()
    logs = ensure_logs(args.rows, args.days)
    if args.source == "postgres":
        sys.path.insert(0, str(ROOT))
        from tests.postgres import postgres_server
        with postgres_server() as url:
            t0 = time.perf_counter()
            _load_postgres(url, logs)
            print(f"loaded the tables into PostgreSQL in {time.perf_counter() - t0:.1f} s")
            run_live(args, [url] * 3)
        return
    if args.source == "parquet":
        where = [str(logs / f"{n}.parquet") for n in ("predictions", "labels", "outcomes")]
    else:
        where = [f"duckdb://{logs / 'logs.duckdb'}"] * 3
    run_live(args, where)


def _load_postgres(url: str, logs: Path) -> None:
    import polars as pl
    from tests.postgres import load_frame
    for name in ("predictions", "labels", "outcomes"):
        load_frame(url, name, pl.read_parquet(logs / f"{name}.parquet"))


def run_live(args, where: list[str]) -> None:
    argv = [sys.executable, "-m", "specgen", "live", str(EXAMPLE / "spec.yaml"), "--predictions", where[0],
            "--labels", where[1], "--outcomes", where[2], "--format", "json"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # peak: the largest child, specgen live here
    peak_mb = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    if done.returncode not in (0, 1, 3):
        sys.exit(f"specgen live failed ({done.returncode}):\n{done.stderr}")
    report = json.loads(done.stdout)
    rows = report["join"]["prediction_rows"]
    print(f"specgen live, {rows:,} predictions over {args.days} days from {args.source}: {wall:.1f} s "
          f"({rows / wall / 1e6:.2f} M rows/s; CPU {cpu:.1f} s), peak RSS {peak_mb:.0f} MB; "
          f"verdict {report['canary']['verdict']}, {len(report['alarms'])} alarm(s), exit {done.returncode}")


if __name__ == "__main__":
    main()
