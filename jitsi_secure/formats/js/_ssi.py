"""nginx SSI ``echo`` directives in config.js: the text as nginx serves it, and the way back to the disk.

jitsi-meet's nginx site turns ``ssi on`` for config.js, so ``<!--# echo var="subdomain" default="" -->``
is replaced before any browser sees the file. Its double-quoted form inside a double-quoted string is
not JavaScript until then. Parsers therefore read the *served* text (each directive replaced by its
``default``, which is what nginx sends when the variable is not set), while offsets are mapped back to
the text on disk, which is what the document keeps and edits.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from jitsi_secure.errors import ParseError

__all__ = ["MARKER", "Served", "serve"]

#: What starts an SSI directive (nginx: ``<!--#`` then the command).
MARKER = "<!--#"

_DIRECTIVE = re.compile(
    r"<!--#[ \t]*(?P<command>[A-Za-z]*)(?P<params>(?:[ \t]+[A-Za-z_]+=(?:\"[^\"]*\"|'[^']*'))*)[ \t]*-->"
)
_PARAM = re.compile(r"([A-Za-z_]+)=(?:\"([^\"]*)\"|'([^']*)')")
#: What nginx prints for ``echo`` when the variable is unset and no ``default`` is given.
_NGINX_NONE = "(none)"


@dataclass(frozen=True)
class Served:
    """The served text and, per directive, its span on disk and the span of its replacement.

    Attributes:
        text: the text as nginx serves it (equal to the disk text when there is no directive).
        disk: ``(start, end)`` of every directive in the text on disk, in order.
        replaced: ``(start, end)`` of each directive's replacement in ``text``, in the same order.
    """

    text: str
    disk: tuple[tuple[int, int], ...] = ()
    replaced: tuple[tuple[int, int], ...] = ()

    def start_on_disk(self, index: int) -> int:
        """The disk offset of a served offset where something starts (inside a replacement: its directive)."""
        if not self.disk:
            return index
        at = bisect.bisect_right(self.replaced, (index, len(self.text) + 1)) - 1
        if at < 0:
            return index
        end = self.replaced[at][1]
        if index < end:
            return self.disk[at][0]
        return index + self.disk[at][1] - end

    def end_on_disk(self, index: int) -> int:
        """The disk offset of a served offset where something ends (inside a replacement: its directive's end)."""
        if not self.disk:
            return index
        at = bisect.bisect_left(self.replaced, (index, -1)) - 1
        if at < 0:
            return index
        end = self.replaced[at][1]
        if index <= end:
            return self.disk[at][1]
        return index + self.disk[at][1] - end

    def touches(self, start: int, end: int) -> bool:
        """Whether the disk range ``[start, end)`` overlaps a directive (a point range: lies strictly inside one)."""
        if start == end:
            return any(low < start < high for low, high in self.disk)
        return any(low < end and start < high for low, high in self.disk)


def serve(text: str, *, source: str) -> Served:
    """The text as nginx serves it; refuses directives other than ``echo`` with a location.

    Raises:
        ParseError: an SSI directive that is not ``echo var="..."`` or is not closed by ``-->``.
    """
    if MARKER not in text:
        return Served(text)
    parts: list[str] = []
    disk: list[tuple[int, int]] = []
    replaced: list[tuple[int, int]] = []
    at = 0
    length = 0
    while True:
        found = text.find(MARKER, at)
        if found < 0:
            break
        match = _DIRECTIVE.match(text, found)
        params = {} if match is None else {m[1]: m[2] if m[2] is not None else m[3] for m in _PARAM.finditer(match[2])}
        if match is None or match["command"] != "echo" or "var" not in params:
            raise ParseError.at(
                text,
                found,
                'unsupported nginx SSI directive: only <!--# echo var="..." default="..." --> is read',
                source=source,
            )
        value = params.get("default", _NGINX_NONE)
        parts.append(text[at:found])
        length += found - at
        disk.append((found, match.end()))
        replaced.append((length, length + len(value)))
        parts.append(value)
        length += len(value)
        at = match.end()
    parts.append(text[at:])
    return Served("".join(parts), tuple(disk), tuple(replaced))
