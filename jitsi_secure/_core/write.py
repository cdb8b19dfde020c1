"""Reading and safely writing configuration files.

Writing follows Augeas's save: no write when the content is unchanged (the mtime stays), otherwise a
temporary file in the same folder with the original's mode and owner, fsync, and an atomic rename.
Symlinks are written *through*: Debian links ``conf.d/<host>.cfg.lua`` to ``conf.avail/``, and
replacing the link with a file would silently detach the two.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from jitsi_secure.errors import WriteError

__all__ = ["WriteResult", "fsync_folder", "read_text", "write_text"]

#: Decoding that maps every byte sequence to a string and back, so a file that is not valid in its
#: declared encoding still round-trips byte for byte.
_ERRORS = "surrogateescape"


@dataclass(frozen=True)
class WriteResult:
    """What :func:`write_text` did.

    Attributes:
        path: the path that was asked for (possibly a symlink).
        target: the file that was actually written (the symlink's final target).
        changed: whether the bytes on disk changed.
        backup: the backup copy made before writing, if any.
    """

    path: Path
    target: Path
    changed: bool
    backup: Path | None = None


def read_text(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> str:
    """Read a file as text without losing any byte (undecodable bytes survive a later write).

    Line endings are not translated: a CRLF file reads as CRLF. A BOM stays at the start of the text.
    """
    try:
        with open(path, encoding=encoding, errors=_ERRORS, newline="") as handle:
            return handle.read()
    except OSError as exc:
        raise WriteError(f"{path}: cannot read: {exc.strerror or exc}") from None


def write_text(
    path: str | os.PathLike[str],
    text: str,
    *,
    encoding: str = "utf-8",
    backup_suffix: str | None = None,
) -> WriteResult:
    """Write ``text`` to ``path`` atomically, only if it differs from what is there.

    * Unchanged content: nothing is written, the mtime stays, ``changed`` is false.
    * A symlink is followed to its final target, which is replaced; the link stays a link.
    * The new file gets the old one's permission bits and owner (when the process may set them);
      a new file gets ``0o644`` less the umask.
    * With ``backup_suffix`` (e.g. ``".bak"``), the old content is first written beside the target, the
      same safe way (an existing ``FILE.bak``, even a symlink, is replaced, never written through).

    Raises :class:`WriteError` with the path and the reason; the original file is then intact, and no
    temporary file is left behind (also when interrupted). A failure at any step (creating the
    temporary file, writing it, fsync, rename) leaves the old content in place; only the folder's
    fsync after the rename is best effort.
    """
    asked = Path(path)
    target = Path(os.path.realpath(asked))
    data = text.encode(encoding, errors=_ERRORS)
    try:
        old = target.read_bytes()
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise WriteError(f"{asked}: cannot read: {exc.strerror or exc}") from None
    if old == data:
        return WriteResult(asked, target, changed=False)
    backup = _make_backup(target, backup_suffix, old) if old is not None and backup_suffix else None
    _replace_atomically(target, data)
    return WriteResult(asked, target, changed=True, backup=backup)


def _make_backup(target: Path, suffix: str, old: bytes) -> Path:
    # Written like the file itself, never through an existing ``FILE.bak``: a symlink planted there
    # (in an image under --root, say) would otherwise send the copy anywhere on the machine.
    backup = target.with_name(target.name + suffix)
    try:
        like = target.stat()
    except OSError as exc:
        raise WriteError(f"{target}: cannot stat: {exc.strerror or exc}") from None
    try:
        _replace_atomically(backup, old, like=like)
    except WriteError as exc:
        raise WriteError(f"{target}: cannot write the backup {backup}: {exc}") from None
    return backup


def _replace_atomically(target: Path, data: bytes, *, like: os.stat_result | None = None) -> None:
    """Put ``data`` at ``target`` (which is replaced, not followed) via a synced temporary file.

    The steps, each of which can fail with the original intact: create the temporary file beside the
    target, write, copy mode and owner (of ``like``, else of the target), fsync, rename over the target.
    """
    existing = like
    if existing is None:
        try:
            existing = target.stat()
        except FileNotFoundError:
            existing = None
        except OSError as exc:
            raise WriteError(f"{target}: cannot stat: {exc.strerror or exc}") from None
    folder = target.parent
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(f"{target}: cannot create a temporary file in {folder}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            _copy_metadata(handle.fileno(), existing)
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if not isinstance(exc, OSError):
            raise
        raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
    fsync_folder(folder)


def _copy_metadata(fd: int, existing: os.stat_result | None) -> None:
    if existing is None:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o644 & ~umask)
        return
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))
    if hasattr(os, "fchown"):
        # Only root may give a file away; anyone else already owns what they create, and a
        # group change they may not make is not worth failing the write over.
        with contextlib.suppress(PermissionError):
            os.fchown(fd, existing.st_uid, existing.st_gid)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable (best effort: not every platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
