"""``--secret-source file`` (issue 17): on Prosody 13 the app secret lives in a file the host file reads
with ``FileContents``, never in the config, and goes with revert.

Judged by Prosody's own configmanager (13, from ``/opt/prosody13``; the ``prosody`` fixture also runs
0.12, which must refuse), byte-wise searches of every file under the root and of every output, and the
writer's fault machinery (a failing rename or staging step leaves no secret file behind).
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

import pytest

from jitsi_secure._core import write as write_module
from jitsi_secure._core.lock import LOCK_NAME
from jitsi_secure.errors import WriteError
from jitsi_secure.secure_domain import Layout
from jitsi_secure.secure_domain.plan import ApplyError, apply_plan, build_plan
from jitsi_secure.secure_domain.spec import JwtAuth, Secret, SecureDomain, SpecError
from tests.oracles.lua import ProsodyInstall, prosody_configs
from tests.safety.test_faults import _FailingRename
from tests.secure_domain.test_tokens_upstream import DOMAIN, HOST, SECRET, TEMPLATES, build, cli
from tests.secure_domain.test_tokens_upstream import files as all_files

SECRET_PATH = f"etc/prosody/certs/{DOMAIN}.app_secret"
GID = 4242


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = build(tmp_path / "root", TEMPLATES["2025"])
    (root / "etc/prosody/certs").mkdir()
    (root / "etc/group").write_text(f"root:x:0:\nprosody:x:{GID}:\n", encoding="utf-8")
    return root


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """The secret as an admin gives it: in a file, with the line ending `echo` adds."""
    (tmp_path / "app-secret").write_text(SECRET + "\n", encoding="utf-8")
    return tmp_path / "app-secret"


def files(root: Path) -> dict[str, bytes]:
    return {name: data for name, data in all_files(root).items() if not name.endswith(LOCK_NAME)}


def args(root: Path, secret_file: Path, version: str = "13") -> list[str]:
    return [
        "--root", str(root), "--auth", "jwt", "--app-id", "my_app", "--app-secret-file", str(secret_file),
        "--secret-source", "file", "--prosody-version", version,
    ]  # fmt: skip


def spec(version: tuple[int, int] = (13, 0)) -> SecureDomain:
    jwt = JwtAuth("my_app", Secret(SECRET), secret_file=f"/{SECRET_PATH}")
    return SecureDomain(DOMAIN, auth="jwt", jwt=jwt, prosody_version=version)


def no_secret_anywhere(root: Path, outputs: list[str]) -> None:
    for name, data in files(root).items():
        assert SECRET.encode() not in data, name
    for output in outputs:
        assert SECRET not in output


def policy_of(root: Path, capsys: pytest.CaptureFixture[str], outputs: list[str], *, key_file: str | None) -> None:
    """The policy names the file the app secret is read from (the path, never the secret), or none."""
    given = ["policy", "--root", str(root), "--prosody-version", "13"]
    status, out = cli(capsys, outputs, *given)
    row = next(line for line in out.splitlines() if "where the token keys come from" in line)
    assert status == 0 and " app_secret" in row
    assert ("from file" in row) == (key_file is not None) and (key_file is None or f"from file {key_file} " in row)
    status, out = cli(capsys, outputs, *given, "--json")
    assert status == 0 and json.loads(out)["key_file"] == key_file


def test_apply_check_revert_as_prosody_reads_it(
    root: Path, secret_file: Path, prosody: ProsodyInstall, capsys: pytest.CaptureFixture[str]
) -> None:
    original = files(root)
    outputs: list[str] = []
    given = args(root, secret_file, version=prosody.major)
    if prosody.version < (13, 0):
        status, _ = cli(capsys, outputs, "apply", *given)
        assert status == 2 and "needs Prosody 13.0 or newer" in outputs[-1]
        assert files(root) == original
        return
    assert cli(capsys, outputs, "plan", "--json", *given)[0] == 0
    assert cli(capsys, outputs, "apply", *given)[0] == 0
    host = (root / HOST).read_bytes()
    assert SECRET.encode() not in host
    assert f'app_secret=FileContents("/{SECRET_PATH}")'.encode() in host
    written = root / SECRET_PATH
    assert written.read_bytes() == SECRET.encode()  # every byte is the secret: no line ending
    info = written.stat()
    assert stat.S_IMODE(info.st_mode) == 0o640 and info.st_gid == (GID if os.geteuid() == 0 else info.st_gid)
    # Prosody 13's own configmanager, following FileContents to the file (the path is absolute in the
    # image, so the host file is read from a copy that names the file where it is on this machine).
    copy = root.parent / "host.cfg.lua"
    copy.write_bytes(host.replace(f"/{SECRET_PATH}".encode(), str(written).encode()))
    [read] = prosody_configs([copy], major="13", copy=False)
    assert read["ok"], read
    assert read["config"][DOMAIN]["app_secret"] == SECRET and read["config"][DOMAIN]["authentication"] == "token"

    status, out = cli(capsys, outputs, "apply", *given)
    assert status == 0 and out.startswith("Nothing to change")
    assert cli(capsys, outputs, "check", *given)[0] == 0
    policy_of(root, capsys, outputs, key_file=f"/{SECRET_PATH}")
    # Another secret in the file: check sees it through FileContents, not just the host file's line.
    written.write_bytes(b"another")
    status, out = cli(capsys, outputs, "check", *given)
    assert status == 1 and "a different secret" in out and "another" not in out
    written.write_bytes(SECRET.encode())

    status, out = cli(capsys, outputs, "revert", *given)
    assert status == 0 and f"removed /{SECRET_PATH}" in out
    assert not written.exists()
    assert files(root)[HOST] == original[HOST]  # Debian's placeholders commented as the template had them
    no_secret_anywhere(root, outputs)


def test_check_wants_the_file_not_the_secret_in_the_config(
    root: Path, secret_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs: list[str] = []
    in_config = [a for a in args(root, secret_file) if a not in ("--secret-source", "file")]
    assert cli(capsys, outputs, "apply", *in_config)[0] == 0
    status, out = cli(capsys, outputs, "check", *args(root, secret_file))
    assert status == 1 and f"should be read from /{SECRET_PATH}" in out
    # The diff masks the secret going out of the config but shows where it will be read from.
    status, out = cli(capsys, outputs, "plan", *args(root, secret_file))
    assert status == 0 and f'+    app_secret=FileContents("/{SECRET_PATH}")\n' in out
    assert "-    app_secret=********\n" in out and "+    app_secret=********" not in out
    # Moving the secret out of the config, then back in: the file comes and goes with it.
    assert cli(capsys, outputs, "apply", *args(root, secret_file))[0] == 0
    assert SECRET.encode() not in (root / HOST).read_bytes() and (root / SECRET_PATH).exists()
    status, out = cli(capsys, outputs, "plan", *in_config)
    assert (
        status == 0
        and f'-    app_secret=FileContents("/{SECRET_PATH}")\n' in out
        and "+    app_secret=********\n" in out
    )
    assert cli(capsys, outputs, "apply", *in_config)[0] == 0
    policy_of(root, capsys, outputs, key_file=None)
    assert not (root / SECRET_PATH).exists()
    assert cli(capsys, outputs, "revert", *in_config)[0] == 0
    no_secret_anywhere(root, outputs)


def test_a_secret_file_that_appeared_since_planning_is_refused(root: Path) -> None:
    plan = build_plan(Layout.debian(root=root), spec())
    (root / SECRET_PATH).write_text("someone else's", encoding="utf-8")
    before = files(root)
    with pytest.raises(WriteError, match="appeared since it was planned"):
        apply_plan(plan)
    assert files(root) == before


def test_no_prosody_group_in_the_roots_etc_group_is_a_clear_error(root: Path) -> None:
    (root / "etc/group").write_text("root:x:0:\n", encoding="utf-8")
    with pytest.raises(WriteError, match=r"no group 'prosody' in /etc/group under .*--secret-source config"):
        build_plan(Layout.debian(root=root), spec())


def test_below_prosody_13_is_refused() -> None:
    with pytest.raises(SpecError, match=r"needs Prosody 13\.0 or newer.*0\.12"):
        spec((0, 12))
    with pytest.raises(SpecError, match="absolute path"):
        JwtAuth("my_app", Secret(SECRET), secret_file="/etc/../x")


@pytest.mark.parametrize("failing", [1, 2])
def test_a_failed_rename_leaves_no_secret_file(root: Path, monkeypatch: pytest.MonkeyPatch, failing: int) -> None:
    plan = build_plan(Layout.debian(root=root), spec())
    assert plan.changes[0].display == f"/{SECRET_PATH}"  # written first: no host file reads a missing file
    before = files(root)
    monkeypatch.setattr(write_module.os, "replace", _FailingRename(failing, OSError(errno.EROFS, "Read-only")))
    with pytest.raises(ApplyError) as caught:
        apply_plan(plan)
    assert f"/{SECRET_PATH}" in caught.value.restored
    assert files(root) == before and not (root / SECRET_PATH).exists()


def test_a_failure_while_staging_leaves_no_secret_file(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = build_plan(Layout.debian(root=root), spec())
    before = files(root)
    synced: list[int] = []
    real = os.fsync

    def full(fd: int) -> None:
        if len(synced) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        synced.append(fd)
        real(fd)

    monkeypatch.setattr(write_module.os, "fsync", full)
    with pytest.raises(ApplyError):
        apply_plan(plan)
    assert files(root) == before and not (root / SECRET_PATH).exists()


def test_a_failed_revert_puts_the_secret_file_back(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    apply_plan(build_plan(Layout.debian(root=root), spec()))
    plan = build_plan(Layout.debian(root=root), spec(), revert=True)
    assert plan.changes[-1].removed and plan.changes[-1].display == f"/{SECRET_PATH}"  # deleted last
    before = files(root)
    mode = (root / SECRET_PATH).stat()
    real = os.unlink

    def refuse(path: object, *rest: object, **kwargs: object) -> None:
        if str(path).endswith(".app_secret"):
            raise OSError(errno.EROFS, "Read-only")
        real(path, *rest, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(write_module.os, "unlink", refuse)
    with pytest.raises(ApplyError):
        apply_plan(plan)
    assert files(root) == before
    assert stat.S_IMODE((root / SECRET_PATH).stat().st_mode) == stat.S_IMODE(mode.st_mode)
    monkeypatch.undo()
    apply_plan(build_plan(Layout.debian(root=root), spec(), revert=True))
    no_secret_anywhere(root, [])
