"""Lua data files: the table a chunk returns, read from its syntax without running it.

Prosody's ``util.serialization`` stores data (an account, a roster) as a Lua chunk that returns one
table: ``return { ["key"] = "value"; ... };``. Such a file is read with the same lexer, parser and
literal reader as a config file, so every string escape and number form Lua allows reads as Lua
reads it, and each field's text is kept as written (to be copied into a rewritten file unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass

from jitsi_secure.errors import ParseError
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.lua._lexer import tokenize
from jitsi_secure.formats.lua._meaning import LuaExpression, literal_value
from jitsi_secure.formats.lua._parser import parse_chunk

__all__ = ["ReturnedField", "returned_table"]


@dataclass(frozen=True)
class ReturnedField:
    """One field of a returned table.

    Attributes:
        key: the string key of a ``["key"] = value`` or ``key = value`` field; ``None`` for a
            positional field or a key that is not a string literal.
        key_text: the key as a Lua string literal (``"key"``, as written for ``["key"]``), "" without a key.
        value: the value if it is a literal, else a :class:`LuaExpression` holding its text.
        text: the value as written.
        start: where the field starts in the chunk's text.
    """

    key: str | None
    key_text: str
    value: ConfigValue | LuaExpression
    text: str
    start: int


def returned_table(text: str, *, source: str = "<string>") -> tuple[ReturnedField, ...]:
    """The fields of the table that the chunk ``text`` returns, in the order written.

    Raises :class:`~jitsi_secure.errors.ParseError` when ``text`` is not valid Lua, or is not one
    ``return`` of one table constructor (the shape ``util.serialization`` writes).
    """
    chunk = parse_chunk(tokenize(text, source=source), text, source=source)
    statements = chunk.statements
    if len(statements) != 1 or statements[0].kind != "return" or len(statements[0].values) != 1:
        at = statements[0].start if statements else len(text)
        raise ParseError.at(text, at, "expected one 'return' of a table", source=source)
    table = statements[0].values[0]
    if table.kind != "table":
        raise ParseError.at(text, table.start, "expected a table after 'return'", source=source)
    fields = []
    for field in table.fields:
        key, key_text = (field.name, f'"{field.name}"') if field.kind == "name" else (None, "")
        if field.kind == "expr" and field.key is not None and field.key.kind == "string":
            name = literal_value(field.key, text)
            if isinstance(name, str):
                key, key_text = name, text[field.key.start : field.key.end]
        start = field.key.start if field.key is not None else field.value.start
        value = field.value
        fields.append(ReturnedField(key, key_text, literal_value(value, text), text[value.start : value.end], start))
    return tuple(fields)
