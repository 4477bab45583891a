"""Deliberate defects injected into a copy of the penguins training data, one per kind of problem
(used by the e2e tests and the engine-agreement unit tests)."""
from __future__ import annotations

from pathlib import Path

import polars as pl


def _set_row(df: pl.DataFrame, column: str, row: int, value) -> pl.DataFrame:
    hit = pl.int_range(pl.len()) == row
    return df.with_columns(pl.when(hit).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))


FAULTS = {
    # name -> (transform, (column, check kind) the checks must report)
    "out_of_range": (lambda df: _set_row(df, "body_mass_g", 4, 70000), ("body_mass_g", "range")),
    "unseen_category": (lambda df: _set_row(df, "island", 2, "Atlantis"), ("island", "values")),
    "null_not_allowed": (lambda df: _set_row(df, "year", 1, None), ("year", "not_null")),
    "missing_column": (lambda df: df.drop("flipper_length_mm"), ("flipper_length_mm", "present")),
    "numeric_as_text": (
        lambda df: df.with_columns((pl.col("bill_depth_mm").cast(pl.String) + " mm").alias("bill_depth_mm")),
        ("bill_depth_mm", "dtype")),
}


def corrupt(source: Path, dest: Path, fault: str) -> tuple[str, str]:
    transform, expected = FAULTS[fault]
    transform(pl.read_csv(source)).write_csv(dest)
    return expected
