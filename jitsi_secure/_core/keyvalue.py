"""What the line-based ``key=value`` formats (Java ``.properties``, docker ``.env``) share.

Both are a list of lines tiling the text (entries, comments, blank lines) with last-occurrence-wins
keys; they differ in how a line is read and how a value is escaped. The placement rules that make an
edit look like the file's own are the same, so they live here once:

- ``set`` on an absent key uncomments a commented-out example of it in place, else inserts after the
  last key sharing the longest prefix (``org.jitsi.jicofo.auth.URL`` next to other
  ``org.jitsi.jicofo.auth.*`` keys, ``JWT_APP_SECRET`` after ``JWT_APP_ID``), with that key's
  indentation, the file's usual separator and its line ending;
- ``remove`` takes every occurrence, and the comment block directly above one when it describes that
  entry alone (not a block heading a group, never a commented-out setting); or comments them out;
- every edit re-parses its result and must read exactly as intended, or raises ``EditError``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, Protocol, Self, TypeVar

from jitsi_secure._core.splice import Splice, apply_splices
from jitsi_secure._core.style import TextStyle
from jitsi_secure.errors import EditError, ParseError

__all__ = ["Blank", "Comment", "KeyValueDocument", "KeyValueEntry", "check_str"]


@dataclass(frozen=True)
class Comment:
    """A comment line; ``marker`` is the offset of its comment character."""

    start: int
    end: int
    marker: int


@dataclass(frozen=True)
class Blank:
    """A line that sets nothing."""

    start: int
    end: int


class KeyValueEntry(Protocol):
    """What the shared logic needs of an entry: its offsets, key and value (``None``: no value)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def key_start(self) -> int: ...
    @property
    def key_end(self) -> int: ...
    @property
    def value_start(self) -> int: ...
    @property
    def value_end(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def value(self) -> str | None: ...


EntryT = TypeVar("EntryT", bound=KeyValueEntry)


class KeyValueDocument(Generic[EntryT]):
    """Reading and edit placement shared by the key=value documents.

    Subclasses are frozen dataclasses with ``text``, ``lines``, ``source`` and ``style``; they say how
    to re-parse a text, how a comment reads as a commented-out entry and what ``to_dict()`` reads.
    """

    text: str
    lines: tuple[EntryT | Comment | Blank, ...]
    source: str
    style: TextStyle

    #: What separates the segments of a key, for "the key sharing the longest prefix".
    KEY_SEPARATOR: ClassVar[str] = "."
    #: The separator of a new line in a file that has no entry to copy one from.
    DEFAULT_SEPARATOR: ClassVar[str] = "="

    # -- hooks ---------------------------------------------------------------------------------

    def _reparse(self, text: str) -> Self:
        raise NotImplementedError

    def _commented_entry(self, comment: Comment) -> EntryT | None:
        """The entry ``comment`` would be without its marker, if it is a commented-out setting."""
        raise NotImplementedError

    def to_dict(self) -> Mapping[str, str]:
        """Every key with the value it is read as (each format says how)."""
        raise NotImplementedError

    def _line_starts(self, entry: EntryT) -> Sequence[int]:
        """Where each physical line of ``entry`` begins (a multi-line value is commented line by line)."""
        raise NotImplementedError

    def _comment_out_at(self, line_start: int) -> int:
        """Where the comment marker goes for a line starting at ``line_start``."""
        return line_start

    # -- reading -------------------------------------------------------------------------------

    def render(self) -> str:
        """The document's text, byte for byte."""
        return self.text

    def entries(self) -> Iterator[EntryT]:
        """Every entry in file order, duplicates included."""
        return (line for line in self.lines if not isinstance(line, Comment | Blank))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._effective(key) is not None

    def _effective(self, key: str) -> EntryT | None:
        """The occurrence of ``key`` that is read: the last one with a value."""
        found = None
        for entry in self.entries():
            if entry.key == key and entry.value is not None:
                found = entry
        return found

    # -- editing -------------------------------------------------------------------------------

    def remove(self, key: str, *, comment_out: bool = False) -> Self:
        """A document without ``key``: every occurrence goes, with each of its lines.

        A comment block directly above an occurrence (no blank line between) goes with it when it
        describes that entry alone; it stays when another entry follows directly (then it heads a
        group) and is never a commented-out setting. With ``comment_out=True`` the lines stay,
        each prefixed with ``#``. Removing an absent key returns this document unchanged.
        """
        check_str("key", key)
        targets = [entry for entry in self.entries() if entry.key == key]
        if not targets:
            return self
        if comment_out:
            splices = [
                Splice(self._comment_out_at(start), self._comment_out_at(start), "#", f"comment out {key}")
                for entry in targets
                for start in self._line_starts(entry)
            ]
        else:
            splices = [Splice(self._removal_start(entry), entry.end, "", f"remove {key}") for entry in targets]
        return self._edited(splices, expect={k: v for k, v in self.to_dict().items() if k != key})

    def _edited(self, splices: Sequence[Splice], *, expect: Mapping[str, str]) -> Self:
        """The document the splices make, provided it reads exactly as ``expect``."""
        try:
            new = self._reparse(apply_splices(self.text, splices))
        except ParseError as exc:
            raise EditError(f"{self.source}: the edit would not parse: {exc.message}") from None
        got = new.to_dict()
        if got != expect:
            changed = sorted(k for k in expect.keys() | got.keys() if expect.get(k) != got.get(k))
            raise EditError(f"{self.source}: the edit would not read back as intended (keys {changed})")
        return new

    def _commented_example(self, key: str) -> tuple[Comment, EntryT] | None:
        """The last commented-out setting of ``key``, the preferred place to set it."""
        for line in reversed(self.lines):
            if isinstance(line, Comment):
                body = self._commented_entry(line)
                if body is not None and body.key == key:
                    return line, body
        return None

    def _separator(self) -> str:
        """The separator most entries use (``=``, `` = ``, ``:``, ...), for new lines."""
        separators = (self.text[entry.key_end : entry.value_start] for entry in self.entries())
        spellings = Counter(s for s in separators if "=" in s or ":" in s)
        return spellings.most_common(1)[0][0] if spellings else self.DEFAULT_SEPARATOR

    def _insertion(self, key: str, line: str) -> Splice:
        """Insert ``line`` (without indentation or line break) where a new ``key`` belongs."""
        anchor = self._insertion_anchor(key)
        newline = self.style.newline
        if anchor is not None:
            line = self.text[anchor.start : anchor.key_start] + line
        at = anchor.end if anchor is not None else len(self.text)
        if at == len(self.text) and self.text and self.text[-1] not in "\r\n":
            # Appending to a file without a final line break: it keeps not having one.
            return Splice(at, at, newline + line, f"add {key}")
        return Splice(at, at, line + newline, f"add {key}")

    def _insertion_anchor(self, key: str) -> EntryT | None:
        segments = key.split(self.KEY_SEPARATOR)
        best: EntryT | None = None
        best_shared = 0
        for entry in self.entries():
            shared = _shared_prefix(segments, entry.key.split(self.KEY_SEPARATOR))
            if shared and shared >= best_shared:
                best, best_shared = entry, shared
        return best

    def _removal_start(self, entry: EntryT) -> int:
        index = self.lines.index(entry)
        if index + 1 < len(self.lines) and not isinstance(self.lines[index + 1], Comment | Blank):
            return entry.start
        start = entry.start
        for line in reversed(self.lines[:index]):
            if not isinstance(line, Comment) or self._commented_entry(line) is not None:
                break
            start = line.start
        return start


def check_str(name: str, value: object) -> None:
    """Refuse a key or value that is not a string, before it reaches a renderer."""
    if not isinstance(value, str):
        raise EditError(f"a {name} must be a string, not {type(value).__name__}")


def _shared_prefix(a: list[str], b: list[str]) -> int:
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return shared
