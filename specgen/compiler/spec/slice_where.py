"""A slice's ``where`` expression, checked at compile against the spec's columns.

The runtime selects a slice with ``pandas.DataFrame.query(where, engine="python")``
(``specgen.runtime.contracts.slices.SliceFilter``). Compile parses the same text
with Python's ``ast`` and accepts only the operators that evaluator supports --
a whitelist, so a typo'd column or an operator pandas cannot evaluate is a spec
error at the ``where`` key [SG120], not a ``KeyError`` in pytest. The text is
parsed, never evaluated; names quoted in backticks (pandas' syntax for names
with spaces) are read as names.
"""
from __future__ import annotations

import ast
import difflib
import re

__all__ = ["where_problem", "OPERATORS"]

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
           ast.Pow: "**", ast.BitAnd: "&", ast.BitOr: "|"}
_UNARY = {ast.Not: "not", ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
            ast.In: "in", ast.NotIn: "not in"}
_BOOL = {ast.And: "and", ast.Or: "or"}
#: every operator a ``where`` may use (all of them evaluate in pandas' query, python engine)
OPERATORS = tuple(dict.fromkeys([*_COMPARE.values(), *_BOOL.values(), *_UNARY.values(), *_BINARY.values()]))
_OTHER_OPERATORS = {ast.RShift: ">>", ast.LShift: "<<", ast.BitXor: "^", ast.MatMult: "@", ast.Is: "is",
                    ast.IsNot: "is not"}
_BACKTICKS = re.compile(r"`([^`]*)`")
_PLACEHOLDER = "__specgen_quoted_{}__"


def where_problem(text: str, columns) -> str | None:
    """Why ``text`` is not a ``where`` over ``columns`` that the runtime can evaluate, or None."""
    quoted: list[str] = []

    def placeholder(match: re.Match) -> str:
        quoted.append(match.group(1))
        return _PLACEHOLDER.format(len(quoted) - 1)

    try:
        tree = ast.parse(_BACKTICKS.sub(placeholder, text).strip(), mode="eval")
    except SyntaxError as exc:
        return f"where {text!r} is not a valid expression ({exc.msg})"
    for node in ast.walk(tree):
        problem = _node_problem(node, quoted, columns)
        if problem:
            return f"where {text!r}: {problem}"
    return None


def _node_problem(node: ast.AST, quoted: list[str], columns) -> str | None:
    if isinstance(node, ast.Name):
        name = _name(node.id, quoted)
        if name not in columns:
            match = difflib.get_close_matches(name, list(columns), n=1, cutoff=0.6)
            hint = f"; did you mean {match[0]!r}?" if match else ""
            return f"column {name!r} is not declared in features or columns (nor the label){hint}"
        return None
    if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp)):
        return _operator_problem(type(node.op))
    if isinstance(node, ast.Compare):
        return next(filter(None, (_operator_problem(type(op)) for op in node.ops)), None)
    if isinstance(node, ast.Constant):
        ok = isinstance(node.value, (str, int, float, bool))
        return None if ok else f"the constant {node.value!r} is not supported (use numbers, text or True/False)"
    if isinstance(node, (ast.Expression, ast.List, ast.Tuple, ast.Load, *_UNARY, *_BOOL, *_BINARY, *_COMPARE)):
        return None
    what = type(node).__name__.lower()
    return (f"{what} is not supported; a where may use column names, numbers, text, lists and the "
            f"operators {' '.join(OPERATORS)}")


def _operator_problem(op: type) -> str | None:
    if op in _BINARY or op in _UNARY or op in _COMPARE or op in _BOOL:
        return None
    shown = _OTHER_OPERATORS.get(op, op.__name__)
    return f"the operator {shown!r} is not supported; use one of {' '.join(OPERATORS)}"


def _name(identifier: str, quoted: list[str]) -> str:
    match = re.fullmatch(_PLACEHOLDER.format(r"(\d+)"), identifier)
    return quoted[int(match.group(1))] if match else identifier
