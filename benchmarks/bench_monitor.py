"""`specgen monitor` vs a plain polars/numpy pass that bins on the stored edges (the floor).

One run measures, each in a fresh process (median of --repeat; "compute" excludes
interpreter start-up and imports, includes reading the Parquet batch):

* floor: read the batch with polars (whole, no chunks), one ``select`` counting values below
  each stored edge per numeric column and ``value_counts`` per categorical (as Categorical);
* plain numpy: ``np.searchsorted`` + ``np.bincount`` per numeric column, polars
  ``value_counts`` on the strings (the "obvious" hand-written pass);
* specgen monitor (library call): schema checks + drift + export, chunked;
* specgen monitor without schema checks (drift only), to show where the time goes;
* Evidently's DataDriftPreset at --evidently-rows if its venv exists (``make peers``).

Peak RSS (ru_maxrss) is compared with the batch's in-memory size (polars estimated_size).
Data: 20 columns (10 float with 1% nulls, 5 int, 5 string categoricals of 12 levels),
seeded numpy, written once under benchmarks/data/ (gitignored).

Evidently venv (separate, pandas 3 breaks evidently 0.7.23): ``make peers`` creates it inside the
repository at .cache/peers/evidently (gitignored); SPECGEN_EVIDENTLY_PYTHON points at another interpreter.

Large mode (--rows 20000000 or more, e.g. --rows 50000000): no whole-file floors (they would hold
the file in memory); ``specgen monitor`` runs once per --chunk-rows value and the table shows
peak RSS against the chunk's and the file's in-memory size: memory follows the chunk.

Usage: python benchmarks/bench_monitor.py [--rows 5000000] [--reference-rows 1000000] [--repeat 3]
       python benchmarks/bench_monitor.py --rows 50000000 [--chunk-rows 250000 1000000 4000000]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
LEVELS = [f"level_{i:02d}" for i in range(12)]
#: the interpreter of the Evidently venv ``make peers`` creates (or SPECGEN_EVIDENTLY_PYTHON)
EVIDENTLY_PYTHON = Path(os.environ.get("SPECGEN_EVIDENTLY_PYTHON",
                                       ROOT / ".cache" / "peers" / "evidently" / "bin" / "python"))


GENERATE_ROWS = 1_000_000  # rows generated and written at a time: generation fits in memory at any size
LARGE = 20_000_000  # from this many rows on: the memory-vs-chunk-size mode (no whole-file floors)


def table(rows: int, seed: int, shift: float) -> Path:
    """f0..f9 float (1% nulls, mean 100 + shift), i0..i4 int, c0..c4 categoricals (skewed by shift).

    Written piece by piece (``GENERATE_ROWS`` at a time, each piece seeded by (seed, piece)), so a
    50,000,000-row file is generated with the memory of one piece.
    """
    import pyarrow.parquet as pq

    path = DATA / f"monitor_{rows}_{seed}_{shift}_v2.parquet"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    writer = None
    try:
        for piece, start in enumerate(range(0, rows, GENERATE_ROWS)):
            frame = _piece(min(GENERATE_ROWS, rows - start), np.random.default_rng([seed, piece]), shift)
            table_ = frame.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(tmp, table_.schema, compression="zstd")
            writer.write_table(table_, row_group_size=500_000)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
    return path


def _piece(rows: int, rng: np.random.Generator, shift: float) -> pl.DataFrame:
    cols = {}
    for i in range(10):
        values = rng.normal(100 + shift, 15, rows)
        cols[f"f{i}"] = pl.Series(values).set(pl.Series(rng.random(rows) < 0.01), None)
    for i in range(5):
        cols[f"i{i}"] = rng.integers(0, 1000, rows)
    weights = np.linspace(1, 1 + shift, 12)
    for i in range(5):
        cols[f"c{i}"] = pl.Series(np.array(LEVELS)[rng.choice(12, rows, p=weights / weights.sum())])
    return pl.DataFrame(cols)


def in_memory_size(rows: int) -> int:
    """The table's in-memory size (polars estimated_size), from one piece scaled to ``rows``."""
    sample = min(rows, GENERATE_ROWS)
    return int(_piece(sample, np.random.default_rng(0), 0.0).estimated_size() * rows / sample)


