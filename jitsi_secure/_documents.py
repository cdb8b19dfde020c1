"""``load`` and ``save``: any of the four formats from a path, for scripted migrations."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Protocol

from jitsi_secure._core.write import WriteResult, read_text, write_text
from jitsi_secure.errors import JitsiSecureError

__all__ = ["Document", "load", "save"]


class Document(Protocol):
    """What every format document offers: its source name and its text."""

    @property
    def source(self) -> str: ...

    def render(self) -> str: ...


_LUA_HINT = re.compile(r"^\s*(VirtualHost|Component|modules_enabled|Include)\b", re.MULTILINE)
_JS_HINT = re.compile(r"^\s*(var|let|const)\s+\w+\s*=|^\s*(window\.)?config\.\w+", re.MULTILINE)
_HOCON_HINT = re.compile(r"^\s*[\w.\"-]+\s*[:=]?\s*\{", re.MULTILINE)


def _kind(path: Path, text: str | None) -> str:
    name = path.name.lower()
    for suffixes, kind in (
        ((".properties",), "properties"),
        ((".conf", ".hocon"), "hocon"),
        ((".lua",), "lua"),
        ((".js",), "js"),
        ((".env",), "dotenv"),
    ):
        if name.endswith(suffixes):
            return kind
    if text is None:
        return ""
    for hint, kind in ((_LUA_HINT, "lua"), (_JS_HINT, "js"), (_HOCON_HINT, "hocon")):
        if hint.search(text):
            return kind
    return "properties"


def load(path: str | os.PathLike[str]) -> Any:
    """The right format document for the file at ``path``.

    The format comes from the file name (``.properties``, ``.conf``/``.hocon``, ``.lua`` and
    ``.cfg.lua``, ``.js``, ``.env``); for other names from the content (Prosody's ``VirtualHost``, a JavaScript
    ``var config =``, a HOCON ``name {`` block, else ``.properties``). ``.properties`` files are read
    as ISO-8859-1, the others as UTF-8; both keep every byte.
    """
    from jitsi_secure.formats import dotenv, hocon, js, lua, properties

    target = Path(path)
    kind = _kind(target, None)
    if kind == "properties":
        return properties.load_file(target)
    text = read_text(target)
    kind = kind or _kind(target, text)
    source = os.fspath(path)
    if kind == "properties":
        return properties.parse(read_text(target, encoding=properties.ENCODING), source=source)
    if kind == "hocon":
        return hocon.parse(text, source=source)
    if kind == "lua":
        return lua.parse(text, source=source)
    if kind == "dotenv":
        return dotenv.parse(text, source=source)
    return js.parse(text, source=source, name=js.variable_for(target))


def save(path: str | os.PathLike[str], document: Document, *, backup_suffix: str | None = None) -> WriteResult:
    """Write ``document`` to ``path`` with the safe writer (no write when unchanged, atomic, symlinks kept)."""
    from jitsi_secure.formats import properties

    if not hasattr(document, "render"):
        raise JitsiSecureError(f"save() takes a format document, not {type(document).__name__}")
    encoding = properties.ENCODING if isinstance(document, properties.PropertiesDocument) else "utf-8"
    return write_text(path, document.render(), encoding=encoding, backup_suffix=backup_suffix)
