"""``relation``: a comparison between two columns holds on every row (``dataset.relations``).

A relation is written ``left OP right``: two column names and one of
``< <= > >= == !=``. A name that is not a plain identifier (letters, digits,
``_``, ``.``) is quoted with backticks, double or single quotes. It is parsed by
the small grammar below, never evaluated. A row with a null (or NaN) on either
side is not a violation: nullability is the ``not_null``/``null_fraction``
checks' job. Order comparisons need numbers or datetimes on both sides;
``==``/``!=`` also accept two text or two bool columns.
"""
from __future__ import annotations

import operator
import re

from ... import timezones
from ..base import Check, RowKind

OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
             "==": operator.eq, "!=": operator.ne}
_NAME = r"""`([^`]+)`|"([^"]+)"|'([^']+)'|([A-Za-z_][A-Za-z0-9_.]*)"""
_GRAMMAR = re.compile(rf"\s*(?:{_NAME})\s*(<=|>=|==|!=|<|>)\s*(?:{_NAME})\s*")
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_ORDERED = ("number", "datetime")
#: value type -> what it compares with
_CLASS = {"int": "number", "float": "number", "category:int": "number", "datetime": "datetime",
          "string": "text", "category:str": "text", "bool": "bool"}


def parse(text: str) -> tuple[str, str, str]:
    """``'bill_length_mm > bill_depth_mm'`` -> ``('bill_length_mm', '>', 'bill_depth_mm')``; ValueError otherwise."""
    match = _GRAMMAR.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{text!r} is not a relation 'column OP column' with OP one of "
                         f"{', '.join(OPERATORS)} (quote a name with spaces in backticks)")
    groups = match.groups()
    left = next(g for g in groups[0:4] if g is not None)
    right = next(g for g in groups[5:9] if g is not None)
    if left == right:
        raise ValueError(f"{text!r} compares {left!r} with itself")
    return left, groups[4], right


def incompatible(left_type: str, op: str, right_type: str) -> str | None:
    """Why two columns of these value types cannot be compared with ``op`` (None: they can)."""
    left, right = _CLASS.get(left_type), _CLASS.get(right_type)
    if left is None or left != right:
        return f"cannot compare {left_type} with {right_type}"
    if op not in ("==", "!=") and left not in _ORDERED:
        return f"{op} needs numbers or datetimes, not {left_type}; use == or !="
    return None


def show(left: str, op: str, right: str) -> str:
    """The relation as text, names quoted only when they must be."""
    return f"{_show(left)} {op} {_show(right)}"


def _show(name: str) -> str:
    if _PLAIN.fullmatch(name):
        return name
    return f"`{name}`" if "`" not in name else repr(name)


def relation(frame, left: str, op: str, right: str):
    """pandas: True on rows where the relation holds or either side is null."""
    import pandas as pd

    ok = pd.Series(True, index=frame.index)
    if left not in frame.columns or right not in frame.columns:
        return ok  # a missing column is reported as missing
    # instants compare as naive UTC: a zoned column is aware in pandas, an unzoned one naive (io.read_pandas)
    a, b = timezones.pandas_utc(frame[left], None), timezones.pandas_utc(frame[right], None)
    if _pandas_class(a) != _pandas_class(b):
        return ok  # a column of the wrong type is reported by its dtype check
    both = (a.notna() & b.notna()).to_numpy()
    ok[both] = OPERATORS[op](a[both], b[both]).astype(bool)
    return ok


def relations(frame, relations: list[list[str]]):
    """pandas: True on rows where every relation (``[left, op, right]``) holds.

    One registered pandera check for all of a schema's relations: a ``DataFrameModel``'s
    ``Config`` holds one entry per check name. ``failing_relations`` tells which one broke.
    """
    import pandas as pd

    ok = pd.Series(True, index=frame.index)
    for left, op, right in relations:
        ok &= relation(frame, left, op, right)
    return ok


def failing_relations(frame, relations: list[list[str]], index) -> list[str]:
    """The relations (as ``show`` writes them) that fail on row ``index`` of ``frame``: what
    pandera's report of the one ``relations`` check cannot say."""
    row = frame.loc[[index]]
    return [show(*parts) for parts in relations if not bool(relation(row, *parts).iloc[0])]


