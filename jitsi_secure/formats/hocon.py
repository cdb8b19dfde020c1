"""Lossless HOCON documents (``jicofo.conf`` and any other HOCON text) with ConfigDocument-style edits.

``parse(text)`` returns an immutable :class:`HoconDocument` whose ``render()`` is ``text`` byte for byte.
``to_dict()`` / ``get()`` give the merged meaning Lightbend Config reads (objects merge, the last value wins,
``+=`` appends); values that depend on a substitution are reported as :class:`Unresolved` unless
``resolve=True`` is passed, and includes are listed by :meth:`HoconDocument.includes`, never followed.
``set()`` and ``remove()`` return a new document made by splicing the text, then check that the new text
reads as the old one with exactly the intended change (otherwise :class:`~jitsi_secure.errors.EditError`).

Duplicate policy of ``set(path, value)``: the *last* field whose key path is ``path`` is changed in place
(key spelling, separator, comment and quoting habit kept). Fields that would still change the meaning of
``path`` after that are removed: any later dotted key extending it (``path.x = ...``), and, when the new
value is an object, every earlier field for ``path`` or below it (an object would merge with them).
Earlier scalar duplicates are left alone: the later value already overrides them. A missing path is added
as the last member of the last object literal holding its longest existing prefix, so a second top-level
``jicofo { }`` block is never created; when the last word on a prefix is a scalar (``a = 5`` while setting
``a.b``), that field becomes the object instead.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import os
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from jitsi_secure._core.document import REMOVE, Computed, Remove
from jitsi_secure._core.edit import read_source, verified_edit
from jitsi_secure._core.gc_pause import cyclic_gc_paused
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.trivia import comment_out_splices, line_span, lines_between, owned_span, uncomment_splice
from jitsi_secure.errors import EditError, ParseError
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats._hocon_lexer import (
    COLON,
    EQUALS,
    PLUS_EQUALS,
    STRING,
    TSTRING,
    WORD,
    WS,
    WS_CHARS,
    classify_word,
    tokenize,
)
from jitsi_secure.formats._hocon_meaning import (
    MISSING,
    ResolveError,
    Unresolved,
    build_raw,
    resolve_path,
    resolve_raw,
    unresolved_view,
)
from jitsi_secure.formats._hocon_parser import Atom, Field, Obj, Syntax, parse_path, parse_syntax
from jitsi_secure.formats._hocon_parser import Include as _IncludeNode

__all__ = [
    "HoconDocument",
    "HoconValue",
    "Include",
    "ResolveError",
    "Unresolved",
    "load_file",
    "parse",
    "parse_path",
    "secret_spellings",
]

#: What ``to_dict()`` and ``get()`` return: plain values, with :class:`Unresolved` where a value depends on a
#: substitution that was not resolved.
HoconValue: TypeAlias = bool | int | float | str | list["HoconValue"] | dict[str, "HoconValue"] | Computed | None

_ABSENT: Any = object()


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
class _Site:
    """A field found while walking object literals: its full key path and the object holding it."""

    field: Field
    full: tuple[str, ...]
    container: Obj
    container_path: tuple[str, ...]


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
            resolved: dict[str, HoconValue] = resolve_raw(self._raw, env)
            return resolved
        view: dict[str, HoconValue] = unresolved_view(self._raw)
        return view

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
        elements = _path(path)
        if resolve:
            # Only what the path depends on is resolved, so an unrelated undefined ${X} does not matter.
            resolved: HoconValue = resolve_path(self._raw, elements, env)
            return default if resolved is MISSING else resolved
        # Only the subtree asked for is converted; an object on the way that a substitution decides
        # cannot be looked into, as in to_dict().
        node = _lookup(self._raw, elements)
        if node is _ABSENT or node is MISSING:
            return default
        found: HoconValue = unresolved_view(node)
        return found

    def __contains__(self, path: object) -> bool:
        """Whether ``path`` has a value (``null`` counts as a value)."""
        if not isinstance(path, str | tuple):
            return False
        return _lookup(self.to_dict(), _path(path)) is not _ABSENT

    def line_of(self, path: str | tuple[str, ...]) -> int | None:
        """The 1-based line of the last field that sets ``path`` (a path expression or its keys), or
        ``None`` when no field of this document spells it (it may still come from an include)."""
        elements = _path(path) if isinstance(path, str) else tuple(path)
        starts = [site.field.start for site in self._sites() if site.full == elements]
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

    def set(self, path: str | tuple[str, ...], value: ConfigValue) -> HoconDocument:
        """A document where ``path`` reads as ``value``; ``self`` when it already does: ``edit({path: value})``.

        The last occurrence is changed in place; a missing path uncomments a commented-out example of it in
        the object it belongs to (``# login-url = ...``), else is nested into the last object literal
        holding its longest prefix, in the file's style (see the module docstring for duplicates).
        Raises :class:`EditError` for an unsupported value or when the result would not read as intended.
        """
        return self.edit({path: value})

    def remove(self, path: str | tuple[str, ...], *, comment_out: bool = False) -> HoconDocument:
        """A document without ``path`` (every field setting it or below it); ``self`` when it is absent.

        Comments follow the one rule (:mod:`jitsi_secure._core.trivia`). With ``comment_out=True`` each
        field's lines are commented out with ``#`` instead (a field sharing its line with another one
        cannot be, and raises :class:`EditError`).
        """
        return self._edit({path: REMOVE}, comment_out=comment_out)

    def edit(self, changes: Mapping[str | tuple[str, ...], ConfigValue | Remove]) -> HoconDocument:
        """All ``changes`` (path to value, or to :data:`~jitsi_secure.formats.REMOVE`) as one batch of
        splices on this text, parsed and verified once; ``self`` when nothing changes."""
        return self._edit(changes, comment_out=False)

    def _edit(
        self, changes: Mapping[str | tuple[str, ...], ConfigValue | Remove], *, comment_out: bool
    ) -> HoconDocument:
        old = self.to_dict()
        expected = copy.deepcopy(old)
        removed: list[tuple[str, ...]] = []
        splices: list[Splice] = []
        inserting: dict[int, list[_Insertion]] = {}
        gone: set[int] = set()  # fields this batch removes: new ones must not be anchored on them
        for path, value in changes.items():
            elements = _path(path)
            shown = path if isinstance(path, str) else ".".join(_render_key(k) for k in elements)
            if isinstance(value, Remove):
                if _lookup(old, elements) is _ABSENT:
                    if _lookup(expected, elements) is not _ABSENT:
                        raise EditError(f"{self.source}: remove {shown}: an earlier change of the batch sets it")
                    continue
                reason = f"{'comment out' if comment_out else 'remove'} {shown}"
                sites = [s for s in self._sites() if s.full[: len(elements)] == elements]
                splices.extend(self._removal_splices(sites, reason, comment_out=comment_out))
                gone.update(id(s.field) for s in sites)
                _delete(expected, elements)
                removed.append(elements)
                continue
            _check_value(value, shown)
            found, insertion = self._set(old, elements, value, f"set {shown}")
            if found or insertion is not None:
                splices.extend(found)
                _store(expected, elements, value)
            if insertion is not None:
                inserting.setdefault(id(insertion.container), []).append(insertion)
        for group in inserting.values():
            removed_ids = frozenset(gone).union(*(i.removed for i in group))
            items = [(i.rest, i.value) for i in group]
            reasons = ", ".join(i.reason for i in group)
            splices.extend(self._insert_splices(group[0].container, items, removed_ids, reasons))
        if not splices:
            return self
        splices = _merge_touching(splices)

        def problem(new: HoconDocument) -> str | None:
            got = new.to_dict()
            if any(_same(got, want) for want in _pruned(expected, removed)):
                return None
            return "another field, an include or a substitution decides a path it changes"

        return verified_edit(
            self.text, splices, source=self.source, reparse=lambda t: parse(t, source=self.source), problem=problem
        )

    def _set(
        self, old: dict[str, HoconValue], elements: tuple[str, ...], value: ConfigValue, reason: str
    ) -> tuple[list[Splice], _Insertion | None]:
        """The splices that make ``elements`` read ``value`` (none when it already does), and the new
        field to add, if any (added with the batch's other new fields of the same object)."""
        if _same(_lookup(old, elements), value):
            return [], None
        for depth in range(1, len(elements)):
            if isinstance(_lookup(old, elements[:depth]), Computed):
                shown = ".".join(elements[:depth])
                raise EditError(f"{reason}: {shown} is decided by a substitution; edit that field or resolve it first")
        sites = list(self._sites())
        scalar_prefixes = [
            s
            for s in sites
            if len(s.full) < len(elements) and elements[: len(s.full)] == s.full and not _is_object_literal(s.field)
        ]
        if scalar_prefixes:
            latest = max(scalar_prefixes, key=lambda s: s.field.start)
            if not any(o.field.start > latest.field.start and o.full[: len(latest.full)] == latest.full for o in sites):
                # A prefix holds a scalar that nothing later overrides (`enabled = x` when setting
                # `enabled.y`): turn that field into the object, rather than add a block that would have
                # to override it further down. (The meaning checked is still the one asked for.)
                nested: ConfigValue = value
                for key in reversed(elements[len(latest.full) :]):
                    nested = {key: nested}
                return self._set(old, latest.full, nested, reason)
        exact = [s for s in sites if s.full == elements]
        removing = [s for s in sites if len(s.full) > len(elements) and s.full[: len(elements)] == elements]
        splices: list[Splice] = []
        insertion = None
        if exact:
            target = exact[-1]
            earlier = list(exact[:-1])
            removing = [s for s in removing if s.field.start > target.field.start or isinstance(value, dict)]
            if isinstance(value, dict):
                removing += earlier
            removing = [s for s in removing if not _inside(s.field, target.field)]
            splices.append(self._replace_splice(target, value, reason))
        else:
            container, prefix = self._insertion_place(elements, removing)
            rest = elements[len(prefix) :]
            example = self._example(container, rest, value, reason)
            if example is not None:
                splices.append(example)
            else:
                insertion = _Insertion(container, rest, value, frozenset(id(s.field) for s in removing), reason)
        splices.extend(self._removal_splices(removing, reason))
        return splices, insertion

    def _sites(self) -> Iterator[_Site]:
        return iter(self._all_sites)

    @functools.cached_property
    def _all_sites(self) -> tuple[_Site, ...]:
        """Every field with its full path, in text order (computed once: the document never changes)."""
        stack: list[tuple[Obj, tuple[str, ...]]] = [(self._syntax.root, ())]
        found: list[_Site] = []
        while stack:
            obj, base = stack.pop()
            for member in obj.members:
                if not isinstance(member, Field):
                    continue
                full = base + member.key.path
                found.append(_Site(member, full, obj, base))
                # `a = { x = 1 } { y = 2 }` is one object: every part holds fields of `a`.
                stack.extend((part, full) for part in _object_parts(member))
        found.sort(key=lambda s: s.field.start)
        return tuple(found)

    # -- splices -------------------------------------------------------------------------------------

    def _replace_splice(self, site: _Site, value: ConfigValue, reason: str) -> Splice:
        fld = site.field
        indent = self._line_indent(fld.start)
        habits = self._habits(site.container)
        quote = self._quote_habit(fld, habits)
        old_text = self.text[fld.value.start : fld.value.end]
        # A one-line object stays on one line; anything else gets a block laid out like the file.
        inline = isinstance(value, dict) and old_text.startswith("{") and "\n" not in old_text
        rendered = _render_value(value, quote, indent, self.style, habits, inline=inline)
        if fld.sep == -1 and not isinstance(value, dict):
            return Splice(fld.key.end, fld.value.end, habits.scalar_sep + rendered, reason)
        if fld.sep == PLUS_EQUALS:
            # `+=` appends to earlier values; the new value must replace them instead.
            return Splice(
                fld.sep_start, fld.value.end, "=" + self.text[fld.sep_start + 2 : fld.value.start] + rendered, reason
            )
        return Splice(fld.value.start, fld.value.end, rendered, reason)

    def _quote_habit(self, fld: Field, habits: _Habits) -> bool:
        parts = fld.value.parts
        if all(isinstance(p, Atom) for p in parts):
            kinds = {p.kind for p in parts if isinstance(p, Atom)}
            if kinds <= {WORD, WS}:
                raw = self.text[fld.value.start : fld.value.end]
                if isinstance(classify_word(raw), str) or len(parts) > 1:
                    return False
            if kinds & {STRING, TSTRING}:
                return True
        return habits.quote

    def _insertion_place(self, elements: tuple[str, ...], removing: list[_Site]) -> tuple[Obj, tuple[str, ...]]:
        """The last object literal holding the longest existing prefix of ``elements``, and that prefix."""
        removed = {id(s.field) for s in removing}
        best_root: Obj = self._syntax.root
        best_path: tuple[str, ...] = ()
        for site in self._sites():
            objects = _object_parts(site.field)
            if id(site.field) in removed or not objects:
                continue
            full = site.full
            if len(full) < len(elements) and elements[: len(full)] == full and len(full) >= len(best_path):
                if any(_inside(site.field, r.field) for r in removing):
                    continue
                best_root, best_path = objects[-1], full
        return best_root, best_path

    def _insert_splices(
        self, container: Obj, items: list[tuple[tuple[str, ...], ConfigValue]], removed: AbstractSet[int], reason: str
    ) -> list[Splice]:
        """New fields for ``items`` (paths relative to ``container``, values) as the container's last
        members, laid out like its fields; items of one batch share one insertion."""
        members = [m for m in container.members if id(m) not in removed]
        habits = self._habits(container)
        nl = self.style.newline
        inline = container.braced and "\n" not in self.text[container.start : container.end]
        dotted = any(isinstance(m, Field) and len(m.key.path) > 1 for m in members)

        def fields(indent: str, *, inline: bool = False) -> list[str]:
            if dotted:
                return [
                    _render_field(rest, v, indent=indent, style=self.style, habits=habits, dotted=True, inline=inline)
                    for rest, v in items
                ]
            # Items that share a new prefix go into one new block: `a.b` and `a.c` make one `a { }`.
            tree: dict[str, ConfigValue] = {}
            for rest, v in items:
                _store(tree, rest, v)
            return [
                _render_field((k,), v, indent=indent, style=self.style, habits=habits, dotted=False, inline=inline)
                for k, v in tree.items()
            ]

        if inline:
            opened = self._opened(container, members, fields, reason, commas=habits.quote_keys)
            if opened is not None:
                return opened
            inline_text = ", ".join(fields(""))
            if members:
                return [Splice(members[-1].end, members[-1].end, ", " + inline_text, reason)]
            inner_start = container.start + 1
            return [Splice(inner_start, inner_start, " " + inline_text + " ", reason)]
        if members:
            indent = self._line_indent(members[-1].start)
            line_start = self.text.rfind("\n", 0, members[-1].start) + 1
            if self.text[line_start : members[-1].start].strip(WS_CHARS):
                # The last member shares its line with the opening `{`: indent one step past that line.
                indent += self.style.indent
            anchor = members[-1].end
        elif container.braced:
            indent = self._line_indent(container.end - 1) + self.style.indent
            anchor = container.start + 1
        else:
            indent, anchor = "", -1
        commas = [self._comma_after(m.end) is not None for m in members]
        json_style = len(commas) >= 2 and all(commas[:-1])
        text = ("," if json_style else "").join(nl + indent + f for f in fields(indent))
        if anchor < 0:
            text = text[len(nl) :]
            if not self.text:
                return [Splice(0, 0, text + nl, reason)]
            if self.text.endswith("\n"):
                return [Splice(len(self.text), len(self.text), text + nl, reason)]
            return [Splice(len(self.text), len(self.text), nl + text, reason)]
        point = self._line_end_after(anchor)
        splices = [Splice(point, point, text, reason)]
        if json_style:
            # Members separated by commas (JSON style): keep the new ones separated the same way.
            if commas[-1]:
                splices[0] = Splice(point, point, text + ",", reason)
            else:
                # Before the new lines: both may insert at the same offset, applied in list order.
                splices.insert(0, Splice(members[-1].end, members[-1].end, ",", reason))
        return splices

    def _opened(
        self, container: Obj, members: list[Any], fields: Callable[[str], list[str]], reason: str, *, commas: bool
    ) -> list[Splice] | None:
        """A one-line object (``a { }``, ``hosts { domain = x, muc = y }``) opened onto lines, as the
        file's other objects are, with the new fields on lines of their own (so each can later be
        removed or commented out); members that only a comma or blanks separate go one per line, with
        commas when the object has them (or ``commas``: a JSON-style file). ``None`` when a comment sits
        in the object (it stays a one-line object then)."""
        text = self.text
        close = container.end - 1
        bounds = [container.start + 1] + [p for m in members for p in (m.start, m.end)] + [close]
        gaps = list(zip(bounds[::2], bounds[1::2], strict=True))
        if any(not _PLAIN_GAP.fullmatch(text, a, b) for a, b in gaps):
            return None
        nl = self.style.newline
        outer = self._line_indent(container.start)
        indent = outer + self.style.indent
        new_lines = "".join(nl + indent + f for f in fields(indent))
        if not members:
            return [Splice(container.start + 1, close, new_lines + nl + outer, reason)]
        comma = "," if commas or any("," in text[a:b] for a, b in gaps[1:-1]) else ""
        splices = [Splice(gaps[0][0], gaps[0][1], nl + indent, reason)]
        splices += [Splice(a, b, comma + nl + indent, reason) for a, b in gaps[1:-1]]
        body = comma.join(nl + indent + f for f in fields(indent))
        splices.append(Splice(gaps[-1][0], gaps[-1][1], comma + body + nl + outer, reason))
        return splices

    def _line_end_after(self, offset: int) -> int:
        """Where a new line can start after ``offset``: before the line break ending its line (after a
        trailing comma and comment), or ``offset`` itself when something else follows on the line."""
        text = self.text
        p = offset
        n = len(text)
        while p < n and text[p] in WS_CHARS and text[p] != "\r":
            p += 1
        if p < n and text[p] == ",":
            p += 1
        while p < n and text[p] in WS_CHARS and text[p] != "\r":
            p += 1
        if text.startswith("#", p) or text.startswith("//", p):
            newline = text.find("\n", p)
            p = n if newline < 0 else newline
            if p > offset and text[p - 1] == "\r":
                p -= 1
            return p
        if p == n:
            return p
        if text.startswith("\r\n", p) or text[p] == "\n":
            return p
        return offset

    def _line_indent(self, offset: int) -> str:
        start = self.text.rfind("\n", 0, offset) + 1
        line = self.text[start:offset]
        stripped = line.lstrip(" \t")
        return line[: len(line) - len(stripped)]

    @functools.cached_property
    def _whole_habits(self) -> _PartialHabits:
        return _collect_habits(self.text, [s.field for s in self._sites()])

    def _habits(self, container: Obj) -> _Habits:
        local = _collect_habits(self.text, [m for m in container.members if isinstance(m, Field)])
        whole = self._whole_habits
        return _Habits(
            scalar_sep=local.scalar_sep or whole.scalar_sep or " = ",
            object_sep=local.object_sep or whole.object_sep or " ",
            quote=local.quote if local.quote is not None else (whole.quote if whole.quote is not None else True),
            quote_keys=local.quote_keys if local.quote_keys is not None else bool(whole.quote_keys),
        )

    def _removal_splices(self, sites: list[_Site], reason: str, *, comment_out: bool = False) -> list[Splice]:
        ordered = sorted(sites, key=lambda s: s.field.start)
        outer: list[_Site] = []
        for site in ordered:
            if outer and _inside(site.field, outer[-1].field):
                continue
            outer.append(site)
        if comment_out:
            return [splice for site in outer for splice in self._comment_out(site, reason)]
        removed = {id(s.field) for s in outer}
        splices = [splice for site in outer for splice in self._removal(site, removed, reason)]
        return _merge_touching(splices)

    def _comment_out(self, site: _Site, reason: str) -> list[Splice]:
        fld = site.field
        start, _ = line_span(self.text, fld.start)
        end = self._line_end_after(fld.end)
        shares_line = (end == fld.end and self.text[end : end + 1] not in "\r\n") or end < fld.end
        if self.text[start : fld.start].strip(WS_CHARS) or shares_line:
            raise EditError(
                f"{self.source}: {reason}: the field shares its line with other text; "
                "it can be removed but not commented out"
            )
        return comment_out_splices(self.text, start, end, "# ", reason)

    def _example(self, container: Obj, rest: tuple[str, ...], value: ConfigValue, reason: str) -> Splice | None:
        """The uncomment rule: the last ``# key = value`` line among ``container``'s own lines."""
        if len(rest) != 1 or isinstance(value, dict):
            return None
        lo, hi = (container.start + 1, container.end - 1) if container.braced else (0, len(self.text))
        inner = [(m.start, m.end) for m in container.members]
        found: Splice | None = None
        for a, b in lines_between(self.text, lo, hi):
            if any(m_start < b and a < m_end for m_start, m_end in inner):
                continue
            m = _EXAMPLE.match(self.text, a, b)
            if m is None or a < lo or m.end("value") > hi:
                continue
            try:
                key = parse_path(m.group("key"))
            except ValueError:
                continue
            if key != rest:
                continue
            habits = self._habits(container)
            quote = m.group("value").startswith('"') or (habits.quote and not m.group("value"))
            rendered = _render_value(value, quote, "", self.style, habits, inline=True)
            found = uncomment_splice(
                self.text, m.start("marker"), m.start("key"), m.span("value"), rendered, reason=reason
            )
        return found

    def _removal(self, site: _Site, removed: AbstractSet[int], reason: str) -> list[Splice]:
        text = self.text
        fld = site.field
        members = site.container.members
        index = next(i for i, m in enumerate(members) if m is fld)
        line_start = text.rfind("\n", 0, fld.start) + 1
        own_start = not text[line_start : fld.start].strip(WS_CHARS)
        p = fld.end
        n = len(text)
        while p < n and text[p] in WS_CHARS:
            p += 1
        had_comma = p < n and text[p] == ","
        if had_comma:
            p += 1
            while p < n and text[p] in WS_CHARS:
                p += 1
        after_ws = p
        if text.startswith("#", p) or text.startswith("//", p):
            newline = text.find("\n", p)
            p = n if newline < 0 else newline
        own_end = p >= n or text[p] == "\n"
        if own_start and own_end:
            end = p + 1 if p < n else p
            siblings = [(m.start, m.end) for m in members if m is not fld]

            def other_key(a: int, b: int) -> bool:
                return _EXAMPLE.match(text, a, b) is not None or any(s < b and a < e for s, e in siblings)

            start, _ = owned_span(
                text, line_start, end, is_comment=lambda line: line.startswith(("#", "//")), is_other_key=other_key
            )
            if p >= n and start > 0:
                # The last line has no line break: take the previous line's break instead.
                previous_break = text.rfind("\n", 0, start)
                start = previous_break if previous_break >= 0 else start
                if start > 0 and text[start - 1] == "\r":
                    start -= 1
            splices = [Splice(start, end, "", reason)]
            previous = self._previous_kept(members, index, removed)
            if (
                not had_comma
                and previous is not None
                and self._next_kept(members, index, removed) is None
                and (comma := self._comma_after(previous.end)) is not None
                and comma < start
            ):
                # The kept member before it now ends the object: its comma would dangle.
                splices.append(Splice(comma, comma + 1, "", reason))
            return splices
        if had_comma:
            return [Splice(fld.start, after_ws, "", reason)]
        previous = self._previous_kept(members, index, removed)
        if previous is not None and (comma := self._comma_after(previous.end)) is not None:
            return [Splice(comma, fld.end, "", reason)]
        return [Splice(fld.start, after_ws if not own_end else fld.end, "", reason)]

    def _comma_after(self, offset: int) -> int | None:
        p = offset
        while p < len(self.text) and self.text[p] in WS_CHARS:
            p += 1
        return p if p < len(self.text) and self.text[p] == "," else None

    @staticmethod
    def _previous_kept(members: tuple[Any, ...], index: int, removed: AbstractSet[int]) -> Any:
        for member in reversed(members[:index]):
            if id(member) not in removed:
                return member
        return None

    @staticmethod
    def _next_kept(members: tuple[Any, ...], index: int, removed: AbstractSet[int]) -> Any:
        for member in members[index + 1 :]:
            if id(member) not in removed:
                return member
        return None


@dataclass(frozen=True)
class _Insertion:
    """A new field a batch adds: the object it goes into, its path there, its value."""

    container: Obj
    rest: tuple[str, ...]
    value: ConfigValue
    removed: frozenset[int]
    reason: str


@dataclass(frozen=True)
class _Habits:
    scalar_sep: str
    object_sep: str
    quote: bool
    quote_keys: bool = False


@dataclass(frozen=True)
class _PartialHabits:
    scalar_sep: str | None
    object_sep: str | None
    quote: bool | None
    quote_keys: bool | None = None


def _collect_habits(text: str, fields: list[Field]) -> _PartialHabits:
    scalar: Counter[str] = Counter()
    objects: Counter[str] = Counter()
    quoted = unquoted = quoted_keys = 0
    for fld in fields:
        quoted_keys += text.startswith('"', fld.key.start)
        between = text[fld.key.end : fld.value.start]
        parts = fld.value.parts
        if "\n" in between or fld.sep == PLUS_EQUALS:
            continue
        if len(parts) == 1 and isinstance(parts[0], Obj):
            objects[between] += 1
            continue
        if fld.sep in (COLON, EQUALS):
            scalar[between] += 1
        if len(parts) == 1 and isinstance(parts[0], Atom):
            atom = parts[0]
            if atom.kind in (STRING, TSTRING):
                quoted += 1
            elif atom.kind == WORD and isinstance(classify_word(text[atom.start : atom.end]), str):
                unquoted += 1
    return _PartialHabits(
        scalar_sep=scalar.most_common(1)[0][0] if scalar else None,
        object_sep=objects.most_common(1)[0][0] if objects else None,
        quote=None if quoted == unquoted == 0 else quoted > unquoted,
        quote_keys=None if not fields else quoted_keys * 2 > len(fields),
    )


_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]+")
#: What may separate the members of a one-line object that is opened onto lines (no comment).
_PLAIN_GAP = re.compile(r"[ \t]*,?[ \t]*")
#: A commented-out field on a line of its own (``# login-url = "https://..."``): marker, key, value.
_EXAMPLE = re.compile(
    r'[ \t]*(?P<marker>#|//)[ \t]*(?P<key>"(?:[^"\\\n]|\\.)*"|[A-Za-z0-9_.-]+)[ \t]*[:=][ \t]*'
    r"(?P<value>[^\r\n]*?)[ \t\r]*(?=\n|$)"
)


