"""Intended meaning: what a recipe wants each setting to be, checked against a reader's view.

A file's meaning is a nested dict (as an independent reader returns it), flattened to
``{("jicofo", "authentication", "enabled"): True, ...}``. An :class:`Intent` names the leaves a
recipe wants (or wants gone) and the subtrees it creates wholesale. The same intent serves the audit
(which wanted settings are not yet so) and the verification of a planned edit (the meaning changed
exactly there and nowhere else).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from jitsi_secure.formats import REMOVE

__all__ = ["ABSENT", "Finding", "Intent", "SettingPath", "StrayChange", "flatten", "unintended_changes", "unmet"]

SettingPath = tuple[str, ...]


#: The value of a setting (or subtree) that must not be there: the documents' own :data:`REMOVE`, so
#: an intent's "gone" and an edit's "remove" are one sentinel.
ABSENT: Final = REMOVE


@dataclass(frozen=True)
class Intent:
    """What a recipe wants of one file's meaning.

    Attributes:
        wanted: setting path to wanted value, or :data:`ABSENT` for "this setting or subtree is gone".
        created: subtrees the edit creates as a whole (a new Prosody section); leaves under them that
            ``wanted`` does not name may appear (a reader's bookkeeping such as ``defined``).
        secret: paths whose values are secrets: findings about them never show a value.
    """

    wanted: Mapping[SettingPath, Any] = field(default_factory=dict)
    created: frozenset[SettingPath] = frozenset()
    secret: frozenset[SettingPath] = frozenset()

    def covers(self, path: SettingPath) -> bool:
        """Whether the edit may change ``path``."""
        return any(path[: len(p)] == p for p in (*self.wanted, *self.created))


@dataclass(frozen=True)
class Finding:
    """A setting that is not yet as the spec wants, in words a user understands."""

    file: str
    setting: str
    current: str
    wanted: str

    @property
    def message(self) -> str:
        """One line: where, what is there, what should be there."""
        return f"{self.file}: {self.setting} is {self.current}, should be {self.wanted}"


def flatten(meaning: Mapping[str, Any]) -> dict[SettingPath, Any]:
    """``{"a": {"b": 1}}`` as ``{("a", "b"): 1}``; lists and empty dicts are leaves."""
    flat: dict[SettingPath, Any] = {}
    stack: list[tuple[SettingPath, Mapping[str, Any]]] = [((), meaning)]
    while stack:
        prefix, node = stack.pop()
        for key, value in node.items():
            path = (*prefix, str(key))
            if isinstance(value, Mapping) and value:
                stack.append((path, value))
            else:
                flat[path] = value
    return flat


def _under(flat: Mapping[SettingPath, Any], prefix: SettingPath) -> Iterator[SettingPath]:
    return (p for p in flat if p[: len(prefix)] == prefix)


def unmet(
    intent: Intent, flat: Mapping[SettingPath, Any], describe: Callable[[SettingPath], str], file: str
) -> list[Finding]:
    """The wanted settings that ``flat`` does not have yet."""
    findings = []
    for path, wanted in intent.wanted.items():
        if path in intent.secret:
            if wanted is ABSENT and path in flat:
                findings.append(Finding(file, describe(path), "set", "absent"))
            elif wanted is not ABSENT and not _same(flat.get(path, ABSENT), wanted):
                findings.append(
                    Finding(file, describe(path), "different" if path in flat else "not set", "the given secret")
                )
        elif wanted is ABSENT:
            present = list(_under(flat, path))
            if present:
                current = _show(flat[path]) if path in flat else "present"
                findings.append(Finding(file, describe(path), current, "absent"))
        elif path not in flat:
            findings.append(Finding(file, describe(path), "not set", _show(wanted)))
        elif not _same(flat[path], wanted):
            findings.append(Finding(file, describe(path), _show(flat[path]), _show(wanted)))
    return findings


@dataclass(frozen=True)
class StrayChange:
    """A setting whose meaning an edit changed although its intent does not touch it.

    Attributes:
        path: the setting's path in the reader's meaning.
        how: what changed, never the values (one may be a secret): ``"added"``, ``"removed"`` or
            ``"changed value"``.
    """

    path: SettingPath
    how: str

    @property
    def name(self) -> str:
        """The path as ``a.b.c``."""
        return ".".join(self.path)


def unintended_changes(
    before: Mapping[SettingPath, Any], after: Mapping[SettingPath, Any], intent: Intent
) -> list[StrayChange]:
    """Settings whose meaning changed although the intent does not touch them, sorted by path.

    An empty object that gains members (``jicofo {}`` given ``jicofo.authentication``), or loses its
    last ones, is no change of its own: flattening makes it a leaf only while it is empty, and its
    members are compared one by one.
    """
    stray = []
    for path in before.keys() | after.keys():
        old, new = before.get(path, ABSENT), after.get(path, ABSENT)
        if _same(old, new) or intent.covers(path):
            continue
        if _filled_or_emptied(path, old, new, before, after):
            continue
        how = "added" if old is ABSENT else "removed" if new is ABSENT else "changed value"
        stray.append(StrayChange(path, how))
    return sorted(stray, key=lambda change: change.path)


def _filled_or_emptied(
    path: SettingPath, old: Any, new: Any, before: Mapping[SettingPath, Any], after: Mapping[SettingPath, Any]
) -> bool:
    """Whether ``path`` is an empty object on one side and an object with members on the other."""
    if _empty_object(old) and new is ABSENT:
        return any(p != path for p in _under(after, path))
    if _empty_object(new) and old is ABSENT:
        return any(p != path for p in _under(before, path))
    return False


def _empty_object(value: Any) -> bool:
    return isinstance(value, Mapping) and not value


def _same(a: Any, b: Any) -> bool:
    # True == 1 in Python, but a config that says `true` where it said `1` means something else.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)
