"""Lua literals both ways: reading the value of a literal expression from the syntax tree, and rendering a
Python value as a Lua literal that reads back exactly."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from jitsi_secure._core.document import Computed
from jitsi_secure.errors import EditError
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats._lua_lexer import KEYWORDS, decode_short_string
from jitsi_secure.formats._lua_parser import Node

__all__ = [
    "LuaExpression",
    "RenderStyle",
    "canonical",
    "literal_value",
    "render_string",
    "render_value",
    "secret_spellings",
    "string_value",
]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
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


# ----------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class RenderStyle:
    """How the file writes literals: its quote character and its table field separator."""

    quote: str = '"'
    separator: str = ","


_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}


def render_string(value: str, quote: str) -> str:
    """A quoted Lua string reading back as ``value``: backslashes, quotes, line breaks and control
    characters are escaped, so nothing in ``value`` can end the string or start code."""
    out = [quote]
    for ch in value:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == quote:
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            # Three digits always, so a following digit cannot extend the escape.
            out.append(f"\\{code:03d}")
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\{code - 0xDC00:03d}")  # a byte that was not UTF-8 (surrogateescape)
        elif 0xD800 <= code <= 0xDFFF:
            raise EditError(f"cannot write a lone surrogate U+{code:04X} into a Lua string")
        else:
            out.append(ch)
    out.append(quote)
    return "".join(out)


def render_value(value: object, style: RenderStyle, *, depth: int = 0) -> str:
    """A Lua literal for a plain Python value (``str``, ``bool``, ``int``, ``float``, ``None``, ``list``,
    ``tuple``, ``dict`` with ``str`` keys). Raises :class:`EditError` for anything Lua cannot read back
    exactly (integers outside 64 bits, infinities, non-string keys, cycles)."""
    if depth > 100:
        raise EditError("value nests too deeply (or contains itself)")
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if not -(1 << 63) <= value < 1 << 63:
            raise EditError(f"integer {value} does not fit Lua's 64-bit integers")
        if value == -(1 << 63):
            # "-9223372036854775808" is minus a float in Lua (the numeral overflows); hex numerals wrap.
            return "0x8000000000000000"
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EditError(f"{value!r} has no Lua literal")
        text = repr(value)
        # repr is the shortest text that reads back to the same double, and Lua reads it as a float
        # because it contains '.', 'e' or both.
        return text if any(c in text for c in ".e") else text + ".0"
    if isinstance(value, str):
        return render_string(value, style.quote)
    if isinstance(value, list | tuple):
        if not value:
            return "{}"
        items = [render_value(v, style, depth=depth + 1) for v in value]
        return "{ " + f"{style.separator} ".join(items) + " }"
    if isinstance(value, dict):
        if not value:
            return "{}"
        parts = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise EditError(f"table key {key!r} is not a string")
            rendered = render_value(item, style, depth=depth + 1)
            if _IDENTIFIER.fullmatch(key) and key not in KEYWORDS:
                parts.append(f"{key} = {rendered}")
            else:
                parts.append(f"[{render_string(key, style.quote)}] = {rendered}")
        return "{ " + f"{style.separator} ".join(parts) + " }"
    raise EditError(f"cannot write a {type(value).__name__} as a Lua value")


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


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in a Lua file, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {render_string(secret, quote) for quote in ("'", '"')}
