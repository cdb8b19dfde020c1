"""A deployment under a prefix: paths as the deployment sees them (``/etc/...``) and where they are on disk.

Installers work on images mounted elsewhere than ``/``. Inside such an image, Debian's own links are
absolute (``conf.d/<host>.cfg.lua -> /etc/prosody/conf.avail/<host>.cfg.lua``): followed by the
operating system they would lead to *this* machine's ``/etc``. :meth:`Root.resolve` follows them the
way ``dpkg --root`` and ``chroot`` do, inside the root, and refuses a path that leaves it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from jitsi_secure.errors import JitsiSecureError

__all__ = ["LayoutError", "Root"]

# Linux gives up after 40 links in one lookup (ELOOP); so do we.
_MAX_LINKS = 40


class LayoutError(JitsiSecureError):
    """A deployment whose files cannot be found, or a path that leaves the root."""


@dataclass(frozen=True)
class Root:
    """The folder a deployment lives under (``/`` for the running system); ``path`` is absolute and real."""

    path: Path

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
        pending = list(PurePosixPath(path).relative_to("/").parts)
        current = self.path
        links = 0
        outside: PurePosixPath | None = None
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if current == self.path:
                    raise LayoutError(f"{path} leads outside the root {self.path}; refusing to touch it")
                current = current.parent
                continue
            candidate = current / part
            if not candidate.is_symlink():
                current = candidate
                continue
            links += 1
            if links > _MAX_LINKS:
                raise LayoutError(f"{path}: too many levels of symbolic links under {self.path}")
            target = PurePosixPath(os.readlink(candidate))
            if target.is_absolute():
                outside = target if self.path != Path("/") else None
                current = self.path
                pending = list(target.relative_to("/").parts) + pending
            else:
                pending = list(target.parts) + pending
        if outside is not None and not current.exists() and os.path.exists(outside):
            raise LayoutError(
                f"{path} is a link to {outside}, which leads outside the root {self.path} (inside the root "
                "there is no such file); refusing to touch it"
            )
        return current

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

    @property
    def suffix(self) -> str:
        """`` under /img`` for messages, or nothing at ``/``."""
        return "" if self.path == Path("/") else f" under {self.path}"
