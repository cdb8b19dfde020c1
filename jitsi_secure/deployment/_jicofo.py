"""Jicofo's authentication as Jicofo reads it: jicofo.conf with its includes, then the legacy properties.

Lightbend Config merges an ``include`` into the object that holds it at the include's place: a key
written after the include overrides the included one, and the included one overrides what came
before. Included names resolve relative to the including file (``include "x.conf"`` and
``include file("x.conf")``); a missing heuristic include is skipped, a missing ``required(...)`` one
is an error, as in Lightbend. ``url(...)`` and ``classpath(...)`` includes are not read (no network,
no Jicofo jar here) and are noted. Jicofo then reads ``org.jitsi.jicofo.auth.URL`` from the legacy
``sip-communicator.properties`` *before* jicofo.conf: when set, it turns authentication on and
decides its type and login URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from jitsi_secure._root import LayoutError, Root
from jitsi_secure.deployment._model import JICOFO_DEFAULTS, JicofoConfig, Origin, Setting
from jitsi_secure.errors import ParseError

__all__ = ["LEGACY_AUTH_URL", "NotJicofoConfigError", "check_is_jicofo_config", "read_jicofo_under"]

LEGACY_AUTH_URL = "org.jitsi.jicofo.auth.URL"
_AUTH = ("jicofo", "authentication")
_MAX_DEPTH = 16
_SHELL_NAME = re.compile(r"(?:export\s+)?[A-Z_][A-Z0-9_]*")
#: The legacy URL's prefix decides the type; Jicofo reads anything else as XMPP.
_LEGACY_TYPES = {"EXT_JWT:": "JWT", "SHIBBOLETH:": "SHIBBOLETH", "XMPP:": "XMPP"}


class NotJicofoConfigError(ParseError):
    """A file given as jicofo.conf that is not one (a shell ``KEY=VALUE`` file, say)."""


@dataclass(frozen=True)
class _Read:
    """One HOCON file read, with the files its includes name (``None``: not read)."""

    display: str
    document: Any
    children: tuple[tuple[Any, _Read | None], ...]


def check_is_jicofo_config(document: Any) -> None:
    """Refuse a parsed jicofo.conf that configures nothing of Jicofo's while setting other things.

    A shell file of ``KEY=VALUE`` lines parses as HOCON; appending a ``jicofo { ... }`` block to one
    breaks the service script that sources it.
    """
    keys = list(document.to_dict())
    if not keys or "jicofo" in keys:
        return
    shellish = all(_SHELL_NAME.fullmatch(key) for key in keys)
    kind = "a shell KEY=VALUE file" if shellish else "not Jicofo's configuration"
    raise NotJicofoConfigError(
        f"this is not a jicofo.conf (HOCON with a `jicofo {{ ... }}` block): it sets {', '.join(keys[:4])}"
        f"{'...' if len(keys) > 4 else ''} and looks like {kind}; give Jicofo's HOCON file with --jicofo-config",
        source=document.source,
        line=1,
        column=1,
        excerpt=document.text.splitlines()[0] if document.text else "",
    )


def read_jicofo_under(root: Root, *, conf: Path | None, legacy: Path | None, texts: Mapping[Path, str]) -> JicofoConfig:
    """Jicofo's effective authentication settings under ``root`` (``texts`` stand in for files on disk)."""
    from jitsi_secure.formats import properties

    notes: list[str] = []
    files: list[str] = []
    found: dict[str, Setting] = {}
    if conf is not None:
        top = _read_hocon(root, conf, texts, notes, files, depth=0)
        assert top is not None
        for key in ("enabled", "type", "login-url", "enable-auto-login", "authentication-lifetime"):
            setting = _lookup(top, (*_AUTH, key))
            if setting is not None:
                found[key] = setting
        owner = _lookup(top, ("jicofo", "conference", "enable-auto-owner"))
        if owner is not None:
            found["enable-auto-owner"] = owner
    enabled = found.get("enabled", Setting(False))
    kind = found.get("type", Setting("XMPP"))
    login_url = found.get("login-url", Setting(None))
    legacy_url: Setting | None = None
    if legacy is not None:
        display = root.display(legacy)
        files.append(display)
        document = properties.parse(_text(legacy, texts, properties.ENCODING), source=display)
        value = document.get(LEGACY_AUTH_URL)
        if value is not None:
            value = str(value)
            legacy_url = Setting(value, Origin(display, document.line_of(LEGACY_AUTH_URL) or 0))
            prefix = next((p for p in _LEGACY_TYPES if value.startswith(p)), "")
            enabled = Setting(True, legacy_url.origin)
            kind = Setting(_LEGACY_TYPES.get(prefix, "XMPP"), legacy_url.origin)
            login_url = Setting(value[len(prefix) :] or None, legacy_url.origin)
    return JicofoConfig(
        tuple(files),
        enabled,
        kind,
        login_url,
        legacy_url,
        tuple(notes),
        auto_login=found.get("enable-auto-login", JICOFO_DEFAULTS["auto_login"]),
        auth_lifetime=found.get("authentication-lifetime", JICOFO_DEFAULTS["auth_lifetime"]),
        auto_owner=found.get("enable-auto-owner", JICOFO_DEFAULTS["auto_owner"]),
    )


