"""Edits as data: ``(start, end, text)`` splices applied to a text with an overlap check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jitsi_secure.errors import EditError

__all__ = ["Splice", "apply_splices"]


@dataclass(frozen=True)
class Splice:
    """Replace ``text[start:end]`` with ``new_text``; ``start == end`` inserts.

    ``reason`` says what produced the splice (the operation and the path or key), so that a
    conflict or a plan can name it.
    """

    start: int
    end: int
    new_text: str
    reason: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise EditError(f"invalid splice range {self.start}..{self.end} ({self.reason or 'no reason given'})")


def apply_splices(text: str, splices: Iterable[Splice]) -> str:
    """Apply non-overlapping splices, all given in offsets of the original ``text``.

    Two insertions at the same offset are applied in the order given. A splice that overlaps another
    (or reaches past the end of the text) raises :class:`EditError` naming both reasons.
    """
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    pieces: list[str] = []
    cursor = 0
    previous: Splice | None = None
    for splice in ordered:
        if splice.end > len(text):
            raise EditError(f"splice {splice.reason!r} ends at {splice.end}, past the end of the text ({len(text)})")
        if splice.start < cursor:
            assert previous is not None
            raise EditError(f"conflicting edits: {previous.reason!r} overlaps {splice.reason!r}")
        pieces.append(text[cursor : splice.start])
        pieces.append(splice.new_text)
        cursor = splice.end
        previous = splice
    pieces.append(text[cursor:])
    return "".join(pieces)
