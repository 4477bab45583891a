"""Validate stage: RawSpec -> Spec, every pydantic error located at file:line:col.

pydantic reports a ``loc`` path; we translate it through the positions the
loader recorded, name the key in dotted form, suggest the right key for typos
and give each kind of problem its stable code. All errors are reported at once.
"""
from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import Diagnostic, SpecError
from .load import RawSpec, format_path
from .spec import Spec
from .spec.data_source import LOCATION_TAGS

__all__ = ["validate"]

_CODES = {
    "extra_forbidden": "SG101",
    "missing": "SG102",
    "contradiction": "SG103",
    "invalid_name": "SG106",
}

#: keys an earlier spec used (dotted path, list indices dropped) -> what to write now
_RENAMED = {
    ("model", "baseline"): "did you mean 'beats_trivial'? (renamed: the margin over a trivial model; "
                           "'baseline' now means only the committed data statistics)",
}


def validate(raw: RawSpec) -> Spec:
    try:
        return Spec.model_validate(raw.data)
    except ValidationError as exc:
        diagnostics = [_diagnostic(raw, err) for err in exc.errors(include_url=False)]
    # pydantic skips model-level rules once a field fails; check them on the raw data too
    seen = {(d.path, d.code) for d in diagnostics}
    diagnostics += [d for d in _raw_cross_checks(raw) if (d.path, d.code) not in seen]
    diagnostics.sort(key=lambda d: (d.line or 0, d.column or 0, d.path))
    raise SpecError(diagnostics)


def _diagnostic(raw: RawSpec, err: dict) -> Diagnostic:
    # a rule on a whole section names the item it is about (``ctx["at"]``), so the error points there
    path = _data_path(raw.data, tuple(err["loc"]) + tuple(err.get("ctx", {}).get("at", ())))
    kind = err["type"]
    code = err.get("ctx", {}).get("code") or _CODES.get(kind, "SG104")  # a rule may carry its own code
    message = err["msg"]
    if kind == "extra_forbidden":
        message = f"unknown key {path[-1]!r}" + (_renamed(path) or _suggest(str(path[-1]),
                                                                          _allowed_keys(raw.data, path[:-1])))
    elif kind == "missing":
        message = f"missing required key {err['loc'][-1]!r}"
        path = path + (err["loc"][-1],) if path[-1:] != (err["loc"][-1],) else path
    elif kind == "literal_error" and path == ("spec_version",):
        code, message = "SG105", f"spec_version {err['input']!r} is not supported; this specgen reads spec_version 1"
    elif kind == "string_pattern_mismatch" and path == ("name",):
        code, message = "SG106", f"name {err['input']!r} must be snake_case: a lowercase letter, then a-z, 0-9 or _"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = err.get("ctx", {}).get("expected_tags", "")
        choices = [t.strip(" '") for t in str(tags).split(",") if t.strip()]
        given = err.get("ctx", {}).get("tag")
        if kind == "union_tag_not_found":
            message = f"missing key 'dtype' (one of {', '.join(choices)})"
            code = "SG102"
        else:
            message = f"dtype {given!r} is not one of {', '.join(choices)}" + _suggest(str(given), choices)
            path = path + ("dtype",)
    elif err["loc"] and err["loc"][-1] == "[key]":  # a mapping key of the wrong type, e.g. `1:` for a name
        path = path[:-1]
        hint = "; quote it to make it text" if kind == "string_type" else ""
        message = f"key {path[-1]!r}: {message}{hint}"
    elif kind == "contradiction" and err["msg"].startswith("label "):
        path = ("features", raw.data["data"]["label"])
    line, col = raw.position(path)
    return Diagnostic(str(raw.path), line, col, format_path(path), message, code)


def _raw_cross_checks(raw: RawSpec) -> list[Diagnostic]:
    data = raw.data
    features = data.get("features") if isinstance(data.get("features"), dict) else {}
    label = data.get("data", {}).get("label") if isinstance(data.get("data"), dict) else None
    if isinstance(label, str) and label in features:
        path = ("features", label)
        line, col = raw.position(path)
        msg = f"label {label!r} is also a feature; a model must not take its label as input"
        return [Diagnostic(str(raw.path), line, col, format_path(path), msg, "SG103")]
    return []


def _data_path(data: Any, loc: tuple) -> tuple:
    """Map pydantic's ``loc`` onto keys that exist in the YAML (drops union tags)."""
    out: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and node.get("dtype") == part or part in LOCATION_TAGS:
            continue  # the discriminator tag pydantic inserts into the loc
        elif part == "global_" and isinstance(node, dict) and "global" in node:
            out.append("global")
            node = node["global"]
        else:
            out.append(part)
            node = None
    return tuple(out)


def _renamed(path: tuple) -> str:
    """The hint for a key an earlier spec used (a close-spelling guess would not find it)."""
    hint = _RENAMED.get(tuple(p for p in path if not isinstance(p, int)))
    return f"; {hint}" if hint else ""


def _suggest(word: str, choices: typing.Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


def _allowed_keys(data: Any, path: tuple) -> list[str]:
    """Field names (by alias) of the model found at ``path`` in the spec."""
    annotation: Any = Spec
    node = data
    for part in path:
        annotation = _unwrap(annotation, node)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = _field_by_alias(annotation, part)
            annotation = field.annotation if field else None
        elif typing.get_origin(annotation) in (dict, list, tuple):
            annotation = typing.get_args(annotation)[-1]
        else:
            return []
        node = node.get(part) if isinstance(node, dict) else None
    annotation = _unwrap(annotation, node)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or name for name, f in annotation.model_fields.items()]
    return []


def _field_by_alias(model: type[BaseModel], key: Any):
    for name, field in model.model_fields.items():
        if (field.alias or name) == key:
            return field
    return None


def _unwrap(annotation: Any, node: Any) -> Any:
    """Strip Annotated/Optional; pick the union member whose ``dtype`` matches ``node``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(annotation) if m is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0], node)
        members = [_unwrap(m, None) for m in members]
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        dtype = node.get("dtype") if isinstance(node, dict) else None
        for member in models:
            field = member.model_fields.get("dtype")
            if field and dtype in typing.get_args(field.annotation):
                return member
        if isinstance(node, dict) and len(models) == 1:  # a path or a mapping (data.training): the mapping
            return models[0]
    return annotation
