"""Prosody 13's readers of a file of their own (``FileContents``, ``FileLine``, ``FileLines``): which
file a config value reads.

One rule for the deployment model (which option is read from which file) and the app secret file (which
file the host file's ``app_secret`` reads): a call of one of the readers with one string literal, with
or without parentheses, as the whole value.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection

from jitsi_secure.formats import Computed

__all__ = ["READERS", "file_read", "mentions_reader"]

READERS = ("FileContents", "FileLine", "FileLines")
_MENTION = re.compile(r"\b(?:FileContents|FileLines|FileLine)\b")
_LUA_STRING = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
_CALL = re.compile(rf"""(?P<reader>\w+)\s*(?:\(\s*(?P<literal>{_LUA_STRING})\s*\)|(?P<bare>{_LUA_STRING}))""")


def mentions_reader(text: str) -> bool:
    """Whether a config text names a reader at all (only then can a value of it read a file)."""
    return _MENTION.search(text) is not None


def file_read(value: object, config_file: str, readers: Collection[str] = READERS) -> str | None:
    """The file ``value`` (a :class:`~jitsi_secure.formats.Computed` of the config ``config_file``) reads
    with one of ``readers``, as the deployment sees it; ``None`` when it is no such call."""
    from jitsi_secure.formats import lua

    match = _CALL.fullmatch(value.text) if isinstance(value, Computed) else None
    if match is None or match.group("reader") not in readers:
        return None
    name = lua.parse(f"x = {match.group('literal') or match.group('bare')}").get("x")
    if not isinstance(name, str) or not name:
        return None
    # A relative name is read from the folder of the file that calls the reader, as Prosody does.
    return posixpath.normpath(posixpath.join(posixpath.dirname(config_file), name))
