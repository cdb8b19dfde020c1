"""What a HOCON syntax tree means: fields merged in order, then (when asked) substitutions resolved.

Phase one walks the fields in document order into a "raw" tree of dicts, lists and plain values, the way
Lightbend Config merges them: an object merges into an earlier object, anything else replaces, ``+=``
appends. A self-referential substitution (``path = ${path}...``, ``+=``) looks at the value the path had
before the field, so it is taken from the tree being built. Any other substitution stays a node
(:class:`RSubst`), as do concatenations and merges that contain one. Phase two either resolves those nodes
against the finished tree (optionally falling back to environment variables, like Lightbend's
``ConfigResolveOptions.defaults()``) or reports each as an :class:`Unresolved` marker.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from jitsi_secure._core.document import Computed
from jitsi_secure._core.scalars import keyword
from jitsi_secure.errors import LocatedError, ParseError
from jitsi_secure.formats.hocon._lexer import PLUS_EQUALS, STRING, TSTRING, WORD, WS, classify_word, decode_string
from jitsi_secure.formats.hocon._parser import Arr, Atom, Field, Obj, Subst, Value

__all__ = [
    "ABSENT",
    "MISSING",
    "HoconValue",
    "ResolveError",
    "Unresolved",
    "build_raw",
    "delete",
    "lookup",
    "pruned",
    "resolve_path",
    "resolve_raw",
    "same",
    "store",
    "text_of",
    "unresolved_view",
]

#: What ``to_dict()`` and ``get()`` return: plain values, with :class:`Unresolved` where a value depends on a
#: substitution that was not resolved.
HoconValue: TypeAlias = bool | int | float | str | list["HoconValue"] | dict[str, "HoconValue"] | Computed | None


class ResolveError(LocatedError):
    """A substitution that cannot be resolved: undefined (and not ``${?...}``), a cycle, or a type clash.

    Like :class:`~jitsi_secure.errors.ParseError` (but not one: the text is valid HOCON), it names the
    place: ``str()`` reads ``source:line:column: message`` with the line and a caret under the ``${``
    (see :class:`~jitsi_secure.errors.LocatedError` for the attributes).
    """


class _TypeClashError(Exception):
    """Parts that cannot be concatenated; a :class:`ParseError` or :class:`ResolveError` once placed."""


#: The earlier name of :class:`~jitsi_secure.formats.Computed` for HOCON (``.expression`` still reads).
Unresolved = Computed


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Ws(str):
    """Unquoted whitespace between the parts of a concatenation (dropped next to objects and arrays)."""

    __slots__ = ()


class Word(str):
    """An unquoted word inside a concatenation: its text, and what it means when it ends up alone
    (``${?missing}1`` is the number 1, as in Lightbend)."""

    value: Any

    def __new__(cls, text: str) -> Word:
        word = super().__new__(cls, text)
        word.value = classify_word(text)
        return word


@dataclass
class RSubst:
    """A substitution left for phase two."""

    #: Where ``${`` is in the text, for errors (not part of the meaning: not compared).
    start: int = field(compare=False)
    path: tuple[str, ...]
    optional: bool
    #: A self-reference with no earlier value: only the environment can supply it.
    env_only: bool = False


@dataclass
class RConcat:
    """A concatenation with at least one unresolved part."""

    start: int = field(compare=False)
    parts: list[Any]


@dataclass
class RMerge:
    """Values for one key in order; later ones win, objects merge."""

    items: list[Any]


@dataclass
class RLookup:
    """``path`` inside a value that is not known before resolution (self-reference into a substitution)."""

    start: int = field(compare=False)
    base: Any
    path: tuple[str, ...]
    optional: bool


_UNRESOLVED = (RSubst, RConcat, RMerge, RLookup)


class _Builder:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.root: dict[str, Any] = {}

    def error(self, offset: int, message: str) -> ParseError:
        return ParseError.at(self.text, offset, message, source=self.source)

    def members(self, target: dict[str, Any], obj: Obj, base: tuple[str, ...]) -> None:
        for member in obj.members:
            if isinstance(member, Field):
                self.field(target, member, base)

    def field(self, target: dict[str, Any], field: Field, base: tuple[str, ...]) -> None:
        path = field.key.path
        full = base + path
        for key in path[:-1]:
            target = _descend(target, key)
        last = path[-1]
        parts = field.value.parts
        if field.sep == PLUS_EQUALS:
            element = self.value(field.value, full)
            previous = self.lookup_live(full, field.value.start)
            if previous is MISSING:
                target[last] = [element]
            elif isinstance(previous, list):
                target[last] = [*previous, element]
            else:
                target[last] = self.concat([previous, [element]], field.value.start)
            return
        if len(parts) == 1 and isinstance(parts[0], Obj):
            self.members(_descend(target, last), parts[0], full)
            return
        new = self.value(field.value, full)
        _assign(target, last, new)

    def lookup_live(self, path: tuple[str, ...], start: int) -> Any:
        """The current value of ``path`` in the tree being built (for self-references at ``start``)."""
        node: Any = self.root
        for index, key in enumerate(path):
            if isinstance(node, RMerge) and node.items and isinstance(node.items[-1], dict):
                last = node.items[-1]
                if key in last:
                    node = last[key]
                    continue
                return RLookup(start, copy.deepcopy(node), path[index:], True)
            if isinstance(node, dict):
                if key not in node:
                    return MISSING
                node = node[key]
            elif isinstance(node, _UNRESOLVED):
                return RLookup(start, copy.deepcopy(node), path[index:], True)
            else:
                return MISSING
        if isinstance(node, (dict, RMerge)):
            # Later fields mutate dicts in place; a self-reference must see the value as it is now.
            return copy.deepcopy(node)
        return node

    def value(self, value: Value, full: tuple[str, ...]) -> Any:
        parts = value.parts
        if len(parts) == 1:
            part = parts[0]
            if isinstance(part, Atom):
                raw = self.text[part.start : part.end]
                return classify_word(raw) if part.kind == WORD else decode_string(raw)
            return self.part(part, full)
        items: list[Any] = []
        for part in parts:
            if isinstance(part, Atom):
                raw = self.text[part.start : part.end]
                if part.kind == WS:
                    items.append(Ws(raw))
                elif part.kind in (STRING, TSTRING):
                    items.append(decode_string(raw))
                else:
                    items.append(Word(raw))
            else:
                items.append(self.part(part, full))
        return self.concat(items, value.start)

    def part(self, part: Subst | Obj | Arr | Atom, full: tuple[str, ...]) -> Any:
        if isinstance(part, Subst):
            path = part.path
            n = min(len(path), len(full))
            if path[:n] == full[:n]:
                previous = self.lookup_live(path, part.start)
                if previous is MISSING:
                    return MISSING if part.optional else RSubst(part.start, path, part.optional, env_only=True)
                if isinstance(previous, RLookup):
                    previous.optional = part.optional
                return previous
            return RSubst(part.start, path, part.optional)
        if isinstance(part, Obj):
            target: dict[str, Any] = {}
            self.members(target, part, full)
            return target
        if isinstance(part, Arr):
            return [self.value(item, full) for item in part.items]
        raise AssertionError(part)

    def concat(self, items: list[Any], offset: int) -> Any:
        if any(isinstance(item, _UNRESOLVED) for item in items):
            return RConcat(offset, items)
        try:
            return join(items)
        except _TypeClashError as exc:
            raise self.error(offset, str(exc)) from None


def _descend(target: dict[str, Any], key: str) -> dict[str, Any]:
    existing = target.get(key, MISSING)
    if isinstance(existing, dict):
        return existing
    new: dict[str, Any] = {}
    if isinstance(existing, RMerge):
        if existing.items and isinstance(existing.items[-1], dict):
            last: dict[str, Any] = existing.items[-1]
            return last
        existing.items.append(new)
    elif isinstance(existing, _UNRESOLVED):
        target[key] = RMerge([existing, new])
    else:
        target[key] = new
    return new


def _assign(target: dict[str, Any], key: str, new: Any) -> None:
    existing = target.get(key, MISSING)
    if new is MISSING:
        return
    if isinstance(new, dict):
        merged = _descend(target, key)
        for k, v in new.items():
            _assign(merged, k, v)
    elif isinstance(new, _UNRESOLVED) and existing is not MISSING:
        target[key] = RMerge([existing, new])
    else:
        target[key] = new


def text_of(value: Any) -> str:
    """A scalar as HOCON text: a string as it is, ``true``/``false``/``null``, a number as Python writes it
    (which reads back as the same number)."""
    spelled = keyword(value, null="null")
    if spelled is not None:
        return spelled
    if isinstance(value, str):
        return value
    return repr(value) if isinstance(value, float) else str(value)


def join(items: Iterable[Any]) -> Any:
    """Concatenate resolved parts as Lightbend does: strings join, objects merge, arrays append."""
    values = [item for item in items if item is not MISSING]
    solid = [v for v in values if isinstance(v, (dict, list))]
    if not solid:
        if not values:
            return MISSING
        if len(values) == 1 and not isinstance(values[0], Ws):
            return values[0].value if isinstance(values[0], Word) else values[0]
        return "".join(text_of(v) for v in values)
    values = [v for v in values if not isinstance(v, Ws)]
    if all(isinstance(v, dict) for v in values):
        result: dict[str, Any] = {}
        for v in values:
            _merge_plain(result, v)
        return result
    if all(isinstance(v, list) for v in values):
        return [x for v in values for x in v]
    raise _TypeClashError("cannot concatenate an object or array with a value of another type")


def _merge_plain(target: dict[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        old = target.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged = dict(old)
            _merge_plain(merged, value)
            target[key] = merged
        else:
            target[key] = value


def build_raw(text: str, root: Obj, source: str) -> dict[str, Any]:
    """Phase one: the merged raw tree of ``root``; raises :class:`ParseError` for type clashes."""
    builder = _Builder(text, source)
    builder.members(builder.root, root, ())
    return builder.root


def _start(node: Any) -> int:
    """Where an unresolved node begins in the text: a merge's first part that a substitution decides
    (a merge is made only when one does)."""
    if isinstance(node, RMerge):
        return next(_start(item) for item in node.items if isinstance(item, _UNRESOLVED))
    start: int = node.start
    return start


def _expression(node: Any) -> str:
    if isinstance(node, RSubst):
        return "${" + ("?" if node.optional else "") + ".".join(_quote_key(k) for k in node.path) + "}"
    if isinstance(node, RConcat):
        return "".join(_expression(p) for p in node.parts)
    if isinstance(node, RMerge):
        return " <- ".join(_expression(p) for p in node.items)
    if isinstance(node, RLookup):
        return f"({_expression(node.base)}).{'.'.join(node.path)}"
    if node is MISSING:
        return ""
    if isinstance(node, Ws):
        return str(node)
    if isinstance(node, (dict, list)):
        return repr(unresolved_view(node))
    if isinstance(node, str):
        return '"' + node.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text_of(node)


def _quote_key(key: str) -> str:
    if key and all(c.isalnum() or c in "-_" for c in key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unresolved_view(node: Any) -> Any:
    """The raw tree as plain values, each substitution-dependent value replaced by an :class:`Unresolved`."""
    if isinstance(node, dict):
        return {k: unresolved_view(v) for k, v in node.items() if v is not MISSING}
    if isinstance(node, list):
        return [unresolved_view(v) for v in node if v is not MISSING]
    if isinstance(node, _UNRESOLVED):
        return Unresolved(_expression(node))
    return node


class _Resolver:
    def __init__(self, root: dict[str, Any], env: Mapping[str, str] | None, text: str, source: str) -> None:
        self.root = root
        self.env = env
        self.text = text
        self.source = source
        self.memo: dict[int, Any] = {}
        self.active: set[int] = set()

    def resolve(self, node: Any) -> Any:
        if isinstance(node, dict):
            key = id(node)
            if key in self.memo:
                return self.memo[key]
            out = {}
            for k, v in node.items():
                r = self.resolve(v)
                if r is not MISSING:
                    out[k] = r
            self.memo[key] = out
            return out
        if isinstance(node, list):
            return [r for r in (self.resolve(v) for v in node) if r is not MISSING]
        if not isinstance(node, _UNRESOLVED):
            return node
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if key in self.active:
            raise self.error(_start(node), f"cycle in substitutions at {_expression(node)}")
        self.active.add(key)
        try:
            result = self._resolve_unresolved(node)
        finally:
            self.active.discard(key)
        self.memo[key] = result
        return result

    def error(self, offset: int, message: str) -> ResolveError:
        return ResolveError.at(self.text, offset, message, source=self.source)

    def _resolve_unresolved(self, node: Any) -> Any:
        if isinstance(node, RSubst):
            return self.lookup(node.path, node.optional, node.env_only, start=node.start)
        if isinstance(node, RConcat):
            try:
                return join(self.resolve(p) if not isinstance(p, Ws) else p for p in node.parts)
            except _TypeClashError as exc:
                raise self.error(node.start, str(exc)) from None
        if isinstance(node, RMerge):
            result: Any = MISSING
            for item in node.items:
                value = self.resolve(item)
                if value is MISSING:
                    continue
                if isinstance(result, dict) and isinstance(value, dict):
                    merged = dict(result)
                    _merge_plain(merged, value)
                    result = merged
                else:
                    result = value
            return result
        assert isinstance(node, RLookup)
        value = self.resolve(node.base)
        for key in node.path:
            if not isinstance(value, dict) or key not in value:
                if node.optional:
                    return MISSING
                raise self.error(node.start, f"could not resolve substitution to a value: {_expression(node)}")
            value = value[key]
        return value

    def lookup(self, path: tuple[str, ...], optional: bool, env_only: bool = False, *, start: int = 0) -> Any:
        """The resolved value at ``path`` (``MISSING`` when absent and ``optional``); ``start`` is where
        the substitution asking for it is, for the error when it is absent and not ``optional``."""
        node: Any = MISSING if env_only else self.root
        for key in path:
            if node is MISSING:
                break
            if isinstance(node, _UNRESOLVED):
                node = self.resolve(node)
            if not isinstance(node, dict) or key not in node:
                node = MISSING
                break
            node = node[key]
        if node is not MISSING:
            node = self.resolve(node)
        if node is MISSING and self.env is not None and len(path) == 1 and path[0] in self.env:
            return self.env[path[0]]
        if node is MISSING and not optional:
            shown = "${" + ".".join(_quote_key(k) for k in path) + "}"
            raise self.error(start, f"could not resolve substitution to a value: {shown}")
        return node


def resolve_raw(root: dict[str, Any], env: Mapping[str, str] | None, text: str, source: str) -> dict[str, Any]:
    """Phase two: resolve every substitution against ``root`` (then ``env`` when given); ``root`` was built
    from ``text``, which errors quote as ``source``."""
    result = _Resolver(root, env, text, source).resolve(root)
    assert isinstance(result, dict)
    return result


def resolve_path(
    root: dict[str, Any], path: tuple[str, ...], env: Mapping[str, str] | None, text: str, source: str
) -> Any:
    """The resolved value at ``path`` (``MISSING`` when absent), resolving only what it depends on; errors
    as :func:`resolve_raw`."""
    return _Resolver(root, env, text, source).lookup(path, optional=True)


# -- paths in the plain meaning (what ``to_dict()`` gives), for reading and for checking an edit ----------

#: What :func:`lookup` gives for a path that has no value (``None`` is HOCON's ``null``, a value).
ABSENT: Any = object()


def lookup(tree: Any, elements: tuple[str, ...]) -> Any:
    node = tree
    for key in elements:
        if not isinstance(node, dict) or key not in node:
            return ABSENT
        node = node[key]
    return node


def store(tree: dict[str, Any], elements: tuple[str, ...], value: Any) -> None:
    node = tree
    for key in elements[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[elements[-1]] = copy.deepcopy(value)


def delete(tree: dict[str, Any], elements: tuple[str, ...]) -> None:
    node = lookup(tree, elements[:-1])
    if isinstance(node, dict):
        node.pop(elements[-1], None)


def _canon(value: Any) -> Any:
    """A form where ``True`` differs from ``1`` and ``1`` from ``1.0``, for exact comparisons."""
    if isinstance(value, dict):
        return ("d", {k: _canon(v) for k, v in value.items()})
    if isinstance(value, list):
        return ("l", [_canon(v) for v in value])
    return (type(value).__name__, value)


def same(a: Any, b: Any) -> bool:
    if a is ABSENT or b is ABSENT:
        return a is b
    return bool(_canon(a) == _canon(b))


def pruned(tree: dict[str, HoconValue], removed: list[tuple[str, ...]]) -> list[dict[str, HoconValue]]:
    """``tree``, then ``tree`` less each further object that removing ``removed`` left empty, one level at a
    time: removing ``a.b`` from ``a.b = 1`` takes ``a`` too, from ``a { b = 1 }`` leaves ``a {}``; both
    read right, and which one the text gives depends on what other fields still make ``a``."""
    variants = [tree]
    pruned = copy.deepcopy(tree)
    for elements in removed:
        for depth in range(len(elements) - 1, 0, -1):
            if lookup(pruned, elements[:depth]) != {}:
                break
            delete(pruned, elements[:depth])
            variants.append(copy.deepcopy(pruned))
    return variants
