"""The syntax tree the parser gives: the top-level statements, and light expression nodes with offsets
(enough for reading literal values and recognising ``VirtualHost``/``Component`` calls).

Nodes and statements are named tuples rather than frozen dataclasses: the parser makes one per
expression, and a tuple is built several times faster (a frozen dataclass sets each field through
``object.__setattr__``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import NamedTuple

from jitsi_secure.formats.lua._lexer import Spans, Token, tokenize

__all__ = ["Field", "Node", "ParsedChunk", "Statement"]


class Node(NamedTuple):
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


class Statement(NamedTuple):
    """A top-level statement: ``kind`` is ``assign``, ``call``, ``local``, ``return`` or ``other``;
    ``start``/``end`` cover its tokens (not the trivia around it). Assignments have ``targets``/``values``,
    a ``return`` its ``values`` (a data file such as a Prosody account); calls ``call``."""

    kind: str
    start: int
    end: int
    targets: tuple[Node, ...] = ()
    values: tuple[Node, ...] = ()
    call: Node | None = None


@dataclass(eq=False)
class ParsedChunk:
    """The result of :func:`parse_chunk`: the top-level statements, the counts of ``,`` and ``;`` used
    between table fields (the file's habit), the spans of the tokens the parser read, and the tokens,
    trivia included.

    The parser reads no trivia, so the tokens are made only when something asks for them (an edit
    looking for comments): parsing a document does not pay for them."""

    text: str
    statements: tuple[Statement, ...]
    commas: int
    semicolons: int
    spans: Spans

    @functools.cached_property
    def tokens(self) -> tuple[Token, ...]:
        """Every token of the text, trivia included, ending with ``eof`` (see :func:`tokenize`)."""
        return tuple(tokenize(self.text))
