"""Scale-out: validate and monitor on many Parquet files, polars vs Spark local vs DuckDB pushdown.

The issue asks for 50M rows as 50 files (``--rows 50000000 --files 50``); the default is smaller so
it runs in minutes on a shared 2-core machine. Every measurement runs in a fresh process; the time is
wall clock of the whole command (imports, Spark's JVM start, the checks); peak memory is the largest
summed RSS of the process and all its children (the JVM included), sampled every 50 ms.

Modes:
  validate polars         streaming scan of the files (the engine behind ``specgen validate``)
  validate duckdb rows    DuckDB reads the files, every row fetched into polars, then the polars engine
  validate duckdb push    the checks pushed down: one aggregate query in DuckDB (``--engine duckdb``)
  validate spark          Spark aggregations merged on the driver (``--engine spark``, local[*])
  monitor  polars|duckdb|spark   ``specgen monitor`` on the same files (polars and DuckDB: the glob;
                          Spark: the folder)

Usage: python benchmarks/bench_scale.py [--rows 5000000] [--files 10] [--modes ...] [--spark-master local[*]]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _data import DATA, table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

VALIDATE = r"""
import json, sys
from specgen.api import build_plan
from specgen.runtime import engine
from specgen.runtime.pushdown import query
mode, spec, data, master = sys.argv[1:5]
plan = build_plan(spec)
checks = plan.checks("training")
if mode == "polars":
    import polars as pl
    result = engine.run_checks(pl.scan_parquet(data + "/*.parquet"), checks, "training")
elif mode == "duckdb-rows":
    import duckdb, polars as pl
    rows = duckdb.connect().execute("SELECT * FROM read_parquet(?)", [data + "/*.parquet"]).to_arrow_table()
    frame = pl.from_arrow(rows)
    result = engine.run_checks(frame, checks, "training")
else:
    from specgen.runtime.pushdown.open import open_query
    target = data + "/*.parquet" if mode == "duckdb" else data
    result = query.run_checks(open_query(mode, target, spark_master=master), checks, "training")
print(json.dumps({"rows": result.rows, "failures": sorted(f.check.key for f in result)}))
"""

MONITOR = r"""
import json, sys
from specgen.api import monitor
mode, spec, data, master = sys.argv[1:5]
target = data if mode == "spark" else data + "/*.parquet"
report = monitor(spec, target, now=0, engine=mode, spark_master=master)
print(json.dumps({"rows": report.rows, "drift": {r.name: r.value for r in report.drift}}))
"""


def write_files(rows: int, files: int) -> Path:
    """``files`` Parquet files of ``rows // files`` rows each (seeds 0..files-1)."""
    folder = DATA / f"scale_{rows}_{files}"
    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        part = table(rows // files, seed=i)
        os.replace(part, folder / f"part-{i:04d}.parquet")
    (folder / "done").touch()
    return folder


def prepare_spec(folder: Path, work: Path) -> Path:
    """A spec over the first file (its baseline), with monitoring, compiled."""
    sys.path.insert(0, str(Path(__file__).parent))
    from _data import spec_text

    train = work / "train.parquet"
    train.write_bytes((folder / "part-0000.parquet").read_bytes())
    spec = work / "spec.yaml"
    spec.write_text(spec_text(train) + "monitoring: {drift: {numeric: {metric: psi, threshold: 0.2}}}\n")
    for command in ("baseline", "compile"):
        subprocess.run([sys.executable, "-m", "specgen", command, str(spec)], check=True, env=_env(),
                       capture_output=True)
    return spec


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def measure(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh process: wall time, peak RSS of its process tree (MB), its JSON output."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=_env())
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.05)
    out, err = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}):\n{err[-3000:]}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak / 1024, 1), **json.loads(out.splitlines()[-1])}


def _tree_rss(pid: int) -> int:
    """Summed VmRSS (kB) of ``pid`` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--modes", nargs="+", default=["validate:polars", "validate:duckdb-rows", "validate:duckdb",
                                                      "validate:spark", "monitor:polars", "monitor:duckdb",
                                                      "monitor:spark"])
    parser.add_argument("--spark-master", default="local[*]")
    args = parser.parse_args()
    folder = write_files(args.rows, args.files)
    print(f"{args.rows:,} rows as {args.files} Parquet files ({folder}); {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        spec = prepare_spec(folder, Path(tmp))
        results = {}
        for mode in args.modes:
            command, engine = mode.split(":")
            code = VALIDATE if command == "validate" else MONITOR
            results[mode] = measure(code, engine, str(spec), str(folder), args.spark_master)
            r = results[mode]
            print(f"{command:8} {engine:12} {r['seconds']:8.1f} s  {r['peak_rss_mb']:8.0f} MB peak RSS  "
                  f"({r['rows']:,} rows)", flush=True)
    _agree(results)


def _agree(results: dict) -> None:
    """Every engine must report what the others report: the figures compare equal work."""
    validate = {m: r["failures"] for m, r in results.items() if m.startswith("validate")}
    monitor = {m: r["drift"] for m, r in results.items() if m.startswith("monitor")}
    if len({json.dumps(v) for v in validate.values()}) > 1:
        raise SystemExit(f"engines disagree on validate: {validate}")
    drift = list(monitor.values())
    for other in drift[1:]:
        for name, value in drift[0].items():
            if value is not None and abs(value - other[name]) > 1e-9:
                raise SystemExit(f"engines disagree on drift of {name}: {monitor}")
    print("all engines agree (validate failures; drift within 1e-9)")


if __name__ == "__main__":
    main()
