"""The errors jitsi-secure raises on purpose.

Everything the package raises deliberately derives from :class:`JitsiSecureError`, so a caller (or the
CLI) can catch one type and show a clean message. Anything else escaping the package is a bug.
"""

from __future__ import annotations

from typing import Self

__all__ = [
    "EditError",
    "JitsiSecureError",
    "LocatedError",
    "ParseError",
    "ReadError",
    "VerificationError",
    "WriteError",
    "line_and_column",
]


class JitsiSecureError(Exception):
    """Base class of every error jitsi-secure raises on purpose."""


class LocatedError(JitsiSecureError):
    """An error at a place in a text: :class:`ParseError`, and HOCON's ``ResolveError``.

    ``str()`` reads ``source:line:column: message`` followed by the offending line and a caret under
    the column, so it can be shown to a user as it is.

    Attributes:
        source: the file name (or ``"<string>"``) the text came from.
        line: 1-based line number.
        column: 1-based column, counted in characters (code points).
        message: what was expected or found, without the position.
        excerpt: the offending line without its line ending ("" when unknown).
    """

    def __init__(
        self, message: str, *, source: str = "<string>", line: int = 1, column: int = 1, excerpt: str = ""
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.excerpt = excerpt
        super().__init__(self._render())

    @classmethod
    def at(cls, text: str, offset: int, message: str, *, source: str = "<string>") -> Self:
        """Build the error for character ``offset`` of ``text``, computing line, column and excerpt."""
        line, column = line_and_column(text, offset)
        return cls(message, source=source, line=line, column=column, excerpt=_line_text(text, offset))

    def _render(self) -> str:
        head = f"{self.source}:{self.line}:{self.column}: {self.message}"
        if not self.excerpt:
            return head
        # Tabs are kept in the caret line so the caret lines up under a tab-indented excerpt.
        pad = "".join("\t" if ch == "\t" else " " for ch in self.excerpt[: self.column - 1])
        return f"{head}\n    {self.excerpt}\n    {pad}^"


class ParseError(LocatedError):
    """Text that is not valid in its format, at a place (see :class:`LocatedError` for ``str()`` and the
    attributes)."""

    def with_source(self, source: str) -> ParseError:
        """The same error attributed to another source name (a file path, for instance)."""
        return ParseError(self.message, source=source, line=self.line, column=self.column, excerpt=self.excerpt)


class EditError(JitsiSecureError):
    """An edit that cannot be made: a path that does not fit the document, overlapping splices, or an
    edit whose result would not mean what was asked.

    ``str()`` reads ``source: message``. A document's ``edit``, ``set``, ``remove``, ``get`` (and Lua's
    ``add_section``/``remove_section``) always raise it with their ``source``; the message names paths,
    keys and type names, never a value (values may be secrets).

    Attributes:
        message: what is wrong, without the file name.
        source: the file name (or ``"<string>"``); ``None`` while the error has not reached a document.
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(message if source is None else f"{source}: {message}")

    def with_source(self, source: str) -> EditError:
        """The same error attributed to ``source`` (a file path, for instance)."""
        return EditError(self.message, source=source)


class VerificationError(JitsiSecureError):
    """A new text that an independent reader of its format does not read as intended."""


class WriteError(JitsiSecureError):
    """A file that could not be read or written safely; the file on disk is unchanged."""


class ReadError(WriteError):
    """A file that could not be read (missing, a folder, no permission); ``str()`` names the file and the
    system's reason.

    The readers (``read_text``, every format's ``load_file``, ``load``) raise it, and so does a write that
    cannot read the file it would replace. It is a :class:`WriteError`, which they raised before it
    existed, so ``except WriteError`` still catches it.
    """


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``; ``\\r\\n``, ``\\r`` and ``\\n`` all end a line."""
    offset = max(0, min(offset, len(text)))
    head = text[:offset]
    line = 1 + head.count("\n") + head.count("\r") - head.count("\r\n")
    line_start = max(head.rfind("\n"), head.rfind("\r")) + 1
    return line, offset - line_start + 1


def _line_text(text: str, offset: int) -> str:
    offset = max(0, min(offset, len(text)))
    start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    ends = [i for i in (text.find("\n", offset), text.find("\r", offset)) if i != -1]
    end = min(ends) if ends else len(text)
    excerpt = text[start:end]
    # A minified or generated file can have one huge line; an error message must stay readable.
    return excerpt if len(excerpt) <= 200 else excerpt[:200] + "..."
