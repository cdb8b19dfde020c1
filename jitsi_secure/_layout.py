"""Where a deployment keeps its files: Debian's layout, every path overridable, all under a root.

Installers often work on an image mounted somewhere else than ``/``; ``root`` is that prefix, and
every path (the defaults and the ones given) is resolved under it. A path may not leave the root,
through ``..`` or a symlink.

This module sits below :mod:`jitsi_secure.deployment` and :mod:`jitsi_secure.secure_domain`, which both
take a layout; :mod:`jitsi_secure.secure_domain.layout` is its public import path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from jitsi_secure._root import MEET_CONFIGS, PROSODY_HOST_FOLDERS, LayoutError, Root
from jitsi_secure._spec import validate_domain

if TYPE_CHECKING:
    from jitsi_secure.formats.dotenv import DotenvDocument

__all__ = ["DEFAULT_XMPP_DOMAIN", "DockerLayout", "Layout", "LayoutError", "discover_domains", "xmpp_domain"]

#: The XMPP domain docker-jitsi-meet uses when ``.env`` does not set ``XMPP_DOMAIN``.
DEFAULT_XMPP_DOMAIN = "meet.jitsi"

_PROSODY_MAIN = PurePosixPath("/etc/prosody/prosody.cfg.lua")
_JICOFO_CONF = PurePosixPath("/etc/jitsi/jicofo/jicofo.conf")
_JICOFO_LEGACY = PurePosixPath("/etc/jitsi/jicofo/sip-communicator.properties")
_JIGASI = PurePosixPath("/etc/jitsi/jigasi/sip-communicator.properties")


@dataclass(frozen=True)
class Layout:
    """The files of one Jitsi Meet deployment (absolute paths, already under the root).

    Every path is the real file on disk: links (Debian's absolute ``conf.d`` links included) are
    followed inside the root. ``prosody_main`` is Prosody's main config
    (``/etc/prosody/prosody.cfg.lua``), ``None`` in a tree that has only the host file; ``prosody`` is
    the main host's file. ``jicofo`` is ``None`` for an older Jicofo that has only its legacy
    properties file; ``jicofo_legacy`` and ``jigasi`` are ``None`` when the deployment has no such file.
    """

    root: Path
    domain: str
    prosody: Path
    meet: Path
    jicofo: Path | None
    jicofo_legacy: Path | None
    jigasi: Path | None
    prosody_main: Path | None = None

    @classmethod
    def debian(
        cls,
        *,
        root: str | os.PathLike[str] = "/",
        domain: str | None = None,
        prosody: str | None = None,
        meet: str | None = None,
        jicofo: str | None = None,
        jicofo_legacy: str | None = None,
        jigasi: str | None = None,
    ) -> Layout:
        """Find the files of a Debian-packaged deployment under ``root``.

        Without ``domain``, the domain that a given ``meet`` config.js names (``hosts.domain``) is used,
        else the single Jitsi host found under the root; none or several is an error that lists what
        was found. A path given explicitly must exist; Prosody's main config and the optional legacy
        Jicofo and Jigasi files are used when present at their default place. A deployment needs
        jicofo.conf or, for an older Jicofo, its legacy properties file.
        """
        view = Root.at(root)

        def given(path: str | None, what: str) -> Path | None:
            return _existing(view, path, what) if path is not None else None

        meet_file = given(meet, "config.js")
        if domain is None:
            domain = _domain_of_meet_config(meet_file) if meet_file is not None else None
        if domain is None:
            domain = view.single_domain()
        domain = validate_domain(domain)
        legacy = given(jicofo_legacy, "Jicofo legacy config") or _optional(view, _JICOFO_LEGACY)
        jicofo_file = given(jicofo, "jicofo.conf") or _optional(view, _JICOFO_CONF)
        if jicofo_file is None and legacy is None:
            raise LayoutError(
                f"no jicofo.conf at {_JICOFO_CONF} and no legacy {_JICOFO_LEGACY}{view.suffix}; give --jicofo-config"
            )
        return cls(
            root=view.path,
            domain=domain,
            prosody=given(prosody, "Prosody config") or _prosody_default(view, domain),
            meet=meet_file or _required(view, MEET_CONFIGS / f"{domain}-config.js", "config.js"),
            jicofo=jicofo_file,
            jicofo_legacy=legacy,
            jigasi=given(jigasi, "Jigasi config") or _optional(view, _JIGASI),
            prosody_main=_optional(view, _PROSODY_MAIN),
        )

    @property
    def view(self) -> Root:
        """The root these paths are under."""
        return Root(self.root)

    def display(self, path: Path) -> str:
        """``path`` as the deployment sees it (``/etc/...``), for messages about an image under a root."""
        return Root(self.root).display(path)


@dataclass(frozen=True)
class DockerLayout:
    """A docker-jitsi-meet deployment: its ``.env`` file is the one durable place to change.

    The files the containers render at every start are not touched (an edit there is lost at the next
    restart); the domain is ``.env``'s ``XMPP_DOMAIN`` (``meet.jitsi`` when unset).
    """

    root: Path
    env_file: Path

    @classmethod
    def from_env_file(cls, env_file: str | os.PathLike[str], *, root: str | os.PathLike[str] = "/") -> DockerLayout:
        """The deployment whose compose project uses ``env_file`` (resolved under ``root`` when absolute)."""
        view = Root.at(root)
        return cls(root=view.path, env_file=_existing(view, os.fspath(env_file), ".env file"))

    def display(self, path: Path) -> str:
        """``path`` as the deployment sees it, for messages."""
        return Root(self.root).display(path)

    @property
    def domain(self) -> str:
        """The XMPP domain the containers use: ``.env``'s ``XMPP_DOMAIN``, ``meet.jitsi`` when unset.

        Also ``meet.jitsi`` when the file does not parse: the plan reads it again and reports the
        error with every secret masked (the line it would quote may hold one), so it is not reported
        from here.
        """
        from jitsi_secure._core.write import read_text
        from jitsi_secure.errors import ParseError
        from jitsi_secure.formats import dotenv

        try:
            return xmpp_domain(dotenv.parse(read_text(self.env_file), source=self.display(self.env_file)))
        except ParseError:
            return DEFAULT_XMPP_DOMAIN


def xmpp_domain(document: DotenvDocument) -> str:
    """The main XMPP domain docker-jitsi-meet's containers use: ``XMPP_DOMAIN`` in its ``.env`` document."""
    value = document.get("XMPP_DOMAIN")
    return value if isinstance(value, str) and value else DEFAULT_XMPP_DOMAIN


def discover_domains(root: str | os.PathLike[str] = "/") -> list[str]:
    """The Jitsi hosts configured under ``root``: a ``<host>-config.js`` with a Prosody host file."""
    return Root(Path(root).resolve()).domains()


def _domain_of_meet_config(meet: Path) -> str | None:
    """``hosts.domain`` of a config.js, when it is a plain string."""
    from jitsi_secure.errors import JitsiSecureError
    from jitsi_secure.formats import js

    try:
        domain = js.load_file(meet).get("hosts.domain")
    except JitsiSecureError:
        return None  # the plan reads the file again and reports its error with the file and line
    return domain if isinstance(domain, str) and domain else None


def _prosody_default(view: Root, domain: str) -> Path:
    found = view.prosody_host_file(domain)
    if found is None:
        avail, enabled = PROSODY_HOST_FOLDERS
        raise LayoutError(
            f"no Prosody host file for {domain}: looked for {avail}/{domain}.cfg.lua and "
            f"{enabled}/{domain}.cfg.lua{view.suffix}; give --prosody-config"
        )
    return found


def _required(view: Root, path: PurePosixPath, what: str) -> Path:
    if not view.resolve(path).exists():
        raise LayoutError(f"no {what} at {path}{view.suffix}; give its path")
    return view.file(path, what)


def _optional(view: Root, path: PurePosixPath) -> Path | None:
    return view.file(path, str(path)) if view.resolve(path).exists() else None


def _existing(view: Root, path: str, what: str) -> Path:
    # An absolute path names the file as the deployment sees it; a relative one is the user's own.
    if os.path.isabs(path):
        return view.file(PurePosixPath(path), what)
    seen = view.inside(Path(os.path.abspath(path))) or view.inside(Path(path).resolve())
    if seen is None:
        raise LayoutError(
            f"{path} leads outside the root {view.path} (to {Path(path).resolve()}); refusing to touch it"
        )
    return view.file(seen, what)
