"""The editor of a Prosody config: option changes as one batch (set, remove, comment out, uncomment a
``--option = ...`` example), sections added and removed; every edit is splices of the original text,
re-parsed and checked against what was asked before a new document is returned."""

from __future__ import annotations

import bisect
import contextlib
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Self

from jitsi_secure._core.document import REMOVE, CommentOut, Computed, Remove
from jitsi_secure._core.edit import verified_edit
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.trivia import comment_out_splices, commented_out_as, owned_span
from jitsi_secure._core.writable import refuse_too_deep
from jitsi_secure.errors import EditError, ParseError, line_and_column
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.lua._layout import (
    ASSIGNMENT_EXAMPLE,
    Layout,
    LuaPath,
    View,
    is_long_comment,
    lua_path,
    section_label,
    static_view,
)
from jitsi_secure.formats.lua._lexer import (
    COMMENT,
    KEYWORDS,
    tokenize,
)
from jitsi_secure.formats.lua._meaning import canonical
from jitsi_secure.formats.lua._model import hostkey, read
from jitsi_secure.formats.lua._parser import parse_chunk
from jitsi_secure.formats.lua._render import render_string
from jitsi_secure.formats.lua._table_edit import TableEditor

__all__ = ["Editor"]


class Editor(TableEditor):
    """The editor: a batch of option changes, new and removed sections, as splices of the text that
    are parsed and verified once."""

    def _edit(
        self, changes: Mapping[LuaPath, ConfigValue | Computed | Remove | CommentOut], *, comment_out: bool
    ) -> Self:
        # Changes below an option (keys into a table) become one change of the option's whole value.
        wanted: dict[tuple[str | None, str], ConfigValue | Computed | Remove | CommentOut] = {}
        commented: set[tuple[str | None, str]] = set()  # options whose table fields are commented out
        for path, value in changes.items():
            section, option, keys = lua_path(path)
            _check_option_name(option)
            self._existing_section(section)
            refuse_too_deep(value, f"set {section_label(section)} {option}")
            if not keys:
                wanted[(section, option)] = value
                continue
            if isinstance(value, Computed) or (isinstance(value, CommentOut) and value.placeholder is not None):
                what = "a computed value" if isinstance(value, Computed) else "a placeholder"
                raise EditError(f"{what} goes on a whole option, not inside a table")
            if isinstance(value, CommentOut):
                # A field commented out: the table loses it, with comment_out for that option's splices.
                commented.add((section, option))
            last = self._last_option(section, option)
            current = wanted.get((section, option), None if last is None else self._value_of(last))
            field = REMOVE if isinstance(value, CommentOut) else value
            wanted[(section, option)] = _with_key(current, keys, field, f"{section_label(section)} {option}")
        expected = [dict(options) for *_, options in static_view(self)]
        fine: list[Splice] = []
        coarse: list[Splice] = []
        for (section, option), value in wanted.items():
            if isinstance(value, Remove | CommentOut):
                how = value if isinstance(value, CommentOut) else (CommentOut() if comment_out else None)
                found = self._remove_splices(section, option, how)
                for index in self._section_indices(section):
                    expected[index].pop(option, None)
                fine.extend(found)
                coarse.extend(found)
                continue
            commenting = comment_out or (section, option) in commented
            change = self._set_splices(section, option, value, comment_out=commenting)
            if change is None:
                continue
            target, fine_splices, coarse_splices = change
            expected[target][option] = canonical(value)
            fine.extend(fine_splices)
            coarse.extend(coarse_splices)
        if not coarse:
            return self
        view = tuple(
            (kind, name, module, tuple(sorted(expected[i].items())))
            for i, (kind, name, module, _) in enumerate(static_view(self))
        )
        if fine != coarse:
            # Element by element first, so untouched table fields keep their comments; whole values if that fails.
            with contextlib.suppress(EditError):
                return self._verified(fine, view)
        return self._verified(coarse, view)

    def _set_splices(
        self, section: str | None, option: str, value: ConfigValue | Computed, *, comment_out: bool = False
    ) -> tuple[int, list[Splice], list[Splice]] | None:
        """(the section index the value lands in, fine splices, whole-value splices), ``None`` for no change."""
        indices = self._existing_section(section)
        found = self._last_option(section, option)
        reason = f"set {section_label(section)} {option}"
        if found is not None:
            if not found.simple:
                raise EditError(f"{option} is set by a multiple assignment; edit it by hand")
            if canonical(self._value_of(found)) == canonical(value):
                return None
            node = self._model.value_nodes.get((found.start, found.value_start))
            whole = [Splice(found.value_start, found.value_end, self._render_in_place(found, value), reason)]
            fine = None
            if node is not None and not isinstance(value, Computed):
                fine = self._table_splices(node, value, reason, comment_out=comment_out)
            return found.section, fine or whole, whole
        index = indices[-1]
        if self._model.sections[index].inline:
            raise EditError(self._table_form_refusal(index))
        rendered = self._render(value)
        splice = self._uncomment_example(index, option, rendered, section) or self._insert_option(
            index, option, rendered, section
        )
        return index, [splice], [splice]

    def _table_form_refusal(self, index: int) -> str:
        """Why an option cannot be added to a ``VirtualHost "x" { ... }`` section, where it is and how
        to rewrite it (the table's values are not quoted: one may be a secret)."""
        header = self._model.sections[index]
        line, column = line_and_column(self.text, header.header_start)
        name = f'"{header.name}"' if header.name is not None else "(a computed name)"
        return (
            f"line {line}, column {column}: {header.kind} {name} takes its options in a table after its "
            "header ({ ... }), which jitsi-secure does not edit; rewrite the section in the usual form, "
            f"the header alone on its line ({header.kind} {name}) and each option of the table on a line "
            "of its own after it (option = value, no braces), then run again"
        )

    def _remove_splices(self, section: str | None, option: str, how: CommentOut | None) -> list[Splice]:
        """Deleting every assignment of ``option`` in ``section`` (``how`` is ``None``), or commenting
        each out, its value first replaced by ``how.placeholder`` when there is one."""
        found = [o for o in self._options_in(section) if o.name == option]
        splices = []
        comment_out = how is not None
        reason = f"{'comment out' if comment_out else 'remove'} {section_label(section)} {option}"
        for record in found:
            if not record.simple:
                raise EditError(f"{option} is set by a multiple assignment; edit it by hand")
            start, end = self._statement_lines(record.start, record.end)
            own_lines = start != record.start or self._line_start_before(record.start)[0] == record.start
            if comment_out:
                if not own_lines or not self._line_end_after(record.end)[1]:
                    raise EditError(
                        f"{reason}: the assignment shares its line with other code; "
                        "it can be removed but not commented out"
                    )
                if how is not None and how.placeholder is not None:
                    placeholder = self._render_in_place(record, how.placeholder)
                    value = Splice(record.value_start, record.value_end, placeholder, reason)
                    splices.append(commented_out_as(self.text, (start, end), [value], "--", reason=reason))
                else:
                    splices.extend(comment_out_splices(self.text, start, end, "--", reason))
                continue
            if own_lines and self._line_end_after(record.end)[1]:
                start, end = owned_span(
                    self.text, start, end, is_comment=lambda line: line.startswith("--"), is_other_key=self._other_key
                )
            splices.append(Splice(start, end, "", reason))
        return splices

    def _other_key(self, a: int, b: int) -> bool:
        """Whether the line ``text[a:b]`` holds an option assignment or a commented-out one."""
        line = self.text[a:b].strip()
        if line.startswith("--") and ASSIGNMENT_EXAMPLE.match(line[2:]) is not None:
            return True
        starts = self._option_starts
        k = bisect.bisect_right(starts, b) - 1
        while k >= 0:
            option = self._model.options[k]
            if option.end > a:
                return option.start < b
            if option.start < a:
                return False
            k -= 1
        return False

    @functools.cached_property
    def _example_tokens(self) -> dict[str, list[int]]:
        """The comment tokens that look like ``--option = ...``, by option name (indexed once: a batch
        looks up every new option)."""
        found: dict[str, list[int]] = {}
        for k, t in enumerate(self._model.chunk.tokens):
            if t.kind != COMMENT or (t.text.startswith("--[") and is_long_comment(t.text)):
                continue
            m = ASSIGNMENT_EXAMPLE.match(t.text, 2)
            if m is not None:
                found.setdefault(m.group(1), []).append(k)
        return found

    def _header_text(self, kind: str, name: str, module: str | None) -> str:
        quote = self._model.render_style.quote
        rendered_name = render_string(name, quote)
        if self._model.header_paren:
            text = f"{kind}({rendered_name})"
            return text + (f"({render_string(module, quote)})" if module is not None else "")
        text = f"{kind} {rendered_name}"
        return text + (f" {render_string(module, quote)}" if module is not None else "")

    def _uncomment_example(self, index: int, option: str, rendered: str, section: str | None) -> Splice | None:
        """A splice turning the last ``--option = ...`` comment line of the section into the assignment."""
        section_record = self._model.sections[index]
        lo = section_record.header_end if index else section_record.start
        hi = section_record.end
        tokens = self._model.chunk.tokens
        first, last = self._token_index(lo), self._token_index(hi)
        for k in reversed(self._example_tokens.get(option, ())):
            if not first <= k < last:
                continue
            t = tokens[k]
            body = t.text[2:]
            m = ASSIGNMENT_EXAMPLE.match(body)
            assert m is not None
            if not self._line_start_before(t.start)[1] or self._inside_statement(t.start):
                continue
            example = _parse_example(body)
            if example is None:
                continue
            value_start, value_end = example
            new = body[m.start(1) : value_start] + rendered + body[value_end:]
            return Splice(t.start, t.end, new, f"set {section_label(section)} {option} (uncomment example)")
        return None

    def _insert_option(self, index: int, option: str, rendered: str, section: str | None) -> Splice:
        nl = self.style.newline
        section_record = self._model.sections[index]
        own = [o for o in self._model.options if o.section == index and o.start < section_record.end]
        line = f"{self._option_indent(index)}{option}{self._separator(section_record.end)}{rendered}"
        reason = f"set {section_label(section)} {option}"
        if own:
            anchor_end = own[-1].end
        elif index:
            anchor_end = section_record.header_end
        else:
            # No global option yet: before the first section (its comment block included), or at the end.
            position = self._model.sections[1].start if len(self._model.sections) > 1 else len(self.text)
            if position < len(self.text):
                return Splice(position, position, line + nl + nl, reason)
            return self._append_line(line, reason)
        line_end, clean = self._line_end_after(anchor_end)
        if not clean:
            return Splice(anchor_end, anchor_end, nl + line + nl, reason)
        if line_end == len(self.text) and not self.text.endswith(("\n", "\r")):
            return Splice(line_end, line_end, nl + line, reason)
        return Splice(line_end, line_end, line + nl, reason)

    def _append_line(self, line: str, reason: str) -> Splice:
        end = len(self.text)
        nl = self.style.newline
        if self.text and not self.text.endswith(("\n", "\r")):
            return Splice(end, end, nl + line, reason)
        return Splice(end, end, line + nl, reason)

    def _verified(self, splices: Sequence[Splice], expected: View) -> Self:
        def problem(new: Layout) -> str | None:
            if sorted(static_view(new), key=repr) == sorted(expected, key=repr):
                return None
            return "it would not mean what was asked"

        return verified_edit(self.text, splices, source=self.source, reparse=self._reparsed, problem=problem)

    def _reparsed(self, text: str) -> Self:
        # LuaDocument parses through its module's parse instead.
        return type(self)(text, self.source, *read(text, self.source))

    def _add_section(
        self, kind: str, name: str, options: Mapping[str, ConfigValue], after: str | None, module: str | None
    ) -> Self:
        # What LuaDocument.add_section documents.
        if kind not in ("VirtualHost", "Component"):
            raise EditError(f"unknown section kind {kind!r}")
        if module is not None and kind != "Component":
            raise EditError("only a Component has a module")
        if any(s.name is not None and hostkey(s.name) == hostkey(name) for s in self._model.sections):
            raise EditError(f"a section named {name} exists already")
        for option, value in options.items():
            _check_option_name(option)
            refuse_too_deep(value, f"add {kind} {name}: {option}")
        anchor = self._existing_section(after)[-1] if after is not None else len(self._model.sections) - 1
        position = self._model.sections[anchor].end
        nl = self.style.newline
        header = self._header_text(kind, name, module)
        indent = self._option_indent(None)
        separator = self._separator(position)
        lines = [header] + [f"{indent}{key}{separator}{self._render(v)}" for key, v in options.items()]
        block = nl.join(lines)
        before = self.text[:position]
        if position == len(self.text):
            lead = "" if not before else (nl * 2 if not before.endswith(("\n", "\r")) else nl)
            if before and _ends_with_blank_line(before):
                lead = ""
            new_text = lead + block + (nl if self.style.final_newline or not before else "")
        else:
            lead = "" if _ends_with_blank_line(before) or not before else nl
            new_text = lead + block + nl + nl
        splice = Splice(position, position, new_text, f"add {kind} {name}")
        return self._verified([splice], _expect_add(self, kind, name, module, options))

    def _remove_section(self, name: str) -> Self:
        # What LuaDocument.remove_section documents.
        indices = self._existing_section(name)
        splices = []
        for index in indices:
            section = self._model.sections[index]
            start = section.start
            if section.end == len(self.text):
                start = _after_last_content_line(self.text, start)
                if not self.style.final_newline:
                    # No final newline: the line break before the section goes with it.
                    start = len(self.text[:start].rstrip(" \t\r\n\f\v"))
            splices.append(Splice(start, section.end, "", f"remove section {name}"))
        expected = tuple(v for i, v in enumerate(static_view(self)) if i not in indices)
        return self._verified(splices, expected)


