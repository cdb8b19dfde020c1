"""Hostile input: names refused, secrets escaped for every real reader, paths kept under ``--root``,
and the Lua sandbox closed.

* Names (domains, guest domains, JIDs, user names, app ids, key-server URLs) carrying quotes,
  newlines, ``]]``, ``--``, ``${``, ``\\``, ``*/`` or non-ASCII are refused with a clear message, by
  the library and by the CLI (exit 2, nothing written, no traceback).
* Secrets carrying all of those reach each file so that its real reader gets exactly the string:
  java.util.Properties (Jigasi's password), Prosody's own config loader (the JWT app secret) and
  python-dotenv (docker ``.env``), or are refused when no spelling reads back the same everywhere.
* Paths given or found under ``--root`` that leave it (``..``, symlinks, a link in a parent folder),
  or that are no regular file (a FIFO), are refused before anything is read.
* The Lua evaluator's sandbox stays closed against the escapes ``libraries-probe.md`` tried.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values

from jitsi_secure import accounts
from jitsi_secure._core.lock import LOCK_NAME
from jitsi_secure.cli import main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.errors import JitsiSecureError, WriteError
from jitsi_secure.formats import lua
from jitsi_secure.formats.lua import LuaEvaluationError
from jitsi_secure.secure_domain.layout import Layout
from jitsi_secure.secure_domain.plan import apply_plan, build_plan
from jitsi_secure.secure_domain.spec import JigasiAccount, JwtAuth, Secret, SecureDomain, SpecError
from tests.oracles import java_properties
from tests.oracles.lua import prosody_configs

#: The characters that break out of a quoted string or a comment in one of the formats.
NASTY = ["'", '"', "\n", "\r", "]]", "--", "${", "\\", "*/", "é", "😀", "\x00", " ", "#", "=", ":", "$", "`", "%s"]
HOST = f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua"
JIGASI = "etc/jitsi/jigasi/sip-communicator.properties"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.name != LOCK_NAME
    }


def refused(status: int, out: str, err: str, fragment: str) -> None:
    assert status == 2, (out, err)
    assert "Traceback" not in out + err and "internal error" not in err
    assert err.startswith("jitsi-secure: error: ") or "usage:" in err, err
    assert fragment in err, err


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return build_example_tree(tmp_path / "root")


# -- names: refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", NASTY)
def test_names_with_injection_characters_are_refused_by_the_library(bad: str) -> None:
    # "--" inside a DNS label, an app id or a URL path is legal and harmless inside any quoted string;
    # "%" is legal in a URL path. Every other character here is refused wherever it appears.
    with pytest.raises(SpecError, match="host name"):
        SecureDomain(f"meet.example.com{bad}")
    with pytest.raises(SpecError, match="host name"):
        SecureDomain(EXAMPLE_DOMAIN, guest_domain=f"{bad}guest.example.com")
    if bad != "--":
        with pytest.raises(SpecError, match="app id"):
            JwtAuth(f"app{bad}id", app_secret=Secret("s"))
    if bad not in ("--", "%s"):
        with pytest.raises(SpecError, match="ASAP key server"):
            JwtAuth("app", asap_key_server=f"https://keys.example.com/{bad}x")
    if bad in ("'", '"', "\n", "\r", "\\", " ", ":"):
        with pytest.raises(SpecError, match="Jigasi JID"):
            JigasiAccount(f"jig{bad}asi@{EXAMPLE_DOMAIN}", Secret("pw"))
    with pytest.raises(SpecError, match="Jigasi JID"):
        JigasiAccount(f"jigasi@{EXAMPLE_DOMAIN}{bad}", Secret("pw"))


@pytest.mark.parametrize("bad", ["'", '"', "\n", "\r", "\x00", " ", "@", "/", ":", "<", ">", "&", "\u202e"])
def test_user_names_with_injection_characters_are_refused(bad: str) -> None:
    # A backslash is legal in an XMPP node (XEP-0106 escapes with it) and path-encoded on disk.
    with pytest.raises(accounts.AccountError):
        accounts.validate_username(f"al{bad}ice")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--domain", 'meet.example.com\nVirtualHost "evil"'], "is not a host name"),
        (["--domain", "meet.example.com]]--"], "is not a host name"),
        (["--guest-domain", "guest.example.com'; x = '"], "is not a host name"),
        (["--guest-domain", "${HOME}.example.com"], "is not a host name"),
        (["--auth", "jwt", "--app-id", 'a"pp', "--asap-key-server", "https://k.example.com"], "app id"),
        (["--auth", "jwt", "--app-id", "app\n--", "--asap-key-server", "https://k.example.com"], "app id"),
        (["--auth", "jwt", "--app-id", "app", "--asap-key-server", 'https://k.example.com/"]]'], "ASAP key server"),
        (["--jigasi-user", 'jig"asi@meet.example.com', "--jigasi-password-file", "/dev/null"], "Jigasi JID"),
        (["--jigasi-user", "jigasi@meet.example.com\n#", "--jigasi-password-file", "/dev/null"], "Jigasi JID"),
    ],
)
def test_the_cli_refuses_hostile_names_and_writes_nothing(
    root: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    before = snapshot(root)
    for json_flag in ([], ["--json"]):
        status, out, err = cli(capsys, "apply", "--root", str(root), *argv, *json_flag)
        if json_flag:
            assert status == 2 and json.loads(out)["ok"] is False and fragment in json.loads(out)["error"]
        else:
            refused(status, out, err, fragment)
    assert snapshot(root) == before


@pytest.mark.parametrize("user", ['al"ice', "al ice", "alice\nbob", "a/../../etc", "alice@evil"])
def test_user_add_refuses_hostile_user_names(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, user: str
) -> None:
    data = root / "var/lib/prosody"
    data.mkdir(parents=True)
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    status, _out, err = cli(capsys, "user", "add", user, "--root", str(root), "--offline")
    assert status == 2 and "Traceback" not in err and err.startswith("jitsi-secure: error: "), err
    assert list(data.iterdir()) == []


# -- secrets: escaped so each real reader reads exactly the string -----------------------------------

SECRETS = [
    "".join(c for c in NASTY if c not in "\x00"),
    "]]--[[ x = 1 --]]",
    "'); os.execute('id') --",
    "a\\nb\\u0041 \\",
    " leading and trailing ",
    "${JWT_APP_SECRET}$(id)`id`",
    "*/ } }; config = {}; /*",
]


def _secret_file(tmp_path: Path, name: str, value: str) -> Path:
    path = tmp_path / name
    path.write_text(value + "\n", encoding="utf-8")
    return path


def test_jigasi_passwords_reach_java_properties_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = []
    # Through the CLI the password file is read as text, so a carriage return in it becomes a newline
    # (a CRLF-edited file gives the password without its CR); the library takes any string as it is.
    passwords = [s.replace("\r", "") for s in SECRETS] + ["line one\nline two", "tab\tand\fform", "\x00nul"]
    for n, password in enumerate(passwords):
        tree = build_example_tree(tmp_path / f"root{n}")
        secret = _secret_file(tmp_path, f"pw{n}", password)
        status, _out, err = cli(
            capsys, "apply", "--root", str(tree), "--jigasi-user", f"jigasi@{EXAMPLE_DOMAIN}",
            "--jigasi-password-file", str(secret),
        )  # fmt: skip
        assert status == 0, (password, err)
        files.append(tree / JIGASI)
    library = [*SECRETS, "cr\ronly", "\r\n"]
    for n, password in enumerate(library):
        tree = build_example_tree(tmp_path / f"lib{n}")
        spec = SecureDomain(EXAMPLE_DOMAIN, jigasi=JigasiAccount(f"jigasi@{EXAMPLE_DOMAIN}", Secret(password)))
        apply_plan(build_plan(Layout.debian(root=tree), spec))
        files.append(tree / JIGASI)
    read = java_properties(files)
    for password, result in zip([*passwords, *library], read, strict=True):
        assert result["properties"]["org.jitsi.jigasi.xmpp.acc.PASS"] == password
    for result in read:  # nothing injected: the same keys as a plain password gives
        assert sorted(result["properties"]) == sorted(read[-1]["properties"])


def test_jwt_app_secrets_reach_prosody_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = []
    for n, secret in enumerate(SECRETS):
        tree = build_example_tree(tmp_path / f"root{n}")
        secret_file = _secret_file(tmp_path, f"s{n}", secret)
        argv = ["--auth", "jwt", "--app-id", "my_app", "--app-secret-file", str(secret_file)]
        status, _out, err = cli(capsys, "apply", "--root", str(tree), *argv)
        if "\n" in secret or "\r" in secret:
            refused(status, _out, err, "app secret must be a non-empty Secret on one line")
            continue
        assert status == 0, (secret, err)
        files.append((secret, tree / HOST))
    results = prosody_configs([path for _, path in files])
    assert len(results) == len(SECRETS) - 1  # only the first one holds a newline
    for (secret, _), result in zip(files, results, strict=True):
        assert result["ok"], result
        assert result["config"][EXAMPLE_DOMAIN]["app_secret"] == secret
        assert set(result["config"]) == {"*", EXAMPLE_DOMAIN, f"guest.{EXAMPLE_DOMAIN}", *_components(result)}


def _components(result: dict[str, Any]) -> set[str]:
    # The example's own components; an injected VirtualHost or Component would add a name.
    return {name for name in result["config"] if name.endswith(f".{EXAMPLE_DOMAIN}") and not name.startswith("guest.")}


@pytest.mark.parametrize("secret", [*SECRETS, "plain-secret", "with space", 'dq"uote', "sq'uote"])
def test_docker_env_secrets_reach_python_dotenv_exactly_or_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], secret: str
) -> None:
    env = tmp_path / ".env"
    original = "XMPP_DOMAIN=meet.example.org\n#JWT_APP_SECRET=x\nOTHER=1\n"
    env.write_text(original)
    argv = ["apply", "--layout", "docker", "--env-file", str(env), "--auth", "jwt", "--app-id", "a"]
    status, out, err = cli(capsys, *argv, "--app-secret-file", str(_secret_file(tmp_path, "s", secret)))
    if status == 0:
        values = dict(dotenv_values(stream=io.StringIO(env.read_text()), interpolate=False))
        assert values["JWT_APP_SECRET"] == secret
        assert values["OTHER"] == "1" and values["XMPP_DOMAIN"] == "meet.example.org"
        assert set(values) == {"XMPP_DOMAIN", "JWT_APP_SECRET", "OTHER", *_docker_settings(values)}
    else:
        assert status == 2 and "Traceback" not in err and err.startswith("jitsi-secure: error: "), err
        assert env.read_text() == original
    assert secret.strip() not in out + err or len(secret.strip()) < 3


def _docker_settings(values: dict[str, str | None]) -> set[str]:
    # JICOFO_ENABLE_AUTH=0: with tokens Jicofo stays out of authentication by default.
    managed = {"ENABLE_AUTH", "ENABLE_GUESTS", "AUTH_TYPE", "JWT_APP_ID", "JICOFO_ENABLE_AUTH"}
    return {k for k in values if k in managed}


# -- paths: nothing outside --root, nothing that is not a regular file --------------------------------


def test_dotdot_in_a_given_path_is_refused(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "outside.js").write_text("var config = {};\n")
    for option in ("--meet-config", "--prosody-config", "--jicofo-config", "--jigasi-config"):
        status, out, err = cli(capsys, "plan", "--root", str(root), option, "/etc/../../outside.js")
        refused(status, out, err, "leads outside the root")


def test_a_symlinked_parent_folder_leading_outside_is_refused(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (root / "etc/jitsi/jicofo").rename(elsewhere)
    (root / "etc/jitsi/jicofo").symlink_to(elsewhere)
    before = (elsewhere / "jicofo.conf").read_bytes()
    status, out, err = cli(capsys, "apply", "--root", str(root))
    refused(status, out, err, "leads outside the root")
    assert (elsewhere / "jicofo.conf").read_bytes() == before


def test_a_conf_d_link_leading_outside_is_refused(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = root / HOST
    outside = tmp_path / "host.cfg.lua"
    host.rename(outside)
    link = root / f"etc/prosody/conf.d/{EXAMPLE_DOMAIN}.cfg.lua"
    link.unlink()
    link.symlink_to(outside)
    status, out, err = cli(capsys, "apply", "--root", str(root))
    refused(status, out, err, "leads outside the root")


def test_an_absolute_symlink_is_read_inside_the_root_not_on_the_host(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # /etc/jitsi/jicofo/jicofo.conf -> /etc/passwd in an image means the image's /etc/passwd: outside
    # the root it would be the machine's own, which must never be touched.
    conf = root / "etc/jitsi/jicofo/jicofo.conf"
    conf.unlink()
    conf.symlink_to("/etc/passwd")
    status, out, err = cli(capsys, "plan", "--root", str(root))
    refused(status, out, err, "leads outside the root")


def test_docker_env_file_outside_the_root_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "root"
    (root / "srv").mkdir(parents=True)
    (tmp_path / ".env").write_text("XMPP_DOMAIN=meet.example.org\n")
    (root / "srv/.env").symlink_to(tmp_path / ".env")
    for env_file in ("/srv/.env", "/srv/../../.env"):
        status, out, err = cli(capsys, "plan", "--root", str(root), "--layout", "docker", "--env-file", env_file)
        refused(status, out, err, "leads outside the root")


def test_a_fifo_or_a_folder_is_no_config_file(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = root / "etc/jitsi/jicofo/fifo.conf"
    os.mkfifo(fifo)
    status, out, err = cli(capsys, "plan", "--root", str(root), "--jicofo-config", "/etc/jitsi/jicofo/fifo.conf")
    refused(status, out, err, "is not a regular file")  # reading it would block forever
    status, out, err = cli(capsys, "plan", "--root", str(root), "--jicofo-config", "/etc/jitsi")
    refused(status, out, err, "is not a regular file")


def test_a_planted_lock_symlink_is_not_followed(root: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (root / "etc/prosody/conf.avail" / LOCK_NAME).symlink_to(victim)
    plan = build_plan(Layout.debian(root=root), SecureDomain(EXAMPLE_DOMAIN))
    with pytest.raises(WriteError, match="cannot create the lock file"):
        apply_plan(plan)
    assert victim.read_text() == "precious\n"


def test_a_planted_temporary_name_cannot_redirect_a_write(root: Path, tmp_path: Path) -> None:
    # mkstemp opens with O_EXCL and a random name, so a symlink planted in the folder is never used.
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    folder = root / "etc/jitsi/jicofo"
    for n in range(20):
        (folder / f".jicofo.conf.{n}.tmp").symlink_to(victim)
    plan = build_plan(Layout.debian(root=root), SecureDomain(EXAMPLE_DOMAIN))
    apply_plan(plan)
    assert victim.read_text() == "precious\n"


def test_an_offline_account_never_lands_outside_the_root(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside-data"
    outside.mkdir()
    (root / "var/lib").mkdir(parents=True)
    (root / "var/lib/prosody").symlink_to(outside)
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    status, out, err = cli(capsys, "user", "add", "alice", "--root", str(root), "--offline")
    refused(status, out, err, "leads outside the root")
    assert list(outside.iterdir()) == []


# -- the Lua sandbox -----------------------------------------------------------------------------------

ESCAPES = [
    ('os.execute("touch /tmp/jitsi-secure-pwned")', "nil"),
    ('io.open("/etc/passwd")', "nil"),
    ('Lua.io.open("/etc/passwd")', "nil"),
    ('Lua.os.execute("id")', "nil"),
    ('require("os")', "nil"),
    ('load("return 1")()', "nil"),
    ('loadstring("return 1")()', "nil"),
    ('dofile("/etc/passwd")', "nil"),
    ('loadfile("/etc/passwd")', "nil"),
    ('python.eval("1")', "nil"),
    ("debug.getregistry()", "nil"),
    ("getmetatable('').__index.rep('x', 10)", "nil"),
    ("Lua.string.dump(function() end)", ""),
    ('RunScript "/tmp/x.lua"', ""),
    ("collectgarbage()", "nil"),
    ('package.loadlib("libc.so.6", "system")', "nil"),
    ("coroutine.wrap(function() end)()", "nil"),
    ('pcall(os.execute, "id")', "nil"),
]


@pytest.mark.parametrize(("code", "why"), ESCAPES, ids=[code for code, _ in ESCAPES])
def test_the_lua_sandbox_refuses_the_escapes(code: str, why: str) -> None:
    document = lua.parse(f"x = 1\n{code}\n", source="evil.cfg.lua")
    try:
        result = document.evaluate(max_instructions=100_000, max_memory=8 * 1024 * 1024)
    except LuaEvaluationError as error:
        assert "evil.cfg.lua" in str(error) or "memory" in str(error)
    else:
        # What ran could only compute values: nothing callable leaked into the config.
        assert "<function>" not in json.dumps(result)
    assert not Path("/tmp/jitsi-secure-pwned").exists()


@pytest.mark.parametrize(
    "code",
    [
        "while true do end",
        "local t = {} for i = 1, 1e9 do t[i] = i end",
        'x = ("x"):rep(1e9)',
        "local s = 'x' while true do s = s .. s end",
        'x = "\\27Lua"',  # just a string; bytecode loading itself is checked below
    ],
)
def test_runaway_lua_is_stopped_cleanly(code: str) -> None:
    document = lua.parse(code + "\n", source="bomb.cfg.lua")
    try:
        document.evaluate(max_instructions=1_000_000, max_memory=16 * 1024 * 1024)
    except LuaEvaluationError as error:
        assert "bomb.cfg.lua" in str(error)


def test_bytecode_is_refused() -> None:
    # Our parser never accepts a binary chunk: the text must be Lua source.
    with pytest.raises(JitsiSecureError):
        lua.parse("\x1bLua\x54\x00\x19\x93\r\n\x1a\n", source="bytecode.cfg.lua").evaluate()


def test_the_evaluator_sees_no_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JITSI_SECURE_TEST_SECRET", "leak")
    result = lua.parse("x = ENV_JITSI_SECURE_TEST_SECRET\ny = os.getenv('JITSI_SECURE_TEST_SECRET')\n").evaluate()
    assert result["*"].get("x") is None and result["*"].get("y") is None


def test_the_cli_never_follows_an_include_out_of_the_root(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Includes are followed as Prosody follows them, but inside the root: /etc/shadow is the image's,
    # which does not exist, so Prosody would not start, and the machine's own file is never read.
    host = root / HOST
    host.write_text(host.read_text() + '\nInclude "/etc/shadow"\n')
    status, out, err = cli(capsys, "plan", "--root", str(root))
    refused(status, out, err, "Error loading included /etc/shadow")
    assert "root:" not in out + err


def test_an_offline_account_folder_linked_outside_the_data_folder_is_refused(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = root / "var/lib/prosody"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (data / "meet%2eexample%2ecom").mkdir(parents=True)
    (data / "meet%2eexample%2ecom/accounts").symlink_to(outside)
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    status, out, err = cli(capsys, "user", "add", "alice", "--root", str(root), "--offline")
    refused(status, out, err, "leads outside the data folder")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("control", ["\x00", "\x1f", "\x7f", "\t"])
def test_control_characters_in_a_jid_are_refused(control: str) -> None:
    with pytest.raises(SpecError):
        JigasiAccount(f"jig{control}asi@meet.example.com", Secret("x"))


def test_a_secret_file_keeps_inner_carriage_returns_and_loses_one_line_ending(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "password"
    secret.write_bytes(b"a\rb\r\n")
    status, _, err = cli(
        capsys,
        "apply",
        "--root",
        str(root),
        "--jigasi-user",
        f"jigasi@{EXAMPLE_DOMAIN}",
        "--jigasi-password-file",
        str(secret),
    )
    assert status == 0, err
    [result] = java_properties([root / JIGASI])
    assert result["properties"]["org.jitsi.jigasi.xmpp.acc.PASS"] == "a\rb"


def test_a_broken_env_file_does_not_quote_a_given_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = tmp_path / ".env"
    env.write_text("OTHER='hunter2-secret\n")
    secret = tmp_path / "secret"
    secret.write_text("hunter2-secret\n")
    argv = ["plan", "--layout", "docker", "--env-file", str(env), "--auth", "jwt", "--app-id", "a"]
    status, out, err = cli(capsys, *argv, "--app-secret-file", str(secret))
    refused(status, out, err, ".env")
    assert "hunter2" not in out + err
