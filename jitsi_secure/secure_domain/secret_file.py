"""The app secret in a file of its own, which Prosody 13's config reads with ``FileContents``.

With ``--secret-source file`` the host file says ``app_secret = FileContents("<path>")`` and the secret
goes into ``<path>``: exactly the secret's bytes (no line ending: ``FileContents`` reads every byte),
mode ``0640``, owner ``root``, group ``prosody`` as the deployment's own ``/etc/group`` names it (under
``--root``, the image's, never this machine's). No such group is an error: a file only root can read
would stop Prosody, and one everybody can read is what the option is meant to avoid.

The file is part of the plan like any other: created (a new file, refused if one appears after
planning), rewritten when it holds another value (keeping its owner and mode), and deleted when the
host file stops reading it (revert, another mode or key source, the secret back in the config), so no
secret stays behind. A symlink at the path is never written through nor followed to a file to delete.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass
from pathlib import Path

from jitsi_secure._core.write import read_text
from jitsi_secure._file_readers import file_read
from jitsi_secure._root import Root
from jitsi_secure.errors import WriteError
from jitsi_secure.formats import lua
from jitsi_secure.secure_domain.spec import SecureDomain

__all__ = ["GROUP", "MODE", "ROLE", "FileMode", "SecretFileChange", "changes", "group_id", "read_by"]

ROLE = "secret"
#: The group Prosody runs as, which must read the file.
GROUP = "prosody"
MODE = 0o640


# Same shape as _core.keyvalue's `Comment` (three ints), which `duplicates` reports: unrelated records.
@dataclass(frozen=True)
class FileMode:
    """A file's permission bits and owner."""

    mode: int
    uid: int
    gid: int


@dataclass(frozen=True)
class SecretFileChange:
    """One secret file the plan creates, rewrites or deletes.

    ``before`` is ``None`` for a file that does not exist yet, ``after`` ``None`` for one to delete;
    ``mode`` is what a new file gets, or what a file to delete had (to put it back on a rollback).
    """

    path: Path
    display: str
    before: str | None
    after: str | None
    mode: FileMode | None
    warnings: tuple[str, ...] = ()


def group_id(root: Root, name: str = GROUP) -> int:
    """The id of group ``name`` in the deployment's ``/etc/group`` (under ``root``); :class:`WriteError` if none."""
    path = root.under("/etc/group")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        text = ""
        reason = f"cannot read /etc/group{root.suffix} ({exc.strerror or exc})"
    else:
        reason = f"no group {name!r} in /etc/group{root.suffix}"
    for line in text.splitlines():
        fields = line.split(":")
        if len(fields) >= 3 and fields[0] == name and fields[2].isdigit():
            return int(fields[2])
    raise WriteError(
        f"{reason}: the app secret file is for Prosody's group (mode 0640, root:{name}); install Prosody "
        "first, or keep the secret in the host file (--secret-source config)"
    )


def read_by(document: lua.LuaDocument, domain: str) -> str | None:
    """The path (as the deployment sees it) the main host's ``app_secret = FileContents("...")`` reads,
    or ``None`` when the option is not such a call of a string literal."""
    if not any(s.name and s.name.lower() == domain for s in document.sections()):
        return None
    return file_read(document.get((domain, "app_secret")), document.source, ("FileContents",))


def changes(
    root: Root, spec: SecureDomain, before: lua.LuaDocument, after: lua.LuaDocument, *, revert: bool
) -> list[SecretFileChange]:
    """The secret files to write and delete when the main host file goes from ``before`` to ``after``.

    Deletions first in the list, then the file to write: the plan orders them around the host file.
    """
    jwt = spec.jwt
    wanted = jwt.secret_file if jwt is not None and jwt.secret_file is not None and not revert else None
    stale = [read_by(before, spec.domain)]
    if revert and jwt is not None and jwt.secret_file is not None:
        stale.append(jwt.secret_file)
    keep = {wanted, read_by(after, spec.domain)}
    found = [_deletion(root, path) for path in dict.fromkeys(stale) if path is not None and path not in keep]
    result = [change for change in found if change is not None]
    if wanted is not None:
        assert jwt is not None and jwt.app_secret is not None
        write = _write(root, wanted, jwt.app_secret.reveal())
        if write is not None:
            result.append(write)
    return result


def _write(root: Root, display: str, secret: str) -> SecretFileChange | None:
    path = root.under(display)
    if path.is_symlink():
        raise WriteError(f"{display} is a symbolic link; refusing to write the app secret through it")
    if not path.parent.is_dir():
        raise WriteError(
            f"the folder {posixpath.dirname(display)} of the app secret file does not exist{root.suffix}; "
            "create it or give another --secret-path"
        )
    if not path.exists():
        return SecretFileChange(path, display, None, secret, FileMode(MODE, 0, group_id(root)))
    if not path.is_file():
        raise WriteError(f"{display} is not a regular file; refusing to write the app secret there")
    old = read_text(path)
    if old == secret:
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    warnings = () if not mode & 0o007 else (f"{display} is readable by every user (mode {mode:04o}); chmod o-rwx it",)
    return SecretFileChange(path, display, old, secret, None, warnings)


def _deletion(root: Root, display: str) -> SecretFileChange | None:
    path = root.under(display)
    if not os.path.lexists(path):
        return None
    if path.is_symlink() or not path.is_file():
        return SecretFileChange(path, display, None, None, None, (f"{display} is not a plain file; not deleted",))
    info = path.stat()
    return SecretFileChange(
        path, display, read_text(path), None, FileMode(stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)
    )
