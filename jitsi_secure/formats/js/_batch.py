"""The plan of one ``edit``: which splices make the batch's changes, and the meaning they must give.

Each change is computed against the original text by the editor (:mod:`._edit`); new keys of one
object are gathered so that they are inserted together (one comma, one place). The document keeps
beside it the meaning the edited text must have (:func:`put`, :func:`pop`, :func:`holds` on a plain
dict), which the verification step compares with the reparsed text.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence

from jitsi_secure._core.document import COMMENT_OUT, REMOVE
from jitsi_secure._core.splice import Splice
from jitsi_secure.errors import EditError
from jitsi_secure.formats.js._edit import Editor
from jitsi_secure.formats.js._model import MISSING, JsValue, ObjNode, lookup, lookup_node, same

__all__ = ["Batch", "common_length", "holds", "merged", "normalise", "overlapping", "pop", "put"]


class Batch:
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

    def remove(self, keys: tuple[str, ...], *, commented: bool = False) -> None:
        """Take ``keys`` out: commented out when this change or the whole batch asks for it."""
        self.removals.append((keys, commented or self.comment_out))
        self.steps.append((keys, COMMENT_OUT if commented else REMOVE))

    def set(self, keys: tuple[str, ...], value: object) -> None:
        editor = self.editor
        current = lookup_node(editor.model.root, keys)
        if isinstance(current, ObjNode) and isinstance(value, dict):
            # A dict over an object: key by key, so the object's comments and layout stay.
            for key, item in value.items():
                now = lookup(editor.model.root, (*keys, key))
                if now is MISSING or not same(now, item):
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
        items[rest[0]] = merged(items.get(rest[0], MISSING), nested)
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


def common_length(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def overlapping(splices: Sequence[Splice]) -> bool:
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    return any(b.start < a.end for a, b in itertools.pairwise(ordered))


def merged(old: object, new: object) -> object:
    """Two new values for one new key of a batch: dicts merge (the later wins), else the later one."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for key, value in new.items():
            out[key] = merged(out.get(key, MISSING), value)
        return out
    return new


def normalise(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    return value


def put(data: dict[str, JsValue], keys: tuple[str, ...], value: object) -> None:
    for index, key in enumerate(keys[:-1]):
        child = data.setdefault(key, {})
        if not isinstance(child, dict):
            # Only another change of the same batch can make it so (``a = 1`` and ``a.b = 2``).
            raise EditError(f"set {'.'.join(keys)}: {'.'.join(keys[: index + 1])} is not an object")
        data = child
    data[keys[-1]] = copy.deepcopy(value)  # type: ignore[assignment]


def holds(data: object, keys: tuple[str, ...]) -> bool:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def pop(data: dict[str, JsValue], keys: tuple[str, ...]) -> None:
    for key in keys[:-1]:
        child = data.get(key)
        if not isinstance(child, dict):
            return  # another change of the batch removed or replaced the object
        data = child
    data.pop(keys[-1], None)
