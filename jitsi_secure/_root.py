"""A deployment under a prefix: paths as the deployment sees them (``/etc/...``) and where they are on disk.

Installers work on images mounted elsewhere than ``/``. Inside such an image, Debian's own links are
absolute (``conf.d/<host>.cfg.lua -> /etc/prosody/conf.avail/<host>.cfg.lua``): followed by the
operating system they would lead to *this* machine's ``/etc``. :meth:`Root.resolve` follows them the
way ``dpkg --root`` and ``chroot`` do, inside the root, and refuses a path that leaves it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from jitsi_secure.errors import JitsiSecureError

__all__ = ["MEET_CONFIGS", "PROSODY_HOST_FOLDERS", "LayoutError", "Root"]

# Linux gives up after 40 links in one lookup (ELOOP); so do we.
_MAX_LINKS = 40
#: Where Debian keeps jitsi-meet's ``<host>-config.js`` files.
MEET_CONFIGS = PurePosixPath("/etc/jitsi/meet")
#: Where Debian keeps the Prosody host files, in the order they are looked for.
PROSODY_HOST_FOLDERS = (PurePosixPath("/etc/prosody/conf.avail"), PurePosixPath("/etc/prosody/conf.d"))


class LayoutError(JitsiSecureError):
    """A deployment whose files cannot be found, or a path that leaves the root."""


@dataclass(frozen=True)
class Root:
    """The folder a deployment lives under (``/`` for the running system); ``path`` is absolute and real.

    ``links`` are symbolic links a plan would create (path on disk to target): they are followed as if
    they were there, so a planned ``conf.d`` link can be judged before it is written.
    """

    path: Path
    links: Mapping[Path, str] = field(default_factory=dict, compare=False)

    @classmethod
    def at(cls, folder: str | os.PathLike[str]) -> Root:
        """The root at ``folder``, which must be an existing folder."""
        base = Path(folder).resolve()
        if not base.is_dir():
            raise LayoutError(f"the root {folder} is not a folder")
        return cls(base)

    def under(self, path: PurePosixPath | str) -> Path:
        """``path`` as the deployment sees it, as a path on disk, without following links:
        ``/etc/x`` under ``/img`` is ``/img/etc/x``."""
        return self.path / PurePosixPath(path).relative_to("/")

    def resolve(self, path: PurePosixPath | str) -> Path:
        """The real file on disk that the deployment path ``path`` names, every link followed inside the root.

        An absolute link target starts again at the root; ``..`` may not climb above it. Raises
        :class:`LayoutError` for a path that leaves the root or a loop of links, and for an absolute
        link whose target is missing inside the root but exists outside it (a link made on the host
        rather than inside the image: the file it means is not the deployment's).
        """
        # Strings and os.path, not pathlib: the deployment reader resolves every file Prosody opens.
        base = str(self.path)
        pending = str(PurePosixPath(path).relative_to("/")).split("/")[::-1]  # popped from the end
        current = base
        links = 0
        outside: str | None = None
        while pending:
            part = pending.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if current == base:
                    raise LayoutError(f"{path} leads outside the root {self.path}; refusing to touch it")
                current = os.path.dirname(current)
                continue
            candidate = os.path.join(current, part)
            planned = self.links.get(Path(candidate)) if self.links else None
            if planned is None and not os.path.islink(candidate):
                current = candidate
                continue
            links += 1
            if links > _MAX_LINKS:
                raise LayoutError(f"{path}: too many levels of symbolic links under {self.path}")
            target = planned if planned is not None else os.readlink(candidate)
            if target.startswith("/"):
                outside = target if base != "/" else None
                current = base
            pending.extend(reversed(target.split("/")))
        if outside is not None and not os.path.exists(current) and os.path.exists(outside):
            raise LayoutError(
                f"{path} is a link to {PurePosixPath(outside)}, which leads outside the root {self.path} (inside "
                "the root there is no such file); refusing to touch it"
            )
        return Path(current)

    def listdir(self, folder: Path) -> list[str]:
        """The names in ``folder`` (on disk), with the planned :attr:`links` there."""
        names = os.listdir(folder)
        return names + [link.name for link in self.links if link.parent == folder and link.name not in names]

    def inside(self, real: Path) -> PurePosixPath | None:
        """The deployment path of ``real`` (a path on disk), or ``None`` when it is not under the root."""
        try:
            return PurePosixPath("/") / real.relative_to(self.path).as_posix()
        except ValueError:
            return None

    def display(self, real: Path) -> str:
        """``real`` as the deployment sees it (``/etc/...``), for messages about an image under a root."""
        if self.path == Path("/"):
            return str(real)
        seen = self.inside(real)
        return str(seen) if seen is not None else str(real)

    def file(self, path: PurePosixPath | str, what: str) -> Path:
        """:meth:`resolve` for a configuration file that must exist and be a regular file."""
        real = self.resolve(path)
        if not real.exists():
            raise LayoutError(f"the {what} {path} does not exist{self.suffix}")
        # A FIFO, a device (a link to /dev/zero) or a folder is no configuration file: reading one could
        # block or never end.
        if not real.is_file():
            raise LayoutError(f"{path} is not a regular file; refusing to touch it")
        return real

    def domains(self) -> list[str]:
        """The Jitsi hosts configured under the root: each ``<host>-config.js`` that has a Prosody host
        file, or every one when none has."""
        meet = self.under(MEET_CONFIGS)
        hosts = sorted(p.name[: -len("-config.js")] for p in meet.glob("*-config.js")) if meet.is_dir() else []
        with_prosody = [h for h in hosts if any(self._names_file(f / f"{h}.cfg.lua") for f in PROSODY_HOST_FOLDERS)]
        return with_prosody or hosts

    def single_domain(self) -> str:
        """The one Jitsi host configured under the root; :class:`LayoutError` listing what was found
        when there is none or more than one (telling the command line's user to give ``--domain``)."""
        found = self.domains()
        if len(found) == 1:
            return found[0]
        if not found:
            raise LayoutError(
                f"no Jitsi Meet host found{self.suffix} (no {MEET_CONFIGS}/<host>-config.js); give --domain"
            )
        raise LayoutError(f"several Jitsi Meet hosts found{self.suffix}: {', '.join(found)}; choose one with --domain")

    def prosody_host_file(self, domain: str) -> Path | None:
        """The Prosody host file of ``domain`` at Debian's places (``conf.avail``, then ``conf.d``), as
        :meth:`file` finds it; ``None`` when neither exists."""
        for folder in PROSODY_HOST_FOLDERS:
            candidate = folder / f"{domain}.cfg.lua"
            if self.resolve(candidate).exists():
                return self.file(candidate, "Prosody host file")
        return None

    def _names_file(self, path: PurePosixPath) -> bool:
        """Whether ``path`` names a file, for discovery (a path leaving the root names none)."""
        try:
            return self.resolve(path).exists()
        except LayoutError:
            return False

    @property
    def suffix(self) -> str:
        """`` under /img`` for messages, or nothing at ``/``."""
        return "" if self.path == Path("/") else f" under {self.path}"
