"""New Lua text in the file's style: a Python value as a Lua literal that reads back exactly, and
the spellings of a secret in Lua text (for masking)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from jitsi_secure._core.scalars import keyword
from jitsi_secure._core.writable import lone_surrogate_error
from jitsi_secure.errors import EditError
from jitsi_secure.formats.lua._lexer import KEYWORDS

__all__ = ["RenderStyle", "render_string", "render_value", "secret_spellings"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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
            raise lone_surrogate_error()
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
    word = keyword(value, null="nil")
    if word is not None:
        return word
    if isinstance(value, int):
        if not -(1 << 63) <= value < 1 << 63:
            raise EditError("the integer does not fit Lua's 64-bit integers")
        if value == -(1 << 63):
            # "-9223372036854775808" is minus a float in Lua (the numeral overflows); hex numerals wrap.
            return "0x8000000000000000"
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EditError("NaN and infinities have no Lua literal")
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
                raise EditError(f"table keys must be strings, not {type(key).__name__}")
            rendered = render_value(item, style, depth=depth + 1)
            if _IDENTIFIER.fullmatch(key) and key not in KEYWORDS:
                parts.append(f"{key} = {rendered}")
            else:
                parts.append(f"[{render_string(key, style.quote)}] = {rendered}")
        return "{ " + f"{style.separator} ".join(parts) + " }"
    raise EditError(f"cannot write a {type(value).__name__} as a Lua value")


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in a Lua file, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {render_string(secret, quote) for quote in ("'", '"')}
