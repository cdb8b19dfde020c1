"""Tokens and secrets: jitsi_secure/doctor/_tokens.py, _secrets.py; config.js: _client.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.doctor.doctor_trees import DOMAIN, LOADED_FILE, MEET_FILE, Case, edit, replace_re, run_case
from tests.oracles.lua import ProsodyInstall


def _jwt(tmp_path: Path, *extra: str) -> tuple[str, ...]:
    secret = tmp_path / "secret"
    secret.write_text("a-long-enough-shared-secret-value\n")
    return ("--auth", "jwt", "--app-id", "app", "--app-secret-file", str(secret), "--jicofo-auth", "off", *extra)


def test_token_muc_unverified(prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The packaging's commented-out line put back: the MUC was meant to verify tokens.
    case = Case(
        "token-muc-unverified",
        lambda root: edit(root, LOADED_FILE, '        "token_verification";', '        --"token_verification";'),
        LOADED_FILE,
        '        --"token_verification";',
        fixable=True,
        apply=_jwt(tmp_path),
    )
    run_case(case, prosody, tmp_path, capsys)


def test_empty_token_on_the_main_host(
    prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = Case(
        "empty-token-guests",
        lambda root: None,
        LOADED_FILE,
        "allow_empty_token = true",
        fixable=False,
        apply=_jwt(tmp_path, "--allow-empty-token"),
    )
    run_case(case, prosody, tmp_path, capsys)


CASES = [
    Case(
        "example-secret",
        lambda root: replace_re(
            root, LOADED_FILE, r'external_service_secret = "[0-9a-f]+"', 'external_service_secret = "short"'
        ),
        LOADED_FILE,
        'external_service_secret = "short"',
        fixable=False,
    ),
    Case(
        "removed-client-option",
        lambda root: edit(root, MEET_FILE, "// tokenAuthUrlAutoRedirect: false", "tokenAuthUrlAutoRedirect: false,"),
        MEET_FILE,
        "tokenAuthUrlAutoRedirect: false,",
        fixable=True,
    ),
    # Its line is the property's, not that of a copy in a block comment below it (review M9).
    Case(
        "removed-client-option",
        lambda root: (
            edit(root, MEET_FILE, "// tokenAuthUrlAutoRedirect: false", "tokenAuthUrlAutoRedirect: false,"),
            edit(root, MEET_FILE, "\n};", "\n    /*\n    tokenAuthUrlAutoRedirect: true,\n    */\n};"),
        ),
        MEET_FILE,
        "tokenAuthUrlAutoRedirect: false,",
        fixable=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.id}-{n}" for n, c in enumerate(CASES)])
def test_each_case(case: Case, prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_case(case, prosody, tmp_path, capsys)


def test_a_secret_value_is_never_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jitsi_secure.cli import main
    from tests.doctor.doctor_trees import secured_tree

    root = secured_tree(tmp_path / "root", (13, 0))
    replace_re(root, LOADED_FILE, r'external_service_secret = "[0-9a-f]+"', 'external_service_secret = "tiny-secret-9"')
    capsys.readouterr()
    for output in ([], ["--json"], ["--sarif"]):
        assert main(["doctor", "--root", str(root), *output]) == 1
        assert "tiny-secret-9" not in capsys.readouterr().out
    assert DOMAIN


def test_a_docker_secret_is_reported_at_the_line_compose_reads(tmp_path: Path) -> None:
    from jitsi_secure.doctor import examine
    from jitsi_secure.secure_domain.layout import DockerLayout

    env = tmp_path / ".env"
    env.write_text(
        "XMPP_DOMAIN=meet.jitsi\n"
        "# JICOFO_AUTH_PASSWORD=passw0rd\n"
        "JICOFO_AUTH_PASSWORD=passw0rd\n"
        # A quoted value over lines holds text that looks like the key; compose reads it as a value.
        'JVB_ADVERTISE_IPS="10.0.0.1\nJICOFO_AUTH_PASSWORD=changeme\n"\n'
    )
    findings = examine(DockerLayout.from_env_file(env), prosody_version=(0, 12))
    secret = [(f.file, f.line) for f in findings if f.id == "example-secret"]
    assert secret == [(str(env), 3)], findings
