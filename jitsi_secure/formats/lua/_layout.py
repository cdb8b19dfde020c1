"""Where things are in a Prosody config's text: the lookups the document's reading and its editor share
(sections by name, the options in them, line bounds, indentation and separator habits), new values in
the file's style, and the static view edits are verified against."""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from jitsi_secure._core.document import Computed
from jitsi_secure._core.style import TextStyle
from jitsi_secure.errors import EditError, ParseError
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.lua._lexer import (
    COMMENT,
    EOF,
    NEWLINE,
    OP,
    SPACE,
    LexError,
    Token,
    tokenize,
)
from jitsi_secure.formats.lua._meaning import LuaExpression, canonical, literal_value
from jitsi_secure.formats.lua._model import Model, Option, PendingStyle, hostkey, read, style_of
from jitsi_secure.formats.lua._parser import parse_chunk
from jitsi_secure.formats.lua._render import render_value

__all__ = ["Layout", "LuaPath"]

#: A Lua path: ``(section, option, *keys)`` (``"*"``: the global section), or a global option's name.
LuaPath: TypeAlias = str | tuple[str, ...]


IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


ASSIGNMENT_EXAMPLE = re.compile(r"[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=)")


class _Style:
    """The ``style`` field of :class:`Layout`: given a :class:`PendingStyle` (as :func:`read` gives), it
    works the style out on first use and keeps it. Parsing a document then costs no pass over its
    lines for habits that only an edit reads."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, layout: object, owner: type | None = None) -> TextStyle:
        if layout is None:
            raise AttributeError("style")  # no class-level default: the field stays a required one
        style: TextStyle = layout.__dict__[self.slot]
        if isinstance(style, PendingStyle):
            style = style_of(style)
            layout.__dict__[self.slot] = style
        return style

    def __set__(self, layout: object, style: TextStyle) -> None:
        layout.__dict__[self.slot] = style


@dataclass(frozen=True)
class Layout:
    """A parsed text and its model, with the lookups reading and editing share: sections by name, the
    options in them, where lines start and end, indentation and separator habits, and new values
    rendered in the file's style. :class:`~jitsi_secure.formats.lua.LuaDocument` builds on it."""

    text: str
    source: str
    if TYPE_CHECKING:
        style: TextStyle  # the type checker would read the descriptor below as a default value
    else:
        style: _Style = _Style()
    _model: Model = field(repr=False, compare=False)

    def _value_of(self, option: Option) -> ConfigValue | LuaExpression:
        node = self._model.value_nodes.get((option.start, option.value_start))
        if node is None or node.end != option.value_end:
            return LuaExpression(self.text[option.value_start : option.value_end])
        return literal_value(node, self.text)

    def _section_indices(self, section: str | None) -> list[int]:
        if section is None:
            return [0]
        key = hostkey(section)
        found = [i for i, s in enumerate(self._model.sections) if s.name is not None and hostkey(s.name) == key]
        if not found:
            raise KeyError(section)
        return found

    def _existing_section(self, section: str | None) -> list[int]:
        try:
            return self._section_indices(section)
        except KeyError:
            raise EditError(f"no section named {section}") from None

    def _options_in(self, section: str | None) -> list[Option]:
        indices = set(self._section_indices(section))
        return [o for o in self._model.options if o.section in indices]

    def _last_option(self, section: str | None, option: str) -> Option | None:
        found = [o for o in self._options_in(section) if o.name == option]
        return found[-1] if found else None

    def _commented_fields(self, lo: int, hi: int) -> list[tuple[Token, ConfigValue]]:
        """The comment tokens in ``[lo, hi)`` that are alone on their line and hold one literal list entry
        (``--"x";``, ``-- "x",``), with the entry's value."""
        found: list[tuple[Token, ConfigValue]] = []
        tokens = self._model.chunk.tokens
        for k in range(self._token_index(lo), self._token_index(hi)):
            t = tokens[k]
            if t.kind != COMMENT or t.end > hi or is_long_comment(t.text) or not self._line_start_before(t.start)[1]:
                continue
            value = _entry_example(t.text[2:])
            if value is not None:
                found.append((t, value))
        return found

    @functools.cached_property
    def _statement_starts(self) -> list[int]:
        return [s.start for s in self._model.chunk.statements]

    @functools.cached_property
    def _option_starts(self) -> list[int]:
        return [o.start for o in self._model.options]

    def _render(self, value: ConfigValue | Computed) -> str:
        if isinstance(value, Computed):
            return expression_text(value)
        return render_value(value, self._model.render_style)

    def _token_index(self, offset: int) -> int:
        return bisect.bisect_left(self._model.token_starts, offset)

    def _line_end_after(self, offset: int) -> tuple[int, bool]:
        """Where the line holding ``offset`` ends, past its line break, and whether only trivia (and
        ``;``) stand between ``offset`` and that point."""
        tokens = self._model.chunk.tokens
        k = self._token_index(offset)
        while k < len(tokens):
            t = tokens[k]
            if t.kind == NEWLINE:
                return t.end, True
            if t.kind == EOF:
                return t.start, True
            if t.kind in (SPACE, COMMENT) or (t.kind == OP and t.text == ";"):
                k += 1
                continue
            return offset, False
        return len(self.text), True

    def _line_start_before(self, offset: int) -> tuple[int, bool]:
        """Where the line holding the token at ``offset`` starts, and whether only space stands
        between that point and ``offset``."""
        # Read from the text, not the tokens (so that an edit need not lex the trivia): a line break
        # right before spaces always ends a line-break token, as no other token ends with one.
        text = self.text
        k = offset
        while k > 0 and text[k - 1] in " \t\f\v":
            k -= 1
        if k == 0 or text[k - 1] in "\r\n":
            return k, True
        return offset, False

    def _statement_lines(self, start: int, end: int) -> tuple[int, int]:
        line_start, clean_before = self._line_start_before(start)
        line_end, clean_after = self._line_end_after(end)
        if clean_before and clean_after:
            return line_start, line_end
        # Shares its line with other code: take the statement and the blanks after it only.
        tokens = self._model.chunk.tokens
        k = self._token_index(end)
        stop = end
        while k < len(tokens) and tokens[k].kind == SPACE:
            stop = tokens[k].end
            k += 1
        return start, stop

    def _indent_of_line(self, offset: int) -> str:
        line_start, clean = self._line_start_before(offset)
        return self.text[line_start:offset] if clean else ""

    def _option_indent(self, section_index: int | None) -> str:
        """Indentation for an option line: the section's own options, else the options of any
        non-global section (the most common), else the file's indent unit (global: none)."""
        options = self._model.options
        if section_index is not None:
            own = [self._indent_of_line(o.start) for o in options if o.section == section_index]
            if own:
                return own[-1]
            if section_index == 0:
                return ""
        others = Counter(self._indent_of_line(o.start) for o in options if o.section != 0)
        if others:
            return others.most_common(1)[0][0]
        return self.style.indent

    def _separator(self, position: int) -> str:
        """The text between an option name and its value: the nearest option's before ``position``,
        else the file's most common, else " = "."""

        def spelled(o: Option) -> str:
            return self.text[o.start + len(o.name) : o.value_start]

        spellings = [
            (o.start, spelled(o)) for o in self._model.options if o.simple and o.start + len(o.name) <= o.value_start
        ]
        clean = [(start, sep) for start, sep in spellings if sep.strip() == "=" and "\n" not in sep and "\r" not in sep]
        before = [sep for start, sep in clean if start < position]
        if before:
            return before[-1]
        if clean:
            return Counter(sep for _, sep in clean).most_common(1)[0][0]
        return " = "

    def _inside_statement(self, offset: int) -> bool:
        statements = self._model.chunk.statements
        k = bisect.bisect_right(self._statement_starts, offset) - 1
        return k >= 0 and statements[k].start <= offset < statements[k].end


