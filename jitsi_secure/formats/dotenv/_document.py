"""The ``.env`` document: reading is compose's, editing is :mod:`jitsi_secure._core.keyvalue`'s.

The format's own part is here: ``to_dict(resolve=True)`` interpolates as compose does, a value is
written in the quoting of the value it replaces, and a bare ``KEY`` gets a separator first.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from jitsi_secure._core.document import Computed
from jitsi_secure._core.gc_pause import cyclic_gc_paused
from jitsi_secure._core.keyvalue import Comment, KeyValueDocument, check_str
from jitsi_secure._core.placement import Placement
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.writable import refuse_lone_surrogates
from jitsi_secure._core.write import read_text
from jitsi_secure.errors import EditError, ParseError
from jitsi_secure.formats.dotenv import _meaning as template
from jitsi_secure.formats.dotenv._render import quote_value
from jitsi_secure.formats.dotenv._scanner import BOM, Entry, Line, commented_entry, is_key_char, scan

__all__ = ["DotenvDocument", "load_file", "parse"]


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

    def _check_value(self, key: str, name: str, value: object) -> None:
        check_str(name, value)
        assert isinstance(value, str)
        refuse_lone_surrogates(value, f"set {key}")
        if "\0" in value:
            # Compose would read it, but a process environment is C strings: the container could not
            # get the value, and a shell sourcing the file stops at the NUL.
            raise EditError(f"set {key}: a {name} with a NUL character cannot be written to a .env file")

    def _set_splice(self, key: str, value: str, placement: Placement) -> Splice | None:
        entry = self._effective(key) or self._last_bare(key)
        if entry is not None:
            return None if entry.value == value and entry.literal else self._value_splice(entry, value)
        example = self._uncomment(key, lambda example: quote_value(value, prefer=example.quote), placement)
        return example or self._insertion(key, key + self._separator() + quote_value(value), placement)

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
        return commented_entry(self.text, comment)

    def _line_at(self, offset: int) -> int:
        # Compose ends a line at ``\n`` only (a ``\r`` is whitespace to it).
        return self.text.count("\n", 0, offset) + 1

    def _comment_out_at(self, line_start: int) -> int:
        # After a BOM, not before it: compose skips a BOM only at the very start of the file.
        return 1 if line_start == 0 and self.text.startswith(BOM) else line_start


def parse(text: str, *, source: str = "<string>") -> DotenvDocument:
    """Parse ``.env`` text the way Docker Compose v2 does, keeping every character.

    Raises :class:`~jitsi_secure.errors.ParseError` where compose refuses the file (an unterminated
    quote, a bad character in a key, an invalid ``${``) and on the few texts listed as deviations.
    """
    newline = "\r\n" if "\r\n" in text and text.index("\r\n") + 1 == text.find("\n") else "\n"
    style = dataclasses.replace(detect_style(text), newline=newline)
    with cyclic_gc_paused():
        lines = tuple(scan(text, source))
    return DotenvDocument(text=text, lines=lines, source=source, style=style)


def load_file(path: str | os.PathLike[str]) -> DotenvDocument:
    """Read (UTF-8, every byte kept, as compose keeps them) and parse a ``.env`` file; a file that cannot
    be read raises :class:`~jitsi_secure.errors.ReadError`."""
    return parse(read_text(path), source=os.fspath(path))


def _check_key(key: object) -> None:
    check_str("key", key)
    assert isinstance(key, str)
    if not key or not all(is_key_char(c) for c in key):
        raise EditError(f"{key!r} is not a key compose reads (letters, digits and _ . - [ ] only)")
