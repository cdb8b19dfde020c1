"""Prosody's Lua configuration as a lossless document.

A Prosody config is a Lua script. ``VirtualHost "x"`` and ``Component "x" "module"`` lines start
sections; every plain assignment after such a line belongs to that section until the next one, and
assignments before the first belong to the global section::

    doc = parse(text, source="/etc/prosody/conf.avail/meet.example.com.cfg.lua")
    doc.get("meet.example.com", "authentication")          # 'jitsi-anonymous'
    doc = doc.set("meet.example.com", "authentication", "internal_hashed")
    doc = doc.add_section("VirtualHost", "guest.example.com",
                          {"authentication": "anonymous", "c2s_require_encryption": False},
                          after="meet.example.com")
    doc.render()                                            # the edited text, everything else as it was
    doc.evaluate()                                          # {"*": {...}, "meet.example.com": {...}, ...}

:func:`parse` accepts exactly the valid Lua 5.4 chunks (and raises :class:`ParseError` with line and
column for anything else); ``render()`` gives the text back byte for byte. Edits are splices of the
original text, re-parsed and checked before a new document is returned. ``get`` reads literal values
from the syntax; :meth:`LuaDocument.evaluate` runs the file in a sandbox with Prosody's config API for
the authoritative meaning.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import operator
import os
import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from encodings import idna
from typing import Any, Literal, TypeAlias, Unpack

from jitsi_secure._core.document import REMOVE, Computed, Remove
from jitsi_secure._core.edit import read_source, verified_edit
from jitsi_secure._core.gc_pause import cyclic_gc_paused
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.trivia import comment_out_splices, owned_span
from jitsi_secure.errors import EditError, ParseError, line_and_column
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.lua._data import ReturnedField, returned_table
from jitsi_secure.formats.lua._errors import LuaEvaluationError
from jitsi_secure.formats.lua._lexer import (
    COMMENT,
    EOF,
    KEYWORDS,
    NEWLINE,
    OP,
    SPACE,
    STRING,
    LexError,
    Token,
    tokenize,
)
from jitsi_secure.formats.lua._loader import LuaEvaluateOptions, LuaEvaluation, LuaLocation, LuaWarning
from jitsi_secure.formats.lua._meaning import LuaExpression, canonical, literal_value, string_value
from jitsi_secure.formats.lua._parser import Field, Node, ParsedChunk, Statement, parse_chunk
from jitsi_secure.formats.lua._render import RenderStyle, render_string, render_value, secret_spellings

__all__ = [
    "LuaDocument",
    "LuaEvaluateOptions",
    "LuaEvaluation",
    "LuaEvaluationError",
    "LuaExpression",
    "LuaLocation",
    "LuaPath",
    "LuaWarning",
    "Option",
    "ReturnedField",
    "Section",
    "SectionKind",
    "load_file",
    "parse",
    "returned_table",
    "secret_spellings",
]

SectionKind = Literal["global", "VirtualHost", "Component"]

_HEADER_NAMES: dict[str, SectionKind] = {
    "VirtualHost": "VirtualHost",
    "Host": "VirtualHost",
    "host": "VirtualHost",
    "Component": "Component",
    "component": "Component",
}
_INCLUDE_NAMES = frozenset({"Include", "include"})
# Prosody's environment holds these as raw fields: assigning to one replaces the function, it sets no option.
_API_NAMES = frozenset({*_HEADER_NAMES, *_INCLUDE_NAMES, "RunScript", "__currenthost"})
_ASSIGNMENT_EXAMPLE = re.compile(r"[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*=(?!=)")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Section:
    """A section of the config: the global one, or one ``VirtualHost``/``Component``.

    Attributes:
        kind: ``"global"``, ``"VirtualHost"`` or ``"Component"`` (``Host``/``component`` aliases included).
        name: the host or component name as written, ``None`` for the global section or for a name
            that is not a string literal (``VirtualHost(domain)``).
        module: the component module (``Component "x" "muc"``), else ``None`` (Prosody's default
            ``"component"`` applies).
        start: offset where the section's range starts (its leading comment block, or 0 for global).
        header_start: offset of the header statement (``start`` of the text for global).
        header_end: offset just past the header statement.
        end: offset where the next section's range starts (or the end of the text).
        inline: the ``VirtualHost "x" { ... }`` form, after which Prosody returns to global scope.
    """

    kind: SectionKind
    name: str | None
    module: str | None
    start: int
    header_start: int
    header_end: int
    end: int
    inline: bool = False


@dataclass(frozen=True)
class Option:
    """One top-level assignment of an option: its section (index into ``sections()``), name, the range
    of the whole statement and of the value expression, and whether it is a single-target assignment
    that edits can rewrite."""

    section: int
    name: str
    start: int
    end: int
    value_start: int
    value_end: int
    simple: bool


@dataclass(frozen=True)
class _Model:
    """What the parser found, in the shape edits need."""

    chunk: ParsedChunk
    token_starts: tuple[int, ...]
    sections: tuple[Section, ...]
    options: tuple[Option, ...]
    value_nodes: Mapping[tuple[int, int], Node]  # (statement start, value start) -> value expression
    includes: tuple[str | LuaExpression, ...]
    render_style: RenderStyle
    header_paren: bool


@dataclass(frozen=True)
class LuaDocument:
    """An immutable Prosody config document. Build one with :func:`parse`.

    Attributes:
        text: the exact text.
        source: the file name given to :func:`parse` (used in errors and by ``evaluate`` for Includes).
        style: the file's line ending, indentation unit and final-newline habit.
    """

    text: str
    source: str
    style: TextStyle
    _model: _Model = field(repr=False, compare=False)
    applied: tuple[Splice, ...] = field(default=(), repr=False, compare=False)

    # ------------------------------------------------------------------ reading

    def render(self) -> str:
        """The document's text, byte for byte."""
        return self.text

    def sections(self) -> list[Section]:
        """The global section first, then each ``VirtualHost``/``Component`` in file order."""
        return list(self._model.sections)

    def options(self, section: str | None = None) -> dict[str, ConfigValue | LuaExpression]:
        """The options set by top-level assignments in ``section`` (``None``: global), last one winning,
        in order of first appearance; a non-literal value is a :class:`LuaExpression`."""
        result: dict[str, ConfigValue | LuaExpression] = {}
        indices = set(self._section_indices(section))
        for option in self._model.options:
            if option.section in indices:
                result[option.name] = self._value_of(option)
        return result

    def assignments(self, section: str | None = None) -> list[Option]:
        """Every top-level assignment of an option in ``section`` (``None``: global), in file order, with
        the offsets of the statement and of its value (for plans and diffs)."""
        return self._options_in(section)

    def get(self, path: LuaPath | None, default: object = None) -> ConfigValue | Computed:
        """The value at ``path``: ``(section, option, *keys)`` with ``"*"`` for the global section, or a bare
        option name for a global option; ``default`` when nothing sets it (or the section does not exist).

        The value is the last top-level assignment's in that section (compared after Prosody's nameprep, so
        case does not matter); inherited global values are not looked up. ``keys`` reach into a table
        literal. A value that is not a literal is a :class:`~jitsi_secure.formats.Computed` holding its
        source text: use :meth:`evaluate` for its meaning.

        Deprecated form: ``get(section, option)`` with ``section`` ``None`` or a host name (raises
        ``KeyError`` for an unknown section, as before).
        """
        if _legacy_pair(path, default):
            assert isinstance(default, str)
            _deprecated("get(section, option)", "get((section, option))")
            found = self._last_option(path if path is None else str(path), default)
            return None if found is None else self._value_of(found)
        section, option, keys = _lua_path(path)
        try:
            found = self._last_option(section, option)
        except KeyError:
            return _as_value(default)
        if found is None:
            return _as_value(default)
        value: ConfigValue | Computed = self._value_of(found)
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return _as_value(default)
            value = value[key]
        return value

    def __contains__(self, path: object) -> bool:
        """Whether ``path`` (as for :meth:`get`) is set to something other than ``nil``."""
        try:
            return self.get(path, _UNSET) is not _UNSET and self.get(path) is not None  # type: ignore[arg-type]
        except EditError:
            return False

    def to_dict(self) -> dict[str, dict[str, ConfigValue | Computed]]:
        """The literal options of every section: ``{"*": globals, "<host>": options, ...}``, the shape
        :meth:`evaluate` gives, read from the syntax (no code runs: a computed value is
        :class:`~jitsi_secure.formats.Computed`). Sections of the same name merge, the later winning."""
        result: dict[str, dict[str, ConfigValue | Computed]] = {"*": {}}
        names = ["*"] + [s.name or "" for s in self._model.sections[1:]]
        for option in self._model.options:
            name = names[option.section]
            if name:
                result.setdefault(name, {})[option.name] = self._value_of(option)
        for section in self._model.sections[1:]:
            if section.name:
                result.setdefault(section.name, {})
        return result

    def includes(self) -> list[str | LuaExpression]:
        """The arguments of top-level ``Include`` calls, in file order."""
        return list(self._model.includes)

    def evaluate(self, **options: Unpack[LuaEvaluateOptions]) -> dict[str, dict[str, ConfigValue]]:
        """Run the config as Prosody's config loader would and return ``{"*": globals, host: options}``.

        The text runs in a sandboxed Lua 5.4 (lupa) with the config API of ``prosody_version`` (0.12's
        below 13.0, else 13's): ``VirtualHost``, ``Component``, ``Include``, ``ENV_*`` and the standard
        library minus ``io``, ``require``, ``load``, ``dofile``, ``debug`` and every ``os`` function but
        ``os.getenv``. ``env`` is the environment ``ENV_X``/``os.getenv`` read (empty by default: nothing
        leaks from the calling process). Includes are followed relative to ``source`` only when
        ``follow_includes`` is true, with Prosody's rules (a missing file or folder is an error, a glob
        matching nothing is not, a glob's files come in the folder's order, unsorted); otherwise they are
        skipped. Host names are nameprep'd, hosts get ``defined = true``, components ``component_module``
        and ``load_global_modules = false``, as in Prosody. Tables come back as lists when their keys are
        1..n (``{}`` included), else dicts with string keys; functions as ``"<function>"``.

        Prosody 13 also has ``Lua.x`` (the standard library), option references (``b = a`` reads option
        ``a`` of the current host; a table option reads as a proxy, which comes back as
        ``"<option a>"``), appends (``modules_enabled:append { "x" }`` and ``modules_enabled { "x" }``)
        and the file readers ``FileContents``/``FileLine``/``FileLines`` (relative to the file) and
        ``Credential`` (relative to ``env["CREDENTIALS_DIRECTORY"]``). Those read files only when
        ``follow_includes`` is true (else they give ``"<FileContents>"`` etc.); a missing file is an error,
        as in Prosody. Without ``CREDENTIALS_DIRECTORY``, ``credential_fallback="warn"`` reads the option
        as unset with a warning, as ``prosodyctl`` does; ``"error"`` fails, as the server does.

        The options and their defaults are those of :class:`LuaEvaluateOptions`. Raises
        :class:`LuaEvaluationError` when the config fails to run or hits a sandbox limit. See
        :meth:`evaluate_with_warnings` for the loader's warnings, the files loaded and where each option
        was set.
        """
        return self.evaluate_with_warnings(**options).config

    def evaluate_with_warnings(self, **options: Unpack[LuaEvaluateOptions]) -> LuaEvaluation:
        """:meth:`evaluate`, with the loader's warnings (``str(w)`` is Prosody's
        ``file:line: Duplicate option 'x'``), the files it loaded and the place each option was set."""
        from jitsi_secure.formats.lua._loader import evaluate

        return evaluate(self.text, self.source, **options)

    # ------------------------------------------------------------------ editing

    def set(self, path: LuaPath | None, value: object, *legacy: ConfigValue) -> LuaDocument:
        """A document where ``path`` (as for :meth:`get`) reads as ``value``: ``edit({path: value})``.

        The last assignment of the option in that section's range gets the new value (the rest of its
        line, comment included, is kept; a table changes field by field). Without one, a commented-out
        example of the option in the section (``--app_id = "..."``) is uncommented with the value; else a
        line is added after the section's last option (global options: before the first section) in the
        file's style. Setting the value the option already has returns this document unchanged.

        ``value`` may be a :class:`~jitsi_secure.formats.Computed` whose ``text`` is one Lua expression
        (Prosody 13's ``FileContents("/etc/prosody/certs/x.secret")``, say): it is written as that text,
        verbatim, as the option's whole value. Any single expression is accepted (the document knows Lua,
        not which functions a Prosody version defines; :meth:`evaluate` judges what it means); anything
        else (two statements, a trailing comment, surrounding spaces) raises
        :class:`~jitsi_secure.errors.EditError`. A ``Computed`` inside a table is not supported.

        Deprecated form: ``set(section, option, value)``.
        """
        if legacy:
            _deprecated("set(section, option, value)", "set((section, option), value)")
            return self.edit({(path or "*", str(value)): legacy[0]})  # type: ignore[dict-item]
        return self.edit({path or "*": value})  # type: ignore[dict-item]

    def remove(self, path: LuaPath | None, *legacy: str, comment_out: bool = False) -> LuaDocument:
        """A document without ``path``: every top-level assignment of the option in its section goes, with
        the comments the one comment rule gives it (:mod:`jitsi_secure._core.trivia`); ``keys`` remove a
        field of a table literal. With ``comment_out=True`` the assignments' lines are commented out with
        ``--`` instead. Unset options give this document back. Deprecated form: ``remove(section, option)``.
        """
        if legacy:
            _deprecated("remove(section, option)", "remove((section, option))")
            self._existing_section(path if isinstance(path, str) else None)
            return self._edit({(str(path or "*"), legacy[0]): REMOVE}, comment_out=comment_out)
        return self._edit({path or "*": REMOVE}, comment_out=comment_out)

    def edit(
        self, changes: Mapping[LuaPath, ConfigValue | Computed | Remove], *, comment_out: bool = False
    ) -> LuaDocument:
        """All ``changes`` (path to value, or to :data:`~jitsi_secure.formats.REMOVE`) as one batch of
        splices on this text, parsed and verified once; ``self`` when nothing changes.

        ``comment_out=True``: removed options, and entries a list loses, are commented out with ``--``
        (an entry only when it has its own line; else it is deleted) instead of deleted.
        """
        return self._edit(changes, comment_out=comment_out)

    def commented_entries(self, path: LuaPath) -> list[tuple[int, ConfigValue]]:
        """The commented-out entries (``--"token_verification";`` on a line of its own) inside the list
        literal at ``path``, each as ``(position, value)``: ``position`` counts the active entries before
        it, so inserting the value there in the list and :meth:`set` uncomments the entry in place."""
        section, option, keys = _lua_path(path)
        found = self._last_option(section, option) if not keys else None
        node = self._model.value_nodes.get((found.start, found.value_start)) if found is not None else None
        if node is None or node.kind != "table" or any(f.kind != "pos" for f in node.fields):
            return []
        starts = [_field_start(f) for f in node.fields]
        return [
            (bisect.bisect_left(starts, token.start), value)
            for token, value in self._commented_fields(node.start + 1, node.end - 1)
        ]

    def _commented_fields(self, lo: int, hi: int) -> list[tuple[Token, ConfigValue]]:
        """The comment tokens in ``[lo, hi)`` that are alone on their line and hold one literal list entry
        (``--"x";``, ``-- "x",``), with the entry's value."""
        found: list[tuple[Token, ConfigValue]] = []
        tokens = self._model.chunk.tokens
        for k in range(self._token_index(lo), self._token_index(hi)):
            t = tokens[k]
            if t.kind != COMMENT or t.end > hi or _is_long_comment(t.text) or not self._line_start_before(t.start)[1]:
                continue
            value = _entry_example(t.text[2:])
            if value is not None:
                found.append((t, value))
        return found

    def _edit(self, changes: Mapping[LuaPath, ConfigValue | Computed | Remove], *, comment_out: bool) -> LuaDocument:
        # Changes below an option (keys into a table) become one change of the option's whole value.
        wanted: dict[tuple[str | None, str], ConfigValue | Computed | Remove] = {}
        for path, value in changes.items():
            section, option, keys = _lua_path(path)
            _check_option_name(option)
            self._existing_section(section)
            if not keys:
                wanted[(section, option)] = value
                continue
            if isinstance(value, Computed):
                raise EditError(f"{self.source}: a computed value goes on a whole option, not inside a table")
            current = wanted.get((section, option), self.get((section or "*", option)))
            wanted[(section, option)] = _with_key(current, keys, value, f"{_label(section)} {option}")
        expected = [dict(options) for *_, options in _static_view(self)]
        fine: list[Splice] = []
        coarse: list[Splice] = []
        for (section, option), value in wanted.items():
            if isinstance(value, Remove):
                found = self._remove_splices(section, option, comment_out)
                for index in self._section_indices(section):
                    expected[index].pop(option, None)
                fine.extend(found)
                coarse.extend(found)
                continue
            change = self._set_splices(section, option, value, comment_out=comment_out)
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
            for i, (kind, name, module, _) in enumerate(_static_view(self))
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
        reason = f"set {_label(section)} {option}"
        if found is not None:
            if not found.simple:
                raise EditError(f"{self.source}: {option} is set by a multiple assignment; edit it by hand")
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
            raise EditError(f"{self.source}: section {section} takes its options in a table after its header")
        rendered = self._render(value)
        splice = self._uncomment_example(index, option, rendered, section) or self._insert_option(
            index, option, rendered, section
        )
        return index, [splice], [splice]

    def _remove_splices(self, section: str | None, option: str, comment_out: bool) -> list[Splice]:
        found = [o for o in self._options_in(section) if o.name == option]
        splices = []
        reason = f"{'comment out' if comment_out else 'remove'} {_label(section)} {option}"
        for record in found:
            if not record.simple:
                raise EditError(f"{self.source}: {option} is set by a multiple assignment; edit it by hand")
            start, end = self._statement_lines(record.start, record.end)
            own_lines = start != record.start or self._line_start_before(record.start)[0] == record.start
            if comment_out:
                if not own_lines or not self._line_end_after(record.end)[1]:
                    raise EditError(
                        f"{self.source}: {reason}: the assignment shares its line with other code; "
                        "it can be removed but not commented out"
                    )
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
        if line.startswith("--") and _ASSIGNMENT_EXAMPLE.match(line[2:]) is not None:
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
            if t.kind != COMMENT or (t.text.startswith("--[") and _is_long_comment(t.text)):
                continue
            m = _ASSIGNMENT_EXAMPLE.match(t.text, 2)
            if m is not None:
                found.setdefault(m.group(1), []).append(k)
        return found

    @functools.cached_property
    def _statement_starts(self) -> list[int]:
        return [s.start for s in self._model.chunk.statements]

    @functools.cached_property
    def _option_starts(self) -> list[int]:
        return [o.start for o in self._model.options]

    def add_section(
        self,
        kind: Literal["VirtualHost", "Component"],
        name: str,
        options: Mapping[str, ConfigValue],
        *,
        after: str | None = None,
        module: str | None = None,
    ) -> LuaDocument:
        """Add ``VirtualHost "name"`` (or ``Component "name" "module"``) with ``options``.

        The block goes right after the range of section ``after`` (before any comment block heading the
        next section), or at the end of the file when ``after`` is ``None``; it copies the file's
        header form, indentation of section options, quote character, separators and line ending.
        Raises :class:`EditError` if a section of that name exists.
        """
        if kind not in ("VirtualHost", "Component"):
            raise EditError(f"unknown section kind {kind!r}")
        if module is not None and kind != "Component":
            raise EditError("only a Component has a module")
        if any(s.name is not None and _hostkey(s.name) == _hostkey(name) for s in self._model.sections):
            raise EditError(f"a section named {name} exists already")
        for option in options:
            _check_option_name(option)
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

    def remove_section(self, name: str) -> LuaDocument:
        """Remove every ``VirtualHost``/``Component`` section called ``name``: its header, its options,
        the comment block heading it, and the blank lines up to the next section (the blank lines before
        it too when it is the last one), so that it undoes :meth:`add_section`."""
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
        expected = tuple(v for i, v in enumerate(_static_view(self)) if i not in indices)
        return self._verified(splices, expected)

    # ------------------------------------------------------------------ internals

    def _value_of(self, option: Option) -> ConfigValue | LuaExpression:
        node = self._model.value_nodes.get((option.start, option.value_start))
        if node is None or node.end != option.value_end:
            return LuaExpression(self.text[option.value_start : option.value_end])
        return literal_value(node, self.text)

    def _section_indices(self, section: str | None) -> list[int]:
        if section is None:
            return [0]
        key = _hostkey(section)
        found = [i for i, s in enumerate(self._model.sections) if s.name is not None and _hostkey(s.name) == key]
        if not found:
            raise KeyError(section)
        return found

    def _existing_section(self, section: str | None) -> list[int]:
        try:
            return self._section_indices(section)
        except KeyError:
            raise EditError(f"no section named {section} in {self.source}") from None

    def _options_in(self, section: str | None) -> list[Option]:
        indices = set(self._section_indices(section))
        return [o for o in self._model.options if o.section in indices]

    def _last_option(self, section: str | None, option: str) -> Option | None:
        found = [o for o in self._options_in(section) if o.name == option]
        return found[-1] if found else None

    def _table_splices(
        self, node: Node, value: ConfigValue, reason: str, depth: int = 0, *, comment_out: bool = False
    ) -> list[Splice] | None:
        """Splices turning the table literal ``node`` into ``value`` field by field: fields whose value
        stays are untouched (with their comments), changed ones are rewritten (recursively), removed
        ones leave with their line, new ones are added after the last field in its layout. ``None`` when
        the change is not of that shape (then the whole value is rewritten)."""
        if node.kind != "table" or not node.fields or depth > 20:
            return None
        fields = node.fields
        old = [literal_value(f.value, self.text) for f in fields]
        if any(isinstance(v, LuaExpression) for v in old):
            return None
        if all(f.kind == "pos" for f in fields) and isinstance(value, list | tuple) and value:
            return self._list_splices(node, list(value), old, reason, comment_out=comment_out)
        if all(f.kind == "name" for f in fields) and isinstance(value, dict) and value:
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
            hi = _field_start(fields[j]) if j < len(old) else node.end - 1
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
        splices: list[Splice] = []
        for key, k in last_of.items():
            if key not in new:
                splices.append(self._field_removal(node, k, reason, comment_out))
            elif canonical(old[k]) != canonical(new[key]):
                field = fields[k]
                inner = self._table_splices(field.value, new[key], reason, depth + 1, comment_out=comment_out)
                if inner is None:
                    text = self._render(new[key])
                    inner = [Splice(field.value.start, field.value.end, text, reason)]
                splices.extend(inner)
        added = [(key, v) for key, v in new.items() if key not in last_of]
        if added:
            # render_value writes "{ k = v }"; the field alone is what sits between the braces.
            texts = [render_value({key: v}, self._model.render_style)[2:-2] for key, v in added]
            keep = [k for k in range(len(fields)) if fields[k].name in new]
            appends = self._field_appends(node, keep[-1], texts, reason) if keep else None
            if appends is None:
                return None
            splices.extend(appends)
        return splices

    def _field_removal(self, node: Node, k: int, reason: str, comment_out: bool = False) -> Splice:
        fields = node.fields
        field = fields[k]
        start = _field_start(field)
        end = field.value.end
        if field.sep:
            end = self.text.index(field.sep, end) + 1
        line_start, clean_before = self._line_start_before(start)
        line_end, clean_after = self._line_end_after(end)
        if clean_before and clean_after and line_end <= node.end - 1:
            if comment_out and field.sep:
                # As the packages ship an entry switched off: `--"token_verification";`.
                return Splice(start, start, "--", reason)
            return Splice(line_start, line_end, "", reason)
        if field.sep:
            stop = end
            while stop < len(self.text) and self.text[stop] in " \t":
                stop += 1
            return Splice(start, stop, "", reason)
        if k > 0:
            # The last field has no separator: take the one before it instead.
            return Splice(fields[k - 1].value.end, end, "", reason)
        return Splice(start, end, "", reason)

    def _field_appends(self, node: Node, after: int, texts: list[str], reason: str) -> list[Splice] | None:
        """New fields after field ``after`` (the last one kept), written like the table's own fields."""
        fields = node.fields
        last = fields[-1]
        anchor = fields[after]
        seps = Counter(f.sep for f in fields if f.sep)
        separator = seps.most_common(1)[0][0] if seps else self._model.render_style.separator
        trailing = last.sep
        multi_line = self._line_start_before(_field_start(last))[1]
        end = anchor.value.end
        if anchor.sep:
            end = self.text.index(anchor.sep, end) + 1
        splices: list[Splice] = []
        if multi_line:
            nl = self.style.newline
            indent = self._indent_of_line(_field_start(last))
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
        field_indent = self._indent_of_line(_field_start(fields[0])) if fields else ""
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

    def _render(self, value: ConfigValue | Computed) -> str:
        if isinstance(value, Computed):
            return _expression_text(value)
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
        tokens = self._model.chunk.tokens
        k = self._token_index(offset) - 1
        while k >= 0:
            t = tokens[k]
            if t.kind == NEWLINE:
                return t.end, True
            if t.kind != SPACE:
                return offset, False
            k -= 1
        return 0, True

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
            m = _ASSIGNMENT_EXAMPLE.match(body)
            assert m is not None
            if not self._line_start_before(t.start)[1] or self._inside_statement(t.start):
                continue
            example = _parse_example(body)
            if example is None:
                continue
            value_start, value_end = example
            new = body[m.start(1) : value_start] + rendered + body[value_end:]
            return Splice(t.start, t.end, new, f"set {_label(section)} {option} (uncomment example)")
        return None

    def _inside_statement(self, offset: int) -> bool:
        statements = self._model.chunk.statements
        k = bisect.bisect_right(self._statement_starts, offset) - 1
        return k >= 0 and statements[k].start <= offset < statements[k].end

    def _insert_option(self, index: int, option: str, rendered: str, section: str | None) -> Splice:
        nl = self.style.newline
        section_record = self._model.sections[index]
        own = [o for o in self._model.options if o.section == index and o.start < section_record.end]
        line = f"{self._option_indent(index)}{option}{self._separator(section_record.end)}{rendered}"
        reason = f"set {_label(section)} {option}"
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

    def _verified(self, splices: Sequence[Splice], expected: _View) -> LuaDocument:
        def problem(new: LuaDocument) -> str | None:
            if sorted(_static_view(new), key=repr) == sorted(expected, key=repr):
                return None
            return "it would not mean what was asked"

        return verified_edit(
            self.text, splices, source=self.source, reparse=lambda t: parse(t, source=self.source), problem=problem
        )


