"""Accounts: user names and passwords as Prosody prepares them, the offline account file, prosodyctl
driven through stdin only, and the ``jitsi-secure user`` command line.

Prosody's own code is the judge where it can be: its ``util.encodings`` (nodeprep, SASLprep) and
``util.sasl.scram`` (the keys ``internal_hashed`` stores) run under ``lua5.4`` from ``/usr/lib/prosody``
(skipped locally without Prosody, required in CI). A real login with the offline file is proved in
``test_real_prosody.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jitsi_secure import accounts
from jitsi_secure.accounts import (
    DEFAULT_ITERATION_COUNT,
    AccountError,
    AccountExistsError,
    AccountMissingError,
    AccountUnreadableError,
    account_file,
    add_user,
    check_password,
    deployment_root,
    list_users,
    password_hash_of,
    path_decode,
    path_encode,
    path_under_root,
    prosody_host_file,
    remove_user,
    saslprep,
    scram_credentials,
    serialize_account,
    set_password,
    single_domain,
    user_exists,
    validate_password,
    validate_username,
)
from jitsi_secure.cli import main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.secure_domain.spec import (
    Secret,
    SpecError,
    installed_prosody_version,
    parse_prosody_version,
    resolve_prosody_version,
)
from tests.oracles import missing, require_program, require_root

DOMAIN = "meet.example.com"
PASSWORD = "s3cret pässword 🐎"
PROSODY_LIB = Path("/usr/lib/prosody")
Done = subprocess.CompletedProcess[str]

# ----------------------------------------------------------------------------- Prosody's own code


_LUA_ORACLE = r"""
package.path = "/usr/lib/prosody/?.lua;" .. package.path
package.cpath = "/usr/lib/prosody/?.so;" .. package.cpath
local stringprep = require "util.encodings".stringprep
local scram = require "util.sasl.scram"
local hex = require "util.hex"
scram.init(function() end) -- fills scram.hashers, as util.sasl does when it loads the mechanisms
for line in io.lines() do
  local op, a, b, c = line:match("^(%S+)\t?(%x*)\t?(%x*)\t?(%d*)$")
  a, b = hex.decode(a), hex.decode(b)
  local out
  if op == "nodeprep" then out = stringprep.nodeprep(a, true)
  elseif op == "saslprep" then out = stringprep.saslprep(a)
  else
    local ok, stored, server = scram.hashers[op](a, b, tonumber(c))
    out = ok and (hex.encode(stored) .. " " .. hex.encode(server)) or nil
  end
  io.write(out == nil and "nil" or ("=" .. hex.encode(out)), "\n")
end
"""


@pytest.fixture(scope="module")
def prosody_lua(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProsodyLua]:
    lua = require_program("lua5.4")
    if not (PROSODY_LIB / "util" / "encodings.so").exists():
        missing("Prosody's libraries are not in /usr/lib/prosody (Debian package prosody)")
    script = tmp_path_factory.mktemp("lua") / "oracle.lua"
    script.write_text(_LUA_ORACLE)
    yield ProsodyLua(lua, script)


class ProsodyLua:
    """Batches of questions for Prosody's Lua libraries (one process per batch)."""

    def __init__(self, lua: str, script: Path) -> None:
        self.lua = lua
        self.script = script

    def ask(self, op: str, rows: Sequence[Sequence[str | int]]) -> list[str | None]:
        lines = []
        for row in rows:
            cells = [c.encode("utf-8", "surrogatepass").hex() if isinstance(c, str) else str(c) for c in row]
            lines.append("\t".join([op, *cells]))
        done = subprocess.run(
            [self.lua, str(self.script)], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True
        )
        answers = done.stdout.splitlines()
        assert len(answers) == len(rows), done.stderr
        return [None if a == "nil" else bytes.fromhex(a[1:]).decode("utf-8") for a in answers]


NODE_SAMPLES = [
    "alice",
    "Alice",
    "ÄLICE",
    "ﬁnn",  # NFKC: fi ligature
    "straße",  # B.2 maps ß to ss
    "a b",
    "a@b",
    "a/b",
    'a"b',
    "a&b",
    "a'b",
    "a:b",
    "a<b",
    "a>b",
    "a\tb",
    "a\x00b",
    "a\x7fb",
    "a\u00a0b",  # non-ASCII space
    "a\u200bb",  # zero width space: B.1, mapped to nothing
    "a\ue000b",  # private use
    "a\U0001f40eb",  # unassigned in Unicode 3.2
    "\u05d0\u05d1",  # right-to-left only
    "\u05d0a",  # mixed directions
    "jürgen.müller-1_2+3",
    "x" * 1023,
]


def _ours(prepare: Callable[[str], str], text: str) -> str | None:
    try:
        return prepare(text)
    except AccountError:
        return None


def test_usernames_are_prepared_like_prosody_nodeprep(prosody_lua: ProsodyLua) -> None:
    expected = prosody_lua.ask("nodeprep", [[s] for s in NODE_SAMPLES])
    assert [_ours(validate_username, s) for s in NODE_SAMPLES] == expected


@given(st.text(min_size=1, max_size=12))
def test_usernames_agree_with_prosody_nodeprep(prosody_lua: ProsodyLua, text: str) -> None:
    # Prosody's strict nodeprep (no unassigned code points): what a stored name must satisfy.
    # An empty result (U+00AD maps to nothing) is a refusal for us: there must be a name left.
    [expected] = prosody_lua.ask("nodeprep", [[text]])
    assert _ours(validate_username, text) == (expected or None)


@given(st.text(min_size=1, max_size=12))
def test_passwords_agree_with_prosody_saslprep(prosody_lua: ProsodyLua, text: str) -> None:
    assert prosody_lua.ask("saslprep", [[text]]) == [_ours(saslprep, text)]


