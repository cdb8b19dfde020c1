"""Reading and safely writing configuration files.

Writing follows Augeas's save: no write when the content is unchanged (the mtime stays), otherwise a
new file in the same folder with the original's mode and owner, fsync, and an atomic rename.
Symlinks are written *through*: Debian links ``conf.d/<host>.cfg.lua`` to ``conf.avail/``, and
replacing the link with a file would silently detach the two.

Several files change together through a :class:`WriteBatch`, in two phases, so that a crash leaves
as little as possible half-done:

1. **stage**: every new text and every backup is written to a file that has no name yet (Linux
   ``O_TMPFILE``), created owner-only and then given the final file's owner and mode, and fsynced.
   A run killed here leaves nothing: the kernel frees a file without a name.
2. **commit**: each staged file gets a temporary name (``linkat``) and is renamed over its target,
   back to back, nothing slow in between; then the folders are fsynced. A run killed between a
   ``linkat`` and its rename leaves ``.NAME.XXXXXXXX.jitsi-secure-tmp``, which the next ``apply``
   removes under the lock (:func:`leftovers`).

A batch may also delete a file (:meth:`WriteBatch.remove`): the deletion happens in its place in
the commit, after the renames staged before it, so a failure while staging deletes nothing.

Where ``O_TMPFILE`` is missing (another OS, a file system without it, no ``/proc``), the staged file
gets that recognisable name at once, so a kill during staging may leave it too.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import re
import signal
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from jitsi_secure.errors import ReadError, WriteError, line_and_column

__all__ = [
    "KILL_AT_ENV",
    "TEMP_SUFFIX",
    "WriteBatch",
    "WriteResult",
    "create_text",
    "fsync_folder",
    "leftovers",
    "read_text",
    "remove_leftovers",
    "write_text",
]

#: Decoding that maps every byte sequence to a string and back, so a file that is not valid in its
#: declared encoding still round-trips byte for byte.
_ERRORS = "surrogateescape"
#: How a temporary file's name ends: ``.NAME.XXXXXXXX.jitsi-secure-tmp`` beside the file NAME.
TEMP_SUFFIX = ".jitsi-secure-tmp"
#: The rest of the name (after ``.FILE.``) of a temporary file earlier versions wrote with
#: ``tempfile.mkstemp(prefix=".FILE.", suffix=".tmp")`` (``.FILE.bak.`` for a backup): mkstemp's eight
#: characters, then ``.tmp``.
_EARLIER_TEMP = re.compile(r"(?:[\w.-]*\.)?[a-z0-9_]{8}\.tmp")
#: A test hook: with ``JITSI_SECURE_TEST_KILL_AT=N`` the process sends itself SIGKILL just before
#: the N-th file-system call of its writes, so tests can stop a run at every point of its write
#: phase without guessing at timings.
KILL_AT_ENV = "JITSI_SECURE_TEST_KILL_AT"
#: Unnamed temporary files: Linux ``O_TMPFILE``, named later through ``/proc/self/fd``.
_UNNAMED = getattr(os, "O_TMPFILE", 0) != 0 and os.path.isdir("/proc/self/fd")
#: What ``open(O_TMPFILE)`` fails with where the kernel or the file system lacks it.
_NO_TMPFILE = (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT)
#: Counts the calls for the test hook.
_STEPS = itertools.count(1)


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
    #: The file was deleted (:meth:`WriteBatch.remove`), not written.
    removed: bool = False
    #: A symbolic link was created (:meth:`WriteBatch.link`), leading here.
    link_target: str | None = None


@dataclass(frozen=True)
class _Staged:
    """A complete, fsynced file waiting to replace ``target``.

    ``fd`` is the open unnamed file (``None`` once it has a name); ``temp`` is the name it has, or
    gets just before the rename. ``remove``: nothing was written; committing deletes ``target``.
    """

    target: Path
    temp: Path
    fd: int | None
    remove: bool = False


def read_text(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> str:
    """Read a file as text without losing any byte (undecodable bytes survive a later write).

    Line endings are not translated: a CRLF file reads as CRLF. A BOM stays at the start of the text.
    A file that cannot be read (missing, a folder, no permission) raises :class:`ReadError`.
    """
    try:
        with open(path, encoding=encoding, errors=_ERRORS, newline="") as handle:
            return handle.read()
    except OSError as exc:
        raise ReadError(f"{path}: cannot read: {exc.strerror or exc}") from None


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
      a new file gets ``0o644`` less the umask. It is never readable by anyone the final mode does
      not allow, not even while it is being written.
    * With ``backup_suffix`` (e.g. ``".bak"``), the old content is also written beside the target, the
      same safe way (an existing ``FILE.bak``, even a symlink, is replaced, never written through),
      and renamed into place just before the file.

    Raises :class:`WriteError` with the path and the reason; the original file is then intact, and no
    temporary file is left behind (also when interrupted). A failure at any step (creating the
    temporary file, writing it, fsync, rename) leaves the old content in place; only the folder's
    fsync after the rename is best effort.
    """
    with WriteBatch() as batch:
        batch.stage(path, text, encoding=encoding, backup_suffix=backup_suffix)
        return batch.commit()[0]


