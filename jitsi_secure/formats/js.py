"""jitsi-meet's ``config.js`` (and ``interface_config.js``) as a lossless, editable document.

>>> doc = parse("var config = {\\n    hosts: {\\n        domain: 'meet.example.com',\\n"
...             "        // anonymousdomain: 'guest.example.com',\\n    },\\n};\\n")
>>> doc.get("hosts.domain")
'meet.example.com'
>>> print(doc.set("hosts.anonymousdomain", "guest.meet.example.com").render(), end="")
var config = {
    hosts: {
        domain: 'meet.example.com',
        anonymousdomain: 'guest.meet.example.com',
    },
};

Syntax comes from tree-sitter's JavaScript grammar (current JavaScript, as a classic script; imported
on first parse), read strictly: whatever it cannot parse is a :class:`~jitsi_secure.errors.ParseError`.
nginx SSI ``echo`` directives are read as nginx serves them, and what depends on one is non-literal.
Meaning (:meth:`ConfigJsDocument.to_dict`) is the value of the variable after the file's top-level
statements, as far as it is stated literally; computed values are
:class:`~jitsi_secure.formats.Computed` (``NonLiteral`` is its old name, kept as an alias). The
document is a :class:`~jitsi_secure.formats.Document`: ``edit(changes)`` makes a batch of changes as
one set of splices into the original text, checked by parsing the result once: its meaning must
differ from before by exactly the intended changes, or the edit raises
:class:`~jitsi_secure.errors.EditError` and nothing changes; ``applied`` lists the splices. An edited
document is also read by a second, independent parser (esprima) before jitsi-secure writes it (see
``jitsi_secure._verify``), once per batch.
"""

from __future__ import annotations

import copy
import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from jitsi_secure._core.document import REMOVE, Remove
from jitsi_secure._core.edit import read_source, verified_edit
from jitsi_secure._core.splice import Splice
from jitsi_secure._core.style import TextStyle, detect_style
from jitsi_secure._core.trivia import line_span
from jitsi_secure.errors import EditError, ParseError
from jitsi_secure.formats._js_edit import Editor
from jitsi_secure.formats._js_model import JsValue, Model, NonLiteral, ObjNode, build_model, to_plain
from jitsi_secure.formats._js_render import check_value, render_string
from jitsi_secure.formats._js_ssi import Served, serve
from jitsi_secure.formats._js_tree import parse_tree

__all__ = [
    "ConfigJsDocument",
    "JsValue",
    "NonLiteral",
    "load_file",
    "parse",
    "secret_spellings",
    "variable_for",
]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Final = _Missing()


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
        plain = to_plain(self._model.root)
        assert isinstance(plain, dict)
        return plain

    def get(self, path: str | Sequence[str], default: JsValue = None) -> JsValue:
        """The value at dotted ``path`` (``"hosts.anonymousdomain"``) or tuple of keys, or ``default``
        when it is absent."""
        found = _lookup(self._model.root, _split(path))
        return default if found is _MISSING else copy.deepcopy(found)  # type: ignore[return-value]

    def __contains__(self, path: object) -> bool:
        """Whether ``path`` (as for :meth:`get`) has a value (``null`` counts as one)."""
        if not isinstance(path, str | tuple | list):
            return False
        try:
            keys = _split(path)
        except EditError:
            return False
        return _lookup(self._model.root, keys) is not _MISSING

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

    def edit(self, changes: Mapping[str | tuple[str, ...], object]) -> ConfigJsDocument:
        """All ``changes`` (path to value, or to :data:`~jitsi_secure.formats.REMOVE`) as one batch of
        splices on this text, parsed and verified once; ``self`` when nothing changes."""
        return self._edit(changes, comment_out=False)

    # internals --------------------------------------------------------------------------------

    def _edit(self, changes: Mapping[str | tuple[str, ...], object], *, comment_out: bool) -> ConfigJsDocument:
        expected = self.to_dict()
        batch = _Batch(self._editor(), comment_out)
        for path, value in changes.items():
            keys = _split(path)
            label = ".".join(keys)
            if isinstance(value, Remove):
                self._editable("remove " + label)
                if _lookup(self._model.root, keys, strict=True) is _MISSING:
                    if _holds(expected, keys):
                        raise EditError(f"{self.source}: remove {label}: an earlier change of the batch sets it")
                    continue
                _pop(expected, keys)
                batch.remove(keys)
                continue
            self._editable("set " + label)
            check_value(value, label)
            wanted = _normalise(value)
            current = _lookup(self._model.root, keys, strict=True)
            if current is not _MISSING and _same(current, wanted):
                continue
            _put(expected, keys, wanted)
            batch.set(keys, wanted)
        splices = batch.splices()
        if not splices:
            return self
        self._check_ssi(splices)
        if (batch.meets or _overlapping(splices)) and len(batch.steps) > 1:
            return self._stepwise(batch.steps, comment_out=comment_out)

        def problem(new: ConfigJsDocument) -> str | None:
            actual = new.to_dict()
            if _same(actual, expected):
                return None
            return f"it differs at {_first_difference(actual, expected, ()) or '(top level)'}"

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
        head = _common_length(old, new)
        tail = min(_common_length(old[::-1], new[::-1]), len(old) - head, len(new) - head)
        splice = Splice(head, len(old) - tail, new[head : len(new) - tail], ", ".join(reasons) or "edit")
        object.__setattr__(document, "applied", (splice,))
        return document

    def _editable(self, what: str) -> None:
        if self._model.opaque_root is not None:
            raise EditError(
                f"{self.source}: {what}: {self.name} is computed or changed as a whole by code jitsi-secure"
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
                        f"{self.source}: {splice.reason}: the edit would change an nginx SSI directive;"
                        " nothing was changed"
                    )

    def _reparse(self, text: str) -> ConfigJsDocument:
        # Through the module's parse (one call per batch), marked for the independent reader's check.
        document = parse(text, source=self.source, name=self.name)
        object.__setattr__(document, "_edited", True)
        return document


