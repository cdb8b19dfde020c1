"""Java ``.properties`` files, read exactly as ``java.util.Properties.load`` reads them, edited losslessly.

Jicofo's legacy ``sip-communicator.properties`` and Jigasi's account settings are ``.properties``
files. Java reads them with ``Properties.load(InputStream)``: ISO-8859-1 bytes plus ``\\uXXXX``
escapes, so :func:`load_file` decodes files as ISO-8859-1 (which also round-trips every byte) and
values written by :meth:`PropertiesDocument.set` escape everything outside printable ASCII.

The document is a list of logical lines (entries, comments, blank lines) over the original text;
every byte belongs to exactly one line, and edits are splices of that text::

    doc = parse(text)
    doc = doc.set("org.jitsi.jigasi.xmpp.acc.ANONYMOUS_AUTH", "false")
    doc.render()          # the original text with one value changed (or a line uncommented/added)

Duplicate keys: Java keeps the last occurrence, so :meth:`~PropertiesDocument.get` and
:meth:`~PropertiesDocument.set` use the last one; :meth:`~PropertiesDocument.remove` removes all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from jitsi_secure._core.gc_pause import cyclic_gc_paused
from jitsi_secure._core.keyvalue import Blank, Comment, KeyValueDocument
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.write import read_text
from jitsi_secure.errors import ParseError

__all__ = [
    "ENCODING",
    "Blank",
    "Comment",
    "Entry",
    "Line",
    "PropertiesDocument",
    "escape_key",
    "escape_value",
    "load_file",
    "parse",
    "secret_spellings",
    "to_latin1",
    "unescape",
]

#: The encoding ``Properties.load(InputStream)`` uses; also lossless for any byte sequence.
ENCODING = "iso-8859-1"

_WHITESPACE = " \t\f"
_BREAKS = "\r\n"
_BREAK = re.compile("[\r\n]")
_NAMED_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


@dataclass(frozen=True)
class Entry:
    """A ``key = value`` logical line, possibly continued over several physical lines.

    Offsets index the document text. ``start``/``end`` cover the whole logical line including its
    indentation and final line break; ``key_start``/``key_end`` the raw (escaped) key;
    ``value_start``/``value_end`` the raw value up to, not including, the final line break.
    ``key`` and ``value`` are decoded as Java decodes them.
    """

    start: int
    end: int
    key_start: int
    key_end: int
    value_start: int
    value_end: int
    key: str
    value: str


Line = Entry | Comment | Blank


@dataclass(frozen=True)
class PropertiesDocument(KeyValueDocument[Entry]):
    """An immutable, lossless ``.properties`` document.

    ``render()`` returns the text it was parsed from, byte for byte; edits return new documents.
    ``remove(key, *, comment_out=False)`` takes every occurrence with its continuation lines (see
    :class:`~jitsi_secure._core.keyvalue.KeyValueDocument` for the comment rule).
    """

    text: str
    lines: tuple[Line, ...]
    source: str = "<string>"
    style: TextStyle = field(default_factory=TextStyle)

    applied: tuple[Splice, ...] = field(default=(), compare=False, repr=False)

    # -- reading -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, str]:
        """Every key with the value Java reads for it, in order of first appearance."""
        result: dict[str, str] = {}
        for entry in self.entries():
            result[entry.key] = entry.value
        return result

    # -- internals -----------------------------------------------------------------------------

    def _read(self, entry: Entry) -> str:
        return entry.value

    def _set_splice(self, key: str, value: str) -> Splice | None:
        entry = self._effective(key)
        if entry is not None:
            return None if entry.value == value else self._value_splice(entry, value, f"set {key}")
        return self._uncomment(key, lambda _example: escape_value(value)) or self._insertion(
            key, escape_key(key) + self._separator() + escape_value(value)
        )

    def _reparse(self, text: str) -> PropertiesDocument:
        return parse(text, source=self.source)

    def _commented_entry(self, comment: Comment) -> Entry | None:
        return _commented_entry(self.text, comment)

    def _value_splice(self, entry: Entry, value: str, reason: str) -> Splice:
        escaped = escape_value(value)
        if entry.value_start == entry.key_end:
            # ``key`` alone on its line has no separator yet; a value needs one.
            escaped = self._separator() + escaped
        return Splice(entry.value_start, entry.value_end, escaped, reason)


# -- parsing ----------------------------------------------------------------------------------


def parse(text: str, *, source: str = "<string>") -> PropertiesDocument:
    """Parse ``.properties`` text the way ``java.util.Properties.load`` does, keeping every byte.

    Raises :class:`~jitsi_secure.errors.ParseError` where Java would throw (a malformed ``\\uXXXX``).
    """
    with cyclic_gc_paused():
        lines = tuple(_Scanner(text, source).lines())
    return PropertiesDocument(text=text, lines=lines, source=source, style=detect_style(text))


def load_file(path: str | os.PathLike[str]) -> PropertiesDocument:
    """Read and parse a ``.properties`` file as Java does (ISO-8859-1 plus ``\\u`` escapes).

    Every byte decodes in ISO-8859-1, so no file is refused for its encoding; a file that cannot be
    read raises :class:`~jitsi_secure.errors.WriteError`.
    """
    return parse(read_text(path, encoding=ENCODING), source=os.fspath(path))


_BEYOND_LATIN1 = re.compile(r"(\\*)([^\x00-\xff\udc80-\udcff])")


def to_latin1(text: str) -> str:
    """``text`` with every character ISO-8859-1 cannot hold written as ``\\uXXXX``, as Java's ``store()``
    writes it, so the file can be saved in the encoding Java reads and reads back the same.

    Such a character right after an escaping backslash (``\\€``, which Java reads as ``€``) loses that
    backslash, which the ``\\u`` escape replaces. Inside a comment the escape is only text, as in Java.
    """

    def escaped(match: re.Match[str]) -> str:
        backslashes = match.group(1)
        if len(backslashes) % 2:
            backslashes = backslashes[:-1]
        return backslashes + "".join(f"\\u{unit:04X}" for unit in _utf16_units(match.group(2)))

    return _BEYOND_LATIN1.sub(escaped, text)


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
            content = _skip(text, pos, _WHITESPACE)
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
            seg_start = _skip(text, after_break, _WHITESPACE)
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


def escape_key(key: str) -> str:
    """Escape ``key`` so Java reads it back exactly (``store()``'s rules for keys)."""
    return _escape(key, escape_spaces=True)


def escape_value(value: str) -> str:
    """Escape ``value`` so Java reads it back exactly, escaping no more than needed to stay readable.

    Backslashes, line breaks, control and non-ASCII characters are always escaped (non-ASCII as
    ``\\uXXXX``, as Java's ``store()`` does, so the file stays ISO-8859-1 clean); a leading space or
    separator character is escaped so the separator does not swallow it.
    """
    return _escape(value, escape_spaces=False)


def _escape(text: str, *, escape_spaces: bool) -> str:
    out: list[str] = []
    for index, c in enumerate(text):
        code = ord(c)
        if c == "\\":
            out.append("\\\\")
        elif c in "\t\n\r\f":
            out.append("\\" + "tnrf"["\t\n\r\f".index(c)])
        elif c == " ":
            out.append("\\ " if escape_spaces or index == 0 else " ")
        elif (c in "=:" and escape_spaces) or (c in "=:#!" and index == 0):
            out.append("\\" + c)
        elif code < 0x20 or code > 0x7E:
            out.append("".join(f"\\u{unit:04X}" for unit in _utf16_units(c)))
        else:
            out.append(c)
    return "".join(out)


def _utf16_units(c: str) -> list[int]:
    data = c.encode("utf-16-be", "surrogatepass")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


# -- small text helpers -----------------------------------------------------------------------


def _commented_entry(text: str, comment: Comment) -> Entry | None:
    """The entry a comment line would be without its marker, if it looks like a setting.

    ``#key=value`` and ``# key = value`` qualify; prose (``# the key is used to ...``) does not,
    because it has no ``=``/``:`` separator directly after its first word.
    """
    body_start = _skip(text, comment.marker + 1, _WHITESPACE)
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


def _skip(text: str, pos: int, chars: str) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


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


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in a ``.properties`` file, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {escape_value(secret)}
