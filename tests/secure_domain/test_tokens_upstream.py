"""Token authentication as upstream ships it (issue 17), on the corpus' Debian templates and docker files.

For each template and option: apply, apply again (nothing), check, revert; Prosody's loader (0.12 and 13,
the ``prosody`` fixture) shows where tokens are verified, Lightbend shows Jicofo's settings, and no
secret is in any output or, after revert, in any file (searched byte-wise). Jitsi's token plugins ship
in jitsi-meet-prosody, not in Debian, so these are loader-level checks, not a live token login.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from jitsi_secure.cli import main
from tests.oracles import corpus_dir, java_properties
from tests.oracles.hocon import lightbend_read
from tests.oracles.lua import ProsodyInstall, prosody_configs

DOMAIN = "jitmeet.example.com"
SECRET = "tok3n-S3cret-ünique"
TEMPLATES = {
    # 2021: the conference and breakout MUCs both carry --"token_verification";
    "2021": "lua/jitsi-meet_prosody.cfg.lua-jvb.example_2021-12_32aa40b.lua",
    # From 2022 only the conference MUC carries it (breakout rooms follow their parent room).
    "2022": "lua/jitsi-meet_prosody.cfg.lua-jvb.example_2022-09_11f138d.lua",
    "2025": "lua/jitsi-meet_prosody.cfg.lua-jvb.example_2025-09_469406d.lua",
}
CONFERENCE, BREAKOUT, INTERNAL = (f"conference.{DOMAIN}", f"breakout.{DOMAIN}", f"internal.auth.{DOMAIN}")
HOST = f"etc/prosody/conf.avail/{DOMAIN}.cfg.lua"
JICOFO = "etc/jitsi/jicofo/jicofo.conf"
LEGACY = "etc/jitsi/jicofo/sip-communicator.properties"


def build(root: Path, template: str) -> Path:
    corpus = corpus_dir()
    for source, target in (
        (template, HOST),
        ("js/jitsi-meet_config_2025-06_293b6fa.js", f"etc/jitsi/meet/{DOMAIN}-config.js"),
        ("hocon/blc-jitsi_etc_jicofo.conf", JICOFO),
        ("properties/blc-jitsi_etc_jicofo_sip-communicator.properties", LEGACY),
    ):
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / source, root / target)
    link = root / f"etc/prosody/conf.d/{DOMAIN}.cfg.lua"
    link.parent.mkdir(parents=True)
    link.symlink_to(Path("../conf.avail") / link.name)
    return root


def cli(capsys: pytest.CaptureFixture[str], outputs: list[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    outputs.append(out + err)
    return status, out


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def loaded(root: Path, prosody: ProsodyInstall) -> dict[str, Any]:
    [result] = prosody_configs([root / HOST], major=prosody.major)
    assert result["ok"], result
    config: dict[str, Any] = result["config"]
    return config


def verifies(config: dict[str, Any], muc: str) -> bool:
    return "token_verification" in (config.get(muc, {}).get("modules_enabled") or [])


def jicofo(root: Path) -> dict[str, Any]:
    [read] = lightbend_read([root / JICOFO])
    value: dict[str, Any] = read["value"]["jicofo"]
    return value


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "app-secret"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


OPTIONS = {
    "hs256": [],
    "jwks": ["--jwks-url", "https://keys.example.com/jwks.json", "--accepted-issuers", "my_issuer,other"],
    "wait-and-moderators": ["--wait-for-host", "--token-moderators", "--guests", "token-optional"],
}


@pytest.mark.parametrize("year", TEMPLATES)
@pytest.mark.parametrize("option", OPTIONS)
def test_tokens_on_debian_templates(
    year: str,
    option: str,
    *,
    tmp_path: Path,
    secret_file: Path,
    prosody: ProsodyInstall,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = build(tmp_path / "root", TEMPLATES[year])
    original = files(root)
    commented = {muc for muc in (CONFERENCE, BREAKOUT) if f'Component "{muc}"' in original[HOST].decode()} & (
        {CONFERENCE, BREAKOUT} if year == "2021" else {CONFERENCE}
    )
    extra = OPTIONS[option]
    key = [] if "--jwks-url" in extra else ["--app-secret-file", str(secret_file)]
    args = ["--root", str(root), "--auth", "jwt", "--app-id", "my_app", *key, *extra]
    outputs: list[str] = []
    assert cli(capsys, outputs, "apply", *args)[0] == 0
    config = loaded(root, prosody)
    for muc in commented:
        assert verifies(config, muc), muc
    assert not verifies(config, INTERNAL)
    text = (root / HOST).read_text(encoding="utf-8")
    assert '--"token_verification"' not in text and text.count('"token_verification"') == len(commented)
    main_host = config[DOMAIN]
    assert main_host["authentication"] == "token" and main_host["app_id"] == "my_app"
    if option == "jwks":
        assert main_host["cache_keys_url"] == "https://keys.example.com/jwks.json"
        assert main_host["asap_accepted_issuers"] == ["my_issuer", "other"]
        assert "app_secret" not in main_host
    else:
        assert main_host["app_secret"] == SECRET
    if option == "wait-and-moderators":
        assert {"muc_wait_for_host", "token_affiliation"} <= set(config[CONFERENCE]["modules_enabled"])
        assert config[CONFERENCE]["wait_for_host_disable_auto_owners"] is True
        assert main_host["allow_empty_token"] is True and f"guest.{DOMAIN}" not in config
        assert jicofo(root)["conference"]["enable-auto-owner"] is False
    # Jicofo stays out, in both its files.
    assert jicofo(root)["authentication"]["enabled"] is False
    [legacy] = java_properties([root / LEGACY])
    assert "org.jitsi.jicofo.auth.URL" not in legacy["properties"]

    status, out = cli(capsys, outputs, "apply", *args)
    assert status == 0 and out.startswith("Nothing to change")
    assert cli(capsys, outputs, "check", *args)[0] == 0
    assert cli(capsys, outputs, "policy", "--root", str(root))[0] == 0
    assert cli(capsys, outputs, "revert", *args)[0] == 0
    # The host file is the template again, placeholders commented as shipped. Without a guest host
    # nothing tells which anonymous module the 2021 host had: revert does what the tokens package's
    # postrm does (jitsi-anonymous, the module of every template since 2022-07).
    reverted = files(root)[HOST]
    if option == "wait-and-moderators" and year == "2021":
        reverted = reverted.replace(b'authentication = "jitsi-anonymous"', b'authentication = "anonymous"', 1)
    assert reverted == original[HOST]
    assert not verifies(loaded(root, prosody), CONFERENCE)
    for name, data in files(root).items():
        assert SECRET.encode() not in data, name
    for output in outputs:
        assert SECRET not in output


@pytest.mark.parametrize("year", TEMPLATES)
def test_secure_domain_moves_to_tokens_and_back(
    year: str, tmp_path: Path, secret_file: Path, prosody: ProsodyInstall, capsys: pytest.CaptureFixture[str]
) -> None:
    root = build(tmp_path / "root", TEMPLATES[year])
    outputs: list[str] = []
    secure = ["--root", str(root), "--auto-login", "--auth-lifetime", "12 hours"]
    assert cli(capsys, outputs, "apply", *secure)[0] == 0
    authentication = jicofo(root)["authentication"]
    assert authentication["enable-auto-login"] is True and authentication["authentication-lifetime"] == "12 hours"
    secured = files(root)
    tokens = ["--root", str(root), "--auth", "jwt", "--app-id", "my_app", "--app-secret-file", str(secret_file)]
    assert cli(capsys, outputs, "migrate", "--root", str(root), "--to", "jwt", *tokens[4:])[0] == 0
    config = loaded(root, prosody)
    assert config[DOMAIN]["authentication"] == "token"
    assert config[f"guest.{DOMAIN}"]["authentication"] in ("anonymous", "jitsi-anonymous")  # the guest host stays
    assert verifies(config, CONFERENCE) and not verifies(config, INTERNAL)
    assert jicofo(root)["authentication"]["enabled"] is False
    assert cli(capsys, outputs, "check", *tokens)[0] == 0
    # Without --auth, apply refuses to switch a token server to accounts; named, it does.
    status, _ = cli(capsys, outputs, "apply", *secure)
    assert status == 2 and "lets in token holders now" in outputs[-1] and "--auth jwt" in outputs[-1]
    # Secure Domain again: exactly the bytes it had, with no secret anywhere.
    assert cli(capsys, outputs, "apply", *secure, "--auth", "internal")[0] == 0
    assert files(root) == secured
    assert cli(capsys, outputs, "check", *secure)[0] == 0
    for output in outputs:
        assert SECRET not in output


def test_docker_main_muc_needs_no_warning(
    tmp_path: Path, secret_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A docker-style file: main_muc names muc.<D>, which already verifies tokens."""
    host = tmp_path / "root" / f"etc/prosody/conf.avail/{DOMAIN}.cfg.lua"
    build(tmp_path / "root", TEMPLATES["2025"])
    host.write_text(
        f'VirtualHost "{DOMAIN}"\n    authentication = "jitsi-anonymous"\n    main_muc = "muc.{DOMAIN}"\n\n'
        f'Component "muc.{DOMAIN}" "muc"\n    modules_enabled = {{\n        "token_verification";\n    }}\n\n'
        f'Component "internal-muc.{DOMAIN}" "muc"\n    modules_enabled = {{ "ping" }}\n',
        encoding="utf-8",
    )
    outputs: list[str] = []
    args = ["--root", str(tmp_path / "root"), "--auth", "jwt", "--app-id", "a", "--app-secret-file", str(secret_file)]
    status, out = cli(capsys, outputs, "apply", *args)
    assert status == 0 and "warning" not in out
    assert host.read_text(encoding="utf-8").count("token_verification") == 1
    assert cli(capsys, outputs, "check", *args)[0] == 0