def _render_key(element: str, quote: bool = False) -> str:
    if not quote and _SAFE_KEY.fullmatch(element) and element != "include":
        return element
    return json.dumps(element, ensure_ascii=False)


def _unquoted_ok(text: str) -> bool:
    """Whether ``text`` reads back as the same string when written without quotes."""
    if not text or text == "include":
        return False
    try:
        tokens = tokenize(text)
    except ParseError:
        return False
    words = tokens[::2]
    gaps = tokens[1::2]
    if any(t.kind != WORD for t in words) or any(text[t.start : t.end] != " " for t in gaps):
        return False
    if len(words) == 1:
        return isinstance(classify_word(text), str)
    # Several words read as one string; keep them plain words so other readers (pyhocon) agree.
    return all(type(classify_word(text[t.start : t.end])) is str for t in words)


def _render_value(
    value: ConfigValue, quote: bool, indent: str, style: TextStyle, habits: _Habits, *, inline: bool
) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        if not quote and _unquoted_ok(value):
            return value
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_render_value(v, quote, indent, style, habits, inline=True) for v in value) + "]"
    if not value:
        return "{}"
    if inline:
        inner = ", ".join(
            _render_field((k,), v, indent=indent, style=style, habits=habits, dotted=False, inline=True)
            for k, v in value.items()
        )
        return "{ " + inner + " }"
    nl = style.newline
    deeper = indent + style.indent
    lines = [
        deeper + _render_field((k,), v, indent=deeper, style=style, habits=habits, dotted=False, inline=False)
        for k, v in value.items()
    ]
    return "{" + nl + nl.join(lines) + nl + indent + "}"


