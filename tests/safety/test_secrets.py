"""No secret ever leaves through an output: every verb x {plain, --json} x {success, error paths}.

The secrets: the Jigasi password, the JWT app secret (Debian layout and docker ``.env``) and a
``user add`` password. Each is given in its raw form; the test greps everything the run printed
(stdout, stderr), every log record at DEBUG level, and each raw and escaped spelling the secret takes
in a file (Java properties escapes, Lua and JSON quoting). The processes we start (prosodyctl, through
a fake that records its argv) must never get a secret among their arguments.

What existing tests already cover (``test_secure_domain``, ``test_auth_modes``, ``test_docker``,
``test_accounts``) is the success path of each mode on its own; here every verb and the error paths
are swept together, with debug logging on.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jitsi_secure._core import write as write_module
from jitsi_secure.cli import main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.formats.lua._render import render_string
from jitsi_secure.formats.properties import escape_value

#: Long enough to be unmistakable, with the characters each format escapes.
SECRET = "S3cr3t-\"quote'-back\\slash-${x}-é"
HOST = f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua"
META_JS = f"etc/jitsi/meet/{EXAMPLE_DOMAIN}-config.js"
JIGASI = "etc/jitsi/jigasi/sip-communicator.properties"
VERBS = ("check", "plan", "apply", "check", "revert", "plan")


def spellings(secret: str) -> set[str]:
    """Every form a secret can take in a file or an output."""
    forms = {
        secret,
        escape_value(secret),
        render_string(secret, '"'),
        render_string(secret, "'"),
        json.dumps(secret),
        json.dumps(secret)[1:-1],
        repr(secret),
    }
    # A distinctive fragment, in case an output cut the secret at an escaped character.
    forms.add("S3cr3t")
    return forms


@dataclass
class Captured:
    texts: list[str]

    def assert_clean(self, secret: str = SECRET) -> None:
        for text in self.texts:
            for form in spellings(secret):
                assert form not in text, f"{form!r} leaked in:\n{text}"


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> Iterator[Captured]:
    """Everything printed and logged (DEBUG, every logger) during the test, checked at the end."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    result = Captured([])
    yield result
    out, err = capsys.readouterr()
    result.texts += [out, err, caplog.text, *(r.getMessage() for r in caplog.records)]
    result.assert_clean()


def run(capsys: pytest.CaptureFixture[str], captured: Captured, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    captured.texts += [out, err]
    assert "Traceback" not in err and "internal error" not in err, err
    return status, out, err


def secret_file(tmp_path: Path, value: str = SECRET) -> Path:
    path = tmp_path / "secret"
    path.write_text(value + "\n", encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return build_example_tree(tmp_path / "root")


def _modes(tmp_path: Path) -> dict[str, list[str]]:
    path = str(secret_file(tmp_path))
    return {
        "jigasi": ["--jigasi-user", f"jigasi@{EXAMPLE_DOMAIN}", "--jigasi-password-file", path],
        "jwt": ["--auth", "jwt", "--app-id", "my_app", "--app-secret-file", path],
        "jwt+jigasi": [
            "--auth", "jwt", "--app-id", "my_app", "--app-secret-file", path,
            "--jigasi-user", f"jigasi@{EXAMPLE_DOMAIN}", "--jigasi-password-file", path,
        ],
    }  # fmt: skip


@pytest.mark.parametrize("mode", ["jigasi", "jwt+jigasi"])
def test_every_verb_in_every_output_form_keeps_the_secret(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], captured: Captured, mode: str
) -> None:
    argv = _modes(tmp_path)[mode]
    for verb in VERBS:
        for form in ([], ["--json", "--backup"] if verb in ("apply", "revert") else ["--json"]):
            status, out, _ = run(capsys, captured, verb, "--root", str(tree), *argv, *form)
            assert status in (0, 1)
            if form == ["--json"]:
                json.loads(out)
    # The secret really went to the files (so the outputs had something to leak).
    run(capsys, captured, "apply", "--root", str(tree), *argv)
    written = (tree / (JIGASI if "jigasi" in mode else HOST)).read_text(encoding="utf-8")
    assert any(form in written for form in spellings(SECRET))


@pytest.mark.parametrize("mode", ["jigasi", "jwt"])
def test_a_backup_left_holding_a_removed_secret_is_named(
    mode: str, tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], captured: Captured
) -> None:
    argv = _modes(tmp_path)[mode]
    kept = JIGASI if mode == "jigasi" else HOST
    warning = f"/{kept}.bak still holds the secret this change removed from /{kept}"
    # apply --backup adds the secret: its backups hold none, and nothing is said.
    status, out, _ = run(capsys, captured, "apply", "--root", str(tree), *argv, "--backup")
    assert status == 0 and "(backup: " in out and "still holds the secret" not in out
    # revert deletes it (Jigasi's PASS line, the app secret): the backup keeps it, and says so, once.
    status, out, _ = run(capsys, captured, "revert", "--root", str(tree), *argv, "--backup")
    [line] = [line for line in out.splitlines() if "still holds" in line]
    assert status == 0 and line.startswith(f"warning: {warning},")
    assert any(form in (tree / f"{kept}.bak").read_text(encoding="latin-1") for form in spellings(SECRET))
    assert not any(form in (tree / kept).read_text(encoding="latin-1") for form in spellings(SECRET))
    # The same in --json, among the warnings.
    run(capsys, captured, "apply", "--root", str(tree), *argv)
    status, out, _ = run(capsys, captured, "revert", "--root", str(tree), *argv, "--backup", "--json")
    [line] = [w for w in json.loads(out)["warnings"] if "still holds" in w]
    assert line.startswith(f"{warning},")