def test_passwords_are_prepared_like_prosody_saslprep(prosody_lua: ProsodyLua) -> None:
    samples = ["s3cret", "pass word", "ﬁ\u00a0x", "a\u200bb", "pässwörd 🐎", "\u05d0\u05d1", "x\u05d0"]
    expected = prosody_lua.ask("saslprep", [[s] for s in samples])
    for sample, wanted in zip(samples, expected, strict=True):
        try:
            ours: str | None = saslprep(sample)
        except AccountError:
            ours = None
        assert ours == wanted, sample


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("a@b", "'@'"),
        ("a/b", "'/'"),
        ('a"b', "'\"'"),
        ("a&b", "'&'"),
        ("a'b", '"\'"'),
        ("a:b", "':'"),
        ("a<b", "'<'"),
        ("a>b", "'>'"),
        ("a b", "U+0020"),
        ("a\tb", "U+0009"),
        ("a\nb", "U+000A"),
        ("a\x00b", "U+0000"),
        ("a\u00a0b", "U+0020"),  # NFKC turns the non-breaking space into a space
        ("a\u2028b", "U+2028"),
        ("x" * 1024, "1023 bytes"),
        ("é" * 512, "1023 bytes"),
        ("\u200b", "empty once prepared"),
    ],
)
def test_bad_usernames_are_refused_clearly(name: str, reason: str) -> None:
    with pytest.raises(AccountError, match=re.escape(reason)):
        validate_username(name)


def test_usernames_are_lowercased_as_prosody_stores_them() -> None:
    assert validate_username("Alice") == "alice"
    assert validate_username("ÄLICE") == "älice"
    assert validate_username("x" * 1023) == "x" * 1023


@pytest.mark.parametrize(
    ("value", "reason"),
    [("", "empty"), ("a\nb", "line break"), ("a\rb", "line break"), ("a\x00b", "U+0000"), ("\u00ad", "empty")],
)
def test_bad_passwords_are_refused_without_showing_them(value: str, reason: str) -> None:
    with pytest.raises(AccountError, match=re.escape(reason)) as caught:
        validate_password(Secret(value))
    if value.strip("\x00\u00ad"):
        assert value not in str(caught.value)


def test_a_password_must_be_a_secret() -> None:
    with pytest.raises(AccountError, match="Secret"):
        validate_password("plain")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------ SCRAM keys


def _recompute(password: str, salt: str, iterations: int, name: str) -> tuple[str, str]:
    salted = hashlib.pbkdf2_hmac(name, password.encode(), salt.encode(), iterations)
    stored = hashlib.new(name, hmac.new(salted, b"Client Key", name).digest()).hexdigest()
    return stored, hmac.new(salted, b"Server Key", name).hexdigest()


def test_scram_keys_match_the_verified_prosody_account() -> None:
    # The account prosodyctl wrote in the research notes (oracles.md 1d).
    keys = scram_credentials(Secret("s3cret"), salt="516809c3-e694-42c7-81d3-307602ca0b23")
    assert keys.iteration_count == 10000
    assert keys.stored_key == "1e64a49f9aa7ca34e00fc540c871bea4bd9ced0f"
    assert keys.server_key == "ed62a0535c0c4d82a81e9153e68a523d60881caf"


@pytest.mark.parametrize(("password_hash", "name", "length"), [("SHA-1", "sha1", 40), ("SHA-256", "sha256", 64)])
def test_scram_keys_recomputed_with_hashlib(password_hash: accounts.PasswordHash, name: str, length: int) -> None:
    keys = scram_credentials(Secret(PASSWORD), password_hash=password_hash, iteration_count=4096)
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", keys.salt)
    assert (keys.stored_key, keys.server_key) == _recompute(PASSWORD, keys.salt, 4096, name)
    assert len(keys.stored_key) == len(keys.server_key) == length


def test_scram_keys_match_prosodys_own_scram(prosody_lua: ProsodyLua) -> None:
    for password_hash in ("SHA-1", "SHA-256"):
        for password in ("s3cret", PASSWORD, "ﬁ\u00a0x"):
            keys = scram_credentials(Secret(password), password_hash=password_hash, salt="a-salt", iteration_count=5000)
            [answer] = prosody_lua.ask(password_hash, [[password, "a-salt", 5000]])
            assert answer == f"{keys.stored_key} {keys.server_key}", (password_hash, password)


def test_fresh_salt_every_time_and_bad_parameters() -> None:
    assert scram_credentials(Secret("pw")).salt != scram_credentials(Secret("pw")).salt
    with pytest.raises(AccountError, match="SHA-1 and SHA-256"):
        scram_credentials(Secret("pw"), password_hash="MD5")  # type: ignore[arg-type]
    with pytest.raises(AccountError, match="4096"):
        scram_credentials(Secret("pw"), iteration_count=10)


# ------------------------------------------------------------------------------ the offline file


