"""Derive the example's training and serving files from the Palmer penguins table.

Source: palmerpenguins (Horst, Hill & Gorman, 2020; CC0), the copy shipped in the
``palmerpenguins`` pip package, committed here as data/penguins_raw.csv.
Adds a stable ``penguin_id`` key, splits rows 75/25 by a salted hash of the key
(deterministic, no RNG), and drops the label from the serving file.
Run from anywhere: ``python examples/penguins/prepare_data.py``.
"""
from pathlib import Path

import polars as pl

from specgen.runtime.hashing import split_mask

HERE = Path(__file__).parent
raw = pl.read_csv(HERE / "data" / "penguins_raw.csv", null_values="NA")
raw = raw.with_row_index("penguin_id", offset=1).with_columns(pl.col("penguin_id").cast(pl.Int64))
train_mask = split_mask(raw, ["penguin_id"], salt="penguins-v1", fraction=0.75)
raw.filter(pl.Series(train_mask)).write_csv(HERE / "data" / "train.csv")
raw.filter(~pl.Series(train_mask)).drop("species").write_csv(HERE / "data" / "serving.csv")
