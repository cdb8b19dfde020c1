"""The one engine every recipe goes through: a recipe declares, the engine audits, edits and verifies.

A recipe returns a :class:`Declaration` for one document: what each setting must say (a value, or
gone: :data:`~jitsi_secure.formats.REMOVE` deletes it, :class:`~jitsi_secure.formats.CommentOut` keeps it as a comment),
which settings are secret, and the typed :data:`Step` s for what a setting cannot say (a section
added or removed, members of a list). From that one declaration the engine derives

- the :class:`~jitsi_secure.secure_domain._intent.Intent` the audit and the verification compare the
  reader's meaning with (:func:`intent`), and
- the edit (:func:`edit`): every setting in one ``edit`` batch of the document (a
  :class:`~jitsi_secure.formats.CommentOut` is a change like any other), then the lists, then the
  section steps.

So ``check``, ``apply`` and ``revert`` cannot drift apart: there is no second copy of the intent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeAlias, TypeVar

from jitsi_secure._core.document import Document
from jitsi_secure.errors import EditError
from jitsi_secure.formats import CommentOut, Computed, Remove
from jitsi_secure.secure_domain._intent import ABSENT, Finding, Intent, SettingPath, flatten, unmet

if TYPE_CHECKING:
    from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = [
    "AddSection",
    "Declaration",
    "ListMembers",
    "Opaque",
    "Recipe",
    "RemoveSection",
    "Step",
    "commented_members",
    "edit",
    "intent",
]


@dataclass(frozen=True)
class Opaque:
    """A value the file computes (Prosody 13's ``FileContents(...)``): written as ``value``, read by a
    reader that does not follow files as ``reads_as``."""

    value: Computed
    reads_as: str


@dataclass(frozen=True)
class AddSection:
    """A new section (a Prosody ``VirtualHost``) with its options, placed after the section ``after``."""

    kind: str
    name: str
    options: Mapping[str, Any]
    after: str | None = None


@dataclass(frozen=True)
class RemoveSection:
    """A section that goes, with everything in it (an absent one is no change)."""

    name: str


@dataclass(frozen=True)
class ListMembers:
    """Members a list of strings (a ``modules_enabled``) must have or must not have.

    A member to add that the list has commented out is uncommented where that comment is; any other
    goes at the end. Members in ``comment_out`` that go are commented out (as the packaging ships
    them), the other ones deleted.
    """

    path: SettingPath
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    comment_out: tuple[str, ...] = ()


Step: TypeAlias = AddSection | RemoveSection | ListMembers


@dataclass(frozen=True)
class Declaration:
    """What one file must say once the change is made.

    Attributes:
        settings: setting path to the value it must read as; :data:`~jitsi_secure.formats.REMOVE`
            (deleted) or a :class:`~jitsi_secure.formats.CommentOut` for a setting that must not be
            there; an :class:`Opaque` for a value the file computes.
        secret: paths whose values are secrets (findings never show them).
        steps: what settings cannot say, in the order the engine runs them after the settings' edit.
    """

    settings: Mapping[SettingPath, Any] = field(default_factory=dict)
    secret: frozenset[SettingPath] = frozenset()
    steps: tuple[Step, ...] = ()


D = TypeVar("D")
D_contra = TypeVar("D_contra", contravariant=True)
R = TypeVar("R", bound=Document)


class Declare(Protocol[D_contra]):
    """A recipe's ``declare``: what a document must say once ``spec`` is applied (or reverted)."""

    def __call__(self, document: D_contra, spec: SecureDomain, *, revert: bool = ...) -> Declaration: ...


@dataclass(frozen=True)
class Recipe(Generic[R]):
    """A recipe's ``intent``, ``apply``, ``revert`` and ``audit``, all derived from its ``declare``."""

    declare: Declare[R]
    describe: Callable[[SettingPath], str]

    def intent(self, document: R, spec: SecureDomain, *, revert: bool = False) -> Intent:
        """The meaning the file should have after applying (or reverting) ``spec``."""
        return intent(document, self.declare(document, spec, revert=revert))

    def apply(self, document: R, spec: SecureDomain) -> R:
        """The document with ``spec`` applied."""
        return edit(document, self.declare(document, spec))

    def revert(self, document: R, spec: SecureDomain) -> R:
        """The document with ``spec`` taken back."""
        return edit(document, self.declare(document, spec, revert=True))

    def audit(self, document: R, spec: SecureDomain, *, file: str) -> list[Finding]:
        """The settings (by the document's own meaning) that are not yet as ``spec`` wants."""
        meaning = document.to_dict()
        return unmet(self.intent(document, spec), flatten(meaning), self.describe, file)


def intent(document: Any, declaration: Declaration) -> Intent:
    """What the reader's meaning of ``document`` must be once ``declaration`` is made true."""
    wanted: dict[SettingPath, Any] = {path: _reads_as(value) for path, value in declaration.settings.items()}
    created: set[SettingPath] = set()
    for step in declaration.steps:
        if isinstance(step, AddSection):
            created.add((step.name,))
            wanted.update({(step.name, option): _reads_as(value) for option, value in step.options.items()})
        elif isinstance(step, RemoveSection):
            wanted[(step.name,)] = ABSENT
        else:
            current, new = _lists(document, step)
            if new != current:
                wanted[step.path] = new
    return Intent(wanted, frozenset(created), declaration.secret)


def edit(document: D, declaration: Declaration) -> D:
    """``document`` edited to say what ``declaration`` declares (the same object when it already does).

    The settings are one ``edit`` batch, verified once. Where a batch puts new keys is the format's
    rule: ``.properties`` and ``.env`` place them as the same changes made in declaration order would
    (``USER_ID`` uncommented in the batch is the anchor of the ``PASS`` line added after it); Lua,
    HOCON and config.js put a section's or an object's new keys together, in declaration order, after
    its last existing one (an example the batch uncomments stays where it is). Then the lists, then
    the section steps, each an explicit edit of its own.
    """
    editable: Any = document
    if declaration.settings:
        editable = editable.edit({path: _written(value) for path, value in declaration.settings.items()})
    for step in declaration.steps:
        if isinstance(step, ListMembers):
            current, new = _lists(editable, step)
            kept = [m for m in current if m in step.comment_out and m not in new]
            if kept:
                # Delete and add first; the members that stay as comments are commented out after (Lua's
                # edit(comment_out=True): list entries are the Prosody recipe's only).
                editable = editable.edit({step.path: [m for m in current if m in kept or m in new]})
                editable = editable.edit({step.path: new}, comment_out=True)
            elif new != current:
                editable = editable.edit({step.path: new})
    for step in declaration.steps:
        if isinstance(step, RemoveSection):
            if _has_section(editable, step.name):
                editable = editable.remove_section(step.name)
        elif isinstance(step, AddSection):
            options = {option: _written(value) for option, value in step.options.items()}
            editable = editable.add_section(step.kind, step.name, options, after=step.after)
    result: D = editable
    return result


def _reads_as(value: Any) -> Any:
    if isinstance(value, Remove | CommentOut):
        return ABSENT
    return value.reads_as if isinstance(value, Opaque) else value


def _written(value: Any) -> Any:
    return value.value if isinstance(value, Opaque) else value


def _has_section(document: Any, name: str) -> bool:
    return any((s.name or "").lower() == name.lower() for s in document.sections())


def _lists(document: Any, step: ListMembers) -> tuple[list[Any], list[Any]]:
    """The list at ``step.path`` now, and with ``step``'s members in and out (a member the list has
    commented out goes where that comment is: setting the list then uncomments it in place)."""
    current = _members(document, step.path)
    remaining = [m for m in current if m not in step.remove]
    missing = [m for m in step.add if m not in remaining]
    places = {value: position for position, value in reversed(commented_members(document, step.path))}
    result = list(current)
    for member in sorted((m for m in missing if m in places), key=lambda m: places[m], reverse=True):
        result.insert(places[member], member)
    result = [m for m in result if m not in step.remove]
    return current, result + [m for m in missing if m not in places]


def _members(document: Any, path: SettingPath) -> list[Any]:
    section, option = path
    current = document.get(path) if option in document.options(section) else []
    if not isinstance(current, list):
        raise EditError(f'"{section}": {option} is not a plain list; edit it by hand', source=document.source)
    return current


def commented_members(document: Any, path: SettingPath) -> list[tuple[int, Any]]:
    """The list at ``path``'s commented-out members, each with the position it would take in the list."""
    section, option = path
    if option not in document.options(section):
        return []
    entries: list[tuple[int, Any]] = document.commented_entries(path)
    return entries
