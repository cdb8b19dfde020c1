"""The typed seam around esprima (which ships no type hints).

esprima is imported here and only here, on first use: importing it costs about 280 ms (its
``character`` module classifies every Unicode code point), a price the CLI should pay only when a
config.js is actually touched. Everything esprima raises becomes a :class:`ParseError`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jitsi_secure.errors import ParseError

__all__ = ["Node", "children", "parse_script", "parse_snippet"]

#: An esprima AST node. esprima-python builds plain objects whose attributes mirror ESTree; the rest
#: of the package reads them only through the few attributes ESTree documents.
Node = Any

_LINE_PREFIX = re.compile(r"^Line \d+: ")
# Syntax newer than ES2017 that config.js files in the wild start to use; esprima 4 rejects all of it
# with a bare "Unexpected token", which would leave an admin guessing.
_NEWER_SYNTAX = re.compile(r"\?\.|\?\?|\|\|=|&&=|\b\d[\d_]*n\b|\d_\d|#[A-Za-z_$]|\bcatch\s*\{")


def parse_script(text: str, *, source: str) -> Node:
    """Parse ``text`` as a classic script with ranges, or raise :class:`ParseError`.

    Comments are not requested: collecting them nearly doubles esprima's time, and the editor finds
    the ones it needs by scanning the gaps between an object's properties, which hold only trivia.
    """
    import esprima  # lazy on purpose: see the module docstring

    try:
        return esprima.parseScript(text, {"range": True})
    except RecursionError:
        raise ParseError.at(
            text, 0, "the code nests too deeply for the JavaScript parser (esprima)", source=source
        ) from None
    except Exception as exc:
        index = getattr(exc, "index", None)
        raw = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        message = _LINE_PREFIX.sub("", str(raw))
        if not isinstance(index, int):
            index = 0
        window = text[max(0, index - 3) : index + 4]
        if _NEWER_SYNTAX.search(window):
            message += (
                " (the JavaScript parser, esprima, stops at ES2017: optional chaining ?., ??, ||=, &&=,"
                " BigInt and numeric separators are not supported)"
            )
        raise ParseError.at(text, index, message, source=source) from None


def children(node: Node) -> Iterator[Node]:
    """The direct child nodes of ``node``, in source order as esprima stores them."""
    for value in vars(node).values():
        if isinstance(value, list):
            for item in value:
                if hasattr(item, "type"):
                    yield item
        elif hasattr(value, "type") and not isinstance(value, str | int | float):
            yield value


def parse_snippet(body: str, key: str) -> tuple[int, int, int] | None:
    """Read the text of a ``// key: value,`` comment as one property of an object literal.

    Returns the offsets in ``body`` where the key starts and the value starts and ends, or None when
    the text is not exactly one complete ``key: value`` property (e.g. ``p2p: {`` opening a
    commented-out block, or prose that happens to contain a colon).
    """
    import esprima  # lazy on purpose: see the module docstring

    try:
        tree = esprima.parseScript("({" + body + "\n})", {"range": True})
    except Exception:  # any failure just means "not a commented-out property"
        return None
    expr = tree.body[0].expression if len(tree.body) == 1 and tree.body[0].type == "ExpressionStatement" else None
    if expr is None or expr.type != "ObjectExpression" or len(expr.properties) != 1:
        return None
    prop = expr.properties[0]
    if prop.type != "Property" or prop.computed or prop.kind != "init" or prop.method or prop.shorthand:
        return None
    name = prop.key.name if prop.key.type == "Identifier" else prop.key.value
    if name != key:
        return None
    return prop.key.range[0] - 2, prop.value.range[0] - 2, prop.value.range[1] - 2