def _render_field(
    keys: tuple[str, ...],
    value: ConfigValue,
    *,
    indent: str,
    style: TextStyle,
    habits: _Habits,
    dotted: bool,
    inline: bool,
) -> str:
    """``key sep value`` for a new field (no leading indent), nesting ``name { ... }`` blocks for long paths."""
    if dotted or len(keys) == 1:
        key = ".".join(_render_key(k, habits.quote_keys) for k in keys)
        if isinstance(value, dict):
            return key + habits.object_sep + _render_value(value, habits.quote, indent, style, habits, inline=inline)
        return key + habits.scalar_sep + _render_value(value, habits.quote, indent, style, habits, inline=inline)
    head = _render_key(keys[0], habits.quote_keys)
    if inline:
        return (
            head
            + habits.object_sep
            + "{ "
            + _render_field(keys[1:], value, indent=indent, style=style, habits=habits, dotted=False, inline=True)
            + " }"
        )
    deeper = indent + style.indent
    nl = style.newline
    inner = _render_field(keys[1:], value, indent=deeper, style=style, habits=habits, dotted=False, inline=False)
    return head + habits.object_sep + "{" + nl + deeper + inner + nl + indent + "}"


def _merge_touching(splices: list[Splice]) -> list[Splice]:
    """Join removals that overlap (two lines sharing a comment block) into one."""
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    merged: list[Splice] = []
    for splice in ordered:
        last_removes = merged and not merged[-1].new_text
        if last_removes and not splice.new_text and splice.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Splice(last.start, max(last.end, splice.end), last.new_text, last.reason)
        else:
            merged.append(splice)
    return merged


