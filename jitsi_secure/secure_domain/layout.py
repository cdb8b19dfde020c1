"""Where a deployment keeps its files: Debian's layout, every path overridable, all under a root.

Installers often work on an image mounted somewhere else than ``/``; ``root`` is that prefix, and
every path (the defaults and the ones given) is resolved under it. A path may not leave the root,
through ``..`` or a symlink.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from jitsi_secure.errors import JitsiSecureError
from jitsi_secure.secure_domain.spec import validate_domain

__all__ = ["DockerLayout", "Layout", "LayoutError", "discover_domains"]

_MEET_CONFIGS = PurePosixPath("/etc/jitsi/meet")
_PROSODY_AVAIL = PurePosixPath("/etc/prosody/conf.avail")
_PROSODY_ENABLED = PurePosixPath("/etc/prosody/conf.d")
_JICOFO_CONF = PurePosixPath("/etc/jitsi/jicofo/jicofo.conf")
_JICOFO_LEGACY = PurePosixPath("/etc/jitsi/jicofo/sip-communicator.properties")
_JIGASI = PurePosixPath("/etc/jitsi/jigasi/sip-communicator.properties")


class LayoutError(JitsiSecureError):
    """A deployment whose files cannot be found, or a path that leaves the root."""


@dataclass(frozen=True)
class Layout:
    """The files of one Jitsi Meet deployment (absolute paths, already under the root).

    ``jicofo_legacy`` and ``jigasi`` are ``None`` when the deployment has no such file.
    """

    root: Path
    domain: str
    prosody: Path
    meet: Path
    jicofo: Path
    jicofo_legacy: Path | None
    jigasi: Path | None

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

        Without ``domain``, the single Jitsi host found under the root is used; none or several is an
        error that lists what was found. A path given explicitly must exist; the optional legacy Jicofo
        and Jigasi files are used when present at their default place.
        """
        base = Path(root).resolve()
        if not base.is_dir():
            raise LayoutError(f"the root {root} is not a folder")
        if domain is None:
            domain = _single_domain(base)
        domain = validate_domain(domain)

        def given(path: str | None, what: str) -> Path | None:
            return _existing(base, path, what) if path is not None else None

        return cls(
            root=base,
            domain=domain,
            prosody=given(prosody, "Prosody config") or _prosody_default(base, domain),
            meet=given(meet, "config.js") or _required(base, _MEET_CONFIGS / f"{domain}-config.js", "config.js"),
            jicofo=given(jicofo, "jicofo.conf") or _required(base, _JICOFO_CONF, "jicofo.conf"),
            jicofo_legacy=given(jicofo_legacy, "Jicofo legacy config") or _optional(base, _JICOFO_LEGACY),
            jigasi=given(jigasi, "Jigasi config") or _optional(base, _JIGASI),
        )

    def display(self, path: Path) -> str:
        """``path`` as the deployment sees it (``/etc/...``), for messages about an image under a root."""
        return _display(self.root, path)


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
        base = Path(root).resolve()
        if not base.is_dir():
            raise LayoutError(f"the root {root} is not a folder")
        return cls(root=base, env_file=_existing(base, os.fspath(env_file), ".env file"))

    def display(self, path: Path) -> str:
        """``path`` as the deployment sees it, for messages."""
        return _display(self.root, path)


def _display(root: Path, path: Path) -> str:
    if root == Path("/"):
        return str(path)
    try:
        return "/" + path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def discover_domains(root: str | os.PathLike[str] = "/") -> list[str]:
    """The Jitsi hosts configured under ``root``: a ``<host>-config.js`` with a Prosody host file."""
    base = Path(root)
    meet = _under(base, _MEET_CONFIGS)
    hosts = sorted(p.name[: -len("-config.js")] for p in meet.glob("*-config.js")) if meet.is_dir() else []
    with_prosody = [
        h
        for h in hosts
        if any(_under(base, folder / f"{h}.cfg.lua").exists() for folder in (_PROSODY_AVAIL, _PROSODY_ENABLED))
    ]
    return with_prosody or hosts


def _single_domain(base: Path) -> str:
    found = discover_domains(base)
    if len(found) == 1:
        return found[0]
    where = f" under {base}" if base != Path("/") else ""
    if not found:
        raise LayoutError(f"no Jitsi Meet host found{where} (no /etc/jitsi/meet/<host>-config.js); give --domain")
    raise LayoutError(f"several Jitsi Meet hosts found{where}: {', '.join(found)}; choose one with --domain")


def _prosody_default(base: Path, domain: str) -> Path:
    for folder in (_PROSODY_AVAIL, _PROSODY_ENABLED):
        candidate = _under(base, folder / f"{domain}.cfg.lua")
        if candidate.exists():
            return _inside(base, candidate)
    raise LayoutError(
        f"no Prosody host file for {domain}: looked for {_PROSODY_AVAIL}/{domain}.cfg.lua and "
        f"{_PROSODY_ENABLED}/{domain}.cfg.lua{_under_root(base)}; give --prosody-config"
    )


def _required(base: Path, path: PurePosixPath, what: str) -> Path:
    candidate = _under(base, path)
    if not candidate.exists():
        raise LayoutError(f"no {what} at {path}{_under_root(base)}; give its path")
    return _inside(base, candidate)


def _optional(base: Path, path: PurePosixPath) -> Path | None:
    candidate = _under(base, path)
    return _inside(base, candidate) if candidate.exists() else None


def _existing(base: Path, path: str, what: str) -> Path:
    # An absolute path names the file as the deployment sees it; a relative one is the user's own.
    candidate = _under(base, PurePosixPath(path)) if os.path.isabs(path) else Path.cwd() / path
    if not candidate.exists():
        raise LayoutError(f"the {what} {path} does not exist{_under_root(base)}")
    return _inside(base, candidate)


def _under(base: Path, path: PurePosixPath) -> Path:
    """``path`` read as seen from inside the root: ``/etc/x`` under ``/img`` is ``/img/etc/x``."""
    return base / path.relative_to("/")


def _inside(base: Path, candidate: Path) -> Path:
    # Symlinks are allowed (Debian links conf.d to conf.avail) as long as they stay inside the root.
    real = candidate.resolve()
    if real != base and base not in real.parents:
        raise LayoutError(f"{candidate} leads outside the root {base} (to {real}); refusing to touch it")
    # A FIFO, a device (a link to /dev/zero) or a folder is no configuration file: reading one could
    # block or never end.
    if not real.is_file():
        raise LayoutError(f"{candidate} is not a regular file; refusing to touch it")
    return candidate


def _under_root(base: Path) -> str:
    return "" if base == Path("/") else f" under {base}"
