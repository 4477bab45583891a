"""``dtype``: values have the declared value type (int, float, bool, datetime, string, category:str|int).

Checked by value type, not by storage: pandas stores an int column with nulls
as float64, which passes while its values are whole.

In the generated pandera schema the column carries a real pandas dtype
(``PANDAS_DTYPES``) and pandera checks it. Numbers and bools are coerced, so an
int column with nulls (float64 in pandas) passes while its values are whole and
fails on 4000.5 or "12 mm" (pandera's ``coerce_dtype`` failure). Text and
datetimes are not coerced: coercing to ``str`` would turn 12345 into "12345",
and coercing to a datetime would read integers as epoch nanoseconds, so both
would accept the wrong type. A datetime column with a declared ``timezone`` is
time-zone-aware (``pandas_checks.DateTimeTZ``: that zone or UTC, any unit); naive
values fail there, as ``io.read_pandas`` reads a zoned column's naive values as
wall time in its zone. ``category`` columns are ``str`` (or ``Int64``) with an
``isin`` check, not ``pd.CategoricalDtype``: coercing to a categorical with fixed
categories turns an unseen value into a null, which would report a ``values``
failure as a ``not_null`` one.
"""
from __future__ import annotations

from ... import stats
from ..base import Check, ColumnKind, Failure

#: value type -> (the column's pandera annotation in ``Series[...]``, does pandera coerce to it)
PANDAS_DTYPES = {
    "float": ("float", True),
    "int": ("pandas_checks.Integer", True),  # Int64, or UInt64 for ids beyond int64 (see pandas_checks)
    "category:int": ("pandas_checks.Integer", True),
    "bool": ("pd.BooleanDtype", True),
    "datetime": ("pa.DateTime", False),
    "string": ("str", False),
    "category:str": ("str", False),
}

#: a datetime column with a declared ``timezone``: aware, in that zone (or UTC), any unit
#: (``pandas_checks.DateTimeTZ``, its zone from ``dtype_kwargs``)
ZONED_DATETIME = "pandas_checks.DateTimeTZ"


def dtype_matches(series, value_type: str) -> bool:
    return stats.dtype_matches(series, value_type)


class Dtype(ColumnKind):
    name = "dtype"
    order = 20
    meaning = "values have the declared type"
    #: pandera's own dtype check and coercion (what generated schemas use), and ``dtype_matches``
    pandera_names = ("dtype", "coerce_dtype", "dtype_matches")
    pandas_functions = {"dtype_matches": dtype_matches}
    per_chunk = True
    blocks_column = True

    def build(self, source) -> list[Check]:
        if source.value_type == "any":  # an undeclared key or label: no type to check
            return []
        return [Check(self.name, source.name, {"dtype": source.value_type}, source.environments)]

    def describe(self, check):
        return f"dtype {check.params['dtype']}"

    def pandas_annotation(self, check, zone=None):
        if zone is not None and check.params["dtype"] == "datetime":
            return ZONED_DATETIME
        return PANDAS_DTYPES[check.params["dtype"]][0]

    def field_args(self, check):
        return (("coerce", True),) if PANDAS_DTYPES[check.params["dtype"]][1] else ()

    def pandas_field_args(self, check, zone):
        if zone is not None and check.params["dtype"] == "datetime":
            return self.field_args(check) + (("dtype_kwargs", {"tz": zone}),)
        return self.field_args(check)

    def negatives(self, check, value_type):
        if value_type in ("category:str", "string"):
            return [("wrong_type", "replace_column", 12345)]
        return [("wrong_type", "replace_column", "not-a-" + value_type.split(":")[-1])]

    def schema_failure(self, check, schema):
        dtype, value_type = schema[check.column], check.params["dtype"]
        if not _matches(dtype, value_type):
            return Failure(check, None, observed=f"dtype {dtype}"), False
        # pandas stores an int column with nulls as float: whole values still count as int
        return None, value_type in ("int", "category:int") and dtype.is_float()

    def aggregates(self, check, x, name, frame):
        return [(x % 1 != 0).sum().alias(name)]

    def pushdown_aggregates(self, check, x, name, q):
        return [(name, q.count_if(q.fractional(x)))]

    def judge(self, check, row, name, frame):
        bad = row[name]
        if not bad:
            return None
        return Failure(check, None, observed=f"dtype {frame.schema[check.column]} with {bad} non-whole values")


def _matches(dtype, value_type: str) -> bool:
    """Schema-level answer; an int type on a float column is settled by the data (see ``schema_failure``)."""
    import polars as pl

    if dtype == pl.Null:
        return True  # an all-null column carries no type to contradict
    if value_type in ("category:str", "string"):
        return dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    if value_type == "bool":
        return dtype == pl.Boolean
    if value_type == "datetime":
        return isinstance(dtype, pl.Datetime) or dtype == pl.Date
    return dtype.is_numeric()


KIND = Dtype()
