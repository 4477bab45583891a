"""Feature engineering (``transforms``) and cached batch predictions (``predictions``)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictInt, StrictStr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .common import Bounds, Entrypoint, SliceName, _check_bounds, _Model, contradiction
from .data import _data_format

__all__ = ["Transforms", "TransformOutput", "Predictions", "PredictionColumn"]


_OUTPUT_PATTERN = r"^[^\x00-\x1f\x7f]{1,200}$"


class TransformOutput(_Model):
    kind: Literal["onehot", "zscore", "minmax", "clip", "bucketize", "log", "range"] = Field(
        description="onehot | zscore | minmax | clip | bucketize | log | range.")
    range: Bounds | None = Field(None, description="[min, max] (clip and range: required; log: optional).")
    buckets: Annotated[int, Field(ge=1)] | None = Field(None, description="Number of buckets (bucketize).")
    tolerance: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        0.05, description="zscore: largest |mean| and |std - 1| on the training data.")

    _range = field_validator("range")(lambda v: _check_bounds(v))

    @model_validator(mode="after")
    def _needs(self):
        if self.kind in ("clip", "range") and (self.range is None or self.range == (None, None)):
            raise contradiction(f"kind {self.kind} needs range: [min, max]")
        if self.kind == "bucketize" and self.buckets is None:
            raise contradiction("kind bucketize needs buckets: n")
        if self.buckets is not None and self.kind != "bucketize":
            raise contradiction(f"buckets is for kind bucketize, not {self.kind}")
        if self.range is not None and self.kind not in ("clip", "range", "log"):
            raise contradiction(f"range is for kinds clip, range and log, not {self.kind}")
        return self


class Transforms(_Model):
    when: Literal["before_training", "during_training"] = Field(
        description="before_training: features are computed and stored (skew risk); "
                    "during_training: the same code runs in training and serving.")
    entrypoint: Entrypoint = Field(description="module:function, the training path: DataFrame -> DataFrame.")
    serving_entrypoint: Entrypoint | None = Field(
        None, description="module:function, the serving (online) path; when given, a parity test "
                          "feeds both paths the same raw rows.")
    paths: list[str] = Field(default_factory=lambda: ["."],
                             description="Directories (relative to the spec) to import entrypoints from.")
    tolerance: Annotated[float, Field(ge=0, allow_inf_nan=False)] = Field(
        1e-6, description="Largest |training - serving| feature difference the parity test allows.")
    outputs: Annotated[dict[Annotated[str, Field(pattern=_OUTPUT_PATTERN)], TransformOutput],
                       Field(min_length=1)] = Field(
        description="Output column, or glob pattern such as payment_type_*, -> its kind and checks.")

    @model_validator(mode="after")
    def _onehot_groups(self):
        for name, out in self.outputs.items():
            if out.kind != "onehot" and any(ch in name for ch in "*?["):
                raise contradiction(f"output {name!r}: glob patterns name onehot groups only")
        for pattern, other, shared in _overlapping_outputs(list(self.outputs)):
            raise PydanticCustomError(
                "output_overlap", "{message}",
                {"message": f"output pattern {pattern!r} also matches the columns of output {other!r}: a column "
                            f"such as {shared!r} would count in both groups; rename one group or "
                            "narrow the pattern", "at": ("outputs", pattern), "code": "SG121"})
        return self


def _tokens(pattern: str) -> list:
    """A glob as tokens: ``"*"``, or (negated, characters) for ``?`` (negated, empty), ``[...]`` and literals."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        close = pattern.find("]", i + 2) if ch == "[" else -1
        if ch == "*":
            out.append("*")
        elif ch == "?":
            out.append((True, frozenset()))
        elif close != -1:
            body = pattern[i + 1:close]
            out.append((body.startswith("!"), frozenset(body[1:] if body.startswith("!") else body)))
            i = close
        else:
            out.append((False, frozenset(ch)))
        i += 1
    return out


def _common_char(a, b) -> str | None:
    """A character both single-character tokens accept, or None."""
    (neg_a, set_a), (neg_b, set_b) = a, b
    if not neg_a and not neg_b:
        chars = set_a & set_b
    elif neg_a != neg_b:
        chars = (set_b - set_a) if neg_a else (set_a - set_b)
    else:
        return next(c for c in "x0_aA" + "".join(set_a | set_b) + "\x01" if c not in set_a | set_b)
    return min(chars) if chars else None


def _shared_column(p: str, q: str) -> str | None:
    """A column name both globs match (fnmatch semantics), or None: a search over pairs of positions."""
    a, b = _tokens(p), _tokens(q)
    seen, stack = set(), [(0, 0, "")]
    while stack:
        i, j, text = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return text
        if i < len(a) and a[i] == "*":
            stack.append((i + 1, j, text))  # the star matches nothing more
            if j < len(b) and b[j] != "*":
                ch = _common_char((True, frozenset()), b[j])
                stack.append((i, j + 1, text + ch))  # the star absorbs q's next character
        if j < len(b) and b[j] == "*":
            stack.append((i, j + 1, text))
            if i < len(a) and a[i] != "*":
                stack.append((i + 1, j, text + _common_char(a[i], (True, frozenset()))))
        if i < len(a) and j < len(b) and a[i] != "*" and b[j] != "*":
            ch = _common_char(a[i], b[j])
            if ch is not None:
                stack.append((i + 1, j + 1, text + ch))
    return None


def _overlapping_outputs(names: list[str]):
    """(pattern, other output, a column both match) where the glob ``pattern`` matches a column of the other."""
    for pattern in names:
        if not any(ch in pattern for ch in "*?["):
            continue
        for other in names:
            shared = _shared_column(pattern, other) if other != pattern else None
            if shared is not None:
                yield pattern, other, shared


class PredictionColumn(_Model):
    range: Bounds | None = Field(None, description="[min, max] of a numeric prediction.")
    values: list[StrictStr | StrictInt] | None = Field(None, description="Allowed predicted classes.")

    _range = field_validator("range")(lambda v: _check_bounds(v))

    @model_validator(mode="after")
    def _one(self):
        if self.range is not None and self.values is not None:
            raise contradiction("give range (numeric) or values (classes), not both")
        return self


class Predictions(_Model):
    path: str = Field(description="The cached prediction table (CSV or Parquet), relative to the spec.")
    inputs: str | None = Field(None, description="The rows that must have predictions (default data.serving).")
    key: list[str] = Field(default_factory=list, description="Key columns (default data.key).")
    columns: Annotated[dict[str, PredictionColumn], Field(min_length=1)] = Field(
        description="Prediction column -> {range} or {values}.")
    probabilities: list[str] = Field(default_factory=list,
                                     description="Class probability columns: each in [0, 1], each row sums to 1.")
    tolerance: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        1e-6, description="Largest |row sum of probabilities - 1|.")
    rare_slices: list[SliceName] = Field(
        default_factory=list, description="Slices (from slices:) whose input rows must all have predictions.")

    @field_validator("path", "inputs")
    @classmethod
    def _supported_format(cls, value):
        return _data_format(value)
