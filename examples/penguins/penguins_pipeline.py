"""The penguins training pipeline end to end: raw rows -> clean -> features -> train -> evaluate -> export.

``run(raw, work_dir, seed)`` is the spec's ``performance.pipeline.entrypoint``;
the generated ``test_penguins_infrastructure.py`` runs it on a hashed sample of
the training data and checks each stage's output (``specgen.runtime.contracts.pipeline``):
the cleaned rows against the training schema, the features against the
transforms section, the evaluation against the model's metrics, the exported
artifact as a file. ``python penguins_pipeline.py`` writes
``models/previous.pkl``, the artifact now serving (what a rollback loads).
"""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score

import penguins_features
import penguins_model

HERE = Path(__file__).parent
PREVIOUS = HERE / "models" / "previous.pkl"


def clean(raw: pd.DataFrame) -> pd.DataFrame:
    """Drop rows without a label and exact duplicates; keep every column."""
    return raw.dropna(subset=[penguins_model.LABEL]).drop_duplicates().reset_index(drop=True)


def evaluate(model, frame: pd.DataFrame) -> dict:
    X, y = frame[penguins_model.FEATURES], frame[penguins_model.LABEL].astype(str)
    proba = model.predict_proba(X)
    predicted = model.predict(X)
    return {"accuracy": float(accuracy_score(y, predicted)),
            "f1": float(f1_score(y, predicted, average="macro")),
            "log_loss": float(log_loss(y, proba, labels=model.classes_)),
            "roc_auc": float(roc_auc_score(y, proba, multi_class="ovr", labels=model.classes_))}


def export(model, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(model))
    return path


def run(raw: pd.DataFrame, work_dir: Path, seed: int) -> dict:
    cleaned = clean(raw)
    features = penguins_features.transform(cleaned)
    holdout = np.random.default_rng(seed).random(len(cleaned)) < 0.3
    model = penguins_model.train(cleaned[~holdout], seed)
    return {"raw": cleaned, "features": features, "evaluate": evaluate(model, cleaned[holdout]),
            "export": export(model, Path(work_dir) / "model.pkl")}


if __name__ == "__main__":
    export(penguins_model.load(), PREVIOUS)
