"""Jicofo against Prosody (jitsi_secure/doctor/_jicofo.py, and ``not-a-jicofo-config`` of ``examine``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.doctor.doctor_trees import DOMAIN, JICOFO_FILE, LEGACY_FILE, Case, edit, run_case
from tests.oracles.lua import ProsodyInstall

JWT = ("--auth", "jwt", "--app-id", "app", "--app-secret-file")

CASES = [
    Case(
        "login-url-mismatch",
        lambda root: (
            edit(root, JICOFO_FILE, f'login-url: "{DOMAIN}"', f'login-url: "guest.{DOMAIN}"'),
            edit(root, LEGACY_FILE, f"XMPP:{DOMAIN}", f"XMPP:guest.{DOMAIN}"),
        ),
        LEGACY_FILE,
        "org.jitsi.jicofo.auth.URL",
        fixable=True,
    ),
    # The classic: an old token setup's legacy URL left behind wins over jicofo.conf.
    Case(
        "legacy-jicofo-override",
        lambda root: edit(root, LEGACY_FILE, f"XMPP:{DOMAIN}", f"EXT_JWT:{DOMAIN}"),
        LEGACY_FILE,
        "org.jitsi.jicofo.auth.URL",
        fixable=True,
    ),
    Case(
        "not-a-jicofo-config",
        lambda root: (root / JICOFO_FILE.lstrip("/")).write_text(f"JICOFO_HOST=localhost\nJICOFO_HOSTNAME={DOMAIN}\n"),
        JICOFO_FILE,
        "JICOFO_HOST",
        fixable=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_case(case: Case, prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_case(case, prosody, tmp_path, capsys)


def test_tokens_with_jicofo_asking_for_an_xmpp_login(
    prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("a-long-enough-shared-secret-value\n")
    case = Case(
        "jicofo-auth-with-tokens",
        lambda root: (
            edit(root, JICOFO_FILE, 'type: "JWT"', 'type: "XMPP"'),
            edit(root, LEGACY_FILE, f"EXT_JWT:{DOMAIN}", f"XMPP:{DOMAIN}"),
        ),
        LEGACY_FILE,
        "org.jitsi.jicofo.auth.URL",
        fixable=False,
        apply=(*JWT, str(secret), "--jicofo-auth", "jwt"),
    )
    run_case(case, prosody, tmp_path, capsys)