def _object_parts(fld: Field) -> list[Obj]:
    """The object literals a field's value is made of: one, several concatenated (``{ x = 1 } { y = 2 }``,
    which Lightbend merges), or none when anything else (a substitution, a string) is part of it."""
    parts = fld.value.parts
    objects = [p for p in parts if isinstance(p, Obj)]
    if len(objects) + sum(1 for p in parts if isinstance(p, Atom) and p.kind == WS) != len(parts):
        return []
    return objects


def _is_object_literal(fld: Field) -> bool:
    return bool(_object_parts(fld))


def _pruned(tree: dict[str, HoconValue], removed: list[tuple[str, ...]]) -> list[dict[str, HoconValue]]:
    """``tree``, then ``tree`` less each further object that removing ``removed`` left empty, one level at a
    time: removing ``a.b`` from ``a.b = 1`` takes ``a`` too, from ``a { b = 1 }`` leaves ``a {}``; both
    read right, and which one the text gives depends on what other fields still make ``a``."""
    variants = [tree]
    pruned = copy.deepcopy(tree)
    for elements in removed:
        for depth in range(len(elements) - 1, 0, -1):
            if _lookup(pruned, elements[:depth]) != {}:
                break
            _delete(pruned, elements[:depth])
            variants.append(copy.deepcopy(pruned))
    return variants


