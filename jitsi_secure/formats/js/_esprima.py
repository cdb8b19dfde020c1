"""The independent config.js reader: esprima (the ``esprima-fork`` 5.x distribution, ES2026), typed.

The document itself is built on tree-sitter (:mod:`._parser`); esprima is a second, unrelated parser
(pure Python, another grammar, another tokenizer) that reads every *edited* config.js before it is
written (:mod:`._verify`), the way pyhocon, jproperties and lupa read the other formats, and locates a
syntax error more precisely than tree-sitter's recovery does. It is imported here and only here, on
first use, so ``jitsi-secure check`` never pays for it. esprima builds plain objects whose attributes
mirror ESTree (:mod:`._estree`), which is the shape the evaluator reads.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from jitsi_secure.errors import ParseError
from jitsi_secure.formats.js._estree import Node, children
from jitsi_secure.formats.js._ssi import Served

__all__ = ["parse_independently"]

_LINE_PREFIX = re.compile(r"^Line \d+: ")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def parse_independently(served: Served, *, source: str, disk_text: str) -> Node:
    """esprima's ``Program`` for the served text, with ranges mapped back to the disk text.

    Raises:
        ParseError: esprima refuses the text (with the disk line and column).
    """
    import esprima  # lazy on purpose: see the module docstring

    to_code_point = _code_points(served.text)
    try:
        program = esprima.parseScript(served.text, {"range": True})
    except RecursionError:
        raise ParseError.at(
            disk_text, 0, "the code nests too deeply for the JavaScript parser (esprima)", source=source
        ) from None
    except Exception as exc:
        # Only esprima's call is in the try: whatever it raises is its refusal. Not just its own Error
        # class: fuzzing found esprima-fork refusing with an AssertionError (on "`${}0x..." texts).
        index = getattr(exc, "index", None)
        raw = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        where = served.start_on_disk(to_code_point(index if isinstance(index, int) else 0))
        raise ParseError.at(disk_text, where, _LINE_PREFIX.sub("", str(raw)), source=source) from None
    if served.disk or to_code_point is not _same:
        stack = [program]
        while stack:
            node = stack.pop()
            stack.extend(children(node))
            if getattr(node, "range", None) is None:
                continue  # not a syntax node (a regex's flags, say)
            start, end = node.range
            node.range = [served.start_on_disk(to_code_point(start)), served.end_on_disk(to_code_point(end))]
    return program


def _same(index: int) -> int:
    return index


def _code_points(text: str) -> Callable[[int], int]:
    """esprima counts offsets in UTF-16 units, as JavaScript does: the map back to Python's code points."""
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    if not astral:
        return _same
    # Where each astral character starts in UTF-16 units (the k-th has k astral characters before it).
    starts = [index + k for k, index in enumerate(astral)]
    return lambda unit: unit - bisect.bisect_left(starts, unit)
