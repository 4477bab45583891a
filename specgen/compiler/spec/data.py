"""The data the tests read: ``seeds``, ``data`` and the dataset-level checks (``dataset``, incl. relations)."""
from __future__ import annotations

import difflib
import os
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from ...runtime.checks.kinds import relation as _relation
from .common import _check_bounds, _Model
from .data_source import DataLocation, SqlSource

__all__ = ["Seeds", "Data", "DatasetChecks", "SqlSource", "DataLocation"]


class Seeds(_Model):
    global_: int = Field(0, alias="global", ge=0, le=2**32 - 1,
                         description="Seed for every RNG the generated tests touch (numpy accepts 0 to 2**32-1).")
    split_salt: str | None = Field(None, description="Salt for hash-based splits (default: the spec name).")
    rotate_daily: bool = Field(False, description="Add the date to split hashes so each day tests a fresh sample.")


def _data_format(value):
    """A .csv/.csv.gz/.csv.zst/.parquet file, a glob of them, or a directory (written with a trailing /)."""
    if value is not None and not (value.lower().endswith(_DATA_SUFFIXES) or value.endswith("/") or value == "-"
                                  or any(c in value for c in "*?[")):
        raise PydanticCustomError("value_error", "{path!r}: data must be a .csv, .csv.gz, .csv.zst or .parquet "
                                  "file, a glob of them, a directory ending in /, or - (standard input)", {"path": value})
    return value


_DATA_SUFFIXES = (".csv", ".csv.gz", ".csv.zst", ".parquet", ".pq")


class Data(_Model):
    training: DataLocation = Field(
        description="Training data (CSV or Parquet: a file, a glob, a directory ending in /, .csv.gz/.csv.zst, "
                    "or - for standard input), relative to the spec file; or a table or query in a database: "
                    "{sql: 'SELECT ...', url_env: TRAINING_DB_URL} or {table: NAME, url: 'duckdb://data/train.duckdb'}.")
    serving: DataLocation | None = Field(None, description="A sample of serving data, relative to the spec file "
                                                           "(or a table or query in a database, as data.training).")
    evaluation: DataLocation | None = Field(
        None, description="Held-out evaluation data (CSV or Parquet, with the label), relative to the spec file: "
                          "the model, slice and vs-serving tests score on it and train on all of data.training; "
                          "without it they use a hash split of data.training (model.eval_fraction).")
    label: str | None = Field(None, description="The label column (absent from serving data).")
    key: list[str] = Field(default_factory=list, description="Columns that identify a row.")

    @field_validator("training", "serving", "evaluation")
    @classmethod
    def _supported_format(cls, value):
        return value if isinstance(value, SqlSource) else _data_format(value)

    @field_validator("evaluation")
    @classmethod
    def _held_out(cls, value, info: ValidationInfo):
        training = info.data.get("training")
        if value is not None and training is not None and _same(value, training):
            raise PydanticCustomError("contradiction", "data.evaluation is data.training: the evaluation rows must "
                                      "be held out from training (omit evaluation to use a hash split)")
        return value


def _same(a, b) -> bool:
    if isinstance(a, SqlSource) or isinstance(b, SqlSource):
        return a == b
    return os.path.normpath(a) == os.path.normpath(b)


def _relation_syntax(text: str) -> str:
    try:
        _relation.parse(text)
    except ValueError as exc:
        raise _relation_error(str(exc)) from None
    return text


def _relation_error(message: str, at: tuple = ()) -> PydanticCustomError:
    """A relation problem [SG107]; ``at`` locates it below the field that raised it."""
    return PydanticCustomError("relation", "{message}", {"message": message, "at": at, "code": "SG107"})


def _did_you_mean(name: str, choices) -> str:
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


class DatasetChecks(_Model):
    rows: tuple[Annotated[int, Field(ge=0)] | None, Annotated[int, Field(ge=0)] | None] | None = Field(
        None, description="[min, max] row count of a batch; either end may be null.")
    extra_columns: Literal["error", "ignore"] = Field(
        "error", description="What to do with columns the spec does not declare.")
    key_unique: bool = Field(True, description="The data.key columns identify each row uniquely.")
    relations: list[Annotated[str, AfterValidator(_relation_syntax)]] = Field(
        default_factory=list,
        description="Comparisons between two declared columns that hold on every row, e.g. 'start <= end': "
                    "column OP column, OP one of < <= > >= == !=; quote names with spaces in backticks. "
                    "A row with a null on either side passes.")

    _rows = field_validator("rows")(lambda v: _check_bounds(v, "rows"))

    @field_validator("relations")
    @classmethod
    def _listed_once(cls, value):
        seen = set()
        for i, text in enumerate(value):
            parsed = _relation.parse(text)
            if parsed in seen:
                raise _relation_error(f"relation {text!r} is listed twice", (i,))
            seen.add(parsed)
        return value

    def check_relations(self, columns: dict[str, Any]) -> None:
        """Every relation names two declared columns whose types compare with its operator."""
        for i, text in enumerate(self.relations):
            left, op, right = _relation.parse(text)
            for name in (left, right):
                if name not in columns:
                    raise _relation_error(f"relation {text!r} names {name!r}, which is not declared in features "
                                          f"or columns{_did_you_mean(name, columns)}", ("relations", i))
            why = _relation.incompatible(columns[left].value_type, op, columns[right].value_type)
            if why is not None:
                raise _relation_error(f"relation {text!r}: {why}", ("relations", i))
