"""What a Lua literal means: the value of a literal expression read from the syntax tree (nil,
booleans, numbers as Lua reads them, strings with their escapes, tables), and the comparable form of a
value that edits and checks use."""

from __future__ import annotations

import math
import re
from typing import Any

from jitsi_secure._core.document import Computed
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.lua._lexer import decode_short_string
from jitsi_secure.formats.lua._tree import Node

__all__ = ["LuaExpression", "canonical", "literal_value", "number_value", "string_value", "table_value"]

_LONG_OPEN = re.compile(r"\[(=*)\[")
_LINE_BREAKS = re.compile(r"\r\n|\n\r|\r|\n")
_INT64 = 1 << 64


#: The earlier name of :class:`~jitsi_secure.formats.Computed` for Lua (``.source`` still reads).
LuaExpression = Computed


def literal_value(node: Node, text: str) -> ConfigValue | LuaExpression:
    """The value of ``node`` if it is a literal (nil, booleans, numbers, strings, ``-number``, tables of
    literals), else a :class:`LuaExpression` holding its source text."""
    value = _literal(node, text)
    return LuaExpression(text[node.start : node.end]) if value is _NOT_LITERAL else value


_NOT_LITERAL: Any = object()


def _literal(node: Node, text: str) -> Any:
    kind = node.kind
    if kind == "string":
        return string_value(node.value)
    if kind == "number":
        return number_value(node.value)
    if kind in ("true", "false"):
        return kind == "true"
    if kind == "nil":
        return None
    if kind == "unop" and node.value == "-" and node.items[0].kind == "number":
        number = number_value(node.items[0].value)
        # Lua integer negation wraps around like the two's complement it is.
        return -number if isinstance(number, float) else _wrap(-number)
    if kind == "table":
        return _table(node, text)
    return _NOT_LITERAL


def _table(node: Node, text: str) -> Any:
    # Lua stores keyed fields as it meets them and positional ones in a batch afterwards (SETLIST), so a
    # positional value wins over an explicit [i] key whatever their order.
    table: dict[Any, Any] = {}
    positional: list[Any] = []
    for field in node.fields:
        value = _literal(field.value, text)
        if value is _NOT_LITERAL:
            return _NOT_LITERAL
        if field.kind == "pos":
            positional.append(value)
        elif field.kind == "name":
            table[field.name] = value
        else:
            assert field.key is not None
            key = _literal(field.key, text)
            if key is _NOT_LITERAL or key is None or isinstance(key, dict | list):
                return _NOT_LITERAL
            if isinstance(key, float):
                if math.isnan(key):
                    return _NOT_LITERAL
                if key.is_integer():
                    key = int(key)  # Lua normalises float keys with an integral value
            table[key] = value
    for index, value in enumerate(positional, start=1):
        table[index] = value
    return table_value(table)


def table_value(table: dict[Any, Any]) -> ConfigValue:
    """A Lua table as Prosody's tools print it: a list when its keys are exactly 1..n (an empty table
    is an empty list), otherwise a dict with ``tostring`` keys; nil values are absent."""
    items = {k: v for k, v in table.items() if v is not None}
    n = len(items)
    if all(isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= n for k in items):
        return [items[i] for i in range(1, n + 1)]
    return {_key_string(k): v for k, v in items.items()}


def _key_string(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        return _lua_float_string(key)
    return str(key)


def _lua_float_string(value: float) -> str:
    """``tostring`` of a Lua float (``%.14g``, with ``.0`` added when it looks like an integer)."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if math.isnan(value):
        return "nan" if math.copysign(1.0, value) > 0 else "-nan"
    out = f"{value:.14g}"
    return out if any(c in out for c in ".en") else out + ".0"


def _wrap(value: int) -> int:
    value %= _INT64
    return value - _INT64 if value >= 1 << 63 else value


def number_value(numeral: str) -> int | float:
    """The value of a Lua numeral (validated by the lexer) with Lua 5.4's rules: hexadecimal integers
    wrap around modulo 2^64, decimal integers that do not fit 64 bits become floats."""
    lower = numeral.lower()
    if lower.startswith("0x"):
        if "." in lower or "p" in lower:
            body = lower if "p" in lower else lower + "p0"
            return float.fromhex(body)
        return _wrap(int(lower, 16))
    if "." in lower or "e" in lower or "n" in lower:
        return float(lower)
    value = int(lower)
    return value if value < 1 << 63 else float(lower)


def string_value(token: str) -> str:
    """The value of a string token, quoted or long-bracketed."""
    if token[0] in "\"'":
        return decode_short_string(token)
    m = _LONG_OPEN.match(token)
    assert m is not None
    level = len(m.group(1))
    body = token[m.end() : len(token) - level - 2]
    # A line break right after the opening bracket is not part of the string; every line break inside
    # reads as "\n".
    first = _LINE_BREAKS.match(body)
    if first is not None:
        body = body[first.end() :]
    return _LINE_BREAKS.sub("\n", body)


def canonical(value: object) -> object:
    """A comparable form of a value that keeps the distinctions Lua makes (booleans are not numbers,
    integers are not floats) and the one it does not (an empty list and an empty dict are both ``{}``)."""
    if isinstance(value, LuaExpression):
        return ("expr", value.source)
    if value is None or isinstance(value, bool | str):
        return (type(value).__name__, value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", value.hex())
    if isinstance(value, list | tuple):
        return ("table", tuple(("i", i + 1, canonical(v)) for i, v in enumerate(value)))
    if isinstance(value, dict):
        return ("table", tuple(sorted((("k", str(k), canonical(v)) for k, v in value.items()), key=repr)))
    return ("other", repr(value))
