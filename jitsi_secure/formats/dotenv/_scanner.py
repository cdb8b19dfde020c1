"""Text to lines as compose-go's ``dotenv`` parser reads it (see :mod:`jitsi_secure.formats.dotenv`).

Every character belongs to exactly one line (:class:`Entry`, :class:`Comment` or :class:`Blank`), so an
edit is a splice of the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from jitsi_secure._core.keyvalue import Blank, Comment
from jitsi_secure._core.keyvalue import Entry as KeyValueEntry
from jitsi_secure._core.lines import skip
from jitsi_secure.errors import ParseError
from jitsi_secure.formats.dotenv import _meaning as template

__all__ = ["ANY_SPACE", "BOM", "Entry", "Line", "Quote", "commented_entry", "is_key_char", "scan"]

Quote = Literal["", "'", '"']

#: compose-go's ``isSpace``: whitespace that is not a line break (``\r`` included, so CRLF just works).
_SPACE = "\t\v\f\r \x85\xa0"
#: Go's ``unicode.IsSpace``, less ``\n``: what compose skips before a statement and trims off values.
ANY_SPACE = _SPACE + "\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
BOM = "\ufeff"
#: Go's regexp ``^export\s+``, where ``\s`` is ``[\t\n\f\r ]``.
_EXPORT = re.compile(r"export[\t\n\f\r ]")
_KEY_PUNCTUATION = "_.-[]"
_QUOTED_BODY = {
    "'": re.compile(r"(?:[^\\']|\\.)*'", re.DOTALL),
    '"': re.compile(r'(?:[^\\"]|\\.)*"', re.DOTALL),
}
_BACKSLASH_PAIR = re.compile(r"\\(.)", re.DOTALL)
# compose-go's escapeSeqRegex, applied to double-quoted values once escaped quotes are undone.
_ESCAPE = re.compile(r"\\(?:[abcfnrtv$\"\\]|0[0-9]{0,3})")
_NAMED_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"', "\\": "\\"}


@dataclass(frozen=True)
class Entry(KeyValueEntry):
    """One ``KEY=VALUE`` statement (or a bare ``KEY``), possibly over several lines when quoted.

    The offsets, ``key`` and ``value`` are the shared entry's (:class:`jitsi_secure._core.keyvalue.Entry`):
    ``start``/``end`` include trailing whitespace and comment, ``value_start``/``value_end`` the quotes
    but not a trailing comment (both equal ``key_end`` for a bare ``KEY``), and ``value`` is the value
    with quotes and escapes undone and references kept as written (``None`` for a bare ``KEY``).

    ``template`` is the text compose interpolates (``None`` when it does not: single quotes, bare key);
    ``quote`` is the quote character, ``""`` when unquoted.
    """

    quote: Quote = ""
    template: str | None = None

    @property
    def literal(self) -> bool:
        """Whether compose reads exactly ``value`` whatever the environment (no reference in it)."""
        return self.value is not None and (self.template is None or not template.references(self.template))


Line = Entry | Comment | Blank


def scan(text: str, source: str) -> Iterator[Line]:
    """The lines of ``text``; raises :class:`~jitsi_secure.errors.ParseError` where compose refuses it."""
    try:
        yield from _scan(text)
    except _InvalidError as exc:
        raise ParseError.at(text, exc.offset, exc.message, source=source) from None


class _InvalidError(ValueError):
    """A statement compose refuses; turned into a ParseError only when it matters (line and column cost
    a scan of the text, too much for every comment tried as a commented-out setting)."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def _scan(text: str) -> Iterator[Line]:
    pos = 0
    while pos < len(text):
        content = skip(text, 1 if pos == 0 and text.startswith(BOM) else pos, ANY_SPACE)
        if content == len(text) or text[content] == "\n":
            end = min(content + 1, len(text))
            yield Blank(pos, end)
        elif text[content] == "#":
            end = _line_end(text, content)
            yield Comment(pos, end, content)
        else:
            entry = _statement(text, pos, content)
            end = entry.end
            yield entry
        pos = end


