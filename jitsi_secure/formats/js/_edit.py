"""Splices that set or remove one config.js path, computed from the model and the original text.

Everything here works on the text between the AST's ranges (whitespace, commas, comments), which is
why it only ever scans trivia: a region between two properties of one object, or the rest of a line
after a statement, can hold nothing else.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle
from jitsi_secure._core.trivia import comment_out_splices, owned_span, uncomment_splice
from jitsi_secure.errors import EditError
from jitsi_secure.formats.js._model import Entry, Model, ObjLit, ObjNode, Prop, Stmt, not_an_object
from jitsi_secure.formats.js._parser import parse_snippet
from jitsi_secure.formats.js._render import JsLayout, is_identifier, render_key, render_string, render_value

__all__ = ["Editor"]


@dataclass(frozen=True)
class Comment:
    """A comment found in an object's gaps: ``//`` (``block=False``) or ``/* */``; value without markers."""

    start: int
    end: int
    block: bool
    value: str


_TRIVIA = re.compile(r"(?:[\s\ufeff]+|//[^\r\n]*|/\*.*?\*/)*", re.DOTALL)
_SAME_LINE_TRIVIA = re.compile(r"(?:[ \t]+|/\*[^\r\n]*?\*/)*")
_LINE_END = re.compile(r"\r\n|\r|\n")
_SEPARATOR = re.compile(r"[ \t]*:[ \t]*")
_PLAIN_GAP = re.compile(r"[ \t]*")
_PLAIN_COMMA = re.compile(r"[ \t]*,[ \t]*")
_PLAIN_TAIL = re.compile(r"[ \t]*,?[ \t]*")
# A comment line that holds code (a commented-out property or statement, or the end of a commented
# block) documents something else, so removing the item below it must not take it along.
_COMMENTED_CODE = re.compile(r"\s*(?:['\"]?[\w$-]+['\"]?\s*:|[\w$.\[\]'\"]+\s*=[^=]|[}\]])")
_COMMENTED_KEY = re.compile(r"\s*(?:(?P<q>['\"])(?P<quoted>(?:(?!(?P=q)).)*)(?P=q)|(?P<bare>[\w$]+))\s*:")
_GAP_TOKEN = re.compile(r"(?P<space>[\s\ufeff,]+)|(?P<line>//[^\r\n\u2028\u2029]*)|(?P<block>/\*.*?\*/)", re.DOTALL)
_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")


