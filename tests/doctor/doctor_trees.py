"""Deployment trees for the ``doctor`` tests, laid out as real ones are.

:func:`secured_tree` is the bundled Debian example (jitsi-meet's Prosody and config.js templates)
with Debian's main ``prosody.cfg.lua`` ending in ``Include "conf.d/*.cfg.lua"``, the placeholders
Debian's postinst fills (``__turnSecret__``) filled, then secured with ``jitsi-secure apply`` for
the given Prosody major: the baseline on which ``doctor`` finds no warning. Each finding's test
breaks it the way admins do and expects exactly that finding.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from jitsi_secure.cli import main as cli_main
from jitsi_secure.demo import EXAMPLE_DOMAIN, build_example_tree
from jitsi_secure.doctor import Finding, examine
from jitsi_secure.secure_domain.layout import Layout
from tests.oracles.lua import ProsodyInstall
from tests.trees import MAIN_CONFIG

DOMAIN = EXAMPLE_DOMAIN
HOST_FILE = f"/etc/prosody/conf.avail/{DOMAIN}.cfg.lua"
#: The host file Prosody loads through its conf.d link; findings name the file the link leads to (the
#: one to edit), so this is the same file as HOST_FILE.
LOADED_FILE = HOST_FILE
MAIN_FILE = "/etc/prosody/prosody.cfg.lua"
MEET_FILE = f"/etc/jitsi/meet/{DOMAIN}-config.js"
JICOFO_FILE = "/etc/jitsi/jicofo/jicofo.conf"
LEGACY_FILE = "/etc/jitsi/jicofo/sip-communicator.properties"


def postinst(text: str) -> str:
    """What Debian's postinst does to the template: its placeholders get generated values."""
    for placeholder in ("__turnSecret__", "jitmeetSecret", "focusSecret"):
        text = text.replace(placeholder, secrets.token_hex(16))
    return text


def secured_tree(root: Path, version: tuple[int, int], *extra: str) -> Path:
    """The example deployment as installed and secured with ``apply`` (``extra``: more apply options)."""
    build_example_tree(root)
    (root / "etc/prosody/prosody.cfg.lua").write_text(MAIN_CONFIG)
    host = root / HOST_FILE.lstrip("/")
    host.write_text(postinst(host.read_text()))
    argv = ["apply", "--root", str(root), "--prosody-version", ".".join(map(str, version)), *extra]
    assert cli_main(argv) == 0
    return root


def edit(root: Path, display: str, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file of the tree (it must be there)."""
    path = root / display.lstrip("/")
    text = path.read_text(encoding="latin-1" if display.endswith(".properties") else "utf-8")
    assert old in text, (display, old)
    path.write_text(text.replace(old, new, count))


def line_of(root: Path, display: str, fragment: str) -> int:
    """The 1-based line of the first occurrence of ``fragment``."""
    text = (root / display.lstrip("/")).read_text(encoding="latin-1")
    return text[: text.index(fragment)].count("\n") + 1


def found(root: Path, version: tuple[int, int]) -> list[Finding]:
    """``doctor``'s findings on the tree."""
    return examine(Layout.debian(root=root), prosody_version=version)


def loud(findings: Sequence[Finding]) -> list[tuple[str, str | None, int]]:
    """The warnings and errors as ``(id, file, line)``."""
    return [(f.id, f.file, f.line) for f in findings if f.at_least_warning]


@dataclass(frozen=True)
class Case:
    """One finding made the way admins make it, on the secured tree.

    ``fragment`` locates the line the finding must name (``None``: the file, no line); ``only13``:
    the rule holds for Prosody 13 only (on 0.12 the same tree must not give it).
    """

    id: str
    breaks: Callable[[Path], None]
    file: str
    fragment: str | None
    fixable: bool
    apply: tuple[str, ...] = ()
    severity: str = "warning+"
    only13: bool = False

    def __str__(self) -> str:
        return self.id


def run_case(case: Case, prosody: ProsodyInstall, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Break the secured tree as ``case`` says: ``doctor`` reports exactly that finding at its line;
    ``--fix`` (when fixable) leaves a tree without it that the real readers load."""
    version = prosody.version
    root = secured_tree(tmp_path / "root", (13, 0) if case.only13 else version, *case.apply)
    case.breaks(root)
    findings = found(root, version)
    if case.only13 and version < (13, 0):
        assert case.id not in {f.id for f in findings}
        return
    line = line_of(root, case.file, case.fragment) if case.fragment else 0
    mine = [f for f in findings if f.id == case.id]
    assert (case.file, line) in [(f.file, f.line) for f in mine], findings
    if case.severity == "info":
        assert loud(findings) == [] and all(f.severity == "info" for f in mine)
    else:
        assert {f.id for f in findings if f.at_least_warning} == {case.id}, findings
    assert all(f.fixable == case.fixable for f in mine)
    capsys.readouterr()
    status = cli_main(["doctor", "--root", str(root), "--prosody-version", prosody.major])
    assert status == (0 if case.severity == "info" else 1)
    if not case.fixable:
        out = capsys.readouterr().out
        assert not any(f": {case.id} " in line and "[fixable" in line for line in out.splitlines())
        return
    assert cli_main(["doctor", "--root", str(root), "--prosody-version", prosody.major, "--fix"]) in (0, 1)
    assert case.id not in {f.id for f in found(root, version)}
    judge(root, prosody)


def judge(root: Path, prosody: ProsodyInstall) -> None:
    """The real readers load the tree: Prosody's loader over every Include, Lightbend, Node."""
    from tests.oracles.hocon import lightbend_read
    from tests.oracles.js import NodeEvaluator
    from tests.oracles.lua import prosody_configs

    [loaded] = prosody_configs([root / MAIN_FILE.lstrip("/")], no_include=False, copy=False, major=prosody.major)
    assert loaded["ok"], loaded
    assert DOMAIN in loaded["config"]
    [jicofo] = lightbend_read([root / JICOFO_FILE.lstrip("/")], "--resolve-noenv", "--allow-unresolved")
    assert "value" in jicofo, jicofo
    node = NodeEvaluator()
    try:
        assert node.evaluate((root / MEET_FILE.lstrip("/")).read_text()).ok
    finally:
        node.close()


def replace_re(root: Path, display: str, pattern: str, new: str) -> None:
    """Replace the first match of ``pattern`` in a file of the tree."""
    path = root / display.lstrip("/")
    text, n = re.subn(pattern, new, path.read_text(), count=1)
    assert n == 1, (display, pattern)
    path.write_text(text)
