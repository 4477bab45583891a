"""What recency drift costs `specgen monitor`: the first pass that finds the batch's newest value.

A table of 20 features plus an event time (`at`, a year of seconds) is monitored twice, with
`time_bins: [hour, weekday]` and with `[hour, weekday, recency]`, as one Parquet file, 20 Parquet
files in a directory, and one CSV. Each run is `api.monitor` in a fresh process; prints the median
wall time of the call (imports excluded) and the peak RSS (VmHWM), and the difference recency makes.
Usage: python benchmarks/bench_recency.py [--rows 2000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from _data import spec_text, table  # noqa: E402

RUN = r"""
import json, sys, time
from specgen.api import monitor
def peak_mb():  # VmHWM starts again at exec; ru_maxrss would include the parent's memory before the fork
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
t0 = time.perf_counter()
report = monitor(sys.argv[1], sys.argv[2])
t1 = time.perf_counter()
print(json.dumps({"total": t1 - t0, "rows": report.rows, "alarms": len(report.alarms), "rss_mb": peak_mb()}))
"""
START = np.datetime64("2024-01-01T00:00:00", "us")


def with_times(source: Path, seed: int) -> pl.DataFrame:
    frame = pl.read_parquet(source)
    seconds = np.random.default_rng(seed).integers(0, 365 * 86400, frame.height)
    return frame.with_columns(pl.Series("at", START + seconds.astype("timedelta64[s]")))


def project(tmp: Path, rows: int, units: str) -> Path:
    folder = tmp / units.replace(", ", "_")
    folder.mkdir()
    with_times(table(rows, seed=0), 0).write_parquet(folder / "train.parquet")
    text = spec_text(folder / "train.parquet")
    text += f"  at: {{dtype: datetime, monitoring: {{time_bins: [{units}]}}}}\nmonitoring: {{}}\n"
    (folder / "spec.yaml").write_text(text)
    for command in ("baseline", "compile"):
        subprocess.run([sys.executable, "-m", "specgen", command, str(folder / "spec.yaml")], check=True,
                       capture_output=True)
    return folder / "spec.yaml"


def batches(tmp: Path, rows: int) -> dict[str, Path]:
    frame = with_times(table(rows, seed=1), 1)
    frame.write_parquet(tmp / "batch.parquet")
    (tmp / "parts").mkdir()
    for i, part in enumerate(frame.iter_slices(-(-frame.height // 20))):
        part.write_parquet(tmp / "parts" / f"part-{i:02d}.parquet")
    frame.write_csv(tmp / "batch.csv")
    return {"one parquet": tmp / "batch.parquet", "20 parquet files": tmp / "parts", "csv": tmp / "batch.csv"}


def measure(spec: Path, data: Path, repeat: int) -> dict:
    runs = [json.loads(subprocess.run([sys.executable, "-c", RUN, str(spec), str(data)], capture_output=True,
                                      check=True).stdout) for _ in range(repeat)]
    return {"seconds": statistics.median(r["total"] for r in runs), "rss_mb": max(r["rss_mb"] for r in runs),
            "rows": runs[0]["rows"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        specs = {units: project(tmp, args.rows, units) for units in ("hour, weekday", "hour, weekday, recency")}
        print(f"{'input':<18} {'hour+weekday':>16} {'+ recency':>16} {'difference':>12}")
        for form, data in batches(tmp, args.rows).items():
            base, recency = (measure(specs[u], data, args.repeat) for u in specs)
            print(f"{form:<18} {base['seconds']:>7.2f} s {base['rss_mb']:>5.0f} MB {recency['seconds']:>7.2f} s "
                  f"{recency['rss_mb']:>5.0f} MB {recency['seconds'] - base['seconds']:>+10.2f} s")


if __name__ == "__main__":
    main()
