"""What a file can hold, checked before a renderer writes a value: no lone surrogate, no endless nesting.

Python strings may hold UTF-16 surrogates (U+D800 to U+DFFF) on their own, which no encoding can write.
The exceptions are U+DC80 to U+DCFF: :func:`jitsi_secure.read_text` decodes each byte that is not valid
in the file's encoding as one of those (``surrogateescape``), and the writer turns it back into the
same byte, so a value read from a file can always be written back.

A list or dict that contains itself has no text at all; the renderers and comparisons recurse, so
each format refuses it (and absurdly deep values) first.
"""

from __future__ import annotations

import re

from jitsi_secure.errors import EditError

__all__ = ["MAX_DEPTH", "lone_surrogate_error", "refuse_lone_surrogates", "refuse_too_deep"]

_LONE_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")
#: How deep lists and dicts may nest in a value; far beyond any configuration.
MAX_DEPTH = 100


def lone_surrogate_error(where: str | None = None) -> EditError:
    """The error for a value holding a lone surrogate; ``where`` (``"set a.b"``, say) heads it."""
    message = "a lone surrogate (U+D800 to U+DFFF) cannot be written to a file: no encoding holds one"
    return EditError(message if where is None else f"{where}: {message}")


def refuse_lone_surrogates(text: str, where: str | None = None) -> None:
    """Raise :func:`lone_surrogate_error` if ``text`` holds a surrogate other than an undecodable byte's."""
    if _LONE_SURROGATE.search(text) is not None:
        raise lone_surrogate_error(where)


def refuse_too_deep(value: object, where: str) -> None:
    """Raise :class:`EditError` if lists, tuples and dicts in ``value`` nest deeper than :data:`MAX_DEPTH`
    (a value that contains itself does), without recursing."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list | tuple) else ()
        if children and depth >= MAX_DEPTH:
            raise EditError(f"{where}: the value nests too deeply (or contains itself)")
        stack.extend((child, depth + 1) for child in children)
