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
    # The conf.d link is gone: --fix makes it again (absolute, as Debian does), verified first.
    Case(
        "guest-host-not-loaded",
        lambda root: (root / f"etc/prosody/conf.d/{DOMAIN}.cfg.lua").unlink(),
        HOST_FILE,
        f'VirtualHost "guest.{DOMAIN}"',
        fixable=True,
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
    # The line is the setting's, not a commented-out copy further down (review M9: a block comment).
    Case(
        "anonymousdomain-unknown-host",
        lambda root: (
            edit(root, MEET_FILE, f"anonymousdomain: 'guest.{DOMAIN}'", f"anonymousdomain: 'visitors.{DOMAIN}'"),
            append(root, MEET_FILE, "/*\n    hosts: {\n        anonymousdomain: 'old',\n    },\n*/\n"),
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


def append(root: Path, display: str, text: str) -> None:
    path = root / display.lstrip("/")
    path.write_text(path.read_text() + text)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.id}-{n}" for n, c in enumerate(CASES)])
def test_each_case(case: Case, prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_case(case, prosody, tmp_path, capsys)


def test_fix_relinks_a_host_file_prosody_no_longer_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from jitsi_secure.cli import main as cli_main
    from tests.doctor.doctor_trees import secured_tree

    root = secured_tree(tmp_path / "root", (0, 12))
    link = root / f"etc/prosody/conf.d/{DOMAIN}.cfg.lua"
    link.unlink()
    # --fix --dry-run shows the link it would make and makes nothing.
    assert cli_main(["doctor", "--root", str(root), "--fix", "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert f"+++ b/etc/prosody/conf.d/{DOMAIN}.cfg.lua" in out and "new file mode 120000" in out
    assert not link.is_symlink()
    assert cli_main(["doctor", "--root", str(root), "--fix"]) in (0, 1)
    capsys.readouterr()
    assert link.is_symlink() and str(link.readlink()) == f"../conf.avail/{DOMAIN}.cfg.lua"
    assert not [p for p in link.parent.iterdir() if p.name.startswith(".")], "a temporary link was left behind"
    assert cli_main(["doctor", "--root", str(root)]) in (0, 1)
    assert "guest-host-not-loaded" not in capsys.readouterr().out
