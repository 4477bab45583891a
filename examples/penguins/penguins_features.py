"""Feature engineering for the penguins example, with a training path and a serving path.

``transform(frame)`` is the training path (spec: transforms.entrypoint): it fits
the statistics on the frame it is given (the training data) and computes every
feature column-wise with pandas. ``transform_serving(frame)`` is the serving path
(transforms.serving_entrypoint): an online service computes features one request
at a time from statistics stored at training time (``feature_stats.json``,
written by ``python penguins_features.py``). Two code paths for one feature set
is where training-serving skew comes from; the generated parity test feeds both
the same raw rows.

Features: one-hot island and sex (a missing sex is its own ``sex_unknown``
column), the z-score of bill length with the training mean and std, body mass
clipped to [3000, 5800] g, its log, bill depth min-max scaled (and clipped) to
[0, 1] and flipper length bucketized at 190, 200 and 214 mm.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

ISLANDS = ["Biscoe", "Dream", "Torgersen"]
SEXES = ["female", "male"]
MASS_CLIP = (3000.0, 5800.0)
FLIPPER_EDGES = [190.0, 200.0, 214.0]
STATS = Path(__file__).with_name("feature_stats.json")
KEY = "penguin_id"


def fit(frame: pd.DataFrame) -> dict:
    """Training statistics the features need (what serving stores)."""
    bill = frame["bill_length_mm"].astype(float)
    depth = frame["bill_depth_mm"].astype(float)
    return {"bill_length_mean": float(bill.mean()), "bill_length_std": float(bill.std(ddof=1)),
            "bill_depth_min": float(depth.min()), "bill_depth_max": float(depth.max()),
            "bill_depth_median": float(depth.median()),
            "body_mass_median": float(frame["body_mass_g"].astype(float).median()),
            "flipper_median": float(frame["flipper_length_mm"].astype(float).median())}


def transform(frame: pd.DataFrame) -> pd.DataFrame:
    """Training path: column-wise, statistics fitted on ``frame``."""
    stats = fit(frame)
    out = pd.DataFrame({KEY: frame[KEY].to_numpy()}, index=frame.index)
    for island in ISLANDS:
        out[f"island_{island}"] = (frame["island"] == island).astype(int)
    sex = frame["sex"].astype(object)
    for value in SEXES:
        out[f"sex_{value}"] = (sex == value).astype(int)
    out["sex_unknown"] = (~sex.isin(SEXES)).astype(int)
    bill = frame["bill_length_mm"].astype(float).fillna(stats["bill_length_mean"])
    out["bill_length_z"] = (bill - stats["bill_length_mean"]) / stats["bill_length_std"]
    mass = frame["body_mass_g"].astype(float).fillna(stats["body_mass_median"]).clip(*MASS_CLIP)
    out["body_mass_clipped"] = mass
    out["body_mass_log"] = np.log(mass)
    depth = frame["bill_depth_mm"].astype(float).fillna(stats["bill_depth_median"])
    span = stats["bill_depth_max"] - stats["bill_depth_min"]
    out["bill_depth_scaled"] = ((depth - stats["bill_depth_min"]) / span).clip(0, 1)
    flipper = frame["flipper_length_mm"].astype(float).fillna(stats["flipper_median"])
    out["flipper_bucket"] = np.digitize(flipper, FLIPPER_EDGES).astype(int)
    return out


def load_stats() -> dict:
    return json.loads(STATS.read_text())


def features_for_request(row: dict, stats: dict) -> dict:
    """Serving path: one request's features from the stored statistics."""
    out = {KEY: row[KEY]}
    for island in ISLANDS:
        out[f"island_{island}"] = int(row["island"] == island)
    sex = row["sex"] if isinstance(row["sex"], str) else None
    for value in SEXES:
        out[f"sex_{value}"] = int(sex == value)
    out["sex_unknown"] = int(sex not in SEXES)
    bill = _number(row["bill_length_mm"], stats["bill_length_mean"])
    out["bill_length_z"] = (bill - stats["bill_length_mean"]) / stats["bill_length_std"]
    mass = min(max(_number(row["body_mass_g"], stats["body_mass_median"]), MASS_CLIP[0]), MASS_CLIP[1])
    out["body_mass_clipped"] = mass
    out["body_mass_log"] = math.log(mass)
    depth = _number(row["bill_depth_mm"], stats["bill_depth_median"])
    scaled = (depth - stats["bill_depth_min"]) / (stats["bill_depth_max"] - stats["bill_depth_min"])
    out["bill_depth_scaled"] = min(max(scaled, 0.0), 1.0)
    flipper = _number(row["flipper_length_mm"], stats["flipper_median"])
    out["flipper_bucket"] = sum(flipper >= edge for edge in FLIPPER_EDGES)
    return out


def transform_serving(frame: pd.DataFrame) -> pd.DataFrame:
    stats = load_stats()
    rows = [features_for_request(row, stats) for row in frame.to_dict("records")]
    return pd.DataFrame(rows, index=frame.index)


def _number(value, default: float) -> float:
    return default if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


if __name__ == "__main__":  # store the training statistics the serving path reads
    train = pd.read_csv(Path(__file__).with_name("data") / "train.csv")
    STATS.write_text(json.dumps(fit(train), indent=2, sort_keys=True) + "\n")
