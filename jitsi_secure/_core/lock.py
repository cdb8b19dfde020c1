"""An advisory lock so two ``jitsi-secure apply`` runs never write the same deployment at once.

The lock is ``flock(LOCK_EX)`` on a small lock file, ``.jitsi-secure.lock``, in the folder of the
first file a plan writes (Debian: ``/etc/prosody/conf.avail``; docker: the compose project's folder).
That folder is inside the deployment, so it works the same for a live server and for an image under
``--root``, and two runs on one tree always meet at the same file. Every other jitsi-secure run on the
tree takes the same lock before it reads the deployment, so a run that waited plans on what the
previous one wrote: the second one waits up to ``timeout`` seconds, then fails with :class:`LockError`
naming the lock file. The lock file is left in place, empty: removing it would let a waiting run lock
a file that no longer has a name while a third run creates a new one.

The lock is re-entrant within a thread: the command line takes it before planning, and
:func:`~jitsi_secure.secure_domain.plan.apply_plan` (which library callers use alone) takes it again
without waiting for itself. (``flock`` belongs to an open file, so a second ``open`` of the same lock
file in the same process would otherwise wait for the first.)

The kernel drops a ``flock`` when its process ends, however it ends, so a crashed run leaves no stale
lock. On a file system without ``flock`` (some network mounts) no lock is taken.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from jitsi_secure.errors import WriteError

__all__ = ["DEFAULT_TIMEOUT", "LOCK_NAME", "LockError", "locked"]

#: The lock file's name, in the folder of the first file written.
LOCK_NAME = ".jitsi-secure.lock"
#: How long a run waits for another one by default, in seconds.
DEFAULT_TIMEOUT = 10.0
#: How often a waiting run tries the lock again.
_POLL = 0.05
#: The lock files this process holds, per thread: a nested ``locked`` on one of them does not wait.
_HELD = threading.local()


class LockError(WriteError):
    """Another jitsi-secure run holds the lock of this deployment; nothing was written."""


@contextlib.contextmanager
def locked(folder: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Path]:
    """Hold the deployment lock in ``folder`` for the ``with`` block; yields the lock file's path.

    Waits at most ``timeout`` seconds (``0``: try once) for another run to finish, then raises
    :class:`LockError`. Inside a ``with locked(folder)`` of the same thread it returns at once. A
    folder where no lock file can be created raises :class:`~jitsi_secure.errors.WriteError` (nothing
    could have been written there either).
    """
    path = Path(folder) / LOCK_NAME
    held: set[Path] = _HELD.__dict__.setdefault("paths", set())
    if path in held:
        yield path
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as exc:
        raise WriteError(f"{path}: cannot create the lock file: {exc.strerror or exc}") from None
    try:
        _acquire(fd, path, timeout)
        held.add(path)
        try:
            yield path
        finally:
            held.discard(path)
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def _acquire(fd: int, path: Path, timeout: float) -> None:
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return  # no flock on this file system: go on unlocked, as documented
        if time.monotonic() >= deadline:
            raise LockError(
                f"another jitsi-secure is writing this deployment (lock {path} held"
                f"{f' for more than {timeout:g} s' if timeout > 0 else ''}); nothing was written, "
                "try again when it has finished"
            )
        time.sleep(_POLL)
