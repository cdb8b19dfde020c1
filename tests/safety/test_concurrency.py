"""Killed and concurrent runs on one deployment: what ``docs/safety.md`` promises about crashes and the lock.

The kill points are found without timing guesses: the writer's test hook (``KILL_AT_ENV``) makes a
forked ``jitsi-secure apply`` send itself SIGKILL just before its N-th file-system call, for every N
until a run completes. Each run is a fresh copy of the example deployment with a Jigasi password and
``--backup``, with unnamed temporary files (``O_TMPFILE``) and with named ones.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jitsi_secure._core import write as write_module
from jitsi_secure._core.lock import LOCK_NAME
from jitsi_secure._core.write import KILL_AT_ENV, TEMP_SUFFIX
from jitsi_secure.cli import main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.formats import properties
from tests.oracles import missing
from tests.safety.test_faults import _hold_lock

REPO = Path(__file__).resolve().parents[2]
JIGASI = "etc/jitsi/jigasi/sip-communicator.properties"
#: A password that needs escaping in a .properties file, so both spellings are looked for.
SECRET = "kill=me:s3cr3t pw"
#: The random part of a temporary file's name.
_TOKEN = re.compile(r"\.[0-9a-f]{8}(?=" + re.escape(TEMP_SUFFIX) + "$)")
#: The files as they are: (relative path, bytes); the lock file aside.
Snapshot = dict[str, bytes]


def _snapshot(root: Path) -> Snapshot:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != LOCK_NAME
    }


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The in-process CLI's output out of the way (its messages are not what these tests look at)."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "jigasi-password"
    path.write_text(SECRET + "\n")
    return path


def _account(password_file: Path) -> list[str]:
    return ["--jigasi-user", f"jigasi@{EXAMPLE_DOMAIN}", "--jigasi-password-file", str(password_file)]


def _apply_argv(root: Path, password_file: Path) -> list[str]:
    return ["apply", "--root", str(root), "--backup", *_account(password_file)]


def _check(root: Path, password_file: Path) -> int:
    with _quiet():
        return main(["check", "--root", str(root), *_account(password_file)])


def _killed_apply(argv: list[str], kill_at: int, *, named: bool) -> int:
    """Run ``main(argv)`` in a forked child that kills itself at write step ``kill_at``.

    Returns the child's exit status, or minus the signal that ended it.
    """
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        status = 99
        try:
            os.environ[KILL_AT_ENV] = str(kill_at)
            if named:
                write_module._UNNAMED = False
            sink = os.open(os.devnull, os.O_WRONLY)
            os.dup2(sink, 1)
            os.dup2(sink, 2)
            status = main(argv)
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _holding_secret(root: Path) -> set[str]:
    spellings = (SECRET.encode(), properties.escape_value(SECRET).encode("latin-1"))
    return {name for name, data in _snapshot(root).items() if any(s in data for s in spellings)}


@pytest.mark.parametrize("temp_files", ["unnamed", "named"])
def test_an_apply_killed_at_any_point_of_its_write_phase_leaves_nothing_behind(
    tmp_path: Path, password_file: Path, monkeypatch: pytest.MonkeyPatch, temp_files: str
) -> None:
    if temp_files == "unnamed" and not write_module._UNNAMED:
        missing("no O_TMPFILE on this system (Linux 3.11 and a file system that has it)")
    # A killed process's writes stay in the page cache: fsync matters for power cuts, not here, and
    # syncing a few thousand files to disk would only make the test slow. The calls still count as
    # kill points.
    monkeypatch.setattr(write_module.os, "fsync", lambda fd: None)
    template = build_example_tree(tmp_path / "template")
    (template / JIGASI).chmod(0o600)  # a secret-holding file: no temporary copy may be wider
    original = _snapshot(template)
    reference = tmp_path / "reference"
    shutil.copytree(template, reference, symlinks=True)
    with _quiet():
        assert main(_apply_argv(reference, password_file)) == 0
    wanted = _snapshot(reference)
    assert _holding_secret(reference) == {JIGASI} and _check(reference, password_file) == 0
    followed: set[str] = set()

    kills = half_done = 0
    for kill_at in range(1, 1000):
        root = tmp_path / f"run-{kill_at}"
        shutil.copytree(template, root, symlinks=True)
        status = _killed_apply(_apply_argv(root, password_file), kill_at, named=temp_files == "named")
        if status == 0:
            break  # the run finished before step kill_at: every point was tried
        assert status == -signal.SIGKILL, f"step {kill_at}: exit {status}"
        kills += 1
        after_kill = _snapshot(root)
        extra = set(after_kill) - set(wanted)
        # Only the temporary files of a rename that did not happen, which the next run removes.
        for name in extra:
            path = root / name
            owner = next(
                n for n in wanted if Path(n).parent == Path(name).parent and path.name.startswith(f".{Path(n).name}.")
            )
            assert path.name.endswith(TEMP_SUFFIX), (kill_at, name)
            final = (root / owner).stat()
            assert path.stat().st_mode & 0o777 & ~final.st_mode == 0, (kill_at, name, oct(path.stat().st_mode))
        assert _holding_secret(root) - extra <= {JIGASI}, kill_at
        planned = [n for n in original if original[n] != wanted[n]]
        if 0 < sum(after_kill[n] == wanted[n] for n in planned) < len(planned):
            half_done += 1
        # Many kill points leave the same files (the temporary names aside); the next runs do the
        # same on the same bytes, so each such state is followed through once.
        state = repr(sorted((_TOKEN.sub("", name), data) for name, data in after_kill.items()))
        if state not in followed:
            followed.add(state)
            assert _check(root, password_file) in (0, 1), kill_at  # check reads whatever is there
            with _quiet():
                assert main(_apply_argv(root, password_file)) == 0, kill_at
            converged = _snapshot(root)
            # The tree of an uninterrupted apply, which check passes (the backups hold what each
            # file held before the run that changed it).
            assert set(converged) == set(wanted), (kill_at, set(converged) ^ set(wanted))
            assert {n: d for n, d in converged.items() if not n.endswith(".bak")} == {
                n: d for n, d in wanted.items() if not n.endswith(".bak")
            }, kill_at
            assert _holding_secret(root) == {JIGASI}, kill_at
        shutil.rmtree(root)
    else:
        pytest.fail("the apply never finished")
    # The hook worked, and some kills fell between two renames (the window the next apply closes).
    assert kills >= 40 and half_done > 0 and len(followed) > 10, (kills, half_done, len(followed))


# -- several runs at once ------------------------------------------------------------------------------


def _start(argv: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "jitsi_secure.cli", *argv],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(runs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    return [(run.wait(timeout=300), *run.communicate()) for run in runs]


def test_six_identical_applies_at_once_all_succeed_and_one_writes(tmp_path: Path, password_file: Path) -> None:
    root = build_example_tree(tmp_path / "root")
    argv = [*_apply_argv(root, password_file), "--lock-timeout", "300"]
    results = _finish([_start(argv) for _ in range(6)])
    assert [status for status, _, _ in results] == [0] * 6, results
    assert sum("wrote " in out for _, out, _ in results) == 1, results
    assert sum("Nothing to change" in out for _, out, _ in results) == 5, results
    assert all("Traceback" not in err and SECRET not in out + err for _, out, err in results)
    assert _check(root, password_file) == 0
    assert not any(name.endswith(TEMP_SUFFIX) for name in _snapshot(root))


def _states(template: Path, tmp_path: Path, verbs: dict[str, Callable[[Path], int]]) -> dict[str, set[bytes]]:
    """Every tree that a sequence of complete runs can end in, by the verb that ran last."""
    ends: dict[str, set[bytes]] = {verb: set() for verb in verbs}
    frontier = [template]
    seen: set[bytes] = set()
    for depth in range(4):
        next_frontier = []
        for index, start in enumerate(frontier):
            for verb, run in verbs.items():
                root = tmp_path / f"state-{depth}-{index}-{verb}"
                shutil.copytree(start, root, symlinks=True)
                assert run(root) == 0
                key = repr(sorted(_snapshot(root).items())).encode()
                ends[verb].add(key)
                if key not in seen:
                    seen.add(key)
                    next_frontier.append(root)
        frontier = next_frontier
    assert not frontier, "the states did not settle after a few runs"
    return ends


def test_applies_and_reverts_racing_end_in_a_complete_state(tmp_path: Path, password_file: Path) -> None:
    template = build_example_tree(tmp_path / "template")

    def argv(verb: str, root: Path) -> list[str]:
        return [verb, "--root", str(root), *(_account(password_file) if verb == "apply" else [])]

    def run(verb: str) -> Callable[[Path], int]:
        def go(root: Path) -> int:
            with _quiet():
                return main(argv(verb, root))

        return go

    ends = _states(template, tmp_path / "states", {"apply": run("apply"), "revert": run("revert")})
    root = tmp_path / "race"
    shutil.copytree(template, root, symlinks=True)
    verbs = ["apply", "revert", "apply", "revert", "apply", "revert"]
    results = _finish([_start([*argv(verb, root), "--lock-timeout", "300"]) for verb in verbs])
    assert [status for status, _, _ in results] == [0] * len(verbs), results
    key = repr(sorted(_snapshot(root).items())).encode()
    assert key in ends["apply"] | ends["revert"], "the tree is in no state a complete run leaves"
    assert _check(root, password_file) == (0 if key in ends["apply"] else 1)
    assert not any(name.endswith(TEMP_SUFFIX) for name in _snapshot(root))


def test_a_run_that_waits_longer_than_its_timeout_fails_and_writes_nothing(
    tmp_path: Path, password_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build_example_tree(tmp_path / "root")
    before = _snapshot(root)
    holder = _hold_lock((root / "etc/prosody/conf.avail").resolve(), 60, tmp_path)
    try:
        status = main([*_apply_argv(root, password_file), "--lock-timeout", "0.2"])
        _, err = capsys.readouterr()
        # check and plan take no lock: with --lock-timeout 0 they would fail at once if they did.
        check = main(["check", "--root", str(root), "--lock-timeout", "0"])
        plan = main(["plan", "--root", str(root), "--lock-timeout", "0"])
    finally:
        holder.kill()
        holder.wait()
    assert status == 2 and "another jitsi-secure is writing this deployment" in err
    assert "more than 0.2 s" in err and "nothing was written" in err
    assert (check, plan) == (1, 0)
    assert _snapshot(root) == before
