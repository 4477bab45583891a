"""What every section of the spec model shares: the base model, number and name types, bounds and durations.

Cross-field rules that make a spec contradictory raise ``PydanticCustomError``
of type ``contradiction`` so the validate stage can give them their own code.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.functional_validators import BeforeValidator
from pydantic_core import PydanticCustomError

from ...runtime.durations import parse_duration

__all__ = [
    "Number", "Environment", "NAME_PATTERN", "Bounds", "ENTRYPOINT_PATTERN", "Entrypoint", "SliceName",
    "contradiction", "parse_duration",
]


def _not_bool(value):
    # YAML reads true/false/yes/no/on/off as booleans, and pydantic would take them as 1 and 0
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", "Input should be a number, not a boolean ({value})",
                                  {"value": str(value).lower()})
    return value


Number = Annotated[float, BeforeValidator(_not_bool), Field(allow_inf_nan=False)]
Environment = Literal["training", "serving"]
NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"


def contradiction(message: str) -> PydanticCustomError:
    return PydanticCustomError("contradiction", message)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_bounds(value, what: str = "range"):
    if value is None:
        return value
    lo, hi = value
    if lo is not None and hi is not None and lo > hi:
        raise contradiction(f"{what}: lower bound {_fmt(lo)} is above upper bound {_fmt(hi)}")
    return value


def _fmt(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


Bounds = tuple[Number | None, Number | None]
ENTRYPOINT_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
Entrypoint = Annotated[str, Field(pattern=ENTRYPOINT_PATTERN)]
SliceName = Annotated[str, Field(pattern=NAME_PATTERN)]


def _check_duration(value):
    if value is not None:
        try:
            parse_duration(value)
        except ValueError as exc:
            raise PydanticCustomError("value_error", str(exc)) from None
    return value
