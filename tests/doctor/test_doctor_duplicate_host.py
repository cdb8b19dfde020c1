"""``duplicate-host``: a host defined in more than one loaded file, as a stale copy of the host file left
in ``conf.d`` makes it; and the warning ``check`` prints when the main or guest host is one."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from jitsi_secure.cli import main as cli_main
from jitsi_secure.demo import build_example_tree
from jitsi_secure.doctor import Finding
from tests.doctor.doctor_trees import DOMAIN, HOST_FILE, MAIN_FILE, found, judge, line_of, postinst, secured_tree
from tests.oracles.lua import ProsodyInstall, prosody_configs

STALE = "/etc/prosody/conf.d/zz-old.cfg.lua"
MAIN_HOST = f'VirtualHost "{DOMAIN}"'
GUEST_HOST = f'VirtualHost "guest.{DOMAIN}"'


def stale_copy(root: Path, tmp_path: Path, *, secured: bool) -> None:
    """The host file copied into ``conf.d`` as it is now, or as the package installed it (anonymous)."""
    if secured:
        text = (root / HOST_FILE.lstrip("/")).read_text()
    else:
        template = build_example_tree(tmp_path / "template")
        text = postinst((template / HOST_FILE.lstrip("/")).read_text())
    (root / STALE.lstrip("/")).write_text(text)


def read_last(root: Path) -> str:
    """Of the host file and its copy, the one Prosody reads last: ``conf.d`` in the order the directory
    lists it (findings name the file the host file's link leads to)."""
    names = os.listdir(root / "etc/prosody/conf.d")
    return STALE if names.index(Path(STALE).name) > names.index(f"{DOMAIN}.cfg.lua") else HOST_FILE


def finding_for(findings: list[Finding], header: str) -> Finding:
    kind, name = header.split(" ")
    [mine] = [f for f in findings if f.id == "duplicate-host" and f"{kind} {name.strip(chr(34))} " in f.message]
    return mine


def test_a_stale_copy_is_reported_for_each_host_at_the_definition_read_last(
    prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = secured_tree(tmp_path / "root", prosody.version)
    stale_copy(root, tmp_path, secured=True)
    findings = found(root, prosody.version)
    assert {f.id for f in findings if f.at_least_warning} == {"duplicate-host"}, findings
    headers = re.findall(r'^(?:VirtualHost|Component) "[^"]+"', (root / HOST_FILE.lstrip("/")).read_text(), re.M)
    duplicates = [f for f in findings if f.id == "duplicate-host"]
    assert len(duplicates) == len(headers) > 2
    assert all(f.severity == "warning" and not f.fixable for f in duplicates)
    for header in (MAIN_HOST, GUEST_HOST):
        line = line_of(root, HOST_FILE, header)
        mine = finding_for(findings, header)
        assert f"{STALE}:{line}" in mine.message and f"{HOST_FILE}:{line}" in mine.message
        assert (mine.file, mine.line) == (read_last(root), line)
    judge(root, prosody)  # Prosody itself loads both definitions without complaint

    capsys.readouterr()
    assert cli_main(["doctor", "--root", str(root), "--prosody-version", prosody.major]) == 1
    out = capsys.readouterr().out
    assert not any(": duplicate-host " in line and "[fixable" in line for line in out.splitlines())
    # check: the tree is secured as wanted, but the main and guest hosts (only they) get a warning line.
    assert cli_main(["check", "--root", str(root), "--prosody-version", prosody.major]) == 0
    warned = [line for line in capsys.readouterr().out.splitlines() if "duplicate-host" in line]
    assert [w.startswith("warning: ") for w in warned] == [True, True]
    assert f"VirtualHost {DOMAIN} is defined in 2 loaded files" in warned[0]
    assert f"VirtualHost guest.{DOMAIN} is defined" in warned[1]
    assert cli_main(["check", "--root", str(root), "--prosody-version", prosody.major, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert sum("duplicate-host" in w for w in body["warnings"]) == 2


def test_copies_that_set_authentication_differently_are_an_error(prosody: ProsodyInstall, tmp_path: Path) -> None:
    root = secured_tree(tmp_path / "root", prosody.version)
    stale_copy(root, tmp_path, secured=False)
    findings = found(root, prosody.version)
    main = finding_for(findings, MAIN_HOST)
    assert main.severity == "error"
    assert f'{HOST_FILE}: "internal_hashed"' in main.message and f'{STALE}: "jitsi-anonymous"' in main.message
    # The conference MUC sets no authentication in either copy: a warning.
    assert finding_for(findings, f'Component "conference.{DOMAIN}"').severity == "warning"
    # What the finding says wins is what Prosody's own loader makes of the tree.
    [loaded] = prosody_configs([root / MAIN_FILE.lstrip("/")], no_include=False, copy=False, major=prosody.major)
    winner = "jitsi-anonymous" if read_last(root) == STALE else "internal_hashed"
    assert loaded["config"][DOMAIN]["authentication"] == winner


def test_a_host_defined_twice_in_one_file_is_not_this_finding(prosody: ProsodyInstall, tmp_path: Path) -> None:
    root = secured_tree(tmp_path / "root", prosody.version)
    host = root / HOST_FILE.lstrip("/")
    host.write_text(host.read_text() + f"\n{MAIN_HOST}\n    c2s_require_encryption = true\n")
    assert "duplicate-host" not in {f.id for f in found(root, prosody.version)}
