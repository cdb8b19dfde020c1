"""The syntax tree the parser gives: the top-level statements, and light expression nodes with offsets
(enough for reading literal values and recognising ``VirtualHost``/``Component`` calls)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from jitsi_secure.formats.lua._lexer import Token

__all__ = ["Field", "Node", "ParsedChunk", "Statement"]


@dataclass(frozen=True, slots=True)
class Node:
    """An expression: ``kind`` (``nil``, ``true``, ``false``, ``number``, ``string``, ``table``, ``name``,
    ``call``, ``method``, ``index``, ``paren``, ``binop``, ``unop``, ``function``, ``vararg``), its
    character range, ``value`` (the token text of a literal, a name, an operator) and children
    (``call``: callee then arguments; ``index``: object then key; ``binop``/``unop``/``paren``: operands)."""

    kind: str
    start: int
    end: int
    value: str = ""
    items: tuple[Node, ...] = ()
    fields: tuple[Field, ...] = ()


class Field(NamedTuple):
    """A table constructor field: ``kind`` is ``"pos"`` (``v``), ``"name"`` (``k = v``) or ``"expr"``
    (``[k] = v``); ``sep`` is the ``,``/``;`` that follows it ("" for none)."""

    kind: str
    key: Node | None
    name: str
    value: Node
    sep: str


@dataclass(frozen=True, slots=True)
class Statement:
    """A top-level statement: ``kind`` is ``assign``, ``call``, ``local``, ``return`` or ``other``;
    ``start``/``end`` cover its tokens (not the trivia around it). Assignments have ``targets``/``values``,
    a ``return`` its ``values`` (a data file such as a Prosody account); calls ``call``."""

    kind: str
    start: int
    end: int
    targets: tuple[Node, ...] = ()
    values: tuple[Node, ...] = ()
    call: Node | None = None


@dataclass(frozen=True, slots=True)
class ParsedChunk:
    """The result of :func:`parse_chunk`: the tokens (trivia included), top-level statements, and the
    counts of ``,`` and ``;`` used between table fields (the file's habit)."""

    tokens: tuple[Token, ...]
    statements: tuple[Statement, ...]
    commas: int
    semicolons: int
