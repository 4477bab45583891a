"""``unique``: no non-null value repeats in the column."""
from __future__ import annotations

from ..base import Check, RowKind


class Unique(RowKind):
    name = "unique"
    order = 70
    meaning = "no repeated non-null values"
    pandera_names = ("field_uniqueness",)
    backend_gaps = {"pyspark": "pandera.pyspark has no unique field check"}
    spans_chunks = True

    def build(self, source) -> list[Check]:
        if not getattr(source.feature, "unique", False):
            return []
        return [Check(self.name, source.name, {}, source.environments)]

    def field_args(self, check):
        return (("unique", True),)

    def negatives(self, check, value_type):
        return [("duplicate", "copy_first", None)]

    def violation(self, check, x, frame):
        return x.is_not_null() & x.is_duplicated()

    def aggregates(self, check, x, name, frame):
        # distinct count and count stream; the violation mask (is_duplicated) would not
        return [x.drop_nulls().n_unique().alias(f"{name}_distinct"), x.count().alias(f"{name}_count")]

    def pushdown_violation(self, check, x, q):
        return q.is_not_null(x) & q.is_duplicated(x)

    def pushdown_aggregates(self, check, x, name, q):
        return [(f"{name}_distinct", q.count_distinct(x)), (f"{name}_count", q.count(x))]

    def judge(self, check, row, name, frame):
        return None if row[f"{name}_distinct"] == row[f"{name}_count"] else self.failing(check, frame)

    def chunk_hashes(self, check, chunk):
        """Non-null values (NaN counts as null), as ``engine`` compares them."""
        import polars as pl

        if check.column not in chunk.columns:
            return None
        x = pl.col(check.column)
        if chunk.schema[check.column].is_float():
            x = x.fill_nan(None)
        return chunk.select(x.drop_nulls().hash(seed=0)).to_series().to_numpy()


KIND = Unique()