# ---------------------------------------------------------------------------- verification helpers

_View = tuple[tuple[str, str | None, str | None, tuple[tuple[str, object], ...]], ...]


def _static_view(doc: LuaDocument) -> _View:
    """Sections and their literal options, as plain comparable data (the cheap internal reader)."""
    out = []
    by_section: list[dict[str, object]] = [{} for _ in doc._model.sections]
    for option in doc._model.options:
        by_section[option.section][option.name] = canonical(doc._value_of(option))
    for index, section in enumerate(doc._model.sections):
        options = by_section[index]
        key = None if section.name is None else _hostkey(section.name)
        out.append((section.kind, key, section.module, tuple(sorted(options.items()))))
    return tuple(out)


def _expect_add(
    doc: LuaDocument, kind: str, name: str, module: str | None, options: Mapping[str, ConfigValue]
) -> _View:
    view = list(_static_view(doc))
    anchor_options = tuple(sorted((k, canonical(v)) for k, v in options.items()))
    # The new section's place in the list does not matter to the check, only its content.
    view.append((kind, _hostkey(name), module, anchor_options))
    return tuple(view)


# ---------------------------------------------------------------------------- parsing


def parse(text: str, *, source: str = "<string>") -> LuaDocument:
    """Parse a Prosody config (any valid Lua 5.4 chunk) into a :class:`LuaDocument`.

    Raises :class:`ParseError` with line, column and what was expected when ``text`` is not valid Lua
    5.4 (a leading ``#!`` line or BOM is invalid too, as in Prosody, which loads the text with ``load``).
    """
    with cyclic_gc_paused():
        return _parse(text, source)


