"""New HOCON text in the file's style: keys, values and fields, with the separators and quoting habits
the surrounding fields (else the whole file) show."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass

from jitsi_secure._core.style import TextStyle
from jitsi_secure._core.writable import refuse_lone_surrogates, refuse_too_deep
from jitsi_secure.errors import EditError, ParseError
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.hocon._lexer import COLON, EQUALS, PLUS_EQUALS, STRING, TSTRING, WORD, classify_word, tokenize
from jitsi_secure.formats.hocon._meaning import text_of
from jitsi_secure.formats.hocon._parser import Atom, Field, Obj

__all__ = [
    "Habits",
    "PartialHabits",
    "check_value",
    "collect_habits",
    "render_field",
    "render_key",
    "render_value",
    "secret_spellings",
]


# Same shape as Lua's `Section` record (a few plain fields), which `duplicates` reports: unrelated.
@dataclass(frozen=True)
class Habits:
    scalar_sep: str
    object_sep: str
    quote: bool
    quote_keys: bool = False


@dataclass(frozen=True)
class PartialHabits:
    scalar_sep: str | None
    object_sep: str | None
    quote: bool | None
    quote_keys: bool | None = None


def collect_habits(text: str, fields: list[Field]) -> PartialHabits:
    scalar: Counter[str] = Counter()
    objects: Counter[str] = Counter()
    quoted = unquoted = quoted_keys = 0
    for fld in fields:
        quoted_keys += text.startswith('"', fld.key.start)
        between = text[fld.key.end : fld.value.start]
        parts = fld.value.parts
        if "\n" in between or fld.sep == PLUS_EQUALS:
            continue
        if len(parts) == 1 and isinstance(parts[0], Obj):
            objects[between] += 1
            continue
        if fld.sep in (COLON, EQUALS):
            scalar[between] += 1
        if len(parts) == 1 and isinstance(parts[0], Atom):
            atom = parts[0]
            if atom.kind in (STRING, TSTRING):
                quoted += 1
            elif atom.kind == WORD and isinstance(classify_word(text[atom.start : atom.end]), str):
                unquoted += 1
    return PartialHabits(
        scalar_sep=scalar.most_common(1)[0][0] if scalar else None,
        object_sep=objects.most_common(1)[0][0] if objects else None,
        quote=None if quoted == unquoted == 0 else quoted > unquoted,
        quote_keys=None if not fields else quoted_keys * 2 > len(fields),
    )


_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def render_key(element: str, quote: bool = False) -> str:
    if not quote and _SAFE_KEY.fullmatch(element) and element != "include":
        return element
    return json.dumps(element, ensure_ascii=False)


def _unquoted_ok(text: str) -> bool:
    """Whether ``text`` reads back as the same string when written without quotes."""
    if not text or text == "include":
        return False
    try:
        tokens = tokenize(text)
    except ParseError:
        return False
    words = tokens[::2]
    gaps = tokens[1::2]
    if any(t.kind != WORD for t in words) or any(text[t.start : t.end] != " " for t in gaps):
        return False
    if len(words) == 1:
        return isinstance(classify_word(text), str)
    # Several words read as one string; keep them plain words so other readers (pyhocon) agree.
    return all(type(classify_word(text[t.start : t.end])) is str for t in words)


def render_value(
    value: ConfigValue, quote: bool, indent: str, style: TextStyle, habits: Habits, *, inline: bool
) -> str:
    if isinstance(value, str):
        if not quote and _unquoted_ok(value):
            return value
        return json.dumps(value, ensure_ascii=False)
    if not isinstance(value, list | dict):
        return text_of(value)
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v, quote, indent, style, habits, inline=True) for v in value) + "]"
    if not value:
        return "{}"
    if inline:
        inner = ", ".join(
            render_field((k,), v, indent=indent, style=style, habits=habits, dotted=False, inline=True)
            for k, v in value.items()
        )
        return "{ " + inner + " }"
    nl = style.newline
    deeper = indent + style.indent
    lines = [
        deeper + render_field((k,), v, indent=deeper, style=style, habits=habits, dotted=False, inline=False)
        for k, v in value.items()
    ]
    return "{" + nl + nl.join(lines) + nl + indent + "}"


def render_field(
    keys: tuple[str, ...],
    value: ConfigValue,
    *,
    indent: str,
    style: TextStyle,
    habits: Habits,
    dotted: bool,
    inline: bool,
) -> str:
    """``key sep value`` for a new field (no leading indent), nesting ``name { ... }`` blocks for long paths."""
    if dotted or len(keys) == 1:
        key = ".".join(render_key(k, habits.quote_keys) for k in keys)
        if isinstance(value, dict):
            return key + habits.object_sep + render_value(value, habits.quote, indent, style, habits, inline=inline)
        return key + habits.scalar_sep + render_value(value, habits.quote, indent, style, habits, inline=inline)
    head = render_key(keys[0], habits.quote_keys)
    if inline:
        return (
            head
            + habits.object_sep
            + "{ "
            + render_field(keys[1:], value, indent=indent, style=style, habits=habits, dotted=False, inline=True)
            + " }"
        )
    deeper = indent + style.indent
    nl = style.newline
    inner = render_field(keys[1:], value, indent=deeper, style=style, habits=habits, dotted=False, inline=False)
    return head + habits.object_sep + "{" + nl + deeper + inner + nl + indent + "}"


def check_value(value: object, path: str) -> None:
    """Refuse what HOCON cannot hold exactly (a number out of range, NaN, a non-string key, a lone
    surrogate, another type); messages name ``path`` and types, never the value."""
    refuse_too_deep(value, f"set {path}")
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            refuse_lone_surrogates(v, f"set {path}")
        elif v is None or isinstance(v, bool):
            continue
        elif isinstance(v, int):
            if not -(2**63) <= v < 2**63:
                raise EditError(f"set {path}: the integer does not fit in 64 bits")
        elif isinstance(v, float):
            if not math.isfinite(v):
                raise EditError(f"set {path}: HOCON has no spelling for NaN and infinities")
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            for k, item in v.items():
                if not isinstance(k, str):
                    raise EditError(f"set {path}: object keys must be strings, not {type(k).__name__}")
                refuse_lone_surrogates(k, f"set {path}")
                stack.append(item)
        else:
            raise EditError(f"set {path}: unsupported value type {type(v).__name__}")


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in a HOCON file, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {json.dumps(secret, ensure_ascii=False)}