class Editor:
    """Computes splices on one document's text; stateless apart from what it caches about the text."""

    def __init__(self, text: str, model: Model, name: str, style: TextStyle, source: str = "<string>") -> None:
        self.text = text
        self.model = model
        self.name = name
        self.style = style
        self.source = source
        quotes = dict(model.string_quotes)
        self.quote = '"' if quotes.get('"', 0) > quotes.get("'", 0) else "'"

    # public operations ------------------------------------------------------------------------

    def set_splices(self, keys: tuple[str, ...], value: object) -> list[Splice]:
        """The splices that give the existing key ``keys`` the new ``value``."""
        parent, missing = self.locate(keys)
        assert missing == len(keys)
        return self._replace(parent.entries[keys[-1]], value, "set " + ".".join(keys))

    def insert_splices(
        self, parent: ObjNode, prefix: tuple[str, ...], items: list[tuple[str, object]], reason: str
    ) -> list[Splice]:
        """The splices that add the new keys ``items`` to ``parent`` (the object at path ``prefix``)."""
        if parent is self.model.root and self.model.opaque_root is not None:
            raise EditError(f"{reason}: {self.name} is computed by code jitsi-secure does not edit")
        if parent.literal is not None:
            return self._insert_properties(parent.literal, items, reason)
        splices: list[Splice] = []
        for key, value in items:
            splices.extend(self._insert_statement(parent, (*prefix, key), value, reason))
        return splices

    def remove_splices(self, paths: list[tuple[str, ...]], *, comment_out: bool) -> list[Splice]:
        """The splices that take out every definition of each of ``paths`` (removed together, so that
        the commas of one object stay valid however many of its properties go)."""
        removals: list[tuple[ObjNode, Prop | Stmt, str]] = []
        for keys in paths:
            reason = ("comment out " if comment_out else "remove ") + ".".join(keys)
            parent, missing = self.locate(keys)
            if missing != len(keys):
                continue
            entry = parent.entries[keys[-1]]
            writers: list[Prop | Stmt] = list(entry.writers)
            if isinstance(entry.value, ObjNode):
                writers.extend(_statements_in(entry.value))
            for writer in writers:
                if isinstance(writer, Stmt) and writer.kind == "opaque":
                    raise EditError(f"{reason}: it is written by code jitsi-secure does not edit")
            removals.extend((parent, w, reason) for w in writers)
        # A writer inside another one (a statement's object literal) goes with it.
        spans = {(w.start, w.end) for _, w, _ in removals}
        removals = [
            (parent, w, reason)
            for parent, w, reason in removals
            if not any(s <= w.start and w.end <= e and (s, e) != (w.start, w.end) for s, e in spans)
        ]
        gone = {id(w) for _, w, _ in removals}
        splices: list[Splice] = []
        seen: set[tuple[int, int]] = set()
        for parent, writer, reason in removals:
            if (writer.start, writer.end) in seen:
                continue
            seen.add((writer.start, writer.end))
            if isinstance(writer, Prop):
                literal = parent.literal
                assert literal is not None
                remaining = [p for p in literal.props if id(p) not in gone]
                splices.extend(self._remove_property(literal, writer, remaining, comment_out, reason))
            else:
                splices.extend(self._remove_statement(writer, comment_out, reason))
        return splices

    def locate(self, keys: tuple[str, ...]) -> tuple[ObjNode, int]:
        """The deepest object on the path and how many keys of ``keys`` exist (``len(keys)`` if all)."""
        node = self.model.root
        for index, key in enumerate(keys):
            entry = node.entries.get(key)
            if entry is None:
                return node, index
            if index == len(keys) - 1:
                return node, len(keys)
            if not isinstance(entry.value, ObjNode):
                raise not_an_object(keys, index + 1, entry.value, "set")
            node = entry.value
        return node, len(keys)

    # replacing --------------------------------------------------------------------------------

    def _replace(self, entry: Entry, value: object, reason: str) -> list[Splice]:
        # A guard (`if (!config.hasOwnProperty('a')) ...`) tests the key but does not define its value.
        writer = [w for w in entry.writers if not (isinstance(w, Stmt) and w.kind == "guard")][-1]
        if isinstance(writer, Stmt) and (writer.kind == "opaque" or writer.value_start < 0):
            raise EditError(f"{reason}: it is written by code jitsi-secure does not edit")
        start = writer.value_start
        layout = self.layout(self.line_indent(writer.start))
        splices = [Splice(start, writer.value_end, render_value(value, layout), reason)]
        if isinstance(entry.value, ObjNode):
            # Statements that later write inside the old object would now write into the new value.
            for stmt in _statements_in(entry.value):
                if stmt.start >= writer.end:
                    if stmt.kind == "opaque":
                        raise EditError(f"{reason}: part of it is written by code jitsi-secure does not edit")
                    splices.extend(self._remove_statement(stmt, False, reason))
        return splices

    # inserting --------------------------------------------------------------------------------

    def _insert_properties(self, literal: ObjLit, items: list[tuple[str, object]], reason: str) -> list[Splice]:
        """New properties, each on a line of its own (so each can later be removed or commented out)."""
        text = self.text
        close = literal.end - 1
        if not literal.props:
            return self._open_empty(literal, items, reason)
        last = literal.props[-1]
        comma = self.find_comma(last.end, close)
        after = comma + 1 if comma is not None else last.end
        eol = self.same_line_end(after)
        separator = text[last.key_end : last.value_start]
        if not _SEPARATOR.fullmatch(separator):
            separator = ": "
        if eol is not None:
            # The last property ends its line: the new ones follow it, in its indentation and comma habit.
            indent = self.line_indent(last.start)
            newline = self.newline_at(eol)
            layout = JsLayout(indent, self.style.indent, newline, self.quote, comma is not None, separator)
            lines = self._rendered(items, layout, last.key_quote)
            new = ",".join(newline + indent + line for line in lines) + ("," if comma is not None else "")
            after_last = [Splice(eol, eol, new, reason)]
            if comma is None:
                after_last.insert(0, Splice(last.end, last.end, ",", reason))
            return after_last
        one_line = not _LINE_END.search(text, literal.start, literal.end)
        if not _PLAIN_TAIL.fullmatch(text, last.end, close):
            # A comment between the last property and `}`: it stays where it is, and so do the new ones.
            layout = JsLayout("", self.style.indent, self.style.newline, self.quote, False, separator)
            return [
                Splice(last.end, last.end, "".join(", " + line for line in self._rendered(items, layout, "")), reason)
            ]
        # `}` follows the last property on its line (a one-line object): open the object onto lines, as the
        # file's multi-line objects are, one property per line where only a comma separates them.
        outer = self.line_indent(literal.start)
        indent = outer + self.style.indent if one_line else self.line_indent(last.start)
        newline = self.newline_at(self.line_end(literal.start))
        trailing = self.trailing_comma_habit()
        layout = JsLayout(indent, self.style.indent, newline, self.quote, trailing, separator)
        splices: list[Splice] = []
        if one_line:
            first = literal.props[0]
            lead = literal.start + 1
            if _PLAIN_GAP.fullmatch(text, lead, first.start):
                splices.append(Splice(lead, first.start, newline + indent, reason))
            for before, following in itertools.pairwise(literal.props):
                if _PLAIN_COMMA.fullmatch(text, before.end, following.start):
                    splices.append(Splice(before.end, following.start, "," + newline + indent, reason))
        lines = self._rendered(items, layout, last.key_quote)
        body = "".join("," + newline + indent + line for line in lines)
        splices.append(Splice(last.end, close, body + ("," if trailing else "") + newline + outer, reason))
        return splices

    def _open_empty(self, literal: ObjLit, items: list[tuple[str, object]], reason: str) -> list[Splice]:
        """An empty object: open it up onto lines, indented one unit deeper than the line of its `{`."""
        outer = self.line_indent(literal.start)
        indent = outer + self.style.indent
        trailing = self.trailing_comma_habit()
        close = literal.end - 1
        newline = self.newline_at(self.line_end(literal.start))
        layout = JsLayout(indent, self.style.indent, newline, self.quote, trailing)
        block = ("," + newline).join(indent + line for line in self._rendered(items, layout, ""))
        block += "," if trailing else ""
        inner = self.text[literal.start + 1 : close]
        if _LINE_END.search(inner):
            if self.own_line(close):
                at = self.line_start(close)
                return [Splice(at, at, block + newline, reason)]
            return [Splice(close, close, newline + block + newline + outer, reason)]
        return [Splice(literal.start, literal.end, "{" + newline + block + newline + outer + "}", reason)]

    def _rendered(self, items: list[tuple[str, object]], layout: JsLayout, key_quote: str) -> list[str]:
        return [
            render_key(key, layout, key_quote=key_quote) + layout.separator + render_value(value, layout)
            for key, value in items
        ]

    def _insert_statement(self, parent: ObjNode, chain: tuple[str, ...], value: object, reason: str) -> list[Splice]:
        anchor = parent.anchor or self.model.root.anchor
        target = self.name + "".join(
            "." + k if is_identifier(k) else "[" + render_string(k, self.quote) + "]" for k in chain
        )
        if anchor is None:
            layout = self.layout("")
            statement = f"{target} = {render_value(value, layout)};"
            end = len(self.text)
            if not self.text:
                return [Splice(0, 0, statement + self.style.newline, reason)]
            if self.text.endswith(("\n", "\r")):
                return [Splice(end, end, statement + self.style.newline, reason)]
            return [Splice(end, end, self.style.newline + statement, reason)]
        start, end = anchor
        indent = self.line_indent(start)
        eol = self.line_end(end)
        newline = self.newline_at(eol)
        layout = JsLayout(indent, self.style.indent, newline, self.quote, self.trailing_comma_habit())
        semicolon = ";" if self.text[end - 1 : end] == ";" else ""
        statement = f"{target} = {render_value(value, layout)}{semicolon}"
        return [Splice(eol, eol, newline + indent + statement, reason)]

    def uncomment_splices(self, literal: ObjLit, key: str, value: object, reason: str) -> list[Splice] | None:
        """Turn ``// key: example,`` inside ``literal`` back into a live property holding ``value``
        (the uncomment rule, :func:`~jitsi_secure._core.trivia.uncomment_splice`); None without one."""
        found = self._commented_property(literal, key)
        if found is None:
            return None
        comment, (key_start, value_start, value_end) = found
        rest = comment.value[value_end:]
        later = any(p.start > comment.start for p in literal.props)
        earlier = [p for p in literal.props if p.end <= comment.start]
        layout = self.layout(self.line_indent(comment.start))
        needs_comma = later and not rest.lstrip(" \t").startswith(",")
        body = comment.start + 2  # the comment's text after `//`
        splices = [
            uncomment_splice(
                self.text,
                comment.start,
                body + key_start,
                (body + value_start, body + value_end),
                render_value(value, layout) + ("," if needs_comma else ""),
                reason=reason,
            )
        ]
        if not later and earlier and self.find_comma(earlier[-1].end, comment.start) is None:
            splices.insert(0, Splice(earlier[-1].end, earlier[-1].end, ",", reason))
        return splices

    def _commented_property(self, literal: ObjLit, key: str) -> tuple[Comment, tuple[int, int, int]] | None:
        """The last commented-out example of ``key`` directly inside ``literal`` (the uncomment rule)."""
        found: tuple[Comment, tuple[int, int, int]] | None = None
        depth = 0
        for comment in self._gap_comments(literal):
            if comment is None:
                depth = 0  # a live property between comments ends any commented-out block
                continue
            if comment.block:
                continue
            body = comment.value
            if depth == 0 and self.own_line(comment.start):
                match = _COMMENTED_KEY.match(body)
                if match and (match.group("bare") or match.group("quoted")) == key:
                    located = parse_snippet(body, key)
                    if located is not None:
                        found = comment, located
            stripped = _STRINGS.sub("", body)
            depth = max(0, depth + sum(stripped.count(c) for c in "{[(") - sum(stripped.count(c) for c in "}])"))
        return found

    def _gap_comments(self, literal: ObjLit) -> Iterator[Comment | None]:
        """The comments directly inside ``literal`` (not inside its properties), None between gaps.

        Between ``{``, the properties and ``}`` the text can only be whitespace, commas and comments,
        so a scan of those gaps finds every comment of the object without a second parse.
        """
        bounds = [literal.start + 1]
        for prop in literal.props:
            bounds += [prop.start, prop.end]
        bounds.append(literal.end - 1)
        text = self.text
        for index in range(0, len(bounds), 2):
            if index:
                yield None
            at, end = bounds[index], bounds[index + 1]
            while at < end:
                match = _GAP_TOKEN.match(text, at, end)
                if match is None:
                    break  # not trivia (cannot happen for the parser's ranges): stop rather than guess
                if match.lastgroup == "line":
                    yield Comment(at, match.end(), False, match.group()[2:])
                elif match.lastgroup == "block":
                    yield Comment(at, match.end(), True, match.group()[2:-2])
                at = match.end()

    # removing ---------------------------------------------------------------------------------

    def _remove_property(
        self, literal: ObjLit, prop: Prop, remaining: list[Prop], comment_out: bool, reason: str
    ) -> list[Splice]:
        following = [p for p in literal.props if p.start > prop.start]
        limit = following[0].start if following else literal.end - 1
        comma = self.find_comma(prop.end, limit)
        after = comma + 1 if comma is not None else prop.end
        eol = self.same_line_end(after)
        earlier = [p for p in remaining if p.end <= prop.start]
        later = [p for p in remaining if p.start > prop.start]
        if self.own_line(prop.start) and eol is not None:
            start = self.line_start(prop.start)
            if comment_out:
                return comment_out_splices(self.text, start, eol, "// ", reason)
            splices = [Splice(*self._owned_lines(start, eol), "", reason)]
            if not later and comma is None and earlier:
                previous_comma = self.find_comma(earlier[-1].end, prop.start)
                if previous_comma is not None:
                    splices.insert(0, Splice(previous_comma, previous_comma + 1, "", reason))
            return splices
        if comment_out:
            raise EditError(
                f"{reason}: only a property on lines of its own can be commented out (this one"
                " shares its line with other code; it can be removed)"
            )
        if comma is not None:
            end = comma + 1
            while end < len(self.text) and self.text[end] in " \t":
                end += 1
            return [Splice(prop.start, end, "", reason)]
        if earlier:
            previous_comma = self.find_comma(earlier[-1].end, prop.start)
            if previous_comma is not None:
                return [Splice(previous_comma, prop.end, "", reason)]
        return [Splice(prop.start, prop.end, "", reason)]

    def _remove_statement(self, stmt: Stmt, comment_out: bool, reason: str) -> list[Splice]:
        eol = self.same_line_end(stmt.end)
        if self.own_line(stmt.start) and eol is not None:
            start = self.line_start(stmt.start)
            if comment_out:
                return comment_out_splices(self.text, start, eol, "// ", reason)
            return [Splice(*self._owned_lines(start, eol), "", reason)]
        if comment_out:
            raise EditError(
                f"{reason}: only a statement on lines of its own can be commented out (this one"
                " shares its line with other code; it can be removed)"
            )
        end = stmt.end
        while end < len(self.text) and self.text[end] in " \t":
            end += 1
        return [Splice(stmt.start, end, "", reason)]

    def _owned_lines(self, start: int, eol: int) -> tuple[int, int]:
        """What removing the item on the lines from ``start`` (a line start) to the break at ``eol`` takes:
        those lines and the comments the one comment rule gives it (:func:`~jitsi_secure._core.trivia.owned_span`)."""
        found = _LINE_END.match(self.text, eol)
        end = found.end() if found else eol
        start, end = owned_span(
            self.text, start, end, is_comment=_is_comment, is_other_key=lambda a, b: self._other_key(a, b, start)
        )
        if found is None and start > 0:
            # The last line of a file without a final newline: take the break before it instead, so the
            # file still ends without one.
            before = start - 1 if self.text[start - 1] == "\n" else start
            if before > 0 and self.text[before - 1] == "\r":
                before -= 1
            return before, end
        return start, end

    @functools.cached_property
    def _items(self) -> list[tuple[int, int]]:
        """Every property and statement as ``(start, end)``, in order (for :meth:`_other_key`)."""
        items = {(p.start, p.end) for literal in _literals(self.model.root) for p in literal.props}
        items.update(self.model.statements)
        return sorted(items)

    def _other_key(self, a: int, b: int, inside: int) -> bool:
        """Whether the line ``text[a:b]`` holds a property or statement, or a commented-out one; the
        ones that enclose offset ``inside`` (the object being edited, ``var config = {``) are structure."""
        line = self.text[a:b].strip()
        if line.startswith("//"):
            return _COMMENTED_CODE.match(line[2:]) is not None
        index = bisect.bisect_left(self._items, (a, -1))
        while index < len(self._items) and self._items[index][0] < b:
            start, end = self._items[index]
            if not start <= inside < end:
                return True
            index += 1
        return False

    # text helpers -----------------------------------------------------------------------------

    def layout(self, indent: str) -> JsLayout:
        return JsLayout(indent, self.style.indent, self.style.newline, self.quote, self.trailing_comma_habit())

    @functools.cached_property
    def _trailing_comma(self) -> bool:
        votes = [0, 0]
        for literal in _literals(self.model.root):
            if not literal.props:
                continue
            last = literal.props[-1]
            comma = self.find_comma(last.end, literal.end - 1)
            if self.same_line_end(comma + 1 if comma is not None else last.end) is None:
                continue  # `{a: 1}` on one line says nothing about the multi-line habit
            votes[comma is not None] += 1
        return votes[1] >= votes[0]

    def trailing_comma_habit(self) -> bool:
        """Whether the file's multi-line objects end with a comma after their last property."""
        return self._trailing_comma

    def find_comma(self, start: int, limit: int) -> int | None:
        """Offset of the comma right after ``start`` (across whitespace and comments), if any before ``limit``."""
        match = _TRIVIA.match(self.text, start, max(start, limit))
        at = match.end() if match else start
        return at if at < limit and self.text[at] == "," else None

    def same_line_end(self, start: int) -> int | None:
        """The line break ending ``start``'s line if only blanks and comments follow on it, else None."""
        text = self.text
        match = _SAME_LINE_TRIVIA.match(text, start)
        at = match.end() if match else start
        if text.startswith("//", at):
            found = _LINE_END.search(text, at)
            return found.start() if found else len(text)
        if at == len(text) or text[at] in "\r\n":
            return at
        return None

    def line_start(self, pos: int) -> int:
        return max(self.text.rfind("\n", 0, pos), self.text.rfind("\r", 0, pos)) + 1

    def line_end(self, pos: int) -> int:
        found = _LINE_END.search(self.text, pos)
        return found.start() if found else len(self.text)

    def line_indent(self, pos: int) -> str:
        start = self.line_start(pos)
        line = self.text[start:pos]
        return line[: len(line) - len(line.lstrip(" \t"))]

    def own_line(self, pos: int) -> bool:
        return not self.text[self.line_start(pos) : pos].strip(" \t")

    def newline_at(self, pos: int) -> str:
        """The line break at ``pos`` (each line keeps its own in a mixed file), or the file's habit."""
        found = _LINE_END.match(self.text, pos)
        return found.group() if found else self.style.newline


def _is_comment(line: str) -> bool:
    return line.startswith(("//", "/*"))


def _statements_in(node: ObjNode) -> Iterator[Stmt]:
    for entry in node.entries.values():
        for writer in entry.writers:
            if isinstance(writer, Stmt):
                yield writer
        if isinstance(entry.value, ObjNode):
            yield from _statements_in(entry.value)


def _literals(node: ObjNode) -> Iterator[ObjLit]:
    if node.literal is not None:
        yield node.literal
    for entry in node.entries.values():
        if isinstance(entry.value, ObjNode):
            yield from _literals(entry.value)