class _Batch:
    """The splices of one ``edit``: each change computed against the original text, new keys of one
    object gathered so that they are inserted together (one comma, one place)."""

    def __init__(self, editor: Editor, comment_out: bool) -> None:
        self.editor = editor
        self.comment_out = comment_out
        self.found: list[Splice] = []
        #: id(object) -> (the object, the path to it, new key -> value, the changes' reasons)
        self.inserts: dict[int, tuple[ObjNode, tuple[str, ...], dict[str, object], list[str]]] = {}

        #: paths to take out, with the comment-out flag the change asked for
        self.removals: list[tuple[tuple[str, ...], bool]] = []
        #: the batch as single changes (a dict over an object split key by key), for the fallback
        self.steps: list[tuple[tuple[str, ...], object]] = []

    def remove(self, keys: tuple[str, ...]) -> None:
        self.removals.append((keys, self.comment_out))
        self.steps.append((keys, REMOVE))

    def set(self, keys: tuple[str, ...], value: object) -> None:
        editor = self.editor
        current = _lookup_node(editor.model.root, keys)
        if isinstance(current, ObjNode) and isinstance(value, dict):
            # A dict over an object: key by key, so the object's comments and layout stay.
            for key, item in value.items():
                now = _lookup(editor.model.root, (*keys, key))
                if now is _MISSING or not _same(now, item):
                    self.set((*keys, key), item)
            for key in current.entries:
                if key not in value:
                    self.removals.append(((*keys, key), False))
                    self.steps.append(((*keys, key), REMOVE))
            return
        self.steps.append((keys, value))
        parent, missing = editor.locate(keys)
        if missing == len(keys):
            self.found.extend(editor.set_splices(keys, value))
            return
        rest = keys[missing:]
        if len(rest) == 1 and parent.literal is not None:
            uncommented = editor.uncomment_splices(parent.literal, rest[0], value, "set " + ".".join(keys))
            if uncommented is not None:
                self.found.extend(uncommented)
                return
        nested: object = value
        for key in reversed(rest[1:]):
            nested = {key: nested}
        _, _, items, reasons = self.inserts.setdefault(id(parent), (parent, keys[:missing], {}, []))
        items[rest[0]] = _merged(items.get(rest[0], _MISSING), nested)
        reasons.append("set " + ".".join(keys))

    @property
    def meets(self) -> bool:
        """Whether one object both loses and gains properties in this batch: its splices would meet at
        its last property, so the batch is made one change at a time instead."""
        editor = self.editor
        losing = {id(editor.locate(keys)[0]) for keys, _ in self.removals if editor.locate(keys)[1] == len(keys)}
        return any(key in losing for key in self.inserts)

    def splices(self) -> list[Splice]:
        found = list(self.found)
        for comment_out in (False, True):
            paths = [keys for keys, flag in self.removals if flag is comment_out]
            if paths:
                found.extend(self.editor.remove_splices(paths, comment_out=comment_out))
        for parent, prefix, items, reasons in self.inserts.values():
            found.extend(self.editor.insert_splices(parent, prefix, list(items.items()), ", ".join(reasons)))
        # Two changes may each add the comma after the same last property: it is one comma.
        unique: dict[tuple[int, int, str], Splice] = {}
        for splice in found:
            key = (splice.start, splice.end, splice.new_text) if splice.new_text == "," else (id(splice), 0, "")
            unique.setdefault(key, splice)
        return list(unique.values())


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
    be read (missing, a folder) :class:`~jitsi_secure.errors.WriteError`.
    """
    return parse(read_source(path), source=os.fspath(path), name=name or variable_for(path))


def _split(path: object) -> tuple[str, ...]:
    keys = tuple(path.split(".")) if isinstance(path, str) else tuple(path) if isinstance(path, tuple | list) else ()
    if not keys or any(not isinstance(k, str) or not k for k in keys):
        raise EditError(f"invalid path {path!r}: use dotted keys such as 'hosts.anonymousdomain'")
    return keys


def _path_key(path: str | Sequence[str]) -> str | tuple[str, ...]:
    """``path`` as a mapping key of ``edit`` (a list is not hashable)."""
    return path if isinstance(path, str) else tuple(path)


def _common_length(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _overlapping(splices: Sequence[Splice]) -> bool:
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    return any(b.start < a.end for a, b in itertools.pairwise(ordered))


def _merged(old: object, new: object) -> object:
    """Two new values for one new key of a batch: dicts merge (the later wins), else the later one."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for key, value in new.items():
            out[key] = _merged(out.get(key, _MISSING), value)
        return out
    return new