def test_a_backup_left_holding_a_replaced_secret_is_named(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], captured: Captured
) -> None:
    run(capsys, captured, "apply", "--root", str(tree), *_modes(tmp_path)["jigasi"])
    new = tmp_path / "new-password"
    new.write_text("An0ther-passw0rd\n", encoding="utf-8")
    argv = ["--jigasi-user", f"jigasi@{EXAMPLE_DOMAIN}", "--jigasi-password-file", str(new), "--backup"]
    status, out, _ = run(capsys, captured, "apply", "--root", str(tree), *argv)
    assert status == 0 and f"warning: /{JIGASI}.bak still holds the secret" in out
    assert "An0ther-passw0rd" not in out and "An0ther-passw0rd" in (tree / JIGASI).read_text(encoding="latin-1")


def test_error_paths_keep_the_secret(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], captured: Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = _modes(tmp_path)["jwt+jigasi"]
    host = tree / HOST
    shipped = host.read_text()
    # 1. A syntax error on a line that already holds the secret: the quoted line is masked.
    host.write_text(shipped + f"\napp_secret = {render_string(SECRET, chr(34))} x y\n")
    for verb in ("check", "plan", "apply", "revert"):
        for form in ([], ["--json"]):
            status, out, err = run(capsys, captured, verb, "--root", str(tree), *args, *form)
            assert status == 2 and "syntax error" in out + err and "********" in out + err
    # 2. The same in config.js, in a comment and a string.
    host.write_text(shipped)
    meet = tree / META_JS
    meet.write_text(meet.read_text() + f"\nvar leak = 1 +; // {SECRET}\n")
    status, out, err = run(capsys, captured, "apply", "--root", str(tree), *args)
    assert status == 2 and "config.js" in err
    meet.write_text(meet.read_text().rsplit("\nvar leak", 1)[0] + "\n")
    # 3. A write that fails half-way (the rollback message names files, never values).
    real = write_module.os.replace

    def full(src: str, dst: str) -> None:
        if str(dst).endswith("sip-communicator.properties"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(src, dst)

    monkeypatch.setattr(write_module.os, "replace", full)
    for form in ([], ["--json"]):
        status, out, err = run(capsys, captured, "apply", "--root", str(tree), *args, *form)
        assert status == 2 and "No space left on device" in out + err
    monkeypatch.undo()
    # 4. Bad arguments once the secret was read: an unknown domain, a guest domain equal to the main.
    for extra in (["--domain", "other.example.com"], ["--guest-domain", EXAMPLE_DOMAIN], ["--no-guests"]):
        for form in ([], ["--json"]):
            status, *_ = run(capsys, captured, "apply", "--root", str(tree), *args, *extra, *form)
            assert status in (0, 2)
    # 5. A secret that cannot be written (a newline in an app secret) is refused without echoing it.
    status, out, err = run(
        capsys, captured, "apply", "--root", str(tree), "--auth", "jwt", "--app-id", "a",
        "--app-secret-file", str(secret_file(tmp_path, SECRET + "\nsecond line")),
    )  # fmt: skip
    assert status == 2


def test_docker_env_keeps_the_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str], captured: Captured) -> None:
    env = tmp_path / ".env"
    env.write_text("XMPP_DOMAIN=meet.example.org\n#JWT_APP_SECRET=x\n")
    path = str(secret_file(tmp_path, "S3cr3t-docker-token"))
    args = ["--layout", "docker", "--env-file", str(env), "--auth", "jwt", "--app-id", "a", "--app-secret-file", path]
    for verb in VERBS:
        for form in ([], ["--json"]):
            status, *_ = run(capsys, captured, verb, *args, *form)
            assert status in (0, 1)
    # The ones no reader agrees on are refused, without the value.
    status, *_ = run(capsys, captured, "apply", *args[:-1], str(secret_file(tmp_path, "S3cr3t it's $HOME \\\\ x")))
    assert status == 2