def _pandas_class(series) -> str:
    from pandas.api import types as t

    if t.is_bool_dtype(series.dtype):
        return "bool"
    if t.is_numeric_dtype(series.dtype):
        return "number"
    if t.is_datetime64_any_dtype(series.dtype):
        return "datetime"
    return "text"


def break_relation(frame, target, relation_parts):
    """Change ``left`` on the first row with both values so that the relation fails there."""
    import pandas as pd

    left, op, right = relation_parts
    rows = (frame[left].notna() & frame[right].notna()).to_numpy().nonzero()[0]
    if not len(rows):
        return frame
    i, value = rows[0], frame[right].iloc[rows[0]]
    if isinstance(frame[left].dtype, pd.CategoricalDtype):
        frame[left] = frame[left].astype(object)
    column = frame[left].copy()
    column.iloc[i] = timezones.pandas_like(column, _breaking(op, timezones.pandas_like(frame[left], value)))
    frame[left] = column
    return frame


def _breaking(op: str, value):
    """A left-hand value for which ``left op value`` is false."""
    import pandas as pd

    if op in ("<", ">", "!="):
        return value  # equal fails <, > and !=
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return not value  # only == reaches here for bools
    if isinstance(value, str):
        return value + "_"  # == on text
    step = pd.Timedelta(days=1) if isinstance(value, pd.Timestamp) else 1
    return value + step if op in ("<=", "==") else value - step


class Relation(RowKind):
    name = "relation"
    level = "dataset"
    group = "feature"  # one test per relation beside the column tests: it checks rows, not the batch
    order = 215
    meaning = "a comparison between two columns holds on every row (nulls skipped)"
    pandera_names = ("relation", "relations")
    pandas_functions = {"relation": relation, "relations": relations}
    splits_failures = ("relations",)
    mutations = {"break_relation": break_relation}

    def build_dataset(self, spec, columns) -> list[Check]:
        envs = {c.name: c.environments for c in columns}
        out = []
        for text in getattr(spec.dataset, "relations", ()):
            left, op, right = parse(text)
            both = tuple(e for e in envs[left] if e in envs[right])
            out.append(Check(self.name, None, {"left": left, "op": op, "right": right}, both))
        return out

    def target(self, check):
        p = check.params
        return show(p["left"], p["op"], p["right"])

    def test_id(self, check):
        return (self.target(check), self.name)

    def describe(self, check):
        return f"{self.target(check)} on every row with both values"

    def schema_config(self, checks, names):
        return (("relations", {"relations": [[c.params["left"], c.params["op"], c.params["right"]]
                                             for c in checks]}),)

    def pandera_target(self, check_name, column, failure_case):
        return check_name[len("relation("):-1], failure_case  # a check per relation (polars): named by it

    def pandera_targets(self, statistics, frame, index, failure_case):
        parts = statistics["relations"]
        if index is None or frame is None or index not in frame.index:  # the check raised: no row to look at
            return [(show(*p), failure_case) for p in parts]
        return [(text, failure_case) for text in failing_relations(frame, parts, index)]

    def negatives(self, check, value_type):
        p = check.params
        return [("violated", "break_relation", [p["left"], p["op"], p["right"]])]

    def reads(self, check):
        return (check.params["left"], check.params["right"])

    def schema_failure(self, check, schema):
        p = check.params
        comparable = _polars_class(schema[p["left"]]) == _polars_class(schema[p["right"]])
        return None, comparable  # a column of the wrong type is reported by its dtype check

    def violation(self, check, x, frame):
        p = check.params
        a, b = frame.value(p["left"]), frame.value(p["right"])
        return (a.is_not_null() & b.is_not_null() & ~OPERATORS[p["op"]](a, b)).fill_null(False)

    def pushdown_violation(self, check, x, q):
        p = check.params
        a, b = q.value(p["left"]), q.value(p["right"])
        return q.is_not_null(a) & q.is_not_null(b) & ~OPERATORS[p["op"]](a, b)


def _polars_class(dtype) -> str:
    import polars as pl

    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_numeric():
        return "number"
    if dtype.is_temporal():
        return "datetime"
    return "text"


KIND = Relation()
