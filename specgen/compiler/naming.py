"""Turn untrusted column names into safe, stable Python identifiers and test ids.

A name from the spec never reaches generated Python except as a ``repr``
literal (see ``render.py``) or through ``identifier`` below, which keeps only
ASCII letters, digits and underscores, so nothing in a name can execute.
"""
from __future__ import annotations

import keyword
import re
import unicodedata

__all__ = ["identifier", "unique_identifiers", "param_id", "camel", "RESERVED"]

# Attributes of pandera.DataFrameModel (and its Config): a column attribute must not
# shadow them. tests/unit/test_naming.py checks this list against pandera itself.
RESERVED = frozenset({
    "Config", "build_schema_", "empty", "example", "get_metadata", "pydantic_validate",
    "strategy", "from_json", "from_yaml", "to_json", "to_json_schema", "to_schema", "to_yaml", "validate",
    "__config__", "__extras__", "__fields__", "__checks__", "__root_checks__",
    "__schema__", "__dataframe_checks__", "__parsers__", "__root_parsers__",
    "__dataframe_parsers__", "__metadata__", "__annotations__", "__doc__", "__module__",
    "Any", "Series", "pa", "checks",
    # modules the generated schemas (pandas, polars, pyspark) name inside a class body
    "pandas_checks", "pd", "pl", "T", "datetime",
})


def identifier(name: str) -> str:
    """``'trip miles (km)'`` -> ``'trip_miles_km'``; never a keyword, never private."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^0-9A-Za-z_]+", "_", text).strip("_")
    text = re.sub(r"_+", "_", text)
    if not text:
        text = "column"
    if text[0].isdigit():
        text = f"f_{text}"
    if keyword.iskeyword(text) or keyword.issoftkeyword(text) or text in RESERVED:
        text = f"{text}_"
    return text


def unique_identifiers(names: list[str]) -> dict[str, str]:
    """Map each name to an identifier, de-duplicated in order (``x``, ``x_2``, ...)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        base = identifier(name)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        out[name] = candidate
    return out


def param_id(*parts: object) -> str:
    """A pytest id from real names: control characters become ``?``, parts join with ``-``."""
    return "-".join(re.sub(r"[\x00-\x1f\x7f]", "?", str(p)) for p in parts)


def camel(name: str) -> str:
    """``fraud_v2`` -> ``FraudV2``: the prefix of a spec's alert names."""
    return "".join(part.capitalize() for part in name.split("_") if part)