def test_docker_env_never_keeps_a_secret_in_a_comment(
    tmp_path: Path, secret_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = tmp_path / ".env"
    shutil.copyfile(corpus_dir() / "dotenv/docker-jitsi-meet_env.example_head.env", env)
    where = ["--layout", "docker", "--env-file", str(env)]
    outputs: list[str] = []
    tokens = [*where, "--auth", "jwt", "--app-id", "my_app", "--app-secret-file", str(secret_file)]
    assert cli(capsys, outputs, "apply", *tokens, "--token-moderators", "--wait-for-host")[0] == 0
    text = env.read_text(encoding="utf-8")
    assert "\nENABLE_AUTO_OWNER=0" in text and "\nWAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1" in text
    assert cli(capsys, outputs, "check", *tokens, "--token-moderators", "--wait-for-host")[0] == 0
    assert cli(capsys, outputs, "apply", *where, "--auth", "internal")[0] == 0  # to internal accounts, named
    assert SECRET.encode() not in env.read_bytes()
    assert cli(capsys, outputs, "check", *where)[0] == 0
    assert cli(capsys, outputs, "revert", *where)[0] == 0
    assert SECRET.encode() not in env.read_bytes()
    jwks = [*where, "--auth", "jwt", "--app-id", "a", "--jwks-url", "https://k.example.com/jwks"]
    status, _ = cli(capsys, outputs, "plan", *jwks)
    assert status == 2 and "cache_keys_url" in outputs[-1]
    for output in outputs:
        assert SECRET not in output
