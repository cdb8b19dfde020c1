"""The document class of a Prosody config: reading its sections and options from the syntax, running it
in Prosody's loader, and the public edit calls (the editor behind them is :mod:`._edit`)."""

from __future__ import annotations

import bisect
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Unpack

from jitsi_secure._core.document import REMOVE, CommentOut, Computed, Remove
from jitsi_secure._core.edit import names_source, read_source
from jitsi_secure._core.splice import Splice
from jitsi_secure.errors import EditError
from jitsi_secure.formats import ConfigValue
from jitsi_secure.formats.lua._edit import Editor
from jitsi_secure.formats.lua._layout import IDENTIFIER, LuaPath, lua_path
from jitsi_secure.formats.lua._loader import LuaEvaluateOptions, LuaEvaluation
from jitsi_secure.formats.lua._meaning import _LINE_BREAKS, LuaExpression, literal_value
from jitsi_secure.formats.lua._model import Option, Section, field_start, read
from jitsi_secure.formats.lua._tree import Field

__all__ = ["LuaDocument", "load_file", "parse"]


@dataclass(frozen=True)
class LuaDocument(Editor):
    """An immutable Prosody config document. Build one with :func:`parse`.

    Attributes:
        text: the exact text.
        source: the file name given to :func:`parse` (used in errors and by ``evaluate`` for Includes).
        style: the file's line ending, indentation unit and final-newline habit.
    """

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

    @names_source
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
        section, option, keys = lua_path(path)
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

    def line_of(self, path: LuaPath) -> int | None:
        """The line that decides the value at ``path`` (as for :meth:`get`), or ``None`` when nothing sets it:
        the last top-level assignment of the option in its section, and with ``keys`` the last field of
        its table literal that names each key (``k = v`` or ``["k"] = v``) as far as there is one.
        Lines end as Lua ends them (``\\r\\n``, ``\\n\\r``, ``\\r``, ``\\n``)."""
        if self.get(path, _UNSET) is _UNSET:
            return None
        section, option, keys = lua_path(path)
        found = self._last_option(section, option)
        assert found is not None  # get() found it
        offset = found.start
        node = self._model.value_nodes.get((found.start, found.value_start))
        for key in keys:
            named = [f for f in node.fields if _names(f, key, self.text)] if node is not None else []
            if not named:
                break  # a value Lua builds otherwise (a list entry): the line of what holds it
            offset, node = field_start(named[-1]), named[-1].value
        return len(_LINE_BREAKS.findall(self.text, 0, offset)) + 1

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

    def _reparsed(self, text: str) -> LuaDocument:
        # Through this module's parse, so that an edit's one re-parse is one call of it, as the tests count.
        return parse(text, source=self.source)

    def evaluate_with_warnings(self, **options: Unpack[LuaEvaluateOptions]) -> LuaEvaluation:
        """:meth:`evaluate`, with the loader's warnings (``str(w)`` is Prosody's
        ``file:line: Duplicate option 'x'``), the files it loaded and the place each option was set."""
        from jitsi_secure.formats.lua._loader import evaluate

        return evaluate(self.text, self.source, **options)

    @names_source
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

    @names_source
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

    @names_source
    def edit(
        self, changes: Mapping[LuaPath, ConfigValue | Computed | Remove | CommentOut], *, comment_out: bool = False
    ) -> LuaDocument:
        """All ``changes`` (path to value, to :data:`~jitsi_secure.formats.REMOVE`, or to a
        :class:`~jitsi_secure.formats.CommentOut` for an option or a table field whose lines are
        commented out with ``--``; with a placeholder, a whole option only) as one batch of splices on
        this text, parsed and verified once; ``self`` when nothing changes.

        ``comment_out=True``: removed options, and entries a list loses, are commented out with ``--``
        (an entry only when it has its own line; else it is deleted) instead of deleted.
        """
        return self._edit(changes, comment_out=comment_out)

    def commented_entries(self, path: LuaPath) -> list[tuple[int, ConfigValue]]:
        """The commented-out entries (``--"token_verification";`` on a line of its own) inside the list
        literal at ``path``, each as ``(position, value)``: ``position`` counts the active entries before
        it, so inserting the value there in the list and :meth:`set` uncomments the entry in place."""
        section, option, keys = lua_path(path)
        found = self._last_option(section, option) if not keys else None
        node = self._model.value_nodes.get((found.start, found.value_start)) if found is not None else None
        if node is None or node.kind != "table" or any(f.kind != "pos" for f in node.fields):
            return []
        starts = [field_start(f) for f in node.fields]
        return [
            (bisect.bisect_left(starts, token.start), value)
            for token, value in self._commented_fields(node.start + 1, node.end - 1)
        ]

    @names_source
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
        return self._add_section(kind, name, options, after, module)

    @names_source
    def remove_section(self, name: str) -> LuaDocument:
        """Remove every ``VirtualHost``/``Component`` section called ``name``: its header, its options,
        the comment block heading it, and the blank lines up to the next section (the blank lines before
        it too when it is the last one), so that it undoes :meth:`add_section`."""
        return self._remove_section(name)


def parse(text: str, *, source: str = "<string>") -> LuaDocument:
    """Parse a Prosody config (any valid Lua 5.4 chunk) into a :class:`LuaDocument`.

    Raises :class:`ParseError` with line, column and what was expected when ``text`` is not valid Lua
    5.4 (a leading ``#!`` line or BOM is invalid too, as in Prosody, which loads the text with ``load``).
    """
    return LuaDocument(text, source, *read(text, source))


def load_file(path: str | os.PathLike[str]) -> LuaDocument:
    """Read a config file as UTF-8 (line endings untouched) and parse it with ``source`` set to its path,
    so that errors name the file and ``evaluate(follow_includes=True)`` resolves Includes from it.

    Bad UTF-8 raises :class:`ParseError` at the first bad byte; a file that cannot be read
    :class:`~jitsi_secure.errors.ReadError`."""
    return parse(read_source(path), source=os.fspath(path))


_UNSET: Any = object()


def _deprecated(form: str, instead: str) -> None:
    warnings.warn(f"LuaDocument.{form} is deprecated: use {instead}", DeprecationWarning, stacklevel=3)


def _legacy_pair(path: object, second: object) -> bool:
    """Whether ``get(a, b)`` is the deprecated ``get(section, option)``: ``a`` is ``None`` or a host name
    (not an identifier, which an option name is) and ``b`` an option name."""
    if not isinstance(second, str) or not IDENTIFIER.fullmatch(second):
        return False
    return path is None or (isinstance(path, str) and path != "*" and not IDENTIFIER.fullmatch(path))


def _names(field: Field, key: str, text: str) -> bool:
    """Whether table ``field`` is written with the key ``key`` (``key = v`` or ``["key"] = v``)."""
    if field.kind == "name":
        return field.name == key
    return field.kind == "expr" and field.key is not None and literal_value(field.key, text) == key


def _as_value(default: object) -> ConfigValue | Computed:
    return default  # type: ignore[return-value]