def spec(reference: Path) -> Path:
    lines = ["spec_version: 1", "name: bench", "data:", f"  training: {reference.name}", "features:"]
    lines += [f"  f{i}: {{dtype: float, range: [0, 1000], max_null_fraction: 0.05}}" for i in range(10)]
    lines += [f"  i{i}: {{dtype: int, range: [0, 999]}}" for i in range(5)]
    lines += [f"  c{i}: {{dtype: category, values: [{', '.join(LEVELS)}]}}" for i in range(5)]
    lines += ["monitoring: {bins: 10}"]
    path = DATA / f"bench_monitor_{reference.stem}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


FLOOR = r"""
import json, resource, sys, time
import numpy as np, polars as pl, yaml
config = yaml.load(open(sys.argv[2]), Loader=yaml.CSafeLoader)
t0 = time.perf_counter()
df = pl.read_parquet(sys.argv[1])
size = df.estimated_size()
out = {}
for f in config["features"]:
    x = df.get_column(f["name"])
    if f["kind"] == "numeric":
        a = x.cast(pl.Float64).to_numpy()
        a = a[~np.isnan(a)]
        out[f["name"]] = np.bincount(np.searchsorted(f["reference"]["edges"], a, side="right"), minlength=12)
    else:
        out[f["name"]] = x.value_counts()
t = time.perf_counter() - t0
print(json.dumps({"compute": t, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "size": size}))
"""

FLOOR_POLARS = r"""
import json, resource, sys, time
import polars as pl, yaml
config = yaml.load(open(sys.argv[2]), Loader=yaml.CSafeLoader)
t0 = time.perf_counter()
df = pl.read_parquet(sys.argv[1])
exprs = []
for f in config["features"]:
    x = pl.col(f["name"])
    if f["kind"] == "numeric":
        x = x.fill_nan(None) if df.schema[f["name"]].is_float() else x
        exprs += [(x < e).sum().alias(f"{f['name']}_{j}") for j, e in enumerate(f["reference"]["edges"])]
        exprs.append(x.null_count().alias(f"{f['name']}_n"))
    else:
        exprs.append(x.cast(pl.Categorical).value_counts().implode().alias(f["name"]))
row = df.select(exprs).row(0)
t = time.perf_counter() - t0
print(json.dumps({"compute": t, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""

MONITOR = r"""
import json, resource, sys, time
from specgen.api import monitor
import specgen.runtime.monitor, specgen.runtime.engine  # imports outside the timing
chunk_rows = int(sys.argv[4]) if len(sys.argv) > 4 else None
t0 = time.perf_counter()
report = monitor(sys.argv[1], sys.argv[2], metrics_out=sys.argv[3], chunk_rows=chunk_rows)
t = time.perf_counter() - t0
print(json.dumps({"compute": t, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "alarms": len(report.alarms)}))
"""

DRIFT_ONLY = r"""
import json, resource, sys, time
from specgen.runtime import monitor
t0 = time.perf_counter()
import dataclasses
config = dataclasses.replace(monitor.load_config(sys.argv[2]), checks=())
report = monitor.run(config, sys.argv[1])
t = time.perf_counter() - t0
print(json.dumps({"compute": t, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "alarms": len(report.alarms)}))
"""

EVIDENTLY = r"""
import json, resource, sys, time
import pandas as pd
try:
    from evidently import Report
    from evidently.presets import DataDriftPreset
    legacy = False
except ImportError:
    from evidently.report import Report
    from evidently.metric_preset import DataDriftPreset
    legacy = True
