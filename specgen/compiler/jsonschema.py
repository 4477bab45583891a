"""The spec's published JSON Schema (draft-07, what editors and SchemaStore read)."""
from __future__ import annotations

import json

from .spec import Spec

__all__ = ["spec_json_schema", "dumps", "SCHEMA_ID"]

SCHEMA_ID = "https://specgen.dev/schema/spec-v1.json"


def spec_json_schema() -> dict:
    schema = Spec.model_json_schema(ref_template="#/definitions/{model}", by_alias=True)
    schema["definitions"] = schema.pop("$defs", {})
    schema = _draft07(schema)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["$id"] = SCHEMA_ID
    return schema


def _draft07(node):
    """Rewrite the few 2020-12 keywords pydantic emits into their draft-07 forms."""
    if isinstance(node, dict):
        node = {k: _draft07(v) for k, v in node.items()}
        if "prefixItems" in node:
            node["items"] = node.pop("prefixItems")
            node["additionalItems"] = False
        return node
    if isinstance(node, list):
        return [_draft07(v) for v in node]
    return node


def dumps() -> str:
    return json.dumps(spec_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
