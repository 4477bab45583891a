"""How long reading ``data.training`` takes from a file and from a database (``{table:, url:}``), and what
it holds in memory: the read the generated suites and ``specgen baseline`` do (``io.read_polars``), plus
the baseline statistics on the rows read.

Each source runs in its own process (peak RSS is per process: ``ru_maxrss`` of the child). PostgreSQL is a
throw-away server started by tests/postgres.py (initdb on a temporary directory, loopback port), loaded by
COPY before the clock starts; rows come back through a server-side cursor, 200,000 at a time.

Usage: python benchmarks/bench_sql_training.py [--rows 1000000] [--source parquet,duckdb,postgres]
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FEATURES = [SimpleNamespace(name=f"x{i}", kind="numeric", bins=10) for i in range(8)] + \
    [SimpleNamespace(name="c", kind="categorical", bins=10)]


def make(rows: int):
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(7)
    columns = {f"x{i}": rng.normal(i, 1 + i, rows) for i in range(8)}
    columns["c"] = rng.choice(["a", "b", "c", "d"], rows)
    columns["id"] = np.arange(rows)
    return pl.DataFrame(columns)


def measure(where: str) -> dict:
    """In this process: read ``where`` (a Parquet path or a JSON SqlData) and compute the baseline."""
    from specgen.runtime import baseline, io
    from specgen.runtime.contracts.data import SqlData

    data = SqlData(**json.loads(where)) if where.startswith("{") else Path(where)
    start = time.perf_counter()
    cpu = time.process_time()
    frame = io.read_polars(data)
    read = time.perf_counter() - start
    baseline.compute_frame(frame, FEATURES, str(data))
    return {"read_s": read, "total_s": time.perf_counter() - start, "cpu_s": time.process_time() - cpu,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rows": frame.height}


def _child(where: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", where], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--source", default="parquet,duckdb,postgres")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    sources = args.source.split(",")
    frame = make(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        parquet = Path(tmp) / "train.parquet"
        frame.write_parquet(parquet)
        where = {"parquet": str(parquet)}
        if "duckdb" in sources:
            from tests.postgres import write_duckdb

            write_duckdb(Path(tmp) / "train.duckdb", "train", frame)
            where["duckdb"] = json.dumps({"url": f"duckdb://{Path(tmp) / 'train.duckdb'}", "table": "train"})
        for name in sources:
            if name == "postgres":
                continue
            _report(name, args.rows, _child(where[name]))
        if "postgres" in sources:
            from tests.postgres import load_frame, postgres_server

            with postgres_server() as url:
                load_frame(url, "train", frame)
                _report("postgres", args.rows, _child(json.dumps({"url": url, "table": "train"})))


def _report(name: str, rows: int, found: dict) -> None:
    print(f"{name:9s} {rows:>10,} rows: read {found['read_s']:6.2f} s, read+baseline {found['total_s']:6.2f} s "
          f"wall, {found['cpu_s']:6.2f} s CPU, peak {found['peak_mb']:7.0f} MB", flush=True)


if __name__ == "__main__":
    main()