@pytest.fixture
def data_path(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


def _read_account(path: Path) -> dict[str, str | int]:
    text = path.read_text()
    fields = dict(re.findall(r'^\t\["(\w+)"\] = "?([^";]*)"?;$', text, flags=re.MULTILINE))
    return {k: int(v) if k == "iteration_count" else v for k, v in fields.items()}


def test_offline_account_file_is_what_prosody_writes(data_path: Path) -> None:
    result = add_user("Alice", DOMAIN, Secret(PASSWORD), offline_data_path=data_path)
    path = data_path / "meet%2eexample%2ecom" / "accounts" / "alice.dat"
    assert result.path == path
    assert result.method == "offline"
    assert result.jid == f"alice@{DOMAIN}"
    text = path.read_text()
    assert text.startswith("return {\n") and text.endswith("};\n")
    fields = _read_account(path)
    assert set(fields) == {"salt", "iteration_count", "stored_key", "server_key"}
    assert fields["iteration_count"] == 10000
    assert (fields["stored_key"], fields["server_key"]) == _recompute(PASSWORD, str(fields["salt"]), 10000, "sha1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o750
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o750
    assert PASSWORD not in text
    assert [p.name for p in path.parent.iterdir()] == ["alice.dat"]  # no temporary file left behind


def test_offline_account_file_parses_as_lua(data_path: Path) -> None:
    lua = require_program("lua5.4")
    path = add_user("bob", DOMAIN, Secret("pw"), offline_data_path=data_path).path
    assert path is not None
    script = f'local t = dofile("{path}"); print(t.salt, t.iteration_count, t.stored_key, t.server_key)'
    out = subprocess.run([lua, "-e", script], capture_output=True, text=True, check=True).stdout.split()
    fields = _read_account(path)
    assert out == [fields["salt"], "10000", fields["stored_key"], fields["server_key"]]


def test_offline_owner_follows_the_data_folder(data_path: Path) -> None:
    require_root("only root gives files away")
    os.chown(data_path, 4321, 4322)
    path = add_user("carol", DOMAIN, Secret("pw"), offline_data_path=data_path).path
    assert path is not None
    for item in (path, path.parent, path.parent.parent):
        assert (item.stat().st_uid, item.stat().st_gid) == (4321, 4322), item


def test_offline_sha256_from_the_host_file(data_path: Path, tmp_path: Path) -> None:
    host_file = tmp_path / "host.cfg.lua"
    host_file.write_text(
        f'VirtualHost "{DOMAIN}"\n    authentication = "internal_hashed"\n    password_hash = "SHA-256"\n'
    )
    assert password_hash_of(host_file, DOMAIN) == "SHA-256"
    path = add_user("dave", DOMAIN, Secret(PASSWORD), offline_data_path=data_path, prosody_config=host_file).path
    assert path is not None
    fields = _read_account(path)
    assert (fields["stored_key"], fields["server_key"]) == _recompute(PASSWORD, str(fields["salt"]), 10000, "sha256")
    # An explicit choice wins over the file.
    path = add_user("erin", DOMAIN, Secret("pw"), offline_data_path=data_path, password_hash="SHA-1").path
    assert path is not None
    assert len(str(_read_account(path)["stored_key"])) == 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'VirtualHost "{DOMAIN}"\n', "SHA-1"),
        (f'password_hash = "SHA-256"\nVirtualHost "{DOMAIN}"\n', "SHA-256"),
        (f'password_hash = "SHA-256"\nVirtualHost "{DOMAIN}"\n  password_hash = "SHA-1"\n', "SHA-1"),
        ('VirtualHost "other.example.com"\n  password_hash = "SHA-256"\n', "SHA-1"),
        (f'VirtualHost "{DOMAIN.upper()}"\n  password_hash = "SHA-256"\n', "SHA-256"),
    ],
)
def test_password_hash_of(tmp_path: Path, text: str, expected: str) -> None:
    host_file = tmp_path / "host.cfg.lua"
    host_file.write_text(text)
    assert password_hash_of(host_file, DOMAIN) == expected


@pytest.mark.parametrize("value", ['"MD5"', "hash_name", '"sha-256"'])
def test_password_hash_of_refuses_what_it_cannot_follow(tmp_path: Path, value: str) -> None:
    host_file = tmp_path / "host.cfg.lua"
    host_file.write_text(f'VirtualHost "{DOMAIN}"\n  password_hash = {value}\n')
    with pytest.raises(AccountError, match="give the hash explicitly"):
        password_hash_of(host_file, DOMAIN)


def test_offline_duplicate_is_refused_and_the_file_kept(data_path: Path) -> None:
    path = add_user("alice", DOMAIN, Secret("first"), offline_data_path=data_path).path
    assert path is not None
    before = path.read_bytes()
    with pytest.raises(AccountExistsError, match=f"user alice@{DOMAIN} already exists"):
        add_user("ALICE", DOMAIN, Secret("second"), offline_data_path=data_path)
    assert path.read_bytes() == before


def test_offline_list_and_remove(data_path: Path) -> None:
    assert list_users(DOMAIN, offline_data_path=data_path) == []
    for name in ("zoe", "a.b", "Jürgen", "x_y+z"):
        add_user(name, DOMAIN, Secret("pw"), offline_data_path=data_path)
    add_user("other", "guest.meet.example.com", Secret("pw"), offline_data_path=data_path)
    assert (data_path / "meet%2eexample%2ecom/accounts/a%2eb.dat").is_file()
    assert list_users(DOMAIN, offline_data_path=data_path) == ["a.b", "jürgen", "x_y+z", "zoe"]
    # Prosody removes the user's data from every store of the host; others' data stays.
    host = data_path / "meet%2eexample%2ecom"
    (host / "roster").mkdir()
    (host / "roster" / "zoe.dat").write_text("return {};\n")
    (host / "roster" / "a%2eb.dat").write_text("return {};\n")
    (host / "offline").mkdir()
    (host / "offline" / "zoe.list").write_text("")
    result = remove_user("Zoe", DOMAIN, offline_data_path=data_path)
    assert result.path == host / "accounts" / "zoe.dat"
    assert not (host / "accounts" / "zoe.dat").exists()
    assert not (host / "roster" / "zoe.dat").exists()
    assert not (host / "offline" / "zoe.list").exists()
    assert (host / "roster" / "a%2eb.dat").exists()
    assert list_users(DOMAIN, offline_data_path=data_path) == ["a.b", "jürgen", "x_y+z"]
    with pytest.raises(AccountMissingError, match=f"user zoe@{DOMAIN} does not exist"):
        remove_user("zoe", DOMAIN, offline_data_path=data_path)


def test_offline_needs_an_existing_data_folder(tmp_path: Path) -> None:
    with pytest.raises(AccountError, match="does not exist"):
        add_user("alice", DOMAIN, Secret("pw"), offline_data_path=tmp_path / "nope")
    with pytest.raises(AccountError, match="does not exist"):
        list_users(DOMAIN, offline_data_path=tmp_path / "nope")


def test_one_way_at_a_time(data_path: Path) -> None:
    with pytest.raises(AccountError, match="not both"):
        add_user("alice", DOMAIN, Secret("pw"), prosodyctl=["prosodyctl"], offline_data_path=data_path)


@given(st.text(max_size=20))
def test_path_encoding_round_trips(text: str) -> None:
    encoded = path_encode(text)
    assert re.fullmatch(r"(?:[A-Za-z0-9]|%[0-9a-f]{2})*", encoded)
    assert path_decode(encoded) == text