class WriteBatch:
    """Files written together: all staged (written and fsynced) first, then renamed back to back.

    Use as a context manager; leaving the ``with`` block discards whatever was staged and not
    committed (no file is left behind)::

        with WriteBatch() as batch:
            batch.stage(path_a, text_a)
            batch.stage(path_b, text_b, backup_suffix=".bak")
            results = batch.commit()

    :meth:`stage` raises :class:`WriteError` with every target still untouched (also for a text that
    ``encoding`` cannot hold, such as one with a lone surrogate). :meth:`commit` raises
    :class:`WriteError` for a rename that fails; :attr:`committed` then says which files were replaced
    before it (the caller may put them back).
    """

    def __init__(self) -> None:
        self._results: list[WriteResult] = []
        self._staged: list[tuple[_Staged, ...]] = []
        #: The results of the files already renamed into place by :meth:`commit`, in order.
        self.committed: list[WriteResult] = []

    def __enter__(self) -> WriteBatch:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.discard()

    def __len__(self) -> int:
        """How many files were staged (the unchanged ones included)."""
        return len(self._results)

    def stage(
        self,
        path: str | os.PathLike[str],
        text: str,
        *,
        encoding: str = "utf-8",
        backup_suffix: str | None = None,
        mode: int | None = None,
        owner: tuple[int, int] | None = None,
    ) -> WriteResult:
        """Write ``text`` for ``path`` (and its backup) to synced files with no effect on ``path`` yet.

        Returns what :meth:`commit` will have done for this file. Content identical to the file's
        stages nothing (``changed`` is false). A file that does not exist yet gets the permission bits
        ``mode`` (default ``0o644`` less the umask) and ``owner`` (uid, gid; when the process may give
        it); an existing file keeps its own.
        """
        asked = Path(path)
        target = Path(os.path.realpath(asked))
        data = _encoded(asked, text, encoding)
        try:
            old = target.read_bytes()
            like: os.stat_result | None = target.stat()
        except FileNotFoundError:
            old, like = None, None
        except OSError as exc:
            raise ReadError(f"{asked}: cannot read: {exc.strerror or exc}") from None
        if old == data:
            result = WriteResult(asked, target, changed=False)
            self._add(result, ())
            return result
        staged: list[_Staged] = []
        try:
            backup = None
            if old is not None and backup_suffix:
                # Written like the file itself, never through an existing ``FILE.bak``: a symlink
                # planted there (in an image under --root, say) would send the copy anywhere.
                backup = target.with_name(target.name + backup_suffix)
                try:
                    staged.append(_stage_like(backup, old, like))
                except WriteError as exc:
                    raise WriteError(f"{target}: cannot write the backup {backup}: {exc}") from None
            if like is None and mode is not None:
                staged.append(_stage(target, data, mode, owner))
            else:
                staged.append(_stage_like(target, data, like))
        except BaseException:
            _discard(staged)
            raise
        result = WriteResult(asked, target, changed=True, backup=backup)
        self._add(result, tuple(staged))
        return result

    def remove(self, path: str | os.PathLike[str]) -> WriteResult:
        """Delete ``path`` when :meth:`commit` reaches it, in staging order, with the renames.

        Nothing happens to the file before then, so a failure while staging leaves it in place. A
        symlink is deleted itself, never the file it leads to; a missing file stages nothing
        (``changed`` is false).
        """
        asked = Path(path)
        if not os.path.lexists(asked):
            result = WriteResult(asked, asked, changed=False)
            self._add(result, ())
            return result
        result = WriteResult(asked, asked, changed=True, removed=True)
        self._add(result, (_Staged(asked, asked, None, remove=True),))
        return result

    def link(self, path: str | os.PathLike[str], target: str) -> WriteResult:
        """Create the symbolic link ``path`` leading to ``target`` when :meth:`commit` reaches it.

        The link is made now under a temporary name beside ``path`` (one the next run recognises as a
        leftover) and renamed into place with the other files, so a failure before then leaves no link.
        An existing ``path`` is never replaced: staging it raises :class:`WriteError`.
        """
        asked = Path(path)
        if os.path.lexists(asked):
            if os.path.islink(asked) and os.readlink(asked) == target:
                result = WriteResult(asked, asked, changed=False, link_target=target)
                self._add(result, ())
                return result
            raise WriteError(f"{asked} exists; refusing to replace it with a link to {target}")
        temp = _temp_name(asked)
        try:
            _step()
            os.symlink(target, temp)
        except OSError as exc:
            raise WriteError(f"{asked}: cannot create the link: {exc.strerror or exc}") from None
        result = WriteResult(asked, asked, changed=True, link_target=target)
        self._add(result, (_Staged(asked, temp, None),))
        return result

    def commit(self) -> list[WriteResult]:
        """Rename every staged file into place (each backup just before its file), then fsync the folders.

        Returns one result per staged file, in staging order.
        """
        folders: dict[Path, None] = {}
        done = len(self.committed)
        unnamed = any(item.fd is not None for staged in self._staged[done:] for item in staged)
        proc = _open_proc_fds() if unnamed else None
        try:
            for result, staged in zip(self._results[done:], self._staged[done:], strict=True):
                for item in staged:
                    folders[item.target.parent] = None
                    _put(item, proc)
                self.committed.append(result)
        finally:
            if proc is not None:
                os.close(proc)
            self._close()
            for folder in folders:
                fsync_folder(folder)
        return list(self._results)

    def discard(self) -> None:
        """Remove every staged file not yet committed (the files on disk stay as they are)."""
        for staged in self._staged[len(self.committed) :]:
            _discard(staged)
        del self._staged[len(self.committed) :]
        del self._results[len(self.committed) :]

    def _add(self, result: WriteResult, staged: tuple[_Staged, ...]) -> None:
        self._results.append(result)
        self._staged.append(staged)

    def _close(self) -> None:
        # The unnamed files that were given a name: their descriptors are no longer needed.
        for index, staged in enumerate(self._staged[: len(self.committed)]):
            for item in staged:
                if item.fd is not None:
                    _step()
                    with contextlib.suppress(OSError):
                        os.close(item.fd)
            self._staged[index] = tuple(_Staged(item.target, item.temp, None) for item in staged)


