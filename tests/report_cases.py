"""Inputs of the report tests (and scripts/report-screenshots.py): a drifted penguins batch, a spec whose
names are hostile HTML/Jinja, and a 200-feature spec. Each returns paths; nothing runs specgen here."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

__all__ = ["drifted_penguins", "labelled_penguins", "HOSTILE_FEATURE", "HOSTILE_CATEGORY_FEATURE", "HOSTILE_VALUES",
           "hostile_project", "wide_project"]

HOSTILE_FEATURE = "<script>alert(1)</script>"
HOSTILE_CATEGORY_FEATURE = "{{ x }}"
HOSTILE_VALUES = ("<b>bold</b>", "<img src=x onerror=alert(2)>")


def drifted_penguins(serving: Path, out: Path) -> Path:
    """The serving batch with bills 6 mm longer, the Biscoe penguins moved to Torgersen, one impossible
    body mass and every 15th flipper length missing: schema failures and drift alarms."""
    frame = pl.read_csv(serving, null_values="NA")
    row = pl.int_range(pl.len())
    frame = frame.with_columns(
        (pl.col("bill_length_mm") + 6).alias("bill_length_mm"),
        pl.when(pl.col("island") == "Biscoe").then(pl.lit("Torgersen")).otherwise(pl.col("island")).alias("island"),
        pl.when(row == 3).then(99999).otherwise(pl.col("body_mass_g")).alias("body_mass_g"),
        pl.when(row % 15 == 1).then(None).otherwise(pl.col("flipper_length_mm")).alias("flipper_length_mm"),
    )
    frame.write_csv(out)
    return out


def _yaml_key(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def hostile_project(folder: Path) -> tuple[Path, Path]:
    """(spec, drifted batch): a numeric feature named ``HOSTILE_FEATURE``, a categorical one named
    ``HOSTILE_CATEGORY_FEATURE`` whose values are HTML; the batch breaks the range and moves the shares."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    rows = 400
    train = pl.DataFrame({HOSTILE_FEATURE: rng.uniform(0, 1, rows),
                          HOSTILE_CATEGORY_FEATURE: np.array(HOSTILE_VALUES)[rng.integers(0, 2, rows)]})
    train.write_csv(folder / "train.csv")
    batch = pl.DataFrame({HOSTILE_FEATURE: np.append(rng.uniform(0.5, 1.5, rows - 1), 7.0),
                          HOSTILE_CATEGORY_FEATURE: [HOSTILE_VALUES[0]] * rows})
    batch.write_csv(folder / "batch.csv")
    values = ", ".join(_yaml_key(v) for v in HOSTILE_VALUES)
    spec = folder / "spec.yaml"
    spec.write_text("\n".join([
        "spec_version: 1", "name: hostile", "data: {training: train.csv}", "features:",
        f"  {_yaml_key(HOSTILE_FEATURE)}: {{dtype: float, range: [0, 1]}}",
        f"  {_yaml_key(HOSTILE_CATEGORY_FEATURE)}: {{dtype: category, values: [{values}]}}",
        "monitoring:", "  drift: {numeric: {metric: psi, threshold: 0.2}, categorical: {metric: linf, threshold: 0.1}}",
        ""]))
    return spec, folder / "batch.csv"


def wide_project(folder: Path, features: int = 200, rows: int = 1000) -> tuple[Path, Path]:
    """(spec, shifted batch) with ``features`` features cycling float / int / category (10 bins each)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, seed, shift in (("train.parquet", 1, 0.0), ("batch.parquet", 2, 6.0)):
        rng = np.random.default_rng(seed)
        columns = {}
        for i in range(features):
            kind = i % 3
            if kind == 0:
                columns[f"f{i}"] = rng.normal(50 + shift, 10, rows)
            elif kind == 1:
                columns[f"f{i}"] = rng.integers(0, 10, rows)
            else:
                columns[f"f{i}"] = np.array(["a", "b", "c", "d"])[rng.integers(0, 4, rows)]
        pl.DataFrame(columns).write_parquet(folder / name)
    kinds = ["{dtype: float, range: [-1000, 1000]}", "{dtype: int, range: [0, 9]}",
             "{dtype: category, values: [a, b, c, d]}"]
    lines = ["spec_version: 1", "name: wide", "data: {training: train.parquet}", "features:"]
    lines += [f"  f{i}: {kinds[i % 3]}" for i in range(features)]
    lines += ["monitoring:",
              "  drift: {numeric: {metric: psi, threshold: 0.2}, categorical: {metric: linf, threshold: 0.1}}"]
    spec = folder / "spec.yaml"
    spec.write_text("\n".join(lines) + "\n")
    return spec, folder / "batch.parquet"


def labelled_penguins(example: Path, batch: Path, out: Path, *, wrong_dream: bool = False) -> Path:
    """``batch`` with the cached predictions (``predicted_species``) and the labels that arrived later
    (``species``, from penguins_raw.csv by row); ``wrong_dream``: every Dream penguin predicted Gentoo."""
    frame = pl.read_csv(batch, null_values="NA")
    predictions = pl.read_csv(example / "data" / "predictions.csv").select("penguin_id", "predicted_species")
    raw = pl.read_csv(example / "data" / "penguins_raw.csv", null_values="NA")
    labels = raw.with_row_index("penguin_id", offset=1).select(pl.col("penguin_id").cast(pl.Int64), "species")
    frame = frame.join(predictions, on="penguin_id", how="left").join(labels, on="penguin_id", how="left")
    if wrong_dream:
        frame = frame.with_columns(pl.when(pl.col("island") == "Dream").then(pl.lit("Gentoo"))
                                   .otherwise(pl.col("predicted_species")).alias("predicted_species"))
    frame.write_csv(out)
    return out