def _parse(text: str, source: str) -> LuaDocument:
    try:
        tokens = tokenize(text, source=source)
    except LexError as lex_error:
        _raise_first_error(text, source, lex_error)
        raise
    chunk = parse_chunk(tokens, text, source=source)
    style = detect_style(text)
    # The first line break of the file may sit inside a long string or comment; the line breaks that
    # separate statements are the file's habit.
    first_break = next((t.text for t in tokens if t.kind == NEWLINE), None)
    if first_break is not None:
        style = replace(style, newline="\n" if first_break == "\n\r" else first_break)
    return LuaDocument(text, source, style, _build_model(text, chunk))


def load_file(path: str | os.PathLike[str]) -> LuaDocument:
    """Read a config file as UTF-8 (line endings untouched) and parse it with ``source`` set to its path,
    so that errors name the file and ``evaluate(follow_includes=True)`` resolves Includes from it.

    Bad UTF-8 raises :class:`ParseError` at the first bad byte; a file that cannot be read
    :class:`~jitsi_secure.errors.WriteError`."""
    return parse(read_source(path), source=os.fspath(path))


#: A Lua path: ``(section, option, *keys)`` (``"*"``: the global section), or a global option's name.
LuaPath: TypeAlias = str | tuple[str, ...]

_UNSET: Any = object()