def _normalise(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def _lookup_node(root: ObjNode, keys: tuple[str, ...]) -> object:
    node: object = root
    for key in keys:
        if not isinstance(node, ObjNode) or key not in node.entries:
            return _MISSING
        node = node.entries[key].value
    return node


def _lookup(root: ObjNode, keys: tuple[str, ...], *, strict: bool = False) -> object:
    """The plain value at ``keys``; with ``strict``, a path through a non-object raises EditError."""
    node: object = root
    for index, key in enumerate(keys):
        if not isinstance(node, ObjNode):
            if strict:
                what = "computed by code" if isinstance(node, NonLiteral) else "not an object"
                raise EditError(f"{'.'.join(keys[:index])} is {what}, so {'.'.join(keys)} cannot be edited")
            return _MISSING
        entry = node.entries.get(key)
        if entry is None:
            return _MISSING
        node = entry.value
    return to_plain(node) if isinstance(node, ObjNode) else node


def _put(data: dict[str, JsValue], keys: tuple[str, ...], value: object) -> None:
    for index, key in enumerate(keys[:-1]):
        child = data.setdefault(key, {})
        if not isinstance(child, dict):
            # Only another change of the same batch can make it so (``a = 1`` and ``a.b = 2``).
            raise EditError(f"set {'.'.join(keys)}: {'.'.join(keys[: index + 1])} is not an object")
        data = child
    data[keys[-1]] = copy.deepcopy(value)  # type: ignore[assignment]


def _holds(data: object, keys: tuple[str, ...]) -> bool:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def _pop(data: dict[str, JsValue], keys: tuple[str, ...]) -> None:
    for key in keys[:-1]:
        child = data.get(key)
        if not isinstance(child, dict):
            return  # another change of the batch removed or replaced the object
        data = child
    data.pop(keys[-1], None)


def _same(a: object, b: object) -> bool:
    """Equality as JavaScript sees values: booleans are not numbers, 1 and 1.0 are the same number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _first_difference(a: object, b: object, path: tuple[str, ...]) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            if key not in a or key not in b:
                return ".".join((*path, key))
            found = _first_difference(a[key], b[key], (*path, key))
            if found:
                return found
        return None
    return None if _same(a, b) else ".".join(path) or "(top level)"


def secret_spellings(secret: str) -> set[str]:
    """How ``secret`` may be spelled in config.js, for masking it in output: each quoted form the editor
    writes (the value as given is the caller's to mask too)."""
    return {render_string(secret, quote) for quote in ("'", '"')}