# -- user add: stdin only, never argv ---------------------------------------------------------------

FAKE = """\
#!{python}
import json, os, sys
with open(os.environ["FAKE_RECORD"], "a", encoding="utf-8") as handle:
    handle.write(json.dumps({{"argv": sys.argv, "environ": dict(os.environ)}}) + "\\n")
sys.stdin.read()
if os.environ.get("FAKE_FAIL"):
    print("prosodyctl: something failed"); sys.exit(3)
print("Enter new password:"); print("Retype new password:")
"""


@pytest.fixture
def prosodyctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    script = tmp_path / "prosodyctl"
    script.write_text(FAKE.format(python=sys.executable))
    script.chmod(0o755)
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv("FAKE_RECORD", str(record))
    return script, record


def test_user_add_keeps_the_password_out_of_argv_and_output(
    tree: Path,
    capsys: pytest.CaptureFixture[str],
    captured: Captured,
    monkeypatch: pytest.MonkeyPatch,
    prosodyctl: tuple[Path, Path],
) -> None:
    script, record = prosodyctl
    calls = []
    real_run = subprocess.run

    def spy(argv: list[str], *args: object, **kwargs: object) -> object:
        calls.append(list(argv))
        return real_run(argv, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", spy)
    common = ["--root", str(tree), "--domain", EXAMPLE_DOMAIN]
    for form in ([], ["--json"]):
        for fail in ("", "1"):
            monkeypatch.setenv("FAKE_FAIL", fail)
            monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
            status, *_ = run(capsys, captured, "user", "add", "alice", *common, "--prosodyctl", str(script), *form)
            assert status == (2 if fail else 0)
    (tree / "var/lib/prosody").mkdir(parents=True)
    for form in ([], ["--json"]):
        monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
        run(capsys, captured, "user", "add", "bob", *common, "--offline", *form)  # the second time: exists
    recorded = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert len(recorded) == 4 and calls
    for call in [*calls, *(r["argv"] for r in recorded)]:
        for form in spellings(SECRET):
            assert all(form not in arg for arg in call), call
    for r in recorded:  # nor in the environment the child inherits
        assert all(SECRET not in value for value in r["environ"].values())
    account = next((tree / "var/lib/prosody").rglob("bob.dat")).read_text()
    assert "S3cr3t" not in account  # only SCRAM keys are stored


def test_an_internal_error_in_debug_mode_keeps_the_secret(tree: Path, tmp_path: Path) -> None:
    # JITSI_SECURE_DEBUG=1 shows the traceback of an internal error: the secret must not be in it.
    patch = (
        "import sys\n"
        "from jitsi_secure._core.write import WriteBatch\n"
        "def fail(*a, **k):\n    raise RuntimeError('disk on fire')\n"
        "WriteBatch.stage = fail\n"
        "from jitsi_secure.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    argv = [sys.executable, "-c", patch, "apply", "--root", str(tree), *_modes(tmp_path)["jwt+jigasi"]]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "JITSI_SECURE_DEBUG": "1"}
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    assert "disk on fire" in result.stderr and "Traceback" in result.stderr  # the traceback is shown...
    Captured([result.stdout, result.stderr]).assert_clean()  # ...without the secret
