"""The editor of table literals: a list or a table of named fields changed field by field (kept fields
untouched, new ones in the table's layout, removed ones with their line, commented-out entries
uncommented in place), and a whole table rewritten in its multi-line layout."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace

from jitsi_secure._core.document import Computed
from jitsi_secure._core.splice import Splice
from jitsi_secure.errors import EditError
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.lua._layout import Layout
from jitsi_secure.formats.lua._lexer import COMMENT, NEWLINE
from jitsi_secure.formats.lua._meaning import LuaExpression, canonical, literal_value
from jitsi_secure.formats.lua._model import Option, field_start
from jitsi_secure.formats.lua._render import render_value
from jitsi_secure.formats.lua._tree import Node

__all__ = ["TableEditor"]


class TableEditor(Layout):
    """Splices that change a table literal field by field, so untouched fields keep their comments."""

    def _table_splices(
        self, node: Node, value: ConfigValue, reason: str, depth: int = 0, *, comment_out: bool = False
    ) -> list[Splice] | None:
        """Splices turning the table literal ``node`` into ``value`` field by field: fields whose value
        stays are untouched (with their comments), changed ones are rewritten (recursively), removed
        ones leave with their line, new ones are added after the last field in its layout. ``None`` when
        the change is not of that shape (then the whole value is rewritten)."""
        if node.kind != "table" or depth > 20:
            return None
        if not node.fields:
            # `{}` reads as an empty list; a table of named fields given to it opens it onto lines.
            if isinstance(value, dict) and value and self._one_line(node):
                return [self._opened(node, {}, value, reason)]
            return None
        fields = node.fields
        old = [literal_value(f.value, self.text) for f in fields]
        if any(isinstance(v, LuaExpression) for v in old):
            return None
        if all(f.kind == "pos" for f in fields) and isinstance(value, list | tuple) and value:
            return self._list_splices(node, list(value), old, reason, comment_out=comment_out)
        # Every field going, commented out: field by field still, so that none goes silently.
        if all(f.kind == "name" for f in fields) and isinstance(value, dict) and (value or comment_out):
            return self._dict_splices(node, value, old, reason, depth, comment_out=comment_out)
        return None

    def _list_splices(
        self,
        node: Node,
        new: list[ConfigValue],
        old: list[ConfigValue | LuaExpression],
        reason: str,
        *,
        comment_out: bool = False,
    ) -> list[Splice] | None:
        """Kept entries stay; a new entry whose commented-out line (``--"x";``) lies where it goes is
        uncommented in place, other new entries are added after the last kept one; entries that go are
        deleted (``comment_out``: commented out when on their own line)."""
        fields = node.fields
        kept: list[int] = []
        splices: list[Splice] = []
        used: list[int] = []
        j = 0
        appended_from = len(new)
        for i, item in enumerate(new):
            lo = fields[kept[-1]].value.end if kept else node.start + 1
            hi = field_start(fields[j]) if j < len(old) else node.end - 1
            example = self._entry_to_uncomment(lo, hi, item, used)
            if example is not None and (j == len(old) or canonical(old[j]) != canonical(item)):
                splices.append(example)
                continue
            while j < len(old) and canonical(old[j]) != canonical(item):
                j += 1
            if j == len(old):
                appended_from = i
                break
            kept.append(j)
            j += 1
        if not kept:
            return None
        splices += [self._field_removal(node, k, reason, comment_out) for k in range(len(fields)) if k not in kept]
        appended = new[appended_from:]
        if appended:
            appends = self._field_appends(node, kept[-1], [self._render(v) for v in appended], reason)
            if appends is None:
                return None
            splices.extend(appends)
        return splices

    def _entry_to_uncomment(self, lo: int, hi: int, item: ConfigValue, used: list[int]) -> Splice | None:
        """The splice uncommenting the first not yet ``used`` commented-out entry equal to ``item`` in
        ``[lo, hi)``, if it ends with its own separator (so no neighbour needs one added)."""
        for token, value in self._commented_fields(lo, hi):
            if token.start in used or canonical(value) != canonical(item):
                continue
            body = token.text[2:].lstrip(" \t")
            if not body.rstrip(" \t").endswith((",", ";")):
                continue
            used.append(token.start)
            return Splice(token.start, token.end, body, "uncomment list entry")
        return None

    def _dict_splices(
        self,
        node: Node,
        new: dict[str, ConfigValue],
        old: list[ConfigValue | LuaExpression],
        reason: str,
        depth: int,
        *,
        comment_out: bool = False,
    ) -> list[Splice] | None:
        fields = node.fields
        last_of: dict[str, int] = {}
        for k, f in enumerate(fields):
            last_of[f.name] = k
        if len(last_of) != len(fields):
            return None  # duplicate keys: rewrite the whole table
        added = [(key, v) for key, v in new.items() if key not in last_of]
        if added and self._one_line(node):
            if comment_out and any(key not in new for key in last_of):
                raise EditError(
                    f"{reason}: the field shares its line with other fields; it can be removed but not commented out"
                )
            return [self._opened(node, last_of, new, reason)]
        splices: list[Splice] = []
        for key, k in last_of.items():
            if key not in new:
                splices.append(self._field_removal(node, k, reason, comment_out, named=True))
            elif canonical(old[k]) != canonical(new[key]):
                field = fields[k]
                inner = self._table_splices(field.value, new[key], reason, depth + 1, comment_out=comment_out)
                if inner is None:
                    text = self._render(new[key])
                    inner = [Splice(field.value.start, field.value.end, text, reason)]
                splices.extend(inner)
        if added:
            # render_value writes "{ k = v }"; the field alone is what sits between the braces.
            texts = [render_value({key: v}, self._model.render_style)[2:-2] for key, v in added]
            keep = [k for k in range(len(fields)) if fields[k].name in new]
            appends = self._field_appends(node, keep[-1], texts, reason) if keep else None
            if appends is None:
                return None
            splices.extend(appends)
        return splices

    def _field_removal(
        self, node: Node, k: int, reason: str, comment_out: bool = False, *, named: bool = False
    ) -> Splice:
        """The splice removing field ``k`` with its line when it has one (``comment_out``: commenting that
        line out). A list entry sharing its line is deleted; a named field sharing its line cannot be
        commented out (EditError), as an option cannot."""
        fields = node.fields
        field = fields[k]
        start = field_start(field)
        end = field.value.end
        if field.sep:
            end = self.text.index(field.sep, end) + 1
        line_start, clean_before = self._line_start_before(start)
        line_end, clean_after = self._line_end_after(end)
        if clean_before and clean_after and line_end <= node.end - 1:
            if comment_out:
                # As the packages ship an entry switched off: `--"token_verification";`, or spelled as the
                # file spells its other such entries (older Debian templates: `-- "token_verification";`).
                return Splice(start, start, self._entry_marker(node), reason)
            return Splice(line_start, line_end, "", reason)
        if comment_out and named:
            raise EditError(
                f"{reason}: the field shares its line with other code; it can be removed but not commented out"
            )
        if field.sep:
            stop = end
            while stop < len(self.text) and self.text[stop] in " \t":
                stop += 1
            if stop == len(self.text) or self.text[stop] in "\r\n":
                # The last entry of its line: the blanks before it go too, so that none trails the line.
                while start > 0 and self.text[start - 1] in " \t":
                    start -= 1
            return Splice(start, stop, "", reason)
        if k > 0:
            # The last field has no separator: take the one before it instead.
            return Splice(fields[k - 1].value.end, end, "", reason)
        return Splice(start, end, "", reason)

    def _entry_marker(self, node: Node) -> str:
        """How a list entry is commented out here: ``--`` and the blanks after it as the list's own
        commented-out entries have them, else as the file's other lists' have them (the most common
        spelling), else ``--`` as the packages ship it now."""
        lists = [node, *(n for n in self._model.value_nodes.values() if n.kind == "table" and n is not node)]
        for scope in (lists[:1], lists[1:]):
            spellings = Counter(
                token.text[: len(token.text) - len(token.text[2:].lstrip(" \t"))]
                for table in scope
                for token, _ in self._commented_fields(table.start + 1, table.end - 1)
            )
            if spellings:
                return spellings.most_common(1)[0][0]
        return "--"

    def _one_line(self, node: Node) -> bool:
        """Whether the table literal ``node`` has no line break and no comment inside it."""
        k, stop = self._token_index(node.start), self._token_index(node.end)
        return all(t.kind not in (NEWLINE, COMMENT) for t in self._model.chunk.tokens[k:stop])

    def _opened(self, node: Node, last_of: Mapping[str, int], new: Mapping[str, ConfigValue], reason: str) -> Splice:
        """The one-line table ``node`` written onto lines, one field a line, as ``new`` asks: kept fields
        as they are spelled, changed ones with their new value, new ones last (as HOCON and config.js
        open a one-line object, so that what is inserted has a line of its own)."""
        fields = node.fields
        seps = Counter(f.sep for f in fields if f.sep)
        separator = seps.most_common(1)[0][0] if seps else self._model.render_style.separator
        trailing = bool(fields) and bool(fields[-1].sep)
        items = []
        for key, value in new.items():
            if key in last_of:
                field = fields[last_of[key]]
                same = canonical(literal_value(field.value, self.text)) == canonical(value)
                rendered = self.text[field.value.start : field.value.end] if same else self._render(value)
                items.append(self.text[field_start(field) : field.value.start] + rendered)
            else:
                # render_value writes "{ k = v }"; the field alone is what sits between the braces.
                items.append(render_value({key: value}, self._model.render_style)[2:-2])
        nl = self.style.newline
        line_start = max(self.text.rfind("\n", 0, node.start), self.text.rfind("\r", 0, node.start)) + 1
        base = self.text[line_start : node.start]
        base = base[: len(base) - len(base.lstrip(" \t"))]
        body = "".join(
            f"{nl}{base}{self.style.indent}{item}{separator if i < len(items) - 1 or trailing else ''}"
            for i, item in enumerate(items)
        )
        return Splice(node.start, node.end, "{" + body + nl + base + "}", reason)

    def _field_appends(self, node: Node, after: int, texts: list[str], reason: str) -> list[Splice] | None:
        """New fields after field ``after`` (the last one kept), written like the table's own fields."""
        fields = node.fields
        last = fields[-1]
        anchor = fields[after]
        seps = Counter(f.sep for f in fields if f.sep)
        separator = seps.most_common(1)[0][0] if seps else self._model.render_style.separator
        trailing = last.sep
        multi_line = self._line_start_before(field_start(last))[1]
        end = anchor.value.end
        if anchor.sep:
            end = self.text.index(anchor.sep, end) + 1
        splices: list[Splice] = []
        if multi_line:
            nl = self.style.newline
            indent = self._indent_of_line(field_start(last))
            line_end, clean = self._line_end_after(end)
            if not clean or line_end > node.end:
                return None
            if not anchor.sep:
                splices.append(Splice(anchor.value.end, anchor.value.end, separator, reason))
            body = "".join(
                f"{indent}{text}{separator if i < len(texts) - 1 else trailing}{nl}" for i, text in enumerate(texts)
            )
            splices.append(Splice(line_end, line_end, body, reason))
            return splices
        joined = f"{separator} ".join(texts)
        if anchor.sep:
            splices.append(Splice(end, end, f" {joined}{trailing}", reason))
        else:
            splices.append(Splice(anchor.value.end, anchor.value.end, f"{separator} {joined}", reason))
        return splices

    def _render_in_place(self, option: Option, value: ConfigValue | Computed) -> str:
        """The new value for an existing assignment: a table written over several lines stays so, with
        its field indentation, separator and trailing-separator habit; anything else renders inline."""
        node = self._model.value_nodes.get((option.start, option.value_start))
        old = self.text[option.value_start : option.value_end]
        if node is None or node.kind != "table" or ("\n" not in old and "\r" not in old):
            return self._render(value)
        if not isinstance(value, list | tuple | dict) or not value:
            return self._render(value)
        nl = self.style.newline
        base = self._indent_of_line(option.start)
        fields = node.fields
        field_indent = self._indent_of_line(field_start(fields[0])) if fields else ""
        if not field_indent:
            field_indent = base + self.style.indent
        close_at = node.end - 1
        close_indent = self._indent_of_line(close_at) if self._line_start_before(close_at)[1] else base
        separator = next((f.sep for f in fields if f.sep), self._model.render_style.separator)
        trailing = bool(fields) and bool(fields[-1].sep)
        style = replace(self._model.render_style, separator=separator)
        if isinstance(value, dict):
            items = [render_value({key: item}, style)[2:-2] for key, item in value.items()]
        else:
            items = [render_value(item, style) for item in value]
        lines = [
            f"{field_indent}{item}{separator if i < len(items) - 1 or trailing else ''}" for i, item in enumerate(items)
        ]
        return "{" + nl + nl.join(lines) + nl + close_indent + "}"
