"""The HOCON document: its text, syntax tree and merged meaning; reading, and each edit verified once."""

from __future__ import annotations

import functools
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jitsi_secure._core.document import REMOVE, CommentOut, Remove
from jitsi_secure._core.edit import names_source, read_source, verified_edit
from jitsi_secure._core.gc_pause import cyclic_gc_paused
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.hocon._edit import Editor
from jitsi_secure.formats.hocon._meaning import (
    ABSENT,
    MISSING,
    HoconValue,
    build_raw,
    lookup,
    pruned,
    resolve_path,
    resolve_raw,
    same,
    unresolved_view,
)
from jitsi_secure.formats.hocon._parser import Include as _IncludeNode
from jitsi_secure.formats.hocon._parser import Obj, Syntax, key_path, parse_syntax

__all__ = ["HoconDocument", "Include", "load_file", "parse"]


# `duplicates` pairs this record with accounts' `AccountResult` by shape: unrelated, nothing to share.
@dataclass(frozen=True)
class Include:
    """An ``include`` statement: reported, never followed.

    Attributes:
        kind: ``"heuristic"`` (a bare quoted name), ``"file"``, ``"url"`` or ``"classpath"``.
        name: the quoted name, unescaped.
        required: whether it was wrapped in ``required(...)``.
        path: the key path of the object it sits in (``()`` at the root).
        line: 1-based line of the ``include`` keyword.
    """

    kind: str
    name: str
    required: bool
    path: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class HoconDocument:
    """An immutable HOCON text with its syntax tree; edits return new documents.

    Attributes:
        text: the exact text (``render()`` returns it).
        source: the file name used in error messages.
        style: the text's line ending and indentation habits, copied by inserted lines.
    """

    text: str
    source: str = "<string>"
    style: TextStyle = field(default_factory=TextStyle)
    _syntax: Syntax = field(default=None, repr=False, compare=False)  # type: ignore[assignment]
    _raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    applied: tuple[Splice, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._syntax is None:
            # Built directly rather than through parse(): parse now so the document is never half-made.
            parsed = parse(self.text, source=self.source)
            object.__setattr__(self, "style", parsed.style)
            object.__setattr__(self, "_syntax", parsed._syntax)
            object.__setattr__(self, "_raw", parsed._raw)

    def render(self) -> str:
        """The document's text, byte for byte."""
        return self.text

    # -- reading -------------------------------------------------------------------------------------

    def to_dict(self, *, resolve: bool = False, env: Mapping[str, str] | None = None) -> dict[str, HoconValue]:
        """The merged meaning as plain Python values (a new dict each call).

        Without ``resolve``, a value that depends on a substitution is an :class:`Unresolved` marker and a
        ``${?X}`` that nothing defines is reported the same way. With ``resolve=True`` substitutions are
        resolved within the document, then from ``env`` when given (pass ``os.environ`` to behave like
        Jicofo); an undefined ``${?X}`` removes its field and an undefined ``${X}`` raises
        :class:`ResolveError`. Includes are not followed (see :meth:`includes`). Durations such as
        ``30 seconds`` stay strings; numbers are ``int`` or ``float`` as Java's Long/Double read them.
        """
        if resolve:
            resolved: dict[str, HoconValue] = resolve_raw(self._raw, env, self.text, self.source)
            return resolved
        view: dict[str, HoconValue] = unresolved_view(self._raw)
        return view

    @names_source
    def get(
        self,
        path: str | tuple[str, ...],
        default: HoconValue = None,
        *,
        resolve: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> HoconValue:
        """The value at ``path`` (a HOCON path expression such as ``jicofo.authentication."login-url"``, or a
        tuple of keys), or ``default``.

        Reads like :meth:`to_dict`; with ``resolve=True`` only the substitutions this value depends on are
        resolved (an undefined one raises :class:`ResolveError`).
        """
        elements = key_path(path)
        if resolve:
            # Only what the path depends on is resolved, so an unrelated undefined ${X} does not matter.
            resolved: HoconValue = resolve_path(self._raw, elements, env, self.text, self.source)
            return default if resolved is MISSING else resolved
        # Only the subtree asked for is converted; an object on the way that a substitution decides
        # cannot be looked into, as in to_dict().
        node = lookup(self._raw, elements)
        if node is ABSENT or node is MISSING:
            return default
        found: HoconValue = unresolved_view(node)
        return found

    def __contains__(self, path: object) -> bool:
        """Whether ``path`` has a value (``null`` counts as a value)."""
        if not isinstance(path, str | tuple):
            return False
        return lookup(self.to_dict(), key_path(path)) is not ABSENT

    def line_of(self, path: str | tuple[str, ...]) -> int | None:
        """The 1-based line of the last field that sets ``path`` (a path expression or its keys), or
        ``None`` when no field of this document spells it (it may still come from an include)."""
        elements = key_path(path) if isinstance(path, str) else tuple(path)
        starts = [site.field.start for site in self._editor.sites if site.full == elements]
        return self.text.count("\n", 0, starts[-1]) + 1 if starts else None

    def has(self, path: str) -> bool:
        """Deprecated: ``path in doc`` (warns with :class:`DeprecationWarning`)."""
        warnings.warn("HoconDocument.has(path) is deprecated: use `path in doc`", DeprecationWarning, stacklevel=2)
        return path in self

    def includes(self) -> tuple[Include, ...]:
        """Every ``include`` in the document, in order, with the object path it is in."""
        found: list[Include] = []
        self._collect_includes(self._syntax.root, (), found)
        return tuple(found)

    def _collect_includes(self, obj: Obj, base: tuple[str, ...], found: list[Include]) -> None:
        for member in obj.members:
            if isinstance(member, _IncludeNode):
                line = self.text.count("\n", 0, member.start) + 1
                found.append(Include(member.kind, member.name, member.required, base, line))
            else:
                for part in member.value.parts:
                    if isinstance(part, Obj):
                        self._collect_includes(part, base + member.key.path, found)

    # -- editing -------------------------------------------------------------------------------------

    @names_source
    def set(self, path: str | tuple[str, ...], value: ConfigValue) -> HoconDocument:
        """A document where ``path`` reads as ``value``; ``self`` when it already does: ``edit({path: value})``.

        The last occurrence is changed in place; a missing path uncomments a commented-out example of it in
        the object it belongs to (``# login-url = ...``), else is nested into the last object literal
        holding its longest prefix, in the file's style (see the module docstring for duplicates).
        Raises :class:`EditError` for an unsupported value or when the result would not read as intended.
        """
        return self.edit({path: value})

    @names_source
    def remove(self, path: str | tuple[str, ...], *, comment_out: bool = False) -> HoconDocument:
        """A document without ``path`` (every field setting it or below it); ``self`` when it is absent.

        Comments follow the one rule (:mod:`jitsi_secure._core.trivia`). With ``comment_out=True`` each
        field's lines are commented out with ``#`` instead (a field sharing its line with another one
        cannot be, and raises :class:`EditError`).
        """
        return self._edit({path: REMOVE}, comment_out=comment_out)

    @names_source
    def edit(self, changes: Mapping[str | tuple[str, ...], ConfigValue | Remove | CommentOut]) -> HoconDocument:
        """All ``changes`` (path to value, to :data:`~jitsi_secure.formats.REMOVE`, or to a
        :class:`~jitsi_secure.formats.CommentOut` for a field whose lines are commented out with ``#``)
        as one batch of splices on this text, parsed and verified once; ``self`` when nothing changes."""
        return self._edit(changes, comment_out=False)

    @functools.cached_property
    def _editor(self) -> Editor:
        return Editor(self.text, self.source, self.style, self._syntax.root)

    def _edit(
        self, changes: Mapping[str | tuple[str, ...], ConfigValue | Remove | CommentOut], *, comment_out: bool
    ) -> HoconDocument:
        splices, expected, removed = self._editor.batch(changes, self.to_dict(), comment_out=comment_out)
        if not splices:
            return self

        def problem(new: HoconDocument) -> str | None:
            got = new.to_dict()
            if any(same(got, want) for want in pruned(expected, removed)):
                return None
            return "another field, an include or a substitution decides a path it changes"

        return verified_edit(
            self.text, splices, source=self.source, reparse=lambda t: parse(t, source=self.source), problem=problem
        )


def parse(text: str, *, source: str = "<string>") -> HoconDocument:
    """Parse HOCON ``text``; raises :class:`~jitsi_secure.errors.ParseError` (with line and column) if invalid."""
    with cyclic_gc_paused():
        syntax = parse_syntax(text, source=source)
        raw = build_raw(text, syntax.root, source)
    return HoconDocument(text, source, detect_style(text), syntax, raw)


def load_file(path: str | os.PathLike[str]) -> HoconDocument:
    """Read a HOCON file (UTF-8, as Lightbend reads it; line endings untouched) and parse it with ``source``
    set to its path. Bad UTF-8 raises :class:`~jitsi_secure.errors.ParseError` at the first bad byte, a file
    that cannot be read :class:`~jitsi_secure.errors.ReadError`."""
    return parse(read_source(path), source=os.fspath(path))