View = tuple[tuple[str, str | None, str | None, tuple[tuple[str, object], ...]], ...]


def static_view(doc: Layout) -> View:
    """Sections and their literal options, as plain comparable data (the cheap internal reader)."""
    out = []
    by_section: list[dict[str, object]] = [{} for _ in doc._model.sections]
    for option in doc._model.options:
        by_section[option.section][option.name] = canonical(doc._value_of(option))
    for index, section in enumerate(doc._model.sections):
        options = by_section[index]
        key = None if section.name is None else hostkey(section.name)
        out.append((section.kind, key, section.module, tuple(sorted(options.items()))))
    return tuple(out)


def lua_path(path: object) -> tuple[str | None, str, tuple[str, ...]]:
    if isinstance(path, str):
        return None, path, ()
    if isinstance(path, tuple) and len(path) >= 2 and all(isinstance(p, str) for p in path):
        section, option, *keys = path
        return (None if section == "*" else section), option, tuple(keys)
    raise EditError(f'a Lua path is (section, option, *keys) with "*" for the global section, or a name; not {path!r}')


def expression_text(value: Computed) -> str:
    """``value.text`` if it is exactly one Lua expression, else :class:`EditError`.

    Checked the way the edit itself is: as the value of an assignment, which must then read back as
    that very text (so ``f() -- x``, ``a, b`` or ``f() g = 1`` cannot smuggle in more than a value).
    """
    text = value.text
    try:
        source = "<computed value>"
        probe: Layout | None = Layout(f"x = {text}\n", source, *read(f"x = {text}\n", source))
    except ParseError:
        probe = None
    options = probe._options_in(None) if probe is not None else []
    if (
        probe is None
        or len(probe._model.chunk.statements) != 1
        or len(options) != 1
        or not options[0].simple
        or probe._value_of(options[0]) != Computed(text)
    ):
        raise EditError("a computed Lua value must be one Lua expression (no statement, comment or spaces around it)")
    return text


def _entry_example(body: str) -> ConfigValue | None:
    """The value of ``body`` (a comment without its ``--``) when it is one literal list entry with an
    optional ``,``/``;`` after it (``"token_verification";``), else ``None``."""
    text = body.strip(" \t\r\n")
    if text.endswith((",", ";")):
        text = text[:-1].rstrip(" \t")
    if not text or text[0] not in "\"'":
        return None
    try:
        chunk = parse_chunk(tokenize("_ = " + text), "_ = " + text)
    except (ParseError, LexError):
        return None
    if len(chunk.statements) != 1 or chunk.statements[0].kind != "assign" or len(chunk.statements[0].values) != 1:
        return None
    value = literal_value(chunk.statements[0].values[0], "_ = " + text)
    return None if isinstance(value, LuaExpression) else value


def is_long_comment(text: str) -> bool:
    return re.match(r"--\[=*\[", text) is not None


def section_label(section: str | None) -> str:
    return "global" if section is None else section
