"""Where the accounts are: the deployment's root, its single domain, the data folder and the host file.

The rules ``jitsi-secure user`` and the Ansible module share, on the one
:class:`~jitsi_secure._root.Root` the layouts use: the same discovery, the same messages, raised here
as :class:`~jitsi_secure.accounts.AccountError`.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from jitsi_secure._root import LayoutError, Root
from jitsi_secure._spec import validate_domain
from jitsi_secure.accounts._errors import AccountError

__all__ = ["deployment_root", "path_under_root", "prosody_host_file", "require_prosodyctl_reach", "single_domain"]


def deployment_root(root: str | os.PathLike[str] = "/") -> Path:
    """``root`` resolved (symlinks followed), the folder every other path is found under.

    Raises :class:`AccountError` when it is not a folder.
    """
    return _root(root).path


def require_prosodyctl_reach(root: str | os.PathLike[str], prosodyctl: object | None) -> None:
    """Refuse the default ``prosodyctl`` for a deployment under a root other than ``/``.

    The machine's own ``prosodyctl`` changes the accounts of the Prosody this machine runs, not those of
    an image or a test tree: there the account file is written offline, or ``prosodyctl`` is given as a
    command that reaches that deployment's Prosody (a container's). Raises :class:`AccountError`.
    """
    if prosodyctl is None and Path(root).resolve() != Path("/"):
        raise AccountError(
            f"under the root {root}, this machine's prosodyctl would change the accounts of the Prosody this "
            "machine runs, not the deployment's: write the account file offline (--offline / offline: true), "
            "or give the prosodyctl command that reaches that deployment's Prosody; nothing was changed"
        )


def single_domain(root: str | os.PathLike[str] = "/") -> str:
    """The one Jitsi Meet host configured under ``root`` (``/etc/jitsi/meet/<host>-config.js``).

    Raises :class:`AccountError` listing what was found when there is none or more than one; the
    message tells the command line's user to give ``--domain``.
    """
    try:
        found = Root(Path(root).resolve()).single_domain()
    except LayoutError as error:
        raise AccountError(str(error)) from None
    return validate_domain(found)


def path_under_root(root: str | os.PathLike[str], path: str | os.PathLike[str], *, what: str = "path") -> Path:
    """``path`` as seen from inside ``root``: an absolute path is taken under the root, a relative one
    from the current folder (it is the user's own, as on any command line).

    An absolute path that leads out of the root (through a symlink or ``..``) raises
    :class:`AccountError`, naming it as ``what`` (e.g. ``"data folder"``). The path need not exist.
    """
    base = Root(Path(root).resolve())
    text = os.fspath(path)
    if not os.path.isabs(text):
        return Path.cwd() / text
    candidate = base.under(PurePosixPath(text))
    # Checked as the operating system follows links, since it is the operating system that follows
    # them when the account files are written there.
    real = candidate.resolve()
    if base.inside(real) is None:
        raise AccountError(f"the {what} {text} leads outside the root {base.path} (to {real}); refusing to use it")
    return candidate


def prosody_host_file(
    root: str | os.PathLike[str], domain: str, *, prosody_config: str | os.PathLike[str] | None = None
) -> Path | None:
    """The Prosody host file of ``domain`` under ``root``, whose ``password_hash`` an offline account
    follows (pass it to :func:`add_user` or :func:`set_password` as ``prosody_config``).

    ``prosody_config`` if given (seen from inside the root; it must exist, else :class:`AccountError`),
    else ``/etc/prosody/conf.avail/<domain>.cfg.lua`` or ``/etc/prosody/conf.d/<domain>.cfg.lua`` when
    one exists (links followed inside the root, as the layouts do); ``None`` when there is none.
    """
    if prosody_config is not None:
        path = path_under_root(root, prosody_config, what="Prosody config")
        if not path.is_file():
            raise AccountError(f"the Prosody config {os.fspath(prosody_config)} does not exist")
        return path
    try:
        return _root(root).prosody_host_file(domain)
    except LayoutError as error:
        raise AccountError(str(error)) from None


def _root(root: str | os.PathLike[str]) -> Root:
    try:
        return Root.at(root)
    except LayoutError as error:
        raise AccountError(str(error)) from None
