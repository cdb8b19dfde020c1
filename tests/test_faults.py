"""Faults while writing: every step of the safe writer failing, a plan gone stale, a multi-file apply
failing half-way (rollback), and two runs on one tree (the lock). See ``docs/safety.md``.

The failures are injected by replacing the ``os``/``tempfile`` calls the writer makes, since the tests
run as root (permissions do not stop root) and may not mount a small tmpfs.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jitsi_secure._core import write as write_module
from jitsi_secure._core.lock import LOCK_NAME, LockError, locked
from jitsi_secure._core.write import read_text, write_text
from jitsi_secure.cli import main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.errors import WriteError
from jitsi_secure.secure_domain import plan as plan_module
from jitsi_secure.secure_domain.layout import Layout
from jitsi_secure.secure_domain.plan import ApplyError, Plan, apply_plan, build_plan
from jitsi_secure.secure_domain.spec import JigasiAccount, Secret, SecureDomain

REPO = Path(__file__).resolve().parents[1]
ORIGINAL = "a = 1\n# the original\n"


def _boom(code: int = errno.EIO) -> Callable[..., Any]:
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    return fail


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- the safe writer, one step at a time -------------------------------------------------------


class _FailingHandle:
    """What ``os.fdopen`` returns when the disk is full: every write fails."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __enter__(self) -> _FailingHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    ("step", "target", "reason"),
    [
        ("create the temporary file", "tempfile.mkstemp", "cannot create a temporary file"),
        ("write (disk full)", "os.fdopen", "No space left on device"),
        ("copy the mode", "os.fchmod", "Input/output error"),
        ("fsync", "os.fsync", "Input/output error"),
        ("rename (read-only file system)", "os.replace", "Read-only file system"),
    ],
)
def test_each_step_of_a_write_can_fail_and_the_original_is_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, target: str, reason: str
) -> None:
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)
    path.chmod(0o640)
    before = path.stat()
    module, name = target.split(".")
    if name == "fdopen":
        monkeypatch.setattr(write_module.os, "fdopen", lambda fd, _mode: _FailingHandle(fd))
    elif name == "replace":
        monkeypatch.setattr(write_module.os, "replace", _boom(errno.EROFS))
    else:
        monkeypatch.setattr(getattr(write_module, module), name, _boom())
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
    assert _leftovers(tmp_path) == []


def test_an_interrupt_during_a_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)

    def interrupted(_fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(write_module.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_text(path, "a = 2\n")
    assert path.read_text() == ORIGINAL and _leftovers(tmp_path) == []


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a read-only mount (or a non-root user in a root-owned folder) gives.
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)
    monkeypatch.setattr(write_module.tempfile, "mkstemp", _boom(errno.EROFS))
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
    with pytest.raises(WriteError, match="cannot read"):
        read_text(tmp_path / "missing.conf")
    with pytest.raises(WriteError, match="cannot read"):
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


def test_a_failing_backup_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "file.conf"
    path.write_text(ORIGINAL)
    monkeypatch.setattr(write_module.os, "fsync", _boom(errno.ENOSPC))
    with pytest.raises(WriteError, match="cannot write the backup"):
        write_text(path, "a = 2\n", backup_suffix=".bak")
    assert path.read_text() == ORIGINAL and not (tmp_path / "file.conf.bak").exists()


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


@pytest.mark.parametrize("failing", [1, 2, 4])
def test_a_half_way_failure_puts_every_written_file_back(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    plan = _plan(tree, tmp_path)
    before = _contents(tree)
    order = [c.display for c in plan.changes]
    real = plan_module.write_text
    calls: list[str] = []

    def flaky(path: Any, text: str, **kwargs: Any) -> Any:
        calls.append(str(path))
        if len(calls) == failing + 1:
            raise WriteError(f"{path}: cannot write: No space left on device")
        return real(path, text, **kwargs)

    monkeypatch.setattr(plan_module, "write_text", flaky)
    with pytest.raises(ApplyError) as caught:
        apply_plan(plan)
    error = caught.value
    assert _contents(tree) == before
    assert error.failed == order[failing]
    assert error.restored == tuple(order[:failing]) and error.still_new == ()
    assert error.untouched == tuple(order[failing + 1 :])
    message = str(error)
    assert "No space left on device" in message and "every file is as it was" in message
    assert f"{order[failing]} is unchanged" in message
    assert all(name in message for name in order[:failing])
    # The written files were restored newest first, after the failed write.
    assert calls[failing + 1 :] == [str(c.path) for c in reversed(plan.changes[:failing])]


def test_a_restore_that_fails_too_is_named(tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = _plan(tree, tmp_path)
    first, second, third = plan.changes[:3]
    real = plan_module.write_text

    def flaky(path: Any, text: str, **kwargs: Any) -> Any:
        if Path(path) == third.path or (Path(path) == first.path and text == first.before):
            raise WriteError(f"{path}: cannot write: Input/output error")
        return real(path, text, **kwargs)

    monkeypatch.setattr(plan_module, "write_text", flaky)
    with pytest.raises(ApplyError) as caught:
        apply_plan(plan)
    error = caught.value
    assert error.restored == (second.display,)
    assert len(error.still_new) == 1 and error.still_new[0].startswith(first.display)
    assert "STILL NEW" in str(error) and "half-changed" in str(error)
    assert first.path.read_text() == first.after and second.path.read_text() == second.before


def test_an_interrupt_half_way_puts_the_written_files_back(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plan(tree, tmp_path)
    before = _contents(tree)
    real = plan_module.write_text
    calls = []

    def interrupted(path: Any, text: str, **kwargs: Any) -> Any:
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(path, text, **kwargs)

    monkeypatch.setattr(plan_module, "write_text", interrupted)
    with pytest.raises(KeyboardInterrupt):
        apply_plan(plan)
    assert _contents(tree) == before


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
    with locked((tree / "etc/prosody/conf.avail").resolve(), timeout=0):
        assert apply_plan(_plan(tree, tmp_path)) == []


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
    for status, out, err in results:
        # The loser either saw the winner's files (nothing to change) or its plan went stale.
        assert status == 0 or (status == 2 and "changed on disk since it was planned" in err), (out, err)
        assert "Traceback" not in err
    assert any(status == 0 and "wrote " in out for status, out, _ in results)
    check = subprocess.run(
        [*argv[:3], "check", "--root", str(tree)], env=env, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert _leftovers(tree / "etc/prosody/conf.avail") == []