def _deprecated(form: str, instead: str) -> None:
    warnings.warn(f"LuaDocument.{form} is deprecated: use {instead}", DeprecationWarning, stacklevel=3)


def _legacy_pair(path: object, second: object) -> bool:
    """Whether ``get(a, b)`` is the deprecated ``get(section, option)``: ``a`` is ``None`` or a host name
    (not an identifier, which an option name is) and ``b`` an option name."""
    if not isinstance(second, str) or not _IDENTIFIER.fullmatch(second):
        return False
    return path is None or (isinstance(path, str) and path != "*" and not _IDENTIFIER.fullmatch(path))


def _lua_path(path: object) -> tuple[str | None, str, tuple[str, ...]]:
    if isinstance(path, str):
        return None, path, ()
    if isinstance(path, tuple) and len(path) >= 2 and all(isinstance(p, str) for p in path):
        section, option, *keys = path
        return (None if section == "*" else section), option, tuple(keys)
    raise EditError(f'a Lua path is (section, option, *keys) with "*" for the global section, or a name; not {path!r}')


def _expression_text(value: Computed) -> str:
    """``value.text`` if it is exactly one Lua expression, else :class:`EditError`.

    Checked the way the edit itself is: as the value of an assignment, which must then read back as
    that very text (so ``f() -- x``, ``a, b`` or ``f() g = 1`` cannot smuggle in more than a value).
    """
    text = value.text
    try:
        probe = parse(f"x = {text}\n", source="<computed value>")
    except ParseError:
        probe = None
    options = probe.assignments() if probe is not None else []
    if (
        probe is None
        or len(probe._model.chunk.statements) != 1
        or len(options) != 1
        or not options[0].simple
        or probe.get("x") != Computed(text)
    ):
        raise EditError(f"a computed Lua value must be one Lua expression, not {text!r}")
    return text


