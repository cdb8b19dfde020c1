"""docker-jitsi-meet's ``.env``, read as Docker Compose v2 reads it, edited losslessly.

Compose reads ``.env`` with the ``dotenv`` package of ``compose-go`` (``ParseWithLookup``); this module
follows that parser, rule for rule:

* A UTF-8 BOM at the start is ignored. Only ``\\n`` ends a line; ``\\r`` is whitespace, so CRLF files
  read like LF files. Blank lines and lines whose first non-blank character is ``#`` are skipped.
* A statement is ``[export ]KEY=VALUE``. ``export`` followed by whitespace is dropped. ``:`` works as
  well as ``=`` (``KEY: value``). Whitespace around the separator is allowed and ignored. A key may
  hold letters, digits (Unicode ones too), ``_ . - [ ]``; any other character is an error, and so is
  a space inside the key. ``KEY`` alone on its line (no separator) takes the variable from the
  environment, if set there: it never removes a value read earlier.
* Unquoted values run to the end of the line; `` #`` (a *space* then ``#``) starts a comment, a ``#``
  with no space before it is part of the value (``a#b``), leading and trailing whitespace is dropped.
  Careful: compose drops the whitespace after ``=`` *before* looking for `` #``, so ``KEY= # note``
  reads ``# note``.
* ``'single quoted'`` values are literal: no escapes (``\\'`` is a quote, any other backslash stays)
  and no interpolation. ``"double quoted"`` values decode ``\\a \\b \\f \\n \\r \\t \\v \\" \\\\ \\$``
  and ``\\0NNN`` (octal); any other backslash stays. Both kinds may span lines. After the closing
  quote only whitespace and a ``# comment`` may follow on the line.
* Unquoted and double-quoted values are interpolated: ``$NAME``, ``${NAME}``, ``${NAME:-default}``
  and the other shell forms; ``$$`` (and ``\\$`` inside double quotes) is a literal ``$``. A ``${``
  that is none of those forms is an error. See :mod:`jitsi_secure.formats._dotenv_template`.
* Duplicate keys: the last one wins. An unterminated quote or a bad key raises
  :class:`~jitsi_secure.errors.ParseError` with line and column.

Reading without interpolation (the default): :meth:`DotenvDocument.get` and
:meth:`~DotenvDocument.to_dict` give each value with its quotes and escapes undone and its references
kept as written: ``PUBLIC_URL=https://meet.example.com:${HTTPS_PORT}`` reads
``https://meet.example.com:${HTTPS_PORT}``. ``$$`` and ``\\$`` read as ``$``, so such a value is only
what compose ends up with when :attr:`Entry.literal` is true. ``to_dict(resolve=True, environ=...)``
substitutes as compose does: a reference is looked up in ``environ`` first, then in the values read
above it in the file (unset: empty string); a bare ``KEY`` line takes ``environ[KEY]`` when present.

Values written by :meth:`DotenvDocument.set` are literal: compose reads exactly the string given, never
a substitution. They stay unquoted when that is safe, else go in single quotes (literal, best for
secrets), else in double quotes with escapes; the quoting of the value being replaced (or of the
commented-out example being uncommented) is kept when it can hold the new value.

Deviations from compose, all on text that no hand-written ``.env`` holds: a second statement after a
closing quote on the same line (``A="x" B=2``, which compose reads as two settings) is refused with a
``ParseError`` instead of guessed at; a bare ``KEY`` on the last line without a final newline is a bare
key here, where compose's parser reads it as the value of an empty key; ``${NAME...}`` with a nested
``}`` ends at the brace that balances it even where compose's regular expression would cut elsewhere.

The document is a list of lines (entries, comments, blank lines) tiling the text; every character
belongs to exactly one line, and edits are splices of that text::

    doc = parse(text)
    doc = doc.set("ENABLE_AUTH", "1")      # uncomments "#ENABLE_AUTH=1" in place
    doc.render()
"""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from jitsi_secure._core.document import Computed
from jitsi_secure._core.gc_pause import cyclic_gc_paused
from jitsi_secure._core.keyvalue import Blank, Comment, KeyValueDocument, check_str
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.write import read_text
from jitsi_secure.errors import EditError, ParseError
from jitsi_secure.formats import _dotenv_template as template

