"""The config.js document: its text, its reading (:meth:`ConfigJsDocument.to_dict`, ``get``, ``in``), its
edits, and :func:`parse` and :func:`load_file`, which make one.

An edit is planned by :mod:`._batch` (which splices, and what the meaning must be after them), the
splices come from :mod:`._edit`, and the result is parsed once and compared through
:func:`jitsi_secure._core.edit.verified_edit`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path

from jitsi_secure._core.document import COMMENT_OUT, REMOVE, CommentOut, Remove
from jitsi_secure._core.edit import names_source, read_source, verified_edit
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.trivia import line_span
from jitsi_secure.errors import EditError, ParseError, line_and_column
from jitsi_secure.formats.js import _model
from jitsi_secure.formats.js._batch import Batch, common_length, holds, normalise, overlapping, pop, put
from jitsi_secure.formats.js._edit import Editor
from jitsi_secure.formats.js._meaning import build_model
from jitsi_secure.formats.js._model import MISSING, JsValue, Model, NonLiteral, difference, lookup, same, split_path
from jitsi_secure.formats.js._parser import parse_tree
from jitsi_secure.formats.js._render import check_path, check_value
from jitsi_secure.formats.js._ssi import Served, serve

__all__ = ["ConfigJsDocument", "load_file", "parse", "variable_for"]


@dataclass(frozen=True)
class ConfigJsDocument:
    """An immutable config.js: its exact text plus what jitsi-secure read from it.

    Attributes:
        text: the file's text, exactly as given to :func:`parse`.
        source: where the text came from (for messages).
        name: the global variable this document is about (``config`` or ``interfaceConfig``).
        style: the text's line ending, indentation unit and final-newline habit.
    """

    text: str
    source: str
    name: str
    style: TextStyle
    _model: Model = field(repr=False, compare=False)
    _served: Served | None = field(default=None, repr=False, compare=False)
    #: Made by an edit: the independent reader checks it before it is written.
    _edited: bool = field(default=False, repr=False, compare=False)
    #: The splices that turned the parent document's text into this one (``()`` for a parsed one).
    applied: tuple[Splice, ...] = field(default=(), repr=False, compare=False)

    def render(self) -> str:
        """The text, byte for byte as parsed (or as edited)."""
        return self.text

    @property
    def edited(self) -> bool:
        """Whether an edit made this document (rather than :func:`parse`): such a text is read again by
        the independent reader (:func:`~jitsi_secure.formats.js.read_independently`) before it is written."""
        return self._edited

    @property
    def opaque_root(self) -> NonLiteral | None:
        """The code that computes the variable as a whole, else None.

        That is an initialiser that is not an object literal (``var config = make();``) or a call that
        is handed the variable (``Object.assign(config, {...})``). Such a document can be read (the keys
        stated literally are in :meth:`to_dict`, but they may not be all) and is not edited.
        """
        return self._model.opaque_root

    def to_dict(self) -> dict[str, JsValue]:
        """The variable's value after the file's top-level statements, as a fresh dict.

        Values the file computes (functions, concatenations, ``location`` lookups, keys written under a
        condition that is not static) are :class:`~jitsi_secure.formats.Computed` markers carrying their
        source text.
        """
        return self._model.plain()

    @names_source
    def get(self, path: str | Sequence[str], default: JsValue = None) -> JsValue:
        """The value at dotted ``path`` (``"hosts.anonymousdomain"``) or tuple of keys, or ``default``
        when it is absent."""
        found = lookup(self._model.root, split_path(path))
        return default if found is MISSING else deepcopy(found)  # type: ignore[return-value]

    def __contains__(self, path: object) -> bool:
        """Whether ``path`` (as for :meth:`get`) has a value (``null`` counts as one)."""
        if not isinstance(path, str | tuple | list):
            return False
        try:
            keys = split_path(path)
        except EditError:
            return False
        return lookup(self._model.root, keys) is not MISSING

    def line_of(self, path: str | Sequence[str]) -> int | None:
        """The line that decides the value at ``path`` (as for :meth:`get`): the key of the last property
        that defines it, or the value of the last statement that assigns it (the statement itself when
        the value is code); ``None`` when it is absent. Comments are never looked at: a key inside
        ``/* ... */`` sets nothing. ``\\r\\n``, ``\\r`` and ``\\n`` each end a line."""
        node: object = self._model.root
        entry = None
        for key in split_path(path):
            if not isinstance(node, _model.ObjNode) or key not in node.entries:
                return None
            entry = node.entries[key]
            node = entry.value
        assert entry is not None  # split_path gives at least one key
        # A guard (`if (!config.hasOwnProperty('a')) ...`) tests the key; it does not give the value.
        writer = [w for w in entry.writers if not (isinstance(w, _model.Stmt) and w.kind == "guard")][-1]
        offset = writer.key_start if isinstance(writer, _model.Prop) else max(writer.value_start, writer.start)
        return line_and_column(self.text, offset)[0]

    @names_source
    def set(self, path: str | Sequence[str], value: object) -> ConfigJsDocument:
        """A new document where ``path`` holds ``value`` (bool, int, float, str, None, list or dict):
        ``edit({path: value})``.

        The effective definition is changed in place: the last statement that assigns the path, else
        the property in the object literal. A missing key is uncommented from a ``// key: ...`` example
        in the right object when there is one, else inserted on its own line after its siblings (a
        one-line object is opened onto lines first), or as a ``config.a.b = ...;`` statement where the
        object is built by statements. Setting a dict over an object changes key by key, so comments
        inside it stay. Setting an equal value returns ``self``.

        Raises:
            EditError: the path runs through something that is not an object, the value has no exact
                literal, the definition is code jitsi-secure does not edit, or the edited text would
                not mean exactly the intended change.
        """
        return self.edit({_path_key(path): value})

    @names_source
    def remove(self, path: str | Sequence[str], *, comment_out: bool = False) -> ConfigJsDocument:
        """A new document without ``path``: every definition of it is taken out, commas stay valid.

        Comments follow the one rule (:mod:`jitsi_secure._core.trivia`). With ``comment_out=True`` the
        definitions' lines are turned into ``//`` lines instead (a definition sharing its line with
        other code cannot be, and raises :class:`~jitsi_secure.errors.EditError`). Removing an absent
        path returns ``self``.

        Raises:
            EditError: the path is written by code jitsi-secure does not edit, or the result would not
                mean exactly the intended change.
        """
        return self._edit({_path_key(path): REMOVE}, comment_out=comment_out)

    @names_source
    def edit(self, changes: Mapping[str | tuple[str, ...], object]) -> ConfigJsDocument:
        """All ``changes`` (path to value, to :data:`~jitsi_secure.formats.REMOVE`, or to a
        :class:`~jitsi_secure.formats.CommentOut` for a definition turned into ``//`` lines) as one
        batch of splices on this text, parsed and verified once; ``self`` when nothing changes.

        A ``CommentOut`` with a placeholder is the one exception to "one batch": the batch is made one
        change at a time (the placeholder written, then the lines commented out), each step verified.
        """
        if any(isinstance(v, CommentOut) and v.placeholder is not None for v in changes.values()):
            steps: list[tuple[tuple[str, ...], object]] = []
            for path, value in changes.items():
                keys = split_path(path)
                if isinstance(value, CommentOut) and value.placeholder is not None:
                    if lookup(self._model.root, keys, strict=True) is not MISSING:
                        steps += [(keys, value.placeholder), (keys, COMMENT_OUT)]
                    elif any(done[: len(keys)] == keys for done, _ in steps):
                        # As for REMOVE: the path is not in the file, only in this batch's own changes.
                        label = ".".join(keys)
                        raise EditError(f"{self.source}: comment out {label}: an earlier change of the batch sets it")
                else:
                    steps.append((keys, value))
            return self._stepwise(steps, comment_out=False)
        return self._edit(changes, comment_out=False)

    # internals --------------------------------------------------------------------------------

    def _edit(self, changes: Mapping[str | tuple[str, ...], object], *, comment_out: bool) -> ConfigJsDocument:
        expected = self.to_dict()
        batch = Batch(self._editor(), comment_out)
        for path, value in changes.items():
            keys = split_path(path)
            label = ".".join(keys)
            if isinstance(value, Remove | CommentOut):
                self._editable("remove " + label)
                if lookup(self._model.root, keys, strict=True) is MISSING:
                    if holds(expected, keys):
                        raise EditError(f"remove {label}: an earlier change of the batch sets it")
                    continue
                pop(expected, keys)
                batch.remove(keys, commented=isinstance(value, CommentOut))
                continue
            self._editable("set " + label)
            check_path(keys, "set " + label)
            check_value(value, label)
            wanted = normalise(value)
            current = lookup(self._model.root, keys, strict=True)
            if current is not MISSING and same(current, wanted):
                continue
            put(expected, keys, wanted)
            batch.set(keys, wanted)
        splices = batch.splices()
        if not splices:
            return self
        self._check_ssi(splices)
        if (batch.meets or overlapping(splices)) and len(batch.steps) > 1:
            return self._stepwise(batch.steps, comment_out=comment_out)

        def problem(new: ConfigJsDocument) -> str | None:
            where = difference(new.to_dict(), expected)
            return None if where is None else f"it differs at {where}"

        return verified_edit(self.text, splices, source=self.source, reparse=self._reparse, problem=problem)

    def _stepwise(self, steps: list[tuple[tuple[str, ...], object]], *, comment_out: bool) -> ConfigJsDocument:
        """The batch one change at a time, for the rare batch whose changes meet in one place (a
        property removed and a new one added after it): each step is verified, and ``applied`` is the
        one splice from the first to the last changed character."""
        document = self
        reasons: dict[str, None] = {}
        for keys, value in steps:
            document = document._edit({keys: value}, comment_out=comment_out)
            reasons.update(dict.fromkeys(s.reason for s in document.applied))
        if document is self:
            return self
        old, new = self.text, document.text
        head = common_length(old, new)
        tail = min(common_length(old[::-1], new[::-1]), len(old) - head, len(new) - head)
        splice = Splice(head, len(old) - tail, new[head : len(new) - tail], ", ".join(reasons) or "edit")
        object.__setattr__(document, "applied", (splice,))
        return document

    def _editable(self, what: str) -> None:
        if self._model.opaque_root is not None:
            raise EditError(
                f"{what}: {self.name} is computed or changed as a whole by code jitsi-secure"
                " does not edit (see opaque_root)"
            )

    def _editor(self) -> Editor:
        return Editor(self.text, self._model, self.name, self.style, self.source)

    def _check_ssi(self, splices: Sequence[Splice]) -> None:
        served = self._served
        if served is not None and served.disk:
            for splice in splices:
                start, end = splice.start, splice.end
                if splice.reason.startswith("comment out"):
                    start, end = line_span(self.text, start)  # the `//` changes the whole line
                if served.touches(start, end):
                    raise EditError(
                        f"{splice.reason}: the edit would change an nginx SSI directive; nothing was changed"
                    )

    def _reparse(self, text: str) -> ConfigJsDocument:
        # Through the module's parse (one call per batch), marked for the independent reader's check.
        document = parse(text, source=self.source, name=self.name)
        object.__setattr__(document, "_edited", True)
        return document


def parse(text: str, *, source: str = "<string>", name: str = "config") -> ConfigJsDocument:
    """Parse config.js ``text`` for the global variable ``name`` (``interfaceConfig`` for interface_config.js).

    A file that only assigns to the variable (an override fragment such as ``config.hosts = {...};``)
    is read as applied to an empty object.

    Raises:
        ParseError: the text is not a classic script (ES2025 syntax) once nginx SSI directives are
            replaced, or holds an SSI directive other than ``echo``; with line and column.
    """
    served = serve(text, source=source)
    try:
        program = parse_tree(served, source=source, disk_text=text)
        model = build_model(text, program, name, served)
    except RecursionError:
        raise ParseError.at(text, 0, "the code nests too deeply for jitsi-secure's reader", source=source) from None
    return ConfigJsDocument(text, source, name, detect_style(text), model, served)


def variable_for(path: str | os.PathLike[str]) -> str:
    """The variable a jitsi-meet file defines, from its name: ``interfaceConfig`` or ``config``."""
    return "interfaceConfig" if "interface_config" in Path(path).name else "config"


def load_file(path: str | os.PathLike[str], *, name: str | None = None) -> ConfigJsDocument:
    """Read and parse a UTF-8 config.js file (a BOM is kept); ``name`` defaults to :func:`variable_for`.

    Bad UTF-8 raises :class:`~jitsi_secure.errors.ParseError` at the first bad byte; a file that cannot
    be read (missing, a folder) :class:`~jitsi_secure.errors.ReadError`.
    """
    return parse(read_source(path), source=os.fspath(path), name=name or variable_for(path))


def _path_key(path: str | Sequence[str]) -> str | tuple[str, ...]:
    """``path`` as a mapping key of ``edit`` (a list is not hashable)."""
    return path if isinstance(path, str) else tuple(path)