def create_text(
    path: str | os.PathLike[str], text: str, *, mode: int, owner: tuple[int, int] | None = None, encoding: str = "utf-8"
) -> bool:
    """Create the file ``path`` holding ``text``, complete or not at all; never replace one.

    The file is written and fsynced under no name (or a temporary one), owner-only until it has
    ``owner`` (uid, gid; when the process may give it) and the permission bits ``mode``, then linked
    to ``path``. Returns ``False``, writing nothing, when ``path`` exists (a link never replaces a
    name, so of two concurrent creations exactly one wins). Raises :class:`WriteError` on failure.
    """
    target = Path(path)
    item = _stage(target, _encoded(target, text, encoding), mode, owner)
    try:
        proc = _open_proc_fds() if item.fd is not None else None
        try:
            _step()
            if item.fd is not None:
                os.link(str(item.fd), target, src_dir_fd=proc, follow_symlinks=True)
            else:
                os.link(item.temp, target, follow_symlinks=False)
        finally:
            if proc is not None:
                os.close(proc)
    except FileExistsError:
        return False
    except OSError as exc:
        raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
    finally:
        _discard((item,))  # the descriptor, or the temporary name beside the new link
    fsync_folder(target.parent)
    return True


def _encoded(path: Path, text: str, encoding: str) -> bytes:
    """``text`` as the bytes of the file ``path``; what ``encoding`` cannot hold is a :class:`WriteError`
    (before anything is written) at its line and column, never the text itself (it may be a secret)."""
    try:
        return text.encode(encoding, errors=_ERRORS)
    except UnicodeEncodeError as exc:
        line, column = line_and_column(text, exc.start)
        raise WriteError(
            f"{path}: cannot write line {line}, column {column} as {encoding} (a character it cannot hold,"
            " such as a lone surrogate); nothing was written"
        ) from None


def _stage_like(target: Path, data: bytes, like: os.stat_result | None) -> _Staged:
    """``data`` in a synced file beside ``target``, with ``like``'s owner and mode (else a new file's)."""
    if like is None:
        return _stage(target, data, _new_file_mode(), None)
    return _stage(target, data, stat.S_IMODE(like.st_mode), (like.st_uid, like.st_gid))