def _as_value(default: object) -> ConfigValue | Computed:
    return default  # type: ignore[return-value]


def _with_key(current: object, keys: tuple[str, ...], value: ConfigValue | Remove, label: str) -> ConfigValue | Remove:
    """``current`` (a table literal read as a dict) with ``keys`` set to ``value`` (or removed)."""
    if current is None or isinstance(current, Remove):
        current = {}
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


def _raise_first_error(text: str, source: str, lex_error: LexError) -> None:
    """Lua reads tokens as it parses, so a syntax error before a bad token is the one it reports."""
    prefix = tokenize(text[: lex_error.token_start], source=source)
    try:
        parse_chunk(prefix, text, source=source)
    except ParseError as syntax_error:
        if line_and_column(text, lex_error.token_start) > (syntax_error.line, syntax_error.column):
            raise syntax_error from None


_START = operator.itemgetter(2)  # Token.start, without a Python-level call per token


def _build_model(text: str, chunk: ParsedChunk) -> _Model:
    tokens = chunk.tokens
    token_starts = tuple(map(_START, tokens))
    statements = chunk.statements
    headers: list[tuple[int, SectionKind, str | None, str | None, bool]] = []
    includes: list[str | LuaExpression] = []
    for i, statement in enumerate(statements):
        if statement.kind != "call" or statement.call is None:
            continue
        header = _header(statement.call)
        if header is not None:
            headers.append((i, *header))
            continue
        include = _include(statement.call, text)
        if include is not None:
            includes.append(include)

    starts = [_leading_block_start(tokens, token_starts, statements[i].start) for i, *_ in headers]
    sections = [Section("global", None, None, 0, 0, 0, starts[0] if starts else len(text))]
    for n, (i, kind, name, module, inline) in enumerate(headers):
        end = starts[n + 1] if n + 1 < len(starts) else len(text)
        statement = statements[i]
        sections.append(Section(kind, name, module, starts[n], statement.start, statement.end, end, inline))

    options: list[Option] = []
    value_nodes: dict[tuple[int, int], Node] = {}
    current = 0
    header_at = {i: n + 1 for n, (i, *_rest) in enumerate(headers)}
    for i, statement in enumerate(statements):
        if i in header_at:
            # A header in table form hands scope back to global at once: what follows it is global.
            current = 0 if sections[header_at[i]].inline else header_at[i]
        elif statement.kind == "assign":
            options.extend(_options_of(statement, current))
            for value in statement.values:
                value_nodes[(statement.start, value.start)] = value

    quotes = Counter(t.text[0] for t in tokens if t.kind == STRING)
    quote = "'" if quotes["'"] > quotes['"'] else '"'
    separator = ";" if chunk.semicolons > chunk.commas else ","
    paren = [_header_is_paren(statements[i].call, text) for i, *_ in headers]
    header_paren = sum(paren) * 2 > len(paren)
    return _Model(
        chunk=chunk,
        token_starts=token_starts,
        sections=tuple(sections),
        options=tuple(options),
        value_nodes=value_nodes,
        includes=tuple(includes),
        render_style=RenderStyle(quote=quote, separator=separator),
        header_paren=header_paren,
    )


