"""Where the new keys of one ``edit`` batch of a key=value document go: as if made one after the other.

Every splice of a batch is computed on the original text, yet the file must come out as the same
changes made in order would write it: a key uncommented earlier in the batch is already a line the
keys after it may follow (``PASS`` goes after the ``USER_ID`` the same batch uncomments), a key the
batch removes or comments out no longer is, and a line the batch inserts is one too. Several new
lines can land at one offset of the original text (after the same line); :class:`Placement` keeps
each offset's new lines in file order and gives the batch's splices in the order that writes them so.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from jitsi_secure._core.splice import Splice

__all__ = ["Line", "Placement"]


class Line(NamedTuple):
    """A line of the file a new key can be placed after (an entry, or a comment the batch uncomments).

    ``start`` orders it among the file's lines, ``at`` is where a line placed after it goes (the offset
    just past it), ``indentation`` what such a line copies. (A tuple: one is made per entry per edit.)
    """

    key: str
    start: int
    at: int
    indentation: str


@dataclass(frozen=True, eq=False)
class _NewLine:
    """A line the batch inserts: its key, the indentation it copied and the splice that writes it."""

    key: str
    indentation: str
    splice: Splice

    @property
    def at(self) -> int:
        """Where a line placed after this one goes: the same offset, after it (see :meth:`Placement.insert`)."""
        return self.splice.start


class Placement:
    """The lines of one batch's file as its changes are made: the text's entries, the comments it
    uncomments, minus the keys it removes, and the lines it inserts, by offset in file order."""

    def __init__(self, lines: Iterable[Line]) -> None:
        """``lines``: the text's entries, in file order."""
        self._lines = list(lines)
        self._new: dict[int, list[_NewLine]] = {}
        self._segments: dict[str, list[str]] = {}  # key -> its segments, split once per batch

    def drop(self, key: str) -> None:
        """``key``'s lines go (removed or commented out): no new key is placed after them."""
        self._lines = [line for line in self._lines if line.key != key]

    def uncommented(self, key: str, start: int, end: int, indentation: str) -> None:
        """The comment line ``[start, end)`` becomes ``key``'s entry."""
        bisect.insort(self._lines, Line(key, start, end, indentation), key=lambda line: line.start)

    def anchor(self, key: str, separator: str) -> Line | _NewLine | None:
        """The last line (in file order) among those whose key shares the longest prefix of segments with
        ``key``; ``None`` when no key shares one."""
        segments = key.split(separator)
        best: Line | _NewLine | None = None
        best_shared, best_order = 0, (-1, 0, 0)
        for line in self._lines:
            shared = _shared_prefix(segments, self._split(line.key, separator))
            if shared and shared >= best_shared:
                best, best_shared, best_order = line, shared, (line.start, 1, 0)
        # A new line at offset p comes before the text's line that starts there, and after the new
        # lines before it in its list.
        for offset, lines in self._new.items():
            for index, new in enumerate(lines):
                shared = _shared_prefix(segments, self._split(new.key, separator))
                if shared and (shared, (offset, 0, index)) > (best_shared, best_order):
                    best, best_shared, best_order = new, shared, (offset, 0, index)
        return best

    def insert(self, key: str, after: Line | _NewLine | None, splice: Splice, indentation: str) -> Splice:
        """Record ``splice`` (at ``after``'s offset, or at the end of the text) as ``key``'s new line
        right after ``after`` (after every line when ``None``) and give it back."""
        lines = self._new.setdefault(splice.start, [])
        new = _NewLine(key, indentation, splice)
        if after is None:
            lines.append(new)
        elif isinstance(after, Line):
            lines.insert(0, new)  # right after the line of the text, before lines placed there earlier
        else:
            lines.insert(lines.index(after) + 1, new)
        return splice

    def in_order(self, splices: list[Splice]) -> list[Splice]:
        """``splices`` ordered so that applying them writes each offset's new lines in file order, before
        any other insertion at that offset (a comment marker belongs to the line that starts there)."""
        rank = {id(new.splice): index for lines in self._new.values() for index, new in enumerate(lines)}
        return sorted(
            splices,
            key=lambda s: (s.start, s.end, 0 if id(s) in rank else 1, rank.get(id(s), 0)),
        )

    def _split(self, key: str, separator: str) -> list[str]:
        segments = self._segments.get(key)
        if segments is None:
            segments = self._segments[key] = key.split(separator)
        return segments


def _shared_prefix(a: list[str], b: list[str]) -> int:
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared
