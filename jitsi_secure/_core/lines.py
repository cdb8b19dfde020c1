"""Small helpers over the lines of a text, shared by the formats' scanners.

Kept apart from :mod:`jitsi_secure._core.trivia` (the comment rules): these only move an offset, and
know nothing of comments or keys.
"""

from __future__ import annotations

__all__ = ["skip"]


def skip(text: str, pos: int, chars: str) -> int:
    """The first offset at or after ``pos`` whose character is not one of ``chars`` (or the text's end)."""
    n = len(text)
    while pos < n and text[pos] in chars:
        pos += 1
    return pos
