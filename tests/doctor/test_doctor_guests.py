"""``guest-host-not-loaded`` and ``anonymousdomain-unknown-host`` (jitsi_secure/doctor/_guests.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.doctor.doctor_trees import DOMAIN, HOST_FILE, LOADED_FILE, MAIN_FILE, MEET_FILE, Case, edit, run_case
from tests.oracles.lua import ProsodyInstall

CASES = [
    # A Prosody upgrade replaced prosody.cfg.lua: its Include of conf.d is gone (jitsi-meet #6761).
    Case(
        "guest-host-not-loaded",
        lambda root: edit(root, MAIN_FILE, 'Include "conf.d/*.cfg.lua"', "-- (upgraded)"),
        MAIN_FILE,
        None,
        fixable=True,
    ),
    # The conf.d link is gone: the link cannot be made by a text plan, so it is named, not fixed.
    Case(
        "guest-host-not-loaded",
        lambda root: (root / f"etc/prosody/conf.d/{DOMAIN}.cfg.lua").unlink(),
        HOST_FILE,
        f'VirtualHost "guest.{DOMAIN}"',
        fixable=False,
    ),
    Case(
        "anonymousdomain-unknown-host",
        lambda root: edit(
            root, MEET_FILE, f"anonymousdomain: 'guest.{DOMAIN}'", f"anonymousdomain: 'visitors.{DOMAIN}'"
        ),
        MEET_FILE,
        f"visitors.{DOMAIN}",
        fixable=False,
    ),
    Case(
        "anonymousdomain-unknown-host",
        lambda root: edit(
            root, HOST_FILE, '    authentication = "jitsi-anonymous"', '    authentication = "internal_hashed"'
        ),
        LOADED_FILE,
        '    authentication = "internal_hashed"\n    c2s',
        fixable=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.id}-{n}" for n, c in enumerate(CASES)])
def test_each_case(case: Case, prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_case(case, prosody, tmp_path, capsys)