def _text(path: Path, texts: Mapping[Path, str], encoding: str) -> str:
    if path in texts:
        return texts[path]
    from jitsi_secure._core.write import read_text

    return read_text(path, encoding=encoding)


def _read_hocon(
    root: Root, path: Path, texts: Mapping[Path, str], notes: list[str], files: list[str], *, depth: int
) -> _Read | None:
    from jitsi_secure.formats import hocon

    display = root.display(path)
    files.append(display)
    document = hocon.parse(_text(path, texts, "utf-8"), source=display)
    if depth == 0:
        check_is_jicofo_config(document)
    children: list[tuple[Any, _Read | None]] = []
    for include in document.includes():
        child: _Read | None = None
        if include.kind in ("url", "classpath"):
            notes.append(f"{display}:{include.line}: include {include.kind}({include.name!r}) is not read")
        elif depth >= _MAX_DEPTH:
            notes.append(f"{display}:{include.line}: includes nested deeper than {_MAX_DEPTH} are not read")
        else:
            target = _include_target(root, path, include.name)
            if target is not None and target.is_file():
                child = _read_hocon(root, target, texts, notes, files, depth=depth + 1)
            elif include.required:
                raise ParseError(
                    f"required include {include.name!r} not found",
                    source=display,
                    line=include.line,
                    column=1,
                    excerpt=document.render().splitlines()[include.line - 1],
                )
            else:
                notes.append(f"{display}:{include.line}: include {include.name!r} names no file; Jicofo skips it")
        children.append((include, child))
    return _Read(display, document, tuple(children))


def _include_target(root: Root, including: Path, name: str) -> Path | None:
    seen = root.inside(including)
    if seen is None:
        return None
    wanted = PurePosixPath(name) if name.startswith("/") else PurePosixPath(seen).parent / name
    try:
        target = root.resolve(wanted)
        if not target.exists() and not PurePosixPath(name).suffix:
            # Lightbend's heuristic include tries the name with each of its extensions.
            target = root.resolve(wanted.with_name(wanted.name + ".conf"))
    except LayoutError:
        return None
    return target


def _lookup(read: _Read, path: tuple[str, ...]) -> Setting | None:
    """The value at ``path``, decided by whichever comes last: the file's own field or an include."""
    best: tuple[int, Setting] | None = None
    value = read.document.get(".".join(f'"{p}"' for p in path), _MISSING)
    if value is not _MISSING:
        line = read.document.line_of(path) or 0
        best = (line, Setting(value, Origin(read.display, line)))
    for include, child in read.children:
        if child is None or path[: len(include.path)] != include.path:
            continue
        inner = _lookup(child, path[len(include.path) :])
        if inner is not None and (best is None or include.line > best[0]):
            best = (include.line, inner)
    return None if best is None else best[1]


_MISSING: Any = object()
