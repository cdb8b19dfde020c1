"""What the line-based ``key=value`` formats (Java ``.properties``, docker ``.env``) share.

Both are a list of lines tiling the text (entries, comments, blank lines) with last-occurrence-wins
keys; they differ in how a line is read and how a value is escaped. The placement rules that make an
edit look like the file's own are the same, so they live here once:

- ``set`` on an absent key uncomments a commented-out example of it in place, else inserts after the
  last key sharing the longest prefix (``org.jitsi.jicofo.auth.URL`` next to other
  ``org.jitsi.jicofo.auth.*`` keys, ``JWT_APP_SECRET`` after ``JWT_APP_ID``), with that key's
  indentation, the file's usual separator and its line ending;
- ``remove`` takes every occurrence with the comments the one comment rule gives it
  (:mod:`jitsi_secure._core.trivia`), or comments them out;
- ``edit`` makes all its changes as one batch of splices, re-parses the result once and it must read
  exactly as intended, or raises ``EditError``.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar, Generic, Self, TypeVar

from jitsi_secure._core.document import REMOVE, CommentOut, Computed, Remove
from jitsi_secure._core.edit import names_source, verified_edit
from jitsi_secure._core.placement import Line, Placement
from jitsi_secure._core.spans import KeyValueSpan
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle
from jitsi_secure._core.trivia import comment_out_splices, commented_out_as, owned_span, uncomment_splice
from jitsi_secure.errors import EditError, line_and_column

__all__ = ["Blank", "Comment", "Entry", "KeyValueDocument", "check_str", "key_of"]


# Same shape as secret_file's `FileMode` (three ints), which `duplicates` reports: unrelated records.
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


@dataclass(frozen=True)
class Entry(KeyValueSpan):
    """A ``key = value`` line (or lines, when continued or quoted) of a key=value format.

    Offsets index the document text. ``start``/``end`` cover the whole line(s), from the indentation
    to the final line break; ``key_start``/``key_end`` the raw (escaped) key; ``value_start``/
    ``value_end`` the raw value, without the final line break (nor, in ``.env``, a trailing comment).
    ``key`` and ``value`` are decoded as the format's reader decodes them; ``value`` is ``None`` for a
    line that names a key without giving it a value (a bare ``KEY`` in ``.env``; never in
    ``.properties``, where ``key`` alone reads as the empty string).
    """

    # config.js's ``Prop`` shares the offsets (both are ``KeyValueSpan``s); it is not a line of a
    # key=value file and has no ``value`` string, so it adds its own fields instead of these.

    key: str
    value: str | None


EntryT = TypeVar("EntryT", bound=Entry)


class KeyValueDocument(Generic[EntryT]):
    """Reading and edit placement shared by the key=value documents.

    Subclasses are frozen dataclasses with ``text``, ``lines``, ``source`` and ``style``; they say how
    to re-parse a text, how a comment reads as a commented-out entry and what ``to_dict()`` reads.
    """

    text: str
    lines: tuple[EntryT | Comment | Blank, ...]
    source: str
    style: TextStyle
    applied: tuple[Splice, ...]

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

    def to_dict(self) -> Mapping[str, str | Computed]:
        """Every key with the value it is read as (each format says how)."""
        raise NotImplementedError

    def _set_splice(self, key: str, value: str, placement: Placement) -> Splice | None:
        """The splice that makes ``key`` read ``value`` (``None``: it already does); a new line is placed
        by ``placement`` (through :meth:`_uncomment` or :meth:`_insertion`)."""
        raise NotImplementedError

    def _value_splice(self, entry: EntryT, value: str) -> Splice:
        """The splice that gives ``entry`` the value ``value``, its key and separator kept."""
        raise NotImplementedError

    def _read(self, entry: EntryT) -> str | Computed:
        """What ``entry`` reads as, for :meth:`get`."""
        raise NotImplementedError

    def _check_key(self, key: str) -> None:
        check_str("key", key)

    def _check_value(self, key: str, name: str, value: object) -> None:
        """Refuse a ``value`` (or ``placeholder``: ``name``) for ``key`` that the format cannot write."""
        check_str(name, value)

    def _comment_out_at(self, line_start: int) -> int:
        """Where the comment marker goes for a line starting at ``line_start``."""
        return line_start

    def _line_at(self, offset: int) -> int:
        """The 1-based line of ``offset``: ``\\r\\n``, ``\\r`` and ``\\n`` each end one, as Java reads."""
        return line_and_column(self.text, offset)[0]

    # -- reading -------------------------------------------------------------------------------

    def render(self) -> str:
        """The document's text, byte for byte."""
        return self.text

    def entries(self) -> Iterator[EntryT]:
        """Every entry in file order, duplicates included."""
        return (line for line in self.lines if not isinstance(line, Comment | Blank))

    def __contains__(self, path: object) -> bool:
        if isinstance(path, tuple) and len(path) == 1:
            path = path[0]
        return isinstance(path, str) and self._effective(path) is not None

    def _effective(self, key: str) -> EntryT | None:
        """The occurrence of ``key`` that is read: the last one with a value."""
        found = None
        for entry in self.entries():
            if entry.key == key and entry.value is not None:
                found = entry
        return found

    def line_of(self, path: str | tuple[str]) -> int | None:
        """The line of the key ``path``'s occurrence that is read (its last one with a value), or ``None``."""
        entry = self._effective(key_of(path))
        return None if entry is None else self._line_at(entry.start)

    # -- the document API ------------------------------------------------------------------------

    @names_source
    def get(self, path: str | tuple[str], default: str | None = None) -> str | Computed | None:
        """The value read for the key ``path`` (its last occurrence with a value), or ``default``."""
        entry = self._effective(key_of(path))
        return default if entry is None else self._read(entry)

    @names_source
    def set(self, path: str | tuple[str], value: str) -> Self:
        """A document in which ``path`` reads as ``value``: ``edit({path: value})``.

        * Present: the value of its last occurrence is replaced, keeping the key's spelling, its
          indentation, separator and trailing comment (earlier duplicates are left alone: they are
          overridden anyway).
        * Absent but commented out (``#key=...``, ``# key = ...``): the last such example is uncommented in
          place, keeping its indentation and key spelling, and given the value.
        * Otherwise: a line is inserted after the last key sharing the longest prefix, with that key's
          indentation, the file's usual separator and its dominant line ending (else appended).

        Setting the value the key already has returns this document unchanged.
        """
        return self.edit({path: value})

    @names_source
    def remove(self, path: str | tuple[str], *, comment_out: bool = False) -> Self:
        """A document without ``path``: every occurrence goes, with each of its lines.

        Comments follow the one rule (see :mod:`jitsi_secure._core.trivia`): the comment block directly
        above an occurrence leaves with it when it is alone in its paragraph, and stays when it shares
        the paragraph with other keys; blank lines stay. With ``comment_out=True`` the lines stay, each
        prefixed with ``#``. Removing an absent key returns this document unchanged.
        """
        return self._edit({path: REMOVE}, comment_out=comment_out)

    @names_source
    def edit(self, changes: Mapping[str | tuple[str], str | Remove | CommentOut]) -> Self:
        """All ``changes`` (key to value, to :data:`~jitsi_secure.formats.REMOVE`, or to a
        :class:`~jitsi_secure.formats.CommentOut`) as one batch of splices on this text, verified once;
        this document when nothing changes.

        New lines are placed as if the changes were made one after the other, in the order given: a
        key uncommented or added earlier in the batch is an anchor for a later new key sharing its
        prefix, and a key the batch removes or comments out is not.
        """
        return self._edit(changes, comment_out=False)

    # -- editing -------------------------------------------------------------------------------

    def _edit(self, changes: Mapping[str | tuple[str], str | Remove | CommentOut], *, comment_out: bool) -> Self:
        splices: list[Splice] = []
        expect: dict[str, object] = dict(self.to_dict())
        placement = Placement(Line(e.key, e.start, e.end, self.text[e.start : e.key_start]) for e in self.entries())
        for path, value in changes.items():
            key = key_of(path)
            self._check_key(key)
            if value is REMOVE or isinstance(value, CommentOut):
                how = value if isinstance(value, CommentOut) else (CommentOut() if comment_out else None)
                splices.extend(self._removal_splices(key, how))
                placement.drop(key)
                expect.pop(key, None)
                continue
            self._check_value(key, "value", value)
            assert isinstance(value, str)
            splice = self._set_splice(key, value, placement)
            if splice is not None:
                splices.append(splice)
                expect[key] = value
        if not splices:
            return self
        splices = placement.in_order(splices)

        def problem(new: Self) -> str | None:
            got: dict[str, object] = dict(new.to_dict())
            if got == expect:
                return None
            changed = sorted(k for k in expect.keys() | got.keys() if expect.get(k) != got.get(k))
            return f"keys {changed}"

        # mypy cannot solve the type variable from ``Self`` in a nested function; the call is sound.
        return verified_edit(self.text, splices, source=self.source, reparse=self._reparse, problem=problem)  # type: ignore[arg-type]

    def _removal_splices(self, key: str, how: CommentOut | None) -> list[Splice]:
        """Deleting every occurrence of ``key`` (``how`` is ``None``), or commenting each out, its value
        first replaced by ``how.placeholder`` when there is one."""
        targets = [entry for entry in self.entries() if entry.key == key]
        if how is None:
            return [Splice(*self._owned_span(entry), "", f"remove {key}") for entry in targets]
        reason = f"comment out {key}"
        if how.placeholder is None:
            return [
                splice
                for entry in targets
                for splice in comment_out_splices(
                    self.text, entry.start, entry.end, "#", reason, at=self._comment_out_at
                )
            ]
        self._check_value(key, "placeholder", how.placeholder)
        return [
            commented_out_as(
                self.text,
                (self._comment_out_at(entry.start), entry.end),
                [self._value_splice(entry, how.placeholder)],
                "#",
                reason=reason,
                after_indentation=False,
            )
            for entry in targets
        ]

    def _owned_span(self, entry: EntryT) -> tuple[int, int]:
        starts = [line.start for line in self.lines]

        def other_key(a: int, _b: int) -> bool:
            line = self.lines[bisect.bisect_right(starts, a) - 1]
            if isinstance(line, Blank) or line is entry:
                return False
            return not isinstance(line, Comment) or self._commented_entry(line) is not None

        return owned_span(
            self.text, entry.start, entry.end, is_comment=lambda line: line[:1] in "#!", is_other_key=other_key
        )

    def _uncomment(self, key: str, rendered: Callable[[EntryT], str], placement: Placement) -> Splice | None:
        """The uncomment rule: the last commented-out example of ``key`` becomes the setting, its value
        written by ``rendered(example)``."""
        example = self._commented_example(key)
        if example is None:
            return None
        line, body = example
        key_start = line.marker + 1
        while key_start < body.key_start and self.text[key_start] in " \t\f":
            key_start += 1
        placement.uncommented(key, line.start, line.end, self.text[line.start : line.marker])
        return uncomment_splice(
            self.text,
            line.marker,
            key_start,
            (body.value_start, body.value_end),
            rendered(body),
            reason=f"uncomment {key}",
        )

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

    def _insertion(self, key: str, line: str, placement: Placement) -> Splice:
        """Insert ``line`` (without indentation or line break) where a new ``key`` belongs."""
        anchor = placement.anchor(key, self.KEY_SEPARATOR)
        indentation = anchor.indentation if anchor is not None else ""
        at = anchor.at if anchor is not None else len(self.text)
        line = indentation + line
        if at == len(self.text) and self.text and self.text[-1] not in "\r\n":
            # Appending to a file without a final line break: it keeps not having one.
            splice = Splice(at, at, self.style.newline + line, f"add {key}")
        else:
            splice = Splice(at, at, line + self.style.newline, f"add {key}")
        return placement.insert(key, anchor, splice, indentation)


def key_of(path: object) -> str:
    """The key a ``.properties``/``.env`` path names: the string itself (keys hold dots) or a 1-tuple."""
    if isinstance(path, tuple) and len(path) == 1:
        path = path[0]
    if not isinstance(path, str):
        raise EditError(f"a key must be a string or a 1-tuple of one, not {type(path).__name__}")
    return path


def check_str(name: str, value: object) -> None:
    """Refuse a key or value that is not a string, before it reaches a renderer."""
    if not isinstance(value, str):
        raise EditError(f"a {name} must be a string, not {type(value).__name__}")
