"""The HOCON editor: the splices that make a batch of changes, placed and laid out like the file's own.

Duplicate policy, placement and the uncomment rule are the ones :mod:`jitsi_secure.formats.hocon` states;
new text comes from :mod:`jitsi_secure.formats.hocon._render`. Nothing here parses the result: the
document checks it (:func:`jitsi_secure._core.edit.verified_edit`).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from jitsi_secure._core import trivia
from jitsi_secure._core.document import CommentOut, Computed, Remove
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle
from jitsi_secure.errors import EditError
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.hocon._lexer import PLUS_EQUALS, STRING, TSTRING, WORD, WS, WS_CHARS, classify_word
from jitsi_secure.formats.hocon._meaning import ABSENT, HoconValue, delete, lookup, same, store
from jitsi_secure.formats.hocon._parser import Atom, Field, Obj, key_path, parse_path
from jitsi_secure.formats.hocon._render import (
    Habits,
    PartialHabits,
    check_value,
    collect_habits,
    render_field,
    render_key,
    render_value,
)

__all__ = ["Editor", "Site"]


@dataclass(frozen=True)
class Site:
    """A field found while walking object literals: its full key path and the object holding it."""

    field: Field
    full: tuple[str, ...]
    container: Obj
    container_path: tuple[str, ...]


class Editor:
    """The splices of edits to one text (one per document: what it learns of the text is kept)."""

    # An __init__ that stores its arguments, like config.js's evaluator's (`duplicates` pairs them).

    def __init__(self, text: str, source: str, style: TextStyle, root: Obj) -> None:
        self.text = text
        self.source = source
        self.style = style
        self.root = root

    @functools.cached_property
    def sites(self) -> tuple[Site, ...]:
        """Every field with its full path, in text order."""
        stack: list[tuple[Obj, tuple[str, ...]]] = [(self.root, ())]
        found: list[Site] = []
        while stack:
            obj, base = stack.pop()
            for member in obj.members:
                if not isinstance(member, Field):
                    continue
                full = base + member.key.path
                found.append(Site(member, full, obj, base))
                # `a = { x = 1 } { y = 2 }` is one object: every part holds fields of `a`.
                stack.extend((part, full) for part in _object_parts(member))
        found.sort(key=lambda s: s.field.start)
        return tuple(found)

    def _sites(self) -> Iterator[Site]:
        return iter(self.sites)

    def batch(
        self,
        changes: Mapping[str | tuple[str, ...], ConfigValue | Remove | CommentOut],
        old: dict[str, HoconValue],
        *,
        comment_out: bool,
    ) -> tuple[list[Splice], dict[str, HoconValue], list[tuple[str, ...]]]:
        """The splices for ``changes`` to a text that reads ``old``, the meaning they must give (before
        objects emptied by ``removed`` are pruned: see :func:`~jitsi_secure.formats.hocon._meaning.pruned`),
        and the paths removed."""
        expected = copy.deepcopy(old)
        removed: list[tuple[str, ...]] = []
        splices: list[Splice] = []
        inserting: dict[int, list[_Insertion]] = {}
        gone: set[int] = set()  # fields this batch removes: new ones must not be anchored on them
        for path, value in changes.items():
            elements = key_path(path)
            shown = path if isinstance(path, str) else ".".join(render_key(k) for k in elements)
            if isinstance(value, Remove | CommentOut):
                if lookup(old, elements) is ABSENT:
                    if lookup(expected, elements) is not ABSENT:
                        raise EditError(f"remove {shown}: an earlier change of the batch sets it")
                    continue
                how = value if isinstance(value, CommentOut) else (CommentOut() if comment_out else None)
                reason = f"{'remove' if how is None else 'comment out'} {shown}"
                sites = [s for s in self._sites() if s.full[: len(elements)] == elements]
                splices.extend(self._removal_splices(sites, reason, how))
                gone.update(id(s.field) for s in sites)
                delete(expected, elements)
                removed.append(elements)
                continue
            check_value(value, shown)
            found, insertion = self._set(old, elements, value, f"set {shown}")
            if found or insertion is not None:
                splices.extend(found)
                store(expected, elements, value)
            if insertion is not None:
                inserting.setdefault(id(insertion.container), []).append(insertion)
        for group in inserting.values():
            removed_ids = frozenset(gone).union(*(i.removed for i in group))
            items = [(i.rest, i.value) for i in group]
            reasons = ", ".join(i.reason for i in group)
            splices.extend(self._insert_splices(group[0].container, items, removed_ids, reasons))
        return _merge_touching(splices) if splices else splices, expected, removed

    def _set(
        self, old: dict[str, HoconValue], elements: tuple[str, ...], value: ConfigValue, reason: str
    ) -> tuple[list[Splice], _Insertion | None]:
        """The splices that make ``elements`` read ``value`` (none when it already does), and the new
        field to add, if any (added with the batch's other new fields of the same object)."""
        if same(lookup(old, elements), value):
            return [], None
        for depth in range(1, len(elements)):
            if isinstance(lookup(old, elements[:depth]), Computed):
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

    # -- splices -------------------------------------------------------------------------------------

    def _replace_splice(self, site: Site, value: ConfigValue, reason: str) -> Splice:
        fld = site.field
        indent = self._line_indent(fld.start)
        habits = self._habits(site.container)
        quote = self._quote_habit(fld, habits)
        old_text = self.text[fld.value.start : fld.value.end]
        # A one-line object stays on one line; anything else gets a block laid out like the file.
        inline = isinstance(value, dict) and old_text.startswith("{") and "\n" not in old_text
        rendered = render_value(value, quote, indent, self.style, habits, inline=inline)
        if fld.sep == -1 and not isinstance(value, dict):
            return Splice(fld.key.end, fld.value.end, habits.scalar_sep + rendered, reason)
        if fld.sep == PLUS_EQUALS:
            # `+=` appends to earlier values; the new value must replace them instead.
            return Splice(
                fld.sep_start, fld.value.end, "=" + self.text[fld.sep_start + 2 : fld.value.start] + rendered, reason
            )
        return Splice(fld.value.start, fld.value.end, rendered, reason)

    def _quote_habit(self, fld: Field, habits: Habits) -> bool:
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

    def _insertion_place(self, elements: tuple[str, ...], removing: list[Site]) -> tuple[Obj, tuple[str, ...]]:
        """The last object literal holding the longest existing prefix of ``elements``, and that prefix."""
        removed = {id(s.field) for s in removing}
        best_root: Obj = self.root
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
                    render_field(rest, v, indent=indent, style=self.style, habits=habits, dotted=True, inline=inline)
                    for rest, v in items
                ]
            # Items that share a new prefix go into one new block: `a.b` and `a.c` make one `a { }`.
            tree: dict[str, ConfigValue] = {}
            for rest, v in items:
                store(tree, rest, v)
            return [
                render_field((k,), v, indent=indent, style=self.style, habits=habits, dotted=False, inline=inline)
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
    def _whole_habits(self) -> PartialHabits:
        return collect_habits(self.text, [s.field for s in self._sites()])

    def _habits(self, container: Obj) -> Habits:
        local = collect_habits(self.text, [m for m in container.members if isinstance(m, Field)])
        whole = self._whole_habits
        return Habits(
            scalar_sep=local.scalar_sep or whole.scalar_sep or " = ",
            object_sep=local.object_sep or whole.object_sep or " ",
            quote=local.quote if local.quote is not None else (whole.quote if whole.quote is not None else True),
            quote_keys=local.quote_keys if local.quote_keys is not None else bool(whole.quote_keys),
        )

    def _removal_splices(self, sites: list[Site], reason: str, how: CommentOut | None = None) -> list[Splice]:
        """Deleting the fields at ``sites`` (``how`` is ``None``) or commenting each out, its value first
        replaced by ``how.placeholder`` when there is one."""
        ordered = sorted(sites, key=lambda s: s.field.start)
        outer: list[Site] = []
        for site in ordered:
            if outer and _inside(site.field, outer[-1].field):
                continue
            outer.append(site)
        if how is not None:
            return [splice for site in outer for splice in self._comment_out(site, reason, how.placeholder)]
        removed = {id(s.field) for s in outer}
        splices = [splice for site in outer for splice in self._removal(site, removed, reason)]
        return _merge_touching(splices)

    def _comment_out(self, site: Site, reason: str, placeholder: ConfigValue | None = None) -> list[Splice]:
        fld = site.field
        start, _ = trivia.line_span(self.text, fld.start)
        end = self._line_end_after(fld.end)
        shares_line = (end == fld.end and self.text[end : end + 1] not in "\r\n") or end < fld.end
        if self.text[start : fld.start].strip(WS_CHARS) or shares_line:
            raise EditError(
                f"{reason}: the field shares its line with other text; it can be removed but not commented out"
            )
        if placeholder is None:
            return trivia.comment_out_splices(self.text, start, end, "# ", reason)
        check_value(placeholder, reason)
        value = self._replace_splice(site, placeholder, reason)
        return [trivia.commented_out_as(self.text, (start, end), [value], "# ", reason=reason)]

    def _example(self, container: Obj, rest: tuple[str, ...], value: ConfigValue, reason: str) -> Splice | None:
        """The uncomment rule: the last ``# key = value`` line among ``container``'s own lines."""
        if len(rest) != 1 or isinstance(value, dict):
            return None
        lo, hi = (container.start + 1, container.end - 1) if container.braced else (0, len(self.text))
        inner = [(m.start, m.end) for m in container.members]
        found: Splice | None = None
        for a, b in trivia.lines_between(self.text, lo, hi):
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
            rendered = render_value(value, quote, "", self.style, habits, inline=True)
            found = trivia.uncomment_splice(
                self.text, m.start("marker"), m.start("key"), m.span("value"), rendered, reason=reason
            )
        return found

    def _removal(self, site: Site, removed: AbstractSet[int], reason: str) -> list[Splice]:
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

            start, _ = trivia.owned_span(
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


#: What may separate the members of a one-line object that is opened onto lines (no comment).
_PLAIN_GAP = re.compile(r"[ \t]*,?[ \t]*")
#: A commented-out field on a line of its own (``# login-url = "https://..."``): marker, key, value.
_EXAMPLE = re.compile(
    r'[ \t]*(?P<marker>#|//)[ \t]*(?P<key>"(?:[^"\\\n]|\\.)*"|[A-Za-z0-9_.-]+)[ \t]*[:=][ \t]*'
    r"(?P<value>[^\r\n]*?)[ \t\r]*(?=\n|$)"
)


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


def _inside(inner: Field, outer: Field) -> bool:
    return inner is not outer and outer.start <= inner.start and inner.end <= outer.end
