"""Identifiers from untrusted names: valid, never keywords or pandera attributes, unique."""
from __future__ import annotations

import keyword

import pandera.pandas as pa
import pytest

from specgen.compiler.naming import RESERVED, identifier, param_id, unique_identifiers
from specgen.compiler.render import py_literal


@pytest.mark.parametrize("name, expected", [
    ("trip miles", "trip_miles"), ("1st", "f_1st"), ("class", "class_"), ("match", "match_"),
    ("validate", "validate_"), ("Config", "Config_"), ("_x", "x"), ("ünïcödé", "unicode"),
    ('x"); import os #', "x_import_os"), ("", "column"), ("...", "column"), ("a__b", "a_b"),
])
def test_identifier(name, expected):
    assert identifier(name) == expected
    assert expected.isidentifier() and not keyword.iskeyword(expected)


def test_unique_identifiers_deduplicate_in_order():
    assert unique_identifiers(["a b", "a-b", "a_b"]) == {"a b": "a_b", "a-b": "a_b_2", "a_b": "a_b_3"}


def test_reserved_covers_public_dataframemodel_attributes():
    public = {name for name in dir(pa.DataFrameModel) if not name.startswith("_")}
    assert public <= RESERVED, sorted(public - RESERVED)


def test_test_ids_replace_control_characters():
    assert param_id("a\nb", "range") == "a?b-range"


@pytest.mark.parametrize("value", ['x"); import os #', "a'''b\"\"\"c", "\u2028", "\\", 1.5, -3, None, True,
                                   ["a", ("b",)], {"k": [1, 2.5]}])
def test_py_literal_round_trips(value):
    import ast
    assert ast.literal_eval(py_literal(value)) == value


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object()])
def test_py_literal_refuses_what_it_cannot_render(value):
    with pytest.raises((TypeError, ValueError)):
        py_literal(value)
