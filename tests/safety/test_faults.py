"""Faults while writing: every step of the safe writer failing, a plan gone stale, a multi-file apply
failing half-way (rollback), and two runs on one tree (the lock). See ``docs/safety.md``.

The failures are injected by replacing the ``os``/``tempfile`` calls the writer makes, since the tests
run as root (permissions do not stop root) and may not mount a small tmpfs.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jitsi_secure._core import write as write_module
from jitsi_secure._core.lock import LOCK_NAME, LockError, locked
from jitsi_secure._core.write import TEMP_SUFFIX, leftovers, read_text, write_text
from jitsi_secure.cli import main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.errors import ReadError, WriteError
from jitsi_secure.secure_domain import _apply as apply_module
from jitsi_secure.secure_domain.layout import Layout
from jitsi_secure.secure_domain.plan import ApplyError, Plan, apply_plan, build_plan
from jitsi_secure.secure_domain.spec import JigasiAccount, Secret, SecureDomain
from tests.oracles import missing

REPO = Path(__file__).resolve().parents[2]
ORIGINAL = "a = 1\n# the original\n"


def _boom(code: int = errno.EIO) -> Callable[..., Any]:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    return fail


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", TEMP_SUFFIX)))


def refuse_creating(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Make creating a file (named, or unnamed with ``O_TMPFILE``) fail with ``code``; other opens work."""
    real = os.open
    unnamed = getattr(os, "O_TMPFILE", 0)

    def refuse(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT or (unnamed and flags & unnamed == unnamed):
            raise OSError(code, os.strerror(code))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(write_module.os, "open", refuse)


@pytest.fixture(params=["unnamed", "named"])
def temp_files(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test runs with unnamed temporary files (O_TMPFILE, where the system has it) and named ones."""
    if request.param == "named":
        monkeypatch.setattr(write_module, "_UNNAMED", False)
    elif not write_module._UNNAMED:
        missing("no O_TMPFILE on this system (Linux 3.11 and a file system that has it)")
    return str(request.param)


# -- the safe writer, one step at a time -------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "target", "reason"),
    [
        ("create the temporary file", "os.open", "cannot create a temporary file"),
        ("write (disk full)", "os.write", "No space left on device"),
        ("copy the mode", "os.fchmod", "Input/output error"),
        ("fsync", "os.fsync", "Input/output error"),
        ("rename (read-only file system)", "os.replace", "Read-only file system"),
    ],
)
@pytest.mark.usefixtures("temp_files")
def test_each_step_of_a_write_can_fail_and_the_original_is_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, target: str, reason: str
) -> None:
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)
    path.chmod(0o640)
    before = path.stat()
    name = target.split(".")[1]
    if name == "open":
        refuse_creating(monkeypatch, errno.EIO)
    elif name == "write":
        monkeypatch.setattr(write_module.os, "write", _boom(errno.ENOSPC))
    elif name == "replace":
        monkeypatch.setattr(write_module.os, "replace", _boom(errno.EROFS))
    else:
        monkeypatch.setattr(write_module.os, name, _boom())
    with pytest.raises(WriteError) as caught:
        write_text(path, "a = 2\n")
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and reason in message, (step, message)
    assert path.read_text() == ORIGINAL
    assert (path.stat().st_ino, path.stat().st_mode, path.stat().st_mtime_ns) == (
        before.st_ino,
        before.st_mode,
        before.st_mtime_ns,
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.conf"]


def test_an_interrupt_during_a_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temp_files: str
) -> None:
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)

    def interrupted(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(write_module.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_text(path, "a = 2\n", backup_suffix=".bak")
    assert path.read_text() == ORIGINAL and sorted(p.name for p in tmp_path.iterdir()) == ["file.conf"]


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a read-only mount (or a non-root user in a root-owned folder) gives.
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)
    refuse_creating(monkeypatch, errno.EROFS)
    with pytest.raises(WriteError, match=r"cannot create a temporary file in .*: Read-only file system"):
        write_text(path, "a = 2\n")
    assert path.read_text() == ORIGINAL


def test_a_read_only_file_keeps_its_mode(tmp_path: Path) -> None:
    # Like `sed -i` or Augeas, the writer replaces the file; its mode (even 0444) and owner stay.
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)
    path.chmod(0o444)
    write_text(path, "a = 2\n")
    assert path.read_text() == "a = 2\n" and path.stat().st_mode & 0o777 == 0o444


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="cannot read"):
        read_text(tmp_path / "missing.conf")
    with pytest.raises(ReadError, match="cannot read"):
        write_text(tmp_path, "x")  # a folder where a file was expected


def test_a_backup_never_writes_through_a_planted_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)
    (tmp_path / "file.conf.bak").symlink_to(victim)
    result = write_text(path, "a = 2\n", backup_suffix=".bak")
    assert victim.read_text() == "precious\n"
    assert result.backup is not None and not result.backup.is_symlink()
    assert result.backup.read_text() == ORIGINAL


def test_a_failing_backup_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temp_files: str) -> None:
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)
    monkeypatch.setattr(write_module.os, "fsync", _boom(errno.ENOSPC))
    with pytest.raises(WriteError, match="cannot write the backup"):
        write_text(path, "a = 2\n", backup_suffix=".bak")
    assert path.read_text() == ORIGINAL and sorted(p.name for p in tmp_path.iterdir()) == ["file.conf"]


# -- apply: a stale plan, a half-way failure, rollback -------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return build_example_tree(tmp_path / "root")


def _plan(root: Path, tmp_path: Path) -> Plan:
    spec = SecureDomain(EXAMPLE_DOMAIN, jigasi=JigasiAccount(f"jigasi@{EXAMPLE_DOMAIN}", Secret("s3cr3t'\"pw")))
    return build_plan(Layout.debian(root=root), spec)


def _contents(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != LOCK_NAME
    }


def test_a_file_changed_since_planning_stops_everything(tree: Path, tmp_path: Path) -> None:
    plan = _plan(tree, tmp_path)
    assert len(plan.changes) == 5
    last = plan.changes[-1].path
    last.write_text(last.read_text() + "# an admin's edit\n")
    before = _contents(tree)
    with pytest.raises(WriteError, match=r"sip-communicator.properties changed on disk since it was planned"):
        apply_plan(plan)
    assert _contents(tree) == before  # not even the first file was written


def _planned(tree: Path, tmp_path: Path) -> tuple[Plan, dict[str, bytes], list[str]]:
    """The plan, the tree's files before it, and the plan's files in write order."""
    plan = _plan(tree, tmp_path)
    return plan, _contents(tree), [c.display for c in plan.changes]


class _FailingRename:
    """``os.replace`` that fails once, on the rename number ``at`` (0-based), with ``error``; records the rest."""

    def __init__(self, at: int, error: BaseException) -> None:
        self.at, self.error = at, error
        self.renamed: list[str] = []
        self.failed = False
        self.real = os.replace

    def __call__(self, src: Any, dst: Any) -> None:
        if len(self.renamed) == self.at and not self.failed:
            self.failed = True
            raise self.error
        self.renamed.append(str(dst))
        self.real(src, dst)


@pytest.mark.parametrize("failing", [1, 2, 4])
def test_a_half_way_failure_puts_every_written_file_back(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    plan, before, order = _planned(tree, tmp_path)
    real = apply_module.write_text
    restores: list[str] = []

    def recorded(path: Any, text: str, **kwargs: Any) -> Any:
        restores.append(str(path))
        return real(path, text, **kwargs)

    # The rename of file `failing` fails (what a staged write can still meet: a read-only remount).
    monkeypatch.setattr(
        write_module.os, "replace", _FailingRename(failing, OSError(errno.EROFS, "Read-only file system"))
    )
    monkeypatch.setattr(apply_module, "write_text", recorded)
    with pytest.raises(ApplyError) as caught:
        apply_plan(plan)
    error = caught.value
    assert _contents(tree) == before
    assert error.failed == order[failing]
    assert error.restored == tuple(order[:failing]) and error.still_new == ()
    assert error.untouched == tuple(order[failing + 1 :])
    message = str(error)
    assert "Read-only file system" in message and "every file is as it was" in message
    assert f"{order[failing]} is unchanged" in message
    assert all(name in message for name in order[:failing])
    # The renamed files were restored newest first, after the failed rename.
    assert restores == [str(c.path) for c in reversed(plan.changes[:failing])]
    assert all(_leftovers(c.path.resolve().parent) == [] for c in plan.changes)


@pytest.mark.parametrize("failing", [0, 3])
def test_a_failure_while_staging_writes_nothing(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temp_files: str, failing: int
) -> None:
    plan, before, order = _planned(tree, tmp_path)
    real = os.fsync
    synced: list[int] = []

    def full(fd: int) -> None:
        if len(synced) == failing:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(write_module.os, "fsync", full)
    monkeypatch.setattr(write_module.os, "replace", _boom())  # no rename may happen
    with pytest.raises(ApplyError) as caught:
        apply_plan(plan)
    error = caught.value
    assert _contents(tree) == before
    assert error.failed == order[failing] and error.restored == () and error.still_new == ()
    assert error.untouched == tuple(order[:failing] + order[failing + 1 :])
    assert "No space left on device" in str(error) and "every file is as it was" in str(error)
    assert all(_leftovers(c.path.resolve().parent) == [] for c in plan.changes)


def test_every_file_is_synced_before_the_first_rename(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temp_files: str
) -> None:
    plan = _plan(tree, tmp_path)
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("sync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "sync file")
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        events.append("rename")
        real_replace(src, dst)

    monkeypatch.setattr(write_module.os, "fsync", fsync)
    monkeypatch.setattr(write_module.os, "replace", replace)
    apply_plan(plan, backup_suffix=".bak")
    files = 2 * len(plan.changes)  # each new text and each backup
    folders = len({c.path.resolve().parent for c in plan.changes})
    assert events == ["sync file"] * files + ["rename"] * files + ["sync folder"] * folders


def test_a_restore_that_fails_too_is_named(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = _plan(tree, tmp_path)
    first, second, third = plan.changes[:3]
    real = apply_module.write_text

    def flaky(path: Any, text: str, **kwargs: Any) -> Any:
        if Path(path) == first.path and text == first.before:
            raise WriteError(f"{path}: cannot write: Input/output error")
        return real(path, text, **kwargs)

    monkeypatch.setattr(write_module.os, "replace", _FailingRename(2, OSError(errno.EIO, "Input/output error")))
    monkeypatch.setattr(apply_module, "write_text", flaky)
    with pytest.raises(ApplyError) as caught:
        apply_plan(plan)
    error = caught.value
    assert error.failed == third.display and error.restored == (second.display,)
    assert len(error.still_new) == 1 and error.still_new[0].startswith(first.display)
    assert "STILL NEW" in str(error) and "half-changed" in str(error)
    assert first.path.read_text() == first.after and second.path.read_text() == second.before
    assert third.path.read_text() == third.before


def test_an_interrupt_half_way_puts_the_written_files_back(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plan(tree, tmp_path)
    before = _contents(tree)
    monkeypatch.setattr(write_module.os, "replace", _FailingRename(2, KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        apply_plan(plan)
    assert _contents(tree) == before
    assert all(_leftovers(c.path.resolve().parent) == [] for c in plan.changes)


def test_the_cli_reports_a_half_way_failure_and_exits_2(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _contents(tree)
    real = write_module.os.replace
    replaced: list[str] = []

    def full_at_jicofo(src: Any, dst: Any) -> None:
        if str(dst).endswith("jicofo.conf"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        replaced.append(str(dst))
        real(src, dst)

    monkeypatch.setattr(write_module.os, "replace", full_at_jicofo)
    status = main(["apply", "--root", str(tree)])
    _out, err = capsys.readouterr()
    assert status == 2 and "Traceback" not in err
    assert err.startswith("jitsi-secure: error: ") and "No space left on device" in err
    assert "put back to the old text: /etc/prosody/conf.avail/meet.example.com.cfg.lua, /etc/jitsi/meet/" in err
    assert "every file is as it was" in err
    assert _contents(tree) == before and len(replaced) == 4  # two written, two put back


def test_nothing_to_change_takes_no_lock(tree: Path, tmp_path: Path) -> None:
    apply_plan(_plan(tree, tmp_path))
    holder = _hold_lock((tree / "etc/prosody/conf.avail").resolve(), 30, tmp_path)
    try:
        assert apply_plan(_plan(tree, tmp_path), lock_timeout=0) == []
    finally:
        holder.kill()
        holder.wait()


def test_the_next_apply_removes_what_a_killed_run_left(tree: Path, tmp_path: Path) -> None:
    meet = tree / f"etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js"
    jigasi = tree / "etc/jitsi/jigasi/sip-communicator.properties"
    left = [
        meet.with_name(f".{meet.name}.0123abcd{TEMP_SUFFIX}"),
        # Earlier versions' names (tempfile.mkstemp's eight characters), of the file and of a backup.
        meet.with_name(f".{meet.name}.k3_9zq1x.tmp"),
        jigasi.with_name(f".{jigasi.name}.bak.89abcdef{TEMP_SUFFIX}"),
        jigasi.with_name(f".{jigasi.name}.bak.a1b2c3d4.tmp"),
    ]
    # Not ours: another file's temporary name, names without our suffix or mkstemp's eight characters
    # before ``.tmp``, a symlink with our name.
    kept = [
        meet.with_name(f".other.js.0123abcd{TEMP_SUFFIX}"),
        meet.with_name(f".{meet.name}.0123abc.tmp"),
        meet.with_name(f".{meet.name}.0123abcd.tmp~"),
        meet.with_name(f".{meet.name}.swp"),
    ]
    for path in left + kept:
        path.write_text("password=old secret\n")
    link = meet.with_name(f".{meet.name}.fedcba98{TEMP_SUFFIX}")
    link.symlink_to(meet.name)
    assert leftovers([meet, jigasi]) == sorted(left[:2]) + sorted(left[2:])
    apply_plan(_plan(tree, tmp_path))
    assert not any(path.exists() for path in left)
    assert all(path.exists() for path in kept) and link.is_symlink()
    # Also when the plan has nothing to change.
    left[0].write_text("x")
    assert apply_plan(_plan(tree, tmp_path)) == [] and not left[0].exists()


# -- two runs on one tree: the lock ----------------------------------------------------------------

HOLDER = textwrap.dedent("""\
    import sys, time
    from pathlib import Path
    from jitsi_secure._core.lock import locked
    with locked(sys.argv[1], timeout=0):
        Path(sys.argv[2]).write_text("locked")
        time.sleep(float(sys.argv[3]))
""")


def _hold_lock(folder: Path, seconds: float, tmp_path: Path) -> subprocess.Popen[bytes]:
    flag = tmp_path / "holding"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder), str(flag), str(seconds)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    deadline = time.monotonic() + 20
    while not flag.exists():
        assert holder.poll() is None and time.monotonic() < deadline, "the lock holder did not start"
        time.sleep(0.02)
    return holder


def test_the_lock_is_reentrant_within_a_thread_only(tmp_path: Path) -> None:
    def from_another_thread() -> BaseException | None:
        outcome: list[BaseException | None] = []

        def attempt() -> None:
            try:
                with locked(tmp_path, timeout=0):
                    outcome.append(None)
            except LockError as exc:
                outcome.append(exc)

        thread = threading.Thread(target=attempt)
        thread.start()
        thread.join()
        return outcome[0]

    with locked(tmp_path, timeout=0):
        with locked(tmp_path, timeout=0):  # the command line's lock, then apply_plan's: no wait
            pass
        assert isinstance(from_another_thread(), LockError)  # the inner block did not release it
    assert from_another_thread() is None


def test_a_second_apply_fails_clearly_while_another_holds_the_lock(tree: Path, tmp_path: Path) -> None:
    folder = (tree / "etc/prosody/conf.avail").resolve()
    before = _contents(tree)
    holder = _hold_lock(folder, 30, tmp_path)
    try:
        with pytest.raises(LockError) as caught:
            apply_plan(_plan(tree, tmp_path), lock_timeout=0.2)
    finally:
        holder.kill()
        holder.wait()
    assert "another jitsi-secure is writing this deployment" in str(caught.value)
    assert str(folder / LOCK_NAME) in str(caught.value) and "nothing was written" in str(caught.value)
    assert _contents(tree) == before
    apply_plan(_plan(tree, tmp_path), lock_timeout=0)  # the holder's death released the lock


def test_a_second_cli_apply_waits_for_the_first(tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    holder = _hold_lock((tree / "etc/prosody/conf.avail").resolve(), 1.0, tmp_path)
    started = time.monotonic()
    try:
        status = main(["apply", "--root", str(tree)])
    finally:
        holder.wait()
    assert status == 0 and time.monotonic() - started > 0.5
    assert "wrote /etc/prosody/conf.avail/meet.example.com.cfg.lua" in capsys.readouterr().out


def test_two_concurrent_cli_applies_leave_a_consistent_tree(tree: Path) -> None:
    argv = [sys.executable, "-m", "jitsi_secure.cli", "apply", "--root", str(tree)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in "ab"]
    results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    # The lock is taken before the files are read: the second run plans on what the first wrote.
    assert [status for status, _, _ in results] == [0, 0], results
    assert sorted("wrote " in out for _, out, _ in results) == [False, True], results
    assert any("Nothing to change" in out for _, out, _ in results)
    check = subprocess.run(
        [*argv[:3], "check", "--root", str(tree)], env=env, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert _leftovers(tree / "etc/prosody/conf.avail") == []


def test_a_staged_link_appears_only_at_commit_and_never_replaces_a_file(tmp_path: Path) -> None:
    from jitsi_secure._core.write import WriteBatch

    link = tmp_path / "conf.d" / "host.cfg.lua"
    link.parent.mkdir()
    with WriteBatch() as batch:
        batch.link(link, "../conf.avail/host.cfg.lua")
        assert not os.path.lexists(link)  # staged under a temporary name only
    assert not os.path.lexists(link) and list(link.parent.iterdir()) == []  # discarded: nothing left
    with WriteBatch() as batch:
        result = batch.link(link, "../conf.avail/host.cfg.lua")
        batch.commit()
    assert result.changed and os.readlink(link) == "../conf.avail/host.cfg.lua"
    with WriteBatch() as batch:  # the same link again: no change
        assert not batch.link(link, "../conf.avail/host.cfg.lua").changed
    other = link.with_name("other.cfg.lua")
    other.write_text("-- a file\n")
    with WriteBatch() as batch, pytest.raises(WriteError, match="refusing to replace"):
        batch.link(other, "../conf.avail/host.cfg.lua")
    assert other.read_text() == "-- a file\n"