ref = pd.read_parquet(sys.argv[1]); cur = pd.read_parquet(sys.argv[2])
t0 = time.perf_counter()
report = Report([DataDriftPreset()]) if not legacy else Report(metrics=[DataDriftPreset()])
result = report.run(reference_data=ref, current_data=cur) if not legacy else report.run(reference_data=ref, current_data=cur)
t = time.perf_counter() - t0
print(json.dumps({"compute": t, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def measure(python: str, code: str, *args, repeat: int) -> dict:
    runs = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(repeat):
        done = subprocess.run([python, "-c", code, *map(str, args)], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise SystemExit(f"benchmark step failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    best = sorted(runs, key=lambda r: r["compute"])[len(runs) // 2]
    return {**best, "compute": statistics.median(r["compute"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--reference-rows", type=int, default=1_000_000)
    parser.add_argument("--evidently-rows", type=int, default=500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk-rows", type=int, nargs="+", default=[250_000, 1_000_000, 4_000_000],
                        help=f"chunk sizes compared in the large mode (--rows >= {LARGE:,})")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from specgen.api import baseline_spec, build_plan, compile_spec

    reference = table(args.reference_rows, seed=0, shift=0.0)
    current = table(args.rows, seed=1, shift=1.5)  # a mild shift: some features alarm, as in production
    spec_path = spec(reference)
    baseline_spec(spec_path)
    compile_spec(spec_path, DATA / "out")
    plan = build_plan(spec_path, DATA / "out")
    config = plan.out_dir / plan.monitoring.config_file
    prom = DATA / "bench.prom"
    # the CLI looks for the config next to the spec; the library call takes it explicitly
    code = MONITOR.replace("metrics_out=sys.argv[3],", f"metrics_out=sys.argv[3], config={str(config)!r},")
    if args.rows >= LARGE:
        return large(args, code, spec_path, current, prom)
    numpy_floor = measure(sys.executable, FLOOR, current, config, repeat=args.repeat)
    floor = measure(sys.executable, FLOOR_POLARS, current, config, repeat=args.repeat)
    mon = measure(sys.executable, code, spec_path, current, prom, repeat=args.repeat)
    drift = measure(sys.executable, DRIFT_ONLY, current, config, repeat=args.repeat)
    size = numpy_floor["size"]
    print(f"rows={args.rows:,} columns=20 reference_rows={args.reference_rows:,} in-memory={size / 2**30:.2f} GiB")
    print(f"{'what':<48} {'compute s':>10} {'x floor':>8} {'peak RSS GiB':>13} {'x data':>7}")
    for name, r in (("floor: polars read + one polars select", floor),
                    ("plain numpy: searchsorted/bincount, value_counts", numpy_floor),
                    ("specgen monitor (schema + drift + export)", mon),
                    ("specgen monitor, drift only (no schema)", drift)):
        print(f"{name:<48} {r['compute']:>10.2f} {r['compute'] / floor['compute']:>8.2f} "
              f"{r['rss'] / 2**30:>13.2f} {r['rss'] / size:>7.2f}")
    print(f"alarms raised on the shifted batch: {mon['alarms']}")
    if EVIDENTLY_PYTHON.exists():
        small_ref = table(args.evidently_rows, seed=0, shift=0.0)
        small_cur = table(args.evidently_rows, seed=1, shift=1.5)
        try:
            ev = measure(str(EVIDENTLY_PYTHON), EVIDENTLY, small_ref, small_cur, repeat=1)
        except SystemExit as exc:
            print(f"Evidently failed: {str(exc).strip().splitlines()[-1]}")
            return
        small = measure(sys.executable, code, spec_path, small_cur, prom, repeat=args.repeat)
        print(f"at {args.evidently_rows:,} rows: Evidently DataDriftPreset {ev['compute']:.2f} s "
              f"(peak {ev['rss'] / 2**30:.2f} GiB) vs specgen monitor {small['compute']:.2f} s: "
              f"{ev['compute'] / small['compute']:.0f}x")
    else:
        print(f"Evidently: {EVIDENTLY_PYTHON} not found (run: make peers); comparison skipped")


def large(args, code: str, spec_path: Path, current: Path, prom: Path) -> None:
    """Peak RSS of ``specgen monitor`` per chunk size on a file far larger than any chunk."""
    size = in_memory_size(args.rows)
    file_size = current.stat().st_size
    print(f"rows={args.rows:,} columns=20 parquet={file_size / 2**30:.2f} GiB on disk, "
          f"in-memory={size / 2**30:.2f} GiB (estimated)")
    print(f"{'chunk rows':>11} {'chunk GiB':>10} {'compute s':>10} {'Mrows/s':>8} {'peak RSS GiB':>13} "
          f"{'x chunk':>8} {'x data':>7}")
    peaks = []
    for chunk in args.chunk_rows:
        r = measure(sys.executable, code, spec_path, current, prom, chunk, repeat=1)
        chunk_bytes = size * chunk / args.rows
        peaks.append(r["rss"])
        print(f"{chunk:>11,} {chunk_bytes / 2**30:>10.3f} {r['compute']:>10.1f} "
              f"{args.rows / r['compute'] / 1e6:>8.2f} {r['rss'] / 2**30:>13.2f} {r['rss'] / chunk_bytes:>8.1f} "
              f"{r['rss'] / size:>7.3f}")
    print(f"alarms raised on the shifted batch: {r['alarms']}; peak RSS grows with the chunk, "
          f"not the file: largest peak {max(peaks) / 2**30:.2f} GiB = {max(peaks) / size:.1%} of the data")


if __name__ == "__main__":
    main()
