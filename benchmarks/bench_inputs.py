"""`specgen validate` on one table stored as: one Parquet file, 50 Parquet files in a Hive directory,
one CSV, the CSV gzip- and zstd-compressed, and the CSV on standard input.

Each measurement runs `api.validate_data` in a fresh process; prints the median wall time of the
call (imports excluded) and the peak RSS. The directory form adds a partition column the spec
does not declare (1 failure: extra_columns). Usage: python benchmarks/bench_inputs.py [--rows 2000000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from _data import spec_text, table  # noqa: E402

RUN = r"""
import json, sys, time
from specgen.api import validate_data
def peak_mb():  # VmHWM starts again at exec; ru_maxrss would include the parent's memory before the fork
    line = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
spec, data = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
result = validate_data(spec, data)
t1 = time.perf_counter()
print(json.dumps({"total": t1 - t0, "rows": result.rows, "failures": len(result.failures),
                  "rss_mb": peak_mb()}))
"""


def measure(spec: Path, data: str, stdin: Path | None = None) -> dict:
    with open(stdin, "rb") if stdin else open("/dev/null", "rb") as handle:
        out = subprocess.run([sys.executable, "-c", RUN, str(spec), data], stdin=handle, capture_output=True,
                             check=True)
    return json.loads(out.stdout)


def forms(source: Path, tmp: Path) -> dict[str, tuple[str, Path | None]]:
    frame = pl.read_parquet(source)
    csv = tmp / "table.csv"
    frame.write_csv(csv)
    (tmp / "table.csv.gz").write_bytes(gzip.compress(csv.read_bytes(), compresslevel=1))
    import zstandard
    (tmp / "table.csv.zst").write_bytes(zstandard.ZstdCompressor().compress(csv.read_bytes()))
    hive = tmp / "hive"
    for i, part in enumerate(frame.iter_slices(-(-frame.height // 50))):
        (hive / f"part={i:02d}").mkdir(parents=True)
        part.write_parquet(hive / f"part={i:02d}" / "data.parquet")
    return {"one parquet": (str(source), None), "50 parquet (hive dir)": (str(hive), None),
            "csv": (str(csv), None), "csv.gz": (str(tmp / "table.csv.gz"), None),
            "csv.zst": (str(tmp / "table.csv.zst"), None), "csv on stdin": ("-", csv)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = table(args.rows)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        spec = tmp / "spec.yaml"
        spec.write_text(spec_text(data).replace(f"training: {data.name}", f"training: {data}"))
        print(f"rows={args.rows:,} cols=20 repeat={args.repeat} (median; fresh process each; 2-core machine)")
        for name, (arg, stdin) in forms(data, tmp).items():
            runs = [measure(spec, arg, stdin) for _ in range(args.repeat)]
            med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
            print(f"  {name:<22} {med('total'):7.3f}s  peak RSS {med('rss_mb'):6.0f} MB  rows={runs[0]['rows']:,} "
                  f"failures={runs[0]['failures']}")


if __name__ == "__main__":
    main()
