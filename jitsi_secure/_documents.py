"""``load`` and ``save``: any of the five formats from a path, for scripted migrations."""

from __future__ import annotations

import os
import re
from pathlib import Path

from jitsi_secure._core.document import Document
from jitsi_secure._core.edit import read_source
from jitsi_secure._core.write import WriteResult, read_text, write_text
from jitsi_secure.errors import JitsiSecureError

__all__ = ["Document", "load", "save"]


_LUA_HINT = re.compile(r"^\s*(VirtualHost|Component|modules_enabled|Include)\b", re.MULTILINE)
_JS_HINT = re.compile(r"^\s*(var|let|const)\s+\w+\s*=|^\s*(window\.)?config\.\w+", re.MULTILINE)
_HOCON_HINT = re.compile(r"^\s*[\w.\"-]+\s*[:=]?\s*\{", re.MULTILINE)


def _is_dotenv(name: str) -> bool:
    """``.env``, ``*.env``, ``.env.*`` (``.env.prod``, ``jitsi.env.local``) and ``env.example``: what
    docker-jitsi-meet and compose call their environment files."""
    return name.endswith(".env") or ".env." in name or name == "env.example"


def _kind(path: Path, text: str | None) -> str:
    name = path.name.lower()
    if _is_dotenv(name):
        return "dotenv"
    for suffixes, kind in (
        ((".properties",), "properties"),
        ((".conf", ".hocon"), "hocon"),
        ((".lua",), "lua"),
        ((".js",), "js"),
    ):
        if name.endswith(suffixes):
            return kind
    if text is None:
        return ""
    for hint, kind in ((_LUA_HINT, "lua"), (_JS_HINT, "js"), (_HOCON_HINT, "hocon")):
        if hint.search(text):
            return kind
    return "properties"


def load(path: str | os.PathLike[str]) -> Document:
    """The right format document for the file at ``path``.

    The format comes from the file name (``.properties``, ``.conf``/``.hocon``, ``.lua`` and
    ``.cfg.lua``, ``.js``, and for ``.env``: ``.env``, ``*.env``, ``.env.*`` and ``env.example``); for
    other names from the content (Prosody's ``VirtualHost``, a JavaScript ``var config =``, a HOCON
    ``name {`` block, else ``.properties``). ``.properties`` files are read as ISO-8859-1 and ``.env``
    files keep every byte; HOCON, Lua and JavaScript must be UTF-8 (else :class:`ParseError`). Raises
    only :class:`JitsiSecureError` subclasses.
    """
    from jitsi_secure.formats import dotenv, hocon, js, lua, properties

    target = Path(path)
    kind = _kind(target, None)
    if kind == "properties":
        return properties.load_file(target)
    if kind == "dotenv":
        return dotenv.load_file(target)
    text = read_text(target)
    kind = kind or _kind(target, text)
    source = os.fspath(path)
    if kind == "properties":
        return properties.parse(read_text(target, encoding=properties.ENCODING), source=source)
    if kind == "hocon":
        return hocon.load_file(target)
    if kind == "lua":
        return lua.load_file(target)
    return js.parse(read_source(target), source=source, name=js.variable_for(target))


def save(path: str | os.PathLike[str], document: Document, *, backup_suffix: str | None = None) -> WriteResult:
    """Write ``document`` to ``path`` with the safe writer (no write when unchanged, atomic, symlinks kept).

    Raises :class:`~jitsi_secure.errors.WriteError`, with nothing written, when the file cannot be written
    or its text holds a character the file's encoding cannot (a lone surrogate, which no edit writes).
    """
    from jitsi_secure.formats import properties

    if not hasattr(document, "render"):
        raise JitsiSecureError(f"save() takes a format document, not {type(document).__name__}")
    if isinstance(document, properties.PropertiesDocument):
        # Java reads ISO-8859-1: a character beyond it is written as ``\\uXXXX``, as ``store()`` does.
        text = properties.to_latin1(document.render())
        return write_text(path, text, encoding=properties.ENCODING, backup_suffix=backup_suffix)
    return write_text(path, document.render(), encoding="utf-8", backup_suffix=backup_suffix)
