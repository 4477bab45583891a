"""Disease-progression regressor whose tests specgen generates (see spec.yaml, model section).

``train(frame, seed)``: scale the nine numeric measurements, one-hot encode sex,
fit a ridge regression. ``load()`` returns the model now serving, with its
training time in ``trained_at`` (what the generated model-age test reads). A real
project reads both from its model registry; this example is retrained daily, so
``load`` rebuilds today's release: the same pipeline on the data snapshot it was
released with (patient_id <= 350), stamped with the time it was built.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["age", "bmi", "bp", "tc", "ldl", "hdl", "tch", "ltg", "glu"]
CATEGORICAL = ["sex"]
FEATURES = NUMERIC + CATEGORICAL
LABEL = "target"
DATA = Path(__file__).parent / "data" / "train.csv"
RELEASED_SNAPSHOT = 350  # last patient_id the serving model was trained on


def build(seed: int, alpha: float = 1.0) -> Pipeline:
    features = ColumnTransformer([("numeric", StandardScaler(), NUMERIC),
                                  ("categorical", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)])
    return Pipeline([("features", features), ("regressor", Ridge(alpha=alpha, random_state=seed))])


def train(frame: pd.DataFrame, seed: int) -> Pipeline:
    model = build(seed)
    model.fit(frame[FEATURES], frame[LABEL].astype(float))
    return model


def load() -> Pipeline:
    frame = pd.read_csv(DATA)
    model = train(frame[frame["patient_id"] <= RELEASED_SNAPSHOT], seed=7)
    model.trained_at = dt.datetime.now(dt.timezone.utc)
    return model


def within_25(y_true, y_pred) -> float:
    """A metric of our own (model.metrics.within_25): share of predictions within 25 units."""
    return float(((y_true.astype(float) - y_pred.astype(float)) ** 2 <= 25**2).mean())
