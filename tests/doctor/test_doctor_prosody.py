"""Prosody's own rules: jitsi_secure/doctor/_sasl.py, _hosts.py and _modules.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.doctor.doctor_trees import DOMAIN, LOADED_FILE, Case, edit, run_case
from tests.oracles.lua import ProsodyInstall

MAIN_HOST = f'VirtualHost "{DOMAIN}"\n'

CASES = [
    Case(
        "prosody13-oauthbearer-loop",
        lambda root: edit(root, LOADED_FILE, '    disable_sasl_mechanisms = { "DIGEST-MD5"; "OAUTHBEARER" }\n', ""),
        LOADED_FILE,
        '    authentication = "internal_hashed"',
        fixable=True,
        only13=True,
    ),
    Case(
        "plaintext-login",
        lambda root: edit(root, LOADED_FILE, MAIN_HOST, MAIN_HOST + "    allow_unencrypted_plain_auth = true\n"),
        LOADED_FILE,
        "    allow_unencrypted_plain_auth = true",
        fixable=False,
    ),
    Case(
        "underscore-in-domain",
        lambda root: edit(root, LOADED_FILE, MAIN_HOST, f'Component "video_bridge.{DOMAIN}"\n\n' + MAIN_HOST),
        LOADED_FILE,
        f'Component "video_bridge.{DOMAIN}"',
        fixable=False,
    ),
    # Prosody names the second assignment: the first is the dead one.
    Case(
        "duplicate-option",
        lambda root: edit(
            root, LOADED_FILE, f'    main_muc = "conference.{DOMAIN}"\n',
            f'    main_muc = "conference.{DOMAIN}"\n    main_muc = "muc.{DOMAIN}"\n',
        ),
        LOADED_FILE,
        f'    main_muc = "muc.{DOMAIN}"',
        fixable=False,
    ),
    Case(
        "breakout-admins-missing",
        lambda root: None,
        LOADED_FILE,
        MAIN_HOST,
        fixable=True,
        severity="info",
    ),
    # The installed jitsi-meet-prosody is past the deletion: its plugin folder lacks the modules.
    Case(
        "removed-module",
        lambda root: (root / "usr/share/jitsi-meet/prosody-plugins").mkdir(parents=True),
        LOADED_FILE,
        f'Component "speakerstats.{DOMAIN}"',
        fixable=True,
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_case(case: Case, prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_case(case, prosody, tmp_path, capsys)
