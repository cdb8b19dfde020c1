"""Where a keyed item stands in its text: the offsets every key-and-value record carries.

A ``key: value`` property of config.js and a ``key=value`` line of a .env or .properties file are
edited the same way: by splicing the whole item, its key or its value. Their records share these six
offsets and add what is their format's own (the decoded key, the quote, the value).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KeyValueSpan"]


@dataclass(frozen=True)
class KeyValueSpan:
    """Offsets into a document's text (code-point indices), each ``end`` exclusive.

    Attributes:
        start: where the whole item starts.
        end: where it ends (what removing it takes out, before trivia rules widen it).
        key_start: where its key starts, as written (quotes and escapes included).
        key_end: where its key ends.
        value_start: where its value starts, as written.
        value_end: where its value ends.
    """

    start: int
    end: int
    key_start: int
    key_end: int
    value_start: int
    value_end: int
