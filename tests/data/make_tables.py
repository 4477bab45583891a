"""Rebuild the real tables the infer tests use (run from the repo root; output is committed).

Sources are data sets shipped inside installed packages, so nothing is downloaded:
- penguins.csv  ecology: palmerpenguins (examples/penguins/data/penguins_raw.csv), "NA" -> empty
- iris.csv      botany: scikit-learn's bundled iris, with species names
- wine.csv      chemistry: scikit-learn's bundled wine recognition data, cultivar as text
- diabetes.csv  medicine: scikit-learn's bundled raw diabetes data with its target
- cars.csv      vehicles: vega_datasets' cars (406 rows, 1970-1982; the `bench` extra), `Name` dropped (an
                identifier), model `Year` as an integer: integer codes with gaps (`Cylinders` 3, 4, 5, 6, 8;
                no 1981 in `Year`), what the integer-code inference is for
"""
from __future__ import annotations

from pathlib import Path

import polars as pl
from sklearn import datasets

HERE = Path(__file__).parent


def _frame(bunch, target_name: str, names: list[str] | None = None) -> pl.DataFrame:
    columns = {n.replace("/", "_").replace(" (cm)", "").replace(" ", "_"): bunch.data[:, i]
               for i, n in enumerate(bunch.feature_names)}
    target = bunch.target if names is None else [names[t] for t in bunch.target]
    return pl.DataFrame(columns).with_columns(pl.Series(target_name, target))


def main() -> None:
    root = HERE.parent.parent
    pl.read_csv(root / "examples/penguins/data/penguins_raw.csv", null_values="NA").write_csv(HERE / "penguins.csv")
    iris = datasets.load_iris()
    _frame(iris, "species", list(iris.target_names)).write_csv(HERE / "iris.csv")
    wine = datasets.load_wine()
    _frame(wine, "cultivar", list(wine.target_names)).write_csv(HERE / "wine.csv")
    diabetes = datasets.load_diabetes(scaled=False)
    frame = _frame(diabetes, "progression").with_columns(pl.col("age", "sex", "s1").cast(pl.Int64))
    frame.write_csv(HERE / "diabetes.csv")
    cars().to_csv(HERE / "cars.csv", index=False)


def cars():
    """The cars table (a pandas frame, as vega_datasets gives it)."""
    from vega_datasets import local_data

    frame = local_data.cars().drop(columns=["Name"])
    frame["Year"] = frame["Year"].dt.year.astype("int64")
    return frame


if __name__ == "__main__":
    main()
