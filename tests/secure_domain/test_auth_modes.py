"""The other authentication modes: JWT tokens, LDAP, and Prosody 13's extra line, judged by Prosody's loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jitsi_secure.cli import main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.secure_domain.spec import JwtAuth, Secret, SecureDomain, SpecError
from tests.oracles import java_properties
from tests.oracles.hocon import lightbend_read
from tests.oracles.lua import prosody_configs

SECRET = 'jwt"secret\\with]]--${x}é'
HOST = f"etc/prosody/conf.avail/{EXAMPLE_DOMAIN}.cfg.lua"
CONFERENCE = f"conference.{EXAMPLE_DOMAIN}"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return build_example_tree(tmp_path / "root")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def prosody(root: Path) -> dict[str, Any]:
    [result] = prosody_configs([root / HOST])
    assert result["ok"], result
    config: dict[str, Any] = result["config"]
    return config


def jwt_args(tmp_path: Path, *extra: str) -> list[str]:
    secret_file = tmp_path / "app-secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    return ["--auth", "jwt", "--app-id", "my_app", "--app-secret-file", str(secret_file), *extra]


def test_jwt_as_prosody_reads_it(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = prosody(root)
    args = jwt_args(tmp_path)
    status, _out, err = cli(capsys, "apply", "--root", str(root), *args)
    assert status == 0, err
    after = prosody(root)
    main_host = after[EXAMPLE_DOMAIN]
    assert (main_host["authentication"], main_host["app_id"], main_host["app_secret"]) == ("token", "my_app", SECRET)
    modules = after[CONFERENCE]["modules_enabled"]
    # Debian ships the entry commented out: it is uncommented in place, never added a second time.
    assert sorted(modules) == sorted([*before[CONFERENCE]["modules_enabled"], "token_verification"])
    assert '--"token_verification"' not in (root / HOST).read_text()
    assert after[f"guest.{EXAMPLE_DOMAIN}"]["authentication"] == "jitsi-anonymous"
    # The Debian marker and the shipped examples' places are kept.
    text = (root / HOST).read_text()
    assert 'authentication = "token" -- do not delete me' in text
    assert "--app_id=" not in text and "app_id=" in text
    # Jicofo follows upstream's token guide: its authentication stays off, in both files.
    [jicofo] = lightbend_read([root / "etc/jitsi/jicofo/jicofo.conf"])
    assert jicofo["value"]["jicofo"]["authentication"]["enabled"] is False
    [legacy] = java_properties([root / "etc/jitsi/jicofo/sip-communicator.properties"])
    assert "org.jitsi.jicofo.auth.URL" not in legacy["properties"]
    # Idempotent, and revert with the same mode takes it all back out.
    assert cli(capsys, "apply", "--root", str(root), *args)[1].startswith("Nothing to change")
    assert cli(capsys, "check", "--root", str(root), *args)[0] == 0
    assert cli(capsys, "revert", "--root", str(root), *args)[0] == 0
    reverted = prosody(root)
    assert reverted[CONFERENCE] == before[CONFERENCE]
    assert reverted[EXAMPLE_DOMAIN] == before[EXAMPLE_DOMAIN]


def test_jwt_secret_is_masked_everywhere(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = jwt_args(tmp_path)
    outputs = [
        cli(capsys, verb, "--root", str(root), *args, *extra)
        for verb in ("plan", "apply", "check")
        for extra in ([], ["--json"])
    ]
    assert any("app_secret=********" in out for _, out, _ in outputs)
    for _, out, err in outputs:
        for form in (SECRET, json.dumps(SECRET)[1:-1], 'jwt\\"secret'):
            assert form not in out + err


def test_jwt_with_jicofo_off_and_a_key_server(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = "https://keys.example.com/asap"
    args = [
        "--auth",
        "jwt",
        "--app-id",
        "my_app",
        "--asap-key-server",
        url,
        "--allow-empty-token",
        "--jicofo-auth",
        "off",
    ]
    assert cli(capsys, "apply", "--root", str(root), *args)[0] == 0
    main_host = prosody(root)[EXAMPLE_DOMAIN]
    assert (main_host["asap_key_server"], main_host["allow_empty_token"]) == (url, True)
    assert "app_secret" not in main_host
    [jicofo] = lightbend_read([root / "etc/jitsi/jicofo/jicofo.conf"])
    assert jicofo["value"]["jicofo"]["authentication"] == {"enabled": False}
    # Any legacy URL would turn Jicofo's authentication back on, so it is commented out.
    [legacy] = java_properties([root / "etc/jitsi/jicofo/sip-communicator.properties"])
    assert "org.jitsi.jicofo.auth.URL" not in legacy["properties"]


def test_ldap_sets_cyrus_and_says_what_it_cannot_do(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = cli(capsys, "apply", "--root", str(root), "--auth", "ldap")
    assert status == 0
    main_host = prosody(root)[EXAMPLE_DOMAIN]
    assert main_host["authentication"] == "cyrus"
    assert main_host["cyrus_application_name"] == "xmpp"
    assert main_host["allow_unencrypted_plain_auth"] is True
    assert main_host["modules_enabled"].count("auth_cyrus") == 1
    assert "saslauthd" in out and "warning:" in out
    assert cli(capsys, "apply", "--root", str(root), "--auth", "ldap")[1].startswith("Nothing to change")
    assert cli(capsys, "check", "--root", str(root), "--auth", "ldap")[0] == 0
    assert cli(capsys, "revert", "--root", str(root), "--auth", "ldap")[0] == 0
    assert cli(capsys, "check", "--root", str(root), "--auth", "ldap")[0] == 1
    assert "auth_cyrus" not in prosody(root)[EXAMPLE_DOMAIN]["modules_enabled"]


def test_without_auth_a_directory_or_token_server_is_not_switched_to_accounts(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--root", str(root)]
    assert cli(capsys, "apply", *where, "--auth", "ldap")[0] == 0
    ldap = (root / HOST).read_bytes()
    for verb in ("plan", "apply", "check"):
        status, out, err = cli(capsys, verb, *where)
        assert (status, out) == (2, "")
        assert f"the main host {EXAMPLE_DOMAIN} lets in directory (LDAP/Cyrus) users now" in err
        assert "give --auth ldap to keep it, or --auth internal to switch" in err
    assert (root / HOST).read_bytes() == ldap
    assert cli(capsys, "apply", *where, "--auth", "internal")[0] == 0  # named, the switch is made
    assert prosody(root)[EXAMPLE_DOMAIN]["authentication"] == "internal_hashed"
    assert cli(capsys, "apply", *where, *jwt_args(tmp_path))[0] == 0
    status, _, err = cli(capsys, "apply", *where)
    assert status == 2 and "lets in token holders now" in err and "--auth jwt" in err
    assert cli(capsys, "revert", *where)[0] == 0  # revert needs no mode: it goes back to anonymous


@pytest.mark.parametrize(
    ("version", "expected"),
    [("13.0", ["DIGEST-MD5", "OAUTHBEARER"]), ("13", ["DIGEST-MD5", "OAUTHBEARER"]), ("0.12", None)],
)
def test_prosody_13_disables_weak_mechanisms(
    root: Path, capsys: pytest.CaptureFixture[str], version: str, expected: list[str] | None
) -> None:
    args = ["--root", str(root), "--prosody-version", version]
    assert cli(capsys, "apply", *args)[0] == 0
    assert prosody(root)[EXAMPLE_DOMAIN].get("disable_sasl_mechanisms") == expected
    assert cli(capsys, "apply", *args)[1].startswith("Nothing to change")
    assert cli(capsys, "check", *args)[0] == 0
    assert cli(capsys, "revert", *args)[0] == 0
    assert "disable_sasl_mechanisms" not in prosody(root)[EXAMPLE_DOMAIN]


@pytest.mark.parametrize(
    "argv",
    [
        ["--auth", "jwt"],
        ["--auth", "jwt", "--app-id", "my_app"],
        ["--app-id", "my_app"],
        ["--jicofo-auth", "off"],
        ["--auth", "jwt", "--app-id", "bad id", "--asap-key-server", "https://k.example.com"],
        ["--auth", "jwt", "--app-id", "a", "--asap-key-server", 'https://k.example.com/"x'],
        ["--prosody-version", "thirteen"],
    ],
)
def test_inconsistent_mode_flags_are_refused(root: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    status, _out, err = cli(capsys, "plan", "--root", str(root), *argv)
    assert status == 2 and err.startswith("jitsi-secure: error: ") and "Traceback" not in err


def test_the_spec_checks_the_modes() -> None:
    with pytest.raises(SpecError):
        SecureDomain("meet.example.com", auth="jwt")
    with pytest.raises(SpecError):
        JwtAuth("app", app_secret=Secret("s"), asap_key_server="https://k.example.com")
    with pytest.raises(SpecError):
        SecureDomain("meet.example.com", jicofo_auth="jwt")
    spec = SecureDomain("meet.example.com", auth="jwt", jwt=JwtAuth("app", Secret("s")))
    assert spec.jicofo_auth == "off" and spec.secrets == ("s",)


@pytest.mark.parametrize(("line", "kept"), [("allow_empty_token = false", True), ("allow_empty_token = true", False)])
def test_jwt_keeps_an_explicit_allow_empty_token_false(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, kept: bool
) -> None:
    # The change wants "not true": an admin's explicit false says so already and stays; only true goes.
    host = root / HOST
    marker = 'authentication = "jitsi-anonymous" -- do not delete me\n'
    host.write_text(host.read_text().replace(marker, f"{marker}    {line}\n", 1))
    status, out, err = cli(capsys, "plan", "--root", str(root), *jwt_args(tmp_path))
    assert status == 0, err
    assert (f"-    {line}" in out) is not kept
    assert cli(capsys, "apply", "--root", str(root), *jwt_args(tmp_path))[0] == 0
    assert (f"    {line}\n" in host.read_text()) is kept
    assert prosody(root)[EXAMPLE_DOMAIN].get("allow_empty_token") is (False if kept else None)
    assert cli(capsys, "check", "--root", str(root), *jwt_args(tmp_path))[0] == 0
