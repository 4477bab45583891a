"""``present``: the column exists."""
from __future__ import annotations

from ..base import Check, ColumnKind, Failure


class Present(ColumnKind):
    name = "present"
    order = 10
    meaning = "the column exists"
    pandera_names = ("column_in_dataframe",)
    per_chunk = True
    blocks_column = True

    def build(self, source) -> list[Check]:
        return [Check(self.name, source.name, {}, source.environments)]

    def pandera_target(self, check_name, column, failure_case):
        return str(failure_case), None  # pandera names the missing column as the failure case

    def negatives(self, check, value_type):
        return [("missing", "drop_column", None)]

    def reads(self, check):
        return ()  # it reads no data: it asks whether the column is there

    def schema_failure(self, check, schema):
        return (None if check.column in schema else Failure(check, None, observed="column missing")), False


KIND = Present()
