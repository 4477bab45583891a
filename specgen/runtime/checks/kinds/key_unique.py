"""``key_unique``: the ``data.key`` columns identify each row (whole keys compared, nulls included)."""
from __future__ import annotations

from ..base import Check, DatasetKind, Failure


class KeyUnique(DatasetKind):
    name = "key_unique"
    order = 210
    meaning = "the key columns identify each row uniquely"
    pandera_names = ("multiple_fields_uniqueness",)
    backend_gaps = {"pyspark": "pandera.pyspark does not check Config.unique"}
    per_chunk = True
    spans_chunks = True

    def build_dataset(self, spec, columns) -> list[Check]:
        if not (spec.data.key and spec.dataset.key_unique):
            return []
        return [Check(self.name, None, {"columns": list(spec.data.key)})]

    def schema_config(self, checks, names):
        (check,) = checks
        columns = check.params["columns"]
        return (("unique", tuple(columns)),) if all(c in names for c in columns) else ()

    def negatives(self, check, value_type):
        return [("duplicate", "copy_first_row", None)]

    def reads(self, check):
        return tuple(check.params["columns"])

    def aggregates(self, check, x, name, frame):
        import polars as pl

        return [pl.struct(check.params["columns"]).n_unique().alias(name)]

    def pushdown_aggregates(self, check, x, name, q):
        return [(name, q.deferred(q.distinct_rows, check.params["columns"]))]

    def judge(self, check, row, name, frame):
        if row[name] == frame.rows:
            return None
        return Failure(check, frame.duplicated_rows(check.params["columns"]))

    def chunk_hashes(self, check, chunk):
        """Whole keys, nulls included, as ``engine`` compares them."""
        import polars as pl

        columns = check.params["columns"]
        if not all(c in chunk.columns for c in columns):
            return None
        return chunk.select(pl.struct(columns).hash(seed=0)).to_series().to_numpy()


KIND = KeyUnique()
