"""Lossless documents for the five configuration languages of a Jitsi Meet server.

Each module has the same entry points: ``parse(text, *, source=...)`` and ``load_file(path)`` return an
immutable document whose ``render()`` gives back the text byte for byte. Every document satisfies
:class:`Document`: ``to_dict()``, ``get(path, default)``, ``path in doc``, ``set``, ``remove`` and
``edit(changes)``, which makes a batch of changes (values, :data:`REMOVE`, or :class:`CommentOut`
for a setting to comment out) as one set of splices verified once; ``applied`` says which splices
made a document. A value only code can give (an expression, a substitution, a template variable)
reads as :class:`Computed`.

- :mod:`jitsi_secure.formats.properties`: Java ``.properties`` (Jicofo legacy, Jigasi)
- :mod:`jitsi_secure.formats.hocon`: HOCON (``jicofo.conf``)
- :mod:`jitsi_secure.formats.lua`: Prosody's Lua configuration
- :mod:`jitsi_secure.formats.js`: jitsi-meet's ``config.js``
- :mod:`jitsi_secure.formats.dotenv`: docker-jitsi-meet's ``.env``

Format modules know nothing of Jitsi; the Secure Domain recipes build on them.
"""

from __future__ import annotations

from typing import TypeAlias

from jitsi_secure._core.document import COMMENT_OUT, REMOVE, CommentOut, Computed, Document, PathLike, Remove

__all__ = ["COMMENT_OUT", "REMOVE", "CommentOut", "Computed", "ConfigValue", "Document", "PathLike", "Remove"]

#: A plain configuration value, as every format's ``get``/``set``/``to_dict`` exchange them.
ConfigValue: TypeAlias = bool | int | float | str | list["ConfigValue"] | dict[str, "ConfigValue"] | None
