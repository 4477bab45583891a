"""The spec's published JSON Schema (draft-07, what editors and SchemaStore read).

JSON Schema patterns are ECMA-262 regular expressions (check-jsonschema and
editors compile them so), not Python's: every ``pattern`` the spec model
declares must mean the same in both (no ``\\"``-style identity escapes, no
``(?P<name>``, ``\\Z``, inline flags); ``tests/unit/test_json_schema.py``
compiles each one with an ECMA engine.

A datetime in the spec (a ``range`` bound) is what YAML or pydantic reads as
one: a date (``2011-04-02``, what ``infer`` writes), a date-time with or
without a zone, ``T`` or a space between. JSON Schema's ``format: date-time``
(RFC 3339) requires both the time and the zone, so such a value is published
as a string matching ``ISO_DATETIME`` instead.
"""
from __future__ import annotations

import json

from .spec import Spec

__all__ = ["spec_json_schema", "dumps", "SCHEMA_ID", "ISO_DATETIME"]

SCHEMA_ID = "https://specgen.dev/schema/spec-v1.json"

#: a date, or a date and time (seconds and fraction optional) with an optional zone
ISO_DATETIME = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
                r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$")


def spec_json_schema() -> dict:
    schema = Spec.model_json_schema(ref_template="#/definitions/{model}", by_alias=True)
    schema["definitions"] = schema.pop("$defs", {})
    schema = _draft07(schema)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["$id"] = SCHEMA_ID
    return schema


def _draft07(node):
    """Rewrite the few 2020-12 keywords pydantic emits into their draft-07 forms, and datetimes
    into what a spec may hold (see the module's docstring)."""
    if isinstance(node, dict):
        node = {k: _draft07(v) for k, v in node.items()}
        if "prefixItems" in node:
            node["items"] = node.pop("prefixItems")
            node["additionalItems"] = False
        if node.get("format") == "date-time":
            del node["format"]
            node["pattern"] = ISO_DATETIME
        return node
    if isinstance(node, list):
        return [_draft07(v) for v in node]
    return node


def dumps() -> str:
    return json.dumps(spec_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
