"""The ``.properties`` document: reading is Java's, editing is :mod:`jitsi_secure._core.keyvalue`'s.

The format's own part of an edit is here: a value is replaced in its entry, escaped as Java reads it
back, and a key alone on its line gets the file's separator first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from jitsi_secure._core.gc_pause import cyclic_gc_paused
from jitsi_secure._core.keyvalue import Comment, Entry, KeyValueDocument
from jitsi_secure._core.placement import Placement
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.write import read_text
from jitsi_secure.formats.properties._render import escape_key, escape_value
from jitsi_secure.formats.properties._scanner import Line, commented_entry, scan

__all__ = ["ENCODING", "PropertiesDocument", "load_file", "parse"]

#: The encoding ``Properties.load(InputStream)`` uses; also lossless for any byte sequence.
ENCODING = "iso-8859-1"


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
            # Java gives every key a value (``key`` alone reads ""): the check only narrows the type.
            if entry.value is not None:
                result[entry.key] = entry.value
        return result

    # -- internals -----------------------------------------------------------------------------

    def _read(self, entry: Entry) -> str:
        assert entry.value is not None
        return entry.value

    def _set_splice(self, key: str, value: str, placement: Placement) -> Splice | None:
        entry = self._effective(key)
        if entry is not None:
            return None if entry.value == value else self._value_splice(entry, value)
        return self._uncomment(key, lambda _example: escape_value(value), placement) or self._insertion(
            key, escape_key(key) + self._separator() + escape_value(value), placement
        )

    def _reparse(self, text: str) -> PropertiesDocument:
        return parse(text, source=self.source)

    def _commented_entry(self, comment: Comment) -> Entry | None:
        return commented_entry(self.text, comment)

    def _value_splice(self, entry: Entry, value: str) -> Splice:
        escaped = escape_value(value)
        if entry.value_start == entry.key_end:
            # ``key`` alone on its line has no separator yet; a value needs one.
            escaped = self._separator() + escaped
        return Splice(entry.value_start, entry.value_end, escaped, f"set {entry.key}")


def parse(text: str, *, source: str = "<string>") -> PropertiesDocument:
    """Parse ``.properties`` text the way ``java.util.Properties.load`` does, keeping every byte.

    Raises :class:`~jitsi_secure.errors.ParseError` where Java would throw (a malformed ``\\uXXXX``).
    """
    with cyclic_gc_paused():
        lines = tuple(scan(text, source))
    return PropertiesDocument(text=text, lines=lines, source=source, style=detect_style(text))


def load_file(path: str | os.PathLike[str]) -> PropertiesDocument:
    """Read and parse a ``.properties`` file as Java does (ISO-8859-1 plus ``\\u`` escapes).

    Every byte decodes in ISO-8859-1, so no file is refused for its encoding; a file that cannot be
    read raises :class:`~jitsi_secure.errors.ReadError`.
    """
    return parse(read_text(path, encoding=ENCODING), source=os.fspath(path))
