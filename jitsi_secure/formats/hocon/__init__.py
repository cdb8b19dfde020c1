"""Lossless HOCON documents (``jicofo.conf`` and any other HOCON text) with ConfigDocument-style edits.

``parse(text)`` returns an immutable :class:`HoconDocument` whose ``render()`` is ``text`` byte for byte.
``to_dict()`` / ``get()`` give the merged meaning Lightbend Config reads (objects merge, the last value wins,
``+=`` appends); values that depend on a substitution are reported as :class:`Unresolved` unless
``resolve=True`` is passed, and includes are listed by :meth:`HoconDocument.includes`, never followed.
``set()`` and ``remove()`` return a new document made by splicing the text, then check that the new text
reads as the old one with exactly the intended change (otherwise :class:`~jitsi_secure.errors.EditError`).

Duplicate policy of ``set(path, value)``: the *last* field whose key path is ``path`` is changed in place
(key spelling, separator, comment and quoting habit kept). Fields that would still change the meaning of
``path`` after that are removed: any later dotted key extending it (``path.x = ...``), and, when the new
value is an object, every earlier field for ``path`` or below it (an object would merge with them).
Earlier scalar duplicates are left alone: the later value already overrides them. A missing path is added
as the last member of the last object literal holding its longest existing prefix, so a second top-level
``jicofo { }`` block is never created; when the last word on a prefix is a scalar (``a = 5`` while setting
``a.b``), that field becomes the object instead.
"""

from __future__ import annotations

from jitsi_secure.formats.hocon._document import HoconDocument, Include, load_file, parse
from jitsi_secure.formats.hocon._meaning import HoconValue, ResolveError, Unresolved
from jitsi_secure.formats.hocon._parser import parse_path
from jitsi_secure.formats.hocon._render import secret_spellings

__all__ = [
    "HoconDocument",
    "HoconValue",
    "Include",
    "ResolveError",
    "Unresolved",
    "load_file",
    "parse",
    "parse_path",
    "secret_spellings",
]
