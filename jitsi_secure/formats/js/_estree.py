"""The ESTree shape both config.js front-ends give the evaluator, and the walk over it.

tree-sitter's front-end (:mod:`._parser`) builds :class:`._parser.Node` records; esprima
(:mod:`._esprima`) builds its own objects; both carry ESTree's attribute names (``type``, ``range``,
``body``, ``left``...), so one evaluator (:mod:`._meaning`) reads either, through this module only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["Node", "children"]

#: An ESTree node: esprima's objects, or :class:`._parser.Node` records with the same attributes.
Node = Any


def children(node: Node) -> Iterator[Node]:
    """The direct child nodes of ``node`` (either front-end's), in the order their fields are stored."""
    for value in vars(node).values():
        if isinstance(value, list):
            for item in value:
                if hasattr(item, "type"):
                    yield item
        elif hasattr(value, "type") and not isinstance(value, str | int | float):
            yield value