def test_account_file_and_serialization() -> None:
    assert account_file("/var/lib/prosody", "Alice", DOMAIN) == Path(
        "/var/lib/prosody/meet%2eexample%2ecom/accounts/alice.dat"
    )
    keys = accounts.ScramCredentials("5-a", 10000, "ab", "cd")
    assert serialize_account(keys) == textwrap.dedent("""\
        return {
        \t["iteration_count"] = 10000;
        \t["salt"] = "5-a";
        \t["server_key"] = "cd";
        \t["stored_key"] = "ab";
        };
        """)
    with pytest.raises(AccountError, match="salt"):
        serialize_account(accounts.ScramCredentials('a"b', 10000, "ab", "cd"))


# ------------------------------------------------------------------- prosodyctl, through stdin only

FAKE_PROSODYCTL = """\
#!{python}
import json, os, sys
record = os.environ["FAKE_RECORD"]
data = sys.stdin.buffer.read().decode("utf-8")
with open(record, "a", encoding="utf-8") as handle:
    handle.write(json.dumps({{"argv": sys.argv, "stdin": data}}) + "\\n")
mode = os.environ.get("FAKE_MODE", "ok")
if mode == "exists":
    print("That user already exists"); sys.exit(1)
if mode == "missing":
    print("That user does not exist on this server"); sys.exit(1)
if mode == "echo":
    print("Enter new password: \\x1b[08m\\x1b[00m")
    print("I got " + data.splitlines()[0] + " and I do not like it"); print("Something broke"); sys.exit(3)
if mode == "unknown-host":
    print("The host 'x' is not listed in the configuration file (or is not enabled).")
# Prosody 13's prosodyctl, through the admin shell of the running server (its words, verified).
if mode == "exists13":
    print("Error: User exists"); sys.exit(1)
if mode == "missing13":
    print("Error: No such user"); sys.exit(1)
if mode == "unknown-host13":
    print("Error: No such host: meet.example.com"); sys.exit(1)
if mode == "stopped13":
    print("** Unable to connect to server - is it running? Is mod_admin_shell enabled?")
    print("** Connection error: No such file or directory"); sys.exit(1)
print("Enter new password: \\x1b[08m\\x1b[00m")
print("Retype new password: \\x1b[08m\\x1b[00m")
"""


@pytest.fixture
def fake_prosodyctl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    script = tmp_path / "fake-prosodyctl"
    script.write_text(FAKE_PROSODYCTL.format(python=sys.executable))
    script.chmod(0o755)
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv("FAKE_RECORD", str(record))
    yield script, record


def _records(record: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]


def test_prosodyctl_gets_the_password_on_stdin_only(fake_prosodyctl: tuple[Path, Path]) -> None:
    script, record = fake_prosodyctl
    result = add_user("Alice", DOMAIN, Secret(PASSWORD), prosodyctl=[str(script), "--config", "/x/prosody.cfg.lua"])
    assert (result.method, result.jid, result.warnings) == ("prosodyctl", f"alice@{DOMAIN}", ())
    [call] = _records(record)
    assert call["argv"] == [str(script), "--config", "/x/prosody.cfg.lua", "adduser", f"alice@{DOMAIN}"]
    assert call["stdin"] == f"{PASSWORD}\n{PASSWORD}\n"  # prosodyctl asks twice


def test_prosodyctl_remove_sends_nothing(fake_prosodyctl: tuple[Path, Path]) -> None:
    script, record = fake_prosodyctl
    remove_user("alice", DOMAIN, prosodyctl=[str(script)])
    assert _records(record) == [{"argv": [str(script), "deluser", f"alice@{DOMAIN}"], "stdin": ""}]


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        ("exists", AccountExistsError, f"user alice@{DOMAIN} already exists"),
        ("missing", AccountMissingError, f"user alice@{DOMAIN} does not exist"),
        ("exists13", AccountExistsError, f"user alice@{DOMAIN} already exists"),
        ("missing13", AccountMissingError, f"user alice@{DOMAIN} does not exist"),
        (
            "unknown-host13",
            AccountError,
            f"prosodyctl does not know the host of alice@{DOMAIN} (not in its configuration, or not enabled)",
        ),
        (
            "stopped13",
            AccountError,
            "FAKE needs the running Prosody: Prosody 13 changes accounts through the "
            "server's admin shell (mod_admin_shell). Start Prosody, or write the account file with --offline",
        ),
    ],
)
def test_prosodyctl_answers_become_clear_errors(
    fake_prosodyctl: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, mode: str, error: type, message: str
) -> None:
    script, _ = fake_prosodyctl
    monkeypatch.setenv("FAKE_MODE", mode)
    message = message.replace("FAKE", f"{script} {'adduser' if mode.startswith(('exists', 'unknown')) else 'deluser'}")
    with pytest.raises(error) as caught:
        if mode.startswith(("exists", "unknown")):
            add_user("alice", DOMAIN, Secret("x"), prosodyctl=[str(script)])
        else:
            remove_user("alice", DOMAIN, prosodyctl=[str(script)])
    assert str(caught.value) == message


