"""The batch inference job of the penguins example: predict every serving row and cache the table.

Writes data/predictions.csv (penguin_id, predicted_species, one probability column
per species) with the model now serving (``penguins_model.load``). The generated
``test_penguins_predictions.py`` checks that table before it is pushed.
Run from anywhere: ``python examples/penguins/predict_batch.py``.
"""
from pathlib import Path

import pandas as pd

import penguins_model as pm

HERE = Path(__file__).parent


def predict(frame: pd.DataFrame) -> pd.DataFrame:
    model = pm.load()
    X = frame[pm.FEATURES]
    out = pd.DataFrame({"penguin_id": frame["penguin_id"], "predicted_species": model.predict(X)})
    for j, species in enumerate(model.classes_):
        out[f"p_{species}"] = model.predict_proba(X)[:, j].round(6)
    # rounding to 6 places keeps the file small; the sum stays within the spec's tolerance
    return out


if __name__ == "__main__":
    predict(pd.read_csv(HERE / "data" / "serving.csv")).to_csv(HERE / "data" / "predictions.csv", index=False)
