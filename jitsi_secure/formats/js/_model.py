"""The records of what a config.js says and where: values, objects, and the places that write them.

The evaluator (:mod:`._meaning`) builds them from either front-end's tree; the document
(:mod:`._document`) reads values out of them and the editor (:mod:`._edit`) finds the text to splice
through them. Here too: the value rules both sides share (lookup by path, JavaScript's equality).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias

from jitsi_secure._core.document import Computed
from jitsi_secure._core.sentinel import Sentinel
from jitsi_secure._core.spans import KeyValueSpan
from jitsi_secure.errors import EditError

__all__ = [
    "MISSING",
    "Entry",
    "JsValue",
    "Model",
    "NonLiteral",
    "ObjLit",
    "ObjNode",
    "Prop",
    "Stmt",
    "Writer",
    "difference",
    "lookup",
    "lookup_node",
    "not_an_object",
    "same",
    "split_path",
    "to_plain",
]

#: What a lookup finds where there is no key (``None`` is JavaScript's ``null``, a value).
MISSING: Final = Sentinel("<missing>")


#: A value the file computes instead of stating it (``'conference.' + config.hosts.domain``,
#: ``location.host``, a function, ``undefined``, a key written under a test that is not static): the
#: shared :class:`~jitsi_secure.formats.Computed` marker, whose ``text`` is the JavaScript that produces
#: it. ``NonLiteral`` is the name config.js used before the formats shared one marker.
NonLiteral = Computed


#: A value as jitsi-secure reads it from config.js: plain JSON-like data, with :class:`NonLiteral`
#: where the file computes the value.
JsValue: TypeAlias = bool | int | float | str | NonLiteral | list["JsValue"] | dict[str, "JsValue"] | None


@dataclass(frozen=True)
class Prop(KeyValueSpan):
    """A ``key: value`` property of an object literal: its offsets, its key and the key's quote (``""``
    when bare)."""

    key: str
    key_quote: str


@dataclass(frozen=True)
class ObjLit:
    """An object literal ``{ ... }``: its braces' range and its properties in order."""

    start: int
    end: int
    props: tuple[Prop, ...]


@dataclass(frozen=True)
class Stmt:
    """A statement that writes a key of the config.

    ``start``/``end`` is what removing it takes out (a whole ``if`` whose unbraced body it is);
    ``value_start``/``value_end`` is the right-hand side a new value replaces (-1 when there is none).
    ``nested`` statements sit inside a block, so the comments above them are not theirs to take.
    Kinds: ``assign`` (``config.a = v``), ``idiom`` (``config.a = config.a || {}``), ``guard`` (an ``if``
    whose test asks ``config.hasOwnProperty('a')``: it belongs to ``a``) and ``opaque`` (code we do not
    evaluate, which makes the key non-literal).
    """

    kind: Literal["assign", "idiom", "guard", "opaque"]
    start: int
    end: int
    value_start: int = -1
    value_end: int = -1
    nested: bool = False


Writer: TypeAlias = Prop | Stmt


@dataclass(eq=False)
class Entry:
    """One key of an object: its effective value and every place that defined it, in file order."""

    value: ObjNode | JsValue
    writers: list[Writer]


@dataclass(eq=False)
class ObjNode:
    """An object of the effective config (only ever mutated while the model is being built)."""

    literal: ObjLit | None
    entries: dict[str, Entry] = field(default_factory=dict)
    #: (start, end) of the last statement that created this object or wrote inside it.
    anchor: tuple[int, int] | None = None


@dataclass(frozen=True)
class Model:
    """Everything the document keeps from the AST."""

    root: ObjNode
    statements: tuple[tuple[int, int], ...]
    string_quotes: tuple[tuple[str, int], ...]
    #: The initialiser of the variable when it is not an object literal (``var config = make()``).
    opaque_root: NonLiteral | None = None

    def plain(self) -> dict[str, JsValue]:
        """The variable's value as plain data (a fresh dict): what the document's ``to_dict`` gives."""
        return {key: to_plain(entry.value) for key, entry in self.root.entries.items()}


def to_plain(value: ObjNode | JsValue) -> JsValue:
    """The plain value of a model value (objects become fresh dicts)."""
    if isinstance(value, ObjNode):
        return {key: to_plain(entry.value) for key, entry in value.entries.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    return value


def split_path(path: object) -> tuple[str, ...]:
    """A path of the document API (``"hosts.domain"``, or a tuple or list of keys) as a tuple of keys."""
    keys = tuple(path.split(".")) if isinstance(path, str) else tuple(path) if isinstance(path, tuple | list) else ()
    if not keys or any(not isinstance(k, str) or not k for k in keys):
        raise EditError(f"invalid path {path!r}: use dotted keys such as 'hosts.anonymousdomain'")
    return keys


def lookup_node(root: ObjNode, keys: tuple[str, ...]) -> object:
    """The model value at ``keys`` (an :class:`ObjNode` stays one), or :data:`MISSING`."""
    node: object = root
    for key in keys:
        if not isinstance(node, ObjNode) or key not in node.entries:
            return MISSING
        node = node.entries[key].value
    return node


def lookup(root: ObjNode, keys: tuple[str, ...], *, strict: bool = False) -> object:
    """The plain value at ``keys``, or :data:`MISSING`; with ``strict``, a path through a non-object
    raises :class:`~jitsi_secure.errors.EditError`."""
    node: object = root
    for index, key in enumerate(keys):
        if not isinstance(node, ObjNode):
            if strict:
                raise not_an_object(keys, index, node, "edited")
            return MISSING
        entry = node.entries.get(key)
        if entry is None:
            return MISSING
        node = entry.value
    return to_plain(node) if isinstance(node, ObjNode) else node


def not_an_object(keys: tuple[str, ...], depth: int, value: object, verb: str) -> EditError:
    """The error for a path ``keys`` whose first ``depth`` keys lead to ``value``, which is not an object."""
    what = "computed by code" if isinstance(value, NonLiteral) else "not an object"
    return EditError(f"{'.'.join(keys[:depth])} is {what}, so {'.'.join(keys)} cannot be {verb}")


def same(a: object, b: object) -> bool:
    """Equality as JavaScript sees values: booleans are not numbers, 1 and 1.0 are the same number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def difference(a: object, b: object, path: tuple[str, ...] = ()) -> str | None:
    """The dotted path of the first place (in key order) where ``a`` and ``b`` differ (``"(top level)"``
    for the values themselves), None where they are :func:`same`."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            if key not in a or key not in b:
                return ".".join((*path, key))
            found = difference(a[key], b[key], (*path, key))
            if found:
                return found
        return None
    return None if same(a, b) else ".".join(path) or "(top level)"
