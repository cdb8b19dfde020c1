"""What every format document is: the shared Protocol, the ``Computed`` marker and the ``REMOVE`` sentinel.

The five documents (properties, dotenv, HOCON, Lua, config.js) differ inside, not outside: each one
parses losslessly, reads a meaning, and edits by a batch of splices verified once. This module names
that shared face so callers (the recipes, ``jitsi_secure.load()``, scripted migrations) can be typed
against it, and so mypy checks that every document keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol, Self, TypeAlias, final, runtime_checkable

from jitsi_secure._core.splice import Splice

__all__ = ["COMMENT_OUT", "REMOVE", "CommentOut", "Computed", "Document", "PathLike", "Remove"]

#: A path into a document: a string in the format's own path syntax, or a tuple of keys.
PathLike: TypeAlias = str | tuple[str | None, ...]


@dataclass(frozen=True)
class Computed:
    """A value the document cannot give without running code: an expression (Lua, JavaScript), a
    substitution (HOCON ``${X}``), a template variable (``.env`` ``${X}``).

    Attributes:
        text: the source text that computes the value, as written in the file.
    """

    text: str

    def __str__(self) -> str:
        return self.text

    # The names the three earlier markers used (Lua's ``LuaExpression.source``, HOCON's
    # ``Unresolved.expression``), kept so code written against them still reads.
    @property
    def source(self) -> str:
        """The same as :attr:`text` (the name ``LuaExpression`` used)."""
        return self.text

    @property
    def expression(self) -> str:
        """The same as :attr:`text` (the name HOCON's ``Unresolved`` used)."""
        return self.text


@final
class Remove:
    """The type of :data:`REMOVE`; there is one instance."""

    _instance: Remove | None = None

    def __new__(cls) -> Remove:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REMOVE"

    def __reduce__(self) -> str:
        return "REMOVE"


#: In ``doc.edit({path: REMOVE})``: remove the key at that path.
REMOVE: Final = Remove()


@dataclass(frozen=True)
class CommentOut:
    """In ``doc.edit({path: CommentOut(...)})``: the setting goes by being commented out (its lines
    stay, each behind the format's comment marker, as packages ship unused settings), not deleted.

    The batch's other changes and the comment-out are made together, verified once; a path the
    document does not set is no change (nothing is written).

    Attributes:
        placeholder: a value written in place of the current one before the lines are commented out
            (Debian's ``example_app_secret``), so that the comment never keeps a real secret; ``None``
            comments the lines out as they are.
    """

    placeholder: Any = None


#: In ``doc.edit({path: COMMENT_OUT})``: comment the setting's lines out as they are.
COMMENT_OUT: Final = CommentOut()


@runtime_checkable
class Document(Protocol):
    """What every format document offers (``jitsi_secure.formats.properties``, ``dotenv``, ``hocon``,
    ``lua`` and ``js``).

    Documents are immutable: every edit returns a new document (the same object when nothing changes).
    A path is a string in the format's own syntax or a tuple of keys (each format page says which).
    """

    @property
    def source(self) -> str:
        """The file name (or ``"<string>"``) used in error messages."""
        ...

    @property
    def applied(self) -> tuple[Splice, ...]:
        """The splices that turned the parent document's text into this one (``()`` for a parsed one)."""
        ...

    def render(self) -> str:
        """The document's text, byte for byte."""
        ...

    def to_dict(self) -> Mapping[str, Any]:
        """The whole meaning as plain values, :class:`Computed` where code decides a value."""
        ...

    def get(self, path: Any, default: Any = None) -> Any:
        """The value at ``path``, or ``default`` when nothing sets it."""
        ...

    def __contains__(self, path: object) -> bool: ...

    def line_of(self, path: Any) -> int | None:
        """The 1-based line of the setting that decides ``path``'s value (the last one that sets it), or
        ``None`` when nothing in this document sets it; lines are counted as the format ends them."""
        ...

    def set(self, path: Any, value: Any) -> Self:
        """A document where ``path`` reads as ``value``: ``edit({path: value})``."""
        ...

    def remove(self, path: Any, *, comment_out: bool = False) -> Self:
        """A document without ``path`` (its lines commented out with ``comment_out=True``)."""
        ...

    def edit(self, changes: Mapping[Any, Any]) -> Self:
        """All ``changes`` (path to value, to :data:`REMOVE`, or to a :class:`CommentOut`) as one batch
        of splices, verified once."""
        ...