def _inside(inner: Field, outer: Field) -> bool:
    return inner is not outer and outer.start <= inner.start and inner.end <= outer.end


def _path(path: object) -> tuple[str, ...]:
    if isinstance(path, tuple):
        if not path or not all(isinstance(k, str) for k in path):
            raise EditError(f"a HOCON path is a string or a non-empty tuple of strings, not {path!r}")
        return path
    if not isinstance(path, str):
        raise EditError(f"a HOCON path is a string or a non-empty tuple of strings, not {path!r}")
    try:
        return parse_path(path)
    except ValueError as exc:
        raise EditError(str(exc)) from None


def _check_value(value: object, path: str) -> None:
    stack = [value]
    while stack:
        v = stack.pop()
        if v is None or isinstance(v, (bool, str)):
            continue
        if isinstance(v, int):
            if not -(2**63) <= v < 2**63:
                raise EditError(f"set {path}: {v} does not fit in a 64-bit integer")
        elif isinstance(v, float):
            if not math.isfinite(v):
                raise EditError(f"set {path}: HOCON has no spelling for {v}")
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            for k, item in v.items():
                if not isinstance(k, str):
                    raise EditError(f"set {path}: object keys must be strings, got {k!r}")
                stack.append(item)
        else:
            raise EditError(f"set {path}: unsupported value type {type(v).__name__}")


