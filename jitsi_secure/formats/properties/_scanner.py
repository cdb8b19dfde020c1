"""Text to logical lines, following Java's ``Properties.LineReader`` and ``loadConvert`` rules.

Every character belongs to exactly one line (:class:`Entry`, :class:`Comment` or :class:`Blank`), so an
edit is a splice of the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from jitsi_secure._core.keyvalue import Blank, Comment, Entry
from jitsi_secure._core.lines import skip
from jitsi_secure.errors import ParseError

__all__ = ["Line", "commented_entry", "scan", "unescape"]

_WHITESPACE = " \t\f"
_BREAK = re.compile("[\r\n]")
_NAMED_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}

Line = Entry | Comment | Blank


def scan(text: str, source: str) -> Iterator[Line]:
    """The logical lines of ``text``; raises :class:`~jitsi_secure.errors.ParseError` where Java throws."""
    return _Scanner(text, source).lines()


class _Scanner:
    """Splits text into logical lines following Java's ``Properties.LineReader`` rules.

    Kept as a loop over physical lines (no recursion) so that no input can exhaust the stack.
    """

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source

    def lines(self) -> Iterator[Line]:
        text = self.text
        pos = 0
        while pos < len(text):
            content = skip(text, pos, _WHITESPACE)
            eol = _end_of_line(text, content)
            if content == eol:
                end = eol + len(_line_break(text, eol))
                yield Blank(pos, end)
                pos = end
            elif text[content] in "#!":
                end = eol + len(_line_break(text, eol))
                yield Comment(pos, end, content)
                pos = end
            else:
                line = self._natural_line(pos, content)
                yield line
                pos = line.end

    def _natural_line(self, start: int, content: int) -> Entry | Blank:
        """Read one natural line starting at ``content``, following backslash continuations."""
        text = self.text
        # (start, end) spans of the original text that make up the logical line, without the
        # continuation backslashes, line breaks and the indentation of continued lines.
        segments: list[tuple[int, int]] = []
        nothing_read = True  # every segment so far is empty (kept as a flag: a linear scan per line was quadratic)
        seg_start = content
        while True:
            eol = _end_of_line(text, seg_start)
            trailing = _count_trailing(text, seg_start, eol, "\\")
            if trailing % 2 == 0:
                segments.append((seg_start, eol))
                end = eol + len(_line_break(text, eol))
                break
            segments.append((seg_start, eol - 1))
            nothing_read = nothing_read and seg_start == eol - 1
            if eol == len(text):
                end = eol
                break
            line_break = _line_break(text, eol)
            after_break = eol + len(line_break)
            if after_break == len(text) and len(line_break) == 1:
                # Java looks for the end of input right after a one-character line break, before it
                # treats the backslash as a continuation (after CRLF it looks only once the LF is read).
                end = after_break
                break
            seg_start = skip(text, after_break, _WHITESPACE)
            empty_next = _end_of_line(text, seg_start) == seg_start
            if nothing_read and (empty_next or text[seg_start] in "#!"):
                # Nothing read yet: Java starts afresh, so an empty line or a comment that follows is
                # just that, and the lone backslash line means nothing.
                return Blank(start, after_break)
            if empty_next:
                # A continued line that turns out empty ends the logical line (Java's LineReader).
                segments.append((seg_start, seg_start))
                end = seg_start + len(_line_break(text, seg_start))
                break
        logical = "".join(text[a:b] for a, b in segments)
        key_len, value_at = _split_key_value(logical)

        def at(index: int) -> int:
            """The text offset of character ``index`` of the logical line."""
            for a, b in segments:
                if index < b - a:
                    return a + index
                index -= b - a
            return segments[-1][1]

        return Entry(
            start=start,
            end=end,
            key_start=content,
            key_end=at(key_len),
            value_start=at(value_at),
            value_end=segments[-1][1],
            key=self._decode(logical[:key_len], at(0)),
            value=self._decode(logical[value_at:], at(value_at)),
        )

    def _decode(self, raw: str, offset: int) -> str:
        try:
            return unescape(raw)
        except _MalformedEscapeError as exc:
            raise ParseError.at(
                self.text,
                offset + exc.index,
                "malformed \\uXXXX escape (Java expects four hex digits)",
                source=self.source,
            ) from None


def _split_key_value(logical: str) -> tuple[int, int]:
    """Java's split of a logical line: (length of the raw key, index where the raw value starts)."""
    key_len = 0
    value_at = len(logical)
    has_separator = False
    backslash = False
    while key_len < len(logical):
        c = logical[key_len]
        if not backslash and c in "=:":
            value_at, has_separator = key_len + 1, True
            break
        if not backslash and c in _WHITESPACE:
            value_at = key_len + 1
            break
        backslash = c == "\\" and not backslash
        key_len += 1
    while value_at < len(logical):
        c = logical[value_at]
        if c not in _WHITESPACE:
            if not has_separator and c in "=:":
                has_separator = True
            else:
                break
        value_at += 1
    return key_len, value_at


class _MalformedEscapeError(ValueError):
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def unescape(raw: str) -> str:
    """Decode a raw key or value as Java's ``Properties.loadConvert`` does."""
    if "\\" not in raw:
        return raw
    units: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        i += 1
        if c != "\\" or i >= len(raw):
            units.append(c)
            continue
        c = raw[i]
        i += 1
        if c == "u":
            digits = raw[i : i + 4]
            if len(digits) < 4 or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise _MalformedEscapeError(i - 2)
            units.append(chr(int(digits, 16)))
            i += 4
        else:
            units.append(_NAMED_ESCAPES.get(c, c))
    # Java strings are UTF-16: an escaped surrogate pair is one character.
    return "".join(units).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def commented_entry(text: str, comment: Comment) -> Entry | None:
    """The entry a comment line would be without its marker, if it looks like a setting.

    ``#key=value`` and ``# key = value`` qualify; prose (``# the key is used to ...``) does not,
    because it has no ``=``/``:`` separator directly after its first word.
    """
    body_start = skip(text, comment.marker + 1, _WHITESPACE)
    eol = _end_of_line(text, body_start)
    if body_start == eol or text[body_start] in "#!":
        return None
    line = text[body_start:eol]
    key_len, value_at = _split_key_value(line)
    separator = line[key_len:value_at]
    if key_len == 0 or not any(c in separator for c in "=:"):
        return None
    try:
        key = unescape(line[:key_len])
        value = unescape(line[value_at:])
    except _MalformedEscapeError:
        return None
    return Entry(comment.start, comment.end, body_start, body_start + key_len, body_start + value_at, eol, key, value)


def _end_of_line(text: str, pos: int) -> int:
    found = _BREAK.search(text, pos)
    return found.start() if found else len(text)


def _line_break(text: str, eol: int) -> Literal["", "\n", "\r", "\r\n"]:
    if text.startswith("\r\n", eol):
        return "\r\n"
    if text.startswith("\r", eol):
        return "\r"
    if text.startswith("\n", eol):
        return "\n"
    return ""


def _count_trailing(text: str, start: int, end: int, char: str) -> int:
    count = 0
    while end - count > start and text[end - count - 1] == char:
        count += 1
    return count