def _options_of(statement: Statement, section: int) -> list[Option]:
    targets = statement.targets
    if not all(t.kind == "name" for t in targets) or any(t.value in _API_NAMES for t in targets):
        return []
    values = statement.values
    simple = len(targets) == 1 and len(values) == 1
    out = []
    for n, target in enumerate(targets):
        if len(targets) == len(values):
            start, end = values[n].start, values[n].end
        else:
            # Filled from a multi-value call, or nil: only evaluate() knows; the whole list stands for it.
            start, end = values[0].start, values[-1].end
        out.append(Option(section, target.value, statement.start, statement.end, start, end, simple))
    return out


def _field_start(field: Field) -> int:
    """Where a table field starts: at its key, or at its value for a positional field (``[k] = v`` starts
    one bracket before its key expression)."""
    if field.kind == "name" and field.key is not None:
        return field.key.start
    if field.kind == "expr" and field.key is not None:
        return field.key.start - 1
    return field.value.start


def _call_chain(call: Node) -> tuple[Node, list[tuple[Node, ...]]]:
    """The callee at the root of ``f(a)(b)(c)`` and the argument lists in call order."""
    chain: list[tuple[Node, ...]] = []
    node = call
    while node.kind == "call":
        chain.append(node.items[1:])
        node = node.items[0]
    chain.reverse()
    return node, chain