def test_prosodyctl_failure_never_repeats_the_password(
    fake_prosodyctl: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    script, _ = fake_prosodyctl
    monkeypatch.setenv("FAKE_MODE", "echo")
    with pytest.raises(AccountError) as caught:
        add_user("alice", DOMAIN, Secret("hunter2"), prosodyctl=[str(script)])
    message = str(caught.value)
    assert "hunter2" not in message
    assert "failed (exit 3)" in message and "Something broke" in message
    assert "left out" in message and "\x1b" not in message


def test_prosodyctl_unknown_host_is_a_warning(
    fake_prosodyctl: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    script, _ = fake_prosodyctl
    monkeypatch.setenv("FAKE_MODE", "unknown-host")
    result = add_user("alice", DOMAIN, Secret("pw"), prosodyctl=[str(script)])
    assert result.warnings == (
        f"prosodyctl does not know the host {DOMAIN} (not in its configuration, or not enabled): "
        "the user cannot log in until the host is configured",
    )


def test_prosodyctl_missing_program() -> None:
    with pytest.raises(AccountError, match=r"not found.*--offline"):
        add_user("alice", DOMAIN, Secret("pw"), prosodyctl=["/nonexistent/prosodyctl"])
    with pytest.raises(AccountError, match="empty"):
        add_user("alice", DOMAIN, Secret("pw"), prosodyctl=[])


# --------------------------------------------- existing accounts: user_exists, check_password, set_password


def _write_account_text(data_path: Path, user: str, body: str) -> Path:
    path = account_file(data_path, user, DOMAIN)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("return {\n" + body + "};\n")
    return path


def test_user_exists_reads_the_data_folder(data_path: Path) -> None:
    assert user_exists("alice", DOMAIN, offline_data_path=data_path) is False
    add_user("alice", DOMAIN, Secret("pw"), offline_data_path=data_path)
    assert user_exists("ALICE", DOMAIN, offline_data_path=data_path) is True
    assert user_exists("bob", DOMAIN, offline_data_path=data_path) is False
    assert user_exists("alice", "guest.meet.example.com", offline_data_path=data_path) is False


def test_user_exists_says_when_it_cannot_tell(data_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No data folder here (prosodyctl's may be in a container): not known, which is not "no".
    with pytest.raises(AccountUnreadableError, match="does not exist"):
        user_exists("alice", DOMAIN, offline_data_path=tmp_path / "nope")
    path = add_user("alice", DOMAIN, Secret("pw"), offline_data_path=data_path).path

    def denied(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    with monkeypatch.context() as patch:  # root reads everything: a refusal is simulated
        patch.setattr(Path, "read_text", denied)
        with pytest.raises(AccountUnreadableError, match=f"cannot read {re.escape(str(path))}: Permission denied"):
            user_exists("alice", DOMAIN, offline_data_path=data_path)
        with pytest.raises(AccountUnreadableError):
            check_password("alice", DOMAIN, Secret("pw"), offline_data_path=data_path)
    assert issubclass(AccountUnreadableError, AccountError)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{}\n", "is not an account file"),
        ('return {\n\t["salt"] = "a";\n\tnonsense\n};\n', "cannot read the line 'nonsense'"),
    ],
)
def test_a_file_prosody_did_not_write_is_an_error(data_path: Path, body: str, message: str) -> None:
    path = account_file(data_path, "alice", DOMAIN)
    path.parent.mkdir(parents=True)
    path.write_text(body)
    for call in (
        lambda: user_exists("alice", DOMAIN, offline_data_path=data_path),
        lambda: check_password("alice", DOMAIN, Secret("pw"), offline_data_path=data_path),
        lambda: set_password("alice", DOMAIN, Secret("pw"), offline_data_path=data_path),
    ):
        with pytest.raises(AccountError, match=re.escape(message)):
            call()
    assert path.read_text() == body


@pytest.mark.parametrize("password_hash", ["SHA-1", "SHA-256"])
def test_check_password_recomputes_the_stored_keys(data_path: Path, password_hash: accounts.PasswordHash) -> None:
    add_user("alice", DOMAIN, Secret(PASSWORD), offline_data_path=data_path, password_hash=password_hash)
    assert check_password("Alice", DOMAIN, Secret(PASSWORD), offline_data_path=data_path) is True
    assert check_password("alice", DOMAIN, Secret(PASSWORD + " "), offline_data_path=data_path) is False
    assert check_password("alice", DOMAIN, Secret("s3cret"), offline_data_path=data_path) is False


def test_check_password_on_the_verified_prosody_account(data_path: Path) -> None:
    # The account prosodyctl wrote in the research notes (oracles.md 1d), with an entry of its own.
    _write_account_text(
        data_path,
        "admin",
        '\t["iteration_count"] = 10000;\n\t["salt"] = "516809c3-e694-42c7-81d3-307602ca0b23";\n'
        '\t["server_key"] = "ed62a0535c0c4d82a81e9153e68a523d60881caf";\n'
        '\t["stored_key"] = "1e64a49f9aa7ca34e00fc540c871bea4bd9ced0f";\n\t["roles"] = {};\n',
    )
    assert check_password("admin", DOMAIN, Secret("s3cret"), offline_data_path=data_path) is True
    assert check_password("admin", DOMAIN, Secret("s3cret!"), offline_data_path=data_path) is False


@pytest.mark.parametrize(
    "body",
    [
        '\t["password"] = "pw";\n',  # plain-text storage (auth "internal_plain")
        '\t["iteration_count"] = 10000;\n\t["salt"] = "s";\n\t["server_key"] = "ab";\n\t["stored_key"] = "ab";\n',
        '\t["iteration_count"] = 1e4;\n\t["salt"] = "s";\n\t["server_key"] = "x";\n\t["stored_key"] = "'
        + "a" * 40
        + '";\n',
        '\t["iteration_count"] = 10000;\n\t["salt"] = "s\\"";\n\t["server_key"] = "x";\n\t["stored_key"] = "'
        + "a" * 40
        + '";\n',
        '\t["iteration_count"] = 10000;\n\t["salt"] = "s";\n\t["server_key"] = "é";\n\t["stored_key"] = "'
        + "é" * 40
        + '";\n',
    ],
    ids=["plain", "short-key", "lua-number", "escaped-salt", "not-hex"],
)
def test_check_password_is_false_for_what_it_cannot_compare(data_path: Path, body: str) -> None:
    _write_account_text(data_path, "alice", body)
    assert check_password("alice", DOMAIN, Secret("pw"), offline_data_path=data_path) is False


def test_check_password_needs_an_account_and_a_good_password(data_path: Path) -> None:
    with pytest.raises(AccountMissingError, match=f"user alice@{DOMAIN} does not exist"):
        check_password("alice", DOMAIN, Secret("pw"), offline_data_path=data_path)
    add_user("alice", DOMAIN, Secret("pw"), offline_data_path=data_path)
    with pytest.raises(AccountError, match="line break"):
        check_password("alice", DOMAIN, Secret("pw\n"), offline_data_path=data_path)


def test_set_password_offline_rewrites_the_keys_and_keeps_the_rest(data_path: Path) -> None:
    path = _write_account_text(
        data_path,
        "alice",
        '\t["iteration_count"] = 20000;\n\t["salt"] = "old-salt";\n\t["server_key"] = "'
        + "0" * 40
        + '";\n\t["stored_key"] = "'
        + "1" * 40
        + '";\n\t["password"] = "the old one";\n\t["roles"] = { ["prosody:admin"] = true };\n',
    )
    path.chmod(0o600)
    result = set_password("Alice", DOMAIN, Secret(PASSWORD), offline_data_path=data_path)
    assert (result.method, result.path, result.jid, result.warnings) == ("offline", path, f"alice@{DOMAIN}", ())
    text = path.read_text()
    assert PASSWORD not in text and "the old one" not in text
    assert text.endswith('\t["roles"] = { ["prosody:admin"] = true };\n};\n')
    fields = _read_account(path)
    assert fields["salt"] != "old-salt" and fields["iteration_count"] == 20000  # more than the default: kept
    assert (fields["stored_key"], fields["server_key"]) == _recompute(PASSWORD, str(fields["salt"]), 20000, "sha1")
    assert "password" not in fields
    assert check_password("alice", DOMAIN, Secret(PASSWORD), offline_data_path=data_path) is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # the file's own mode, not a new one
    assert [p.name for p in path.parent.iterdir()] == ["alice.dat"]


def test_set_password_offline_hash_and_iterations(data_path: Path, tmp_path: Path) -> None:
    add_user("alice", DOMAIN, Secret("one"), offline_data_path=data_path, password_hash="SHA-256", iteration_count=4096)
    path = set_password("alice", DOMAIN, Secret("two"), offline_data_path=data_path).path
    assert path is not None
    fields = _read_account(path)
    # The account's own hash stays; its iteration count is raised to the default.
    assert fields["iteration_count"] == DEFAULT_ITERATION_COUNT
    assert len(str(fields["stored_key"])) == 64
    host_file = tmp_path / "host.cfg.lua"
    host_file.write_text(f'VirtualHost "{DOMAIN}"\n  password_hash = "SHA-1"\n')
    set_password("alice", DOMAIN, Secret("three"), offline_data_path=data_path, prosody_config=host_file)
    assert len(str(_read_account(path)["stored_key"])) == 40  # the host's hash, as Prosody does
    set_password("alice", DOMAIN, Secret("four"), offline_data_path=data_path, password_hash="SHA-256")
    fields = _read_account(path)
    assert (fields["stored_key"], fields["server_key"]) == _recompute("four", str(fields["salt"]), 10000, "sha256")
    assert check_password("alice", DOMAIN, Secret("four"), offline_data_path=data_path)


def test_set_password_offline_keeps_the_owner(data_path: Path) -> None:
    require_root("only root gives files away")
    path = add_user("alice", DOMAIN, Secret("one"), offline_data_path=data_path).path
    assert path is not None
    os.chown(path, 4321, 4322)
    set_password("alice", DOMAIN, Secret("two"), offline_data_path=data_path)
    assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4322)


def test_set_password_offline_never_creates_an_account(data_path: Path, tmp_path: Path) -> None:
    with pytest.raises(AccountMissingError, match=f"user alice@{DOMAIN} does not exist"):
        set_password("alice", DOMAIN, Secret("pw"), offline_data_path=data_path)
    assert list(data_path.iterdir()) == []
    with pytest.raises(AccountError, match=r"data folder .* does not exist"):
        set_password("alice", DOMAIN, Secret("pw"), offline_data_path=tmp_path / "nope")
    with pytest.raises(AccountError, match="not both"):
        set_password("alice", DOMAIN, Secret("pw"), prosodyctl=["prosodyctl"], offline_data_path=data_path)


def test_set_password_through_prosodyctl_passwd(
    fake_prosodyctl: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    script, record = fake_prosodyctl
    result = set_password("Alice", DOMAIN, Secret(PASSWORD), prosodyctl=[str(script), "--config", "/x.cfg.lua"])
    assert (result.method, result.jid, result.path, result.warnings) == ("prosodyctl", f"alice@{DOMAIN}", None, ())
    [call] = _records(record)
    assert call == {
        "argv": [str(script), "--config", "/x.cfg.lua", "passwd", f"alice@{DOMAIN}"],
        "stdin": f"{PASSWORD}\n{PASSWORD}\n",  # prosodyctl asks twice; never an argument
    }
    monkeypatch.setenv("FAKE_MODE", "missing")
    with pytest.raises(AccountMissingError, match=f"user alice@{DOMAIN} does not exist"):
        set_password("alice", DOMAIN, Secret("pw"), prosodyctl=[str(script)])
    monkeypatch.setenv("FAKE_MODE", "echo")
    with pytest.raises(AccountError) as caught:
        set_password("alice", DOMAIN, Secret("hunter2"), prosodyctl=[str(script)])
    assert "hunter2" not in str(caught.value) and "passwd" in str(caught.value)
    monkeypatch.setenv("FAKE_MODE", "unknown-host")
    result = set_password("alice", DOMAIN, Secret("pw"), prosodyctl=[str(script)])
    assert result.warnings == (
        f"prosodyctl does not know the host {DOMAIN} (not in its configuration, or not enabled)",
    )


# ------------------------------------------------------------------------- where the accounts are


def test_deployment_root(tmp_path: Path) -> None:
    (tmp_path / "link").symlink_to(tmp_path)
    assert deployment_root(tmp_path / "link") == tmp_path.resolve()
    with pytest.raises(AccountError, match=f"^the root {re.escape(str(tmp_path))}/nope is not a folder$"):
        deployment_root(tmp_path / "nope")


def test_single_domain(tmp_path: Path) -> None:
    root = build_example_tree(tmp_path / "root")
    assert single_domain(root) == EXAMPLE_DOMAIN
    (root / "etc/jitsi/meet/other.example.com-config.js").write_text("var config = {};\n")
    (root / "etc/prosody/conf.avail/other.example.com.cfg.lua").write_text('VirtualHost "other.example.com"\n')
    with pytest.raises(AccountError, match=f"several Jitsi Meet hosts found under {re.escape(str(root))}: "):
        single_domain(root)
    (tmp_path / "empty").mkdir()
    with pytest.raises(AccountError, match=r"no Jitsi Meet host found under .*; give --domain$"):
        single_domain(tmp_path / "empty")


def test_path_under_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "root"
    (root / "var/lib").mkdir(parents=True)
    assert path_under_root(root, "/var/lib/prosody", what="data folder") == root / "var/lib/prosody"
    monkeypatch.chdir(tmp_path)
    assert path_under_root(root, "here/data") == tmp_path / "here/data"  # relative: the user's own
    (root / "var/lib/prosody").symlink_to("/etc")
    with pytest.raises(AccountError, match=r"^the data folder /var/lib/prosody leads outside the root .* \(to /etc\)"):
        path_under_root(root, "/var/lib/prosody", what="data folder")
    with pytest.raises(AccountError, match="leads outside the root"):
        path_under_root(root, "/../../etc")


def test_prosody_host_file(tmp_path: Path) -> None:
    root = build_example_tree(tmp_path / "root")
    found = prosody_host_file(root, EXAMPLE_DOMAIN)
    assert found is not None and found.is_file()
    assert found.parent in (root / "etc/prosody/conf.avail", root / "etc/prosody/conf.d")
    assert prosody_host_file(root, "other.example.com") is None
    given = root / "srv/host.cfg.lua"
    given.parent.mkdir()
    given.write_text("")
    assert prosody_host_file(root, EXAMPLE_DOMAIN, prosody_config="/srv/host.cfg.lua") == given
    with pytest.raises(AccountError, match=r"^the Prosody config /srv/none\.cfg\.lua does not exist$"):
        prosody_host_file(root, EXAMPLE_DOMAIN, prosody_config="/srv/none.cfg.lua")


# ---------------------------------------------------------------- the Prosody version (for the CLI and Ansible)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.12", (0, 12)), ("13.0", (13, 0)), ("0.12.4", (0, 12)), ("13", (13, 0)), ("13.0.1", (13, 0)), ("14", (14, 0))],
)
def test_parse_prosody_version(text: str, expected: tuple[int, int]) -> None:
    assert parse_prosody_version(text) == expected


@pytest.mark.parametrize("text", ["0", "13abc", "13.x", "v13", "", "0.", "1 3"])
def test_parse_prosody_version_refuses_other_forms(text: str) -> None:
    # A bare 0 is refused: the 0.x series differ by their minor.
    message = rf"^--prosody-version {re.escape(repr(text))} is not of the form X.Y or X \(like 0.12, 13.0 or 13\)$"
    with pytest.raises(SpecError, match=message):
        parse_prosody_version(text)


def test_installed_prosody_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    script = bin_dir / "prosodyctl"
    script.write_text(
        f"#!/bin/sh\necho \"$@\" >> '{calls}'\n"
        "printf 'Prosody 13.0.2\\n\\n# Prosody directories\\nData directory: /var/lib/prosody\\n'\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert installed_prosody_version("/") == (13, 0)
    assert calls.read_text() == "about\n"
    assert installed_prosody_version(tmp_path) is None  # an image under a root says nothing about this machine
    assert resolve_prosody_version(None, root="/", auth="internal") == (13, 0)
    assert resolve_prosody_version("0.12", root="/", auth="internal") == (0, 12)  # given: not asked
    assert resolve_prosody_version(None, root="/", auth="jwt") is None  # only passwords depend on it
    assert calls.read_text() == "about\nabout\n"
    script.write_text("#!/bin/sh\necho 'no version here'\n")
    assert installed_prosody_version("/") is None
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert installed_prosody_version("/") is None


# ------------------------------------------------------------------------------- the command line


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = build_example_tree(tmp_path / "root")
    (root / "var/lib/prosody").mkdir(parents=True)
    return root


def _run(*argv: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jitsi_secure.cli", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})},
    )


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Done]:
    """The CLI in this process (fast); standard input is a pipe-like stream of ``stdin``."""

    def run(*argv: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Done:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        stream = io.TextIOWrapper(io.BytesIO((stdin or "").encode("utf-8")), encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", stream)
        try:
            status = main(list(argv))
        except SystemExit as exit_:  # argparse
            status = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(argv), status, out, err)

    return run


def test_cli_password_reaches_prosodyctl_through_stdin_only(tree: Path, fake_prosodyctl: tuple[Path, Path]) -> None:
    script, record = fake_prosodyctl
    prefix = f"'{script}' --config '/tmp/a dir/prosody.cfg.lua'"
    done = _run("user", "add", "Alice", "--root", str(tree), "--prosodyctl", prefix, stdin=f"{PASSWORD}\nignored\n")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"added alice@{EXAMPLE_DOMAIN} (through prosodyctl)\n"
    [call] = _records(record)
    argv = call["argv"]
    assert isinstance(argv, list)
    assert argv == [str(script), "--config", "/tmp/a dir/prosody.cfg.lua", "adduser", f"alice@{EXAMPLE_DOMAIN}"]
    assert call["stdin"] == f"{PASSWORD}\n{PASSWORD}\n"
    assert all(PASSWORD not in part and "s3cret" not in part for part in argv)


@pytest.mark.parametrize("action", ["add", "remove"])
def test_cli_under_a_root_never_reaches_this_machines_prosodyctl(
    action: str,
    run_cli: Callable[..., Done],
    tree: Path,
    fake_prosodyctl: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The machine's prosodyctl (here a fake one first on PATH) would change the accounts of the Prosody
    # this machine runs: under a root, the command is refused unless --offline or --prosodyctl says how.
    script, record = fake_prosodyctl
    (script.parent / "prosodyctl").symlink_to(script)
    monkeypatch.setenv("PATH", f"{script.parent}:{os.environ['PATH']}")
    done = run_cli("user", action, "alice", "--root", str(tree), stdin=f"{PASSWORD}\n")
    assert done.returncode == 2 and done.stdout == ""
    assert "this machine's prosodyctl would change the accounts" in done.stderr and "--offline" in done.stderr
    assert not record.exists()


def test_cli_error_in_a_real_process_is_one_line(tree: Path) -> None:
    done = _run("user", "add", "alice", "--root", str(tree), "--offline")  # stdin: empty pipe
    assert (done.returncode, done.stdout) == (2, "")
    assert (
        done.stderr
        == "jitsi-secure: error: no password: give it as the first line of standard input (or run on a terminal)\n"
    )


def test_cli_offline_add_list_remove_json(run_cli: Callable[..., Done], tree: Path) -> None:
    base = ["--root", str(tree), "--offline", "--json"]
    added = run_cli("user", "add", "Bob", *base, stdin="pw pw\r\n")
    assert added.returncode == 0, added.stderr
    report = json.loads(added.stdout)
    file = "/var/lib/prosody/meet%2eexample%2ecom/accounts/bob.dat"
    assert report == {
        "verb": "user",
        "action": "add",
        "ok": True,
        "exit": 0,
        "user": "bob",
        "domain": EXAMPLE_DOMAIN,
        "jid": f"bob@{EXAMPLE_DOMAIN}",
        "method": "offline",
        "file": file,
        "warnings": [],
    }
    # The CRLF of a Windows-made file is not part of the password.
    fields = _read_account(tree / file.lstrip("/"))
    assert (fields["stored_key"], fields["server_key"]) == _recompute("pw pw", str(fields["salt"]), 10000, "sha1")
    listed = run_cli("user", "list", "--root", str(tree), "--json")
    assert json.loads(listed.stdout)["users"] == ["bob"]
    assert run_cli("user", "list", "--root", str(tree)).stdout == "bob\n"
    removed = run_cli("user", "remove", "bob", *base)
    assert json.loads(removed.stdout)["action"] == "remove"
    gone = run_cli("user", "remove", "bob", *base)
    assert gone.returncode == 2
    error = json.loads(gone.stdout)
    assert error["ok"] is False and error["exit"] == 2 and "does not exist" in error["error"]


def test_cli_offline_follows_the_host_files_password_hash(run_cli: Callable[..., Done], tree: Path) -> None:
    host_file = tree / f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua"
    text = host_file.read_text()
    header = f'VirtualHost "{EXAMPLE_DOMAIN}"\n'
    assert header in text
    host_file.write_text(text.replace(header, header + '    password_hash = "SHA-256"\n'))
    assert run_cli("user", "add", "carol", "--root", str(tree), "--offline", stdin="pw\n").returncode == 0
    path = tree / "var/lib/prosody/meet%2eexample%2ecom/accounts/carol.dat"
    assert len(str(_read_account(path)["stored_key"])) == 64
    done = run_cli("user", "add", "dan", "--root", str(tree), "--offline", "--password-hash", "SHA-1", stdin="pw\n")
    assert done.returncode == 0
    assert len(str(_read_account(path.with_name("dan.dat"))["stored_key"])) == 40


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["user", "add", "alice", "--offline"], "", "no password"),
        (["user", "add", "a@b", "--offline"], "pw\n", "may not contain '@'"),
        (["user", "add", "alice", "--offline"], "\n", "the password is empty"),
        (["user", "add", "alice", "--data-path", "/var/lib/prosody"], "pw\n", "--data-path goes with --offline"),
        (["user", "add", "alice", "--offline", "--data-path", "/nope"], "pw\n", "does not exist"),
        (["user", "add", "alice", "--offline", "--data-path", "/../../etc"], "pw\n", "outside the root"),
        (["user", "add", "alice", "--prosodyctl", "'unclosed"], "pw\n", "cannot split --prosodyctl"),
        (["user", "add", "alice", "--prosodyctl", "/nonexistent/prosodyctl"], "pw\n", "not found"),
        (["user", "add", "alice", "--domain", "bad domain", "--offline"], "pw\n", "is not a host name"),
        (["user", "remove", "alice", "--offline"], None, "does not exist"),
    ],
)
def test_cli_errors_are_one_clear_line(
    run_cli: Callable[..., Done], tree: Path, argv: list[str], stdin: str | None, message: str
) -> None:
    done = run_cli(*argv, "--root", str(tree), stdin=stdin if stdin is not None else "")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("jitsi-secure: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_never_shows_the_password(
    run_cli: Callable[..., Done], tree: Path, fake_prosodyctl: tuple[Path, Path]
) -> None:
    script, _ = fake_prosodyctl
    for mode in ("echo", "exists", "ok"):
        for extra in ([], ["--json"]):
            done = run_cli(
                "user", "add", "alice", "--root", str(tree), "--prosodyctl", str(script), *extra,
                stdin="hunter2\n", env={"FAKE_MODE": mode},
            )  # fmt: skip
            assert "hunter2" not in done.stdout + done.stderr, (mode, extra)
            assert done.returncode == (0 if mode == "ok" else 2)


def test_cli_domain_discovery(run_cli: Callable[..., Done], tree: Path, tmp_path: Path) -> None:
    second = tree / "etc/jitsi/meet/other.example.com-config.js"
    second.write_text("var config = {};\n")
    (tree / "etc/prosody/conf.avail/other.example.com.cfg.lua").write_text('VirtualHost "other.example.com"\n')
    done = run_cli("user", "list", "--root", str(tree))
    assert done.returncode == 2 and "several Jitsi Meet hosts" in done.stderr
    assert run_cli("user", "list", "--root", str(tree), "--domain", "other.example.com").returncode == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_cli("user", "list", "--root", str(empty))
    assert done.returncode == 2 and "give --domain" in done.stderr


def test_cli_list_has_no_prosodyctl_option(run_cli: Callable[..., Done], tree: Path) -> None:
    done = run_cli("user", "list", "--root", str(tree), "--prosodyctl", "prosodyctl")
    assert done.returncode == 2 and "unrecognized arguments" in done.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_prompts_twice_on_a_terminal(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["pw one", "pw one", "pw two", "pw three"])
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    assert main(["user", "add", "eve", "--root", str(tree), "--offline"]) == 0
    assert prompts == [f"Password for eve@{EXAMPLE_DOMAIN}: ", "Repeat the password: "]
    assert main(["user", "add", "frank", "--root", str(tree), "--offline"]) == 2
    assert list_users(EXAMPLE_DOMAIN, offline_data_path=tree / "var/lib/prosody") == ["eve"]


def test_help_mentions_user(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "{plan,apply,check,revert,policy,migrate,doctor,user}" in capsys.readouterr().out


def test_cli_end_of_input_at_the_prompt(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fake_getpass(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr(sys, "stdin", _Terminal())
    assert main(["user", "add", "eve", "--root", str(tree), "--offline"]) == 2
    assert capsys.readouterr().err == "jitsi-secure: error: no password given; nothing was changed\n"
