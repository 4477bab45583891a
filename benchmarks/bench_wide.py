"""Cost against feature count: a wide spec (1,000 rows) at 500 / 1,000 / 2,000 / 5,000 features.

Each step runs the CLI in a fresh process (wall time includes interpreter start-up and imports,
about 1 s); CPU time and peak RSS are the child's rusage (``os.wait4``). Steps: ``specgen baseline`` (reads the training
data; skipped on code without that command), ``specgen compile``, ``specgen monitor``.
Features cycle through float / int / category so every kind is monitored.

Usage: python benchmarks/bench_wide.py [--features 500 1000 2000 5000] [--rows 1000] [--code DIR]
  --code DIR runs the specgen found in DIR (e.g. a checkout of main, to compare) instead of this checkout.

Measured 2026-11-30 on a shared 2-core machine (load ~9, so wall times are inflated ~3x;
CPU s is the figure to compare), CPU s per step (baseline / compile / monitor), peak RSS:

  features  main 081c6e9 (compile reads data)  before (branch cost at 1fd0816)  after (R2 fixes)
       500        - / 1.9 / 1.6                    1.8 / 1.0 / 1.5              1.4 / 0.9 / 1.0
      1000        - / 4.1 / 3.1                    3.7 / 1.6 / 3.0              2.4 / 1.2 / 1.5
      2000        - / 9.4 / 8.0                    8.5 / 2.9 / 8.2              3.4 / 1.8 / 2.5
      5000        - / 73.3 / 57.2  (734 MB)       62.0 / 10.8 / 49.8 (794 MB)  8.9 / 4.6 / 5.9 (785 MB)
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ["a", "b", "c", "d"]


def write_data(folder: Path, n: int, rows: int, seed: int, shift: float) -> Path:
    rng = np.random.default_rng(seed)
    cols = {}
    for i in range(n):
        kind = i % 3
        if kind == 0:
            cols[f"f{i}"] = rng.normal(50 + shift, 10, rows)
        elif kind == 1:
            cols[f"f{i}"] = rng.integers(0, 10, rows)
        else:
            cols[f"f{i}"] = np.array(LEVELS)[rng.integers(0, 4, rows)]
    path = folder / f"data_{seed}.parquet"
    pl.DataFrame(cols).write_parquet(path)
    return path


def spec_text(n: int, training: Path) -> str:
    kinds = ["{dtype: float, range: [-1000, 1000]}", "{dtype: int, range: [0, 9]}",
             "{dtype: category, values: [a, b, c, d]}"]
    lines = ["spec_version: 1", "name: wide", f"data: {{training: {training.name}}}", "features:"]
    lines += [f"  f{i}: {kinds[i % 3]}" for i in range(n)]
    lines += ["monitoring:",
              "  drift: {numeric: {metric: psi, threshold: 0.2}, categorical: {metric: linf, threshold: 0.1}}"]
    return "\n".join(lines) + "\n"


def run(code: Path, *args: str) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, exit code) of ``python -m specgen ARGS`` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    t0 = time.perf_counter()
    # cwd outside any checkout: `python -m` puts the cwd first on sys.path, ahead of PYTHONPATH
    proc = subprocess.Popen([sys.executable, "-m", "specgen", *args], env=env, cwd=tempfile.gettempdir(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - t0
    if proc.returncode == 2:
        raise SystemExit(f"specgen {' '.join(args)} failed:\n{stderr.decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def has_baseline(code: Path) -> bool:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run([sys.executable, "-m", "specgen", "--help"], env=env, capture_output=True, text=True,
                          cwd=tempfile.gettempdir())
    return "baseline" in done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, nargs="+", default=[500, 1000, 2000, 5000])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--code", type=Path, default=ROOT, help="folder whose specgen package is measured")
    args = parser.parse_args()
    baseline = has_baseline(args.code)
    version = subprocess.run([sys.executable, "-c", "import specgen; print(specgen.__file__)"], capture_output=True,
                             text=True, cwd=tempfile.gettempdir(), env={**os.environ, "PYTHONPATH": str(args.code)})
    print(f"measuring {version.stdout.strip()}")
    print(f"code={args.code} rows={args.rows}; per step: wall s / CPU s (user+sys, all threads; steadier "
          "than wall on a busy machine) / peak RSS MB; each a fresh process, ~1 s of it start-up")
    print(f"{'features':>8} {'baseline':>20} {'compile':>20} {'monitor':>20} {'monitor exit':>12}")
    for n in args.features:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            training = write_data(folder, n, args.rows, seed=0, shift=0.0)
            current = write_data(folder, n, args.rows, seed=1, shift=0.5)
            spec = folder / "spec.yaml"
            spec.write_text(spec_text(n, training))
            base = run(args.code, "baseline", str(spec)) if baseline else (float("nan"), float("nan"), 0.0, 0)
            comp = run(args.code, "compile", str(spec))
            mon = run(args.code, "monitor", str(spec), "--current", str(current))
            cells = " ".join(f"{f'{w:.1f} / {c:.1f} / {m:.0f}':>20}" for w, c, m, _ in (base, comp, mon))
            print(f"{n:>8} {cells} {mon[3]:>12}", flush=True)

if __name__ == "__main__":
    main()