def _stage(target: Path, data: bytes, mode: int, owner: tuple[int, int] | None) -> _Staged:
    """``data`` in a synced file beside ``target`` with permission bits ``mode`` and ``owner`` (uid, gid)."""
    temp = _temp_name(target)
    fd, named = _create(target, temp, mode)
    try:
        _write_all(fd, data)
        if owner is not None and hasattr(os, "fchown"):
            # Only root may give a file away; anyone else already owns what they create, and a
            # group change they may not make is not worth failing the write over.
            _step()
            with contextlib.suppress(PermissionError):
                os.fchown(fd, *owner)
        # After the owner: a chown clears set-id bits, and the file was owner-only until now.
        _step()
        os.fchmod(fd, mode)
        _step()
        os.fsync(fd)
    except BaseException as exc:
        _discard((_Staged(target, temp, fd),))
        if not isinstance(exc, OSError):
            raise
        raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
    if not named:
        return _Staged(target, temp, fd)
    _step()
    os.close(fd)
    return _Staged(target, temp, None)


def _create(target: Path, temp: Path, mode: int) -> tuple[int, bool]:
    """A new file for ``target``'s folder, readable by its owner (this process) only; and whether it has a name.

    Owner-only until the owner and mode are set: a group or others the final mode shuts out (or a
    group that differs from the final file's) never get to read what is being written.
    """
    folder = target.parent
    private = mode & 0o700 | stat.S_IRUSR | stat.S_IWUSR
    try:
        if _UNNAMED:
            _step()
            try:
                return os.open(folder, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, private), False
            except OSError as exc:
                if exc.errno not in _NO_TMPFILE:
                    raise
        _step()
        return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, private), True
    except OSError as exc:
        raise WriteError(f"{target}: cannot create a temporary file in {folder}: {exc.strerror or exc}") from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        _step()
        view = view[os.write(fd, view) :]


def _open_proc_fds() -> int:
    """``/proc/self/fd``, through which an unnamed file is given a name (this process's, after a fork too)."""
    try:
        _step()
        return os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise WriteError(f"cannot open /proc/self/fd to name the new files: {exc.strerror or exc}") from None


def _put(item: _Staged, proc: int | None) -> None:
    """Name an unnamed staged file, then rename it over its target (or delete a target to remove)."""
    try:
        if item.remove:
            _step()
            os.unlink(item.target)
            return
        if item.fd is not None:
            _step()
            # linkat(AT_SYMLINK_FOLLOW) on the descriptor's /proc entry: the one way to name an
            # O_TMPFILE file without CAP_DAC_READ_SEARCH. Python calls plain link(), which does not
            # follow, unless a directory descriptor is given.
            os.link(str(item.fd), item.temp, src_dir_fd=proc, follow_symlinks=True)
        _step()
        os.replace(item.temp, item.target)
    except OSError as exc:
        raise WriteError(f"{item.target}: cannot write: {exc.strerror or exc}") from None


def _discard(staged: Iterable[_Staged]) -> None:
    # The name may exist (a named temporary file, or one linked before its rename failed) or not.
    for item in staged:
        if item.remove:
            continue  # nothing was written for a removal; its target stays
        if item.fd is not None:
            with contextlib.suppress(OSError):
                os.close(item.fd)
        _unlink(item.temp)


def _unlink(path: Path) -> None:
    _step()
    with contextlib.suppress(OSError):
        os.unlink(path)


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.urandom(4).hex()}{TEMP_SUFFIX}")


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o644 & ~umask


def leftovers(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The temporary files an interrupted write of ``paths`` (or of their backups) left beside them.

    Symlinks are followed to the files written, as :func:`write_text` does. Only regular files named
    like this module's temporary files count, and like those earlier versions wrote
    (``.FILE.``, a backup suffix or none, eight of :func:`tempfile.mkstemp`'s characters, ``.tmp``):
    those were never removed, and may hold a secret the file no longer has.
    """
    found = []
    for path in paths:
        target = Path(os.path.realpath(path))
        prefix = f".{target.name}."
        try:
            names = os.listdir(target.parent)
        except OSError:
            continue
        for name in sorted(names):
            if name.startswith(prefix) and (name.endswith(TEMP_SUFFIX) or _EARLIER_TEMP.fullmatch(name, len(prefix))):
                candidate = target.parent / name
                with contextlib.suppress(OSError):
                    if stat.S_ISREG(candidate.lstat().st_mode):
                        found.append(candidate)
    return found


def remove_leftovers(paths: Iterable[Path]) -> None:
    """Remove the temporary files :func:`leftovers` found (call it under the deployment lock)."""
    folders: dict[Path, None] = {}
    for path in paths:
        _unlink(path)
        folders[path.parent] = None
    for folder in folders:
        fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable (best effort: not every platform allows it)."""
    try:
        _step()
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        _step()
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _step() -> None:
    """Count a file-system call of a write; the test hook (:data:`KILL_AT_ENV`) may end the process here."""
    at = os.environ.get(KILL_AT_ENV)
    if at is None or not at.isdigit():
        return
    if next(_STEPS) == int(at):
        os.kill(os.getpid(), signal.SIGKILL)