__all__ = [
    "Blank",
    "Comment",
    "DotenvDocument",
    "Entry",
    "Line",
    "load_file",
    "parse",
    "quote_value",
    "secret_spellings",
]

Quote = Literal["", "'", '"']

#: compose-go's ``isSpace``: whitespace that is not a line break (``\r`` included, so CRLF just works).
_SPACE = "\t\v\f\r \x85\xa0"
#: Go's ``unicode.IsSpace``, less ``\n``: what compose skips before a statement and trims off values.
_ANY_SPACE = _SPACE + "\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_BOM = "\ufeff"
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
# What needs escaping inside double quotes for compose to read a value back literally; a ``$`` only
# when something after it would make it a reference or an escape.
_DOUBLE_ESCAPES = re.compile(r'[\\"\n\r]|\$(?=[_a-zA-Z{$])')


@dataclass(frozen=True)
class Entry:
    """One ``KEY=VALUE`` statement (or a bare ``KEY``), possibly over several lines when quoted.

    Offsets index the document text. ``start``/``end`` cover the whole line(s), from the indentation
    to the final line break, trailing whitespace and comment included; ``key_start``/``key_end`` the
    key; ``value_start``/``value_end`` the raw value, quotes included but not a trailing comment
    (both equal ``key_end`` for a bare ``KEY``).

    ``value`` is the value with quotes and escapes undone and references kept as written (``None``
    for a bare ``KEY``); ``template`` is the text compose interpolates (``None`` when it does not:
    single quotes, bare key); ``quote`` is the quote character, ``""`` when unquoted.
    """

    start: int
    end: int
    key_start: int
    key_end: int
    value_start: int
    value_end: int
    key: str
    value: str | None
    quote: Quote = ""
    template: str | None = None

    @property
    def literal(self) -> bool:
        """Whether compose reads exactly ``value`` whatever the environment (no reference in it)."""
        return self.value is not None and (self.template is None or not template.references(self.template))


Line = Entry | Comment | Blank


