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
statements, as far as it is stated literally; computed values are :class:`NonLiteral`. Every edit is
a set of splices into the original text, and is checked by parsing the result again: its meaning must
differ from before by exactly the intended change, or the edit raises
:class:`~jitsi_secure.errors.EditError` and nothing changes. An edited document is also read by a
second, independent parser (esprima) before jitsi-secure writes it (see ``jitsi_secure._verify``).
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from jitsi_secure._core.splice import Splice, apply_splices
from jitsi_secure._core.style import TextStyle, detect_style
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
        condition that is not static) are :class:`NonLiteral` markers carrying their source text.
        """
        plain = to_plain(self._model.root)
        assert isinstance(plain, dict)
        return plain

    def get(self, path: str | Sequence[str], default: JsValue = None) -> JsValue:
        """The value at dotted ``path`` (``"hosts.anonymousdomain"``), or ``default`` when it is absent."""
        found = _lookup(self._model.root, _split(path))
        return default if found is _MISSING else copy.deepcopy(found)  # type: ignore[return-value]

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str | tuple | list):
            return False
        return _lookup(self._model.root, _split(path)) is not _MISSING

    def set(self, path: str | Sequence[str], value: object) -> ConfigJsDocument:
        """A new document where ``path`` holds ``value`` (bool, int, float, str, None, list or dict).

        The effective definition is changed in place: the last statement that assigns the path, else
        the property in the object literal. A missing key is uncommented from a ``// key: ...`` example
        in the right object when there is one, else inserted after its siblings (or as a
        ``config.a.b = ...;`` statement where the object is built by statements). Setting a dict over an
        object changes key by key, so comments inside it stay. Setting an equal value returns ``self``.

        Raises:
            EditError: the path runs through something that is not an object, the value has no exact
                literal, the definition is code jitsi-secure does not edit, or the edited text would
                not mean exactly the intended change.
        """
        keys = _split(path)
        label = ".".join(keys)
        self._editable(f"set {label}")
        check_value(value, label)
        value = _normalise(value)
        current = _lookup(self._model.root, keys, strict=True)
        if current is not _MISSING and _same(current, value):
            return self
        expected = self.to_dict()
        _put(expected, keys, value)
        return self._verified(self._set_steps(keys, value), expected, f"set {label}")

    def remove(self, path: str | Sequence[str], *, comment_out: bool = False) -> ConfigJsDocument:
        """A new document without ``path``: every definition of it is taken out, commas stay valid.

        With ``comment_out=True`` the definitions are turned into ``//`` lines instead of deleted
        (only for definitions on lines of their own). Removing an absent path returns ``self``.
        A ``//`` comment block directly above a removed item leaves with it, unless it holds code.

        Raises:
            EditError: the path is written by code jitsi-secure does not edit, or the result would not
                mean exactly the intended change.
        """
        keys = _split(path)
        self._editable("remove " + ".".join(keys))
        if _lookup(self._model.root, keys, strict=True) is _MISSING:
            return self
        expected = self.to_dict()
        _pop(expected, keys)
        what = "remove " + ".".join(keys)
        splices = self._editor().remove_splices(keys, comment_out=comment_out)
        return self._verified(self._reparse(self._apply(splices), what), expected, what)

    # internals --------------------------------------------------------------------------------

    def _editable(self, what: str) -> None:
        if self._model.opaque_root is not None:
            raise EditError(
                f"{what}: {self.name} is computed or changed as a whole by code jitsi-secure does not edit"
                " (see opaque_root)"
            )

    def _editor(self) -> Editor:
        return Editor(self.text, self._model, self.name, self.style)

    def _apply(self, splices: list[Splice]) -> str:
        served = self._served
        if served is not None and served.disk:
            for splice in splices:
                if served.touches(splice.start, splice.end):
                    raise EditError(
                        f"{splice.reason}: the edit would change an nginx SSI directive; nothing was changed"
                    )
        return apply_splices(self.text, splices)

    def _reparse(self, text: str, what: str) -> ConfigJsDocument:
        try:
            document = parse(text, source=self.source, name=self.name)
        except ParseError as exc:  # anything else is a bug of ours, not the text's: it propagates
            raise EditError(f"{what}: the edited text would not parse ({exc}); nothing was changed") from None
        return dataclasses.replace(document, _edited=True)

    def _set_steps(self, keys: tuple[str, ...], value: object) -> ConfigJsDocument:
        """Apply a set without the final check; a dict over an object goes key by key."""
        current = _lookup_node(self._model.root, keys)
        label = "set " + ".".join(keys)
        if isinstance(current, ObjNode) and isinstance(value, dict):
            doc = self
            for key, item in value.items():
                sub = (*keys, key)
                now = _lookup(doc._model.root, sub)
                if now is _MISSING or not _same(now, item):
                    doc = doc._set_steps(sub, item)
            for key in list(current.entries):
                if key not in value:
                    splices = doc._editor().remove_splices((*keys, key), comment_out=False)
                    doc = doc._reparse(doc._apply(splices), label)
            return doc
        return self._reparse(self._apply(self._editor().set_splices(keys, value)), label)

    def _verified(self, result: ConfigJsDocument, expected: dict[str, JsValue], what: str) -> ConfigJsDocument:
        actual = result.to_dict()
        if not _same(actual, expected):
            where = _first_difference(actual, expected, ()) or "(top level)"
            raise EditError(
                f"{what}: the edited file would not mean exactly the intended change (it differs at {where});"
                " nothing was changed"
            )
        return result


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
    """Read and parse a UTF-8 config.js file (a BOM is kept); ``name`` defaults to :func:`variable_for`."""
    with open(path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    return parse(text, source=os.fspath(path), name=name or variable_for(path))


def _split(path: str | Sequence[str]) -> tuple[str, ...]:
    keys = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
    if not keys or any(not isinstance(k, str) or not k for k in keys):
        raise EditError(f"invalid path {path!r}: use dotted keys such as 'hosts.anonymousdomain'")
    return keys


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
    for key in keys[:-1]:
        child = data.setdefault(key, {})
        assert isinstance(child, dict)
        data = child
    data[keys[-1]] = copy.deepcopy(value)  # type: ignore[assignment]


def _pop(data: dict[str, JsValue], keys: tuple[str, ...]) -> None:
    for key in keys[:-1]:
        child = data[key]
        assert isinstance(child, dict)
        data = child
    del data[keys[-1]]


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