def _expect_add(doc: Layout, kind: str, name: str, module: str | None, options: Mapping[str, ConfigValue]) -> View:
    view = list(static_view(doc))
    anchor_options = tuple(sorted((k, canonical(v)) for k, v in options.items()))
    # The new section's place in the list does not matter to the check, only its content.
    view.append((kind, hostkey(name), module, anchor_options))
    return tuple(view)


def _with_key(current: object, keys: tuple[str, ...], value: ConfigValue | Remove, label: str) -> ConfigValue | Remove:
    """``current`` (a table literal read as a dict) with ``keys`` set to ``value`` (or removed)."""
    if current is None or isinstance(current, Remove) or current == []:
        current = {}  # `{}` reads as an empty list, and is as much an empty table of named fields
    if not isinstance(current, dict):
        raise EditError(f"{label} is not a table of named fields; set the whole value")
    new = dict(current)
    head, *rest = keys
    if rest:
        inner = _with_key(new.get(head), tuple(rest), value, label)
        assert not isinstance(inner, Remove)
        new[head] = inner
    elif isinstance(value, Remove):
        new.pop(head, None)
    else:
        new[head] = value
    return new


def _parse_example(body: str) -> tuple[int, int] | None:
    """If ``body`` (a comment without its ``--``) is one single-target assignment, the value's range."""
    try:
        tokens = tokenize(body)
        chunk = parse_chunk(tokens, body)
    except ParseError:
        return None
    if len(chunk.statements) != 1:
        return None
    statement = chunk.statements[0]
    if statement.kind != "assign" or len(statement.targets) != 1 or len(statement.values) != 1:
        return None
    value = statement.values[0]
    return value.start, value.end


def _after_last_content_line(text: str, offset: int) -> int:
    """The offset just past the line break of the last non-blank line before ``offset`` (0 if none)."""
    head = text[:offset]
    stripped = head.rstrip(" \t\r\n\f\v")
    if not stripped:
        return 0
    m = re.compile(r"\r\n|\r|\n").search(head, len(stripped))
    return m.end() if m else len(head)


def _ends_with_blank_line(text: str) -> bool:
    """Whether ``text`` ends with an empty (or whitespace-only) line after a line break."""
    stripped = text.rstrip(" \t")
    if not stripped.endswith(("\n", "\r")):
        return False
    body = stripped[:-2] if stripped.endswith("\r\n") else stripped[:-1]
    body = body.rstrip(" \t")
    return body.endswith(("\n", "\r")) or body == ""


def _check_option_name(option: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", option) or option in KEYWORDS:
        raise EditError(f"{option!r} is not a Lua name, so it cannot be a Prosody option")