@dataclass(frozen=True)
class DotenvDocument(KeyValueDocument[Entry]):
    """An immutable, lossless ``.env`` document.

    ``render()`` returns the text it was parsed from, byte for byte; edits return new documents.
    """

    text: str
    lines: tuple[Line, ...]
    source: str = "<string>"
    style: TextStyle = field(default_factory=TextStyle)

    applied: tuple[Splice, ...] = field(default=(), compare=False, repr=False)

    KEY_SEPARATOR = "_"

    # -- reading -------------------------------------------------------------------------------

    def to_dict(
        self,
        *,
        resolve: bool = False,
        env: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> dict[str, str | Computed]:
        """Every key with its value, in order of first appearance.

        By default nothing is substituted: a value holding a reference (``https://${HOST}:${PORT}``) is a
        :class:`~jitsi_secure.formats.Computed` with its text as written, every other value is the string
        compose reads (``$$`` and ``\\$`` read as ``$``); bare ``KEY`` lines are left out. With
        ``resolve=True`` or an ``environ`` mapping, values are interpolated as compose does: references
        are looked up in ``environ`` (default: empty; pass ``os.environ`` for this machine's), then in
        the values above; a bare ``KEY`` takes ``environ[KEY]`` when present. A ``${NAME:?message}``
        whose variable is unset raises :class:`~jitsi_secure.errors.ParseError`, as compose fails.
        ``env`` is the name HOCON and Lua use; ``environ`` is its deprecated spelling here.
        """
        environ = env if env is not None else environ
        result: dict[str, str | Computed] = {}
        if not resolve and environ is None:
            for entry in self.entries():
                if entry.value is not None:
                    result[entry.key] = self._read(entry)
            return result
        env = environ if environ is not None else {}
        resolved: dict[str, str] = {}

        def lookup(name: str) -> str | None:
            return env[name] if name in env else resolved.get(name)

        for entry in self.entries():
            if entry.value is None:
                if entry.key in env:
                    resolved[entry.key] = env[entry.key]
            elif entry.template is None:
                resolved[entry.key] = entry.value
            else:
                try:
                    resolved[entry.key] = template.substitute(entry.template, lookup)
                except template.TemplateError as exc:
                    raise ParseError.at(self.text, entry.value_start, exc.message, source=self.source) from None
        result.update(resolved)
        return result

    # -- internals -----------------------------------------------------------------------------

    def _read(self, entry: Entry) -> str | Computed:
        assert entry.value is not None
        return entry.value if entry.literal else Computed(self.text[entry.value_start : entry.value_end])

    def _check_key(self, key: str) -> None:
        _check_key(key)

    def _set_splice(self, key: str, value: str) -> Splice | None:
        entry = self._effective(key) or self._last_bare(key)
        if entry is not None:
            return None if entry.value == value and entry.literal else self._value_splice(entry, value)
        return self._uncomment(key, lambda example: quote_value(value, prefer=example.quote)) or self._insertion(
            key, key + self._separator() + quote_value(value)
        )

    def _last_bare(self, key: str) -> Entry | None:
        bare = [entry for entry in self.entries() if entry.key == key]
        return bare[-1] if bare else None

    def _value_splice(self, entry: Entry, value: str) -> Splice:
        if entry.value is None:
            # A bare ``KEY`` has no separator yet.
            new = self._separator() + quote_value(value)
            return Splice(entry.key_end, entry.key_end, new, f"set {entry.key}")
        return Splice(entry.value_start, entry.value_end, quote_value(value, prefer=entry.quote), f"set {entry.key}")

    def _reparse(self, text: str) -> DotenvDocument:
        return parse(text, source=self.source)

    def _commented_entry(self, comment: Comment) -> Entry | None:
        return _commented_entry(self.text, comment)

    def _comment_out_at(self, line_start: int) -> int:
        # After a BOM, not before it: compose skips a BOM only at the very start of the file.
        return 1 if line_start == 0 and self.text.startswith(_BOM) else line_start


# -- parsing ----------------------------------------------------------------------------------


def parse(text: str, *, source: str = "<string>") -> DotenvDocument:
    """Parse ``.env`` text the way Docker Compose v2 does, keeping every character.

    Raises :class:`~jitsi_secure.errors.ParseError` where compose refuses the file (an unterminated
    quote, a bad character in a key, an invalid ``${``) and on the few texts listed as deviations.
    """
    newline = "\r\n" if "\r\n" in text and text.index("\r\n") + 1 == text.find("\n") else "\n"
    style = dataclasses.replace(detect_style(text), newline=newline)
    with cyclic_gc_paused():
        lines = tuple(_lines(text, source))
    return DotenvDocument(text=text, lines=lines, source=source, style=style)


def load_file(path: str | os.PathLike[str]) -> DotenvDocument:
    """Read (UTF-8, every byte kept, as compose keeps them) and parse a ``.env`` file; a file that cannot
    be read raises :class:`~jitsi_secure.errors.WriteError`."""
    return parse(read_text(path), source=os.fspath(path))


class _InvalidError(ValueError):
    """A statement compose refuses; turned into a ParseError only when it matters (line and column cost
    a scan of the text, too much for every comment tried as a commented-out setting)."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def _lines(text: str, source: str) -> Iterator[Line]:
    try:
        yield from _scan(text)
    except _InvalidError as exc:
        raise ParseError.at(text, exc.offset, exc.message, source=source) from None


def _scan(text: str) -> Iterator[Line]:
    pos = 0
    while pos < len(text):
        content = _skip(text, 1 if pos == 0 and text.startswith(_BOM) else pos, _ANY_SPACE)
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
        pos = _skip(text, pos + len("export"), _SPACE)
        if pos == len(text):
            raise _InvalidError(content, "nothing follows export")
    key_start = index = pos
    separator: int | None = None
    while index < len(text):
        char = text[index]
        if char in _SPACE or _is_key_char(char):
            index += 1
        elif char in "=:":
            separator = index
            break
        elif char == "\n":
            break
        else:
            raise _InvalidError(index, f"unexpected character {char!r} in variable name")
    key = text[key_start:index].rstrip(_ANY_SPACE)
    key_end = key_start + len(key)
    if " " in key:
        raise _InvalidError(key_start, "a key cannot contain a space")
    if separator is None:
        end = min(index + 1, len(text))
        return Entry(start, end, key_start, key_end, key_end, key_end, key, None)
    value_start = _skip(text, separator + 1, _SPACE)
    quote = text[value_start : value_start + 1]
    if quote in ("'", '"'):
        quote, value_end, value, raw_template, end = _quoted(text, value_start)
        return Entry(start, end, key_start, key_end, value_start, value_end, key, value, quote, raw_template)
    eol = text.find("\n", value_start)
    eol = len(text) if eol < 0 else eol
    raw = text[value_start:eol]
    comment = raw.find(" #")
    raw = (raw if comment < 0 else raw[:comment]).rstrip(_ANY_SPACE)
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
    after = _skip(text, value_end, _ANY_SPACE)
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


def _is_key_char(char: str) -> bool:
    # Go's unicode.IsLetter / unicode.IsNumber: categories L* and N*.
    return char in _KEY_PUNCTUATION or unicodedata.category(char)[0] in "LN"


# -- writing values ---------------------------------------------------------------------------


def quote_value(value: str, *, prefer: Quote = "") -> str:
    """``value`` written so that compose (and python-dotenv) read it back literally.

    Unquoted when safe: no whitespace at either end, none but spaces inside, and none of
    ``# ' " $ \\``. Else single quotes, when ``value`` has no ``'``, ``\\`` or line break (compose
    substitutes nothing in single quotes: the choice for secrets). Else double quotes, escaping
    ``\\ " \\n \\r`` and a ``$`` that would start a reference. ``prefer`` keeps an existing style
    (``'`` or ``"``) when it can hold the value.
    """
    single_ok = not any(c in value for c in "'\\\n\r")
    if prefer == '"' or (prefer == "'" and not single_ok):
        return _double_quoted(value)
    if prefer == "'":
        return f"'{value}'"
    if _unquoted_ok(value):
        return value
    return f"'{value}'" if single_ok else _double_quoted(value)


def _unquoted_ok(value: str) -> bool:
    if value != value.strip(" "):
        return False
    return not any(c in "#'\"$\\" or (c != " " and (c.isspace() or c in _ANY_SPACE)) for c in value)


def _double_quoted(value: str) -> str:
    escapes = {"\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\", "$": "\\$"}
    return '"' + _DOUBLE_ESCAPES.sub(lambda m: escapes[m.group()[0]], value) + '"'


# -- small helpers ----------------------------------------------------------------------------


def _commented_entry(text: str, comment: Comment) -> Entry | None:
    """The entry a comment line would be without its ``#``, if it is a ``KEY=value`` setting.

    ``#KEY=value`` and ``# KEY = value`` qualify; prose does not (``# E-Mail for receiving ...`` has
    no ``=``; ``# Note: ...`` has a ``:`` but only ``=`` counts here). The value must end on the line.
    """
    body = _skip(text, comment.marker + 1, _SPACE)
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


def _skip(text: str, pos: int, chars: str) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def _check_key(key: object) -> None:
    check_str("key", key)
    assert isinstance(key, str)
    if not key or not all(_is_key_char(c) for c in key):
        raise EditError(f"{key!r} is not a key compose reads (letters, digits and _ . - [ ] only)")


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in a ``.env`` file, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {quote_value(secret), quote_value(secret, prefer="'"), quote_value(secret, prefer='"')}