def _statement(text: str, start: int, content: int) -> Entry:
    """Read the statement at ``content`` (``start`` is its line's start), as compose-go does."""
    pos = content
    if _EXPORT.match(text, pos):
        pos = skip(text, pos + len("export"), _SPACE)
        if pos == len(text):
            raise _InvalidError(content, "nothing follows export")
    key_start = index = pos
    separator: int | None = None
    while index < len(text):
        char = text[index]
        if char in _SPACE or is_key_char(char):
            index += 1
        elif char in "=:":
            separator = index
            break
        elif char == "\n":
            break
        else:
            raise _InvalidError(index, f"unexpected character {char!r} in variable name")
    key = text[key_start:index].rstrip(ANY_SPACE)
    key_end = key_start + len(key)
    if " " in key:
        raise _InvalidError(key_start, "a key cannot contain a space")
    if separator is None:
        end = min(index + 1, len(text))
        return Entry(start, end, key_start, key_end, key_end, key_end, key, None)
    value_start = skip(text, separator + 1, _SPACE)
    quote = text[value_start : value_start + 1]
    if quote in ("'", '"'):
        quote, value_end, value, raw_template, end = _quoted(text, value_start)
        return Entry(start, end, key_start, key_end, value_start, value_end, key, value, quote, raw_template)
    eol = text.find("\n", value_start)
    eol = len(text) if eol < 0 else eol
    raw = text[value_start:eol]
    comment = raw.find(" #")
    raw = (raw if comment < 0 else raw[:comment]).rstrip(ANY_SPACE)
    if not raw:
        # An empty value sits right after the separator, not after a CR that compose skips as blank.
        value_start = separator + 1
    value = _display(raw, value_start)
    return Entry(
        start, min(eol + 1, len(text)), key_start, key_end, value_start, value_start + len(raw), key, value, "", raw
    )


def _quoted(text: str, value_start: int) -> tuple[Quote, int, str, str | None, int]:
    """The quoted value at ``value_start``: (quote, value end, value, template, end of its last line)."""
    quote: Quote = "'" if text[value_start] == "'" else '"'
    body = _QUOTED_BODY[quote].match(text, value_start + 1)
    if body is None:
        raise _InvalidError(value_start, f"unterminated quoted value (no closing {quote})")
    value_end = body.end()
    # A backslash before the quote character hides it; any other backslash pair stays as it is.
    chars = _BACKSLASH_PAIR.sub(
        lambda m: m.group(1) if m.group(1) == quote else m.group(0), text[value_start + 1 : value_end - 1]
    )
    after = skip(text, value_end, ANY_SPACE)
    if after < len(text) and text[after] not in "#\n":
        raise _InvalidError(after, "only a # comment may follow a quoted value on its line")
    end = _line_end(text, after)
    if quote == "'":
        return quote, value_end, chars, None, end
    escaped = _ESCAPE.sub(_expand_escape, chars)
    return quote, value_end, _display(escaped, value_start), escaped, end


def _expand_escape(match: re.Match[str]) -> str:
    """One of compose's double-quote escapes, as Go's ``strconv.UnquoteChar`` decodes it."""
    sequence = match.group()
    if sequence == "\\$":
        return "$$"  # compose's template escape, so interpolation leaves a literal dollar
    letter = sequence[1]
    if letter == "0":
        digits = sequence[2:]
        # ``\0NNN`` becomes Go's ``\NNN``: exactly three octal digits up to 255, else left as written.
        if len(digits) == 3 and all(d in "01234567" for d in digits) and int(digits, 8) <= 0xFF:
            return chr(int(digits, 8))
        return sequence
    return _NAMED_ESCAPES.get(letter, sequence)


def _display(raw_template: str, offset: int) -> str:
    try:
        return template.display(raw_template)
    except template.TemplateError as exc:
        raise _InvalidError(offset + exc.index, exc.message) from None


def is_key_char(char: str) -> bool:
    # Go's unicode.IsLetter / unicode.IsNumber: categories L* and N*.
    return char in _KEY_PUNCTUATION or unicodedata.category(char)[0] in "LN"


def commented_entry(text: str, comment: Comment) -> Entry | None:
    """The entry a comment line would be without its ``#``, if it is a ``KEY=value`` setting.

    ``#KEY=value`` and ``# KEY = value`` qualify; prose does not (``# E-Mail for receiving ...`` has
    no ``=``; ``# Note: ...`` has a ``:`` but only ``=`` counts here). The value must end on the line.
    """
    body = skip(text, comment.marker + 1, _SPACE)
    if body >= comment.end or text[body] in "#\n":
        return None
    try:
        entry = _statement(text, comment.start, body)
    except _InvalidError:
        return None
    if entry.value is None or entry.end > comment.end or "=" not in text[entry.key_end : entry.value_start]:
        return None
    return entry


def _line_end(text: str, pos: int) -> int:
    """The offset just past the line break that ends the line holding ``pos`` (or the text's end)."""
    newline = text.find("\n", pos)
    return len(text) if newline < 0 else newline + 1
