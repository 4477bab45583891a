"""The penguin species classifier whose tests specgen generates (see spec.yaml, model section).

``train(frame, seed)`` is the training entrypoint: a scikit-learn pipeline that
imputes missing measurements, scales them, one-hot encodes island and sex and
fits a logistic regression. ``load()`` returns the model now serving; a real
project reads it from its model registry, this example rebuilds the released
version: the same pipeline trained on the data snapshot it was released with
(the rows with penguin_id <= 300).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
CATEGORICAL = ["island", "sex"]
FEATURES = NUMERIC + CATEGORICAL
LABEL = "species"
DATA = Path(__file__).parent / "data" / "train.csv"
RELEASED_SNAPSHOT = 300  # last penguin_id the serving model was trained on
VERSION = "snapshot-300"  # reported by specgen monitor as specgen_penguins_model_info{model_version=...}


def build(seed: int, C: float = 1.0) -> Pipeline:
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(SimpleImputer(strategy="most_frequent"),
                                OneHotEncoder(handle_unknown="ignore"))
    features = ColumnTransformer([("numeric", numeric, NUMERIC), ("categorical", categorical, CATEGORICAL)])
    return Pipeline([("features", features),
                     ("classifier", LogisticRegression(C=C, max_iter=1000, random_state=seed))])


def train(frame: pd.DataFrame, seed: int) -> Pipeline:
    model = build(seed)
    model.fit(frame[FEATURES], frame[LABEL].astype(str))
    return model


def load() -> Pipeline:
    frame = pd.read_csv(DATA)
    model = train(frame[frame["penguin_id"] <= RELEASED_SNAPSHOT], seed=1234)
    model.model_version = VERSION  # a registry would hand this over with the model
    return model