def _lookup(tree: Any, elements: tuple[str, ...]) -> Any:
    node = tree
    for key in elements:
        if not isinstance(node, dict) or key not in node:
            return _ABSENT
        node = node[key]
    return node


def _store(tree: dict[str, Any], elements: tuple[str, ...], value: Any) -> None:
    node = tree
    for key in elements[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[elements[-1]] = copy.deepcopy(value)


def _delete(tree: dict[str, Any], elements: tuple[str, ...]) -> None:
    node = _lookup(tree, elements[:-1])
    if isinstance(node, dict):
        node.pop(elements[-1], None)


def _canon(value: Any) -> Any:
    """A form where ``True`` differs from ``1`` and ``1`` from ``1.0``, for exact comparisons."""
    if isinstance(value, dict):
        return ("d", {k: _canon(v) for k, v in value.items()})
    if isinstance(value, list):
        return ("l", [_canon(v) for v in value])
    return (type(value).__name__, value)


def _same(a: Any, b: Any) -> bool:
    if a is _ABSENT or b is _ABSENT:
        return a is b
    return bool(_canon(a) == _canon(b))


def parse(text: str, *, source: str = "<string>") -> HoconDocument:
    """Parse HOCON ``text``; raises :class:`~jitsi_secure.errors.ParseError` (with line and column) if invalid."""
    with cyclic_gc_paused():
        syntax = parse_syntax(text, source=source)
        raw = build_raw(text, syntax.root, source)
    return HoconDocument(text, source, detect_style(text), syntax, raw)


def load_file(path: str | os.PathLike[str]) -> HoconDocument:
    """Read a HOCON file (UTF-8, as Lightbend reads it; line endings untouched) and parse it with ``source``
    set to its path. Bad UTF-8 raises :class:`~jitsi_secure.errors.ParseError` at the first bad byte, a file
    that cannot be read :class:`~jitsi_secure.errors.WriteError`."""
    return parse(read_source(path), source=os.fspath(path))


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in a HOCON file, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {json.dumps(secret, ensure_ascii=False)}
