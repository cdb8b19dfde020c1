"""Lossless documents for the four configuration languages of a Jitsi Meet server.

Each module has the same entry points: ``parse(text, source=...)`` returns an immutable document whose
``render()`` gives back the text byte for byte; edits (``set``, ``remove``, ...) return a new document
made by splicing the original text; ``to_dict()``/``get()`` give the meaning the real program reads.

- :mod:`jitsi_secure.formats.properties`: Java ``.properties`` (Jicofo legacy, Jigasi)
- :mod:`jitsi_secure.formats.hocon`: HOCON (``jicofo.conf``)
- :mod:`jitsi_secure.formats.lua`: Prosody's Lua configuration
- :mod:`jitsi_secure.formats.js`: jitsi-meet's ``config.js``
- :mod:`jitsi_secure.formats.dotenv`: docker-jitsi-meet's ``.env``

Format modules know nothing of Jitsi; the Secure Domain recipes build on them.
"""

from __future__ import annotations

from typing import TypeAlias

__all__ = ["ConfigValue"]

#: A plain configuration value, as every format's ``get``/``set``/``to_dict`` exchange them.
ConfigValue: TypeAlias = bool | int | float | str | list["ConfigValue"] | dict[str, "ConfigValue"] | None
