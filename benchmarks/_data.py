"""Seeded synthetic tables for the benchmarks (written once under benchmarks/data/, gitignored)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

DATA = Path(__file__).parent / "data"
LEVELS = [f"level_{i:02d}" for i in range(12)]


def table(rows: int, seed: int = 0, shift: float = 0.0) -> Path:
    """20 columns: f0..f9 float (1% nulls), i0..i4 int, c0..c4 string categoricals of 12 levels."""
    path = DATA / f"table_{rows}_{seed}_{shift}.parquet"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    cols = {}
    for i in range(10):
        values = rng.normal(100 + shift, 15, rows)
        cols[f"f{i}"] = pl.Series(values).set(pl.Series(rng.random(rows) < 0.01), None)
    for i in range(5):
        cols[f"i{i}"] = rng.integers(0, 1000, rows)
    for i in range(5):
        cols[f"c{i}"] = pl.Series(np.array(LEVELS)[rng.integers(0, 12, rows)])
    pl.DataFrame(cols).write_parquet(path)
    return path


def spec_text(data: Path) -> str:
    lines = ["spec_version: 1", "name: bench", "data:", f"  training: {data.name}", "features:"]
    lines += [f"  f{i}: {{dtype: float, range: [0, 1000], max_null_fraction: 0.05}}" for i in range(10)]
    lines += [f"  i{i}: {{dtype: int, range: [0, 999]}}" for i in range(5)]
    lines += [f"  c{i}: {{dtype: category, values: [{', '.join(LEVELS)}]}}" for i in range(5)]
    return "\n".join(lines) + "\n"
