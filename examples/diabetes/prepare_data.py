"""Write the diabetes example's data files from the copy bundled with scikit-learn.

Source: Efron, Hastie, Johnstone and Tibshirani (2004), "Least Angle Regression",
442 patients, ten baseline variables and a quantitative measure of disease
progression one year later (``target``), as shipped by scikit-learn
(``load_diabetes(scaled=False)``: original units, sex coded 1/2).
Adds a ``patient_id`` key and splits 80/20 by a salted hash of it into a
training file and a serving file without the label.
Run from anywhere: ``python examples/diabetes/prepare_data.py``.
"""
from pathlib import Path

import polars as pl
from sklearn.datasets import load_diabetes

from specgen.runtime.hashing import split_mask

HERE = Path(__file__).parent
bunch = load_diabetes(scaled=False, as_frame=True)
frame = pl.from_pandas(bunch.frame).rename({"s1": "tc", "s2": "ldl", "s3": "hdl", "s4": "tch", "s5": "ltg", "s6": "glu"})
frame = frame.with_columns(pl.col("age", "sex").cast(pl.Int64), pl.col("target").cast(pl.Float64))
frame = frame.with_row_index("patient_id", offset=1).with_columns(pl.col("patient_id").cast(pl.Int64))
train_mask = split_mask(frame, ["patient_id"], salt="diabetes-v1", fraction=0.8)
frame.filter(pl.Series(train_mask)).write_csv(HERE / "data" / "train.csv")
frame.filter(~pl.Series(train_mask)).drop("target").write_csv(HERE / "data" / "serving.csv")
