"""Formulas of derived phenotypes: arithmetic over named values, parsed, never eval'd.

``weight / (height / 100) ** 2`` is parsed with Python's ``ast`` and only numbers, the
declared variable names, ``+ - * / **`` and unary minus are accepted; evaluation walks the
tree with numpy-compatible operands, so one formula computes a whole column at once.
"""

from __future__ import annotations

import ast
import operator
from typing import Any

OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


class FormulaError(ValueError):
    """A formula that uses anything but numbers, its variables and + - * / **."""


def _check(node: ast.AST, names: set[str]) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body, names)
    elif isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        _check(node.left, names)
        _check(node.right, names)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        _check(node.operand, names)
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return
    elif isinstance(node, ast.Name):
        if node.id not in names:
            raise FormulaError(
                f"{node.id!r} is not one of the variables ({', '.join(sorted(names))})"
            )
    else:
        raise FormulaError(f"{ast.unparse(node)!r}: only numbers, variables and + - * / ** allowed")


def parse_formula(text: str, names: set[str]) -> ast.Expression:
    """The checked syntax tree of ``text`` over the variables ``names``."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise FormulaError(f"{text!r} is not a formula: {error.msg}") from error
    _check(tree, names)
    return tree


def evaluate(tree: ast.AST, values: dict[str, Any]) -> Any:
    """The formula's value for ``values`` (numbers or whole columns)."""
    if isinstance(tree, ast.Expression):
        return evaluate(tree.body, values)
    if isinstance(tree, ast.BinOp):
        return OPERATORS[type(tree.op)](evaluate(tree.left, values), evaluate(tree.right, values))
    if isinstance(tree, ast.UnaryOp):
        return -evaluate(tree.operand, values)
    if isinstance(tree, ast.Constant):
        return tree.value
    return values[tree.id]
