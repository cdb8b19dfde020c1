"""Keys and values written so that Java reads them back exactly (``Properties.store``'s escapes)."""

from __future__ import annotations

import re

__all__ = ["escape_key", "escape_value", "secret_spellings", "to_latin1"]


_BEYOND_LATIN1 = re.compile(r"(\\*)([^\x00-\xff\udc80-\udcff])")


def to_latin1(text: str) -> str:
    """``text`` with every character ISO-8859-1 cannot hold written as ``\\uXXXX``, as Java's ``store()``
    writes it, so the file can be saved in the encoding Java reads and reads back the same.

    Such a character right after an escaping backslash (``\\€``, which Java reads as ``€``) loses that
    backslash, which the ``\\u`` escape replaces. Inside a comment the escape is only text, as in Java.
    """

    def escaped(match: re.Match[str]) -> str:
        backslashes = match.group(1)
        if len(backslashes) % 2:
            backslashes = backslashes[:-1]
        return backslashes + "".join(f"\\u{unit:04X}" for unit in _utf16_units(match.group(2)))

    return _BEYOND_LATIN1.sub(escaped, text)


def escape_key(key: str) -> str:
    """Escape ``key`` so Java reads it back exactly (``store()``'s rules for keys)."""
    return _escape(key, escape_spaces=True)


def escape_value(value: str) -> str:
    """Escape ``value`` so Java reads it back exactly, escaping no more than needed to stay readable.

    Backslashes, line breaks, control and non-ASCII characters are always escaped (non-ASCII as
    ``\\uXXXX``, as Java's ``store()`` does, so the file stays ISO-8859-1 clean); a leading space or
    separator character is escaped so the separator does not swallow it.
    """
    return _escape(value, escape_spaces=False)


def _escape(text: str, *, escape_spaces: bool) -> str:
    out: list[str] = []
    for index, c in enumerate(text):
        code = ord(c)
        if c == "\\":
            out.append("\\\\")
        elif c in "\t\n\r\f":
            out.append("\\" + "tnrf"["\t\n\r\f".index(c)])
        elif c == " ":
            out.append("\\ " if escape_spaces or index == 0 else " ")
        elif (c in "=:" and escape_spaces) or (c in "=:#!" and index == 0):
            out.append("\\" + c)
        elif code < 0x20 or code > 0x7E:
            out.append("".join(f"\\u{unit:04X}" for unit in _utf16_units(c)))
        else:
            out.append(c)
    return "".join(out)


def _utf16_units(c: str) -> list[int]:
    data = c.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in a ``.properties`` file, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {escape_value(secret)}