def _string_arg(args: tuple[Node, ...]) -> str | None:
    if args and args[0].kind == "string":
        return string_value(args[0].value)
    return None


def _header(call: Node) -> tuple[SectionKind, str | None, str | None, bool] | None:
    root, chain = _call_chain(call)
    if root.kind != "name" or root.value not in _HEADER_NAMES or not chain:
        return None
    kind = _HEADER_NAMES[root.value]
    name = _string_arg(chain[0])
    module: str | None = None
    inline = False
    rest = chain[1:]
    if kind == "Component" and rest and rest[0] and rest[0][0].kind == "string":
        module = string_value(rest[0][0].value)
        rest = rest[1:]
    if rest:
        inline = True
    return kind, name, module, inline


def _header_is_paren(call: Node | None, text: str) -> bool:
    if call is None:
        return False
    root, chain = _call_chain(call)
    return bool(chain) and text[root.end : (chain[0][0].start if chain[0] else root.end + 1)].strip() == "("


def _include(call: Node, text: str) -> str | LuaExpression | None:
    root, chain = _call_chain(call)
    if root.kind != "name" or root.value not in _INCLUDE_NAMES or len(chain) != 1 or not chain[0]:
        return None
    value = literal_value(chain[0][0], text)
    return value if isinstance(value, str | LuaExpression) else LuaExpression(text[chain[0][0].start : chain[0][0].end])


