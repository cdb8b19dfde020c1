"""Write a plan: under the deployment lock, every new text staged, renamed into place in plan order,
and the files already renamed put back if a later one fails (see ``docs/safety.md``)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from jitsi_secure._core.lock import DEFAULT_TIMEOUT, locked
from jitsi_secure._core.write import (
    WriteBatch,
    WriteResult,
    create_text,
    leftovers,
    read_text,
    remove_leftovers,
    write_text,
)
from jitsi_secure.errors import VerificationError, WriteError
from jitsi_secure.secure_domain import secret_file
from jitsi_secure.secure_domain._model import FileChange, Plan
from jitsi_secure.secure_domain.layout import DockerLayout, Layout

__all__ = ["ApplyError", "apply_plan", "deployment_lock"]


def apply_plan(
    plan: Plan, *, backup_suffix: str | None = None, lock_timeout: float = DEFAULT_TIMEOUT
) -> list[WriteResult]:
    """Write the plan's changed files, all or nothing as far as a file system allows.

    1. **Lock.** Take the deployment lock (:func:`deployment_lock`): ``.jitsi-secure.lock`` in the
       folder of the plan's first file. A second run waits up to ``lock_timeout`` seconds, then fails
       with :class:`~jitsi_secure._core.lock.LockError`; nothing is written. (The command line takes
       the lock before it reads the deployment, so a run that waited plans on what the last one
       wrote; take it around :func:`build_plan` too for the same effect.)
    2. **Tidy.** Temporary files that an interrupted run left beside the plan's files are removed.
    3. **Check.** Under the lock, every file to change must still hold exactly the text it was planned
       from; one that differs (someone edited it, or another run applied first) stops everything
       before any write, with a :class:`~jitsi_secure.errors.WriteError` saying to plan again.
    4. **Stage** every new text, and with ``backup_suffix`` every backup, in a synced file that does
       not replace anything yet (:class:`~jitsi_secure._core.write.WriteBatch`). A failure here
       writes nothing.
    5. **Rename** them into place in plan order (Prosody host file, config.js, jicofo.conf, Jicofo's
       legacy properties, Jigasi's properties; docker: the one ``.env``), back to back, then fsync
       the folders.
    6. **Roll back.** If renaming file *k* fails (or the run is interrupted), files 1..k-1 are written
       back from their planned ``before`` text with the safe writer, and :class:`ApplyError` says
       which files are old and which (if a restore failed too) are still new. File *k* itself is old.

    Returns one :class:`~jitsi_secure._core.write.WriteResult` per changed file, in write order.
    """
    if plan.audit_only:
        raise VerificationError("this plan is an audit (audit_only=True) without new texts; it cannot be applied")
    changes = plan.changes
    paths = [f.path for f in plan.files]
    if not changes and not leftovers(paths):
        return []
    with deployment_lock(plan.layout, timeout=lock_timeout):
        remove_leftovers(leftovers(paths))
        for change in changes:
            if not change.exists:
                if os.path.lexists(change.path):
                    raise WriteError(f"{change.display} appeared since it was planned; nothing was written, plan again")
            elif not os.path.lexists(change.path) or read_text(change.path, encoding=change.encoding) != change.before:
                raise WriteError(
                    f"{change.display} changed on disk since it was planned; nothing was written, plan again"
                )
        with WriteBatch() as batch:
            try:
                for change in changes:
                    _stage(batch, change, backup_suffix)
                return batch.commit()
            except BaseException as exc:
                if len(batch.committed) == len(changes):
                    raise  # interrupted after the last rename: everything is new
                # Staging failed at file len(batch) (nothing renamed), or a rename after len(committed).
                failed = changes[len(batch) if len(batch) < len(changes) else len(batch.committed)]
                done = changes[: len(batch.committed)]
                batch.discard()
                error = _roll_back(plan, done, failed, exc)
                if isinstance(exc, WriteError):
                    raise error from None
                raise


def _stage(batch: WriteBatch, change: FileChange, backup_suffix: str | None) -> None:
    """One change into the batch: a deletion, or a text (a secret file never gets a backup: it would be
    a copy of the secret the change is there to remove or replace)."""
    if change.removed:
        batch.remove(change.path)
        return
    if change.link_target is not None:
        batch.link(change.path, change.link_target)
        return
    secret = change.role == secret_file.ROLE
    new = change.mode if not change.exists else None
    batch.stage(
        change.path,
        change.after,
        encoding=change.encoding,
        backup_suffix=None if secret else backup_suffix,
        mode=new.mode if new else None,
        owner=(new.uid, new.gid) if new else None,
    )


@contextlib.contextmanager
def deployment_lock(layout: Layout | DockerLayout, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Path]:
    """Hold the lock that :func:`apply_plan` takes, for the ``with`` block; yields the lock file's path.

    Taken around :func:`build_plan` and :func:`apply_plan`, it makes a run that had to wait read the
    files only after the previous run wrote them, so it plans on their new text instead of failing
    with "changed on disk". :func:`apply_plan` inside the block does not wait for it again.
    """
    first = layout.env_file if isinstance(layout, DockerLayout) else layout.prosody  # the plan's first file
    with locked(Path(os.path.realpath(first)).parent, timeout=timeout) as path:
        yield path


class ApplyError(WriteError):
    """A multi-file apply that failed part-way; every file was put back where possible.

    Attributes:
        failed: the file (as the deployment sees it) whose write failed; it is unchanged.
        restored: files that had been written and were put back to their old text.
        still_new: files that had been written and could not be put back (they hold the new text).
        untouched: files not reached; they are unchanged.
    """

    def __init__(
        self,
        message: str,
        *,
        failed: str,
        restored: tuple[str, ...],
        still_new: tuple[str, ...],
        untouched: tuple[str, ...],
    ) -> None:
        super().__init__(message)
        self.failed = failed
        self.restored = restored
        self.still_new = still_new
        self.untouched = untouched


def _roll_back(plan: Plan, done: tuple[FileChange, ...], failed: FileChange, cause: BaseException) -> ApplyError:
    """Write the files in ``done`` back to their planned ``before`` text, newest first; say what is where."""
    restored: list[str] = []
    still_new: list[str] = []
    for change in reversed(done):
        try:
            _put_back(change)
        except WriteError as exc:
            still_new.append(f"{change.display} ({exc})")
        else:
            restored.append(change.display)
    restored.reverse()
    still_new.reverse()
    untouched = tuple(c.display for c in plan.changes if c is not failed and all(c is not d for d in done))
    reason = str(cause) if isinstance(cause, WriteError) else type(cause).__name__
    parts = [f"{plan.mask(reason)}; {failed.display} is unchanged"]
    if restored:
        parts.append(f"put back to the old text: {', '.join(restored)}")
    if still_new:
        parts.append(f"STILL NEW, could not be put back: {', '.join(still_new)}")
    if untouched:
        parts.append(f"not written: {', '.join(untouched)}")
    state = "every file is as it was" if not still_new else "the deployment is half-changed: fix the files named"
    message = plan.mask("; ".join(parts) + f" ({state})")
    return ApplyError(
        message, failed=failed.display, restored=tuple(restored), still_new=tuple(still_new), untouched=untouched
    )


def _put_back(change: FileChange) -> None:
    """The file as it was before ``change``: its old text, gone again if it was created, back if deleted."""
    if not change.exists:
        try:
            os.unlink(change.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise WriteError(f"{change.display}: cannot delete: {exc.strerror or exc}") from None
    elif change.removed and change.mode is not None:
        owner = (change.mode.uid, change.mode.gid)
        if not create_text(change.path, change.before, mode=change.mode.mode, owner=owner, encoding=change.encoding):
            raise WriteError(f"{change.display}: another file took its place")
    else:
        write_text(change.path, change.before, encoding=change.encoding)
