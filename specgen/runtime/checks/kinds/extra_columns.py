"""``extra_columns``: no columns beyond those declared (``dataset.extra_columns: error``)."""
from __future__ import annotations

from ..base import Check, DatasetKind, Failure

_UNSEEN = "__specgen_unseen__"
N_EXAMPLES = 5


class ExtraColumns(DatasetKind):
    name = "extra_columns"
    order = 220
    meaning = "no columns beyond those declared"
    pandera_names = ("column_in_schema",)
    per_chunk = True

    def build_dataset(self, spec, columns) -> list[Check]:
        if spec.dataset.extra_columns != "error":
            return []
        return [Check(self.name, None, {"columns": [c.name for c in columns if env in c.environments]}, (env,))
                for env in ("training", "serving")]

    def schema_config(self, checks, names):
        return (("strict", True),)

    def negatives(self, check, value_type):
        return [("undeclared", "add_column", _UNSEEN)]

    def judge(self, check, row, name, frame):
        declared = set(check.params["columns"])
        extra = [c for c in frame.schema if c not in declared]
        if not extra:
            return None
        return Failure(check, None, tuple(extra[:N_EXAMPLES]), observed=f"{len(extra)} undeclared")

    def allow_columns(self, check, names):
        extra = [n for n in names if n not in check.params["columns"]]
        if not extra:
            return check
        return Check(check.kind, check.column, {"columns": [*check.params["columns"], *extra]}, check.environments)


KIND = ExtraColumns()