def _leading_block_start(tokens: tuple[Token, ...], token_starts: tuple[int, ...], header_start: int) -> int:
    """Start of the comment lines directly above a header (no blank line between, indented no deeper
    than the header): they introduce that section rather than end the previous one."""
    k = bisect.bisect_left(token_starts, header_start) - 1
    indent = ""
    if k >= 0 and tokens[k].kind == SPACE:
        indent = tokens[k].text
        k -= 1
    if k >= 0 and tokens[k].kind != NEWLINE:
        return header_start  # the header shares its line with other code
    start = header_start - len(indent)
    while k >= 0:
        # tokens[k] is the line break ending the line above; look at that line.
        j = k - 1
        if j < 0 or tokens[j].kind != COMMENT:
            break
        comment = tokens[j]
        j -= 1
        comment_indent = ""
        if j >= 0 and tokens[j].kind == SPACE:
            comment_indent = tokens[j].text
            j -= 1
        if (j >= 0 and tokens[j].kind != NEWLINE) or len(comment_indent) > len(indent):
            break
        start = comment.start - len(comment_indent)
        k = j
    return start


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


def _is_long_comment(text: str) -> bool:
    return re.match(r"--\[=*\[", text) is not None


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


@functools.lru_cache(maxsize=4096)
def _hostkey(name: str) -> str:
    """Host names as Prosody compares them (nameprep: case folding and normalisation)."""
    if name.isascii():
        return name.lower()  # nameprep maps nothing in ASCII but upper case (and is slow)
    try:
        return idna.nameprep(name)
    except UnicodeError:
        return name.lower()


def _label(section: str | None) -> str:
    return "global" if section is None else section
