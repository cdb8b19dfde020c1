"""Python values as JavaScript source text, in the file's own style.

Strings are escaped so that no value can end the literal, the statement or an inline ``<script>``
(quotes, backslashes, line breaks, U+2028/U+2029, ``</``), or become an nginx SSI directive
(``<!--#``), whatever an admin or a recipe passes in.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jitsi_secure._core.writable import refuse_too_deep
from jitsi_secure.errors import EditError

__all__ = [
    "JsLayout",
    "check_path",
    "check_value",
    "is_identifier",
    "render_key",
    "render_string",
    "render_value",
    "secret_spellings",
]

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
#: Integers beyond this lose digits as JavaScript numbers (doubles).
_MAX_SAFE_INTEGER = 2**53 - 1
_INLINE_LIST_WIDTH = 72
_ESCAPES = {
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    "\v": "\\v",
    "\0": "\\x00",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


@dataclass(frozen=True)
class JsLayout:
    """How new text is laid out: copied from the siblings or the document by the caller."""

    indent: str = ""
    unit: str = "    "
    newline: str = "\n"
    quote: str = "'"
    trailing_comma: bool = True
    separator: str = ": "


def is_identifier(key: str) -> bool:
    """Whether ``key`` can be written bare, as an object key or after a dot (ASCII identifiers only)."""
    return bool(_IDENTIFIER.match(key))


#: The one key an object literal cannot hold: ``{__proto__: x}`` sets the object's prototype instead.
_PROTO = "__proto__"


def check_path(keys: tuple[str, ...], where: str) -> None:
    """Refuse a path through ``__proto__``: no property of config.js can be written under that name."""
    if _PROTO in keys:
        raise _proto_error(where)


def _proto_error(where: str) -> EditError:
    return EditError(f"{where}: the key __proto__ would set the prototype, not a key; config.js cannot hold it")


def check_value(value: object, where: str) -> None:
    """Refuse values that have no exact JavaScript literal (NaN, huge ints, sets, ``__proto__`` keys)."""
    refuse_too_deep(value, where)
    _check_value(value, where)


def _check_value(value: object, where: str) -> None:
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise EditError(f"{where}: integer too large to be exact in JavaScript")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EditError(f"{where}: NaN and infinities have no JSON-like literal")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise EditError(f"{where}: object keys must be strings")
            if key == _PROTO:
                raise _proto_error(where)
            _check_value(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_value(item, f"{where}[{index}]")
        return
    raise EditError(f"{where}: unsupported value type {type(value).__name__}")


def render_string(value: str, quote: str) -> str:
    out = [quote]
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char == quote:
            out.append("\\" + char)
        elif char < " " or char == "\x7f":
            out.append(f"\\x{ord(char):02x}")
        elif "\ud800" <= char <= "\udfff":
            out.append(f"\\u{ord(char):04x}")  # a lone surrogate cannot be written as UTF-8
        else:
            out.append(char)
    text = "".join(out) + quote
    # `</script>` inside an inline script would close it; `<\/` means the same in a JS string. nginx
    # would replace an SSI directive in a value before any browser saw it; `<\!--#` means `<!--#`.
    return text.replace("</", "<\\/").replace("<!--#", "<\\!--#")


def render_key(key: str, layout: JsLayout, *, key_quote: str = "") -> str:
    """A property key: bare when it is an identifier (unless the siblings quote theirs)."""
    if is_identifier(key) and not key_quote:
        return key
    return render_string(key, key_quote or layout.quote)


def render_value(value: object, layout: JsLayout) -> str:
    """``value`` as a JavaScript literal; nested lines are indented one ``unit`` deeper than ``indent``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return render_string(value, layout.quote)
    inner = JsLayout(
        layout.indent + layout.unit,
        layout.unit,
        layout.newline,
        layout.quote,
        layout.trailing_comma,
        layout.separator,
    )
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        lines = [f"{render_key(k, layout)}{layout.separator}{render_value(v, inner)}" for k, v in value.items()]
        return _block("{", "}", lines, layout, inner)
    if isinstance(value, Sequence):
        if not value:
            return "[]"
        items = [render_value(item, inner) for item in value]
        flat = "[" + ", ".join(items) + "]"
        if len(flat) <= _INLINE_LIST_WIDTH and not any(isinstance(v, Mapping | list | tuple) for v in value):
            return flat
        return _block("[", "]", items, layout, inner)
    raise EditError(f"unsupported value type {type(value).__name__}")


def _block(opening: str, closing: str, lines: list[str], layout: JsLayout, inner: JsLayout) -> str:
    nl = layout.newline
    body = ("," + nl).join(inner.indent + line for line in lines)
    tail = "," if layout.trailing_comma else ""
    return f"{opening}{nl}{body}{tail}{nl}{layout.indent}{closing}"


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in config.js, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {render_string(secret, quote) for quote in ("'", '"')}
