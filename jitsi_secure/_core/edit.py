"""The verified-edit step every format document ends an edit with, and reading a document's file.

An edit is a batch of splices on the original text. The batch is applied once, the result parsed
once, and its meaning compared once with the meaning asked for: a 20-key migration costs about two
parses, not twenty. The new document records the splices that made it (``applied``).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Sequence
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from jitsi_secure._core.splice import Splice, apply_splices
from jitsi_secure._core.write import read_text
from jitsi_secure.errors import EditError, ParseError

__all__ = ["names_source", "read_source", "verified_edit"]

D = TypeVar("D")
R = TypeVar("R")
P = ParamSpec("P")


class _Sourced(Protocol):
    @property
    def source(self) -> str: ...


S = TypeVar("S", bound=_Sourced)


def names_source(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """``method`` of a document, its :class:`EditError` attributed to the document's ``source``.

    The renderers, path parsers and splice checks below a document do not know its file; each public
    edit method (``edit``, ``set``, ``remove``, ...) wears this, so every error a user gets from one names
    the file, and one that already does is left as it is.
    """

    @functools.wraps(method)
    def named(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except EditError as exc:
            if exc.source is not None:
                raise
            raise exc.with_source(self.source).with_traceback(exc.__traceback__) from exc.__cause__

    return named


#: What ``read_text`` makes of bytes it cannot decode (``surrogateescape``).
_UNDECODED = re.compile("[\udc80-\udcff]")


def verified_edit(
    text: str,
    splices: Sequence[Splice],
    *,
    source: str,
    reparse: Callable[[str], D],
    problem: Callable[[D], str | None],
) -> D:
    """The document ``splices`` make of ``text``, provided it parses and ``problem(new)`` finds nothing.

    Raises :class:`EditError` naming ``source`` and the splices' reasons otherwise; nothing is changed.
    """
    ordered = tuple(sorted(splices, key=lambda s: (s.start, s.end)))
    reasons = ", ".join(dict.fromkeys(s.reason for s in ordered if s.reason)) or "edit"
    try:
        new = reparse(apply_splices(text, splices))
    except ParseError as exc:
        # The parser's message can quote the text near the fault, and that text may be a secret value:
        # the position is enough to find the renderer's mistake.
        where = f"line {exc.line}, column {exc.column}"
        raise EditError(
            f"the edit ({reasons}) would not parse (at {where}); nothing was changed", source=source
        ) from None
    found = problem(new)
    if found is not None:
        raise EditError(
            f"the edit ({reasons}) would not read as intended ({found}); nothing was changed", source=source
        )
    # Frozen documents: ``applied`` is set once, here, on the object nobody else has seen yet.
    object.__setattr__(new, "applied", ordered)
    return new


def read_source(path: str | os.PathLike[str], *, encoding: str = "utf-8", strict: bool = True) -> str:
    """The text of the file at ``path``, line endings untouched.

    ``strict``: a byte sequence invalid in ``encoding`` is a :class:`ParseError` at its line and column
    (otherwise undecodable bytes are kept as they are, see :func:`jitsi_secure.read_text`). A file that
    cannot be read (missing, a folder, no permission) raises :class:`~jitsi_secure.errors.ReadError`.
    """
    name = os.fspath(path)
    text = read_text(path, encoding=encoding)
    if not strict:
        return text
    try:
        text.encode(encoding)
    except UnicodeEncodeError as exc:
        # The excerpt shows each undecodable byte as U+FFFD (one character each: columns stay right).
        shown = _UNDECODED.sub("\ufffd", text)
        raise ParseError.at(shown, exc.start, f"this is not valid {encoding} text", source=name) from None
    return text
