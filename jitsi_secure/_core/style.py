"""What a file's own habits are, so inserted text can copy them."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["LINE_BREAK", "TextStyle", "detect_style", "dominant_newline"]

#: A line break in any of the three spellings the formats accept.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ENDING = re.compile(r"\r*\n|\r")
_LEADING = re.compile(r"^[ \t]*(?=\S)", re.MULTILINE)


@dataclass(frozen=True)
class TextStyle:
    """A document's layout habits.

    Attributes:
        newline: the file's dominant line ending, spelled as the file spells it (``"\\n"``, ``"\\r\\n"``,
            even ``"\\r\\r\\n"``; the first one wins a tie, ``"\\n"`` when the file has none).
        indent: the indentation unit, e.g. four spaces or one tab (four spaces when nothing is indented).
        final_newline: whether the text ends with a line ending (true for an empty text).
    """

    newline: str = "\n"
    indent: str = "    "
    final_newline: bool = True


def detect_style(text: str) -> TextStyle:
    """Detect line ending, indentation unit and final newline of ``text``."""
    newline = dominant_newline(text)
    final_newline = text == "" or text.endswith(("\n", "\r"))
    return TextStyle(newline=newline, indent=_indent_unit(text), final_newline=final_newline)


def dominant_newline(text: str) -> str:
    """The most common line ending of ``text`` (the first one on a tie; ``"\\n"`` when none).

    A run of carriage returns before a line feed counts as one ending: a file written through two
    CRLF conversions ends its lines with ``\\r\\r\\n``, and an inserted line must end the same way
    (Lightbend Config reads a lone ``\\r`` as whitespace, not as a line break).
    """
    if "\r" not in text:
        return "\n"  # the common case, without a match per line
    counts: Counter[str] = Counter(m.group() for m in _ENDING.finditer(text))
    if not counts:
        return "\n"
    top = max(counts.values())
    return next(ending for ending in counts if counts[ending] == top)


def _indent_unit(text: str) -> str:
    leading: list[str] = _LEADING.findall(text)
    indented = [i for i in leading if i]
    if not indented:
        return TextStyle.indent
    if sum(1 for i in indented if i.startswith("\t")) * 2 > len(indented):
        return "\t"
    # The unit is the most common step by which a line is indented deeper than the line before it,
    # which ignores the odd continuation line aligned under an opening bracket.
    widths = [len(i) for i in leading if not i.startswith("\t")]
    steps = Counter(b - a for a, b in itertools.pairwise(widths) if b > a)
    if not steps:
        return " " * min(w for w in widths if w) if any(widths) else TextStyle.indent
    unit = max(steps.items(), key=lambda item: (item[1], -item[0]))[0]
    return " " * unit
